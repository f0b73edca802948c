"""The one-pass workbook reader gives exactly what openpyxl's reader gives, cell by cell.

``_xlsx._read_sheet_fast`` and ``_read_strings_fast`` replace openpyxl's
``WorkSheetParser`` and ``read_string_table`` for speed. Each test reads a workbook
both ways and compares every cell's type and value, the hidden rows, the merged cells
and the shared strings; XML the fast reader does not model must send the sheet to
openpyxl (the fast reader raises), so the answer, or the error, stays openpyxl's.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import random
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.reader.strings import read_string_table

import genai_aug
from genai_aug import _xlsx

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def _assert_rows_equal(fast: _xlsx.SheetRows, slow: _xlsx.SheetRows) -> None:
    assert [n for n, _ in fast.rows] == [n for n, _ in slow.rows]
    for (number, a), (_, b) in zip(fast.rows, slow.rows, strict=True):
        assert len(a) == len(b), number
        for j, (x, y) in enumerate(zip(a, b, strict=True)):
            assert _same(x, y), (number, j, x, y)
    assert fast.hidden_rows == slow.hidden_rows
    assert fast.merged == slow.merged


def assert_read_as_openpyxl_reads(path: Path) -> int:
    """Read every sheet of ``path`` by the fast reader (no fallback) and by openpyxl."""
    fast_wb = _xlsx.open_workbook(str(path))
    slow_wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    cells = 0
    try:
        fast_strings = fast_wb[fast_wb.sheetnames[0]]._shared_strings
        slow_strings = slow_wb[slow_wb.sheetnames[0]]._shared_strings
        assert len(fast_strings) == len(slow_strings)
        assert all(map(_same, fast_strings, slow_strings))
        for name in slow_wb.sheetnames:
            with warnings.catch_warnings(record=True) as fast_warned:
                warnings.simplefilter("always")
                fast = _xlsx._read_sheet_fast(fast_wb, fast_wb[name])
            with warnings.catch_warnings(record=True) as slow_warned:
                warnings.simplefilter("always")
                slow = _xlsx._read_sheet_openpyxl(slow_wb, slow_wb[name])
            _assert_rows_equal(fast, slow)
            assert [str(w.message) for w in fast_warned] == [str(w.message) for w in slow_warned]
            with fast_wb[name]._get_source() as src:
                data = src.read()
            # the quick row count, where it answers, is the expat count
            exact = _xlsx.count_value_rows(io.BytesIO(data))
            assert _xlsx.count_value_rows_quick(data) in (None, exact)
            cells += sum(v is not None for _, row in slow.rows for v in row)
    finally:
        fast_wb.close()
        slow_wb.close()
    return cells


# --- workbooks written by openpyxl, xlsxwriter and pandas ------------------------------------


def _random_value(rng: random.Random) -> Any:
    kind = rng.randrange(12)
    if kind == 0:  # (within Excel's dates: a date format may fall on it)
        return rng.randint(-600_000, 2_000_000)
    if kind == 1:
        return rng.choice([0.1, 1.5e-9, -2.25, 1e20, 3.0, 7.5, 1 / 3])
    if kind == 2:
        return rng.choice(["", " ", "Book clinic", "a_x005F_b", "x&y<z>", "é\u200b", "  pad  "])
    if kind == 3:
        return rng.choice([True, False])
    if kind == 4:
        return dt.datetime(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 900), hours=3)
    if kind == 5:
        return dt.time(rng.randint(0, 23), rng.randint(0, 59))
    if kind == 6:
        return dt.timedelta(hours=rng.randint(0, 60), minutes=15)
    if kind == 7:
        return CellRichText(["plain ", TextBlock(InlineFont(b=True), "bold")])
    if kind == 8:
        return "#N/A"
    if kind == 9:
        return dt.date(2023, rng.randint(1, 12), 1)
    return None


@pytest.mark.parametrize("seed", range(6))
def test_openpyxl_written_workbooks_read_the_same(tmp_path: Path, seed: int) -> None:
    """Random cells of every kind openpyxl writes (styles, rich text, hidden rows, merges)."""
    rng = random.Random(seed)
    wb = openpyxl.Workbook()
    if seed % 2:
        wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "tasks"
    formats = ["General", "0%", "0.00%", '0.0"%"', "[h]:mm", "h:mm", "yyyy-mm-dd", "0.00"]
    for r in range(1, 60):
        for c in range(1, rng.randint(1, 9)):
            value = _random_value(rng)
            if value is None:
                continue
            cell = ws.cell(r, c, value)
            if value == "#N/A":
                cell.data_type = "e"
            if isinstance(value, int | float) and not isinstance(value, bool):
                # (date formats only on numbers that are dates: others make openpyxl warn)
                cell.number_format = rng.choice(
                    formats if -600_000 < value < 2_900_000 else formats[:4]
                )
        if rng.random() < 0.1:
            ws.row_dimensions[r].hidden = True
    ws.cell(70, 200, "far")
    ws.cell(71, 1, 10**15)
    ws.merge_cells("B3:D4")
    ws.merge_cells("A10:A12")
    wb.create_sheet("roles").append(["role_id", 1, 2.5])
    path = tmp_path / "random.xlsx"
    wb.save(path)
    assert assert_read_as_openpyxl_reads(path) > 50


def test_xlsxwriter_written_workbook_reads_the_same(tmp_path: Path) -> None:
    """Shared strings, rich strings, formulas with results, booleans, dates, percent and
    duration formats, hidden rows, merges, filters, validations, data bars (extLst),
    hyperlinks and comments, as xlsxwriter writes them."""
    path = tmp_path / "xw.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("tasks")
    bold = book.add_format({"bold": True})
    pct = book.add_format({"num_format": "0%"})
    hours = book.add_format({"num_format": "[h]:mm"})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, ["role_id", "task", "hours", "share"])
    for r in range(1, 40):
        sheet.write_string(r, 0, f"R{r % 7}")
        sheet.write_string(r, 1, f"Task {r} x005F_ &")
        sheet.write_number(r, 2, r * 0.5)
        sheet.write_number(r, 3, r / 100, pct)
    sheet.write_rich_string(41, 0, "plain ", bold, "bold", " tail")
    sheet.write_formula(41, 1, "=1+1", None, 2)
    sheet.write_formula(41, 2, '="x"', None, "x")
    sheet.write_boolean(41, 3, True)
    sheet.write_number(42, 0, 1.5, hours)
    sheet.write_datetime(42, 1, dt.datetime(2024, 2, 29, 12), day)
    sheet.write_url(42, 2, "https://example.org", string="link")
    sheet.write_comment(42, 3, "a note")
    sheet.set_row(5, None, None, {"hidden": True})
    sheet.merge_range("E2:F3", "merged", bold)
    sheet.autofilter("A1:D40")
    sheet.data_validation("C2:C40", {"validate": "decimal", "criteria": ">=", "value": 0})
    sheet.conditional_format("C2:C40", {"type": "data_bar", "data_bar_2010": True})
    book.add_worksheet("roles").write_row(0, 0, ["role_id", "staff_group"])
    book.close()
    assert assert_read_as_openpyxl_reads(path) > 150


@pytest.mark.parametrize("engine", ["openpyxl", "xlsxwriter"])
def test_pandas_written_inventory_reads_the_same(tmp_path: Path, engine: str) -> None:
    """An inventory as pandas writes it, through either engine."""
    import pandas as pd

    roles = pd.DataFrame({"role_id": ["R1", "R2"], "fte": [1.0, 0.5], "headcount": [3, 4]})
    tasks = pd.DataFrame(
        {
            "role_id": ["R1", "R2", "R2"],
            "task": ["Book clinics", "Triage", "é"],
            "hours": [2, 1.5, 0],
        }
    )
    path = tmp_path / f"{engine}.xlsx"
    with pd.ExcelWriter(path, engine=engine) as writer:
        roles.to_excel(writer, sheet_name="roles", index=False)
        tasks.to_excel(writer, sheet_name="tasks", index=False)
    assert assert_read_as_openpyxl_reads(path) == 9 + 12
    with zipfile.ZipFile(path) as z:  # the quick count answers for what pandas writes
        counts = [
            _xlsx.count_value_rows_quick(z.read(f"xl/worksheets/sheet{i}.xml")) for i in (1, 2)
        ]
    assert counts == [3, 4]


def test_the_sample_workbook_reads_the_same() -> None:
    """The packaged sample inventory, every sheet."""
    path = Path(__file__).parents[1] / "data" / "sample_roles.xlsx"
    assert assert_read_as_openpyxl_reads(path) > 1000


# --- hand-made sheet XML: the corners of openpyxl's cell reading ------------------------------


def _base(tmp_path: Path) -> Path:
    """A workbook whose styles are 0 General, 1 ``0%``, 2 a date, 3 ``[h]:mm``, 4 a
    literal ``"%"``, with shared strings 'zero', 'one', 'two'."""
    path = tmp_path / "base.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("tasks")
    for j, fmt in enumerate(["0%", "yyyy-mm-dd", "[h]:mm", '0.0"%"']):
        sheet.write_number(0, j, 1, book.add_format({"num_format": fmt}))
    sheet.write_row(1, 0, ["zero", "one", "two"])
    book.close()
    return path


def _with_parts(path: Path, parts: dict[str, str], name: str = "case.xlsx") -> Path:
    out = path.with_name(name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename in parts:
                data = parts[item.filename].encode()
            dst.writestr(item, data)
    return out


def _sheet(rows: str, after: str = "", root: str = f'xmlns="{MAIN}"') -> str:
    return (
        # (a <dimension>, stale as it may be, spares openpyxl parsing the sheet to open it)
        f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet {root}><dimension ref="A1"/>'
        f"<sheetData>{rows}</sheetData>{after}</worksheet>"
    )


SHEETS = {
    "numbers": '<row r="1"><c r="A1"><v>42</v></c><c r="B1"><v>4.5</v></c><c r="C1"><v>1E3</v>'
    '</c><c r="D1" t="n"><v>-7</v></c><c r="E1"><v>2e-3</v></c><c r="F1"><v>007</v></c></row>',
    "types": '<row r="1"><c r="A1" t="s"><v>2</v></c><c r="B1" t="b"><v>1</v></c>'
    '<c r="C1" t="b"><v>0</v></c><c r="D1" t="e"><v>#N/A</v></c><c r="E1" t="str"><v>s</v></c>'
    '<c r="F1" t="d"><v>2024-01-02T03:04:05</v></c><c r="G1" t="zz"><v>odd</v></c>'
    '<c r="H1" t="inlineStr"><is><t>inline</t></is></c>'
    '<c r="I1" t="inlineStr"><is><r><t>ri</t></r><r><rPr><b/></rPr><t>ch</t></r></is></c>'
    '<c r="J1" t="inlineStr"><v>ignored</v></c><c r="K1" t="inlineStr"><is/></c>'
    '<c r="L1" t="inlineStr"><is><t>a_x005F_b</t></is></c><c r="M1" t="s"><v>-1</v></c></row>',
    "styles": '<row r="1"><c r="A1" s="1"><v>25</v></c><c r="B1" s="1"><v>0.25</v></c>'
    '<c r="C1" s="2"><v>45000.5</v></c><c r="D1" s="2"><v>0.75</v></c><c r="E1" s="2"><v>30</v>'
    '</c><c r="F1" s="3"><v>1.5</v></c><c r="G1" s="4"><v>12</v></c><c r="H1" s=""><v>3</v></c>'
    '<c r="I1" s="01"><v>0.5</v></c><c r="J1" s="1" t="str"><v>25%</v></c>'
    '<c r="K1" s="1" t="b"><v>1</v></c><c r="L1" s="0"><v>9</v></c></row>',
    "coordinates": '<row><c><v>1</v></c><c><v>2</v></c><c r="E1"><v>5</v></c><c><v>6</v></c>'
    '</row><row r="3.0"><c r="b3"><v>1</v></c><c r="XFD3"><v>2</v></c></row><row>'
    '<c r="A4"><v>4</v></c></row><row r="6"><c r="A7"><v>7</v></c><c r="B6"><v>6</v></c></row>'
    '<row r="9"><c r="A09"><v>9</v></c></row>',
    "empties": '<row r="1"><c r="A1"><v></v></c><c r="B1"/><c r="C1"><v/></c>'
    '<c r="D1" t="s"/><c r="E1" t="str"><v> </v></c></row><row r="2"/><row r="3">'
    '<c r="A3"/></row><row r="4"><c r="B4"><v>1</v></c></row>',
    "pretty": '\n  <row r="1">\n    <c r="A1" t="s">\n      <v>0</v>\n    </c>\n    <c r="B1" '
    't="str">\n      <v> padded </v>\n    </c>\n  </row>\n  <row r="2" spans="1:2">'
    '\n    <c r="A2"><v>\n3\n</v></c>\n  </row>\n',
    "hidden": '<row r="1" hidden="1"><c r="A1"><v>1</v></c></row><row r="2" hidden="true">'
    '<c r="A2"><v>2</v></c></row><row r="3" hidden="0"><c r="A3"><v>3</v></c></row>'
    '<row r="4" hidden="1"/><row r="5" customHeight="1" ht="30"><c r="A5"><v>5</v></c></row>'
    '<row r="6" xmlns:x14ac="urn:x14ac" x14ac:dyDescent="0.25"><c r="A6"><v>6</v></c></row>'
    '<row r="7" hidden="TRUE"><c r="A7"><v>7</v></c></row>',
    "formulas": '<row r="1"><c r="A1"><f>1+2</f><v>3</v></c><c r="B1"><f t="shared" ref="B1:B2"'
    ' si="0">A1*2</f><v>6</v></c><c r="C1" t="str"><f>"x"&amp;"y"</f><v>xy</v></c>'
    '<c r="D1"><f>NA()</f></c><c r="E1" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>',
    "text": '<row r="1"><c r="A1" t="str"><v>a &amp; b &lt;c&gt; &#233;&#x20AC;</v></c>'
    '<c r="B1" t="str"><v><![CDATA[x<y & z]]></v></c><c r="C1" t="str"><v>two\r\nlines</v></c>'
    "</row>",
    "odd children": '<row r="1"><c r="A1"><v>1</v><v>2</v></c><c r="B1"><x><y/></x><v>3</v>'
    '</c><c r="C1" xmlns:o="urn:o"><o:v>9</o:v><v>4</v></c>'
    '<c r="D1" t="inlineStr"><is><t>first</t></is><is><t>second</t></is></c></row>',
    "merges": '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c><c r="C1"><v>3</v></c></row>'
    '<row r="2"><c r="A2"><v>4</v></c></row>',
    "other namespace": '<row r="1"><c r="A1"><v>1</v></c></row>',
    "no sheetData rows": "",
}
AFTER = {
    "merges": '<mergeCells count="3"><mergeCell ref="A1:B2"/><mergeCell ref="C1:XFD1"/>'
    '<mergeCell ref="A2:A1048576"/></mergeCells>',
    "hidden": '<sheetViews><sheetView workbookViewId="0"/></sheetViews><autoFilter ref="A1:A7"/>'
    '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>',
    "formulas": '<conditionalFormatting sqref="A1"><cfRule type="dataBar" priority="1"><dataBar>'
    '<cfvo type="min"/><cfvo type="max"/><color rgb="FF638EC6"/></dataBar><extLst><ext uri="{B025'
    'F937-C7B1-47D3-B67F-A62EFF666E3E}"/></extLst></cfRule></conditionalFormatting><dataValidatio'
    'ns count="1"><dataValidation type="whole" sqref="A1"><formula1>0</formula1></dataValidation>'
    '</dataValidations><extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}"/></extLst>',
}


@pytest.mark.parametrize("case", sorted(SHEETS))
def test_hand_made_sheet_xml_reads_the_same(tmp_path: Path, case: str) -> None:
    """Each corner of openpyxl's cell reading, in sheet XML written by hand."""
    root = 'xmlns="urn:not-spreadsheetml"' if case == "other namespace" else f'xmlns="{MAIN}"'
    xml = _sheet(SHEETS[case], AFTER.get(case, ""), root)
    path = _with_parts(_base(tmp_path), {"xl/worksheets/sheet1.xml": xml})
    assert assert_read_as_openpyxl_reads(path) >= (
        0 if case in ("other namespace", "no sheetData rows") else 2
    )


