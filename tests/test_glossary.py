"""The NHS glossary: abbreviations and shorthand read as full words before the rules."""

from __future__ import annotations

from pathlib import Path

import pytest

import genai_aug
from genai_aug import RulesetError, score_texts
from genai_aug.rules import default_ruleset

# Shorthand as staff write it, and the same task in full words: same category.
SAME_TASK = [
    ("Do d/c summaries", "Write discharge summaries"),
    ("Book OPD appts on PAS", "Book outpatient appointments on the patient administration system"),
    ("Take bloods and do obs", "Take blood tests and do observations"),
    ("Update the EPR after the MDT", "Update the electronic patient record after the meeting"),
    ("Type up the MDT minutes", "Type up the multidisciplinary team minutes"),
    ("Answer the bleep", "Answer the pager"),
    ("Book in pts at ED reception", "Book in patients at emergency department reception"),
    ("Do med recs on new admissions", "Do medicines reconciliation on new admissions"),
]


@pytest.mark.parametrize(("short", "full"), SAME_TASK)
def test_shorthand_scores_as_its_full_wording(short: str, full: str) -> None:
    """A task in NHS shorthand gets the category and exposure of the same task in full."""
    out = score_texts([short, full])
    assert out["category"].iat[0] == out["category"].iat[1], out["evidence"].tolist()
    assert out["exposure"].iat[0] == out["exposure"].iat[1]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Do d/c summaries", "clinical_documentation"),
        ("Book OPD appts on PAS", "scheduling"),
        ("See & examine pts on the WR", "clinical_procedures"),
    ],
)
def test_shorthand_lands_in_its_category(text: str, category: str) -> None:
    """Shorthand that the rules could not read before the glossary lands where it belongs."""
    assert score_texts([text])["category"].iat[0] == category


def test_evidence_says_which_abbreviations_were_read() -> None:
    """The evidence names each glossary entry applied, before the rules that fired."""
    evidence = score_texts(["Do d/c summaries"])["evidence"].iat[0]
    assert evidence.startswith("glossary: d/c = discharge; ")
    assert "'discharge summaries'" in evidence


def test_glossary_forms_match_whole_words_only() -> None:
    """A glossary form inside a longer word (ed in 'needed', obs in 'jobs') is left alone."""
    rs = default_ruleset()
    assert rs.expand("jobs needed in ed") == "jobs needed in emergency department"
    assert rs.glossary_used("jobs needed") == []


def test_a_plural_form_reads_as_the_plural_meaning() -> None:
    """pts is patients and appts appointments: a form that is another form plus s."""
    rs = default_ruleset()
    assert rs.expand("see pts and book appts") == "see patients and book appointments"
    assert rs.expand("see pt") == "see patient"
    assert rs.expand("take bloods") == "take blood tests"  # no singular form: as written


def test_glossary_is_part_of_the_hash(tmp_path: Path) -> None:
    """Two rulesets differing only in their glossary have different hashes."""
    plain = tmp_path / "plain.toml"
    plain.write_text('[ruleset]\nname = "x"\nversion = "1"\nextends = "default"\n')
    more = tmp_path / "more.toml"
    more.write_text(plain.read_text() + '\n[[glossary]]\nforms = ["cxr"]\nmeans = "chest x ray"\n')
    a, b = genai_aug.load_ruleset(plain), genai_aug.load_ruleset(more)
    assert a.hash != b.hash
    assert b.expand("review cxr") == "review chest x ray"
    assert len(b.glossary) == len(default_ruleset().glossary) + 1


def test_a_term_written_in_a_glossary_form_is_refused(tmp_path: Path) -> None:
    """A term that uses a form the glossary replaces could never match: the file is refused."""
    path = tmp_path / "bad.toml"
    path.write_text(
        '[ruleset]\nname = "x"\nversion = "1"\nextends = "default"\n\n'
        '[[rules]]\nid = "local.pas"\ncategory = "data_entry"\nweight = 1.0\n'
        'terms = ["update ... pas"]\nrationale = "PAS work."\n'
    )
    with pytest.raises(RulesetError, match="glossary form 'pas'"):
        genai_aug.load_ruleset(path)


def test_a_form_in_two_entries_is_refused(tmp_path: Path) -> None:
    """One written form cannot mean two things."""
    path = tmp_path / "bad.toml"
    path.write_text(
        '[ruleset]\nname = "x"\nversion = "1"\nextends = "default"\n\n'
        '[[glossary]]\nforms = ["cxr"]\nmeans = "chest x ray"\n\n'
        '[[glossary]]\nforms = ["axr", "cxr"]\nmeans = "x ray"\n'
    )
    with pytest.raises(RulesetError, match="glossary form 'cxr'"):
        genai_aug.load_ruleset(path)


def test_a_glossary_file_beside_the_ruleset_is_read(tmp_path: Path) -> None:
    """``glossary_file`` names a TOML file of [[glossary]] entries beside the ruleset file."""
    (tmp_path / "ours.toml").write_text('[[glossary]]\nforms = ["cxr"]\nmeans = "chest x ray"\n')
    path = tmp_path / "rules.toml"
    path.write_text(
        '[ruleset]\nname = "x"\nversion = "1"\nextends = "default"\nglossary_file = "ours.toml"\n'
    )
    assert genai_aug.load_ruleset(path).expand("cxr") == "chest x ray"
    (tmp_path / "ours.toml").unlink()
    with pytest.raises(RulesetError, match=r"ours\.toml' not found"):
        genai_aug.load_ruleset(path)
