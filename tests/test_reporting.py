"""The Excel report and the charts: what a board pack needs, and nothing a cell could run."""

from __future__ import annotations

import zipfile
from pathlib import Path

import matplotlib.colors as mcolors
import openpyxl
import pandas as pd
import pytest
from matplotlib.figure import Figure

import genai_aug
from conftest import make_frames
from genai_aug import _columns as col
from genai_aug.errors import ScenarioError
from genai_aug.reporting import OKABE_ITO, plot_top_roles

SHEETS = ["Summary", "By staff group", "By role", "Review first", "Tasks", "Issues", "Rules used"]


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's report, written once for the module."""
    path = tmp_path_factory.mktemp("report") / "report.xlsx"
    return genai_aug.run(genai_aug.sample_path()).to_excel(path)


def _values(ws: object) -> list[object]:
    return [v for row in ws.iter_rows(values_only=True) for v in row if v is not None]  # type: ignore[attr-defined]


def test_the_report_has_the_seven_sheets_in_order(workbook: Path) -> None:
    """Summary first, then the tables from trust down to rules."""
    assert openpyxl.load_workbook(workbook).sheetnames == SHEETS


def test_summary_states_ranges_assumptions_ruleset_input_and_date(
    workbook: Path, sample_result: genai_aug.Result
) -> None:
    """The headline first, low/central/high per scenario, and everything needed to trace them."""
    ws = openpyxl.load_workbook(workbook)["Summary"]
    values = _values(ws)
    assert str(ws["A2"].value).startswith("Headline (Partial adoption (central case)): ")
    text = " ".join(str(v) for v in values)
    for needle in (
        "Low (P10), hours/week",
        "Central, hours/week",
        "High (P90), hours/week",
        "Automation and augmentation by staff group",
        "Headline scenario",
        "Partial adoption (central case)",
        "LLM alone (E1 tasks)",
        sample_result.ruleset.hash,
        sample_result.provenance["scenarios_sha256"],
        "sample_roles.xlsx",
        "Written",
        "Working weeks a year",
        "seed 2025",
    ):
        assert needle in text, needle
    central = sample_result.scenarios.trust.set_index(col.SCENARIO).loc[
        "partial_adoption", col.HOURS_RELEASED
    ]
    assert any(isinstance(v, float) and v == pytest.approx(central) for v in values)


def test_table_sheets_have_frozen_filtered_styled_headers(workbook: Path) -> None:
    """Every table sheet freezes its header, filters it, and formats numbers."""
    wb = openpyxl.load_workbook(workbook)
    for name in SHEETS[1:]:
        ws = wb[name]
        assert ws.freeze_panes is not None and ws.freeze_panes.startswith("B"), name
        assert ws.auto_filter.ref, name
        header_row = int(ws.freeze_panes[1:]) - 1
        header = ws.cell(row=header_row, column=1)
        assert header.font.bold and header.fill.fgColor.rgb.endswith("1F4E79"), name
        assert ws.column_dimensions["A"].width >= 8, name
    groups = wb["By staff group"]
    assert groups["D3"].number_format == "#,##0"
    assert groups["L3"].number_format == "0.0%"
    assert groups.cell(row=groups.max_row, column=1).value == "Trust total"


def test_by_role_is_sorted_by_the_central_case(
    workbook: Path, sample_result: genai_aug.Result
) -> None:
    """The role sheet lists the roles releasing most hours first."""
    ws = openpyxl.load_workbook(workbook)["By role"]
    ids = [r[0] for r in ws.iter_rows(min_row=3, values_only=True)]
    central = sample_result.scenarios.roles.query("scenario == 'partial_adoption'")
    expected = central.sort_values([col.HOURS_RELEASED, col.ROLE_ID], ascending=[False, True])[
        col.ROLE_ID
    ]
    assert ids == list(expected)


def test_tasks_issues_and_rules_sheets_are_complete(
    workbook: Path, sample_result: genai_aug.Result
) -> None:
    """Every task is listed with its evidence; rules used are those that fired."""
    wb = openpyxl.load_workbook(workbook)
    tasks = list(wb["Tasks"].iter_rows(min_row=2, values_only=True))
    assert len(tasks) == len(sample_result.tasks)
    rule_ids = {r.id for r in sample_result.ruleset.rules}
    fired = sample_result.evidence.loc[
        sample_result.evidence[col.RULE_ID].isin(rule_ids), col.RULE_ID
    ].nunique()
    assert wb["Rules used"].max_row == 2 + fired  # note row, header row, one row per rule
    assert "No issues" in str(wb["Issues"]["A1"].value)


