"""Reporting: the Excel workbook and the charts a board or workforce committee reads.

:func:`write_excel` writes a formatted workbook (Summary, By staff group, By role, Tasks,
Issues, Rules used) with native Excel bar charts; the ``plot_*`` functions return
matplotlib figures (built without ``pyplot``, so nothing global changes and nothing is
shown until asked) in the Okabe–Ito colour-blind-safe palette; :func:`save_charts`
writes them as PNG. Every text cell is written as text, never as a formula.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from genai_aug import __version__
from genai_aug import _columns as col
from genai_aug._reference import STAFF_GROUPS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from genai_aug.pipeline import Result

__all__ = [
    "OKABE_ITO",
    "plot_exposure_mix",
    "plot_staff_groups",
    "plot_top_roles",
    "save_charts",
    "write_excel",
]

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
# deficiency.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
}
_SCENARIO_COLOURS = ("blue", "orange", "green", "purple", "vermillion", "sky_blue", "yellow")
_EXPOSURE_COLOURS = {
    "E0": "grey",
    "E1": "sky_blue",
    "E2": "blue",
    "Unclassified": "yellow",
}
EXCEL_MAX_ROWS = 1_048_576

# --- charts -----------------------------------------------------------------


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=110, layout="constrained")
    return fig


def _scenario_names(result: Result, scenarios: Sequence[str] | None) -> list[str]:
    known = [s.name for s in result.scenarios.scenarios.scenarios]
    if scenarios is None:
        return known
    unknown = [s for s in scenarios if s not in known]
    if unknown:
        from genai_aug.errors import ScenarioError

        raise ScenarioError(f"Unknown scenario(s) {unknown}; this result has {known}.")
    return list(scenarios)


CENTRAL_SCENARIO = "partial_adoption"


def _central(names: Sequence[str]) -> str:
    """The scenario that ranks roles: the packaged central case if present, else the first."""
    return CENTRAL_SCENARIO if CENTRAL_SCENARIO in names else names[0]


def _labels(result: Result) -> dict[str, str]:
    return {s.name: s.label for s in result.scenarios.scenarios.scenarios}


def _grouped_bars(
    fig: Figure,
    frame: pd.DataFrame,
    key: str,
    order: list[str],
    scenarios: list[str],
    labels: dict[str, str],
    title: str,
) -> Figure:
    ax = fig.add_subplot()
    n = len(scenarios)
    height = 0.8 / n
    y = np.arange(len(order))
    for i, name in enumerate(scenarios):
        part = frame[frame[col.SCENARIO] == name].set_index(key).reindex(order)
        central = part[col.RELEASED_CENTRAL].to_numpy(dtype=float)
        err = np.vstack(
            [
                central - part[col.RELEASED_LOW].to_numpy(dtype=float),
                part[col.RELEASED_HIGH].to_numpy(dtype=float) - central,
            ]
        )
        ax.barh(
            y + (i - (n - 1) / 2) * height,
            central,
            height=height,
            color=OKABE_ITO[_SCENARIO_COLOURS[i % len(_SCENARIO_COLOURS)]],
            xerr=err,
            error_kw={"ecolor": "#333333", "elinewidth": 0.8, "capsize": 2},
            label=labels[name],
        )
    ax.set_yticks(y, order)
    ax.invert_yaxis()
    ax.set_xlabel("Hours released per week (central; bars show the 10th–90th percentile range)")
    ax.xaxis.set_major_formatter("{x:,.0f}")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title, loc="left", fontsize=11, fontweight="bold")
    ax.legend(loc="lower right", frameon=False, fontsize=8)
    return fig


def plot_staff_groups(result: Result, scenarios: Sequence[str] | None = None) -> Figure:
    """Bar chart: hours released per week by staff group, for each scenario, with ranges.

    Parameters
    ----------
    result : Result
    scenarios : sequence of str, optional
        Scenario names to show; all by default.

    Returns
    -------
    matplotlib.figure.Figure
    """
    names = _scenario_names(result, scenarios)
    frame = result.scenarios.staff_groups
    present = set(frame[col.STAFF_GROUP])
    order = [g for g in STAFF_GROUPS if g in present]
    fig = _figure(9.5, 1.0 + 0.32 * len(order) * max(2, len(names)) / 1.5)
    return _grouped_bars(
        fig,
        frame,
        col.STAFF_GROUP,
        order,
        names,
        _labels(result),
        "Hours generative AI could release, by staff group (hours per week)",
    )


def plot_top_roles(
    result: Result, n: int = 15, scenario: str | None = None, scenarios: Sequence[str] | None = None
) -> Figure:
    """Bar chart: the ``n`` roles releasing most hours a week, with ranges.

    Parameters
    ----------
    result : Result
    n : int, default 15
        How many roles to show.
    scenario : str, optional
        The scenario whose central figure ranks the roles; the central case
        (``partial_adoption``) when present, else the first.
    scenarios : sequence of str, optional
        Scenario names to show; all by default.

    Returns
    -------
    matplotlib.figure.Figure
    """
    names = _scenario_names(result, scenarios)
    rank_by = scenario or _central(names)
    _scenario_names(result, [rank_by])
    frame = result.scenarios.roles
    ranked = frame[frame[col.SCENARIO] == rank_by].sort_values(
        [col.RELEASED_CENTRAL, col.ROLE_ID], ascending=[False, True]
    )
    top = ranked.head(n)
    title_of = dict(zip(top[col.ROLE_ID], top[col.ROLE_TITLE], strict=True))
    order = list(top[col.ROLE_ID])
    frame = frame[frame[col.ROLE_ID].isin(order)]
    fig = _figure(9.5, 1.2 + 0.3 * len(order) * max(2, len(names)) / 1.5)
    _grouped_bars(
        fig,
        frame,
        col.ROLE_ID,
        order,
        names,
        _labels(result),
        f"Top {len(order)} roles by hours a week released (hours per week)",
    )
    ax = fig.axes[0]
    ax.set_yticks(ax.get_yticks(), [_short(title_of[r], 40) for r in order])
    return fig


def plot_exposure_mix(result: Result) -> Figure:
    """Stacked bars: each staff group's working hours by exposure class (% of hours).

    Returns
    -------
    matplotlib.figure.Figure
    """
    tasks = result.tasks
    klass = tasks[col.EXPOSURE].astype(object).where(tasks[col.EXPOSURE].notna(), "Unclassified")
    hours = tasks.assign(_class=klass).pivot_table(
        index=col.STAFF_GROUP,
        columns="_class",
        values=col.HOURS_TOTAL,
        aggfunc="sum",
        fill_value=0.0,
        observed=True,
    )
    order = [g for g in STAFF_GROUPS if g in hours.index]
    hours = hours.reindex(index=order, columns=list(_EXPOSURE_COLOURS), fill_value=0.0)
    share = hours.div(hours.sum(axis=1).replace(0.0, np.nan), axis=0).fillna(0.0) * 100
    fig = _figure(9.5, 1.2 + 0.42 * len(order))
    ax = fig.add_subplot()
    left = np.zeros(len(order))
    y = np.arange(len(order))
    meaning = {
        "E0": "E0 – no meaningful saving",
        "E1": "E1 – an LLM alone",
        "E2": "E2 – LLM with tools",
        "Unclassified": "Unclassified",
    }
    for klass_name, colour in _EXPOSURE_COLOURS.items():
        values = share[klass_name].to_numpy()
        ax.barh(y, values, left=left, color=OKABE_ITO[colour], label=meaning[klass_name])
        left += values
    ax.set_yticks(y, order)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("Share of the staff group's working hours (%)")
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(
        "Working hours by exposure class and staff group (% of hours)",
        loc="left",
        fontsize=11,
        fontweight="bold",
    )
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=4, frameon=False, fontsize=8)
    return fig


CHART_FILES = {
    "staff_groups": "chart_hours_by_staff_group.png",
    "top_roles": "chart_top_roles.png",
    "exposure_mix": "chart_exposure_mix.png",
}


def save_charts(result: Result, directory: str | os.PathLike[str]) -> dict[str, Path]:
    """Write the three charts as PNG files into ``directory``; returns their paths."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    figures = {
        "staff_groups": plot_staff_groups(result),
        "top_roles": plot_top_roles(result),
        "exposure_mix": plot_exposure_mix(result),
    }
    written = {}
    for name, fig in figures.items():
        path = out / CHART_FILES[name]
        fig.savefig(path, dpi=110, metadata={"Software": f"genai_aug {__version__}"})
        written[name] = path
    return written


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# --- Excel ------------------------------------------------------------------

