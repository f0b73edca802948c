"""The NHS glossary: abbreviations and shorthand read as full words before the rules."""

from __future__ import annotations

from pathlib import Path

import pytest

import genai_aug
from genai_aug import RulesetError, score_texts
from genai_aug._matching import normalise_text
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
    more.write_text(
        plain.read_text() + '\n[[glossary]]\nforms = ["ogd"]\nmeans = "upper endoscopy"\n'
    )
    a, b = genai_aug.load_ruleset(plain), genai_aug.load_ruleset(more)
    assert a.hash != b.hash
    assert b.expand("review ogd") == "review upper endoscopy"
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
        '[[glossary]]\nforms = ["ogd"]\nmeans = "upper endoscopy"\n\n'
        '[[glossary]]\nforms = ["egd", "ogd"]\nmeans = "endoscopy"\n'
    )
    with pytest.raises(RulesetError, match="glossary form 'ogd'"):
        genai_aug.load_ruleset(path)


def test_a_glossary_file_beside_the_ruleset_is_read(tmp_path: Path) -> None:
    """``glossary_file`` names a TOML file of [[glossary]] entries beside the ruleset file."""
    (tmp_path / "ours.toml").write_text(
        '[[glossary]]\nforms = ["ogd"]\nmeans = "upper endoscopy"\n'
    )
    path = tmp_path / "rules.toml"
    path.write_text(
        '[ruleset]\nname = "x"\nversion = "1"\nextends = "default"\nglossary_file = "ours.toml"\n'
    )
    assert genai_aug.load_ruleset(path).expand("ogd") == "upper endoscopy"
    (tmp_path / "ours.toml").unlink()
    with pytest.raises(RulesetError, match=r"ours\.toml' not found"):
        genai_aug.load_ruleset(path)


# Ruleset 0.9.0's entries, by class: shorthand as staff write it, and its formal twin.
# Each pair was written for this test from NHS usage; the twin is the expansion in full
# words, so a pair that differs means the glossary (or the telegraphic marks) misread.
SAME_TASK_0_9 = {
    "clinical": [
        (
            "Request CXR + AXR for new pts",
            "Request chest x ray and abdominal x ray for new patients",
        ),
        (
            "Chase FBC, U&Es and LFTs",
            "Chase full blood count, urea and electrolytes and liver function tests",
        ),
        (
            "Complete VTE assessments on the EPR",
            "Complete venous thromboembolism assessments on the electronic patient record",
        ),
        ("Pass NGT before feed", "Pass nasogastric tube before feed"),
        (
            "Check the CD register w/ 2nd RN",
            "Check the controlled drug register with a second registered nurse",
        ),
        ("Flu vacs for staff", "Flu vaccinations for staff"),
        ("NBVs at home", "New birth visits at home"),
        ("Do MSE + risk assessment", "Do mental state examination and risk assessment"),
        ("Insert PICC lines", "Insert peripherally inserted central catheter lines"),
    ],
    "places and services": [
        (
            "Book SDEC slots for GP patients",
            "Book same day emergency care slots for general practitioner patients",
        ),
        (
            "Transfer pts from ITU to the ward",
            "Transfer patients from intensive care unit to the ward",
        ),
        ("Clerk admissions on AMU", "Clerk admissions on the acute medical unit"),
    ],
    "staff": [
        ("Prep FY1 teaching", "Prep foundation doctor teaching"),
        (
            "Supervise HCAs and RNs on nights",
            "Supervise healthcare assistants and registered nurses on nights",
        ),
        ("Allocate AHP referrals", "Allocate allied health professional referrals"),
    ],
    "admin": [
        (
            "Validate the PTL + 2WW lists",
            "Validate the patient tracking list and two week wait lists",
        ),
        ("Send DNA letters", "Send did not attend letters"),
        ("Do MDT mins", "Do multidisciplinary team minutes"),
        ("Reply to FOIs", "Reply to freedom of information requests"),
        ("Write JDs + person specs", "Write job descriptions and person specifications"),
        ("Update the xls w/ this wk's figures", "Update the spreadsheet with this week's figures"),
        (
            "Write A&G replies to the GP",
            "Write advice and guidance replies to the general practitioner",
        ),
        ("Log jobs on CAFM", "Log jobs on the computer aided facilities management system"),
        ("Pull monthly stats for the board", "Pull monthly statistics for the board"),
        ("Direct book UTC slots", "Book urgent treatment centre slots directly"),
    ],
    "telegraphic": [
        ("Phone NOK re d/c", "Phone next of kin about discharge"),
        ("Porter pts ward -> XR", "Porter patients from the ward to x ray"),
        ("Email GP re: bloods", "Email general practitioner about blood tests"),
    ],
}


