"""Term patterns: word boundaries, inflections, UK/US spellings, gaps."""

from __future__ import annotations

import random
import re
from typing import Any

import pandas as pd
import pytest

from conftest import shared_file
from genai_aug._matching import compile_terms, main_clause, normalise_text, term_pattern


def matches(term: str, text: str) -> bool:
    """Whether the readable term matches the text after normalisation."""
    return re.search(term_pattern(term), normalise_text(text)) is not None


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("book", "Booking clinics"),
        ("book", "booked"),
        ("book", "books"),
        ("schedule", "Scheduling theatre"),
        ("schedule", "scheduled lists"),
        ("copy", "copies of letters"),
        ("copy", "copied"),
        ("plan", "planning discharges"),
        ("plan", "planned care"),
        ("process", "processing invoices"),
        ("analyse", "Analyze referral data"),
        ("organise", "organizing clinics"),
        ("paediatric", "pediatric outpatients"),
        ("anaesthetic", "anesthetic chart"),
        ("haematology", "hematology samples"),
        ("counselling", "counseling patients"),
        ("book ... appointment", "book outpatient follow-up appointments"),
        ("follow up", "follow-up"),
        ("admin*", "administrative tasks"),
        ("^operate", "Operate forklifts"),
        ("^record", "Monitor and record fridge temperatures"),
        ("^operate", "Clean and/or operate the autoclave"),
        ("^direct", "Plan or direct the work of porters"),
    ],
)
def test_term_matches_inflected_and_spelling_variants(term: str, text: str) -> None:
    """Each term matches its -s/-ed/-ing forms and either spelling."""
    assert matches(term, text)


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("book", "notebook"),
        ("ward", "towards"),
        ("pas", "passport"),
        ("ct", "act"),
        ("schedule", "rescheduled"),
        ('"ward"', "wards"),
        ("book appointment", "book the appointment"),
        ("book ... appointment", "book one two three four five six seven appointment"),
        ("^operate", "Safely operate forklifts"),
        ("^record", "Monitor temperatures and record them"),
        ("^record", "Monitor and then record temperatures"),
    ],
)
def test_term_respects_word_boundaries_and_gaps(term: str, text: str) -> None:
    """Terms match whole words only; quoted words take no other forms; gaps are bounded.

    A leading ``^`` matches only the task's main verb: its first word, or the second of two
    leading verbs joined by and/or, never a verb later in the task.
    """
    assert not matches(term, text)


def test_normalise_text_folds_case_punctuation_and_spelling() -> None:
    """Text is folded to lower case, plain spaces and UK spellings."""
    assert normalise_text("  Organize   FOLLOW-UP/clinics ") == "organise follow up clinics"


@pytest.mark.parametrize("term", ["", "...", "... book", "book ...", " ".join(["w"] * 13)])
def test_malformed_terms_are_rejected(term: str) -> None:
    """Empty terms, terms that start or end with a gap, and very long terms are rejected."""
    with pytest.raises(ValueError):  # noqa: PT011 - the message is checked in test_rules
        term_pattern(term)


