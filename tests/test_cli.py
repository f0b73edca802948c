"""The command line, end to end on the sample."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT
from genai_aug.cli import main


def test_run_on_the_sample_prints_a_summary_and_writes_results(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """genai-aug run prints the headline, staff groups, top roles and unclassified count."""
    code = main(["run", str(ROOT / "data" / "sample_roles.xlsx"), "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("Headline (Partial adoption (central case)): ")
    for text in (
        "By staff group",
        "Review first",
        "Central functions",
        "Top 10 roles",
        "Unclassified tasks",
        "sha256",
    ):
        assert text in out
    for name in (
        "scored_tasks.csv",
        "hours_by_role.csv",
        "hours_by_staff_group.csv",
        "hours_trust.csv",
        "evidence.csv",
        "issues.csv",
        "unclassified_tasks.csv",
        "review_first.csv",
        "run_metadata.json",
    ):
        assert (tmp_path / name).exists(), name
    tasks = pd.read_csv(tmp_path / "scored_tasks.csv")
    trust = pd.read_csv(tmp_path / "hours_trust.csv")
    assert len(tasks) >= 400
    assert trust["hours_released_per_week"].iat[0] > 0
    meta = json.loads((tmp_path / "run_metadata.json").read_text())
    assert len(meta["ruleset_sha256"]) == 64
    assert meta["assumptions"]["working_weeks_per_year"] == 45.0


def test_csv_output_is_byte_identical_across_runs(tmp_path: Path) -> None:
    """The same inventory and ruleset give byte-identical CSV files."""
    sample = str(ROOT / "data" / "sample_roles.xlsx")
    assert main(["run", sample, "--out", str(tmp_path / "a")]) == 0
    assert main(["run", sample, "--out", str(tmp_path / "b")]) == 0
    for csv in sorted((tmp_path / "a").glob("*.csv")):
        assert csv.read_bytes() == (tmp_path / "b" / csv.name).read_bytes(), csv.name


def test_bad_inventory_exits_2_and_writes_the_issues(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A bad inventory exits with status 2, says what is wrong, and writes issues.csv."""
    roles = tmp_path / "roles.csv"
    tasks = tmp_path / "tasks.csv"
    roles.write_text("role_id,role_title,staff_group,fte\nR1,Clerk,Wizards,1\n")
    tasks.write_text("role_id,task,hours_per_week\nR1,Type letters,ten\n")
    code = main(["run", str(roles), "--tasks", str(tasks), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2
    assert "unknown staff group 'Wizards'" in err and "row 2" in err
    issues = pd.read_csv(tmp_path / "o" / "issues.csv")
    assert set(issues["code"]) >= {"unknown-staff-group", "not-a-number"}


def test_skip_invalid_runs_on_the_good_rows(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """--skip-invalid leaves bad rows out, lists them, and carries on."""
    roles = tmp_path / "roles.csv"
    tasks = tmp_path / "tasks.csv"
    roles.write_text("role_id,role_title,staff_group,fte\nR1,Clerk,Central functions,1\n")
    tasks.write_text("role_id,task,hours_per_week\nR1,Type letters,37.5\nR2,Ghost,5\n")
    assert (
        main(
            [
                "run",
                str(roles),
                "--tasks",
                str(tasks),
                "--skip-invalid",
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 0
    )
    issues = pd.read_csv(tmp_path / "o" / "issues.csv")
    assert issues["code"].tolist() == ["unknown-role"]


def test_python_dash_m_runs_the_same_command() -> None:
    """python -m genai_aug works like genai-aug."""
    done = subprocess.run(
        [sys.executable, "-m", "genai_aug", "rules"], capture_output=True, text=True, check=True
    )
    assert "genai_aug default" in done.stdout and "scheduling" in done.stdout


def test_bad_ruleset_file_exits_2(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A broken ruleset file is a one-line error and exit status 2, not a traceback."""
    bad = tmp_path / "r.toml"
    bad.write_text("[ruleset\n")
    assert main(["rules", "--rules", str(bad)]) == 2
    assert "not valid TOML" in capsys.readouterr().err


def test_result_renders_an_html_summary_in_notebooks(tmp_path: Path) -> None:
    """The result's HTML leads with the headline, then every staff group and the ruleset hash."""
    import genai_aug

    result = genai_aug.run(ROOT / "data" / "sample_roles.xlsx")
    page = result._repr_html_()
    assert page.index("Headline (Partial adoption (central case))") < page.index("Trust total")
    assert "Central functions" in page and "of which automation" in page
    assert result.ruleset.hash[:12] in page and "Share of hours" in page
    assert "Result(" in repr(result) and "headline='partial_adoption'" in repr(result)


def test_csv_text_cells_cannot_run_as_formulas(tmp_path: Path) -> None:
    """Task text that starts like a formula is written as text, with a leading apostrophe."""
    import genai_aug

    roles = pd.DataFrame(
        {
            "role_id": ["R1"],
            "role_title": ['=HYPERLINK("x")'],
            "staff_group": ["Central functions"],
            "fte": [1.0],
        }
    )
    tasks = pd.DataFrame(
        {
            "role_id": ["R1", "R1"],
            "task": ["=cmd|' /C calc'!A0", "@SUM(1) book appointments"],
            "hours_per_week": [5.0, 10.0],
        }
    )
    genai_aug.run(roles, tasks).to_csv(tmp_path)
    written = (tmp_path / "scored_tasks.csv").read_text()
    assert "'=cmd" in written and "'@SUM" in written and "'=HYPERLINK" in written
    assert ",=" not in written and ",@" not in written


def test_run_with_out_writes_the_report_charts_and_scenario_tables(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """--out adds the Excel report, four PNG charts and the scenario ranges as CSV."""
    code = main(["run", str(ROOT / "data" / "sample_roles.xlsx"), "--out", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert "Partial adoption (central case)" in out and "genai_aug_report.xlsx" in out
    for name in (
        "genai_aug_report.xlsx",
        "chart_hours_by_staff_group.png",
        "chart_top_roles.png",
        "chart_exposure_mix.png",
        "chart_automation_augmentation.png",
        "scenarios_trust.csv",
        "scenarios_by_staff_group.csv",
        "scenarios_by_role.csv",
        "scenario_assumptions.csv",
    ):
        assert (tmp_path / name).stat().st_size > 0, name
    trust = pd.read_csv(tmp_path / "scenarios_trust.csv")
    assert list(trust["scenario"]) == ["llm_alone", "llm_with_tools", "partial_adoption"]
    meta = json.loads((tmp_path / "run_metadata.json").read_text())
    assert meta["monte_carlo"] == {"seed": 2025, "n_draws": 2000, "quantiles": [0.1, 0.9]}


def test_progress_goes_to_stderr_and_quiet_silences_it(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Each stage is announced on standard error with its time; -q turns that off."""
    sample = str(ROOT / "data" / "sample_roles.xlsx")
    assert main(["run", sample, "--out", str(tmp_path), "--no-charts"]) == 0
    err = capsys.readouterr().err
    for stage in ("loading", "scoring 450 tasks", "aggregating", "2,000 draws", "Excel report"):
        assert stage in err, stage
    assert "done (" in err
    assert main(["run", sample, "-q"]) == 0
    assert capsys.readouterr().err == ""


def test_seed_and_draws_change_the_ranges_reproducibly(tmp_path: Path) -> None:
    """--seed and --draws reach the Monte Carlo, and the same seed reproduces the files."""
    sample = str(ROOT / "data" / "sample_roles.xlsx")
    for d in ("a", "b", "c"):
        seed = "11" if d != "c" else "12"
        args = ["run", sample, "-q", "--out", str(tmp_path / d), "--seed", seed]
        assert main([*args, "--draws", "500", "--no-charts"]) == 0
    a, b, c = (pd.read_csv(tmp_path / d / "scenarios_trust.csv") for d in "abc")
    pd.testing.assert_frame_equal(a, b)
    assert not a["hours_released_per_week_low"].equals(c["hours_released_per_week_low"])


@pytest.mark.parametrize("command", ["run", "evaluate", "rules", "template", "explain", "score"])
def test_every_command_has_help(command: str, capsys) -> None:  # type: ignore[no-untyped-def]
    """--help works for each command and describes it."""
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: genai-aug {command}") and len(out) > 200


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["run", "missing.xlsx"], "not found"),
        (["run", "{sample}", "--scenarios", "missing.toml"], "Scenario file"),
        (["run", "{sample}", "--rules", "missing.toml"], "Ruleset file"),
        (["run", "{sample}", "--draws", "5"], "--draws must be at least 100"),
        (["run", "{sample}", "--draws", "100000000000"], "at most 100,000"),
        (["run", "{sample}", "--seed", "-1"], "--seed must be at least 0"),
        (["run", "{sample}", "--adoption-rate", "0.5"], "--adoption-rate was removed"),
        (["run", "{sample}", "--headline", "llm_alon"], "did you mean 'llm_alone'"),
    ],
)
def test_bad_input_exits_2_with_a_one_line_reason(args: list[str], reason: str, capsys) -> None:  # type: ignore[no-untyped-def]
    """The first line of standard error says what is wrong; no traceback."""
    sample = str(ROOT / "data" / "sample_roles.xlsx")
    code = main([a.replace("{sample}", sample) for a in args] + ["-q"])
    err = capsys.readouterr().err
    assert code == 2
    first = err.splitlines()[0]
    assert first.startswith("genai-aug: ") and reason in first
    assert "Traceback" not in err


def test_rules_lists_the_glossary(capsys) -> None:  # type: ignore[no-untyped-def]
    """genai-aug rules shows the abbreviations it reads as full words, after the rules."""
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    glossary = out.split("Glossary (")[1]
    assert "d/c" in glossary and "discharge" in glossary


def test_importing_the_package_is_quick_and_loads_no_pandas() -> None:
    """The public names are imported on first use, so ``genai-aug --help`` and a Ctrl-C
    while the command starts do not wait for pandas and numpy."""
    code = "import sys, genai_aug; print('pandas' in sys.modules, genai_aug.run.__module__)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.split() == ["False", "genai_aug.pipeline"]


def test_ctrl_c_while_the_command_starts_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C during the first second (the imports) exits 130 with one line."""
    from genai_aug import _entry

    class Interrupted:
        def find_spec(self, name: str, path: object, target: object = None) -> None:
            if name == "genai_aug.cli":
                raise KeyboardInterrupt

    monkeypatch.delitem(sys.modules, "genai_aug.cli")
    monkeypatch.setattr(sys, "meta_path", [Interrupted(), *sys.meta_path])
    assert _entry.main(["rules"]) == 130
    assert capsys.readouterr().err.splitlines() == [
        "genai-aug: interrupted while starting; nothing was written"
    ]


def test_an_e0_task_has_no_mode_in_the_cli_as_in_every_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`score` and `explain` read a task's mode where scored_tasks.csv does: none for E0."""
    assert main(["score", "Assist patients with washing and dressing", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["exposure"] == "E0" and rows[0]["mode"] is None
    assert main(["explain", "Assist patients with washing and dressing"]) == 0
    assert "mode none (E0 releases nothing)" in capsys.readouterr().out


def test_explain_says_how_the_glossary_read_the_text(capsys: pytest.CaptureFixture[str]) -> None:
    """The rules match 'discharge summaries', which is not in the text typed: say why."""
    assert main(["explain", "Do d/c summaries"]) == 0
    assert "Read with the glossary: d/c = discharge" in capsys.readouterr().out
