"""The issue log: keyword locations, and codes that must be documented."""

from __future__ import annotations

import contextlib
import pickle
import random
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pytest

import genai_aug
from genai_aug._columns import ISSUE_COLUMNS
from genai_aug._issues import SEVERITIES, IssueLog, _ranks, _show, _tied_by, text_dtype
from genai_aug.errors import empty_issues


def test_an_issue_names_its_location_by_keyword() -> None:
    """log.error(code, message, file=..., row=...): no run of positional Nones."""
    log = IssueLog()
    log.error("missing-value", "File 'f.xlsx', row 3: empty.", file="f.xlsx", sheet="tasks", row=3)
    log.info("csv-delimiter", "File 'f.csv': read as tab-separated values.", file="f.csv")
    frame = log.to_frame().astype(object)
    frame = frame.where(frame.notna(), None)
    assert frame[["file", "sheet", "row", "code", "severity"]].to_numpy().tolist() == [
        ["f.xlsx", "tasks", 3, "missing-value", "error"],
        ["f.csv", None, None, "csv-delimiter", "info"],
    ]


def test_the_issues_table_has_the_same_dtypes_whatever_its_rows() -> None:
    """No issue, issues with every location, and issues naming no sheet, column or value:
    the same dtypes (texts, and ``row`` Int64). An empty table had object columns, and a
    column no issue filled in was an object one, so the Parquet file's schema changed."""
    full, bare = IssueLog(), IssueLog()
    full.warning("zero-hours", "m", file="f.csv", sheet="tasks", row=3, column="c", value=0)
    bare.info("csv-delimiter", "File 'f.csv': read as tab-separated values.", file="f.csv")
    dtypes = full.to_frame().dtypes.to_dict()
    assert bare.to_frame().dtypes.to_dict() == IssueLog().to_frame().dtypes.to_dict() == dtypes
    assert dtypes["row"] == "Int64" and pd.api.types.is_string_dtype(dtypes["message"])


def test_an_unknown_code_or_location_keyword_is_refused() -> None:
    """Codes come from ISSUE_CODES; a misspelt location keyword is a TypeError at once."""
    log = IssueLog()
    with pytest.raises(ValueError, match="unknown issue code"):
        log.warning("no-such-code", "message")
    with pytest.raises(TypeError):
        log.warning("zero-hours", "message", rows=3)


def _frame_by_records(log: IssueLog, batches: list[dict[str, Any]]) -> pd.DataFrame:
    """The issues table as it was built before issues were kept in batches: a record per
    issue, then pandas' stable sort (the exact path :meth:`IssueLog.to_frame` short-cuts)."""
    records = [
        {
            "file": b["file"],
            "sheet": b["sheet"],
            "row": row,
            "column": b["column"],
            "value": None if value is None else _show(value),
            "code": b["code"],
            "severity": b["severity"],
            "message": message,
        }
        for b in batches
        for message, row, value in zip(b["messages"], b["rows"], b["values"], strict=True)
    ]
    if not records:
        return empty_issues()
    df = pd.DataFrame.from_records(records, columns=list(ISSUE_COLUMNS))
    df["row"] = df["row"].astype("Int64")
    df = df.assign(
        **{k: _text_if_nothing_but_none(df[k].to_numpy()) for k in df if df[k].dtype == object}
    )
    order = df.assign(_sev=df["severity"].map({s: i for i, s in enumerate(SEVERITIES)}))
    order = order.sort_values(
        ["_sev", "file", "sheet", "row", "column", "code", "message"],
        kind="stable",
        na_position="first",
    )
    return order.drop(columns="_sev").reset_index(drop=True)


