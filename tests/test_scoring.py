"""Scoring: the combining formula, evidence, unclassified tasks, overrides, broadcasting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import genai_aug
from conftest import make_frames
from genai_aug import InventoryError, explain, load_inventory, score_tasks, score_texts
from genai_aug.rules import EXPOSURES
from genai_aug.scoring import exposure_from_evidence

TEXTS = [
    "Type clinic letters from digital dictation",
    "Assist patients with washing and dressing",
    "Record observations in the nursing notes and escalate concerns",
    "Book outpatient appointments and answer the phone",
    "Operate the CT scanner",
    "Admit patients and complete admission paperwork",
    "Type clinic letters",  # strongest category E2 (typing), pooled evidence E1 (letters)
]


def test_evidence_reproduces_the_score_category_and_exposure() -> None:
    """Recomputing from the evidence rows (the documented formula) gives the same outputs."""
    rs = genai_aug.default_ruleset()
    scored = score_texts(TEXTS)
    ev = explain(TEXTS)
    for text, row in scored.set_index("task").iterrows():
        rows = ev[ev["task"] == text]
        strength = rows.groupby("category")["weight"].sum()
        assert row["score"] == pytest.approx(
            (rows["weight"] * rows["time_share"]).sum() / rows["weight"].sum(), abs=1e-12
        )
        by_exp = {
            k: strength[[c for c in strength.index if rs.category_index[c].exposure == k]].sum()
            for k in EXPOSURES
        }
        exposed = by_exp["E1"] + by_exp["E2"] > by_exp["E0"]
        exposure = ("E2" if by_exp["E2"] > by_exp["E1"] else "E1") if exposed else "E0"
        assert row["exposure"] == exposure
        # the category: the strongest of the exposure class decided
        of_class = strength[[rs.category_index[c].exposure == exposure for c in strength.index]]
        best = of_class[of_class == of_class.max()].index
        order = [c.id for c in rs.categories]
        assert row["category"] == min(best, key=order.index)
        # the confidence: decisiveness × amount of evidence (docs/scoring.md)
        total = sum(by_exp.values())
        margin = abs(by_exp["E1"] + by_exp["E2"] - by_exp["E0"]) / total
        if exposed:
            margin = min(margin, abs(by_exp["E2"] - by_exp["E1"]) / (by_exp["E1"] + by_exp["E2"]))
        typical = np.mean([r.weight for r in rs.rules])
        assert row["confidence"] == pytest.approx(
            margin * (1 - np.exp(-total / typical)), abs=1e-12
        )
    # the pooled decision is exercised: some text's category is not its strongest overall
    # ("Type clinic letters": typing is the strongest category, the pooled evidence E1)
    strongest = ev.groupby(["task", "category"])["weight"].sum().groupby("task").idxmax()
    assert any(
        scored.set_index("task").loc[t, "category"] != strongest[t][1] for t in strongest.index
    )


@pytest.mark.parametrize(
    ("e0", "e1", "e2", "want"),
    [
        (1.0, 0.6, 0.5, "E1"),  # E0 is the largest class, but E1 and E2 together outweigh it
        (1.0, 0.4, 0.7, "E2"),
        (1.0, 0.5, 0.5, "E0"),  # a tie with the pooled evidence stays unexposed
        (0.0, 0.8, 0.8, "E1"),  # a tie between E1 and E2 goes to the lower class
        (0.0, 0.0, 0.0, "E0"),  # no evidence
    ],
)
def test_exposed_evidence_is_pooled_against_e0(e0: float, e1: float, e2: float, want: str) -> None:
    """Exposed-or-not is decided first, on E1 and E2 evidence together; then alone or with tools."""
    got = exposure_from_evidence(np.array([[e0, e1, e2]]))
    assert EXPOSURES[int(got[0])] == want


def test_scores_are_shares_of_time() -> None:
    """Every score is in [0, 1] and each exposure is E0, E1 or E2."""
    out = score_texts(TEXTS)
    assert out["score"].between(0, 1).all()
    assert set(out["exposure"]) <= set(EXPOSURES)


def test_unrecognised_text_is_unclassified_not_zero() -> None:
    """A task no rule recognises is 'unclassified' with no score, flagged for review."""
    out = score_texts(["Other duties as required", "Book appointments"])
    row = out.iloc[0]
    assert row["category"] == "unclassified"
    assert pd.isna(row["score"]) and pd.isna(row["exposure"])
    assert not row["classified"] and "review" in row["evidence"]
    assert out["classified"].tolist() == [False, True]


def test_score_texts_keeps_input_order_and_index() -> None:
    """Rows come back in input order, with a Series' index kept."""
    texts = pd.Series(TEXTS[::-1], index=[f"k{i}" for i in range(len(TEXTS))])
    out = score_texts(texts)
    assert out.index.tolist() == texts.index.tolist()
    assert out["task"].tolist() == texts.tolist()


