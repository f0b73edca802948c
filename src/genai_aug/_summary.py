"""The tables every output shows: built once here, so terminal, notebook, Excel and charts agree.

The terminal summary (:meth:`Result.summary`), the notebook view (``_repr_html_``), the
Excel Summary and its sheets and the charts all take their figures, their order and
their wording from these functions, which read only the result's own tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from genai_aug import _columns as col
from genai_aug.aggregating import rank_roles

if TYPE_CHECKING:
    from genai_aug.result import Result

REVIEW_FIRST_ROWS = 50
"""Tasks listed in review_first.csv and the Excel 'Review first' sheet."""

RANGE_NOTE = "P10–P90 of {draws:,} Monte Carlo draws of '{label}' (seed {seed})"


@dataclass(frozen=True)
class Headline:
    """The figure a board quotes: the headline scenario's central figure and its range."""

    scenario: str
    label: str
    hours_low: float
    hours: float
    hours_high: float
    wte_low: float
    wte: float
    wte_high: float
    hours_per_year: float
    automation: float
    augmentation: float
    days_per_wte_per_month: float
    hours_worked: float
    share: float
    n_draws: int
    seed: int
    scope: str = ""

    @property
    def range_note(self) -> str:
        """What low and high are, in words."""
        return RANGE_NOTE.format(draws=self.n_draws, label=self.label, seed=self.seed)

    def split_text(self) -> str:
        """The automation and augmentation parts, each rounded as every table rounds it.

        The parts are not forced to add up to the rounded total: a part shown here is the
        same figure the staff-group table, the Excel Summary and the CSVs give (they may
        differ from the total by one in the last digit, as rounded parts do).
        """
        return (
            f"Of the central {self.hours:,.0f} hours a week, {self.automation:,.0f} by "
            f"automation and {self.augmentation:,.0f} by augmentation."
        )

    def sentence(self) -> str:
        """The first line of every output."""
        scope = f"; scope: {self.scope}" if self.scope else ""
        return (
            f"Headline ({self.label}{scope}): {self.hours:,.0f} hours a week released "
            f"(range {self.hours_low:,.0f} – {self.hours_high:,.0f}), {self.wte:,.1f} WTE "
            f"(range {self.wte_low:,.1f} – {self.wte_high:,.1f}); {self.share:.1%} of "
            f"{self.hours_worked:,.0f} hours worked; {self.days_per_wte_per_month:.2f} working "
            f"days per WTE per month{' (all staff)' if self.scope else ''}."
        )

    def as_dict(self) -> dict[str, object]:
        """The headline for ``run_metadata.json``."""
        return {
            "scenario": self.scenario,
            "label": self.label,
            "hours_per_week": {
                "low": self.hours_low,
                "central": self.hours,
                "high": self.hours_high,
            },
            "wte": {"low": self.wte_low, "central": self.wte, "high": self.wte_high},
            "hours_per_year": self.hours_per_year,
            "hours_per_week_automation": self.automation,
            "hours_per_week_augmentation": self.augmentation,
            "days_per_wte_per_month": self.days_per_wte_per_month,
            "range": self.range_note,
            "scope": self.scope or "all staff groups, categories and roles",
        }


def headline(result: Result) -> Headline:
    """The headline of a result, read from its trust table."""
    t = result.trust.iloc[0]
    s = result.scenarios.scenarios.headline
    return Headline(
        scenario=s.name,
        label=s.label,
        hours_low=float(t[col.RELEASED_LOW]),
        hours=float(t[col.HOURS_RELEASED]),
        hours_high=float(t[col.RELEASED_HIGH]),
        wte_low=float(t[col.WTE_LOW]),
        wte=float(t[col.WTE_RELEASED]),
        wte_high=float(t[col.WTE_HIGH]),
        hours_per_year=float(t[col.HOURS_RELEASED_YEAR]),
        automation=float(t[col.HOURS_AUTOMATION]),
        augmentation=float(t[col.HOURS_AUGMENTATION]),
        days_per_wte_per_month=float(t[col.DAYS_PER_WTE_MONTH]),
        hours_worked=float(t[col.HOURS_TOTAL]),
        share=float(t[col.SHARE_RELEASED]),
        n_draws=result.scenarios.n_draws,
        seed=result.scenarios.seed,
        scope=s.scope_text() if s.scoped else "",
    )


FORMATS = {
    col.FTE: "{:,.1f}",
    col.HOURS_TOTAL: "{:,.0f}",
    col.RELEASED_LOW: "{:,.0f}",
    col.HOURS_RELEASED: "{:,.0f}",
    col.RELEASED_HIGH: "{:,.0f}",
    col.HOURS_AUTOMATION: "{:,.0f}",
    col.HOURS_AUGMENTATION: "{:,.0f}",
    col.SHARE_RELEASED: "{:.1%}",
    col.WTE_RELEASED: "{:,.1f}",
    col.DAYS_PER_WTE_MONTH: "{:.2f}",
}
"""How each figure is shown to people, in the terminal and the notebook alike."""


STAFF_GROUP_VIEW = {
    col.STAFF_GROUP: "Staff group",
    col.FTE: "FTE",
    col.HOURS_TOTAL: "Hours worked a week",
    col.RELEASED_LOW: "Released, low",
    col.HOURS_RELEASED: "Released, hours a week",
    col.RELEASED_HIGH: "Released, high",
    col.HOURS_AUTOMATION: "of which automation",
    col.HOURS_AUGMENTATION: "of which augmentation",
    col.SHARE_RELEASED: "Share of hours",
    col.WTE_RELEASED: "WTE released",
    col.DAYS_PER_WTE_MONTH: "Days per WTE per month",
}
"""The columns of the staff-group table people read, and their headers."""


