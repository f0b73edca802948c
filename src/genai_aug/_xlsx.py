"""Reading one worksheet's cells straight from its XML, whatever its ``<dimension>`` says.

openpyxl's read-only worksheets stop at the used range the sheet *declares*; some
writers leave that declaration stale, and rows past it would be lost without a word.
This module reads every ``<row>`` there is, keeps only the cells that hold a value
(so one stray cell at ``XFD1048576`` costs one cell, not a million padded rows), and
notes what the values alone do not say: which rows are hidden, which cells a merge
covers, and which numbers Excel shows as percentages.

The cells and the shared strings are read by one expat pass each, with callbacks
that do little (openpyxl's own readers, ElementTree under defusedxml's pure-Python
parser and a dict per cell, took about twice as long on a 200,000-task workbook). The
values are exactly openpyxl's with ``data_only=True``: anything the fast pass does not
model (a DTD, XML expat refuses, a row given twice, a cell shaped unusually, a date
out of range) sends the part to openpyxl's reader, whose answer or error stands.
``tests/test_xlsx_reader.py`` compares the two readers cell by cell.

:func:`count_value_rows` counts the rows that hold a value by a second, separate
parse of the same XML; loading compares the two counts so that a row the reader
missed is an error, not a silent loss.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from openpyxl.styles.numbers import BUILTIN_FORMATS_MAX_SIZE, builtin_format_code
from openpyxl.utils.cell import get_column_letter, range_boundaries
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
    """Every cell with a value of read-only worksheet ``ws`` of workbook ``wb``.

    The sheet is read by one expat pass (:func:`_read_sheet_fast`) that gives the
    values openpyxl's ``WorkSheetParser`` gives with ``data_only=True``. Anything that
    pass does not model exactly (a DTD, XML it cannot parse, a row given twice, a cell
    outside the usual ``<row><c><v>`` shape, a date out of range) sends the sheet to
    openpyxl's own parser instead, whose answer (or error) is then the sheet's.
    """
    try:
        return _read_sheet_fast(wb, ws)
    except Exception as fast:  # the slow reader is the arbiter of anything unusual
        try:
            return _read_sheet_openpyxl(wb, ws)
        except Exception as slow:
            # both readers failed the same way: the cell the fast pass was reading is
            # where the sheet is damaged (openpyxl's own error says only what)
            cell = getattr(fast, "cell", None)
            if cell is not None and type(slow) is type(fast) and str(slow) == str(fast):
                raise DamagedCellError(cell, slow) from slow
            raise


def _read_sheet_openpyxl(wb: Any, ws: Any) -> SheetRows:
    """:func:`read_sheet` by openpyxl's ``WorkSheetParser`` (ElementTree, per cell objects)."""
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
    return _sheet_rows(cells, hidden, parser.merged_cells)


def _sheet_rows(cells: dict[int, dict[int, Any]], hidden: set[int], merge_cells: Any) -> SheetRows:
    """The :class:`SheetRows` of the cells read, by row, and the sheet's ``<mergeCells>``."""
    merged: set[tuple[int, int]] = set()
    # a merge past the widest row's last value covers no value a column could have: a
    # merge D1:XFD1 costs four cells, not 16,384 (the hostile review's 20,000 such
    # merges took a minute and a gigabyte)
    widest = max((max(by_col) for by_col in cells.values() if by_col), default=0) + 1
    for rng in getattr(merge_cells, "mergeCell", None) or []:
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


class _UnusualXmlError(Exception):
    """The XML is outside what the fast reader models exactly: openpyxl reads it instead."""


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _C, _V, _IS, _SI, _T = (_MAIN + t for t in ("row", "c", "v", "is", "si", "t"))
_DIGITS = "0123456789"


def _et_name(name: str) -> str:
    """An expat name (``uri}local``, separator ``}``) as ElementTree writes it (``{uri}local``)."""
    return "{" + name if "}" in name else name


def _et_attrs(attrs: dict[str, str]) -> dict[str, str]:
    return {_et_name(k): v for k, v in attrs.items()}


def _expat(refuse: Any) -> Any:
    """A namespace-aware expat parser that calls ``refuse`` on any DTD or entity declaration."""
    import xml.parsers.expat

    parser = xml.parsers.expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    return parser


def _refuse(*_: object) -> None:
    raise _UnusualXmlError("a DTD or entity declaration")


