"""Context clauses (for whom, where, when, why) never change a task's class.

A task statement names the work, then may say for whom, where, when and why it is done.
The rules read the work; the context adds evidence only when the work itself is not
recognised (docs/scoring.md, "What the rules read").
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import genai_aug
from genai_aug import score_texts
from genai_aug._clauses import core_clause, readings
from genai_aug._matching import normalise_text
from test_scoring_table import MUST

# One phrase of each kind of context, as NHS staff add them to a task.
CONTEXTS = [
    "for clozapine patients",  # for whom
    "on Ward 7",  # where
    "at the bedside",  # where
    "before the MDT",  # when
    "at night",  # when
    "every morning",  # when
    "so that the team can act on them",  # why
    "to ensure patient safety",  # why
]


@pytest.mark.parametrize(
    ("text", "core"),
    [
        (
            "Chase outstanding blood results for clozapine patients",
            "chase outstanding blood results",
        ),
        ("Update the whiteboard on Ward 7 at night", "update the whiteboard"),
        ("Prepare the agenda before the MDT meeting", "prepare the agenda"),
        (
            "Review the notes before clinic and prepare a summary",
            "review the notes and prepare a summary",
        ),
        ("Check the fridge temperatures daily", "check the fridge temperatures"),
        ("Prepare case summaries for the MDT meeting", "prepare case summaries"),
        ("Restock the trolleys as required", "restock the trolleys"),
        (
            "Escalate concerns where appropriate and record them",
            "escalate concerns and record them",
        ),
        ("Hand over the bleep at the end of each shift", "hand over the bleep"),
        (
            "Book transport for patients with diabetes and file letters",
            "book transport and file letters",
        ),
        ("Chase results for children and young people", "chase results"),
        ("Prepare notes for patients awaiting surgery", "prepare notes"),
        ("Record vital signs as directed by nursing staff", "record vital signs"),
        (
            "Triage calls and when necessary book follow-up appointments",
            "triage calls and book follow up appointments",
        ),
        ("Give the medication if required and record it", "give the medication and record it"),
        # 0.11.1: "once" and how often come out whole
        ("Restock the resus trolley once every week", "restock the resus trolley"),
        ("Change the line dressing once every 72 hours", "change the line dressing"),
        ("Check the CD book once per shift", "check the cd book"),
        ("Empty the sharps bin once in the evening", "empty the sharps bin"),
        ("Audit the notes once a quarter and report", "audit the notes and report"),
        ("Give the eye drops once daily", "give the eye drops"),
        # objects, not context: kept
        ("Operate on emergency theatre lists", "operate on emergency theatre lists"),
        ("Take part in board rounds", "take part in board rounds"),
        ("Fill gaps in the rota", "fill gaps in the rota"),
        ("Organise interpreters for appointments", "organise interpreters for appointments"),
        ("Care for patients", "care for patients"),
    ],
)
def test_the_core_is_the_work_without_its_context(text: str, core: str) -> None:
    """Phrases of whom, where and when come out; a verb's own object stays."""
    assert core_clause(normalise_text(text)) == core


# One context clause of each kind: for whom, where, when, why, by what standard, on what
# condition, and as needed.
_CONTEXT_CLAUSES = [
    "for patients with diabetes and their carers",
    "for the multidisciplinary team meeting",
    "on the acute medical unit",
    "at the end of each shift",
    "before the morning huddle",
    "so that patients are seen on time",
    "in line with trust policy",
    "as per the standard operating procedure",
    "when the consultant requests it",
    "if results are abnormal",
    "as and when required",
    "where appropriate",
]


@pytest.mark.parametrize("clause", _CONTEXT_CLAUSES)
def test_a_context_clause_leaves_the_narrowest_reading_as_it_was(
    clause: str, sample_result: genai_aug.Result
) -> None:
    """Every sample task, with a context clause after it, is first read as without it, so
    the clause cannot change its class (``scripts/context_invariance.py`` counts the
    answers that change on larger sets)."""
    texts = sample_result.tasks["task"].str.rstrip(".").drop_duplicates().tolist()
    changed = [
        t
        for t in texts
        if readings(normalise_text(f"{t} {clause}"))[0] != readings(normalise_text(t))[0]
    ]
    assert changed == []


@pytest.mark.parametrize(
    ("text", "narrowest"),
    [
        # 0.11.1: a condition after "and" is taken out and the task after it read
        (
            "Take bloods on the ward round and once labelled send them to the lab",
            "take bloods on the ward round and send them to the lab",
        ),
        # 0.11.1: "and" + a noun inside a condition leaves nothing behind
        ("Write the discharge letter when the patient and ward pharmacist agree", None),
        # 0.11.1: "once every …" leaves no stray "once"
        ("Check the CD book once every shift", "check the cd book"),
        # 0.11.1: a means clause after a condition stays with the work
        (
            "Transfer patients from bed to chair when they are able, using the standing hoist",
            "transfer patients from bed to chair using the standing hoist",
        ),
    ],
)
def test_a_condition_is_taken_out_and_the_work_around_it_kept(
    text: str, narrowest: str | None
) -> None:
    """The narrowest reading holds the work before and after a condition, and nothing of
    the condition (``None``: the text without the condition is the reading)."""
    if narrowest is None:
        narrowest = readings(normalise_text(text.partition(" when ")[0]))[0]
    assert readings(normalise_text(text))[0] == narrowest


