"""The fast scoring paths give exactly what searching every text with every rule gives.

Scoring searches a rule's pattern only in the texts that hold the literals one of its
terms needs, and lays out the evidence tables by positions rather than by merging and
sorting, and joins each task to its role and finds the distinct texts by positions and
counts. Each test here scores the same texts both ways — the fast path, and the plain
one kept as a reference (every rule on every text; the evidence sorted as a table; the
roles merged) — and requires identical firings, matches and output tables: on the
9,676 dev texts, the sample inventory, the NHS paraphrase file, a generated inventory,
and random texts built from the rules' own terms.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import genai_aug
from conftest import shared_file
from genai_aug import _clauses, scoring
from genai_aug import _columns as col
from genai_aug._matching import (
    _word_forms,
    compile_terms,
    normalise_text,
    term_literals,
    term_pattern,
)
from genai_aug._reference import STAFF_GROUPS
from genai_aug.rules import CompiledRules, Rule, default_ruleset

RS = default_ruleset()


def _evidence_rows_by_sort(
    fired: np.ndarray[Any, Any], rules: tuple[Rule, ...]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The evidence order as scoring used to get it: np.nonzero, then a stable table sort."""
    rows_i, rows_j = np.nonzero(fired)
    table = pd.DataFrame(
        {
            "i": rows_i,
            "j": rows_j,
            "weight": np.array([r.weight for r in rules])[rows_j],
            "rule_id": np.array([r.id for r in rules], dtype=object)[rows_j],
        }
    )
    table = table.sort_values(
        ["i", "weight", "rule_id"], ascending=[True, False, True], kind="stable"
    )
    return table["i"].to_numpy(), table["j"].to_numpy()


@contextmanager
def reference_paths() -> Iterator[None]:
    """Score with every rule searched in every text and the evidence merged and sorted."""
    with (
        mock.patch.object(scoring, "_fire_terms", scoring._fire_terms_reference),
        mock.patch.object(scoring, "_evidence_rows", _evidence_rows_by_sort),
        mock.patch.object(scoring, "_broadcast_evidence", scoring._broadcast_evidence_by_merge),
        mock.patch.object(scoring, "_with_role_info", scoring._with_role_info_by_merge),
        mock.patch.object(scoring, "_unique_codes", scoring._unique_codes_by_sort),
        mock.patch.object(scoring, "_factorize_objects", scoring._factorize_by_value),
        mock.patch.object(scoring, "_take_rows", take_rows_by_iloc),
        mock.patch.object(scoring, "normalise_texts", normalise_each),
        mock.patch.object(scoring, "fire_rules", fire_rules_each_text),
    ):
        yield


def fire_rules_each_text(
    norm: list[str], facing: pd.Series, rs: genai_aug.Ruleset
) -> tuple[np.ndarray[Any, Any], dict[int, dict[int, re.Match[str]]]]:
    """What scoring.fire_rules gives, matching and silencing every distinct text on its
    own (not once per distinct reading)."""
    codes, distinct = pd.factorize(np.asarray(norm, dtype=object), use_na_sentinel=False)
    texts = [str(t) for t in distinct]
    if rs.glossary:
        texts = [rs.expand(t) for t in texts]
    fired, matched, read = _clauses.fire_by_reading(
        texts, lambda some: scoring._fire_terms(some, rs)
    )
    categories = [r.category for r in rs.rules]
    _clauses.silence_family_objects(read, fired, matched, rs.family_terms, categories)
    if len(texts) < len(norm):
        fired, matched = fired[codes], scoring._matches_of_rows(matched, codes)
    for j, rule in enumerate(rs.rules):
        if not rule.terms:
            fired[:, j] = (facing == rule.equals).fillna(False).to_numpy(dtype=bool)
    return fired, matched


def take_rows_by_iloc(frame: pd.DataFrame, positions: np.ndarray[Any, Any]) -> pd.DataFrame:
    """What scoring._take_rows gives, by pandas' own row selection."""
    return frame.iloc[positions].reset_index(drop=True)


def normalise_each(texts: list[str]) -> list[str]:
    """What genai_aug._matching.normalise_texts gives, one text at a time."""
    return [normalise_text(t) for t in texts]


def _matches(matched: dict[int, dict[int, re.Match[str]]]) -> dict[tuple[int, int], Any]:
    """The first match of each (rule, text) that has one: where it is and what it says."""
    return {(j, i): (m.span(), m.group(0)) for j, hits in matched.items() for i, m in hits.items()}


