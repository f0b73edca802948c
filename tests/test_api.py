"""The public API: small, flat, typed and pinned."""

from __future__ import annotations

from pathlib import Path

import genai_aug


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