def _worksheet_handlers(parser: Any) -> dict[str, Any]:
    """What openpyxl's ``WorkSheetParser.parse`` does with each element outside the rows.

    The same table as in openpyxl 3.1's ``parse`` (its dispatcher and properties): the
    fast reader hands these elements, built as ElementTree elements, to the same
    methods, so their warnings, errors and the merged cells are openpyxl's.
    """
    from openpyxl.worksheet import _reader as r

    dispatcher = {
        r.COL_TAG: parser.parse_column_dimensions,
        r.PROT_TAG: parser.parse_sheet_protection,
        r.EXT_TAG: parser.parse_extensions,
        r.CF_TAG: parser.parse_formatting,
        r.LEGACY_TAG: parser.parse_legacy,
        r.ROW_BREAK_TAG: parser.parse_row_breaks,
        r.COL_BREAK_TAG: parser.parse_col_breaks,
        r.CUSTOM_VIEWS_TAG: parser.parse_custom_views,
    }
    properties = {
        r.PRINT_TAG: ("print_options", r.PrintOptions),
        r.MARGINS_TAG: ("page_margins", r.PageMargins),
        r.PAGE_TAG: ("page_setup", r.PrintPageSetup),
        r.HEADER_TAG: ("HeaderFooter", r.HeaderFooter),
        r.FILTER_TAG: ("auto_filter", r.AutoFilter),
        r.VALIDATION_TAG: ("data_validations", r.DataValidationList),
        r.PROPERTIES_TAG: ("sheet_properties", r.WorksheetProperties),
        r.VIEWS_TAG: ("views", r.SheetViewList),
        r.FORMAT_TAG: ("sheet_format", r.SheetFormatProperties),
        r.SCENARIOS_TAG: ("scenarios", r.ScenarioList),
        r.TABLE_TAG: ("tables", r.TablePartList),
        r.HYPERLINK_TAG: ("hyperlinks", r.HyperlinkList),
        r.MERGE_TAG: ("merged_cells", r.MergeCells),
    }
    handlers: dict[str, Any] = dict(dispatcher)
    for tag, (name, kind) in properties.items():
        handlers[tag] = lambda el, name=name, kind=kind: setattr(parser, name, kind.from_tree(el))
    return handlers


