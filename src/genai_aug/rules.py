"""Declaring rules: the ruleset file format, its validation, loading and hashing.

A ruleset is data (TOML) in three parts:

``[ruleset]``
    name, version, description; optionally ``extends = "default"`` to build on the
    packaged ruleset, and ``disable = [rule ids]`` to switch inherited rules off.
``[[categories]]``
    the kinds of work: ``id``, ``label``, ``exposure`` (E0/E1/E2), ``time_share`` (the
    share of the task's time Gen AI could release, 0–1) and a ``rationale``; ``mode``
    (``automation``: the system does the task end to end and staff handle exceptions, or
    ``augmentation``: staff still do and own the task while AI drafts, summarises or
    suggests) with a ``mode_rationale``.
``[[rules]]``
    each recognises one category: ``id``, ``category``, ``weight`` (> 0), a one-line
    ``rationale``, and either ``terms`` (readable word patterns, see
    :mod:`genai_aug._matching`) with optional ``unless`` terms, or ``attribute`` and
    ``equals`` (a task attribute such as ``patient_facing``).

How the rules are evaluated is :mod:`genai_aug.scoring`'s business; this module
only declares and checks them. Nothing in a ruleset file is executed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from genai_aug._matching import compile_terms, term_pattern
from genai_aug._toml import read_toml
from genai_aug.errors import ArgumentTypeError, RulesetError

__all__ = [
    "Category",
    "Rule",
    "Ruleset",
    "RulesetInfo",
    "RulesetLike",
    "as_ruleset",
    "default_ruleset",
    "load_ruleset",
]

Exposure = Literal["E0", "E1", "E2"]
EXPOSURES: tuple[Exposure, ...] = ("E0", "E1", "E2")
Mode = Literal["automation", "augmentation"]
MODES: tuple[Mode, ...] = ("automation", "augmentation")
ATTRIBUTES = ("patient_facing",)
_ID = r"^[a-z][a-z0-9_.\-]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Category(_Model):
    """A kind of work, with the exposure class and time share it implies."""

    id: str = Field(pattern=_ID, description="Short identifier, e.g. 'scheduling'.")
    label: str = Field(min_length=1, description="Name for people, e.g. 'Scheduling and booking'.")
    exposure: Exposure = Field(description="E0, E1 or E2 under the rubric in docs/scoring.md.")
    time_share: float = Field(
        ge=0.0, le=1.0, strict=True, description="Share of the task's time Gen AI could release."
    )
    rationale: str = Field(min_length=1, description="Why this exposure and time share.")
    mode: Mode = Field(
        description="'automation' (the system does the task end to end; staff handle exceptions) "
        "or 'augmentation' (staff still do and own the task; AI drafts, summarises, suggests)."
    )
    mode_rationale: str = Field(min_length=1, description="Why this mode.")


class Rule(_Model):
    """One piece of evidence for a category: word patterns or a task attribute."""

    id: str = Field(pattern=_ID)
    category: str
    weight: float = Field(gt=0.0, le=10.0, strict=True)
    rationale: str = Field(min_length=1)
    terms: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    attribute: Literal["patient_facing"] | None = None
    equals: bool | None = Field(None, strict=True)

    @field_validator("terms", "unless")
    @classmethod
    def _terms_compile(cls, terms: tuple[str, ...]) -> tuple[str, ...]:
        for term in terms:
            if not term.strip():
                raise ValueError("a term must not be empty")
            try:
                term_pattern(term)  # builds from escaped words: it compiles if it builds
            except ValueError as exc:
                raise ValueError(f"term {term!r} is not valid: {exc}") from exc
        return terms

    @model_validator(mode="after")
    def _one_kind(self) -> Rule:
        if bool(self.terms) == (self.attribute is not None):
            raise ValueError("a rule needs either 'terms' or 'attribute' (and not both)")
        if self.attribute is not None and self.equals is None:
            raise ValueError("an attribute rule needs 'equals' (true or false)")
        if self.unless and not self.terms:
            raise ValueError("'unless' only goes with 'terms'")
        return self

    @property
    def kind(self) -> str:
        """``"terms"`` or ``"attribute"``."""
        return "terms" if self.terms else "attribute"


class RulesetInfo(_Model):
    """The ``[ruleset]`` table: name, version and what to build on."""

    name: str = Field(min_length=1)
    version: str = Field(min_length=1)
    description: str = ""
    extends: Literal["default"] | None = None
    disable: tuple[str, ...] = ()


class Ruleset(_Model):
    """A validated set of categories and rules.

    Build one with :func:`load_ruleset` or :func:`default_ruleset`. ``hash`` is the
    SHA-256 of the ruleset's canonical JSON, so two rulesets with the same content
    have the same hash whatever their file's layout.
    """

    ruleset: RulesetInfo
    categories: tuple[Category, ...] = Field(min_length=1)
    rules: tuple[Rule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Ruleset:
        problems: list[str] = []
        for kind, items in (("category", self.categories), ("rule", self.rules)):
            seen: set[str] = set()
            for item in items:
                if item.id in seen:
                    problems.append(f"{kind} id '{item.id}' is used more than once")
                seen.add(item.id)
        cats = {c.id for c in self.categories}
        for rule in self.rules:
            if rule.category not in cats:
                close = _close(rule.category, cats)
                problems.append(f"rule '{rule.id}': unknown category '{rule.category}'{close}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def name(self) -> str:
        """The ruleset's name."""
        return self.ruleset.name

    @property
    def version(self) -> str:
        """The ruleset's version string."""
        return self.ruleset.version

    @cached_property
    def hash(self) -> str:
        """SHA-256 (hex) of the ruleset's canonical JSON."""
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    @cached_property
    def category_index(self) -> dict[str, Category]:
        """Categories by id."""
        return {c.id: c for c in self.categories}

    @cached_property
    def compiled(self) -> dict[str, tuple[re.Pattern[str], re.Pattern[str] | None]]:
        """For each term rule, its compiled pattern and its compiled ``unless`` pattern."""
        return {
            r.id: (compile_terms(r.terms), compile_terms(r.unless) if r.unless else None)
            for r in self.rules
            if r.terms
        }

    def resolve_category(self, name: str) -> str | None:
        """Return the category id for an id or label (case-insensitive), or ``None``."""
        key = name.strip().lower()
        for c in self.categories:
            if key in (c.id.lower(), c.label.lower()):
                return c.id
        return None

    def rules_frame(self) -> Any:
        """The rules as a DataFrame (one row per rule), for reading and reports."""
        import pandas as pd

        rows = [
            {
                "rule_id": r.id,
                "category": r.category,
                "weight": r.weight,
                "terms": "; ".join(r.terms) if r.terms else f"{r.attribute} = {r.equals}",
                "unless": "; ".join(r.unless),
                "rationale": r.rationale,
            }
            for r in self.rules
        ]
        return pd.DataFrame(rows)

    def categories_frame(self) -> Any:
        """The categories as a DataFrame (one row per category)."""
        import pandas as pd

        return pd.DataFrame([c.model_dump() for c in self.categories])

    def __repr__(self) -> str:
        return (
            f"Ruleset(name={self.name!r}, version={self.version!r}, "
            f"categories={len(self.categories)}, rules={len(self.rules)}, "
            f"hash={self.hash[:12]!r})"
        )


