"""The public API: small, flat, typed and pinned."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import genai_aug
from genai_aug.errors import GenAIAugError


def test_public_names_are_pinned() -> None:
    """__all__ lists exactly the public API, sorted, and every name exists."""
    assert genai_aug.__all__ == [
        "Aggregates",
        "Assumptions",
        "Evaluation",
        "GenAIAugError",
        "Inventory",
        "InventoryError",
        "LabelsError",
        "Result",
        "Ruleset",
        "RulesetError",
        "ScenarioError",
        "ScenarioSet",
        "__version__",
        "aggregate_hours",
        "default_ruleset",
        "evaluate",
        "explain",
        "load_inventory",
        "load_ruleset",
        "load_scenarios",
        "run",
        "sample_path",
        "score_tasks",
        "score_texts",
        "write_template",
    ]
    assert sorted(genai_aug.__all__) == genai_aug.__all__
    for name in genai_aug.__all__:
        assert hasattr(genai_aug, name), name


def test_package_is_typed() -> None:
    """The package ships py.typed so type checkers read its annotations."""
    assert (Path(genai_aug.__file__).parent / "py.typed").exists()


def test_errors_share_one_base_class() -> None:
    """Every exception genai_aug raises on bad input derives from GenAIAugError."""
    assert issubclass(genai_aug.InventoryError, genai_aug.GenAIAugError)
    assert issubclass(genai_aug.RulesetError, genai_aug.GenAIAugError)
    assert issubclass(genai_aug.LabelsError, genai_aug.GenAIAugError)


def test_public_functions_have_numpydoc_docstrings() -> None:
    """Every public function documents its parameters and return value, numpydoc style."""
    for name in (
        "load_inventory",
        "score_texts",
        "score_tasks",
        "aggregate_hours",
        "run",
        "load_ruleset",
        "explain",
        "evaluate",
    ):
        doc = getattr(genai_aug, name).__doc__ or ""
        assert "Parameters\n" in doc and "Returns\n" in doc, name


def test_score_texts_ranks_booking_above_washing() -> None:
    """The acceptance example: booking outscores personal care, with evidence for both."""
    out = genai_aug.score_texts(
        [
            "Book outpatient appointments on the patient administration system",
            "Assist patients with washing and dressing",
        ]
    )
    assert list(out.columns[:1]) == ["task"]
    assert {"task", "category", "exposure", "score", "evidence"} <= set(out.columns)
    assert out["score"].iloc[0] > out["score"].iloc[1]
    assert out["category"].tolist() == ["scheduling", "direct_care"]
    assert out["evidence"].str.len().gt(0).all()
    assert "scheduling.book" in out["evidence"].iloc[0]
    assert "direct_care.personal" in out["evidence"].iloc[1]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"assumptions": {"adoption_rate": 2}}, genai_aug.ScenarioError),
        ({"assumptions": {"adoptoin": 0.5}}, genai_aug.ScenarioError),
        ({"errors": "ignore"}, genai_aug.GenAIAugError),
        ({"n_draws": 5}, genai_aug.ScenarioError),
        ({"ruleset": "no_such_rules.toml"}, genai_aug.RulesetError),
        ({"scenarios": "no_such_scenarios.toml"}, genai_aug.ScenarioError),
        ({"scenarios": ["not a scenario"]}, genai_aug.ScenarioError),
    ],
)
def test_bad_arguments_raise_the_library_s_own_errors(
    kwargs: dict[str, object], error: type
) -> None:
    """Only GenAIAugError and its subclasses leave the public API on bad input."""
    with pytest.raises(error) as info:
        genai_aug.run(genai_aug.sample_path(), **kwargs)  # type: ignore[arg-type]
    assert isinstance(info.value, genai_aug.GenAIAugError)
    assert len(str(info.value)) > 30


@pytest.mark.parametrize(
    "call",
    [
        lambda: genai_aug.load_inventory("no_such_file.xlsx"),
        lambda: genai_aug.load_inventory("inventory.ods"),
        lambda: genai_aug.load_inventory(pd.DataFrame({"role_id": ["R1"]}), None),
        lambda: genai_aug.load_ruleset("no_such_rules.toml"),
        lambda: genai_aug.load_scenarios("no_such_scenarios.toml"),
        lambda: genai_aug.evaluate("no_such_labels.tsv"),
        lambda: genai_aug.score_texts(["Book clinics"], ruleset="no_such_rules.toml"),
    ],
)
def test_every_loader_raises_a_library_error(call: object) -> None:
    """Missing files and wrong combinations are GenAIAugErrors that say what to do."""
    with pytest.raises(genai_aug.GenAIAugError):
        call()  # type: ignore[operator]


def test_arguments_of_the_wrong_kind_are_library_type_errors() -> None:
    """Not-a-string texts and a DataFrame for an Inventory: GenAIAugError and TypeError both."""
    for call in (
        lambda: genai_aug.score_texts(["Book clinics", None]),  # type: ignore[list-item]
        lambda: genai_aug.score_tasks(pd.DataFrame({"task": ["Book clinics"]})),  # type: ignore[arg-type]
    ):
        with pytest.raises(genai_aug.GenAIAugError) as info:
            call()
        assert isinstance(info.value, TypeError)


@pytest.mark.parametrize(
    "call",
    [
        lambda inv: genai_aug.score_texts(["Book \x00 \ud800 letters"]),
        lambda inv: genai_aug.load_inventory(genai_aug.sample_path(), hours_tolerance="x"),
        lambda inv: genai_aug.load_inventory(genai_aug.sample_path(), max_bytes="x"),
        lambda inv: genai_aug.load_inventory("a" * 5000 + ".xlsx"),
        lambda inv: genai_aug.aggregate_hours(None, None),
        lambda inv: genai_aug.aggregate_hours(genai_aug.score_tasks(inv), "x"),
        lambda inv: genai_aug.run(inv, n_draws="100"),
        lambda inv: genai_aug.run(inv, progress=42),
        lambda inv: genai_aug.load_ruleset(42),
    ],
    ids=[
        "lone-surrogate-text",
        "hours-tolerance-text",
        "max-bytes-text",
        "file-name-too-long",
        "aggregate-none",
        "aggregate-roles-text",
        "draws-text",
        "progress-not-callable",
        "ruleset-path-int",
    ],
)
def test_a_wrong_argument_is_the_packages_own_error(
    sample_result: genai_aug.Result, call: Any
) -> None:
    """Each of these reached Python's own exceptions (TypeError, OSError, ValueError,
    AttributeError, UnicodeEncodeError) in the hostile review: only GenAIAugError may leave."""
    with pytest.raises(GenAIAugError) as exc:
        call(sample_result.inventory)
    assert len(str(exc.value).splitlines()) <= 2
