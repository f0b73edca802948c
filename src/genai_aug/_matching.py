"""Turning readable rule terms into regular expressions, and normalising task text.

A *term* is written the way an analyst would say it:

- ``book appointment`` – the words in this order, next to each other; each word also
  matches its ``-s``, ``-es``, ``-ed``, ``-ing``, ``-er`` forms (``books``, ``booking``,
  ``booked``; ``schedule`` → ``scheduling``; ``copy`` → ``copies``; ``plan`` →
  ``planning``);
- ``book ... appointment`` – up to six other words may stand between;
- ``admin*`` – any word that starts with ``admin``;
- ``"ward"`` – in double quotes: exactly this word, no other forms;
- ``{run|lead|chair}`` – in braces: any one of these words, each with its forms (how a
  verb × object family of :mod:`genai_aug.rules` is written);
- ``^operate`` – a leading ``^``: only where the task's main verb stands, at its very
  start or as the second of two leading verbs joined by *and* or *or* (``Clean and
  operate …``), never later in the task (``Safely operate …`` does not match).

Text and terms are both normalised first: lower case, hyphens and slashes as spaces,
and US spellings folded to UK ones (``organize`` → ``organise``, ``pediatric`` →
``paediatric``), so either spelling matches. Matching is on word boundaries, and
the patterns built here cannot backtrack catastrophically (no nested repetition).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, Final

import numpy as np

# What matching means, beyond the ruleset's own data: the spellings folded, the word
# forms each term word matches, the clause cuts. It is part of every ruleset's hash, so
# a change to it changes the hash of results scored under it.
MATCHING_VERSION: Final = "10"

_GAP: Final = r"(?:\s+\S+){0,6}?\s+"
# Where a task's main verb can stand in normalised text: at the start, or after a first
# verb and "and", "or" or "and/or" ("monitor and record ...": both verbs are main verbs).
_MAIN_VERB: Final = r"^(?:\S+ (?:and |or |and or ))?"
# Clauses that say why a task is done or on what basis, not what the work is: "check the
# fridges *to ensure* safe storage", "assemble frames *according to* specifications".
_ASIDE_VERBS: Final = (
    "ensure determine identify assess verify evaluate maintain meet achieve improve prevent "
    "promote facilitate resolve obtain establish detect locate comply protect minimise "
    "maximise increase reduce avoid"
)
_ASIDE: Final = re.compile(
    r" (?:to (?:" + "|".join(_ASIDE_VERBS.split()) + r")|in order to|so that"
    r"|according to|in accordance with|based on"
    r"|in line with|in keeping with|in compliance with|as per) "
)
# A clause of condition or time (*when the consultant asks*, *if results are abnormal*):
# it opens only after the verb and at least one more word, since right after the verb it
# is the verb's object (*determine if …*, *decide when …*), and it ends where the task
# goes on (:func:`_condition_end`).
_CONDITION: Final = re.compile(r" (?:when|whenever|if|unless|once|as and when|as soon as) ")
# Words that open a noun phrase: after *and* in a condition they go on with it ("when the
# patient and their carers ask"), and a condition opening with one has a subject.
_NOUN_OPENERS: Final = frozenset(
    [
        "the",
        "a",
        "an",
        "their",
        "his",
        "her",
        "its",
        "our",
        "your",
        "my",
        "other",
        "all",
        "any",
        "some",
        "those",
        "these",
        "this",
        "that",
        "each",
        "every",
        "both",
    ]
)
# People named bare as a condition's subject ("when patients and carers agree").
_SUBJECTS: Final = frozenset(
    [
        "patients",
        "patient",
        "staff",
        "families",
        "family",
        "relatives",
        "carers",
        "parents",
        "clients",
        "residents",
        "nurses",
        "nurse",
        "doctors",
        "doctor",
        "consultants",
        "consultant",
        "registrar",
        "gp",
        "surgeon",
        "midwife",
        "pharmacist",
        "therapist",
        "team",
        "manager",
        "carer",
        "relative",
        "parent",
        "client",
        "colleagues",
        "colleague",
        "results",
        "result",
        "report",
        "blood",
        "they",
        "we",
        "he",
        "she",
        "it",
    ]
)
# What comes right after a verb's object opens: a pronoun or a determiner.
_OBJECT_OPENERS: Final = (_NOUN_OPENERS - {"other", "every", "both"}) | frozenset(
    ["them", "it", "him"]
)
# Auxiliaries and forms of *be* and *have*: a condition holding one has its own verb
# ("when the results are back"), so *and* after it starts the next task.
_AUXILIARIES: Final = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "can",
        "could",
        "will",
        "would",
        "may",
        "might",
        "must",
        "should",
        "shall",
    ]
)
# Words that are never the main verb of a task (they join or place words).
_NOT_VERBS: Final = (
    _NOUN_OPENERS
    | _AUXILIARIES
    | frozenset(
        [
            "and",
            "or",
            "then",
            "if",
            "when",
            "whenever",
            "unless",
            "once",
            "as",
            "not",
            "no",
            "of",
            "in",
            "on",
            "at",
            "to",
            "for",
            "from",
            "with",
            "by",
            "into",
            "onto",
            "out",
            "off",
            "up",
            "over",
            "under",
            "about",
            "after",
            "before",
            "during",
            "until",
            "via",
            "than",
            "so",
            "them",
            "it",
            "him",
            "they",
            "we",
            "he",
            "she",
            "there",
            "here",
        ]
    )
)
# Verbs that start NHS tasks, in their base form: after a condition opened by *and*
# (*… and if any are missing request them*), the first of these, or the first plain word
# followed by an object, is where the next task begins; after *and* within a condition,
# one of these resumes the task ("… if prescribed and record it") where a noun would go
# on naming the condition's subject ("… when the patient and family agree").
_TASK_VERBS: Final = frozenset(
    [
        "add",
        "admit",
        "advise",
        "alert",
        "allocate",
        "amend",
        "arrange",
        "attach",
        "audit",
        "bleep",
        "book",
        "call",
        "cancel",
        "chase",
        "check",
        "clean",
        "collect",
        "complete",
        "confirm",
        "contact",
        "copy",
        "correct",
        "discard",
        "discuss",
        "dispose",
        "document",
        "email",
        "enter",
        "escalate",
        "fax",
        "file",
        "flag",
        "follow",
        "forward",
        "give",
        "hand",
        "inform",
        "invite",
        "label",
        "let",
        "liaise",
        "list",
        "log",
        "make",
        "move",
        "note",
        "notify",
        "offer",
        "order",
        "page",
        "pass",
        "phone",
        "post",
        "print",
        "process",
        "put",
        "raise",
        "rebook",
        "record",
        "refer",
        "register",
        "remove",
        "reorder",
        "repeat",
        "replace",
        "report",
        "request",
        "reschedule",
        "restock",
        "return",
        "review",
        "ring",
        "scan",
        "send",
        "sign",
        "start",
        "stop",
        "store",
        "take",
        "tell",
        "text",
        "transfer",
        "update",
        "upload",
        "write",
    ]
)
# A clause of means (*using a slide sheet*) says how the work is done, not when: it ends
# a condition ("reposition patients when they are uncomfortable, using a slide sheet"),
# unless it is the condition's own verb: after a form of *be* ("if they are using a
# hoist") or right after the condition's subject ("if patient using a hoist").
_MEANS: Final = frozenset({"using"})
AS_NEEDED: Final = frozenset(
    [
        "required",
        "needed",
        "necessary",
        "appropriate",
        "directed",
        "requested",
        "instructed",
        "indicated",
        "applicable",
        "possible",
    ]
)
"""Words that make two words of context after *as*, *where*, *when* or *if* (*as
required*, *when necessary*): taken out where they stand, not cut to the text's end."""
# "once a week", "once daily", "once every morning": how often, not a condition; so is
# *once* before a phrase of time ("once in the morning", "once at night").
_HOW_OFTEN: Final = frozenset(
    {"a", "an", "per", "every", "each", "or", "more", "only", "again"}
    | {"daily", "weekly", "fortnightly", "monthly", "yearly", "annually", "nightly"}
)
_TIME_OPENERS: Final = frozenset({"in", "at", "on", "during"})
TIMES: Final = frozenset(
    [
        "night",
        "nights",
        "weekend",
        "weekends",
        "lunchtime",
        "morning",
        "mornings",
        "afternoon",
        "afternoons",
        "evening",
        "evenings",
        "day",
        "days",
        "week",
        "weeks",
        "month",
        "months",
        "year",
        "shift",
        "shifts",
        "end",
        "start",
        "beginning",
        "time",
        "times",
        "hours",
        "overnight",
    ]
)
"""Words that end a phrase of time ("at night", "at the end of each shift")."""
# Verbs whose object may be a question (*ask patients if …*, *check with the ward if …*):
# *if* and *when* after them open no condition.
_ASKING: Final = re.compile(
    r"^(?:ask|enquire|inquire|ascertain|establish|find out|confirm|clarify|check with)"
    r"(?:s|ed|d|ing)?\b"
)  # (not *tell*, *inform*, *see*: "inform the nurse if a patient deteriorates" is a
# condition; to see patients is to treat them)
_MAX_TERM_WORDS: Final = 12
# Bounds that keep matching linear in the text: each '...' gap tries up to seven word
# counts, so a term's work per position grows as 7 ** gaps; and no text is longer than
# MAX_TEXT_CHARS when matched. A hostile ruleset cannot make a run hang.
MAX_GAPS: Final = 2
MAX_TEXT_CHARS: Final = 2000

