"""A blank input workbook: the sheets, headers and drop-downs an inventory needs.

``genai-aug template PATH`` (or :func:`write_template`) writes it; once filled in, it
loads with :func:`genai_aug.load_inventory` without further changes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from genai_aug._output import atomic_file, output_file
from genai_aug._reference import BANDS, STAFF_GROUPS
from genai_aug.rules import default_ruleset

__all__ = ["COLUMN_GUIDE", "ROLE_HEADERS", "TASK_HEADERS", "write_template"]

ROLE_HEADERS = (
    "Role ID",
    "Role title",
    "Staff group",
    "Band",
    "FTE",
    "Headcount",
    "Contracted hours",
    "Department",
    "Directorate",
    "Trust",
)
TASK_HEADERS = (
    "Role ID",
    "Task ID",
    "Task description",
    "Hours per week",
    "Patient facing",
    "Category override",
)

# (column, what to enter), per sheet: shown on the README sheet and as header comments.
COLUMN_GUIDE: dict[str, tuple[tuple[str, str], ...]] = {
    "roles": (
        ("Role ID", "Unique id of the role; tasks refer to it."),
        ("Role title", "Job title as used in the trust."),
        ("Staff group", "NHS Workforce Statistics staff group (pick from the list)."),
        ("Band", "Agenda for Change band, medical grade or VSM (pick from the list)."),
        ("FTE", "Whole-time equivalents in post in the role."),
        ("Headcount", "People in post (for information; FTE is used for hours)."),
        ("Contracted hours", "Hours a week of one whole-time post (37.5; 40 for doctors)."),
        ("Department", "Where the role sits (optional)."),
        ("Directorate", "Where the role sits (optional)."),
        ("Trust", "The organisation (optional)."),
    ),
    "tasks": (
        ("Role ID", "The role doing the task (must be on the roles sheet)."),
        ("Task ID", "Unique id of the task (optional; made from the role id if blank)."),
        ("Task description", "What the task is, in the words staff would use."),
        (
            "Hours per week",
            "Hours a week one whole-time post spends on the task; a role's tasks "
            "sum to its contracted hours.",
        ),
        ("Patient facing", "yes if the task is done with the patient present (optional)."),
        (
            "Category override",
            "An analyst's choice of category, replacing the rules (optional; pick from the list).",
        ),
    ),
}

_ROWS = 5000  # rows that carry the drop-downs and checks
_HEAD_FILL = PatternFill("solid", fgColor="005EB8")  # NHS blue
_HEAD_FONT = Font(bold=True, color="FFFFFF")


def _header(ws: Any, headers: tuple[str, ...], widths: tuple[int, ...], sheet: str) -> None:
    ws.append(list(headers))
    guide = dict(COLUMN_GUIDE[sheet])
    for i, (cell, width) in enumerate(zip(ws[1], widths, strict=True), start=1):
        cell.font = _HEAD_FONT
        cell.fill = _HEAD_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        cell.comment = Comment(guide[str(cell.value)], "genai_aug")
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.row_dimensions[1].height = 30  # room for a wrapped header ("Contracted hours")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}1"


def _list_rule(source: str, title: str, prompt: str) -> DataValidation:
    dv = DataValidation(type="list", formula1=source, allow_blank=True)
    dv.error, dv.errorTitle, dv.showErrorMessage = f"Pick a {title} from the list.", title, True
    dv.prompt, dv.promptTitle, dv.showInputMessage = prompt, title, True
    return dv


def _number_rule(kind: str, low: float, high: float, title: str) -> DataValidation:
    dv = DataValidation(
        type=kind, operator="between", formula1=str(low), formula2=str(high), allow_blank=True
    )
    dv.error = f"{title} must be a number from {low:g} to {high:g}."
    dv.errorTitle, dv.showErrorMessage = title, True
    return dv


def write_template(path: str | os.PathLike[str]) -> Path:
    """Write a blank inventory workbook with a README, headers and drop-down lists.

    The ``roles`` sheet offers the NHS staff groups and pay bands as drop-downs; the
    ``tasks`` sheet offers yes/no for *Patient facing* and the default ruleset's
    categories for *Category override*; hours, FTE and headcount are checked as numbers.
    A hidden ``lists`` sheet holds the drop-down values.

    Parameters
    ----------
    path : str or PathLike
        The ``.xlsx`` file to write.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = write_template(pathlib.Path(tempfile.mkdtemp()) / "inventory.xlsx")
    >>> out.name
    'inventory.xlsx'
    """
    out = output_file(path, "The template path")
    categories = [c.id for c in default_ruleset().categories]

    wb = Workbook()
    readme = wb.active
    readme.title = "README"
    readme.append(["Role and task inventory for genai_aug"])
    readme["A1"].font = Font(bold=True, size=14)
    lines: list[tuple[str, str]] = [
        ("", ""),
        (
            "How to fill it in",
            "One row per role on 'roles'; one row per task of a role on 'tasks'. Keep the "
            "header rows and sheet names. Staff group, band, patient facing and category "
            "override have drop-down lists. Then run: genai-aug run THIS_FILE --out results",
        ),
        ("", ""),
    ]
    for sheet in ("roles", "tasks"):
        lines.append((f"Sheet '{sheet}'", ""))
        lines.extend(COLUMN_GUIDE[sheet])
        lines.append(("", ""))
    lines.append(("Staff groups", "; ".join(STAFF_GROUPS)))
    lines.append(("Bands and grades", "; ".join(BANDS)))
    for label, text in lines:
        readme.append([label, text])
    readme.column_dimensions["A"].width = 24
    readme.column_dimensions["B"].width = 110
    for row in readme.iter_rows(min_row=2):
        row[0].font = Font(bold=True)
        row[0].alignment = Alignment(vertical="top")
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
        n_lines = -(-len(str(row[1].value or "")) // 105)  # viewers do not all fit rows to text
        if n_lines > 1:
            readme.row_dimensions[row[1].row].height = 15 * n_lines

    lists = wb.create_sheet("lists")
    for i, values in enumerate((STAFF_GROUPS, BANDS, ("yes", "no"), categories), start=1):
        for j, value in enumerate(values, start=1):
            lists.cell(row=j, column=i, value=value)
    lists.sheet_state = "hidden"

    def ref(column: int, n: int) -> str:
        letter = get_column_letter(column)
        return f"lists!${letter}$1:${letter}${n}"

    roles = wb.create_sheet("roles", 1)
    _header(roles, ROLE_HEADERS, (10, 40, 40, 20, 9, 11, 11, 28, 26, 40), "roles")
    last = _ROWS + 1
    checks = [
        (_list_rule(ref(1, len(STAFF_GROUPS)), "Staff group", "NHS staff group"), f"C2:C{last}"),
        (_list_rule(ref(2, len(BANDS)), "Band", "Pay band or grade"), f"D2:D{last}"),
        (_number_rule("decimal", 0, 100000, "FTE"), f"E2:E{last}"),
        (_number_rule("whole", 0, 1000000, "Headcount"), f"F2:F{last}"),
        (_number_rule("decimal", 1, 168, "Contracted hours"), f"G2:G{last}"),
    ]
    for dv, cells in checks:
        dv.add(cells)
        roles.add_data_validation(dv)

    tasks = wb.create_sheet("tasks", 2)
    _header(tasks, TASK_HEADERS, (10, 12, 80, 11, 11, 26), "tasks")
    checks = [
        (_number_rule("decimal", 0, 168, "Hours per week"), f"D2:D{last}"),
        (_list_rule(ref(3, 2), "Patient facing", "yes or no"), f"E2:E{last}"),
        (_list_rule(ref(4, len(categories)), "Category override", "Optional"), f"F2:F{last}"),
    ]
    for dv, cells in checks:
        dv.add(cells)
        tasks.add_data_validation(dv)
    for ws in (readme, roles, tasks):  # printed: landscape, one page wide
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.properties.creator = "genai_aug"
    wb.active = 1
    with atomic_file(out) as tmp:
        wb.save(tmp)
    return out
