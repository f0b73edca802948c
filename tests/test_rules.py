"""The ruleset as data: the default validates, analysts override and extend it, errors say where."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from genai_aug import RulesetError, default_ruleset, load_ruleset, score_texts
from genai_aug.rules import Ruleset


def write(tmp_path: Path, text: str, name: str = "rules.toml") -> Path:
    """Write a ruleset file and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_default_ruleset_is_valid_and_complete() -> None:
    """The packaged ruleset validates, covers the trust's work, and every rule has a rationale."""
    rs = default_ruleset()
    ids = {c.id for c in rs.categories}
    assert {
        "scheduling",
        "data_entry",
        "correspondence",
        "clinical_documentation",
        "transcription",
        "summarising",
        "clinical_coding",
        "reporting",
        "routine_communication",
        "training_material",
        "rostering",
        "finance_procurement",
        "direct_care",
        "clinical_procedures",
        "diagnostic_interpretation",
        "counselling",
        "supervision_management",
        "physical_work",
    } <= ids
    assert all(r.rationale.strip() for r in rs.rules)
    assert all(any(r.category == c for r in rs.rules) for c in ids), "a category has no rule"


def test_hash_depends_on_content_not_layout(tmp_path: Path) -> None:
    """Reformatting a file keeps its hash; changing a weight changes it."""
    text = DEFAULT_LIKE
    a = load_ruleset(write(tmp_path, text, "a.toml"))
    b = load_ruleset(write(tmp_path, "\n\n" + text.replace(" = ", "=") + "\n", "b.toml"))
    c = load_ruleset(write(tmp_path, text.replace("weight = 1.0", "weight = 1.5"), "c.toml"))
    assert a.hash == b.hash != c.hash
    assert len(a.hash) == 64


DEFAULT_LIKE = """
[ruleset]
name = "mini"
version = "1"

[[categories]]
id = "admin"
label = "Admin"
exposure = "E1"
time_share = 0.5
rationale = "Paperwork."
mode = "augmentation"
mode_rationale = "Staff still do the task."

[[categories]]
id = "care"
label = "Care"
exposure = "E0"
time_share = 0.0
rationale = "Hands on."
mode = "augmentation"
mode_rationale = "Staff still do the task."

[[rules]]
id = "admin.forms"
category = "admin"
weight = 1.0
terms = ["form", "paperwork"]
rationale = "Forms are admin."

[[rules]]
id = "care.wash"
category = "care"
weight = 1.0
terms = ["wash"]
rationale = "Washing is care."
"""


def test_an_analyst_file_replaces_the_default(tmp_path: Path) -> None:
    """A complete ruleset file is used as it is."""
    rs = load_ruleset(write(tmp_path, DEFAULT_LIKE))
    out = score_texts(["Fill in the referral form", "Wash the patient"], ruleset=rs)
    assert out["category"].tolist() == ["admin", "care"]
    assert out["score"].tolist() == [0.5, 0.0]
    assert (
        score_texts(["Fill in forms"], ruleset=tmp_path / "rules.toml")["category"].iat[0]
        == "admin"
    )


def test_an_analyst_file_extends_the_default(tmp_path: Path) -> None:
    """extends = "default" overlays rules: same ids replace, new ids add, disable removes."""
    path = write(
        tmp_path,
        """
[ruleset]
name = "Northbridge local"
version = "2026.1"
extends = "default"
disable = ["scheduling.lists"]

[[categories]]
id = "scheduling"
label = "Scheduling and booking"
exposure = "E2"
time_share = 0.8
rationale = "Our booking system has an LLM assistant."
mode = "augmentation"
mode_rationale = "Staff still do the task."

[[rules]]
id = "local.cerner"
category = "data_entry"
weight = 2.0
terms = ["millennium"]
rationale = "Millennium is our record system."
""",
    )
    rs = load_ruleset(path)
    assert rs.name == "Northbridge local"
    assert rs.category_index["scheduling"].time_share == 0.8
    assert "scheduling.lists" not in {r.id for r in rs.rules}
    assert len(rs.rules) == len(default_ruleset().rules)  # one disabled, one added
    assert score_texts(["Update Millennium"], ruleset=rs)["category"].iat[0] == "data_entry"
    assert rs.hash != default_ruleset().hash