@pytest.mark.parametrize(
    ("text", "main"),
    [
        ("Monitor storage of chemicals to ensure compliance", "monitor storage of chemicals"),
        ("Assemble frames according to specifications", "assemble frames"),
        ("Adjust doses in accordance with the protocol", "adjust doses"),
        ("Order stock based on usage", "order stock"),
        ("Interview staff in order to plan rotas", "interview staff"),
        ("Check the fridge so that vaccines stay cold", "check the fridge"),
        ("Refer patients to physiotherapy", "refer patients to physiotherapy"),
        ("Talk to families to explain the plan", "talk to families to explain the plan"),
        ("File letters in line with trust policy", "file letters"),
        ("Dispense stock as per the protocol", "dispense stock"),
        ("Chase results when the consultant requests it", "chase results"),
        ("Call the GP if results are abnormal", "call the gp"),
        ("Book transport as and when required", "book transport"),
        # right after the verb, a clause of condition is its object: kept
        ("Determine if equipment is safe", "determine if equipment is safe"),
        ("Decide when patients are fit to go home", "decide when patients are fit to go home"),
        # a condition ends at the next task joined by "and" or "then": that task stays
        (
            "Give medication if prescribed and record it on the chart",
            "give medication and record it on the chart",
        ),
        (
            "Chase results when the consultant asks then file them",
            "chase results then file them",
        ),
        # after a verb that asks or tells, "if" and "when" open its question: kept
        (
            "Ask patients if they have allergies and record them on the EPR",
            "ask patients if they have allergies and record them on the epr",
        ),
        ("Inform the nurse if a patient deteriorates", "inform the nurse"),
        (
            "Chase results when the patient and their carers ask",
            "chase results",
        ),
        (
            "Check with the ward if a bed is free and book the transfer",
            "check with the ward if a bed is free and book the transfer",
        ),
        # how often, not a condition; two words of context, left to core_clause
        (
            "Visit wards once a week and update the bed state",
            "visit wards once a week and update the bed state",
        ),
        (
            "Triage calls and when necessary book appointments",
            "triage calls and when necessary book appointments",
        ),
        ("Check obs when the patient returns from theatre", "check obs"),
        # 0.11.1: a condition after "and" is followed by the next task's verb: it stays
        (
            "Open the post and when referrals arrive scan them onto the EPR",
            "open the post and scan them onto the epr",
        ),
        (
            "Empty the pigeonholes and if letters are unsigned return them to the consultant",
            "empty the pigeonholes and return them to the consultant",
        ),
        (
            "Check the oxygen cylinders and if any are nearly empty order more",
            "check the oxygen cylinders and order more",
        ),
        # ... with a second task after it: one "and", not two
        (
            "Review the sepsis screens and if positive start the bundle and tell the doctor",
            "review the sepsis screens and start the bundle and tell the doctor",
        ),
        # ... but the condition's own words stay the condition's ("is complete")
        (
            "Tell the porters and when the form is complete",
            "tell the porters and",
        ),
        # 0.11.1: "and" + a noun goes on naming the condition's subject
        ("Take blood samples when the patient and parents consent", "take blood samples"),
        (
            "Type clinic letters when the consultant and registrar have signed off the dictation",
            "type clinic letters",
        ),
        (
            "Chase results when the consultant asks and book appointments",
            "chase results and book appointments",
        ),
        # 0.11.1: "once" before a phrase of time is how often, not a condition
        ("Restock the trolley once in the morning", "restock the trolley once in the morning"),
        ("Wake the patient once they are settled", "wake the patient"),
        # 0.11.1: a clause of means after a condition is kept with the work
        (
            "Turn patients when they are uncomfortable using a slide sheet",
            "turn patients using a slide sheet",
        ),
        ("Turn patients when they are using a slide sheet", "turn patients"),
        # a condition written before the task, ended by a comma, is read behind it
        ("If the patient declines, document the refusal", "document the refusal"),
        ("Once the porter arrives, hand over the samples", "hand over the samples"),
        ("As soon as the list is agreed; print the labels", "print the labels"),
        ("Unless told otherwise, discharge to the care home", "discharge to the care home"),
        ("Ring the family as soon as the bed is ready", "ring the family"),
        # ... but not without its comma, nor past a full stop
        ("If unsure ask the nurse in charge", "if unsure ask the nurse in charge"),
        # ... and after the condition's subject alone, *using* is its verb
        ("Arrange transport if patient using a frame", "arrange transport"),
        ("Arrange transport when the resident using oxygen", "arrange transport"),
        # a subject of one word without a determiner goes on through "and" + a noun
        ("Arrange a review unless doctor and family decline", "arrange a review"),
        ("Phone the ward when result and letter are filed", "phone the ward"),
    ],
)
def test_main_clause_stops_before_purpose_or_basis(text: str, main: str) -> None:
    """The main clause ends where a clause of purpose, basis or condition starts, and
    nowhere else."""
    assert main_clause(normalise_text(text)) == main


