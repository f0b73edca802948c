"""The fast CSV reader reads exactly what the exact, cell-by-cell reader reads.

:func:`genai_aug.loading.read_csv_table` parses with pandas' C tokenizer and hands
over to :mod:`csv` (the exact path) wherever it cannot be sure of reading the same.
These tests run both paths on the same inputs — random text full of quotes, line
breaks and delimiters, the bundled sample exported to CSV, a generated inventory, and
every CSV of the malformed-input catalogue — and require identical cells, raw tables,
inventories and issues. Each also checks that the fast path was taken where it should
be, so that identity cannot come from the fast path never running.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import genai_aug
from conftest import ROOT
from genai_aug import _cells, loading
from genai_aug import _columns as col
from genai_aug._issues import IssueLog
from genai_aug._raw import RawTable
from genai_aug.errors import InventoryError
from test_catalogue import CASES

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_pipeline import generate


def _exact_only(text: str, delimiter: str, utf8: bytes | None = None) -> None:
    return None


def _cells_by_row(cells: Any) -> list[tuple[int, list[Any]]]:
    """Every row read, without the trailing empty cells (a short row and padding agree)."""
    out = []
    for number, row in cells.head(len(cells.numbers)):
        while row and row[-1] is None:
            row.pop()
        out.append((number, row))
    return out


def _assert_same_table(a: RawTable, b: RawTable) -> None:
    pd.testing.assert_frame_equal(a.frame, b.frame, check_exact=True)
    assert [type(v) for v in a.frame.to_numpy().ravel()] == [
        type(v) for v in b.frame.to_numpy().ravel()
    ]
    for name in ("file", "sheet", "kind", "header_row", "blank_rows", "missing_columns"):
        assert getattr(a, name) == getattr(b, name), name
        assert type(getattr(a, name)) is type(getattr(b, name)), name
    assert (a.hidden_rows, a.merged_cells) == (b.hidden_rows, b.merged_cells)


def _load_both_ways(
    monkeypatch: pytest.MonkeyPatch, args: tuple[Any, ...], **kwargs: Any
) -> tuple[Any, Any]:
    """load_inventory's outcome (Inventory, or the error's issues) by the fast and exact paths."""

    def outcome() -> Any:
        try:
            return genai_aug.load_inventory(*args, **kwargs)
        except InventoryError as exc:
            return exc.issues

    fast = outcome()
    with monkeypatch.context() as m:
        m.setattr(loading, "_csv_cells_fast", _exact_only)
        exact = outcome()
    return fast, exact


@pytest.fixture(params=["arrow", "c"])
def fast_reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Which parser the fast path uses: pyarrow's (as it does where pyarrow reads the
    file), or pandas' C parser, with pyarrow's made to hand over."""
    if request.param == "c":
        monkeypatch.setattr(loading, "_csv_cells_arrow", lambda *args: None)
    return str(request.param)


def _assert_same_outcome(fast: Any, exact: Any) -> None:
    assert type(fast) is type(exact)
    if isinstance(fast, pd.DataFrame):
        pd.testing.assert_frame_equal(fast, exact, check_exact=True)
        return
    for name in ("roles", "tasks", "issues"):
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(exact, name), check_exact=True)
    for name in ("source", "rows_read", "rows_rejected", "blank_rows"):
        assert getattr(fast, name) == getattr(exact, name), name


def _read_both_ways(path: Path, kind: str) -> tuple[RawTable, RawTable, pd.DataFrame, pd.DataFrame]:
    fast_log, exact_log = IssueLog(), IssueLog()
    fast = loading.read_csv_table(path, kind, fast_log)
    original = loading._csv_cells_fast
    loading._csv_cells_fast = _exact_only  # type: ignore[assignment]
    try:
        exact = loading.read_csv_table(path, kind, exact_log)
    finally:
        loading._csv_cells_fast = original
    return fast, exact, fast_log.to_frame(), exact_log.to_frame()


# --- the parser itself ---------------------------------------------------------------

