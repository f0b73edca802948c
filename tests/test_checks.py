"""The house follows the checks: validation is the table of checks, and nothing else.

The table (``genai_aug._checks.CHECKS``) is one row per check; validating runs it. These
tests hold the table to its shape (every field of a message is one the engine can fill),
show that the table is what runs (a row added to it is a check), that messages are the
rows' templates filled in, and that the issue codes are the table's plus one declared
list of codes raised elsewhere.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pandas as pd
import pytest

import genai_aug
from conftest import ROOT, make_frames
from genai_aug import _columns as col
from genai_aug import validating
from genai_aug._checks import (
    ANY_SHEET,
    CHECKS,
    CONSTANTS,
    EVERY_COLUMN,
    FIELDS,
    TASK_CHECKS,
    Check,
)
from genai_aug._issues import ISSUE_CODES, RAISED_OUTSIDE_THE_CHECKS, SEVERITIES, IssueLog, where
from genai_aug.errors import InventoryError

CANONICAL = set(col.ROLE_COLUMNS) | set(col.TASK_COLUMNS)


@pytest.mark.parametrize("check", CHECKS, ids=[f"{i}-{c.code}" for i, c in enumerate(CHECKS)])
def test_each_check_is_one_complete_row(check: Check) -> None:
    """Code, severity, sheet, column, a test, and a message whose every field can be filled."""
    assert re.fullmatch(r"[a-z]+(?:-[a-z]+)*", check.code)
    assert check.severity in SEVERITIES
    assert check.sheet in (col.ROLES_SHEET, col.TASKS_SHEET, ANY_SHEET)
    assert check.column in CANONICAL or check.column in (None, EVERY_COLUMN)
    assert callable(check.test)
    names = [n for _, n, _, _ in string.Formatter().parse(check.message) if n]
    assert set(names) <= set(FIELDS) | set(CONSTANTS), check.message
    assert check.template.rstrip().endswith((".", "?", "}")), check.template


def test_no_two_checks_flag_the_same_cell_with_the_same_message() -> None:
    """Rows of one code differ in sheet, column, severity or message (no row twice)."""
    keys = [(c.code, c.severity, c.sheet, c.column, c.message) for c in CHECKS]
    assert len(keys) == len(set(keys))


def test_issue_codes_are_the_checks_and_one_declared_list() -> None:
    """ISSUE_CODES derives from the table plus the codes raised by loading and the guard."""
    from_table = {c.code for c in CHECKS}
    assert from_table | set(RAISED_OUTSIDE_THE_CHECKS) == ISSUE_CODES
    # each declared code is raised where the list says, by name, in the source
    source = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (ROOT / "src" / "genai_aug").glob("*.py")
        if p.name not in ("_issues.py", "_checks.py")
    )
    for code in RAISED_OUTSIDE_THE_CHECKS:
        assert f'"{code}"' in source, code


def test_every_code_raised_by_name_in_the_source_is_declared() -> None:
    """A code written out in the library's own calls is one ISSUE_CODES knows."""
    calls = re.compile(r"(?:\.(?:error|warning|info)|file_issue)\(\s*(?:[^,()]+,\s*)?\"([a-z-]+)\"")
    for path in (ROOT / "src" / "genai_aug").glob("*.py"):
        for code in calls.findall(path.read_text(encoding="utf-8")):
            assert code in ISSUE_CODES, (path.name, code)


def test_the_issue_log_takes_the_location_by_keyword_only() -> None:
    """The old form, seven positional values of which five are the location, is refused."""
    log = IssueLog()
    with pytest.raises(TypeError):
        log.error("f.xlsx", "tasks", 3, "task", None, "empty-task", "message")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        log.warning("zero-hours", "message", "f.xlsx")  # type: ignore[misc]
    log.error("empty-task", "message", file="f.xlsx", sheet="tasks", row=3, column="task")
    assert log.to_frame()[["file", "row", "column"]].to_numpy().tolist() == [["f.xlsx", 3, "task"]]


def test_a_message_is_its_checks_template_filled_in_for_the_row() -> None:
    """The message of a flagged cell is the location, then the row's template, filled."""
    roles, tasks = make_frames()
    roles.loc[1, "fte"] = -2
    tasks["hours_per_week"] = tasks["hours_per_week"].astype(object)
    tasks.loc[0, "hours_per_week"] = "7,5"
    with pytest.raises(InventoryError) as info:
        genai_aug.load_inventory(roles, tasks)
    issues = info.value.issues.set_index("code")
    by_code = {c.code: c for c in CHECKS if c.sheet != ANY_SHEET}
    negative = issues.loc["negative-value"]
    assert negative["message"] == (
        f"{where('<DataFrame>', 'roles', int(negative['row']), 'fte')}: "
        + by_code["negative-value"].template.format(column="fte", number=-2.0)
    )
    normalised = [c for c in CHECKS if c.code == "number-normalised" and "unit" in c.message]
    read = issues.loc["number-normalised"]
    assert read["message"] == (
        f"{where('<DataFrame>', 'tasks', int(read['row']), 'hours_per_week')}: "
        + normalised[0].template.format(cell="'7,5'", number=7.5, column="hours_per_week")
    )
    assert read["value"] == "7,5"