def test_a_rule_of_leading_and_free_terms_matches_as_its_terms_do() -> None:
    """Compiled together (``^`` terms share one prefix), terms match as they do one by one."""
    terms = ["^operate", "^record ... temperatures", "fridge", "^clean"]
    rule = compile_terms(terms)
    texts = [
        "Operate the autoclave",
        "Monitor and record fridge temperatures",
        "Check the fridge",
        "Safely operate forklifts",
        "Monitor temperatures and record them",
        "Clean and/or operate machines",
        "Order supplies",
    ]
    for text in texts:
        norm = normalise_text(text)
        one_by_one = any(re.search(term_pattern(t), norm) for t in terms)
        assert (rule.search(norm) is not None) == one_by_one, text


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("Do CD check w/ 2nd RN", "do cd check with 2nd rn"),
        ("Text w/pt", "text with pt"),
        ("Cover w/o notice", "cover without notice"),
        ("Phone pt re results", "phone pt about results"),
        ("Email GP re: bloods", "email gp about bloods"),
        ("Porter pts ward -> X-ray", "porter pts ward to x ray"),
        ("Escalate → reg", "escalate to reg"),
        ("Bloods @ 6am", "bloods at 6am"),
        ("Chase CT re bed 4", "chase ct about"),  # a bed or bay number says where
        ("Obs bay 2 beds 3-6 hrly", "obs hrly"),
        ("Bed 12 - TTO", "tto"),
        ("IV abx side room 3", "iv abx"),
        ("Cubicle 2a and 3 obs", "obs"),
    ],
)
def test_telegraphic_marks_read_as_the_words_they_stand_for(text: str, normalised: str) -> None:
    """w/, w/o, re, arrows and @ are read as the words they stand for before matching."""
    assert normalise_text(text) == normalised


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("Re-book cancelled clinics", "re book cancelled clinics"),  # re- is a prefix
        ("Prepare W-2 forms", "prepare w 2 forms"),  # a W is not "with" without its slash
        ("They're re-ordering stock", "they're re ordering stock"),
        ("Email j.smith@nhs.net", "email j smith nhs net"),  # @ inside an address stays out
        ("Store chemicals", "store chemicals"),  # 're' inside a word is untouched
        ("Build dashboards with R", "build dashboards with r"),
        ("Ward round w/r", "ward round w r"),  # w/ + one letter is an abbreviation of its own
        ("Book w/c 5th May", "book w c 5th may"),  # week commencing, or a wheelchair
        ("Dilute to 10% w/v", "dilute to 10 w v"),
        ("Make up 20 beds", "make up 20 beds"),  # a count of beds is the object
        ("Strip and make beds", "strip and make beds"),
        ("Clean the bedroom 4 times", "clean the bedroom 4 times"),
        ("Embed 4 images", "embed 4 images"),
    ],
)
def test_telegraphic_marks_leave_other_uses_alone(text: str, normalised: str) -> None:
    """The same letters used otherwise (a prefix, a form name, an address) are not read as marks."""
    assert normalise_text(text) == normalised


def _mark_texts() -> list[str]:
    """Texts on both sides of each telegraphic mark and US spelling, and near misses."""
    import pandas as pd

    from conftest import shared_file

    texts = [
        "do cd check w/ 2nd rn re: stock",
        "w/o",
        "text w/pt",
        "re book",
        "re",
        "are",
        "pre re",
        "ward -> x ray",
        "a => b",
        "a → b",
        "a ⟶ b",
        "a ➡ b",
        "meet @ 9",
        "chase ct re bed 4",
        "beds 3 6",
        "bay2",
        "bedroom 4",
        "side room no. 3",
        "w",
        "r e",
        "organize",
        "organizes",
        "analyze",
        "paralyzed",
        "iz",
        "yz",
        "piz",
        "realize it",
        "bizarre",
        "zyzzyva",
        "color",
        "colour",
        "check up",
        "checks up",
        "co ordinate",
        "co operate",
        "program",
        "programme",
        "gray",
        "pediatrics",
        "hemoglobin",
        "edema",
        "edemas",
        "labor",
        "labors",
        "",
        " ",
        "fulfill",
        "travel",
        "traveling",
        "traveled",
        "label",
        "labeling",
        "enrollment",
        "estrogen",
        "feces",
    ]
    for name in ("onet_exposure_labels_dev.tsv", "nhs_paraphrase_dev.tsv"):
        texts += pd.read_csv(shared_file(name), sep="\t")["task"].astype(str).tolist()
    return [t.lower() for t in texts]