def assert_same_firings(texts: list[str], rs: genai_aug.Ruleset = RS) -> None:
    """fire_rules on normalised ``texts``: identical firings and first matches both ways."""
    norm = [normalise_text(t) for t in texts]
    facing = pd.Series(pd.NA, index=range(len(norm)), dtype="boolean")
    fast, fast_matched = scoring.fire_rules(norm, facing, rs)
    with reference_paths():
        slow, slow_matched = scoring.fire_rules(norm, facing, rs)
    np.testing.assert_array_equal(fast, slow)
    assert fast_matched.keys() == slow_matched.keys()
    assert _matches(fast_matched) == _matches(slow_matched)


def assert_same_tables(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Same values, dtypes, column order, index and row order: the same CSV bytes."""
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert list(a.dtypes) == list(b.dtypes)
    assert a.to_csv().encode() == b.to_csv().encode()


def assert_same_scores(inventory: genai_aug.Inventory) -> None:
    """score_tasks_with_evidence gives identical tables by both paths."""
    fast = scoring.score_tasks_with_evidence(inventory, RS)
    with reference_paths():
        slow = scoring.score_tasks_with_evidence(inventory, RS)
    for a, b in zip(fast, slow, strict=True):
        assert_same_tables(a, b)
    assert_same_tables(scoring.score_tasks(inventory, RS), fast[0])  # without the evidence


def assert_same_text_scores(texts: list[str]) -> None:
    """score_texts and explain give identical tables by both paths."""
    fast = scoring.score_texts(texts, RS), scoring.explain(texts, RS)
    with reference_paths():
        slow = scoring.score_texts(texts, RS), scoring.explain(texts, RS)
    for a, b in zip(fast, slow, strict=True):
        assert_same_tables(a, b)


def generated_inventory(n_rows: int, seed: int) -> genai_aug.Inventory:
    """An inventory of sample wording with local qualifiers, shuffled ids, mixed attributes."""
    rng = np.random.default_rng(seed)
    base = genai_aug.load_inventory(genai_aug.sample_path()).tasks["task"].unique()
    qualifiers = ["on Ward 7", "for the diabetes clinic", "to ensure safe storage", "(D/C)"]
    n_roles = max(2, n_rows // 8)
    roles = pd.DataFrame(
        {
            "role_id": [f"R{i:05d}" for i in range(n_roles)],
            "role_title": [f"Role {i}" for i in range(n_roles)],
            "staff_group": rng.choice(STAFF_GROUPS, n_roles),
            "fte": rng.uniform(0.5, 20, n_roles).round(2),
            "contracted_hours": 37.5,
        }
    )
    role_of_task = rng.integers(0, n_roles, n_rows)
    texts = rng.choice(base, n_rows).astype(object)
    qualify = rng.random(n_rows) < 0.3
    texts[qualify] = [f"{t} {rng.choice(qualifiers)}" for t in texts[qualify]]
    per_role = np.bincount(role_of_task, minlength=n_roles)
    tasks = pd.DataFrame(
        {
            "role_id": roles["role_id"].to_numpy()[role_of_task],
            "task_id": [f"T{k:06d}" for k in rng.permutation(n_rows)],  # not in row order
            "task": texts,
            "hours_per_week": 30.0 / per_role[role_of_task],
            "patient_facing": rng.choice(np.array(["yes", "no", None], dtype=object), n_rows),
        }
    )
    return genai_aug.load_inventory(roles, tasks)


def test_dev_texts_fire_identically() -> None:
    """All 9,676 dev texts (../shared): same firings and matches; a tenth, same tables."""
    texts = pd.read_csv(shared_file("onet_exposure_labels_dev.tsv"), sep="\t")["task"].tolist()
    assert len(texts) == 9676
    with mock.patch.object(scoring, "_BLOCK", 4096):  # the candidates of several blocks
        assert_same_firings(texts)
    assert_same_text_scores(texts[::10])


def test_paraphrase_texts_score_identically() -> None:
    """The NHS paraphrase file (../shared): abbreviations, shorthand, added clauses."""
    texts = pd.read_csv(shared_file("nhs_paraphrase_dev.tsv"), sep="\t")["task"].tolist()
    assert_same_firings(texts)
    assert_same_text_scores(texts)


def test_texts_that_share_a_reading_fire_as_each_alone() -> None:
    """Texts told apart only by what their readings leave out (context phrases, a clause of
    purpose), some of them also repeated, and families whose objects stand in the shared
    reading: each text fires as when every text is matched and silenced on its own."""
    cores = [
        "Book outpatient appointments",
        "Order continence products and dressings",
        "Co-ordinate the safeguarding strategy meeting",
        "Chase outstanding blood results",
        "Liaise with carers",
        "Mop the floors",
    ]
    contexts = [
        "",
        " for clozapine patients",
        " on ward 7",
        " before the MDT at night",
        " to ensure safe prescribing",
        " for patients on the ward to ensure compliance",
        " weekly",
    ]
    texts = [core + context for core in cores for context in contexts]
    narrowest = {_clauses.readings(normalise_text(t))[0] for t in texts}
    assert len(narrowest) <= len(cores) + 2  # (the shortcut is taken)
    assert_same_firings(texts + texts[::3])
    assert_same_text_scores(texts + texts[::2])


def test_sample_inventory_scores_identically() -> None:
    """The bundled sample's tasks and evidence (with its analyst override)."""
    inventory = genai_aug.load_inventory(genai_aug.sample_path())
    assert_same_firings(inventory.tasks["task"].tolist())
    assert_same_scores(inventory)


def test_generated_inventory_scores_identically() -> None:
    """A generated inventory: repeated wording, task ids out of row order, patient_facing."""
    inventory = generated_inventory(3000, seed=15)
    scored, evidence = scoring.score_tasks_with_evidence(inventory, RS)
    assert len(evidence) > len(scored)  # several rules per task: the layout is exercised
    assert_same_scores(inventory)


def test_repeated_task_ids_broadcast_as_by_merge() -> None:
    """Evidence for repeated (or missing) task ids takes the merge-and-sort path, unchanged."""
    _, codes, _, ev = scoring._score_distinct(
        ["Book clinics", "Type clinic letters and book clinics", "Restock"], RS
    )
    codes = np.array([1, 0, 1, 2, 0])
    for ids in (["b", "a", "b", "c", "a"], ["e", "d", "c", "b", "a"], ["b", None, "a", "c", "d"]):
        task_ids = pd.Series(ids, dtype=object)
        assert_same_tables(
            scoring._broadcast_evidence(ev, codes, task_ids),
            scoring._broadcast_evidence_by_merge(ev, codes, task_ids),
        )


def test_a_pattern_not_built_from_its_terms_is_searched_everywhere() -> None:
    """A rule whose compiled pattern is not the one its terms build is never skipped."""
    rs = default_ruleset().model_copy()
    rule = next(r for r in rs.rules if r.id == "scheduling.book")
    patterns = dict(rs.compiled)
    patterns[rule.id] = (re.compile(r"\bclinics?\b"), None)  # not derivable from the terms
    rs.__dict__["compiled"] = patterns
    rs.__dict__["hash"] = "a ruleset of its own" + rs.hash  # its own literal index
    index = scoring._literal_index(rs)
    position = rs.rules.index(rule)
    assert position in index.always
    texts = ["clinics this week", "book outpatient appointments", "restock"]
    assert_same_firings(texts, rs)
    fired, _ = scoring.fire_rules(texts, pd.Series(pd.NA, index=range(3), dtype="boolean"), rs)
    assert fired[0, position]


# Words of each kind _word_forms tells apart, and text pieces around them.
WORDS = ["tie", "copy", "plan", "process", "book", "schedule", "ab", "x1", "key", "box", "ct"]
TERM_WORDS = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(WORDS).map(lambda w: f'"{w}"'),
    st.sampled_from(WORDS).map(lambda w: w[:2] + "*"),
    st.lists(st.sampled_from(WORDS), min_size=2, max_size=3, unique=True).map(
        lambda ws: "{" + "|".join(ws) + "}"
    ),
)
SUFFIXES = ["", "s", "es", "ed", "ing", "er", "ers", "ies", "ied", "ying", "ning", "ted"]


