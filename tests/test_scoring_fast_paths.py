"""Each fast path of scoring gives what the plain path it short-cuts gives.

tests/test_scoring_identity.py scores whole inventories and text files both ways; these
hold each shortcut to its plain path directly, on inputs chosen to sit on the edges the
shortcut tests for (a task whose role is missing, repeated or non-string role ids, a role
column the tasks already carry, an index that is not 0..n-1, empty input, clauses made
of the words a shortcut looks for), so that a
shortcut taken wrongly shows up as a difference.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pandas.errors import MergeError

import genai_aug
from conftest import shared_file
from genai_aug import _clauses, scoring
from genai_aug._matching import TermPatterns, normalise_text
from genai_aug.rules import default_ruleset
from test_scoring_identity import assert_same_tables, generated_inventory


def _roles(ids: list[object]) -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame(
        {
            "role_id": pd.Series(ids, dtype=object),
            "role_title": [f"Role {i}" for i in range(n)],
            "staff_group": pd.Series(["Nursing"] * n, dtype="str"),
            "band": pd.Series(["Band 5", None] * (n // 2) + ["Band 6"] * (n % 2), dtype=object),
            "fte": np.linspace(0.5, 3.0, n),
            "contracted_hours": 37.5,
            "department": pd.Series([None] * n, dtype=object),
            "directorate": "Medicine",
        }
    )


def _tasks(role_ids: list[object], index: list[int] | None = None) -> pd.DataFrame:
    n = len(role_ids)
    return pd.DataFrame(
        {
            "role_id": pd.Series(role_ids, dtype=object, index=index),
            "task_id": pd.Series([f"T{i}" for i in range(n)], dtype=object, index=index),
            "task": pd.Series(["Book clinics"] * n, dtype=object, index=index),
        }
    )


def assert_role_info_as_merged(tasks: pd.DataFrame, roles: pd.DataFrame) -> None:
    assert_same_tables(
        scoring._with_role_info(tasks, roles), scoring._with_role_info_by_merge(tasks, roles)
    )


def test_role_info_of_inventories_is_the_merge() -> None:
    """The sample and a generated inventory (roles in no order, many tasks per role)."""
    for inventory in (
        genai_aug.load_inventory(genai_aug.sample_path()),
        generated_inventory(2000, seed=3),
    ):
        assert_role_info_as_merged(inventory.tasks, inventory.roles)


@pytest.mark.parametrize(
    "role_ids",
    [
        ["R2", "R1", "R2", "R3"],  # roles out of order, one repeated
        ["R1", "R9", "R2"],  # a role that is not in the roles table
        ["R1", None, "R2"],  # a task with no role
        ["R1", np.nan, "R1"],
        [],  # no tasks
    ],
)
def test_role_info_is_the_merge_at_its_edges(role_ids: list[object]) -> None:
    assert_role_info_as_merged(_tasks(role_ids), _roles(["R1", "R2", "R3"]))


def test_role_info_keeps_merge_behaviour_for_other_ids_and_columns() -> None:
    """Numeric ids (1 and "1" differ), an index that is not 0..n-1, a column already there."""
    assert_role_info_as_merged(_tasks([1, 2, 1]), _roles([1, 2]))
    assert_role_info_as_merged(_tasks(["1", "2"]), _roles([1, 2]))
    assert_role_info_as_merged(_tasks(["R2", "R1"], index=[7, 3]), _roles(["R1", "R2"]))
    tasks = _tasks(["R1", "R2"]).assign(department="Outpatients")
    assert_role_info_as_merged(tasks, _roles(["R1", "R2"]))


def test_repeated_role_ids_raise_as_the_merge_does() -> None:
    tasks, roles = _tasks(["R1"]), _roles(["R1", "R1"])
    with pytest.raises(MergeError):
        scoring._with_role_info_by_merge(tasks, roles)
    with pytest.raises(MergeError):
        scoring._with_role_info(tasks, roles)


@pytest.mark.parametrize(("n", "size"), [(0, 0), (0, 5), (1, 1), (50, 7), (100_000, 3_000)])
def test_unique_codes_are_those_of_np_unique(n: int, size: int) -> None:
    values = np.random.default_rng(n).integers(0, max(size, 1), n) if size else np.zeros(0, int)
    keys, codes = scoring._unique_codes(values, size)
    ref_keys, ref_codes = scoring._unique_codes_by_sort(values, size)
    for got, want in ((keys, ref_keys), (codes, ref_codes)):
        np.testing.assert_array_equal(got, want)
        assert got.dtype == want.dtype and got.shape == want.shape


def test_core_clause_takes_out_what_reading_word_by_word_takes_out() -> None:
    """core_clause's shortcut (no phrase opener after the object, no last word to cut)
    gives what reading every word gives, on clauses built from the words it looks for."""
    words = [
        *sorted(_clauses._OPENERS),
        *sorted(_clauses._PHRASE_STOPS),
        *sorted(_clauses._TRAILING_TIMES),
        "ward",
        "night",
        "patients",
        "face",
        "to",
        "7",
        "b",
        "book",
        "clinic",
        "letters",
        "review",
        "results",
    ]
    rng = random.Random(15)
    for _ in range(20_000):
        clause = " ".join(rng.choice(words) for _ in range(rng.randint(3, 9)))
        assert _clauses.core_clause(clause) == " ".join(_clauses._without_context(clause.split()))
    assert _clauses.core_clause("book clinic letters") == "book clinic letters"
    assert _clauses.core_clause("check the fridges daily") == "check the fridges"


def _silence_text_by_text(
    texts: list[str],
    fired: np.ndarray[Any, Any],
    matched: dict[int, dict[int, re.Match[str]]],
    family_terms: Mapping[int, TermPatterns],
    categories: list[str],
) -> np.ndarray[Any, Any]:
    """silence_family_objects as it was: every family's flag looked up per text, and
    every term of a fired family searched."""
    family_cols = sorted(family_terms)
    is_family = np.zeros(fired.shape[1], dtype=bool)
    is_family[family_cols] = True
    for i in np.flatnonzero(fired[:, family_cols].any(axis=1)).tolist():
        text = texts[i]
        end = 0
        for j in family_cols:
            if fired[i, j]:
                ends = [m.end() for p in family_terms[j] if (m := p.search(text)) is not None]
                end = max([end, *ends])
        if end == 0:
            continue
        end = _clauses._noun_phrase_end(text, end)
        own = {categories[j] for j in family_cols if fired[i, j]}
        for j in np.flatnonzero(fired[i] & ~is_family).tolist():
            if categories[j] in own:
                continue
            hit = matched.get(j, {}).get(i)
            if hit is None or hit.start() >= end:
                continue
            if hit.re.search(text, end) is None:
                fired[i, j] = False
    return fired


def test_family_objects_are_silenced_as_text_by_text() -> None:
    """The dev and paraphrase texts (../shared): the families fired in each text, found
    at once, silence the same rules as looking each family up in each text."""
    rs = default_ruleset()
    texts = pd.read_csv(shared_file("onet_exposure_labels_dev.tsv"), sep="\t")["task"].tolist()
    texts += pd.read_csv(shared_file("nhs_paraphrase_dev.tsv"), sep="\t")["task"].tolist()
    norm = [rs.expand(normalise_text(t)) for t in texts]
    fired, matched, read = _clauses.fire_by_reading(norm, lambda t: scoring._fire_terms(t, rs))
    categories = [r.category for r in rs.rules]
    by_family = _clauses.silence_family_objects(
        read, fired.copy(), matched, rs.family_terms, categories
    )
    by_text = _silence_text_by_text(read, fired.copy(), matched, rs.family_terms, categories)
    assert (by_family != fired).any()  # some rules were silenced: the loop is exercised
    np.testing.assert_array_equal(by_family, by_text)


def _plain(term: str) -> str:
    """Words a term matches: its first option of each ``{a|b}``, a word in each gap."""
    term = re.sub(r"\{([^|}]*)[^}]*\}", r"\1", term).replace("...", "the new")
    return term.strip("^").replace('"', "").replace("*", "s")


def test_firing_by_reading_is_firing_each_texts_chosen_reading() -> None:
    """The dev and paraphrase texts: the firings and first matches that fire_by_reading
    keeps (a reread text's matches replacing those of its narrower reading) are those of
    firing each text's chosen reading on its own."""
    rs = default_ruleset()
    texts = pd.read_csv(shared_file("onet_exposure_labels_dev.tsv"), sep="\t")["task"].tolist()
    texts += pd.read_csv(shared_file("nhs_paraphrase_dev.tsv"), sep="\t")["task"].tolist()
    norm = [rs.expand(normalise_text(t)) for t in texts]
    fired, matched, read = _clauses.fire_by_reading(norm, lambda t: scoring._fire_terms(t, rs))
    assert sum(r != _clauses.readings(t)[0] for r, t in zip(read, norm, strict=True)) > 10
    direct, direct_matched = scoring._fire_terms(read, rs)
    np.testing.assert_array_equal(fired, direct)
    assert matched.keys() == direct_matched.keys()
    for j, hits in direct_matched.items():
        got = {i: (m.span(), m.group(0)) for i, m in matched[j].items()}
        assert got == {i: (m.span(), m.group(0)) for i, m in hits.items()}, rs.rules[j].id


def test_a_reread_text_keeps_no_match_of_its_narrower_reading() -> None:
    """A rule that matched a narrower reading but did not fire (its ``unless`` matched)
    and does not match the wider reading read next has no match for that text."""
    term, unless = re.compile("notes and prepare"), re.compile("urgent")

    def fire(texts: list[str]) -> tuple[np.ndarray[Any, Any], _clauses.Matches]:
        hits = {i: m for i, t in enumerate(texts) if (m := term.search(t)) is not None}
        fired = np.array([[i in hits and unless.search(t) is None] for i, t in enumerate(texts)])
        return fired.reshape(len(texts), 1), {0: hits}

    text = "review urgent notes before clinic and prepare a summary"
    assert _clauses.readings(text)[0] == "review urgent notes and prepare a summary"
    fired, matched, read = _clauses.fire_by_reading([text, "check notes and prepare"], fire)
    assert read == [text, "check notes and prepare"]
    assert fired.tolist() == [[False], [True]]
    assert list(matched[0]) == [1]


def test_a_familys_first_ends_are_those_of_searching_every_term() -> None:
    """TermPatterns.first_ends skips the terms whose literals a text lacks: the ends
    are those of searching every term, on real texts and on the terms themselves."""
    rs = default_ruleset()
    texts = pd.read_csv(shared_file("nhs_paraphrase_dev.tsv"), sep="\t")["task"].tolist()
    texts += pd.read_csv(shared_file("onet_exposure_labels_dev.tsv"), sep="\t")["task"][
        ::50
    ].tolist()
    families = list(rs.family_terms.values())
    texts += [_plain(term) for patterns in families for term in patterns.terms]
    norm = [rs.expand(normalise_text(t)) for t in texts]
    found = 0
    for patterns in families:
        for text in norm:
            every = [m.end() for p in patterns if (m := p.search(text)) is not None]
            assert patterns.first_ends(text) == every
            found += bool(every)
    assert found > 150  # (family, text) pairs with a match: the searches are exercised


def test_the_glossary_reads_texts_with_none_of_its_first_words_as_searching_them() -> None:
    """Ruleset.expand and glossary_used skip texts none of whose words starts a glossary
    form: what searching every text gives, on texts built from the forms' own words,
    their neighbours ("pt" and "pts", "d" and "c") and other spacing."""
    rs = default_ruleset()
    pattern, entries = rs._glossary
    assert pattern is not None
    meanings = rs._glossary_meanings
    pieces = sorted({w for form in entries for w in form.split()})
    pieces += [f"{w}s" for w in pieces[:40]] + [f"x{w}" for w in pieces[:40]]
    pieces += ["book", "the", "clinic", "and", "\t", "  ", "&", "'", "a&e", "co", "op"]
    rng = random.Random(15)
    used = 0
    for _ in range(20_000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 7)))
        for t in (text, normalise_text(text)):
            want = list(dict.fromkeys(entries[m.group(0)].label for m in pattern.finditer(t)))
            assert rs.glossary_used(t) == want
            assert rs.expand(t) == pattern.sub(lambda m: meanings[m.group(0)], t)
            used += bool(want)
    assert used > 5_000


