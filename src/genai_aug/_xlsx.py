"""Reading one worksheet's cells straight from its XML, whatever its ``<dimension>`` says.

openpyxl's read-only worksheets stop at the used range the sheet *declares*; some
writers leave that declaration stale, and rows past it would be lost without a word.
This module reads every ``<row>`` there is, keeps only the cells that hold a value
(so one stray cell at ``XFD1048576`` costs one cell, not a million padded rows), and
notes what the values alone do not say: which rows are hidden, which cells a merge
covers, and which numbers Excel shows as percentages.

:func:`count_value_rows` counts the rows that hold a value by a second, separate
parse of the same XML; loading compares the two counts so that a row the reader
missed is an error, not a silent loss.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from openpyxl.styles.numbers import BUILTIN_FORMATS_MAX_SIZE, builtin_format_code
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet._reader import WorkSheetParser

from genai_aug._cells import PercentCell

_TRUE = ("1", "true")


@dataclass(frozen=True)
class SheetRows:
    """The cells of one sheet that hold a value, by Excel row number.

    ``rows`` are ``(row number, values from column A)`` in row order, each list ending
    at the row's last value; rows without any value are left out. ``hidden_rows``
    are the rows Excel hides (filtered out or hidden by hand); ``merged`` the
    ``(row, 0-based column)`` cells a merge covers other than its first cell.
    """

    rows: list[tuple[int, list[Any]]]
    hidden_rows: frozenset[int]
    merged: frozenset[tuple[int, int]]


def _percent_styles(wb: Any) -> frozenset[int]:
    """Indices of the cell styles whose number format shows a percentage (``0%``)."""
    out = set()
    custom = list(wb._number_formats)
    for idx, style in enumerate(wb._cell_styles):
        fid = int(style.numFmtId)
        if fid < BUILTIN_FORMATS_MAX_SIZE:
            fmt = builtin_format_code(fid) or ""
        else:
            fmt = custom[fid - BUILTIN_FORMATS_MAX_SIZE] if fid - 164 < len(custom) else ""
        # a % inside quotes or after a backslash is literal text, not the percent format
        if "%" in re.sub(r'"[^"]*"|\\.', "", str(fmt)):
            out.add(idx)
    return frozenset(out)


def read_sheet(wb: Any, ws: Any) -> SheetRows:
    """Every cell with a value of read-only worksheet ``ws`` of workbook ``wb``."""
    percent = _percent_styles(wb)
    cells: dict[int, dict[int, Any]] = {}
    element: dict[int, int] = {}  # row number -> the <row> element (counted) that holds it
    hidden: set[int] = set()
    with ws._get_source() as src:
        parser = WorkSheetParser(
            src,
            ws._shared_strings,
            data_only=True,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        for index, (number, row) in enumerate(parser.parse()):
            attrs = parser.row_dimensions.get(str(number), {})
            if str(attrs.get("hidden", "")).lower() in _TRUE:
                hidden.add(number)
            for cell in row:
                value = cell["value"]
                if value is None:
                    continue
                if (
                    cell["style_id"] in percent
                    and isinstance(value, int | float)
                    and not isinstance(value, bool)
                ):
                    value = PercentCell(value)
                r = int(cell["row"])
                by_column = cells.get(r)
                if by_column is None:
                    by_column = cells[r] = {}
                    element[r] = index
                elif element[r] != index:
                    # a second <row r="5">, or row 7's cells labelled as row 8: keeping
                    # one would silently overwrite the other
                    raise RepeatedRowError(r)
                by_column[int(cell["column"]) - 1] = value
        merged: set[tuple[int, int]] = set()
        # a merge past the widest row's last value covers no value a column could have: a
        # merge D1:XFD1 costs four cells, not 16,384 (the hostile review's 20,000 such
        # merges took a minute and a gigabyte)
        widest = max((max(by_col) for by_col in cells.values() if by_col), default=0) + 1
        for rng in getattr(parser.merged_cells, "mergeCell", None) or []:
            min_col, min_row, max_col, max_row = range_boundaries(rng.ref)
            if None in (min_col, min_row, max_col, max_row):
                continue
            # only the rows that hold data matter; a merge may span a whole column
            for r in cells if max_row - min_row > len(cells) else range(min_row, max_row + 1):
                if not min_row <= r <= max_row:
                    continue
                for c in range(min_col, min(max_col, widest) + 1):
                    if (r, c) != (min_row, min_col):
                        merged.add((r, c - 1))
    rows = []
    for number in sorted(cells):
        by_column = cells[number]
        values: list[Any] = [None] * (max(by_column) + 1)
        for j, v in by_column.items():
            values[j] = v
        rows.append((number, values))
    return SheetRows(rows, frozenset(hidden), frozenset(merged))


class RepeatedRowError(ValueError):
    """The sheet's XML gives values to the same row number in two ``<row>`` elements."""

    def __init__(self, row: int) -> None:
        super().__init__(f"row {row} is repeated")
        self.row = row


def count_value_rows(source: Any) -> int:
    """How many ``<row>`` elements of a sheet's XML hold a value (a second, separate parse).

    A cell holds a value when it has a non-empty ``<v>`` or an inline string ``<is>``,
    which is exactly when :func:`read_sheet` keeps it. Elements are counted as they
    stand, whatever row numbers they or their cells claim, so two elements claiming the
    same row count twice. ``source`` is the open part. The count streams the XML through
    expat with no tree (no DTD or entities allowed), so it costs a fraction of the read
    it checks.
    """
    import xml.parsers.expat

    rows = 0
    in_row = row_has_value = in_cell = in_value = has_value = False
    tags: dict[str, str] = {}  # element name (with its namespace) -> local name

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal in_row, row_has_value, in_cell, in_value, has_value
        tag = tags.get(name) or tags.setdefault(name, name.rpartition("}")[2])
        if tag == "c":
            in_cell, has_value = True, False
        elif in_cell and tag == "v":
            in_value = True
        elif in_cell and tag == "is":
            has_value = True
        elif tag == "row":
            in_row, row_has_value = True, False

    def end(name: str) -> None:
        nonlocal rows, in_row, row_has_value, in_cell, in_value
        tag = tags.get(name) or tags.setdefault(name, name.rpartition("}")[2])
        if tag == "v":
            in_value = False
        elif tag == "c":
            row_has_value = row_has_value or has_value
            in_cell = False
        elif tag == "row" and in_row:
            rows += row_has_value
            in_row = False

    def text(data: str) -> None:
        nonlocal has_value
        if in_value and data:
            has_value = True

    def refuse(*_: object) -> None:
        raise ValueError("the sheet declares a DTD or XML entities")

    parser = xml.parsers.expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True  # one call per run of text, not one per chunk or entity
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ParseFile(source)
    return rows
