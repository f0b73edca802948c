"""Each fast path of scoring gives what the plain path it short-cuts gives.

tests/test_scoring_identity.py scores whole inventories and text files both ways; these
hold each shortcut to its plain path directly, on inputs chosen to sit on the edges the
shortcut tests for (a task whose role is missing, repeated or non-string role ids, a role
column the tasks already carry, an index that is not 0..n-1, empty input), so that a
shortcut taken wrongly shows up as a difference.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.errors import MergeError

import genai_aug
from genai_aug import scoring
from test_scoring_identity import assert_same_tables, generated_inventory


def _roles(ids: list[object]) -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame(
        {
            "role_id": pd.Series(ids, dtype=object),
            "role_title": [f"Role {i}" for i in range(n)],
            "staff_group": pd.Series(["Nursing"] * n, dtype="str"),
            "band": pd.Series(["Band 5", None] * (n // 2) + ["Band 6"] * (n % 2), dtype=object),
            "fte": np.linspace(0.5, 3.0, n),
            "contracted_hours": 37.5,
            "department": pd.Series([None] * n, dtype=object),
            "directorate": "Medicine",
        }
    )


def _tasks(role_ids: list[object], index: list[int] | None = None) -> pd.DataFrame:
    n = len(role_ids)
    return pd.DataFrame(
        {
            "role_id": pd.Series(role_ids, dtype=object, index=index),
            "task_id": pd.Series([f"T{i}" for i in range(n)], dtype=object, index=index),
            "task": pd.Series(["Book clinics"] * n, dtype=object, index=index),
        }
    )


def assert_role_info_as_merged(tasks: pd.DataFrame, roles: pd.DataFrame) -> None:
    assert_same_tables(
        scoring._with_role_info(tasks, roles), scoring._with_role_info_by_merge(tasks, roles)
    )


def test_role_info_of_inventories_is_the_merge() -> None:
    """The sample and a generated inventory (roles in no order, many tasks per role)."""
    for inventory in (
        genai_aug.load_inventory(genai_aug.sample_path()),
        generated_inventory(2000, seed=3),
    ):
        assert_role_info_as_merged(inventory.tasks, inventory.roles)


@pytest.mark.parametrize(
    "role_ids",
    [
        ["R2", "R1", "R2", "R3"],  # roles out of order, one repeated
        ["R1", "R9", "R2"],  # a role that is not in the roles table
        ["R1", None, "R2"],  # a task with no role
        ["R1", np.nan, "R1"],
        [],  # no tasks
    ],
)
def test_role_info_is_the_merge_at_its_edges(role_ids: list[object]) -> None:
    assert_role_info_as_merged(_tasks(role_ids), _roles(["R1", "R2", "R3"]))


def test_role_info_keeps_merge_behaviour_for_other_ids_and_columns() -> None:
    """Numeric ids (1 and "1" differ), an index that is not 0..n-1, a column already there."""
    assert_role_info_as_merged(_tasks([1, 2, 1]), _roles([1, 2]))
    assert_role_info_as_merged(_tasks(["1", "2"]), _roles([1, 2]))
    assert_role_info_as_merged(_tasks(["R2", "R1"], index=[7, 3]), _roles(["R1", "R2"]))
    tasks = _tasks(["R1", "R2"]).assign(department="Outpatients")
    assert_role_info_as_merged(tasks, _roles(["R1", "R2"]))


def test_repeated_role_ids_raise_as_the_merge_does() -> None:
    tasks, roles = _tasks(["R1"]), _roles(["R1", "R1"])
    with pytest.raises(MergeError):
        scoring._with_role_info_by_merge(tasks, roles)
    with pytest.raises(MergeError):
        scoring._with_role_info(tasks, roles)


@pytest.mark.parametrize(("n", "size"), [(0, 0), (0, 5), (1, 1), (50, 7), (100_000, 3_000)])
def test_unique_codes_are_those_of_np_unique(n: int, size: int) -> None:
    values = np.random.default_rng(n).integers(0, max(size, 1), n) if size else np.zeros(0, int)
    keys, codes = scoring._unique_codes(values, size)
    ref_keys, ref_codes = scoring._unique_codes_by_sort(values, size)
    for got, want in ((keys, ref_keys), (codes, ref_codes)):
        np.testing.assert_array_equal(got, want)
        assert got.dtype == want.dtype and got.shape == want.shape