def test_prefixed_names_read_the_same(tmp_path: Path) -> None:
    """SpreadsheetML under a prefix (``<x:row>``) is the same XML to both readers."""
    rows = SHEETS["types"].replace("<", "<x:").replace("<x:/", "</x:")
    xml = _sheet(rows, root=f'xmlns:x="{MAIN}"').replace("<worksheet", "<x:worksheet")
    xml = xml.replace("</worksheet>", "</x:worksheet>").replace("<sheetData>", "<x:sheetData>")
    xml = xml.replace("</sheetData>", "</x:sheetData>")
    path = _with_parts(_base(tmp_path), {"xl/worksheets/sheet1.xml": xml})
    assert assert_read_as_openpyxl_reads(path) == 12


# --- shared strings ----------------------------------------------------------------------------

STRINGS = (
    "<si><t>plain</t></si><si/><si><t/></si><si><t>a_x005F_b</t></si>"
    '<si><t xml:space="preserve">  spaced  </t></si><si><t>x &amp; y &#233;</t></si>'
    '<si><r><t>ri</t></r><r><rPr><b/><sz val="11"/></rPr><t>ch</t></r></si>'
    '<si><t>base</t><rPh sb="0" eb="1"><t>phon</t></rPh><phoneticPr fontId="1"/></si>'
    "<si><t>first</t><t>second</t></si><si><r><t>run</t></r><t>then plain</t></si>"
    '<si xmlns:o="urn:o"><o:t>other ns</o:t></si><si><t><![CDATA[<cdata>]]></t></si>'
)


