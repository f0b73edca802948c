"""Write the bundled sample inventory, ``data/sample_roles.xlsx``, and its packaged copy.

Run from the repository root::

    python scripts/make_sample.py

The roles and tasks are in ``sample_roles_data.py``. Task hours are scaled so that
each role's tasks sum exactly to its contracted hours (in quarter hours).
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

sys.path.insert(0, str(Path(__file__).parent))
from sample_roles_data import LEEDS_FTE_2018_06, OVERRIDES, ROLES, SCALE

from genai_aug.template import ROLE_HEADERS, TASK_HEADERS

ROOT = Path(__file__).resolve().parents[1]
TRUST = "Northbridge Teaching Hospitals NHS Trust (fictional)"
README = [
    ("Sample inventory for genai_aug", ""),
    (
        "What",
        f"A fictional acute trust, {TRUST}: roles, and the tasks each role does in a "
        "typical week. Not real data about any trust.",
    ),
    (
        "Staff-group mix",
        "FTE per NHS staff group is half that of Leeds Teaching Hospitals NHS "
        "Trust in June 2018 (NHS Digital, NHS Workforce Statistics, Open "
        "Government Licence v3). Leeds had no 'Support to ambulance staff'; one "
        "small role stands in for it so every group appears.",
    ),
    ("", ""),
    ("Sheet 'roles'", "One row per role."),
    ("Role ID", "Unique id of the role; tasks refer to it."),
    ("Role title", "Job title as used in the trust."),
    ("Staff group", "NHS Workforce Statistics staff group."),
    ("Band", "Agenda for Change band, medical grade or VSM."),
    ("FTE", "Whole-time equivalents in post in the role."),
    ("Headcount", "People in post (for information; FTE is used for hours)."),
    ("Contracted hours", "Hours a week of one whole-time post (37.5; 40 for doctors)."),
    ("Department, Directorate, Trust", "Where the role sits (optional)."),
    ("", ""),
    ("Sheet 'tasks'", "One row per task of a role."),
    ("Role ID", "The role doing the task (must be on the roles sheet)."),
    ("Task ID", "Unique id of the task (optional; made from the role id if blank)."),
    ("Task description", "What the task is, in the words staff would use."),
    (
        "Hours per week",
        "Hours a week one whole-time post spends on the task; a role's tasks "
        "sum to its contracted hours.",
    ),
    ("Patient facing", "yes if the task is done with the patient present (optional)."),
    ("Category override", "An analyst's choice of category, replacing the rules (optional)."),
    ("", ""),
    ("Made by", "python scripts/make_sample.py (genai_aug repository)"),
]


def _quarter_hours(tasks: list[tuple[str, float]], total: float) -> list[float]:
    """Scale hours to sum to ``total`` exactly, in quarter hours (largest task takes the rest)."""
    raw = sum(h for _, h in tasks)
    quarters = [round(h / raw * total * 4) for _, h in tasks]
    quarters[quarters.index(max(quarters))] += round(total * 4) - sum(quarters)
    return [q / 4 for q in quarters]


def _style(ws, widths: dict[int, int]) -> None:  # type: ignore[no-untyped-def]
    head = PatternFill("solid", fgColor="005EB8")  # NHS blue
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = head
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for idx, width in widths.items():
        ws.column_dimensions[get_column_letter(idx)].width = width


def build() -> Workbook:
    """Build the sample workbook (role shares are normalised within each staff group)."""
    group_share: dict[str, float] = {}
    for _, _, group, _, share, *_ in ROLES:
        group_share[group] = group_share.get(group, 0.0) + share

    wb = Workbook()
    readme = wb.active
    readme.title = "README"
    for row in README:
        readme.append(list(row))
    readme["A1"].font = Font(bold=True, size=14)
    readme.column_dimensions["A"].width = 32
    readme.column_dimensions["B"].width = 110
    for row in readme.iter_rows(min_row=2):
        row[0].font = Font(bold=True)
        row[1].alignment = Alignment(wrap_text=True, vertical="top")

    roles = wb.create_sheet("roles")
    tasks = wb.create_sheet("tasks")
    roles.append(list(ROLE_HEADERS))
    tasks.append(list(TASK_HEADERS))
    for rid, title, group, band, share, hours, dept, direc, role_tasks in ROLES:
        group_fte = LEEDS_FTE_2018_06[group] * SCALE
        fte = round(group_fte * share / group_share[group], 2) if group_fte else 2.0
        headcount = max(1, round(fte * 1.12))
        roles.append([rid, title, group, band, fte, headcount, hours, dept, direc, TRUST])
        for k, ((text, _), h) in enumerate(
            zip(role_tasks, _quarter_hours(role_tasks, hours), strict=True), start=1
        ):
            facing = text.startswith("P|")
            override = OVERRIDES.get((rid, text), None)
            tasks.append(
                [
                    rid,
                    f"{rid}-{k:02d}",
                    text.removeprefix("P|"),
                    h,
                    "yes" if facing else "no",
                    override,
                ]
            )
    _style(roles, {1: 9, 2: 44, 3: 40, 4: 18, 5: 9, 6: 11, 7: 11, 8: 28, 9: 26, 10: 50})
    _style(tasks, {1: 9, 2: 10, 3: 80, 4: 10, 5: 10, 6: 20})
    wb.properties.creator = "genai_aug"
    wb.properties.created = dt.datetime(2026, 11, 22)
    wb.properties.modified = dt.datetime(2026, 11, 22)
    return wb


def main() -> None:
    """Write data/sample_roles.xlsx and copy it into the package."""
    target = ROOT / "data" / "sample_roles.xlsx"
    target.parent.mkdir(exist_ok=True)
    build().save(target)
    shutil.copyfile(target, ROOT / "src" / "genai_aug" / "data" / "sample_roles.xlsx")
    n_tasks = sum(len(r[-1]) for r in ROLES)
    print(f"wrote {target} ({len(ROLES)} roles, {n_tasks} tasks) and the packaged copy")


if __name__ == "__main__":
    main()
