"""The whole job in one call: load, score, aggregate (:func:`run`).

The result it returns is :class:`genai_aug.result.Result`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any, cast

import pandas as pd

from genai_aug import __version__, _summary
from genai_aug._memory import release_free_memory
from genai_aug.aggregating import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    QUANTILES,
    Aggregates,
    Assumptions,
    aggregate_hours,
    check_draws,
)
from genai_aug.errors import ArgumentTypeError
from genai_aug.inventory import ErrorMode, Inventory
from genai_aug.loading import load_inventory
from genai_aug.result import (
    METADATA_FILE,
    OUTPUT_FILES,
    Deferred,
    Result,
    safe_for_spreadsheets,
)
from genai_aug.rules import RulesetLike, as_ruleset
from genai_aug.scenarios import Scenario, ScenarioSet, load_scenarios
from genai_aug.scoring import _score_tasks

__all__ = ["METADATA_FILE", "OUTPUT_FILES", "Result", "run", "safe_for_spreadsheets"]


def _input_paths(source: object, tasks: object, inventory: Inventory) -> list[Path]:
    """The files the inventory was read from: the paths given to :func:`run`, or, for an
    inventory loaded earlier, the files its ``source`` names (none for a DataFrame)."""
    if isinstance(source, Inventory):
        if inventory.source == "<DataFrame>":  # (load_inventory's name for DataFrames)
            return []
        return [Path(p.strip()) for p in inventory.source.split(" + ")]
    given = [source] if tasks is None else [source, tasks]
    if not all(isinstance(p, str | os.PathLike) for p in given):
        return []  # (part of it is a DataFrame: a digest of the rest would say too little)
    return [Path(p) for p in given]  # type: ignore[arg-type]


def _file_digest(paths: list[Path]) -> str | None:
    """SHA-256 of the files, one after another; None when there are none, or one is gone."""
    if not paths or not all(p.is_file() for p in paths):
        return None
    h = hashlib.sha256()
    for p in paths:
        # (in blocks, as file_digest reads: a national tasks file is ~100 MB, and read
        # whole it would be held at once, when the run's tables are all held too)
        with p.open("rb") as fh:
            for block in iter(partial(fh.read, 1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def run(
    source: str | os.PathLike[str] | pd.DataFrame | Inventory,
    tasks: str | os.PathLike[str] | pd.DataFrame | None = None,
    *,
    ruleset: RulesetLike = None,
    assumptions: Assumptions | Mapping[str, Any] | None = None,
    errors: ErrorMode = "raise",
    scenarios: str | os.PathLike[str] | ScenarioSet | Sequence[Scenario] | None = None,
    headline: str | None = None,
    organisations: pd.DataFrame | str | os.PathLike[str] | None = None,
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
        Working weeks a year. Adoption and realisation belong to the scenarios.
    errors : {"raise", "reject"}
        What to do with rows that have errors (see :func:`load_inventory`).
    scenarios : path, ScenarioSet or sequence of Scenario, optional
        The scenarios to report with low–central–high ranges; ``None`` for the packaged
        three (see :mod:`genai_aug.scenarios`). The one marked ``headline`` fills the
        level tables and the first line of every output.
    headline : str, optional
        The name of a scenario to make the headline instead of the one the file marks,
        e.g. ``"llm_with_tools"`` for the full potential.
    organisations : DataFrame or path to a CSV, optional
        A lookup from organisation (the roles' ``trust`` column) to ``icb`` and/or
        ``region``: results are then also given per ICB and region. Roles that carry an
        organisation are added up per organisation with or without it.
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
    >>> result.headline.scenario
    'partial_adoption'
    >>> bool(result.headline.hours_low <= result.headline.hours <= result.headline.hours_high)
    True
    """
    if progress is not None and not callable(progress):
        raise ArgumentTypeError(
            f"progress must be a function of one str (a stage's name) or None, got "
            f"{type(progress).__name__}."
        )
    check_draws(seed, n_draws)  # before any message formats them
    step = progress or (lambda _stage: None)
    rs = as_ruleset(ruleset)
    scen = load_scenarios(
        Path(scenarios) if isinstance(scenarios, str | os.PathLike) else scenarios
    )
    if headline is not None:
        scen = scen.with_headline(headline)
    if not isinstance(source, Inventory):
        step("loading and checking the inventory")
    inventory = (
        source
        if isinstance(source, Inventory)
        else load_inventory(source, tasks, errors=errors, ruleset=rs)
    )
    release_free_memory()  # loading's temporaries, before scoring allocates its own
    step(f"scoring {len(inventory.tasks):,} tasks with {len(rs.rules)} rules")
    scored, build_evidence = _score_tasks(inventory, rs)
    evidence = Deferred(build_evidence)  # built when result.evidence is first read
    release_free_memory()
    step(
        f"aggregating {len(inventory.roles):,} roles under {len(scen.scenarios)} scenarios "
        f"({n_draws:,} draws each for the ranges)"
    )
    agg: Aggregates = aggregate_hours(
        scored,
        inventory.roles,
        ruleset=rs,
        scenarios=scen,
        assumptions=assumptions,
        seed=seed,
        n_draws=n_draws,
        organisations=organisations,
    )
    result = Result(
        tasks=agg.tasks,
        roles=agg.roles,
        staff_groups=agg.staff_groups,
        trust=agg.trust,
        evidence=cast(pd.DataFrame, evidence),  # (a Deferred table: Result builds it when read)
        issues=inventory.issues,
        scenarios=agg.scenarios,
        assumptions=agg.assumptions,
        ruleset=rs,
        inventory=inventory,
        areas=agg.areas,
    )
    provenance = {
        "genai_aug_version": __version__,
        "headline": _summary.headline(result).as_dict(),
        "input": inventory.source,
        "input_sha256": _file_digest(_input_paths(source, tasks, inventory)),
        "ruleset_name": rs.name,
        "ruleset_version": rs.version,
        "ruleset_sha256": rs.hash,
        "assumptions": agg.assumptions.as_dict(),
        "scenarios_version": scen.version,
        "scenarios_sha256": scen.hash,
        "scenarios": [sc.model_dump(mode="json") for sc in scen.scenarios],
        "monte_carlo": {
            "seed": agg.scenarios.seed,
            "n_draws": agg.scenarios.n_draws,
            "quantiles": list(QUANTILES),
        },
        "rows_read": inventory.rows_read,
        "rows_rejected": inventory.rows_rejected,
        "blank_rows_skipped": inventory.blank_rows,
    }
    result.provenance.update(provenance)
    frames: tuple[pd.DataFrame | Deferred, ...] = (
        agg.tasks,
        agg.roles,
        agg.staff_groups,
        agg.trust,
        evidence,
        agg.scenarios.roles,
        agg.scenarios.staff_groups,
        agg.scenarios.trust,
        *agg.areas.values(),
        *agg.scenarios.areas.values(),
    )
    for frame in frames:
        frame.attrs["provenance"] = provenance
    return result
