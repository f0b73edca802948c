"""Reading a task the way its wording is built: the work first, its context after.

A task statement names the work (a verb and its object: *chase outstanding blood
results*) and may add context: for whom (*for clozapine patients*), where (*on Ward 7*,
*at the bedside*), when (*before the MDT*, *at night*, *weekly*) and why (*so that …*,
*to ensure …*). The context says nothing about whether an LLM halves the work, so it
must not change the class. Two mechanisms here keep it from doing so:

- **Readings, narrowest first** (:func:`readings`): the *core* (the main clause with its
  context phrases taken out), then the *main clause* (before any clause of purpose or
  basis, :func:`genai_aug._matching.main_clause`), then the whole text. The rules read a
  task's first reading that any term rule recognises; a wider reading, and so its
  context, adds evidence only when the narrower one is unrecognised (*Liaise with
  carers for patients on the ward* is read whole only if nothing knows *liaise*).
- **A verb's object belongs to its verb** (:func:`silence_family_objects`): when a verb
  × object family fires (*order* + supplies, *co-ordinate* + a meeting), the words of
  its verb-and-object span are read as that object only, so other rules matching
  inside the span stand back: the *continence* of "order continence products" is not
  continence care, the *strategy* of "co-ordinate the strategy meeting" is not writing
  a strategy. Rules matching elsewhere in the task still count.

Both work on normalised text (:func:`genai_aug._matching.normalise_text`) after the
glossary, and neither reads labels or task lists: they are built from the grammar of
task statements and the ruleset's own families.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final

import numpy as np

from genai_aug._matching import AS_NEEDED, TIMES, TermPatterns, main_clause

# Words that open a context phrase wherever they stand after the verb and its object:
# for whom, and when.
_FOR_WHOM: Final = frozenset({"for"})
_WHEN: Final = frozenset({"before", "after", "during", "following", "prior", "ahead", "until"})
# Words that open a phrase of place or time: a context phrase only when its last word
# names a place or a time ("on the ward", "at night"); otherwise it may be the object
# ("take part in board rounds", "fill gaps in the rota"). The places are where care and
# office work happen, not things worked on: buildings, floors and premises are left out
# ("create openings in buildings" is building work).
_PLACE_OR_TIME_OPENERS: Final = frozenset(
    {"on", "at", "in", "across", "within", "around", "every", "each"}
)
_PLACES: Final = frozenset(
    [
        "ward",
        "wards",
        "unit",
        "units",
        "clinic",
        "clinics",
        "department",
        "departments",
        "site",
        "sites",
        "hospital",
        "hospitals",
        "theatre",
        "theatres",
        "bedside",
        "home",
        "homes",
        "community",
        "practice",
        "practices",
        "centre",
        "centres",
        "bay",
        "bays",
        "office",
        "offices",
        "reception",
        "trust",
        "suite",
        "suites",
        "department's",
        "ward's",
        "setting",
        "settings",
        "locality",
        "localities",
    ]
)
_TIMES: Final = TIMES
_PEOPLE: Final = frozenset(
    [
        "patients",
        "patient",
        "clients",
        "client",
        "residents",
        "staff",
        "families",
        "family",
        "relatives",
        "carers",
        "children",
        "child",
        "women",
        "mothers",
        "babies",
        "users",
        "people",
        "team",
        "teams",
        "colleagues",
        "doctors",
        "nurses",
        "consultants",
        "students",
        "visitors",
        "members",
        "managers",
        "adults",
        "individuals",
        "customers",
        "employees",
        "population",
        "groups",
        "parents",
        "infants",
        "inpatients",
        "outpatients",
        "adolescents",
    ]
)
# Time adverbs that end a task ("check the fridges daily"): context when they are last.
_TRAILING_TIMES: Final = frozenset(
    [
        "daily",
        "weekly",
        "monthly",
        "annually",
        "yearly",
        "nightly",
        "overnight",
        "fortnightly",
        "quarterly",
    ]
)
# Meetings and other events: a *for* phrase naming one is its purpose ("prepare case
# summaries for the multidisciplinary team meeting"), not the work. Only after *for*:
# after *in* or *at* an event may be what the work is ("take part in board rounds").
_EVENTS: Final = frozenset(
    [
        "meeting",
        "meetings",
        "huddle",
        "huddles",
        "handover",
        "handovers",
        "round",
        "rounds",
        "conference",
        "conferences",
        "panel",
        "panels",
        "committee",
        "committees",
    ]
)
# "as required", "where appropriate", "when necessary" …: two words of context wherever
# they stand after the verb and its object (with the *by* phrase that may follow: "as
# directed by …").
_AS_OR_WHERE: Final = frozenset({"as", "where", "when", "if"})
_AS_NEEDED: Final = AS_NEEDED
_AND_OR: Final = frozenset({"and", "or"})
# Words that end a context phrase: it is one noun phrase, not the rest of the task.
_PHRASE_STOPS: Final = (
    _AND_OR
    | _FOR_WHOM
    | _WHEN
    | _PLACE_OR_TIME_OPENERS
    | frozenset(
        [
            "with",
            "to",
            "from",
            "by",
            "into",
            "onto",
            "about",
            "against",
            "through",
            "via",
            "using",
            "who",
            "which",
            "that",
            "while",
            "whilst",
            "when",
            "where",
        ]
    )
)
_OPENERS: Final = _FOR_WHOM | _WHEN | _PLACE_OR_TIME_OPENERS  # (one set, made once)
# *Once* and how often: "once a week", "once daily", "once every 24 hours", "once in the
# morning" (main_clause leaves these in, as frequency, not condition).
_ONCE: Final = "once"
_A_OR_PER: Final = frozenset({"a", "an", "per"})
_FREQUENCY_UNITS: Final = _TIMES | frozenset({"fortnight", "quarter", "hour"})
_MAY_CUT: Final = _OPENERS | _AS_OR_WHERE | {_ONCE}  # words after the object where a cut may start
_MIN_OBJECT: Final = 2  # a context phrase starts after the verb and at least one more word
_LAST_CUT: Final = _TRAILING_TIMES | _AND_OR  # last words core_clause may cut


def core_clause(clause: str) -> str:
    """A main clause without its context phrases of whom, where and when.

    ``clause`` is normalised text, already cut before any clause of purpose or basis.
    A context phrase opens with *before*, *after*, *during* … anywhere after the verb
    and one more word; with *on*, *at*, *in* … when it ends with a place or a time;
    with *for* when it ends with a person, a place, a time or an event (*the MDT
    meeting*). It is one noun phrase, ending before the next *and*/*or* or preposition.
    *As required*, *where appropriate* and their kin are context too, as is *once* with
    how often (*once a week*, *once every 24 hours*, *once in the morning*). A phrase
    directly after the verb is its object, never context (*operate on …*, *care for …*).

    Examples
    --------
    >>> core_clause("chase outstanding blood results for clozapine patients")
    'chase outstanding blood results'
    >>> core_clause("prepare the agenda before the multidisciplinary team meeting on ward 7")
    'prepare the agenda'
    >>> core_clause("review the notes before clinic and prepare a summary")
    'review the notes and prepare a summary'
    >>> core_clause("restock the trolley once every week and report gaps")
    'restock the trolley and report gaps'
    >>> core_clause("take part in board rounds")
    'take part in board rounds'
    >>> core_clause("operate on emergency theatre lists")
    'operate on emergency theatre lists'
    """
    words = clause.split()
    if len(words) <= _MIN_OBJECT:
        return clause
    if _MAY_CUT.isdisjoint(words[_MIN_OBJECT:]) and words[-1] not in _LAST_CUT:
        return " ".join(words)  # no phrase opens and no last word goes: all words stay
    return " ".join(_without_context(words))


def _without_context(words: list[str]) -> list[str]:
    """The words of :func:`core_clause`, read one by one: those left with each context
    phrase, each *as required* or *where appropriate*, each *once* with how often, a
    trailing time adverb and a trailing *and*/*or* taken out."""
    keep = words[:_MIN_OBJECT]  # (the verb and the next word always stay)
    last = len(words) - 1
    i = _MIN_OBJECT
    while i <= last:
        word = words[i]
        if word in _AS_OR_WHERE and i < last and words[i + 1] in _AS_NEEDED:
            i += 2
            if i <= last and words[i] == "by":  # "as directed by the nurse in charge"
                i = _phrase_end(words, i)
            continue
        if word == _ONCE and (end := _how_often_end(words, i)) > i:
            i = end
            continue
        if word in _OPENERS:
            end = _phrase_end(words, i)
            if word in _WHEN or _names_context(words[i + 1 : end], people=word in _FOR_WHOM):
                i = _people_end(words, i, end) if word in _FOR_WHOM else end
                continue
        if i == last and word in _TRAILING_TIMES:
            break
        keep.append(word)
        i += 1
    while keep and keep[-1] in _AND_OR:  # "... and" left by a phrase cut at the end
        keep.pop()
    return keep


def _how_often_end(words: list[str], start: int) -> int:
    """Index after "once" at ``start`` and the frequency that follows it ("once | a week",
    "once daily", "once every 24 hours", "once in the morning"); ``start`` when none does
    (*once* is then a word of the task)."""
    after = words[start + 1] if start + 1 < len(words) else ""
    if after in _TRAILING_TIMES:
        return start + 2
    if after in _A_OR_PER and words[start + 2 : start + 3] and words[start + 2] in _FREQUENCY_UNITS:
        return start + 3
    if after in _PLACE_OR_TIME_OPENERS and after not in ("across", "within", "around"):
        end = _phrase_end(words, start + 1)
        content = [w for w in words[start + 2 : end] if not w.isdigit()]
        if content and content[-1] in _FREQUENCY_UNITS:
            return end
    return start


def _phrase_end(words: list[str], start: int) -> int:
    """Index after the context phrase opening at ``start``.

    The phrase is a noun phrase: it ends before the next *and*/*or*, the next
    preposition ("before admission | with the GP summary"), or a manner phrase ("for
    their surgery | face to face").
    """
    for j in range(start + 1, len(words)):
        word = words[j]
        if word in _PHRASE_STOPS and words[j - 1] != "of":  # ("the end of each shift")
            return j
        if word == "face" and words[j : j + 3] == _FACE_TO_FACE:
            return j
    return len(words)


_FACE_TO_FACE: Final = ["face", "to", "face"]
# Words after a *for* phrase naming people that go on describing them ("for patients
# with diabetes", "… awaiting surgery", "… who need transport").
_PEOPLE_QUALIFIERS: Final = frozenset(
    ["with", "who", "awaiting", "needing", "requiring", "having", "receiving", "undergoing"]
)


def _people_end(words: list[str], start: int, end: int) -> int:
    """Where the *for* context phrase from ``start`` to ``end`` really ends: when it
    names people, past what goes on describing them, a qualifier ("… with diabetes") or
    more people joined by *and*/*or* ("for children | and young people"). Anything else
    ends it, as before."""
    if not _names_context(words[start + 1 : end], people=True, places=False):
        return end  # (a place, a time or an event: nothing goes on describing it)
    while end < len(words):
        word = words[end]
        if word in _PEOPLE_QUALIFIERS:
            end = _phrase_end(words, end)
        elif word in _AND_OR and end + 1 < len(words):
            after = _phrase_end(words, end)
            if not _names_context(words[end + 1 : after], people=True, places=False):
                break
            end = after
        else:
            break
    return end


def _names_context(phrase: list[str], people: bool, places: bool = True) -> bool:
    """Whether a phrase ends with a place or a time ("the ward", "ward 7", "night").

    With ``people`` (a phrase opened by *for*), also a person ("clozapine patients") or
    an event ("the MDT meeting"); a *for* phrase naming a thing may be the work's object
    ("interpreters for appointments") and is kept. Without ``places``, only a person or
    an event counts.
    """
    content = list(phrase)
    while content and (content[-1].isdigit() or len(content[-1]) == 1):
        content.pop()  # "ward 7", "bay b"
    if not content:
        return False
    last = content[-1]
    if people and (last in _PEOPLE or last in _EVENTS):
        return True
    if people and any(  # people, and what describes them ("patients awaiting surgery")
        w in _PEOPLE_QUALIFIERS and content[k - 1] in _PEOPLE for k, w in enumerate(content) if k
    ):
        return True
    return places and (last in _PLACES or last in _TIMES)


def readings(norm: str) -> tuple[str, ...]:
    """A task's readings, narrowest first: its core, its main clause, the whole text.

    Readings equal to the one before are left out, so most short tasks have one.

    Examples
    --------
    >>> readings("chase blood results for clozapine patients to ensure safe prescribing")
    ('chase blood results', 'chase blood results for clozapine patients', \
'chase blood results for clozapine patients to ensure safe prescribing')
    >>> readings("book appointments")
    ('book appointments',)
    """
    main = main_clause(norm)
    return tuple(dict.fromkeys((core_clause(main), main, norm)))


Matches = dict[int, dict[int, re.Match[str]]]
"""Per term rule (by position), its first match in each text (by position) it matches.

