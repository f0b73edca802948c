"""A catalogue of malformed inventories, each with its exact outcome.

Every case builds one input the way it turns up in a trust (a workbook, a CSV pair or a
DataFrame), loads it, and asserts the exact set of issues — severity, code, sheet, row,
column — and, for inputs that load, the values genai_aug read. A second test runs the
whole catalogue with ``errors="reject"`` and checks that nothing is lost: every row read
is either kept or listed as rejected.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

import genai_aug
from conftest import ROOT
from genai_aug import _columns as col
from genai_aug.errors import GenAIAugError, InventoryError

ROLE_HEAD = ["role_id", "role_title", "staff_group", "band", "fte", "contracted_hours"]
TASK_HEAD = ["role_id", "task_id", "task", "hours_per_week"]
ROLES = [
    ["R1", "Ward clerk", "Support to doctors, nurses & midwives", "Band 3", 2, 37.5],
    ["R2", "Finance officer", "Central functions", "Band 5", 1, 37.5],
]
TASKS = [
    ["R1", "T1", "Book outpatient appointments", 20],
    ["R1", "T2", "Answer the ward telephone", 17.5],
    ["R2", "T3", "Process supplier invoices", 37.5],
]

Issue = tuple[str, str, str | None, int | None, str | None]  # severity, code, sheet, row, column


def xlsx(
    tmp: Path,
    roles: list[list[Any]] | None = None,
    tasks: list[list[Any]] | None = None,
    *,
    role_head: list[Any] | None = None,
    task_head: list[Any] | None = None,
    names: tuple[str, str] = ("roles", "tasks"),
    before: list[list[Any]] | None = None,
    edit: Callable[[openpyxl.Workbook], None] | None = None,
) -> Path:
    """Write a workbook; ``before`` rows go above both header rows."""
    wb = openpyxl.Workbook()
    ws_r = wb.active
    ws_r.title = names[0]
    ws_t = wb.create_sheet(names[1])
    for ws, head, rows in (
        (ws_r, role_head or ROLE_HEAD, ROLES if roles is None else roles),
        (ws_t, task_head or TASK_HEAD, TASKS if tasks is None else tasks),
    ):
        for row in before or []:
            ws.append(row)
        ws.append(head)
        for row in rows:
            ws.append(row)
    if edit:
        edit(wb)
    path = tmp / "inventory.xlsx"
    wb.save(path)
    return path


def csv_pair(
    tmp: Path, roles_text: str | bytes, tasks_text: str | bytes | None = None
) -> tuple[Path, Path]:
    """Write roles.csv and tasks.csv (text is written as UTF-8, bytes as they are)."""
    out = []
    default_tasks = "role_id,task_id,task,hours_per_week\n" + "\n".join(
        ",".join(str(v) for v in t) for t in TASKS
    )
    for name, content in (("roles", roles_text), ("tasks", tasks_text or default_tasks)):
        path = tmp / f"{name}.csv"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        out.append(path)
    return out[0], out[1]


ROLES_CSV = "role_id,role_title,staff_group,band,fte,contracted_hours\n" + "\n".join(
    ",".join(str(v) for v in r) for r in ROLES
).replace("Support to doctors, nurses & midwives", '"Support to doctors, nurses & midwives"')


def with_task(value: object, column: int = 3) -> list[list[Any]]:
    """The default tasks with task T1's cell ``column`` replaced by ``value``."""
    rows = [list(t) for t in TASKS]
    rows[0][column] = value
    return rows


def with_role(value: object, column: int) -> list[list[Any]]:
    """The default roles with role R1's cell ``column`` replaced by ``value``."""
    rows = [list(r) for r in ROLES]
    rows[0][column] = value
    return rows


@dataclass
class Case:
    """One malformed input and exactly what genai_aug must say about it."""

    id: str
    make: Callable[[Path], tuple[Any, ...]]
    issues: set[Issue]
    raises: bool = False
    check: Callable[[genai_aug.Inventory], None] | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)


def _hours_of(task_id: str, expected: float) -> Callable[[genai_aug.Inventory], None]:
    def check(inv: genai_aug.Inventory) -> None:
        hours = inv.tasks.set_index(col.TASK_ID)[col.HOURS_PER_WEEK]
        assert hours.loc[task_id] == expected

    return check


def _formula_without_value(wb: openpyxl.Workbook) -> None:
    wb["tasks"]["D2"] = "=10+10"  # openpyxl stores no cached value: Excel never computed it


def _merged_banner(wb: openpyxl.Workbook) -> None:
    for ws in wb.worksheets:
        ws.merge_cells("A1:D1")


def rewrite(path: Path, member: str, change: Callable[[bytes], bytes]) -> Path:
    """Rewrite one part of a saved workbook, as another writer or tool might have left it."""
    import zipfile

    out = path.with_name(f"{path.stem}-rewritten.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, change(data) if item.filename == member else data)
    return out


def stale_dimension(path: Path, ref: str = "A1:D2", sheet: int = 2) -> Path:
    """The workbook with sheet ``sheet``'s ``<dimension>`` under-stating its used range."""
    import re

    return rewrite(
        path,
        f"xl/worksheets/sheet{sheet}.xml",
        lambda data: re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), data),
    )


def _without_cell_references(data: bytes) -> bytes:
    """Rows and cells with no r="..." attributes, as some writers save them."""
    import re

    return re.sub(rb' r="[A-Z]*[0-9]+"', b"", data)


