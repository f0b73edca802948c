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
``[object_classes]`` and ``[[families]]``
    a family declares one verb sense once: its ``verbs`` (``run``, ``lead``, ``chair``)
    with ``objects`` (words, or ``@name`` of an object class: ``@gatherings``) are
    evidence for its ``category``. Each family is expanded when the file is loaded into
    one rule of the same id whose terms are ``^{verbs} ... object``, one per object;
``[[rule_groups]]``
    a reason shared by many rules, written once: a rule with no ``rationale`` of its
    own takes that of the group whose ``id`` its id starts with (``physical_work.shaping``
    for ``physical_work.shaping.cut``). A rule's terms may name an object class
    (``"^plan ... @desk_objects"``): the term stands for one term per object.
``[[glossary]]`` (or a file named by ``[ruleset] glossary_file``)
    abbreviations and shorthand: each entry's ``forms`` (``"d/c"``, ``"TTOs"``) are
    replaced by what it ``means`` (``"discharge"``) before any rule reads a task;
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
import itertools
import json
import math
import os
import re
from collections.abc import Callable, Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from genai_aug._matching import (
    MATCHING_VERSION,
    TermPatterns,
    compile_terms,
    glossary_pattern,
    normalise_term,
    normalise_text,
    term_pattern,
)
from genai_aug._toml import read_toml
from genai_aug.errors import ArgumentTypeError, RulesetError

