"""Reporting: the Excel workbook and the charts a board or workforce committee reads.

:func:`write_excel` writes a formatted workbook (Summary, By staff group, By role, Review
first, Tasks, Issues, Rules used) with native Excel bar charts; the ``plot_*`` functions return
matplotlib figures (built without ``pyplot``, so nothing global changes and nothing is
shown until asked) in the Okabe–Ito colour-blind-safe palette; :func:`save_charts`
writes them as PNG. Every text cell is written as text, never as a formula.

Workbooks are written with XlsxWriter in constant-memory mode: rows stream to disk as
they are written, so a report of a million tasks needs little memory. Every figure,
order and label comes from :mod:`genai_aug._summary`, as in the terminal and notebook.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xlsxwriter
import xlsxwriter.exceptions

from genai_aug import __version__, _summary
from genai_aug import _columns as col
from genai_aug._output import atomic_file, output_file, output_folder, replace_files
from genai_aug._reference import STAFF_GROUPS
from genai_aug.errors import OutputError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from genai_aug.result import Result

__all__ = [
    "OKABE_ITO",
    "plot_exposure_mix",
    "plot_modes",
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
REPORT_MAX_ROWS = 10_000
"""Rows the report's Tasks, By role and Issues sheets show at most.

A board reads a few hundred rows; past this size the Tasks and By role sheets list the
rows releasing most hours under the headline, the Issues sheet the first issues (errors
first) with a count by code, and each sheet says so. Every row is in the CSV and Parquet
files.
"""

# --- charts -----------------------------------------------------------------


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=110, layout="constrained")
    return fig


def _footnote_text(result: Result, scenarios: str) -> str:
    """Source, ruleset, scenario(s), version and date: what a chart needs to be traced."""
    meta = result.provenance
    source = Path(str(meta.get("input") or result.inventory.source)).name
    return (
        f"Source: {source} · ruleset {result.ruleset.name} {result.ruleset.version} "
        f"({result.ruleset.hash[:12]}) · {scenarios} · genai_aug {__version__} · "
        f"{dt.date.today().isoformat()}"
    )


def _footnote(fig: Figure, result: Result, scenarios: str) -> None:
    """The footnote under the chart, so a copied chart keeps it."""
    fig.supxlabel(_footnote_text(result, scenarios), fontsize=7, color="#555555", x=0.0, ha="left")


def _legend_below(ax: Any, ncol: int) -> None:
    """The legend under the axis label, never over the bars or the label.

    It hangs a fixed distance (in points, not in a share of the axes, so short charts
    get the same room) below the axes; the layout engine makes room for it.
    """
    from matplotlib.transforms import offset_copy

    below = offset_copy(ax.transAxes, fig=ax.figure, y=-_LABEL_ROOM_PT, units="points")
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        bbox_transform=below,
        ncol=ncol,
        frameon=False,
        fontsize=8,
    )


_LABEL_ROOM_PT = 48  # tick labels and a two-line axis label at 8 pt


def _hours_axis(ax: Any, values: np.ndarray[Any, Any]) -> None:
    """An hours axis from 0, with thousands separators and no '−0'."""
    top = float(np.nanmax(values)) if values.size and np.isfinite(values).any() else 0.0
    ax.set_xlim(0, top * 1.05 if top > 0 else 1.0)
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{abs(x):,.0f}" if abs(x) < 0.5 else f"{x:,.0f}")


def _headline_line(result: Result) -> str:
    """The headline in a chart's subtitle: the figure, its range and its scenario."""
    h = result.headline
    return (
        f"Headline: {h.hours:,.0f} hours a week "
        f"(P10–P90 {h.hours_low:,.0f} – {h.hours_high:,.0f}), {h.label}"
    )


def _scenario_names(result: Result, scenarios: Sequence[str] | None) -> list[str]:
    known = [s.name for s in result.scenarios.scenarios.scenarios]
    if scenarios is None:
        return known
    unknown = [s for s in scenarios if s not in known]
    if unknown:
        from genai_aug.errors import ScenarioError

        raise ScenarioError(f"Unknown scenario(s) {unknown}; this result has {known}.")
    return list(scenarios)


def _grouped_bars(
    fig: Figure,
    frame: pd.DataFrame,
    key: str,
    order: list[str],
    scenarios: list[str],
    result: Result,
    title: str,
) -> Figure:
    ax = fig.add_subplot()
    n = len(scenarios)
    height = 0.8 / n
    y = np.arange(len(order))
    labels = result.scenarios.scenarios.labels
    headline = result.scenarios.headline
    for i, name in enumerate(scenarios):
        part = frame[frame[col.SCENARIO] == name].set_index(key).reindex(order)
        central = part[col.HOURS_RELEASED].to_numpy(dtype=float)
        err = np.vstack(
            [
                central - part[col.RELEASED_LOW].to_numpy(dtype=float),
                part[col.RELEASED_HIGH].to_numpy(dtype=float) - central,
            ]
        )
        mark = " (headline)" if name == headline else ""
        ax.barh(
            y + (i - (n - 1) / 2) * height,
            central,
            height=height,
            color=OKABE_ITO[_SCENARIO_COLOURS[i % len(_SCENARIO_COLOURS)]],
            xerr=err,
            error_kw={"ecolor": "#333333", "elinewidth": 0.8, "capsize": 2},
            label=labels[name] + mark,
        )
    highs = frame.loc[frame[col.SCENARIO].isin(scenarios), col.RELEASED_HIGH].to_numpy(float)
    _finish_hours_chart(
        fig,
        ax,
        result,
        order=order,
        largest=highs,
        xlabel="Hours released per week. Bar: central figure. Whisker: P10–P90 of that "
        f"scenario's\nMonte Carlo ({result.scenarios.n_draws:,} draws, seed "
        f"{result.scenarios.seed}).",
        title=title,
        legend_cols=1 if n > 2 else n,
        scope="scenarios: " + ", ".join(scenarios),
    )
    return fig


