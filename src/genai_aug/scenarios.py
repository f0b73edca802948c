"""Scenarios and ranges: hours released under stated adoption assumptions, low–central–high.

A *scenario* is data (TOML): which exposure classes count, how widely the tools are
adopted, how much of the time saved is realised as time released, and how uncertain
each category's time share is. The packaged file ``default_scenarios.toml`` holds three:
``llm_alone`` (E1 tasks only), ``llm_with_tools`` (E1 and E2) and ``partial_adoption``
(the central case). An analyst's file adds to or replaces them.

Ranges come from a seeded Monte Carlo. In each of ``n_draws`` draws:

* adoption ``a`` and realisation ``r`` are drawn from triangular distributions with the
  scenario's (low, central, high) as (left, mode, right);
* each category's time share is multiplied by a factor drawn from a triangular
  distribution on ``[1 − u, 1 + u]`` with mode 1, ``u`` the scenario's
  ``time_share_uncertainty``; a task takes the factor of its primary category;

and a role releases ``a · r · Σ_task hours × FTE × min(1, score × factor)`` hours a
week, counting only tasks of the scenario's exposure classes. Staff groups and the
trust add up their roles *within each draw*. The low, central and high figures are the
10th, 50th and 90th percentiles of the draws at each level (so the low figures of the
roles do not add up to the trust's low figure: that is how ranges behave). The draws
depend only on the seed, the scenario's name and the ruleset's categories, never on the
inventory's row order, so a seed reproduces every figure.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from genai_aug import _columns as col
from genai_aug._reference import STAFF_GROUPS
from genai_aug._toml import read_toml
from genai_aug.aggregating import TRUST_LABEL, ordered_sum
from genai_aug.errors import ScenarioError

__all__ = [
    "DEFAULT_DRAWS",
    "DEFAULT_SEED",
    "Range",
    "Scenario",
    "ScenarioResults",
    "ScenarioSet",
    "default_scenarios",
    "load_scenarios",
    "simulate",
]

DEFAULT_SEED = 2025
DEFAULT_DRAWS = 2000
QUANTILES = (0.1, 0.5, 0.9)
DEFAULT_SCENARIOS_FILE = "default_scenarios.toml"
_CHUNK = 4096  # roles per block of draws: bounds memory at _CHUNK × n_draws floats


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Range(_Model):
    """A low–central–high assumption, each a share between 0 and 1."""

    low: float = Field(ge=0.0, le=1.0)
    central: float = Field(ge=0.0, le=1.0)
    high: float = Field(ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.low <= self.central <= self.high:
            raise ValueError(
                f"must have low ≤ central ≤ high, got {self.low}, {self.central}, {self.high}"
            )
        return self

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray[Any, np.dtype[np.float64]]:
        """``n`` draws from the triangular distribution (low, central, high)."""
        if self.low == self.high:
            return np.full(n, self.central)
        return rng.triangular(self.low, self.central, self.high, size=n)


class Scenario(_Model):
    """One named set of adoption assumptions.

    Parameters
    ----------
    name : str
        Identifier used in tables and file names, e.g. ``'partial_adoption'``.
    label : str
        Name for people, e.g. ``'Partial adoption (central case)'``.
    description : str
        What the scenario stands for, in a sentence or two.
    exposures : list of {'E0', 'E1', 'E2'}
        The exposure classes whose tasks count.
    adoption : Range
        Share of staff who use the tools for these tasks.
    realisation : Range
        Share of the time saved that becomes time released for other work.
    time_share_uncertainty : float
        Relative uncertainty ``u`` of each category's time share (0 ≤ u ≤ 1).
    """

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)
    description: str = Field(min_length=1)
    exposures: tuple[Literal["E0", "E1", "E2"], ...] = Field(min_length=1)
    adoption: Range
    realisation: Range
    time_share_uncertainty: float = Field(0.3, ge=0.0, le=1.0)


class ScenarioSet(_Model):
    """The scenarios of a run, in order, with a version and a content hash."""

    version: str = Field(min_length=1)
    scenarios: tuple[Scenario, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> ScenarioSet:
        names = [s.name for s in self.scenarios]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"scenario name(s) used more than once: {dupes}")
        return self

    @property
    def labels(self) -> dict[str, str]:
        """Each scenario's name mapped to its label for people, in order."""
        return {s.name: s.label for s in self.scenarios}

    @property
    def hash(self) -> str:
        """SHA-256 (hex) of the scenarios' canonical JSON."""
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def to_frame(self) -> pd.DataFrame:
        """One row per scenario with its assumptions, for reports."""
        return pd.DataFrame(
            [
                {
                    col.SCENARIO: s.name,
                    "label": s.label,
                    "exposures_counted": "+".join(s.exposures),
                    "adoption_low": s.adoption.low,
                    "adoption_central": s.adoption.central,
                    "adoption_high": s.adoption.high,
                    "realisation_low": s.realisation.low,
                    "realisation_central": s.realisation.central,
                    "realisation_high": s.realisation.high,
                    "time_share_uncertainty": s.time_share_uncertainty,
                    "description": s.description,
                }
                for s in self.scenarios
            ]
        )