def test_readings_run_from_the_narrowest_to_the_whole_text() -> None:
    """Core, main clause (before a clause of purpose), whole text; repeats left out."""
    text = normalise_text("Chase bloods for clozapine patients to ensure safe prescribing")
    assert readings(text) == (
        "chase bloods",
        "chase bloods for clozapine patients",
        "chase bloods for clozapine patients to ensure safe prescribing",
    )
    assert readings("book appointments") == ("book appointments",)


CASES = sorted({text for texts in MUST.values() for text in texts})


@pytest.mark.parametrize("context", CONTEXTS)
def test_context_never_changes_the_class(context: str) -> None:
    """Every contract phrasing keeps its exposure class with any context phrase added."""
    plain = score_texts(CASES)
    with_context = score_texts([f"{t.rstrip('.')} {context}" for t in CASES])
    changed = [
        f"{t!r}: {a} -> {b}"
        for t, a, b in zip(CASES, plain["exposure"], with_context["exposure"], strict=True)
        if a != b
    ]
    assert not changed, changed


def test_context_adds_evidence_when_the_work_is_not_recognised() -> None:
    """A task whose main clause no rule knows is read whole, context and all."""
    out = score_texts(["Zorble the wibbles for patients on the ward"])
    assert out["classified"].iat[0]
    assert "patients" in out["evidence"].iat[0] or "ward" in out["evidence"].iat[0]


@pytest.mark.parametrize(
    ("text", "category", "not_from"),
    [
        # the words of the verb's object are read as that object only
        ("Order dressings and continence products", "physical_work", "direct_care"),
        ("Order stationery and ward supplies", "physical_work", "finance_procurement"),
        ("Co-ordinate the safeguarding strategy meeting", "scheduling", "policy_writing"),
        ("Pick up incoming calls to the ward", "routine_communication", "physical_work"),
    ],
)
def test_a_verbs_object_is_not_read_as_other_work(text: str, category: str, not_from: str) -> None:
    """Rules matching only inside a family's verb and object stand back."""
    out = score_texts([text])
    assert out["category"].iat[0] == category, out["evidence"].iat[0]
    assert f"{not_from}." not in out["evidence"].iat[0]


def test_words_outside_a_family_span_still_count() -> None:
    """Other work named in the same task is still evidence."""
    evidence = score_texts(["Order dressings and wash patients"])["evidence"].iat[0]
    assert "direct_care.personal" in evidence


def _without_context_reference(words: list[str]) -> list[str]:
    """_clauses._without_context as first written (every word through both tests)."""
    from genai_aug import _clauses as c

    def phrase_end(start: int) -> int:
        for j in range(start + 1, len(words)):
            if words[j] in c._PHRASE_STOPS and words[j - 1] != "of":
                return j
            if words[j : j + 3] == ["face", "to", "face"]:
                return j
        return len(words)

    keep: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        as_needed = words[i : i + 1] in (["as"], ["where"], ["when"], ["if"]) and words[
            i + 1 : i + 2
        ] in [[w] for w in c._AS_NEEDED]
        if i >= c._MIN_OBJECT and as_needed:
            i += 2
            if words[i : i + 1] == ["by"]:
                i = phrase_end(i)
            continue
        if i >= c._MIN_OBJECT and word in c._OPENERS:
            end = phrase_end(i)
            if word in c._WHEN or c._names_context(words[i + 1 : end], people=word in c._FOR_WHOM):
                i = c._people_end(words, i, end) if word in c._FOR_WHOM else end
                continue
        if i == len(words) - 1 and i >= c._MIN_OBJECT and word in c._TRAILING_TIMES:
            break
        keep.append(word)
        i += 1
    while keep and keep[-1] in c._AND_OR:
        keep.pop()
    return keep


_VOCABULARY = [
    "chase",
    "results",
    "for",
    "patients",
    "on",
    "the",
    "ward",
    "7",
    "b",
    "at",
    "night",
    "before",
    "after",
    "clinic",
    "and",
    "or",
    "with",
    "face",
    "to",
    "daily",
    "weekly",
    "in",
    "rota",
    "every",
    "day",
    "each",
    "shift",
    "within",
    "team",
    "of",
    "review",
    "as",
    "where",
    "required",
    "appropriate",
    "meeting",
    "rounds",
    "awaiting",
    "surgery",
    "who",
    "carers",
    "end",
    "by",
    "directed",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_VOCABULARY), max_size=14))
def test_context_is_cut_as_the_word_by_word_reading_cuts_it(words: list[str]) -> None:
    """_without_context (the first two words kept whole, the last word known once) cuts
    what the word-by-word reading cuts: openers, places, times, people, "face to face",
    trailing adverbs and a trailing and/or, anywhere in a task of any length."""
    from genai_aug import _clauses as c

    assert c._without_context(list(words)) == _without_context_reference(list(words))
    if len(words) > c._MIN_OBJECT:
        expected = " ".join(_without_context_reference(list(words)))
        if c._MAY_CUT.isdisjoint(words[c._MIN_OBJECT :]) and words[-1] not in c._LAST_CUT:
            expected = " ".join(words)
        assert core_clause(" ".join(words)) == expected