__all__ = [
    "Category",
    "Family",
    "GlossaryEntry",
    "Rule",
    "RuleWeights",
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
    family: bool = Field(
        default=False,
        strict=True,
        description="Expanded from a [[families]] entry: the words of its verb and object "
        "are read as that object, so other rules matching only inside them stand back.",
    )

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


class GlossaryEntry(_Model):
    """An abbreviation or piece of shorthand, and what it means in full words.

    Every form is replaced by ``means`` in a task's normalised text before the rules
    read it; forms match whole words, in any case (``"D/C"`` and ``"d/c"`` alike).
    """

    forms: tuple[str, ...] = Field(min_length=1, description="How it is written: 'd/c', 'TTOs'.")
    means: str = Field(min_length=1, description="What it means, in the rules' words.")
    note: str = Field(default="", description="What it is, for a reviewer.")

    @field_validator("forms")
    @classmethod
    def _forms_normalise(cls, forms: tuple[str, ...]) -> tuple[str, ...]:
        for form in forms:
            if not normalise_text(form):
                raise ValueError(f"form {form!r} has no letters or digits to match")
        return forms

    @property
    def label(self) -> str:
        """How the entry is shown in evidence: ``d/c = discharge``."""
        return f"{self.forms[0]} = {self.means}"


class Family(_Model):
    """A verb sense decided by its object: verbs × objects, evidence for one category."""

    id: str = Field(pattern=_ID)
    category: str
    weight: float = Field(gt=0.0, le=10.0)
    rationale: str = Field(min_length=1, description="Why these verbs with these objects.")
    verbs: tuple[str, ...] = Field(min_length=1)
    objects: tuple[str, ...] = Field(min_length=1, description="Words, or '@class' names.")
    unless: tuple[str, ...] = ()

    def expand(self, classes: Mapping[str, Any]) -> dict[str, Any]:
        """The family as the data of one rule: a term ``^{verbs} ... object`` per object.

        Its ``unless`` terms may name object classes too, expanded as a rule's are.
        """
        objects: list[str] = []
        memo: dict[str, list[str]] = {}
        for obj in self.objects:
            _check_object(obj, "objects")
            objects.extend(_class_objects(obj[1:], classes, memo) if obj.startswith("@") else [obj])
        if len(objects) > MAX_TERMS_PER_RULE:
            raise ValueError(
                f"its objects make {len(objects):,} terms, more than a rule may have "
                f"({MAX_TERMS_PER_RULE:,}); split the family or the object class"
            )
        verbs = [normalise_text(v) for v in self.verbs]
        if any(len(v.split()) != 1 for v in verbs):
            raise ValueError(f"each verb must be one word, got {list(self.verbs)}")
        verb = verbs[0] if len(set(verbs)) == 1 else "{" + "|".join(dict.fromkeys(verbs)) + "}"
        terms = list(dict.fromkeys(f"^{verb} ... {o}" for o in objects))
        return {
            "id": self.id,
            "category": self.category,
            "weight": self.weight,
            "terms": terms,
            "unless": _expand_term_classes(list(self.unless), classes),
            "rationale": self.rationale,
            "family": True,
        }


def _field_errors(exc: ValidationError) -> str:
    """A validation error's problems on one line: ``field 'a.b': message; ...``."""
    return "; ".join(
        f"field '{'.'.join(str(p) for p in e['loc'])}': {e['msg']}" for e in exc.errors()
    )


def _invalid(where: str, problems: list[str]) -> RulesetError:
    """The error for a ruleset with ``problems`` (each already a ``  - …`` line)."""
    return RulesetError(
        f"Ruleset '{where}' is invalid ({len(problems)} problem(s)):\n" + "\n".join(problems)
    )


class RuleGroup(_Model):
    """Rules that share one reason: its members are the rules whose id starts ``{id}.``.

    A rule with no ``rationale`` of its own takes its group's (the longest group id
    its id starts with), so a reason common to many verbs is written once, for a
    reviewer, rather than templated into every rule.
    """

    id: str = Field(pattern=_ID)
    rationale: str = Field(min_length=1, description="Why every rule of the group is evidence.")


def _class_objects(
    name: str, classes: Mapping[str, Any], memo: dict[str, list[str]] | None = None
) -> list[str]:
    """The objects of the class ``@name`` (a class may include another), or a ValueError.

    Each class is expanded once (``memo``), depth-first without recursion, so a class
    included many times, or through a long chain, costs its size once; a class that
    includes itself, an empty one, an object that is not words and a class of more than
    :data:`MAX_TERMS_PER_RULE` objects are refused.
    """
    memo = {} if memo is None else memo
    path: list[str] = []  # the classes being expanded, outermost first
    stack: list[tuple[str, bool]] = [(name, False)]
    while stack:
        current, children_done = stack.pop()
        if children_done:
            objects: dict[str, None] = {}
            for o in classes[current]:
                for obj in memo[o[1:]] if o.startswith("@") else [o]:
                    objects[obj] = None
                if len(objects) > MAX_TERMS_PER_RULE:
                    raise ValueError(
                        f"object class '@{current}' stands for more than "
                        f"{MAX_TERMS_PER_RULE:,} objects; split it"
                    )
            memo[current] = list(objects)
            path.pop()
            continue
        if current in memo:
            continue
        if current in path:
            chain = " → ".join([*path[path.index(current) :], current])
            raise ValueError(f"object class '@{current}' includes itself ({chain})")
        members = _class_members(current, classes)
        path.append(current)
        stack.append((current, True))
        stack.extend((o[1:], False) for o in members if o.startswith("@"))
    return memo[name]


def _class_members(name: str, classes: Mapping[str, Any]) -> list[str]:
    """The class's own list, checked: words, or '@names' of other classes."""
    if name not in classes:
        raise ValueError(
            f"unknown object class '@{name}'{_close(name, set(classes))}; "
            "declare it under [object_classes]"
        )
    objects = classes[name]
    if not isinstance(objects, list) or not all(isinstance(o, str) for o in objects):
        raise ValueError(f"object class '@{name}' must be a list of words")
    if not objects:
        raise ValueError(f"object class '@{name}' is empty")
    for o in objects:
        _check_object(o, f"object class '@{name}'")
    return objects


def _check_object(obj: str, where: str) -> None:
    """An object is words, or '@name' of a class; refused otherwise, naming ``where``."""
    if not obj.strip() or obj.startswith("^") or "＠" in obj:
        raise ValueError(f"{where}: {obj!r} is not an object (words, or '@name' of a class)")
    if "@" in obj[1:] or (obj.startswith("@") and (len(obj) == 1 or not obj[1:].strip())):
        raise ValueError(
            f"{where}: {obj!r}: '@' starts the name of a class ('@desk_objects') and may "
            "appear nowhere else"
        )


MAX_TERMS_PER_RULE = 5_000
"""The most terms a rule may stand for once its object classes are expanded (the default
ruleset's largest has 129): two classes of a thousand words in one term would otherwise
make a million terms, and a pattern no machine compiles."""


def _expand_term_classes(terms: Any, classes: Mapping[str, Any]) -> Any:
    """``terms`` with each ``@class`` word replaced by every object of the class, in order.

    ``"^plan ... @desk_objects"`` becomes ``"^plan ... information"``, ``"^plan ... data"``
    and so on; terms without an ``@`` word are kept as they are.
    """
    if not isinstance(terms, list):
        return terms
    out: list[Any] = []
    memo: dict[str, list[str]] = {}
    for term in terms:
        if not isinstance(term, str) or ("@" not in term and "＠" not in term):
            out.append(term)
            continue
        words = term.split()
        for word in words:
            if "@" in word or "＠" in word:
                _check_object(word, f"term {term!r}")
        parts = [
            _class_objects(word[1:], classes, memo) if word.startswith("@") else [word]
            for word in words
        ]
        size = math.prod(len(p) for p in parts)
        if len(out) + size > MAX_TERMS_PER_RULE:
            raise ValueError(
                f"term {term!r} stands for {size:,} terms, more than a rule may have "
                f"({MAX_TERMS_PER_RULE:,}); split the rule or the object class"
            )
        out.extend(" ".join(words) for words in itertools.product(*parts))
    return list(dict.fromkeys(out))


def _expand_rule_groups(data: dict[str, Any], where: str) -> dict[str, Any]:
    """``data`` with ``@class`` words in rule terms expanded and group rationales given.

    Runs before the weights file is read, so the weights name the rules as expanded.
    The ``[object_classes]`` table is kept for the families; ``[[rule_groups]]`` is
    consumed here.
    """
    groups_raw = data.get("rule_groups", [])
    classes = data.get("object_classes", {})
    rules = data.get("rules", [])
    if not isinstance(groups_raw, list) or not isinstance(classes, dict):
        raise RulesetError(
            f"Ruleset '{where}': expected [[rule_groups]] entries and an [object_classes] table."
        )
    if not isinstance(rules, list):  # reported by the ruleset's own check
        return {k: v for k, v in data.items() if k != "rule_groups"}
    problems: list[str] = []
    groups: dict[str, str] = {}
    for i, item in enumerate(groups_raw):
        try:
            group = RuleGroup.model_validate(item)
        except ValidationError as exc:
            problems.append(f"  - rule_groups[{i}]: {_field_errors(exc)}")
            continue
        if group.id in groups:
            problems.append(f"  - rule_groups[{i}]: group '{group.id}' is declared twice")
        groups[group.id] = group.rationale
    members: dict[str, int] = dict.fromkeys(groups, 0)
    out: list[Any] = []
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict):
            out.append(rule)
            continue
        rule = dict(rule)
        ident = str(rule.get("id", "?"))
        prefixes = [g for g in groups if ident.startswith(g + ".")]
        owner = max(prefixes, key=len, default=None)
        for g in prefixes:
            members[g] += 1
        for part in ("terms", "unless"):
            try:
                rule[part] = _expand_term_classes(rule.get(part), classes)
            except ValueError as exc:
                problems.append(f"  - rules[{i}] (id '{ident}'), field '{part}': {exc}")
            if rule[part] is None:
                del rule[part]
        if owner is not None:
            rule.setdefault("rationale", groups[owner])
        out.append(rule)
    empty = [g for g, n in members.items() if n == 0]
    if empty:
        problems.append(
            "  - rule group(s) "
            + ", ".join(f"'{g}' (no rule id starts '{g}.')" for g in empty)
            + " have no rules"
        )
    if problems:
        raise _invalid(where, problems)
    rest = {k: v for k, v in data.items() if k != "rule_groups"}
    return {**rest, "rules": out} if "rules" in data else rest


