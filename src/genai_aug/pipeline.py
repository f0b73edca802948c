"""The whole job in one call: load, score, aggregate; and the result it returns."""

from __future__ import annotations

import hashlib
import html
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from genai_aug import __version__
from genai_aug import _columns as col
from genai_aug.aggregating import Aggregates, Assumptions, aggregate_hours
from genai_aug.loading import load_inventory
from genai_aug.rules import Ruleset, RulesetLike, as_ruleset
from genai_aug.scenarios import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    QUANTILES,
    Scenario,
    ScenarioResults,
    ScenarioSet,
    load_scenarios,
    simulate,
)
from genai_aug.scoring import score_tasks_with_evidence
from genai_aug.validating import ErrorMode, Inventory

if TYPE_CHECKING:
    from matplotlib.figure import Figure

OUTPUT_FILES = {
    "tasks": "scored_tasks.csv",
    "roles": "hours_by_role.csv",
    "staff_groups": "hours_by_staff_group.csv",
    "trust": "hours_trust.csv",
    "evidence": "evidence.csv",
    "issues": "issues.csv",
    "unclassified": "unclassified_tasks.csv",
    "scenario_trust": "scenarios_trust.csv",
    "scenario_staff_groups": "scenarios_by_staff_group.csv",
    "scenario_roles": "scenarios_by_role.csv",
    "scenario_assumptions": "scenario_assumptions.csv",
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
    col.SCORE,
    col.HOURS_TOTAL,
    col.HOURS_RELEASED,
    col.HOURS_RELEASED_YEAR,
    col.WTE_RELEASED,
    col.EVIDENCE,
    col.CATEGORY_OVERRIDE,
    col.PATIENT_FACING,
    *col.PROVENANCE,
)


