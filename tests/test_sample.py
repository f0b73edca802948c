"""The bundled sample trust: realistic, complete, and shipped with the package."""

from __future__ import annotations

import filecmp

import pandas as pd
import pytest
from openpyxl import load_workbook

import genai_aug
from conftest import ROOT, shared_file
from genai_aug._reference import STAFF_GROUPS


@pytest.fixture(scope="module")
def inventory() -> genai_aug.Inventory:
    """The sample inventory, loaded."""
    return genai_aug.load_inventory(ROOT / "data" / "sample_roles.xlsx")


def test_packaged_copy_is_the_repository_sample() -> None:
    """The package carries the same workbook as data/, so it loads after a plain install."""
    assert filecmp.cmp(ROOT / "data" / "sample_roles.xlsx", genai_aug.sample_path(), shallow=False)


def test_sample_size_and_coverage(inventory: genai_aug.Inventory) -> None:
    """At least 40 roles over every staff group, and at least 400 tasks."""
    assert len(inventory.roles) >= 40
    assert len(inventory.tasks) >= 400
    assert set(inventory.roles["staff_group"]) == set(STAFF_GROUPS)
    assert inventory.issues.empty


def test_task_hours_sum_to_contracted_hours(inventory: genai_aug.Inventory) -> None:
    """Every role's task hours add up to its contracted hours."""
    sums = inventory.tasks.groupby("role_id")["hours_per_week"].sum()
    contracted = inventory.roles.set_index("role_id")["contracted_hours"]
    pd.testing.assert_series_equal(sums, contracted.reindex(sums.index), check_names=False)


def test_workbook_has_a_readme_sheet_describing_columns() -> None:
    """The README sheet describes every column of the roles and tasks sheets."""
    wb = load_workbook(ROOT / "data" / "sample_roles.xlsx", read_only=True)
    assert wb.sheetnames[0] == "README"
    text = " ".join(str(c) for row in wb["README"].iter_rows(values_only=True) for c in row if c)
    for header in (
        "Role ID",
        "Staff group",
        "FTE",
        "Contracted hours",
        "Task description",
        "Hours per week",
        "Patient facing",
        "Category override",
    ):
        assert header in text


def test_staff_group_mix_follows_leeds_2018() -> None:
    """FTE per staff group is half that of Leeds Teaching Hospitals (RR8), June 2018."""
    real = pd.read_csv(shared_file("nhs_fte_by_organisation_staff_group_2017_2018.csv"))
    leeds = real[(real["Organisation code"] == "RR8") & (real["Month"] == "2018-JUN")]
    leeds = leeds.set_index("Staff group")["FTE"].drop("Unknown")
    sample = (
        genai_aug.load_inventory(genai_aug.sample_path()).roles.groupby("staff_group")["fte"].sum()
    )
    for group, fte in leeds.items():
        assert sample[group] == pytest.approx(fte / 2, abs=0.1), group