TRICKY = [
    "a,b\n\nc,d\n",
    "a,b\n\n",
    "a,b",
    "a,b\n   \nc",
    'a,"b"c,d\n',
    'a,b"c,d\n',
    '"x\ny",z\n1,2\n',
    "a,b\r\nc,d\r\n",
    "a,b\rc,d\r",
    "a,b\n1\n",
    '"a""b",c',
    ' "a",b',
    '"a" ,b',
    "a,b\r\n\r\nc,d",
    "a,,b\n,,\n",
    "#x,y\n",
    '"",""\n',
    "a\r\r\nb",
    'a,"b\r\nc"\n',
    "a,b\n1,é,\u2028x\n",
]
"""Inputs on which the two parsers could disagree, all read by the fast path."""

FALLBACK = [
    "",  # nothing to parse
    "a\n1,2\n",  # wider than the first line
    "\n\na,b",  # blank lines first
    "a,b\n1,2,\n",
    '"unterminated\n',  # pandas refuses it; csv reads it
    'a,b,"x\ny",c,d\n',  # a record wider than any line
    "\ufeffa,b\n",  # a second byte-order mark
    "a" + "," * 5000 + "\n" + "x\n" * 100,  # one very wide line over many short ones
]
"""Inputs where the fast path may hand over to the exact path."""


def _arrow(text: str, delimiter: str) -> Any:
    """:func:`loading._csv_cells_arrow` of ``text``, as :func:`loading._csv_cells_fast` calls it."""
    payload = text.encode("utf-8")
    return loading._csv_cells_arrow(payload, delimiter, loading._physical_lines(payload))


def _c(text: str, delimiter: str) -> Any:
    """:func:`loading._csv_cells_c` of ``text``, as :func:`loading._csv_cells_fast` calls it."""
    payload = text.encode("utf-8")
    return loading._csv_cells_c(payload, delimiter, loading._physical_lines(payload))


READERS = {"fast": loading._csv_cells_fast, "arrow": _arrow, "c": _c}
"""The fast path, and each of the two parsers it tries in turn."""

ARROW_REFUSES = {
    '"x\ny",z\n1,2\n',  # (the first record wider than the first line)
    "a,b\n1,\u00e9,\u2028x\n",
    "a,b\n   \nc",
    "a,b\n1\n",
    "\n\na,b",
    "a,b\n1,2,\n",
    'a,b,"x\ny",c,d\n',
    "a\n1,2\n",
    "a" + "," * 5000 + "\n" + "x\n" * 100,
}
"""Inputs with records of another width than the first, which pyarrow refuses."""


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("text", TRICKY + FALLBACK)
def test_fast_cells_equal_exact_cells(text: str, reader: str) -> None:
    """Same rows, same numbers, same cells (None where empty), on quoting edge cases."""
    if reader != "fast" and (not text or text.startswith("\ufeff")):
        return  # (the fast path hands these over before either reader sees them)
    fast = READERS[reader](text, ",")
    exact = loading._RowCells(loading._csv_rows_exact(text, ",", "f.csv"))
    if text in TRICKY and (reader != "arrow" or text not in ARROW_REFUSES):
        assert fast is not None, "the fast path should read this"
    if reader == "arrow" and text in TRICKY + FALLBACK[1:-2] and text not in ARROW_REFUSES:
        assert fast is not None, "pyarrow should read this"
    if fast is not None:
        assert _cells_by_row(fast) == _cells_by_row(exact)
        assert all(type(n) is int for n, _ in fast.head(len(fast.numbers)))


def test_fast_path_hands_over_on_what_it_cannot_read() -> None:
    """The malformed and the oversized go to the exact path; a late wide row is read."""
    assert _c('"unterminated\n', ",") is None
    assert loading._csv_cells_fast('a,b,"x\ny",c,d\n', ",") is None
    assert loading._csv_cells_fast("a" + "," * 5000 + "\n" + "x\n" * 100, ",") is None
    wide_later = loading._csv_cells_fast("a\n1,2\n", ",")
    assert wide_later is not None and len(wide_later.columns) == 2
    # pyarrow reads an unclosed quote as csv does (the rest of the text is its field)
    assert _cells_by_row(_arrow('a,"open\nb,c\n', ",")) == [(1, ["a", "open\nb,c\n"])]


