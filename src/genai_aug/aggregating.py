"""Aggregating: hours released under each scenario, from task to role, staff group and trust.

One model, one engine. Under a scenario, a task releases::

    hours released a week = hours a week (one post) × FTE × time share of its category
                            × adoption × realisation

counted only where the task's exposure class is one the scenario counts (E1, E2; E0
tasks release nothing) and the task is in the scenario's scope (staff groups,
categories, roles). The **central** figure takes the central adoption and realisation
and each category's own time share; it is computed per task and added up through
:class:`~genai_aug.rollup.Hierarchy`, so it is additive at every level. The **low** and
**high** figures are the 10th and 90th percentiles of a seeded Monte Carlo of the same
formula, in which adoption and realisation are drawn around their central values (half
the draws either side: :meth:`~genai_aug.scenarios.Range.draw`) and each category's time
share is multiplied by a factor on ``[1 − u, 1 + u]`` (capped so a share never passes
1); staff groups and the trust add up their roles *within each draw*, so ranges are not
sums of ranges. The draws depend only on the seed, the scenario's name and the
ruleset's categories, never on the order of the rows.

The level tables (``Aggregates.roles``, ``.staff_groups``, ``.trust``) carry the
**headline** scenario's figures; ``Aggregates.scenarios`` carries every scenario's,
under the same column names. Hours a year = hours a week × working weeks a year; WTE
released = hours released a week ÷ the role's contracted hours, added up; days released
per WTE per month = WTE released ÷ FTE × working days in a month (working weeks × 5 ÷ 12).
Each task's hours also split by its category's ``mode`` into automation and
augmentation, which add up to the total at every level.

What the ranges need, at national scale (issue 15). *Every level needs its own
percentiles* (ranges do not add up), but only roles need a draw each: every other level
is linear in its hours per category, so it draws from those (a few rows × categories ×
draws). A role's draws are its hours per category times each draw's time shares, times
the draw's adoption × realisation: one matrix product per block of roles, then P10 and
P90 *selected* in place (two partitions of each row, a minimum or maximum beside each),
never a sort of all the draws; blocks are 192-row multiples of about 1 MB, reused, on
both cores with OpenBLAS held to one thread, each scenario's in turn while the main
thread adds up the central figures. Only roles that need it draw in full: a role with
no counted hours has percentiles of 0; one with hours in a single category has draws in
the order of that category's time share × scale (sorted once), so only the few draws
around each needed position are computed; the others are packed into blocks of whole
192-row tiles, each multiplied by every category, so that a role's draws are the same
bits whatever block, and row of it, it falls in. Every figure is the same, bit for bit
(tests/test_aggregating_identity.py).

Both cores are busy only once the workers start, so what comes before is kept short: only
the first scenario's matrix is made first (its tasks' role codes looked up once per run of
equal ids, its cells ordered by a stable sort of the cells and then of each cell's hours,
the staff groups coded by pyarrow), its blocks queued before the other levels' hours per
category are taken from it, and the tasks' time share, mode and hours columns wait until
the workers draw. Those levels add up only the categories some role has hours in; a
scenario's central figures per task are made once, for its counted tasks and its central
sums; the hours at stake are made while the workers draw the last scenario; and each
scenario's tables are made in one go, not a column at a time.

The two partitions are most of that time (numpy's SIMD quickselect, ~2 ns a draw each).
Selecting each percentile from a bracket instead (bounds from a sample of the row's
draws, the draws below the lower one counted, the few between sorted) was tried and
measured: in numpy its passes (a comparison with each row's own bounds, gathering the
candidates into rows) cost more than the partitions they replace, three times as much
at 2,000 draws.

*2,000 draws stay the default*: the P10 of 2,000 draws is its 200th order statistic,
whose Monte Carlo error is ±0.7 percentile points (√(0.1 × 0.9 / 2,000)); 500 draws
would be ±1.3 and would move third digits between seeds, while the roles' percentiles
cost time in proportion to the draws: about 0.6 µs a role (with hours in several
categories) a scenario a hundred draws on one core, so the 230,000 such role-scenarios
of a million tasks (100,000 roles, 3 scenarios) at 2,000 draws are about 2.8 s of CPU,
1.4 s on two cores. Fewer draws would change every published range to save part of
that; the number stays a choice (``n_draws``) for whoever needs it.
"""

from __future__ import annotations

import difflib
import functools
import os
import threading
import zlib
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from threadpoolctl import threadpool_limits

from genai_aug import _columns as col
from genai_aug._issues import IssueLog, text_dtype
from genai_aug._reference import STAFF_GROUPS
from genai_aug.errors import ArgumentTypeError, GenAIAugError, ScenarioError
from genai_aug.rollup import AREA_LEVELS, TRUST_LABEL, GroupSums, Hierarchy, ordered_sum
from genai_aug.rules import Ruleset, RulesetLike, as_ruleset
from genai_aug.scenarios import Scenario, ScenarioSet, load_scenarios

__all__ = [
    "DEFAULT_DRAWS",
    "DEFAULT_SEED",
    "MAX_DRAWS",
    "QUANTILES",
    "TRUST_LABEL",
    "Aggregates",
    "Assumptions",
    "ScenarioResults",
    "aggregate_hours",
    "as_assumptions",
    "rank_roles",
]

DEFAULT_SEED = 2025
DEFAULT_DRAWS = 2000
MAX_DRAWS = 100_000
QUANTILES = (0.1, 0.9)
"""The percentiles reported as low and high (an 80 % interval around the central figure)."""
_BLOCK = 1 << 17  # draws in a block of roles' draws: 1 MB a worker, reused (see _block_rows)
_DRAW_CHUNK = 4096
"""Draws of a level's product made at a time: a padded product of one row's 100,000 draws
was 150 MB; every run of up to 4,096 draws (2,000 by default) is one product, as before."""
_TILE = 192
"""Rows of every product of the roles' and levels' draws: a multiple of the row tiles of
the BLAS kernels (4, 8, 12, 16, 24, 32, 48, 64), so that every row is in a whole tile. A
row in the tail of a product is added up by another kernel: with blocks of 64 rows,
OpenBLAS's AVX-512 kernels (12 rows a tile) gave rows 60 to 63 other last bits at 190 to
400 draws, so a role's low and high depended on where the other roles put it."""
_WORKERS = 2  # threads for the roles' percentiles (numpy releases the GIL)

Array = np.ndarray[Any, Any]
_RoleInputs = tuple[Callable[[], Array], Array, Array, Callable[[Array], None] | None]
_LevelSums = dict[str, tuple[Array, Array]]  # a level's hours per category: a week's, WTE's
"""A scenario's roles' matrix (made when called), each draw's time shares and scale, and
what to do with the matrix once its blocks are queued."""