@pytest.mark.parametrize(
    ("short", "full"),
    [pytest.param(s, f, id=f"{k}: {s}") for k, pairs in SAME_TASK_0_9.items() for s, f in pairs],
)
def test_new_shorthand_scores_as_its_formal_twin(short: str, full: str) -> None:
    """Each class of 0.9.0 entry: the shorthand and its formal twin get one category."""
    out = score_texts([short, full])
    assert out["category"].iat[0] == out["category"].iat[1], out["evidence"].tolist()
    assert out["exposure"].iat[0] == out["exposure"].iat[1]
    assert out["category"].iat[0] != "unclassified"


# Forms with a second common meaning are left as written (the header's rule): the
# form, and a text that uses it.
NOT_EXPANDED = [
    ("ot", "Book OT for the list"),  # occupational therapy, overtime, operating theatre
    ("po", "Give paracetamol PO"),  # by mouth, or a purchase order
    ("cd", "Burn the images to CD"),  # compact disc, or a controlled drug
    ("cns", "CNS tumour clinic"),  # central nervous system, or a nurse specialist
    ("esr", "Request ESR and CRP"),  # a blood test, or the staff record
    ("hv", "Test HV switchgear"),  # high voltage, health visitor, home visit
    ("tx", "Arrange tx to the ward"),  # transfer, treatment, transplant
    ("rx", "Check the rx"),  # prescription or treatment
    ("ice", "Apply ice packs"),  # frozen water, or the requesting system
    ("salt", "Grit paths with salt"),  # the mineral, or speech and language therapy
    ("news", "Read the news"),  # the word, or the warning score without its 2
    ("respect", "Treat patients with respect"),  # the word, or the ReSPECT form
    ("ref", "Quote the order ref"),  # reference, or referral
    ("us", "Call us"),  # the pronoun, or ultrasound
    ("vac", "Change the VAC dressing"),  # vacuum-assisted closure, or a vaccination
    ("dn", "DN to review"),  # district nurse, or other uses: only "DN visits" is read
    ("pat", "Pat the baby dry"),  # a verb and a name: only "PAT test" is read
    ("hr", "Record HR and BP"),  # heart rate, human resources, hour
    ("si", "Report SI units"),  # serious incident, or units
    ("mash", "Mash the potatoes"),
    ("gps", "Survey boundaries with GPS"),  # the global positioning system, or GPs
    ("sx", "Prepare theatre lists for sx"),  # surgery, or symptoms
    ("slt", "Take minutes at SLT"),  # senior leadership team, or speech and language therapy
    ("rtc", "Book RTC appointments"),  # return to clinic, or a road traffic collision
]


def test_with_and_a_single_letter_is_not_an_abbreviation() -> None:
    """'with R' (the language) is not 'w/r' (ward round): a glossary form is normalised
    as text is, so the telegraphic 'w/' must not turn a form into ordinary words."""
    rs = default_ruleset()
    assert rs.expand(normalise_text("Build dashboards with R")) == "build dashboards with r"
    assert rs.glossary_used(normalise_text("Build dashboards with R")) == []
    assert "ward round" in rs.expand(normalise_text("Do the w/r"))


@pytest.mark.parametrize(("form", "text"), NOT_EXPANDED)
def test_forms_with_other_meanings_are_not_expanded(form: str, text: str) -> None:
    """A form with another common meaning stays as written and is named in no evidence."""
    rs = default_ruleset()
    norm = normalise_text(text)
    assert form in rs.expand(norm).split()
    used = set(rs.glossary_used(norm))
    forms_used = {normalise_text(f) for e in rs.glossary if e.label in used for f in e.forms}
    assert form not in forms_used


def test_left_out_forms_are_in_no_entry() -> None:
    """No entry lists a form the glossary's header leaves out for its second meaning."""
    forms = {normalise_text(f) for e in default_ruleset().glossary for f in e.forms}
    assert forms.isdisjoint(form for form, _ in NOT_EXPANDED)


def test_every_entry_says_what_it_is() -> None:
    """Each entry has a note, as the glossary's header requires."""
    assert all(e.note.strip() for e in default_ruleset().glossary)


def test_multiword_forms_disambiguate_a_short_form() -> None:
    """'CD check' is a controlled drug check; 'CD' alone is not expanded."""
    rs = default_ruleset()
    assert rs.expand(normalise_text("Do CD checks")) == "do controlled drug checks"
    assert rs.expand(normalise_text("Copy to CD")) == "copy to cd"
    assert rs.expand(normalise_text("Send DNA letters")) == "send did not attend letters"
    assert rs.expand(normalise_text("Extract DNA")) == "extract dna"