@st.composite
def terms(draw: st.DrawFn) -> str:
    """A random term: words, quoted words, stems with *, {a|b} options, gaps, a ^."""
    words = draw(st.lists(TERM_WORDS, min_size=1, max_size=3))  # at most two gaps
    parts = [words[0]]
    for w in words[1:]:
        parts += (["..."] if draw(st.booleans()) else []) + [w]
    return ("^" if draw(st.booleans()) else "") + " ".join(parts)


def _render(draw: st.DrawFn, word: str) -> str:
    """One word of a term as text might have it: inflected, cut, or after another word."""
    options = word.strip('"^*{}').split("|")
    word = draw(st.sampled_from(options))
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return word + draw(st.sampled_from(SUFFIXES))
    if kind == 1:  # schedule -> scheduling, copy -> copies, tie -> tying
        return word[: -draw(st.integers(1, 2))] + draw(st.sampled_from(SUFFIXES))
    if kind == 2:
        return word[: draw(st.integers(1, max(1, len(word))))]
    if kind == 3:
        return draw(st.sampled_from(["and", "or", "the", "to ensure", "re", "x"])) + (
            " " + word if draw(st.booleans()) else word
        )
    return word


@st.composite
def texts_near(draw: st.DrawFn, pool: list[str]) -> str:
    """A text of words from ``pool`` with inflections, cut stems and filler between."""
    return " ".join(
        _render(draw, draw(st.sampled_from(pool))) for _ in range(draw(st.integers(1, 8)))
    )


