"""Loading: read a role and task inventory from Excel, CSV or DataFrames.

This stage only reads. It finds the header row, maps users' headers to the
canonical column names (:mod:`genai_aug._columns`), drops wholly blank rows and
records where every remaining row came from (file, sheet, row). Checking the
values is :mod:`genai_aug.validating`'s job.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import itertools
import os
import re
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final, Protocol, cast

import numpy as np
import pandas as pd

from genai_aug import _columns as col
from genai_aug._cells import Identities, _identities, identities_of_rows
from genai_aug._guard import (
    MAX_FILE_BYTES,
    check_size,
    check_workbook_file,
    file_issue,
    parse_failure,
)
from genai_aug._issues import IssueLog, shown_text, where
from genai_aug._raw import RawTable
from genai_aug.errors import ArgumentTypeError, InventoryError
from genai_aug.inventory import ErrorMode, Inventory, ValidationOptions
from genai_aug.rules import Ruleset
from genai_aug.validating import validate

_HEADER_SCAN_ROWS = 50
"""How many rows with values are searched for the header row."""
EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:  # NaN
        return True
    return isinstance(value, str) and not value.strip()


def _find_header_row(rows: Sequence[tuple[int, Sequence[Any]]], table: dict[str, str]) -> int:
    """Index of the first row (of the first few with values) naming two known columns, or -1."""
    for i, (_, row) in enumerate(rows[:_HEADER_SCAN_ROWS]):
        hits = {col.canonical_header(v, table) for v in row if not _is_blank(v)} - {None}
        if len(hits) >= 2:
            return i
    return -1


class _Cells(Protocol):
    """A sheet's cells as read, whichever reader read them (see :func:`_table_from_cells`)."""

    numbers: np.ndarray
    """Row number of each row read, as the user sees it (int64, increasing)."""
    text_only: bool
    """Whether every cell is known to be text or None (see :func:`_blank_mask`)."""

    def head(self, k: int) -> list[tuple[int, list[Any]]]:
        """The first ``k`` rows read, as ``(row number, cell values)``."""

    def column(self, j: int) -> np.ndarray:
        """The values of 0-based column ``j`` in every row read (object; None: no value)."""

    def used(self, start: int, skip: set[int]) -> set[int]:
        """The columns, other than ``skip``, with a value in row ``start`` (0-based) or after."""

    def identities(self, j: int) -> Identities | None:
        """:func:`~genai_aug._cells.by_identity` of :meth:`column`, if the reader knows it."""

    def vouched_plain(self, j: int) -> bool:
        """Whether the reader knows :meth:`column` to hold only None and plain text that
        reads as itself (see :func:`_arrow_plain`)."""


class _RowCells:
    """Cells given row by row (workbooks, and CSV files read by the exact path)."""

    text_only = False

    def __init__(self, rows: Sequence[tuple[int, Sequence[Any]]]) -> None:
        self.rows = rows
        self.numbers = np.fromiter((n for n, _ in rows), dtype=np.int64, count=len(rows))

    def head(self, k: int) -> list[tuple[int, list[Any]]]:
        return [(number, list(row)) for number, row in self.rows[:k]]

    def column(self, j: int) -> np.ndarray:
        return np.fromiter(
            (row[j] if j < len(row) else None for _, row in self.rows),
            dtype=object,
            count=len(self.rows),
        )

    def used(self, start: int, skip: set[int]) -> set[int]:
        # only the cells outside ``skip`` are looked at: past the last skipped column,
        # a row's cells are sliced off whole
        width = max(skip, default=-1) + 1
        inside = [j for j in range(width) if j not in skip]
        out: set[int] = set()
        for _, row in self.rows[start:]:
            for j in inside:
                if j < len(row) and not _is_blank(row[j]):
                    out.add(j)
            if len(row) > width:
                out.update(j for j, v in enumerate(row[width:], start=width) if not _is_blank(v))
        return out

    def identities(self, j: int) -> Identities | None:
        return None

    def vouched_plain(self, j: int) -> bool:
        return False


class _ColumnCells:
    """Cells given column by column, one object array per column (the fast CSV path)."""

    def __init__(
        self,
        numbers: np.ndarray,
        columns: list[np.ndarray],
        lines: int | None = None,
        text_only: bool = False,
        known: list[Identities | None] | None = None,
        plain: list[bool] | None = None,
    ) -> None:
        self.numbers = numbers
        self.columns = columns
        self.lines = lines
        """The text's lines as an editor numbers them, if counted (see :func:`_physical_lines`)."""
        self.text_only = text_only
        self.known = known or []
        """:func:`~genai_aug._cells.by_identity` of each column, where the reader knows it."""
        self.plain = plain or []
        """Whether each column is known to hold only None and plain text that reads as
        itself (see :func:`_arrow_plain`); False where not known."""

    def head(self, k: int) -> list[tuple[int, list[Any]]]:
        return [
            (int(self.numbers[i]), [c[i] for c in self.columns])
            for i in range(min(k, len(self.numbers)))
        ]

    def column(self, j: int) -> np.ndarray:
        if j < len(self.columns):
            return self.columns[j]
        return np.full(len(self.numbers), None, dtype=object)

    def used(self, start: int, skip: set[int]) -> set[int]:
        return {
            j
            for j, values in enumerate(self.columns)
            if j not in skip and not _blank_mask(values[start:], self.text_only).all()
        }

    def identities(self, j: int) -> Identities | None:
        return self.known[j] if j < len(self.known) else None

    def vouched_plain(self, j: int) -> bool:
        return j < len(self.plain) and self.plain[j]


def _blank_mask(values: np.ndarray, text_only: bool = False) -> np.ndarray:
    """:func:`_is_blank` of each value; without a Python call per value for text cells.

    ``text_only``: the values are known to be text or None (as CSV cells are), so their
    types need not be looked at.
    """
    if text_only or set(map(type, values)) <= {str, type(None)}:
        mask: np.ndarray = _identities(values) == id(None)  # exactly the Nones
        text = values[~mask]
        mask[~mask] = (text == "") | np.fromiter(map(str.isspace, text), bool, len(text))
        return mask
    return np.fromiter(map(_is_blank, values), dtype=bool, count=len(values))


def _table_from_rows(
    rows: Sequence[tuple[int, Sequence[Any]]],
    *,
    file: str,
    sheet: str,
    kind: str,
    log: IssueLog,
    hidden_rows: frozenset[int] = frozenset(),
    merged: frozenset[tuple[int, int]] = frozenset(),
) -> RawTable:
    """Build a :class:`RawTable` from ``(row number, cell values)`` pairs.

    Row numbers are as the user sees them (Excel rows, CSV lines; DataFrame positions
    with the header as -1). Rows missing from ``rows`` hold no value.
    """
    return _table_from_cells(
        _RowCells(rows),
        file=file,
        sheet=sheet,
        kind=kind,
        log=log,
        hidden_rows=hidden_rows,
        merged=merged,
    )