# US → UK spellings, applied to text and terms alike (so either spelling matches).
_SPELLINGS: Final[tuple[tuple[str, str], ...]] = (
    (r"\b(\w{2,})iz(e|es|ed|ing|ation|ations|er|ers)\b", r"\1is\2"),
    (r"\b(\w{2,})yz(e|es|ed|ing|er|ers)\b", r"\1ys\2"),
    (r"\bcolor", "colour"),
    (r"\bbehavior", "behaviour"),
    (r"\bcenter", "centre"),
    (r"\bpediatric", "paediatric"),
    (r"\banesthe", "anaesthe"),
    (r"\bhemato", "haemato"),
    (r"\bhemo", "haemo"),
    (r"\bgynecolog", "gynaecolog"),
    (r"\borthopedic", "orthopaedic"),
    (r"\besophag", "oesophag"),
    (r"\bedema\b", "oedema"),
    (r"\bcatalog\b", "catalogue"),
    (r"\bfulfill\b", "fulfil"),
    (r"\benrollment", "enrolment"),
    (r"\bcounsel(ing|or|ors)\b", r"counsell\1"),
    (r"\btravel(ing|ed|er|ers)\b", r"travell\1"),
    (r"\blabel(ing|ed)\b", r"labell\1"),
    (r"\bmodel(ing|ed)\b", r"modell\1"),
    (r"\bcancel(ing|ed)\b", r"cancell\1"),
    (r"\bfavor", "favour"),
    (r"\blabor\b", "labour"),
    (r"\bneighbor", "neighbour"),
    (r"\bmaneuver", "manoeuvre"),
    (r"\bcheck(s)? up\b", r"check\1up"),
    (r"\bco (ordinat|operat)", r"co\1"),
    (r"\bprogram\b", "programme"),
    (r"\bdefense\b", "defence"),
    (r"\bpracticing\b", "practising"),
    (r"\bgray\b", "grey"),
    (r"\bfeces\b", "faeces"),
    (r"\bestrogen", "oestrogen"),
    (r"\bleukemia", "leukaemia"),
)
# Telegraphic marks of ward and office shorthand, read as the words they stand for
# before punctuation becomes space (where "w/" and "re:" would lose their shape): "w/"
# before a space or a word is *with* ("do CD check w/ 2nd RN", "text w/pt"), "w/o"
# *without*; "w/" before a single letter is left as it is, since it is an abbreviation
# of its own ("w/r" ward round, "w/c" week commencing or wheelchair, "w/v" a
# concentration), which the glossary may list; a standalone "re" or "re:" is *about*
# ("phone pt re results"; "re-book" keeps its hyphen and is not touched); an arrow is
# *to* ("ward -> X-ray"); "@" between words is *at*. Applied to text and terms alike (a
# glossary form is normalised as text is), as the spellings are. The glossary (data, per
# ruleset) cannot hold these: they are punctuation, not words. A bed, bay or cubicle
# number ("re bed 4", "bay 2 beds 3-6") is where the patient is, and is read as nothing
# (:data:`_LOCATOR`). Each pattern starts only where its mark can begin (a run of
# spaces is crossed once, not from each of its spaces).
_TELEGRAPHIC: Final[tuple[tuple[str, str], ...]] = (
    (r"(?<![\w/])w/o\b", " without "),
    (r"(?<![\w/])w/(?![\w/])|(?<![\w/])w/(?=[a-z0-9]{2})", " with "),
    (r"(?<![\w'-])re(?::|(?=\s))(?!\s*-)", " about "),
    (r"(?<!\s)\s*(?:->|=>|→|⟶|➡)\s*", " to "),
    (r"(?<=\S)\s+@\s+(?=\S)", " at "),
    (
        r"\b(?:beds?|bays?|cubicles?|side ?rooms?)\s*(?:no\.?\s*)?\d+[a-z]?\b"
        r"(?:\s*(?:-|–|/|,|&|\+|and|or)\s*\d+[a-z]?\b)*",
        " ",
    ),
)
_TELEGRAPHIC_RES: Final = tuple((re.compile(p), r) for p, r in _TELEGRAPHIC)
_TELEGRAPHIC_MARKS: Final = ("w/", "->", "=>", "@", "→", "⟶", "➡")
"""Where a telegraphic pattern can apply, as plain substrings; and the word *re*."""
_RE_WORD: Final = re.compile(r"\bre\b")
# A bed or bay number ("chase CT reports re bed 4", "obs bay 2 beds 3-6"): where the
# patient is, which says nothing about the work, and whose word *bed* would otherwise be
# read as the object of hands-on care. Looked for only in text holding one of the words.
_LOCATOR_WORDS: Final = ("bed", "bay", "cubicle", "room")
_LOCATOR: Final = re.compile(r"\b(?:bed|bay|cubicle|side ?room)s?\s*(?:no\.?\s*)?\d")


