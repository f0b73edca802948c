"""Aggregation invariants: bounds, conservation across levels, row-order independence."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import genai_aug
from genai_aug import Assumptions, aggregate_hours, load_inventory, run
from genai_aug._reference import STAFF_GROUPS
from genai_aug.aggregating import ordered_sum

PHRASES = [
    "Book outpatient appointments",
    "Answer the ward telephone",
    "Assist patients with washing",
    "Type clinic letters",
    "Clean the ward bays",
    "Write discharge summaries",
    "Prepare monthly performance reports",
    "Run samples on the analysers",
    "Other duties",
    "Supervise healthcare assistants",
    "Process supplier invoices",
    "Examine patients",
]


def random_inventory(seed: int, n_roles: int = 30) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A random but valid inventory (hours within contract)."""
    rng = np.random.default_rng(seed)
    roles = pd.DataFrame(
        {
            "role_id": [f"R{i:03d}" for i in range(n_roles)],
            "role_title": [f"Role {i}" for i in range(n_roles)],
            "staff_group": rng.choice(STAFF_GROUPS, n_roles),
            "fte": rng.uniform(0.5, 200, n_roles).round(2),
            "contracted_hours": rng.choice([37.5, 40.0], n_roles),
        }
    )
    rows = []
    for rid, hours in zip(roles["role_id"], roles["contracted_hours"], strict=True):
        k = int(rng.integers(1, 8))
        split = rng.dirichlet(np.ones(k)) * hours * rng.uniform(0.6, 1.0)
        rows += [
            {"role_id": rid, "task": str(rng.choice(PHRASES)), "hours_per_week": h} for h in split
        ]
    return roles, pd.DataFrame(rows)


@pytest.fixture(scope="module")
def result() -> genai_aug.Result:
    """A run on a random inventory."""
    return run(*random_inventory(7))


def test_released_never_exceeds_hours(result: genai_aug.Result) -> None:
    """At every level, 0 ≤ released ≤ total hours, and 0 ≤ score ≤ 1."""
    t = result.tasks
    assert t["score"].dropna().between(0, 1).all()
    for frame in (
        result.tasks.dropna(subset=["score"]),
        result.roles,
        result.staff_groups,
        result.trust,
    ):
        rel, tot = frame["hours_released_per_week"], frame["hours_per_week_total"]
        assert (rel >= 0).all() and (rel <= tot + 1e-9).all()


@pytest.mark.parametrize(
    "column",
    [
        "hours_per_week_total",
        "hours_released_per_week",
        "hours_unclassified_per_week",
        "wte_released",
        "fte",
    ],
)
def test_totals_agree_at_every_level(result: genai_aug.Result, column: str) -> None:
    """Task → role → staff group → trust: each level is exactly the sum of the one below."""
    tasks, roles, groups, trust = result.tasks, result.roles, result.staff_groups, result.trust

    def sums(frame: pd.DataFrame, key: str) -> pd.Series:
        codes, keys = pd.factorize(frame[key], sort=True)
        return pd.Series(ordered_sum(frame[column].fillna(0.0).to_numpy(float), codes), keys)

    if column != "fte":
        per_role = sums(tasks, "role_id")
        assert (roles.set_index("role_id")[column].reindex(per_role.index) == per_role).all()
    per_group = sums(roles, "staff_group")
    assert (groups.set_index("staff_group")[column].reindex(per_group.index) == per_group).all()
    assert trust[column].iat[0] == sums(groups.assign(one=1), "one").iat[0]
    # and the trust equals the sum straight from the lowest level, to rounding
    base = tasks[column] if column != "fte" else roles[column]
    assert trust[column].iat[0] == pytest.approx(math.fsum(base.dropna()), rel=1e-12)


def test_result_does_not_depend_on_row_order() -> None:
    """Shuffling the roles and tasks rows gives bit-identical figures at every level."""
    roles, tasks = random_inventory(11)
    a = run(roles, tasks)
    b = run(roles.sample(frac=1, random_state=1), tasks.sample(frac=1, random_state=2))
    for name in ("roles", "staff_groups", "trust"):
        left = getattr(a, name).drop(
            columns=["source_file", "source_sheet", "source_row"], errors="ignore"
        )
        right = getattr(b, name).drop(
            columns=["source_file", "source_sheet", "source_row"], errors="ignore"
        )
        pd.testing.assert_frame_equal(left, right, check_exact=True)