_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_TITLE_FONT = Font(bold=True, size=14, color="1F4E79")
_SECTION_FONT = Font(bold=True, size=11, color="1F4E79")
_BOLD = Font(bold=True)
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
_TOTAL_BORDER = Border(top=Side(style="thin", color="888888"))

_FMT_HOURS = "#,##0"
_FMT_WTE = "#,##0.0"
_FMT_SHARE = "0.0%"
_FMT_SCORE = "0.00"
_FMT_FTE = "#,##0.0"
_FMT_INT = "0"


@dataclass(frozen=True)
class _ChartSource:
    """Where a chart's data sit: the sheet, its first data row, rows, and value columns."""

    sheet: Any
    first_row: int
    n_rows: int
    label_col: int
    value_cols: tuple[int, ...]


class _Column:
    """One column of a sheet: its source, header, number format and width."""

    def __init__(
        self,
        source: str,
        header: str,
        fmt: str | None = None,
        width: float = 14,
        wrap: bool = False,
    ):
        self.source, self.header, self.fmt, self.width = source, header, fmt, width
        self.wrap = wrap


def _text_cell(ws: Any, value: object, **style: Any) -> WriteOnlyCell:
    """A cell whose text is stored as text: a value starting with '=' is not a formula."""
    cell = WriteOnlyCell(ws, value=None)
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        cell.value = None
    elif isinstance(value, np.integer):
        cell.value = int(value)
    elif isinstance(value, np.floating | float):
        cell.value = float(value) if np.isfinite(value) else None
    elif isinstance(value, bool | np.bool_ | int):
        cell.value = value if not isinstance(value, np.bool_) else bool(value)
    elif isinstance(value, dt.datetime | dt.date):
        cell.value = value
    else:
        cell.value = str(value)
        cell.data_type = "s"  # never a formula, whatever the text begins with
    for key, v in style.items():
        setattr(cell, key, v)
    return cell