def _expand_families(data: dict[str, Any], where: str) -> dict[str, Any]:
    """``data`` with its ``[[families]]`` expanded into rules (and the classes dropped)."""
    families = data.get("families", [])
    classes = data.get("object_classes", {})
    if not families and not classes:
        return data
    if not isinstance(families, list) or not isinstance(classes, dict):
        raise RulesetError(
            f"Ruleset '{where}': expected [[families]] entries and an [object_classes] table."
        )
    rules = list(data.get("rules", []))
    problems: list[str] = []
    for i, item in enumerate(families):
        ident = item.get("id", "?") if isinstance(item, dict) else "?"
        try:
            rules.append(Family.model_validate(item).expand(classes))
        except (ValidationError, ValueError) as exc:
            detail = _field_errors(exc) if isinstance(exc, ValidationError) else str(exc)
            problems.append(f"  - families[{i}] (id '{ident}'): {detail}")
    if problems:
        raise _invalid(where, problems)
    rest = {k: v for k, v in data.items() if k not in ("families", "object_classes")}
    return {**rest, "rules": rules}


class WeightsProvenance(_Model):
    """``[ruleset.weights]``: which labels the rule weights were fitted on, when, how well.

    ``genai-aug evaluate`` compares ``labels_sha256`` with the labels it is given, and says
    when they are the ones the weights were fitted on (its figures are then in-sample).
    """

    labels: str = Field(min_length=1, description="The labels file's name.")
    labels_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="labels_fingerprint().")
    rows: int = Field(ge=1)
    fitted: str = Field(min_length=1, description="Date of the fit (ISO).")
    method: str = Field(min_length=1, description="How, and the cross-validated figures.")


