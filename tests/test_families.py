"""Verb × object families: one verb sense declared once, as data, expanded at load."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import genai_aug
from genai_aug import RulesetError, score_texts
from genai_aug._matching import term_pattern
from genai_aug.rules import default_ruleset

# The same verb, decided by its object (each pair failed before families: every "run"
# was machine operation, every "sort" sorting items, every "hold" holding things).
SENSES = [
    ("Run a ward huddle", "meetings"),
    ("Run samples on the haematology analysers", "technical_work"),
    ("Run a report from the EPR", "reporting"),
    ("Run a DBT skills group", "counselling"),
    ("Hold a weekly team meeting", "meetings"),
    ("Sort the rota for next month", "rostering"),
    ("Cover the bleep overnight", "clinical_procedures"),
    ("Cover the phones at lunchtime", "routine_communication"),
    ("Take bloods", "clinical_procedures"),
    ("Wash patients", "direct_care"),  # wash + people: personal care, not cleaning
    ("Wash the ward floors", "physical_work"),
    ("Order dressings and continence products", "physical_work"),  # ordering stock
    ("Raise purchase orders for dressings", "finance_procurement"),
]


@pytest.mark.parametrize(("text", "category"), SENSES)
def test_a_verb_takes_its_sense_from_its_object(text: str, category: str) -> None:
    """run/hold/sort/cover/take land in the category their object gives them."""
    assert score_texts([text])["category"].iat[0] == category


def test_families_are_expanded_into_rules_with_their_rationale() -> None:
    """Each family becomes one rule of its id, one ^{verbs} ... object term per object."""
    rule = {r.id: r for r in default_ruleset().rules}["meetings.run_gathering"]
    assert "^{run|lead|chair|facilitate|hold|host|convene} ... huddle" in rule.terms
    assert rule.rationale.startswith("Running or chairing a meeting")


@pytest.mark.parametrize(
    ("term", "text", "hit"),
    [
        ("^{run|lead} ... huddle", "running the morning huddles", True),
        ("^{run|lead} ... huddle", "led a huddle", False),  # irregular past: not a form of lead
        ("^{run|lead} ... huddle", "attend and lead the huddle", True),
        ("^{run|lead} ... huddle", "ran the huddle", False),
    ],
)
def test_braces_match_any_one_word_with_its_forms(term: str, text: str, hit: bool) -> None:
    """``{a|b}`` in a term is any one of the words, each with its usual forms."""
    import re

    assert bool(re.search(term_pattern(term), text)) is hit


def test_a_phrase_in_braces_is_refused(tmp_path: Path) -> None:
    """``{waiting list|pathway}`` would be read as the words 'waiting' and 'list pathway'
    and never match: a rule with a space inside braces is refused, naming the term."""
    path = _ruleset(
        tmp_path,
        '[[rules]]\nid = "local.validate"\ncategory = "data_entry"\nweight = 1.0\n'
        'terms = ["^validate ... {waiting list|pathway}"]\nrationale = "Validation."\n',
    )
    with pytest.raises(RulesetError, match=r"local\.validate.*braces hold"):
        genai_aug.load_ruleset(path)


def _ruleset(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "local.toml"
    path.write_text('[ruleset]\nname = "x"\nversion = "1"\nextends = "default"\n\n' + body)
    return path


def test_a_user_family_with_its_own_object_class(tmp_path: Path) -> None:
    """A user file declares classes and families the same way; they become rules."""
    path = _ruleset(
        tmp_path,
        '[object_classes]\nboards = ["whiteboard", "bed board"]\n\n'
        '[[families]]\nid = "local.update_boards"\ncategory = "data_entry"\nweight = 2.0\n'
        'verbs = ["update", "refresh"]\nobjects = ["@boards"]\n'
        'rationale = "Updating the bed board is record keeping."\n',
    )
    rs = genai_aug.load_ruleset(path)
    assert score_texts(["Refresh the bed board"], rs)["category"].iat[0] == "data_entry"


def test_an_unknown_object_class_is_named(tmp_path: Path) -> None:
    """A family naming an undeclared class is refused, naming the family and the class."""
    path = _ruleset(
        tmp_path,
        '[object_classes]\nboards = ["whiteboard"]\n\n'
        '[[families]]\nid = "local.x"\ncategory = "data_entry"\nweight = 1.0\n'
        'verbs = ["update"]\nobjects = ["@board"]\nrationale = "x"\n',
    )
    with pytest.raises(RulesetError, match=r"local\.x.*unknown object class '@board'.*boards"):
        genai_aug.load_ruleset(path)


def test_a_rule_group_gives_its_reason_to_rules_without_their_own(tmp_path: Path) -> None:
    """[[rule_groups]]: a reason shared by many verbs is written once; a rule's own wins."""
    path = _ruleset(
        tmp_path,
        '[[rule_groups]]\nid = "local.boards"\n'
        'rationale = "Updating a board is record keeping."\n\n'
        '[[rules]]\nid = "local.boards.update"\ncategory = "data_entry"\nweight = 1.0\n'
        'terms = ["^update ... bed board"]\n\n'
        '[[rules]]\nid = "local.boards.wipe"\ncategory = "physical_work"\nweight = 1.0\n'
        'terms = ["^wipe ... bed board"]\nrationale = "Wiping a board is cleaning it."\n',
    )
    rules = {r.id: r for r in genai_aug.load_ruleset(path).rules}
    assert rules["local.boards.update"].rationale == "Updating a board is record keeping."
    assert rules["local.boards.wipe"].rationale == "Wiping a board is cleaning it."


