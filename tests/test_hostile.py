"""Hostile inputs: XML bombs, zip bombs, oversized files and ruleset patterns that backtrack.

None of these tests times anything: each would hang or exhaust memory if the guard it
checks were missing, and passes quickly when the guard holds.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import genai_aug
from genai_aug._matching import MAX_TEXT_CHARS, normalise_text
from genai_aug.errors import InventoryError, RulesetError
from test_catalogue import stale_dimension, xlsx

LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n"
)


def _replace_part(path: Path, name: str, make: object) -> Path:
    """Rewrite one part of a workbook (``make`` maps the old bytes to the new)."""
    out = path.with_name("hostile.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, make(data) if item.filename == name else data)  # type: ignore[operator]
    return out


def _body(data: bytes) -> bytes:
    """A part's XML without its declaration, if it has one."""
    return data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data


def _codes(exc: InventoryError) -> list[str]:
    return list(exc.issues["code"])


def test_openpyxl_parses_with_defusedxml() -> None:
    """The second line of defence is in place: openpyxl found defusedxml."""
    assert openpyxl.DEFUSEDXML is True


def test_a_billion_laughs_workbook_is_refused_before_parsing(tmp_path: Path) -> None:
    """A sheet that declares nested entities is refused, naming the part."""
    path = _replace_part(
        xlsx(tmp_path),
        "xl/worksheets/sheet1.xml",
        lambda data: LAUGHS.encode() + _body(data).replace(b"R1", b"&lol9;", 1),
    )
    with pytest.raises(InventoryError) as info:
        genai_aug.load_inventory(path)
    assert _codes(info.value) == ["suspicious-file"]
    assert "declares a DTD or XML entities" in str(info.value)
    assert "xl/worksheets/sheet1.xml" in str(info.value)


def test_entities_hidden_behind_padding_are_caught_by_defusedxml(tmp_path: Path) -> None:
    """Past the pre-scan's window, defusedxml refuses the DTD while openpyxl parses."""
    padding = "<!--" + "x" * 70_000 + "-->\n"
    path = _replace_part(
        xlsx(tmp_path),
        "xl/worksheets/sheet1.xml",
        lambda data: (
            ('<?xml version="1.0"?>\n' + padding + LAUGHS.split("\n", 1)[1]).encode()
            + _body(data).replace(b"R1", b"&lol9;", 1)
        ),
    )
    with pytest.raises(InventoryError) as info:
        genai_aug.load_inventory(path)
    assert _codes(info.value) == ["suspicious-file"]
    assert "defusedxml" in str(info.value)


def test_a_zip_bomb_is_refused_from_its_directory(tmp_path: Path) -> None:
    """A member that unpacks far beyond the size limit is refused before it is unpacked."""
    path = xlsx(tmp_path)
    bomb = path.with_name("bomb.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/media/padding.bin", bytes(60_000_000))
    assert bomb.stat().st_size < 1_000_000  # small on disk ...
    with pytest.raises(InventoryError) as info:
        genai_aug.load_inventory(bomb, max_bytes=1_000_000)  # ... 50 MB allowed unpacked
    assert _codes(info.value) == ["suspicious-file"]
    assert "zip bomb" in str(info.value)


def test_the_size_limit_is_configurable(tmp_path: Path) -> None:
    """A file over max_bytes is refused with its size; a larger limit lets it in."""
    path = xlsx(tmp_path)
    with pytest.raises(InventoryError) as info:
        genai_aug.load_inventory(path, max_bytes=100)
    assert _codes(info.value) == ["file-too-large"]
    assert len(genai_aug.load_inventory(path, max_bytes=10_000_000).tasks) == 3


def test_a_term_with_too_many_gaps_is_refused(tmp_path: Path) -> None:
    """Each '...' multiplies the work of matching; more than two is a RulesetError."""
    path = tmp_path / "rules.toml"
    path.write_text(
        '[ruleset]\nname = "x"\nversion = "1"\nextends = "default"\n\n[[rules]]\n'
        'id = "scheduling.greedy"\ncategory = "scheduling"\nweight = 1.0\n'
        'rationale = "A pattern built to backtrack."\n'
        'terms = ["a ... a ... a ... a ... b"]\n',
        encoding="utf-8",
    )
    with pytest.raises(RulesetError, match=r"at most 2 '\.\.\.' gaps"):
        genai_aug.load_ruleset(path)