BROKEN = {
    "not TOML": ("[ruleset\nname=", "not valid TOML"),
    "unknown field": (
        DEFAULT_LIKE.replace(
            'weight = 1.0\nterms = ["wash"]', 'weight = 1.0\nwieght = 2\nterms = ["wash"]'
        ),
        "rules[1] (id 'care.wash'), field 'wieght'",
    ),
    "negative weight": (
        DEFAULT_LIKE.replace('weight = 1.0\nterms = ["wash"]', 'weight = -1.0\nterms = ["wash"]'),
        "rules[1] (id 'care.wash'), field 'weight'",
    ),
    "time share over 1": (
        DEFAULT_LIKE.replace("time_share = 0.5", "time_share = 1.5"),
        "categories[0] (id 'admin'), field 'time_share'",
    ),
    "bad exposure": (
        DEFAULT_LIKE.replace('exposure = "E1"', 'exposure = "E3"'),
        "field 'exposure'",
    ),
    "unknown category": (
        DEFAULT_LIKE.replace('category = "care"', 'category = "caer"'),
        "unknown category 'caer' (did you mean 'care'?)",
    ),
    "duplicate rule id": (
        DEFAULT_LIKE.replace('id = "care.wash"', 'id = "admin.forms"'),
        "rule id 'admin.forms' is used more than once",
    ),
    "no terms or attribute": (
        DEFAULT_LIKE.replace('terms = ["wash"]\n', ""),
        "either 'terms' or 'attribute'",
    ),
    "term starts with gap": (
        DEFAULT_LIKE.replace('terms = ["wash"]', 'terms = ["... wash"]'),
        "cannot start or end with '...'",
    ),
    "category without a mode": (
        DEFAULT_LIKE.replace('mode = "augmentation"\n', "", 1),
        "categories[0] (id 'admin'), field 'mode': Field required",
    ),
    "unknown mode": (
        DEFAULT_LIKE.replace('mode = "augmentation"', 'mode = "automatic"', 1),
        "categories[0] (id 'admin'), field 'mode'",
    ),
    "empty rationale": (
        DEFAULT_LIKE.replace('rationale = "Washing is care."', 'rationale = ""'),
        "field 'rationale'",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_ruleset_files_name_the_problem(tmp_path: Path, case: str) -> None:
    """Each kind of broken file raises RulesetError naming the file, the rule and the field."""
    text, expected = BROKEN[case]
    path = write(tmp_path, text)
    with pytest.raises(RulesetError) as err:
        load_ruleset(path)
    assert str(path) in str(err.value)
    assert expected in str(err.value)


def test_missing_ruleset_file_is_an_error_not_a_fallback(tmp_path: Path) -> None:
    """A missing file raises; genai_aug never falls back to the default silently."""
    with pytest.raises(RulesetError, match="not found"):
        load_ruleset(tmp_path / "missing.toml")


def test_disable_of_unknown_rule_is_an_error(tmp_path: Path) -> None:
    """Disabling a rule that does not exist is an error that suggests close ids."""
    path = write(
        tmp_path,
        '[ruleset]\nname="x"\nversion="1"\nextends="default"\ndisable=["scheduling.bok"]\n',
    )
    with pytest.raises(RulesetError, match=r"scheduling\.book"):
        load_ruleset(path)


def test_ruleset_is_immutable() -> None:
    """Rulesets are frozen, so a result's ruleset cannot change after the fact."""
    rs = default_ruleset()
    with pytest.raises(Exception, match="frozen"):
        rs.categories[0].time_share = 0.9  # type: ignore[misc]
    assert isinstance(rs, Ruleset)


def test_rules_read_the_main_clause_before_the_whole_text(tmp_path: Path) -> None:
    """A clause of purpose or basis is not the work: it is read only if the rest says nothing."""
    rs = load_ruleset(write(tmp_path, DEFAULT_LIKE))
    out = score_texts(
        [
            "Wash the patient to ensure the paperwork is complete",
            "Escort the patient so that the paperwork is complete",
            "Wash the patient and complete the paperwork",
        ],
        ruleset=rs,
    )
    assert out["category"].tolist()[:2] == ["care", "admin"]
    assert out["evidence"].iat[0] == "care.wash +1.00 'wash'"
    assert out["evidence"].iat[1] == "admin.forms +1.00 'paperwork'"
    # with no clause of purpose, the whole text is the work: both rules fire
    assert out["evidence"].iat[2] == "admin.forms +1.00 'paperwork'; care.wash +1.00 'wash'"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("disable = 5", "[ruleset] disable must be a list of rule ids (strings), got a int (5)"),
        ("disable = [1]", "disable must be a list of rule ids (strings), got an array ([1])"),
        ('extend = "default"', "unknown key 'extend'"),
        ("[ruleset2]\na = 1", "ruleset2"),
        ('[rules]\nid = "x"', "'rules' must be an array of tables ([[rules]] entries)"),
    ],
)
def test_a_wrongly_typed_extending_file_is_a_ruleset_error(
    tmp_path: Path, extra: str, expected: str
) -> None:
    """The overlay's shape is checked before the merge: no TypeError or AttributeError."""
    path = write(tmp_path, f'[ruleset]\nname = "x"\nversion = "1"\nextends = "default"\n{extra}\n')
    with pytest.raises(RulesetError) as info:
        load_ruleset(path)
    assert expected in str(info.value) and str(path) in str(info.value)