@dataclass(frozen=True, repr=False)
class Result:
    """Everything a run produces: scored tasks, hours released at every level, evidence, issues.

    Attributes
    ----------
    tasks : pandas.DataFrame
        One row per task: its score, category, exposure, evidence and hours.
    roles, staff_groups, trust : pandas.DataFrame
        Hours released per role, per NHS staff group and for the trust.
    evidence : pandas.DataFrame
        One row per rule that fired per task (``task_id``, ``rule_id``, ``category``,
        ``weight``, ``time_share``, ``matched``).
    issues : pandas.DataFrame
        Every warning, note and rejected row from loading.
    scenarios : ScenarioResults
        Hours released under each scenario, low–central–high, per role, staff group
        and trust (``scenarios.trust``, ``scenarios.staff_groups``, ``scenarios.roles``).
    assumptions : Assumptions
        The assumptions in force.
    ruleset : Ruleset
        The ruleset used (see ``ruleset.version`` and ``ruleset.hash``).
    inventory : Inventory
        The validated inventory the figures came from.
    """

    tasks: pd.DataFrame
    roles: pd.DataFrame
    staff_groups: pd.DataFrame
    trust: pd.DataFrame
    evidence: pd.DataFrame
    issues: pd.DataFrame
    scenarios: ScenarioResults
    assumptions: Assumptions
    ruleset: Ruleset
    inventory: Inventory
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def unclassified(self) -> pd.DataFrame:
        """Tasks that no rule recognised, for review (their hours are not counted as released)."""
        return self.tasks[~self.tasks[col.CLASSIFIED]].reset_index(drop=True)

    def summary(self, top: int = 10) -> str:
        """A plain-text summary: the trust, each staff group, the top roles, what to review."""
        t = self.trust.iloc[0]
        a = self.assumptions
        lines = [
            f"genai_aug {__version__} - hours Gen AI could release",
            f"Input: {self.inventory.source}",
            f"Ruleset: {self.ruleset.name} {self.ruleset.version} "
            f"(sha256 {self.ruleset.hash[:12]})",
            f"Assumptions: adoption rate {a.adoption_rate:.0%}, "
            f"{a.working_weeks_per_year:g} working weeks a year",
            "",
            f"Trust: {t[col.HOURS_RELEASED]:,.0f} of {t[col.HOURS_TOTAL]:,.0f} hours a week "
            f"({t[col.SHARE_RELEASED]:.1%}); {t[col.HOURS_RELEASED_YEAR]:,.0f} hours a year; "
            f"{t[col.WTE_RELEASED]:,.1f} WTE, across {t[col.N_ROLES]} roles and "
            f"{t[col.N_TASKS]} tasks.",
            "",
            "By staff group:",
            _table(self.staff_groups, col.STAFF_GROUP),
            "",
            f"Top {top} roles by hours released:",
            _table(
                self.roles.nlargest(top, col.HOURS_RELEASED, keep="all").head(top), col.ROLE_TITLE
            ),
            "",
            "Scenarios, trust hours a week released (low - central - high; "
            f"10th-90th percentiles of {self.scenarios.n_draws:,} draws, seed "
            f"{self.scenarios.seed}):",
            *self._scenario_lines(),
            "",
            f"Unclassified tasks (no rule matched; not counted, listed for review): "
            f"{int(t[col.N_UNCLASSIFIED])} ({t[col.HOURS_UNCLASSIFIED]:,.0f} hours a week)",
        ]
        counts = self.issues["severity"].value_counts()
        lines.append(
            f"Input issues: {int(counts.get('error', 0))} rejected row problems, "
            f"{int(counts.get('warning', 0))} warnings, {int(counts.get('info', 0))} notes"
        )
        return "\n".join(lines)

    def _scenario_lines(self) -> list[str]:
        trust = self.scenarios.trust.set_index(col.SCENARIO)
        lines = []
        for sc in self.scenarios.scenarios.scenarios:
            r = trust.loc[sc.name]
            lines.append(
                f"  {sc.label:<46} {r[col.RELEASED_LOW]:>9,.0f} - {r[col.RELEASED_CENTRAL]:>9,.0f}"
                f" - {r[col.RELEASED_HIGH]:>9,.0f} hours ({r[col.WTE_CENTRAL]:,.1f} WTE central)"
            )
        return lines

    def to_csv(self, directory: str | os.PathLike[str]) -> dict[str, Path]:
        """Write every table as CSV, and ``run_metadata.json``, into ``directory``.

        Returns the paths written, by table name. The CSV files are byte-identical
        for the same inventory, ruleset and assumptions.
        """
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        written: dict[str, Path] = {}
        tables = {
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
            "scenario_trust": self.scenarios.trust,
            "scenario_staff_groups": self.scenarios.staff_groups,
            "scenario_roles": self.scenarios.roles,
            "scenario_assumptions": self.scenarios.scenarios.to_frame(),
        }
        for name, frame in tables.items():
            path = out / OUTPUT_FILES[name]
            safe_for_spreadsheets(frame).to_csv(
                path, index=False, lineterminator="\n", float_format="%.10g"
            )
            written[name] = path
        meta = out / METADATA_FILE
        meta.write_text(json.dumps(self.provenance, indent=2, sort_keys=True) + "\n", "utf-8")
        written["metadata"] = meta
        return written

    def to_excel(self, path: str | os.PathLike[str]) -> Path:
        """Write a formatted workbook for people to read (see :func:`reporting.write_excel`).

        Sheets: Summary (trust totals with ranges, assumptions, ruleset version and hash,
        input and date, charts), By staff group, By role, Tasks, Issues and Rules used.
        """
        from genai_aug.reporting import write_excel

        return write_excel(self, path)

    def plot_staff_groups(self, scenarios: Sequence[str] | None = None) -> Figure:
        """Bar chart of hours released a week by staff group, per scenario, with ranges."""
        from genai_aug.reporting import plot_staff_groups

        return plot_staff_groups(self, scenarios)

    def plot_top_roles(self, n: int = 15, scenarios: Sequence[str] | None = None) -> Figure:
        """Bar chart of the ``n`` roles releasing most hours a week, with ranges."""
        from genai_aug.reporting import plot_top_roles

        return plot_top_roles(self, n, scenarios=scenarios)

    def plot_exposure_mix(self) -> Figure:
        """Stacked bars: each staff group's working hours by exposure class."""
        from genai_aug.reporting import plot_exposure_mix

        return plot_exposure_mix(self)

    def save_charts(self, directory: str | os.PathLike[str]) -> dict[str, Path]:
        """Write the three charts as PNG files into ``directory``."""
        from genai_aug.reporting import save_charts

        return save_charts(self, directory)

    def __repr__(self) -> str:
        t = self.trust.iloc[0]
        return (
            f"Result(roles={len(self.roles)}, tasks={len(self.tasks)}, "
            f"hours_released_per_week={t[col.HOURS_RELEASED]:.1f}, "
            f"ruleset={self.ruleset.version!r}/{self.ruleset.hash[:12]})"
        )

    def _repr_html_(self) -> str:
        t = self.trust.iloc[0]
        a = self.assumptions
        groups = pd.concat(
            [self.staff_groups, self.trust.rename(columns={col.LEVEL: col.STAFF_GROUP})]
        )
        view = pd.DataFrame(
            {
                "Staff group": groups[col.STAFF_GROUP].to_numpy(),
                "FTE": groups[col.FTE].map("{:,.1f}".format).to_numpy(),
                "Hours a week": groups[col.HOURS_TOTAL].map("{:,.0f}".format).to_numpy(),
                "Released, hours a week": groups[col.HOURS_RELEASED]
                .map("{:,.0f}".format)
                .to_numpy(),
                "Released, WTE": groups[col.WTE_RELEASED].map("{:,.1f}".format).to_numpy(),
                "Share released": groups[col.SHARE_RELEASED].map("{:.1%}".format).to_numpy(),
            }
        )
        table = view.to_html(index=False, border=0, justify="right")
        trust = self.scenarios.trust.set_index(col.SCENARIO)
        labels = self.scenarios.scenarios.labels
        scen = pd.DataFrame(
            {
                "Scenario": [labels[n] for n in trust.index],
                "Low, hours a week": trust[col.RELEASED_LOW].map("{:,.0f}".format).to_numpy(),
                "Central": trust[col.RELEASED_CENTRAL].map("{:,.0f}".format).to_numpy(),
                "High": trust[col.RELEASED_HIGH].map("{:,.0f}".format).to_numpy(),
                "Central, WTE": trust[col.WTE_CENTRAL].map("{:,.1f}".format).to_numpy(),
            }
        )
        scen_table = scen.to_html(index=False, border=0, justify="right", classes="scen")
        style = (
            "<style>.genai-aug table{border-collapse:collapse}"
            ".genai-aug td,.genai-aug th{padding:2px 10px;text-align:right}"
            ".genai-aug td:first-child,.genai-aug th:first-child{text-align:left}"
            ".genai-aug table:not(.scen) tr:last-child{font-weight:bold;border-top:1px solid #888}"
            ".genai-aug h5{margin:12px 0 4px 0}</style>"
        )
        return (
            f"{style}<div class='genai-aug'><h4>genai_aug: hours generative AI could release</h4>"
            f"<p><b>{t[col.HOURS_RELEASED]:,.0f}</b> of {t[col.HOURS_TOTAL]:,.0f} hours a week "
            f"({t[col.SHARE_RELEASED]:.1%}), {t[col.WTE_RELEASED]:,.1f} WTE, at full potential "
            f"(adoption {a.adoption_rate:.0%}, every task counted); "
            f"{int(t[col.N_UNCLASSIFIED])} unclassified task(s) listed for review.</p>"
            f"<p>Ruleset {html.escape(self.ruleset.name)} {html.escape(self.ruleset.version)} "
            f"(<code>{self.ruleset.hash[:12]}</code>); adoption {a.adoption_rate:.0%}; "
            f"{a.working_weeks_per_year:g} working weeks a year; input "
            f"{html.escape(self.inventory.source)}.</p>{table}"
            "<h5>Scenarios: trust hours a week released, 10th–50th–90th percentiles of "
            f"{self.scenarios.n_draws:,} draws (seed {self.scenarios.seed})</h5>{scen_table}"
            "<p><small>Tables: <code>.staff_groups</code>, <code>.roles</code>, "
            "<code>.tasks</code>, <code>.evidence</code>, <code>.issues</code>, "
            "<code>.scenarios.trust</code>, <code>.scenarios.staff_groups</code>, "
            "<code>.scenarios.roles</code>.</small></p></div>"
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
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype != object and not pd.api.types.is_string_dtype(values):
            continue
        risky = values.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_STARTS))
        if risky.any():
            out[column] = values.where(~risky, "'" + values.astype(str))
    return out


