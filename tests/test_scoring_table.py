"""Per category: real NHS phrasings that must fall in it, and phrasings that must not.

These tables are the readable contract of the default ruleset. A governance
reviewer can read them as "the rules say that ... is scheduling".
"""

from __future__ import annotations

from typing import Any

import pytest

from genai_aug import score_texts

MUST: dict[str, list[str]] = {
    "scheduling": [
        "Book patients into outpatient clinic slots",
        "Reschedule cancelled theatre sessions",
        "Arrange follow-up appointments for the fracture clinic",
        "Manage the consultant's diary",
        "Validate the waiting list for the 18-week pathway",
        "Organise interpreters for appointments",
    ],
    "data_entry": [
        "Enter patient details onto the patient administration system",
        "Update patient records on the EPR after discharge",
        "Register new births on the system",
        "Input timesheet data into the database",
        "Scan paper referrals into the electronic record",
        "File letters and results in the case notes",
    ],
    "correspondence": [
        "Draft letters to patients about changes to their care",
        "Write responses to formal complaints",
        "Draft replies to GP correspondence",
        "Send discharge letters to GPs",
        "Draft a response to an MP's letter",
    ],
    "clinical_documentation": [
        "Write up the ward round in the medical notes",
        "Complete nursing documentation at the end of the shift",
        "Update care plans after each patient assessment",
        "Record vital signs on the e-obs system",
        "Write discharge summaries",
        "Complete falls and pressure ulcer risk assessments",
    ],
    "transcription": [
        "Type clinic letters from digital dictation",
        "Audio typing of consultant letters",
        "Transcribe dictated operation notes",
        "Take minutes at the governance meeting",
        "Type up minutes of the MDT meeting",
    ],
    "summarising": [
        "Summarise the patient's history before clinic",
        "Carry out literature searches for NICE guidance",
        "Review the notes before clinic and prepare a summary",
        "Gather information for serious incident investigations",
        "Collate evidence for the CQC inspection",
    ],
    "clinical_coding": [
        "Code inpatient episodes in ICD-10 and OPCS-4",
        "Clinical coding of day case activity",
        "Assign SNOMED CT codes to diagnoses",
        "Abstract diagnoses from the case notes for coding",
        "Resolve clinical coding queries with consultants",
    ],
    "reporting": [
        "Run a report from the EPR",  # run + report: reporting, not a machine
        "Prepare the monthly performance report for the board",
        "Build dashboards in Power BI",
        "Analyse referral trends for the service review",
        "Submit the weekly sitrep to NHS England",
        "Validate data quality in the waiting list return",
        "Carry out a clinical audit of antibiotic prescribing",
    ],
    "routine_communication": [
        "Cover the phones at lunchtime",  # cover + phones: answering calls
        "Answer the ward telephone",
        "Respond to emails from patients and relatives",
        "Chase outstanding results by phone",
        "Liaise with social services about discharge",
        "Handle enquiries at the main reception desk",
        "Return calls left on the advice line",
    ],
    "training_material": [
        "Write patient information leaflets",
        "Prepare teaching materials for student nurses",
        "Develop e-learning modules for mandatory training",
        "Design posters for the hand hygiene campaign",
        "Produce presentations for the induction programme",
    ],
    "policy_writing": [
        "Write the trust policy on medical devices",
        "Develop standard operating procedures for the lab",
        "Write business cases for new consultant posts",
        "Draft the service's annual plan",
        "Prepare tender documents for the catering contract",
    ],
    "rostering": [
        "Sort the rota for next month",  # sort + rota: rostering, not sorting items
        "Build the ward rota on Healthroster",
        "Fill gaps in the rota with bank and agency shifts",
        "Manage annual leave requests for the team",
        "Attend the bed meeting and manage patient flow",
        "Plan clinic capacity for the winter",
        "Agree consultant job plans",
    ],
    "finance_procurement": [
        "Process supplier invoices",
        "Raise purchase orders for ward equipment",
        "Reconcile the petty cash at month end",
        "Prepare the department budget forecast",
        "Authorise expense claims and timesheets",
        "Obtain quotes from suppliers",
    ],
    "direct_care": [
        "Assist patients with washing and dressing",
        "Help patients to eat and drink at mealtimes",
        "Reposition bed-bound patients to prevent pressure ulcers",
        "Provide personal care including toileting",
        "Carry out last offices",
        "Provide one-to-one care for confused patients",
        "Wash patients",
    ],
    "clinical_procedures": [
        "Cover the bleep overnight",  # cover + pager: on call, not covering a surface
        "Examine patients in the emergency department",
        "Take bloods and insert cannulas",
        "Administer intravenous antibiotics",
        "Operate on emergency theatre lists",
        "Triage patients arriving by ambulance",
        "Carry out the medication round",
        "Deliver physiotherapy treatment on the stroke unit",
    ],
    "diagnostic_interpretation": [
        "Report CT and MRI scans",
        "Interpret ECGs and blood results",
        "Review blood results and act on abnormal findings",
        "Authorise validated test results",
        "Examine histology slides under the microscope",
        "Clinically screen prescriptions",
    ],
    "counselling": [
        "Run a DBT skills group",  # run + group: a therapy group, not a machine
        "Give emotional support to bereaved families",
        "Break bad news to patients and relatives",
        "Counsel patients about their diagnosis",
        "Provide psychological support after trauma",
        "Reassure anxious patients before surgery",
    ],
    "supervision_management": [
        "Line manage the administration team",
        "Conduct appraisals for band 5 nurses",
        "Manage sickness absence in the department",
        "Recruit and interview new staff",
        "Supervise healthcare assistants on the ward",
        "Lead the theatre team",
    ],
    "meetings": [
        "Run a ward huddle",  # run + huddle: a meeting, not a machine
        "Hold a weekly team meeting",
        "Attend the daily safety huddle",
        "Give handover to the night staff",
        "Attend the weekly MDT meeting",
        "Take part in board rounds",
        "Attend divisional governance meetings",
        "Serve on the trust patient safety committee",
        "Meet with the ward manager to discuss staffing",
    ],
    "teaching": [
        "Teach medical students on the ward",
        "Mentor newly qualified nurses",
        "Deliver simulation training to junior doctors",
        "Complete mandatory training",
        "Act as preceptor for new starters",
    ],
    "technical_work": [
        "Run samples on the haematology analysers",
        "Calibrate laboratory equipment",
        "Process specimens in the microbiology lab",
        "Dispense medicines in the pharmacy dispensary",
        "Decontaminate surgical instruments in sterile services",
        "Carry out quality control on the blood gas analyser",
        "Read wiring diagrams to fault-find the nurse call system",
    ],
    "physical_work": [
        "Clean the ward bays and toilets",
        "Move patients between wards in beds and wheelchairs",
        "Prepare and cook meals for patients",
        "Carry out planned maintenance of boilers",
        "Drive the patient transport vehicle",
        "Patrol the hospital site and car parks",
        "Empty bins and remove clinical waste",
        "Restock the ward store room",
    ],
    "writing_editing": [
        "Write articles for the trust newsletter",
        "Translate appointment letters into Polish",
        "Draft press releases for the communications team",
        "Edit the staff magazine",
        "Write the chief executive's speeches",
    ],
    "analysis_research": [
        "Evaluate the outcomes of the falls prevention project",
        "Research best practice for discharge planning",
        "Investigate the causes of delayed discharges",
        "Study the evidence on virtual wards",
        "Assess the impact of the new pathway on waiting times",
        "Estimate the cost of the new service",
    ],
    "planning_design": [
        "Design the new outpatient pathway",
        "Plan the winter resilience programme",
        "Establish a new virtual ward service",
        "Implement the electronic prescribing system on the wards",
        "Develop a new triage pathway",
    ],
    "advising_explaining": [
        "Explain test results to GPs",
        "Answer questions from students about placements",
        "Provide advice to managers on employment law",
        "Recommend treatment options to the consultant",
        "Explain the complaints process to relatives",
    ],
    "liaison_coordination": [
        "Confer with commissioners about service changes",
        "Collaborate with the integrated care board on pathways",
        "Consult staff side representatives on the restructure",
        "Work closely with social services on complex discharges",
        "Meet with GP practices to agree referral criteria",
    ],
    "computing": [
        "Configure user accounts on the electronic patient record",
        "Maintain the trust website",
        "Debug interfaces between the laboratory and the EPR",
        "Code new web pages for the intranet",
        "Configure the network for the new outpatient building",
        "Support users with computer problems on the helpdesk",
    ],
    "inspection_testing": [
        "Inspect fire doors across the hospital site",
        "Test medical gas outlets on the wards",
        "Measure noise levels in the plant room",
        "Inspect scaffolding before use",
        "Verify the calibration of weighing scales",
        "Check fire extinguishers on every floor",
    ],
    "sales_service": [
        "Sell food and drinks in the hospital shop",
        "Greet visitors at the main entrance",
        "Help visitors find their way around the hospital",
        "Serve customers in the staff restaurant",
        "Assist visitors at the information desk",
        "Take cash payments in the hospital shop",
        "Count the cash in the till at the end of the day",
    ],
}