@pytest.mark.parametrize("seed", range(40))
def test_the_issues_table_is_sorted_as_pandas_sorts_a_record_per_issue(seed: int) -> None:
    """Batches ranked once, messages compared only among ties: the same table, values and
    dtypes, as sorting a record per issue (missing rows, sheets and columns, ties on every
    key but the message, identical issues, every value missing, no issue at all)."""
    rng = random.Random(seed)
    codes = ["missing-value", "not-a-number", "zero-hours", "unknown-role", "csv-delimiter"]
    batches = []
    for _ in range(rng.randint(0, 12)):
        n = rng.randint(0, 6)
        batches.append(
            {
                "severity": rng.choice(SEVERITIES),
                "code": rng.choice(codes),
                "file": rng.choice(["b.csv", "a.csv", "ä.xlsx", "A.csv"]),
                "sheet": rng.choice([None, "roles", "tasks", "Roles"]),
                "column": rng.choice([None, "fte", "task", "column B"]),
                "rows": [rng.choice([None, -1, 0, 2, 3, 10, 11]) for _ in range(n)],
                "values": [rng.choice([None, "x", 7.5, "é" * 300]) for _ in range(n)]
                if rng.random() < 0.8
                else [None] * n,
                "messages": [rng.choice(["b", "a", "B", "a b", "é", "ab"]) for _ in range(n)],
            }
        )
    log = _log_of(batches)
    pd.testing.assert_frame_equal(
        log.to_frame(), _frame_by_records(log, batches), check_dtype=True, check_exact=True
    )
    assert log.has_errors == any(b["severity"] == "error" and b["messages"] for b in batches)


HOSTILE = [
    'it\'s "quoted"',
    "two\nlines\r\n",
    "tab\there",
    "naïve – 日本語 🙂",
    "",
    "x" * 5000,
    "\x00nul",
    "{braces} and %s",
]


def _hostile_batches(rng: random.Random) -> list[dict[str, Any]]:
    codes = ["missing-value", "hours-not-listed", "zero-hours", "csv-delimiter"]
    batches = []
    for _ in range(rng.randint(0, 8)):
        n = rng.randint(0, 5)
        batches.append(
            {
                "severity": rng.choice(SEVERITIES),
                "code": rng.choice(codes),
                "file": rng.choice([None, "a.csv", "naïve\n'file'.csv"]),
                "sheet": rng.choice([None, "roles", 'tâches "x"']),
                "column": rng.choice([None, "fte", "col\tumn"]),
                "rows": [rng.choice([None, 0, 2, 10**9]) for _ in range(n)],
                "values": [
                    rng.choice([None, float("nan"), 7.5, -0.0, 3, True, *HOSTILE]) for _ in range(n)
                ],
                "messages": [rng.choice(HOSTILE) for _ in range(n)],
            }
        )
    return batches


def _log_of(batches: list[dict[str, Any]]) -> IssueLog:
    log = IssueLog()
    for b in batches:
        log.add_many(
            b["severity"],
            b["code"],
            b["messages"],
            file=b["file"],
            sheet=b["sheet"],
            rows=b["rows"],
            column=b["column"],
            values=b["values"],
        )
    return log


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("setting", ["default", "no-inference", "python-strings"])
def test_the_issues_table_holds_hostile_texts_as_pandas_infers_them(
    seed: int, setting: str
) -> None:
    """Quotes, newlines, NUL, non-ASCII, long and empty texts, NaN and numbers as values,
    and all-missing keys: the table built in Arrow is the table pandas infers from a
    record per issue (values, order, dtypes, index), with string inference on (pandas 3's
    default), off, or storing texts as Python objects."""
    rng = random.Random(seed)
    batches = _hostile_batches(rng)
    options: dict[str, Any] = {
        "default": {},
        "no-inference": {"future.infer_string": False},
        "python-strings": {"mode.string_storage": "python"},
    }[setting]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # (future.infer_string is deprecated)
        warnings.simplefilter("ignore", DeprecationWarning)
        with pd.option_context(options) if options else contextlib.nullcontext():
            got = _log_of(batches).to_frame()
            want = _frame_by_records(_log_of(batches), batches)
            before = _frame_as_before(_log_of(batches))
    for other in (want, before):
        pd.testing.assert_frame_equal(got, other, check_dtype=True, check_exact=True)
    assert pickle.dumps(got) == pickle.dumps(before)  # (the blocks, dtypes and Arrow too)


