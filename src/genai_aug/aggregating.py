"""Aggregating: hours released per task, role, staff group and trust.

Per task (hours are for one whole-time post in the role, so they are scaled by
the role's FTE)::

    hours_per_week_total    = hours_per_week × fte
    hours_released_per_week = hours_per_week_total × score × adoption_rate

Tasks no rule recognised have no score; their hours are reported as
``hours_unclassified_per_week`` and are not counted as released. Roles sum
their tasks, staff groups sum their roles, the trust sums its staff groups.
Every sum adds its values in sorted order (:func:`ordered_sum`), so totals do
not depend on the order of the rows, bit for bit. Per year = per week ×
``working_weeks_per_year``; whole-time equivalents released = hours released per week ÷ the role's
contracted hours, summed upwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from genai_aug import _columns as col
from genai_aug._reference import STAFF_GROUPS
from genai_aug.errors import ScenarioError

TRUST_LABEL = "Trust total"


class Assumptions(BaseModel):
    """The assumptions under which hours released are computed.

    Parameters
    ----------
    adoption_rate : float, default 1.0
        Share of the potential time saving that is realised (0–1): how widely and
        how fully staff use the tools. 1.0 gives the full potential.
    working_weeks_per_year : float, default 45.0
        Weeks worked in a year by a whole-time post: 52.14 weeks less annual leave
        and bank holidays (27 + 8 days for a new Agenda for Change starter ≈ 7 weeks).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    adoption_rate: float = Field(1.0, ge=0.0, le=1.0)
    working_weeks_per_year: float = Field(45.0, gt=0.0, le=52.2)

    def as_dict(self) -> dict[str, float]:
        """The assumptions as a plain dictionary."""
        return {k: float(v) for k, v in self.model_dump().items()}


def as_assumptions(assumptions: Assumptions | Mapping[str, Any] | None) -> Assumptions:
    """Validate assumptions given as a mapping; a bad value is a :class:`ScenarioError`.

    Examples
    --------
    >>> as_assumptions({"adoption_rate": 0.5}).adoption_rate
    0.5
    """
    if assumptions is None:
        return Assumptions()
    if isinstance(assumptions, Assumptions):
        return assumptions
    try:
        return Assumptions(**dict(assumptions))
    except (ValidationError, TypeError, ValueError) as exc:
        problems = (
            "; ".join(
                f"'{'.'.join(str(p) for p in e['loc'])}': {e['msg']} (got {e.get('input')!r})"
                for e in exc.errors()
            )
            if isinstance(exc, ValidationError)
            else str(exc)
        )
        raise ScenarioError(
            f"Assumptions are invalid: {problems}. Expected adoption_rate between 0 and 1 and "
            "working_weeks_per_year above 0 and at most 52.2."
        ) from None


@dataclass(frozen=True)
class Aggregates:
    """Hours released at every level.

    Attributes
    ----------
    tasks : pandas.DataFrame
        The scored tasks with ``hours_per_week_total``, ``hours_released_per_week``,
        ``hours_released_per_year`` and ``wte_released``.
    roles, staff_groups, trust : pandas.DataFrame
        One row per role, per staff group (NHS order) and for the trust.
    assumptions : Assumptions
        The assumptions in force.
    """

    tasks: pd.DataFrame
    roles: pd.DataFrame
    staff_groups: pd.DataFrame
    trust: pd.DataFrame
    assumptions: Assumptions


_SUMMED = (
    col.FTE,
    col.N_TASKS,
    col.N_UNCLASSIFIED,
    col.HOURS_TOTAL,
    col.HOURS_UNCLASSIFIED,
    col.HOURS_RELEASED,
    col.WTE_RELEASED,
)


