"""Loading and validating inventories: every documented error and warning, with its location."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

import genai_aug
from conftest import make_frames
from genai_aug import InventoryError, load_inventory

ROLE_HEAD = ["Role ID", "Job title", "Staff Group", "Band", "WTE", "Contracted hours"]
TASK_HEAD = ["Role ID", "Task ID", "Task description", "Hrs/week"]


def write_book(
    path: Path,
    roles: list[list[object]],
    tasks: list[list[object]],
    role_head: list[str] = ROLE_HEAD,
    task_head: list[str] = TASK_HEAD,
    sheet_names: tuple[str, str] = ("Roles", "Tasks"),
) -> Path:
    """Write a workbook with a roles and a tasks sheet (headers as given)."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_names[0]
    ws.append(role_head)
    for row in roles:
        ws.append(row)
    wt = wb.create_sheet(sheet_names[1])
    wt.append(task_head)
    for row in tasks:
        wt.append(row)
    wb.save(path)
    return path


GOOD_ROLES = [
    ["R1", "Ward clerk", "Support to doctors, nurses & midwives", "Band 2", 4, 37.5],
    ["R2", "Staff nurse", "Nursing", "5", 10, None],
]
GOOD_TASKS = [
    ["R1", "T1", "Book outpatient appointments", 20],
    ["R1", "T2", "Answer the ward telephone", 17.5],
    ["R2", "T3", "Carry out the medication round", 30],
    ["R2", "T4", "Complete nursing documentation", 7.5],
]


def issue(err: pytest.ExceptionInfo[InventoryError] | pd.DataFrame, code: str) -> pd.DataFrame:
    """The rows of an issues table (or an InventoryError's) with the given code."""
    table = err if isinstance(err, pd.DataFrame) else err.value.issues
    return table[table["code"] == code]


def test_valid_workbook_loads_with_aliases_and_defaults(tmp_path: Path) -> None:
    """Aliased headers map to canonical columns; blank contracted hours default to 37.5."""
    inv = load_inventory(write_book(tmp_path / "ok.xlsx", GOOD_ROLES, GOOD_TASKS))
    assert len(inv.roles) == 2 and len(inv.tasks) == 4
    r2 = inv.roles.set_index("role_id").loc["R2"]
    assert r2["staff_group"] == "Nurses & health visitors"
    assert r2["band"] == "Band 5"
    assert r2["contracted_hours"] == 37.5
    assert inv.issues.empty
    assert inv.rows_read == {"roles": 2, "tasks": 4}


def test_every_error_is_reported_with_sheet_row_and_column(tmp_path: Path) -> None:
    """A workbook with deliberate mistakes raises once, listing each with its location."""
    roles = [
        ["R1", "Ward clerk", "Support to doctors, nurses & midwives", "Band 2", 4, 37.5],
        ["R1", "Duplicate clerk", "Central functions", "Band 2", 1, 37.5],  # row 3: dup id
        ["R3", "Wizard", "Wizards and witches", "Band 5", 1, 37.5],  # row 4: group
        ["R4", "Nurse", "Nurses & health visitors", "Band 5", "lots", 37.5],  # row 5: fte
    ]
    tasks = [
        ["R1", "T1", "Book outpatient appointments", 20],
        ["R1", "T2", "Answer the phone", -3],  # row 3: negative
        ["R9", "T3", "Type clinic letters", 10],  # row 4: unknown role
        ["R1", "T1", "Book more appointments", 1],  # row 5: dup task id
        ["R1", "T5", "   ", 2],  # row 6: empty task
        ["R1", "T6", "Scan notes", "seven"],  # row 7: not a number
    ]
    path = write_book(tmp_path / "bad.xlsx", roles, tasks)
    with pytest.raises(InventoryError) as err:
        load_inventory(path)
    found = {(r.sheet, int(r.row), r.column, r.code) for r in err.value.errors.itertuples()}
    assert ("Roles", 3, "role_id", "duplicate-role-id") in found
    assert ("Roles", 4, "staff_group", "unknown-staff-group") in found
    assert ("Roles", 5, "fte", "not-a-number") in found
    assert ("Tasks", 3, "hours_per_week", "negative-value") in found
    assert ("Tasks", 4, "role_id", "unknown-role") in found
    assert ("Tasks", 5, "task_id", "duplicate-task-id") in found
    assert ("Tasks", 6, "task", "empty-task") in found
    assert ("Tasks", 7, "hours_per_week", "not-a-number") in found
    assert (err.value.issues["file"] == str(path)).all()
    msg = issue(err, "negative-value")["message"].iloc[0]
    assert "sheet 'Tasks', row 3, column 'hours_per_week'" in msg and "got -3" in msg