def test_a_meaning_already_plural_is_not_made_plural_again() -> None:
    """msgs is messages, not 'messageses'; reqs requests; RCAs root cause analyses."""
    rs = default_ruleset()
    assert rs.expand("pick up msgs") == "pick up messages"
    assert rs.expand("new reqs") == "new requests"
    assert rs.expand("do rcas") == "do root cause analyses"
    assert rs.expand("abgs") == "arterial blood gases"  # (a singular -s word still takes -es)


# Ruleset 0.11.0's entries (issue 14): shorthand as staff write it, each written for this
# test from NHS usage, and the category its full wording has.
SHORTHAND_0_11 = [
    ("Prep Q&A for staff drop-in", "writing_editing"),  # questions and answers
    ("Prep FAQs for the new clinic", "writing_editing"),  # frequently asked questions
    ("Add pts to CEPOD list", "scheduling"),  # the emergency theatre list
    ("Lead WHO checklist", "clinical_procedures"),  # the surgical safety checklist
    ("HoNOS for new referrals", "data_entry"),  # outcome scales entered on the record
    ("Do PN discharge on BadgerNet", "data_entry"),  # the maternity record
    ("Staff awards nom for our HCA", "writing_editing"),  # a nomination
    ("Pick up answerphone msgs", "routine_communication"),  # messages, as calls
    ("Do eDN for GP", "clinical_documentation"),  # the electronic discharge notification
    ("Submit DM01", "reporting"),  # the diagnostic waiting times return
    ("Process IFRs", "data_entry"),  # individual funding requests
    ("Do DQ checks", "reporting"),  # data quality
]


def test_0_11_entries_read_as_their_meaning() -> None:
    """Clinical and office forms of 0.11.0 with no rule of their own still read in full,
    so the evidence and any local rule see the words."""
    rs = default_ruleset()
    assert rs.expand("keep pt nbm") == "keep patient nil by mouth"
    assert rs.expand("gcs hrly") == "glasgow coma scale hourly"
    assert rs.expand("chase ubrns") == "chase referral booking references"
    assert rs.expand("book cath lab") == "book catheter laboratory"


@pytest.mark.parametrize(("short", "category"), SHORTHAND_0_11)
def test_0_11_shorthand_lands_in_its_category(short: str, category: str) -> None:
    """Each 0.11.0 entry: the shorthand lands where its full wording does."""
    out = score_texts([short])
    assert out["category"].iat[0] == category, out["evidence"].tolist()


def test_who_alone_is_the_english_word() -> None:
    """Only 'WHO checklist' is read as the surgical safety checklist, and only 'MAR chart'
    as the medication administration record; 'who' and 'mar' alone stay words."""
    rs = default_ruleset()
    assert rs.expand("patients who need help") == "patients who need help"
    assert rs.expand("do who checklist") == "do surgical safety checklist"
    assert rs.expand("sign mar charts") == "sign medication administration records"
    assert rs.expand("mar the finish") == "mar the finish"  # 'mar' alone: the English verb


# Ruleset 0.12.0's entries (issue 15): NHS forms with one meaning, each written for this
# test from NHS usage, and the category its full wording has.
SHORTHAND_0_12 = [
    ("MG11 for the assault in the car park", "writing_editing"),  # a witness statement
    ("VoED at the hospice", "clinical_procedures"),  # verification of expected death
    ("Sepsis 6 in resus", "clinical_procedures"),  # the Sepsis Six bundle
    ("Decon side room 4", "physical_work"),  # decontamination
    ("Chrono for the strategy meeting", "data_entry"),  # a safeguarding chronology
    ("Teatime insulins x3", "clinical_procedures"),  # insulin injections
]


def test_0_12_entries_read_as_their_meaning() -> None:
    """Forms of 0.12.0 read in full, so the evidence and any local rule see the words."""
    rs = default_ruleset()
    assert rs.expand("see family on wd 9") == "see family on ward 9"
    assert rs.expand("outcomes to infoflex") == "outcomes to cancer tracking system"
    assert rs.expand("pod check bay 2") == "patients own drugs check bay 2"
    assert rs.expand("hpv decon") == "hydrogen peroxide vapour decontamination"
    assert rs.expand("hpv vaccine") == "hpv vaccine"  # 'HPV' alone: also the virus
    assert rs.expand("a pod of dolphins") == "a pod of dolphins"  # 'pod' alone: the word


@pytest.mark.parametrize(("short", "category"), SHORTHAND_0_12)
def test_0_12_shorthand_lands_in_its_category(short: str, category: str) -> None:
    """Each 0.12.0 entry: the shorthand lands where its full wording does."""
    out = score_texts([short])
    assert out["category"].iat[0] == category, out["evidence"].tolist()