def test_arrow_refuses_a_second_byte_order_mark() -> None:
    """pyarrow drops a byte-order mark at the start, which csv keeps in the first cell."""
    payload = b"\xef\xbb\xbfa,b\nc,d\n"
    assert loading._csv_cells_arrow(payload, ",", 2) is None
    exact = loading._csv_rows_exact(payload.decode("utf-8"), ",", "f.csv")
    assert exact[0][1][0] == "\ufeffa"


@pytest.mark.parametrize("size", [10, 70_000])
def test_arrow_columns_repeated_and_distinct(size: int) -> None:
    """Columns of few texts (made once each) and of mostly distinct ones (made one by one),
    blanks among them, past the sample that chooses between the two: csv's cells."""
    rows = [
        f'R{i % 7 or ""},{"" if i % 5 == 0 else f"T{i}"},{"" if i % 3 else "yes"},"{i % 2}, x"'
        for i in range(size)
    ]
    text = "role_id,task_id,patient_facing,task\n" + "\r\n".join(rows) + "\n"
    fast = _arrow(text, ",")
    assert fast is not None
    exact = loading._RowCells(loading._csv_rows_exact(text, ",", "f.csv"))
    assert _cells_by_row(fast) == _cells_by_row(exact)
    for values in fast.columns:
        assert {type(v) for v in values} <= {str, type(None)}
    # a repeated text is one object (what by_identity tells apart cheaply)
    repeated = fast.columns[2][1:]
    assert len({id(v) for v in repeated if v is not None}) == 1
    # where the reader says which cells are one object, it is what by_identity finds
    assert fast.known[2] is not None
    for values, known in zip(fast.columns, fast.known, strict=True):
        if known is not None:
            _assert_same_identities(known, values)


def _assert_same_identities(known: Any, values: np.ndarray) -> None:
    codes, distinct = known
    want_codes, want_distinct = _cells.by_identity(values)
    assert np.array_equal(codes, want_codes)
    assert len(distinct) == len(want_distinct)
    assert all(a is b for a, b in zip(distinct, want_distinct, strict=True))


def test_identities_a_csv_table_carries_are_by_identity_of_its_columns(tmp_path: Path) -> None:
    """A title row, blank rows (left out) and repeated cells: what the table says of its
    columns' objects is by_identity of each, and the checks' texts are read the same."""
    lines = ["Task inventory,,,", ",,,", "role_id,task,hours_per_week,patient_facing"]
    lines += [
        ",,,"
        if i % 9 == 4
        else f"R{i % 4},{'task' if i % 5 == 1 else f'Task {i % 3}'},{i % 6},"
        + ("yes" if i % 2 else "")
        for i in range(200)
    ]
    path = tmp_path / "tasks.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _arrow(path.read_text(encoding="utf-8"), ",") is not None
    table = loading.read_csv_table(path, "tasks", IssueLog())
    assert table.blank_rows > 0 and set(table.identities) == {
        "role_id",
        "task",
        "hours_per_week",
        "patient_facing",
    }
    for name, known in table.identities.items():
        _assert_same_identities(known, table.frame[name].to_numpy(dtype=object))