def _table_from_cells(
    cells: _Cells,
    *,
    file: str,
    sheet: str,
    kind: str,
    log: IssueLog,
    hidden_rows: frozenset[int] = frozenset(),
    merged: frozenset[tuple[int, int]] = frozenset(),
    from_csv: bool = False,
    head_fields: Sequence[Sequence[str]] = (),
) -> RawTable:
    """Build a :class:`RawTable` from a sheet's cells, column by column.

    Row numbers are as the user sees them (Excel rows, CSV lines; DataFrame positions
    with the header as -1). Rows missing from ``cells`` hold no value, except
    ``from_csv``, where every record is present and a gap in the numbering is the extra
    lines of a quoted line break. Only the header search looks at rows one by one (the
    first few); the rest works on whole columns.
    """
    table = col.ROLE_HEADER_TABLE if kind == col.ROLES_SHEET else col.TASK_HEADER_TABLE
    required = col.REQUIRED_ROLE_COLUMNS if kind == col.ROLES_SHEET else col.REQUIRED_TASK_COLUMNS
    head = cells.head(_HEADER_SCAN_ROWS)
    if not any(not _is_blank(v) for _, row in head for v in row) and not cells.used(0, set()):
        log.error(
            "empty-sheet",
            f"{where(file, sheet)}: the sheet is empty; expected a header row naming "
            f"{', '.join(required)} and one row per {kind[:-1]}.",
            file=file,
            sheet=sheet,
        )
        return RawTable(_empty_frame(), file, sheet, kind, None, 0, tuple(required))

    found = _find_header_row(head, table)
    h = max(found, 0)
    header_row_number, header = head[h]
    header_loc = header_row_number if header_row_number >= 1 else None  # None for DataFrames
    positions: dict[str, int] = {}
    unknown: list[tuple[str, int]] = []  # headers not known, and where: a missing one misspelt?
    for j, name in enumerate(header):
        if _is_blank(name):
            continue
        canonical = col.canonical_header(name, table)
        if canonical is None:
            unknown.append((str(name), j))
            log.info(
                "ignored-column",
                f"{where(file, sheet, header_loc, str(name))}: column not "
                "recognised, so it is ignored. See docs/input-format.md for the columns "
                "genai_aug reads.",
                file=file,
                sheet=sheet,
                row=header_loc,
                column=str(name),
            )
        elif canonical in positions:
            log.error(
                "duplicate-column",
                f"{where(file, sheet, header_loc, str(name))}: a second column "
                f"for '{canonical}'; expected one. Rename or delete one of them.",
                file=file,
                sheet=sheet,
                row=header_loc,
                column=str(name),
            )
        else:
            positions[canonical] = j

    missing = tuple(c for c in required if c not in positions)
    scanned = min(len(cells.numbers), _HEADER_SCAN_ROWS)
    not_found = (
        ""
        if found >= 0
        else f" (no header row found: none of the first {scanned} rows with values names "
        "two known columns, so the first was taken as the header)"
    )
    for c in missing:
        log.error(
            "missing-column",
            f"{where(file, sheet, header_loc)}: required column '{c}' not found{not_found}; "
            f"expected a header such as {_examples(c, kind)}. "
            f"{_did_you_mean(unknown, (c,), kind) or 'Add the column or rename the header.'}",
            file=file,
            sheet=sheet,
            row=header_loc,
            column=c,
        )

    # columns with values under a blank header: found cell by cell, never padding rows
    named = {j for j, name in enumerate(header) if not _is_blank(name)}
    used = cells.used(h + 1, named)
    if from_csv and named:
        # in a CSV file, a value past the header's last field is a record with more
        # fields than the header: each such row is named, as its values may be shifted
        width = _header_width(head_fields, header, max(named) + 1)
        past = {j for j in used if j >= width}
        _flag_wide_rows(cells, h, sorted(past), width, file, sheet, log)
        used -= past
    unnamed = [f"column {_column_letter(j)}" for j in sorted(used)]
    if kind == col.TASKS_SHEET and not {col.HOURS_PER_WEEK, col.PERCENT_OF_TIME} & set(positions):
        # each task's row says it has no hours; this says why, once, where it is
        advice = _did_you_mean(unknown, (col.HOURS_PER_WEEK, col.PERCENT_OF_TIME), kind)
        hint = (
            f" ({' and '.join(unnamed)} {'has' if len(unnamed) == 1 else 'have'} values "
            "under a blank header: a merged header cell?)"
            if unnamed
            else not_found
        )
        log.error(
            "missing-column",
            f"{where(file, sheet, header_loc)}: no column of hours: neither "
            f"'{col.HOURS_PER_WEEK}' nor '{col.PERCENT_OF_TIME}' found{hint}; expected a "
            f"header such as {_examples(col.HOURS_PER_WEEK, kind)} or "
            f"{_examples(col.PERCENT_OF_TIME, kind)}. "
            f"{advice or 'Add one of them or rename the header.'}",
            file=file,
            sheet=sheet,
            row=header_loc,
            column=col.HOURS_PER_WEEK,
        )
    for column in unnamed:  # (a warning: data the sheet holds is not read, unlike a named
        # column genai_aug does not know, which is the author's own, e.g. notes)
        log.warning(
            "ignored-column",
            f"{where(file, sheet, header_loc, column)}: values under a blank "
            "header (a merged header cell?), so they are ignored. Give the column a "
            "header if genai_aug should read it.",
            file=file,
            sheet=sheet,
            row=header_loc,
            column=column,
        )
    body_numbers = cells.numbers[h + 1 :]
    body = {c: cells.column(j)[h + 1 :] for c, j in positions.items()}
    # a row is kept when any read column has a value: each column is looked at only in
    # the rows that every column before it left blank; where the reader knows which
    # cells are one object, each distinct object is looked at once
    keep = np.zeros(len(body_numbers), dtype=bool)
    pending = np.arange(len(body_numbers))
    for c, values in body.items():
        if not len(pending):
            break
        known = cells.identities(positions[c])
        everyone = len(pending) == len(values)  # (no row taken yet: the cells as they are)
        if known is None:
            blank_cells = _blank_mask(values if everyone else values[pending], cells.text_only)
        else:
            codes, distinct = known
            blank_objects = _blank_mask(distinct, cells.text_only)
            if not blank_objects.any():  # (no cell of the column blank: every row kept)
                keep[pending] = True
                break
            blank_cells = blank_objects[codes[h + 1 :] if everyone else codes[h + 1 :][pending]]
        keep[pending[~blank_cells]] = True
        pending = pending[blank_cells]
    if positions and not keep.all():  # (with no column recognised, the header's errors say it)
        _flag_unread_rows(cells, h, ~keep, header, positions, used, file, sheet, log)
    # rows missing from the numbering hold no value at all (not so in CSV files)
    steps = np.diff(body_numbers, prepend=header_row_number) - 1
    blank = (0 if from_csv else int(np.clip(steps, 0, None).sum())) + int((~keep).sum())

    every = bool(keep.all())
    # each column its own array, not copied into one block: the cells are this table's
    # own (read for it, and let go of once it is built)
    frame = pd.DataFrame(
        {c: pd.Series(v if every else v[keep], dtype=object, copy=False) for c, v in body.items()},
        copy=False,
    )
    frame[col.SOURCE_FILE] = file
    frame[col.SOURCE_SHEET] = sheet
    # (the row numbers are the reader's, made for this table: not copied)
    frame[col.SOURCE_ROW] = pd.Series(
        body_numbers if every else body_numbers[keep], dtype="int64", copy=False
    )
    # what the reader knows of which cells are one object, for the rows kept
    rows: slice | np.ndarray = slice(h + 1, None) if every else np.flatnonzero(keep) + h + 1
    identities = {
        c: identities_of_rows(known, rows)
        for c, j in positions.items()
        if (known := cells.identities(j)) is not None
    }
    column_of = {j: c for c, j in positions.items()}
    merged_cells = frozenset((r, column_of[k]) for r, k in merged if k in column_of)
    return RawTable(
        frame,
        file,
        sheet,
        kind,
        header_loc,
        blank,
        missing,
        hidden_rows=frozenset(r for r in hidden_rows if r > header_row_number),
        merged_cells=merged_cells,
        identities=identities,
        plain=frozenset(c for c, j in positions.items() if cells.vouched_plain(j)),
    )