def test_matching_a_huge_text_stays_bounded() -> None:
    """A megabyte of repeated words is matched on its first 2,000 characters only."""
    text = "book a clinic appointment for a patient " * 30_000
    assert len(normalise_text(text)) <= MAX_TEXT_CHARS
    greedy = re.compile(r"\ba(?:\s+\S+){0,6}?\s+a(?:\s+\S+){0,6}?\s+b\b")  # 2 gaps: allowed
    assert greedy.search(normalise_text(text)) is None
    scored = genai_aug.score_texts([text, "Book outpatient appointments"])
    assert list(scored["category"]) == ["scheduling", "scheduling"]


def test_a_ruleset_file_is_data_and_unknown_keys_are_refused(tmp_path: Path) -> None:
    """Nothing in a ruleset is run; a key the format does not know is an error."""
    path = tmp_path / "rules.toml"
    path.write_text(
        '[ruleset]\nname = "x"\nversion = "1"\nextends = "default"\n\n[[rules]]\n'
        'id = "scheduling.x"\ncategory = "scheduling"\nweight = 1.0\nrationale = "r"\n'
        "terms = [\"book\"]\nexec = \"__import__('os').system('touch pwned')\"\n",
        encoding="utf-8",
    )
    with pytest.raises(RulesetError, match="exec"):
        genai_aug.load_ruleset(path)
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()


# --- issue 13: rows lost, values misread, foreign exceptions, resources ------------------


def _many_tasks(n: int) -> list[list[object]]:
    return [["R1", f"T{i}", "Answer the ward telephone", 0.01] for i in range(n)]


def test_a_stale_dimension_loses_no_rows_of_two_thousand(tmp_path: Path) -> None:
    """2,000 task rows under a <dimension> claiming 3 rows: all 2,000 are read."""
    path = stale_dimension(xlsx(tmp_path, tasks=_many_tasks(2000)), "A1:D3")
    inv = genai_aug.load_inventory(path, errors="reject")
    assert inv.rows_read["tasks"] == 2000
    assert len(inv.tasks) == 2000