def _frame_as_before(log: IssueLog) -> pd.DataFrame:
    """The table as :meth:`IssueLog.to_frame` built it before its text columns were made
    in Arrow: object arrays, each column's dtype left to pandas' inference."""
    batches = [b for b in log._batches if b.messages]
    if not batches:
        return empty_issues()
    sizes = [len(b.messages) for b in batches]
    messages = np.array([m for b in batches for m in b.messages], dtype=object)
    rows = np.array([np.nan if r is None else r for b in batches for r in b.rows], dtype=float)
    keys = [
        np.repeat([SEVERITIES.index(b.severity) for b in batches], sizes),
        *(np.repeat(_ranks([getattr(b, k) for b in batches]), sizes) for k in ("file", "sheet")),
        np.where(np.isnan(rows), 0, 1),
        np.nan_to_num(rows),
        *(np.repeat(_ranks([getattr(b, k) for b in batches]), sizes) for k in ("column", "code")),
    ]
    order = _tied_by(np.lexsort(keys[::-1]), keys, messages.__getitem__)
    columns: dict[str, Any] = {
        k: np.repeat(np.array([getattr(b, k) for b in batches], dtype=object), sizes)
        for k in ("file", "sheet", "column", "code", "severity")
    }
    columns["row"] = pd.array([r for b in batches for r in b.rows], dtype="Int64")
    columns["value"] = np.array([v for b in batches for v in b.shown], dtype=object)
    columns["message"] = messages
    return pd.DataFrame({k: _text_if_nothing_but_none(columns[k][order]) for k in ISSUE_COLUMNS})


def _text_if_nothing_but_none(values: Any) -> Any:
    """A column of objects all None as texts, where pandas' inference makes it objects:
    the one way the table differs from that inference (a text column whatever its rows)."""
    text = text_dtype()
    if text is None or not isinstance(values, np.ndarray) or values.dtype != object:
        return values
    if not len(values) or any(v is not None for v in values):
        return values
    return pd.array(values, dtype=pd.StringDtype(storage=text.storage, na_value=text.na_value))


@pytest.mark.parametrize(
    "records",
    [
        [{"file": 3, "value": 2.5}, {"file": 4, "value": None}],  # numbers where texts go
        [{"sheet": float("nan"), "value": float("nan")}, {"sheet": float("nan")}],
        [{"column": b"bytes", "file": "f"}, {"column": None, "file": "f"}],
        [{"value": "x"}, {"value": 1}, {"value": None}],  # texts mixed with a number
        [{"file": "f", "sheet": "s", "value": "v"}],
    ],
)
def test_columns_of_other_objects_are_left_to_pandas(records: list[dict[str, Any]]) -> None:
    """Records appended as they are (``extend``) may hold numbers, NaN or bytes where texts
    go, or nothing at all in a column: the table is still the one pandas infers from the
    objects, as before."""
    log = IssueLog()
    log.extend({"severity": "info", "code": "csv-delimiter", "message": "m", **r} for r in records)
    got, want = log.to_frame(), _frame_as_before(log)
    pd.testing.assert_frame_equal(got, want, check_dtype=True, check_exact=True)
    assert pickle.dumps(got) == pickle.dumps(want)


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("setting", ["default", "no-inference", "python-strings"])
def test_messages_kept_in_arrow_make_the_table_lists_of_them_make(seed: int, setting: str) -> None:
    """Batches whose messages were joined in Arrow and rows given as an int64 array (as
    validating gives a check's), among batches of Python texts and records appended as
    they are: the same table, pickled byte for byte, as every message and row an object."""
    rng = random.Random(seed)
    batches = _hostile_batches(rng)
    for b in batches:  # (each message its own object, as a message joined per row is)
        b["messages"] = [m.encode().decode() for m in b["messages"]]
    options: dict[str, Any] = {
        "default": {},
        "no-inference": {"future.infer_string": False},
        "python-strings": {"mode.string_storage": "python"},
    }[setting]
    arrow = IssueLog()
    for b in batches:
        messages, rows = b["messages"], b["rows"]
        if rng.random() < 0.7:
            messages = pa.array(messages, type=pa.large_string())
        if None not in rows and rng.random() < 0.7:  # rows as validating gives them
            rows = np.array(rows, dtype=np.int64)
        arrow.add_many(
            b["severity"],
            b["code"],
            messages,
            file=b["file"],
            sheet=b["sheet"],
            rows=rows,
            column=b["column"],
            values=b["values"],
        )
    lists = _log_of(batches)
    if rng.random() < 0.3:  # a record with no message at all: every message an object
        record = {"severity": "info", "code": "csv-delimiter", "message": None, "file": "a.csv"}
        arrow.extend([record])
        lists.extend([record])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        with pd.option_context(options) if options else contextlib.nullcontext():
            got, want = arrow.to_frame(), _frame_as_before(lists)
    pd.testing.assert_frame_equal(got, want, check_dtype=True, check_exact=True)
    assert pickle.dumps(got) == pickle.dumps(want)
    assert arrow.has_errors == lists.has_errors
    for header in (None, 0, 2, 10**9):
        headers = {(f, sh): header for f in ("a.csv", None) for sh in (None, "roles")}
        assert arrow.has_errors_outside_rows(headers) == lists.has_errors_outside_rows(headers)