def _shared_and_copied(values: list[object], rng: random.Random, n: int) -> pd.Series:
    """``n`` cells drawn from ``values``: some the shared object, some an equal copy."""
    cells = []
    for _ in range(n):
        value = rng.choice(values)
        copy = isinstance(value, str) and rng.random() < 0.3
        cells.append("".join(list(value)) if copy else value)
    return pd.Series(cells, dtype=object)


@pytest.mark.parametrize("seed", range(6))
def test_objects_factorize_as_pd_factorize_up_to_the_order_of_the_values(seed: int) -> None:
    """Shared objects, equal copies, None and NaN: the same groups and missing codes as
    pd.factorize, and every code points to a value equal to its row's."""
    rng = random.Random(seed)
    values: list[object] = ["Book clinics", "book clinics", "", " ", "R1", None, np.nan, "é"]
    for series in (
        _shared_and_copied(values, rng, rng.randint(0, 300)),
        pd.Series([f"T{rng.randint(0, 20)}" for _ in range(100)], dtype="str"),
        pd.Series([rng.randint(0, 5) for _ in range(50)]),
    ):
        codes, uniques = scoring._factorize_objects(series)
        ref_codes, ref_uniques = scoring._factorize_by_value(series)
        assert codes.dtype == ref_codes.dtype and len(uniques) == len(ref_uniques)
        np.testing.assert_array_equal(codes < 0, ref_codes < 0)
        same_group = codes[:, None] == codes[None, :]
        np.testing.assert_array_equal(same_group, ref_codes[:, None] == ref_codes[None, :])
        at = codes >= 0
        assert list(uniques[codes[at]]) == list(series.to_numpy()[at])