def test_a_rule_with_no_reason_and_no_group_is_refused(tmp_path: Path) -> None:
    path = _ruleset(
        tmp_path,
        '[[rules]]\nid = "local.update"\ncategory = "data_entry"\nweight = 1.0\n'
        'terms = ["^update ... bed board"]\n',
    )
    with pytest.raises(RulesetError, match=r"local\.update.*rationale"):
        genai_aug.load_ruleset(path)


def test_an_empty_rule_group_is_refused(tmp_path: Path) -> None:
    path = _ruleset(tmp_path, '[[rule_groups]]\nid = "local.nothing"\nrationale = "x"\n')
    with pytest.raises(RulesetError, match=r"local\.nothing.*no rules"):
        genai_aug.load_ruleset(path)


def test_an_object_class_in_a_rule_term_stands_for_each_of_its_objects(tmp_path: Path) -> None:
    """``^update ... @boards`` is one term per object of the class, in the class's order."""
    path = _ruleset(
        tmp_path,
        '[object_classes]\nboards = ["whiteboard", "bed board"]\n\n'
        '[[rules]]\nid = "local.update"\ncategory = "data_entry"\nweight = 2.0\n'
        'terms = ["^update ... @boards", "^refresh ... @boards"]\n'
        'unless = ["@boards ... wiped"]\nrationale = "Updating a board is record keeping."\n',
    )
    rule = {r.id: r for r in genai_aug.load_ruleset(path).rules}["local.update"]
    assert rule.terms == (
        "^update ... whiteboard",
        "^update ... bed board",
        "^refresh ... whiteboard",
        "^refresh ... bed board",
    )
    assert rule.unless == ("whiteboard ... wiped", "bed board ... wiped")


def test_an_unknown_object_class_in_a_rule_term_is_named(tmp_path: Path) -> None:
    path = _ruleset(
        tmp_path,
        '[object_classes]\nboards = ["whiteboard"]\n\n'
        '[[rules]]\nid = "local.update"\ncategory = "data_entry"\nweight = 2.0\n'
        'terms = ["^update ... @board"]\nrationale = "x"\n',
    )
    with pytest.raises(RulesetError, match=r"local\.update.*terms.*'@board'.*boards"):
        genai_aug.load_ruleset(path)


def test_no_default_rule_has_a_reason_templated_on_its_verb() -> None:
    """The reasons shared by a group of verbs are the group's, not one template per verb."""
    import re

    templated = [
        r.id
        for r in default_ruleset().rules
        if re.search(r"main verb is '|^To \w+ (information|equipment)", r.rationale)
    ]
    assert templated == []
    by_reason: dict[str, int] = {}
    for r in default_ruleset().rules:
        by_reason[r.rationale] = by_reason.get(r.rationale, 0) + 1
    # a shared reason is a group's: it names several verbs, not one
    shared = [reason for reason, n in by_reason.items() if n > 1]
    assert all(reason.count(",") >= 2 for reason in shared), shared


def test_an_object_class_may_include_another_but_not_itself(tmp_path: Path) -> None:
    body = (
        '[object_classes]\nboards = ["whiteboard", "bed board"]\n'
        'screens = ["@boards", "dashboard"]\n\n'
        '[[rules]]\nid = "local.update"\ncategory = "data_entry"\nweight = 2.0\n'
        'terms = ["^update ... @screens"]\nrationale = "Updating a board is record keeping."\n'
    )
    rule = {r.id: r for r in genai_aug.load_ruleset(_ruleset(tmp_path, body)).rules}["local.update"]
    assert rule.terms == (
        "^update ... whiteboard",
        "^update ... bed board",
        "^update ... dashboard",
    )
    looped = body.replace('"@boards", "dashboard"', '"@screens", "dashboard"')
    with pytest.raises(RulesetError, match=r"'@screens' includes itself"):
        genai_aug.load_ruleset(_ruleset(tmp_path, looped))