def _read_sheet_fast(wb: Any, ws: Any) -> SheetRows:
    """:func:`read_sheet` by one expat pass; raises :class:`_UnusualXmlError` (or the parser's
    error) for anything it does not model exactly, for openpyxl to read instead.

    The values are those of openpyxl 3.1's ``WorkSheetParser.parse_cell`` with
    ``data_only=True``: ``t="s"`` a shared string, ``"b"`` a bool, ``"str"``/``"e"``
    and unknown types the text, ``"d"`` an ISO 8601 date, ``"n"`` (or none) an int or
    float as ``_cast_number`` casts it, a date, time or duration when the cell's style
    has a date or duration format, and ``"inlineStr"`` the ``<is>`` text. Row numbers
    and columns come from ``r`` attributes, or count on from the last one as openpyxl's do.
    """
    from xml.etree.ElementTree import TreeBuilder

    from openpyxl.cell.text import Text
    from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple
    from openpyxl.utils.datetime import from_excel, from_ISO8601

    percent = _percent_styles(wb)
    dates, durations, epoch = wb._date_formats, wb._timedelta_formats, wb.epoch
    strings = ws._shared_strings
    parser = WorkSheetParser(
        None,
        strings,
        data_only=True,
        epoch=epoch,
        date_formats=dates,
        timedelta_formats=durations,
    )
    handlers = _worksheet_handlers(parser)
    columns: dict[str, int] = {}  # column letters -> 1-based index, as openpyxl reads them

    cells: dict[int, dict[int, Any]] = {}
    element: dict[int, int] = {}  # row number -> the <row> element (counted) that holds it
    hidden: set[int] = set()
    row_hidden: dict[int, bool] = {}  # openpyxl's row_dimensions, as far as 'hidden' goes
    styles: dict[str, int] = {}  # s="..." -> its int, as openpyxl casts it for every cell
    # states: 0 outside rows, 1 in a row, 2 in a cell, 3 in its first <v>, 4 skipping a
    # cell's other child, 5 building its first <is>, 6 building an element outside the
    # rows that openpyxl handles (merges, views, validations...)
    state = 0
    depth = 0
    index = -1
    row_counter = col_counter = 0
    row_text = "0"  # str(row_counter): a cell's row digits are mostly just this
    cell_attrs: dict[str, str] = {}
    text: str | None = None  # the first <v>'s text ("" once it starts), None before
    inline: Any = None  # the first <is>, built
    tree: Any = None
    cur_row = -1  # the last row number a cell of this <row> element went to
    cur_cells: dict[int, Any] = {}

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal state, depth, index, row_counter, row_text, col_counter, cell_attrs, text
        nonlocal inline, tree, cur_row, cur_cells
        if state == 2:
            if name == _V and text is None:
                state, text = 3, ""
            elif name == _IS and inline is None:
                state, depth, tree = 5, 1, TreeBuilder()
                tree.start(_et_name(name), _et_attrs(attrs))
            elif name == _ROW or _et_name(name) in handlers:
                raise _UnusualXmlError(name)
            else:
                state, depth = 4, 1
        elif state == 1:
            if name != _C:
                raise _UnusualXmlError(name)  # openpyxl reads any child of a row as a cell
            state = 2
            cell_attrs = attrs
            text = inline = None
        elif state == 0:
            if name == _ROW:
                index += 1
                r = attrs.get("r")
                if r is not None:
                    try:
                        row_counter = int(r)
                    except ValueError:
                        val = float(r)
                        if not val.is_integer():
                            raise
                        row_counter = int(val)
                else:
                    row_counter += 1
                row_text = str(row_counter)
                col_counter = 0
                if len(attrs) - ("r" in attrs) - ("spans" in attrs) and any(
                    k not in ("r", "spans") and "}" not in k for k in attrs
                ):
                    row_hidden[row_counter] = str(attrs.get("hidden", "")).lower() in _TRUE
                state, cur_row = 1, -1
            elif _et_name(name) in handlers:
                state, depth, tree = 6, 1, TreeBuilder()
                tree.start(_et_name(name), _et_attrs(attrs))
        elif state == 4:
            if name == _ROW or _et_name(name) in handlers:
                raise _UnusualXmlError(name)
            depth += 1
        elif state == 5 or state == 6:
            if name == _ROW or (state == 5 and _et_name(name) in handlers):
                raise _UnusualXmlError(name)  # openpyxl would read that row, or handle that element
            depth += 1
            tree.start(_et_name(name), _et_attrs(attrs))
        else:  # an element inside <v>: ElementTree's text would stop at it
            raise _UnusualXmlError(name)

    def end(name: str) -> None:
        nonlocal state, depth, col_counter, inline, tree, cur_row, cur_cells
        if state == 3:
            state = 2
        elif state == 2:
            state = 1
            a = cell_attrs
            s: Any = a.get("s")
            if s:
                sid = styles.get(s)
                if sid is None:
                    sid = styles[s] = int(s)
            else:
                sid = s if s is not None else 0  # s="" stays "", as in openpyxl
            ref = a.get("r")
            if ref:
                letters = ref.rstrip(_DIGITS)
                column = columns.get(letters)
                if column is None:
                    row, column = coordinate_to_tuple(ref)
                    if letters.isalpha():
                        columns[letters] = column_index_from_string(letters)
                else:
                    digits = ref[len(letters) :]
                    row = row_counter if digits == row_text else int(digits)
                col_counter = column
            else:
                col_counter += 1
                row, column = row_counter, col_counter
            t = a.get("t")
            value: Any = text
            if value and t != "inlineStr":
                if t == "s":
                    value = strings[int(value)]
                elif t is None or t == "n":
                    value = (
                        float(value) if "." in value or "E" in value or "e" in value else int(value)
                    )
                    if sid in dates:
                        try:
                            value = from_excel(value, epoch, timedelta=sid in durations)
                        except (OverflowError, ValueError):
                            raise _UnusualXmlError(
                                "a date out of range"
                            ) from None  # openpyxl warns
                    elif sid in percent:
                        value = PercentCell(value)
                elif t == "b":
                    value = bool(int(value))
                elif t == "d":
                    value = from_ISO8601(value)
            elif t == "inlineStr" and inline is not None:
                value = Text.from_tree(inline).content
            else:
                return
            if row == cur_row:
                cur_cells[column - 1] = value
                return
            by_column = cells.get(row)
            if by_column is None:
                by_column = cells[row] = {}
                element[row] = index
            elif element[row] != index:
                raise _UnusualXmlError(
                    "a repeated row"
                )  # openpyxl's reading raises RepeatedRowError
            cur_row, cur_cells = row, by_column
            by_column[column - 1] = value
        elif state == 1:
            state = 0
            if row_hidden.get(row_counter):
                hidden.add(row_counter)
        elif state == 4:
            depth -= 1
            if not depth:
                state = 2
        elif state == 5:
            depth -= 1
            built = tree.end(_et_name(name))
            if not depth:
                inline, tree, state = built, None, 2
        elif state == 6:
            depth -= 1
            built = tree.end(_et_name(name))
            if not depth:
                tree, state = None, 0
            if built.tag in handlers:  # as openpyxl's iterparse loop: handled, then cleared
                handlers[built.tag](built)
                built.clear()

    def chars(data: str) -> None:
        nonlocal text
        if state == 3:
            text += data  # type: ignore[operator]
        elif state >= 5:
            tree.data(data)

    xml = _expat(_refuse)
    xml.StartElementHandler = start
    xml.EndElementHandler = end
    xml.CharacterDataHandler = chars
    with ws._get_source() as src:
        try:
            xml.ParseFile(src)
        except (ValueError, TypeError, IndexError, KeyError) as exc:
            if state == 1:
                # (a cell's end: its reference, or the row and count it was given)
                ref = cell_attrs.get("r") or f"{get_column_letter(max(col_counter, 1))}{row_text}"
                exc.cell = ref  # type: ignore[union-attr]
            raise
    return _sheet_rows(cells, hidden, parser.merged_cells)