@st.composite
def texts_for(draw: st.DrawFn, term: str) -> str:
    """A text that follows ``term``'s words in order, each rendered as by :func:`_render`."""
    out = [draw(st.sampled_from(["", "monitor and", "safely"]))]
    for word in term.removeprefix("^").split():
        if word == "...":
            out += draw(st.lists(st.sampled_from(["the", "all", "ward"]), max_size=7))
        else:
            out.append(_render(draw, word))
    return " ".join(w for w in out if w)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_text_a_term_matches_holds_its_literals(data: st.DataObject) -> None:
    """Soundness of the prefilter: every match of a term holds a stem of each of its words."""
    term = data.draw(terms())
    text = data.draw(st.one_of(texts_for(term), texts_near(WORDS)))
    hit = re.search(term_pattern(term), text)
    if hit is not None:
        for stems in term_literals(term):
            assert any(s in hit.group(0) for s in stems), (term, text, stems)
    if hit is not None:  # and so does every match of a rule's alternation of terms
        assert compile_terms([term, "unrelated words"]).search(text) is not None


def test_word_patterns_start_with_their_stems() -> None:
    """Every plain word's pattern is its escaped stem followed by its forms."""
    words = {w.strip('"').rstrip("*") for r in RS.rules for t in r.terms for w in t.split()}
    plain = sorted(w for w in words if w.isalpha() and normalise_text(w) == w)
    assert len(plain) > 500
    for word in plain:
        stem, forms = _word_forms(word)
        assert word.startswith(stem) and term_pattern(word) == rf"\b{re.escape(stem)}{forms}\b"


RULE_TERMS = sorted({t for r in RS.rules for t in (*r.terms, *r.unless)})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.data_too_large])
@given(
    batch=st.lists(
        st.one_of(st.sampled_from(RULE_TERMS).flatmap(texts_for), texts_near(RULE_TERMS)),
        min_size=1,
        max_size=25,
    )
)
def test_texts_built_from_rule_terms_fire_identically(batch: list[str]) -> None:
    """Random texts from the default rules' own terms: same firings both ways."""
    with mock.patch.object(scoring, "_BLOCK", 8):  # several blocks, some partial
        assert_same_firings(batch)


def test_rule_terms_themselves_fire_identically() -> None:
    """Each term's words as a text (and with forms added): same firings both ways."""
    plain = [
        " ".join(w.strip('"^*{}').split("|")[0] for w in t.split() if w != "...")
        for t in RULE_TERMS
    ]
    assert_same_firings(plain + [f"{p}s and {p}ing" for p in plain[::7]])


@pytest.mark.parametrize("size", [1, 8, 9, 17])
def test_candidates_do_not_depend_on_the_block_size(size: int) -> None:
    """The bit sets of texts are per block; any block size gives the same candidates."""
    texts = [normalise_text(t) for t in generated_texts()]
    index = scoring._literal_index(RS)
    whole = scoring._candidates(texts, index)
    with mock.patch.object(scoring, "_BLOCK", size):
        assert scoring._candidates(texts, index) == whole


def generated_texts() -> list[str]:
    inventory = genai_aug.load_inventory(genai_aug.sample_path())
    return inventory.tasks["task"].drop_duplicates().head(40).tolist()


def test_score_frame_has_the_columns_it_had() -> None:
    """The evidence table keeps its columns and dtypes."""
    _, evidence = scoring.score_tasks_with_evidence(generated_inventory(50, seed=1), RS)
    assert list(evidence.columns) == [
        col.TASK_ID,
        col.RULE_ID,
        col.CATEGORY,
        col.WEIGHT,
        col.TIME_SHARE,
        col.MATCHED,
    ]
    assert evidence[col.WEIGHT].dtype == np.float64