@settings(max_examples=400, deadline=None)
@given(
    text=st.lists(
        st.sampled_from([*'ab ,;\t|"\n\r\u00e9\ufeff', "\r\n", '""', '","']), max_size=40
    ).map("".join),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    reader=st.sampled_from(sorted(READERS)),
)
def test_fast_cells_equal_exact_cells_on_any_text(text: str, delimiter: str, reader: str) -> None:
    """Whatever the text, each fast reader reads what csv reads, or hands over."""
    if reader != "fast" and ("\x00" in text or text.startswith("\ufeff") or not text):
        return  # (the fast path hands these over before either reader sees them)
    fast = READERS[reader](text, delimiter)
    if fast is not None:
        exact = loading._RowCells(loading._csv_rows_exact(text, delimiter, "f.csv"))
        assert _cells_by_row(fast) == _cells_by_row(exact)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(
        st.lists(
            st.sampled_from(["", "a", " b", '"', '""', "\n", "\r\n", ",", "\u00e9", "\u2028"]),
            min_size=3,
            max_size=3,
        ).map(lambda cells: ",".join(cells)),
        min_size=1,
        max_size=6,
    ),
    quoted=st.booleans(),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_arrow_cells_equal_exact_cells_on_even_records(
    rows: list[str], quoted: bool, newline: str
) -> None:
    """Records mostly of one width (which pyarrow reads rather than refuses), with quotes
    and line breaks in and around their fields: pyarrow reads what csv reads, or hands over."""
    if quoted:
        rows = ['"' + r.replace(",", '","') + '"' for r in rows]
    text = newline.join(rows) + newline
    fast = _arrow(text, ",")
    if fast is not None:
        exact = loading._RowCells(loading._csv_rows_exact(text, ",", "f.csv"))
        assert _cells_by_row(fast) == _cells_by_row(exact)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.lists(
            st.sampled_from(["", " ", "R1", "T1", "role_id", "task", "hours", "3", '"q, r"']),
            max_size=6,
        ),
        max_size=8,
    )
)
def test_raw_tables_equal_on_any_sheet(rows: list[list[str]], tmp_path_factory: Any) -> None:
    """Header search, blank rows, unnamed columns: the same raw table and issues both ways."""
    path = tmp_path_factory.mktemp("csv") / "tasks.csv"
    path.write_text("\n".join(",".join(r) for r in rows), encoding="utf-8")
    fast, exact, fast_issues, exact_issues = _read_both_ways(path, "tasks")
    _assert_same_table(fast, exact)
    pd.testing.assert_frame_equal(fast_issues, exact_issues)


# --- whole inventories ---------------------------------------------------------------


def _sample_as_csv(folder: Path) -> tuple[Path, Path]:
    """The bundled sample's two sheets, exported as CSV the way Excel writes them."""
    sheets = pd.read_excel(genai_aug.sample_path(), sheet_name=None, header=None, dtype=object)
    paths = []
    for kind in ("roles", "tasks"):
        name = next(n for n in sheets if n.lower() == kind)
        path = folder / f"{kind}.csv"
        sheets[name].to_csv(path, header=False, index=False, lineterminator="\r\n")
        paths.append(path)
    return paths[0], paths[1]


def test_sample_as_csv_loads_identically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast_reader: str
) -> None:
    """The sample exported to CSV: the same inventory, issues included, both ways."""
    roles, tasks = _sample_as_csv(tmp_path)
    assert loading._csv_cells_fast(tasks.read_text(encoding="utf-8"), ",") is not None
    if fast_reader == "arrow":
        assert _arrow(tasks.read_text(encoding="utf-8"), ",") is not None
    fast, exact = _load_both_ways(monkeypatch, (roles, tasks), errors="reject")
    assert isinstance(fast, genai_aug.Inventory) and len(fast.tasks) > 100
    _assert_same_outcome(fast, exact)
    for path, kind in ((roles, "roles"), (tasks, "tasks")):
        a, b, ia, ib = _read_both_ways(path, kind)
        _assert_same_table(a, b)
        pd.testing.assert_frame_equal(ia, ib)


def test_generated_inventory_with_damage_loads_identically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast_reader: str
) -> None:
    """A generated inventory with blank lines, a title, stray columns and bad values."""
    roles, tasks = generate(3000, seed=3)
    rng = np.random.default_rng(3)
    tasks = tasks.astype(object)
    damaged = rng.choice(len(tasks), 60, replace=False)
    tasks.iloc[damaged[:20], 3] = "n/a"
    tasks.iloc[damaged[20:40], 2] = "  "
    tasks.iloc[damaged[40:], 1] = ""
    tasks["note"] = ""
    tasks.iloc[damaged[:5], 4] = 'said "see me", twice\nthen left'
    roles_path, tasks_path = tmp_path / "roles.csv", tmp_path / "tasks.csv"
    roles.to_csv(roles_path, index=False)
    body = tasks.to_csv(index=False).splitlines(keepends=True)
    body.insert(500, "\n")
    body.insert(900, ",,,,\n")
    tasks_path.write_text("Task inventory, March\n\n" + "".join(body), encoding="utf-8")
    assert loading._csv_cells_fast(tasks_path.read_text(encoding="utf-8"), ",") is not None
    fast, exact = _load_both_ways(monkeypatch, (roles_path, tasks_path), errors="reject")
    assert isinstance(fast, genai_aug.Inventory) and len(fast.tasks) > 2000
    assert len(fast.issues) > 20
    _assert_same_outcome(fast, exact)
    a, b, ia, ib = _read_both_ways(tasks_path, "tasks")
    _assert_same_table(a, b)
    pd.testing.assert_frame_equal(ia, ib)


