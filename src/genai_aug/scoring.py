"""Scoring: evaluate a ruleset against task wording and attributes.

The combining formula (also in ``docs/scoring.md``). For a task, let ``F`` be the
set of rules that fire (a term rule fires when any of its terms matches the
normalised text and none of its ``unless`` terms does; an attribute rule fires
when the task's attribute equals its value). For each category ``c``::

    s_c = sum of weight_r over the rules r in F whose category is c

Then

- ``category`` = the ``c`` with the largest ``s_c`` (ties: the earlier category in
  the ruleset); ``unclassified`` when no rule fires;
- ``exposure``: with ``e_k`` = the sum of ``s_c`` over the categories ``c`` whose
  exposure is ``k``, the task is E0 unless ``e_E1 + e_E2 > e_E0``; an exposed task
  is E2 if ``e_E2 > e_E1`` and E1 otherwise. The rubric's first question is whether
  an LLM halves the time at all, and E1 and E2 both say yes, so their evidence is
  pooled against E0's before the second question (alone, or with tools);
- ``score`` = ``sum_c s_c * time_share_c / sum_c s_c``: the evidence-weighted mean
  of the time shares of the categories recognised, in [0, 1].

An analyst's ``category_override`` replaces all of this for its row: the category
is the one named, with that category's exposure and time share as the score.

Each distinct (text, attributes) pair is scored once and the result broadcast to
every inventory row that shares it; the rule matching runs one vectorised pass
per rule over the distinct texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import Any, Final, NamedTuple

import numpy as np
import pandas as pd

from genai_aug import _columns as col
from genai_aug._cells import by_identity, first_rows
from genai_aug._clauses import Matches, fire_by_reading, silence_family_objects
from genai_aug._issues import text_dtype
from genai_aug._matching import (
    compile_terms,
    normalise_texts,
    term_literals,
    term_pattern,
    terms_source,
)
from genai_aug._memory import release_free_memory
from genai_aug.errors import ArgumentTypeError, InventoryError
from genai_aug.inventory import Inventory
from genai_aug.rules import EXPOSURES, CompiledRules, Rule, Ruleset, RulesetLike, as_ruleset

UNCLASSIFIED = "unclassified"
OVERRIDE_RULE = "analyst_override"


def fire_rules(
    norm: list[str], facing: pd.Series, rs: Ruleset
) -> tuple[np.ndarray[Any, Any], Matches]:
    """Which rules fire for each normalised text: a boolean matrix (texts × rules).

    Each text is first read through the ruleset's glossary (:meth:`Ruleset.expand`:
    ``d c summaries`` → ``discharge summaries``). Term rules read each text's
    narrowest reading that some term rule recognises (:func:`genai_aug._clauses.readings`:
    the main clause without its context phrases of whom, where and when; the main clause,
    before a clause of purpose or basis such as *to ensure …*; the whole text), and
    rules matching only inside a fired verb × object family's span stand back
    (:func:`genai_aug._clauses.silence_family_objects`).
    Also returns, per term rule (by position), its first match in each text it matches
    (by the text's position; the texts it does not match are left out), for the
    evidence. ``facing`` holds each text's ``patient_facing`` attribute (may be NA).

    The term rules read only the text, so a text that comes several times (with each
    ``patient_facing``, as the inventory's distinct pairs do) is read once; and they read
    only its reading, so texts with the same reading (tasks told apart by their context
    alone, which the reading leaves out) are matched, and their families' objects
    silenced, once.
    """
    codes, distinct = pd.factorize(np.asarray(norm, dtype=object), use_na_sentinel=False)
    texts = [str(t) for t in distinct]
    if rs.glossary:
        texts = [rs.expand(t) for t in texts]
    fired, matched, read = fire_by_reading(texts, lambda some: _fire_distinct(some, rs))
    of_text, readings = pd.factorize(np.asarray(read, dtype=object), use_na_sentinel=False)
    if len(readings) < len(texts):  # (each text's firings are those of its reading)
        first = first_rows(of_text, len(readings))
        fired, matched = fired[first], _matches_of_firsts(matched, first)
    categories = [r.category for r in rs.rules]
    silence_family_objects(list(readings), fired, matched, rs.family_terms, categories)
    if len(readings) < len(norm):
        rows = of_text[codes]
        fired, matched = fired[rows], _matches_of_rows(matched, rows)
    for j, rule in enumerate(rs.rules):
        if not rule.terms:
            fired[:, j] = (facing == rule.equals).fillna(False).to_numpy(dtype=bool)
    return fired, matched


def _fire_distinct(texts: list[str], rs: Ruleset) -> tuple[np.ndarray[Any, Any], Matches]:
    """:func:`_fire_terms` of ``texts``, each distinct text matched once."""
    codes, distinct = pd.factorize(np.asarray(texts, dtype=object), use_na_sentinel=False)
    if len(distinct) == len(texts):
        return _fire_terms(texts, rs)
    fired, matched = _fire_terms([str(t) for t in distinct], rs)
    return fired[codes], _matches_of_rows(matched, codes)


def _matches_of_firsts(matched: Matches, first: np.ndarray[Any, Any]) -> Matches:
    """The first matches of the rows ``first``, renumbered by their position in it."""
    position = {int(i): k for k, i in enumerate(first.tolist())}
    out: Matches = {}
    for j, hits in matched.items():
        of_first: dict[int, re.Match[str]] = {}
        for i, hit in hits.items():
            k = position.get(i)
            if k is not None:
                of_first[k] = hit
        out[j] = of_first
    return out


def _matches_of_rows(matched: Matches, codes: np.ndarray[Any, Any]) -> Matches:
    """The first matches of each row, from those of its text (``codes``: each row's text):
    per rule, a row has the match of its text, if its text has one."""
    rows_of: list[list[int]] = [[] for _ in range(int(codes.max(initial=-1)) + 1)]
    for i, code in enumerate(codes.tolist()):
        rows_of[code].append(i)
    out: Matches = {}
    for j, hits in matched.items():
        of_rows: dict[int, re.Match[str]] = {}
        for text, hit in hits.items():
            for i in rows_of[text]:
                of_rows[i] = hit
        out[j] = of_rows
    return out


def _fire_terms(texts: list[str], rs: Ruleset) -> tuple[np.ndarray[Any, Any], Matches]:
    """Which term rules fire for each text, and each rule's first match per text.

    A rule's pattern is searched only in the texts that contain the literals one of its
    terms needs (:func:`_literal_index`); in the others it cannot match, so the result is that of
    searching every text (:func:`_fire_terms_reference`). A rule no text may match is
    not compiled, and a rule that some may is compiled with only the terms some text may
    match (:func:`genai_aug._matching.compile_terms` with ``keep``): in the texts it is
    searched in, the terms left out cannot match, so it finds what the whole pattern
    finds. ``unless`` is searched only where the rule matched.
    """
    n = len(texts)
    fired = np.zeros((n, len(rs.rules)), dtype=bool)
    matched: Matches = {}
    index = _literal_index(rs)
    all_candidates, active = _candidates_and_terms(texts, index)
    own = isinstance(rs.compiled, CompiledRules)
    for j, candidates in enumerate(all_candidates):
        rule = rs.rules[j]
        if not rule.terms:
            continue
        if candidates is not None and not candidates:  # no text may match: not compiled
            matched[j] = {}
            continue
        if own and candidates is not None:  # the terms some text may match, compiled
            pattern = compile_terms(rule.terms, frozenset(active[j]))
            unless = compile_terms(rule.unless) if rule.unless else None
        else:
            pattern, unless = rs.compiled[rule.id]
        search = pattern.search
        exclude = unless.search if unless is not None else None
        hits: dict[int, re.Match[str]] = {}
        for i in range(n) if candidates is None else candidates:
            hit = search(texts[i])
            if hit is not None:
                hits[i] = hit
                fired[i, j] = exclude is None or exclude(texts[i]) is None
        matched[j] = hits
    return fired, matched


class _LiteralIndex(NamedTuple):
    """The literals each term needs; see :func:`_literal_index`."""

    words: dict[str, int]  # literal without whitespace -> literal id
    prefixes: frozenset[str]  # every prefix of ``words``' keys
    spaced: tuple[tuple[str, int], ...]  # literals with whitespace, and their ids
    # per term: its rule's position, its pattern, and what it needs: per word, the
    # literal ids of its stems (a text it matches holds one of each)
    terms: tuple[tuple[int, str, tuple[tuple[int, ...], ...]], ...]
    always: frozenset[int]  # term rules searched in every text
    n_rules: int
    # the literal ids of each token read so far (a token's are its own, whatever the text):
    # the readings of each level, and each run, share most of their tokens
    tokens: dict[str, tuple[int, ...]]


_LITERAL_INDEXES: dict[str, _LiteralIndex] = {}


def _literal_index(rs: Ruleset) -> _LiteralIndex:
    """For each term of each term rule, the literals every text it matches contains.

    They come from the terms (:func:`genai_aug._matching.term_literals`: a stem of each
    word) and are used only where the rule's compiled pattern is exactly the one built
    from its terms (always so for the ruleset's own :class:`~genai_aug.rules.CompiledRules`,
    which is not compiled to find out); any other term rule is searched in every text.
    Built once per ruleset hash.
    """
    found = _LITERAL_INDEXES.get(rs.hash)
    if found is not None:
        return found
    ids: dict[str, int] = {}
    terms: dict[tuple[int, str, tuple[tuple[int, ...], ...]], None] = {}
    always: set[int] = set()
    compiled = rs.compiled
    # the ruleset's own patterns are compile_terms of the terms: known without compiling
    own = isinstance(compiled, CompiledRules)
    for j, rule in enumerate(rs.rules):
        if not rule.terms:
            continue
        needs = [term_literals(t) for t in rule.terms]
        if own:
            exact = True
        else:
            pattern = compiled[rule.id][0]
            exact = pattern.pattern == terms_source(rule.terms) and pattern.flags == re.UNICODE
        if not exact or not all(needs):
            always.add(j)
            continue
        for term, need in zip(rule.terms, needs, strict=True):
            word_ids = (tuple(ids.setdefault(w, len(ids)) for w in sorted(ws)) for ws in need)
            terms[j, term_pattern(term), tuple(word_ids)] = None
    # a literal with no whitespace in it is looked up in the tokens of text.split()
    words = {k: v for k, v in ids.items() if k.split() == [k]}
    index = _LiteralIndex(
        words=words,
        prefixes=frozenset(k[:end] for k in words for end in range(1, len(k) + 1)),
        spaced=tuple((k, v) for k, v in ids.items() if k not in words),
        terms=tuple(terms),
        always=frozenset(always),
        n_rules=len(rs.rules),
        tokens={},
    )
    if len(_LITERAL_INDEXES) >= 8:
        _LITERAL_INDEXES.clear()
    _LITERAL_INDEXES[rs.hash] = index
    return index


_BLOCK: Final = 16384  # texts whose candidates are worked out together, as bits of one int
_FEW_ROWS: Final = 16  # rows whose bit set is made by shifts, not through an array


def _candidates(texts: list[str], index: _LiteralIndex) -> list[list[int] | None]:
    """Per rule position, the texts (ascending) that hold every literal one of its terms
    needs; see :func:`_candidates_and_terms`."""
    return _candidates_and_terms(texts, index)[0]


def _candidates_and_terms(
    texts: list[str], index: _LiteralIndex
) -> tuple[list[list[int] | None], dict[int, set[str]]]:
    """Per rule position, the texts (ascending) that hold every literal one of its terms
    needs; and per rule position, the patterns of its terms that some text holds every
    literal of.

    ``None`` for a rule searched in every text. A literal without whitespace is in a text
    exactly when it is in one of the text's whitespace-separated tokens; tokens repeat
    across texts, so each distinct token is read once. Sets of texts are Python ints used
    as bit sets (bit ``i``: the ``i``-th text of a block): which texts hold a word's stems
    is the OR of its stems' sets, a term's is the AND of its words' and a rule's the OR
    of its terms'.
    """
    out: list[list[int] | None] = [[] for _ in range(index.n_rules)]
    for j in index.always:
        out[j] = None
    active: dict[int, set[str]] = {}
    token_literals = index.tokens
    if len(token_literals) > _MAX_TOKENS:  # (a bound on what a long-lived process keeps)
        token_literals.clear()
    for start in range(0, len(texts), _BLOCK):
        block = texts[start : start + _BLOCK]
        for j, bits in enumerate(_candidate_bits(block, index, token_literals, active)):
            candidates = out[j]
            if bits and candidates is not None:
                flags = np.frombuffer(bits.to_bytes(len(block) // 8 + 1, "little"), np.uint8)
                rows = np.flatnonzero(np.unpackbits(flags, bitorder="little")) + start
                candidates.extend(rows.tolist())
    return out, active


def _candidate_bits(
    texts: list[str],
    index: _LiteralIndex,
    token_literals: dict[str, tuple[int, ...]],
    active: dict[int, set[str]],
) -> list[int]:
    """For each rule position, the bit set of the ``texts`` it is searched in (see above);
    the patterns of the terms some text may match are added to ``active``."""
    n = len(texts)
    by_token: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        for token in text.split():
            by_token.setdefault(token, []).append(i)
    holders: dict[int, int] = {}  # literal id -> bit set of the texts that hold it
    for token, rows in by_token.items():
        literals = token_literals.get(token)
        if literals is None:
            literals = token_literals[token] = _token_literals(token, index)
        if literals:
            bits = _bit_set(rows, n)
            for k in literals:
                holders[k] = holders.get(k, 0) | bits
    for spaced, k in index.spaced:
        rows = [i for i, text in enumerate(texts) if spaced in text]
        if rows:
            holders[k] = holders.get(k, 0) | _bit_set(rows, n)
    word_bits: dict[tuple[int, ...], int] = {}
    rule_bits = [0] * index.n_rules
    for j, pattern, need in index.terms:
        bits = -1  # every text
        for stems in need:
            of_word = word_bits.get(stems)
            if of_word is None:
                of_word = 0
                for k in stems:
                    of_word |= holders.get(k, 0)
                word_bits[stems] = of_word
            bits &= of_word
            if not bits:
                break
        if bits:
            rule_bits[j] |= bits
            active.setdefault(j, set()).add(pattern)
    return rule_bits


def _token_literals(token: str, index: _LiteralIndex) -> tuple[int, ...]:
    """The ids of the whitespace-free literals that are substrings of ``token``."""
    words, prefixes, size = index.words, index.prefixes, len(token)
    found: list[int] = []
    for start in range(size):
        for end in range(start + 1, size + 1):
            piece = token[start:end]
            if piece not in prefixes:  # no literal starts with it, nor any longer piece
                break
            literal = words.get(piece)
            if literal is not None:
                found.append(literal)
    return tuple(found)


_MAX_TOKENS: Final = 1_000_000


def _bit_set(rows: list[int], n: int) -> int:
    """The int whose bits ``rows`` (positions below ``n``) are set."""
    if len(rows) <= _FEW_ROWS:  # (most tokens are in a few texts: no array for them)
        bits = 0
        for row in rows:
            bits |= 1 << row
        return bits
    return _bit_set_by_array(rows, n)


def _bit_set_by_array(rows: list[int], n: int) -> int:
    """As :func:`_bit_set`, through a boolean array packed into bytes."""
    flags = np.zeros(n, dtype=bool)
    flags[rows] = True
    return int.from_bytes(np.packbits(flags, bitorder="little").tobytes(), "little")


def _fire_terms_reference(texts: list[str], rs: Ruleset) -> tuple[np.ndarray[Any, Any], Matches]:
    """As :func:`_fire_terms`, searching every text with every rule: the reference for tests."""
    n = len(texts)
    fired = np.zeros((n, len(rs.rules)), dtype=bool)
    matched: Matches = {}
    for j, rule in enumerate(rs.rules):
        if rule.terms:
            pattern, unless = rs.compiled[rule.id]
            search = pattern.search
            found = [search(t) for t in texts]
            ok = np.fromiter((h is not None for h in found), dtype=bool, count=n)
            if unless is not None and ok.any():
                exclude = unless.search
                ok &= np.fromiter((exclude(t) is None for t in texts), dtype=bool, count=n)
            fired[:, j] = ok
            matched[j] = {i: hit for i, hit in enumerate(found) if hit is not None}
    return fired, matched


def _evaluate(
    texts: pd.Series,
    facing: pd.Series,
    rs: Ruleset,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score distinct (normalised text, patient_facing) pairs.

    Returns the per-pair scores (indexed like ``texts``) and the long evidence
    table (one row per rule that fired, ``text_key`` pointing into the pairs).
    """
    n = len(texts)
    rules = rs.rules
    fired, matched = fire_rules([str(t) for t in texts.tolist()], facing, rs)

    cats = rs.categories
    cat_pos = {c.id: i for i, c in enumerate(cats)}
    cat_ids = np.array([c.id for c in cats], dtype=object)
    shares = np.array([c.time_share for c in cats])

    # long evidence table: one row per fired rule, by text, then weight (descending), then
    # id; the evidence per category (s_c, shape (n, categories)) is added up from it
    rows_i, rows_j = _evidence_rows(fired, rules)
    del fired
    rule_cat = np.array([cat_pos[r.category] for r in rules], dtype=int)
    rule_weight = np.array([r.weight for r in rules])
    exposure_of = np.array([EXPOSURES.index(c.exposure) for c in cats])
    sums = _evidence_sums(rows_i, rule_cat[rows_j], rule_weight[rows_j], shares, exposure_of, n)
    # (text columns said to be texts: inferred, a table with no rows had object columns,
    # and ``matched``, from an empty list, floats)
    text_type: Any = text_dtype() or object
    ev = pd.DataFrame(
        {
            col.TEXT_KEY: rows_i,
            col.RULE_ID: pd.array(
                np.array([r.id for r in rules], dtype=object)[rows_j], dtype=text_type
            ),
            col.CATEGORY: pd.array(cat_ids[rule_cat[rows_j]], dtype=text_type),
            col.WEIGHT: rule_weight[rows_j],
            col.TIME_SHARE: shares[rule_cat[rows_j]],
            col.MATCHED: pd.array(_matched_column(matched, rules, rows_i, rows_j), dtype=text_type),
        }
    )
    del matched, rows_i, rows_j
    if n >= _MANY_TEXTS:
        release_free_memory()

    strength, by_exposure, total = sums.strength, sums.by_exposure, sums.total
    classified = total > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(classified, sums.shares / np.where(classified, total, 1.0), np.nan)
    exposure_idx = exposure_from_evidence(by_exposure)
    cat_idx = category_from_evidence(strength, exposure_of, exposure_idx)
    # The strongest category on the other side of "exposed or not": what the task would
    # be if that decision went the other way (for the review list's hours at stake).
    other_side = (exposure_of[None, :] > 0) != (exposure_idx[:, None] > 0)
    other = np.where(other_side & (strength > 0), strength, -np.inf)
    has_other = np.isfinite(other.max(axis=1)) if len(other) else np.zeros(0, dtype=bool)
    alternative = np.where(has_other, cat_ids[other.argmax(axis=1)], None)
    confidence = confidence_from_evidence(by_exposure, float(np.mean([r.weight for r in rules])))
    cat_labels = np.array([c.label for c in cats], dtype=object)
    exp_names = np.array(EXPOSURES, dtype=object)

    # compact evidence text: one join per distinct text (ev is sorted by text)
    pieces = _evidence_pieces(ev)
    evidence = np.full(n, "no rule matched: review this task", dtype=object)
    keys = ev[col.TEXT_KEY].to_numpy()
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else keys
    bounds = np.r_[starts, len(keys)].astype(int).tolist()  # (plain ints: no numpy scalars)
    for text, start, end in zip(keys[starts].tolist(), bounds[:-1], bounds[1:], strict=True):
        evidence[text] = "; ".join(pieces[start:end])
    if rs.glossary:  # say which abbreviations were read, before the rules they fed
        last: object = None
        used: list[str] = []
        for i, text in enumerate(texts.tolist()):
            if text != last:  # (a text's pairs stand together: read once)
                last, used = text, rs.glossary_used(str(text))
            if used:
                evidence[i] = f"glossary: {', '.join(used)}; {evidence[i]}"

    out = pd.DataFrame(
        {
            # (texts whether or not any is missing, and when there are no texts)
            col.CATEGORY: pd.array(
                np.where(classified, cat_ids[cat_idx], UNCLASSIFIED), dtype=text_type
            ),
            col.CATEGORY_LABEL: pd.array(
                np.where(classified, cat_labels[cat_idx], "Unclassified"), dtype=text_type
            ),
            col.EXPOSURE: pd.array(
                np.where(classified, exp_names[exposure_idx], None), dtype=text_type
            ),
            col.SCORE: score,
            col.CONFIDENCE: confidence,
            col.ALTERNATIVE: pd.array(alternative, dtype=text_type),
            col.CLASSIFIED: classified,
            col.EVIDENCE: pd.array(evidence, dtype=text_type),
        },
        index=texts.index,
    )
    return out, ev


# distinct texts from which the memory freed by the matching is given back: it makes and
# drops hundreds of thousands of small objects, and glibc would keep that memory (over
# 100 MB at 71,000 texts) where the float copy of the firings and pyarrow's per-task
# columns, which come next, cannot use it
_MANY_TEXTS: Final = 10_000


class _EvidenceSums(NamedTuple):
    """The evidence of each text, added up (see :func:`_evidence_sums`)."""

    strength: np.ndarray[Any, Any]  # per category, texts × categories (s_c)
    by_exposure: np.ndarray[Any, Any]  # per exposure class, texts × 3
    total: np.ndarray[Any, Any]  # all of it, per text
    shares: np.ndarray[Any, Any]  # each weight × its category's time share, per text


def _evidence_sums(
    rows_i: np.ndarray[Any, Any],
    rows_cat: np.ndarray[Any, Any],
    rows_weight: np.ndarray[Any, Any],
    shares: np.ndarray[Any, Any],
    exposure_of: np.ndarray[Any, Any],
    n: int,
) -> _EvidenceSums:
    """Each text's evidence per category, per exposure class and in all, and its weights
    times their categories' time shares (the score is that over the total), from the
    evidence rows: ``rows_i`` the text, ``rows_cat`` the rule's category position and
    ``rows_weight`` its weight.

    Each sum adds the text's evidence rows one by one in the evidence table's order, so
    a text's sums are the same bits whatever else is scored with it, and on any machine.
    A matrix product of the firings and the weights, or numpy's sums along a row, add
    in an order chosen by the array's size and the CPU: a task scored alone and in a
    large inventory then differed in the last bit of its score or confidence (and, where
    two categories tie, could differ in its category).
    """
    n_cats = len(shares)
    at = rows_i * n_cats + rows_cat
    strength = np.bincount(at, weights=rows_weight, minlength=n * n_cats).reshape(n, n_cats)
    by_class = rows_i * 3 + exposure_of[rows_cat]
    by_exposure = np.bincount(by_class, weights=rows_weight, minlength=n * 3).reshape(n, 3)
    total = np.bincount(rows_i, weights=rows_weight, minlength=n)
    share = np.bincount(rows_i, weights=rows_weight * shares[rows_cat], minlength=n)
    return _EvidenceSums(strength, by_exposure, total, share)


def _evidence_rows(
    fired: np.ndarray[Any, Any], rules: tuple[Rule, ...]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The (text, rule) positions of ``fired``, by text, then weight (descending), then id.

    The order of sorting the evidence table by ``text_key``, ``weight`` descending and
    ``rule_id``, without sorting it: the rules are put in that order once.
    """
    if not len(rules) or not fired.size:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    order = sorted(range(len(rules)), key=lambda j: (-rules[j].weight, rules[j].id))
    rank = np.empty(len(rules), dtype=np.intp)
    rank[order] = np.arange(len(rules))
    rows_i, rows_j = _nonzero(fired)
    by = np.argsort(rows_i * len(rules) + rank[rows_j])  # (each key once: by text, then rank)
    return rows_i[by], rows_j[by]


def _nonzero(flags: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """``np.nonzero`` of a 2-D boolean array, found a word of 8 flags at a time.

    A firings matrix is mostly False (a few of 538 rules per text): its zero words are
    passed over eight flags at a time, and only the flags of the others are looked at.
    """
    flat = np.ascontiguousarray(flags).reshape(-1).view(np.uint8)
    whole = len(flat) // 8 * 8
    words = np.flatnonzero(flat[:whole].view(np.uint64))
    word, byte = np.nonzero(flat[:whole].reshape(-1, 8)[words])
    at = np.concatenate([words[word] * 8 + byte, np.flatnonzero(flat[whole:]) + whole])
    rows, cols = np.divmod(at, flags.shape[1])
    return rows.astype(np.intp, copy=False), cols.astype(np.intp, copy=False)


def exposure_from_evidence(by_exposure: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Exposure class index (0 = E0, 1 = E1, 2 = E2) from evidence per class (rows × 3).

    E0 unless the E1 and E2 evidence together outweighs the E0 evidence; an exposed
    row is E2 when its E2 evidence outweighs its E1 evidence. Rows with no evidence
    are E0. ``scripts/fit_weights.py`` fits the weights for this same decision.

    Examples
    --------
    >>> evidence = np.array([[1.0, 0.5, 0.7], [1.0, 0.7, 0.5], [1.0, 0.6, 0.4], [0.0, 0.0, 0.0]])
    >>> exposure_from_evidence(evidence)
    array([2, 1, 0, 0])
    """
    e0, e1, e2 = by_exposure[:, 0], by_exposure[:, 1], by_exposure[:, 2]
    return np.where(e1 + e2 > e0, np.where(e2 > e1, 2, 1), 0)


def category_from_evidence(
    strength: np.ndarray[Any, Any],
    exposure_of: np.ndarray[Any, Any],
    exposure_idx: np.ndarray[Any, Any],
) -> np.ndarray[Any, Any]:
    """Each row's category: the strongest category *of the exposure class decided*.

    So a task's category, exposure, time share and mode always agree. ``strength`` is
    the evidence per category (rows × categories), ``exposure_of`` each category's class
    index and ``exposure_idx`` each row's decided class (:func:`exposure_from_evidence`).
    Ties go to the earlier category in the ruleset.

    Examples
    --------
    >>> strength = np.array([[0.9, 0.5, 0.6]])  # E0, E1 and E2 categories
    >>> category_from_evidence(strength, np.array([0, 1, 2]), np.array([2])).tolist()
    [2]
    """
    of_class = exposure_of[None, :] == exposure_idx[:, None]
    out: np.ndarray[Any, Any] = np.where(of_class, strength, -np.inf).argmax(axis=1)
    return out


def confidence_from_evidence(
    by_exposure: np.ndarray[Any, Any], typical_weight: float
) -> np.ndarray[Any, Any]:
    """How decisively the evidence chose each row's exposure class, in [0, 1].

    With ``e0, e1, e2`` the evidence per class and ``T = e0 + e1 + e2``::

        margin_exposed = |(e1 + e2) - e0| / T          # exposed or not
        margin_tools   = |e2 - e1| / (e1 + e2)         # alone or with tools (exposed rows)
        decisiveness   = margin_exposed                 for E0 rows
                       = min(margin_exposed, margin_tools)  for E1 and E2 rows
        amount         = 1 - exp(-T / typical_weight)   # one typical rule: 0.63; two: 0.86
        confidence     = decisiveness × amount

    Rows with no evidence (unclassified) have confidence 0. ``typical_weight`` is the
    ruleset's mean rule weight, so the amount term reads "how many typical rules' worth
    of evidence".

    Examples
    --------
    >>> ev = np.array([[0.0, 0.0, 2.0], [1.0, 0.0, 1.0], [0.0, 0.0, 0.0]])
    >>> confidence_from_evidence(ev, 1.0).round(3)
    array([0.865, 0.   , 0.   ])
    """
    e0, e1, e2 = by_exposure[:, 0], by_exposure[:, 1], by_exposure[:, 2]
    total = e0 + e1 + e2
    exposed = e1 + e2
    with np.errstate(invalid="ignore", divide="ignore"):
        margin_exposed = np.where(total > 0, np.abs(exposed - e0) / total, 0.0)
        margin_tools = np.where(exposed > 0, np.abs(e2 - e1) / exposed, 0.0)
    decisiveness = np.where(exposed > e0, np.minimum(margin_exposed, margin_tools), margin_exposed)
    amount = 1.0 - np.exp(-total / typical_weight)
    out: np.ndarray[Any, Any] = np.clip(decisiveness * amount, 0.0, 1.0)
    return out


def _matched_column(
    matched: Matches,
    rules: tuple[Rule, ...],
    rows_i: np.ndarray[Any, Any],
    rows_j: np.ndarray[Any, Any],
) -> list[str]:
    """The words that made each evidence row's rule (``rows_j``) fire for its text
    (``rows_i``), or the rule's attribute condition, in one loop: a hundred thousand rows
    at a million tasks, each a look-up or two."""
    attribute = [f"{r.attribute} = {r.equals}" for r in rules]
    out: list[str] = []
    append = out.append
    for i, j in zip(rows_i.tolist(), rows_j.tolist(), strict=True):
        hits = matched.get(j)
        if hits is None:
            append(attribute[j])
        else:
            hit = hits.get(i)
            append(hit.group(0) if hit is not None else "")
    return out


def _evidence_pieces(ev: pd.DataFrame) -> list[str]:
    """Each evidence row as the evidence text writes it, ``rule_id +weight 'matched'``: the
    column sum ``rule_id + " +" + weight.map("{:.2f}".format) + " '" + matched + "'"``,
    one f-string a row (none of the three columns is ever missing)."""
    return [
        f"{rule} +{weight:.2f} '{words}'"
        for rule, weight, words in zip(
            ev[col.RULE_ID].tolist(),
            ev[col.WEIGHT].tolist(),
            ev[col.MATCHED].tolist(),
            strict=True,
        )
    ]


def _normalise_distinct(series: pd.Series) -> pd.Series:
    """normalise_text applied once per distinct text (:func:`normalise_texts`), broadcast
    back."""
    codes, uniques = pd.factorize(series, sort=False)
    norm = np.array(normalise_texts(list(uniques)), dtype=object)[codes]
    return pd.Series(norm, index=series.index, dtype=object)


def _distinct_pairs(
    tasks: pd.Series, patient_facing: pd.Series
) -> tuple[np.ndarray[Any, Any], pd.Series, pd.Series]:
    """The distinct (normalised text, patient_facing) pairs of the rows, and each row's code.

    The pairs are sorted by text, then patient_facing (missing, False, True), and the codes
    point into them. Worked out on integer codes: each distinct text is normalised once,
    and no string is built per row.
    """
    raw_codes, raw = _factorize_objects(tasks)
    norm_of_raw = np.array(normalise_texts(raw.tolist()), dtype=object)
    norm_codes, norms = pd.factorize(norm_of_raw, sort=True)  # sorted distinct texts
    facing = patient_facing.astype("boolean")
    flag = np.where(
        facing.isna().to_numpy(), 0, np.where(facing.fillna(False).to_numpy(bool), 2, 1)
    )
    pair = norm_codes[raw_codes] * 3 + flag
    keys, codes = _unique_codes(pair, 3 * len(norms))
    texts = pd.Series(np.asarray(norms, dtype=object)[keys // 3], dtype=object)
    distinct_facing = pd.Series(
        pd.array(np.array([None, False, True], dtype=object)[keys % 3], dtype="boolean")
    )
    return codes, texts, distinct_facing


def _factorize_objects(values: pd.Series) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Each value's code and the distinct values, as ``pd.factorize`` (missing: -1), but
    with the distinct values in an order of their own.

    A loaded column holds each repeated cell as one shared object many times (a million
    task rows, some hundred thousand objects), so the objects are told apart by identity
    first (:func:`genai_aug._cells.by_identity`), and only the distinct objects are
    compared by value.
    """
    array = values.to_numpy()
    if array.dtype != object:
        return _factorize_by_value(values)
    by_object, objects = by_identity(array)
    codes, uniques = pd.factorize(objects, use_na_sentinel=True)
    return codes[by_object], np.asarray(uniques, dtype=object)


def _factorize_by_value(values: pd.Series) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """As :func:`_factorize_objects`, comparing every value (``pd.factorize``)."""
    codes, uniques = pd.factorize(values.to_numpy(), use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def _unique_codes(
    values: np.ndarray[Any, Any], size: int
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """``np.unique(values, return_inverse=True)`` of integers in ``[0, size)``, by counting.

    The distinct values, ascending, and each value's position among them; without
    sorting a million values (:func:`_unique_codes_by_sort` is the reference).
    """
    present = np.zeros(size, dtype=bool)
    present[values] = True
    keys = np.flatnonzero(present)
    position = np.cumsum(present) - 1
    return keys, position[values]


def _unique_codes_by_sort(
    values: np.ndarray[Any, Any], size: int
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """As :func:`_unique_codes`, by ``np.unique``."""
    keys, codes = np.unique(values, return_inverse=True)
    return keys, codes.reshape(-1)


def _score_distinct(
    texts: Iterable[str] | pd.Series, ruleset: RulesetLike
) -> tuple[pd.Series, np.ndarray[Any, Any], pd.DataFrame, pd.DataFrame]:
    """Score each distinct normalised text once.

    Returns the texts as a Series, each text's code into the distinct texts, and the
    per-distinct-text scores and long evidence (``text_key`` = code).
    """
    series = _as_text_series(texts)
    rs = as_ruleset(ruleset)
    codes, uniques = pd.factorize(_normalise_distinct(series), sort=True)
    distinct = pd.Series(uniques, dtype=object)
    scored, ev = _evaluate(distinct, pd.Series(pd.NA, index=distinct.index, dtype="boolean"), rs)
    return series, codes, scored, ev


def _as_text_series(texts: Iterable[str] | pd.Series) -> pd.Series:
    """Texts as a Series (a Series keeps its index), refusing anything that is not a str."""
    if isinstance(texts, str):  # one text, not a sequence of its characters
        texts = [texts]
    if not isinstance(texts, pd.Series | Iterable):
        raise ArgumentTypeError(
            f"texts must be a list or Series of strings, got {type(texts).__name__}. "
            "Pass a list such as ['Book outpatient appointments']"
        )
    series = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
    bad = [i for i, t in enumerate(series) if not isinstance(t, str)]
    if bad:
        raise ArgumentTypeError(
            f"texts must be strings; item {bad[0]} is {type(series.iat[bad[0]]).__name__}. "
            "Drop missing values or convert with .astype(str) first"
        )
    for i, t in enumerate(series):
        try:
            t.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ArgumentTypeError(
                f"texts must be valid Unicode; item {i} holds a lone surrogate at character "
                f"{exc.start} (bytes decoded with 'surrogateescape'?). Decode the bytes with "
                "their real encoding first"
            ) from None
    return series


def score_texts(texts: Iterable[str] | pd.Series, ruleset: RulesetLike = None) -> pd.DataFrame:
    """Score bare task descriptions.

    Parameters
    ----------
    texts : list of str or pandas.Series
        Task descriptions, e.g. ``"Book outpatient appointments"``.
    ruleset : Ruleset, path or None
        The ruleset, or a ruleset file; ``None`` for the packaged default.

    Returns
    -------
    pandas.DataFrame
        One row per text, in input order (the index of a Series is kept), with
        columns ``task``, ``category``, ``category_label``, ``exposure``, ``score``,
        ``classified`` and ``evidence``. Unrecognised texts have category
        ``"unclassified"``, missing exposure and a missing (NaN) score.

    See Also
    --------
    explain : the rules behind each score, one row per rule that fired.

    Examples
    --------
    >>> out = score_texts(["Book outpatient appointments on the patient administration system",
    ...                    "Assist patients with washing and dressing"])
    >>> out[["category", "exposure"]]
          category exposure
    0   scheduling       E2
    1  direct_care       E0
    >>> bool(out["score"].iloc[0] > out["score"].iloc[1])
    True
    """
    series, codes, scored, _ = _score_distinct(texts, ruleset)
    out = scored.iloc[codes].set_axis(series.index)
    out.insert(0, col.TASK, _text_array(series))
    return out


def _text_array(series: pd.Series) -> Any:
    """The texts of ``series`` as a text column, also when there are none (inferred from
    no values, pandas would make it an object column)."""
    text_type: Any = text_dtype() or object
    return pd.array(series.to_numpy(dtype=object), dtype=text_type)


def explain(texts: Iterable[str] | pd.Series | str, ruleset: RulesetLike = None) -> pd.DataFrame:
    """The evidence behind each text's score: one row per rule that fired.

    Parameters
    ----------
    texts : str, list of str or pandas.Series
        Task descriptions.
    ruleset : Ruleset, path or None
        The ruleset, or a ruleset file; ``None`` for the packaged default.

    Returns
    -------
    pandas.DataFrame
        Columns ``task``, ``rule_id``, ``category``, ``weight``, ``time_share`` and
        ``matched`` (the words that matched, after normalisation). The score of a
        text is ``sum(weight * time_share) / sum(weight)`` over its rows.

    Examples
    --------
    >>> why = explain("Type clinic letters from digital dictation")
    >>> why["rule_id"].iloc[0], why["matched"].iloc[0]
    ('transcription.typing', 'type clinic letters')
    """
    series, codes, _, ev = _score_distinct([texts] if isinstance(texts, str) else texts, ruleset)
    rows = pd.DataFrame(
        {col.TASK: _text_array(series), col.TEXT_KEY: codes, "_pos": range(len(codes))}
    )
    out = rows.merge(ev, on=col.TEXT_KEY, how="inner", sort=False)
    out = out.sort_values(
        ["_pos", col.WEIGHT, col.RULE_ID], ascending=[True, False, True], kind="stable"
    )
    return out.drop(columns=[col.TEXT_KEY, "_pos"]).reset_index(drop=True)


def score_tasks(inventory: Inventory, ruleset: RulesetLike = None) -> pd.DataFrame:
    """Score every task of an inventory.

    Parameters
    ----------
    inventory : Inventory
        From :func:`load_inventory`.
    ruleset : Ruleset, path or None
        The ruleset, or a ruleset file; ``None`` for the packaged default.

    Returns
    -------
    pandas.DataFrame
        The inventory's tasks with their role's ``role_title``, ``staff_group``,
        ``band``, ``fte`` and ``contracted_hours``, and the scoring columns
        ``category``, ``category_label``, ``exposure``, ``score``, ``classified``,
        ``evidence``. Rows are in the inventory's order (by role id, task id).

    Raises
    ------
    InventoryError
        If a ``category_override`` names no category of the ruleset.
    """
    return _score_tasks(inventory, ruleset)[0]


def score_tasks_with_evidence(
    inventory: Inventory, ruleset: RulesetLike = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """As :func:`score_tasks`, also returning the long evidence table keyed by ``task_id``."""
    scored, evidence = _score_tasks(inventory, ruleset)
    return scored, evidence()


def _score_tasks(inventory: Inventory, ruleset: RulesetLike) -> tuple[pd.DataFrame, TaskEvidence]:
    """The scored tasks, and a function that builds the evidence table (one row per task
    and rule that fired) when called.

    The evidence table has several rows per task (4.4 million for a million tasks) while
    the evidence of the distinct texts is a few per cent of that, so the table is built
    only when it is asked for: :func:`score_tasks` never, :func:`genai_aug.run` when its
    result's ``evidence`` is first read.
    """
    if not isinstance(inventory, Inventory):
        raise ArgumentTypeError(
            f"expected an Inventory from load_inventory, got {type(inventory).__name__}. "
            "Call genai_aug.load_inventory(roles, tasks) first, or score_texts for bare texts."
        )
    rs = as_ruleset(ruleset)
    # The tasks take their role's columns (pyarrow's takes, which let go of the GIL) on
    # another thread while this one matches the distinct texts, which read only the
    # tasks' own text and patient-facing columns.
    with ThreadPoolExecutor(max_workers=1) as pool:
        merging = pool.submit(_with_role_info, inventory.tasks, inventory.roles)
        tasks = inventory.tasks
        codes, distinct_texts, distinct_facing = _distinct_pairs(
            tasks[col.TASK], tasks[col.PATIENT_FACING]
        )
        scored, ev = _evaluate(distinct_texts, distinct_facing, rs)
        del distinct_texts, distinct_facing
        merged = merging.result()
    if len(scored) >= _MANY_TEXTS:  # (what the evidence texts were built from, too)
        release_free_memory()
    table, take, overridden = _with_overrides(merged, codes, scored, rs)
    per_row = _take_rows(table, take)
    out = pd.concat([merged, per_row], axis=1)
    return out, TaskEvidence(ev, codes, merged[col.TASK_ID], overridden)


_ROLE_INFO: Final = (*col.ROLE_INFO_COLUMNS, col.DEPARTMENT, col.DIRECTORATE)


def _with_role_info(tasks: pd.DataFrame, roles: pd.DataFrame) -> pd.DataFrame:
    """The tasks with their role's title, staff group, band, FTE, hours, department and
    directorate (index reset): the left merge on ``role_id`` of :func:`_with_role_info_by_merge`.

    Each task takes its role's row by position: the role ids are matched once per distinct
    id, and the tasks' own columns are kept as they are, not taken again row by row (at a
    million tasks the merge spends seconds copying them). Anything a position cannot say
    the way the merge would (a task whose role is missing or not found, repeated role ids,
    ids that are not all strings, a role column the tasks already have) goes to the merge.
    """
    info = roles[list(_ROLE_INFO)]
    codes, ids = _factorize_objects(tasks[col.ROLE_ID])
    at = pd.Index(info[col.ROLE_ID]).get_indexer(ids) if info[col.ROLE_ID].is_unique else None
    if (
        at is None
        or (codes < 0).any()
        or (at < 0).any()
        or pd.api.types.infer_dtype(ids, skipna=False) != "string"
        or pd.api.types.infer_dtype(info[col.ROLE_ID], skipna=False) != "string"
        or tasks.columns.isin(_ROLE_INFO[1:]).any()
    ):
        return _with_role_info_by_merge(tasks, roles)
    own = _take_rows(info.drop(columns=col.ROLE_ID), at[codes])
    return pd.concat([tasks.reset_index(drop=True), own], axis=1)


def _take_rows(frame: pd.DataFrame, positions: np.ndarray[Any, Any]) -> pd.DataFrame:
    """``frame.iloc[positions].reset_index(drop=True)`` (``positions`` all in range),
    with its pyarrow text columns taken into :func:`_take_pool`.

    A few thousand distinct rows become a million here: the evidence texts alone are a
    quarter of a gigabyte of new memory, and where the new memory comes from costs more
    than copying into it (see :func:`_take_pool`).
    """
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    def take(name: Any) -> pd.Series:
        values = frame[name].array
        if isinstance(values, pd.arrays.ArrowStringArray):
            # (pa.array and pd.array hand the arrow data over as it is, without a copy)
            taken = pc.take(pa.array(values), positions, memory_pool=_take_pool())
            values = pd.array(taken, dtype=values.dtype)
        else:
            values = values.take(positions)
        # (the dtype said again: a frame built from object values would infer text)
        column: pd.Series = pd.Series(values, dtype=frame[name].dtype, copy=False)
        return column

    def cost(name: Any) -> int:
        """Bytes a row of the column, about (text columns: their texts' mean length)."""
        values = frame[name].array
        n = max(len(values), 1)
        return 8 + (values.nbytes // n if isinstance(values, pd.arrays.ArrowStringArray) else 0)

    # Each column is taken on one of two threads (the takes let go of the GIL), the
    # longest texts first (the evidence: as long as the others together).
    names = sorted(frame.columns, key=cost, reverse=True)
    with ThreadPoolExecutor(max_workers=2) as pool:
        out = dict(zip(names, pool.map(take, names), strict=True))
    return pd.DataFrame(out, columns=frame.columns, copy=False)


@cache
def _take_pool() -> Any:
    """The pyarrow memory pool the million-row text columns are taken into: jemalloc's
    where pyarrow has it, else the C library's.

    pyarrow's default pool on Linux (mimalloc) asks the kernel for transparent huge pages,
    which the kernel zeroes (and, under ``defrag=madvise``, compacts memory for) when first
    touched; taking the evidence texts of a million tasks into it cost three times the CPU
    of taking them into jemalloc's 4 KiB pages. The values and types are the same whichever
    pool holds them.
    """
    import pyarrow as pa

    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:  # (a pyarrow built without jemalloc)
        return pa.system_memory_pool()


def _with_role_info_by_merge(tasks: pd.DataFrame, roles: pd.DataFrame) -> pd.DataFrame:
    """As :func:`_with_role_info`, by a left merge (any tasks and roles)."""
    merged = tasks.merge(roles[list(_ROLE_INFO)], on=col.ROLE_ID, how="left", validate="m:1")
    return merged.reset_index(drop=True)


@dataclass(frozen=True)
class TaskEvidence:
    """The tasks' evidence, kept as the distinct texts' evidence until it is asked for.

    Calling it builds the table (one row per task and rule that fired); ``tasks_fired``
    counts each rule's tasks from the distinct texts, without building it.
    """

    ev: pd.DataFrame
    codes: np.ndarray[Any, Any]
    task_ids: pd.Series
    overridden: pd.DataFrame | None

    def __call__(self) -> pd.DataFrame:
        return _task_evidence(self.ev, self.codes, self.task_ids, self.overridden)

    def tasks_fired(self) -> pd.Series:
        """Tasks each rule fired on (rules that fired on none left out), by rule id: the
        evidence table's ``groupby("rule_id").size()``, from a count of tasks per text."""
        keep = np.ones(len(self.codes), dtype=bool)
        if self.overridden is not None:
            keep = ~self.task_ids.isin(set(self.overridden[col.TASK_ID])).to_numpy(dtype=bool)
        keys = self.ev[col.TEXT_KEY].to_numpy()
        n_texts = int(max(self.codes.max(initial=-1), keys.max(initial=-1))) + 1
        per_text = np.bincount(self.codes[keep], minlength=n_texts)
        counts = pd.Series(per_text[keys], index=self.ev[col.RULE_ID].to_numpy())
        fired = counts.groupby(level=0, sort=True).sum()
        if self.overridden is not None:
            own = self.overridden.groupby(col.RULE_ID).size()
            fired = fired.add(own, fill_value=0).astype(np.int64)
        fired = fired[fired > 0].astype(np.int64)
        fired.index.name = col.RULE_ID
        return fired


def _task_evidence(
    ev: pd.DataFrame,
    codes: np.ndarray[Any, Any],
    task_ids: pd.Series,
    overridden: pd.DataFrame | None,
) -> pd.DataFrame:
    """The evidence table of the tasks: each task's rows from its distinct text's
    evidence ``ev`` (``codes``: each task's text), the analyst's overrides in place of
    the rules' rows of the tasks they override (``overridden``, if any)."""
    rows = _broadcast_evidence(ev, codes, task_ids)
    if overridden is None:
        return rows
    rows = pd.concat(
        [rows[~rows[col.TASK_ID].isin(set(overridden[col.TASK_ID]))], overridden],
        ignore_index=True,
    )
    return rows.sort_values(
        [col.TASK_ID, col.WEIGHT, col.RULE_ID], ascending=[True, False, True], kind="stable"
    ).reset_index(drop=True)


def _broadcast_evidence(
    ev: pd.DataFrame, codes: np.ndarray[Any, Any], task_ids: pd.Series
) -> pd.DataFrame:
    """Evidence rows for every task, from the evidence of its distinct text.

    Ordered by task id, then weight (descending), then rule id. ``ev`` is in that order
    within each text (``text_key``), so with unique task ids each task takes its text's
    rows as they are: the table is built by positions (``np.repeat``), not by a merge and
    a sort of millions of rows (:func:`_broadcast_evidence_by_merge`, for repeated ids).
    """
    ids = pd.Series(task_ids.to_numpy())  # the task id column the merge would make
    keys = ev[col.TEXT_KEY].to_numpy()
    if (
        ids.isna().any()
        or not ids.is_unique
        or pd.api.types.infer_dtype(ids, skipna=False) != "string"
        or (len(keys) > 1 and (np.diff(keys) < 0).any())
    ):
        return _broadcast_evidence_by_merge(ev, codes, task_ids)
    order = ids.argsort(kind="stable").to_numpy()  # the rows in task id order
    n_texts = int(max(codes.max(initial=-1), keys.max(initial=-1))) + 1
    count = np.bincount(keys, minlength=n_texts)
    first = np.cumsum(count) - count  # where each text's evidence starts in ev
    text = codes[order]
    repeat = count[text]
    ends = np.cumsum(repeat)
    take = np.repeat(first[text] - (ends - repeat), repeat) + np.arange(
        int(ends[-1]) if len(ends) else 0
    )
    out = {col.TASK_ID: ids.array.take(np.repeat(order, repeat))}
    for name in ev.columns.drop(col.TEXT_KEY):
        out[name] = ev[name].array.take(take)
    return pd.DataFrame(out)


def _broadcast_evidence_by_merge(
    ev: pd.DataFrame, codes: np.ndarray[Any, Any], task_ids: pd.Series
) -> pd.DataFrame:
    """As :func:`_broadcast_evidence`, by a merge and a sort (any task ids)."""
    rows = pd.DataFrame({col.TASK_ID: task_ids.to_numpy(), col.TEXT_KEY: codes})
    out = rows.merge(ev, on=col.TEXT_KEY, how="inner").drop(columns=col.TEXT_KEY)
    return out.sort_values(
        [col.TASK_ID, col.WEIGHT, col.RULE_ID], ascending=[True, False, True], kind="stable"
    ).reset_index(drop=True)


def _with_overrides(
    merged: pd.DataFrame, codes: np.ndarray[Any, Any], scored: pd.DataFrame, rs: Ruleset
) -> tuple[pd.DataFrame, np.ndarray[Any, Any], pd.DataFrame | None]:
    """The analyst's overrides, as rows of the distinct texts' table.

    Returns the table of the distinct texts' scores with one row added per category the
    analyst chose, each task's row of it (``codes``, with overridden tasks pointing at
    their category's row), and the evidence rows of the overridden tasks (``None`` when
    nothing is overridden). The tasks' columns are then taken once, overridden or not:
    setting a few rows of a million-row text column afterwards would copy the column.
    """
    override = merged[col.CATEGORY_OVERRIDE]
    if override.isna().all():
        return scored, codes, None
    # (resolved once per distinct override, and only the rows that have one looked at: a
    # map of the million-row column would spend a tenth of a second on its blanks)
    given_at = np.flatnonzero(override.notna().to_numpy())
    given = override.to_numpy(dtype=object)[given_at]
    lookup = {v: rs.resolve_category(v) for v in pd.unique(given)}
    resolved = np.array([lookup[v] for v in given], dtype=object)
    found = np.array([c is not None for c in resolved], dtype=bool)
    if not found.all():
        unknown = np.zeros(len(override), dtype=bool)
        unknown[given_at[~found]] = True
        _raise_unknown_overrides(merged, unknown, rs)
    mask = np.zeros(len(override), dtype=bool)
    mask[given_at] = True
    ids = pd.Series(resolved, index=override.index[mask], dtype=object)
    return _override_tables(merged, codes, scored, rs, mask, ids)


def _override_tables(
    merged: pd.DataFrame,
    codes: np.ndarray[Any, Any],
    scored: pd.DataFrame,
    rs: Ruleset,
    mask: np.ndarray[Any, Any],
    ids: pd.Series,
) -> tuple[pd.DataFrame, np.ndarray[Any, Any], pd.DataFrame]:
    """:func:`_with_overrides`' three results, once the overrides are resolved: ``mask``
    marks the tasks with an override, ``ids`` their categories' ids, in the tasks' order."""
    override = merged[col.CATEGORY_OVERRIDE]
    chosen = list(pd.unique(ids))
    cats = rs.category_index
    rows = pd.DataFrame(
        {
            col.CATEGORY: chosen,
            col.CATEGORY_LABEL: [cats[c].label for c in chosen],
            col.EXPOSURE: [cats[c].exposure for c in chosen],
            col.SCORE: [float(cats[c].time_share) for c in chosen],
            col.CONFIDENCE: 1.0,  # the analyst decided
            col.ALTERNATIVE: None,
            col.CLASSIFIED: True,
            col.EVIDENCE: [
                f"{OVERRIDE_RULE}: category set to '{c}' by the analyst" for c in chosen
            ],
        },
        columns=scored.columns,
    ).astype(scored.dtypes.to_dict())
    table = pd.concat([scored.reset_index(drop=True), rows], ignore_index=True)
    take = codes.copy()
    take[mask] = len(scored) + pd.Index(chosen).get_indexer(ids)
    replaced = pd.DataFrame(
        {
            col.TASK_ID: merged[col.TASK_ID].to_numpy()[mask],
            col.RULE_ID: OVERRIDE_RULE,
            col.CATEGORY: ids.to_numpy(),
            col.WEIGHT: 1.0,
            col.TIME_SHARE: ids.map(lambda c: cats[c].time_share).to_numpy(dtype=float),
            col.MATCHED: override.to_numpy()[mask],
        }
    )
    return table, take, replaced


def _raise_unknown_overrides(
    merged: pd.DataFrame, unknown: np.ndarray[Any, Any], rs: Ruleset
) -> None:
    """Raise an :class:`InventoryError` naming each override that is not a category."""
    from genai_aug._issues import IssueLog, where

    log = IssueLog()
    choices = ", ".join(c.id for c in rs.categories)
    for i in np.flatnonzero(unknown):
        row = merged.iloc[i]
        location = where(
            row[col.SOURCE_FILE],
            row[col.SOURCE_SHEET],
            int(row[col.SOURCE_ROW]),
            col.CATEGORY_OVERRIDE,
        )
        log.error(
            "unknown-category",
            f"{location}: unknown "
            f"category '{row[col.CATEGORY_OVERRIDE]}'; expected one of the "
            f"ruleset's categories ({choices}). Fix the override or leave it blank.",
            file=row[col.SOURCE_FILE],
            sheet=row[col.SOURCE_SHEET],
            row=int(row[col.SOURCE_ROW]),
            column=col.CATEGORY_OVERRIDE,
            value=row[col.CATEGORY_OVERRIDE],
        )
    raise InventoryError(log.to_frame())