def test_unknown_staff_group_suggests_closest_names() -> None:
    """An unknown staff group is an error naming the closest NHS groups."""
    roles, tasks = make_frames()
    roles.loc[0, "staff_group"] = "Nurse and midwifes"
    with pytest.raises(InventoryError) as err:
        load_inventory(roles, tasks)
    msg = issue(err, "unknown-staff-group")["message"].iloc[0]
    assert "Did you mean" in msg and "Midwives" in msg


def test_missing_required_column_is_named(tmp_path: Path) -> None:
    """A missing required column is one error naming the column and the header row."""
    path = write_book(
        tmp_path / "m.xlsx",
        [r[:2] + r[3:] for r in GOOD_ROLES],
        GOOD_TASKS,
        role_head=["Role ID", "Job title", "Band", "WTE", "Contracted hours"],
    )
    with pytest.raises(InventoryError) as err:
        load_inventory(path)
    row = issue(err, "missing-column").iloc[0]
    assert (row["sheet"], row["row"], row["column"]) == ("Roles", 1, "staff_group")
    assert "Staff group" in row["message"] or "staff_group" in row["message"]


@pytest.mark.parametrize(("kind", "name"), [("roles", "staff_group"), ("tasks", "task")])
def test_missing_column_hint_says_each_header_once(kind: str, name: str) -> None:
    """The headers a missing column may have are named once each ('task' is its own alias)."""
    roles, tasks = make_frames()
    if kind == "roles":
        roles = roles.drop(columns=[name])
    else:
        tasks = tasks.drop(columns=[name])
    with pytest.raises(InventoryError) as err:
        load_inventory(roles, tasks)
    msg = issue(err, "missing-column")["message"].iloc[0]
    hint = msg.split("a header such as ", 1)[1].split(". ", 1)[0]
    names = [h.strip().strip("'") for h in hint.split(",")]
    assert len(names) == 3 and len(set(names)) == 3, hint
    assert names[0] == name


def test_missing_sheet_lists_the_sheets_found(tmp_path: Path) -> None:
    """A workbook without a tasks sheet says which sheets it has."""
    path = write_book(tmp_path / "s.xlsx", GOOD_ROLES, GOOD_TASKS, sheet_names=("roles", "Jobs"))
    with pytest.raises(InventoryError) as err:
        load_inventory(path)
    msg = issue(err, "missing-sheet")["message"].iloc[0]
    assert "'tasks'" in msg and "Jobs" in msg


def test_hours_over_contract_warn_within_tolerance_and_fail_beyond() -> None:
    """Task hours a little over contract warn; far over is an error."""
    roles, tasks = make_frames()
    tasks.loc[1, "hours_per_week"] = 18.5  # R1: 38.5 of 37.5 (2.7 % over): warning
    inv = load_inventory(roles, tasks)
    warn = issue(inv.issues, "hours-exceed-contract")
    assert warn["severity"].tolist() == ["warning"] and warn["row"].tolist() == [0]
    tasks.loc[1, "hours_per_week"] = 30  # 50 of 37.5: error
    with pytest.raises(InventoryError) as err:
        load_inventory(roles, tasks)
    assert issue(err, "hours-exceed-contract")["severity"].tolist() == ["error"]


def test_role_without_tasks_is_a_warning() -> None:
    """A role with no tasks is kept with a warning."""
    roles, tasks = make_frames()
    inv = load_inventory(roles, tasks[tasks["role_id"] == "R1"])
    w = issue(inv.issues, "role-without-tasks")
    assert w["severity"].tolist() == ["warning"] and "R2" in w["message"].iloc[0]
    assert "R2" in set(inv.roles["role_id"])