def ordered_sum(values: np.ndarray[Any, Any], groups: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Sum ``values`` per group code (0..k-1), adding each group's values in sorted order.

    Adding in sorted order makes every total independent of the order of the rows,
    bit for bit, and the whole computation is vectorised (one sort, one reduceat).
    Groups with no values sum to 0.

    Examples
    --------
    >>> ordered_sum(np.array([0.1, 0.2, 0.3, 5.0]), np.array([0, 0, 0, 2])).tolist()
    [0.6, 0.0, 5.0]
    """
    k = int(groups.max()) + 1 if len(groups) else 0
    out = np.zeros(k)
    if not len(values):
        return out
    order = np.lexsort((values, groups))
    g, v = groups[order], values[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    out[g[starts]] = np.add.reduceat(v, starts)
    return out


def _sum_by(frame: pd.DataFrame, key: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """Order-independent sums of ``columns`` per ``key`` (see :func:`ordered_sum`)."""
    codes, uniques = pd.factorize(frame[key], sort=True)
    return pd.DataFrame(
        {c: ordered_sum(frame[c].to_numpy(dtype=float), codes) for c in columns},
        index=pd.Index(uniques, name=key),
    )


def _finish(frame: pd.DataFrame, weeks: float) -> pd.DataFrame:
    frame[col.HOURS_RELEASED_YEAR] = frame[col.HOURS_RELEASED] * weeks
    with np.errstate(invalid="ignore", divide="ignore"):
        frame[col.SHARE_RELEASED] = np.where(
            frame[col.HOURS_TOTAL] > 0, frame[col.HOURS_RELEASED] / frame[col.HOURS_TOTAL], 0.0
        )
    for c in (col.N_TASKS, col.N_UNCLASSIFIED):
        frame[c] = frame[c].round().astype("int64")
    return frame


def aggregate_hours(
    scored_tasks: pd.DataFrame,
    roles: pd.DataFrame | None = None,
    assumptions: Assumptions | Mapping[str, Any] | None = None,
) -> Aggregates:
    """Roll scored tasks up into hours released per role, staff group and trust.

    Parameters
    ----------
    scored_tasks : pandas.DataFrame
        From :func:`score_tasks`: needs ``role_id``, ``role_title``, ``staff_group``,
        ``fte``, ``contracted_hours``, ``hours_per_week`` and ``score``.
    roles : pandas.DataFrame, optional
        The inventory's roles, so that roles without tasks are listed too.
    assumptions : Assumptions or mapping, optional
        Adoption rate and working weeks; defaults as in :class:`Assumptions`.

    Returns
    -------
    Aggregates

    Examples
    --------
    >>> import pandas as pd
    >>> tasks = pd.DataFrame({"role_id": ["R1", "R1"], "role_title": ["Clerk", "Clerk"],
    ...     "staff_group": ["Central functions"] * 2, "band": ["Band 3"] * 2,
    ...     "fte": [2.0, 2.0], "contracted_hours": [37.5, 37.5],
    ...     "task_id": ["T1", "T2"], "hours_per_week": [20.0, 17.5], "score": [0.5, 0.0]})
    >>> agg = aggregate_hours(tasks, assumptions={"adoption_rate": 0.5})
    >>> float(agg.trust["hours_released_per_week"].iloc[0])
    10.0
    """
    a = as_assumptions(assumptions)

    t = scored_tasks.copy()
    unclassified = t[col.SCORE].isna()
    t[col.HOURS_TOTAL] = t[col.HOURS_PER_WEEK] * t[col.FTE]
    t[col.HOURS_RELEASED] = t[col.HOURS_TOTAL] * t[col.SCORE] * a.adoption_rate
    t[col.HOURS_RELEASED_YEAR] = t[col.HOURS_RELEASED] * a.working_weeks_per_year
    t[col.WTE_RELEASED] = t[col.HOURS_RELEASED] / t[col.CONTRACTED_HOURS]
    t[col.HOURS_UNCLASSIFIED] = t[col.HOURS_TOTAL].where(unclassified, 0.0)
    t[col.N_TASKS] = 1.0
    t[col.N_UNCLASSIFIED] = unclassified.astype(float)

    role_info_cols = list(col.ROLE_INFO_COLUMNS)
    if roles is not None:
        info = roles[[c for c in role_info_cols if c in roles.columns]]
    else:
        info = t[[c for c in role_info_cols if c in t.columns]].drop_duplicates(col.ROLE_ID)
    info = info.set_index(col.ROLE_ID).sort_index()

    task_sums = _sum_by(
        t.fillna({col.HOURS_RELEASED: 0.0, col.WTE_RELEASED: 0.0}), col.ROLE_ID, _SUMMED[1:]
    )
    by_role = info.join(task_sums, how="left")
    by_role[list(_SUMMED[1:])] = by_role[list(_SUMMED[1:])].fillna(0.0)
    by_role = _finish(by_role, a.working_weeks_per_year).reset_index()

    by_role[col.N_ROLES] = 1.0
    group_key = by_role[col.STAFF_GROUP].astype(
        pd.CategoricalDtype(list(STAFF_GROUPS), ordered=True)
    )
    by_group = _sum_by(
        by_role.assign(**{col.STAFF_GROUP: group_key}), col.STAFF_GROUP, (col.N_ROLES, *_SUMMED)
    )
    by_group[col.N_ROLES] = by_group[col.N_ROLES].round().astype("int64")
    by_group = _finish(by_group, a.working_weeks_per_year)
    by_group.index = by_group.index.astype(str)
    by_group = by_group.reset_index()
    by_role = by_role.drop(columns=col.N_ROLES)

    trust = pd.DataFrame(
        {
            c: ordered_sum(by_group[c].to_numpy(dtype=float), np.zeros(len(by_group), dtype=int))
            for c in (col.N_ROLES, *_SUMMED)
        }
    )
    trust = _finish(trust, a.working_weeks_per_year)
    trust[col.N_ROLES] = trust[col.N_ROLES].round().astype("int64")
    trust.insert(0, col.LEVEL, TRUST_LABEL)

    t = t.drop(columns=[col.N_TASKS, col.N_UNCLASSIFIED])
    return Aggregates(tasks=t, roles=by_role, staff_groups=by_group, trust=trust, assumptions=a)