def _read(path: Path | None) -> dict[str, Any]:
    return read_toml(path, DEFAULT_SCENARIOS_FILE, "Scenario", ScenarioError)


def _validate(data: Mapping[str, Any], where: str) -> ScenarioSet:
    info = data.get("scenarios", {})
    items = data.get("scenario", [])
    unknown = sorted(set(data) - {"scenarios", "scenario"})
    if unknown or not isinstance(info, dict) or not isinstance(items, list):
        raise ScenarioError(
            f"Scenario file '{where}': expected a [scenarios] table and [[scenario]] entries, "
            f"got {sorted(data)}. See the packaged {DEFAULT_SCENARIOS_FILE} for the layout."
        )
    payload = {"version": info.get("version", "unversioned"), "scenarios": items}
    try:
        return ScenarioSet.model_validate(payload)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = err["loc"]
            if len(loc) >= 2 and loc[0] == "scenarios" and isinstance(loc[1], int):
                entry = items[loc[1]] if loc[1] < len(items) else {}
                name = entry.get("name", "?") if isinstance(entry, dict) else "?"
                field = ".".join(str(p) for p in loc[2:]) or "entry"
                lines.append(f"  - scenario {loc[1] + 1} ('{name}'), field '{field}': {err['msg']}")
            else:
                lines.append(f"  - {'.'.join(str(p) for p in loc) or 'file'}: {err['msg']}")
        raise ScenarioError(
            f"Scenario file '{where}' is invalid ({len(lines)} problem(s)):\n" + "\n".join(lines)
        ) from None


_DEFAULT: ScenarioSet | None = None


def default_scenarios() -> ScenarioSet:
    """The packaged scenarios: ``llm_alone``, ``llm_with_tools`` and ``partial_adoption``.

    Examples
    --------
    >>> [s.name for s in default_scenarios().scenarios]
    ['llm_alone', 'llm_with_tools', 'partial_adoption']
    """
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = _validate(_read(None), f"packaged {DEFAULT_SCENARIOS_FILE}")
    return _DEFAULT


def load_scenarios(
    source: str | Path | ScenarioSet | Sequence[Scenario] | None = None,
) -> ScenarioSet:
    """Load and validate a scenario file (TOML); with no argument, the packaged scenarios.

    A file whose ``[scenarios]`` table says ``extends = "default"`` keeps the packaged
    scenarios and adds its own (a scenario with a packaged name replaces it); otherwise
    the file's scenarios are the whole set.

    Parameters
    ----------
    source : str, Path, ScenarioSet, sequence of Scenario, or None
        The scenario file, or scenarios already built in Python.

    Returns
    -------
    ScenarioSet

    Raises
    ------
    ScenarioError
        If the file is missing, not TOML, or a scenario is invalid; the message names
        the file, the scenario and the field.
    """
    if source is None:
        return default_scenarios()
    if isinstance(source, ScenarioSet):
        return source
    if not isinstance(source, str | Path):
        try:
            return ScenarioSet(version="custom", scenarios=tuple(source))
        except ValidationError as exc:
            raise ScenarioError(f"Scenarios are invalid: {exc}") from None
    path = Path(source)
    data = _read(path)
    info = data.get("scenarios", {})
    if isinstance(info, dict) and info.get("extends") == "default":
        info = {k: v for k, v in info.items() if k != "extends"}
        own = data.get("scenario", [])
        own_names = {s.get("name") for s in own if isinstance(s, dict)}
        inherited = [
            s.model_dump(mode="json")
            for s in default_scenarios().scenarios
            if s.name not in own_names
        ]
        data = {"scenarios": info, "scenario": [*inherited, *own]}
    return _validate(data, str(path))