def test_compiled_patterns_are_those_of_each_rules_terms() -> None:
    """The ruleset's patterns, compiled when looked up, are compile_terms of each rule's
    terms and unless, and each family term's own pattern."""
    rs = default_ruleset()
    term_rules = [r for r in rs.rules if r.terms]
    assert list(rs.compiled) == [r.id for r in term_rules]
    for rule in term_rules:
        pattern, unless = rs.compiled[rule.id]
        assert pattern.pattern == compile_terms(rule.terms).pattern
        assert (unless.pattern if unless else None) == (
            compile_terms(rule.unless).pattern if rule.unless else None
        )
        assert rs.compiled[rule.id] is rs.compiled[rule.id]  # compiled once
    families = {j: r for j, r in enumerate(rs.rules) if r.family and r.terms}
    assert sorted(rs.family_terms) == sorted(families)
    for j, rule in families.items():
        assert [p.pattern for p in rs.family_terms[j]] == [term_pattern(t) for t in rule.terms]


def test_rules_no_text_may_match_are_not_compiled() -> None:
    """Scoring compiles only the rules whose literals some text holds, and fires as the
    reference does, which compiles and searches every rule."""
    rs = default_ruleset().model_copy()
    rs.__dict__["compiled"] = CompiledRules(rs.rules)  # nothing compiled yet
    texts = ["book outpatient appointments", "order dressings and continence products"]
    norm = [normalise_text(t) for t in texts]
    index = scoring._literal_index(rs)
    candidates = scoring._candidates(norm, index)
    may_match = {rs.rules[j].id for j, c in enumerate(candidates) if c is None or c}
    assert_same_firings(texts, rs)  # (the fast path first, then the reference)
    assert 0 < len(may_match) < len(rs.compiled) / 10
    rs.__dict__["compiled"] = compiled = CompiledRules(rs.rules)
    scoring.fire_rules(norm, pd.Series(pd.NA, index=range(2), dtype="boolean"), rs)
    assert set(compiled._built) <= may_match


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_pattern_without_the_terms_a_text_cannot_match_finds_the_same_match(
    data: st.DataObject,
) -> None:
    """compile_terms(terms, keep): left out, terms whose literals a text lacks change no
    match in it, ``^`` groups included: the same span as the whole pattern's."""
    group = data.draw(st.lists(terms(), min_size=1, max_size=6))
    text = data.draw(st.one_of(*(texts_for(t) for t in group), texts_near(WORDS)))
    keep = frozenset(
        term_pattern(t)
        for t in group
        if all(any(s in text for s in stems) for stems in term_literals(t))
    )
    whole = compile_terms(group).search(text)
    part = compile_terms(group, keep).search(text) if keep else None
    assert (part.span() if part else None) == (whole.span() if whole else None), (group, text)
    assert compile_terms(group, frozenset(map(term_pattern, group))).pattern == (
        compile_terms(group).pattern
    )


def test_leaving_terms_out_keeps_the_groups_of_main_verb_terms_apart() -> None:
    """Two groups of ``^`` terms that a left-out term stood between stay two groups: one
    group would try the second verb after "monitor and" before the first verb alone."""
    group = ["^monitor", "^record", "zebra crossing"]  # sorted: ^monitor, zebra, ^record
    keep = frozenset(term_pattern(t) for t in group[:2])
    text = "monitor and record"
    whole = compile_terms(group).search(text)
    assert whole is not None and whole.group(0) == "monitor"
    part = compile_terms(group, keep).search(text)
    assert part is not None and part.span() == whole.span()
    merged = compile_terms(group[:2]).search(text)  # what regrouping would have found
    assert merged is not None and merged.group(0) == "monitor and record"


def _matched_words(matched: Any, rule: Any, i: int, j: int) -> str:
    """The words that made rule ``j`` fire for text ``i`` (or the attribute condition), one
    row at a time: scoring's first way, the reference for its one-loop column."""
    if j in matched:
        hit = matched[j].get(i)
        return hit.group(0) if hit is not None else ""
    return f"{rule.attribute} = {rule.equals}"