# A condition written before the task ("If bloods abnormal, inform the registrar"; "Once
# signed, send the referral"): the comma that ends it is gone once punctuation is space,
# so while it still stands the condition is moved behind the task, where the condition
# cut (:func:`main_clause`) reads it as it reads one written there ("inform the registrar
# if bloods abnormal"). A condition of more than 80 characters, or one holding a full
# stop, is left where it is.
_FRONTED_OPENERS: Final = (
    "if ",
    "when ",
    "whenever ",
    "once ",
    "unless ",
    "as soon as ",
    "after ",
    "before ",
)
_FRONTED: Final = re.compile(
    r"\s*((?:if|when|whenever|once|unless|as soon as|after|before)\s[^,;.\n]{1,80}?)"
    r"\s*[,;]\s*(\S.*)",
    re.S,
)


def _condition_last(s: str) -> str:
    """``s`` with a condition written before its task moved behind it (:data:`_FRONTED`)."""
    if not s.lstrip().startswith(_FRONTED_OPENERS):
        return s
    found = _FRONTED.fullmatch(s)
    return s if found is None else f"{found.group(2)} {found.group(1)}"


def _spelling_literal(pattern: str) -> str:
    """Text that every match of the spelling ``pattern`` holds: the letters it opens with
    after ``\\b`` ("color" of ``\\bcolor``), else the letters after its first group
    ("iz" of the -ize pattern)."""
    found = re.match(r"\\b([a-z ]+)", pattern) or re.search(r"\)([a-z]+)\(", pattern)
    if found is None:
        raise ValueError(f"no literal in spelling pattern {pattern!r}")
    return found.group(1)