@dataclass(frozen=True)
class ScenarioResults:
    """Hours released under each scenario, low–central–high, at every level.

    Attributes
    ----------
    roles, staff_groups, trust : pandas.DataFrame
        Tidy tables: the level's key columns, ``scenario``, then
        ``hours_released_per_week_{low,central,high}``,
        ``hours_released_per_year_{low,central,high}`` and ``wte_released_{low,central,high}``.
    scenarios : ScenarioSet
        The scenarios and their assumptions.
    seed, n_draws : int
        The Monte Carlo seed and number of draws.
    """

    roles: pd.DataFrame
    staff_groups: pd.DataFrame
    trust: pd.DataFrame
    scenarios: ScenarioSet
    seed: int
    n_draws: int

    def wide(self, level: Literal["roles", "staff_groups", "trust"]) -> pd.DataFrame:
        """The scenarios side by side: one row per role, group or the trust.

        Columns are a two-level index ``(scenario, figure)``.
        """
        frame: pd.DataFrame = getattr(self, level)
        keys = [c for c in frame.columns if c not in (col.SCENARIO, *col.RANGE_COLUMNS)]
        order = [s.name for s in self.scenarios.scenarios]
        out = frame.pivot_table(
            index=keys,
            columns=col.SCENARIO,
            values=list(col.RANGE_COLUMNS),
            aggfunc="first",
            dropna=False,
            observed=True,
        )
        out = out.swaplevel(0, 1, axis=1)
        out = out.reindex(
            columns=pd.MultiIndex.from_product([order, list(col.RANGE_COLUMNS)]),
        )
        if level == "roles":
            out = out.sort_index()
        elif level == "staff_groups":
            out = out.reindex([g for g in STAFF_GROUPS if g in set(out.index)])
        return out


def _rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(name.encode())]))