def _header_width(head_fields: Sequence[Sequence[str]], header: list[Any], named: int) -> int:
    """How many fields a CSV header has: with a blank last field ("a,b,c,d,") one more than
    its named ones, which the readers' columns (a blank field and no field both None)
    cannot tell; found among the file's first records as written, else ``named``."""
    values = [None if _is_blank(v) else v for v in header]
    for record in head_fields:
        written = [None if _is_blank(v) else v for v in record]
        if len(written) > named and written + [None] * (len(values) - len(written)) == values:
            return len(written)
    return named


def _flag_unread_rows(
    cells: _Cells,
    h: int,
    skipped: np.ndarray,
    header: list[Any],
    positions: dict[str, int],
    unnamed: set[int],
    file: str,
    sheet: str,
    log: IssueLog,
) -> None:
    """Warn about each row skipped as blank that has a value in a column not read (a
    note beside the table, under a header genai_aug does not know or none): it is left
    out as a blank row is, and named, so that no row with a value leaves no trace."""
    read = set(positions.values())
    named = {j for j, name in enumerate(header) if not _is_blank(name)}
    rows = np.flatnonzero(skipped)
    first: dict[int, int] = {}  # row (0-based, of the body) -> first column with a value
    for j in sorted((named - read) | unnamed):
        values = cells.column(j)[h + 1 :][rows]
        for i in rows[~_blank_mask(values, cells.text_only)].tolist():
            first.setdefault(i, j)
    for i, j in sorted(first.items()):
        column = str(header[j]) if j in named else f"column {_column_letter(j)}"
        row = int(cells.numbers[h + 1 + i])
        log.warning(
            "ignored-column",
            f"{where(file, sheet, row, column)}: the row's only values are in columns "
            "genai_aug does not read, so the row is left out, as a blank row is. Delete it "
            "if it is a note, or fill in the row.",
            file=file,
            sheet=sheet,
            row=row,
            column=column,
            value=cells.column(j)[h + 1 + i],
        )


def _flag_wide_rows(
    cells: _Cells,
    h: int,
    past: list[int],
    fields: int,
    file: str,
    sheet: str,
    log: IssueLog,
) -> None:
    """Warn about each CSV row with a value in a field past the header's last one."""
    if not past:
        return
    numbers = cells.numbers[h + 1 :]
    extra: dict[int, tuple[int, Any]] = {}  # row number -> its first value past the header
    for j in past:
        values = cells.column(j)[h + 1 :]
        for i in np.flatnonzero(~_blank_mask(values)):
            extra.setdefault(int(numbers[i]), (j, values[i]))
    for row, (j, value) in sorted(extra.items()):
        column = f"column {_column_letter(j)}"
        log.warning(
            "ignored-column",
            f"{where(file, sheet, row, column)}: the row has a value ('{value}') past the "
            f"header's last column, {_column_letter(fields - 1)}; expected at most {fields} "
            "fields, as the header has. A delimiter inside an unquoted value (a comma in a "
            "task, say) moves every value after it one column on, so this row's values may "
            "be in the wrong columns, and the extra one is ignored. Put the value that "
            'holds the delimiter in double quotes ("Check stock, 1"), or remove the '
            "delimiter.",
            file=file,
            sheet=sheet,
            row=row,
            column=column,
            value=value,
        )