def test_unknown_band_is_a_warning_and_kept_as_written() -> None:
    """A pay band that is not recognised is kept as written, with a warning."""
    roles, tasks = make_frames()
    roles.loc[0, "band"] = "Grade Q"
    inv = load_inventory(roles, tasks)
    assert issue(inv.issues, "unknown-band")["severity"].tolist() == ["warning"]
    assert inv.roles.set_index("role_id").loc["R1", "band"] == "Grade Q"


@pytest.mark.parametrize("bands", [["Grade Q", "Grade R"], [None, None]])
def test_bands_are_a_text_column_when_none_is_one_of_ours(bands: list[str | None]) -> None:
    """Bands none of which is recognised, or none given: the dtype of recognised ones, in
    the inventory and the run's roles table (an object column, so another schema)."""
    roles, tasks = make_frames()
    read = genai_aug.run(roles, tasks=tasks)
    other = genai_aug.run(roles.assign(band=bands), tasks=tasks)
    assert pd.api.types.is_string_dtype(read.inventory.roles["band"].dtype)
    assert other.inventory.roles["band"].dtype == read.inventory.roles["band"].dtype
    assert other.roles["band"].dtype == read.roles["band"].dtype


def test_reject_mode_keeps_good_rows_and_lists_the_rest() -> None:
    """With errors='reject', bad rows leave the result and every one is in the issues table."""
    roles, tasks = make_frames()
    tasks.loc[len(tasks)] = {"role_id": "R7", "task": "Mystery", "hours_per_week": 1}
    tasks.loc[len(tasks)] = {"role_id": "R1", "task": "", "hours_per_week": 1}
    inv = load_inventory(roles, tasks, errors="reject")
    assert len(inv.tasks) == 4
    assert inv.rows_read["tasks"] == len(inv.tasks) + inv.rows_rejected["tasks"] == 6
    errs = inv.issues[inv.issues["severity"] == "error"]
    assert set(errs["row"]) == {4, 5}


def test_tasks_of_a_rejected_role_are_rejected_too() -> None:
    """If a role is rejected, its tasks are rejected with a reason pointing at the role."""
    roles, tasks = make_frames()
    roles.loc[1, "staff_group"] = "Unknown people"
    inv = load_inventory(roles, tasks, errors="reject")
    assert set(inv.tasks["role_id"]) == {"R1"}
    assert len(issue(inv.issues, "role-rejected")) == 2


def test_percentage_of_time_becomes_hours() -> None:
    """A task given as a percentage of the role's time gets hours from contracted hours."""
    roles, tasks = make_frames()
    tasks = tasks.assign(percent_of_time=[None, None, 80, 20]).astype({"hours_per_week": object})
    tasks.loc[2:3, "hours_per_week"] = None
    inv = load_inventory(roles, tasks)
    got = inv.tasks.set_index(["role_id", "task"])["hours_per_week"]
    assert got.loc[("R2", "Assist patients with washing and dressing")] == pytest.approx(30.0)


def test_missing_hours_is_an_error() -> None:
    """A task with neither hours nor a percentage is an error."""
    roles, tasks = make_frames()
    tasks = tasks.astype({"hours_per_week": object})
    tasks.loc[0, "hours_per_week"] = None
    with pytest.raises(InventoryError) as err:
        load_inventory(roles, tasks)
    assert issue(err, "missing-hours")["row"].tolist() == [0]