def _quantiles(draws: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """QUANTILES of each row of a (rows × draws) block, as a (3 × rows) array."""
    return np.quantile(draws, QUANTILES, axis=1) if draws.size else np.zeros((3, draws.shape[0]))


def _range_columns(
    week: np.ndarray[Any, Any], wte: np.ndarray[Any, Any], weeks: float
) -> dict[str, np.ndarray[Any, Any]]:
    """The range columns from (3 × rows) quantiles of hours a week and of WTE."""
    return {
        col.RELEASED_LOW: week[0],
        col.RELEASED_CENTRAL: week[1],
        col.RELEASED_HIGH: week[2],
        col.RELEASED_YEAR_LOW: week[0] * weeks,
        col.RELEASED_YEAR_CENTRAL: week[1] * weeks,
        col.RELEASED_YEAR_HIGH: week[2] * weeks,
        col.WTE_LOW: wte[0],
        col.WTE_CENTRAL: wte[1],
        col.WTE_HIGH: wte[2],
    }


def simulate(
    tasks: pd.DataFrame,
    roles: pd.DataFrame,
    categories: Sequence[str],
    scenarios: ScenarioSet | None = None,
    *,
    seed: int = DEFAULT_SEED,
    n_draws: int = DEFAULT_DRAWS,
    working_weeks_per_year: float = 45.0,
) -> ScenarioResults:
    """Hours released under each scenario, with low–central–high ranges at every level.

    Parameters
    ----------
    tasks : pandas.DataFrame
        Aggregated tasks (``Result.tasks``): ``role_id``, ``category``, ``exposure``,
        ``score`` and ``hours_per_week_total``.
    roles : pandas.DataFrame
        ``Result.roles``: ``role_id``, ``role_title``, ``staff_group``,
        ``contracted_hours`` and ``hours_per_week_total``.
    categories : sequence of str
        The ruleset's category ids, in ruleset order (fixes which factor is whose).
    scenarios : ScenarioSet, optional
        Defaults to :func:`default_scenarios`.
    seed : int
        Seed of the Monte Carlo; the same seed gives the same figures.
    n_draws : int
        Number of draws (≥ 100).
    working_weeks_per_year : float
        Converts hours a week to hours a year.

    Returns
    -------
    ScenarioResults
    """
    scen = scenarios or default_scenarios()
    if n_draws < 100:
        raise ScenarioError(f"n_draws must be at least 100 for stable percentiles, got {n_draws}.")
    cats = list(categories)
    roles_sorted = roles.sort_values(col.ROLE_ID, kind="stable").reset_index(drop=True)
    group_dtype = pd.CategoricalDtype(list(STAFF_GROUPS), ordered=True)
    group_codes = pd.Series(roles_sorted[col.STAFF_GROUP], dtype=group_dtype).cat.codes.to_numpy()
    # Roles in (staff group, role id) order, so each block's groups are contiguous.
    sim_order = np.lexsort((np.arange(len(roles_sorted)), group_codes))
    role_codes = pd.Index(roles_sorted[col.ROLE_ID])
    contracted = roles_sorted[col.CONTRACTED_HOURS].to_numpy(dtype=float)

    t_role = role_codes.get_indexer(pd.Index(tasks[col.ROLE_ID]))
    t_cat = pd.Index(cats).get_indexer(pd.Index(tasks[col.CATEGORY].fillna("")))
    scores = tasks[col.SCORE].to_numpy(dtype=float)
    hours = tasks[col.HOURS_TOTAL].to_numpy(dtype=float)
    exposure = tasks[col.EXPOSURE].astype(object).to_numpy()
    n_roles, n_cats, n_groups = len(roles_sorted), len(cats), len(STAFF_GROUPS)

    role_parts, group_parts, trust_parts = [], [], []
    for s in scen.scenarios:
        rng = _rng(seed, s.name)
        u = s.time_share_uncertainty
        factors = (
            rng.triangular(1 - u, 1.0, 1 + u, size=(n_draws, n_cats))
            if u > 0
            else np.ones((n_draws, n_cats))
        )
        scale = s.adoption.draw(rng, n_draws) * s.realisation.draw(rng, n_draws)

        counted = np.isin(exposure, s.exposures) & ~np.isnan(scores) & (t_cat >= 0)
        idx = np.flatnonzero(counted)
        # Per role and category: counted hours × score, and counted hours (the cap).
        flat = t_role[idx] * n_cats + t_cat[idx]
        base = _ordered_group_sum(hours[idx] * scores[idx], flat, n_roles * n_cats)
        base = base.reshape(n_roles, n_cats)
        cap = _ordered_group_sum(hours[idx], t_role[idx], n_roles)

        role_week = np.zeros((n_roles, 3))
        role_wte = np.zeros((n_roles, 3))
        group_week = np.zeros((n_groups, n_draws))
        group_wte = np.zeros((n_groups, n_draws))
        for start in range(0, n_roles, _CHUNK):
            block = sim_order[start : start + _CHUNK]
            week = np.minimum((base[block] @ factors.T) * scale[None, :], cap[block, None])
            wte = week / contracted[block, None]
            role_week[block] = _quantiles(week).T
            role_wte[block] = _quantiles(wte).T
            g = group_codes[block]
            starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
            group_week[g[starts]] += np.add.reduceat(week, starts, axis=0)
            group_wte[g[starts]] += np.add.reduceat(wte, starts, axis=0)
        weeks = working_weeks_per_year
        role_parts.append(
            pd.DataFrame(
                {
                    col.ROLE_ID: roles_sorted[col.ROLE_ID].to_numpy(),
                    col.ROLE_TITLE: roles_sorted[col.ROLE_TITLE].to_numpy(),
                    col.STAFF_GROUP: roles_sorted[col.STAFF_GROUP].to_numpy(),
                    col.SCENARIO: s.name,
                    **_range_columns(role_week.T, role_wte.T, weeks),
                }
            )
        )
        present = np.unique(group_codes[group_codes >= 0])
        group_parts.append(
            pd.DataFrame(
                {
                    col.STAFF_GROUP: [STAFF_GROUPS[i] for i in present],
                    col.SCENARIO: s.name,
                    **_range_columns(
                        _quantiles(group_week[present]), _quantiles(group_wte[present]), weeks
                    ),
                }
            )
        )
        trust_week = group_week.sum(axis=0, keepdims=True)
        trust_wte = group_wte.sum(axis=0, keepdims=True)
        trust_parts.append(
            pd.DataFrame(
                {
                    col.LEVEL: [TRUST_LABEL],
                    col.SCENARIO: s.name,
                    **_range_columns(_quantiles(trust_week), _quantiles(trust_wte), weeks),
                }
            )
        )
    return ScenarioResults(
        roles=pd.concat(role_parts, ignore_index=True),
        staff_groups=pd.concat(group_parts, ignore_index=True),
        trust=pd.concat(trust_parts, ignore_index=True),
        scenarios=scen,
        seed=seed,
        n_draws=n_draws,
    )


def _ordered_group_sum(
    values: np.ndarray[Any, Any], codes: np.ndarray[Any, Any], size: int
) -> np.ndarray[Any, Any]:
    """:func:`~genai_aug.aggregating.ordered_sum`, padded to ``size`` groups."""
    out = np.zeros(size)
    sums = ordered_sum(values, codes)
    out[: len(sums)] = sums
    return out