CSV_CASES = [c for c in CASES if "csv" in c.id or "utf" in c.id]


def test_even_generated_inventory_read_by_pyarrow_loads_identically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Damage that keeps every record as wide as the header (blank cells and rows, bad
    values, totals rows, quotes, line breaks and invisible characters in cells, CRLF line
    ends), which
    pyarrow reads: the same inventory and issues as the exact path."""
    roles, tasks = generate(3000, seed=5)
    rng = np.random.default_rng(5)
    tasks = tasks.astype(object)
    damaged = rng.choice(len(tasks), 80, replace=False)
    tasks.iloc[damaged[:20], 3] = "n/a"
    tasks.iloc[damaged[20:40], 2] = "  "
    tasks.iloc[damaged[40:50], 1] = ""
    tasks.iloc[damaged[50:60], 2] = 'said "see me", twice\r\nthen left'
    tasks.iloc[damaged[60:70], 2] = "Check\u200b stock"
    tasks.iloc[damaged[70:], :] = ""
    roles.iloc[:3, 0] = roles.iloc[3, 0]  # duplicated role ids
    # totals rows, set aside before the row checks (the rows then differ from those read)
    roles.iloc[len(roles) // 2, 0] = "Total"
    tasks.iloc[len(tasks) // 2, 0] = "Grand total"
    roles_path, tasks_path = tmp_path / "roles.csv", tmp_path / "tasks.csv"
    roles.to_csv(roles_path, index=False, lineterminator="\r\n")
    tasks.to_csv(tasks_path, index=False, lineterminator="\r\n")
    for path in (roles_path, tasks_path):
        assert _arrow(path.read_text(encoding="utf-8"), ",") is not None
    fast, exact = _load_both_ways(monkeypatch, (roles_path, tasks_path), errors="reject")
    assert isinstance(fast, genai_aug.Inventory) and len(fast.tasks) > 2000
    assert len(fast.issues) > 50
    _assert_same_outcome(fast, exact)
    for path, kind in ((roles_path, "roles"), (tasks_path, "tasks")):
        a, b, ia, ib = _read_both_ways(path, kind)
        _assert_same_table(a, b)
        pd.testing.assert_frame_equal(ia, ib)


@pytest.mark.parametrize("case", CSV_CASES, ids=[c.id for c in CSV_CASES])
@pytest.mark.parametrize("errors", ["raise", "reject"])
def test_catalogue_csvs_load_identically(
    case: Any, errors: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast_reader: str
) -> None:
    """Every CSV of the malformed-input catalogue: the same outcome both ways."""
    args = case.make(tmp_path)
    fast, exact = _load_both_ways(monkeypatch, args, errors=errors, **case.kwargs)
    _assert_same_outcome(fast, exact)


def test_catalogue_has_csv_cases() -> None:
    """The catalogue test above has CSVs to run on."""
    assert len(CSV_CASES) >= 8


# --- where a CSV row is: the line it starts on (issue 13) ------------------------------


@pytest.mark.parametrize(
    ("text", "lines"),
    [("", 0), ("a", 1), ("a\n", 1), ("a\n\n", 2), ("a\r\nb", 2), ("a\rb\r", 2), ("a\r\r\nb", 3)],
)
def test_physical_lines_are_counted_as_an_editor_numbers_them(text: str, lines: int) -> None:
    """CR, LF and CRLF each end a line; a last line without a break still counts."""
    assert loading._physical_lines(text) == lines
    assert loading._physical_lines(text.encode("utf-8")) == lines  # as the fast path counts
    assert loading._physical_lines(text.replace("a", "é")) == lines


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_csv_rows_after_a_multi_line_field_are_numbered_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast: bool, newline: str
) -> None:
    """A record is numbered by the line it starts on, as docs/input-format.md promises."""
    text = newline.join(
        [
            "role_id,task,hours_per_week",
            'R1,"Type clinic letters',  # lines 2-4: one record
            "from dictation, and file them",
            'then post them",5',
            "R1,Book appointments,4",  # line 5
            '"R1","Order',  # lines 6-8: two fields with a line break
            'stock","2',
            '"',
            "R1,Bad hours row,-3",  # line 9
            "",
        ]
    )
    path = tmp_path / "tasks.csv"
    path.write_bytes(text.encode())
    if not fast:
        monkeypatch.setattr(loading, "_csv_cells_fast", _exact_only)
    table = loading.read_csv_table(path, "tasks", IssueLog())
    assert list(table.frame["source_row"]) == [2, 5, 6, 9]
    assert table.blank_rows == 0


def test_an_unclosed_quote_that_swallows_the_file_is_refused_at_its_line(tmp_path: Path) -> None:
    """The review's case: a stray quote on line 3 took in the next 1,000 records."""
    lines = ["role_id,task,hours_per_week", "R1,Book appointments,0.01", 'R1,"Type letters,0.01']
    lines += [f"R1,File notes batch {i},0.01" for i in range(1000)]
    path = tmp_path / "tasks.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InventoryError) as info:
        loading.read_csv_table(path, "tasks", IssueLog())
    issue = info.value.issues.iloc[0]
    assert (issue.code, issue.row) == ("unreadable-file", 3)
    assert "opened on line 3 runs to the end of the file (line 1,003)" in issue.message
    assert "1,000 line(s)" in issue.message and "R1,File notes batch 0,0.01" in issue.message