MUST_NOT: dict[str, list[str]] = {
    "scheduling": ["Operate on elective theatre lists", "Attend the bed meeting"],
    "data_entry": [
        "Scan patients' abdomens with ultrasound",
        "Record observations at the bedside",
        "Service the heating system in theatres",
    ],
    "correspondence": ["Answer the ward telephone", "Type clinic letters from digital dictation"],
    "clinical_documentation": [
        "Document storage and archiving contracts",
        "Record the temperature of the kitchen fridges",
    ],
    "transcription": ["Attend the team meeting", "Dictate letters after clinic"],
    "summarising": ["Write discharge summaries"],
    "clinical_coding": ["Code the colour of waste bins"],
    "reporting": ["Report CT scans", "Write incident reports", "Run samples on the analysers"],
    "routine_communication": ["Fill gaps in the rota with agency shifts"],
    "training_material": ["Deliver teaching to medical students"],
    "policy_writing": ["Attend the governance meeting"],
    "rostering": ["Allocate a cubicle to the patient on the shift"],
    "finance_procurement": ["Order blood tests for patients"],
    "direct_care": [
        "Wash up and clean the kitchen",
        "Calculate enteral feeding regimens",
        "Document care in the nursing notes",
    ],
    "clinical_procedures": ["Write clinical guidelines", "Book patients into the clinic"],
    "diagnostic_interpretation": [
        "Scan paper records into the electronic record",
        "Book scans for outpatients",
    ],
    "counselling": ["Answer the advice line"],
    "supervision_management": ["Attend the board meeting", "Supervise patients at mealtimes"],
    "meetings": ["Record clinic outcomes and did not attends"],
    "teaching": ["Prepare teaching materials"],
    "technical_work": ["Order laboratory reagents"],
    "computing": ["Clean computer keyboards on the ward"],
    "sales_service": ["Serve on the trust ethics committee"],
    "liaison_coordination": ["Attend the weekly MDT meeting"],
    "writing_editing": ["Type clinic letters from digital dictation"],
    "physical_work": [
        "Write SQL queries to extract data from the data warehouse",
        "Book patient transport",
        "Carry out the medication round",
        "Complete cleaning schedules and records",
    ],
}