class RuleWeights(_Model):
    """A weights file: one weight per rule id, and where the weights came from.

    The default ruleset keeps its fitted weights apart from its rules, in the file its
    ``[ruleset] weights_file`` names; ``scripts/fit_weights.py --write`` writes it
    through this model (:meth:`to_toml`), and the loader gives each rule its weight.
    """

    provenance: WeightsProvenance
    weights: dict[str, float] = Field(min_length=1)

    @field_validator("weights")
    @classmethod
    def _weights_in_range(cls, weights: dict[str, float]) -> dict[str, float]:
        bad = {k: v for k, v in weights.items() if not 0.0 < v <= 10.0}
        if bad:
            first = next(iter(bad))
            raise ValueError(f"weight of rule '{first}' is {bad[first]}; weights lie in (0, 10]")
        return weights

    def to_toml(self) -> str:
        """The file's text: a header, ``[provenance]``, then ``[weights]`` by rule id."""
        p = self.provenance
        lines = [
            "# Rule weights of the genai_aug default ruleset, apart from the rules they weigh.",
            "# Written by scripts/fit_weights.py --write; see docs/validation.md for the fit.",
            "",
            "[provenance]",
            f"labels = {json.dumps(p.labels)}",
            f"labels_sha256 = {json.dumps(p.labels_sha256)}",
            f"rows = {p.rows}",
            f"fitted = {json.dumps(p.fitted)}",
            f"method = {json.dumps(p.method)}",
            "",
            "[weights]",
            *(f"{json.dumps(rule)} = {float(w)!r}" for rule, w in self.weights.items()),
        ]
        return "\n".join(lines) + "\n"