def test_a_reader_that_loses_rows_is_caught_by_the_row_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The invariant counts rows with values separately: a reader dropping one is an error."""
    from genai_aug import _xlsx

    read_sheet = _xlsx.read_sheet

    def lossy(wb: object, ws: object) -> _xlsx.SheetRows:
        read = read_sheet(wb, ws)
        return _xlsx.SheetRows(read.rows[:-1], read.hidden_rows, read.merged)

    # (loading imports the reader when it opens a workbook: it is patched where it lives)
    monkeypatch.setattr(_xlsx, "read_sheet", lossy)
    with pytest.raises(InventoryError) as info:
        genai_aug.load_inventory(xlsx(tmp_path), errors="reject")
    assert _codes(info.value) == ["rows-unaccounted"]
    assert "2 were read" in str(info.value) or "rows hold values" in str(info.value)


def test_one_string_given_to_score_texts_is_one_text() -> None:
    """score_texts("...") scores the text, not each of its characters."""
    scored = genai_aug.score_texts("Book outpatient appointments")
    assert list(scored["task"]) == ["Book outpatient appointments"]
    assert list(scored["category"]) == ["scheduling"]


# --- only GenAIAugError leaves the API (class 5) -------------------------------------------

EXTENDS = '[ruleset]\nname = "x"\nversion = "1"\nextends = "default"\n'


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (EXTENDS + "disable = 5\n", "disable must be a list"),
        ('rules = "scheduling.book"\n' + EXTENDS, "'rules' must be an array of tables"),
        ("rules = [1, 2]\n" + EXTENDS, "'rules' must be an array of tables"),
        (EXTENDS + "[[rules]]\nid = [1]\n", "'id' must be a string"),
        (EXTENDS + "[rules]\nid = 'x'\n", "'rules' must be an array of tables"),
        ('ruleset = "default"\n', "'ruleset' must be a table"),
        ("categories = {a = 1}\n" + EXTENDS, "'categories' must be an array of tables"),
    ],
    ids=[
        "disable-int",
        "rules-string",
        "rules-ints",
        "id-list",
        "rules-table",
        "head-string",
        "cats-table",
    ],
)
def test_a_wrong_typed_ruleset_that_extends_the_default_is_a_ruleset_error(
    tmp_path: Path, text: str, match: str
) -> None:
    """The merge with the default never sees a wrong-typed file: RulesetError, not TypeError."""
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesetError, match=match):
        genai_aug.load_ruleset(path)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('scenario = 5\n[scenarios]\nextends = "default"\n', "must be an array of tables"),
        ('[scenarios]\nextends = "default"\n[[scenario]]\nname = 3\n', "'name' must be a string"),
        ('[scenarios]\nextend = "default"\n', "Did you mean 'extends'"),
        ('[scenarios]\nextends = "baseline"\n', "extends = 'baseline'"),
        ('scenarios = ["default"]\n', "'scenarios' must be a table"),
    ],
    ids=["scenario-int", "name-int", "extend-typo", "extends-baseline", "head-array"],
)
def test_a_wrong_scenario_file_is_a_scenario_error(tmp_path: Path, text: str, match: str) -> None:
    """Typos and wrong types in a scenario file are named, never ignored or a TypeError."""
    from genai_aug.errors import ScenarioError

    path = tmp_path / "scenarios.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=match):
        genai_aug.load_scenarios(path)


def test_a_toml_array_nested_100000_deep_is_a_ruleset_error(tmp_path: Path) -> None:
    """No RecursionError: the file is refused by name."""
    path = tmp_path / "deep.toml"
    path.write_text('[ruleset]\nname = "x"\nversion = "1"\nx = ' + "[" * 100_000 + "]" * 100_000)
    with pytest.raises(RulesetError, match="too deeply"):
        genai_aug.load_ruleset(path)


def test_folders_passed_as_files_are_library_errors(tmp_path: Path) -> None:
    """A folder as the inventory, tasks, rules, scenarios or labels: a GenAIAugError each."""
    from genai_aug.errors import GenAIAugError, ScenarioError

    folder = tmp_path / "a.xlsx"
    folder.mkdir()
    csv_folder = tmp_path / "b.csv"
    csv_folder.mkdir()
    roles = tmp_path / "roles.csv"
    roles.write_text("role_id,role_title,staff_group,fte\n", encoding="utf-8")
    with pytest.raises(InventoryError, match="is a folder"):
        genai_aug.load_inventory(folder)
    with pytest.raises(InventoryError, match="is a folder"):
        genai_aug.load_inventory(roles, csv_folder)
    with pytest.raises(RulesetError, match="is a folder"):
        genai_aug.load_ruleset(folder)
    with pytest.raises(ScenarioError, match="is a folder"):
        genai_aug.load_scenarios(folder)
    with pytest.raises(genai_aug.LabelsError, match="is a folder"):
        genai_aug.evaluate(csv_folder)
    with pytest.raises(GenAIAugError):
        genai_aug.run(folder)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("", "is empty"),
        ("task\thuman_exposure\n", "no rows"),
        ("task\nBook clinics\nMop floors\n", "missing column"),
    ],
    ids=["empty", "header-only", "one-column"],
)
def test_bad_labels_files_are_labels_errors(tmp_path: Path, content: str, match: str) -> None:
    """Empty, header-only and one-column labels files: a LabelsError that says so."""
    path = tmp_path / "labels.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(genai_aug.LabelsError, match=match) as info:
        genai_aug.evaluate(path)
    assert "'t'" not in str(info.value)  # the one-column file is not split on the letter t


@pytest.mark.parametrize("value", [42, 3.5, b"roles.xlsx", ["roles.xlsx"], object()])
def test_an_inventory_that_is_not_a_path_or_a_frame_is_an_argument_type_error(
    value: object,
) -> None:
    """load_inventory(42) raises the documented ArgumentTypeError, not a bare TypeError."""
    from genai_aug.errors import ArgumentTypeError

    with pytest.raises(ArgumentTypeError, match="file path or a pandas DataFrame"):
        genai_aug.load_inventory(value)  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError):
        genai_aug.score_texts(value if not isinstance(value, list) else 7)  # type: ignore[arg-type]


# --- resources bounded by the input's real content (class 4) -------------------------------


def _cell_at(ref: str) -> object:
    def edit(wb: openpyxl.Workbook) -> None:
        wb["tasks"][ref] = "x"

    return edit


def test_one_cell_at_xfd1048576_does_not_pad_a_million_rows(tmp_path: Path) -> None:
    """A 6 KB workbook with a cell in Excel's last cell loads its 3 tasks (was > 100 GB)."""
    path = xlsx(tmp_path, edit=_cell_at("XFD1048576"))  # type: ignore[arg-type]
    assert path.stat().st_size < 10_000
    inv = genai_aug.load_inventory(path)
    assert len(inv.tasks) == 3
    assert inv.blank_rows["tasks"] == 1048576 - 4  # rows 5 to 1048576: counted, not stored