def test_duplicate_texts_score_identically() -> None:
    """Each distinct text is scored once and broadcast: duplicates get identical rows."""
    out = score_texts(["Answer the phone", "answer the  PHONE", "Answer the phone"])
    assert out.drop(columns="task").nunique().max() == 1


def test_a_text_scores_the_same_bits_alone_and_among_many(
    sample_result: genai_aug.Result,
) -> None:
    """A task's row does not depend on what else is scored with it, to the last bit.

    Its evidence is added up in a fixed order: a matrix product of all texts' firings
    and the weights added them in an order the BLAS kernel chose by the number of texts,
    so a task scored alone and in a large inventory could differ in its score's last bit.
    Texts of three sample tasks each make several rules of a category fire together.
    """
    texts = sample_result.tasks["task"].drop_duplicates().sort_values().tolist()
    rng = np.random.default_rng(0)
    combos = [" and ".join(rng.choice(texts, 3, replace=False)) for _ in range(1500)]
    together = score_texts(combos)
    for k in range(0, len(combos), 5):
        alone = score_texts(combos[k : k + 1])
        pd.testing.assert_frame_equal(
            alone, together.iloc[k : k + 1].reset_index(drop=True), check_exact=True
        )


def test_texts_with_nothing_missing_or_all_missing_have_the_same_dtypes() -> None:
    """``exposure`` and ``alternative_category`` are texts whether or not any is missing."""
    unread = score_texts(["Other duties as required"])
    read = score_texts(["Book appointments and examine patients"])
    assert unread.dtypes.to_dict() == read.dtypes.to_dict()


@pytest.mark.parametrize("score", [score_texts, explain])
def test_no_texts_or_no_evidence_give_the_columns_types_of_any_other_texts(score) -> None:
    """No texts, and texts no rule fired on, make the same dtypes as read texts.

    Inferred from no values, pandas made the text columns objects (and ``matched``,
    built from an empty list, floats): a table's schema depended on its rows.
    """
    read = score(["Book appointments and examine patients"]).dtypes.to_dict()
    assert score([]).dtypes.to_dict() == read
    assert score(["Other duties as required"]).dtypes.to_dict() == read


def test_score_texts_rejects_non_strings() -> None:
    """Non-text input is a TypeError naming the position."""
    with pytest.raises(TypeError, match="item 1"):
        score_texts(["Book clinics", 3])  # type: ignore[list-item]


def test_patient_facing_attribute_adds_evidence() -> None:
    """The patient-facing attribute rule fires only for tasks marked patient-facing."""
    roles, tasks = make_frames()
    tasks["patient_facing"] = ["no", "no", "yes", "yes"]
    scored = score_tasks(load_inventory(roles, tasks))
    facing = scored["evidence"].str.contains("direct_care.patient_facing")
    assert facing.tolist() == [False, False, True, True]


def test_category_override_replaces_the_rules() -> None:
    """An analyst's override sets the category, exposure and score, and says so."""
    roles, tasks = make_frames()
    tasks["category_override"] = [None, "Reporting and data analysis", None, None]
    scored = score_tasks(load_inventory(roles, tasks)).set_index("task")
    row = scored.loc["Answer the ward telephone"]
    assert (row["category"], row["exposure"], row["score"]) == ("reporting", "E2", 0.45)
    assert "analyst_override" in row["evidence"]


def test_unknown_category_override_is_an_inventory_error() -> None:
    """An override naming no category is an error with its sheet, row and column."""
    roles, tasks = make_frames()
    tasks["category_override"] = [None, "Telepathy", None, None]
    with pytest.raises(InventoryError) as err:
        score_tasks(load_inventory(roles, tasks))
    row = err.value.issues.iloc[0]
    assert (row["sheet"], row["row"], row["column"]) == ("tasks", 1, "category_override")
    assert "scheduling" in row["message"]


def test_scoring_an_inventory_matches_scoring_its_texts(sample_result: genai_aug.Result) -> None:
    """Inventory scoring equals bare-text scoring for tasks without attributes or overrides."""
    tasks = sample_result.tasks
    plain = tasks[(tasks["patient_facing"] == False) & tasks["category_override"].isna()]  # noqa: E712
    again = score_texts(plain["task"])
    np.testing.assert_allclose(again["score"].to_numpy(float), plain["score"].to_numpy(float))
    assert again["category"].tolist() == plain["category"].tolist()


def test_sample_has_few_unclassified_tasks(sample_result: genai_aug.Result) -> None:
    """The default rules recognise almost every task of the sample trust."""
    assert len(sample_result.unclassified) <= 5
    assert sample_result.unclassified["task"].tolist() == ["Other duties as required"]