def open_workbook(file: str) -> Any:
    """The read-only, values-only openpyxl workbook of ``file``, shared strings read fast.

    ``openpyxl.load_workbook(file, read_only=True, data_only=True)`` but for its shared
    strings, read by :func:`_read_strings_fast` (one expat pass) unless that pass meets
    something it does not model, when openpyxl's own reader reads them (and says what
    is wrong, if anything is).
    """
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.reader.strings import read_string_table
    from openpyxl.xml.constants import SHARED_STRINGS

    class Reader(ExcelReader):  # type: ignore[misc]
        def read_strings(self) -> None:
            ct = self.package.find(SHARED_STRINGS)
            if ct is None:
                return
            part = ct.PartName[1:]
            try:
                with self.archive.open(part) as src:
                    self.shared_strings = _read_strings_fast(src)
            except Exception:  # openpyxl's reader is the arbiter of anything unusual
                with self.archive.open(part) as src:
                    self.shared_strings = read_string_table(src)

    reader = Reader(file, read_only=True, data_only=True)
    reader.read()
    return reader.wb


def _read_strings_fast(source: Any) -> list[str]:
    """openpyxl's ``read_string_table`` by one expat pass (raises :class:`_UnusualXmlError` for
    what it does not model, for openpyxl's reader to read instead).

    Each ``<si>`` that is one plain ``<t>`` is its text; any other ``<si>`` (rich text
    runs, phonetic guides, attributes) is built as an ElementTree element and read by
    openpyxl's ``Text.from_tree(...).content``, as openpyxl reads it. Either way
    ``x005F_`` is removed, as openpyxl removes it.
    """
    from xml.etree.ElementTree import TreeBuilder

    from openpyxl.cell.text import Text

    strings: list[str] = []
    # states: 0 outside <si>, 1 in a plain <si>, 2 in its <t>, 3 after its </t>,
    # 4 building an <si> that is not plain
    state = 0
    depth = 0
    text: str | None = None
    t_attrs: dict[str, str] = {}
    tree: Any = None

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal state, depth, text, t_attrs, tree
        if state == 1 and name == _T:
            state, text, t_attrs = 2, None, attrs
        elif state == 0:
            if name == _SI:
                if attrs:
                    tree, depth, state = TreeBuilder(), 1, 4
                    tree.start(_et_name(name), _et_attrs(attrs))
                else:
                    state = 1
        elif state == 4:
            if name == _SI:
                raise _UnusualXmlError(name)
            depth += 1
            tree.start(_et_name(name), _et_attrs(attrs))
        elif state == 2:
            raise _UnusualXmlError(name)  # an element inside <t>: ElementTree's text stops at it
        else:  # a second child of a plain <si>: built and read as openpyxl reads it
            if name == _SI:
                raise _UnusualXmlError(name)
            tree, depth = TreeBuilder(), 2
            tree.start(_et_name(_SI), {})
            if state == 3:
                tree.start(_et_name(_T), _et_attrs(t_attrs))
                if text is not None:
                    tree.data(text)
                tree.end(_et_name(_T))
            state = 4
            tree.start(_et_name(name), _et_attrs(attrs))

    def end(name: str) -> None:
        nonlocal state, depth, tree
        if state == 2:
            state = 3
        elif state == 4:
            depth -= 1
            built = tree.end(_et_name(name))
            if not depth:
                strings.append(Text.from_tree(built).content.replace("x005F_", ""))
                tree, state = None, 0
        elif state != 0:  # the end of a plain <si>
            strings.append((text or "").replace("x005F_", "") if state == 3 else "")
            state = 0

    def chars(data: str) -> None:
        nonlocal text
        if state == 2:
            text = data if text is None else text + data
        elif state == 4:
            tree.data(data)

    xml = _expat(_refuse)
    xml.StartElementHandler = start
    xml.EndElementHandler = end
    xml.CharacterDataHandler = chars
    xml.ParseFile(source)
    return strings