def test_one_stray_cell_at_xfd1_does_not_widen_every_row(tmp_path: Path) -> None:
    """A cell at XFD1 above 5,000 rows: each row is read to its own last cell, not 16,384."""
    tasks = [["R1", f"T{i}", "Answer the ward telephone", 0.005] for i in range(5000)]
    path = xlsx(tmp_path, tasks=tasks, edit=_cell_at("XFD1"))  # type: ignore[arg-type]
    inv = genai_aug.load_inventory(path)
    assert len(inv.tasks) == 5000
    assert ("ignored-column", "x") in {(r.code, str(r.column)) for r in inv.issues.itertuples()}


def test_a_small_workbook_carrying_a_huge_cell_is_refused_from_its_directory(
    tmp_path: Path,
) -> None:
    """40 MB of one repeated letter deflates to ~40 KB: refused by ratio, before unpacking."""
    path = _replace_part(
        xlsx(tmp_path),
        "xl/worksheets/sheet2.xml",
        lambda data: data.replace(b"Book outpatient appointments", b"a" * 40_000_000, 1),
    )
    assert path.stat().st_size < 500_000
    with pytest.raises(InventoryError) as info:
        genai_aug.load_inventory(path)  # the default limit allows 10 GB unpacked in all
    assert _codes(info.value) == ["suspicious-file"]
    assert "times" in str(info.value) and "sheet2.xml" in str(info.value)


@pytest.mark.parametrize(
    ("option", "value", "reason"),
    [
        ("--draws", "100000000000", "--draws must be at least 100 and at most 100,000"),
        ("--seed", "-1", "--seed must be at least 0"),
        ("--top", "-5", "--top must be at least 1"),
    ],
)
def test_monte_carlo_options_are_bounded_before_any_work(  # type: ignore[no-untyped-def]
    option: str, value: str, reason: str, capsys
) -> None:
    """--draws 1e11 and --seed -1 never reach numpy: one line, exit 2, nothing loaded."""
    from genai_aug.cli import main

    code = main(["run", str(genai_aug.sample_path()), option, value])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(f"genai-aug: {reason}") and "loading" not in err


# --- messages that help (class 6) ------------------------------------------------------------


def test_an_empty_cell_of_a_merged_range_says_so(tmp_path: Path) -> None:
    """Merged role_id cells: the message says merged, not just 'empty'."""
    from test_catalogue import TASKS

    path = xlsx(
        tmp_path,
        tasks=[TASKS[0], [None, *TASKS[1][1:]], TASKS[2]],
        edit=lambda wb: wb["tasks"].merge_cells("A2:A3"),
    )
    with pytest.raises(InventoryError, match="part of a merged range"):
        genai_aug.load_inventory(path)


def test_a_header_not_found_says_how_far_genai_aug_looked(tmp_path: Path) -> None:
    """No header row: the message says how many rows were searched."""
    path = xlsx(tmp_path, role_head=["a", "b", "c", "d", "e", "f"])
    with pytest.raises(InventoryError, match=r"none of the first \d+ rows with values"):
        genai_aug.load_inventory(path)


