"""The slow reference of the ranges and roll-ups: aggregate_hours as it was before issue 15.

Kept verbatim (genai_aug 0.2 at commit 201c661, its docstring aside) so that
tests/test_aggregating_identity.py can prove the fast path gives the same tables, bit for
bit: np.quantile per block of 4,096 roles, a lexsort per task-to-role sum, the category
lookups per row, a deep copy of the scored tasks. The helpers whose results did not change
are imported from the library.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from genai_aug import _columns as col
from genai_aug._issues import text_dtype
from genai_aug.aggregating import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    QUANTILES,
    Aggregates,
    Assumptions,
    ScenarioResults,
    _as_lookup,
    _derive,
    _resolve_scope,
    _rng,
    as_assumptions,
    rank_roles,
)
from genai_aug.aggregating import (
    check_draws as _check_draws,
)
from genai_aug.rollup import Hierarchy, ordered_sum
from genai_aug.rules import RulesetLike, as_ruleset
from genai_aug.scenarios import Scenario, ScenarioSet, load_scenarios

_CHUNK = 4096
_WORKERS = 2

Array = np.ndarray[Any, Any]


def reference_aggregate_hours(
    scored_tasks: pd.DataFrame,
    roles: pd.DataFrame | None = None,
    *,
    ruleset: RulesetLike = None,
    scenarios: ScenarioSet | None = None,
    assumptions: Assumptions | Mapping[str, Any] | None = None,
    seed: int = DEFAULT_SEED,
    n_draws: int = DEFAULT_DRAWS,
    organisations: pd.DataFrame | str | os.PathLike[str] | None = None,
) -> Aggregates:
    """The old path, verbatim but for this docstring."""
    rs = as_ruleset(ruleset)
    scen = load_scenarios(scenarios)
    a = as_assumptions(assumptions)
    seed, n_draws = _check_draws(seed, n_draws)
    weeks = a.working_weeks_per_year

    t = scored_tasks.copy()
    wanted = [*col.ROLE_INFO_COLUMNS, col.TRUST]
    info = (
        roles[[c for c in wanted if c in roles.columns]]
        if roles is not None
        else t[[c for c in wanted if c in t.columns]].drop_duplicates(col.ROLE_ID)
    )
    tree = Hierarchy.from_roles(info, _as_lookup(organisations))
    scoped = tuple(
        _resolve_scope(s, rs, tree.roles[col.ROLE_ID], scen.source) for s in scen.scenarios
    )

    cats = rs.categories
    cat_ids = np.array([c.id for c in cats], dtype=object)
    cat_exposure = np.array([c.exposure for c in cats], dtype=object)
    t_cat = pd.Index(cat_ids).get_indexer(pd.Index(t[col.CATEGORY].fillna("").astype(str)))
    shares = np.array([c.time_share for c in cats])
    automation = np.array([c.mode == "automation" for c in cats])
    known = t_cat >= 0
    # A task's time share and mode are its category's if it is exposed; an E0 task
    # releases nothing (time share 0, no mode); an unrecognised one has neither.
    e0 = known & (cat_exposure[np.maximum(t_cat, 0)] == "E0")
    t[col.TIME_SHARE] = np.where(
        known & ~e0, shares[np.maximum(t_cat, 0)], np.where(e0, 0.0, np.nan)
    )
    mode_of = np.array([c.mode for c in cats], dtype=object)[np.maximum(t_cat, 0)]
    mode_of[~known | e0] = None
    # (a text column, also when no task has a mode: as objects, its Parquet type was null)
    text_type: Any = text_dtype() or object
    t[col.MODE] = pd.Series(pd.array(mode_of, dtype=text_type), index=t.index)
    t[col.HOURS_TOTAL] = t[col.HOURS_PER_WEEK] * t[col.FTE]
    t_role = tree.role_codes(t[col.ROLE_ID])
    contracted = tree.roles[col.CONTRACTED_HOURS].to_numpy(dtype=float)
    hours = t[col.HOURS_TOTAL].to_numpy(dtype=float)
    groups = t[col.STAFF_GROUP].astype(object).to_numpy()
    t_auto = known & ~e0 & automation[np.maximum(t_cat, 0)]
    t_contracted = t[col.CONTRACTED_HOURS].to_numpy(dtype=float)

    base = _base_levels(t, tree, t_role, hours)
    parts: dict[str, list[pd.DataFrame]] = {level: [] for level in base}
    task_figures: dict[str, Array] = {}
    role_ids = t[col.ROLE_ID].astype(str).to_numpy()

    def released(s: Scenario, cat: Array) -> Array:
        """Central hours released by each task under ``s`` if its category were ``cat``."""
        ok = cat >= 0
        counted = ok & np.isin(cat_exposure[np.maximum(cat, 0)], s.exposures)
        if s.staff_groups:
            counted &= np.isin(groups, s.staff_groups)
        if s.categories:
            counted &= np.isin(cat_ids[np.maximum(cat, 0)], s.categories)
        if s.roles:
            counted &= np.isin(role_ids, s.roles)
        share = np.where(ok, shares[np.maximum(cat, 0)], 0.0)
        return np.where(counted, hours * share * s.adoption.central * s.realisation.central, 0.0)

    for s in scoped:
        central = released(s, t_cat)
        counted = central > 0
        low_high = _ranges(
            s, tree, t_role, t_cat, counted, hours, shares, contracted, seed, n_draws
        )
        levels = _scenario_levels(s.name, central, t_auto, t_role, tree, t_contracted, low_high)
        for level, frame in levels.items():
            parts[level].append(_derive(frame, base[level][col.FTE].to_numpy(), a))
        if s.name == scen.headline.name:
            # Hours at stake: how far the headline moves if the task's "exposed or not"
            # went the other way (to its strongest category on that side).
            alt = pd.Index(cat_ids).get_indexer(
                pd.Index(t[col.ALTERNATIVE].fillna("").astype(str))
                if col.ALTERNATIVE in t.columns
                else pd.Index([""] * len(t))
            )
            at_stake = np.where(known & ~e0, central, np.abs(released(s, alt) - central))
            task_figures = {
                col.HOURS_AT_STAKE: at_stake,
                col.HOURS_RELEASED: central,
                col.HOURS_AUTOMATION: np.where(t_auto, central, 0.0),
                col.HOURS_AUGMENTATION: np.where(t_auto, 0.0, central),
                col.HOURS_RELEASED_YEAR: central * weeks,
                col.WTE_RELEASED: central / t_contracted,
            }
    by_scenario = {level: pd.concat(frames, ignore_index=True) for level, frames in parts.items()}
    results = ScenarioResults(
        roles=by_scenario["roles"],
        staff_groups=by_scenario["staff_groups"],
        trust=by_scenario["trust"],
        scenarios=scen,
        seed=seed,
        n_draws=n_draws,
        areas={level: by_scenario[level] for level in tree.areas},
    )

    for name, values in task_figures.items():
        t[name] = values
    t[col.HOURS_UNCLASSIFIED] = np.where(t[col.EXPOSURE].isna(), hours, 0.0)
    t[col.REVIEW_PRIORITY] = t[col.HOURS_AT_STAKE] * (1.0 - t[col.CONFIDENCE].fillna(0.0))
    headline = scen.headline.name
    tables: dict[str, pd.DataFrame] = {}
    for level, keys in (
        ("roles", [col.ROLE_ID, col.ROLE_TITLE, col.STAFF_GROUP]),
        ("staff_groups", [col.STAFF_GROUP]),
        ("trust", [col.LEVEL]),
        *((area, [area]) for area in tree.areas),
    ):
        figures = by_scenario[level]
        figures = figures[figures[col.SCENARIO] == headline].drop(columns=keys)
        frame = pd.concat(
            [base[level].reset_index(drop=True), figures.reset_index(drop=True)], axis=1
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            frame[col.SHARE_RELEASED] = np.where(
                frame[col.HOURS_TOTAL] > 0, frame[col.HOURS_RELEASED] / frame[col.HOURS_TOTAL], 0.0
            )
        tables[level] = frame
    tables["roles"] = rank_roles(tables["roles"])
    return Aggregates(
        tasks=t,
        roles=tables["roles"],
        staff_groups=tables["staff_groups"],
        trust=tables["trust"],
        scenarios=results,
        assumptions=a,
        areas={level: tables[level] for level in tree.areas},
    )


def _base_levels(
    t: pd.DataFrame, tree: Hierarchy, t_role: Array, hours: Array
) -> dict[str, pd.DataFrame]:
    """FTE, task counts and hours contracted, listed, not listed and unclassified."""
    unclassified = t[col.EXPOSURE].isna()
    listed = tree.tasks_to_roles(hours, t_role)
    fte = tree.roles[col.FTE].to_numpy(dtype=float)
    contracted = tree.roles[col.CONTRACTED_HOURS].to_numpy(dtype=float) * fte
    gap = contracted - listed  # (rounding residue below a nano-hour is not "not listed")
    role_values = {
        col.N_ROLES: np.ones(len(tree.roles)),
        col.FTE: fte,
        col.N_TASKS: tree.tasks_to_roles(np.ones(len(t)), t_role),
        col.N_UNCLASSIFIED: tree.tasks_to_roles(unclassified.to_numpy(dtype=float), t_role),
        col.HOURS_CONTRACTED: contracted,
        col.HOURS_TOTAL: listed,
        col.HOURS_NOT_LISTED: np.where(gap > 1e-9 * np.maximum(contracted, 1.0), gap, 0.0),
        col.HOURS_UNCLASSIFIED: tree.tasks_to_roles(np.where(unclassified, hours, 0.0), t_role),
    }
    roles, groups, trust = tree.sum_levels(role_values)
    areas = tree.sum_areas(role_values)
    extra = [c for c in (col.BAND, col.CONTRACTED_HOURS) if c in tree.roles.columns]
    roles = roles.drop(columns=[col.N_ROLES])
    for i, c in enumerate(extra):
        roles.insert(3 + i, c, tree.roles[c].array)  # (the dtype kept, as the library does)
    levels = {"roles": roles, "staff_groups": groups, "trust": trust, **areas}
    for frame in levels.values():
        for c in (col.N_ROLES, col.N_TASKS, col.N_UNCLASSIFIED):
            if c in frame.columns:
                frame[c] = frame[c].round().astype("int64")
    return levels


def _ranges(
    s: Scenario,
    tree: Hierarchy,
    t_role: Array,
    t_cat: Array,
    counted: Array,
    hours: Array,
    shares: Array,
    contracted: Array,
    seed: int,
    n_draws: int,
) -> dict[str, tuple[Array, Array]]:
    """Low and high (P10, P90) of hours a week and of WTE, per role, group and the trust."""
    rng = _rng(seed, s.name)
    n_roles, n_cats = len(tree.roles), len(shares)
    u = s.time_share_uncertainty
    factors = (
        rng.triangular(1 - u, 1.0, 1 + u, size=(n_draws, n_cats))
        if 1 - u < 1 + u  # (a u too small to move 1 in floating point is no uncertainty)
        else np.ones((n_draws, n_cats))
    )
    effective = np.minimum(shares[None, :] * factors, 1.0)  # draws × categories
    scale = s.adoption.draw(rng, n_draws) * s.realisation.draw(rng, n_draws)

    idx = np.flatnonzero(counted)
    flat = t_role[idx] * n_cats + t_cat[idx]
    matrix = ordered_sum(hours[idx], flat, n_roles * n_cats).reshape(n_roles, n_cats)

    # Every level is linear in the counted hours per category, so a staff group's (and
    # the trust's) draws come from its own hours per category, added up once: the same
    # figures as adding its roles' draws, without building them.
    by_group = tree.roles_to_groups_rows(matrix)
    by_group_wte = tree.roles_to_groups_rows(matrix / contracted[:, None])
    group_week = _tiled(by_group, effective) * scale[None, :]
    group_wte = _tiled(by_group_wte, effective) * scale[None, :]
    # (the trust's hours per category: its roles' added up in their order, as an area's)
    total = tree.roles_to_total_rows(matrix)
    total_wte = tree.roles_to_total_rows(matrix / contracted[:, None])
    trust_week = _tiled(total, effective) * scale[None, :]
    trust_wte = _tiled(total_wte, effective) * scale[None, :]

    # Roles' own percentiles, in blocks (bounded memory), on both cores: the matrix
    # product and the partial sort release the GIL.
    role_week = np.zeros((n_roles, 2))

    def block_quantiles(start: int) -> None:
        rows = slice(start, min(start + _CHUNK, n_roles))
        # (the last block padded with roles of no hours to whole tiles of 64 rows: the
        # BLAS treats the rows past the last whole tile apart, so a role there had draws
        # other in their last bits than in a larger inventory)
        block = matrix[rows]
        padded = np.zeros((-(-len(block) // 64) * 64, n_cats))
        padded[: len(block)] = block
        draws = (padded @ effective.T)[: len(block)]
        role_week[rows] = _quantiles(draws * scale[None, :]).T

    starts = range(0, n_roles, _CHUNK)
    if len(starts) > 1:
        with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
            list(pool.map(block_quantiles, starts))
    else:
        for start in starts:
            block_quantiles(start)
    # a role's WTE is its hours over a constant, so its percentiles are too
    role_wte = role_week / contracted[:, None]
    out = {
        "roles": (role_week.T, role_wte.T),
        "staff_groups": (_quantiles(group_week), _quantiles(group_wte)),
        "trust": (_quantiles(trust_week), _quantiles(trust_wte)),
    }
    for level in tree.areas:
        area = tree.roles_to_area_rows(level, matrix)
        area_wte = tree.roles_to_area_rows(level, matrix / contracted[:, None])
        out[level] = (
            _quantiles(_tiled(area, effective) * scale[None, :]),
            _quantiles(_tiled(area_wte, effective) * scale[None, :]),
        )
    return out


def _tiled(sums: Array, effective: Array) -> Array:
    """``sums @ effective.T`` with the rows padded to whole tiles of 64, on one BLAS
    thread: each row's draws the same bits whatever the other rows (a product of a few
    rows, or split between threads, adds up in another order)."""
    padded = np.zeros((-(-len(sums) // 64) * 64, sums.shape[1]))
    padded[: len(sums)] = sums
    with threadpool_limits(limits=1, user_api="blas"):
        return (padded @ effective.T)[: len(sums)]


def _quantiles(draws: Array) -> Array:
    """QUANTILES of each row of a (rows × draws) block, as a (2 × rows) array."""
    if not draws.size:
        return np.zeros((2, draws.shape[0]))
    return np.quantile(draws, QUANTILES, axis=1)


def _scenario_levels(
    name: str,
    central: Array,
    t_auto: Array,
    t_role: Array,
    tree: Hierarchy,
    t_contracted: Array,
    low_high: dict[str, tuple[Array, Array]],
) -> dict[str, pd.DataFrame]:
    """One scenario's central figures added up, with its low and high at each level."""
    role_values = {
        col.HOURS_RELEASED: tree.tasks_to_roles(central, t_role),
        col.HOURS_AUTOMATION: tree.tasks_to_roles(np.where(t_auto, central, 0.0), t_role),
        col.HOURS_AUGMENTATION: tree.tasks_to_roles(np.where(t_auto, 0.0, central), t_role),
        col.WTE_RELEASED: tree.tasks_to_roles(central / t_contracted, t_role),
    }
    roles, groups, trust = tree.sum_levels(role_values)
    levels = {"roles": roles, "staff_groups": groups, "trust": trust}
    levels.update(tree.sum_areas(role_values))
    for level, frame in levels.items():
        (week_low, week_high), (wte_low, wte_high) = low_high[level]
        frame.insert(list(frame.columns).index(col.HOURS_RELEASED), col.SCENARIO, name)
        frame[col.RELEASED_LOW] = week_low
        frame[col.RELEASED_HIGH] = week_high
        frame[col.WTE_LOW] = wte_low
        frame[col.WTE_HIGH] = wte_high
    return levels