def _print_setup(ws: Any, title_row: int | None = None) -> None:
    """Landscape, one page wide, header row repeated: what a printed board pack needs."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_row is not None:
        ws.print_title_rows = f"{title_row}:{title_row}"


def _counts(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {v:,}" for k, v in value.items())
    return str(value)


def _table_sheet(
    wb: Workbook,
    title: str,
    frame: pd.DataFrame,
    columns: Sequence[_Column],
    *,
    total_row: pd.Series | None = None,
    note: str | None = None,
) -> tuple[Any, int]:
    """A sheet with one styled header row, frozen, filtered; returns (sheet, first data row)."""
    ws = wb.create_sheet(title)
    for i, c in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = c.width
    header_row = 2 if note else 1
    # Streamed sheets write their view and page set-up with the first row: set them first.
    ws.freeze_panes = f"B{header_row + 1}"
    _print_setup(ws, header_row)
    if note:
        ws.append([_text_cell(ws, note, font=Font(italic=True, color="555555"))])
    head_lines = max(math.ceil(len(c.header) / max(c.width * 0.85, 1.0)) for c in columns)
    ws.row_dimensions[header_row].height = 15 * max(2, head_lines) + 4
    ws.append(
        [
            _text_cell(ws, c.header, font=_HEADER_FONT, fill=_HEADER_FILL, alignment=_HEADER_ALIGN)
            for c in columns
        ]
    )
    n = min(len(frame), EXCEL_MAX_ROWS - header_row - 1)
    data = {c.source: frame[c.source].to_numpy(dtype=object)[:n] for c in columns}
    styles = [
        {"number_format": c.fmt or "General", "alignment": _WRAP_TOP if c.wrap else _TOP}
        for c in columns
    ]
    # Wrapped text needs a row height: viewers do not all fit rows to their text.
    lines: np.ndarray[Any, Any] = np.ones(n, dtype=int)
    for c in columns:
        if c.wrap:
            length = frame[c.source].iloc[:n].astype(str).str.len().to_numpy()
            lines = np.maximum(lines, np.ceil(length / max(c.width * 1.05, 1.0)).astype(int))
    for i in range(n):
        if lines[i] > 1:
            ws.row_dimensions[header_row + 1 + i].height = 15 * min(int(lines[i]), 12)
        ws.append(
            [_text_cell(ws, data[c.source][i], **st) for c, st in zip(columns, styles, strict=True)]
        )
    last = header_row + n
    if total_row is not None:
        ws.append(
            [
                _text_cell(
                    ws,
                    total_row.get(c.source),
                    number_format=c.fmt or "General",
                    font=_BOLD,
                    border=_TOTAL_BORDER,
                )
                for c in columns
            ]
        )
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(columns))}{max(last, header_row)}"
    return ws, header_row + 1


def _scenario_wide(
    result: Result, level: str, key: str, names: list[str]
) -> tuple[pd.DataFrame, list[_Column]]:
    frame: pd.DataFrame = getattr(result.scenarios, level)
    labels = _labels(result)
    columns: list[_Column] = []
    pieces = []
    for name in names:
        part = frame[frame[col.SCENARIO] == name].set_index(key)
        figures = {
            col.RELEASED_LOW: ("low, hours/week", _FMT_HOURS),
            col.RELEASED_CENTRAL: ("central, hours/week", _FMT_HOURS),
            col.RELEASED_HIGH: ("high, hours/week", _FMT_HOURS),
            col.WTE_CENTRAL: ("central, WTE", _FMT_WTE),
        }
        for source, (header, fmt) in figures.items():
            new = f"{name}__{source}"
            pieces.append(part[source].rename(new))
            columns.append(_Column(new, f"{labels[name]}: {header}", fmt, 15))
    return pd.concat(pieces, axis=1), columns


def write_excel(result: Result, path: str | os.PathLike[str], top_roles: int = 15) -> Path:
    """Write the result as a formatted Excel workbook for people to read.

    Sheets: *Summary* (trust totals with low–central–high ranges for each scenario, the
    assumptions, the ruleset's version and hash, the input and the date, and native bar
    charts), *By staff group*, *By role*, *Tasks* (score, category, exposure, evidence),
    *Issues* (every warning and rejected row, with its location) and *Rules used*.

    Parameters
    ----------
    result : Result
    path : str or PathLike
        The ``.xlsx`` file to write.
    top_roles : int, default 15
        Roles shown in the Summary's top-roles chart.

    Returns
    -------
    Path
        The path written.
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    names = _scenario_names(result, None)
    summary = wb.create_sheet("Summary")
    groups = _write_groups(wb, result, names)
    roles = _write_roles(wb, result, names)
    _write_tasks(wb, result)
    _write_issues(wb, result)
    _write_rules(wb, result)
    _write_summary(summary, result, names, groups, roles, top_roles)
    wb.save(out)
    return out