def test_mark_and_spelling_checks_are_the_single_searches() -> None:
    """normalise_text's checks for a telegraphic mark and a US spelling (plain substrings
    first, the -ize/-yze endings only where "iz"/"yz" stands) say what the single
    searches they replace say, on every dev text and on near misses."""
    from genai_aug import _matching as m

    # the single searches, as they were written: every mark one pattern, every spelling
    telegraphic_any = re.compile(
        r"w/|\bre\b|->|=>|[→⟶➡@]|\b(?:bed|bay|cubicle|side ?room)s?\s*(?:no\.?\s*)?\d"
    )
    spelling_any = re.compile("|".join(f"(?:{p})" for p, _ in m._SPELLINGS))
    assert ")iz(" in m._SPELLINGS[0][0] and ")yz(" in m._SPELLINGS[1][0]
    assert not any(("iz" in p or "yz" in p) for p, _ in m._SPELLINGS[2:])
    for text in _mark_texts():
        for s in (text, m._NON_WORD.sub(" ", text)):
            assert m._has_telegraphic(s) == (telegraphic_any.search(s) is not None), s
            assert m._has_spelling(s) == (spelling_any.search(s) is not None), s


def test_spellings_run_only_where_their_literal_stands() -> None:
    """_uk_spellings, which runs a pattern only on text holding its literal, gives what
    running every pattern in order gives, on every dev text and near miss (whole, and
    with one text's spellings made to feed the next pattern: "colorize", "co organize");
    and each literal is in every match of its pattern."""
    from genai_aug import _matching as m

    def every_pattern(s: str) -> str:
        for pattern, repl in m._SPELLINGS:
            s = re.sub(pattern, repl, s)
        return s

    texts = [m._NON_WORD.sub(" ", t) for t in _mark_texts()]
    texts += ["colorize", "co organize", "check ups colorizing", "behaviorizing centers"]
    changed = 0
    for s in texts:
        assert m._uk_spellings(s) == every_pattern(s), s
        changed += m._uk_spellings(s) != s
        for pattern, _, literal in m._SPELLING_RES:
            for found in pattern.finditer(s):
                assert literal in found.group(0), (pattern.pattern, s)
    assert changed > 20  # (the texts do exercise the spellings)


_PIECES = [
    *"abcΣσςİIKkßÉé’'&+-/.:@ \n\t\r",
    "w/",
    "w/o",
    "->",
    "=>",
    "→",
    "re",
    "re:",
    " re ",
    "color",
    "organize",
    "analyzer",
    "check up",
    "co ordinate",
    "ΑΣ",
    "ΑΣ.",
    "traveling",
    "if ",
    "once ",
    "as soon as ",
    ", ",
    "; ",
    ".",
]


@pytest.mark.parametrize("seed", range(4))
def test_normalise_texts_is_normalise_text_of_each(seed: int) -> None:
    """The joined normalisation gives each text what normalising it alone gives: on texts
    made of the separator, the marks, the spellings and the characters whose lower case
    depends on their neighbours (a final Σ) or is longer (İ), next to each other in the
    joined string; with texts that must be normalised alone (the separator, over
    MAX_TEXT_CHARS, not str)."""
    from genai_aug._matching import MAX_TEXT_CHARS, normalise_texts

    rng = random.Random(seed)
    for _ in range(400):
        texts: list[Any] = [
            "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 14)))
            for _ in range(rng.randint(0, 8))
        ]
        if rng.random() < 0.2:
            texts.insert(rng.randint(0, len(texts)), "x" * (MAX_TEXT_CHARS - 2) + "İİ w/ pt")
        if rng.random() < 0.2:
            texts.insert(rng.randint(0, len(texts)), "y " * MAX_TEXT_CHARS)
        if rng.random() < 0.1:
            texts.insert(rng.randint(0, len(texts)), float("nan"))
        assert normalise_texts(texts) == [normalise_text(t) for t in texts], texts


def test_normalise_texts_of_the_dev_texts() -> None:
    from genai_aug._matching import normalise_texts

    texts = _mark_texts()
    for name in ("onet_exposure_labels_dev.tsv", "nhs_paraphrase_dev.tsv"):
        texts += pd.read_csv(shared_file(name), sep="\t")["task"].astype(str).tolist()
    assert normalise_texts(texts) == [normalise_text(t) for t in texts]
    assert normalise_texts([]) == []