@pytest.mark.parametrize(
    ("kind", "header", "canonical"),
    [
        ("tasks", "Hours pr wk", "hours_per_week"),
        ("tasks", "Houres per week", "hours_per_week"),
        ("tasks", "Task descr", "task"),
        ("tasks", "Hrs/wk (approx)", "hours_per_week"),
        ("tasks", "Task name", "task"),
        ("roles", "Roll ID", "role_id"),
        ("roles", "Staf group", "staff_group"),
    ],
)
def test_a_missing_column_names_the_header_close_to_it(
    kind: str, header: str, canonical: str
) -> None:
    """A misspelt header is named, with its letter, as what the missing column may be."""
    roles, tasks = make_frames()
    if kind == "roles":
        roles = roles.rename(columns={canonical: header})
    else:
        tasks = tasks.rename(columns={canonical: header})
    frame = roles if kind == "roles" else tasks
    letter = "ABCDEFGHIJ"[list(frame.columns).index(header)]
    with pytest.raises(InventoryError) as err:
        load_inventory(roles, tasks)
    msg = issue(err, "missing-column")["message"].iloc[0]
    assert f"'{header}' (column {letter}) is close" in msg, msg
    assert f"rename it '{canonical}'" in msg, msg


def test_a_missing_column_with_no_close_header_says_add_it() -> None:
    roles, tasks = make_frames()
    tasks = tasks.rename(columns={"hours_per_week": "Notes"})
    with pytest.raises(InventoryError) as err:
        load_inventory(roles, tasks)
    msg = issue(err, "missing-column")["message"].iloc[0]
    assert "is close" not in msg and msg.endswith("Add one of them or rename the header.")


def test_without_a_column_of_hours_each_task_row_says_so_at_no_column() -> None:
    """Each task is still accounted for, by an error that names no absent column."""
    roles, tasks = make_frames()
    tasks = tasks.drop(columns=["hours_per_week"])
    with pytest.raises(InventoryError) as err:
        load_inventory(roles, tasks)
    rows = issue(err, "missing-hours")
    assert rows["row"].tolist() == list(range(len(tasks)))
    assert rows["column"].isna().all()
    assert all("no column of hours" in m and "'hours_per_week'" not in m for m in rows["message"])


def test_a_csv_is_not_said_to_have_a_sheet_and_a_lettered_column_is_unquoted(
    tmp_path: Path,
) -> None:
    roles, tasks = make_frames()
    roles.to_csv(tmp_path / "roles.csv", index=False)
    text = tasks.to_csv(index=False).splitlines()
    text[1] += ",stray"
    (tmp_path / "tasks.csv").write_text("\n".join(text) + "\n")
    inv = load_inventory(tmp_path / "roles.csv", tmp_path / "tasks.csv", errors="reject")
    msg = inv.issues.query("code == 'ignored-column'")["message"].iloc[0]
    assert msg.startswith(f"File '{tmp_path / 'tasks.csv'}', row 2, column ")
    assert "sheet" not in msg.split(":")[0] and "'column " not in msg


@pytest.mark.parametrize(("kind", "column"), [("roles", "staff_group"), ("tasks", "task")])
def test_without_a_required_column_each_row_is_in_the_issues(kind: str, column: str) -> None:
    """Every row of a sheet that lacks a required column is named, not only its header."""
    roles, tasks = make_frames()
    frames = {"roles": roles, "tasks": tasks}
    frames[kind] = frames[kind].drop(columns=[column])
    with pytest.raises(InventoryError) as err:
        load_inventory(frames["roles"], frames["tasks"], errors="reject")
    rows = issue(err, "missing-value")
    assert rows["row"].tolist() == list(range(len(frames[kind])))
    assert all(f"no '{column}' column" in m for m in rows["message"])


def test_a_row_with_values_only_in_unread_columns_is_named(tmp_path: Path) -> None:
    """A note beside the table, in a column not read, is left out as a blank row is, and
    named: no row with a value leaves no trace."""
    roles, tasks = make_frames()
    roles.to_csv(tmp_path / "roles.csv", index=False)
    lines = tasks.assign(Notes="").to_csv(index=False).splitlines()
    lines.insert(2, "," * (len(tasks.columns)) + "see ward manager")
    (tmp_path / "tasks.csv").write_text("\n".join(lines) + "\n")
    inv = load_inventory(tmp_path / "roles.csv", tmp_path / "tasks.csv", errors="reject")
    row = inv.issues.query("code == 'ignored-column' and row == 3").iloc[0]
    assert (row["column"], row["value"]) == ("Notes", "see ward manager")
    assert len(inv.tasks) == len(tasks) and inv.blank_rows["tasks"] == 1