def test_prose_over_a_few_lines_in_quotes_still_loads(tmp_path: Path) -> None:
    """Line breaks inside a quoted task text, even with a comma or two, are not a stray quote."""
    path = tmp_path / "tasks.csv"
    path.write_text(
        "role_id,task,hours_per_week\n"
        'R1,"Type letters, memos\nand minutes, for the ward, weekly\nthen file them",5\n'
        "R1,Book appointments,4\n",
        encoding="utf-8",
    )
    table = loading.read_csv_table(path, "tasks", IssueLog())
    assert list(table.frame["source_row"]) == [2, 5]
    assert table.frame["task"].iloc[0].count("\n") == 2


def test_a_ragged_csv_row_is_named_with_its_extra_value(tmp_path: Path) -> None:
    """The review's case: 'R1,Check stock, 1,2' has a field past the header's last."""
    path = tmp_path / "tasks.csv"
    path.write_text(
        "role_id,task,hours_per_week\nR1,Audit notes,3\nR1,Check stock, 1,2\n", encoding="utf-8"
    )
    log = IssueLog()
    loading.read_csv_table(path, "tasks", log)
    issue = log.to_frame().iloc[0]
    assert (issue.severity, issue.code, issue.row, issue.column, issue.value) == (
        "warning",
        "ignored-column",
        3,
        "column D",
        "2",
    )
    assert "expected at most 3 fields" in issue.message


def test_a_literal_quote_does_not_make_a_closed_last_field_look_open(tmp_path: Path) -> None:
    """An odd number of quotes (5" in a task) and a quoted multi-line last field: it loads."""
    path = tmp_path / "tasks.csv"
    path.write_text(
        'role_id,task,hours_per_week,notes\nR1,Set up 5" screens,3\nR1,Book,4,"see\nrota"\n',
        encoding="utf-8",
    )
    table = loading.read_csv_table(path, "tasks", IssueLog())
    assert list(table.frame["source_row"]) == [2, 3]