def test_a_class_too_large_for_one_rule_is_refused_before_it_is_compiled(tmp_path: Path) -> None:
    """Two classes of a thousand words in one term would be a million terms: refused, named."""
    from genai_aug.rules import MAX_TERMS_PER_RULE

    words = ", ".join(f'"w{i}"' for i in range(1_000))
    classes = f"[object_classes]\nbig = [{words}]\nother = [{words}]\n\n"
    rule = (
        '[[rules]]\nid = "local.huge"\ncategory = "data_entry"\nweight = 1.0\n'
        'terms = ["@big ... @other"]\nrationale = "x"\n'
    )
    with pytest.raises(RulesetError, match=r"local\.huge.*1,000,000 terms.*5,000"):
        genai_aug.load_ruleset(_ruleset(tmp_path, classes + rule))
    many = ", ".join(f'"w{i}"' for i in range(MAX_TERMS_PER_RULE + 1))
    family = (
        f"[object_classes]\nmany = [{many}]\n\n"
        '[[families]]\nid = "local.fam"\ncategory = "data_entry"\nweight = 1.0\n'
        'verbs = ["update"]\nobjects = ["@many"]\nrationale = "x"\n'
    )
    with pytest.raises(RulesetError, match=r"local\.fam.*'@many' stands for more than 5,000"):
        genai_aug.load_ruleset(_ruleset(tmp_path, family))


def _classes_rule(tmp_path: Path, classes: str, terms: str = '"^update ... @c0"') -> Path:
    body = (
        f"[object_classes]\n{classes}\n"
        '[[rules]]\nid = "local.r"\ncategory = "data_entry"\nweight = 1.0\n'
        f'terms = [{terms}]\nrationale = "x"\n'
    )
    return _ruleset(tmp_path, body)


def test_a_long_chain_of_classes_is_expanded_without_recursion(tmp_path: Path) -> None:
    """A chain 3,000 classes deep loads (it raised RecursionError when expansion recursed)."""
    chain = "".join(f'c{i} = ["@c{i + 1}"]\n' for i in range(3_000)) + 'c3000 = ["board"]\n'
    rule = {r.id: r for r in genai_aug.load_ruleset(_classes_rule(tmp_path, chain)).rules}
    assert rule["local.r"].terms == ("^update ... board",)


def test_a_class_included_many_times_is_expanded_once(tmp_path: Path) -> None:
    """Each class naming the next twice, 60 deep: 2**60 paths, one word, loaded at once."""
    diamond = "".join(f'c{i} = ["@c{i + 1}", "@c{i + 1}"]\n' for i in range(60))
    diamond += 'c60 = ["board"]\n'
    rule = {r.id: r for r in genai_aug.load_ruleset(_classes_rule(tmp_path, diamond)).rules}
    assert rule["local.r"].terms == ("^update ... board",)


@pytest.mark.parametrize(
    ("classes", "terms", "problem"),
    [
        ('c0 = ["board"]', '"plan a@c0"', "may appear nowhere else"),
        ('c0 = ["board"]', '"plan @c0@"', "may appear nowhere else"),
        ('c0 = ["board"]', '"plan\t@"', "may appear nowhere else"),
        ('c0 = ["board"]', '"plan ＠c0"', "is not an object"),
        ('c0 = ["board", ""]', '"plan @c0"', "is not an object"),
        ('c0 = ["^run"]', '"plan @c0"', "is not an object"),
        ('c0 = ["big@x"]', '"plan @c0"', "may appear nowhere else"),
        ("c0 = []", '"plan @c0"', "'@c0' is empty"),
    ],
)
def test_an_at_sign_or_an_object_that_is_not_words_is_refused(
    tmp_path: Path, classes: str, terms: str, problem: str
) -> None:
    """'@' only starts a class name; a class holds words: nothing is read silently otherwise."""
    with pytest.raises(RulesetError, match=rf"local\.r.*{re.escape(problem)}"):
        genai_aug.load_ruleset(_classes_rule(tmp_path, classes, terms))


def test_a_group_is_used_by_every_rule_under_its_id(tmp_path: Path) -> None:
    """Groups 'local' and 'local.r' with one rule 'local.r.x': both have it; the nearer wins."""
    path = _ruleset(
        tmp_path,
        '[[rule_groups]]\nid = "local"\nrationale = "Outer."\n\n'
        '[[rule_groups]]\nid = "local.r"\nrationale = "Inner."\n\n'
        '[[rules]]\nid = "local.r.x"\ncategory = "data_entry"\nweight = 1.0\n'
        'terms = ["^update ... bed board"]\n',
    )
    rules = {r.id: r for r in genai_aug.load_ruleset(path).rules}
    assert rules["local.r.x"].rationale == "Inner."