def _weighted_ruleset(tmp_path: Path, rule_weight: str = "", weights: str = "") -> Path:
    """A small ruleset whose weights live in a weights file beside it."""
    (tmp_path / "w.toml").write_text(
        '[provenance]\nlabels = "l.tsv"\nlabels_sha256 = "' + "0" * 64 + '"\nrows = 3\n'
        'fitted = "2026-11-30"\nmethod = "by hand"\n\n[weights]\n' + (weights or '"a.book" = 2.5\n')
    )
    path = tmp_path / "r.toml"
    path.write_text(
        '[ruleset]\nname = "w"\nversion = "1"\nweights_file = "w.toml"\n\n'
        '[[categories]]\nid = "a"\nlabel = "A"\nexposure = "E2"\ntime_share = 0.5\n'
        'rationale = "r"\nmode = "automation"\nmode_rationale = "m"\n\n'
        f'[[rules]]\nid = "a.book"\ncategory = "a"\n{rule_weight}terms = ["book"]\n'
        'rationale = "Booking is a."\n'
    )
    return path


def test_weights_live_apart_from_the_rules_with_their_provenance(tmp_path: Path) -> None:
    """A weights file gives each rule its weight, and the ruleset its fit's provenance."""
    rs = load_ruleset(_weighted_ruleset(tmp_path))
    assert rs.rules[0].weight == 2.5
    assert rs.ruleset.weights is not None and rs.ruleset.weights.method == "by hand"
    default = default_ruleset()
    assert default.ruleset.weights_file == "default_weights.toml"
    assert default.ruleset.weights is not None and default.ruleset.weights.rows > 0


@pytest.mark.parametrize(
    ("rule_weight", "weights", "message"),
    [
        ("weight = 1.0\n", "", "a weight here and in the weights file"),
        ("", '"a.book" = 2.5\n"a.typo" = 1.0\n', "unknown rule(s) ['a.typo']"),
        ("", '"a.book" = 12.0\n', "weights lie in (0, 10]"),
    ],
)
def test_a_weights_file_that_disagrees_with_its_rules_is_refused(
    tmp_path: Path, rule_weight: str, weights: str, message: str
) -> None:
    """A weight given twice, a weight for no rule, or out of range: refused, named."""
    with pytest.raises(RulesetError, match=re.escape(message)):
        load_ruleset(_weighted_ruleset(tmp_path, rule_weight, weights))


def test_weights_written_through_the_model_read_back_the_same(tmp_path: Path) -> None:
    """RuleWeights.to_toml is read back into the same weights and provenance."""
    from genai_aug.rules import RuleWeights

    default = default_ruleset()
    assert default.ruleset.weights is not None
    model = RuleWeights(
        provenance=default.ruleset.weights, weights={r.id: r.weight for r in default.rules}
    )
    import tomllib

    again = RuleWeights.model_validate(tomllib.loads(model.to_toml()))
    assert again == model