def test_the_report_has_native_bar_charts(workbook: Path) -> None:
    """Three Excel charts (modes, staff groups, top roles) referencing the workbook's own cells."""
    with zipfile.ZipFile(workbook) as z:
        charts = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        assert len(charts) == 3
        xml = z.read(charts[0]).decode()
    assert "barChart" in xml and "'By staff group'!" in xml


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path: Path) -> None:
    """=, +, -, @ at the start of a cell stay text in the workbook; no cell is a formula."""
    hostile = ['=HYPERLINK("http://evil","x")', "+SUM(A1)", "-2+3", "@cmd"]
    roles, tasks = make_frames()
    roles.loc[0, "role_title"] = hostile[0]
    tasks["task"] = [f"{h} and book clinics" if i else h for i, h in enumerate(hostile)]
    result = genai_aug.run(roles, tasks)
    path = result.to_excel(tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if c.data_type == "s"}
    assert set(tasks["task"]) | {hostile[0]} <= texts


def test_charts_are_figures_with_units_and_a_colour_blind_safe_palette(
    sample_result: genai_aug.Result,
) -> None:
    """Each chart names its unit in the title and uses only Okabe–Ito colours."""
    palette = {mcolors.to_hex(c) for c in OKABE_ITO.values()}
    for fig, unit in (
        (sample_result.plot_staff_groups(), "(hours per week)"),
        (sample_result.plot_top_roles(), "(hours per week)"),
        (sample_result.plot_exposure_mix(), "(% of hours)"),
        (sample_result.plot_modes(), "(hours per week)"),
    ):
        assert isinstance(fig, Figure)
        ax = fig.axes[0]
        assert unit in ax.get_title(loc="left")
        assert ax.get_xlabel()
        colours = {mcolors.to_hex(p.get_facecolor()) for p in ax.patches}
        assert colours and colours <= palette


def test_top_roles_chart_shows_the_top_roles(sample_result: genai_aug.Result) -> None:
    """The chart's labels are the titles of the n roles with most hours released."""
    fig = plot_top_roles(sample_result, n=5)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    central = sample_result.scenarios.roles.query("scenario == 'partial_adoption'")
    top = central.nlargest(5, col.HOURS_RELEASED)[col.ROLE_TITLE]
    assert labels == [t if len(t) <= 40 else t[:39] + "…" for t in top]


def test_an_unknown_scenario_in_a_chart_is_a_scenario_error(
    sample_result: genai_aug.Result,
) -> None:
    """Asking for a scenario the result does not have names the ones it has."""
    with pytest.raises(ScenarioError, match="llm_alone"):
        sample_result.plot_staff_groups(scenarios=["nope"])


def test_save_charts_writes_four_pngs(sample_result: genai_aug.Result, tmp_path: Path) -> None:
    """The CLI's chart files are real PNG images."""
    written = sample_result.save_charts(tmp_path)
    assert len(written) == 4
    for path in written.values():
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size > 10_000


def test_result_tables_are_plain_dataframes(sample_result: genai_aug.Result) -> None:
    """Notebook users get pandas objects, not wrappers."""
    frames = [
        sample_result.tasks,
        sample_result.roles,
        sample_result.staff_groups,
        sample_result.trust,
        sample_result.evidence,
        sample_result.issues,
        sample_result.scenarios.roles,
        sample_result.scenarios.staff_groups,
        sample_result.scenarios.trust,
    ]
    assert all(type(f) is pd.DataFrame for f in frames)
    html = sample_result._repr_html_()
    assert "<table" in html and "Partial adoption" in html


def test_category_reads_the_same_on_every_sheet(
    workbook: Path, sample_result: genai_aug.Result
) -> None:
    """'Category' is the category's label on the Tasks and Review first sheets alike; the
    review sheet also gives the id a category_override needs."""
    wb = openpyxl.load_workbook(workbook)
    labels = {c.label for c in sample_result.ruleset.categories}
    ids = {c.id for c in sample_result.ruleset.categories}

    def column(sheet: str, header: str) -> list[object]:
        rows = list(wb[sheet].iter_rows(values_only=True))
        at = next(i for i, r in enumerate(rows) if header in r)
        j = rows[at].index(header)
        return [r[j] for r in rows[at + 1 :] if r[j] is not None]

    for sheet in ("Tasks", "Review first"):
        assert set(column(sheet, "Category")) <= labels | {"Unclassified"}
    assert set(column("Review first", "Category id (for category_override)")) <= ids
