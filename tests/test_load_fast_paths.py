"""Each fast path of loading and validation gives what the exact path it short-cuts gives.

The reference tests (tests/test_validation_reference.py) hold whole inventories to the
recorded output; these hold each shortcut to its exact path directly, on cells chosen to
sit on the edges the shortcut tests for (blanks of every kind, spaces, invisible and
control characters, ".0" endings, "total" inside words, -0.0, equal values held by
different objects), so that a shortcut taken wrongly shows up as a difference.
"""

from __future__ import annotations

import random
import string
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pytest

from genai_aug import _cells
from genai_aug import _columns as col
from genai_aug._checks import (
    _VISIBLE_ASCII,
    CHECKS,
    INVISIBLE,
    Rows,
    _all_words_none_total,
    _total_words,
)
from genai_aug._raw import RawTable
from genai_aug.inventory import ValidationOptions
from genai_aug.validating import _in_order, _set_aside, _sorted

PIECES = [
    "a",
    "Ward",
    "R1",
    "1",
    "7.0",
    ".0",
    "0",
    " ",
    "  ",
    "\t",
    "\n",
    "\x0b",
    "\x1f",
    "\x7f",
    "\u200b",
    "\u00a0",
    "é",
    "total",
    "Sum",
    "summary",
    "-",
    "{",
    "}",
]


def _random_text(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 4)))


def _random_column(rng: random.Random, n: int) -> np.ndarray:
    """Text cells, mostly plain, with blanks of each kind and now and then another cell."""
    plain = ["R1", "R2", "Ward clerk", "Band 5", "x", "Total cost", "7.5", "12"]
    others: list[object] = [None, float("nan"), pd.NA, 3, 2.5, True, Decimal("1.0")]
    cells: list[object] = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.6:
            cells.append(rng.choice(plain))
        elif roll < 0.8:
            cells.append(_random_text(rng))
        elif roll < 0.9:
            cells.append(None)
        else:
            cells.append(rng.choice(others))
    if rng.random() < 0.5:  # equal texts held by different objects, as a DataFrame may hold them
        cells = ["".join(list(c)) if isinstance(c, str) else c for c in cells]
    return np.array(cells, dtype=object)


def _exact_text(series: pd.Series) -> pd.Series:
    out = _cells.per_distinct(series, _cells._text_each)
    return out.where(out.notna(), None)


