"""Collecting input problems as rows of the issues table."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from genai_aug._checks import CHECKS
from genai_aug._columns import ISSUE_COLUMNS
from genai_aug.errors import InventoryError, empty_issues

SEVERITIES = ("error", "warning", "info")

RAISED_OUTSIDE_THE_CHECKS: Final[dict[str, str]] = {
    # reading a file (genai_aug.loading, and the hostile-file guard genai_aug._guard)
    "file-not-found": "loading: the path does not exist",
    "unsupported-file": "loading: neither a workbook nor a CSV file",
    "unreadable-file": "loading and the guard: a file that cannot be opened or parsed",
    "file-too-large": "the guard: a file over the size limit",
    "suspicious-file": "the guard: a zip bomb, a huge part, or XML entities",
    "missing-tasks": "loading: a roles CSV or DataFrame given without its tasks",
    "tasks-not-used": "loading: a workbook given with a separate tasks file",
    "csv-encoding": "loading: a CSV file that is not UTF-8",
    "csv-delimiter": "loading: a CSV file separated by something other than commas",
    # finding the sheets and their headers (genai_aug.loading)
    "missing-sheet": "loading: no roles or tasks sheet",
    "ambiguous-sheet": "loading: two sheets could be the roles (or tasks) sheet",
    "sheet-chosen": "loading: a hidden copy of a sheet was set aside, or read",
    "rows-unaccounted": "loading: fewer rows read than the sheet's XML holds",
    "empty-sheet": "loading: a sheet with nothing in it",
    "missing-column": "loading: a required column not found",
    "duplicate-column": "loading: two columns for one field",
    "ignored-column": "loading: a column genai_aug does not read",
    # validation, of a sheet as a whole (genai_aug.validating)
    "no-rows": "validating: a sheet with a header row and no rows below it",
}
"""The codes raised by code other than the table of checks, and where.