def _write_groups(wb: Workbook, result: Result, names: list[str]) -> Any:
    groups = result.staff_groups.set_index(col.STAFF_GROUP)
    wide, scen_cols = _scenario_wide(result, "staff_groups", col.STAFF_GROUP, names)
    frame = groups.join(wide).reset_index()
    trust = result.trust.iloc[0].copy()
    trust[col.STAFF_GROUP] = "Trust total"
    twide, _ = _scenario_wide(result, "trust", col.LEVEL, names)
    for c in twide.columns:
        trust[c] = twide[c].iloc[0]
    columns = [
        _Column(col.STAFF_GROUP, "Staff group", None, 40),
        _Column(col.N_ROLES, "Roles", _FMT_INT, 8),
        _Column(col.FTE, "FTE", _FMT_FTE, 10),
        _Column(col.HOURS_TOTAL, "Hours worked a week", _FMT_HOURS, 12),
        _Column(col.HOURS_RELEASED, "Potential released, hours/week", _FMT_HOURS, 14),
        _Column(col.SHARE_RELEASED, "Potential share of hours", _FMT_SHARE, 11),
        _Column(col.WTE_RELEASED, "Potential released, WTE", _FMT_WTE, 12),
        *scen_cols,
    ]
    ws, first = _table_sheet(wb, "By staff group", frame, columns, total_row=trust)
    base = len(columns) - len(scen_cols)
    centrals = tuple(base + 4 * i + 2 for i in range(len(names)))  # 1-based central columns
    return _ChartSource(ws, first, len(frame), 1, centrals)