def test_hours_formula_and_assumptions() -> None:
    """released = hours × FTE × score × adoption; per year × weeks; WTE = ÷ contracted hours."""
    roles = pd.DataFrame(
        {
            "role_id": ["R1"],
            "role_title": ["Clerk"],
            "staff_group": ["Central functions"],
            "fte": [3.0],
            "contracted_hours": [37.5],
        }
    )
    tasks = pd.DataFrame(
        {"role_id": ["R1"], "task": ["Book outpatient appointments"], "hours_per_week": [10.0]}
    )
    res = run(roles, tasks, assumptions={"adoption_rate": 0.5, "working_weeks_per_year": 40})
    score = res.tasks["score"].iat[0]
    t = res.trust.iloc[0]
    assert t["hours_released_per_week"] == pytest.approx(10 * 3 * score * 0.5)
    assert t["hours_released_per_year"] == pytest.approx(10 * 3 * score * 0.5 * 40)
    assert t["wte_released"] == pytest.approx(10 * 3 * score * 0.5 / 37.5)
    assert t["share_of_hours_released"] == pytest.approx(score * 0.5)
    assert res.provenance["assumptions"] == {"adoption_rate": 0.5, "working_weeks_per_year": 40.0}


def test_unclassified_hours_are_reported_not_released() -> None:
    """Hours of unclassified tasks are counted separately and release nothing."""
    roles = pd.DataFrame(
        {
            "role_id": ["R1"],
            "role_title": ["Clerk"],
            "staff_group": ["Central functions"],
            "fte": [1.0],
        }
    )
    tasks = pd.DataFrame(
        {
            "role_id": ["R1", "R1"],
            "task": ["Other duties", "Type letters"],
            "hours_per_week": [5.0, 10.0],
        }
    )
    t = run(roles, tasks).trust.iloc[0]
    assert t["hours_unclassified_per_week"] == 5.0 and t["n_unclassified"] == 1
    assert t["hours_per_week_total"] == 15.0


def test_roles_without_tasks_are_listed_with_zero_hours() -> None:
    """A role with no tasks appears in the role table, contributing FTE but no hours."""
    roles = pd.DataFrame(
        {
            "role_id": ["R1", "R2"],
            "role_title": ["Clerk", "Porter"],
            "staff_group": ["Central functions", "Hotel, property & estates"],
            "fte": [1.0, 4.0],
        }
    )
    tasks = pd.DataFrame({"role_id": ["R1"], "task": ["Type letters"], "hours_per_week": [10.0]})
    res = run(roles, tasks)
    r2 = res.roles.set_index("role_id").loc["R2"]
    assert r2["n_tasks"] == 0 and r2["hours_per_week_total"] == 0.0
    assert res.trust["fte"].iat[0] == 5.0


@pytest.mark.parametrize(
    "bad",
    [{"adoption_rate": 1.5}, {"adoption_rate": -0.1}, {"working_weeks_per_year": 0}, {"weeks": 45}],
)
def test_assumptions_are_validated(bad: dict[str, float]) -> None:
    """Assumptions out of range, or unknown, are rejected."""
    with pytest.raises(ValueError):  # noqa: PT011 - pydantic's message names the field
        Assumptions(**bad)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), adoption=st.floats(0, 1))
def test_invariants_hold_on_generated_inventories(seed: int, adoption: float) -> None:
    """Bounds and conservation hold for any generated inventory and adoption rate."""
    roles, tasks = random_inventory(seed, n_roles=8)
    agg = aggregate_hours(
        genai_aug.score_tasks(load_inventory(roles, tasks)),
        roles=None,
        assumptions={"adoption_rate": adoption},
    )
    t = agg.trust.iloc[0]
    assert 0 <= t["hours_released_per_week"] <= t["hours_per_week_total"] + 1e-9
    assert t["hours_released_per_week"] == pytest.approx(
        math.fsum(agg.staff_groups["hours_released_per_week"]), rel=1e-12
    )
    assert t["hours_per_week_total"] == pytest.approx(
        math.fsum(
            tasks["hours_per_week"]
            * roles.set_index("role_id")["fte"].reindex(tasks["role_id"]).to_numpy()
        ),
        rel=1e-12,
    )