def _column_letter(index: int) -> str:
    """Excel's letter for a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    n = index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _empty_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            col.SOURCE_FILE: pd.Series(dtype=object),
            col.SOURCE_SHEET: pd.Series(dtype=object),
            col.SOURCE_ROW: pd.Series(dtype="int64"),
        }
    )


def _did_you_mean(unknown: Sequence[tuple[str, int]], canonicals: Sequence[str], kind: str) -> str:
    """What to do when an unrecognised header is close to a name of a missing column (its
    canonical name or an alias, folded as headers are): "'Hours pr wk' (column C) is
    close: if it holds that column, rename it 'hours_per_week'.", or "" when none is.

    Close is a similar spelling (``difflib``, 0.75) or a header holding every word of a
    name besides *of*, *per* … ("Hrs/wk (approx)", "Time %", "Task name"). Phrased as a
    question of what the column holds, since a close name may be of another unit ("mins
    per week" is close to "hrs per week").
    """
    aliases = col.ROLE_ALIASES if kind == col.ROLES_SHEET else col.TASK_ALIASES
    names = {col.normalise_header(a): c for c in canonicals for a in (c, *aliases.get(c, ()))}
    words = {name: frozenset(name.split("_")) - _LINKING_WORDS for name in names}

    def match(header: str) -> str | None:
        key = col.normalise_header(header)
        spelt = difflib.get_close_matches(key, names, 1, 0.75)
        if spelt:
            return names[spelt[0]]
        held = frozenset(key.split("_"))
        return next((names[n] for n, w in words.items() if w and w <= held), None)

    close = [(name, j, c) for name, j in unknown if (c := match(name)) is not None][:3]
    if not close:
        return ""
    said = " and ".join(
        f"'{shown_text(name)[:60]}' (column {_column_letter(j)})" for name, j, _ in close
    )
    renames = " or ".join(dict.fromkeys(f"'{c}'" for _, _, c in close))
    return (
        f"{said} {'is' if len(close) == 1 else 'are'} close: if "
        f"{'it holds' if len(close) == 1 else 'one holds'} that column, rename it {renames}."
    )


_LINKING_WORDS: Final = frozenset({"of", "per", "a", "an", "the", "in", "each", "by"})


def _examples(canonical: str, kind: str) -> str:
    aliases = (col.ROLE_ALIASES if kind == col.ROLES_SHEET else col.TASK_ALIASES)[canonical]
    # (an alias may be the canonical name itself: "task", "band"; each name is said once)
    names = list(dict.fromkeys((canonical, *aliases)))[:3]
    return ", ".join(f"'{a}'" for a in names)


_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_COPY_NUMBER = re.compile(r"(?:\s*\(\s*\d+\s*\)|\d+)$")
"""Excel's name for a copied sheet ("tasks (2)"), or a number added by hand ("tasks1")."""


def _sheet_key(name: str) -> str:
    """A sheet name folded for matching: case, spaces, punctuation and invisible characters
    ignored, and a copy number ("tasks (2)", "tasks1") taken off."""
    text = _INVISIBLE.sub("", name).replace("\u00a0", " ").strip()
    return col.normalise_header(_COPY_NUMBER.sub("", text))


def _matching_sheets(names: Sequence[str], kind: str) -> list[str]:
    """Every sheet whose name, folded by :func:`_sheet_key`, is ``kind`` ("Task list", ...)."""
    keys = (kind, kind[:-1], f"{kind[:-1]}_list", f"{kind}_list")
    return [name for name in names if _sheet_key(name) in keys]


def _choose_sheet(wb: Any, kind: str, file: str, log: IssueLog) -> str | None:
    """The sheet to read for ``kind``: the one visible match; hidden ones only if alone.

    A match is any sheet whose name comes to ``kind`` once case, spaces, punctuation,
    invisible characters and a copy number are set aside, so that a copy ("tasks (2)")
    or a near-twin (a zero-width space in the name) is never passed over in silence. A
    hidden sheet is often a stale copy; a second visible match is ambiguous, and the
    names are given rather than a guess made.
    """
    names = _matching_sheets(wb.sheetnames, kind)
    if not names:
        return None
    visible = [n for n in names if wb[n].sheet_state == "visible"]
    hidden = [n for n in names if n not in visible]
    if len(visible) > 1 or (not visible and len(hidden) > 1):
        both = visible if len(visible) > 1 else hidden
        raise InventoryError(
            file_issue(
                file,
                "ambiguous-sheet",
                f"File '{file}': {len(both)} {'' if visible else 'hidden '}sheets could be "
                f"the {kind} sheet: {', '.join(repr(n) for n in both)}; expected one (a "
                "copy such as 'tasks (2)' counts, as do names differing only in case, "
                "spaces or invisible characters). Rename or delete the others.",
                sheet=kind,
            )
        )
    if visible:
        chosen = visible[0]
        renamed = _sheet_key(chosen) != col.normalise_header(chosen)
        if hidden:
            # a copy read while a sheet by the plain name lies hidden deserves a look
            log.add(
                "warning" if renamed else "info",
                "sheet-chosen",
                f"File '{file}': read the visible sheet {chosen!r} as the {kind} sheet; the "
                f"hidden sheet(s) {', '.join(repr(n) for n in hidden)} were not read. Delete "
                "them if they are stale copies.",
                file=file,
                sheet=chosen,
            )
        elif renamed:
            log.info(
                "sheet-chosen",
                f"File '{file}': read the sheet {chosen!r} as the {kind} sheet (no sheet is "
                f"named '{kind}'). Rename it '{kind}' to silence this.",
                file=file,
                sheet=chosen,
            )
        return chosen
    chosen = hidden[0]
    log.warning(
        "sheet-chosen",
        f"File '{file}': read the hidden sheet {chosen!r} as the {kind} sheet (there is no "
        "visible one). Unhide it, and check it is the current version.",
        file=file,
        sheet=chosen,
    )
    return chosen


def read_workbook(
    path: str | os.PathLike[str], log: IssueLog, max_bytes: int = MAX_FILE_BYTES
) -> tuple[RawTable, RawTable]:
    """Read the ``roles`` and ``tasks`` sheets of an Excel workbook (after the safety checks)."""
    # openpyxl is imported here (by _xlsx), not with the module: CSV and DataFrame
    # inventories (a national one is CSV) do not pay for importing it (about 0.2 s)
    from genai_aug._xlsx import (
        QUICK_COUNT_MAX_BYTES,
        DamagedCellError,
        RepeatedRowError,
        count_value_rows,
        count_value_rows_quick,
        open_workbook,
        read_sheet,
    )

    file = shown_text(str(path))
    check_workbook_file(Path(path), max_bytes)
    try:
        wb = open_workbook(str(path))
    except Exception as exc:  # any parser failure on a damaged file is the file's problem
        raise parse_failure(file, exc, "its XML", "") from None
    try:
        tables = []
        for kind in (col.ROLES_SHEET, col.TASKS_SHEET):
            sheet = _choose_sheet(wb, kind, file, log)
            if sheet is None:
                log.error(
                    "missing-sheet",
                    f"File '{file}': no '{kind}' sheet; found {wb.sheetnames}. Expected "
                    "sheets named 'roles' and 'tasks' (any case). Rename the sheet.",
                    file=file,
                    sheet=kind,
                )
                tables.append(
                    RawTable(
                        _empty_frame(),
                        file,
                        kind,
                        kind,
                        None,
                        0,
                        tuple(
                            col.REQUIRED_ROLE_COLUMNS
                            if kind == col.ROLES_SHEET
                            else col.REQUIRED_TASK_COLUMNS
                        ),
                    )
                )
                continue
            ws = wb[sheet]
            try:
                read = read_sheet(wb, ws)
                with ws._get_source() as source:
                    # (the patterns need the sheet's XML in memory: a huge one streams)
                    data = source.read(QUICK_COUNT_MAX_BYTES + 1)
                counted = (
                    None if len(data) > QUICK_COUNT_MAX_BYTES else count_value_rows_quick(data)
                )
                del data
                if counted != len(read.rows):  # (or None) the exact count judges
                    with ws._get_source() as source:
                        counted = count_value_rows(source)
            except RepeatedRowError as exc:
                raise InventoryError(
                    file_issue(
                        file,
                        "rows-unaccounted",
                        f"{where(file, sheet, exc.row)}: the file holds row {exc.row} twice (two "
                        f'<row r="{exc.row}"> elements, or another row\'s cells labelled as row '
                        f"{exc.row}); expected each row once, so one of them would be lost. "
                        "Open the workbook in Excel, check the rows around it, save it again "
                        "as .xlsx and retry.",
                        sheet=sheet,
                        row=exc.row,
                    )
                ) from None
            except DamagedCellError as exc:
                row = _cell_row(exc.cell)
                raise InventoryError(
                    file_issue(
                        file,
                        "unreadable-file",
                        f"{where(file, sheet, row)}, cell {exc.cell}: the cell cannot be read "
                        f"({type(exc.error).__name__}: {exc.error}); the "
                        "workbook is damaged there. Expected a value Excel wrote: open the "
                        "workbook in Excel, retype that cell, save it as .xlsx and retry.",
                        sheet=sheet,
                        row=row,
                    )
                ) from None
            except Exception as exc:  # damaged sheet XML: the file's problem, said as such
                raise parse_failure(
                    file, exc, f"sheet '{sheet}'", f"sheet '{sheet}' is damaged"
                ) from None
            _check_rows_accounted(file, sheet, counted, len(read.rows))
            tables.append(
                _table_from_rows(
                    read.rows,
                    file=file,
                    sheet=sheet,
                    kind=kind,
                    log=log,
                    hidden_rows=read.hidden_rows,
                    merged=read.merged,
                )
            )
    finally:
        wb.close()
    return tables[0], tables[1]


def _cell_row(cell: str) -> int | None:
    """The row number of a cell reference such as ``C5`` (None if it has none)."""
    digits = cell.lstrip("$ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz").lstrip("$")
    return int(digits) if digits.isdigit() else None


def _check_rows_accounted(file: str, sheet: str, counted: int, read: int) -> None:
    """Stop if the reader delivered fewer rows with values than the sheet's XML holds.

    The two counts come from separate parses, so a row lost by the reader (a stale
    ``<dimension>``, say) is caught here rather than vanishing before validation
    could count it. The XML's count is of ``<row>`` elements, not of the row numbers
    they claim, so two elements under one number cannot pass as one.
    """
    if counted != read:
        raise InventoryError(
            file_issue(
                file,
                "rows-unaccounted",
                f"File '{file}', sheet '{sheet}': {counted:,} rows hold values but {read:,} "
                "were read; expected every row to be read. This is a fault in genai_aug or "
                "an unusual workbook: open it in Excel, save it again as .xlsx and retry, "
                "and report the file if it persists.",
                sheet=sheet,
            )
        )


def _read_limited(path: Path, max_bytes: int) -> bytes:
    check_size(path, max_bytes)
    return path.read_bytes()


def read_csv_table(
    path: str | os.PathLike[str], kind: str, log: IssueLog, max_bytes: int = MAX_FILE_BYTES
) -> RawTable:
    """Read one CSV file (roles or tasks); rows are numbered as lines, the header being line 1.

    UTF-8 (with or without a byte-order mark) is expected; a file that is not UTF-8 is
    read as Windows-1252, Excel's usual CSV encoding in the UK, with a warning. The
    delimiter (comma, semicolon, tab or bar) is detected from the first lines.
    """
    file = shown_text(str(path))
    data = _read_limited(Path(path), max_bytes)
    text: str | None = None
    utf8: bytes | None
    if data.isascii() and b"\x00" not in data:
        # ASCII is UTF-8 as it is: _decode_csv would decode it character for character,
        # with nothing to say, so the text is made only where a path reading text needs it
        utf8, ascii_data = data, data
        sample = data[:8192].decode("ascii")
    else:
        text, utf8 = _decode_csv(file, data, log)
        ascii_data = None
        sample = text[:8192]
    del data

    def whole_text() -> str:
        nonlocal text
        if text is None:
            assert ascii_data is not None
            text = ascii_data.decode("ascii")
        return text

    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    if delimiter != ",":
        log.info(
            "csv-delimiter",
            f"File '{file}': read as {_DELIMITER_NAMES.get(delimiter, repr(delimiter))}-"
            "separated values.",
            file=file,
            sheet=Path(file).stem,
        )
    cells: _Cells | None = _csv_cells_fast(text, delimiter, utf8)
    del utf8
    if cells is None:
        cells = _RowCells(_csv_rows_exact(whole_text(), delimiter, file))
    lines = cells.lines if isinstance(cells, _ColumnCells) else None
    if len(cells.numbers) != (_physical_lines(whole_text()) if lines is None else lines):
        # some quoted field holds a line break: number records by the line they start on,
        # and refuse a quote left open that took in the records after it
        cells = _by_line(cells, whole_text(), delimiter, file)
    return _table_from_cells(
        cells,
        file=file,
        sheet=Path(file).stem,
        kind=kind,
        log=log,
        from_csv=True,
        head_fields=_head_fields(sample, delimiter, cut=len(sample) == 8192),
    )


def _head_fields(sample: str, delimiter: str, cut: bool) -> list[list[str]]:
    """The first records of a CSV text's start, as written (a header's blank last field
    is there, which the readers' columns cannot show); the last left out if ``cut``."""
    try:
        records = list(
            itertools.islice(
                csv.reader(io.StringIO(sample), delimiter=delimiter), _HEADER_SCAN_ROWS + 1
            )
        )
    except csv.Error:
        return []
    return records[:-1] if cut else records


def _physical_lines(text: str | bytes) -> int:
    """Lines of ``text`` as an editor numbers them (CR, LF and CRLF each end one).

    Text or its UTF-8 bytes (where CR and LF are single bytes, as in the text). A CSV
    file holds as many records as lines unless a quoted field holds a line break.
    """
    data = text.encode("ascii", "replace") if isinstance(text, str) else text
    if not data:
        return 0
    ends = _count_newlines(data)
    if b"\r" in data:  # a scan that stops early, where a count would not
        ends += data.count(b"\r") - data.count(b"\r\n")
    return ends + (not data.endswith((b"\n", b"\r")))


def _count_newlines(data: bytes) -> int:
    """``data.count(b"\n")``, counted by numpy a piece at a time: bytes.count looks at a
    byte at a time (60 ms for 88 MB), numpy's comparison several (15 ms)."""
    octets = np.frombuffer(data, dtype=np.uint8)
    return sum(
        int(np.count_nonzero(octets[start : start + _PIECE] == 10))
        for start in range(0, len(octets), _PIECE)
    )


_LINE_BREAK = r"\r\n|\r|\n"
_LINE_BREAKS = re.compile(_LINE_BREAK)
_SHOWN_SWALLOWED = 60
"""Characters of a swallowed line quoted in the message."""


def _by_line(cells: _Cells, text: str, delimiter: str, file: str) -> _Cells:
    """``cells`` renumbered by the line each record starts on (records are numbered 1, 2...).

    Only called when some quoted field holds a line break. Such a field is refused when
    it looks like a quote left open rather than a few lines of prose: it runs to the end
    of the file, or most of the lines it took in (at least two) hold as many delimiters
    as the first record, the way records do. Only the cells with a line break are looked
    at one by one.
    """
    n = len(cells.numbers)
    if not n:
        return cells
    multi = _cells_with_line_breaks(cells)  # (record, column, value, line breaks), in order
    spans = np.ones(n, dtype=np.int64)
    for i, _, _, k in multi:
        spans[i] += k
    numbers = np.concatenate(([1], 1 + np.cumsum(spans)[:-1])).astype(np.int64)
    first = next((row for _, row in cells.head(5) if any(v is not None for v in row)), [])
    fields = max((j + 1 for j, v in enumerate(first) if v is not None), default=0)
    last = (
        [c[-1] for c in cells.columns]
        if isinstance(cells, _ColumnCells)
        else cast(_RowCells, cells).rows[-1][1]
    )
    last_field = max((j for j, v in enumerate(last) if v is not None), default=-1)
    # a quote open at the end of the file: an odd number of quotes, the last not closing it
    odd_quotes = text.count('"') % 2 == 1 and not text[-4096:].rstrip("\r\n").endswith('"')
    record, before = -1, 0  # line breaks in the record's earlier fields
    for i, j, value, k in multi:
        if i != record:
            record, before = i, 0
        taken = re.split(_LINE_BREAK, value)[1:]
        # an open quote takes in everything to the end: the last field of the last record
        to_end = odd_quotes and i == n - 1 and j == last_field
        if to_end and taken and not taken[-1]:
            taken.pop()  # the file's last line break, inside the open quote
        like = [t for t in taken if fields >= 2 and t.count(delimiter) >= fields - 1]
        if to_end or (len(like) >= 2 and 2 * len(like) >= len(taken)):
            _refuse_open_quote(file, int(numbers[i]) + before, taken, like, to_end)
        before += k
    if isinstance(cells, _ColumnCells):
        return _ColumnCells(
            numbers, cells.columns, text_only=cells.text_only, known=cells.known, plain=cells.plain
        )
    rows = cast(_RowCells, cells).rows
    return _RowCells([(int(k), row) for k, (_, row) in zip(numbers, rows, strict=True)])


def _cells_with_line_breaks(cells: _Cells) -> list[tuple[int, int, str, int]]:
    """``(record, column, value, line breaks)`` of each cell holding a line break, in order.

    Column by column, each column is searched as one joined string, so the cost is a
    few passes in C per column plus a Python step per line break found.
    """
    if isinstance(cells, _RowCells):
        return [
            (i, j, v, len(_LINE_BREAKS.findall(v)))
            for i, (_, row) in enumerate(cells.rows)
            for j, v in enumerate(row)
            if isinstance(v, str) and ("\n" in v or "\r" in v)
        ]
    found = []
    for j, values in enumerate(cast(_ColumnCells, cells).columns):
        texts = pd.Series(values, dtype=object).fillna("").to_numpy()
        joined = "\x00".join(texts)  # no NUL in a CSV's text: it is refused on reading
        if "\n" not in joined and "\r" not in joined:
            continue
        lengths = np.fromiter(map(len, texts), np.int64, len(texts)) + 1
        starts = np.cumsum(lengths) - lengths
        at = np.fromiter((m.start() for m in _LINE_BREAKS.finditer(joined)), np.int64)
        index = np.searchsorted(starts, at, side="right") - 1
        counts = np.bincount(index, minlength=len(texts))
        found += [(int(i), j, str(values[i]), int(counts[i])) for i in np.flatnonzero(counts)]
    return sorted(found, key=lambda cell: (cell[0], cell[1]))


def _refuse_open_quote(
    file: str, line: int, taken: list[str], like: list[str], to_end: bool
) -> None:
    """Refuse a CSV file in which the quote opened on ``line`` took in the lines after it."""
    sheet = Path(file).stem
    last = line + len(taken)
    extent = (
        f"runs to the end of the file (line {last:,})"
        if to_end
        else f"is not closed until line {last:,}"
    )
    example = (like or taken)[0].strip()
    if len(example) > _SHOWN_SWALLOWED:
        example = example[: _SHOWN_SWALLOWED - 3] + "..."
    records = f", {len(like):,} of them laid out like records (such as '{example}')"
    raise InventoryError(
        file_issue(
            file,
            "unreadable-file",
            f'{where(file, sheet, line)}: a quote (") opened on line {line:,} {extent}, so '
            f"the {len(taken):,} line(s) after it were read as text inside one field"
            + (records if like else "")
            + "; expected each quoted field to be closed. Remove the stray quote on line "
            f'{line:,}, or double it ("") if it belongs in the text.',
            sheet=sheet,
            row=line,
        )
    )


def _decode_csv(file: str, data: bytes, log: IssueLog) -> tuple[str, bytes | None]:
    """A CSV file's text: UTF-16 with a byte-order mark or NULs, UTF-8, else Windows-1252.

    Also the text's UTF-8 bytes when the file holds them as they are (else None).
    """
    utf16 = _utf16(data)
    if utf16 is not None:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError as exc:
            raise InventoryError(
                file_issue(
                    file,
                    "unreadable-file",
                    f"File '{file}' looks like UTF-16 text (Excel's 'Unicode Text') but is "
                    f"damaged at byte {exc.start:,}; expected comma- or tab-separated text. "
                    "Export the sheet from Excel as 'CSV UTF-8'.",
                )
            ) from None
        log.info(
            "csv-encoding",
            f"File '{file}' is UTF-16 text (Excel's 'Unicode Text'); read it as such. "
            "'CSV UTF-8' is the usual format.",
            file=file,
            sheet=Path(file).stem,
        )
    else:
        nul = data.find(b"\x00")
        if nul >= 0:
            line = data.count(b"\n", 0, nul) + 1
            raise InventoryError(
                file_issue(
                    file,
                    "unreadable-file",
                    f"File '{file}' is not a text (CSV) file: it contains a NUL byte (byte "
                    f"{nul:,}, line {line:,}); expected comma-separated text. Export the "
                    "sheet from Excel as 'CSV UTF-8'.",
                )
            )
        try:
            text = data.decode("utf-8-sig")
            return text, data[3:] if data.startswith(codecs.BOM_UTF8) else data
        except UnicodeDecodeError as exc:
            text = data.decode("cp1252", errors="replace")
            log.warning(
                "csv-encoding",
                f"File '{file}' is not UTF-8 (byte {exc.start:,}: "
                f"{data[exc.start : exc.start + 1]!r}); read it as Windows-1252. Check "
                "accented letters, and save as 'CSV UTF-8' next time.",
                file=file,
                sheet=Path(file).stem,
            )
    return text, None


def _csv_rows_exact(text: str, delimiter: str, file: str) -> list[tuple[int, list[Any]]]:
    """The CSV's records read by :mod:`csv`, cell by cell: ``(record number, cells)``.

    The reference reading: empty cells are None, every other cell the text as written.
    :func:`_csv_cells_fast` gives the same cells faster, and hands over to this where
    it cannot be sure of that.
    """
    # a task text may be long (the same text loads from a workbook); the file's own
    # length bounds every field, and the size limit bounds the file
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    try:
        return [
            (number, [cell if cell != "" else None for cell in row])
            for number, row in enumerate(
                csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1
            )
        ]
    except csv.Error as exc:
        raise InventoryError(
            file_issue(
                file,
                "unreadable-file",
                f"File '{file}' could not be read as CSV: {exc}; expected comma-separated "
                "text. Export the sheet from Excel as 'CSV UTF-8'.",
            )
        ) from None


def _csv_cells_fast(
    text: str | None, delimiter: str, utf8: bytes | None = None
) -> _ColumnCells | None:
    """The cells :func:`_csv_rows_exact` reads, by a faster parser; None where unsure.

    pyarrow's CSV reader first (:func:`_csv_cells_arrow`), then pandas' C parser
    (:func:`_csv_cells_c`) for what pyarrow refuses; None when neither can be sure.
    Text either treats apart from :mod:`csv` (NUL, a second byte-order mark, which
    both would drop or misread) goes to the exact path at once. ``utf8`` is the
    text's UTF-8 bytes, if at hand; ``text`` may then be None when they are ASCII (no
    NUL), which are the text as they are.
    """
    if text is None:  # ASCII bytes: no NUL, no byte-order mark
        if not utf8:
            return None
    elif not text or "\x00" in text or text.startswith("\ufeff"):
        return None
    # bytes, for a StringIO would hold 4 bytes a character
    payload = cast(str, text).encode("utf-8") if utf8 is None else utf8
    lines = _physical_lines(payload)  # no fewer than the records
    return _csv_cells_arrow(payload, delimiter, lines) or _csv_cells_c(payload, delimiter, lines)


_ARROW_SAMPLE = 1 << 16
"""Cells of a column looked at to choose how its text objects are made (see below)."""


def _csv_cells_arrow(payload: bytes, delimiter: str, lines: int) -> _ColumnCells | None:
    """The cells :func:`_csv_rows_exact` reads, by pyarrow's CSV reader; None if it refuses.

    ``payload``: UTF-8 text without NUL or a leading byte-order mark (which pyarrow
    would drop, where :mod:`csv` keeps it in the first cell). Read with every column
    as text, nothing missing, blank lines kept and quoted line breaks allowed,
    pyarrow's reader follows :mod:`csv`'s rules (quotes doubled inside quoted
    fields, text after a closing quote kept, a quote inside an unquoted field kept,
    CR, LF and CRLF each ending a record) and reads a blank line as a record of empty
    cells, which is what padding makes of :mod:`csv`'s empty record. It refuses a
    record with another number of fields than the first: such a file, a wider record
    or a shorter one, goes to the next reader. The tests compare both readers with
    :mod:`csv` on random text full of quotes, line breaks and delimiters.

    The file is parsed as one block: parsed block by block (as its reader does by
    default, a mebibyte at a time, on several threads or one), pyarrow 26 drops the LF
    of a quoted CRLF whose CR ends a block, a cell :mod:`csv` reads whole. The one
    block's columns are converted on pyarrow's threads (the same table; a million task
    rows in about half the time of one thread).

    Each column's text objects are made once per distinct text (a dictionary of the
    column, worked out in C) where its first cells repeat, as in most columns of an
    inventory: equal cells are then one object, which later checks tell apart by
    address. A column of mostly distinct texts (ids) is converted cell by cell.
    """
    if not payload or payload.startswith(codecs.BOM_UTF8) or len(payload) >= 2**31 - 1:
        return None
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.csv as pa_csv  # type: ignore[import-untyped]

    # as many text columns as the first line has fields: a record with more or fewer
    # (the first too, if a quoted delimiter or line break is in it) is refused
    names = [f"f{j}" for j in range(_first_line_fields(payload, delimiter))]
    try:
        table = pa_csv.read_csv(
            io.BytesIO(payload),
            read_options=pa_csv.ReadOptions(
                use_threads=True,
                column_names=names,
                block_size=max(len(payload) + 1, 1 << 20),
            ),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=True,
                ignore_empty_lines=False,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=True,
            ),
        )
    except (pa.ArrowException, ValueError):  # a ragged record, or text it cannot take
        return None
    columns, known, plain = [], [], []
    while table.num_columns:  # each column let go of once converted
        values, identities, vouched = _arrow_texts(table.column(0))
        columns.append(values)
        known.append(identities)
        plain.append(vouched)
        table = table.remove_column(0)
    # (text_only: read as text, with no value missing, and the empty cells made None)
    return _ColumnCells(
        np.arange(1, len(columns[0]) + 1, dtype=np.int64),
        columns,
        lines,
        text_only=True,
        known=known,
        plain=plain,
    )