Every other code is a row of :data:`genai_aug._checks.CHECKS` (``unknown-category`` is
also raised by scoring, for an inventory validated without the ruleset).
"""

ISSUE_CODES: Final = frozenset(RAISED_OUTSIDE_THE_CHECKS) | {c.code for c in CHECKS}
"""Every issue code genai_aug can report; docs/errors.md documents each (a test checks)."""


@dataclass(frozen=True)
class _Batch:
    """Issues recorded together: one check's finding on many rows of one column.

    What they share is held once; each issue has its own row, value and message.
    """

    severity: str
    code: str
    file: str | None
    sheet: str | None
    column: str | None
    rows: Any
    """A list of rows (None for none), or an int64 array of them (every issue has one)."""
    shown: list[str | None]
    messages: Any
    """A list of texts, or an Arrow array of them (see :meth:`IssueLog.add_many`)."""


class IssueLog:
    """An append-only list of issues that becomes the tidy issues table.

    Each issue has ``file, sheet, row, column, value, code, severity, message``;
    ``message`` is a full sentence in the house shape: what, where, expected,
    found, how to fix. Issues are kept in batches (see :meth:`add_many`), so that a
    check flagging many rows costs a list per field, not a record per row.
    """

    def __init__(self) -> None:
        self._batches: list[_Batch] = []

    def add(
        self,
        severity: str,
        code: str,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        """Record one issue: what (``code``, ``message``) and where (the keywords)."""
        self.add_many(
            severity,
            code,
            [message],
            file=file,
            sheet=sheet,
            rows=[row],
            column=column,
            values=[value],
        )

    def add_many(
        self,
        severity: str,
        code: str,
        messages: Any,
        *,
        file: str | None,
        sheet: str | None,
        rows: Sequence[int | None] | np.ndarray,
        column: str | None,
        values: Sequence[object],
    ) -> None:
        """Record one issue per message: one check's finding on many rows of one column.

        ``messages``: a sequence of texts, or an Arrow ``large_string`` array of them
        with no missing text (kept as it is, for :meth:`to_frame` to put in the table).
        ``rows``: a sequence (None for no row), or an int64 array (kept as it is).
        """
        if severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, got {severity!r}")
        if code not in ISSUE_CODES:
            raise ValueError(f"unknown issue code {code!r}: add it to ISSUE_CODES and the docs")
        if not len(messages) == len(rows) == len(values):
            raise ValueError("messages, rows and values must be as long as each other")
        self._batches.append(
            _Batch(
                severity,
                code,
                shown_text(file) if isinstance(file, str) else file,
                shown_text(sheet) if isinstance(sheet, str) else sheet,
                shown_text(column) if isinstance(column, str) else column,
                rows if _is_int64(rows) else list(rows),
                _shown(values),
                messages if _is_arrow(messages) else _shown_texts(list(messages)),
            )
        )

    def error(
        self,
        code: str,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        """Record an error (the row or file cannot be used as it is).

        ``log.error("missing-value", message, file=..., sheet=..., row=..., column=...)``.
        """
        self.add(
            "error", code, message, file=file, sheet=sheet, row=row, column=column, value=value
        )

    def warning(
        self,
        code: str,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        """Record a warning (the run goes on; the analyst should look)."""
        self.add(
            "warning", code, message, file=file, sheet=sheet, row=row, column=column, value=value
        )

    def info(
        self,
        code: str,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        """Record a note (something was normalised or ignored, as documented)."""
        self.add("info", code, message, file=file, sheet=sheet, row=row, column=column, value=value)

    def extend(self, records: Iterable[dict[str, Any]]) -> None:
        """Append already-built issue records (dicts with the issue columns as keys)."""
        self._batches.extend(
            _Batch(
                r.get("severity"),  # type: ignore[arg-type]
                r.get("code"),  # type: ignore[arg-type]
                r.get("file"),
                r.get("sheet"),
                r.get("column"),
                [r.get("row")],
                [r.get("value")],
                [r.get("message")],
            )
            for r in records
        )

    @property
    def has_errors(self) -> bool:
        """Whether any error has been recorded."""
        return any(b.severity == "error" and len(b.messages) for b in self._batches)

    def has_errors_outside_rows(
        self, header_rows: Mapping[tuple[str | None, str | None], int | None]
    ) -> bool:
        """Whether an error concerns a whole file or sheet rather than a row of data.

        Such an error (no row, or the sheet's header row: a duplicated or missing
        column) cannot be dealt with by setting rows aside, so it stops a run even when
        bad rows are being rejected. ``header_rows`` maps (file, sheet) to the row of
        that sheet's header.
        """
        return any(
            b.severity == "error"
            and (
                bool(np.any(b.rows == header_rows.get((b.file, b.sheet))))
                if _is_int64(b.rows)
                else any(row is None or row == header_rows.get((b.file, b.sheet)) for row in b.rows)
            )
            for b in self._batches
        )

    def to_frame(self) -> pd.DataFrame:
        """The issues as a DataFrame, in a stable order (file, sheet, row, column, code).

        Sorted by severity, then file, sheet, row, column, code and message, missing
        values first, ties kept in the order recorded. The keys each issue shares with
        its batch are ranked once per batch; messages are compared only among issues
        tied on every other key. The text columns are built in Arrow when pandas would
        infer them as ``str`` (see :func:`_text_column`): the same table, cell for cell
        and dtype for dtype, without pandas walking every row of every column.
        """
        batches = [b for b in self._batches if len(b.messages)]
        if not batches:
            return empty_issues()
        sizes = [len(b.messages) for b in batches]
        rows = np.concatenate(
            [
                b.rows.astype(np.float64)
                if _is_int64(b.rows)
                else np.array([np.nan if r is None else r for r in b.rows], dtype=np.float64)
                for b in batches
            ]
        )
        keys = [
            np.repeat(
                [SEVERITIES.index(b.severity) if b.severity in SEVERITIES else -1 for b in batches],
                sizes,
            ),
            *(
                np.repeat(_ranks([getattr(b, name) for b in batches]), sizes)
                for name in ("file", "sheet")
            ),
            np.where(np.isnan(rows), 0, 1),  # a missing row first
            np.nan_to_num(rows),
            *(
                np.repeat(_ranks([getattr(b, name) for b in batches]), sizes)
                for name in ("column", "code")
            ),
        ]
        messages = _Messages([b.messages for b in batches])
        order = _tied_by(np.lexsort(keys[::-1]), keys, messages.at)
        batch_of = np.repeat(np.arange(len(batches)), sizes)[order]
        text = text_dtype()
        columns: dict[str, Any] = {
            name: _text_column(
                np.array([getattr(b, name) for b in batches], dtype=object), batch_of, text
            )
            for name in ("file", "sheet", "column", "code", "severity")
        }
        columns["row"] = _row_column(batches, order)
        values = np.array([v for b in batches for v in b.shown], dtype=object)
        columns["value"] = _text_column(values, order, text)
        columns["message"] = messages.column(order, text)
        return pd.DataFrame({name: columns[name] for name in ISSUE_COLUMNS})

    def raise_if_errors(self) -> None:
        """Raise :class:`~genai_aug.errors.InventoryError` with every issue, if any is an error."""
        if self.has_errors:
            raise InventoryError(self.to_frame())


_TEXT_SUFFIXES: Final = (".csv", ".tsv", ".txt", ".tab")
_LETTERED: Final = re.compile(r"column [A-Z]{1,3}")
"""A column named by its letter, as a column without a header is ("column E")."""


def where(
    file: str | None, sheet: str | None, row: int | None = None, column: str | None = None
) -> str:
    """The location part of an issue message: "File 'f', sheet 's', row 3, column 'c'".

    A text file (CSV) has no sheets, so none is named ("File 'tasks.csv', row 3"; the
    issues table still holds the name its rows were read under); a column known only by
    its letter is named by it ("column E").
    """
    parts = [f"File '{file}'"]
    if sheet and not str(file).lower().endswith(_TEXT_SUFFIXES):
        parts.append(f"sheet '{sheet}'")
    if row is not None:
        parts.append(f"row {row}")
    if column:
        parts.append(column_part(column))
    return ", ".join(parts)


def column_part(column: str) -> str:
    """How a message names a column: "column 'hours_per_week'" (a header of more than 200
    characters cut, as values are), or "column E" for a column known only by its letter."""
    return column if _LETTERED.fullmatch(column) else f"column '{_show(column)}'"


def text_dtype() -> pd.StringDtype | None:
    """The dtype pandas gives a column of texts built from objects, when it is Arrow's.

    That is ``str`` (texts in Arrow, missing as NaN) while pandas infers strings
    (``future.infer_string``, on by default in pandas 3) and stores them in Arrow; with
    any other setting, None: the columns are then left for pandas to infer, as before.
    """
    dtype = pd.Series(np.array(["a"], dtype=object)).dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return dtype
    return None


def _text_column(values: np.ndarray, take: np.ndarray, text: pd.StringDtype | None) -> Any:
    """``values[take]`` as the issues table's column, a text column whatever its rows.

    A column of texts (missing as None) is built in Arrow once: from the few distinct
    values of a shared key, taken to every row, or from the row's texts. Pandas' own
    inference, given the objects, makes the same column (``str``, NaN for None) but
    walks every row more than once, and makes a column of nothing but None an object
    one: the table's schema (and its Parquet file's) then depended on whether any issue
    had, say, a column. A value that is not a text is left to that inference.
    """
    kinds = set(map(type, values))
    if text is None or not kinds <= {str, type(None)}:
        return values[take]
    import pyarrow as pa  # type: ignore[import-untyped]

    # (a dtype of its own, as inference gives each column: the frame's blocks are laid
    # out, and pickled, the same)
    dtype = pd.StringDtype(storage=text.storage, na_value=text.na_value)
    if len(values) < len(take):  # a key shared by batches: convert the few, then take
        return pd.array(pa.array(values, type=pa.large_string()).take(take), dtype=dtype)
    return pd.array(pa.array(values[take], type=pa.large_string()), dtype=dtype)


def _is_int64(rows: object) -> bool:
    return isinstance(rows, np.ndarray) and rows.dtype == np.int64


def _row_column(batches: list[_Batch], order: np.ndarray) -> Any:
    """The ``row`` column (``Int64``), issues in ``order``.

    What ``pd.array`` makes of the rows as objects (a missing row masked, over a 1),
    without an object per row where a batch's rows are an array.
    """
    if not any(_is_int64(b.rows) for b in batches):
        return pd.array([r for b in batches for r in b.rows], dtype="Int64")[order]
    parts = [b.rows if _is_int64(b.rows) else list(b.rows) for b in batches]
    masks = [
        np.zeros(len(p), dtype=bool)
        if isinstance(p, np.ndarray)
        else np.array([r is None for r in p], dtype=bool)
        for p in parts
    ]
    data = [
        p
        if isinstance(p, np.ndarray)
        else np.array([1 if r is None else r for r in p], dtype=np.int64)
        for p in parts
    ]
    mask = np.concatenate(masks)
    return pd.arrays.IntegerArray(np.concatenate(data), mask)[order]


def _is_arrow(values: object) -> bool:
    """Whether ``values`` is an Arrow array (pyarrow is only looked at once imported)."""
    pa = sys.modules.get("pyarrow")
    return pa is not None and isinstance(values, pa.Array)


class _Messages:
    """The messages of every batch, in order: lists of texts, or Arrow arrays of them."""

    def __init__(self, parts: list[Any]) -> None:
        self.parts = parts
        self.arrow = any(_is_arrow(p) for p in parts)
        self._objects: np.ndarray | None = None

    def objects(self) -> np.ndarray:
        """Every message as an object array (an Arrow text becomes a Python text)."""
        if self._objects is None:
            self._objects = np.array(
                [m for p in self.parts for m in (p.to_pylist() if _is_arrow(p) else p)],
                dtype=object,
            )
        return self._objects

    def at(self, positions: np.ndarray) -> np.ndarray:
        """The messages at ``positions``, as objects (asked for issues tied on every key)."""
        return np.asarray(self.objects()[positions])

    def column(self, order: np.ndarray, text: pd.StringDtype | None) -> Any:
        """The message column, issues in ``order`` (see :func:`_text_column`).

        Messages joined in Arrow stay there: the lists of other batches are converted
        and the whole taken in order, when every message is a text and the table holds
        its texts in Arrow; otherwise every message becomes an object, as before.
        """
        if (
            text is None
            or not self.arrow
            or not all(_is_arrow(p) or set(map(type, p)) <= {str} for p in self.parts)
        ):
            return _text_column(self.objects(), order, text)
        import pyarrow as pa

        joined = pa.concat_arrays(self._chunks(pa)).take(order)
        return pd.array(joined, dtype=pd.StringDtype(storage=text.storage, na_value=text.na_value))

    def _chunks(self, pa: Any) -> list[Any]:
        text = pa.large_string()
        return [p if _is_arrow(p) else pa.array(p, type=text) for p in self.parts]


def _ranks(values: Sequence[object]) -> list[int]:
    """Each value's place among the distinct values, in sorted order, missing (None) first."""
    distinct = sorted({v for v in values if v is not None})  # type: ignore[type-var]
    place = {v: i + 1 for i, v in enumerate(distinct)}
    return [0 if v is None else place[v] for v in values]