def test_a_text_that_comes_again_fires_as_it_does_once() -> None:
    """fire_rules on texts that repeat (each with its own patient_facing) reads each text
    once: every row has its text's term firings and first matches, and its own
    attribute firings."""
    rs = default_ruleset()
    texts = pd.read_csv(shared_file("nhs_paraphrase_dev.tsv"), sep="\t")["task"].tolist()
    once = list(dict.fromkeys(rs.expand(normalise_text(t)) for t in texts))
    rng = random.Random(5)
    at = [rng.randrange(len(once)) for _ in range(3 * len(once))]
    rows = [once[k] for k in at]
    facing = pd.Series(pd.array([rng.choice([None, True, False]) for _ in rows], dtype="boolean"))
    fired, matched = scoring.fire_rules(rows, facing, rs)
    alone, alone_matched = scoring.fire_rules(
        once, pd.Series(pd.NA, index=range(len(once)), dtype="boolean"), rs
    )
    terms = np.array([bool(r.terms) for r in rs.rules])
    assert not terms.all()  # some attribute rules: each row's own facing
    np.testing.assert_array_equal(fired[:, terms], alone[at][:, terms])
    for j, rule in enumerate(rs.rules):
        if not rule.terms:
            want = (facing == rule.equals).fillna(False).to_numpy(dtype=bool)
            np.testing.assert_array_equal(fired[:, j], want)
    assert matched.keys() == alone_matched.keys()
    for j, hits in alone_matched.items():
        got = {i: (m.span(), m.group(0)) for i, m in matched[j].items()}
        want = {i: (hits[k].span(), hits[k].group(0)) for i, k in enumerate(at) if k in hits}
        assert got == want, rs.rules[j].id
    assert sum(len(h) for h in matched.values()) > len(rows)  # many matches compared