def _arrow_texts(column: Any) -> tuple[np.ndarray, Identities | None, bool]:
    """A pyarrow column of text as an object array, empty cells None (see above);
    :func:`~genai_aug._cells.by_identity` of it, where its dictionary says it; and
    whether its text is known to be plain (:func:`_arrow_plain`), which is only worked
    out for a column of mostly distinct texts (for the others, their few distinct
    objects are looked at)."""
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if len(column) == 0:
        return np.empty(0, dtype=object), None, False
    sample = column.slice(0, _ARROW_SAMPLE)
    if 2 * len(pc.unique(sample)) > len(sample):  # mostly distinct: cell by cell
        values: np.ndarray = column.to_numpy(zero_copy_only=False)
        offsets, data = _arrow_text_buffers(column)
        empty = offsets[1:] == offsets[:-1]
        if empty.any():
            values[empty] = None
        return values, None, _arrow_plain(offsets, data)
    # the dictionary holds each distinct text once, in the order it first appears: the
    # texts made from it are the distinct objects of the column, its indices their codes
    encoded = column.dictionary_encode()
    distinct = encoded.dictionary.to_numpy(zero_copy_only=False)
    distinct[distinct == ""] = None
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    taken: np.ndarray = distinct[codes]
    return taken, (codes, distinct), False