def _table(frame: pd.DataFrame, label: str) -> str:
    view = pd.DataFrame(
        {
            label: frame[label].astype(str).str.slice(0, 42),
            "FTE": frame[col.FTE].map("{:,.1f}".format),
            "hrs/wk released": frame[col.HOURS_RELEASED].map("{:,.0f}".format),
            "share": frame[col.SHARE_RELEASED].map("{:.1%}".format),
            "WTE": frame[col.WTE_RELEASED].map("{:,.1f}".format),
        }
    )
    return view.to_string(index=False)


def _file_digest(source: str) -> str | None:
    paths = [p.strip() for p in source.split(" + ")]
    if not all(Path(p).is_file() for p in paths):
        return None
    h = hashlib.sha256()
    for p in paths:
        h.update(Path(p).read_bytes())
    return h.hexdigest()


def run(
    source: str | os.PathLike[str] | pd.DataFrame | Inventory,
    tasks: str | os.PathLike[str] | pd.DataFrame | None = None,
    *,
    ruleset: RulesetLike = None,
    assumptions: Assumptions | Mapping[str, Any] | None = None,
    errors: ErrorMode = "raise",
    scenarios: str | os.PathLike[str] | ScenarioSet | Sequence[Scenario] | None = None,
    seed: int = DEFAULT_SEED,
    n_draws: int = DEFAULT_DRAWS,
    progress: Callable[[str], None] | None = None,
) -> Result:
    """Load an inventory, score its tasks and aggregate the hours released.

    Parameters
    ----------
    source : path, DataFrame or Inventory
        An Excel workbook, the roles CSV, the roles DataFrame, or an already
        loaded :class:`Inventory`.
    tasks : path or DataFrame, optional
        The tasks CSV or DataFrame when ``source`` is a CSV or DataFrame.
    ruleset : Ruleset, path or None
        The ruleset or a ruleset file; ``None`` for the packaged default.
    assumptions : Assumptions or mapping, optional
        Adoption rate and working weeks a year.
    errors : {"raise", "reject"}
        What to do with rows that have errors (see :func:`load_inventory`).
    scenarios : path, ScenarioSet or sequence of Scenario, optional
        The scenarios to report with low–central–high ranges; ``None`` for the packaged
        three (see :mod:`genai_aug.scenarios`).
    seed : int
        Seed of the Monte Carlo behind the ranges; the same seed gives the same figures.
    n_draws : int
        Number of Monte Carlo draws.
    progress : callable, optional
        Called with a short description as each stage starts (the CLI prints them).

    Returns
    -------
    Result

    Examples
    --------
    >>> from genai_aug import run, sample_path
    >>> result = run(sample_path())
    >>> result.trust["hours_released_per_week"].iloc[0] > 0
    np.True_
    """
    step = progress or (lambda _stage: None)
    rs = as_ruleset(ruleset)
    scen = load_scenarios(
        Path(scenarios) if isinstance(scenarios, str | os.PathLike) else scenarios
    )
    if not isinstance(source, Inventory):
        step("loading and checking the inventory")
    inventory = (
        source if isinstance(source, Inventory) else load_inventory(source, tasks, errors=errors)
    )
    step(f"scoring {len(inventory.tasks):,} tasks with {len(rs.rules)} rules")
    scored, evidence = score_tasks_with_evidence(inventory, rs)
    step(f"aggregating hours for {len(inventory.roles):,} roles")
    agg: Aggregates = aggregate_hours(scored, inventory.roles, assumptions)
    step(f"simulating {len(scen.scenarios)} scenarios × {n_draws:,} draws for the ranges")
    ranges = simulate(
        agg.tasks,
        agg.roles,
        [c.id for c in rs.categories],
        scen,
        seed=seed,
        n_draws=n_draws,
        working_weeks_per_year=agg.assumptions.working_weeks_per_year,
    )
    provenance = {
        "genai_aug_version": __version__,
        "input": inventory.source,
        "input_sha256": _file_digest(inventory.source),
        "ruleset_name": rs.name,
        "ruleset_version": rs.version,
        "ruleset_sha256": rs.hash,
        "assumptions": agg.assumptions.as_dict(),
        "scenarios_version": scen.version,
        "scenarios_sha256": scen.hash,
        "scenarios": [sc.model_dump(mode="json") for sc in scen.scenarios],
        "monte_carlo": {"seed": seed, "n_draws": n_draws, "quantiles": list(QUANTILES)},
        "rows_read": inventory.rows_read,
        "rows_rejected": inventory.rows_rejected,
        "blank_rows_skipped": inventory.blank_rows,
    }
    tables = [
        agg.tasks,
        agg.roles,
        agg.staff_groups,
        agg.trust,
        evidence,
        ranges.roles,
        ranges.staff_groups,
        ranges.trust,
    ]
    for frame in tables:
        frame.attrs["provenance"] = provenance
    return Result(
        tasks=agg.tasks,
        roles=agg.roles,
        staff_groups=agg.staff_groups,
        trust=agg.trust,
        evidence=evidence,
        issues=inventory.issues,
        scenarios=ranges,
        assumptions=agg.assumptions,
        ruleset=rs,
        inventory=inventory,
        provenance=provenance,
    )