def test_a_csv_header_with_a_blank_last_field_is_a_blank_header_not_a_wide_row(
    tmp_path: Path,
) -> None:
    roles, tasks = make_frames()
    roles.to_csv(tmp_path / "roles.csv", index=False)
    lines = tasks.to_csv(index=False).splitlines()
    lines = [lines[0] + ","] + [
        line + (",x" if i == 1 else ",") for i, line in enumerate(lines[1:])
    ]
    (tmp_path / "tasks.csv").write_text("\n".join(lines) + "\n")
    inv = load_inventory(tmp_path / "roles.csv", tmp_path / "tasks.csv", errors="reject")
    ignored = inv.issues.query("code == 'ignored-column'")
    letter = "ABCDEFGHIJ"[len(tasks.columns)]
    assert ignored["row"].tolist() == [1] and ignored["column"].tolist() == [f"column {letter}"]
    assert "blank header" in ignored["message"].iloc[0]


def test_headcount_stands_in_for_missing_fte_with_a_warning() -> None:
    """Without FTE, headcount is used as FTE and the analyst is warned."""
    roles, tasks = make_frames()
    roles = roles.drop(columns="fte").assign(headcount=[4, 10])
    inv = load_inventory(roles, tasks)
    assert inv.roles["fte"].tolist() == [4.0, 10.0]
    assert len(issue(inv.issues, "fte-from-headcount")) == 2


def test_csv_pair_loads_like_the_workbook(tmp_path: Path) -> None:
    """The same inventory as a pair of CSV files loads to the same roles and tasks."""
    roles, tasks = make_frames()
    roles.to_csv(tmp_path / "roles.csv", index=False)
    tasks.to_csv(tmp_path / "tasks.csv", index=False)
    from_csv = load_inventory(tmp_path / "roles.csv", tmp_path / "tasks.csv")
    from_df = load_inventory(roles, tasks)
    cols = ["role_id", "task_id", "task", "hours_per_week"]
    pd.testing.assert_frame_equal(from_csv.tasks[cols], from_df.tasks[cols])
    assert sorted(from_csv.tasks["source_row"]) == [2, 3, 4, 5]


def test_header_row_need_not_be_the_first(tmp_path: Path) -> None:
    """A title above the header is skipped and rows keep their Excel numbers."""
    wb = Workbook()
    ws = wb.active
    ws.title = "roles"
    ws.append(["Northbridge inventory, draft 3"])
    ws.append([])
    ws.append(ROLE_HEAD)
    for row in GOOD_ROLES:
        ws.append(row)
    wt = wb.create_sheet("tasks")
    wt.append(TASK_HEAD)
    for row in GOOD_TASKS:
        wt.append(row)
    wb.save(tmp_path / "h.xlsx")
    inv = load_inventory(tmp_path / "h.xlsx")
    assert inv.roles["source_row"].tolist() == [4, 5]


def test_blank_rows_are_skipped_and_counted(tmp_path: Path) -> None:
    """Wholly blank rows are not data: skipped, counted, and rows keep their numbers."""
    tasks = [*GOOD_TASKS[:2], [None, None, None, None], *GOOD_TASKS[2:]]
    inv = load_inventory(write_book(tmp_path / "b.xlsx", GOOD_ROLES, tasks))
    assert inv.blank_rows["tasks"] == 1
    assert sorted(inv.tasks["source_row"]) == [2, 3, 5, 6]


def test_unrecognised_columns_are_noted_not_lost(tmp_path: Path) -> None:
    """A column genai_aug does not read is recorded as a note in the issues table."""
    path = write_book(
        tmp_path / "x.xlsx",
        [[*r, "note"] for r in GOOD_ROLES],
        GOOD_TASKS,
        role_head=[*ROLE_HEAD, "Manager's comments"],
    )
    inv = load_inventory(path)
    note = issue(inv.issues, "ignored-column")
    assert note["severity"].tolist() == ["info"] and note["column"].tolist() == [
        "Manager's comments"
    ]