@pytest.mark.parametrize("seed", range(150))
def test_text_and_blank_of_a_column_are_those_of_the_exact_path(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.choice([1, 2, 5, 30])
    values = _random_column(rng, n)
    if rng.random() < 0.5:  # often a column the shortcut takes: plain text and blanks
        values = np.array(
            [
                v if (v is None or (isinstance(v, str) and v in ("R1", "R2", "x"))) else "R3"
                for v in values
            ],
            dtype=object,
        )
    series = pd.Series(values, dtype=object)
    got, want = _cells.text(series), _exact_text(series)
    assert got.dtype == want.dtype == object
    assert got.index.equals(want.index)
    assert [(type(v), v) for v in got] == [(type(v), v) for v in want]
    assert _cells.blank(series).equals(_cells.per_distinct(series, _cells._blank_each).astype(bool))


@pytest.mark.parametrize("seed", range(60))
def test_blanks_of_a_column_found_plain_are_those_of_the_exact_path(seed: int) -> None:
    """Once has_invisible finds a column plain, Rows.blank reads its texts instead of
    looking again: the same blanks as the exact path, also after rows are set aside."""
    rng = random.Random(seed)
    n = rng.choice([1, 2, 5, 30])
    values = _random_column(rng, n)
    if rng.random() < 0.7:
        values = np.array(
            [
                v if v is None or (isinstance(v, str) and v in ("R1", "R2", "x")) else "R3"
                for v in values
            ],
            dtype=object,
        )
    frame = pd.DataFrame({col.ROLE_ID: pd.Series(values, dtype=object)})
    frame[col.SOURCE_ROW] = np.arange(2, n + 2)
    rows = Rows(RawTable(frame, "f.csv", "roles", col.ROLES_SHEET, 1), ValidationOptions())
    rows.has_invisible(col.ROLE_ID)
    exact = _cells.per_distinct(frame[col.ROLE_ID], _cells._blank_each).astype(bool)
    assert rows.blank(col.ROLE_ID).equals(exact)
    keep = np.array([rng.random() < 0.7 for _ in range(n)], dtype=bool)
    rows.bad = pd.Series(~keep, index=frame.index)
    table, _, texts, plain = _set_aside(rows)
    assert plain == rows.plain
    kept = Rows(table, ValidationOptions(), texts=texts, plain=plain)
    kept_exact = _cells.per_distinct(table.frame[col.ROLE_ID], _cells._blank_each).astype(bool)
    assert kept.blank(col.ROLE_ID).equals(kept_exact)


@pytest.mark.parametrize("seed", range(24))
def test_blanks_of_mostly_distinct_cells_are_those_of_their_distinct_objects(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A column of mostly distinct objects (ids) is looked at cell by cell, not by its
    distinct objects: the same blanks (or the same refusal), blanks and odd cells among
    them, repeated objects too."""
    rng = random.Random(seed)
    n = rng.choice([1, 3, 50, 2000])
    values = np.array([f"T{i:07d}" for i in range(n)], dtype=object)
    odd = [None, None, "", " ", "a  b", "T1.0", "x\u200b", 7, float("nan"), "é", "R1", values[0]]
    for _ in range(rng.choice([0, 1, 3, n // 2])):
        values[rng.randrange(n)] = rng.choice(odd)
    want = _cells._missing_if_plain(values, _cells.by_identity(values))
    want_blank = _cells.per_distinct(pd.Series(values), _cells._blank_each).astype(bool)
    monkeypatch.setattr(_cells, "_mostly_distinct", lambda ids: True)
    got = _cells._missing_if_plain(values)
    assert (got is None) == (want is None)
    if got is not None and want is not None:
        assert np.array_equal(got, want)
    assert _cells.blank(pd.Series(values)).equals(want_blank)


def test_objects_read_one_by_one_are_taken_for_mostly_distinct() -> None:
    """Ids made one by one, as a CSV reader makes them: looked at cell by cell."""
    values = np.array([f"T{i:07d}" for i in range(3 * _cells._SORT_FROM)], dtype=object)
    assert _cells._mostly_distinct(_cells._identities(values))
    repeated = np.array(["a", "b", None] * _cells._SORT_FROM, dtype=object)
    assert not _cells._mostly_distinct(_cells._identities(repeated))


@pytest.mark.parametrize("seed", range(150))
def test_the_ascii_test_of_plain_text_is_the_regular_expressions(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    # (tested a few bytes at a time too, so that pairs and triples straddle the pieces)
    monkeypatch.setattr(_cells, "_PIECE", rng.choice([1, 2, 3, 5, _cells._PIECE]))
    ascii_pieces = [p for p in PIECES if p.isascii()] + ["\x00", "a.0\x00b", "\r"]
    joined = "".join(rng.choice(ascii_pieces) for _ in range(rng.randint(1, 12)))
    regex_answer = not (
        joined == ""
        or joined.startswith((" ", "\x00"))
        or joined.endswith((" ", ".0", "\x00"))
        or any(s in joined for s in ("  ", "\x00 ", " \x00", ".0\x00", "\x00\x00"))
        or _cells._SPACE_NOT_BLANK.search(joined)
        or _cells._INVISIBLE_NOT_NUL.search(joined)
    )
    assert _cells._all_plain(joined) == bool(regex_answer)


def test_the_ascii_characters_taken_for_invisible_are_the_regular_expressions() -> None:
    for b in range(128):
        shown = bytes([b]).translate(None, _VISIBLE_ASCII) != b""
        assert shown == (INVISIBLE.search(chr(b)) is not None), b


@pytest.mark.parametrize("seed", range(100))
def test_no_totals_row_is_only_said_of_ids_that_are_no_totals_word(seed: int) -> None:
    rng = random.Random(seed)
    ids = [
        rng.choice(["R1", "A b", "--", "Sum1", "X-total", "é1", "7"])
        for _ in range(rng.randint(1, 6))
    ]
    if rng.random() < 0.2:
        ids[rng.randrange(len(ids))] = None  # type: ignore[call-overload]
    fast = _all_words_none_total(pd.Series(ids, dtype=object))
    exact = all(isinstance(v, str) and _total_words(v) == "-" for v in ids)
    assert fast <= exact  # the shortcut is never taken wrongly
    plain = [v for v in ids if isinstance(v, str) and v.isascii()]
    if len(plain) == len(ids) and not any(w in v.lower() for v in plain for w in ("sum", "total")):
        assert fast == exact  # and it is taken for ASCII ids that hold no totals word


@pytest.mark.parametrize("seed", range(100))
def test_rows_found_in_order_are_those_sorting_leaves_alone(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(0, 8)
    keys = ["R1", "R10", "R2", "r1", "R1 ", "É"]
    frame = pd.DataFrame(
        {
            "a": [rng.choice(keys) for _ in range(n)],
            "b": [rng.choice(keys) for _ in range(n)],
            "c": range(n),
        }
    )
    if rng.random() < 0.6:
        frame = frame.sort_values(["a", "b"], kind="stable")
    if n and rng.random() < 0.1:
        frame.loc[frame.index[0], "b"] = None
    want = frame.sort_values(["a", "b"], kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(_sorted(frame, ["a", "b"]), want)
    if _in_order([frame[c].to_numpy(dtype=object) for c in ("a", "b")]):
        assert list(want["c"]) == list(frame["c"])


def test_every_message_is_filled_in_as_str_format_fills_it() -> None:
    tricky: list[object] = [
        0.0,
        -0.0,
        float("nan"),
        np.float64(-0.0),
        np.float64(37.5),
        1,
        True,
        1.0,
        Decimal("1.0"),
        Decimal("1.00"),
        "a {b}",
        "R1",
        None,
        12345.678,
    ]
    one_kind: list[list[object]] = [
        [0.0, -0.0, float("nan"), 37.5, 1e300],
        [np.float64(0.0), np.float64(-0.0), np.float64("nan"), np.float64(7.25)],
        ["R1", "a {b}", "", "R1"],
        [1, 2, 1],
    ]
    rng = random.Random(1)
    for check, mixed in ((c, m) for c in CHECKS if c.fields for m in (True, False)):
        rows = 40
        columns: list[list[Any]] = []
        for name in check.fields:
            spec = next(s for _, f, s, _ in string.Formatter().parse(check.template) if f == name)
            numbers = [v for v in tricky if isinstance(v, float | int) and not isinstance(v, bool)]
            if not mixed:  # every value of one type, as the fields give them
                pool = rng.choice(one_kind[:2] if spec else one_kind)
            elif spec:  # a number format: numbers only
                pool = numbers
            else:
                pool = tricky
            columns.append([rng.choice(pool) for _ in range(rows)])
        want = [
            check.template.format(**dict(zip(check.fields, row, strict=True)))
            for row in zip(*columns, strict=True)
        ]
        assert check.fill(columns) == want, check.code
        assert check.fill_arrow(columns).to_pylist() == want, check.code


def test_object_identities() -> None:
    a, b = "R1", "".join(["R", "1"])  # equal, two objects
    values = np.array([a, b, None, a, 2.5, b], dtype=object)
    assert list(_cells._identities(values)) == [id(v) for v in values]
    assert list(_cells._identities(values[::2])) == [id(v) for v in values[::2]]
    codes, distinct = _cells.by_identity(values)
    assert [distinct[c] is v for c, v in zip(codes, values, strict=True)] == [True] * len(values)


def test_parsed_numbers_say_whether_any_cell_was_normalised() -> None:
    for cells in (
        ["7.5", "8", None],
        ["7.5 hrs", "8"],
        [1.0, float("nan")],
        [None, None],
        [True, "50%"],
    ):
        parsed = _cells.parse_numbers(pd.Series(cells, dtype=object), "percent")
        assert parsed.any_normalised == bool((parsed.normalisation != "").any())
        assert parsed.bad.equals(parsed.problem != "")


def _by_hashing(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """by_identity as it was: the addresses hashed, distinct objects in first-seen order."""
    codes, unique_ids = pd.factorize(np.fromiter(map(id, values), np.intp, len(values)))
    first = np.empty(len(unique_ids), dtype=np.int64)
    first[codes[::-1]] = np.arange(len(values) - 1, -1, -1)
    return codes, values[first]


def _assert_same_objects(got: tuple[np.ndarray, np.ndarray], values: np.ndarray) -> None:
    codes, distinct = got
    want_codes, want_distinct = _by_hashing(values)
    assert codes.dtype == want_codes.dtype
    assert np.array_equal(codes, want_codes)
    assert len(distinct) == len(want_distinct)
    assert all(a is b for a, b in zip(distinct, want_distinct, strict=True))


@pytest.mark.parametrize("seed", range(8))
def test_objects_told_apart_by_sorting_are_those_told_apart_by_hashing(seed: int) -> None:
    """Mostly distinct objects, in the order made or shuffled, some repeated, equal texts
    held by different objects, None: the same codes and objects, in the same order."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(9000, 20000))
    texts = [f"T{i:08d}" for i in range(n)]  # made one by one: addresses mostly rising
    values = np.array(texts, dtype=object)
    picks = rng.choice(n, n // (50 if seed % 2 == 0 else 10), replace=False)
    values[picks[: len(picks) // 2]] = None
    values[picks[len(picks) // 2 :]] = values[rng.choice(n, len(picks) - len(picks) // 2)]
    values[rng.choice(n, 50)] = "".join(["T", "00000001"])  # equal, another object
    if seed % 2:
        values = values[rng.permutation(n)]
    _assert_same_objects(_cells._by_sorted_identity(values, _cells._identities(values)), values)
    _assert_same_objects(_cells.by_identity(values), values)  # (whichever way it takes)


@pytest.mark.parametrize("seed", range(30))
def test_identities_of_rows_are_by_identity_of_those_rows(seed: int) -> None:
    """The known objects of a column, narrowed to some of its rows (a header and blank
    rows left out): by_identity of those rows, codes and objects in the same order."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    pool = np.array([None, *(f"t{i}" for i in range(int(rng.integers(1, 12))))], dtype=object)
    values = pool[rng.integers(0, len(pool), n)]
    if seed % 3 == 0:
        start = int(rng.integers(0, n + 1))
        if seed % 2:  # the first rows (a header, say) hold objects met nowhere else
            values[:start] = np.array([f"h{i}" for i in range(start)], dtype=object)
        rows: slice | np.ndarray = slice(start, None)
    else:
        rows = np.flatnonzero(rng.random(n) < (0.3 if seed % 3 == 1 else 0.95))
    known = _by_hashing(values)
    codes, distinct = _cells.identities_of_rows(known, rows)
    want_codes, want_distinct = _by_hashing(values[rows])
    assert np.array_equal(codes, want_codes)
    assert len(distinct) == len(want_distinct)
    assert all(a is b for a, b in zip(distinct, want_distinct, strict=True))


def _rows_of(columns: dict[str, list[object]], kind: str = col.TASKS_SHEET) -> Rows:
    n = len(next(iter(columns.values())))
    frame = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in columns.items()})
    frame[col.SOURCE_FILE] = "f.csv"
    frame[col.SOURCE_SHEET] = "f"
    frame[col.SOURCE_ROW] = pd.Series(range(2, n + 2), dtype="int64")
    return Rows(RawTable(frame, "f.csv", "f", kind, 1), ValidationOptions())


@pytest.mark.parametrize("seed", range(80))
def test_missing_isin_and_duplicated_texts_are_those_of_pandas(seed: int) -> None:
    """Rows.missing, text_isin and duplicated against isna, isin and duplicated of the
    texts: on random cells, and on ids in order (the shortcut), with a tie or not."""
    rng = random.Random(seed)
    n = rng.choice([1, 2, 5, 30])
    if seed % 3 == 0:  # ids in order, as the shortcut of duplicated wants them
        values = np.array(sorted(f"R{rng.randint(0, 60):03d}" for _ in range(n)), dtype=object)
        if seed % 2:  # all different
            values = np.array([f"R{i:03d}" for i in range(n)], dtype=object)
    else:
        values = _random_column(rng, n)
    r = _rows_of({col.ROLE_ID: list(values)})
    texts = r.text(col.ROLE_ID)
    assert r.missing(col.ROLE_ID).equals(texts.isna())
    lookups: list[Any] = [
        set(),
        {"R1"},
        {"R1", "R001", "".join(["7", ".5"]), "Ward clerk"},  # (looked up as an array)
        {"R1", None},
        frozenset({"R2", "x"}),
        ["R1", "R2", None],
        np.array(["R001", "7.5"], dtype=object),
    ]
    for looked_up in lookups:
        assert r.text_isin(col.ROLE_ID, looked_up).equals(texts.isin(looked_up))
    assert r.duplicated(col.ROLE_ID).equals(texts.duplicated(keep="first"))


def test_duplicated_ids_in_order_are_found() -> None:
    """Equal neighbours are not "each greater than the one before"."""
    r = _rows_of({col.ROLE_ID: ["R1", "R2", "R2", "R3"]})
    assert r.duplicated(col.ROLE_ID).tolist() == [False, False, True, False]
    r = _rows_of({col.ROLE_ID: ["R1", "R2", "R3"]})
    assert r.duplicated(col.ROLE_ID).tolist() == [False, False, False]


def test_yes_no_cells_read_as_each_cell_read_alone() -> None:
    """patient_facing, each distinct object read once, is the booleans of reading each cell."""
    from genai_aug._checks import _parse_bool

    cells: list[object] = [
        "yes",
        " Yes ",
        "TRUE",
        "n",
        "No",
        "",
        " ",
        "1",
        "0",
        "x",
        "maybe",
        1,
        0,
        1.0,
        2,
        True,
        False,
        np.bool_(True),
        None,
        float("nan"),
        pd.NA,
        "\u00a0y",
    ]
    cells = cells * 3 + ["".join(["y", "es"])]  # an equal text held by another object
    r = _rows_of({col.ROLE_ID: ["R1"] * len(cells), col.PATIENT_FACING: cells})
    want = pd.Series(cells, dtype=object).map(_parse_bool).astype("boolean")
    pd.testing.assert_series_equal(r.facing, want, check_names=False)


@pytest.mark.parametrize("seed", range(10))
def test_task_hours_are_the_sums_grouping_by_id_makes(seed: int) -> None:
    """Summed by the number of each role id: the same bits as grouping by the ids."""
    rng = np.random.default_rng(seed)
    ids = [f"R{i}" for i in range(20)]
    n = 400
    task_ids = [ids[k] if k < 20 else None for k in rng.integers(0, 22, n)]
    task_ids = ["".join(list(t)) if t and rng.random() < 0.3 else t for t in task_ids]  # copies
    hours = [f"{h:.4f}" if rng.random() < 0.95 else "" for h in rng.random(n) * 10 / 3]
    roles = _rows_of(
        {col.ROLE_ID: [*ids, "R-none"], col.CONTRACTED_HOURS: ["37.5"] * 21}, col.ROLES_SHEET
    )
    tasks_frame = _rows_of(
        {col.ROLE_ID: task_ids, col.TASK: ["t"] * n, col.HOURS_PER_WEEK: hours}
    ).table
    tasks = Rows(tasks_frame, ValidationOptions(), roles=roles)
    tasks.bad = pd.Series(rng.random(n) < 0.1, index=tasks.frame.index)
    roles.tasks = tasks
    ok = ~tasks.bad
    want = roles.id.map(tasks.hours[ok].groupby(tasks.id[ok]).sum()).fillna(0.0)
    got = roles.task_hours
    pd.testing.assert_series_equal(got, want, check_exact=True)
    assert np.array_equal(got.to_numpy().view(np.int64), want.to_numpy().view(np.int64))


def test_messages_with_their_location_and_number_fields_as_arrays() -> None:
    """fill with pieces in front, and float fields given as arrays (as FIELDS gives them)."""
    check = next(c for c in CHECKS if c.code == "hours-not-listed")
    values = np.array([7.5, -0.0, 0.0, 1e300, float("nan"), 1 / 3, 7.5])
    columns: list[Any] = [
        [f"R{i}" for i in range(len(values))] if name == "id" else values for name in check.fields
    ]
    before = [["<", "<<"] * 3 + ["<"], [str(i) for i in range(len(values))]]
    want = [
        "".join(p for p in pieces[: len(before)])
        + check.template.format(**dict(zip(check.fields, pieces[len(before) :], strict=True)))
        for pieces in zip(*before, *columns, strict=True)
    ]
    assert check.fill(columns, before) == want
    assert check.fill([list(c) for c in columns]) == [w.lstrip("<0123456789") for w in want]
    numbers = pa.array([str(i) for i in range(len(values))], type=pa.large_string())
    for pieces in ((before[0], numbers), ("<", before[1])):
        joined = check.fill_arrow(columns, pieces)
        assert joined.type == pa.large_string() and joined.null_count == 0
        assert joined.to_pylist() == check.fill(
            columns,
            [
                [p] * len(values)
                if isinstance(p, str)
                else p.to_pylist()
                if isinstance(p, pa.Array)
                else p
                for p in pieces
            ],
        )


HOSTILE_FIELDS: list[object] = [
    'it\'s "quoted"',
    "two\nlines\r\n",
    "naïve – 日本語 🙂",
    "",
    "x" * 5000,
    "\x00",
    "{b} %s",
    None,
    float("nan"),
    -0.0,
    7,
    np.float64(37.5),
]


@pytest.mark.parametrize("seed", range(5))
def test_messages_joined_by_arrow_are_those_joined_in_python(seed: int) -> None:
    """Every check's message, fields holding quotes, newlines, NUL, non-ASCII, long and
    empty texts, None, NaN, -0.0 and numbers (or numbers only, for a number format), with
    the location in front as validating puts it: Arrow joins the texts Python joins."""
    rng = random.Random(seed)
    rows = 30
    for check in (c for c in CHECKS if c.fields):
        columns: list[Any] = []
        for name in check.fields:
            spec = next(s for _, f, s, _ in string.Formatter().parse(check.template) if f == name)
            pool = [v for v in HOSTILE_FIELDS if not isinstance(v, str | None)] if spec else None
            if pool is not None and rng.random() < 0.5:  # floats of one type: formatted once each
                columns.append(np.array([rng.choice([0.5, -0.0, 1e300]) for _ in range(rows)]))
            else:
                columns.append([rng.choice(pool or HOSTILE_FIELDS) for _ in range(rows)])
        numbers = [rng.choice([2, 10, 10**9]) for _ in range(rows)]
        head, tail = "File 'a\n\"b\".csv', sheet 'rôles', row ", ", column 'x': "
        python = check.fill(columns, ([head] * rows, map(str, numbers), [tail] * rows))
        arrow = pa.array(numbers, type=pa.int64()).cast(pa.large_string())
        assert check.fill_arrow(columns, (head, arrow, tail)).to_pylist() == python, check.code


def test_a_lone_surrogate_is_refused_by_arrow_for_python_to_join() -> None:
    check = next(c for c in CHECKS if c.code == "hours-not-listed")
    columns: list[Any] = [["R\ud800"] if name == "id" else np.array([7.5]) for name in check.fields]
    with pytest.raises(UnicodeEncodeError):
        check.fill_arrow(columns)
    assert "R\ud800" in check.fill(columns)[0]


def test_blanks_of_csv_cells_known_as_text_are_those_of_each_cell() -> None:
    """_blank_mask told the cells are text or None: the blanks _is_blank finds."""
    from genai_aug import loading

    cells = ["a", "", " ", "\t", "\u00a0", "\u200b", " a ", "\n", None, "0", "\u3000", None]
    values = np.array(cells * 2, dtype=object)
    want = [loading._is_blank(v) for v in values]
    assert loading._blank_mask(values, text_only=True).tolist() == want
    assert loading._blank_mask(values).tolist() == want


@pytest.mark.parametrize("kind", ["hours", "percent", "fraction", "count"])
def test_numbers_parsed_per_distinct_text_are_those_of_each_cell(kind: str) -> None:
    """parse_numbers of text and blanks (each distinct object, then each distinct text,
    parsed once) is parse_number of each cell."""
    texts = ["7.5", " 7.5 ", "1,234", "1,5", "50%", "7.5 hrs", "TRUE", "", "=A1", "#N/A"]
    texts += ["\u200b3", "3.0", "-1", "1e400", "nan", "abc", "36:00"]
    rng = random.Random(len(kind))
    cells: list[object] = []
    for _ in range(300):
        t = rng.choice(texts)
        cells.append("".join(list(t)) if rng.random() < 0.5 else t)  # equal, other objects
        if rng.random() < 0.05:
            cells.append(rng.choice([None, float("nan")]))
    parsed = _cells.parse_numbers(pd.Series(cells, dtype=object), kind)  # type: ignore[arg-type]
    want = [_cells.parse_number(v, kind) for v in cells]  # type: ignore[arg-type]
    assert np.array_equal(
        parsed.numbers.to_numpy(), np.array([w[0] for w in want], dtype=float), equal_nan=True
    )
    assert parsed.problem.tolist() == [w[1] for w in want]
    assert parsed.normalisation.tolist() == [w[2] for w in want]
    assert parsed.bad.tolist() == [w[1] != "" for w in want]


def test_text_lengths_are_those_str_len_gives() -> None:
    cells = ["a" * 5, "é" * 3, "", None, "x" * 4001, "x" * 4000, "".join(["x"] * 4001)]
    r = _rows_of({col.TASK: cells * 2})
    texts = r.text(col.TASK)
    for limit in (0, 3, 4000):
        want = texts.str.len().gt(limit).fillna(False).astype(bool)
        assert r.longer_than(col.TASK, limit).tolist() == want.tolist()


@pytest.mark.parametrize("seed", range(60))
def test_invisible_characters_found_per_known_object_are_those_of_each_cell(seed: int) -> None:
    """has_invisible told a column's objects by its reader (as pyarrow's dictionary tells
    them) flags the cells it flags when it looks at every cell."""
    rng = random.Random(seed)
    n = rng.choice([1, 2, 5, 30])
    values = _random_column(rng, n)
    if rng.random() < 0.5:  # text with ".0" endings: no plain column, searched for invisibles
        values = np.array([v if isinstance(v, str) else "7.0" for v in values], dtype=object)
    frame = pd.DataFrame({col.HOURS_PER_WEEK: pd.Series(values, dtype=object)})
    frame[col.SOURCE_ROW] = np.arange(2, n + 2)
    known = {col.HOURS_PER_WEEK: _cells.by_identity(values)}
    told = Rows(
        RawTable(frame, "f.csv", "t", col.TASKS_SHEET, 1, identities=known), ValidationOptions()
    )
    alone = Rows(RawTable(frame, "f.csv", "t", col.TASKS_SHEET, 1), ValidationOptions())
    got, want = told.has_invisible(col.HOURS_PER_WEEK), alone.has_invisible(col.HOURS_PER_WEEK)
    assert got.equals(want)
    exact = [isinstance(v, str) and INVISIBLE.search(v) is not None for v in values]
    assert want.tolist() == exact
    assert told.plain == alone.plain


def test_numbers_of_an_absent_or_float_column_are_bad_where_a_problem_is_named() -> None:
    """The bad mask carried by the parse of plain floats, and of a column not there, is
    ``problem != ""``."""
    floats = pd.Series([1.0, float("inf"), float("nan"), -float("inf"), -0.0], dtype=object)
    parsed = _cells.parse_numbers(floats, "hours")
    assert parsed.known_bad is not None
    assert parsed.bad.equals(parsed.problem != "")
    rows = _rows_of({col.ROLE_ID: ["R1", "R2"], col.HOURS_PER_WEEK: ["1", "x"]})
    absent = rows.parsed(col.PERCENT_OF_TIME)
    assert absent.known_bad is not None
    assert absent.bad.equals(absent.problem != "")
    assert not rows.not_a_number(col.PERCENT_OF_TIME).any()


@pytest.mark.parametrize("first_blank", [True, False])
def test_rows_kept_by_csv_cells_with_known_objects_are_those_without(
    tmp_path: Any, first_blank: bool
) -> None:
    """_table_from_cells keeps the rows with a value whether the reader told it the cells'
    objects (each distinct object tested for blanks once) or not (each cell); a first
    column with no blank cell keeps every row at once."""
    from genai_aug import loading
    from genai_aug._issues import IssueLog

    rng = random.Random(7)
    cells = ["", " ", "\t", "R1", "R2", "x"]
    lines = ["role_id,task,hours_per_week"]
    for _ in range(300):  # repeated first cells: pyarrow's dictionary path
        first = rng.choice(cells if first_blank else cells[3:])
        lines.append(",".join([first] + [rng.choice(cells) for _ in range(2)]))
    payload = ("\n".join(lines) + "\n").encode()
    read = loading._csv_cells_arrow(payload, ",", loading._physical_lines(payload))
    assert read is not None and any(k is not None for k in read.known)
    alone = loading._ColumnCells(read.numbers, read.columns, read.lines, text_only=True)
    tables = [
        loading._table_from_cells(
            c, file="f.csv", sheet="f", kind=col.TASKS_SHEET, log=IssueLog(), from_csv=True
        )
        for c in (read, alone)
    ]
    pd.testing.assert_frame_equal(tables[0].frame, tables[1].frame)
    assert tables[0].blank_rows == tables[1].blank_rows
    assert (tables[0].blank_rows > 0) == first_blank


@pytest.mark.parametrize("seed", range(10))
def test_contracted_hours_of_tasks_are_those_mapping_the_ids_gives(seed: int) -> None:
    """A task's contracted hours, looked up per distinct object of its role id, against
    mapping the ids to the first role's hours (a missing id finds none)."""
    rng = np.random.default_rng(seed)
    ids = [f"R{i}" for i in range(12)] + ["R3", None]  # a duplicated id, a missing one
    hours = [f"{h:.1f}" if rng.random() < 0.8 else "" for h in rng.random(len(ids)) * 40]
    roles = _rows_of({col.ROLE_ID: ids, col.CONTRACTED_HOURS: hours}, col.ROLES_SHEET)
    n = 200
    task_ids = [ids[k] if k < len(ids) else "R99" for k in rng.integers(0, len(ids) + 1, n)]
    task_ids = ["".join(list(t)) if t and rng.random() < 0.3 else t for t in task_ids]
    tasks = _rows_of({col.ROLE_ID: task_ids, col.TASK: ["t"] * n})
    tasks.roles = roles
    per_role = (
        pd.DataFrame({col.ROLE_ID: roles.id, "h": roles.contracted})
        .drop_duplicates(col.ROLE_ID)
        .set_index(col.ROLE_ID)["h"]
    )
    want = tasks.id.map(per_role).astype("float64")
    pd.testing.assert_series_equal(tasks.contracted, want, check_names=False, check_exact=True)


@pytest.mark.parametrize("seed", range(200))
def test_texts_vouched_plain_on_arrow_bytes_are_plain_by_the_exact_test(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """_arrow_plain, on a pyarrow column's bytes, vouches for a column exactly when the
    exact test (_missing_if_plain on its objects) finds every text plain, for printable
    ASCII texts; any other character it leaves to the exact test. Sliced columns too, and
    pieces a few bytes long, so that pairs straddle them."""
    import pyarrow as pa

    from genai_aug import loading

    rng = random.Random(seed)
    monkeypatch.setattr(loading, "_PIECE", rng.choice([1, 2, 3, 7, loading._PIECE]))
    n = rng.choice([1, 2, 3, 8, 40])
    texts = [
        rng.choice([f"T{i}", "Ward clerk", "7.5", "a.0b", "0", "x.", "1.05"]) for i in range(n)
    ]
    # one odd text at most, each odd on one edge only: one wrong test shows
    defects: list[Any] = [
        lambda t: " " + t,
        lambda t: t + " ",
        lambda t: t[:1] + "  " + t[1:],
        lambda t: t + ".0",
        lambda t: ".0",
        lambda t: "",
        lambda t: t[:1] + rng.choice(["\t", "\x7f", "\x1f", "\r", "é", "\u200b", "\xa0"]) + t[1:],
    ]
    if rng.random() < 0.8:
        i = rng.randrange(n)
        texts[i] = rng.choice(defects)(texts[i])
    printable = all(t.isascii() and t.isprintable() for t in texts)
    column = pa.array(["head", *texts, "tail"], type=pa.string()).slice(1, len(texts))
    vouched = loading._arrow_plain(*loading._arrow_text_buffers(column))
    values = np.array([t if t else None for t in texts], dtype=object)
    exact = _cells._missing_if_plain(values, _cells.by_identity(values))
    present = any(t for t in texts)
    if printable and present:
        assert vouched == (exact is not None)
    elif vouched and present:
        assert exact is not None
    if vouched:
        got = _cells._missing_if_plain(values, vouched=True)
        assert (got is None) == (exact is None)
        if got is not None and exact is not None:
            assert np.array_equal(got, exact)


@pytest.mark.parametrize("seed", range(12))
def test_an_inventory_with_columns_vouched_plain_is_the_same_without(
    seed: int, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading CSV files whose mostly distinct columns pyarrow's reader vouches for as
    plain gives the same inventory and issues as looking at every text, odd cells
    (spaces, invisible characters, ".0", blanks, accents) among them."""
    from genai_aug import loading

    rng = random.Random(seed)
    odd = ["", " T9", "T9 ", "T 9", "T  9", "T9.0", "T\u200b9", "T\t9", "Té", '"T,9"', "Total"]
    roles = ["role_id,job title,staff group,fte"]
    tasks = ["role_id,task_id,task,hours_per_week"]
    n = rng.choice([3, 40, 200])
    for i in range(n):
        rid = f"R{i}" if rng.random() < 0.9 else rng.choice(odd).replace("T", "R")
        roles.append(f"{rid},Ward clerk,Administrative and clerical,1")
        for k in range(2):
            tid = f"T{i}-{k}" if rng.random() < 0.9 else rng.choice(odd)
            tasks.append(f"{rid},{tid},Answer the phone {i},{rng.choice(['3', '2.5', ''])}")
    (tmp_path / "r.csv").write_text("\n".join(roles) + "\n", encoding="utf-8")
    (tmp_path / "t.csv").write_text("\n".join(tasks) + "\n", encoding="utf-8")

    def load() -> tuple[Any, ...]:
        inv = loading.load_inventory(tmp_path / "r.csv", tmp_path / "t.csv", errors="reject")
        return inv.roles, inv.tasks, inv.issues

    vouched = []
    real = loading._arrow_plain

    def spy(*args: Any) -> bool:
        vouched.append(real(*args))
        return vouched[-1]

    monkeypatch.setattr(loading, "_arrow_plain", spy)
    got = load()
    assert vouched  # (the mostly distinct columns were looked at on their bytes)
    monkeypatch.setattr(loading, "_arrow_plain", lambda *args: False)
    want = load()
    for a, b in zip(got, want, strict=True):
        pd.testing.assert_frame_equal(a, b, check_exact=True)


@pytest.mark.parametrize("seed", range(30))
def test_lookups_of_roles_by_numbered_ids_are_those_of_the_texts(seed: int) -> None:
    """Each lookup between the sheets read from the ids numbered together (is a task's
    role there, its contracted hours, has a role tasks, their hours) against isin, map
    and groupby of the texts: duplicated and missing ids on both sheets, equal texts
    held by different objects, tasks of no role, roles of no task, rows set aside."""
    rng = np.random.default_rng(seed)
    pool = [f"R{i}" for i in range(8)] + ["é", " "]
    role_ids = [pool[k] if k < len(pool) else None for k in rng.integers(0, len(pool) + 2, 14)]
    contracted = [f"{h:.1f}" if rng.random() < 0.8 else "" for h in rng.random(14) * 40]
    roles = _rows_of({col.ROLE_ID: role_ids, col.CONTRACTED_HOURS: contracted}, col.ROLES_SHEET)
    n = int(rng.choice([1, 5, 60]))
    task_ids = [pool[k] if k < len(pool) else None for k in rng.integers(0, len(pool) + 1, n)]
    task_ids = ["".join(list(t)) if t and rng.random() < 0.3 else t for t in task_ids]  # copies
    hours = [f"{h:.3f}" if rng.random() < 0.9 else "" for h in rng.random(n) * 10 / 3]
    tasks = _rows_of({col.ROLE_ID: task_ids, col.TASK: ["t"] * n, col.HOURS_PER_WEEK: hours})
    tasks.roles = roles
    ids = pd.Series(roles.id.dropna().unique(), dtype=object)
    assert tasks.known_role.equals(tasks.id.isin(ids.to_numpy(dtype=object)))
    per_role = (
        pd.DataFrame({col.ROLE_ID: roles.id, "h": roles.contracted})
        .drop_duplicates(col.ROLE_ID)
        .set_index(col.ROLE_ID)["h"]
    )
    # (a task with no id finds no role, not the first role with no id)
    per_role = per_role[per_role.index.notna()]
    want_hours = tasks.id.map(per_role).astype("float64")
    pd.testing.assert_series_equal(tasks.contracted, want_hours, check_names=False)
    tasks.bad = pd.Series(rng.random(n) < 0.2, index=tasks.frame.index)
    roles.tasks = tasks
    task_texts = tasks.id.dropna().to_numpy(dtype=object)
    pd.testing.assert_series_equal(roles.has_tasks, roles.id.isin(task_texts))
    ok = ~tasks.bad
    sums = tasks.hours[ok].groupby(tasks.id[ok]).sum()
    want = roles.id.map(sums).fillna(0.0) + 0.0
    got = roles.task_hours
    pd.testing.assert_series_equal(got, want, check_exact=True)
    assert np.array_equal(got.to_numpy().view(np.int64), want.to_numpy().view(np.int64))


@pytest.mark.parametrize("seed", range(40))
def test_staff_groups_and_bands_read_per_object_are_those_mapping_the_texts(seed: int) -> None:
    """Rows.staff_group and band, read once per distinct object, against mapping the
    texts (the same values, dtype, index and name): known and unknown names, blanks,
    equal texts held by different objects, a column of blanks only, no rows."""
    from genai_aug._reference import canonical_band, canonical_staff_group

    rng = random.Random(seed)
    n = rng.choice([0, 1, 3, 40])
    groups = ["Nursing & midwifery", "nurses", "Admin", "No such group", " ", None, "é"]
    bands = ["Band 5", "8a", "band 9", "F2", "Grade X", "", None]
    if rng.random() < 0.2:
        groups, bands = [None, " "], [None, ""]
    cells = {
        col.ROLE_ID: [f"R{i}" for i in range(n)],
        col.STAFF_GROUP: ["".join(list(g)) if g else g for g in rng.choices(groups, k=n)],
        col.BAND: rng.choices(bands, k=n),
    }
    rows = _rows_of(cells, col.ROLES_SHEET)
    if rng.random() < 0.5:
        rows.has_invisible(col.STAFF_GROUP)
    for got, texts, read in (
        (rows.staff_group, rows.group_text, canonical_staff_group),
        (rows.band, rows.band_text, canonical_band),
    ):
        lookup = {v: read(v) for v in texts.dropna().unique()}
        want = texts.map(lookup, na_action="ignore")
        pd.testing.assert_series_equal(got, want, check_exact=True)
        assert got.dtype == want.dtype


@pytest.mark.parametrize("kind", ["hours", "percent", "fraction", "count"])
def test_plain_numbers_converted_together_are_those_parse_number_reads(kind: Any) -> None:
    """_parse_distinct converts plain numbers together: the same value, bits (-0.0) and
    readings as parse_number gives each, next to cells it leaves to parse_number
    (too large to be finite, a unit, spaces, other digits, blanks)."""
    rng = random.Random(kind)
    pieces = ["0", "1", "7", "9", ".", "-", "+", " ", ",", "5", "e", "%", "٣", "h"]
    texts: list[Any] = [
        "".join(rng.choice(pieces) for _ in range(rng.randint(1, 6))) for _ in range(400)
    ]
    texts += ["-0", "-0.0", "+0", "007", "1" * 400, "-" + "9" * 320, "37.5", "0.1", None, ""]
    values = np.array(list(dict.fromkeys(texts)), dtype=object)
    got = _cells._parse_distinct(values, kind)
    want = [_cells.parse_number(v, kind) for v in values]
    assert [(np.float64(g[0]).tobytes(), g[1:]) for g in got] == [
        (np.float64(w[0]).tobytes(), w[1:]) for w in want
    ]


@pytest.mark.parametrize("seed", range(40))
def test_newlines_counted_by_pieces_are_those_bytes_count_finds(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """_count_newlines against bytes.count, with pieces a few bytes long (line breaks at
    their edges, CR and CRLF among them), and whole; so the lines counted are the same."""
    from genai_aug import loading

    rng = random.Random(seed)
    monkeypatch.setattr(loading, "_PIECE", rng.choice([1, 2, 3, 5, loading._PIECE]))
    data = bytes(rng.choice(b'ab,"\n\r') for _ in range(rng.choice([0, 1, 2, 9, 200])))
    assert loading._count_newlines(data) == data.count(b"\n")
    # (CR, LF and CRLF each end a line, as splitlines has it for these bytes)
    assert loading._physical_lines(data) == len(data.decode().splitlines())


def test_values_shown_together_are_those_shown_one_by_one() -> None:
    """_shown takes a column of short texts as it is; any other value by value: the same
    list as showing each (None kept, long texts cut, other cells as text)."""
    from genai_aug import _issues

    def one_by_one(values: list[object]) -> list[object]:
        return [None if v is None else _issues._show(v) for v in values]

    short, long = "37.5", "x" * (_issues._SHOWN + 1)
    for values in (
        [],
        [short, "R1", ""],
        [short, None],
        [short, long],
        ["x" * _issues._SHOWN],
        [short, 7.5, Decimal("1.0")],
        [None],
    ):
        assert _issues._shown(values) == one_by_one(values)


@pytest.mark.parametrize("seed", range(30))
def test_copies_found_among_rows_with_a_key_are_those_of_every_row(seed: int) -> None:
    """Rows.copy_of_earlier against copy_key.notna() & copy_key.duplicated() over every
    row: tasks with and without ids, repeated ones, blanks, rows set aside."""
    rng = random.Random(seed)
    n = rng.choice([0, 1, 2, 5, 40])
    cells = {
        col.ROLE_ID: rng.choices(["R1", "R2", None], k=n),
        col.TASK_ID: rng.choices([None, None, "T1", "T2", " "], k=n),
        col.TASK: rng.choices(["Book clinics", "Answer the phone", "", None], k=n),
        col.HOURS_PER_WEEK: rng.choices(["1", "2.5", "", "x"], k=n),
    }
    rows = _rows_of(cells)
    rows.bad = pd.Series([rng.random() < 0.2 for _ in range(n)], index=rows.frame.index)
    want = rows.copy_key.notna() & rows.copy_key.duplicated(keep="first")
    assert rows.copy_of_earlier.equals(want)


@pytest.mark.parametrize("seed", range(60))
def test_a_key_the_duplicate_check_found_increasing_is_not_compared_again(seed: int) -> None:
    """Rows.duplicated notes ids it found increasing; sorting by them after rows are set
    aside (role id, then task id) gives the frame sorting gives, told so or not."""
    rng = random.Random(seed)
    n = rng.choice([2, 3, 8, 30])
    task_ids = sorted(rng.sample([f"T{i:03d}" for i in range(200)], n))
    if rng.random() < 0.3:  # not increasing: nothing noted
        task_ids[rng.randrange(n)] = rng.choice(task_ids)
    cells = {
        col.ROLE_ID: sorted(rng.choices(["R1", "R2", "R10", "é"], k=n)),
        col.TASK_ID: task_ids,
        col.TASK: ["t"] * n,
    }
    if rng.random() < 0.5:  # roles out of order
        rng.shuffle(cells[col.ROLE_ID])
    rows = _rows_of(cells)
    rows.duplicated(col.TASK_ID)
    assert (col.TASK_ID in rows.increasing) == (len(set(task_ids)) == n)
    keep = np.array([rng.random() < 0.8 for _ in range(n)], dtype=bool)
    frame = pd.DataFrame({col.ROLE_ID: rows.id, col.TASK_ID: rows.text(col.TASK_ID)})[keep]
    by = [col.ROLE_ID, col.TASK_ID]
    want = frame.sort_values(by, kind="stable").reset_index(drop=True)
    got = _sorted(frame, by, {col.TASK_ID} & rows.increasing)
    pd.testing.assert_frame_equal(got, want)