def _tied_by(
    order: np.ndarray, keys: list[np.ndarray], messages: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """``order`` with each run of issues tied on every key sorted by message (stably).

    ``messages(positions)``: the messages of the issues at ``positions``, as objects.
    """
    if len(order) < 2:
        return order
    tied = np.ones(len(order) - 1, dtype=bool)
    for key in keys:
        ranked = key[order]
        tied &= ranked[:-1] == ranked[1:]
    if not tied.any():
        return order
    # rank the messages of the tied issues only (the others are told apart by the keys)
    members = order[np.concatenate(([False], tied)) | np.concatenate((tied, [False]))]
    rank = np.zeros(len(order), dtype=np.int64)
    rank[members] = np.unique(messages(members), return_inverse=True)[1].ravel()
    return np.lexsort([rank, *keys[::-1]])


_SHOWN = 200
"""Characters of a value shown in the issues table (a longer one is cut, with "...")."""


def _shown(values: Sequence[object]) -> list[str | None]:
    """Each value as the issues table shows it (None stays None; see :func:`_show`).

    A short text shows as itself: a column of short texts (the cells of a check) is
    taken as it is, found so by two passes in C; any other, value by value.
    """
    if set(map(type, values)) == {str} and max(map(len, values)) <= _SHOWN:  # type: ignore[arg-type]
        joined = "".join(values)  # type: ignore[arg-type]
        if joined.isascii() or not _SURROGATE.search(joined):
            return list(values)  # type: ignore[arg-type]
    return [
        None
        if value is None
        else value
        if type(value) is str and len(value) <= _SHOWN and not _SURROGATE.search(value)
        else _show(value)
        for value in values
    ]


def _show(value: object) -> str:
    text = shown_text(str(value))
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


_SURROGATE = re.compile("[\ud800-\udfff]")


def shown_text(text: str) -> str:
    r"""``text`` as the issues table, messages and output files show it: each lone
    surrogate written as its escape (``\udcff``), any other text as it is.

    A lone surrogate is half of a broken character, or a byte of a file name that is not
    UTF-8 (Python reads such a name with one): a DataFrame's cell or a path can hold one,
    but no workbook, CSV or Parquet file can, nor the tables' Arrow text.

    Examples
    --------
    >>> shown_text("roles\udcff.csv")
    'roles\\udcff.csv'
    """
    return text if text.isascii() else _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _shown_texts(texts: list[str]) -> list[str]:
    """:func:`shown_text` of each of ``texts`` (the list itself if none holds a surrogate)."""
    try:
        joined = "".join(texts)
    except TypeError:  # (not all texts: left as they are)
        return texts
    if joined.isascii() or not _SURROGATE.search(joined):
        return texts
    return [shown_text(t) for t in texts]