def _overridden_after_taking(
    out: pd.DataFrame, rs: genai_aug.Ruleset
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The overrides set row by row into the tasks' columns once they are taken: the
    path :func:`scoring._with_overrides` replaces (it copied each text column)."""
    override = out["category_override"]
    if override.isna().all():
        return out, None
    resolved = override.map({v: rs.resolve_category(v) for v in override.dropna().unique()})
    mask = resolved.notna()
    cats = rs.category_index
    ids = resolved[mask]
    out.loc[mask, "category"] = ids
    out.loc[mask, "category_label"] = ids.map(lambda c: cats[c].label)
    out.loc[mask, "exposure"] = ids.map(lambda c: cats[c].exposure)
    out.loc[mask, "score"] = ids.map(lambda c: cats[c].time_share).astype(float)
    out.loc[mask, "classified"] = True
    out.loc[mask, "confidence"] = 1.0
    out.loc[mask, "alternative_category"] = None
    out.loc[mask, "evidence"] = ids.map(
        lambda c: f"{scoring.OVERRIDE_RULE}: category set to '{c}' by the analyst"
    )
    replaced = pd.DataFrame(
        {
            "task_id": out.loc[mask, "task_id"].to_numpy(),
            "rule_id": scoring.OVERRIDE_RULE,
            "category": ids.to_numpy(),
            "weight": 1.0,
            "time_share": ids.map(lambda c: cats[c].time_share).to_numpy(dtype=float),
            "matched": out.loc[mask, "category_override"].to_numpy(),
        }
    )
    return out, replaced


@pytest.mark.parametrize("share", [0.0, 0.002, 0.3, 1.0])
def test_overrides_taken_with_the_rows_are_overrides_set_after(share: float) -> None:
    """Overridden tasks get their category's row in the one take of the tasks' columns,
    exactly as setting the overrides into the taken columns did."""
    rs = default_ruleset()
    inv = generated_inventory(3000, seed=11)
    rng = np.random.default_rng(5)
    given = rng.random(len(inv.tasks)) < share
    names = [*(c.id for c in rs.categories[:6]), rs.categories[7].label.upper(), " data_entry "]
    inv.tasks["category_override"] = np.where(given, rng.choice(names, len(given)), None)
    out, ev = scoring._score_tasks(inv, rs)

    merged = scoring._with_role_info(inv.tasks, inv.roles)
    codes, texts, facing = scoring._distinct_pairs(merged["task"], merged["patient_facing"])
    scored, _ = scoring._evaluate(texts, facing, rs)
    taken = pd.concat([merged, scored.iloc[codes].reset_index(drop=True)], axis=1)
    expected, replaced = _overridden_after_taking(taken, rs)
    assert_same_tables(out, expected)
    if replaced is None:
        assert ev.overridden is None and not given.any()
    else:
        assert_same_tables(ev.overridden, replaced)
        assert out["category"][given].isin([c.id for c in rs.categories]).all()


def test_take_rows_is_the_row_selection() -> None:
    """_take_rows gives iloc's rows and dtypes for each kind of column a scored table has
    (pyarrow text with missing values, object text, floats, bools, nullable booleans),
    from a frame whose index is not 0..n-1; also with no positions."""
    from test_scoring_identity import take_rows_by_iloc

    frame = pd.DataFrame(
        {
            "text": pd.Series(["a", None, "ccc", "dd"], dtype="str"),
            "object": pd.Series(["x", None, "z", "w"], dtype=object),
            "float": [0.5, np.nan, 2.0, -1.0],
            "bool": [True, False, True, False],
            "boolean": pd.array([True, None, False, True], dtype="boolean"),
        },
        index=[7, 3, 9, 1],
    )
    for positions in (np.array([3, 0, 0, 2, 1, 3]), np.zeros(0, dtype=np.intp)):
        assert_same_tables(
            scoring._take_rows(frame, positions), take_rows_by_iloc(frame, positions)
        )


@pytest.mark.parametrize("n", [1, 8, 63, 64, 65, 1000])
def test_bit_sets_of_few_rows_are_those_of_the_array(n: int) -> None:
    rng = random.Random(n)
    for size in range(0, min(n, scoring._FEW_ROWS + 3) + 1):
        rows = sorted(rng.sample(range(n), size))
        assert scoring._bit_set(rows, n) == scoring._bit_set_by_array(rows, n)


def test_candidates_are_the_same_with_the_tokens_read_before() -> None:
    """The literals of the tokens kept from earlier calls give the candidates a fresh read
    of every token gives."""
    rs = default_ruleset()
    index = scoring._literal_index(rs)
    texts = [normalise_text(t) for t in ["book outpatient appointments", "order supplies"]]
    warm = scoring._candidates_and_terms(texts, index)
    cold = scoring._candidates_and_terms(texts, index._replace(tokens={}))
    assert warm == cold and any(warm[0])


@pytest.mark.parametrize("shape", [(0, 5), (3, 0), (1, 1), (7, 3), (50, 538), (1001, 13)])
@pytest.mark.parametrize("density", [0.0, 0.01, 0.5, 1.0])
def test_nonzero_by_words_and_evidence_rows(shape: tuple[int, int], density: float) -> None:
    """The firings' positions found eight flags at a time are np.nonzero's; and the
    evidence rows are those of the rules put in weight-then-id order first."""
    from genai_aug import scoring
    from genai_aug.rules import default_ruleset

    rng = np.random.default_rng(shape[0] * 31 + shape[1])
    flags = rng.random(shape) < density
    got, want = scoring._nonzero(flags), np.nonzero(flags)
    assert all(np.array_equal(g, w) and g.dtype == w.dtype for g, w in zip(got, want, strict=True))
    rules = default_ruleset().rules
    fired = rng.random((shape[0], len(rules))) < density
    order = np.array(sorted(range(len(rules)), key=lambda j: (-rules[j].weight, rules[j].id)))
    rows, at = np.nonzero(fired[:, order])
    got_rows, got_rules = scoring._evidence_rows(fired, rules)
    assert np.array_equal(got_rows, rows) and np.array_equal(got_rules, order[at])
