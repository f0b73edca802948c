"""Scenarios: the stated assumptions under which hours are released, as data.

A *scenario* (TOML) says which exposure classes count (E1 and/or E2: E0 tasks release
nothing, by definition), which staff groups, categories and roles it covers (all by
default), how widely the tools are adopted and how much of the time saved is realised
as time released (each low–central–high), and how uncertain each category's time share
is. One scenario of a set is the **headline**: the figure a board quotes. The packaged
file ``default_scenarios.toml`` holds three: ``llm_alone`` (E1 tasks), ``llm_with_tools``
(E1 and E2: the full potential) and ``partial_adoption`` (the headline). An analyst's file
adds to or replaces them.

This module only declares and checks scenarios; :mod:`genai_aug.aggregating` computes
the hours they release.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from genai_aug import _columns as col
from genai_aug._reference import canonical_staff_group, suggest_staff_groups
from genai_aug._toml import read_toml
from genai_aug.errors import ArgumentTypeError, ScenarioError

__all__ = [
    "Range",
    "Scenario",
    "ScenarioSet",
    "default_scenarios",
    "load_scenarios",
]

DEFAULT_SCENARIOS_FILE = "default_scenarios.toml"
_SET_KEYS = ("version", "extends", "description")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Range(_Model):
    """A low–central–high assumption, each a share between 0 and 1."""

    low: float = Field(ge=0.0, le=1.0, strict=True)
    central: float = Field(ge=0.0, le=1.0, strict=True)
    high: float = Field(ge=0.0, le=1.0, strict=True)

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.low <= self.central <= self.high:
            raise ValueError(
                f"must have low ≤ central ≤ high, got {self.low}, {self.central}, {self.high}"
            )
        return self

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray[Any, np.dtype[np.float64]]:
        """``n`` draws whose median is ``central``, spread triangularly to ``low`` and ``high``.

        Half the draws fall on each side of the central value: below it from the
        triangular distribution on [low, central] with its mode at central, above it
        from the one on [central, high]. For a symmetric range this is the triangular
        distribution (low, central, high); for a skewed one it keeps the central value
        the median, so the central figure stays inside its own range.

        Examples
        --------
        >>> draws = Range(low=0.1, central=0.1, high=0.9).draw(np.random.default_rng(0), 10_000)
        >>> round(float(np.mean(draws <= 0.1)), 1)  # half the draws at or below central
        0.5
        """
        u = rng.random(n)
        below = u < 0.5
        # inverse CDF of each half-triangle, with u rescaled to [0, 1) on its side
        v = np.where(below, 2 * u, 2 * u - 1)
        down = self.low + (self.central - self.low) * np.sqrt(v)
        up = self.high - (self.high - self.central) * np.sqrt(1 - v)
        return np.where(below, down, up)


class Scenario(_Model):
    """One named set of adoption assumptions, and what it covers.

    Parameters
    ----------
    name : str
        Identifier used in tables and file names, e.g. ``'partial_adoption'``.
    label : str
        Name for people, e.g. ``'Partial adoption (central case)'``.
    description : str
        What the scenario stands for, in a sentence or two.
    exposures : list of {'E1', 'E2'}
        The exposure classes whose tasks count. E0 tasks release nothing, in every
        scenario.
    adoption : Range
        Share of staff who use the tools for these tasks.
    realisation : Range
        Share of the time saved that becomes time released for other work.
    time_share_uncertainty : float
        Relative uncertainty ``u`` of each category's time share (0 ≤ u ≤ 1).
    headline : bool
        Whether this is the scenario whose central figure a board quotes (one per set).
    staff_groups, categories, roles : list of str
        The scenario's scope: NHS staff groups, category ids and role ids whose hours it
        can release. Empty (the default) means all. Staff groups are checked when the
        file is read; categories against the ruleset and roles against the inventory
        when hours are computed.
    """

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)
    description: str = Field(min_length=1)
    exposures: tuple[Literal["E1", "E2"], ...] = Field(min_length=1)
    adoption: Range
    realisation: Range
    time_share_uncertainty: float = Field(0.3, ge=0.0, le=1.0, strict=True)
    headline: bool = Field(False, strict=True)
    staff_groups: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()

    @field_validator("exposures", mode="before")
    @classmethod
    def _no_e0(cls, value: Any) -> Any:
        if isinstance(value, list | tuple) and "E0" in value:
            raise ValueError(
                "E0 tasks release nothing by definition (no meaningful saving), so a scenario "
                "cannot count them; list E1 and/or E2"
            )
        return value

    @field_validator("staff_groups")
    @classmethod
    def _known_groups(cls, groups: tuple[str, ...]) -> tuple[str, ...]:
        out = []
        for g in groups:
            canonical = canonical_staff_group(g)
            if canonical is None:
                close = ", ".join(repr(c) for c in suggest_staff_groups(g))
                raise ValueError(
                    f"unknown staff group {g!r} (did you mean {close}?); expected NHS Workforce "
                    "Statistics staff groups"
                )
            out.append(canonical)
        return tuple(out)

    @property
    def scoped(self) -> bool:
        """Whether the scenario covers less than the whole inventory."""
        return bool(self.staff_groups or self.categories or self.roles)

    def scope_text(self) -> str:
        """The scope in words, e.g. ``'staff groups: Central functions; categories: …'``."""
        parts = [
            f"{what}: {', '.join(items)}"
            for what, items in (
                ("staff groups", self.staff_groups),
                ("categories", self.categories),
                ("roles", self.roles),
            )
            if items
        ]
        return "; ".join(parts) or "all staff groups, categories and roles"


MAX_PROBLEMS_SHOWN = 50
"""A scenario file's error lists at most this many problems (and counts the rest)."""


