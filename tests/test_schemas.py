"""Schemas: every table a run writes has the same columns and dtypes whatever its rows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest

import genai_aug

Frames = tuple[pd.DataFrame, pd.DataFrame]


@pytest.fixture(scope="module")
def sample_frames() -> Frames:
    """The sample's roles and tasks sheets, as read by pandas (its own headers)."""
    sheets = pd.read_excel(genai_aug.sample_path(), sheet_name=["roles", "tasks"])
    return sheets["roles"], sheets["tasks"]


def _one_role_one_task(roles: pd.DataFrame, tasks: pd.DataFrame) -> Frames:
    return roles.iloc[:1], tasks[tasks["Role ID"] == roles["Role ID"].iloc[0]].iloc[:1]


def _zero_hours(roles: pd.DataFrame, tasks: pd.DataFrame) -> Frames:
    first = tasks["Role ID"] == roles["Role ID"].iloc[0]
    return roles, tasks.assign(**{"Hours per week": tasks["Hours per week"].where(~first, 0)})


# each makes an inventory whose tables have rows unlike the sample's: no value in a
# column, no row in a table, or a column the sample fills in left out of the input
DEGENERATE: dict[str, Callable[[pd.DataFrame, pd.DataFrame], Frames]] = {
    "every task unclassified": lambda r, t: (
        r,
        t.assign(**{"Task description": "Zqx wibble " + t.index.astype(str)}),
    ),
    "every task overridden": lambda r, t: (r, t.assign(**{"Category override": "scheduling"})),
    "every task E0": lambda r, t: (r, t.assign(**{"Category override": "direct_care"})),
    "one role, one task": _one_role_one_task,
    "no patient_facing column": lambda r, t: (r, t.drop(columns="Patient facing")),
    "every task patient facing": lambda r, t: (r, t.assign(**{"Patient facing": "yes"})),
    "no optional column": lambda r, t: (
        r[["Role ID", "Role title", "Staff group", "FTE", "Contracted hours"]],
        t[["Role ID", "Task description", "Hours per week"]],
    ),
    "no band, department or trust given": lambda r, t: (
        r.assign(Band=None, Department=None, Directorate=None, Trust=None),
        t,
    ),
    "a role with zero hours (warnings)": _zero_hours,
}


def _dtypes(result: genai_aug.Result) -> dict[str, dict[str, str]]:
    return {
        name: {str(c): str(d) for c, d in frame.dtypes.items()}
        for name, frame in result.tables().items()
    }


@pytest.mark.parametrize("case", DEGENERATE)
def test_tables_and_parquet_files_have_the_sample_run_s_schema(
    case: str, sample_frames: Frames, sample_result: genai_aug.Result, tmp_path: Path
) -> None:
    """Each table of a degenerate inventory's run has the sample's columns and dtypes,
    and so has its Parquet file (the tables both runs write).

    Columns whose dtype pandas infers from their values (texts as objects, all missing
    or no rows), and a table with no row, had other dtypes, or Parquet's null type.
    """
    result = genai_aug.run(*DEGENERATE[case](*sample_frames))
    want, got = _dtypes(sample_result), _dtypes(result)
    assert sample_result.issues.empty  # (the sample's issues table has no row...)
    if case.endswith("(warnings)"):
        assert not result.issues.empty  # (...this one has)
    for name in want.keys() & got.keys():
        assert got[name] == want[name], name
    files = {
        run: r.to_parquet(tmp_path / run)
        for run, r in (("sample", sample_result), ("case", result))
    }
    for name in files["sample"].keys() & files["case"].keys():
        schemas = [pq.read_schema(files[run][name]).remove_metadata() for run in files]
        assert schemas[0] == schemas[1], name