def _prefixed_namespace(data: bytes) -> bytes:
    """The sheet's elements written with an x: prefix, as some writers save them."""
    import re

    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    data = data.replace(b'xmlns="' + main + b'"', b'xmlns:x="' + main + b'"')
    tags = rb"worksheet|sheetPr|outlinePr|dimension|sheetViews|sheetView|selection|"
    tags += rb"sheetFormatPr|sheetData|row|c|v|is|t|pageMargins"
    return re.sub(rb"<(/?)(" + tags + rb")\b", rb"<\1x:\2", data)


def _stale_hidden_tasks_first(wb: openpyxl.Workbook) -> None:
    stale = wb.create_sheet("Tasks", 1)  # before the real 'tasks'; openpyxl names it 'Tasks1'
    for row in [TASK_HEAD, ["R1", "T1", "Book outpatient appointments", 1]]:
        stale.append(row)
    stale.sheet_state = "hidden"


def _second_visible_tasks(wb: openpyxl.Workbook) -> None:
    other = wb.create_sheet("Task list")
    for row in [TASK_HEAD, *TASKS]:
        other.append(row)


def _only_tasks_hidden(wb: openpyxl.Workbook) -> None:
    wb["tasks"].sheet_state = "hidden"


def _row_given_twice(data: bytes) -> bytes:
    """Row 3's element and cells numbered 2, so the sheet's XML holds row 2 twice."""
    import re

    data = data.replace(b'<row r="3"', b'<row r="2"')
    return re.sub(rb'r="([A-D])3"', rb'r="\g<1>2"', data)


def _cells_labelled_with_the_next_row(data: bytes) -> bytes:
    """Row 3's cells labelled as row 4's (the row element still says 3)."""
    import re

    row = re.search(rb'<row r="3".*?</row>', data)
    assert row is not None
    return data.replace(row.group(), re.sub(rb'r="([A-D])3"', rb'r="\g<1>4"', row.group()))


def _sheet_copy(name: str, state: str = "visible", hide_original: bool = False) -> Any:
    """A second tasks sheet under Excel's copy name (or another near-twin of 'tasks')."""

    def edit(wb: openpyxl.Workbook) -> None:
        copy = wb.create_sheet(name)
        for row in [TASK_HEAD, *TASKS]:
            copy.append(row)
        copy.sheet_state = state
        if hide_original:
            wb["tasks"].sheet_state = "hidden"

    return edit


def _only_a_copy(wb: openpyxl.Workbook) -> None:
    wb["tasks"].title = "Tasks (2)"


def _hide_row(sheet: str, row: int) -> Callable[[openpyxl.Workbook], None]:
    def edit(wb: openpyxl.Workbook) -> None:
        wb[sheet].row_dimensions[row].hidden = True

    return edit


def _format(sheet: str, cell: str, value: object, number_format: str) -> Callable[..., None]:
    """An edit that puts ``value`` in ``cell`` with an Excel number format ("0%", "[h]:mm")."""

    def edit(wb: openpyxl.Workbook) -> None:
        wb[sheet][cell] = value
        wb[sheet][cell].number_format = number_format

    return edit


PCT_HEAD = [*TASK_HEAD, "% of time"]


def _fte_of(role_id: str, expected: float) -> Callable[[genai_aug.Inventory], None]:
    def check(inv: genai_aug.Inventory) -> None:
        assert inv.roles.set_index(col.ROLE_ID)[col.FTE].loc[role_id] == expected

    return check


def _frames(roles: list[list[Any]], tasks: list[list[Any]], **head: list[str]) -> tuple[Any, ...]:
    return (
        pd.DataFrame(roles, columns=head.get("role_head", ROLE_HEAD), dtype=object),
        pd.DataFrame(tasks, columns=head.get("task_head", TASK_HEAD), dtype=object),
    )


def _long_csv_with_nul(p: Path) -> tuple[Path, Path]:
    filler = "\n".join(f"R1,X{i},Answer the ward telephone,0" for i in range(3000))
    tasks = "role_id,task_id,task,hours_per_week\n" + "\n".join(
        ",".join(str(v) for v in t) for t in TASKS
    )
    return csv_pair(p, ROLES_CSV, tasks + "\n" + filler + "\nR2,T9,Fi\x00le,0\n")


T, R = "tasks", "roles"
E, W, INFO = "error", "warning", "info"