def test_a_row_added_to_the_table_is_a_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation runs the table: a new row flags its cells, with its message and severity."""
    phone = Check(
        "zero-hours",
        "warning",
        col.TASKS_SHEET,
        col.TASK,
        lambda r, c: r.task.str.contains("telephone", na=False),
        "a task about the telephone ({length:,} characters).",
    )
    monkeypatch.setattr(validating, "TASK_CHECKS", (*TASK_CHECKS, phone))
    inv = genai_aug.load_inventory(*make_frames())
    flagged = inv.issues[inv.issues["column"] == col.TASK]
    assert flagged[["code", "severity"]].to_numpy().tolist() == [["zero-hours", "warning"]]
    assert flagged["message"].iat[0].endswith(": a task about the telephone (25 characters).")


def test_a_field_is_read_only_for_the_rows_flagged(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages are written for flagged rows only: a clean inventory reads no field."""

    def refuse(*args: object) -> list[str]:
        raise AssertionError("a field read for a clean inventory")

    for name in ("closest", "suggestions", "cell", "id", "first_row_of_id"):
        monkeypatch.setitem(FIELDS, name, refuse)
    inv = genai_aug.load_inventory(*make_frames())
    assert inv.issues.empty


def test_a_totals_row_is_set_aside_by_its_id_or_with_no_id_by_its_label() -> None:
    """'Total' as the id, or as the label of a row with no id; 'SUM1' and 'Totally' are not."""
    roles, tasks = make_frames()
    extra = pd.DataFrame(
        [
            {"role_id": "Grand total:", "task": "x", "hours_per_week": 1},
            {"role_id": None, "task": "Sub-total", "hours_per_week": 1},
            {"role_id": "SUM1", "task": "x", "hours_per_week": 1},
            {"role_id": "R1", "task": "Totally", "hours_per_week": 1},
        ]
    )
    tasks = pd.concat([tasks, extra], ignore_index=True)
    inv = genai_aug.load_inventory(roles, tasks, errors="reject")
    totals = inv.issues[inv.issues["code"] == "totals-row"]
    n = len(make_frames()[1])
    assert sorted(totals["row"]) == [n, n + 1]  # DataFrame rows are numbered from 0
    assert (totals["column"] == "role_id").all()
    assert inv.rows_rejected[col.TASKS_SHEET] == 3  # two totals, and the unknown role SUM1


def test_a_row_named_in_a_message_is_a_whole_number(tmp_path: Path) -> None:
    """A blank key elsewhere in the column once turned "row 2" into "row 2.0" in the
    repeated-task message (the first rows were found as floats)."""
    roles, tasks = tmp_path / "r.csv", tmp_path / "t.csv"
    roles.write_text("role_id,role_title,staff_group,fte\nR1,Clerk,Central functions,1\n")
    tasks.write_text(
        "role_id,task,hours_per_week\nR1,Book appointments,2\nR1,,1\nR1,Book appointments,2\n"
    )
    issues = genai_aug.load_inventory(roles, tasks, errors="reject").issues
    repeated = issues[issues["code"] == "repeated-task"]["message"].tolist()
    assert len(repeated) == 1 and "the same task as row 2 (" in repeated[0]


def test_a_percentage_typed_as_text_reads_as_a_percent_formatted_cell_would() -> None:
    """FTE "50%" (what Excel writes to CSV for a cell showing 50%) is 0.5, not 50 with
    the sign dropped (a 100x overstatement); in hours columns a percentage is refused."""
    roles = pd.DataFrame(
        {
            "role_id": ["R1", "R2", "R3"],
            "role_title": ["A", "B", "C"],
            "staff_group": "Central functions",
            "fte": [0.5, "50%", "50 %"],
        }
    )
    tasks = pd.DataFrame(
        {
            "role_id": ["R1", "R2", "R3"],
            "task": "Book outpatient appointments",
            "hours_per_week": 30,
        }
    )
    inv = genai_aug.load_inventory(roles, tasks)
    assert inv.roles["fte"].tolist() == [0.5, 0.5, 0.5]
    notes = inv.issues[inv.issues["code"] == "number-normalised"]["message"]
    assert notes.str.contains("read the percentage '50%' as 0.5 in 'fte'").any()
    tasks["hours_per_week"] = [30, "25%", 30]
    issues = genai_aug.load_inventory(roles, tasks, errors="reject").issues
    bad = issues[(issues["code"] == "not-a-number") & (issues["column"] == "hours_per_week")]
    assert bad["value"].tolist() == ["25%"] and bad["message"].str.contains("as a percentage").all()


def test_an_error_about_a_whole_sheet_stops_even_a_run_that_rejects_bad_rows() -> None:
    """Two columns for one field (here 'Hours' and 'Hrs/week') is an error no row can be
    set aside for: errors="reject" (--skip-invalid) must stop, not read the first."""
    roles, tasks = make_frames()
    tasks = tasks.rename(columns={"hours_per_week": "Hours"}).assign(**{"Hrs/week": 30})
    with pytest.raises(InventoryError) as exc:
        genai_aug.load_inventory(roles, tasks, errors="reject")
    codes = exc.value.issues.query("severity == 'error'")["code"].unique().tolist()
    assert codes == ["duplicate-column"]