def _sst(body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{MAIN}">{body}</sst>'


def test_shared_strings_read_as_openpyxl_reads_them() -> None:
    """Plain, empty, rich, phonetic, repeated and foreign-namespace <si> elements."""
    data = _sst(STRINGS).encode()
    fast = _xlsx._read_strings_fast(io.BytesIO(data))
    slow = read_string_table(io.BytesIO(data))
    assert fast == slow
    assert fast[:4] == ["plain", "", "", "a_b"]
    assert all(type(s) is str for s in fast)


@pytest.mark.parametrize(
    "body",
    [
        "<si><t>in <b>bold</b></t></si>",  # an element inside <t>: openpyxl stops at it
        "<si><si><t>nested</t></si></si>",
        '<si count="1"><t>attribute</t></si>',  # openpyxl refuses it (TypeError)
        "<si><t>unclosed</si>",
    ],
)
def test_shared_strings_the_fast_reader_does_not_model_are_openpyxls(
    tmp_path: Path, body: str
) -> None:
    """Strings XML outside the plain shapes is read (or refused) by openpyxl itself."""
    with pytest.raises(Exception):  # noqa: B017, PT011 (any refusal hands them over)
        _xlsx._read_strings_fast(io.BytesIO(_sst(body).encode()))
    path = _with_parts(_base(tmp_path), {"xl/sharedStrings.xml": _sst(body)})

    def strings(opener: Any) -> tuple[str, Any]:
        try:
            return "strings", opener(path)["tasks"]._shared_strings
        except Exception as exc:
            return "error", (type(exc).__name__, str(exc), repr(exc.__cause__))

    got = strings(lambda p: _xlsx.open_workbook(str(p)))
    assert got == strings(lambda p: openpyxl.load_workbook(p, read_only=True, data_only=True))


# --- XML the fast reader hands to openpyxl -----------------------------------------------------

UNUSUAL = {
    "repeated row": '<row r="5"><c r="A5"><v>1</v></c></row>'
    '<row r="5"><c r="B5"><v>2</v></c></row>',
    "cells relabelled": '<row r="5"><c r="A5"><v>1</v></c></row><row r="6"><c r="A5"><v>2</v></c>'
    "</row>",
    "element in a value": '<row r="1"><c r="A1" t="str"><v>a<b/>c</v></c></row>',
    "row child not a cell": '<row r="1"><x r="A1"><v>1</v></x></row>',
    "handled element in a cell": '<row r="1"><c r="A1"><extLst><ext uri="u"/></extLst><v>1</v>'
    "</c></row>",
    "row in a cell": '<row r="1"><c r="A1"><row r="2"><c r="A2"><v>2</v></c></row><v>1</v>'
    "</c></row>",
    "date out of range": '<row r="1"><c r="A1" s="2"><v>1e10</v></c></row>',
    "bad number": '<row r="1"><c r="A1"><v>abc</v></c></row>',
    "bad style": '<row r="1"><c r="A1" s="x"><v>1</v></c></row>',
    "bad coordinate": '<row r="1"><c r="1A"><v>1</v></c></row>',
    "bad row number": '<row r="1.5"><c r="A1"><v>1</v></c></row>',
    "string index out of range": '<row r="1"><c r="A1" t="s"><v>99</v></c></row>',
    "not well formed": '<row r="1"><c r="A1"><v>1</v></c></row><row',
    "undefined entity": '<row r="1"><c r="A1" t="str"><v>&nope;</v></c></row>',
}


def _outcome(read: Any, wb: Any, ws: Any) -> tuple[str, Any]:
    """What ``read`` gives: its rows, or its error; a cell both readers fail on is located
    (DamagedCellError), so the error compared is openpyxl's, inside it. The warnings are
    the reader's: a ResourceWarning is the garbage collector closing some earlier test's
    file while ``read`` runs, whenever it happens to run."""

    def said(warned: list[warnings.WarningMessage]) -> list[str]:
        return [str(w.message) for w in warned if not issubclass(w.category, ResourceWarning)]

    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        try:
            rows = read(wb, ws)
        except _xlsx.DamagedCellError as exc:
            error = exc.error
            return "error", (type(error).__name__, str(error), said(warned))
        except Exception as exc:
            return "error", (type(exc).__name__, str(exc), said(warned))
    return "rows", (rows, said(warned))


LOCATED = {
    # a cell both readers fail on the same way: (the sheet XML's rows, the cell named)
    "text in a boolean": (
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v>'
        '</c><c r="C2" t="b"><v>TRUE</v></c></row>',
        "C2",
    ),
    "string index out of range": (UNUSUAL["string index out of range"], "A1"),
    "bad number": (UNUSUAL["bad number"], "A1"),
    "bad ISO date": (
        '<row r="1"/><row r="2"/><row r="3"><c r="B3" t="d"><v>yesterday</v></c></row>',
        "B3",
    ),
    "no references": ('<row><c><v>1</v></c><c t="b"><v>yes</v></c></row>', "B1"),
}


@pytest.mark.parametrize("case", sorted(LOCATED))
def test_a_cell_neither_reader_can_read_is_named(tmp_path: Path, case: str) -> None:
    rows, cell = LOCATED[case]
    path = _with_parts(_base(tmp_path), {"xl/worksheets/sheet1.xml": _sheet(rows)})
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    with pytest.raises(_xlsx.DamagedCellError) as caught:
        _xlsx.read_sheet(wb, wb["tasks"])
    assert caught.value.cell == cell
    with pytest.raises(type(caught.value.error)) as slow:
        _xlsx._read_sheet_openpyxl(wb, wb["tasks"])
    assert str(slow.value) == str(caught.value.error)


def test_loading_names_the_sheet_row_and_cell_of_a_damaged_cell(tmp_path: Path) -> None:
    """A damaged cell stops the load with an error saying where, not only 'damaged'."""
    frame = pd.DataFrame({"role_id": ["R1"], "task": ["Book clinics"], "hours_per_week": [3.0]})
    roles = pd.DataFrame(
        {
            "role_id": ["R1"],
            "role_title": ["Clerk"],
            "staff_group": ["Central functions"],
            "fte": [1.0],
        }
    )
    book = tmp_path / "inv.xlsx"
    with pd.ExcelWriter(book, engine="openpyxl") as writer:
        roles.to_excel(writer, sheet_name="roles", index=False)
        frame.to_excel(writer, sheet_name="tasks", index=False)
    with zipfile.ZipFile(book) as z:
        xml = z.read("xl/worksheets/sheet2.xml").decode()
    damaged = re.sub(r'<c r="C2"[^>]*>.*?</c>', '<c r="C2" t="b"><v>TRUE</v></c>', xml)
    assert damaged != xml
    path = _with_parts(book, {"xl/worksheets/sheet2.xml": damaged}, "damaged.xlsx")
    with pytest.raises(genai_aug.InventoryError) as caught:
        genai_aug.load_inventory(path)
    issue = caught.value.issues.iloc[0]
    assert (issue["sheet"], issue["row"]) == ("tasks", 2)
    assert "cell C2" in issue["message"] and "TRUE" in issue["message"]


@pytest.mark.parametrize("case", sorted(UNUSUAL))
def test_xml_the_fast_reader_does_not_model_is_read_by_openpyxl(tmp_path: Path, case: str) -> None:
    """The fast reader gives up (raises), and read_sheet's answer or error is openpyxl's."""
    xml = _sheet(UNUSUAL[case])
    if case == "not well formed":
        xml = xml[: xml.index("<row", xml.index("</row>"))] + "<row"
    path = _with_parts(_base(tmp_path), {"xl/worksheets/sheet1.xml": xml})
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    with pytest.raises(Exception):  # noqa: B017, PT011 (any refusal hands the sheet over)
        _xlsx._read_sheet_fast(wb, wb["tasks"])
    got = _outcome(_xlsx.read_sheet, wb, wb["tasks"])
    expected = _outcome(_xlsx._read_sheet_openpyxl, wb, wb["tasks"])
    assert got[0] == expected[0]
    if got[0] == "rows":
        _assert_rows_equal(got[1][0], expected[1][0])
        assert got[1][1] == expected[1][1]
    else:
        assert got[1] == expected[1]


@pytest.mark.parametrize("entity", [False, True])
def test_a_dtd_in_a_sheet_is_left_to_openpyxl_and_defusedxml(tmp_path: Path, entity: bool) -> None:
    """A DOCTYPE past the guard's first 64 KB: the fast reader stops at it, before any
    entity is declared; openpyxl (parsing with defusedxml) reads the sheet, or refuses
    the entities, as it did before."""
    pad = " " * 70_000
    dtd = '<!DOCTYPE worksheet [<!ENTITY e "x">]>' if entity else "<!DOCTYPE worksheet>"
    value = "&e;" if entity else "v"
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>{pad}{dtd}<worksheet xmlns="{MAIN}">'
        f'<dimension ref="A1"/><sheetData><row r="1"><c r="A1" t="str"><v>{value}</v></c>'
        "</row></sheetData></worksheet>"
    )
    path = _with_parts(_base(tmp_path), {"xl/worksheets/sheet1.xml": xml})
    if entity:  # openpyxl meets the entity opening the workbook (looking for <dimension>)
        with pytest.raises(ValueError, match="could not read worksheets") as opened:
            openpyxl.load_workbook(path, read_only=True, data_only=True)
        with pytest.raises(ValueError, match="could not read worksheets") as info:
            _xlsx.open_workbook(str(path))
        assert repr(info.value.__cause__) == repr(opened.value.__cause__)
        assert "EntitiesForbidden" in repr(info.value.__cause__)
        return
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    with pytest.raises(_xlsx._UnusualXmlError):
        _xlsx._read_sheet_fast(wb, wb["tasks"])
    got = _outcome(_xlsx.read_sheet, wb, wb["tasks"])
    expected = _outcome(_xlsx._read_sheet_openpyxl, wb, wb["tasks"])
    assert got[0] == expected[0] == "rows"
    _assert_rows_equal(got[1][0], expected[1][0])