CASES: list[Case] = [
    # --- sheets and headers -------------------------------------------------------------
    Case(
        "missing-tasks-sheet",
        lambda p: (xlsx(p, names=("roles", "Sheet2")),),
        {(E, "missing-sheet", T, None, None)},
        raises=True,
    ),
    Case(
        "no-inventory-sheets-at-all",
        lambda p: (xlsx(p, names=("Sheet1", "Sheet2")),),
        {(E, "missing-sheet", R, None, None), (E, "missing-sheet", T, None, None)},
        raises=True,
    ),
    Case("sheets-renamed-role-list", lambda p: (xlsx(p, names=("Role List", "TASKS")),), set()),
    Case(
        "missing-required-column",
        lambda p: (
            xlsx(p, [r[:2] + r[3:] for r in ROLES], role_head=ROLE_HEAD[:2] + ROLE_HEAD[3:]),
        ),
        {
            (E, "missing-column", R, 1, "staff_group"),
            (E, "missing-value", R, 2, None),
            (E, "missing-value", R, 3, None),
            (E, "role-rejected", T, 2, "role_id"),
            (E, "role-rejected", T, 3, "role_id"),
            (E, "role-rejected", T, 4, "role_id"),
        },
        raises=True,
    ),
    Case(
        "columns-renamed-to-known-aliases",
        lambda p: (
            xlsx(
                p,
                role_head=[
                    "Role ID",
                    "Job title",
                    "Staff Group",
                    "Pay band",
                    "WTE",
                    "Contract hours",
                ],
                task_head=["Role ID", "Task ref", "Task description", "Hrs/week"],
            ),
        ),
        set(),
    ),
    Case(
        "unknown-extra-column",
        lambda p: (xlsx(p, [[*r, "note"] for r in ROLES], role_head=[*ROLE_HEAD, "Notes"]),),
        {(INFO, "ignored-column", R, 1, "Notes")},
    ),
    Case(
        "two-columns-for-fte",
        lambda p: (xlsx(p, [[*r, 2] for r in ROLES], role_head=[*ROLE_HEAD, "WTE"]),),
        {(E, "duplicate-column", R, 1, "WTE")},
        raises=True,
    ),
    Case(
        "header-below-a-title-and-a-blank-row",
        lambda p: (xlsx(p, tasks=with_task(-1), before=[["Ward 7 inventory"], []]),),
        {(E, "negative-value", T, 4, "hours_per_week")},
        raises=True,
    ),
    Case(
        "merged-banner-above-the-header",
        lambda p: (xlsx(p, before=[["Northbridge inventory"]], edit=_merged_banner),),
        set(),
    ),
    Case(
        "merged-header-over-two-columns",
        lambda p: (
            xlsx(
                p,
                tasks=[[*t[:3], "see notes", t[3]] for t in TASKS],
                task_head=["role_id", "task_id", "task", None, "hours_per_week"],
                edit=lambda wb: wb["tasks"].merge_cells("C1:D1"),
            ),
        ),
        {(W, "ignored-column", T, 1, "column D")},
    ),
    Case(
        "merged-header-over-the-hours",
        lambda p: (
            xlsx(
                p,
                task_head=["role_id", "task_id", "task", None],
                edit=lambda wb: wb["tasks"].merge_cells("C1:D1"),
            ),
        ),
        {
            (E, "missing-column", T, 1, "hours_per_week"),
            (W, "ignored-column", T, 1, "column D"),
            *((E, "missing-hours", T, row, None) for row in (2, 3, 4)),
        },
        raises=True,
    ),
    Case(
        "blank-rows-between-data",
        lambda p: (xlsx(p, tasks=[TASKS[0], [None] * 4, ["", " ", None, None], *TASKS[1:]]),),
        set(),
        check=lambda inv: (
            None if inv.blank_rows == {"roles": 0, "tasks": 2} else pytest.fail(str(inv.blank_rows))
        ),
    ),
    Case(
        "totals-row-on-tasks",
        lambda p: (xlsx(p, tasks=[*TASKS, ["Total", None, None, 75]]),),
        {(W, "totals-row", T, 5, "role_id")},
    ),
    Case(
        "totals-row-on-roles",
        lambda p: (xlsx(p, roles=[*ROLES, [None, "Total", None, None, 3, None]]),),
        {(W, "totals-row", R, 4, "role_id")},
    ),
    Case(
        "empty-workbook",
        lambda p: (xlsx(p, [], [], role_head=[None], task_head=[None]),),
        {(E, "empty-sheet", R, None, None), (E, "empty-sheet", T, None, None)},
        raises=True,
    ),
    Case(
        "headers-but-no-rows",
        lambda p: (xlsx(p, [], []),),
        {(E, "no-rows", R, 1, None), (E, "no-rows", T, 1, None)},
        raises=True,
    ),
    # --- rows lost, stale sheets (issue 13, class 1) ----------------------------------
    Case(
        "stale-dimension-under-states-the-tasks",
        lambda p: (stale_dimension(xlsx(p)),),
        set(),
        check=lambda inv: None if len(inv.tasks) == 3 else pytest.fail(str(inv.tasks)),
    ),
    Case(
        "stale-dimension-on-both-sheets",
        lambda p: (stale_dimension(stale_dimension(xlsx(p), "A1:B1", 1), "A1:A1", 2),),
        set(),
        check=lambda inv: (
            None if (len(inv.roles), len(inv.tasks)) == (2, 3) else pytest.fail(repr(inv))
        ),
    ),
    Case(
        "stale-dimension-with-an-error-past-it",
        lambda p: (stale_dimension(xlsx(p, tasks=[*TASKS, ["R2", "T4", "File", -2]])),),
        {(E, "negative-value", T, 5, "hours_per_week")},
        raises=True,
    ),
    Case(
        "rows-and-cells-without-references",
        lambda p: (rewrite(xlsx(p), "xl/worksheets/sheet2.xml", _without_cell_references),),
        set(),
        check=_hours_of("T2", 17.5),
    ),
    Case(
        "sheet-xml-with-a-namespace-prefix",
        lambda p: (rewrite(xlsx(p), "xl/worksheets/sheet2.xml", _prefixed_namespace),),
        set(),
        check=_hours_of("T2", 17.5),
    ),
    Case(
        "hidden-stale-tasks-sheet-before-the-visible-one",
        lambda p: (
            rewrite(
                xlsx(p, edit=_stale_hidden_tasks_first),
                "xl/workbook.xml",
                lambda data: data.replace(b'name="Tasks1"', b'name="Tasks"'),
            ),
        ),
        {(INFO, "sheet-chosen", T, None, None)},
        check=_hours_of("T1", 20),
    ),
    Case(
        "two-visible-tasks-sheets",
        lambda p: (xlsx(p, edit=_second_visible_tasks),),
        {(E, "ambiguous-sheet", T, None, None)},
        raises=True,
    ),
    Case(
        "only-tasks-sheet-is-hidden",
        lambda p: (xlsx(p, edit=_only_tasks_hidden),),
        {(W, "sheet-chosen", T, None, None)},
    ),
    Case(
        "a-row-number-given-twice-in-the-sheet-xml",
        lambda p: (rewrite(xlsx(p), "xl/worksheets/sheet2.xml", _row_given_twice),),
        {(E, "rows-unaccounted", T, 2, None)},
        raises=True,
    ),
    Case(
        "cells-labelled-with-the-next-row",
        lambda p: (
            rewrite(xlsx(p), "xl/worksheets/sheet2.xml", _cells_labelled_with_the_next_row),
        ),
        {(E, "rows-unaccounted", T, 4, None)},
        raises=True,
    ),
    Case(
        "an-excel-copy-of-the-tasks-sheet-beside-it",
        lambda p: (xlsx(p, edit=_sheet_copy("tasks (2)")),),
        {(E, "ambiguous-sheet", T, None, None)},
        raises=True,
    ),
    Case(
        "a-second-tasks-sheet-named-with-a-zero-width-space",
        lambda p: (xlsx(p, edit=_sheet_copy("tas\u200bks")),),
        {(E, "ambiguous-sheet", T, None, None)},
        raises=True,
    ),
    Case(
        "tasks-hidden-and-its-copy-visible",
        lambda p: (xlsx(p, edit=_sheet_copy("tasks (2)", hide_original=True)),),
        {(W, "sheet-chosen", "tasks (2)", None, None)},
        check=lambda inv: (
            None
            if set(inv.tasks[col.SOURCE_SHEET]) == {"tasks (2)"}
            else pytest.fail(str(inv.tasks))
        ),
    ),
    Case(
        "a-hidden-numbered-copy-of-the-tasks-sheet",
        lambda p: (xlsx(p, edit=_sheet_copy("tasks1", "hidden")),),
        {(INFO, "sheet-chosen", T, None, None)},
    ),
    Case(
        "only-a-copy-named-tasks-sheet",
        lambda p: (xlsx(p, edit=_only_a_copy),),
        {(INFO, "sheet-chosen", "Tasks (2)", None, None)},
        check=lambda inv: None if len(inv.tasks) == 3 else pytest.fail(str(inv.tasks)),
    ),
    Case(
        "hidden-filtered-out-task-row",
        lambda p: (xlsx(p, edit=_hide_row("tasks", 3)),),
        {(W, "hidden-row", T, 3, None)},
    ),
    Case(
        "hidden-role-row",
        lambda p: (xlsx(p, edit=_hide_row("roles", 2)),),
        {(W, "hidden-row", R, 2, None)},
    ),
    # --- values misread (issue 13, class 2) -------------------------------------------
    Case(
        "percent-of-time-typed-as-53.3-percent-in-excel",
        lambda p: (
            xlsx(
                p,
                tasks=[["R1", "T1", "Book outpatient appointments", None, None], *TASKS[1:]],
                task_head=PCT_HEAD,
                edit=_format("tasks", "E2", 0.5333333333333333, "0.0%"),
            ),
        ),
        set(),
        check=_hours_of("T1", 20.0),
    ),
    Case(
        "hours-in-excel-percent-format",
        lambda p: (xlsx(p, edit=_format("tasks", "D2", 0.2, "0%")),),
        {(E, "not-a-number", T, 2, "hours_per_week")},
        raises=True,
    ),
    Case(
        "fte-in-excel-percent-format-is-the-fraction",
        lambda p: (xlsx(p, edit=_format("roles", "E2", 0.5, "0%")),),
        set(),
        check=_fte_of("R1", 0.5),
    ),
    Case(
        "fte-of-1e300-would-give-infinite-totals",
        lambda p: (xlsx(p, with_role(1e300, 4)),),
        {
            (E, "implausible-fte", R, 2, "fte"),
            (E, "role-rejected", T, 2, "role_id"),
            (E, "role-rejected", T, 3, "role_id"),
        },
        raises=True,
    ),
    Case(
        "headcount-too-large-for-a-float",
        lambda p: _frames(
            [[*r, 10**400 if r[0] == "R1" else 1] for r in ROLES],
            TASKS,
            role_head=[*ROLE_HEAD, "headcount"],
        ),
        {(E, "not-a-number", R, 0, "headcount"), (E, "role-rejected", T, 0, "role_id")}
        | {(E, "role-rejected", T, 1, "role_id")},
        raises=True,
    ),
    Case(
        "exact-duplicate-task-rows",
        lambda p: (
            xlsx(
                p,
                tasks=[
                    ["R1", None, "Book outpatient appointments", 10],
                    ["R1", None, "Book outpatient appointments", 10],
                    ["R1", None, "Answer the ward telephone", 17.5],
                    ["R2", None, "Process supplier invoices", 37.5],
                ],
            ),
        ),
        {(W, "repeated-task", T, 3, "task")},
    ),
    Case(
        "task-text-of-zero-width-characters",
        lambda p: (xlsx(p, tasks=with_task("\u200b\u200d\ufeff", 2)),),
        {(E, "empty-task", T, 2, "task"), (W, "invisible-characters", T, 2, "task")},
        raises=True,
    ),
    Case(
        "role-id-with-a-zero-width-space",
        lambda p: (xlsx(p, with_role("R1\u200b", 0)),),
        {(W, "invisible-characters", R, 2, "role_id")},
        check=lambda inv: None if "R1" in set(inv.roles[col.ROLE_ID]) else pytest.fail("R1"),
    ),
    Case(
        "ids-that-only-look-like-totals",
        lambda p: (
            xlsx(
                p,
                [["SUM1", *ROLES[0][1:]], ["Total-2", *ROLES[1][1:]]],
                [
                    ["SUM1", "T1", "Book outpatient appointments", 20],
                    ["SUM1", "T2", "Answer the ward telephone", 17.5],
                    ["Total-2", "T3", "Process supplier invoices", 37.5],
                ],
            ),
        ),
        set(),
        check=lambda inv: None if len(inv.roles) == 2 else pytest.fail(str(inv.roles)),
    ),
    Case(
        "a-real-totals-row-with-a-colon",
        lambda p: (xlsx(p, tasks=[*TASKS, ["Total:", None, None, 75]]),),
        {(W, "totals-row", T, 5, "role_id")},
    ),
    Case(
        "nul-byte-after-the-first-64-kb-of-a-csv",
        _long_csv_with_nul,
        {(E, "unreadable-file", None, None, None)},
        raises=True,
    ),
    Case(
        "hours-as-an-excel-duration",
        lambda p: (xlsx(p, edit=_format("tasks", "D2", dt.timedelta(hours=20), "[h]:mm")),),
        {(W, "number-normalised", T, 2, "hours_per_week")},
        check=_hours_of("T1", 20.0),
    ),
    Case(
        "nullable-na-after-convert-dtypes",
        lambda p: tuple(
            f.convert_dtypes()
            for f in _frames(
                [[*r[:3], None, *r[4:]] for r in ROLES],
                [[*t[:3], None if t[1] == "T1" else t[3], 53.333333333333336] for t in TASKS],
                task_head=[*TASK_HEAD, "percent_of_time"],
            )
        ),
        set(),
        check=_hours_of("T1", 20.0),
    ),
    Case(
        "decimal-values-from-read-sql",
        lambda p: _frames(
            [[*r[:4], Decimal(str(r[4])), Decimal("37.5")] for r in ROLES],
            [[*t[:3], Decimal(str(t[3]))] for t in TASKS],
        ),
        set(),
        check=_hours_of("T2", 17.5),
    ),
    Case(
        "csv-saved-as-unicode-text-utf-16",
        lambda p: csv_pair(p, ("\ufeff" + ROLES_CSV).encode("utf-16-le")),
        {(INFO, "csv-encoding", "roles", None, None)},
    ),
    Case(
        "csv-task-text-over-128-kb",
        lambda p: csv_pair(
            p,
            ROLES_CSV,
            "role_id,task_id,task,hours_per_week\nR1,T1,Book " + "x" * 140_000 + ",20\n"
            "R1,T2,Answer the ward telephone,17.5\nR2,T3,Process supplier invoices,37.5\n",
        ),
        {(W, "long-text", T, 2, "task")},
    ),
    Case(
        "tasks-csv-given-with-a-workbook",
        lambda p: (xlsx(p), csv_pair(p, ROLES_CSV)[1]),
        {(E, "tasks-not-used", None, None, None)},
        raises=True,
    ),
    # --- messages that help (issue 13, class 6) ------------------------------------------
    Case(
        "merged-role-id-cells-on-tasks",
        lambda p: (
            xlsx(
                p,
                tasks=[TASKS[0], [None, *TASKS[1][1:]], TASKS[2]],
                edit=lambda wb: wb["tasks"].merge_cells("A2:A3"),
            ),
        ),
        {(E, "missing-value", T, 3, "role_id"), (W, "hours-not-listed", R, 2, "contracted_hours")},
        raises=True,
    ),
    Case(
        "header-on-row-twelve-below-a-notes-block",
        lambda p: (xlsx(p, before=[[f"Note {i}"] for i in range(11)]),),
        set(),
        check=lambda inv: (
            None if list(inv.tasks[col.SOURCE_ROW]) == [13, 14, 15] else pytest.fail("rows")
        ),
    ),
    Case(
        "no-header-row-anywhere",
        lambda p: (
            xlsx(p, role_head=["a", "b", "c", "d", "e", "f"], task_head=["w", "x", "y", "z"]),
        ),
        {(E, "missing-column", R, 1, c) for c in ("role_id", "role_title", "staff_group")}
        | {(E, "missing-column", T, 1, c) for c in ("role_id", "task", "hours_per_week")}
        | {(INFO, "ignored-column", R, 1, h) for h in "abcdef"}
        | {(INFO, "ignored-column", T, 1, h) for h in "wxyz"},
        raises=True,
    ),
    # --- numbers ---------------------------------------------------------------------
    Case(
        "text-in-hours",
        lambda p: (xlsx(p, tasks=with_task("about five")),),
        {(E, "not-a-number", T, 2, "hours_per_week")},
        raises=True,
    ),
    Case(
        "hours-with-a-unit",
        lambda p: (xlsx(p, tasks=with_task("20 hrs")),),
        {(W, "number-normalised", T, 2, "hours_per_week")},
        check=_hours_of("T1", 20.0),
    ),
    Case(
        "hours-with-a-decimal-comma",
        lambda p: (xlsx(p, tasks=with_task("19,5")),),
        {
            (W, "number-normalised", T, 2, "hours_per_week"),
            (W, "hours-not-listed", R, 2, "contracted_hours"),
        },
        check=_hours_of("T1", 19.5),
    ),
    Case(
        "ambiguous-thousands-comma",
        lambda p: (xlsx(p, tasks=with_task("1,500")),),
        {(E, "not-a-number", T, 2, "hours_per_week")},
        raises=True,
    ),
    Case(
        "date-in-hours",
        lambda p: (xlsx(p, tasks=with_task(dt.datetime(2025, 1, 20))),),
        {(E, "not-a-number", T, 2, "hours_per_week")},
        raises=True,
    ),
    Case(
        "boolean-in-hours",
        lambda p: (xlsx(p, tasks=with_task(True)),),
        {(E, "not-a-number", T, 2, "hours_per_week")},
        raises=True,
    ),
    Case(
        "excel-na-in-hours",
        lambda p: (xlsx(p, tasks=with_task("#N/A")),),
        {(E, "not-a-number", T, 2, "hours_per_week")},
        raises=True,
    ),
    Case(
        "excel-div0-in-fte",
        lambda p: (xlsx(p, roles=with_role("#DIV/0!", 4)),),
        {
            (E, "not-a-number", R, 2, "fte"),
            (E, "role-rejected", T, 2, "role_id"),
            (E, "role-rejected", T, 3, "role_id"),
        },
        raises=True,
    ),
    Case(
        "formula-never-computed",
        lambda p: (xlsx(p, edit=_formula_without_value),),
        {(E, "missing-hours", T, 2, "hours_per_week")},
        raises=True,
    ),
    Case(
        "formula-as-text-in-csv",
        lambda p: csv_pair(
            p,
            ROLES_CSV,
            "role_id,task_id,task,hours_per_week\nR1,T1,Book clinics,=SUM(A1:A3)\n"
            "R1,T2,Answer the phone,17.5\nR2,T3,Process invoices,37.5\n",
        ),
        {(E, "not-a-number", "tasks", 2, "hours_per_week")},
        raises=True,
    ),
    Case(
        "negative-hours",
        lambda p: (xlsx(p, tasks=with_task(-3)),),
        {(E, "negative-value", T, 2, "hours_per_week")},
        raises=True,
    ),
    Case(
        "zero-hours",
        lambda p: (xlsx(p, tasks=with_task(0)),),
        {
            (W, "zero-hours", T, 2, "hours_per_week"),
            (W, "hours-not-listed", R, 2, "contracted_hours"),
        },
    ),
    Case(
        "nan-hours-in-a-dataframe",
        lambda p: (
            pd.DataFrame(ROLES, columns=ROLE_HEAD),
            pd.DataFrame(with_task(math.nan), columns=TASK_HEAD),
        ),
        {(E, "missing-hours", T, 0, "hours_per_week")},
        raises=True,
    ),
    Case(
        "infinite-hours-in-a-dataframe",
        lambda p: (
            pd.DataFrame(ROLES, columns=ROLE_HEAD),
            pd.DataFrame(with_task(math.inf), columns=TASK_HEAD),
        ),
        {(E, "not-a-number", T, 0, "hours_per_week")},
        raises=True,
    ),
    Case(
        "more-than-168-hours",
        lambda p: (xlsx(p, tasks=with_task(200)),),
        {(E, "implausible-hours", T, 2, "hours_per_week")},
        raises=True,
    ),
    Case(
        "task-hours-beyond-the-contract",
        lambda p: (xlsx(p, tasks=with_task(30)),),
        {
            (E, "hours-exceed-contract", R, 2, "contracted_hours"),
            (E, "role-rejected", T, 2, "hours_per_week"),
            (E, "role-rejected", T, 3, "hours_per_week"),
        },
        raises=True,
    ),
    Case(
        "task-hours-just-over-the-contract",
        lambda p: (xlsx(p, tasks=with_task(21)),),
        {(W, "hours-exceed-contract", R, 2, "contracted_hours")},
    ),
    Case(
        "percent-over-100",
        lambda p: (
            xlsx(
                p,
                tasks=[[*t[:3], None, 150 if t[1] == "T1" else None] for t in TASKS[:1]]
                + [[*t, None] for t in TASKS[1:]],
                task_head=[*TASK_HEAD, "percent_of_time"],
            ),
        ),
        {(E, "implausible-percent", T, 2, "percent_of_time")},
        raises=True,
    ),
    Case(
        "fte-missing-headcount-given",
        lambda p: (
            xlsx(p, [[*r[:4], None, r[5], 3] for r in ROLES], role_head=[*ROLE_HEAD, "headcount"]),
        ),
        {(W, "fte-from-headcount", R, 2, "fte"), (W, "fte-from-headcount", R, 3, "fte")},
    ),
    Case(
        "neither-fte-nor-headcount",
        lambda p: (xlsx(p, roles=with_role(None, 4)),),
        {
            (E, "missing-fte", R, 2, "fte"),
            (E, "role-rejected", T, 2, "role_id"),
            (E, "role-rejected", T, 3, "role_id"),
        },
        raises=True,
    ),
    # --- ids and references ------------------------------------------------------------
    Case(
        "duplicate-role-id",
        lambda p: (xlsx(p, roles=[*ROLES, ROLES[1]]),),
        {(E, "duplicate-role-id", R, 4, "role_id"), (E, "role-rejected", T, 4, "role_id")},
        raises=True,
    ),
    Case(
        "duplicate-task-id",
        lambda p: (xlsx(p, tasks=[TASKS[0], [*TASKS[1][:1], "T1", *TASKS[1][2:]], TASKS[2]]),),
        {(E, "duplicate-task-id", T, 3, "task_id")},
        raises=True,
    ),
    Case(
        "task-of-an-unknown-role",
        lambda p: (xlsx(p, tasks=[*TASKS, ["R9", "T9", "Type letters", 1]]),),
        {(E, "unknown-role", T, 5, "role_id")},
        raises=True,
    ),
    Case(
        "role-with-no-tasks",
        lambda p: (xlsx(p, tasks=TASKS[:2]),),
        {(W, "role-without-tasks", R, 3, "role_id")},
    ),
    Case(
        "unknown-staff-group",
        lambda p: (xlsx(p, roles=with_role("Nursing staff", 2)),),
        {
            (E, "unknown-staff-group", R, 2, "staff_group"),
            (E, "role-rejected", T, 2, "role_id"),
            (E, "role-rejected", T, 3, "role_id"),
        },
        raises=True,
    ),
    Case(
        "unknown-band",
        lambda p: (xlsx(p, roles=with_role("Band 12", 3)),),
        {(W, "unknown-band", R, 2, "band")},
    ),
    Case(
        "patient-facing-not-yes-no",
        lambda p: (
            xlsx(
                p,
                tasks=[[*t, "maybe" if t[1] == "T1" else "no"] for t in TASKS],
                task_head=[*TASK_HEAD, "patient_facing"],
            ),
        ),
        {(W, "not-yes-no", T, 2, "patient_facing")},
    ),
    # --- text ------------------------------------------------------------------------
    Case(
        "empty-task-text",
        lambda p: (xlsx(p, tasks=with_task(None, 2)),),
        {(E, "empty-task", T, 2, "task")},
        raises=True,
    ),
    Case(
        "whitespace-only-task-text",
        lambda p: (xlsx(p, tasks=with_task("   \t ", 2)),),
        {(E, "empty-task", T, 2, "task")},
        raises=True,
    ),
    Case(
        "very-long-task-text",
        lambda p: (xlsx(p, tasks=with_task("Book clinic appointments " * 200, 2)),),
        {(W, "long-text", T, 2, "task")},
    ),
    # --- CSV -------------------------------------------------------------------------
    Case(
        "csv-not-utf8",
        lambda p: csv_pair(
            p, ROLES_CSV.replace("Ward clerk", "Ward clerk – café").encode("cp1252")
        ),
        {(W, "csv-encoding", "roles", None, None)},
        check=lambda inv: (
            None
            if inv.roles.set_index(col.ROLE_ID)[col.ROLE_TITLE].loc["R1"] == "Ward clerk – café"
            else pytest.fail("cp1252 text misread")
        ),
    ),
    Case(
        "csv-with-a-byte-order-mark",
        lambda p: csv_pair(p, "\ufeff" + ROLES_CSV),
        set(),
    ),
    Case(
        "csv-semicolon-separated",
        lambda p: csv_pair(
            p,
            ROLES_CSV.replace(",", ";").replace(
                '"Support to doctors; nurses & midwives"', "Support to doctors, nurses & midwives"
            ),
            "role_id;task_id;task;hours_per_week\nR1;T1;Book clinics;20\n"
            "R1;T2;Answer the phone;17,5\nR2;T3;Process invoices;37,5\n",
        ),
        {
            (INFO, "csv-delimiter", "roles", None, None),
            (INFO, "csv-delimiter", "tasks", None, None),
            (W, "number-normalised", "tasks", 3, "hours_per_week"),
            (W, "number-normalised", "tasks", 4, "hours_per_week"),
        },
        check=_hours_of("T2", 17.5),
    ),
    Case(
        "csv-row-with-one-field-too-many",
        lambda p: csv_pair(
            p,
            ROLES_CSV,
            "role_id,task_id,task,hours_per_week\nR1,T1,Book clinics,20\n"
            "R1,T2,Answer the phone,17.5\nR2,T3,Process invoices, 3,37.5\n",
        ),
        {
            (W, "ignored-column", "tasks", 4, "column E"),
            (W, "hours-not-listed", "roles", 3, "contracted_hours"),
        },
    ),
    Case(
        "csv-quote-left-open-to-the-end-of-the-file",
        lambda p: csv_pair(
            p,
            ROLES_CSV,
            "role_id,task_id,task,hours_per_week\nR1,T1,Book clinics,20\n"
            'R1,T2,"Answer the phone,17.5\nR2,T3,Process invoices,37.5\nR2,T4,File,1\n',
        ),
        {(E, "unreadable-file", "tasks", 3, None)},
        raises=True,
    ),
    Case(
        "csv-stray-quote-closed-lines-later",
        lambda p: csv_pair(
            p,
            ROLES_CSV,
            "role_id,task_id,task,hours_per_week\nR1,T1,Book clinics,20\n"
            'R1,T2,"Answer the phone,17.5\nR2,T3,Process invoices,30\nR2,T4,File notes,1\n'
            'R2,T5,Scan "letters",2\n',
        ),
        {(E, "unreadable-file", "tasks", 3, None)},
        raises=True,
    ),
    Case(
        "csv-multi-line-task-text-rows-are-lines",
        lambda p: csv_pair(
            p,
            ROLES_CSV,
            'role_id,task_id,task,hours_per_week\nR1,T1,"Book outpatient\nclinics, wards 1, 2, 3\n'
            'and theatres",20\nR1,T2,Answer the ward telephone,17.5\nR2,T3,Process invoices,-1\n',
        ),
        {(E, "negative-value", "tasks", 6, "hours_per_week")},
        raises=True,
    ),
    Case(
        "roles-csv-without-tasks",
        lambda p: (csv_pair(p, ROLES_CSV)[0],),
        {(E, "missing-tasks", None, None, None)},
        raises=True,
    ),
    # --- files -----------------------------------------------------------------------
    Case(
        "file-not-found",
        lambda p: (p / "nope.xlsx",),
        {(E, "file-not-found", None, None, None)},
        raises=True,
    ),
    Case(
        "unsupported-extension",
        lambda p: ((p / "inventory.ods").write_bytes(b"PK\x03\x04") and p / "inventory.ods",),
        {(E, "unsupported-file", None, None, None)},
        raises=True,
    ),
    Case(
        "truncated-workbook",
        lambda p: (
            (p / "t.xlsx").write_bytes((ROOT / "data" / "sample_roles.xlsx").read_bytes()[:5000])
            and p / "t.xlsx",
        ),
        {(E, "unreadable-file", None, None, None)},
        raises=True,
    ),
    Case(
        "csv-named-xlsx",
        lambda p: ((p / "c.xlsx").write_text(ROLES_CSV, encoding="utf-8") and p / "c.xlsx",),
        {(E, "unreadable-file", None, None, None)},
        raises=True,
    ),
    Case(
        "password-protected-or-legacy-xls",
        lambda p: (
            (p / "locked.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088))
            and p / "locked.xlsx",
        ),
        {(E, "unreadable-file", None, None, None)},
        raises=True,
    ),
    Case(
        "file-over-the-size-limit",
        lambda p: (xlsx(p),),
        {(E, "file-too-large", None, None, None)},
        raises=True,
        kwargs={"max_bytes": 1000},
    ),
]


def _load(case: Case, tmp_path: Path, errors: str = "raise") -> tuple[pd.DataFrame, Any]:
    args = case.make(tmp_path)
    try:
        inv = genai_aug.load_inventory(*args, errors=errors, **case.kwargs)  # type: ignore[arg-type]
    except InventoryError as exc:
        return exc.issues, None
    return inv.issues, inv


def _issue_set(issues: pd.DataFrame) -> set[Issue]:
    return {
        (
            r.severity,
            r.code,
            None if pd.isna(r.sheet) else r.sheet,
            None if pd.isna(r.row) else int(r.row),
            None if pd.isna(r.column) else r.column,
        )
        for r in issues.itertuples()
    }


def test_the_catalogue_has_at_least_forty_distinct_inputs() -> None:
    """The issue asks for 40; ids are unique."""
    ids = [c.id for c in CASES]
    assert len(ids) >= 40 and len(set(ids)) == len(ids)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_malformed_input_gives_exactly_its_issues(case: Case, tmp_path: Path) -> None:
    """The exact issues, where they are, and whether loading stops."""
    args = case.make(tmp_path)
    if case.raises:
        with pytest.raises(InventoryError) as info:
            genai_aug.load_inventory(*args, **case.kwargs)
        issues = info.value.issues
    else:
        inv = genai_aug.load_inventory(*args, **case.kwargs)
        issues = inv.issues
        if case.check:
            case.check(inv)
    assert _issue_set(issues) == case.issues
    for r in issues.itertuples():
        # each message says where: the file, and the sheet and row when there is one
        if isinstance(r.file, str) and r.file != "<DataFrame>":
            assert Path(r.file).name in r.message, r.message
        if not pd.isna(r.row) and r.file != "<DataFrame>":
            assert f"row {int(r.row)}" in r.message, r.message


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_nothing_is_lost_in_reject_mode(case: Case, tmp_path: Path) -> None:
    """rows read = rows kept + rows rejected, and every rejected row is in the issues."""
    try:
        issues, inv = _load(case, tmp_path, errors="reject")
    except GenAIAugError as exc:  # pragma: no cover - would be a library bug
        pytest.fail(f"unexpected {exc!r}")
    if inv is None:  # a file-level problem, or nothing left to score: raised, with issues
        assert len(issues) > 0
        return
    for sheet, kept in ((col.ROLES_SHEET, inv.roles), (col.TASKS_SHEET, inv.tasks)):
        assert inv.rows_read[sheet] == len(kept) + inv.rows_rejected[sheet], sheet
        on_sheet = issues[issues["sheet"].fillna("").str.lower().str[:4] == sheet[:4]]
        row_level = on_sheet[
            ~on_sheet["code"].isin(HEADER_CODES)
            & ((on_sheet["severity"] == "error") | (on_sheet["code"] == "totals-row"))
        ]
        rejected = set(row_level["row"].dropna().astype(int))
        assert len(rejected) == inv.rows_rejected[sheet], sheet
        assert rejected.isdisjoint(set(kept[col.SOURCE_ROW])), sheet


# Issues about a sheet's header, not about any of its rows.
HEADER_CODES = {"missing-column", "duplicate-column", "ignored-column", "no-rows", "empty-sheet"}