# A task's category is the strongest one of the exposure class its pooled evidence
# decides (so category, exposure, time share and mode agree). For these phrasings the
# pooled evidence decides a class other than their category's: a scorer error now in view,
# marked as a strict xfail and left out of the weight fit's contract. None since ruleset
# 0.7.0 ("Review the notes before clinic and prepare a summary" is summarising).
_POOLED_DISAGREES: dict[tuple[str, str], str] = {}


def _cases(table: dict[str, list[str]]) -> list[Any]:
    return [
        pytest.param(
            cat,
            text,
            marks=pytest.mark.xfail(reason=_POOLED_DISAGREES[(cat, text)], strict=True),
        )
        if (cat, text) in _POOLED_DISAGREES
        else (cat, text)
        for cat, texts in table.items()
        for text in texts
    ]


_MUST = _cases(MUST)
_MUST_NOT = _cases(MUST_NOT)


def test_tables_cover_every_category_with_at_least_five_phrasings() -> None:
    """The contract covers every category of the default ruleset."""
    from genai_aug import default_ruleset

    assert set(MUST) == {c.id for c in default_ruleset().categories}
    assert all(len(v) >= 5 for v in MUST.values())


@pytest.mark.parametrize(("category", "text"), _MUST)
def test_phrasing_falls_in_its_category(category: str, text: str) -> None:
    """The task's wording puts it in the expected category."""
    got = score_texts([text]).iloc[0]
    assert got["category"] == category, got["evidence"]


@pytest.mark.parametrize(("category", "text"), _MUST_NOT)
def test_phrasing_does_not_fall_in_category(category: str, text: str) -> None:
    """Look-alike wording does not put the task in this category."""
    got = score_texts([text]).iloc[0]
    assert got["category"] != category, got["evidence"]