def test_a_duration_is_shown_as_excel_shows_it(tmp_path: Path) -> None:
    """An [h]:mm cell is '36:00' in messages, not datetime.timedelta(days=1, ...)."""
    import datetime as dt

    def edit(wb: openpyxl.Workbook) -> None:
        wb["roles"]["E2"] = dt.timedelta(hours=36)
        wb["roles"]["E2"].number_format = "[h]:mm"

    with pytest.raises(InventoryError) as info:
        genai_aug.load_inventory(xlsx(tmp_path, edit=edit))
    assert "'36:00'" in str(info.value) and "timedelta" not in str(info.value)


def test_evaluate_json_is_valid_json_when_a_kappa_is_undefined() -> None:
    """One class only: kappa is undefined, written as null (NaN is not JSON)."""
    import json

    labels = pd.DataFrame(
        {"task": ["Mop the floors", "Wash the patient"], "human_exposure": ["E0", "E0"]}
    )
    text = genai_aug.evaluate(labels).to_json()

    def refuse(name: str) -> None:
        raise ValueError(name)

    metrics = json.loads(text, parse_constant=refuse)
    assert metrics["all"]["weighted_kappa"] is None


def test_the_row_count_counts_row_elements_not_row_numbers() -> None:
    """Two <row r="5"> elements are two rows to the invariant, whatever they claim."""
    import io

    from genai_aug._xlsx import count_value_rows

    row = '<row r="5"><c r="A5" t="inlineStr"><is><t>x</t></is></c></row>'
    empty = '<row r="6"><c r="A6"/></row>'
    xml = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{row}{row}{empty}</sheetData></worksheet>"
    )
    assert count_value_rows(io.BytesIO(xml.encode())) == 2


def test_a_row_given_twice_in_the_sheet_xml_is_refused_at_that_row(tmp_path: Path) -> None:
    """The review's case: row 6 renumbered 5 lost one of the two tasks without a word."""
    tasks = [
        ["R1", "T1", "Book outpatient appointments", 20],
        *[["R2", f"T{i}", f"Task text number {i}", 1] for i in range(2, 12)],
    ]

    def repeat(data: bytes) -> bytes:
        data = data.replace(b'<row r="6"', b'<row r="5"')
        return re.sub(rb'r="([A-D])6"', rb'r="\g<1>5"', data)

    path = _replace_part(xlsx(tmp_path, tasks=tasks), "xl/worksheets/sheet2.xml", repeat)
    with pytest.raises(InventoryError) as info:
        genai_aug.load_inventory(path, errors="reject")
    issue = info.value.issues.iloc[0]
    assert (issue.code, issue.sheet, issue.row) == ("rows-unaccounted", "tasks", 5)
    assert "holds row 5 twice" in issue.message


def test_merges_to_the_last_column_cost_only_the_cells_that_hold_values(tmp_path: Path) -> None:
    """2,000 one-row merges D:XFD (a 40 KB workbook): the reader notes the merged cells
    up to the widest row's last value, not 16,384 columns of each (the hostile review's
    20,000 such merges took a minute and a gigabyte)."""
    from genai_aug import _xlsx

    n = 2000
    tasks = [["R1", f"T{i}", "Answer the ward telephone", 0.01] for i in range(n)]
    path = xlsx(tmp_path, tasks=tasks)
    merges = "".join(f'<mergeCell ref="D{r}:XFD{r}"/>' for r in range(2, n + 2))

    def add_merges(data: bytes) -> bytes:
        return data.replace(
            b"</sheetData>", f'</sheetData><mergeCells count="{n}">{merges}</mergeCells>'.encode()
        )

    wb = openpyxl.load_workbook(path)
    part = f"xl/worksheets/sheet{wb.sheetnames.index('tasks') + 1}.xml"
    hostile = _replace_part(path, part, add_merges)
    book = openpyxl.load_workbook(hostile, read_only=True)
    sheet = _xlsx.read_sheet(book, book["tasks"])
    assert len(sheet.merged) <= n  # D is the last column with values: nothing to its right
    assert len(genai_aug.load_inventory(hostile).tasks) == n