def _write_roles(wb: Workbook, result: Result, names: list[str]) -> _ChartSource:
    wide, scen_cols = _scenario_wide(result, "roles", col.ROLE_ID, names)
    rank_by = _central(names)
    frame = result.roles.set_index(col.ROLE_ID).join(wide).reset_index()
    frame = frame.sort_values(
        [f"{rank_by}__{col.RELEASED_CENTRAL}", col.ROLE_ID], ascending=[False, True]
    )
    columns = [
        _Column(col.ROLE_ID, "Role id", None, 10),
        _Column(col.ROLE_TITLE, "Role", None, 36),
        _Column(col.STAFF_GROUP, "Staff group", None, 28),
        _Column(col.BAND, "Band", None, 10),
        _Column(col.FTE, "FTE", _FMT_FTE, 9),
        _Column(col.N_TASKS, "Tasks", _FMT_INT, 7),
        _Column(col.HOURS_TOTAL, "Hours worked a week", _FMT_HOURS, 12),
        _Column(col.HOURS_RELEASED, "Potential released, hours/week", _FMT_HOURS, 14),
        _Column(col.SHARE_RELEASED, "Potential share of hours", _FMT_SHARE, 11),
        _Column(col.WTE_RELEASED, "Potential released, WTE", _FMT_WTE, 12),
        *scen_cols,
    ]
    note = f"Sorted by '{_labels(result)[rank_by]}', central hours a week released."
    ws, first = _table_sheet(wb, "By role", frame, columns, note=note)
    base = len(columns) - len(scen_cols)
    central = base + 4 * names.index(rank_by) + 2
    return _ChartSource(ws, first, len(frame), 2, (central,))


def _write_tasks(wb: Workbook, result: Result) -> None:
    tasks = result.tasks.sort_values([col.ROLE_ID, col.TASK_ID], kind="stable")
    columns = [
        _Column(col.ROLE_ID, "Role id", None, 10),
        _Column(col.ROLE_TITLE, "Role", None, 28),
        _Column(col.STAFF_GROUP, "Staff group", None, 22),
        _Column(col.TASK_ID, "Task id", None, 9),
        _Column(col.TASK, "Task", None, 50, wrap=True),
        _Column(col.HOURS_PER_WEEK, "Hours a week (one post)", "0.0", 10),
        _Column(col.FTE, "FTE", _FMT_FTE, 8),
        _Column(col.CATEGORY_LABEL, "Category", None, 34),
        _Column(col.EXPOSURE, "Exposure", None, 9),
        _Column(col.SCORE, "Score", _FMT_SCORE, 8),
        _Column(col.HOURS_RELEASED, "Potential released, hours/week", _FMT_HOURS, 13),
        _Column(col.EVIDENCE, "Evidence (rules that fired)", None, 80),
        _Column(col.SOURCE_SHEET, "Source sheet", None, 10),
        _Column(col.SOURCE_ROW, "Source row", _FMT_INT, 8),
    ]
    note = None
    if len(tasks) > EXCEL_MAX_ROWS - 2:
        note = (
            f"Excel holds {EXCEL_MAX_ROWS - 2:,} of the {len(tasks):,} tasks; "
            "every task is in scored_tasks.csv."
        )
    _table_sheet(wb, "Tasks", tasks, columns, note=note)


def _write_issues(wb: Workbook, result: Result) -> None:
    issues = result.issues
    columns = [
        _Column("severity", "Severity", None, 10),
        _Column("code", "Code", None, 22),
        _Column("file", "File", None, 24),
        _Column("sheet", "Sheet", None, 10),
        _Column("row", "Row", _FMT_INT, 7),
        _Column("column", "Column", None, 18),
        _Column("value", "Value", None, 20),
        _Column("message", "Message", None, 80, wrap=True),
    ]
    note = None if len(issues) else "No issues: every input row was read and used."
    _table_sheet(wb, "Issues", issues, columns, note=note)


def _write_rules(wb: Workbook, result: Result) -> None:
    rules = result.ruleset.rules_frame()
    fired = result.evidence.groupby(col.RULE_ID).size().rename("tasks_fired")
    rules = rules.join(fired, on="rule_id")
    rules["tasks_fired"] = rules["tasks_fired"].fillna(0).astype(int)
    rules = rules[rules["tasks_fired"] > 0].sort_values(
        ["tasks_fired", "rule_id"], ascending=[False, True]
    )
    if "terms" in rules.columns:
        rules["terms"] = rules["terms"].map(
            lambda t: "; ".join(t) if isinstance(t, list | tuple) else t
        )
    columns = [
        _Column("rule_id", "Rule", None, 30),
        _Column("category", "Category", None, 24),
        _Column("weight", "Weight", "0.00", 8),
        _Column("tasks_fired", "Tasks it fired on", _FMT_INT, 10),
        _Column("rationale", "Rationale", None, 60, wrap=True),
    ]
    if "terms" in rules.columns:
        columns.append(_Column("terms", "Terms", None, 70, wrap=True))
    note = (
        f"Ruleset {result.ruleset.name} {result.ruleset.version}, sha256 {result.ruleset.hash}. "
        f"{len(rules)} of {len(result.ruleset.rules)} rules fired on this inventory."
    )
    _table_sheet(wb, "Rules used", rules, columns, note=note)