def _close(name: str, options: set[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, sorted(options), n=3)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


DEFAULT_RULES_FILE = "default_rules.toml"


def _read_toml(path: Path | None) -> dict[str, Any]:
    return read_toml(path, DEFAULT_RULES_FILE, "Ruleset", RulesetError)


def _validate(data: Mapping[str, Any], where: str) -> Ruleset:
    try:
        return Ruleset.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = _describe_loc(data, err["loc"])
            lines.append(f"  - {loc}: {err['msg']}")
        raise RulesetError(
            f"Ruleset '{where}' is invalid ({len(lines)} problem(s)):\n" + "\n".join(lines)
        ) from None


def _describe_loc(data: Mapping[str, Any], loc: tuple[int | str, ...]) -> str:
    """'rules[3] (id 'x'), field 'weight'' from a pydantic error location."""
    if len(loc) >= 2 and loc[0] in ("rules", "categories") and isinstance(loc[1], int):
        items = data.get(str(loc[0]), [])
        ident = (
            items[loc[1]].get("id", "?")
            if loc[1] < len(items) and isinstance(items[loc[1]], dict)
            else "?"
        )
        rest = ".".join(str(p) for p in loc[2:])
        return f"{loc[0]}[{loc[1]}] (id '{ident}')" + (f", field '{rest}'" if rest else "")
    return "field '" + ".".join(str(p) for p in loc) + "'" if loc else "ruleset"


def _check_overlay(data: Mapping[str, Any], where: str) -> None:
    """The shape of a file that extends the default, checked before it is laid over it."""
    problems = []
    try:
        RulesetInfo.model_validate(data.get("ruleset"))
    except ValidationError as exc:
        problems += [
            f"  - table [ruleset], field '{'.'.join(str(p) for p in e['loc']) or 'ruleset'}': "
            f"{e['msg']}"
            for e in exc.errors()
        ]
    for part in ("categories", "rules"):
        items = data.get(part, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            problems.append(
                f"  - '{part}': expected [[{part}]] tables, got {type(items).__name__}"
                + (
                    f" of {sorted({type(i).__name__ for i in items})}"
                    if isinstance(items, list)
                    else ""
                )
            )
    unknown = sorted(set(data) - {"ruleset", "categories", "rules"})
    if unknown:
        problems.append(
            f"  - unknown top-level key(s) {unknown}; expected ruleset, categories, rules"
        )
    if problems:
        raise RulesetError(
            f"Ruleset '{where}' is invalid ({len(problems)} problem(s)):\n" + "\n".join(problems)
        )


def _merge(base: Ruleset, data: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Overlay a user's ruleset data on ``base``: same ids replace, new ids are added."""
    _check_overlay(data, where)
    info = dict(data.get("ruleset", {}))
    disable = set(info.get("disable", ()))
    known = {r.id for r in base.rules} | {r.get("id") for r in data.get("rules", [])}
    unknown = sorted(disable - known)
    if unknown:
        raise RulesetError(
            f"Ruleset '{where}': 'disable' names unknown rule(s) {unknown}"
            f"{_close(unknown[0], {str(k) for k in known})}."
        )
    merged: dict[str, Any] = {"ruleset": info}
    for part in ("categories", "rules"):
        items = {item.id: item.model_dump(exclude_defaults=True) for item in getattr(base, part)}
        for item in data.get(part, []):
            if isinstance(item, dict) and "id" in item:
                items[item["id"]] = item
            else:
                items[f"__invalid_{len(items)}"] = item
        merged[part] = [v for k, v in items.items() if part != "rules" or k not in disable]
    return merged


def load_ruleset(path: str | Path | None = None) -> Ruleset:
    """Load and validate a ruleset file (TOML); with no path, the packaged default.

    A file whose ``[ruleset]`` table says ``extends = "default"`` is laid over the
    packaged ruleset: its categories and rules replace those with the same id and
    add the rest, and rules named in ``disable`` are dropped.

    Parameters
    ----------
    path : str or Path, optional
        The ruleset file. ``None`` loads the default ruleset.

    Returns
    -------
    Ruleset

    Raises
    ------
    RulesetError
        If the file is missing, not TOML, or fails validation; the message names
        the file, the rule or category, the field and what is wrong.

    Examples
    --------
    >>> rs = load_ruleset()
    >>> rs.name
    'genai_aug default'
    """
    if path is None:
        return default_ruleset()
    p = Path(path)
    data = _read_toml(p)
    info = data.get("ruleset", {})
    if isinstance(info, dict) and info.get("extends") == "default":
        data = _merge(default_ruleset(), data, str(p))
    return _validate(data, str(p))


_DEFAULT: Ruleset | None = None


def default_ruleset() -> Ruleset:
    """The packaged default ruleset (loaded once, then reused)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = _validate(_read_toml(None), f"packaged {DEFAULT_RULES_FILE}")
    return _DEFAULT


RulesetLike = Ruleset | str | Path | None


def as_ruleset(ruleset: RulesetLike) -> Ruleset:
    """Return ``ruleset`` itself, the ruleset in the file it names, or the default.

    Examples
    --------
    >>> as_ruleset(None) is default_ruleset()
    True
    """
    if ruleset is None:
        return default_ruleset()
    if isinstance(ruleset, Ruleset):
        return ruleset
    if not isinstance(ruleset, str | Path):
        raise ArgumentTypeError(
            f"ruleset must be a Ruleset, a path to a ruleset file or None, got "
            f"{type(ruleset).__name__}. Load one with genai_aug.load_ruleset(path)."
        )
    return load_ruleset(ruleset)