def _some(names: Sequence[str], limit: int = 10) -> str:
    """Names for a message: all of a short list, the first ``limit`` and a count of a long one."""
    if len(names) <= limit:
        return str(list(names))
    return f"{list(names[:limit])} and {len(names) - limit:,} more"


class ScenarioSet(_Model):
    """The scenarios of a run, in order, with a version and a content hash."""

    version: str = Field(min_length=1)
    scenarios: tuple[Scenario, ...] = Field(min_length=1)
    source: str | None = Field(None, exclude=True)
    """The file the scenarios came from, for messages (not part of the hash)."""

    @model_validator(mode="after")
    def _unique(self) -> ScenarioSet:
        names = [s.name for s in self.scenarios]
        dupes = sorted(n for n, k in Counter(names).items() if k > 1)
        if dupes:
            raise ValueError(f"scenario name(s) used more than once: {_some(dupes)}")
        flagged = [s.name for s in self.scenarios if s.headline]
        if len(flagged) > 1:
            raise ValueError(
                f"more than one headline scenario: {_some(flagged)}; "
                "set headline = true on one only"
            )
        if not flagged and len(self.scenarios) > 1:
            raise ValueError(
                f"no headline scenario among {_some(names)}; set headline = true on the one whose "
                "central figure a board should quote"
            )
        return self

    @property
    def headline(self) -> Scenario:
        """The scenario whose central figure is the headline (the only one, if just one)."""
        return next((s for s in self.scenarios if s.headline), self.scenarios[0])

    def with_headline(self, name: str) -> ScenarioSet:
        """The same scenarios with ``name`` as the headline.

        Examples
        --------
        >>> default_scenarios().with_headline("llm_with_tools").headline.name
        'llm_with_tools'
        """
        self.get(name)
        return ScenarioSet(
            version=self.version,
            scenarios=tuple(
                s.model_copy(update={"headline": s.name == name}) for s in self.scenarios
            ),
        )

    def get(self, name: str) -> Scenario:
        """The scenario called ``name``; a :class:`ScenarioError` naming the closest otherwise."""
        for s in self.scenarios:
            if s.name == name:
                return s
        names = [s.name for s in self.scenarios]
        close = difflib.get_close_matches(str(name), names, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ScenarioError(f"Unknown scenario '{name}'{hint}; the scenarios are {names}.")

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
                    "headline": s.headline or s is self.headline,
                    "exposures_counted": "+".join(s.exposures),
                    "scope": s.scope_text(),
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


def _layout(data: Mapping[str, Any], where: str) -> tuple[dict[str, Any], list[Any]]:
    """The ``[scenarios]`` table and the ``[[scenario]]`` entries, their shape checked."""
    info = data.get("scenarios", {})
    items = data.get("scenario", [])
    unknown = sorted(set(data) - {"scenarios", "scenario"})
    if unknown or not isinstance(info, dict) or not isinstance(items, list):
        raise ScenarioError(
            f"Scenario file '{where}': expected a [scenarios] table and [[scenario]] entries, "
            f"got {sorted(data)}. See the packaged {DEFAULT_SCENARIOS_FILE} for the layout."
        )
    for key in sorted(set(info) - set(_SET_KEYS)):
        close = difflib.get_close_matches(key, _SET_KEYS, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ScenarioError(
            f"Scenario file '{where}', table [scenarios]: unknown key '{key}'{hint}; expected "
            f"{', '.join(_SET_KEYS)}."
        )
    extends = info.get("extends")
    if extends is not None and extends != "default":
        raise ScenarioError(
            f"Scenario file '{where}', table [scenarios], key 'extends': expected \"default\" "
            f"(to add to the packaged scenarios) or no 'extends' at all, got {extends!r}."
        )
    return info, items


def _validate(info: Mapping[str, Any], items: list[Any], where: str) -> ScenarioSet:
    payload = {"version": info.get("version", "unversioned"), "scenarios": items}
    try:
        return ScenarioSet.model_validate(payload).model_copy(update={"source": where})
    except ValidationError as exc:
        errors = exc.errors()
        # every proper prefix of an error's location: an error there has a deeper one
        above = {tuple(e["loc"][:k]) for e in errors for k in range(len(e["loc"]))}
        lines = []
        for err in errors:
            loc = err["loc"]
            if err["type"] == "too_short" and tuple(loc) in above:
                continue  # an invalid item left none valid: the item's own error says why
            if len(loc) >= 2 and loc[0] == "scenarios" and isinstance(loc[1], int):
                entry = items[loc[1]] if loc[1] < len(items) else {}
                name = entry.get("name", "?") if isinstance(entry, dict) else "?"
                field = ".".join(str(p) for p in loc[2:]) or "entry"
                lines.append(
                    f"  - scenario {loc[1] + 1} ('{name}'), field '{field}': {err['msg']}"
                    f"{_suggest(err, loc[2:])}{_got(err)}"
                )
            else:
                lines.append(f"  - {'.'.join(str(p) for p in loc) or 'file'}: {err['msg']}")
        shown = lines[:MAX_PROBLEMS_SHOWN]
        if len(lines) > len(shown):
            shown.append(f"  - ... and {len(lines) - len(shown):,} more problem(s)")
        raise ScenarioError(
            f"Scenario file '{where}' is invalid ({len(lines):,} problem(s)):\n" + "\n".join(shown)
        ) from None


def _suggest(err: Any, loc: tuple[Any, ...]) -> str:
    """'(did you mean 'adoption'?)' for a misspelt field."""
    if err["type"] != "extra_forbidden" or not loc:
        return ""
    model: type[BaseModel] = Range if len(loc) > 1 else Scenario
    close = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _got(err: Any) -> str:
    """', got 'yes' (str)' for a value of the wrong type."""
    if err["type"].endswith("_type") and "input" in err:
        value = err["input"]
        return f", got {value!r} ({type(value).__name__})"
    return ""


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
        where = f"packaged {DEFAULT_SCENARIOS_FILE}"
        _DEFAULT = _validate(*_layout(_read(None), where), where)
    return _DEFAULT


def load_scenarios(
    source: str | Path | ScenarioSet | Sequence[Scenario] | None = None,
) -> ScenarioSet:
    """Load and validate a scenario file (TOML); with no argument, the packaged scenarios.

    A file whose ``[scenarios]`` table says ``extends = "default"`` keeps the packaged
    scenarios and adds its own (a scenario with a packaged name replaces it; a scenario of
    its own marked ``headline = true`` becomes the headline); otherwise the file's
    scenarios are the whole set, and one of them must be marked ``headline = true``
    unless there is only one.

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
        if isinstance(source, Sequence):
            bad = [i for i, x in enumerate(source) if not isinstance(x, Scenario)]
            if bad:
                raise ScenarioError(
                    f"Scenarios are invalid: item {bad[0]} is a {type(source[bad[0]]).__name__}, "
                    "not a Scenario. Build each with genai_aug.scenarios.Scenario(...), or pass "
                    "a scenario file."
                )
            try:
                return ScenarioSet(version="custom", scenarios=tuple(source))
            except ValidationError as exc:
                problems = "; ".join(e["msg"] for e in exc.errors())
                raise ScenarioError(f"Scenarios are invalid: {problems}.") from None
        raise ArgumentTypeError(
            "scenarios must be a path to a scenario file, a ScenarioSet, a list of Scenario "
            f"or None, got {type(source).__name__}."
        )
    path = Path(source)
    if path.is_dir():
        raise ScenarioError(f"Scenario file '{path}' is a folder; expected a .toml file.")
    info, items = _layout(_read(path), str(path))
    if info.get("extends") == "default":
        info = {k: v for k, v in info.items() if k != "extends"}
        own = [s for s in items if isinstance(s, dict)]
        own_names = {s.get("name") for s in own}
        own_headline = any(s.get("headline") is True for s in own)
        inherited = [
            s.model_dump(mode="json") | ({"headline": False} if own_headline else {})
            for s in default_scenarios().scenarios
            if s.name not in own_names
        ]
        items = [*inherited, *items]
    return _validate(info, items, str(path))