def _finish_hours_chart(
    fig: Figure,
    ax: Any,
    result: Result,
    *,
    order: list[str],
    largest: np.ndarray[Any, Any],
    xlabel: str,
    title: str,
    legend_cols: int,
    scope: str,
) -> None:
    """What every hours-released bar chart has: axes, headline, legend below and footnote."""
    ax.set_yticks(np.arange(len(order)), order)
    ax.invert_yaxis()
    _hours_axis(ax, largest)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(f"{title}\n", loc="left", fontsize=11, fontweight="bold")
    ax.set_title(_headline_line(result), loc="right", fontsize=8, color="#333333")
    _legend_below(ax, legend_cols)
    _footnote(fig, result, scope)


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
    fig = _figure(9.5, 1.8 + 0.32 * len(order) * max(2, len(names)) / 1.5)
    return _grouped_bars(
        fig,
        frame,
        col.STAFF_GROUP,
        order,
        names,
        result,
        "Hours generative AI could release, by staff group (hours per week)",
    )


def plot_top_roles(result: Result, n: int = 15, scenarios: Sequence[str] | None = None) -> Figure:
    """Bar chart: the ``n`` roles releasing most hours a week under the headline, with ranges.

    Roles are ranked by the headline scenario's central figure, as in every other output.

    Parameters
    ----------
    result : Result
    n : int, default 15
        How many roles to show.
    scenarios : sequence of str, optional
        Scenario names to show; all by default.

    Returns
    -------
    matplotlib.figure.Figure
    """
    names = _scenario_names(result, scenarios)
    top = _summary.top_roles(result, n)
    title_of = dict(zip(top[col.ROLE_ID], top[col.ROLE_TITLE], strict=True))
    order = list(top[col.ROLE_ID])
    frame = result.scenarios.roles
    frame = frame[frame[col.ROLE_ID].isin(order)]
    fig = _figure(9.5, 2.0 + 0.3 * len(order) * max(2, len(names)) / 1.5)
    _grouped_bars(
        fig,
        frame,
        col.ROLE_ID,
        order,
        names,
        result,
        f"Top {len(order)} roles by hours released (hours per week)",
    )
    ax = fig.axes[0]
    ax.set_yticks(ax.get_yticks(), [_short(title_of[r], 40) for r in order])
    return fig