def test_missing_file_and_unsupported_type_are_inventory_errors(tmp_path: Path) -> None:
    """A path that does not exist, or is not xlsx/csv, raises InventoryError naming it."""
    with pytest.raises(InventoryError, match="not found"):
        load_inventory(tmp_path / "nope.xlsx")
    odd = tmp_path / "inventory.ods"
    odd.write_bytes(b"x")
    with pytest.raises(InventoryError, match="unsupported file type"):
        load_inventory(odd)


def test_task_ids_made_from_the_role_ignore_row_order() -> None:
    """Generated task ids depend on the task, not on where its row stands."""
    roles, tasks = make_frames()
    a = load_inventory(roles, tasks).tasks.set_index("task")["task_id"]
    b = load_inventory(roles, tasks.iloc[::-1]).tasks.set_index("task")["task_id"]
    pd.testing.assert_series_equal(a.sort_index(), b.sort_index())


@pytest.mark.parametrize(
    ("column", "values"),
    [
        ("patient_facing", [True, None]),
        ("category_override", ["scheduling", None]),
        ("percent_of_time", [10.0, 20.0]),
    ],
)
def test_task_ids_made_from_the_role_ignore_row_order_when_only_other_cells_differ(
    column: str, values: list[object]
) -> None:
    """Two tasks of one role with the same text and hours, told apart only by another cell,
    get the same generated ids whichever row comes first."""
    base = {"role_id": "R1", "task": "Attend governance meetings", "hours_per_week": 1.0}
    if column == "percent_of_time":
        base.pop("hours_per_week")
    rows = [{**base, column: v} for v in values]
    roles, tasks = make_frames(tasks=rows)
    ids = []
    for frame in (tasks, tasks.iloc[::-1].reset_index(drop=True)):
        t = load_inventory(roles, frame).tasks
        ids.append(t.set_index("task_id")[column].astype(object).sort_index())
    pd.testing.assert_series_equal(ids[0], ids[1])


@pytest.mark.parametrize("given", ["R1-T003", "R1-T002", "R1-T004"])
def test_a_made_task_id_never_takes_one_given_to_another_task(given: str) -> None:
    """A task without an id is not given the id another task of the inventory was given
    ("R1-T003" given to one task, and made for another): it takes the next free number,
    so every task has its own id, the same in any row order."""
    rows = [
        {"role_id": "R1", "task_id": given, "task": "Book appointments", "hours_per_week": 3.0},
        {"role_id": "R1", "task": "Write letters", "hours_per_week": 4.0},
        {"role_id": "R1", "task": "File notes", "hours_per_week": 5.0},
        {"role_id": "R1", "task": "Answer phones", "hours_per_week": 6.0},
    ]
    roles, tasks = make_frames(tasks=rows)
    seen = []
    for order in ([0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1]):
        t = load_inventory(roles, tasks.iloc[order].reset_index(drop=True)).tasks
        assert t["task_id"].is_unique, t["task_id"].tolist()
        assert t.set_index("task").loc["Book appointments", "task_id"] == given
        seen.append(t.set_index("task")["task_id"].sort_index())
    for other in seen[1:]:
        pd.testing.assert_series_equal(seen[0], other)


def test_a_role_whose_task_hours_are_all_minus_zero_lists_0_hours(tmp_path: Path) -> None:
    """A sum of "-0" hours is reported as 0, not -0, in any row order."""
    roles = "Role ID,Role title,Staff group,FTE\nR1,Clerk,Central functions,1\n" + (
        "R2,Clerk,Central functions,1\n"
    )
    for order in ("R2,T2,Book clinics,-0\nR1,T1,Book clinics,30\n", "R1,T1,Book clinics,-0\n"):
        (tmp_path / "r.csv").write_text(roles)
        (tmp_path / "t.csv").write_text("Role ID,Task ID,Task description,Hours per week\n" + order)
        issues = load_inventory(tmp_path / "r.csv", tasks=tmp_path / "t.csv").issues
        listed = issues.loc[issues["code"] == "hours-not-listed", "message"]
        assert listed.str.contains("its tasks list 0 of").any(), list(listed)
        assert not listed.str.contains("list -0 ").any(), list(listed)


