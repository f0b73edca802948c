"""The result of a run: every table, and the views of them that people read.

Every view — :meth:`Result.summary` (the terminal), ``_repr_html_`` (the notebook),
:meth:`Result.to_excel`, the charts and :meth:`Result.to_csv` — is built from the
result's own tables through :mod:`genai_aug._summary`, so they cannot disagree.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import numpy as np
import pandas as pd

from genai_aug import __version__, _summary
from genai_aug import _columns as col
from genai_aug._output import output_file, output_folder, replace_files
from genai_aug.aggregating import Assumptions, ScenarioResults
from genai_aug.inventory import Inventory
from genai_aug.rollup import AREA_LEVELS
from genai_aug.rules import Ruleset

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["METADATA_FILE", "OUTPUT_FILES", "Result", "safe_for_spreadsheets"]

OUTPUT_FILES = {
    "tasks": "scored_tasks.csv",
    "roles": "hours_by_role.csv",
    "staff_groups": "hours_by_staff_group.csv",
    "trust": "hours_trust.csv",
    "evidence": "evidence.csv",
    "issues": "issues.csv",
    "unclassified": "unclassified_tasks.csv",
    "review_first": "review_first.csv",
    "scenario_trust": "scenarios_trust.csv",
    "scenario_staff_groups": "scenarios_by_staff_group.csv",
    "scenario_roles": "scenarios_by_role.csv",
    "scenario_assumptions": "scenario_assumptions.csv",
    **{level: f"hours_by_{level}.csv" for level in AREA_LEVELS},
    **{f"scenario_{level}": f"scenarios_by_{level}.csv" for level in AREA_LEVELS},
}
METADATA_FILE = "run_metadata.json"

_TASK_OUTPUT_COLUMNS = (
    col.ROLE_ID,
    col.ROLE_TITLE,
    col.STAFF_GROUP,
    col.BAND,
    col.TASK_ID,
    col.TASK,
    col.HOURS_PER_WEEK,
    col.FTE,
    col.CATEGORY,
    col.CATEGORY_LABEL,
    col.EXPOSURE,
    col.MODE,
    col.SCORE,
    col.CONFIDENCE,
    col.TIME_SHARE,
    col.HOURS_TOTAL,
    col.HOURS_RELEASED,
    col.HOURS_AUTOMATION,
    col.HOURS_AUGMENTATION,
    col.HOURS_RELEASED_YEAR,
    col.WTE_RELEASED,
    col.ALTERNATIVE,
    col.HOURS_AT_STAKE,
    col.REVIEW_PRIORITY,
    col.EVIDENCE,
    col.CATEGORY_OVERRIDE,
    col.PATIENT_FACING,
    *col.PROVENANCE,
)


class Deferred:
    """A table built the first time it is read: see :class:`Result`'s ``evidence``.

    ``build`` is called once, with no arguments; ``attrs`` are set on the table it
    returns (as on any DataFrame's ``attrs``).
    """

    def __init__(self, build: Callable[[], pd.DataFrame]) -> None:
        self.build = build
        self.attrs: dict[str, Any] = {}

    def table(self) -> pd.DataFrame:
        """Build the table and give it the attributes set meanwhile."""
        frame = self.build()
        frame.attrs.update(self.attrs)
        return frame


class _Table:
    """A frozen dataclass field holding a DataFrame, or a :class:`Deferred` one that is
    built, and kept, when the field is first read."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.slot = f"_{name}_table"

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _Table: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> pd.DataFrame: ...
    def __get__(self, obj: object | None, owner: type | None = None) -> pd.DataFrame | _Table:
        if obj is None:  # (a dataclass reads this for the field's default: it has none)
            raise AttributeError(self.name)
        value: pd.DataFrame | Deferred = obj.__dict__[self.slot]
        if isinstance(value, Deferred):
            value = obj.__dict__[self.slot] = value.table()
        return value

    def tasks_fired(self, obj: object) -> pd.Series:
        """Tasks each rule fired on, by rule id, from the table or, while it is not
        built, from what would build it (when that can count without building)."""
        value = obj.__dict__[self.slot]
        counter = getattr(value.build, "tasks_fired", None) if isinstance(value, Deferred) else None
        if counter is not None:
            fired: pd.Series = counter()
            return fired
        return self.__get__(obj).groupby(col.RULE_ID).size()

    def __set__(self, obj: object, value: pd.DataFrame | Deferred) -> None:
        if self.slot in obj.__dict__:  # set once, by __init__
            raise AttributeError(f"cannot assign to field '{self.name}'")
        obj.__dict__[self.slot] = value


@dataclass(frozen=True, repr=False)
class Result:
    """Everything a run produces: scored tasks, hours released at every level, evidence, issues.

    Attributes
    ----------
    tasks : pandas.DataFrame
        One row per task: its category, exposure, mode, score, confidence, evidence,
        hours, and the headline scenario's central hours released.
    roles, staff_groups, trust : pandas.DataFrame
        Per role, per NHS staff group and for the trust: hours contracted, listed, not
        listed and unclassified, and the headline scenario's hours released (central,
        low, high; automation and augmentation; per year; WTE; per WTE per month).
    evidence : pandas.DataFrame
        One row per rule that fired per task (``task_id``, ``rule_id``, ``category``,
        ``weight``, ``time_share``, ``matched``). Built from the evidence of the distinct
        texts the first time it is read (a national inventory's table has millions of
        rows that a run that never reads it need not build); the same table either way.
    issues : pandas.DataFrame
        Every warning, note and rejected row from loading.
    scenarios : ScenarioResults
        Every scenario's figures per role, staff group and trust
        (``scenarios.trust``, ``scenarios.staff_groups``, ``scenarios.roles``);
        ``scenarios.headline`` names the headline.
    assumptions : Assumptions
        The calendar assumptions in force.
    ruleset : Ruleset
        The ruleset used (see ``ruleset.version`` and ``ruleset.hash``).
    inventory : Inventory
        The validated inventory the figures came from.
    provenance : dict
        What every figure depends on, as written to ``run_metadata.json``.
    areas : dict of str to pandas.DataFrame
        Per organisation (when roles carry one in ``trust``) and, with an organisation
        lookup, per ICB and region: the headline's figures, as for staff groups.
        ``scenarios.areas`` has every scenario's.
    """

    tasks: pd.DataFrame
    roles: pd.DataFrame
    staff_groups: pd.DataFrame
    trust: pd.DataFrame
    if TYPE_CHECKING:  # (mypy reads a DataFrame; a Deferred one is taken too, see _Table)
        evidence: pd.DataFrame
    else:
        evidence: _Table = _Table()  # a DataFrame, or a Deferred one built when first read
    issues: pd.DataFrame
    scenarios: ScenarioResults
    assumptions: Assumptions
    ruleset: Ruleset
    inventory: Inventory
    provenance: dict[str, Any] = field(default_factory=dict)
    areas: dict[str, pd.DataFrame] = field(default_factory=dict)

    def _tasks_fired(self) -> pd.Series:
        """Tasks each rule fired on, by rule id (the report's *Rules used* sheet): counted
        from the distinct texts' evidence while the evidence table is not built."""
        table: _Table = vars(type(self))["evidence"]
        return table.tasks_fired(self)

    @property
    def headline(self) -> _summary.Headline:
        """The figure a board quotes: the headline scenario's central figure and range."""
        return _summary.headline(self)

    @property
    def unclassified(self) -> pd.DataFrame:
        """Tasks that no rule recognised, for review (their hours are not counted as released)."""
        return self.tasks[~self.tasks[col.CLASSIFIED]].reset_index(drop=True)

    def review_first(self, n: int = _summary.REVIEW_FIRST_ROWS) -> pd.DataFrame:
        """The ``n`` tasks whose review matters most: hours at stake × (1 − confidence)."""
        return _summary.review_first(self, n)

    def summary(self, top: int = 10) -> str:
        """A plain-text summary: the headline first, then staff groups, top roles, scenarios."""
        h = self.headline
        t = self.trust.iloc[0]
        top_roles = _summary.top_roles(self, top)
        n_review = len(self.review_first())
        lines = [
            h.sentence(),
            f"  Range: {h.range_note}.",
            f"  {h.split_text()}",
            "",
            f"genai_aug {__version__}; input {self.inventory.source}",
            f"Ruleset: {self.ruleset.name} {self.ruleset.version} "
            f"(sha256 {self.ruleset.hash[:12]}); scenarios {self.scenarios.scenarios.version} "
            f"(sha256 {self.scenarios.scenarios.hash[:12]}); "
            f"{self.assumptions.working_weeks_per_year:g} working weeks a year",
            f"{int(t[col.N_ROLES]):,} roles, {int(t[col.N_TASKS]):,} tasks, {t[col.FTE]:,.1f} FTE; "
            f"{t[col.HOURS_TOTAL]:,.0f} hours a week listed, {t[col.HOURS_NOT_LISTED]:,.0f} "
            "contracted but not listed (never counted as released).",
            "",
            f"By staff group ({h.label}):",
            _text_table(
                _summary.staff_groups(self),
                {
                    col.STAFF_GROUP: "staff group",
                    col.FTE: "FTE",
                    col.HOURS_RELEASED: "hrs/wk released",
                    col.RELEASED_LOW: "low",
                    col.RELEASED_HIGH: "high",
                    col.HOURS_AUTOMATION: "automation",
                    col.HOURS_AUGMENTATION: "augmentation",
                    col.SHARE_RELEASED: "share",
                    col.WTE_RELEASED: "WTE",
                },
            ),
            "",
            f"Top {len(top_roles)} roles by hours released ({h.label}, central):",
            _text_table(
                top_roles,
                {
                    col.ROLE_ID: "role id",
                    col.ROLE_TITLE: "role",
                    col.FTE: "FTE",
                    col.HOURS_RELEASED: "hrs/wk released",
                    col.RELEASED_LOW: "low",
                    col.RELEASED_HIGH: "high",
                    col.SHARE_RELEASED: "share",
                    col.WTE_RELEASED: "WTE",
                },
            ),
            *self._area_lines(top, h.label),
            "",
            "Every scenario, trust hours a week released (low - central - high):",
            *self._scenario_lines(),
            "",
            f"Review first: the {min(5, n_review)} tasks where a check matters most (hours at "
            f"stake × (1 − confidence)); the first {n_review} in review_first.csv:",
            *self._review_lines(5),
            "",
            f"Unclassified tasks (no rule matched; not counted, listed for review): "
            f"{int(t[col.N_UNCLASSIFIED])} ({t[col.HOURS_UNCLASSIFIED]:,.0f} hours a week)"
            + (
                ", most hours first; all in unclassified_tasks.csv:"
                if t[col.N_UNCLASSIFIED]
                else ""
            ),
            *self._unclassified_lines(5),
        ]
        counts = self.issues["severity"].value_counts()
        lines.append(
            f"Input issues: {int(counts.get('error', 0))} rejected row problems, "
            f"{int(counts.get('warning', 0))} warnings, {int(counts.get('info', 0))} notes"
        )
        return "\n".join(lines)

    def _area_lines(self, top: int, label: str) -> list[str]:
        orgs = self.areas.get("organisation")
        if orgs is None or len(orgs) < 2:
            return []
        return [
            "",
            f"Top {min(top, len(orgs))} of {len(orgs)} organisations by hours released "
            f"({label}, central):",
            _text_table(
                _summary.ranked_areas(self, "organisation").head(top),
                {
                    "organisation": "organisation",
                    col.FTE: "FTE",
                    col.HOURS_RELEASED: "hrs/wk released",
                    col.RELEASED_LOW: "low",
                    col.RELEASED_HIGH: "high",
                    col.SHARE_RELEASED: "share",
                    col.DAYS_PER_WTE_MONTH: "days/WTE/month",
                },
            ),
        ]

    def _scenario_lines(self) -> list[str]:
        lines = []
        for _, r in _summary.scenarios(self).iterrows():
            mark = " (headline)" if r["headline"] else ""
            lines.append(
                f"  {str(r['label'])[:46] + mark:<57} {r[col.RELEASED_LOW]:>9,.0f} - "
                f"{r[col.HOURS_RELEASED]:>9,.0f} - {r[col.RELEASED_HIGH]:>9,.0f} hours "
                f"({r[col.WTE_RELEASED]:,.1f} WTE central)"
            )
        return lines

    def _unclassified_lines(self, n: int) -> list[str]:
        """The ``n`` unclassified tasks holding most hours (of all who do them), to review."""
        tasks = self.unclassified
        if tasks.empty:
            return []
        top = tasks.sort_values(
            [col.HOURS_UNCLASSIFIED, col.ROLE_ID, col.TASK_ID],
            ascending=[False, True, True],
            kind="stable",
        ).head(n)
        return [
            f"  {r[col.ROLE_ID]} {r[col.TASK_ID]}: {str(r[col.TASK])[:60]}, "
            f"{r[col.HOURS_UNCLASSIFIED]:,.0f} h/wk"
            for _, r in top.iterrows()
        ]

    def _review_lines(self, n: int) -> list[str]:
        review = self.review_first(n)
        return [
            f"  {r[col.ROLE_ID]} {r[col.TASK_ID]}: {str(r[col.TASK])[:60]} -> {r[col.CATEGORY]} "
            f"{r[col.EXPOSURE]}, confidence {r[col.CONFIDENCE]:.2f}, "
            f"{r[col.HOURS_AT_STAKE]:,.0f} h/wk at stake"
            for _, r in review.iterrows()
        ]

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table a run writes, by name (the keys of ``OUTPUT_FILES``)."""
        return {
            "tasks": self.tasks[[c for c in _TASK_OUTPUT_COLUMNS if c in self.tasks.columns]],
            "roles": self.roles,
            "staff_groups": self.staff_groups,
            "trust": self.trust,
            "evidence": self.evidence,
            "issues": self.issues,
            "unclassified": self.unclassified[
                [
                    col.ROLE_ID,
                    col.ROLE_TITLE,
                    col.TASK_ID,
                    col.TASK,
                    col.HOURS_PER_WEEK,
                    *col.PROVENANCE,
                ]
            ],
            "review_first": self.review_first(),
            "scenario_trust": self.scenarios.trust,
            "scenario_staff_groups": self.scenarios.staff_groups,
            "scenario_roles": self.scenarios.roles,
            "scenario_assumptions": self.scenarios.scenarios.to_frame(),
            **self.areas,
            **{f"scenario_{level}": frame for level, frame in self.scenarios.areas.items()},
        }

    def to_csv(self, directory: str | os.PathLike[str]) -> dict[str, Path]:
        """Write every table as CSV, and ``run_metadata.json``, into ``directory``.

        Returns the paths written, by table name. The CSV files are byte-identical
        for the same inventory, ruleset, scenarios and seed.
        """
        out = output_folder(directory, "The CSV folder")
        tables = self.tables()

        def csv(frame: pd.DataFrame) -> Callable[[Path], None]:
            return lambda path: safe_for_spreadsheets(frame).to_csv(
                path, index=False, lineterminator="\n", float_format="%.10g"
            )

        def metadata(path: Path) -> None:
            text = json.dumps(self.provenance, indent=2, sort_keys=True) + "\n"
            path.write_text(text, encoding="utf-8")

        writers = {OUTPUT_FILES[name]: csv(frame) for name, frame in tables.items()}
        writers[METADATA_FILE] = metadata
        files = replace_files(
            out, writers, ours=[*OUTPUT_FILES.values(), METADATA_FILE], last=METADATA_FILE
        )
        written = {name: files[OUTPUT_FILES[name]] for name in tables}
        written["metadata"] = files[METADATA_FILE]
        return written

    def to_parquet(self, directory: str | os.PathLike[str]) -> dict[str, Path]:
        """Write every table as Parquet into ``directory`` (the CSV names, ``.parquet``).

        Parquet keeps each column's type and reads back in a fraction of the time of CSV,
        which matters for a national inventory's million-row task and evidence tables.
        Values are written as they are (no spreadsheet escaping: Parquet is not opened
        by spreadsheets). Needs pyarrow, a dependency of genai_aug.
        """
        out = output_folder(directory, "The Parquet folder")
        tables = self.tables()

        def parquet_name(name: str) -> str:
            return Path(OUTPUT_FILES[name]).with_suffix(".parquet").name

        def parquet(frame: pd.DataFrame) -> Callable[[Path], None]:
            return lambda path: _arrow_safe(frame).to_parquet(path, index=False)

        files = replace_files(
            out,
            {parquet_name(name): parquet(frame) for name, frame in tables.items()},
            ours=[parquet_name(name) for name in OUTPUT_FILES],
        )
        return {name: files[parquet_name(name)] for name in tables}

    def to_excel(self, path: str | os.PathLike[str]) -> Path:
        """Write a formatted workbook for people to read (see :func:`reporting.write_excel`).

        Sheets: Summary (the headline with its range, every scenario, the automation and
        augmentation split, assumptions, ruleset version and hash, input and date, charts),
        By staff group, By role, Review first, Tasks, Issues and Rules used.
        """
        from genai_aug.reporting import write_excel

        return write_excel(self, output_file(path, "The report path"))

    def plot_staff_groups(self, scenarios: Sequence[str] | None = None) -> Figure:
        """Bar chart of hours released a week by staff group, per scenario, with ranges."""
        from genai_aug.reporting import plot_staff_groups

        return plot_staff_groups(self, scenarios)

    def plot_top_roles(self, n: int = 15, scenarios: Sequence[str] | None = None) -> Figure:
        """Bar chart of the ``n`` roles releasing most hours a week (headline), with ranges."""
        from genai_aug.reporting import plot_top_roles

        return plot_top_roles(self, n, scenarios=scenarios)

    def plot_modes(self) -> Figure:
        """Stacked bars: each staff group's headline hours released, automation vs augmentation."""
        from genai_aug.reporting import plot_modes

        return plot_modes(self)

    def plot_exposure_mix(self) -> Figure:
        """Stacked bars: each staff group's working hours by exposure class."""
        from genai_aug.reporting import plot_exposure_mix

        return plot_exposure_mix(self)

    def save_charts(self, directory: str | os.PathLike[str]) -> dict[str, Path]:
        """Write the charts as PNG files into ``directory``."""
        from genai_aug.reporting import save_charts

        return save_charts(self, output_folder(directory, "The charts folder"))

    def __repr__(self) -> str:
        h = self.headline
        return (
            f"Result(roles={len(self.roles)}, tasks={len(self.tasks)}, "
            f"headline={h.scenario!r}, hours_released_per_week={h.hours:.1f} "
            f"[{h.hours_low:.1f}, {h.hours_high:.1f}], "
            f"ruleset={self.ruleset.version!r}/{self.ruleset.hash[:12]})"
        )

    def _repr_html_(self) -> str:
        h = self.headline
        groups = _summary.staff_groups(self)
        view = pd.DataFrame(
            {
                header: groups[source].map(_summary.FORMATS.get(source, "{}").format).to_numpy()
                for source, header in _summary.STAFF_GROUP_VIEW.items()
            }
        )
        table = view.to_html(index=False, border=0, justify="right")
        scen = _summary.scenarios(self)
        scen_view = pd.DataFrame(
            {
                "Scenario": [
                    f"{label}{' (headline)' if flag else ''}"
                    for label, flag in zip(scen["label"], scen["headline"], strict=True)
                ],
                "Low, hours a week": scen[col.RELEASED_LOW].map("{:,.0f}".format).to_numpy(),
                "Central": scen[col.HOURS_RELEASED].map("{:,.0f}".format).to_numpy(),
                "High": scen[col.RELEASED_HIGH].map("{:,.0f}".format).to_numpy(),
                "Central, WTE": scen[col.WTE_RELEASED].map("{:,.1f}".format).to_numpy(),
                "Scope": scen["scope"].to_numpy(),
            }
        )
        scen_table = scen_view.to_html(index=False, border=0, justify="right", classes="scen")
        top = _summary.top_roles(self, 10)
        role_view = pd.DataFrame(
            {
                "Role": (top[col.ROLE_ID] + " " + top[col.ROLE_TITLE].astype(str)).to_numpy(),
                "Staff group": top[col.STAFF_GROUP].to_numpy(),
                "FTE": top[col.FTE].map("{:,.1f}".format).to_numpy(),
                "Released, low": top[col.RELEASED_LOW].map("{:,.0f}".format).to_numpy(),
                "Released, hours a week": top[col.HOURS_RELEASED].map("{:,.0f}".format).to_numpy(),
                "Released, high": top[col.RELEASED_HIGH].map("{:,.0f}".format).to_numpy(),
                "Share of hours": top[col.SHARE_RELEASED].map("{:.1%}".format).to_numpy(),
            }
        )
        role_table = role_view.to_html(index=False, border=0, justify="right", classes="scen")
        style = (
            "<style>.genai-aug table{border-collapse:collapse}"
            ".genai-aug td,.genai-aug th{padding:2px 10px;text-align:right}"
            ".genai-aug td:first-child,.genai-aug th:first-child{text-align:left}"
            ".genai-aug table:not(.scen) tr:last-child{font-weight:bold;border-top:1px solid #888}"
            ".genai-aug h5{margin:12px 0 4px 0}</style>"
        )
        return (
            f"{style}<div class='genai-aug'><h4>genai_aug: hours generative AI could release</h4>"
            f"<p><b>{html.escape(h.sentence())}</b><br><small>Range: "
            f"{html.escape(h.range_note)}. {html.escape(h.split_text())}</small></p>"
            f"<p>Ruleset {html.escape(self.ruleset.name)} {html.escape(self.ruleset.version)} "
            f"(<code>{self.ruleset.hash[:12]}</code>); scenarios "
            f"{html.escape(self.scenarios.scenarios.version)}; "
            f"{self.assumptions.working_weeks_per_year:g} working weeks a year; input "
            f"{html.escape(self.inventory.source)}.</p>"
            f"<h5>By staff group ({html.escape(h.label)})</h5>{table}"
            f"<h5>Top {len(top)} roles by hours released ({html.escape(h.label)})</h5>"
            f"{role_table}"
            f"<h5>Every scenario, trust hours a week released ({html.escape(h.range_note)} "
            f"for the headline; each scenario its own)</h5>{scen_table}"
            "<p><small>Tables: <code>.staff_groups</code>, <code>.roles</code>, "
            "<code>.tasks</code>, <code>.review_first()</code>, <code>.evidence</code>, "
            "<code>.issues</code>, <code>.scenarios.trust</code>, "
            "<code>.scenarios.staff_groups</code>, <code>.scenarios.roles</code>."
            "</small></p></div>"
        )


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_for_spreadsheets(frame: pd.DataFrame) -> pd.DataFrame:
    """Neutralise text cells a spreadsheet would run as a formula (CSV/formula injection).

    A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
    written with a leading apostrophe, so Excel and LibreOffice show it as text. Numbers
    are left alone.

    Examples
    --------
    >>> safe_for_spreadsheets(pd.DataFrame({"t": ["=1+1", "Book clinics"], "n": [-1, 2]}))
                  t  n
    0         '=1+1 -1
    1  Book clinics  2
    """
    out = frame.copy(deep=False)  # (risky columns are replaced, never written into)
    for column in out.columns:
        values = out[column]
        if values.dtype != object and not pd.api.types.is_string_dtype(values):
            continue
        if values.dtype == object:  # any values: each distinct one is looked at once
            codes, uniques = pd.factorize(values)
            flags = [isinstance(v, str) and v.startswith(FORMULA_STARTS) for v in uniques]
            risky = np.append(np.array(flags, dtype=bool), False)[codes]  # (−1: missing)
        else:  # text only: vectorised
            risky = values.str.startswith(FORMULA_STARTS).fillna(False).to_numpy(dtype=bool)
        if risky.any():
            out[column] = values.where(~risky, "'" + values.astype(str))
    return out


def _arrow_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns holding more than one type of value (an issue's 'value') as text,
    and those holding no value at all (no rows, or every one missing) as text too.

    The tables' object columns are texts kept as they were read (ids, titles, task
    texts, overrides); pyarrow writes one with no value as a column of nulls, so the
    unclassified tasks' file of an inventory with none, or the tasks' file of one with
    no override, had another schema. Written as Arrow ``string``, what pyarrow makes of
    texts as objects, such a column reads back as the same text dtype.
    """
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype != object:
            continue
        kinds = {type(v) for v in values.dropna()}
        if len(kinds) > 1 or (kinds and not kinds <= {str}):
            out[column] = values.map(lambda v: v if pd.isna(v) else str(v)).astype("string")
        elif not kinds:
            out[column] = values.astype(pd.StringDtype("python", na_value=np.nan))
    return out


def _text_table(frame: pd.DataFrame, columns: dict[str, str]) -> str:
    """A plain-text table of ``columns`` (source: header), figures as in every output."""
    view = pd.DataFrame(
        {
            header: frame[source]
            .map(_summary.FORMATS[source].format if source in _summary.FORMATS else _short)
            .to_numpy()
            for source, header in columns.items()
        }
    )
    return view.to_string(index=False)


def _short(value: object) -> str:
    return str(value)[:42]