# Each pattern with the text its matches hold: a pattern is run only on text holding it
# (most text with a US spelling has one or two of them, not thirty).
_SPELLING_RES: Final = tuple((re.compile(p), r, _spelling_literal(p)) for p, r in _SPELLINGS)
# (whether a spelling applies, in two searches: the -ize and -yze endings, whose "\w{2,}"
# is tried from every word boundary, only in text holding "iz" or "yz"; then the rest)
_SPELLING_ENDINGS: Final = re.compile("|".join(f"(?:{p})" for p, _ in _SPELLINGS[:2]))
_SPELLING_WORDS: Final = re.compile("|".join(f"(?:{p})" for p, _ in _SPELLINGS[2:]))


def _has_telegraphic(s: str) -> bool:
    """Whether ``s`` holds a telegraphic mark: one of :data:`_TELEGRAPHIC_MARKS`, the
    word *re* (looked for only in text that holds "re"), or a bed or bay number."""
    return (
        any(mark in s for mark in _TELEGRAPHIC_MARKS)
        or ("re" in s and _RE_WORD.search(s) is not None)
        or (any(w in s for w in _LOCATOR_WORDS) and _LOCATOR.search(s) is not None)
    )


def _has_spelling(s: str) -> bool:
    """Whether a pattern of ``_SPELLINGS`` matches in ``s`` (see ``_SPELLING_ENDINGS``)."""
    if ("iz" in s or "yz" in s) and _SPELLING_ENDINGS.search(s) is not None:
        return True
    return _SPELLING_WORDS.search(s) is not None


_NON_WORD: Final = re.compile(r"[^a-z0-9&'+ ]+")


def normalise_text(text: str) -> str:
    """Normalise task text for matching: lower case, plain spaces, UK spellings.

    Examples
    --------
    >>> normalise_text("Organize follow-up appointments/clinics")
    'organise follow up appointments clinics'
    >>> normalise_text("Do CD check w/ 2nd RN re: stock")
    'do cd check with 2nd rn about stock'
    >>> normalise_text("Re-book pts -> clinic")
    're book pts to clinic'
    """
    s = str(text)[: MAX_TEXT_CHARS * 2].lower().replace("’", "'")
    if _has_telegraphic(s):  # most text has none: one search, not six
        s = _read_telegraphic(s)
    s = _NON_WORD.sub(" ", _condition_last(s))
    if _has_spelling(s):  # most text has no US spelling: a search or two, not thirty
        s = _uk_spellings(s)
    return _cut(" ".join(s.split()))


def _read_telegraphic(s: str) -> str:
    """``s`` with its telegraphic marks read as words (:data:`_TELEGRAPHIC`)."""
    for pattern, repl in _TELEGRAPHIC_RES:
        s = pattern.sub(repl, s)
    return s


def _uk_spellings(s: str) -> str:
    """``s`` with US spellings made UK ones (:data:`_SPELLINGS`), in their order.

    A pattern whose literal (:func:`_spelling_literal`) is not in ``s`` as it stands cannot
    match in it, and is not run.
    """
    for pattern, repl, literal in _SPELLING_RES:
        if literal in s:
            s = pattern.sub(repl, s)
    return s


def _cut(s: str) -> str:
    """Normalised text matched on its first MAX_TEXT_CHARS, cut at a word."""
    return s[:MAX_TEXT_CHARS].rsplit(" ", 1)[0] if len(s) > MAX_TEXT_CHARS else s