# --- the quick row count -----------------------------------------------------------------------

COUNTS = {
    "cells": ('<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"/></row>', 1),
    "empty values": (
        "<row><c><v></v></c><c><v/></c><c><v /></c></row><row><c><v> </v></c></row>",
        1,
    ),
    "inline": ('<row><c t="inlineStr"><is/></c></row><row><c><f>1</f></c></row>', 1),
    "empty rows": ('<row r="1"/><row r="2" hidden="1" /><row r="3"></row>', 0),
    "pretty": ('\n <row r="1">\n  <c r="A1">\n   <v>1</v>\n  </c>\n </row>\n', 1),
    "a > in an attribute": ('<row r="1"><c r="A1" x="a>b"><v>1</v></c></row>', 1),
    "twice": ('<row r="5"><c><v>1</v></c></row><row r="5"><c><v>2</v></c></row>', 2),
    "comment": ("<row><c><v>1</v></c></row><!-- <row><c><v>2</v></c></row> -->", None),
    "cdata": ('<row><c t="str"><v><![CDATA[x]]></v></c></row>', None),
    "prefixed": ('<row xmlns:o="urn:o"><c><v>1</v></c></row><o:row xmlns:o="urn:o"/>', None),
    "element in a value": ("<row><c><v><b/>1</v></c></row>", None),
    "other child": ("<row><x><v>1</v></x></row>", None),
    "nested row": ("<row><c><row><c><v>1</v></c></row></c></row>", None),
    "cell in a cell": ("<row><c><c><v>1</v></c><v>2</v></c></row>", None),
}