def plot_modes(result: Result) -> Figure:
    """Stacked bars: each staff group's headline hours released, automation vs augmentation.

    Returns
    -------
    matplotlib.figure.Figure
    """
    groups = result.staff_groups
    order = list(groups[col.STAFF_GROUP])
    fig = _figure(9.5, 1.9 + 0.42 * len(order))
    ax = fig.add_subplot()
    y = np.arange(len(order))
    auto = groups[col.HOURS_AUTOMATION].to_numpy(dtype=float)
    aug = groups[col.HOURS_AUGMENTATION].to_numpy(dtype=float)
    ax.barh(y, auto, color=OKABE_ITO["vermillion"], label="Automation: the system does the task")
    ax.barh(
        y, aug, left=auto, color=OKABE_ITO["sky_blue"], label="Augmentation: staff do it, AI helps"
    )
    _finish_hours_chart(
        fig,
        ax,
        result,
        order=order,
        largest=auto + aug,
        xlabel="Hours released per week (central figure)",
        title="Automation and augmentation, by staff group (hours per week)",
        legend_cols=2,
        scope=f"scenario: {result.scenarios.headline}",
    )
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
    fig = _figure(9.5, 1.9 + 0.42 * len(order))
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
    ax.set_xlabel("Share of the staff group's working hours (%)", fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(
        "Working hours by exposure class and staff group (% of hours)",
        loc="left",
        fontsize=11,
        fontweight="bold",
    )
    _legend_below(ax, 4)
    _footnote(fig, result, "all tasks as scored (no scenario)")
    return fig


CHART_FILES = {
    "staff_groups": "chart_hours_by_staff_group.png",
    "top_roles": "chart_top_roles.png",
    "modes": "chart_automation_augmentation.png",
    "exposure_mix": "chart_exposure_mix.png",
}


def save_charts(result: Result, directory: str | os.PathLike[str]) -> dict[str, Path]:
    """Write the charts as PNG files into ``directory``; returns their paths."""
    out = output_folder(directory, "The charts folder")
    figures = {
        "staff_groups": plot_staff_groups(result),
        "top_roles": plot_top_roles(result),
        "modes": plot_modes(result),
        "exposure_mix": plot_exposure_mix(result),
    }

    def png(fig: Figure) -> Callable[[Path], None]:
        software = {"Software": f"genai_aug {__version__}"}
        return lambda path: fig.savefig(path, format="png", dpi=110, metadata=software)

    files = replace_files(
        out,
        {CHART_FILES[name]: png(fig) for name, fig in figures.items()},
        ours=CHART_FILES.values(),
    )
    return {name: files[CHART_FILES[name]] for name in figures}


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# --- Excel ------------------------------------------------------------------

_NAVY = "#1F4E79"
_HOURS = "#,##0"
_WTE = "#,##0.0"
_SHARE = "0.0%"
_SCORE = "0.00"
_INT = "0"


@dataclass(frozen=True)
class _Column:
    """One column of a table sheet: its source column, header, number format and width."""

    source: str
    header: str
    fmt: str | None = None
    width: float = 14
    wrap: bool = False


@dataclass
class _Formats:
    """XlsxWriter formats, made once per workbook and shared by every cell that uses them."""

    book: Any
    cache: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    def get(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self.cache:
            self.cache[key] = self.book.add_format(props)
        return self.cache[key]

    @property
    def header(self) -> Any:
        return self.get(
            bold=True,
            font_color="#FFFFFF",
            bg_color=_NAVY,
            text_wrap=True,
            valign="vcenter",
            align="center",
            border=1,
            border_color="#FFFFFF",
        )


@dataclass(frozen=True)
class _Table:
    """A table sheet to write: its frame, columns, an optional note and total row."""

    name: str
    frame: pd.DataFrame
    columns: tuple[_Column, ...]
    note: str | None = None
    total: pd.Series | None = None

    @property
    def header_row(self) -> int:
        """0-based row of the header (row 1 holds the note when there is one)."""
        return 1 if self.note else 0

    @property
    def n_rows(self) -> int:
        return min(len(self.frame), EXCEL_MAX_ROWS - self.header_row - 2)

    def col_index(self, source: str) -> int:
        return [c.source for c in self.columns].index(source)


def _print_setup(ws: Any, repeat_row: int | None = None) -> None:
    """Landscape A4, one page wide, header repeated: what a printed board pack needs."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    if repeat_row is not None:
        ws.repeat_rows(repeat_row)


def _cell_writer(ws: Any) -> Any:
    """Write one value by its type: text always as a string, never as a formula."""

    def write(row: int, column: int, value: object, fmt: Any = None) -> None:
        if value is None or value is pd.NA or value is pd.NaT:
            ws.write_blank(row, column, None, fmt)
        elif isinstance(value, bool | np.bool_):
            ws.write_boolean(row, column, bool(value), fmt)
        elif isinstance(value, int | float | np.integer | np.floating):
            number = float(value)
            if math.isfinite(number):
                ws.write_number(row, column, number, fmt)
            else:
                ws.write_blank(row, column, None, fmt)
        elif isinstance(value, dt.datetime | dt.date):
            ws.write_datetime(row, column, value, fmt)
        else:
            ws.write_string(row, column, str(value), fmt)

    return write


def _column_writer(
    ws: Any, write: Any, index: int, values: pd.Series, fmt: Any
) -> Callable[[int, int], None]:
    """Write row ``r`` of one column at sheet row ``row``, the type decided once per column.

    Numbers and text columns skip :func:`_cell_writer`'s per-cell look at the type (the
    cells come out the same); other columns go through it.
    """
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
        finite = np.isfinite(numbers).tolist()
        floats = numbers.tolist()
        write_number, write_blank = ws.write_number, ws.write_blank

        def number(row: int, r: int) -> None:
            if finite[r]:
                write_number(row, index, floats[r], fmt)
            else:
                write_blank(row, index, None, fmt)

        return number
    if pd.api.types.is_string_dtype(values) and not pd.api.types.is_object_dtype(values):
        texts = values.astype(object).where(values.notna(), None).tolist()
        write_string, write_blank = ws.write_string, ws.write_blank

        def text(row: int, r: int) -> None:
            value = texts[r]
            if value is None:
                write_blank(row, index, None, fmt)
            else:
                write_string(row, index, value, fmt)

        return text
    cells = values.to_numpy(dtype=object)

    def cell(row: int, r: int) -> None:
        write(row, index, cells[r], fmt)

    return cell


def _write_table(book: Any, formats: _Formats, table: _Table) -> Any:
    """A sheet with a styled, frozen, filtered header row; returns the worksheet."""
    ws = book.add_worksheet(table.name)
    write = _cell_writer(ws)
    h = table.header_row
    for i, c in enumerate(table.columns):
        ws.set_column(i, i, c.width)
    ws.freeze_panes(h + 1, 1)
    _print_setup(ws, h)
    if table.note:
        ws.write_string(0, 0, table.note, formats.get(italic=True, font_color="#555555"))
    head_lines = max(math.ceil(len(c.header) / max(c.width * 0.85, 1.0)) for c in table.columns)
    ws.set_row(h, 15 * max(2, head_lines) + 4)
    for i, c in enumerate(table.columns):
        ws.write_string(h, i, c.header, formats.header)

    n = table.n_rows
    frame = table.frame.iloc[:n]
    cell_formats = [
        formats.get(num_format=c.fmt or "General", valign="top", text_wrap=c.wrap)
        for c in table.columns
    ]
    writers = [
        _column_writer(ws, write, i, frame[c.source], fmt)
        for i, (c, fmt) in enumerate(zip(table.columns, cell_formats, strict=True))
    ]
    # Wrapped text needs a row height: viewers do not all fit rows to their text.
    lines: np.ndarray[Any, Any] = np.ones(n, dtype=int)
    for c in table.columns:
        if c.wrap:
            length = frame[c.source].astype(str).str.len().to_numpy()
            lines = np.maximum(lines, np.ceil(length / max(c.width * 1.05, 1.0)).astype(int))
    for r in range(n):
        row = h + 1 + r
        if lines[r] > 1:
            ws.set_row(row, 15 * min(int(lines[r]), 12))
        for column_writer in writers:
            column_writer(row, r)
    last = h + n
    if table.total is not None:
        last += 1
        for i, c in enumerate(table.columns):
            fmt = formats.get(num_format=c.fmt or "General", bold=True, top=1, top_color="#888888")
            write(last, i, table.total.get(c.source), fmt)
    ws.autofilter(h, 0, max(last, h), len(table.columns) - 1)
    return ws


_SCENARIO_FIGURES = {
    col.RELEASED_LOW: ("low, hours/week", _HOURS),
    col.HOURS_RELEASED: ("central, hours/week", _HOURS),
    col.RELEASED_HIGH: ("high, hours/week", _HOURS),
    col.WTE_RELEASED: ("central, WTE", _WTE),
}


def _scenario_wide(
    result: Result,
    frame: pd.DataFrame,
    key: str,
    names: list[str],
    figures: Sequence[str] = tuple(_SCENARIO_FIGURES),
) -> tuple[pd.DataFrame, list[_Column]]:
    """A long scenario table's ``figures``, one column per scenario and figure, by ``key``."""
    labels = result.scenarios.scenarios.labels
    columns: list[_Column] = []
    pieces = []
    for name in names:
        part = frame[frame[col.SCENARIO] == name].set_index(key)
        for source in figures:
            header, fmt = _SCENARIO_FIGURES[source]
            new = f"{name}__{source}"
            pieces.append(part[source].rename(new))
            columns.append(_Column(new, f"{labels[name]}: {header}", fmt, 15))
    return pd.concat(pieces, axis=1), columns


def _headline_columns(result: Result) -> tuple[_Column, ...]:
    """The headline's figures, in the same order on every sheet."""
    return (
        _Column(col.HOURS_CONTRACTED, "Hours contracted a week", _HOURS, 12),
        _Column(col.HOURS_TOTAL, "Hours listed a week (tasks)", _HOURS, 12),
        _Column(col.HOURS_NOT_LISTED, "Hours not listed (never released)", _HOURS, 12),
        _Column(col.RELEASED_LOW, "Released, low (P10), hours/week", _HOURS, 12),
        _Column(col.HOURS_RELEASED, "Released, central, hours/week", _HOURS, 13),
        _Column(col.RELEASED_HIGH, "Released, high (P90), hours/week", _HOURS, 12),
        _Column(col.HOURS_AUTOMATION, "of which automation", _HOURS, 12),
        _Column(col.HOURS_AUGMENTATION, "of which augmentation", _HOURS, 12),
        _Column(col.SHARE_RELEASED, "Share of hours listed", _SHARE, 10),
        _Column(col.WTE_RELEASED, "WTE released (central)", _WTE, 11),
        _Column(col.DAYS_PER_WTE_MONTH, "Days released per WTE per month", "0.00", 11),
    )


def _groups_table(result: Result, names: list[str]) -> _Table:
    wide, scen_cols = _scenario_wide(result, result.scenarios.staff_groups, col.STAFF_GROUP, names)
    frame = result.staff_groups.set_index(col.STAFF_GROUP).join(wide).reset_index()
    total = result.trust.iloc[0].copy()
    total[col.STAFF_GROUP] = total[col.LEVEL]
    twide, _ = _scenario_wide(result, result.scenarios.trust, col.LEVEL, names)
    for c in twide.columns:
        total[c] = twide[c].iloc[0]
    columns = (
        _Column(col.STAFF_GROUP, "Staff group", None, 40),
        _Column(col.N_ROLES, "Roles", _INT, 8),
        _Column(col.FTE, "FTE", _WTE, 10),
        *_headline_columns(result),
        *scen_cols,
    )
    note = f"Headline: {result.headline.label}; {result.headline.range_note}."
    return _Table("By staff group", frame, columns, note=note, total=total)


_AREA_SHEETS = {"organisation": "By organisation", "icb": "By ICB", "region": "By region"}


def _area_tables(result: Result, names: list[str]) -> list[_Table]:
    """A sheet per area level with two or more areas, most hours released first."""
    tables = []
    for level, sheet in _AREA_SHEETS.items():
        if level not in result.areas or len(result.areas[level]) < 2:
            continue
        ranked = _summary.ranked_areas(result, level)
        wide, scen_cols = _scenario_wide(
            result, result.scenarios.areas[level], level, names, figures=[col.HOURS_RELEASED]
        )
        frame = ranked.set_index(level).join(wide).reset_index()
        columns = (
            _Column(
                level,
                {"organisation": "Organisation", "icb": "ICB", "region": "Region"}[level],
                None,
                40,
            ),
            _Column(col.N_ROLES, "Roles", _INT, 8),
            _Column(col.FTE, "FTE", _WTE, 10),
            *_headline_columns(result),
            *scen_cols,
        )
        note = (
            f"Sorted by the headline ({result.headline.label}), central hours a week released; "
            "low and high are P10–P90 of its Monte Carlo, drawn for each area as a whole."
        )
        tables.append(_Table(sheet, frame, columns, note=note))
    return tables


def _roles_table(result: Result, names: list[str]) -> _Table:
    ranked = _summary.ranked_roles(result)
    shown = ranked.head(REPORT_MAX_ROWS)
    wide, scen_cols = _scenario_wide(result, result.scenarios.roles, col.ROLE_ID, names)
    frame = shown.set_index(col.ROLE_ID).join(wide).reset_index()
    columns = (
        _Column(col.ROLE_ID, "Role id", None, 10),
        _Column(col.ROLE_TITLE, "Role", None, 36),
        _Column(col.STAFF_GROUP, "Staff group", None, 28),
        _Column(col.BAND, "Band", None, 10),
        _Column(col.FTE, "FTE", _WTE, 9),
        _Column(col.N_TASKS, "Tasks", _INT, 7),
        *_headline_columns(result),
        *scen_cols,
    )
    note = (
        f"Sorted by the headline ({result.headline.label}), central hours a week released; "
        "low and high are P10–P90 of its Monte Carlo."
    )
    if len(ranked) > len(shown):
        note += (
            f" Showing the {len(shown):,} of {len(ranked):,} roles releasing most hours "
            f"({_share_of(shown, ranked)} of the hours released); every role is in "
            "hours_by_role.csv and .parquet."
        )
    return _Table("By role", frame, columns, note=note)


def _share_of(shown: pd.DataFrame, every: pd.DataFrame) -> str:
    """The share of the headline's hours released that the rows shown account for."""
    total = float(every[col.HOURS_RELEASED].sum())
    if total <= 0:
        return "none"
    return f"{float(shown[col.HOURS_RELEASED].sum()) / total:.1%}"


def _review_table(result: Result) -> _Table:
    review = result.review_first()
    labels = {c.id: c.label for c in result.ruleset.categories}
    review = review.assign(**{col.CATEGORY_LABEL: review[col.CATEGORY].map(labels)})
    columns = (
        _Column(col.ROLE_ID, "Role id", None, 10),
        _Column(col.ROLE_TITLE, "Role", None, 26),
        _Column(col.TASK_ID, "Task id", None, 10),
        _Column(col.TASK, "Task", None, 48, wrap=True),
        _Column(col.CATEGORY_LABEL, "Category", None, 34, wrap=True),
        _Column(col.CATEGORY, "Category id (for category_override)", None, 22),
        _Column(col.EXPOSURE, "Exposure", None, 9),
        _Column(col.MODE, "Mode", None, 13),
        _Column(col.CONFIDENCE, "Confidence", _SCORE, 10),
        _Column(col.ALTERNATIVE, "Or else (strongest category on the other side)", None, 20),
        _Column(col.HOURS_RELEASED, "Released, central, hours/week", _HOURS, 12),
        _Column(col.HOURS_AT_STAKE, "Hours at stake a week", _HOURS, 11),
        _Column(col.REVIEW_PRIORITY, "Review priority (at stake × (1 − confidence))", "0.0", 13),
        _Column(col.EVIDENCE, "Evidence (rules that fired)", None, 70, wrap=True),
        _Column(col.SOURCE_SHEET, "Source sheet", None, 10),
        _Column(col.SOURCE_ROW, "Source row", _INT, 8),
    )
    note = (
        f"The {len(review)} tasks whose check matters most: hours at stake (how far the "
        "headline moves if the task's exposed-or-not went the other way) × (1 − confidence). "
        "Check each; set a category_override in the inventory where the category is wrong, "
        "and run again."
    )
    return _Table("Review first", review, columns, note=note)


def _tasks_table(result: Result) -> _Table:
    tasks = result.tasks
    note = None
    if len(tasks) > REPORT_MAX_ROWS:
        top = _summary.top_rows(
            tasks,
            [col.HOURS_RELEASED, col.ROLE_ID, col.TASK_ID],
            ascending=[False, True, True],
            n=REPORT_MAX_ROWS,
        )
        note = (
            f"Showing the {len(top):,} of {len(tasks):,} tasks releasing most hours under the "
            f"headline ({_share_of(top, tasks)} of the hours released), in role order; every "
            "task is in scored_tasks.csv and .parquet."
        )
        tasks = top
    tasks = tasks.sort_values([col.ROLE_ID, col.TASK_ID], kind="stable")
    columns = (
        _Column(col.ROLE_ID, "Role id", None, 10),
        _Column(col.ROLE_TITLE, "Role", None, 28),
        _Column(col.STAFF_GROUP, "Staff group", None, 22),
        _Column(col.TASK_ID, "Task id", None, 9),
        _Column(col.TASK, "Task", None, 50, wrap=True),
        _Column(col.HOURS_PER_WEEK, "Hours a week (one post)", "0.0", 10),
        _Column(col.FTE, "FTE", _WTE, 8),
        _Column(col.CATEGORY_LABEL, "Category", None, 34, wrap=True),
        _Column(col.EXPOSURE, "Exposure", None, 9),
        _Column(col.MODE, "Mode", None, 13),
        _Column(col.TIME_SHARE, "Time share", _SHARE, 8),
        _Column(col.CONFIDENCE, "Confidence", _SCORE, 10),
        _Column(col.HOURS_RELEASED, "Released, central, hours/week", _HOURS, 13),
        _Column(col.EVIDENCE, "Evidence (rules that fired)", None, 80),
        _Column(col.SOURCE_SHEET, "Source sheet", None, 10),
        _Column(col.SOURCE_ROW, "Source row", _INT, 8),
    )
    return _Table("Tasks", tasks, columns, note=note)


def _issues_table(result: Result) -> _Table:
    columns = (
        _Column("severity", "Severity", None, 10),
        _Column("code", "Code", None, 22),
        _Column("file", "File", None, 24),
        _Column("sheet", "Sheet", None, 10),
        _Column("row", "Row", _INT, 7),
        _Column("column", "Column", None, 18),
        _Column("value", "Value", None, 20),
        _Column("message", "Message", None, 80, wrap=True),
    )
    issues = result.issues
    note = None if len(issues) else "No issues: every input row was read and used."
    if len(issues) > REPORT_MAX_ROWS:
        errors_first = issues["severity"].ne("error").to_numpy()
        shown = issues.iloc[np.argsort(errors_first, kind="stable")[:REPORT_MAX_ROWS]]
        counts = issues.groupby(["code", "severity"], sort=True).size()
        counts = counts.sort_values(ascending=False, kind="stable")
        by_code = "; ".join(
            f"{code} ({severity}) {n:,}"
            for (code, severity), n in zip(counts.index.tolist(), counts.tolist(), strict=True)
        )
        note = (
            f"Showing the first {len(shown):,} of {len(issues):,} issues, errors first; every "
            f"issue is in issues.csv. By code: {by_code}."
        )
        issues = shown
    return _Table("Issues", issues, columns, note=note)


def _rules_table(result: Result) -> _Table:
    rules = result.ruleset.rules_frame()
    fired = result._tasks_fired().rename("tasks_fired")
    rules = rules.join(fired, on="rule_id")
    rules["tasks_fired"] = rules["tasks_fired"].fillna(0).astype(int)
    rules = rules[rules["tasks_fired"] > 0].sort_values(
        ["tasks_fired", "rule_id"], ascending=[False, True]
    )
    columns = [
        _Column("rule_id", "Rule", None, 30),
        _Column("category", "Category", None, 24),
        _Column("weight", "Weight", "0.00", 8),
        _Column("tasks_fired", "Tasks it fired on", _INT, 10),
        _Column("rationale", "Rationale", None, 60, wrap=True),
    ]
    if "terms" in rules.columns:
        rules["terms"] = rules["terms"].map(
            lambda t: "; ".join(t) if isinstance(t, list | tuple) else t
        )
        columns.append(_Column("terms", "Terms", None, 70, wrap=True))
    note = (
        f"Ruleset {result.ruleset.name} {result.ruleset.version}, sha256 {result.ruleset.hash}. "
        f"{len(rules)} of {len(result.ruleset.rules)} rules fired on this inventory."
    )
    return _Table("Rules used", rules, tuple(columns), note=note)


def write_excel(result: Result, path: str | os.PathLike[str], top_roles: int = 15) -> Path:
    """Write the result as a formatted Excel workbook for people to read.

    Sheets: *Summary* (the headline figure with its range, every scenario low–central–high,
    the automation and augmentation split by staff group, the assumptions, the ruleset's
    version and hash, the input and the date, and native bar charts), *By staff group*,
    *By role*, *Review first* (the tasks whose check matters most), *Tasks* (category,
    exposure, mode, confidence, evidence), *Issues* (every warning and rejected row, with
    its location) and *Rules used*. Header rows are styled, frozen and filtered; numbers
    carry formats; text is always text.

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
    out = output_file(path, "The report path")
    with atomic_file(out) as tmp:
        _write_workbook(result, tmp, top_roles)
    return out


def _write_workbook(result: Result, out: Path, top_roles: int) -> None:
    names = _scenario_names(result, None)
    book = xlsxwriter.Workbook(
        str(out),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    book.set_properties(
        {"title": "Hours generative AI could release", "author": f"genai_aug {__version__}"}
    )
    formats = _Formats(book)
    groups, roles = _groups_table(result, names), _roles_table(result, names)
    summary = book.add_worksheet("Summary")
    _write_summary(book, summary, formats, result, groups, roles, top_roles)
    for table in (
        groups,
        *_area_tables(result, names),
        roles,
        _review_table(result),
        _tasks_table(result),
        _issues_table(result),
        _rules_table(result),
    ):
        _write_table(book, formats, table)
    try:
        book.close()
    except xlsxwriter.exceptions.FileCreateError as exc:
        raise OutputError(f"The report '{out}' could not be written ({exc}).") from None


def _write_summary(
    book: Any,
    ws: Any,
    formats: _Formats,
    result: Result,
    groups: _Table,
    roles: _Table,
    top_roles: int,
) -> None:
    h = result.headline
    t = result.trust.iloc[0]
    a = result.assumptions
    meta = result.provenance
    write = _cell_writer(ws)
    ws.set_column(0, 0, 46)
    ws.set_column(1, 4, 18)
    ws.set_column(5, 8, 14)
    _print_setup(ws)
    bold = formats.get(bold=True)
    italic = formats.get(italic=True, font_color="#555555")
    section = formats.get(bold=True, font_size=11, font_color=_NAVY)
    row = 0

    def line(text: str = "", fmt: Any = None) -> None:
        nonlocal row
        if text:
            ws.write_string(row, 0, text, fmt)
        row += 1

    def header(*values: str) -> None:
        nonlocal row
        ws.set_row(row, 30)
        for i, v in enumerate(values):
            ws.write_string(row, i, v, formats.header)
        row += 1

    line(
        "Hours generative AI could release", formats.get(bold=True, font_size=14, font_color=_NAVY)
    )
    line(h.sentence(), formats.get(bold=True, font_size=11))
    line(
        f"Range: {h.range_note}. {h.split_text()}",
        italic,
    )
    line(
        f"{result.inventory.source} · {int(t[col.N_ROLES]):,} roles, "
        f"{int(t[col.N_TASKS]):,} tasks, "
        f"{t[col.FTE]:,.1f} FTE, {t[col.HOURS_TOTAL]:,.0f} hours listed a week "
        f"({t[col.HOURS_NOT_LISTED]:,.0f} contracted but not listed, never counted as released)."
    )
    line(
        "Hours released are potential capacity for other work, not cash savings or posts "
        "(see docs/interpreting-results.md).",
        italic,
    )
    line()
    line(f"{t[col.LEVEL]}: every scenario", section)
    header(
        "Scenario",
        "Low (P10), hours/week",
        "Central, hours/week",
        "High (P90), hours/week",
        "Central, hours/year",
        "Low, WTE",
        "Central, WTE",
        "High, WTE",
        "Days per WTE per month",
    )
    hours, wte = formats.get(num_format=_HOURS), formats.get(num_format=_WTE)
    hours_b, wte_b = (
        formats.get(num_format=_HOURS, bold=True),
        formats.get(num_format=_WTE, bold=True),
    )
    trust = result.scenarios.trust.set_index(col.SCENARIO)
    for _, s in _summary.scenarios(result).iterrows():
        r = trust.loc[s[col.SCENARIO]]
        cells = [
            (
                str(s["label"]) + (" (headline)" if s["headline"] else ""),
                bold if s["headline"] else None,
            ),
            (r[col.RELEASED_LOW], hours),
            (r[col.HOURS_RELEASED], hours_b),
            (r[col.RELEASED_HIGH], hours),
            (r[col.HOURS_RELEASED_YEAR], hours),
            (r[col.WTE_LOW], wte),
            (r[col.WTE_RELEASED], wte_b),
            (r[col.WTE_HIGH], wte),
            (r[col.DAYS_PER_WTE_MONTH], formats.get(num_format="0.00")),
        ]
        for i, (value, fmt) in enumerate(cells):
            write(row, i, value, fmt)
        row += 1
    line(
        f"Central: each scenario's central assumptions, added up task by task. Low and high: "
        f"the 10th and 90th percentiles of {result.scenarios.n_draws:,} Monte Carlo draws "
        f"(seed {result.scenarios.seed}).",
        italic,
    )
    line()
    line(f"Automation and augmentation by staff group ({h.label}, central)", section)
    header(
        "Staff group",
        "Automation, hours/week",
        "Augmentation, hours/week",
        "Total, hours/week",
        "Automation share",
    )
    share = formats.get(num_format=_SHARE)
    mode_rows = _summary.staff_groups(result)
    for _, g in mode_rows.iterrows():
        total = g[col.HOURS_RELEASED]
        last = g[col.STAFF_GROUP] == t[col.LEVEL]
        cells = [
            (g[col.STAFF_GROUP], bold if last else None),
            (g[col.HOURS_AUTOMATION], hours_b if last else hours),
            (g[col.HOURS_AUGMENTATION], hours_b if last else hours),
            (total, hours_b if last else hours),
            (g[col.HOURS_AUTOMATION] / total if total > 0 else 0.0, share),
        ]
        for i, (value, fmt) in enumerate(cells):
            write(row, i, value, fmt)
        row += 1
    line(
        "Automation: the system does the task end to end and staff handle exceptions. "
        "Augmentation: staff still do and own the task; AI drafts, summarises or suggests.",
        italic,
    )
    line()
    line("Scenario assumptions", section)
    header(
        "Scenario",
        "Exposure classes counted",
        "Adoption (low–central–high)",
        "Realisation (low–central–high)",
        "Time-share uncertainty (±)",
        "Scope",
    )
    for sc in result.scenarios.scenarios.scenarios:
        cells_text = [
            sc.label + (" (headline)" if sc.name == result.scenarios.headline else ""),
            " + ".join(sc.exposures),
            f"{sc.adoption.low:.0%} – {sc.adoption.central:.0%} – {sc.adoption.high:.0%}",
            f"{sc.realisation.low:.0%} – {sc.realisation.central:.0%} – {sc.realisation.high:.0%}",
            f"{sc.time_share_uncertainty:.0%}",
            sc.scope_text(),
        ]
        for i, text in enumerate(cells_text):
            ws.write_string(row, i, text)
        row += 1
    line()
    line("Assumptions and provenance", section)
    facts: list[tuple[str, object]] = [
        ("Input file", meta.get("input")),
        ("Input SHA-256", meta.get("input_sha256") or "n/a (not read from a file)"),
        ("Rows read", _counts(meta.get("rows_read"))),
        ("Rows rejected (see the Issues sheet)", _counts(meta.get("rows_rejected"))),
        ("Ruleset", f"{result.ruleset.name} {result.ruleset.version}"),
        ("Ruleset SHA-256", result.ruleset.hash),
        ("Scenarios version", meta.get("scenarios_version")),
        ("Scenarios SHA-256", meta.get("scenarios_sha256")),
        ("Headline scenario", f"{h.scenario} ({h.label})"),
        ("Working weeks a year", f"{a.working_weeks_per_year:g}"),
        ("Working days a month", f"{a.working_days_per_month:g}"),
        ("Monte Carlo", f"{result.scenarios.n_draws:,} draws, seed {result.scenarios.seed}"),
        ("genai_aug version", __version__),
        ("Written", dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")),
        ("Unclassified tasks (not counted)", f"{int(t[col.N_UNCLASSIFIED])}"),
        ("Input issues (see the Issues sheet)", f"{len(result.issues)}"),
    ]
    for label, value in facts:
        ws.write_string(row, 0, label, bold)
        write(row, 1, "" if value is None else str(value))
        row += 1
    line()
    line("Charts (central figures; the ranges are in the tables above and on each sheet)", section)
    ws.set_h_pagebreaks([row - 1])  # the charts start on a page of their own

    n_groups = groups.n_rows
    pagebreaks = []
    foot = formats.get(italic=True, font_size=8, font_color="#555555")

    def place(chart: Any, height: float, scenarios: str) -> None:
        """The chart at the current row, its footnote right below it."""
        nonlocal row
        pagebreaks.append(row - 1)
        ws.insert_chart(row, 0, chart)
        row += int(height / 20) + 1
        ws.write_string(row - 1, 0, _footnote_text(result, scenarios), foot)
        row += 1

    modes_chart = book.add_chart({"type": "bar", "subtype": "stacked"})
    _add_series(modes_chart, groups, groups.col_index(col.HOURS_AUTOMATION), n_groups, 4)
    _add_series(modes_chart, groups, groups.col_index(col.HOURS_AUGMENTATION), n_groups, 5)
    chart_height = max(380, 30 * n_groups)
    _style_chart(
        modes_chart,
        f"Automation and augmentation by staff group ({h.label}, central hours a week)",
        height=chart_height,
    )
    place(modes_chart, chart_height, f"scenario: {h.scenario}")

    groups_chart = book.add_chart({"type": "bar"})
    names = [s.name for s in result.scenarios.scenarios.scenarios]
    for i, name in enumerate(names):
        _add_series(
            groups_chart, groups, groups.col_index(f"{name}__{col.HOURS_RELEASED}"), n_groups, i
        )
    groups_height = max(420, 36 * n_groups * max(1, len(names)) / 1.6)
    _style_chart(
        groups_chart,
        "Hours released a week by staff group, by scenario (central)",
        height=groups_height,
    )
    place(groups_chart, groups_height, "scenarios: " + ", ".join(names))

    n_top = min(top_roles, roles.n_rows)
    roles_chart = book.add_chart({"type": "bar"})
    _add_series(roles_chart, roles, roles.col_index(col.HOURS_RELEASED), n_top, 0)
    roles_height = max(380, 30 * n_top)
    _style_chart(
        roles_chart,
        f"Top {n_top} roles by hours released a week ({h.label}, central)",
        height=roles_height,
        legend=False,
    )
    place(roles_chart, roles_height, f"scenario: {h.scenario}")
    ws.set_h_pagebreaks(pagebreaks)


def _add_series(chart: Any, table: _Table, value_col: int, n: int, colour_index: int) -> None:
    """A series of ``table``'s column ``value_col`` over its first ``n`` rows."""
    h = table.header_row
    label_col = 1 if table.name == "By role" else 0
    colour = OKABE_ITO[_SCENARIO_COLOURS[colour_index % len(_SCENARIO_COLOURS)]]
    chart.add_series(
        {
            "name": [table.name, h, value_col],
            "categories": [table.name, h + 1, label_col, h + n, label_col],
            "values": [table.name, h + 1, value_col, h + n, value_col],
            "fill": {"color": colour},
            "border": {"color": colour},
            "gap": 60,
        }
    )


def _style_chart(chart: Any, title: str, height: float, legend: bool = True) -> None:
    chart.set_title({"name": title, "name_font": {"size": 12, "bold": True}})
    # In a bar chart the y axis is the category axis: reverse it so the table's first
    # row is the top bar, as in the table.
    chart.set_y_axis({"reverse": True, "num_font": {"size": 9}})
    chart.set_x_axis(
        {
            "name": "Hours per week",
            "num_format": "#,##0",
            "major_gridlines": {"visible": True, "line": {"color": "#DDDDDD"}},
        }
    )
    chart.set_legend({"position": "bottom"} if legend else {"none": True})
    chart.set_size({"width": 980, "height": height})


def _counts(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {v:,}" for k, v in value.items())
    return str(value)