# The separator :func:`normalise_texts` joins texts with: no step of normalise_text can
# make, remove or match across it (it is neither a word character, a kept character nor
# a cased or case-ignorable one), so each text's part of the joined string is
# normalised as the text alone is.
_SEPARATOR: Final = "\n"
_NON_WORD_OR_SEPARATOR: Final = re.compile(r"[^a-z0-9&'+ \n]+")
# Where the telegraphic patterns and the spellings may apply: the regexes of
# _has_telegraphic and _has_spelling, run by pyarrow (RE2) over all the texts at once.
# RE2's \b and \w are ASCII, so it finds a word boundary wherever Python's regexes do
# (and more, beside letters outside ASCII): a text it passes over holds neither, and each
# text it finds is then checked by _has_telegraphic or _has_spelling.
_MAYBE_TELEGRAPHIC: Final = "|".join(
    [*(re.escape(mark) for mark in _TELEGRAPHIC_MARKS), _RE_WORD.pattern, _LOCATOR.pattern]
)
_MAYBE_SPELLING: Final = "|".join(f"(?:{p})" for p, _ in _SPELLINGS)
_SPACES: Final = re.compile(" {2,}")


def normalise_texts(texts: list[str]) -> list[str]:
    """``[normalise_text(t) for t in texts]``, each step run once over all the texts.

    The texts are joined by a separator no step makes, removes or matches across, so each
    step (lower case, punctuation as space, the spaces between words) is one pass over one
    string instead of a few calls per text; the steps that apply only to some texts (the
    telegraphic marks, the US spellings) are found in one search of the joined string and
    run on those texts alone, as :func:`normalise_text` runs them. A text holding the
    separator, or longer than :data:`MAX_TEXT_CHARS`, is normalised alone.

    Examples
    --------
    >>> normalise_texts(["Organize follow-up appointments", "Do CD check w/ 2nd RN"])
    ['organise follow up appointments', 'do cd check with 2nd rn']
    """
    out = [""] * len(texts)
    together: list[int] = []
    for i, text in enumerate(texts):
        if type(text) is str and len(text) <= MAX_TEXT_CHARS and _SEPARATOR not in text:
            together.append(i)
        else:
            out[i] = normalise_text(text)
    if not together:
        return out
    lowered = _SEPARATOR.join([texts[i] for i in together]).lower().replace("’", "'")
    parts = lowered.split(_SEPARATOR)
    for k in _parts_matching(_MAYBE_TELEGRAPHIC, parts):
        if _has_telegraphic(parts[k]):
            parts[k] = _read_telegraphic(parts[k])
    parts = [_condition_last(part) for part in parts]
    joined = _NON_WORD_OR_SEPARATOR.sub(" ", _SEPARATOR.join(parts))
    parts = joined.split(_SEPARATOR)
    for k in _parts_matching(_MAYBE_SPELLING, parts):
        if _has_spelling(parts[k]):  # (each text alone: see _uk_spellings)
            parts[k] = _uk_spellings(parts[k])
    # (only plain spaces are left: runs of them become one, and none is kept at an end)
    joined = _SPACES.sub(" ", _SEPARATOR.join(parts))
    joined = joined.replace(" " + _SEPARATOR, _SEPARATOR).replace(_SEPARATOR + " ", _SEPARATOR)
    for i, text in zip(together, joined.strip(" ").split(_SEPARATOR), strict=True):
        out[i] = _cut(text)  # (lower case may lengthen a text)
    return out