@pytest.mark.parametrize("case", sorted(COUNTS))
def test_the_quick_count_is_the_expat_count_or_stands_aside(case: str) -> None:
    """Byte patterns count rows with values where that is exact, and say None elsewhere."""
    rows, expected = COUNTS[case]
    data = _sheet(rows).encode()
    assert _xlsx.count_value_rows_quick(data) == expected
    if expected is not None:
        assert _xlsx.count_value_rows(io.BytesIO(data)) == expected


def _counts_taken(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record which row count loading takes, patched where loading imports them."""
    taken: list[str] = []
    quick, exact = _xlsx.count_value_rows_quick, _xlsx.count_value_rows

    def spy_quick(data: bytes) -> int | None:
        taken.append("quick")
        return quick(data)

    def spy_exact(source: Any) -> int:
        taken.append("expat")
        return exact(source)

    monkeypatch.setattr(_xlsx, "count_value_rows_quick", spy_quick)
    monkeypatch.setattr(_xlsx, "count_value_rows", spy_exact)
    return taken


def test_loading_takes_the_quick_count_only_when_it_agrees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plain sheets are counted by patterns; a comment in the XML sends the count to expat,
    and the inventory loads the same either way."""
    import genai_aug
    from test_catalogue import xlsx

    tasks = [["R1", f"T{i}", "Book outpatient appointments", 1] for i in range(5)]
    plain = xlsx(tmp_path, tasks=tasks)
    taken = _counts_taken(monkeypatch)
    expected = genai_aug.load_inventory(plain).tasks
    assert taken == ["quick", "quick"]

    with zipfile.ZipFile(plain) as z:
        name = next(n for n in z.namelist() if n.startswith("xl/worksheets/sheet2"))
        xml = z.read(name).decode()
    commented = _with_parts(plain, {name: xml.replace("<sheetData>", "<!-- a --><sheetData>")})
    taken.clear()
    got = genai_aug.load_inventory(commented).tasks
    assert taken == ["quick", "quick", "expat"]
    assert got.drop(columns="source_file").equals(expected.drop(columns="source_file"))


def test_a_sheet_too_large_for_memory_is_counted_streaming(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past QUICK_COUNT_MAX_BYTES the sheet's XML is not read whole: expat counts it."""
    import genai_aug
    from test_catalogue import xlsx

    path = xlsx(tmp_path, tasks=[["R1", "T1", "Book outpatient appointments", 1]])
    monkeypatch.setattr(_xlsx, "QUICK_COUNT_MAX_BYTES", 100)
    taken = _counts_taken(monkeypatch)
    assert len(genai_aug.load_inventory(path).tasks) == 1
    assert taken == ["expat", "expat"]