@pytest.mark.parametrize(
    "text",
    [
        *(t for t in TRICKY + FALLBACK if t.isascii()),
        "role_id;task;hours\nR1;a;1\nR2;b;2\n",
        'role_id,task,hours\nR1,"two\nlines",3\nR2,b,4\n',
        'role_id,task,hours\nR1,"open,1\nR2,b,4\nR3,c,5\n',
        "role_id,task,hours\r\rR1,a,1\r",
        "role_id,task,hours\nR1,a,1,extra\n",
        "",
    ],
)
def test_ascii_file_read_as_bytes_is_read_as_its_text(text: str, tmp_path: Path) -> None:
    """An ASCII file is read from its bytes, its text made only if a slower path needs it:
    the same table and issues (or error) as the same text decoded (written with a BOM)."""

    def read(folder: str, data: bytes) -> Any:
        path = tmp_path / folder / "tasks.csv"
        path.parent.mkdir()
        path.write_bytes(data)
        log = IssueLog()
        try:
            table = loading.read_csv_table(path, "tasks", log)
        except InventoryError as exc:
            table, issues = None, exc.issues
        else:
            issues = log.to_frame()
            table.frame[col.SOURCE_FILE] = "F"
        issues["file"] = "F"
        issues["message"] = issues["message"].str.replace(str(path), "F")
        return table, issues

    (a, issues_a), (b, issues_b) = (
        read("a", text.encode()),
        read("b", b"\xef\xbb\xbf" + text.encode()),
    )
    pd.testing.assert_frame_equal(issues_a, issues_b)
    assert (a is None) == (b is None)
    if a is not None and b is not None:
        pd.testing.assert_frame_equal(a.frame, b.frame, check_exact=True)
        assert (a.header_row, a.blank_rows, a.missing_columns) == (
            b.header_row,
            b.blank_rows,
            b.missing_columns,
        )


@pytest.mark.parametrize("sevens", [4, 5])
def test_a_quoted_line_break_across_a_mebibyte_is_read_whole(sevens: int) -> None:
    """pyarrow parses the file as one block: parsed block by block (1 MiB at a time, as its
    reader does by default), it drops the LF of a quoted CRLF whose CR ends a block
    (pyarrow 26), which csv keeps."""
    filler = "1,2\n" * ((1 << 20) // 4 - 3)
    text = "a,b\n" + filler + "7" * sevens + ',"x\r\ny"\n5,6\n'
    cut = text.encode().index(b"\r\n")
    assert cut - (1 << 20) == sevens - 5  # (4: the CR is the last byte of the first MiB)
    fast = _arrow(text, ",")
    assert fast is not None
    exact = loading._RowCells(loading._csv_rows_exact(text, ",", "f.csv"))
    assert (
        _cells_by_row(fast)[-2:]
        == _cells_by_row(exact)[-2:]
        == [
            (len(exact.rows) - 1, ["7" * sevens, "x\r\ny"]),
            (len(exact.rows), ["5", "6"]),
        ]
    )


def test_a_file_name_that_is_not_utf8_is_read_and_shown_escaped(tmp_path: Path) -> None:
    """A path holding bytes that are not UTF-8 (Python reads them as lone surrogates,
    which no table or file can hold): read, and named with those bytes as escapes in the
    tables, the issues and the files written."""
    import os
    import shutil

    folder = os.path.join(os.fsencode(tmp_path), b"dir\xff")
    try:
        os.mkdir(folder)
        workbook = os.path.join(folder, b"sample\xfe.xlsx")
        shutil.copyfile(ROOT / "data" / "sample_roles.xlsx", workbook)
    except OSError:  # (a file system that takes only UTF-8 names)
        pytest.skip("this file system does not take names that are not UTF-8")
    path = os.fsdecode(workbook)
    shown = f"{tmp_path}/dir\\udcff/sample\\udcfe.xlsx"
    result = genai_aug.run(path)
    assert result.inventory.source == shown
    assert set(result.tasks[col.SOURCE_FILE]) == {shown}
    result.to_excel(tmp_path / "report.xlsx")
    result.to_csv(tmp_path / "csv")
    missing = os.fsdecode(os.path.join(folder, b"gone\xfd.xlsx"))
    with pytest.raises(InventoryError) as caught:
        genai_aug.load_inventory(missing)
    assert caught.value.issues["file"].tolist() == [f"{tmp_path}/dir\\udcff/gone\\udcfd.xlsx"]