@pytest.mark.parametrize("setting", ["default", "no-inference"])
def test_a_lone_surrogate_is_shown_as_its_escape(setting: str) -> None:
    """A text no file can hold (a lone surrogate) in a message, a value or a location is
    shown as its escape, so the table is made whatever pandas infers, and written out."""
    log = IssueLog()
    log.add_many(
        "warning",
        "zero-hours",
        ["bad \ud800", "good"],
        file="f\udcff.csv",
        sheet=None,
        rows=[2, 3],
        column="fte",
        values=["\udcff", None],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # (future.infer_string is deprecated)
        warnings.simplefilter("ignore", DeprecationWarning)
        options = {"future.infer_string": False} if setting == "no-inference" else {}
        with pd.option_context(options) if options else contextlib.nullcontext():
            got = log.to_frame()
    assert got["message"].tolist() == ["bad \\ud800", "good"]
    assert got["value"].tolist()[0] == "\\udcff"
    assert set(got["file"]) == {"f\\udcff.csv"}
    got.to_csv(index=False).encode("utf-8")  # (every text can be written)


def test_a_lone_surrogate_in_a_cell_is_taken_out_and_reported(tmp_path: Any) -> None:
    """A DataFrame of objects with lone surrogates in its cells: each is taken out of the
    text, as an invisible character is, with a warning naming the cell; the run's tables
    and files are written."""
    roles = pd.DataFrame(
        {
            "role_id": ["R1", "R2\ud800"],
            "role_title": ["Nurse\ud800", "Clerk"],
            "staff_group": ["Nurses & health visitors", "Central functions"],
            "fte": [1.0, 1.0],
            "contracted_hours": [37.5, 37.5],
        },
        dtype=object,
    )
    tasks = pd.DataFrame(
        {
            "role_id": ["R1", "R2\ud800"],
            "task": ["Write letters \udc80", "File notes"],
            "hours_per_week": [4.0, 5.0],
        },
        dtype=object,
    )
    inventory = genai_aug.load_inventory(roles, tasks)
    assert inventory.roles["role_id"].tolist() == ["R1", "R2"]
    assert inventory.roles["role_title"].tolist() == ["Nurse", "Clerk"]
    assert inventory.tasks["task"].tolist() == ["Write letters", "File notes"]
    found = inventory.issues[inventory.issues["code"] == "invisible-characters"]
    assert sorted(zip(found["sheet"], found["column"], found["row"], strict=True)) == [
        ("roles", "role_id", 1),
        ("roles", "role_title", 0),
        ("tasks", "role_id", 1),
        ("tasks", "task", 0),
    ]
    assert "'Write letters \\\\udc80'" in " ".join(found["message"])
    result = genai_aug.run(inventory)
    result.to_excel(tmp_path / "report.xlsx")
    result.to_csv(tmp_path / "csv")