class Assumptions(BaseModel):
    """Calendar assumptions that turn hours a week into a year and a month.

    Adoption and realisation are not here: they belong to each scenario
    (:class:`~genai_aug.scenarios.Scenario`).

    Parameters
    ----------
    working_weeks_per_year : float, default 45.0
        Weeks worked in a year by a whole-time post: 52.14 weeks less annual leave
        and bank holidays (27 + 8 days for a new Agenda for Change starter ≈ 7 weeks).
        Working days in a month are ``working_weeks_per_year × 5 / 12`` (18.75).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    working_weeks_per_year: float = Field(45.0, gt=0.0, le=52.2)

    @property
    def working_days_per_month(self) -> float:
        """Working days in an average month: working weeks a year × 5 ÷ 12."""
        return self.working_weeks_per_year * 5 / 12

    def as_dict(self) -> dict[str, float]:
        """The assumptions as a plain dictionary."""
        return {
            "working_weeks_per_year": float(self.working_weeks_per_year),
            "working_days_per_month": float(self.working_days_per_month),
        }


def as_assumptions(assumptions: Assumptions | Mapping[str, Any] | None) -> Assumptions:
    """Validate assumptions given as a mapping; a bad value is a :class:`ScenarioError`.

    Examples
    --------
    >>> as_assumptions({"working_weeks_per_year": 44}).working_days_per_month
    18.333333333333332
    """
    if assumptions is None:
        return Assumptions()
    if isinstance(assumptions, Assumptions):
        return assumptions
    if not isinstance(assumptions, Mapping):
        raise ArgumentTypeError(
            f"assumptions must be an Assumptions or a mapping, got {type(assumptions).__name__}."
        )
    if "adoption_rate" in assumptions:
        raise ScenarioError(
            "Assumptions: 'adoption_rate' was removed in genai_aug 0.2: adoption is part of each "
            "scenario now, so the headline, the ranges and every output use one model. Set "
            "'adoption' in a scenario file (see docs/interpreting-results.md) instead."
        )
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
            f"Assumptions are invalid: {problems}. Expected working_weeks_per_year above 0 and "
            "at most 52.2."
        ) from None


@dataclass(frozen=True)
class ScenarioResults:
    """Hours released under every scenario, low–central–high, at every level.

    Attributes
    ----------
    roles, staff_groups, trust : pandas.DataFrame
        Tidy tables: the level's key columns, ``scenario``, then the figures
        (:data:`genai_aug._columns.FIGURE_COLUMNS`): ``hours_released_per_week_low``,
        ``hours_released_per_week`` (central), ``hours_released_per_week_high``, the
        automation and augmentation split of the central figure, the same per year and
        as WTE, and hours and days released per WTE per month.
    scenarios : ScenarioSet
        The scenarios and their assumptions; ``scenarios.headline`` is the headline.
    seed, n_draws : int
        The Monte Carlo seed and number of draws.
    areas : dict of str to pandas.DataFrame
        The same per organisation, and per ICB and region with a lookup (see
        :data:`~genai_aug.rollup.AREA_LEVELS`); empty when roles carry no organisation.
    """

    roles: pd.DataFrame
    staff_groups: pd.DataFrame
    trust: pd.DataFrame
    scenarios: ScenarioSet
    seed: int
    n_draws: int
    areas: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def headline(self) -> str:
        """The name of the headline scenario."""
        return self.scenarios.headline.name

    def wide(self, level: Literal["roles", "staff_groups", "trust"]) -> pd.DataFrame:
        """The scenarios side by side: one row per role, group or the trust.

        Columns are a two-level index ``(scenario, figure)``.
        """
        frame: pd.DataFrame = getattr(self, level)
        keys = [c for c in frame.columns if c not in (col.SCENARIO, *col.FIGURE_COLUMNS)]
        order = [s.name for s in self.scenarios.scenarios]
        # One row per key and scenario, so an unstack; pivot_table(dropna=False) would
        # build every combination of the keys (role id x title x group) first.
        figures = frame.set_index([*keys, col.SCENARIO])[list(col.FIGURE_COLUMNS)]
        out = pd.DataFrame(figures.unstack(col.SCENARIO)).sort_index()  # noqa: PD010
        out = out.swaplevel(0, 1, axis=1)
        out = out.reindex(columns=pd.MultiIndex.from_product([order, list(col.FIGURE_COLUMNS)]))
        if level == "roles":
            out = out.sort_index()
        elif level == "staff_groups":
            out = out.reindex([g for g in STAFF_GROUPS if g in set(out.index)])
        return out


@dataclass(frozen=True)
class Aggregates:
    """Hours released at every level, under the headline and every other scenario.

    Attributes
    ----------
    tasks : pandas.DataFrame
        The scored tasks with ``time_share``, ``mode``, ``hours_per_week_total`` and the
        headline's central ``hours_released_per_week`` (and its automation and
        augmentation parts), ``hours_released_per_year``, ``wte_released`` and
        ``review_priority`` (hours released × (1 − confidence)).
    roles, staff_groups, trust : pandas.DataFrame
        One row per role (most hours released under the headline first), per staff group
        (NHS order) and for the trust: FTE, hours contracted, listed, not listed and
        unclassified, and the headline scenario's figures with their range.
    scenarios : ScenarioResults
        Every scenario's figures at every level.
    assumptions : Assumptions
        The calendar assumptions in force.
    areas : dict of str to pandas.DataFrame
        One row per organisation (the roles' ``trust`` column), and per ICB and region
        when a lookup is given, with the headline's figures; empty without organisations.
    """

    tasks: pd.DataFrame
    roles: pd.DataFrame
    staff_groups: pd.DataFrame
    trust: pd.DataFrame
    scenarios: ScenarioResults
    assumptions: Assumptions
    areas: dict[str, pd.DataFrame] = field(default_factory=dict)


def rank_roles(roles: pd.DataFrame) -> pd.DataFrame:
    """Roles most hours released first (central), ties by role id: the order of every output.

    Staff groups keep the NHS Workforce Statistics order instead.
    """
    return roles.sort_values(
        [col.HOURS_RELEASED, col.ROLE_ID], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)


def _rank_roles_in_id_order(roles: pd.DataFrame) -> pd.DataFrame:
    """:func:`rank_roles` of a table whose rows are in role-id order already (the order of
    :class:`~genai_aug.rollup.Hierarchy`): ties in hours keep that order, so one stable
    sort of the hours does it, without factorising the ids. (Hours of ``-0.0`` and
    ``0.0``, which the two ways might not take for one value, go to ``rank_roles``.)"""
    hours = roles[col.HOURS_RELEASED].to_numpy(dtype=float)
    if np.signbit(hours[hours == 0.0]).any():
        return rank_roles(roles)
    order = np.argsort(-hours, kind="stable")  # (NaN last, as sort_values puts it)
    return roles.take(order).reset_index(drop=True)


def _close(value: str, options: Sequence[str]) -> str:
    """' (did you mean 'X'?)', ignoring case, or nothing."""
    lowered = {str(o).lower(): str(o) for o in options}
    close = difflib.get_close_matches(value.lower(), list(lowered), n=1)
    return f" (did you mean '{lowered[close[0]]}'?)" if close else ""


def _resolve_scope(s: Scenario, rs: Ruleset, role_ids: pd.Series, source: str | None) -> Scenario:
    """The scenario with category names resolved to ids; unknown names are errors."""
    problems = []
    cats = []
    ids = [c.id for c in rs.categories]
    for name in s.categories:
        resolved = rs.resolve_category(name)
        if resolved is None:
            problems.append(f"field 'categories': unknown category '{name}'{_close(name, ids)}")
        else:
            cats.append(resolved)
    known = list(role_ids.astype(str)) if s.roles else []
    known_set = set(known)
    for role in s.roles:
        if role not in known_set:
            problems.append(
                f"field 'roles': unknown role id '{role}'{_close(role, known)}; expected a role "
                "id of the inventory"
            )
    if cats and not problems:
        exposures = {rs.category_index[c].exposure for c in cats}
        if not exposures & set(s.exposures):
            problems.append(
                f"field 'categories': {cats} are {'/'.join(sorted(exposures))} work, which this "
                f"scenario does not count ({'+'.join(s.exposures)}), so it would release nothing"
            )
    if problems:
        where = f" (file '{source}')" if source else ""
        raise ScenarioError(
            f"Scenario '{s.name}'{where}: " + "; ".join(problems) + ". Fix the scenario's scope."
        )
    return s.model_copy(update={"categories": tuple(cats)})


def _as_lookup(
    organisations: pd.DataFrame | str | os.PathLike[str] | None,
) -> pd.DataFrame | None:
    """The organisation lookup as a table of text, checked: an ``organisation`` column and
    ``icb`` and/or ``region``."""
    if organisations is None:
        return None
    if isinstance(organisations, str | os.PathLike):
        path = Path(organisations)
        try:
            organisations = pd.read_csv(path, dtype=str, keep_default_na=False)
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise GenAIAugError(
                f"Organisation lookup '{path}' cannot be read as CSV: {exc}. Expected a CSV "
                "with columns organisation, icb and/or region."
            ) from None
    if not isinstance(organisations, pd.DataFrame):
        raise ArgumentTypeError(
            "organisations must be a DataFrame or the path to a CSV, got "
            f"{type(organisations).__name__}."
        )
    table = organisations.rename(columns=lambda c: str(c).strip().lower())
    levels = [c for c in AREA_LEVELS[1:] if c in table.columns]
    if "organisation" not in table.columns or not levels:
        raise GenAIAugError(
            f"Organisation lookup: expected columns 'organisation' and 'icb' and/or 'region', "
            f"got {list(organisations.columns)}."
        )
    out = table[["organisation", *levels]].astype(str)
    clashes = out.drop_duplicates().groupby("organisation").size()
    if (clashes > 1).any():
        raise GenAIAugError(
            f"Organisation lookup: organisation '{clashes[clashes > 1].index[0]}' is given more "
            "than one ICB or region; each organisation belongs to one."
        )
    return out


_SHOWN_ROLES: Final = 1000  # roles named in the error (the count says how many in all)


def _check_staff_groups(info: pd.DataFrame) -> None:
    """Refuse roles whose staff group is not one of the NHS Workforce Statistics groups.

    Their hours would be in no staff group's row and not in the trust's total, while
    their own rows counted them: one number meaning two things. A loaded inventory never
    has one (:func:`~genai_aug.load_inventory` reads the groups as staff write them, and
    rejects the others); tables made by hand may.

    Raises
    ------
    InventoryError
        With one ``unknown-staff-group`` error per such role (the first thousand).
    """
    groups = info[col.STAFF_GROUP]
    known = groups.isin(STAFF_GROUPS).to_numpy(dtype=bool)
    if known.all():
        return
    log = IssueLog()
    bad = np.flatnonzero(~known)
    for k in bad[:_SHOWN_ROLES].tolist():
        role, group = info[col.ROLE_ID].iloc[k], groups.iloc[k]
        said = "no staff group" if pd.isna(group) else f"unknown staff group {str(group)!r}"
        log.add(
            "error",
            "unknown-staff-group",
            f"role {str(role)!r} has {said}; expected one of the NHS Workforce Statistics "
            "groups: its hours would be in no staff group and not in the trust's total "
            f"({len(bad):,} role(s) in all). Load the inventory with load_inventory, which "
            "reads the groups as staff write them.",
            column=col.STAFF_GROUP,
            value=group,
        )
    log.raise_if_errors()


def check_draws(seed: object, n_draws: object) -> tuple[int, int]:
    for name, value in (("seed", seed), ("n_draws", n_draws)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise ArgumentTypeError(f"{name} must be a whole number, got {value!r}.")
    if not 0 <= int(seed) < 2**63:  # type: ignore[call-overload]
        raise ScenarioError(f"seed must be a whole number from 0 to 2**63 - 1, got {seed}.")
    if not 100 <= int(n_draws) <= MAX_DRAWS:  # type: ignore[call-overload]
        raise ScenarioError(
            f"n_draws must be from 100 (for stable percentiles) to {MAX_DRAWS:,} (memory and "
            f"time grow with it), got {n_draws}."
        )
    return int(seed), int(n_draws)  # type: ignore[call-overload]


def _rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(name.encode())]))


_SCORED_COLUMNS: Final = (
    col.ROLE_ID,
    col.ROLE_TITLE,
    col.STAFF_GROUP,
    col.FTE,
    col.CONTRACTED_HOURS,
    col.HOURS_PER_WEEK,
    col.CATEGORY,
    col.EXPOSURE,
    col.CONFIDENCE,
)


def _check_scored(tasks: pd.DataFrame) -> None:
    """Refuse a scored-tasks table the sums would misread: a missing column, or hours, FTE
    or contracted hours that are not finite numbers of at least 0 (contracted hours above
    0). Loaded inventories always pass; a table edited by hand may not, and NaN or
    negative hours would otherwise give a central figure and a range of different tasks."""
    log = IssueLog()
    where = "<scored_tasks>"
    missing = [c for c in _SCORED_COLUMNS if c not in tasks.columns]
    for name in missing:
        log.error(
            "missing-column",
            f"scored_tasks has no '{name}' column; expected the table score_tasks returns "
            "(its columns, with any of your own beside them).",
            file=where,
            column=name,
        )
    for name in (col.HOURS_PER_WEEK, col.FTE, col.CONTRACTED_HOURS):
        if name in missing:
            continue
        values = pd.to_numeric(tasks[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad_number = ~np.isfinite(values)
        low = ~bad_number & ((values <= 0) if name == col.CONTRACTED_HOURS else (values < 0))
        for code, flagged, what in (
            ("not-a-number", bad_number, "is not a finite number"),
            (
                "negative-value",
                low,
                "is 0 or less" if name == col.CONTRACTED_HOURS else "is negative",
            ),
        ):
            if flagged.any():
                rows = np.flatnonzero(flagged)
                shown = ", ".join(str(i) for i in tasks.index[rows[:5]])
                log.error(
                    code,
                    f"scored_tasks: '{name}' {what} in {len(rows):,} row(s) (index {shown}"
                    f"{', ...' if len(rows) > 5 else ''}); expected hours and FTE of 0 or "
                    "more and contracted hours above 0, as load_inventory checks them.",
                    file=where,
                    column=name,
                )
    log.raise_if_errors()


def aggregate_hours(
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
    """Hours released per task, role, staff group and trust under each scenario.

    Parameters
    ----------
    scored_tasks : pandas.DataFrame
        From :func:`score_tasks`: ``role_id``, ``role_title``, ``staff_group``, ``fte``,
        ``contracted_hours``, ``task_id``, ``hours_per_week``, ``category``,
        ``exposure`` and ``confidence``.
    roles : pandas.DataFrame, optional
        The inventory's roles, so that roles without tasks are listed too.
    ruleset : Ruleset, path or None
        The ruleset the tasks were scored with (its categories' time shares and modes).
    scenarios : ScenarioSet, optional
        Defaults to the packaged scenarios; the headline's figures fill the level tables.
    assumptions : Assumptions or mapping, optional
        Working weeks a year.
    seed : int
        Seed of the Monte Carlo behind the low and high figures.
    n_draws : int
        Number of Monte Carlo draws (100 to 100,000).
    organisations : DataFrame or path to a CSV, optional
        A lookup from organisation (the roles' ``trust`` value) to ``icb`` and/or
        ``region``, to add those levels up too. Without it, roles that carry an
        organisation still add up per organisation.

    Returns
    -------
    Aggregates

    Examples
    --------
    >>> import pandas as pd
    >>> tasks = pd.DataFrame({"role_id": ["R1", "R1"], "role_title": ["Clerk", "Clerk"],
    ...     "staff_group": ["Central functions"] * 2, "band": ["Band 3"] * 2,
    ...     "fte": [2.0, 2.0], "contracted_hours": [37.5, 37.5], "task_id": ["T1", "T2"],
    ...     "hours_per_week": [20.0, 17.5], "category": ["scheduling", "direct_care"],
    ...     "exposure": ["E2", "E0"], "confidence": [0.9, 0.9]})
    >>> agg = aggregate_hours(tasks)
    >>> agg.tasks["hours_released_per_week"].tolist()  # 20 h × 2 FTE × 0.5 × 0.5 × 0.65
    [6.5, 0.0]
    >>> float(agg.trust["hours_released_per_week"].iloc[0])
    6.5
    """
    if not isinstance(scored_tasks, pd.DataFrame):
        raise ArgumentTypeError(
            "scored_tasks must be the DataFrame score_tasks returns, got "
            f"{type(scored_tasks).__name__}."
        )
    if roles is not None and not isinstance(roles, pd.DataFrame):
        raise ArgumentTypeError(
            f"roles must be an Inventory's roles DataFrame or None, got {type(roles).__name__}."
        )
    _check_scored(scored_tasks)
    rs = as_ruleset(ruleset)
    scen = load_scenarios(scenarios)
    a = as_assumptions(assumptions)
    seed, n_draws = check_draws(seed, n_draws)
    weeks = a.working_weeks_per_year

    t = scored_tasks.copy(deep=False)  # (columns are added, never written into)
    wanted = [*col.ROLE_INFO_COLUMNS, col.TRUST]
    info = (
        roles[[c for c in wanted if c in roles.columns]]
        if roles is not None
        else t[[c for c in wanted if c in t.columns]].drop_duplicates(col.ROLE_ID)
    )
    _check_staff_groups(info)
    tree = Hierarchy.from_roles(info, _as_lookup(organisations))
    scoped = tuple(
        _resolve_scope(s, rs, tree.roles[col.ROLE_ID], scen.source) for s in scen.scenarios
    )

    cats = rs.categories
    cat_ids = np.array([c.id for c in cats], dtype=object)
    cat_exposure = np.array([c.exposure for c in cats], dtype=object)
    t_cat = _codes_in(t[col.CATEGORY], cat_ids)
    shares = np.array([c.time_share for c in cats])
    automation = np.array([c.mode == "automation" for c in cats])
    known = t_cat >= 0
    # A task's time share and mode are its category's if it is exposed; an E0 task
    # releases nothing (time share 0, no mode); an unrecognised one has neither.
    e0 = known & (cat_exposure[np.maximum(t_cat, 0)] == "E0")
    hours_total = t[col.HOURS_PER_WEEK] * t[col.FTE]  # (a column of the tasks, below)
    t_role = tree.role_codes(t[col.ROLE_ID])
    contracted = tree.roles[col.CONTRACTED_HOURS].to_numpy(dtype=float)
    hours = hours_total.to_numpy(dtype=float)
    t_auto = known & ~e0 & automation[np.maximum(t_cat, 0)]
    t_contracted = t[col.CONTRACTED_HOURS].to_numpy(dtype=float)
    in_scope: dict[int, Array] = {}  # a scoped scenario's tasks in its staff groups and roles
    # Hours that are finite numbers without a sign bit make 0 × hours × adoption ×
    # realisation +0.0 (for such adoption and realisation): then a task that is not
    # counted can take a share of 0 and be multiplied with the rest, the +0.0 it is set to
    # otherwise, without a mask of the tasks not counted.
    plain_hours = bool(np.isfinite(hours).all() and not np.signbit(hours).any())

    def released(s: Scenario, cat: Array) -> Array:
        """Central hours released by each task under ``s`` if its category were ``cat``."""
        if (s.staff_groups or s.roles) and id(s) not in in_scope:
            scope = np.ones(len(t), dtype=bool)
            if s.staff_groups:
                scope &= np.isin(t[col.STAFF_GROUP].astype(object).to_numpy(), s.staff_groups)
            if s.roles:
                scope &= np.isin(t[col.ROLE_ID].astype(str).to_numpy(), s.roles)
            in_scope[id(s)] = scope
        # (per category, then per task: the same test as per task, 31 values not 1M)
        counted_cat = np.isin(cat_exposure, s.exposures)
        if s.categories:
            counted_cat &= np.isin(cat_ids, s.categories)
        factors = (s.adoption.central, s.realisation.central)
        if plain_hours and all(np.isfinite(f) and not np.signbit(f) for f in factors):
            # each task's share, 0 if not counted: a code of −1 (no known category)
            # takes the last one, 0
            figures = np.append(np.where(counted_cat, shares, 0.0), 0.0)[cat]
            figures *= hours  # (x × y is y × x, bit for bit)
            figures *= s.adoption.central
            figures *= s.realisation.central
            if id(s) in in_scope:
                np.copyto(figures, 0.0, where=~in_scope[id(s)])
            return figures
        ok = cat >= 0
        counted = ok & counted_cat[np.maximum(cat, 0)]
        if id(s) in in_scope:
            counted &= in_scope[id(s)]
        # hours × share × adoption × realisation, multiplied in that order in place (the
        # same roundings as one expression, without its three temporaries of 8 MB a
        # million tasks), and 0 where the task is not counted
        figures = np.where(ok, shares[np.maximum(cat, 0)], 0.0)
        figures *= hours  # (x × y is y × x, bit for bit)
        figures *= s.adoption.central
        figures *= s.realisation.central
        figures[~counted] = 0.0
        return figures

    # Each scenario's central figures per task are wanted twice: for the tasks its draws
    # count (when its roles' matrix is made) and for its central sums; whichever comes
    # first keeps them for the other (8 MB a million tasks, two scenarios' at most).
    kept: dict[int, Array] = {}

    def central_of(s: Scenario) -> Array:
        figures = kept.pop(id(s), None)
        if figures is None:
            figures = kept[id(s)] = released(s, t_cat)
        return figures

    def counted(s: Scenario) -> Array:
        """The tasks that release hours under ``s`` (the ones its draws count)."""
        out: Array = central_of(s) > 0
        return out

    # The scenarios' roles' percentiles start first, one scenario after another on both
    # cores, while this thread adds up each one's hours per category for the other
    # levels (once its roles' blocks are queued) and the central figures; the other levels'
    # ranges once the workers are done, with numpy's BLAS as it is again (their products
    # are small). A scenario's central figure per task is made where it is needed (a few
    # hundredths of a second) rather than held: 8 MB a scenario a million tasks. Only the
    # first scenario's roles' matrix is made before the workers start; what it does not
    # need waits until they have begun.
    cells = _CellSums(t_role, t_cat, hours, len(tree.roles), len(cats))
    ranges = [
        _Ranges(s, tree, cells, partial(counted, s), shares, contracted, seed, n_draws)
        for s in scoped
    ]
    headline_at = next(i for i, s in enumerate(scoped) if s.name == scen.headline.name)
    with _RolePercentiles([r.role_inputs for r in ranges], len(tree.roles)) as role_percentiles:
        # (the tasks' time share, mode and hours once the workers draw: before, they
        # would only delay the first blocks)
        t[col.TIME_SHARE] = np.where(
            known & ~e0, shares[np.maximum(t_cat, 0)], np.where(e0, 0.0, np.nan)
        )
        # a text column whatever the rows: as objects, it was written to Parquet as
        # text, or as nulls when no task had a mode (all unclassified or E0). The few
        # modes (and a missing one, last) are made texts once and taken to every task.
        text_type: Any = text_dtype() or object
        modes = pd.array(
            np.array([*(rs.task_modes[c.id] for c in cats), None], dtype=object), dtype=text_type
        )
        mode_of = modes.take(np.where(known, t_cat, len(cats)))
        t[col.MODE] = pd.Series(mode_of, index=t.index, copy=False)
        del mode_of
        t[col.HOURS_TOTAL] = hours_total
        del hours_total
        to_roles = tree.task_sums(t_role)
        base = _base_levels(t, tree, to_roles, hours)
        levels = [
            _scenario_levels(_central_sums(central_of(s), t_auto, to_roles, t_contracted), tree)
            for s in scoped
        ]
        del to_roles
        # Hours at stake: how far the headline moves if the task's "exposed or not" went
        # the other way (to its strongest category on that side). Made while the workers
        # draw the last scenario (this thread would only wait): 8 MB a million tasks held
        # meanwhile (the headline's own figures, as many again, are made again after).
        central = released(scoped[headline_at], t_cat)
        alt = (
            _codes_in(t[col.ALTERNATIVE], cat_ids)
            if col.ALTERNATIVE in t.columns
            else np.full(len(t), -1, dtype=np.intp)
        )
        at_stake = np.where(
            known & ~e0, central, np.abs(released(scoped[headline_at], alt) - central)
        )
        del alt, central
        # (the tasks' other figures below once the roles' percentiles are done: made while
        # the workers still hold their scenarios' matrices and blocks, their 100 MB would
        # add to those, and the two workers have both cores by then anyway)
        role_weeks = role_percentiles.result()
        for r in ranges:
            r.let_tasks_go()
        del cells
        t[col.HOURS_AT_STAKE] = at_stake
        del at_stake
        central = released(scoped[headline_at], t_cat)
        t[col.HOURS_RELEASED] = central
        t[col.HOURS_AUTOMATION] = np.where(t_auto, central, 0.0)
        t[col.HOURS_AUGMENTATION] = np.where(t_auto, 0.0, central)
        t[col.HOURS_RELEASED_YEAR] = central * weeks
        t[col.WTE_RELEASED] = central / t_contracted
        del central
        t[col.HOURS_UNCLASSIFIED] = np.where(t[col.EXPOSURE].isna(), hours, 0.0)
        t[col.REVIEW_PRIORITY] = t[col.HOURS_AT_STAKE] * (1.0 - t[col.CONFIDENCE].fillna(0.0))
    del role_percentiles
    parts: dict[str, list[pd.DataFrame]] = {level: [] for level in base}
    for s, scenario_levels, r in zip(scoped, levels, ranges, strict=True):
        for level, (week, wte) in r.levels().items():
            fte = base[level][col.FTE].to_numpy()
            parts[level].append(_scenario_table(scenario_levels[level], s.name, week, wte, fte, a))
    del ranges
    fte = base["roles"][col.FTE].to_numpy()
    for s, scenario_levels, role_week in zip(scoped, levels, role_weeks, strict=True):
        roles = scenario_levels.pop("roles")  # (its figures are copied into the part)
        # a role's WTE is its hours over a constant, so its percentiles are too
        wte = (role_week / contracted[:, None]).T
        parts["roles"].append(_scenario_table(roles, s.name, role_week.T, wte, fte, a))
        del roles
    del levels, role_weeks
    by_scenario = {level: pd.concat(parts.pop(level), ignore_index=True) for level in list(parts)}
    results = ScenarioResults(
        roles=by_scenario["roles"],
        staff_groups=by_scenario["staff_groups"],
        trust=by_scenario["trust"],
        scenarios=scen,
        seed=seed,
        n_draws=n_draws,
        areas={level: by_scenario[level] for level in tree.areas},
    )

    tables: dict[str, pd.DataFrame] = {}
    for level, keys in (
        ("roles", [col.ROLE_ID, col.ROLE_TITLE, col.STAFF_GROUP]),
        ("staff_groups", [col.STAFF_GROUP]),
        ("trust", [col.LEVEL]),
        *((area, [area]) for area in tree.areas),
    ):
        # (the headline's rows: its part of the scenarios' parts, one row per role,
        # group or area each, in the scenarios' order)
        n = len(base[level])
        figures = by_scenario[level].drop(columns=keys)
        figures = figures.iloc[headline_at * n : (headline_at + 1) * n]
        frame = pd.concat(
            [base[level].reset_index(drop=True), figures.reset_index(drop=True)], axis=1
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            frame[col.SHARE_RELEASED] = np.where(
                frame[col.HOURS_TOTAL] > 0, frame[col.HOURS_RELEASED] / frame[col.HOURS_TOTAL], 0.0
            )
        tables[level] = frame
    tables["roles"] = _rank_roles_in_id_order(tables["roles"])
    return Aggregates(
        tasks=t,
        roles=tables["roles"],
        staff_groups=tables["staff_groups"],
        trust=tables["trust"],
        scenarios=results,
        assumptions=a,
        areas={level: tables[level] for level in tree.areas},
    )


def _codes_in(values: pd.Series, names: Array) -> Array:
    """Each value's position in ``names`` (−1 for a missing or unknown one), found once
    per distinct value rather than once per row; for text stored by pyarrow (the scored
    tasks' own columns), by pyarrow's ``index_in``, without factorising a million strings."""
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        names_text = [str(n) for n in names]
        if len(set(names_text)) == len(names_text) and all(isinstance(n, str) for n in names):
            at = pc.index_in(pa.array(values.array), value_set=pa.array(names_text, pa.string()))
            return np.asarray(at.fill_null(-1).to_numpy(), dtype=np.intp)
    codes, uniques = pd.factorize(values)
    known = pd.Index(names).get_indexer(pd.Index(np.asarray(uniques, dtype=object)).astype(str))
    return np.append(known, -1)[codes]  # (code −1, a missing value, takes the −1 appended)


def _base_levels(
    t: pd.DataFrame, tree: Hierarchy, to_roles: GroupSums, hours: Array
) -> dict[str, pd.DataFrame]:
    """FTE, task counts and hours contracted, listed, not listed and unclassified."""
    unclassified = t[col.EXPOSURE].isna()
    listed = to_roles(hours)
    fte = tree.roles[col.FTE].to_numpy(dtype=float)
    contracted = tree.roles[col.CONTRACTED_HOURS].to_numpy(dtype=float) * fte
    gap = contracted - listed  # (rounding residue below a nano-hour is not "not listed")
    role_values = {
        col.N_ROLES: np.ones(len(tree.roles)),
        col.FTE: fte,
        col.N_TASKS: to_roles.count(),
        col.N_UNCLASSIFIED: to_roles.count(unclassified.to_numpy(dtype=bool)),
        col.HOURS_CONTRACTED: contracted,
        col.HOURS_TOTAL: listed,
        col.HOURS_NOT_LISTED: np.where(gap > 1e-9 * np.maximum(contracted, 1.0), gap, 0.0),
        col.HOURS_UNCLASSIFIED: to_roles(np.where(unclassified, hours, 0.0)),
    }
    roles, groups, trust = tree.sum_levels(role_values)
    areas = tree.sum_areas(role_values)
    extra = [c for c in (col.BAND, col.CONTRACTED_HOURS) if c in tree.roles.columns]
    roles = roles.drop(columns=[col.N_ROLES])
    for i, c in enumerate(extra):  # (their dtypes kept: bands of objects were reinferred)
        roles.insert(3 + i, c, tree.roles[c].array)
    levels = {"roles": roles, "staff_groups": groups, "trust": trust, **areas}
    for frame in levels.values():
        for c in (col.N_ROLES, col.N_TASKS, col.N_UNCLASSIFIED):
            if c in frame.columns:
                frame[c] = frame[c].round().astype("int64")
    return levels


class _CellSums:
    """Each role's counted hours in each category, for any scenario's counted tasks:
    :func:`~genai_aug.rollup.ordered_sum` per (role, category) cell, from one sort.

    The tasks are sorted once by cell and hours (stably, as ``ordered_sum`` sorts); the
    counted ones keep that order among themselves, so each cell adds up the same values
    in the same order as ``ordered_sum`` of the counted tasks alone: the same bits.

    The last sums are kept, read-only, with the tasks they were of: scenarios that count
    the same tasks (the packaged ones with E1 and E2 tasks do) share them, and each
    scenario's are asked for twice (its ranges, then its roles' percentiles). So are the
    other levels' hours per category last added up from them (:meth:`_Ranges.take_sums`):
    ``level_sums``, with the sums, tree and contracted hours they were made of.
    """

    def __init__(
        self, t_role: Array, t_cat: Array, hours: Array, n_roles: int, n_cats: int
    ) -> None:
        self.t_role, self.t_cat, self.hours = t_role, t_cat, hours
        self.n_roles, self.n_cats = n_roles, n_cats
        known = np.flatnonzero((t_role >= 0) & (t_cat >= 0))
        flat = t_role[known] * n_cats + t_cat[known]
        order = _cell_order(hours[known], flat, n_roles * n_cats)
        self.tasks, self.flat = known[order], flat[order]
        self.sorted_hours = hours[self.tasks]
        self.last: tuple[Array, Array] | None = None
        self.level_sums: tuple[tuple[Array, Hierarchy, Array], _LevelSums] | None = None

    def __call__(self, counted: Array) -> Array:
        """The (roles × categories) sums of the hours of the ``counted`` tasks (read-only)."""
        last = self.last
        if last is not None and np.array_equal(last[0], counted):
            return last[1]
        self.last = None  # (let the last sums go before these are made)
        del last
        out = self._sums(counted)
        out.flags.writeable = False
        self.last = (counted.copy(), out)
        return out

    def _sums(self, counted: Array) -> Array:
        keep = counted[self.tasks]
        size = self.n_roles * self.n_cats
        if np.count_nonzero(keep) != np.count_nonzero(counted):  # (a task of no cell)
            idx = np.flatnonzero(counted)
            flat = self.t_role[idx] * self.n_cats + self.t_cat[idx]
            return ordered_sum(self.hours[idx], flat, size).reshape(self.n_roles, self.n_cats)
        groups, values = self.flat[keep], self.sorted_hours[keep]
        out = np.zeros(size)
        if len(values):
            starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
            out[groups[starts]] = np.add.reduceat(values, starts)
        return out.reshape(self.n_roles, self.n_cats)


def _cell_order(hours: Array, flat: Array, size: int) -> Array:
    """``np.lexsort((hours, flat))`` (``flat`` in ``[0, size)``): by cell, then hours, ties
    in their order.

    As one stable sort of the cells (nearly in order already: a role's tasks stand
    together), then a stable sort of the hours of each cell of two tasks or more, the
    cells of one size together as the rows of a table. Both sorts compare as
    ``lexsort``'s do (``-0.0`` and ``0.0`` tie, NaN last) and keep ties in their order,
    so the order is the same, in less than half the time of a sort of every task's
    hours (which ranking them among the distinct hours took before).
    """
    order: Array = np.argsort(flat, kind="stable")
    cells = flat[order]
    starts = np.flatnonzero(np.r_[True, cells[1:] != cells[:-1]])
    sizes = np.diff(np.r_[starts, len(cells)])
    for width in np.unique(sizes[sizes > 1]).tolist():
        at = starts[sizes == width][:, None] + np.arange(width)
        tasks = order[at]
        within = np.argsort(hours[tasks], axis=1, kind="stable")
        order[at] = np.take_along_axis(tasks, within, axis=1)
    return order


class _Ranges:
    """One scenario's ranges: what its draws are made of (each draw's time shares and
    scale, and the tasks it counts), and its levels' (P10, P90) of hours a week and of WTE.

    The roles' hours per category (:meth:`matrix`, :func:`_role_quantiles`' first
    argument) are made on this thread when the roles' percentiles start (the tasks they
    count too: ``counted()``), and the hours per category that every other level adds up
    are taken from them once their blocks are queued (:meth:`take_sums`), while the
    workers draw: each level is linear in its hours per category, so a staff group's (and the
    trust's, and an area's) draws come from its own, added up once, without building its
    roles' draws. Their products, small, are made by :meth:`levels` once the percentiles
    are done, with numpy's BLAS as it is (not held to the workers' one thread).
    """

    def __init__(
        self,
        s: Scenario,
        tree: Hierarchy,
        cells: _CellSums,
        counted: Callable[[], Array],
        shares: Array,
        contracted: Array,
        seed: int,
        n_draws: int,
    ) -> None:
        rng = _rng(seed, s.name)
        n_cats = len(shares)
        u = s.time_share_uncertainty
        factors = (
            rng.triangular(1 - u, 1.0, 1 + u, size=(n_draws, n_cats))
            if 1 - u < 1 + u  # (a u too small to move 1 in floating point is no uncertainty)
            else np.ones((n_draws, n_cats))
        )
        self.effective = np.minimum(shares[None, :] * factors, 1.0)  # draws × categories
        self.scale = s.adoption.draw(rng, n_draws) * s.realisation.draw(rng, n_draws)
        self.tree, self.contracted = tree, contracted
        self.inputs: tuple[_CellSums, Callable[[], Array]] | None = (cells, counted)
        self.sums: _LevelSums | None = None

    @property
    def role_inputs(self) -> _RoleInputs:
        """:func:`_role_quantiles`' arguments, the roles' matrix made when it is asked for
        (so that at most two scenarios' matrices are held at once), and what to do with
        it once its blocks are queued."""
        return self.matrix, self.effective, self.scale, self.take_sums

    def matrix(self) -> Array:
        """The roles' counted hours per category."""
        assert self.inputs is not None, "the ranges' tasks were let go"
        cells, counted = self.inputs
        return cells(counted())

    def take_sums(self, matrix: Array) -> None:
        """Every other level's hours per category, from the roles' (the first time):
        :func:`_level_sums`, or the scenario before's if they were made of the same
        sums of the same tasks (the packaged scenarios with E1 and E2 tasks count the same
        tasks: the same figures, added up once)."""
        if self.sums is not None:
            return
        made_of = (matrix, self.tree, self.contracted)
        cells = self.inputs[0] if self.inputs is not None else None
        shared = cells.level_sums if cells is not None else None
        if shared is not None and all(a is b for a, b in zip(shared[0], made_of, strict=True)):
            self.sums = shared[1]
            return
        self.sums = _level_sums(*made_of)
        if cells is not None:
            cells.level_sums = (made_of, self.sums)

    def let_tasks_go(self) -> None:
        """Keep only every level's hours per category (taken now if they are not yet), not
        the tasks' sums they come from: those go as soon as every scenario's roles' are
        done, before the tasks' own figures are put together."""
        if self.sums is None:
            self.take_sums(self.matrix())
        self.inputs = None

    def levels(self) -> dict[str, tuple[Array, Array]]:
        """Low and high (P10, P90) of hours a week and of WTE per staff group, the trust
        and each area: not while the roles' percentiles hold numpy's BLAS to one thread."""
        self.let_tasks_go()
        assert self.sums is not None
        effective, scale = self.effective, self.scale
        return {
            level: (
                _quantiles(_level_draws(week, effective) * scale[None, :]),
                _quantiles(_level_draws(wte, effective) * scale[None, :]),
            )
            for level, (week, wte) in self.sums.items()
        }


def _level_draws(sums: Array, effective: Array) -> Array:
    """``sums @ effective.T``: each staff group's, area's or the trust's draws from its
    hours per category, each row's the same bits whatever the other rows.

    The rows are padded with rows of 0 to whole tiles of :data:`_TILE` (as the roles'
    blocks are) and multiplied on one BLAS thread: a product of a dozen staff groups, or
    of the trust's one row, was added up in another order than one of 64 rows or more, or
    split between threads, so a staff group's low and high differed in the last bit
    with the other groups of the inventory (29 of the sample's 36 group and scenario
    rows, each group's roles aggregated alone). (About 12 ms more CPU a run of three
    scenarios, 200 organisations and a dozen groups.)
    """
    padded = np.zeros((-(-len(sums) // _TILE) * _TILE, sums.shape[1]))
    padded[: len(sums)] = sums
    n_draws = len(effective)
    draws: Array = np.empty((len(sums), n_draws))
    # (the process's one-thread limit, shared with any run drawing meanwhile: a limit of
    # its own would restore one thread, not the BLAS's own, when runs overlap)
    with _one_blas_thread():
        for a in range(0, n_draws, _DRAW_CHUNK):  # (so many draws at a time: bounded memory)
            draws[:, a : a + _DRAW_CHUNK] = (padded @ effective[a : a + _DRAW_CHUNK].T)[: len(sums)]
    return draws


def _level_sums(matrix: Array, tree: Hierarchy, contracted: Array) -> _LevelSums:
    """Hours per category (a week's and WTE's) of each staff group, the trust and each
    area, from the roles' (``matrix``).

    Only the categories some role has hours in are added up (a scenario that counts
    E2 work alone has 6 of 30): each category's sums depend on its own column alone
    (a pairwise sum of each column, or a ``bincount``), and a column of +0.0 adds up
    to +0.0 in either, as would its WTE, each 0 over a contracted number of hours
    that is not 0 or NaN; so the others are left at 0, the same bits.
    """
    used = _used_columns(matrix, contracted)
    part = matrix if used is None else matrix[:, used]

    def widen(sums: Array) -> Array:
        if used is None:
            return sums
        out = np.zeros((len(sums), matrix.shape[1]))
        out[:, used] = sums
        return out

    # (WTE: the matrix divided by each role's contracted hours, a group's rows at a
    # time)
    by_group = widen(tree.roles_to_groups_rows(part))
    by_group_wte = widen(tree.roles_to_groups_rows(part, contracted))
    sums = {
        "staff_groups": (by_group, by_group_wte),
        # (the trust's, its roles' in their order, as an organisation's: a one-organisation
        # inventory's trust total and organisation row have the same range)
        "trust": (
            widen(tree.roles_to_total_rows(part)),
            widen(tree.roles_to_total_rows(part, contracted)),
        ),
    }
    for level in tree.areas:
        sums[level] = (
            widen(tree.roles_to_area_rows(level, part)),
            widen(tree.roles_to_area_rows(level, part, contracted)),
        )
    return sums


def _used_columns(matrix: Array, divisor: Array) -> Array | None:
    """The columns of ``matrix`` that are not all 0, when the others are +0.0 and add up
    to +0.0 whole or divided by ``divisor`` (finite figures without a sign bit; no divisor
    0 or NaN); otherwise (or if every column is used) None."""
    used = np.flatnonzero(matrix.any(axis=0))
    if len(used) == matrix.shape[1]:
        return None
    if not np.isfinite(matrix).all() or np.signbit(matrix).any():
        return None
    if np.isnan(divisor).any() or (divisor == 0).any():
        return None
    return used


class _Buffers(threading.local):
    """One reusable block of draws per thread: one of the ``spare`` blocks (shared by
    every thread, made beforehand) if there is one left."""

    buffer: Array | None = None

    def __init__(self, spare: list[Array] | None = None) -> None:
        self.spare = spare if spare is not None else []

    def get(self, rows: int, n_draws: int) -> Array:
        buffer = self.buffer
        if buffer is None and self.spare:
            with suppress(IndexError):  # (pop is atomic: another thread may take the last)
                buffer = self.buffer = self.spare.pop()
        if buffer is None or buffer.shape[1] != n_draws or len(buffer) < rows:
            buffer = self.buffer = np.empty((rows, n_draws))
        return buffer[:rows]


def _block_rows(n_draws: int) -> int:
    """Roles in a block of :func:`_role_blocks`: whole tiles of :data:`_TILE` rows, about
    _BLOCK draws.

    Small enough (192 roles of 2,000 draws: 3 MB) that a block stays in the core's own
    cache from its product through both partitions and the minima; blocks of 8 MB, which
    go out to the shared cache between those passes, took ~15 % more CPU at a million
    tasks.
    """
    return max(_TILE, _BLOCK // n_draws // _TILE * _TILE)


def _role_blocks(
    matrix: Array, effective: Array, scale: Array, out: Array, buffers: _Buffers
) -> list[Callable[[], None]]:
    """The work of :func:`_role_quantiles`, as blocks of roles that fill rows of ``out``.

    Each role's figures depend on its own row of ``matrix`` only: every product is of the
    one shape (:func:`_block_rows` roles, padded with roles of no hours, times every
    category), from which a role's draws come out the same whatever block it falls in.
    So only roles that need it go through the product: a role with no counted hours has
    no draws but 0; one with hours in a single category has that category's time shares
    times its hours (the product's every other term is an exact 0, so this *is* the
    product, bit for bit, whatever order the BLAS adds in); the others are packed into
    whole blocks. All roles are drawn in plain blocks when an hour or a time share is not
    a finite number ≥ 0.

    The BLAS's order of adding a row's terms depends on the product's shape (OpenBLAS
    takes a kernel for small products by their size, and treats the tail of a block that
    is not whole tiles apart: see :data:`_TILE`), never on the other rows' values. Products of
    fewer rows (the last roles of an inventory) made a role's low and high differ in the
    last bit with the number of roles; products of only the categories a block's roles
    used, which a check of the BLAS on other shapes had found harmless, gave other bits
    than the full product on an AVX-512 machine (OpenBLAS 0.3.31, SkylakeX kernels:
    about 1 role in 300 of random blocks, at 100 to 323 draws).
    """
    n_roles, n_cats = matrix.shape
    n_draws = len(scale)
    rows = _block_rows(n_draws)

    def product(part: Array) -> Array:
        """``part @ effective.T`` (scaled unless every scale is 1), as rows of a product
        of the one shape: ``rows`` roles, those missing padded with roles of no hours."""
        draws = buffers.get(rows, n_draws)
        n = len(part)
        if n < rows:
            part = np.concatenate([part, np.zeros((rows - n, n_cats))])
        np.matmul(part, effective.T, out=draws)
        draws = draws[:n]
        if not unit:
            draws *= scale
        return draws

    def plain(start: int, stop: int) -> None:
        part = matrix[start:stop]
        if not part.any():  # no counted hours: every draw is 0, and so are the percentiles
            return
        draws = product(part)
        if np.isfinite(part).all():
            out[start:stop] = _select_quantiles(draws, signed_zeros=signed_zeros)
        else:  # (NaN draws: np.quantile's own handling)
            out[start:stop] = np.quantile(draws, QUANTILES, axis=1).T

    def packed(roles: Array) -> None:
        """Roles with hours in several categories."""
        draws = product(matrix.take(roles, axis=0))  # (take, not a fancy index: half the time)
        out[roles] = _select_quantiles(draws, signed_zeros=signed_zeros)

    def single(roles: Array, cats: Array) -> None:
        draws = buffers.get(len(roles), n_draws)
        np.take(by_category, cats, axis=0, out=draws, mode="clip")  # (valid codes)
        draws *= matrix[roles, cats][:, None]
        if not unit:
            draws *= scale
        out[roles] = _select_quantiles(draws, signed_zeros=signed_zeros)

    def spans(start: int, stop: int) -> list[Callable[[], None]]:
        return [partial(plain, a, min(a + rows, stop)) for a in range(start, stop, rows)]

    # A draw can be -0.0 only if a factor of it has a sign bit (a negative number, -0.0 or
    # a NaN): products and sums of finite numbers ≥ 0 without -0.0 never make one (nor
    # does the BLAS, whose sums start from +0.0). Without, each row's percentiles may be
    # found the quicker way (_select_quantiles).
    signed_zeros = not (
        np.isfinite(scale).all()
        and not np.signbit(matrix).any()
        and not np.signbit(effective).any()
        and not np.signbit(scale).any()
    )
    ok = (
        np.isfinite(matrix).all()
        and (matrix >= 0).all()
        and np.isfinite(effective).all()
        and (effective >= 0).all()
    )
    # Fixed adoption and realisation (a scale of 1 in every draw) multiply nothing: x × 1
    # is x, to the bit, for every number a draw can be (NaN, ±0 and ±inf included).
    unit = bool((scale == 1.0).all())
    if not ok:
        return spans(0, n_roles)
    # (hours ≥ 0 here, so "> 0" is "not 0"; one mask, not copies of the matrix's rows)
    positive = matrix > 0
    nonzero = np.count_nonzero(positive, axis=1)
    several = np.flatnonzero(nonzero > 1)
    one = np.flatnonzero(nonzero == 1)
    one_cat = np.argmax(positive[one], axis=1)
    del positive
    done, figures = _one_category_quantiles(matrix[one, one_cat], one_cat, effective, scale)
    out[one[done]] = figures[done]
    one, one_cat = one[~done], one_cat[~done]
    by_category = np.ascontiguousarray(effective.T)
    return [
        *(partial(packed, several[a : a + rows]) for a in range(0, len(several), rows)),
        *(
            partial(single, one[a : a + rows], one_cat[a : a + rows])
            for a in range(0, len(one), rows)
        ),
    ]


def _role_quantiles(matrix: Array, effective: Array, scale: Array) -> Array:
    """QUANTILES of each role's draws, as a (roles × 2) array: ``np.quantile``'s figures.

    A role's draws are its hours per category (a row of ``matrix``) times each draw's
    time shares (``effective``, draws × categories), times the draw's ``scale``. They are
    built a block of roles at a time (:func:`_role_blocks`) into one buffer per thread,
    and each percentile is *selected* in place (:func:`_select_quantiles`) rather than
    with ``np.quantile``, which copies the block and partitions across rows.
    """
    with _RolePercentiles([(lambda: matrix, effective, scale, None)], len(matrix)) as percentiles:
        (out,) = percentiles.result()
    return out


class _RolePercentiles:
    """:func:`_role_quantiles` of several scenarios, one after another on both cores, in
    the background: ``with _RolePercentiles(inputs, n_roles) as p: ...; p.result()``.

    Meanwhile numpy's BLAS is held to one thread (:func:`_one_blas_thread`), so the
    thread that waits must not compute matrix products whose figures depend on it.

    A scenario's blocks, and its roles' matrix with them (made by the first element of
    its inputs), are made on this thread, as are the workers' buffers: the first two
    scenarios' when the workers start, each next one's (in :meth:`result`) once the one
    two before it is done, so at most two matrices are held at once. (Made on a worker,
    their memory would come from that thread's own malloc arena, which glibc keeps apart
    from this thread's: at a million tasks ~100 MB more resident, where this thread has
    memory freed by the stages before to reuse.)
    """

    def __init__(self, inputs: Sequence[_RoleInputs], n_roles: int) -> None:
        self.inputs = list(inputs)
        self.outs = [np.zeros((n_roles, 2)) for _ in self.inputs]
        n_draws = len(self.inputs[0][2]) if self.inputs else 0
        self.buffers = _Buffers(
            [np.empty((_block_rows(n_draws), n_draws)) for _ in range(_WORKERS)]
            if self.inputs
            else []
        )
        self.queue: deque[tuple[int, Callable[[], None]]] = deque()
        self.left = [0] * len(self.inputs)  # each scenario's blocks not done yet
        self.made = 0  # scenarios whose blocks are made
        self.cond = threading.Condition()
        self.stopped = False
        self.stack = ExitStack()

    def _make(self) -> None:
        """Make the next scenario's blocks and queue them for the workers."""
        k = self.made
        make_matrix, effective, scale, then = self.inputs[k]
        matrix = make_matrix()
        blocks = _role_blocks(matrix, effective, scale, self.outs[k], self.buffers)
        with self.cond:
            self.left[k] = len(blocks)
            self.queue.extend((k, block) for block in blocks)
            self.made += 1
            self.cond.notify_all()
        del blocks
        if then is not None:  # (while the workers start on the blocks)
            then(matrix)

    def _done(self) -> bool:
        return self.stopped or (not self.queue and self.made == len(self.inputs))

    def _work(self) -> None:
        """Run blocks, one at a time, until there are none left (or the ranges stop)."""
        while True:
            with self.cond:
                self.cond.wait_for(lambda: self.queue or self._done())
                if self._done():
                    return
                k, block = self.queue.popleft()
            try:
                block()
            except BaseException:
                with self.cond:
                    self.stopped = True
                    self.cond.notify_all()
                raise
            del block  # (its scenario's matrix goes with its last block)
            with self.cond:
                self.left[k] -= 1
                self.cond.notify_all()

    def __enter__(self) -> _RolePercentiles:
        self.stack.enter_context(_one_blas_thread())
        pool = self.stack.enter_context(ThreadPoolExecutor(max_workers=_WORKERS))
        self.futures = [pool.submit(self._work) for _ in range(_WORKERS)]
        try:
            while self.made < min(2, len(self.inputs)):
                self._make()
        except BaseException:
            self.__exit__()
            raise
        return self

    def result(self) -> list[Array]:
        """Each scenario's (roles × 2) percentiles, once every block is done."""
        while self.made < len(self.inputs):
            with self.cond:
                self.cond.wait_for(lambda: self.stopped or not self.left[self.made - 2])
                if self.stopped:  # (a worker failed: its future raises below)
                    break
            self._make()
        for future in self.futures:
            future.result()
        return self.outs

    def __exit__(self, *exc: object) -> None:
        with self.cond:
            self.stopped = True
            self.cond.notify_all()
        self.stack.close()


class _OneBlasThread:
    """The BLAS numpy uses on one thread while any run's ranges are being drawn.

    The ranges run a matrix product per block on each core already, and OpenBLAS's own
    threads would only spin against them (twice the CPU time). And how OpenBLAS splits a
    product among its threads can move the last bit of some draws (for some numbers of
    draws, not the default 2,000), so one thread also makes the ranges the same on a
    machine with any number of cores.

    The limit is the process's, so runs on several threads share it: the first to start
    sets it and the last to finish restores what the BLAS had before (one limit per run,
    each restoring what it found, would leave it at one thread when runs overlap).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._limiter: threadpool_limits | None = None

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._holders == 0:
                self._limiter = threadpool_limits(limits=1, user_api="blas")
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0 and self._limiter is not None:
                    self._limiter.restore_original_limits()
                    self._limiter = None


_one_blas_thread = _OneBlasThread()


@functools.cache
def _positions(n: int) -> tuple[tuple[int, ...], tuple[int, ...], tuple[float, ...]]:
    """The order statistics (lower, upper) that ``np.quantile``'s default "linear" method
    interpolates between for each of QUANTILES of ``n`` values, and how far (gamma).

    Worked out once per ``n``: every block of draws asks (a few microseconds of small
    numpy calls, ~5 % of a block's selection at 2,000 draws).
    """
    virtual = (n - 1) * np.asarray(QUANTILES)
    below = np.minimum(np.floor(virtual), n - 1)
    gamma = virtual - below
    lower = below.astype(np.intp)
    upper = np.minimum(lower + 1, n - 1)
    return tuple(lower.tolist()), tuple(upper.tolist()), tuple(gamma.tolist())


def _lerp(a: Array, b: Array, gamma: float) -> Array:
    """numpy's _lerp for one quantile (values ``a`` below, ``b`` above, ``gamma`` of the
    way): from the lower value below half-way, from the upper one above. The same
    operations on the same float64 figures as numpy's, one quantile at a time."""
    diff = b - a
    out: Array = b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma
    return out


def _select_quantiles(draws: Array, *, signed_zeros: bool = True) -> Array:
    """QUANTILES of each row of ``draws`` (finite), as a (rows × 2) array; reorders the rows.

    Bit for bit ``np.quantile(draws, QUANTILES, axis=1).T`` (its default "linear"
    method): the same order statistics, found by partitioning each row in place from
    the lowest needed position up (the one just above a found position is the minimum
    of the rest), and the same interpolation between them.

    With ``signed_zeros=False`` (the caller knows no draw is ``-0.0``), two neighbouring
    positions low in the row (P10's two, of 2,000 draws the 199th and 200th) are found by
    one partition at the upper one and the maximum of the few below it, rather than the
    minimum of the many above the lower one: the same values, ~15 % less time. (The value
    at a position is the same whichever way it is found; only a zero's sign could depend
    on the way, where both zeros are in the row.)
    """
    n = draws.shape[1]
    lower, upper, gamma = _positions(n)
    found: dict[int, Array] = {}
    needed = sorted({*lower, *upper})
    start = i = 0
    while i < len(needed):
        k = needed[i]
        rest = draws[:, start:]
        if k == start:
            found[k] = rest.min(axis=1)
        elif (
            not signed_zeros
            and i + 1 < len(needed)
            and needed[i + 1] == k + 1
            and k + 1 - start < n - k - 1
        ):
            rest.partition(k + 1 - start, axis=1)
            found[k + 1] = draws[:, k + 1].copy()
            found[k] = draws[:, start : k + 1].max(axis=1)  # (all below are no larger)
            start = k + 2
            i += 1
        else:
            rest.partition(k - start, axis=1)
            found[k] = draws[:, k].copy()
            start = k + 1
        i += 1
    out = np.empty((len(draws), len(gamma)))
    for j, (lo_k, hi_k, g) in enumerate(zip(lower, upper, gamma, strict=True)):
        out[:, j] = _lerp(found[lo_k], found[hi_k], g)
    return out


_NEAR = 1e-14
"""Relative distance within which two draws of one category might swap order once
multiplied by a role's hours (each draw is rounded twice: 4.4e-16 at most), with room."""
_SAFE = 2.0**-1000, 2.0**1000
"""Draws inside this span are normal numbers, so their rounding is relative."""
_WINDOW = 64
"""Most draws a role with hours in one category computes for each percentile."""


def _one_category_quantiles(
    hours: Array, cats: Array, effective: Array, scale: Array
) -> tuple[Array, Array]:
    """QUANTILES of the draws of roles with ``hours`` in one category each (``cats``),
    without building their draws, for the roles it can do: (done, percentiles).

    Such a role's draws are ``hours × time share`` of its category, times ``scale``, so
    they come in the order of ``time share × scale`` (one sort per category), except
    where two of those are so close that rounding might swap them. So only the draws
    around each needed position, up to a clear gap on either side, are computed (as the
    draws themselves are: the same two multiplications) and sorted: their ranks are the
    gap's position plus their rank among themselves, and the percentiles are then those
    of :func:`_select_quantiles`, bit for bit. A category whose draws tie too much, or
    roles whose figures would leave the normal range of floating point, are left out.
    """
    n = len(scale)
    lower, upper, gamma = _positions(n)
    done = np.zeros(len(hours), dtype=bool)
    out = np.zeros((len(hours), 2))
    positive_scale = scale[scale > 0]
    for k in np.unique(cats).tolist():
        shares = effective[:, k]
        positive = shares[shares > 0]
        if not len(positive) or not len(positive_scale):
            continue
        # (the smallest and largest a draw, or its first rounded product, can be per hour)
        low = positive.min() * min(positive_scale.min(), 1.0)
        high = positive.max() * max(positive_scale.max(), 1.0)
        if not _SAFE[0] < positive.min() * positive_scale.min() <= high < _SAFE[1]:
            continue
        w = shares * scale
        order = np.argsort(w, kind="stable")
        sorted_w = w[order]
        gap = sorted_w[:-1] * (1 + _NEAR) < sorted_w[1:] * (1 - _NEAR)  # after position p
        gap_before = np.r_[True, gap]
        gap_after = np.r_[gap, True]
        windows = []
        for lo_k, hi_k in zip(lower, upper, strict=True):
            first = int(np.flatnonzero(gap_before[: lo_k + 1])[-1])
            last = hi_k + int(np.flatnonzero(gap_after[hi_k:])[0])
            windows.append((first, last))
        if max(last - first + 1 for first, last in windows) > _WINDOW:
            continue
        rows = np.flatnonzero(cats == k)
        h = hours[rows]
        ok = (h * low > _SAFE[0]) & (h * high < _SAFE[1])
        rows, h = rows[ok], h[ok]
        for j, ((first, last), lo_k, hi_k, g) in enumerate(
            zip(windows, lower, upper, gamma, strict=True)
        ):
            draws_at = order[first : last + 1]
            draws = h[:, None] * shares[draws_at]
            draws *= scale[draws_at]
            draws.sort(axis=1)
            out[rows, j] = _lerp(draws[:, lo_k - first], draws[:, hi_k - first], g)
        done[rows] = True
    return done, out


def _quantiles(draws: Array) -> Array:
    """QUANTILES of each row of a (rows × draws) block, as a (2 × rows) array; reorders
    the rows.

    ``np.quantile``'s figures: selected in place (:func:`_select_quantiles`, as the
    roles' are) when every draw is finite, rather than with ``np.quantile``'s copy and its
    partition at four positions at once (several times slower at 2,000 draws).
    """
    if not draws.size:
        return np.zeros((2, draws.shape[0]))
    if np.isfinite(draws).all():
        out: Array = _select_quantiles(draws, signed_zeros=bool(np.signbit(draws).any())).T
        return out
    return np.quantile(draws, QUANTILES, axis=1)


def _central_sums(
    central: Array, t_auto: Array, to_roles: GroupSums, t_contracted: Array
) -> dict[str, Array]:
    """One scenario's central figures per role."""
    return {
        col.HOURS_RELEASED: to_roles(central),
        col.HOURS_AUTOMATION: to_roles(np.where(t_auto, central, 0.0)),
        col.HOURS_AUGMENTATION: to_roles(np.where(t_auto, 0.0, central)),
        col.WTE_RELEASED: to_roles(central / t_contracted),
    }


def _scenario_levels(role_values: dict[str, Array], tree: Hierarchy) -> dict[str, pd.DataFrame]:
    """One scenario's central figures added up at each level (its name and ranges come
    later: :func:`_scenario_table`)."""
    roles, groups, trust = tree.sum_levels(role_values)
    levels = {"roles": roles, "staff_groups": groups, "trust": trust}
    levels.update(tree.sum_areas(role_values))
    return levels


def _scenario_table(
    frame: pd.DataFrame, name: str, week: Array, wte: Array, fte: Array, a: Assumptions
) -> pd.DataFrame:
    """One scenario's table at one level: the keys and central figures of ``frame`` (from
    :func:`_scenario_levels`), the scenario's name, and every figure in its documented
    order, the low and high of hours a week and of WTE given as (P10, P90) rows.

    What :func:`_derive` makes of the frame with the name inserted before its figures
    and the four ranges set, the same numbers from the same operations, but made in one go:
    setting a frame's columns one at a time remakes its column labels each time (a
    fifth of a second at a million tasks, after the percentiles, on one core).
    """
    weeks = a.working_weeks_per_year
    central = frame[col.HOURS_RELEASED].to_numpy()
    wte_central = frame[col.WTE_RELEASED].to_numpy()
    low, high = week[0], week[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        per_fte = np.where(fte > 0, 1.0 / np.where(fte > 0, fte, 1.0), 0.0)
    figures = {
        col.RELEASED_LOW: low,
        col.HOURS_RELEASED: central,
        col.RELEASED_HIGH: high,
        col.HOURS_AUTOMATION: frame[col.HOURS_AUTOMATION].to_numpy(),
        col.HOURS_AUGMENTATION: frame[col.HOURS_AUGMENTATION].to_numpy(),
        col.RELEASED_YEAR_LOW: low * weeks,
        col.HOURS_RELEASED_YEAR: central * weeks,
        col.RELEASED_YEAR_HIGH: high * weeks,
        col.WTE_LOW: wte[0],
        col.WTE_RELEASED: wte_central,
        col.WTE_HIGH: wte[1],
        col.HOURS_PER_WTE_MONTH: central * per_fte * weeks / 12,
        col.DAYS_PER_WTE_MONTH: wte_central * per_fte * a.working_days_per_month,
    }
    keys = {c: frame[c] for c in frame.columns if c not in col.FIGURE_COLUMNS}
    # (the name, of the type a frame gives a text, repeated rather than made a row at a
    # time from a Python string each)
    names = pd.Series([name]).array.repeat(len(frame))
    return pd.DataFrame({**keys, col.SCENARIO: names, **figures})


def _derive(frame: pd.DataFrame, fte: Array, a: Assumptions) -> pd.DataFrame:
    """Per-year and per-WTE-month figures; the figure columns in their documented order.

    (The reference path's, tests/_reference_aggregating.py; :func:`_scenario_table`
    makes the same figures in one go.)
    """
    weeks = a.working_weeks_per_year
    frame[col.RELEASED_YEAR_LOW] = frame[col.RELEASED_LOW] * weeks
    frame[col.HOURS_RELEASED_YEAR] = frame[col.HOURS_RELEASED] * weeks
    frame[col.RELEASED_YEAR_HIGH] = frame[col.RELEASED_HIGH] * weeks
    with np.errstate(invalid="ignore", divide="ignore"):
        per_fte = np.where(fte > 0, 1.0 / np.where(fte > 0, fte, 1.0), 0.0)
    frame[col.HOURS_PER_WTE_MONTH] = frame[col.HOURS_RELEASED] * per_fte * weeks / 12
    frame[col.DAYS_PER_WTE_MONTH] = frame[col.WTE_RELEASED] * per_fte * a.working_days_per_month
    keys = [c for c in frame.columns if c not in col.FIGURE_COLUMNS]
    return frame[[*keys, *col.FIGURE_COLUMNS]]