Sparse: a text the rule does not match has no entry. A list per rule, one slot per
text, would hold rules × texts slots (538 × 71,000 distinct texts: 300 MB) for a few
hundred thousand matches.
"""


def fire_by_reading(
    norm: list[str], fire: Callable[[list[str]], tuple[np.ndarray[Any, Any], Matches]]
) -> tuple[np.ndarray[Any, Any], Matches, list[str]]:
    """Fire the term rules on each text's narrowest reading that any term rule recognises.

    ``fire`` fires the term rules on a list of texts (a boolean matrix texts × rules and
    each rule's first match per text). Returns its result for the readings chosen, and
    the reading chosen for each text.
    """
    options = [readings(t) for t in norm]
    used = [o[0] for o in options]
    fired, matched = fire(used)
    level = 1
    while True:
        unrecognised = np.flatnonzero(~fired.any(axis=1)).tolist()
        reread = [i for i in unrecognised if len(options[i]) > level]
        if not reread:
            return fired, matched, used
        again, again_matched = fire([options[i][level] for i in reread])
        fired[reread] = again
        for j, hits in again_matched.items():
            row = matched[j]
            for i in reread:  # this reading's matches replace the last one's
                row.pop(i, None)
            for k, hit in hits.items():
                row[reread[k]] = hit
        for i in reread:
            used[i] = options[i][level]
        level += 1


def silence_family_objects(
    texts: list[str],
    fired: np.ndarray[Any, Any],
    matched: Matches,
    family_terms: Mapping[int, TermPatterns],
    rule_categories: list[str] | tuple[str, ...],
) -> np.ndarray[Any, Any]:
    """Rules matching only inside a fired family's verb-and-object span stand back.

    ``family_terms`` maps each family rule (by position) to its terms' patterns, one
    per object (:attr:`genai_aug.rules.Ruleset.family_terms`), and ``rule_categories``
    gives every rule's category. The span of a fired family runs from the task's start
    to the end of the noun phrase of the furthest object any of its terms reaches
    ("order dressings and continence products", "co-ordinate the safeguarding strategy
    meeting"). A non-family term rule of another category that fired, and whose matches
    all lie inside that span, is switched off for that text: its words were read as the
    family's object (``fired`` is changed in place and returned). Families do not
    silence each other, nor rules of their own category.
    """
    if not family_terms:
        return fired
    categories = list(rule_categories)
    family_cols = sorted(family_terms)
    is_family = np.zeros(fired.shape[1], dtype=bool)
    is_family[family_cols] = True
    # the families fired in each text (only other rules are switched off, so these stay)
    rows, at = np.nonzero(fired[:, family_cols])
    fired_families: dict[int, list[int]] = {}
    for i, k in zip(rows.tolist(), at.tolist(), strict=True):
        fired_families.setdefault(i, []).append(family_cols[k])
    for i, families in fired_families.items():
        text = texts[i]
        end = 0
        for j in families:
            end = max([end, *family_terms[j].first_ends(text)])
        if end == 0:
            continue
        end = _noun_phrase_end(text, end)
        own = {categories[j] for j in families}
        for j in np.flatnonzero(fired[i] & ~is_family).tolist():
            if categories[j] in own:  # the same sense, read another way: it stands
                continue
            hits = matched.get(j)  # (a rule without terms has none)
            hit = hits.get(i) if hits is not None else None
            if hit is None or hit.start() >= end:
                continue
            pattern = _pattern_of(hit)
            if pattern.search(text, end) is None:
                fired[i, j] = False
    return fired


def _noun_phrase_end(text: str, end: int) -> int:
    """Where the noun phrase running through position ``end`` of ``text`` ends.

    It runs on over the words after ``end`` ("annual leave | requests"), and through a
    complement of the object opened by *for* or *of* ("purchase orders | for ward
    equipment"), up to the next *and*/*or*, other preposition or clause word.
    """
    for word in _WORD.finditer(text, end):
        if word.group(0) in _PHRASE_STOPS and word.group(0) not in _COMPLEMENTS:
            return word.start()
    return len(text)


_COMPLEMENTS: Final = frozenset({"for", "of"})


_WORD: Final = re.compile(r"\S+")


def _pattern_of(hit: re.Match[str]) -> re.Pattern[str]:
    """The compiled pattern a match came from."""
    return hit.re
