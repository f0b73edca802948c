"""The documentation stays true: README commands, CI, and the category table."""

from __future__ import annotations

import re

import genai_aug
from conftest import ROOT


def readme_commands() -> list[str]:
    """The first two fenced bash commands of the README."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", text)[:2]


def test_readme_starts_with_the_two_setup_commands() -> None:
    """The README's first command runs the main job on the sample; the second runs the tests."""
    install_run, install_test = readme_commands()
    assert "pip install" in install_run and "genai-aug run data/sample_roles.xlsx" in install_run
    assert "pip install" in install_test and "pytest" in install_test


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run calls the README's test command verbatim, in a fresh virtual environment."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci
    assert "venv" in ci


def test_scoring_doc_lists_every_category_as_in_the_ruleset() -> None:
    """docs/scoring.md shows each default category with its exposure and time share."""
    doc = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    for c in genai_aug.default_ruleset().categories:
        assert f"| `{c.id}` | {c.label} | {c.exposure} | {c.time_share:.2f} |" in doc, c.id


def test_errors_doc_lists_every_issue_code_with_an_example_and_a_fix() -> None:
    """docs/errors.md has a table row per issue code: severity, example message, fix."""
    from genai_aug._issues import ISSUE_CODES

    doc = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    rows = [line for line in doc.splitlines() if line.startswith("| `")]
    documented: dict[str, list[str]] = {}
    for line in rows:
        cells = [c.strip() for c in line.strip("|").split("|")]
        for code in re.findall(r"`([a-z-]+)`", cells[0]):
            documented[code] = cells
    missing = sorted(ISSUE_CODES - set(documented))
    assert not missing
    for code in ISSUE_CODES:
        cells = documented[code]
        assert len(cells) == 4 and cells[1] and len(cells[2]) > 20 and len(cells[3]) > 10, code


def test_errors_doc_shows_every_check_as_validation_runs_it() -> None:
    """docs/errors.md holds the table of checks as scripts/docs_errors.py writes it from the code.

    Every check's code, severity, sheet, column and message template, in the order they run,
    and every code raised outside the checks; rerun the script after changing a check.
    """
    import importlib.util

    from genai_aug._checks import CHECKS

    spec = importlib.util.spec_from_file_location(
        "docs_errors", ROOT / "scripts" / "docs_errors.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    doc = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert script.section() in doc, "run python scripts/docs_errors.py"
    for check in CHECKS:
        assert f"| `{check.code}` | {check.severity}" in doc, check.code
        assert check.template.replace("|", "\\|") in doc, check.code


def test_getting_started_runs_from_top_to_bottom(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Every python block of docs/getting-started.md runs, in order, in one namespace.

    A ```text block right after a python block is what that block prints: it must match,
    so the figures the page shows are the figures the code gives.
    """
    import contextlib
    import io

    import matplotlib

    matplotlib.use("Agg")
    doc = (ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8")
    pieces = re.findall(r"```(python|text)\n(.*?)\n```", doc, flags=re.DOTALL)
    blocks = [
        (code, nxt[1] if nxt and nxt[0] == "text" else None)
        for (kind, code), nxt in zip(pieces, [*pieces[1:], None], strict=True)
        if kind == "python"
    ]
    assert len(blocks) >= 15
    assert sum(expected is not None for _, expected in blocks) >= 3
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for i, (block, expected) in enumerate(blocks):
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                exec(compile(block, f"getting-started.md block {i + 1}", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - the message is the point
            raise AssertionError(f"block {i + 1} failed: {exc!r}\n{block}") from exc
        if expected is not None:
            assert printed.getvalue().rstrip("\n") == expected, f"block {i + 1} prints otherwise"
    assert (tmp_path / "sample_report.xlsx").exists()
    assert (tmp_path / "our_inventory.xlsx").exists()


def test_docs_link_the_outputs_pages() -> None:
    """The README points to the getting-started and interpreting pages."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for page in ("docs/getting-started.md", "docs/interpreting-results.md"):
        assert page in readme and (ROOT / page).exists()


def test_the_limits_the_docs_state_are_the_limits_the_code_applies() -> None:
    """The hostile review found the docs saying --draws up to 1,000,000 and the header
    searched in ten rows while the code took 100,000 and 50: the docs follow the code."""
    from genai_aug.aggregating import MAX_DRAWS
    from genai_aug.loading import _HEADER_SCAN_ROWS

    docs = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md")}
    draws = re.compile(r"`--draws`[^.]*?100 to ([\d,]+)")
    stated = {m for text in docs.values() for m in draws.findall(text)}
    assert stated == {f"{MAX_DRAWS:,}"}
    header = re.compile(r"header row is (?:found|looked for) among the first (\w+) rows")
    assert set(header.findall(docs["errors.md"])) == {str(_HEADER_SCAN_ROWS)}


def test_interpreting_results_quotes_the_samples_figures_as_a_run_gives_them(
    sample_result: genai_aug.Result,
) -> None:
    """The page quotes the sample's headline, full potential and split by hand: each
    figure must be what a run gives today (one number means one thing everywhere)."""
    text = (ROOT / "docs" / "interpreting-results.md").read_text(encoding="utf-8")
    flat = re.sub(r"\s*\n>?\s*", " ", text)
    h = sample_result.headline
    trust = sample_result.scenarios.trust.set_index("scenario")
    full, head = trust.loc["llm_with_tools"], trust.loc[h.scenario]
    worked = sample_result.trust["hours_per_week_total"].iloc[0]
    share = full["hours_released_per_week"] / worked
    expected = [
        h.sentence(),
        f"{full['hours_released_per_week']:,.0f} of {worked:,.0f} hours a week "
        f"({share * 100:.1f} %; {full['days_released_per_wte_per_month']:.2f} working days",
        f"{share * 0.65 * 100:.1f} % of a user's time",
        f"({head['hours_released_automation_per_week']:,.0f} of "
        f"{head['hours_released_per_week']:,.0f} hours a week) is automation",
        f"is {full['days_released_per_wte_per_month']:.2f} days per WTE per month and the "
        f"headline {head['days_released_per_wte_per_month']:.2f}.",
        f"{head['hours_released_per_week']:,.0f} hours a week "
        f"({head['hours_released_per_week'] / worked * 100:.1f} % of hours; "
        f"{head['wte_released']:.1f} WTE), range {head['hours_released_per_week_low']:,.0f} – "
        f"{head['hours_released_per_week_high']:,.0f}",
        f"{head['wte_released']:.0f} WTE released across {sample_result.trust['fte'].iloc[0]:,.0f} "
        f"FTE is about {head['wte_released'] / sample_result.trust['fte'].iloc[0] * 450:.0f} "
        f"minutes of a 7.5-hour day each, not {head['wte_released']:.0f} empty desks.",
    ]
    missing = [e for e in expected if e not in flat]
    assert missing == []