def _write_summary(
    ws: Any,
    result: Result,
    names: list[str],
    groups: _ChartSource,
    roles: _ChartSource,
    top_roles: int,
) -> None:
    t = result.trust.iloc[0]
    a = result.assumptions
    labels = _labels(result)
    meta = result.provenance
    widths = {"A": 46, "B": 18, "C": 18, "D": 18, "E": 18, "F": 14, "G": 14, "H": 14}
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    _print_setup(ws)
    rows_written = 0

    def append(cells: list[WriteOnlyCell]) -> None:
        nonlocal rows_written
        ws.append(cells)
        rows_written += 1

    def line(text: str = "", font: Font | None = None) -> None:
        append([_text_cell(ws, text or None, **({"font": font} if font else {}))])

    def header(*values: str) -> None:
        ws.row_dimensions[rows_written + 1].height = 30
        append(
            [
                _text_cell(ws, v, font=_HEADER_FONT, fill=_HEADER_FILL, alignment=_HEADER_ALIGN)
                for v in values
            ]
        )

    italic = Font(italic=True, color="555555")
    line("Hours generative AI could release", _TITLE_FONT)
    line(
        f"{result.inventory.source} · {int(t[col.N_ROLES])} roles, {int(t[col.N_TASKS])} tasks, "
        f"{t[col.FTE]:,.1f} FTE, {t[col.HOURS_TOTAL]:,.0f} hours worked a week."
    )
    line(
        "Hours released are potential capacity for other work, not cash savings or posts "
        "(see docs/interpreting-results.md).",
        italic,
    )
    line()
    line("Trust totals by scenario", _SECTION_FONT)
    header(
        "Scenario",
        "Low, hours/week",
        "Central, hours/week",
        "High, hours/week",
        "Central, hours/year",
        "Low, WTE",
        "Central, WTE",
        "High, WTE",
    )
    trust = result.scenarios.trust.set_index(col.SCENARIO)
    for name in names:
        r = trust.loc[name]
        append(
            [
                _text_cell(ws, labels[name]),
                _text_cell(ws, r[col.RELEASED_LOW], number_format=_FMT_HOURS),
                _text_cell(ws, r[col.RELEASED_CENTRAL], number_format=_FMT_HOURS, font=_BOLD),
                _text_cell(ws, r[col.RELEASED_HIGH], number_format=_FMT_HOURS),
                _text_cell(ws, r[col.RELEASED_YEAR_CENTRAL], number_format=_FMT_HOURS),
                _text_cell(ws, r[col.WTE_LOW], number_format=_FMT_WTE),
                _text_cell(ws, r[col.WTE_CENTRAL], number_format=_FMT_WTE, font=_BOLD),
                _text_cell(ws, r[col.WTE_HIGH], number_format=_FMT_WTE),
            ]
        )
    append(
        [
            _text_cell(ws, f"Full potential, all tasks, adoption {a.adoption_rate:.0%} (point)"),
            _text_cell(ws, None),
            _text_cell(ws, t[col.HOURS_RELEASED], number_format=_FMT_HOURS, font=_BOLD),
            _text_cell(ws, None),
            _text_cell(ws, t[col.HOURS_RELEASED_YEAR], number_format=_FMT_HOURS),
            _text_cell(ws, None),
            _text_cell(ws, t[col.WTE_RELEASED], number_format=_FMT_WTE, font=_BOLD),
            _text_cell(ws, None),
        ]
    )
    line(
        f"Low and high are the 10th and 90th percentiles of {result.scenarios.n_draws:,} "
        f"Monte Carlo draws (seed {result.scenarios.seed}); central is the median.",
        italic,
    )
    line()
    line("Scenario assumptions", _SECTION_FONT)
    header(
        "Scenario",
        "Exposure classes counted",
        "Adoption (low–central–high)",
        "Realisation (low–central–high)",
        "Time-share uncertainty (±)",
    )
    for s in result.scenarios.scenarios.scenarios:
        append(
            [
                _text_cell(ws, s.label),
                _text_cell(ws, " + ".join(s.exposures)),
                _text_cell(
                    ws, f"{s.adoption.low:.0%} – {s.adoption.central:.0%} – {s.adoption.high:.0%}"
                ),
                _text_cell(
                    ws,
                    f"{s.realisation.low:.0%} – {s.realisation.central:.0%} – "
                    f"{s.realisation.high:.0%}",
                ),
                _text_cell(ws, f"{s.time_share_uncertainty:.0%}"),
            ]
        )
    line()
    line("Assumptions and provenance", _SECTION_FONT)
    facts: list[tuple[str, object]] = [
        ("Input file", meta.get("input")),
        ("Input SHA-256", meta.get("input_sha256") or "n/a (not read from a file)"),
        ("Rows read", _counts(meta.get("rows_read"))),
        ("Rows rejected (see the Issues sheet)", _counts(meta.get("rows_rejected"))),
        ("Ruleset", f"{result.ruleset.name} {result.ruleset.version}"),
        ("Ruleset SHA-256", result.ruleset.hash),
        ("Scenarios version", meta.get("scenarios_version")),
        ("Scenarios SHA-256", meta.get("scenarios_sha256")),
        ("Working weeks a year", f"{a.working_weeks_per_year:g}"),
        ("Adoption rate (full-potential figure)", f"{a.adoption_rate:.0%}"),
        ("Monte Carlo", f"{result.scenarios.n_draws:,} draws, seed {result.scenarios.seed}"),
        ("genai_aug version", __version__),
        ("Written", dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")),
        ("Unclassified tasks (not counted)", f"{int(t[col.N_UNCLASSIFIED])}"),
        ("Input issues (see the Issues sheet)", f"{len(result.issues)}"),
    ]
    for label, value in facts:
        append([_text_cell(ws, label, font=_BOLD), _text_cell(ws, value)])
    line()
    line("Charts (central figures; ranges are in the tables)", _SECTION_FONT)
    anchor = rows_written + 1
    ws.row_breaks.append(Break(id=rows_written))  # charts start on a page of their own
    chart = _bar_chart(
        "Hours released a week by staff group, by scenario (central)",
        groups,
        n=groups.n_rows,
        height=max(9.0, 0.55 * groups.n_rows * max(1, len(names)) / 1.6),
    )
    chart.legend.position = "b"
    ws.add_chart(chart, f"A{anchor}")
    chart_rows = int(chart.height / 0.5) + 2
    n_top = min(top_roles, roles.n_rows)
    rank_by = _central(names)
    roles_chart = _bar_chart(
        f"Top {n_top} roles by hours released a week ({labels[rank_by]}, central)",
        roles,
        n=n_top,
        height=max(8.0, 0.85 * n_top),
        colour_offset=names.index(rank_by),
    )
    roles_chart.legend = None
    ws.row_breaks.append(Break(id=anchor + chart_rows - 2))
    ws.add_chart(roles_chart, f"A{anchor + chart_rows}")


def _bar_chart(
    title: str, source: _ChartSource, n: int, height: float, colour_offset: int = 0
) -> BarChart:
    """A horizontal bar chart of ``source``'s value columns over its first ``n`` rows."""
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = title
    chart.y_axis.title = "Hours per week"
    chart.y_axis.numFmt = "#,##0"
    chart.y_axis.majorGridlines = None
    chart.height, chart.width = height, 26
    header = source.first_row - 1
    for c in source.value_cols:
        chart.add_data(
            Reference(source.sheet, min_col=c, min_row=header, max_row=header + n),
            titles_from_data=True,
        )
    chart.set_categories(
        Reference(
            source.sheet, min_col=source.label_col, min_row=source.first_row, max_row=header + n
        )
    )
    chart.x_axis.scaling.orientation = "maxMin"  # first row at the top, as in the table
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    for i, series in enumerate(chart.series, start=colour_offset):
        colour = OKABE_ITO[_SCENARIO_COLOURS[i % len(_SCENARIO_COLOURS)]].lstrip("#")
        series.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = colour
    return chart