def test_evidence_words_and_pieces_are_those_of_each_row() -> None:
    """The evidence table's matched words (one loop) are those of each row alone, and
    its pieces (one f-string a row) are the column sum they replace: for a term rule with a
    match, a term rule fired with no match kept, an attribute rule, rounding of the weight
    at the second decimal, and text with quotes and non-ASCII letters."""
    rs = default_ruleset()
    term_rules = [j for j, r in enumerate(rs.rules) if r.terms][:3]
    attribute_rule = next(j for j, r in enumerate(rs.rules) if not r.terms)
    found = re.search(r"b\S+", "a bé'd c")
    assert found is not None
    matched = {term_rules[0]: {0: found, 2: found}, term_rules[1]: {}, term_rules[2]: {1: found}}
    rows_i = np.array([0, 0, 1, 1, 2, 2, 3])
    rows_j = np.array(
        [
            term_rules[0],
            attribute_rule,
            term_rules[1],
            term_rules[2],
            term_rules[0],
            term_rules[2],
            attribute_rule,
        ]
    )
    words = scoring._matched_column(matched, rs.rules, rows_i, rows_j)
    expected = [
        _matched_words(matched, rs.rules[j], i, j)
        for i, j in zip(rows_i.tolist(), rows_j.tolist(), strict=True)
    ]
    assert words == expected
    assert words[0] == "bé'd" and words[2] == "" and words[1].startswith("patient_facing")
    ev = pd.DataFrame(
        {
            col.RULE_ID: [rs.rules[j].id for j in rows_j],
            col.WEIGHT: [1.0, 0.125, 0.135, 2.675, 1e-9, 12.5, 0.005],
            col.MATCHED: words,
        }
    )
    column_sum = (
        ev[col.RULE_ID] + " +" + ev[col.WEIGHT].map("{:.2f}".format) + " '" + ev[col.MATCHED] + "'"
    ).tolist()
    assert scoring._evidence_pieces(ev) == column_sum


def _with_overrides_by_map(
    merged: pd.DataFrame, codes: np.ndarray[Any, Any], scored: pd.DataFrame, rs: Any
) -> Any:
    """scoring._with_overrides' resolution as first written (the override column mapped row
    by row), then the same tables."""
    override = merged[col.CATEGORY_OVERRIDE]
    lookup = {v: rs.resolve_category(v) for v in override.dropna().unique()}
    resolved = override.map(lookup, na_action="ignore")
    unknown = override.notna() & resolved.isna()
    if unknown.any():
        scoring._raise_unknown_overrides(merged, unknown.to_numpy(), rs)
    mask = resolved.notna().to_numpy()
    return scoring._override_tables(merged, codes, scored, rs, mask, resolved[mask])


@pytest.mark.parametrize("dtype", [object, "str"])
def test_overrides_are_resolved_as_by_mapping_the_column(dtype: Any) -> None:
    """_with_overrides (the rows with an override looked at, once per distinct value) gives
    the table, rows and evidence of mapping the whole column: ids and labels in any case
    and spacing, repeats, every kind of blank, one override alone; and an unknown
    override raises the same issues."""
    rs = default_ruleset()
    labels = [rs.categories[3].label.upper(), f"  {rs.categories[0].id} ", rs.categories[7].id]
    overrides = [None, labels[0], np.nan, labels[1], labels[0], pd.NA, labels[2], None]
    texts = ["book clinic appointments", "type letters", "wash patients", "order stock"] * 2
    base = pd.DataFrame({col.TASK_ID: [f"T{i}" for i in range(8)], col.TASK: texts})
    scored = scoring.score_texts(sorted(set(texts)), rs).drop(columns=col.TASK)
    codes = pd.Index(sorted(set(texts))).get_indexer(texts)
    for column in (overrides, [None] * 5 + [labels[2]] + [None] * 2):
        merged = base.assign(**{col.CATEGORY_OVERRIDE: pd.Series(column, dtype=dtype)})
        got = scoring._with_overrides(merged, codes, scored, rs)
        expected = _with_overrides_by_map(merged, codes, scored, rs)
        pd.testing.assert_frame_equal(got[0], expected[0], check_exact=True)
        assert got[1].tolist() == expected[1].tolist()
        assert got[2] is not None
        pd.testing.assert_frame_equal(got[2], expected[2], check_exact=True)
    bad = base.assign(
        **{
            col.CATEGORY_OVERRIDE: pd.Series(
                [None, "Telepathy", labels[0]] + [None] * 5, dtype=dtype
            )
        },
        source_file="x.csv",
        source_sheet="tasks",
        source_row=range(2, 10),
    )
    with pytest.raises(genai_aug.InventoryError) as got_error:
        scoring._with_overrides(bad, codes, scored, rs)
    with pytest.raises(genai_aug.InventoryError) as expected_error:
        _with_overrides_by_map(bad, codes, scored, rs)
    pd.testing.assert_frame_equal(got_error.value.issues, expected_error.value.issues)