class DamagedCellError(ValueError):
    """A cell whose value neither reader can read (``TRUE`` in a boolean cell, a shared
    string that is not there, a date that is not one): ``cell`` is its reference."""

    def __init__(self, cell: str, error: BaseException) -> None:
        super().__init__(f"cell {cell}: {type(error).__name__}: {error}")
        self.cell = cell
        self.error = error


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

    parser = _expat(refuse)  # (buffered text: one call per run of text)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.ParseFile(source)
    return rows


QUICK_COUNT_MAX_BYTES = 256 * 1024 * 1024
"""A sheet's XML larger than this is counted by streaming (:func:`count_value_rows`) only."""

_CELL_BODY = rb"[^<]*(?:<(?!/c>)[^<]*)*"  # anything up to the first </c>
_ROW_OF_CELLS = re.compile(  # a row element whose children are all <c> elements
    rb"<row(?:\s[^>]*)?(?<!/)>((?:\s*<c(?:\s[^>]*)?(?:/>|(?<!/)>"
    + _CELL_BODY
    + rb"</c>))*)\s*</row>"
)
_ROW_START = re.compile(rb"<row[\s/>]")
_EMPTY_ROW = re.compile(rb"<row(?:\s[^>]*)?/>")
_HOLDS_VALUE = re.compile(rb"<v(?:\s[^>]*)?(?<!/)>[^<]|<is[\s/>]")
_ELEMENT_IN_VALUE = re.compile(rb"<v(?:\s[^>]*)?(?<!/)><(?!/v>)")
_PREFIXED = re.compile(rb"<[^\s>/!?]+:(?:row|c|v|is)[\s/>]")


def count_value_rows_quick(data: bytes) -> int | None:
    """:func:`count_value_rows` by byte patterns, or None where they might not be exact.

    The sheet's XML is well-formed (it has been read). Without comments, CDATA, a DTD or
    processing instructions, ``<`` starts a tag wherever it stands; then in rows that
    are unprefixed and hold only ``<c>`` elements, without elements inside a ``<v>``, a
    row holds a value exactly when one of its ``<v>`` starts with text or it has an
    ``<is>``, as :func:`count_value_rows` says. Anything else is None, for
    :func:`count_value_rows` to count. Loading takes
    this count when it agrees with the reader's and asks the expat count otherwise, so
    a disagreement is always judged by the exact count; the patterns share nothing with
    the reader, so a row the reader loses still shows.
    """
    if (
        b"<!" in data  # a comment, CDATA or a DTD
        or data.find(b"<?", 1) != -1
        or _PREFIXED.search(data)
        or _ELEMENT_IN_VALUE.search(data)
    ):
        return None
    rows = elements = 0
    for match in _ROW_OF_CELLS.finditer(data):
        elements += 1
        if _HOLDS_VALUE.search(data, *match.span(1)):
            rows += 1
    # every <row> is a row of cells or empty, once each: else a row held something else
    if data.count(b"</row>") != elements:
        return None
    if len(_ROW_START.findall(data)) != elements + len(_EMPTY_ROW.findall(data)):
        return None
    return rows