@pytest.mark.parametrize("content", [b"role_id,task\nR1,Type letters\n", b"PK\x03\x04truncated"])
def test_a_file_that_is_not_a_workbook_is_an_inventory_error(
    tmp_path: Path, content: bytes
) -> None:
    """A CSV renamed .xlsx, or a truncated workbook, gives a clear error, not a traceback."""
    path = tmp_path / "inventory.xlsx"
    path.write_bytes(content)
    with pytest.raises(InventoryError, match="could not be read as an Excel workbook") as err:
        load_inventory(path)
    assert err.value.issues["code"].tolist() == ["unreadable-file"]


def _override_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    roles = pd.DataFrame(
        {
            "role_id": ["R1", "R2"],
            "role_title": ["Clerk", "Porter"],
            "staff_group": ["Central functions", "Hotel, property & estates"],
            "fte": [1.0, "lots"],
        }
    )
    tasks = pd.DataFrame(
        {
            "role_id": ["R1", "R1", "R2"],
            "task": ["Book clinics", "Type letters", "Move beds"],
            "hours_per_week": [20.0, 17.5, 37.5],
            "category_override": ["sheduling", None, None],
        }
    )
    return roles, tasks


def test_an_unknown_override_is_checked_with_every_other_row_check() -> None:
    """run() checks category_override in validation: one error list, the closest category."""
    roles, tasks = _override_frames()
    with pytest.raises(genai_aug.InventoryError) as info:
        genai_aug.run(roles, tasks)
    codes = set(info.value.issues["code"])
    assert {"unknown-category", "not-a-number"} <= codes
    message = info.value.issues.query("code == 'unknown-category'")["message"].iat[0]
    assert "unknown category 'sheduling' (did you mean 'scheduling'?)" in message


def test_skip_invalid_sets_aside_a_task_with_an_unknown_override() -> None:
    """errors='reject' leaves the task out, lists it, and carries on."""
    roles, tasks = _override_frames()
    result = genai_aug.run(roles, tasks, errors="reject")
    assert "Book clinics" not in set(result.tasks["task"])
    assert (result.issues["code"] == "unknown-category").sum() == 1
    assert result.inventory.rows_rejected["tasks"] >= 1


def test_closest_role_id_suggestions_are_bounded_and_independent_of_row_order(monkeypatch):
    """Unknown role ids are matched to the known ones within a budget of characters
    compared: the distinct unknown ids, most rows first and then in sorted order, get
    suggestions until it is spent, whatever the row order; the others say they were not
    compared, and every unknown-role row is still reported."""
    from genai_aug import _checks

    role = {"role_title": "Clerk", "staff_group": "Central functions", "fte": 1.0}
    roles = [{**role, "role_id": f"R{k:03d}", "contracted_hours": 37.5} for k in range(30)]
    # 30 known ids of 4 characters: each 5-character unknown id costs 5 x 120 = 600
    monkeypatch.setattr(_checks, "CLOSEST_BUDGET", 2 * 600)
    unknown = ["R0011", "R0022", "R0033", "R0044", "R0044", "R0044"]
    tasks = [
        {"role_id": rid, "task_id": f"T{k}", "task": "Type letters", "hours_per_week": 1.0}
        for k, rid in enumerate([*unknown, "R001"])
    ]

    def hints(rows: list[dict[str, object]]) -> dict[str, str]:
        inv = load_inventory(*make_frames(roles, rows), errors="reject")
        found = inv.issues[inv.issues["code"] == "unknown-role"]
        assert len(found) == len(unknown)
        said = {}
        for rid in set(unknown):
            messages = found["message"][found["message"].str.contains(f"'{rid}'")]
            (said[rid],) = {
                "closest" if "closest:" in m else "skipped" if "not compared" in m else m
                for m in messages
            }
        return said

    # R0044 has the most rows, then R0011 in sorted order; the budget is then spent
    expected = {"R0044": "closest", "R0011": "closest", "R0022": "skipped", "R0033": "skipped"}
    assert hints(tasks) == expected
    assert hints(tasks[::-1]) == expected
    monkeypatch.setattr(_checks, "CLOSEST_BUDGET", 20_000_000)
    assert set(hints(tasks).values()) == {"closest"}