def _parts_matching(pattern: str, parts: list[str]) -> list[int]:
    """The positions of the ``parts`` that the RE2 regex ``pattern`` matches in."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    found = pc.match_substring_regex(pa.array(parts, type=pa.large_string()), pattern)
    flags: np.ndarray[Any, Any] = found.to_numpy(zero_copy_only=False)
    at: list[int] = np.flatnonzero(flags).tolist()
    return at


def glossary_pattern(forms: list[str] | tuple[str, ...]) -> re.Pattern[str]:
    """One regex for whole-token glossary forms of normalised text (longest first).

    Examples
    --------
    >>> glossary_pattern(["d c", "obs"]).sub("X", "do d c summaries and obs")
    'do X summaries and X'
    """
    alternatives = "|".join(re.escape(f) for f in sorted(set(forms), key=lambda f: (-len(f), f)))
    return re.compile(r"(?<!\S)(?:" + alternatives + r")(?!\S)")


def main_clause(norm: str) -> str:
    """The part of a normalised task text that says what the work is.

    That is the text before the first clause of purpose (*to ensure*, *to determine*,
    *in order to*, *so that* …), of basis (*according to*, *in accordance with*, *in line
    with*, *as per*, *based on* …) or of condition or time (*when*, *if*, *unless*,
    *once* …, after the verb and at least one more word): why a task is done, by what
    standard, or when, is not the work itself. A condition ends where the task goes on
    (:func:`_condition_end`): at the next task joined by *and* or *then*, at a clause of
    means, or, for a condition opened right after *and*, at the next task's verb.

    Examples
    --------
    >>> main_clause("monitor storage of products to ensure compliance with safety guidelines")
    'monitor storage of products'
    >>> main_clause("assemble frames according to specifications")
    'assemble frames'
    >>> main_clause("chase results when the consultant requests it")
    'chase results'
    >>> main_clause("determine if equipment is safe")
    'determine if equipment is safe'
    >>> main_clause("chase results when asked and file them in the notes")
    'chase results and file them in the notes'
    >>> main_clause("open the post and when referrals arrive scan them")
    'open the post and scan them'
    >>> main_clause("take bloods when the patient and parents consent")
    'take bloods'
    >>> main_clause("ask patients if they have allergies")
    'ask patients if they have allergies'
    >>> main_clause("visit wards once a week")
    'visit wards once a week'
    >>> main_clause("book outpatient appointments")
    'book outpatient appointments'
    """
    main = _ASIDE.split(norm, maxsplit=1)[0]
    start = main.find(" ", main.find(" ") + 1)  # (after the verb and one more word)
    asking = _ASKING.match(main) is not None
    while start >= 0 and (condition := _CONDITION.search(main, start)) is not None:
        word = condition.group().strip()
        rest = main[condition.end() :].split()
        after = rest[0] if rest else ""
        if (word == "once" and (after in _HOW_OFTEN or _is_time_phrase(rest))) or (
            word in ("if", "when") and (asking or after in AS_NEEDED)
        ):
            start = condition.end() - 1  # (not a condition: look further on)
            continue
        head = main[: condition.start()]
        fronted = head.rpartition(" ")[2] in ("and", "then")
        resume = _condition_end(rest, fronted)
        if resume is None:
            return head
        kept = rest[resume:]
        if fronted and kept[0] in ("and", "then"):
            kept = kept[1:]  # ("… and if out of range | and report it": one "and")
        main = head + " " + " ".join(kept)
        start = condition.start()
    return main


def _is_time_phrase(words: list[str]) -> bool:
    """Whether ``words`` open with a phrase of time: *in*, *at*, *on* or *during* and a
    short noun phrase naming a time ("in the morning", "at the end of the day")."""
    if not words or words[0] not in _TIME_OPENERS:
        return False
    for k in range(1, min(len(words), _TIME_PHRASE_WORDS)):
        if words[k] in TIMES:
            return True
        if words[k] in _NOT_VERBS and words[k] not in _NOUN_OPENERS and words[k] != "of":
            return False
    return False


_TIME_PHRASE_WORDS: Final = 7  # ("at the end of each long shift": six words after "at")


def _condition_end(words: list[str], fronted: bool) -> int | None:
    """Where, in the ``words`` after a condition's opening word, the task goes on.

    A condition ends at *and* or *then* that resumes the task: not at *and* before a
    word opening a noun phrase, nor, when the condition so far is its subject alone (it
    opens with a determiner or people and holds no auxiliary), at *and* before a word
    that is neither a task verb nor followed by an object ("when the patient and family
    agree"). It ends before a clause of means (*using …*). And when it opens right after
    *and* or *then* (``fronted``: "… and if any are missing request them"), a verb must
    follow it: it ends before the first task verb or plain word with an object after it
    that does not follow an auxiliary ("… and when the form is complete", *complete* is
    the condition's). ``None`` when it runs to the end.
    """
    subject = bool(words) and (words[0] in _NOUN_OPENERS or words[0] in _SUBJECTS)
    for k in range(1, len(words)):
        word = words[k]
        nxt = words[k + 1] if k + 1 < len(words) else ""
        if word in _AUXILIARIES:
            subject = False  # (the condition has its verb: "when the results are back")
        if word in ("and", "then"):
            if not nxt or nxt in _NOUN_OPENERS or nxt in ("when", "if"):
                continue
            if word == "and" and subject and not _opens_task(words, k + 1):
                continue  # ("when the patient and family agree")
            return k
        if word in _MEANS and words[k - 1] not in _AUXILIARIES and not subject:
            return k  # (after its subject alone, *using* is the condition's verb: "if
            # patient using a hoist")
        if fronted and words[k - 1] not in _AUXILIARIES and _opens_task(words, k):
            return k
    return None


def _opens_task(words: list[str], k: int) -> bool:
    """Whether ``words[k]`` reads as a task's main verb: a task verb, or a plain word
    (not a form ending in *-ed*, *-ing* or *-s*) with a pronoun or determiner after it."""
    word = words[k]
    if word in _NOT_VERBS:
        return False
    if word in _TASK_VERBS:
        return True
    inflected = word.endswith(("ed", "ing")) or (word.endswith("s") and not word.endswith("ss"))
    return not inflected and k + 1 < len(words) and words[k + 1] in _OBJECT_OPENERS


_VOWELS: Final = set("aeiou")


def _word_pattern(word: str) -> str:
    """Regex for one word of a term, with its common inflected forms."""
    if word.startswith("{") and word.endswith("}"):
        options = sorted(word[1:-1].split("|"), key=lambda w: (-len(w), w))
        return "(?:" + "|".join(_word_pattern(w) for w in options) + ")"
    stem, forms = _word_forms(word)
    return re.escape(stem) + forms


def _word_forms(word: str) -> tuple[str, str]:
    """One plain word of a term as its literal stem and the regex of the forms after it.

    The word's pattern is ``re.escape(stem) + forms``, so every match of it contains
    ``stem``: what :func:`term_literals` relies on.
    """
    if word.startswith('"') and word.endswith('"') and len(word) > 2:
        return word[1:-1], ""
    if word.endswith("*"):
        return word[:-1], r"\w*"
    w = word
    if len(w) <= 2 or not w.isalpha():
        return w, ""
    if w.endswith("ie"):  # tie -> tying, ties, tied
        return w[:-2], r"(?:ie|ies|ied|ying)"
    if w.endswith("e"):  # schedule -> scheduling, schedules, scheduled, scheduler
        return w[:-1], r"(?:e|es|ed|ing|er|ers)"
    if w.endswith("y") and w[-2] not in _VOWELS:  # copy -> copies, copied, copying
        return w[:-1], r"(?:y|ies|ied|ying)"
    if w.endswith(("s", "x", "z", "ch", "sh")):  # process -> processes, processing
        return w, r"(?:es|ed|ing|er|ers)?"
    if (
        len(w) >= 3
        and w[-1] not in _VOWELS | set("wxy")
        and w[-2] in _VOWELS
        and w[-3] not in _VOWELS
    ):
        # plan -> planning, planned (doubled consonant) as well as plans
        return w, r"(?:s|" + re.escape(w[-1]) + r"?(?:ed|ing|er|ers))?"
    return w, r"(?:s|ed|ing|er|ers)?"


def _word_literals(word: str) -> frozenset[str]:
    """Literal strings one of which every match of the word's pattern contains."""
    if word.startswith("{") and word.endswith("}"):
        return frozenset().union(*(_word_literals(w) for w in word[1:-1].split("|")))
    return frozenset({_word_forms(word)[0]})


# (the caches of the term functions hold the terms of a few rulesets: the default has
# some 4,500, each read when the ruleset is validated and again when its rules are
# indexed and compiled; a cache smaller than one ruleset would build them all again)
_TERMS_CACHED: Final = 16384


@lru_cache(maxsize=_TERMS_CACHED)
def term_pattern(term: str) -> str:
    """Regex (a string) for one readable term; see the module docstring for the syntax.

    Examples
    --------
    >>> import re
    >>> bool(re.search(term_pattern("book ... appointment"), "booking outpatient appointments"))
    True
    >>> bool(re.search(term_pattern("schedule"), "rescheduled"))
    False
    """
    anchored = term.strip().startswith("^")
    words = _term_words(term)
    parts: list[str] = []
    for i, word in enumerate(words):
        if word == "...":
            continue
        if parts:
            parts.append(_GAP if words[i - 1] == "..." else r"\s+")
        parts.append(_word_pattern(word))
    return (_MAIN_VERB if anchored else r"\b") + "".join(parts) + r"\b"


@lru_cache(maxsize=_TERMS_CACHED)
def _term_words(term: str) -> tuple[str, ...]:
    """A term's normalised words (``...`` gaps included), checked for the syntax's limits."""
    words = tuple(normalise_term(term.strip().removeprefix("^")).split())
    if not words:
        raise ValueError("a term must contain at least one word")
    if len(words) > _MAX_TERM_WORDS:
        raise ValueError(f"a term may have at most {_MAX_TERM_WORDS} words, got {len(words)}")
    if words[0] == "..." or words[-1] == "...":
        raise ValueError("a term cannot start or end with '...'")
    if words.count("...") > MAX_GAPS:
        raise ValueError(
            f"a term may have at most {MAX_GAPS} '...' gaps (each multiplies the work of "
            f"matching), got {words.count('...')}; split it into shorter terms"
        )
    return words


@lru_cache(maxsize=_TERMS_CACHED)
def term_literals(term: str) -> tuple[frozenset[str], ...]:
    """What every text that ``term_pattern(term)`` matches contains: literals, by word.

    One set per word of the term, the word's stems (:func:`_word_forms`; one per option
    of a ``{a|b}`` word): every match contains one stem of *each* set. The sets are
    ordered most selective first (longest shortest stem, then fewest stems); a word
    with an empty stem promises nothing and is left out.

    Examples
    --------
    >>> [sorted(s) for s in term_literals("^{run|chair} ... huddle")]
    [['huddl'], ['chair', 'run']]
    >>> [sorted(s) for s in term_literals("book ... appointment")]
    [['appointment'], ['book']]
    """
    sets = {_word_literals(w) for w in _term_words(term) if w != "..."}
    kept = [s for s in sets if all(s)]
    return tuple(sorted(kept, key=lambda s: (-min(map(len, s)), len(s), sorted(s))))


@lru_cache(maxsize=_TERMS_CACHED)
def _normalised_word(word: str) -> str:
    """normalise_text of one word of a term: the same few hundred verbs and objects make up
    the thousands of terms of a ruleset's families."""
    return normalise_text(word)


def normalise_term(term: str) -> str:
    """Normalise a term like text, keeping its ``...``, ``*`` and double-quote markers."""
    out: list[str] = []
    for token in term.split():
        if token == "...":
            out.append(token)
            continue
        if token.startswith("{") and token.endswith("}"):
            options = [_normalised_word(o) for o in token[1:-1].split("|")]
            if len(options) < 2 or any(len(o.split()) != 1 for o in options):
                raise ValueError(
                    f"{token!r}: braces hold two or more single words separated by '|'"
                )
            out.append("{" + "|".join(options) + "}")
            continue
        if "{" in token or "}" in token:  # "{waiting list|pathway}": a space in braces
            raise ValueError(
                f"{token!r}: braces hold two or more single words separated by '|', with no "
                "space inside them; write a term per phrase"
            )
        quoted = token.startswith('"') and token.endswith('"') and len(token) > 2
        star = token.endswith("*")
        core = token.strip('"').rstrip("*")
        norm = _normalised_word(core)
        for piece in norm.split():
            out.append(piece)
        if out and norm:
            if quoted and len(norm.split()) == 1:
                out[-1] = f'"{out[-1]}"'
            if star:
                out[-1] = out[-1] + "*"
    return " ".join(out)


class TermPatterns:
    """Each term's own compiled pattern (:func:`term_pattern`), compiled when first read.

    :meth:`first_ends` searches only the terms whose literals a text holds
    (:func:`term_literals`): a term whose literals a text lacks cannot match in it, so
    its pattern is neither searched nor, if no text holds them, compiled.
    """

    def __init__(self, terms: tuple[str, ...]) -> None:
        self.terms = terms
        self._patterns: list[re.Pattern[str] | None] = [None] * len(terms)

    def __getitem__(self, k: int) -> re.Pattern[str]:
        pattern = self._patterns[k]
        if pattern is None:
            pattern = self._patterns[k] = re.compile(term_pattern(self.terms[k]))
        return pattern

    def __len__(self) -> int:
        return len(self.terms)

    def __iter__(self) -> Iterator[re.Pattern[str]]:
        return (self[k] for k in range(len(self.terms)))

    def first_ends(self, text: str) -> list[int]:
        """Where the first match of each term in ``text`` ends (terms that match)."""
        ends: list[int] = []
        for k, term in enumerate(self.terms):
            if all(any(stem in text for stem in stems) for stems in term_literals(term)):
                hit = self[k].search(text)
                if hit is not None:
                    ends.append(hit.end())
        return ends


def compile_terms(
    terms: tuple[str, ...] | list[str], keep: frozenset[str] | None = None
) -> re.Pattern[str]:
    """One compiled regex matching any of ``terms`` (longest alternatives first).

    Neighbouring ``^`` terms share one main-verb prefix, so a rule of forty ``^`` terms
    tries that prefix once per text, not forty times. Which terms match is unchanged.
    A pattern is compiled once per process (rulesets that share rules share it).

    With ``keep`` (term patterns, :func:`term_pattern`), the alternatives of the other
    terms are left out and the rest keep their order and grouping: in a text where none
    of the terms left out can match anywhere, the pattern finds exactly the match the
    whole one finds (see :func:`terms_source`).
    """
    return _compile(terms_source(terms, keep))


@lru_cache(maxsize=8192)
def _compile(source: str) -> re.Pattern[str]:
    """``re.compile``, with a cache as large as a few rulesets (re's own holds 512)."""
    return re.compile(source)


def terms_source(terms: tuple[str, ...] | list[str], keep: frozenset[str] | None = None) -> str:
    """The regex source that :func:`compile_terms` compiles for ``terms`` (and ``keep``).

    A top-level alternation ``A|B|…`` finds, at the leftmost position where any
    alternative matches, the first alternative that matches there; an alternative that
    matches at no position of a text never takes part, so leaving it out changes no
    match in that text. The same holds inside a group of ``^`` terms, whose shared
    prefix is tried the same way with or without it. The groups themselves are kept as
    they are: merging two would try the second group's verbs after the prefix before
    the first group's verbs without it.
    """
    parts: list[str] = []
    for anchored, patterns in _terms_parts(terms):
        kept = [p for p in patterns if keep is None or p in keep]
        if not kept:
            continue
        if anchored:
            alternatives = (f"(?:{p.removeprefix(_MAIN_VERB)})" for p in kept)
            parts.append(_MAIN_VERB + "(?:" + "|".join(alternatives) + ")")
        else:
            parts.append(f"(?:{kept[0]})")
    return "|".join(parts)


def _terms_parts(terms: tuple[str, ...] | list[str]) -> list[tuple[bool, list[str]]]:
    """The alternatives of :func:`terms_source`, in order: each a single term pattern, or
    (``True``) a run of neighbouring ``^`` term patterns under one main-verb prefix."""
    patterns = sorted({term_pattern(t) for t in terms}, key=lambda p: (-len(p), p))
    parts: list[tuple[bool, list[str]]] = []
    for pattern in patterns:
        anchored = pattern.startswith(_MAIN_VERB)
        if anchored and parts and parts[-1][0]:
            parts[-1][1].append(pattern)
        else:
            parts.append((anchored, [pattern]))
    return parts
