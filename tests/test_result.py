"""One number means one thing: every output of a run gives the same headline and order."""

from __future__ import annotations

import dataclasses
import json
import pickle
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import genai_aug
from genai_aug import _columns as col
from genai_aug.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample_roles.xlsx"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The terminal text and the output folder of `genai-aug run` on the sample."""
    import contextlib
    import io

    out = tmp_path_factory.mktemp("run")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(["run", str(SAMPLE), "--out", str(out), "-q"]) == 0
    return buffer.getvalue(), out


def _numbers(text: str) -> list[float]:
    return [float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*\.?\d*", text)]


def test_every_output_gives_the_same_headline(
    outputs: tuple[str, Path], sample_result: genai_aug.Result
) -> None:
    """Terminal, HTML, Excel Summary, hours_trust.csv, metadata and tasks agree on the headline."""
    terminal, out = outputs
    h = sample_result.headline
    first = terminal.splitlines()[0]
    assert first == h.sentence()
    assert f"{h.hours:,.0f}" in first and f"{h.hours_low:,.0f} – {h.hours_high:,.0f}" in first
    assert h.sentence().replace("–", "&ndash;") in sample_result._repr_html_() or (
        h.sentence() in sample_result._repr_html_()
    )
    summary = openpyxl.load_workbook(out / "genai_aug_report.xlsx")["Summary"]
    assert summary["A2"].value == h.sentence()

    trust = pd.read_csv(out / "hours_trust.csv").iloc[0]
    assert trust["scenario"] == "partial_adoption"
    assert trust[col.HOURS_RELEASED] == pytest.approx(h.hours, rel=1e-9)
    assert trust[col.RELEASED_LOW] == pytest.approx(h.hours_low, rel=1e-9)
    assert trust[col.RELEASED_HIGH] == pytest.approx(h.hours_high, rel=1e-9)

    meta = json.loads((out / "run_metadata.json").read_text())["headline"]
    assert meta["scenario"] == "partial_adoption"
    assert meta["hours_per_week"] == pytest.approx(
        {"low": h.hours_low, "central": h.hours, "high": h.hours_high}
    )
    assert meta["wte"] == pytest.approx({"low": h.wte_low, "central": h.wte, "high": h.wte_high})

    tasks = pd.read_csv(out / "scored_tasks.csv")
    assert tasks[col.HOURS_RELEASED].sum() == pytest.approx(h.hours, rel=1e-9)
    scen = pd.read_csv(out / "scenarios_trust.csv").set_index("scenario")
    assert scen.loc["partial_adoption", col.HOURS_RELEASED] == pytest.approx(h.hours, rel=1e-9)


def test_every_output_ranks_roles_the_same_way(
    outputs: tuple[str, Path], sample_result: genai_aug.Result
) -> None:
    """Terminal top roles, the By role sheet, the chart and hours_by_role.csv share one order."""
    terminal, out = outputs
    ranked = sample_result.roles.sort_values(
        [col.HOURS_RELEASED, col.ROLE_ID], ascending=[False, True]
    )
    titles = list(ranked[col.ROLE_TITLE])
    block = terminal.split("Top 10 roles")[1].split("\n\n")[0].splitlines()[2:]
    assert len(block) == 10
    ids = list(ranked[col.ROLE_ID])
    for line, role_id, title in zip(block, ids[:10], titles[:10], strict=True):
        assert line.split()[0] == role_id and title[:42] in line, (line, title)

    sheet = openpyxl.load_workbook(out / "genai_aug_report.xlsx")["By role"]
    ids = [r[0] for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert ids == list(ranked[col.ROLE_ID])

    fig = sample_result.plot_top_roles(n=8)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == [t if len(t) <= 40 else t[:39] + "…" for t in titles[:8]]

    by_role = pd.read_csv(out / "hours_by_role.csv").set_index(col.ROLE_ID)
    sheet_central = [r[10] for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert np.allclose(by_role.loc[ids, col.HOURS_RELEASED], sheet_central, rtol=1e-9)


def test_staff_group_figures_agree_in_terminal_excel_and_chart(
    outputs: tuple[str, Path], sample_result: genai_aug.Result
) -> None:
    """The central figure of each staff group is the same number in every view."""
    terminal, out = outputs
    groups = sample_result.staff_groups.set_index(col.STAFF_GROUP)
    block = terminal.split("By staff group")[1].split("\n\n")[0]
    line = next(x for x in block.splitlines() if x.strip().startswith("Central functions"))
    assert f"{groups.loc['Central functions', col.HOURS_RELEASED]:,.0f}" in line

    sheet = openpyxl.load_workbook(out / "genai_aug_report.xlsx")["By staff group"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["Central functions"][7] == pytest.approx(
        groups.loc["Central functions", col.HOURS_RELEASED], rel=1e-12
    )
    fig = sample_result.plot_staff_groups(["partial_adoption"])
    widths = [p.get_width() for p in fig.axes[0].patches]
    assert np.allclose(widths, groups[col.HOURS_RELEASED].to_numpy(), rtol=1e-12)
    fig = sample_result.plot_modes()
    autos = [p.get_width() for p in fig.axes[0].patches][: len(groups)]
    assert np.allclose(autos, groups[col.HOURS_AUTOMATION].to_numpy(), rtol=1e-12)


def test_charts_carry_a_footnote_and_label_their_whiskers(
    sample_result: genai_aug.Result,
) -> None:
    """Source, ruleset version, scenario and date in a footnote; whiskers named as P10–P90."""
    fig = sample_result.plot_staff_groups()
    foot = fig.get_supxlabel()
    for needle in ("sample_roles.xlsx", sample_result.ruleset.version, "partial_adoption"):
        assert needle in foot
    assert re.search(r"\d{4}-\d{2}-\d{2}", foot)
    assert "P10–P90 of that scenario's" in fig.axes[0].get_xlabel()
    legend = fig.axes[0].get_legend()
    assert legend is not None
    # the legend sits below the axes, clear of the bars
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    assert legend.get_window_extent(renderer).y1 < fig.axes[0].get_window_extent(renderer).y0


def test_review_first_lists_hours_at_stake_times_doubt(
    outputs: tuple[str, Path], sample_result: genai_aug.Result
) -> None:
    """review_first.csv: tasks by hours at stake × (1 − confidence), largest first.

    An exposed task has its hours released at stake; an E0 task what it would release as
    its strongest exposed category, so a task wrongly scored E0 can be reviewed too.
    """
    _, out = outputs
    review = pd.read_csv(out / "review_first.csv")
    assert 0 < len(review) <= 50
    expected = review[col.HOURS_AT_STAKE] * (1 - review[col.CONFIDENCE])
    exposed = review[col.EXPOSURE] != "E0"
    assert np.allclose(
        review.loc[exposed, col.HOURS_AT_STAKE], review.loc[exposed, col.HOURS_RELEASED]
    )
    e0 = review[~exposed]
    assert (
        len(e0) > 0 and (e0[col.HOURS_RELEASED] == 0).all() and (e0[col.HOURS_AT_STAKE] > 0).all()
    )
    t = sample_result.tasks.set_index(col.TASK_ID)
    first = e0.iloc[0]
    alt = sample_result.ruleset.category_index[first[col.ALTERNATIVE]]
    assert first[col.HOURS_AT_STAKE] == pytest.approx(
        t.loc[first[col.TASK_ID], col.HOURS_TOTAL] * alt.time_share * 0.5 * 0.65
    )
    assert np.allclose(review[col.REVIEW_PRIORITY], expected)
    assert review[col.REVIEW_PRIORITY].is_monotonic_decreasing
    top = sample_result.tasks[col.REVIEW_PRIORITY].max()
    assert review[col.REVIEW_PRIORITY].iat[0] == pytest.approx(top)
    sheet = openpyxl.load_workbook(out / "genai_aug_report.xlsx")["Review first"]
    ids = [r[2] for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert ids == list(review[col.TASK_ID])


def test_confidence_is_low_where_the_evidence_is_split() -> None:
    """Decisive evidence gives high confidence; a close call or one weak rule gives low."""
    out = genai_aug.score_texts(
        [
            "Book outpatient appointments on the patient administration system",
            "Type clinic letters",
            "Other duties",
        ]
    ).set_index("task")["confidence"]
    assert out.iloc[0] > 0.5
    assert out.iloc[1] < 0.4
    assert out.iloc[2] == 0.0


def test_days_per_wte_per_month_is_the_share_of_working_days(
    sample_result: genai_aug.Result,
) -> None:
    """Days released per WTE per month = WTE released ÷ FTE × working days a month."""
    t = sample_result.trust.iloc[0]
    days = t[col.WTE_RELEASED] / t[col.FTE] * 45 * 5 / 12
    assert t[col.DAYS_PER_WTE_MONTH] == pytest.approx(days, rel=1e-12)
    assert sample_result.headline.days_per_wte_per_month == pytest.approx(days, rel=1e-12)


def test_explain_from_the_shell_says_which_rules_fired(capsys: pytest.CaptureFixture[str]) -> None:
    """genai-aug explain TEXT: category, exposure, mode, and each rule with its matched words."""
    assert main(["explain", "Book outpatient appointments"]) == 0
    out = capsys.readouterr().out
    assert "Category: scheduling · exposure E2 · mode automation" in out
    assert (
        "scheduling.book -> scheduling" in out and "matched 'book outpatient appointments'" in out
    )
    assert main(["explain", "Other duties"]) == 0
    assert "No rule matched" in capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_score_from_the_shell_in_three_formats(
    tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """genai-aug score TEXT… and --file FILE, as a table, CSV or JSON."""
    listing = tmp_path / "tasks.txt"
    listing.write_text("Wash patients\n\nProcess supplier invoices\n", encoding="utf-8")
    code = main(["score", "Book outpatient appointments", "--file", str(listing), "--format", fmt])
    assert code == 0
    out = capsys.readouterr().out
    if fmt == "json":
        rows = json.loads(out)
        assert [r["category"] for r in rows] == [
            "scheduling",
            "direct_care",  # washing people is personal care (ruleset 0.7.0), not cleaning
            "finance_procurement",
        ]
        assert rows[0]["mode"] == "automation" and 0 <= rows[0]["confidence"] <= 1
    elif fmt == "csv":
        frame = pd.read_csv(__import__("io").StringIO(out))
        assert list(frame.columns[:4]) == ["task", "category", "exposure", "mode"]
        assert len(frame) == 3
    else:
        assert "scheduling" in out and "finance_procurement" in out and "confidence" in out


def test_score_without_texts_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    """No texts and no file: exit 2 with what to do."""
    assert main(["score"]) == 2
    assert "give task descriptions" in capsys.readouterr().err


def test_parquet_tables_hold_what_the_csv_tables_hold(
    outputs: tuple[str, Path], sample_result: genai_aug.Result
) -> None:
    """Every CSV table has a Parquet twin with the same rows and numbers."""
    _, out = outputs
    for name, frame in sample_result.tables().items():
        stem = genai_aug.result.OUTPUT_FILES[name].removesuffix(".csv")
        parquet = pd.read_parquet(out / f"{stem}.parquet")
        assert list(parquet.columns) == list(frame.columns), name
        assert len(parquet) == len(frame), name
        numbers = frame.select_dtypes("number").columns
        np.testing.assert_allclose(
            parquet[numbers].to_numpy(float), frame[numbers].to_numpy(float), rtol=0, atol=0
        )


def test_a_large_report_shows_the_top_rows_and_says_so(
    sample_result: genai_aug.Result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past REPORT_MAX_ROWS the Tasks and By role sheets list the top rows, with a note."""
    from genai_aug import reporting

    monkeypatch.setattr(reporting, "REPORT_MAX_ROWS", 20)
    book = openpyxl.load_workbook(sample_result.to_excel(tmp_path / "r.xlsx"))
    tasks = book["Tasks"]
    assert "Showing the 20 of 450 tasks releasing most hours" in tasks["A1"].value
    shown = {r[3] for r in tasks.iter_rows(min_row=3, values_only=True)}
    top = sample_result.tasks.nlargest(20, col.HOURS_RELEASED, keep="first")
    assert len(shown) == 20 and shown == set(top[col.TASK_ID])
    share = top[col.HOURS_RELEASED].sum() / sample_result.tasks[col.HOURS_RELEASED].sum()
    assert f"({share:.1%} of the hours released)" in tasks["A1"].value
    roles = book["By role"]
    assert "Showing the 20 of 55 roles" in roles["A1"].value
    assert roles.max_row == 2 + 20


def test_a_long_issues_sheet_shows_errors_first_and_counts_every_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past REPORT_MAX_ROWS the Issues sheet lists errors first and counts all issues by code."""
    from genai_aug import reporting

    roles, tasks = _inventory_with_issues()
    result = genai_aug.run(roles, tasks=tasks, errors="reject")
    issues = result.issues
    assert {"error", "warning"} <= set(issues["severity"])
    cap = int(issues["severity"].eq("error").sum()) + 1
    assert cap < len(issues)
    monkeypatch.setattr(reporting, "REPORT_MAX_ROWS", cap)
    sheet = openpyxl.load_workbook(result.to_excel(tmp_path / "r.xlsx"))["Issues"]
    note = sheet["A1"].value
    assert f"Showing the first {cap:,} of {len(issues):,} issues, errors first" in note
    for (code, severity), n in issues.groupby(["code", "severity"]).size().items():
        assert f"{code} ({severity}) {n:,}" in note
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == cap
    assert [r[0] for r in rows] == ["error"] * (cap - 1) + ["warning"]


def _inventory_with_issues() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Four roles: an unknown staff group and negative hours (errors), short weeks (warnings)."""
    roles = pd.DataFrame(
        {
            "role_id": ["R1", "R2", "R3", "R4"],
            "role_title": ["Ward clerk", "Medical secretary", "Porter", "Receptionist"],
            "staff_group": ["Support to clinical staff"] * 2 + ["Estates"] * 2,
            "band": ["Band 3", "Band 4", "Band 2", "Band 2"],
            "fte": [1.0, 2.0, 3.0, 1.0],
            "contracted_hours": [37.5, 37.5, 37.5, 37.5],
        }
    )
    tasks = pd.DataFrame(
        {
            "role_id": ["R1", "R1", "R2", "R3", "R4"],
            "task": [
                "Book outpatient appointments",
                "File notes",
                "Type clinic letters",
                "Move beds",
                "Answer the phone",
            ],
            "hours_per_week": [10.0, -2.0, 20.0, 30.0, 30.0],
        }
    )
    return roles, tasks


def test_column_writers_write_what_the_per_cell_writer_writes() -> None:
    """The per-column fast path gives the same worksheet calls as the per-cell type test."""
    from genai_aug import reporting

    class Recorder:
        def __init__(self) -> None:
            self.calls: list[tuple[object, ...]] = []

        def __getattr__(self, name: str) -> object:
            return lambda *args: self.calls.append((name, *args))

    frame = pd.DataFrame(
        {
            "floats": [1.5, np.nan, np.inf, -0.0, 2.0],
            "ints": np.arange(5, dtype="int64"),
            "nullable": pd.array([1, None, 3, 4, None], dtype="Int64"),
            "text": pd.Series(["a", None, "=b", "", "c"], dtype="str"),
            "objects": pd.Series(["x", 1, None, True, 2.5], dtype=object),
            "flags": [True, False, True, False, True],
        }
    )
    fast, slow = Recorder(), Recorder()
    per_cell = reporting._cell_writer(slow)
    for i, name in enumerate(frame.columns):
        writer = reporting._column_writer(fast, reporting._cell_writer(fast), i, frame[name], "f")
        values = frame[name].to_numpy(dtype=object)
        for r in range(len(frame)):
            writer(10 + r, r)
            per_cell(10 + r, i, values[r], "f")
    assert fast.calls == slow.calls


def test_spreadsheet_escaping_is_the_per_cell_rule_on_every_kind_of_column() -> None:
    """Each distinct value is looked at once now; the cells come out as the per-cell rule."""
    from genai_aug.result import FORMULA_STARTS, safe_for_spreadsheets

    rng = np.random.default_rng(0)
    words = ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", "\ry", "ok", "a=b", "", "'=kept"]
    mixed = [*words, 3, 1.0, True, None, np.nan, b"=bytes", np.str_("=np")]
    frame = pd.DataFrame(
        {
            "mixed": pd.Series(rng.choice(np.array(mixed, dtype=object), 500), dtype=object),
            "text": pd.Series(rng.choice([*words, None], 500), dtype="str"),
            "numbers_as_objects": pd.Series(rng.integers(-5, 5, 500), dtype=object),
            "figures": rng.normal(size=500),
        }
    )
    expected = frame.copy()
    for column in ("mixed", "text"):
        values = frame[column]
        risky = values.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_STARTS))
        expected[column] = values.where(~risky.astype(bool), "'" + values.astype(str))
    got = safe_for_spreadsheets(frame)
    pd.testing.assert_frame_equal(got, expected)
    assert got.to_csv(index=False) == expected.to_csv(index=False)
    assert frame["mixed"].isin(["=1+1"]).any()  # the input is left alone


def test_the_split_sentence_gives_the_parts_the_tables_give(
    sample_result: genai_aug.Result,
) -> None:
    """'Of the central N hours a week, A by automation and B by augmentation': A and B are
    the trust row's figures rounded as every table rounds them, never adjusted to add up
    (a national run once showed 1,315,444 in the sentence and 1,315,443 in the table)."""
    trust = sample_result.trust.iloc[0]
    text = sample_result.headline.split_text()
    assert f"{trust[col.HOURS_AUTOMATION]:,.0f} by automation" in text
    assert f"{trust[col.HOURS_AUGMENTATION]:,.0f} by augmentation" in text


def test_a_run_builds_its_evidence_table_when_first_read(tmp_path: Path) -> None:
    """run() defers the evidence table; read, it is the table scoring builds, kept, and
    every output written from it is byte for byte what an eagerly read one gives."""
    from dataclasses import FrozenInstanceError, replace

    from genai_aug.result import Deferred
    from genai_aug.scoring import score_tasks_with_evidence

    deferred = genai_aug.run(genai_aug.sample_path())
    assert isinstance(deferred.__dict__["_evidence_table"], Deferred)  # not built yet
    deferred.to_csv(tmp_path / "deferred")  # builds it while writing
    eager = genai_aug.run(genai_aug.sample_path())
    evidence = eager.evidence
    assert eager.evidence is evidence  # built once, then kept
    assert not isinstance(eager.__dict__["_evidence_table"], Deferred)
    expected = score_tasks_with_evidence(eager.inventory, eager.ruleset)[1]
    assert (expected[col.RULE_ID] == "analyst_override").any()  # the sample's override
    pd.testing.assert_frame_equal(evidence, expected, check_exact=True)
    assert evidence.attrs["provenance"] == eager.provenance
    eager.to_csv(tmp_path / "eager")
    for path in sorted((tmp_path / "eager").iterdir()):
        assert path.read_bytes() == (tmp_path / "deferred" / path.name).read_bytes(), path.name
    with pytest.raises(FrozenInstanceError):
        eager.evidence = evidence  # type: ignore[misc]
    again = replace(eager, evidence=evidence.head(3))  # a DataFrame is taken as it is
    assert len(again.evidence) == 3
    pd.testing.assert_frame_equal(
        pickle.loads(pickle.dumps(genai_aug.run(genai_aug.sample_path()))).evidence, evidence
    )


@pytest.mark.parametrize("seed", range(5))
def test_top_rows_are_the_head_of_the_full_sort(seed: int) -> None:
    """Sorting only the keys gives the rows, labels and order the full frame's sort gives."""
    from genai_aug._summary import top_rows

    rng = np.random.default_rng(seed)
    n = 500
    frame = pd.DataFrame(
        {
            "score": rng.choice([0.0, 0.5, 1.0, np.nan], n),  # ties and missing values
            "role": pd.Series(rng.choice(["R1", "R2", "R10", None], n), dtype="str"),
            "task": pd.Series([f"T{i % 37}" for i in range(n)], dtype="str"),
            "other": rng.normal(size=n),
        },
        index=rng.permutation(n) + 1000,
    )
    where = frame["score"].to_numpy() > 0
    by, ascending = ["score", "role", "task"], [False, True, True]
    for keep in (0, 1, 7, 60, 61, n - 1, n, n + 5):
        expected = frame[where].sort_values(by, ascending=ascending, kind="stable").head(keep)
        pd.testing.assert_frame_equal(top_rows(frame, by, ascending, keep, where=where), expected)
        expected = frame.sort_values(by, ascending=ascending, kind="stable").head(keep)
        pd.testing.assert_frame_equal(top_rows(frame, by, ascending, keep), expected)


def test_tasks_fired_per_rule_is_counted_as_the_built_table_counts_it() -> None:
    """The Rules used sheet's counts, from the distinct texts, equal the evidence table's,
    with the sample's category overrides and with task ids repeated across roles."""
    from genai_aug.result import Deferred

    inventory = genai_aug.load_inventory(genai_aug.sample_path())
    repeated = inventory.tasks.assign(task_id=inventory.tasks["task_id"].str[-2:])
    for tasks in (inventory.tasks, repeated):
        inv = dataclasses.replace(inventory, tasks=tasks)
        result = genai_aug.run(inv)
        counted = result._tasks_fired()
        assert isinstance(vars(result)["_evidence_table"], Deferred)  # counting built nothing
        built = result.evidence.groupby(col.RULE_ID).size()
        pd.testing.assert_series_equal(counted, built, check_names=False)