def _arrow_text_buffers(column: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(offsets, data)`` of a pyarrow string array with no nulls: text ``i`` is the
    bytes ``data[offsets[i] : offsets[i + 1]]`` (the buffers as they are, not copied)."""
    _, offsets_buffer, data_buffer = column.buffers()
    n = len(column)
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32)[column.offset : column.offset + n + 1]
    if data_buffer is None:
        return offsets, np.empty(0, dtype=np.uint8)
    return offsets, np.frombuffer(data_buffer, dtype=np.uint8)


def _arrow_plain(offsets: np.ndarray, data: np.ndarray) -> bool:
    """Whether every text that is not empty is plain ASCII text that reads as itself.

    The test :func:`~genai_aug._cells._all_plain` makes of the texts joined, made on the
    UTF-8 bytes of a pyarrow column (:func:`_arrow_text_buffers`) without making a
    text object: every byte a printable ASCII character (no control character, DEL or
    other character: a column holding any is looked at the exact way), no two spaces
    together, and no text starting or ending with a space or ending in ".0". False says
    only that the column is not vouched for here.
    """
    if len(offsets) < 2:
        return False
    text = data[offsets[0] : offsets[-1]]
    # 32 to 126: printable ASCII (two passes of C, no array made)
    if len(text) and (int(text.min()) < 32 or int(text.max()) > 126):
        return False
    # a piece at a time (overlapping by a byte, so that every pair is whole in some piece)
    for start in range(0, max(len(text) - 1, 1), _PIECE):
        spaces = text[start : start + _PIECE + 1] == 32
        if (spaces[1:] & spaces[:-1]).any():
            return False
    lengths = np.diff(offsets)
    ends = offsets[1:] - offsets[0]  # (each a text's last byte plus one)
    if not lengths.all():  # (empty texts have no first or last byte)
        ends, lengths = ends[lengths > 0], lengths[lengths > 0]
    last = text[ends - 1]
    if (last == 32).any() or (text[ends - lengths] == 32).any():
        return False
    # ".0" at the end: texts ending in "0", then those of two bytes or more among them
    zero = last == ord("0")
    if not zero.any():
        return True
    ends = ends[zero][lengths[zero] >= 2]
    return not (text[ends - 2] == ord(".")).any()


_PIECE = 1 << 20
"""Bytes of text looked at at once by :func:`_arrow_plain` (the working arrays stay small)."""


def _csv_cells_c(payload: bytes, delimiter: str, lines: int) -> _ColumnCells | None:
    """The cells :func:`_csv_rows_exact` reads, by pandas' C parser; None where unsure.

    The C tokenizer follows the same rules as :mod:`csv` (quotes doubled inside quoted
    fields, text after a closing quote kept, CR, LF and CRLF all ending a record,
    quoted line breaks kept), and reads a blank line as a record of empty cells. Given
    a number of columns, it refuses (rather than truncates) a wider record. It is given
    as many as the first line has fields, and if a record is wider, as many as the
    widest line has: wider still, which only line breaks inside quotes can make, and
    the file goes to the exact path, as does any parser warning, and a file whose
    records would pad out to far more cells than its text holds (a few very wide lines
    among many short ones). ``payload``: UTF-8 text without NUL or a leading
    byte-order mark; ``lines``: its lines (:func:`_physical_lines`).
    """
    widths: tuple[Callable[[], int], ...] = (
        lambda: _first_line_fields(payload, delimiter),
        lambda: _widest_line(payload, delimiter),
    )
    for width_of in widths:
        width = width_of()
        if width * lines > 2 * len(payload) + 1024:
            return None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                frame = pd.read_csv(
                    io.BytesIO(payload),
                    encoding="utf-8",
                    sep=delimiter,
                    header=None,
                    names=range(width),
                    index_col=False,
                    dtype=object,
                    na_filter=False,
                    keep_default_na=False,
                    skip_blank_lines=False,
                    engine="c",
                    quotechar='"',
                    quoting=csv.QUOTE_MINIMAL,
                    doublequote=True,
                    escapechar=None,
                    comment=None,
                    skipinitialspace=False,
                )
        except (ValueError, Warning):  # pandas' ParserError is a ValueError
            continue
        columns = []
        for j in range(frame.shape[1]):
            values = frame.iloc[:, j].to_numpy(dtype=object)
            empty = values == ""
            if empty.any():  # (else the cells as read, not a copy of them)
                values = values.copy()
                values[empty] = None
            columns.append(values)
        # (text_only: read as text, with no value missing, and the empty cells made None)
        return _ColumnCells(
            np.arange(1, len(frame) + 1, dtype=np.int64), columns, lines, text_only=True
        )
    return None


_FIRST_BYTES = re.compile(rb"[^\r\n]*")


def _first_line_fields(payload: bytes, delimiter: str) -> int:
    """How many fields the first line of ``payload`` has, split at every ``delimiter``
    (an ASCII character, which no other UTF-8 character's bytes contain)."""
    first = _FIRST_BYTES.match(payload)
    return (first.group() if first else b"").count(delimiter.encode("ascii")) + 1


def _widest_line(payload: bytes, delimiter: str) -> int:
    """Fields in the widest line, counting every delimiter, quoted or not.

    Lines end at CR or LF, as records do; a record within one line has at most as many
    fields as its line has delimiters plus one.
    """
    octets = np.frombuffer(payload, dtype=np.uint8)
    ends = octets == 10
    if b"\r" in payload:
        ends |= octets == 13
    breaks = np.flatnonzero(ends)
    del ends
    delimiters = np.flatnonzero(octets == ord(delimiter))
    before = np.searchsorted(delimiters, breaks)
    per_line = np.diff(before, prepend=0, append=len(delimiters))
    return int(per_line.max()) + 1


def _utf16(data: bytes) -> str | None:
    """The codec of UTF-16 text (with a byte-order mark, or ASCII with every other byte NUL)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = data[:4096]
    if len(head) >= 4 and len(head) % 2 == 0:
        if head[1::2].count(0) == len(head) // 2 and head[0::2].count(0) == 0:
            return "utf-16-le"
        if head[0::2].count(0) == len(head) // 2 and head[1::2].count(0) == 0:
            return "utf-16-be"
    return None


_DELIMITER_NAMES = {";": "semicolon", "\t": "tab", "|": "bar"}


def read_frame(frame: pd.DataFrame, kind: str, log: IssueLog) -> RawTable:
    """Read a DataFrame; rows are numbered by position, starting at 0, as in ``df.iloc``."""
    cells = [list(frame.columns), *frame.astype(object).to_numpy().tolist()]
    rows = [(number, row) for number, row in enumerate(cells, start=-1)]
    return _table_from_rows(rows, file="<DataFrame>", sheet=kind, kind=kind, log=log)


def load_inventory(
    roles: str | os.PathLike[str] | pd.DataFrame,
    tasks: str | os.PathLike[str] | pd.DataFrame | None = None,
    *,
    errors: ErrorMode = "raise",
    hours_tolerance: float = 0.05,
    max_bytes: int = MAX_FILE_BYTES,
    ruleset: Ruleset | None = None,
) -> Inventory:
    """Load and validate a role and task inventory.

    Parameters
    ----------
    roles : path or DataFrame
        An Excel workbook (``.xlsx``/``.xlsm``) with ``roles`` and ``tasks`` sheets;
        or the roles CSV file; or the roles DataFrame.
    tasks : path or DataFrame, optional
        The tasks CSV file or DataFrame, when ``roles`` is a CSV file or DataFrame.
    errors : {"raise", "reject"}, default "raise"
        ``"raise"``: if any row has an error, raise :class:`InventoryError` whose
        ``issues`` lists every problem. ``"reject"``: leave rows with errors out
        and list them in ``Inventory.issues``.
    hours_tolerance : float, default 0.05
        Share by which a role's task hours may exceed its contracted hours with a
        warning rather than an error.
    ruleset : Ruleset, optional
        Check each ``category_override`` against this ruleset's categories with the
        other checks (:func:`run` passes its ruleset); without it, overrides are checked
        when the tasks are scored.
    max_bytes : int, default 200 MiB
        Largest input file accepted. Workbooks are also refused if they would unpack
        to more than 50 times this, or declare XML entities (see :func:`check_workbook_file`).

    Returns
    -------
    Inventory
        Validated ``roles`` and ``tasks`` DataFrames, and the ``issues`` table.

    Raises
    ------
    InventoryError
        With ``errors="raise"``, when any row has an error.

    Examples
    --------
    >>> import pandas as pd
    >>> roles = pd.DataFrame({"Role ID": ["R1"], "Job title": ["Ward clerk"],
    ...                       "Staff group": ["Support to doctors, nurses & midwives"],
    ...                       "WTE": [2.0]})
    >>> tasks = pd.DataFrame({"Role ID": ["R1", "R1"],
    ...                       "Task": ["Book outpatient appointments", "Answer the ward phone"],
    ...                       "Hrs/week": [20, 17.5]})
    >>> inv = load_inventory(roles, tasks)
    >>> inv.tasks[["role_id", "task_id", "hours_per_week"]]
      role_id  task_id  hours_per_week
    0      R1  R1-T001            17.5
    1      R1  R1-T002            20.0
    """
    _check_argument("roles", roles, allow_none=False)
    _check_argument("tasks", tasks, allow_none=True)
    if isinstance(hours_tolerance, bool) or not isinstance(hours_tolerance, int | float):
        raise ArgumentTypeError(
            f"hours_tolerance must be a number (a fraction, e.g. 0.05), got {hours_tolerance!r}."
        )
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int):
        raise ArgumentTypeError(f"max_bytes must be a whole number of bytes, got {max_bytes!r}.")
    log = IssueLog()
    if isinstance(roles, pd.DataFrame):
        if not isinstance(tasks, pd.DataFrame):
            raise InventoryError(
                file_issue(
                    "<DataFrame>",
                    "missing-tasks",
                    "roles is a DataFrame, so tasks must be one too; got "
                    f"{type(tasks).__name__}. Pass the tasks DataFrame as tasks=.",
                )
            )
        roles_table = read_frame(roles, col.ROLES_SHEET, log)
        tasks_table = read_frame(tasks, col.TASKS_SHEET, log)
        source = "<DataFrame>"
    else:
        path = Path(roles)
        if not _exists(path):
            raise InventoryError(
                file_issue(str(path), "file-not-found", f"File '{path}' not found. Check the path.")
            )
        source = shown_text(str(path))
        _check_is_file(path)
        if path.suffix.lower() in EXCEL_SUFFIXES:
            if tasks is not None:
                raise InventoryError(
                    file_issue(
                        str(path),
                        "tasks-not-used",
                        f"File '{path}' is a workbook, which holds its own tasks sheet, but "
                        f"tasks were also given ({_describe(tasks)}); expected one or the "
                        "other. Leave out tasks= (--tasks), or pass the roles as CSV.",
                    )
                )
            roles_table, tasks_table = read_workbook(path, log, max_bytes)
        elif path.suffix.lower() == ".csv":
            if tasks is None or isinstance(tasks, pd.DataFrame):
                raise InventoryError(
                    file_issue(
                        str(path),
                        "missing-tasks",
                        f"File '{path}' is a roles CSV, so the tasks need a CSV file too; got "
                        f"{type(tasks).__name__}. Pass the tasks CSV file as tasks=.",
                    )
                )
            if not _exists(Path(tasks)):
                raise InventoryError(
                    file_issue(
                        str(tasks), "file-not-found", f"File '{tasks}' not found. Check the path."
                    )
                )
            _check_is_file(Path(tasks))
            roles_table = read_csv_table(path, col.ROLES_SHEET, log, max_bytes)
            tasks_table = read_csv_table(tasks, col.TASKS_SHEET, log, max_bytes)
            source = shown_text(f"{path} + {tasks}")
        else:
            raise InventoryError(
                file_issue(
                    str(path),
                    "unsupported-file",
                    f"File '{path}': unsupported file type '{path.suffix}'; expected an Excel "
                    "workbook (.xlsx) or a pair of CSV files. Save the workbook as .xlsx.",
                )
            )
    return validate(
        roles_table,
        tasks_table,
        log,
        source=source,
        errors=errors,
        options=ValidationOptions(
            hours_tolerance=hours_tolerance,
            categories=tuple((c.id, c.label) for c in ruleset.categories) if ruleset else (),
        ),
    )


def _check_argument(name: str, value: object, *, allow_none: bool) -> None:
    """Refuse an argument that is neither a path nor a DataFrame (``load_inventory(42)``)."""
    if value is None and allow_none:
        return
    if not isinstance(value, str | os.PathLike | pd.DataFrame):
        raise ArgumentTypeError(
            f"{name} must be a file path or a pandas DataFrame, got {type(value).__name__}. "
            "Pass the path of the workbook (or CSV file), or the DataFrame."
        )


def _describe(value: object) -> str:
    return "a DataFrame" if isinstance(value, pd.DataFrame) else f"'{value}'"


def _exists(path: Path) -> bool:
    """Whether ``path`` exists; a path the system cannot even look up (a name too long,
    a NUL byte) is an InventoryError saying so, not an OSError."""
    try:
        return path.exists()
    except (OSError, ValueError) as exc:
        shown = str(path) if len(str(path)) <= 80 else str(path)[:77] + "..."
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InventoryError(
            file_issue(
                shown,
                "file-not-found",
                f"File '{shown}' cannot be looked up ({reason}). Check the path.",
            )
        ) from None


def _check_is_file(path: Path) -> None:
    """Refuse a folder, or a file that cannot be opened, before reading it."""
    if path.is_dir():
        raise InventoryError(
            file_issue(
                str(path),
                "unreadable-file",
                f"File '{path}' is a folder; expected an Excel workbook or a CSV file. Check "
                "the path.",
            )
        )
    if path.exists() and not path.is_file():  # a pipe, socket or device: opening it may
        raise InventoryError(  # wait for ever, and it is no inventory anyway
            file_issue(
                str(path),
                "unreadable-file",
                f"File '{path}' is not a regular file (a pipe, socket or device); expected "
                "an Excel workbook or a CSV file. Save the inventory to a file first.",
            )
        )
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise InventoryError(
            file_issue(
                str(path),
                "unreadable-file",
                f"File '{path}' could not be opened ({exc.strerror or exc}). Check its "
                "permissions, and close it in any program that locks it.",
            )
        ) from None