class RulesetInfo(_Model):
    """The ``[ruleset]`` table: name, version and what to build on."""

    name: str = Field(min_length=1)
    version: str = Field(min_length=1)
    description: str = ""
    glossary_file: str | None = None
    weights_file: str | None = None
    weights: WeightsProvenance | None = None
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
    glossary: tuple[GlossaryEntry, ...] = ()

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
        owner: dict[str, str] = {}
        for entry in self.glossary:
            for form in entry.forms:
                key = normalise_text(form)
                if key in owner and owner[key] != entry.forms[0]:
                    problems.append(
                        f"glossary form '{form}' is in the entries for both "
                        f"'{owner[key]}' and '{entry.forms[0]}'"
                    )
                owner[key] = entry.forms[0]
        single = {f for f in owner if " " not in f}
        for rule in self.rules:
            for term in (*rule.terms, *rule.unless):
                words = normalise_term(term.strip().removeprefix("^")).replace('"', "").split()
                used = [w.rstrip("*") for w in words if w.rstrip("*") in single]
                if used:
                    problems.append(
                        f"rule '{rule.id}': term '{term}' uses the glossary form '{used[0]}', "
                        "which the glossary replaces before rules read a task, so it can never "
                        "match; write the term in full words"
                    )
        for entry in self.glossary:
            inner = [w for w in normalise_text(entry.means).split() if w in owner]
            if inner:
                problems.append(
                    f"glossary entry '{entry.forms[0]}' means '{entry.means}', which uses the "
                    f"glossary form(s) {inner}: write what it means in full words"
                )
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
        content = {**self.model_dump(mode="json"), "matching_version": MATCHING_VERSION}
        payload = json.dumps(content, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    @cached_property
    def category_index(self) -> dict[str, Category]:
        """Categories by id."""
        return {c.id: c for c in self.categories}

    @cached_property
    def task_modes(self) -> dict[str, str | None]:
        """The mode of a task in each category: the category's own, and none for an E0
        category (its tasks release nothing, so they are neither automated nor
        augmented). Every output that shows a task's mode reads it here."""
        return {c.id: (None if c.exposure == "E0" else c.mode) for c in self.categories}

    @cached_property
    def compiled(self) -> Mapping[str, tuple[re.Pattern[str], re.Pattern[str] | None]]:
        """For each term rule, its compiled pattern and its compiled ``unless`` pattern.

        Each rule's patterns are compiled the first time they are looked up
        (:class:`CompiledRules`): scoring looks up only the rules some text may match.
        """
        return CompiledRules(self.rules)

    @cached_property
    def family_terms(self) -> Mapping[int, TermPatterns]:
        """For each family rule (by position), one compiled pattern per term (object).

        Each pattern is compiled the first time it is read (a family that never fires,
        or a term whose words no text holds, is never compiled).
        """
        return {j: TermPatterns(r.terms) for j, r in enumerate(self.rules) if r.family and r.terms}

    @cached_property
    def _glossary(self) -> tuple[re.Pattern[str] | None, dict[str, GlossaryEntry]]:
        """The glossary's compiled forms, and each normalised form's entry."""
        entries = {normalise_text(f): e for e in self.glossary for f in e.forms}
        return (glossary_pattern(list(entries)) if entries else None), entries

    @cached_property
    def _glossary_first_words(self) -> frozenset[str]:
        """The first word of each normalised glossary form.

        A form matches only as whole words, so where it matches, its first word is one of
        the text's words: a text none of whose words is in this set uses no form, and
        is not searched (most texts).
        """
        _, entries = self._glossary
        return frozenset(form.split()[0] for form in entries)

    @cached_property
    def _glossary_meanings(self) -> dict[str, str]:
        """What each normalised glossary form is replaced by.

        A form that is another form of its entry plus ``s`` is that form's plural, and
        is replaced by the meaning's plural: *pts* → *patients*, *appts* →
        *appointments* (``pt`` and ``appt`` being forms of the same entries).
        """
        _, entries = self._glossary
        out: dict[str, str] = {}
        for form, entry in entries.items():
            means = normalise_text(entry.means)
            singular = form[:-1]
            if form.endswith("s") and singular in entries and entries[singular] is entry:
                means = _plural(means)
            out[form] = means
        return out

    def expand(self, norm: str) -> str:
        """A normalised text with every glossary form replaced by what it means.

        Examples
        --------
        >>> default_ruleset().expand("do d c summaries")
        'do discharge summaries'
        >>> default_ruleset().expand("book in pts")
        'book in patients'
        """
        pattern, _ = self._glossary
        if pattern is None or self._glossary_first_words.isdisjoint(norm.split()):
            return norm
        meanings = self._glossary_meanings
        return pattern.sub(lambda m: meanings[m.group(0)], norm)

    def glossary_used(self, norm: str) -> list[str]:
        """The glossary entries a normalised text uses, as ``form = meaning`` labels."""
        pattern, entries = self._glossary
        if pattern is None or self._glossary_first_words.isdisjoint(norm.split()):
            return []
        return list(dict.fromkeys(entries[m.group(0)].label for m in pattern.finditer(norm)))

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


class _Compiling(Mapping[Any, Any]):
    """A read-only mapping whose values are built from a source the first time they are read.

    Compiling a regular expression runs Python's own parser over its source; a ruleset's
    800 patterns take seconds, and a run needs only those of the rules some text may match.
    """

    def __init__(self, sources: dict[Any, Any], build: Callable[[Any], Any]) -> None:
        self._sources = sources
        self._build = build
        self._built: dict[Any, Any] = {}

    def __getitem__(self, key: Any) -> Any:
        found = self._built.get(key)
        if found is None:
            found = self._built[key] = self._build(self._sources[key])
        return found

    def __iter__(self) -> Iterator[Any]:
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)


