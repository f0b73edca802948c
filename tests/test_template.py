"""The blank input template: right sheets and headers, drop-downs, and it loads once filled."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import genai_aug
from genai_aug._reference import BANDS, STAFF_GROUPS
from genai_aug.cli import main
from genai_aug.errors import ArgumentTypeError, OutputError
from genai_aug.template import ROLE_HEADERS, TASK_HEADERS, write_template


@pytest.fixture
def template(tmp_path: Path) -> Path:
    """A freshly written template."""
    return write_template(tmp_path / "inventory.xlsx")


def _list_values(wb: openpyxl.Workbook, formula: str) -> list[str]:
    sheet, cells = formula.split("!")
    first, last = cells.replace("$", "").split(":")
    ws = wb[sheet]
    return [c.value for row in ws[first:last] for c in row]


def test_template_has_readme_roles_and_tasks_with_headers(template: Path) -> None:
    """README, roles and tasks sheets; headers the loader recognises; lists hidden."""
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames[:3] == ["README", "roles", "tasks"]
    assert wb["lists"].sheet_state == "hidden"
    assert tuple(c.value for c in wb["roles"][1]) == ROLE_HEADERS
    assert tuple(c.value for c in wb["tasks"][1]) == TASK_HEADERS
    assert all(c.comment is not None for c in wb["roles"][1])
    readme = " ".join(str(c.value) for row in wb["README"].iter_rows() for c in row if c.value)
    assert "Staff group" in readme and "genai-aug run" in readme


def test_staff_group_and_band_have_drop_downs_of_the_reference_lists(template: Path) -> None:
    """The drop-downs offer exactly the NHS staff groups and the pay bands."""
    wb = openpyxl.load_workbook(template)
    rules = {str(dv.sqref): dv for dv in wb["roles"].data_validations.dataValidation}
    staff = next(dv for ref, dv in rules.items() if ref.startswith("C2"))
    band = next(dv for ref, dv in rules.items() if ref.startswith("D2"))
    assert staff.type == band.type == "list"
    assert _list_values(wb, staff.formula1) == list(STAFF_GROUPS)
    assert _list_values(wb, band.formula1) == list(BANDS)
    task_rules = {str(dv.sqref)[:2]: dv for dv in wb["tasks"].data_validations.dataValidation}
    assert task_rules["D2"].type == "decimal" and task_rules["D2"].formula2 == "168"
    categories = [c.id for c in genai_aug.default_ruleset().categories]
    assert _list_values(wb, task_rules["F2"].formula1) == categories


def test_a_filled_in_template_loads_cleanly(template: Path) -> None:
    """Fill the template as an analyst would; it loads with no issues at all."""
    wb = openpyxl.load_workbook(template)
    wb["roles"].append(
        ["W1", "Ward clerk", STAFF_GROUPS[5], "Band 3", 4, 5, 37.5, "Ward 9", "Medicine", "T"]
    )
    wb["roles"].append(["D1", "Consultant physician", STAFF_GROUPS[0], "Consultant", 2, 2, 40])
    wb["tasks"].append(["W1", "W1-01", "Book outpatient appointments", 20, "no", None])
    wb["tasks"].append(["W1", "W1-02", "Greet visitors at the ward desk", 17.5, "yes", None])
    wb["tasks"].append(["D1", "D1-01", "Review patients on the ward round", 30, "yes", None])
    wb["tasks"].append(["D1", "D1-02", "Write discharge letters", 10, "no", "correspondence"])
    wb.save(template)
    inventory = genai_aug.load_inventory(template)
    assert inventory.issues.empty
    assert len(inventory.roles) == 2 and len(inventory.tasks) == 4
    result = genai_aug.run(inventory)
    assert result.tasks.set_index("task_id").at["D1-02", "category"] == "correspondence"


def test_a_blank_template_says_what_to_fill_in(template: Path) -> None:
    """Run on the template as written: an error per sheet, not a traceback or an empty result."""
    with pytest.raises(genai_aug.InventoryError) as info:
        genai_aug.load_inventory(template)
    issues = info.value.issues
    assert list(issues["code"]) == ["no-rows", "no-rows"]
    assert list(issues["sheet"]) == ["roles", "tasks"]
    assert "Fill in the sheet" in issues["message"].iat[0]


def test_cli_template_writes_and_refuses_to_overwrite(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """genai-aug template PATH writes once; again needs --force; the path must be .xlsx."""
    path = tmp_path / "blank.xlsx"
    assert main(["template", str(path)]) == 0
    assert path.exists()
    assert main(["template", str(path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["template", str(path), "--force"]) == 0
    assert main(["template", str(tmp_path / "blank.csv")]) == 2
    assert "must end in .xlsx" in capsys.readouterr().err


def test_a_wrong_template_path_is_a_genai_aug_error(tmp_path: Path) -> None:
    """A folder, or something that is not a path, is refused with the package's own
    errors (the hostile review got IsADirectoryError and TypeError)."""
    with pytest.raises(OutputError, match="is a folder; expected the path of a file"):
        write_template(tmp_path)
    with pytest.raises(ArgumentTypeError, match="must be a path"):
        write_template(42)  # type: ignore[arg-type]


def test_an_interrupted_template_write_leaves_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workbook is written beside its name and moved into place: a failure part-way
    leaves the previous file whole and nothing beside it."""
    out = write_template(tmp_path / "inventory.xlsx")
    before = out.read_bytes()

    def broken(self: object, filename: object) -> None:
        Path(str(filename)).write_bytes(b"PK\x03\x04 half a workbook")
        raise KeyboardInterrupt

    monkeypatch.setattr("openpyxl.Workbook.save", broken)
    with pytest.raises(KeyboardInterrupt):
        write_template(out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inventory.xlsx"]