def staff_groups(result: Result) -> pd.DataFrame:
    """The staff groups in NHS order, then the trust row, with the headline's figures."""
    trust = result.trust.rename(columns={col.LEVEL: col.STAFF_GROUP})
    frame = pd.concat([result.staff_groups, trust], ignore_index=True)
    return frame[list(STAFF_GROUP_VIEW)]


ROLE_VIEW = {
    col.ROLE_TITLE: "Role",
    col.STAFF_GROUP: "Staff group",
    col.FTE: "FTE",
    col.RELEASED_LOW: "Released, low",
    col.HOURS_RELEASED: "Released, hours a week",
    col.RELEASED_HIGH: "Released, high",
    col.SHARE_RELEASED: "Share of hours",
    col.WTE_RELEASED: "WTE released",
}


def ranked_roles(result: Result) -> pd.DataFrame:
    """Every role, most hours released first (headline, central); ties by role id."""
    return rank_roles(result.roles)


def ranked_areas(result: Result, level: str) -> pd.DataFrame:
    """The areas of one level (organisation, icb, region), most hours released first."""
    return (
        result.areas[level]
        .sort_values([col.HOURS_RELEASED, level], ascending=[False, True], kind="stable")
        .reset_index(drop=True)
    )


def top_roles(result: Result, n: int = 10) -> pd.DataFrame:
    """The ``n`` roles releasing most hours a week under the headline (none that release 0)."""
    ranked = ranked_roles(result)
    return ranked[ranked[col.HOURS_RELEASED] > 0].head(max(n, 0))


def scenarios(result: Result) -> pd.DataFrame:
    """One row per scenario at trust level, headline first marked, in file order."""
    trust = result.scenarios.trust.set_index(col.SCENARIO)
    rows = []
    for s in result.scenarios.scenarios.scenarios:
        r = trust.loc[s.name]
        rows.append(
            {
                col.SCENARIO: s.name,
                "label": s.label,
                "headline": s.name == result.scenarios.headline,
                "scope": s.scope_text(),
                col.RELEASED_LOW: r[col.RELEASED_LOW],
                col.HOURS_RELEASED: r[col.HOURS_RELEASED],
                col.RELEASED_HIGH: r[col.RELEASED_HIGH],
                col.WTE_RELEASED: r[col.WTE_RELEASED],
                col.HOURS_AUTOMATION: r[col.HOURS_AUTOMATION],
                col.HOURS_AUGMENTATION: r[col.HOURS_AUGMENTATION],
                col.DAYS_PER_WTE_MONTH: r[col.DAYS_PER_WTE_MONTH],
            }
        )
    return pd.DataFrame(rows)


REVIEW_COLUMNS = (
    col.ROLE_ID,
    col.ROLE_TITLE,
    col.STAFF_GROUP,
    col.TASK_ID,
    col.TASK,
    col.CATEGORY,
    col.EXPOSURE,
    col.MODE,
    col.CONFIDENCE,
    col.ALTERNATIVE,
    col.HOURS_RELEASED,
    col.HOURS_AT_STAKE,
    col.REVIEW_PRIORITY,
    col.EVIDENCE,
    *col.PROVENANCE,
)


def review_first(result: Result, n: int = REVIEW_FIRST_ROWS) -> pd.DataFrame:
    """The tasks whose review matters most: hours at stake × (1 − confidence).

    Hours at stake are how far the headline would move if the task's "exposed or not"
    went the other way: an exposed task's hours released (it would release none), an E0
    task's hours released as its strongest exposed category. Tasks with nothing at stake
    (priority 0) are not listed; ties by role and task id.
    """
    tasks = result.tasks
    ranked = top_rows(
        tasks,
        [col.REVIEW_PRIORITY, col.ROLE_ID, col.TASK_ID],
        ascending=[False, True, True],
        n=n,
        where=(tasks[col.REVIEW_PRIORITY] > 0).to_numpy(dtype=bool),
    )
    return ranked[[c for c in REVIEW_COLUMNS if c in ranked.columns]].reset_index(drop=True)


def top_rows(
    frame: pd.DataFrame,
    by: list[str],
    ascending: list[bool],
    n: int,
    where: np.ndarray[Any, Any] | None = None,
) -> pd.DataFrame:
    """``frame.sort_values(by, ascending, kind="stable").head(n)``, of the rows ``where`` holds.

    Only the ``by`` columns are sorted, only of the rows that can be among the top ``n``
    (for a descending float first key, those at or above its ``n``-th largest value), and
    only the ``n`` rows kept are taken from the frame: at a million task rows, sorting and
    taking every row is most of the time, for rows that are then dropped. A stable sort's
    order depends only on the keys and the rows' positions, so the rows are the same, in
    the same order.
    """
    positions = np.arange(len(frame)) if where is None else np.flatnonzero(where)
    first = frame[by[0]]
    if not ascending[0] and pd.api.types.is_float_dtype(first) and 0 < n < len(positions):
        # Rows below the n-th largest first key cannot be among the top n: sort only the
        # rest (ties at the n-th kept, so the tie-breaking keys still decide among them).
        values = first.to_numpy(dtype=float, na_value=np.nan)[positions]
        finite = ~np.isnan(values)
        if int(finite.sum()) > n:
            kth = np.partition(values[finite], -n)[-n]
            positions = positions[finite & (values >= kth)]
    keys = frame[by].iloc[positions].reset_index(drop=True)
    order = keys.sort_values(by, ascending=ascending, kind="stable").index.to_numpy()
    top: pd.DataFrame = frame.iloc[positions[order[:n]]]
    return top