class CompiledRules(_Compiling):
    """Each term rule's compiled pattern and ``unless`` pattern (or ``None``), by rule id.

    The patterns are :func:`genai_aug._matching.compile_terms` of the rule's ``terms`` and
    ``unless``, compiled the first time the rule is looked up.
    """

    def __init__(self, rules: tuple[Rule, ...] | list[Rule]) -> None:
        super().__init__({r.id: (r.terms, r.unless) for r in rules if r.terms}, _compile_rule)


def _compile_rule(
    terms_unless: tuple[tuple[str, ...], tuple[str, ...]],
) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    terms, unless = terms_unless
    return compile_terms(terms), compile_terms(unless) if unless else None


def _plural(phrase: str) -> str:
    """The phrase with its last word in the plural (patient → patients, query → queries).

    A last word already plural is kept (*messages*: the glossary's *msgs* is *messages*,
    not *messageses*), and *-is* becomes *-es* (analysis → analyses).
    """
    head, _, last = phrase.rpartition(" ")
    if last.endswith("is"):  # analysis → analyses
        last = last[:-2] + "es"
    elif last.endswith("s") and not last.endswith(("ss", "us", "as")):
        pass  # already plural: messages, requests, cancellations
    elif last.endswith(("s", "x", "ch", "sh")):
        last += "es"
    elif last.endswith("y") and last[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        last = last[:-1] + "ies"
    else:
        last += "s"
    return f"{head} {last}" if head else last


def _close(name: str, options: set[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, sorted(options), n=3)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


DEFAULT_RULES_FILE = "default_rules.toml"
DEFAULT_GLOSSARY_FILE = "nhs_glossary.toml"
DEFAULT_WEIGHTS_FILE = "default_weights.toml"


def _read_toml(path: Path | None) -> dict[str, Any]:
    return read_toml(path, DEFAULT_RULES_FILE, "Ruleset", RulesetError)


def _read_expanded(path: Path | None, where: str) -> dict[str, Any]:
    """A ruleset file's data (``None``: the packaged one) with its glossary file read,
    its rule groups and object classes expanded, its weights file applied and its
    families expanded into rules, in that order: ready to validate or to merge."""
    folder = None if path is None else path.parent
    data = _expand_rule_groups(_with_glossary_file(_read_toml(path), folder), where)
    data = _with_weights_file(data, folder, where)
    return _expand_families(data, where)


def _validate(data: Mapping[str, Any], where: str) -> Ruleset:
    try:
        return Ruleset.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = _describe_loc(data, err["loc"])
            lines.append(f"  - {loc}: {err['msg']}")
        raise _invalid(where, lines) from None


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
    glossary = data.get("glossary", [])
    if not isinstance(glossary, list) or not all(isinstance(i, dict) for i in glossary):
        problems.append(
            f"  - 'glossary': expected [[glossary]] tables, got {type(glossary).__name__}"
        )
    # families and object classes are expanded into rules before this check
    unknown = sorted(set(data) - {"ruleset", "categories", "rules", "glossary"})
    if unknown:
        problems.append(
            f"  - unknown top-level key(s) {unknown}; expected ruleset, categories, rules, "
            "glossary, object_classes, families, rule_groups"
        )
    if problems:
        raise _invalid(where, problems)


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
    own = data.get("glossary", [])
    own_forms = {
        normalise_text(str(f))
        for e in own
        if isinstance(e, dict)
        for f in e.get("forms", [])
        if isinstance(f, str)
    }
    kept = [
        e.model_dump(exclude_defaults=True)
        for e in base.glossary
        if not own_forms & {normalise_text(f) for f in e.forms}
    ]
    merged["glossary"] = [*kept, *own]
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
    if not isinstance(path, str | os.PathLike):
        raise ArgumentTypeError(
            f"path must be a ruleset file's path (str or os.PathLike) or None, got "
            f"{type(path).__name__} {path!r}."
        )
    p = Path(path)
    data = _read_expanded(p, str(p))
    info = data.get("ruleset", {})
    if isinstance(info, dict) and info.get("extends") == "default":
        data = _merge(default_ruleset(), data, str(p))
    return _validate(data, str(p))


def _with_weights_file(data: dict[str, Any], folder: Path | None, where: str) -> dict[str, Any]:
    """``data`` with each rule's and family's weight from the weights file it names, if any.

    The file is read beside the ruleset file (``folder``), or from the package's data
    for the packaged ruleset. A weight stated both there and in the rule, a weight for
    no rule, and provenance in both files are refused.
    """
    info = data.get("ruleset")
    name = info.get("weights_file") if isinstance(info, dict) else None
    if not isinstance(name, str):
        return data
    path = None if folder is None else folder / name
    raw = read_toml(path, name if path is None else DEFAULT_WEIGHTS_FILE, "Weights", RulesetError)
    try:
        weights = RuleWeights.model_validate(raw)
    except ValidationError as exc:
        raise RulesetError(
            f"Weights file '{path or name}' is invalid: {_field_errors(exc)}"
        ) from None
    problems: list[str] = []
    if isinstance(info, dict) and "weights" in info:
        problems.append("[ruleset.weights] is given here and in the weights file; keep one")
    items = [
        item
        for part in ("rules", "families")
        for item in (data.get(part) or [])
        if isinstance(item, dict)
    ]
    known = {item.get("id") for item in items}
    unknown = sorted(set(weights.weights) - known)
    if unknown:
        problems.append(f"the weights file weighs unknown rule(s) {unknown[:5]}")
    out_parts: dict[str, list[Any]] = {}
    for part in ("rules", "families"):
        out_parts[part] = []
        for item in data.get(part) or []:
            if isinstance(item, dict) and item.get("id") in weights.weights:
                if "weight" in item:
                    problems.append(
                        f"rule '{item['id']}' has a weight here and in the weights file; keep one"
                    )
                item = {**item, "weight": weights.weights[item["id"]]}
            out_parts[part].append(item)
    if problems:
        raise _invalid(where, [f"  - {p}" for p in problems])
    provenance = weights.provenance.model_dump()
    out = {**data, "ruleset": {**(info if isinstance(info, dict) else {}), "weights": provenance}}
    out.update({k: v for k, v in out_parts.items() if k in data})
    return out


def _with_glossary_file(data: dict[str, Any], folder: Path | None) -> dict[str, Any]:
    """``data`` with the entries of the glossary file its ``[ruleset]`` table names, if any.

    The file is read beside the ruleset file (``folder``), or from the package's data
    for the packaged ruleset; its ``[[glossary]]`` entries follow the ruleset's own.
    """
    info = data.get("ruleset")
    name = info.get("glossary_file") if isinstance(info, dict) else None
    if not isinstance(name, str):
        return data
    path = None if folder is None else folder / name
    # a user's glossary file is laid out as the packaged one: [[glossary]] entries
    extra = read_toml(
        path, name if path is None else DEFAULT_GLOSSARY_FILE, "Glossary", RulesetError
    )
    extra = extra.get("glossary", [])
    if not isinstance(extra, list):
        raise RulesetError(
            f"Glossary file '{path or name}': expected [[glossary]] entries, "
            f"got {type(extra).__name__}."
        )
    return {**data, "glossary": [*data.get("glossary", []), *extra]}


_DEFAULT: Ruleset | None = None


def default_ruleset() -> Ruleset:
    """The packaged default ruleset (loaded once, then reused)."""
    global _DEFAULT
    if _DEFAULT is None:
        where = f"packaged {DEFAULT_RULES_FILE}"
        _DEFAULT = _validate(_read_expanded(None, where), where)
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
