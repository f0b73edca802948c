"""The output folder of ``genai-aug run --out``: checked first, written whole, one writer.

Issue 13, class 3: a failed run, a Ctrl-C or a second run must never leave a folder that
mixes this run's files with another's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT
from genai_aug import _output
from genai_aug.cli import main
from genai_aug.errors import OutputError
from genai_aug.result import Result
from test_catalogue import with_task, xlsx

SAMPLE = str(ROOT / "data" / "sample_roles.xlsx")
SMALL = ["--draws", "100", "-q"]


def _listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _leftovers(parent: Path) -> list[str]:
    """Temporary, moved-aside or lock files left beside the output folder."""
    return [p.name for p in parent.iterdir() if p.name.startswith(".")]


def test_a_failed_run_leaves_only_its_issues_not_older_results(tmp_path: Path) -> None:
    """After a good run, a bad one replaces the folder with issues.csv alone."""
    out = tmp_path / "results"
    assert main(["run", SAMPLE, "--out", str(out), *SMALL]) == 0
    assert (out / "hours_trust.csv").exists()
    bad = xlsx(tmp_path, tasks=with_task(-1))
    assert main(["run", str(bad), "--out", str(out), *SMALL]) == 2
    assert sorted(p.name for p in out.iterdir()) == [_output.MARKER, "issues.csv"]
    assert _leftovers(tmp_path) == []


def test_an_interrupted_write_leaves_the_previous_results_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the report is written: exit 130, the old folder byte for byte, no temp."""
    out = tmp_path / "results"
    assert main(["run", SAMPLE, "--out", str(out), *SMALL]) == 0
    before = _listing(out)
    from genai_aug.pipeline import Result

    def interrupted(self: Result, path: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Result, "to_excel", interrupted)
    small = xlsx(tmp_path)
    assert main(["run", str(small), "--out", str(out), *SMALL]) == 130
    assert _listing(out) == before
    assert _leftovers(tmp_path) == []


def test_no_charts_leaves_no_charts_of_an_earlier_run(tmp_path: Path) -> None:
    """--no-charts after a run with charts: the folder has no PNG at all."""
    out = tmp_path / "results"
    assert main(["run", SAMPLE, "--out", str(out), *SMALL]) == 0
    assert list(out.glob("*.png"))
    assert main(["run", SAMPLE, "--out", str(out), "--no-charts", *SMALL]) == 0
    assert not list(out.glob("*.png"))


def test_a_second_run_on_a_folder_in_use_is_refused(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """While one run holds the folder, another exits 2 in one line and writes nothing."""
    out = tmp_path / "results"
    with _output.out_lock(out):
        code = main(["run", SAMPLE, "--out", str(out), *SMALL])
    err = capsys.readouterr().err
    assert code == 2
    assert "being written by another genai-aug run" in err.splitlines()[0]
    assert not out.exists()
    assert _leftovers(tmp_path) == []  # the lock file goes with the run that held it


def test_two_processes_on_one_folder_never_mix(tmp_path: Path) -> None:
    """Two runs started together: each is whole or refused; the folder is one run's."""
    out = tmp_path / "results"
    command = [sys.executable, "-m", "genai_aug", "run", SAMPLE, "--out", str(out), *SMALL]
    procs = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in procs]
    assert any(code == 0 for code, _ in results)
    for code, err in results:
        assert code == 0 or "being written by another" in err or "already holds" in err, err
    names = {p.name for p in out.iterdir()}
    assert {"hours_trust.csv", "scored_tasks.csv", _output.MARKER} <= names
    assert _leftovers(tmp_path) == []


def _a_file(p: Path) -> Path:
    (p / "file.txt").write_text("x")
    return p / "file.txt"


def _missing_parent(p: Path) -> Path:
    return p / "missing" / "results"


def _folder_of_other_files(p: Path) -> Path:
    (p / "mine").mkdir()
    (p / "mine" / "notes.docx").write_text("x")
    return p / "mine"


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (_a_file, "is a file"),
        (_missing_parent, "does not exist"),
        (_folder_of_other_files, "did not write"),
    ],
    ids=["out-is-a-file", "missing-parent", "folder-of-other-files"],
)
def test_a_bad_out_is_refused_in_one_line_before_any_work(  # type: ignore[no-untyped-def]
    tmp_path: Path, make, reason: str, capsys
) -> None:
    """--out problems exit 2 with one line, before the inventory is even loaded."""
    out = make(tmp_path)
    code = main(["run", SAMPLE, "--out", str(out), "--draws", "100"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines() == [err.splitlines()[0]] and reason in err
    assert "loading" not in err  # no stage started
    if (tmp_path / "mine").exists():
        assert _listing(tmp_path / "mine") == {"notes.docx": b"x"}


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="root may write to read-only folders"
)
def test_a_read_only_out_is_refused(tmp_path: Path) -> None:
    """A read-only folder (or one in a read-only folder) is an OutputError, not a traceback."""
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="read-only"):
            _output.check_out(tmp_path / "results")
    finally:
        tmp_path.chmod(0o755)


def test_a_closed_pipe_ends_quietly() -> None:
    """genai-aug rules | head: no BrokenPipeError traceback, no 'Exception ignored'."""
    proc = subprocess.run(
        f"'{sys.executable}' -m genai_aug rules | head -n 1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.stdout.startswith("genai_aug default")
    assert proc.stderr == ""


def test_control_characters_from_inputs_are_not_sent_to_the_terminal(
    tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    """An ESC or BEL in a title is printed visibly escaped, never raw."""
    roles, tasks = tmp_path / "roles.csv", tmp_path / "tasks.csv"
    roles.write_text(
        "role_id,role_title,staff_group,fte\n"
        'R1,Ward \x1b[31mclerk\x07,"Support to doctors, nurses & midwives",2\n',
        encoding="utf-8",
    )
    tasks.write_text(
        "role_id,task,hours_per_week\nR1,Book outpatient appointments,37.5\n", encoding="utf-8"
    )
    assert main(["run", str(roles), "--tasks", str(tasks), *SMALL]) == 0
    captured = capsys.readouterr()
    assert "\x1b" not in captured.out + captured.err and "\x07" not in captured.out + captured.err


def test_out_through_a_symbolic_link_replaces_the_folder_and_keeps_the_link(
    tmp_path: Path,
) -> None:
    """--out LINK writes into the folder LINK points to, locks that folder, and leaves
    the link a link with nothing stray beside it."""
    real, link = tmp_path / "results", tmp_path / "link"
    assert main(["run", SAMPLE, "--out", str(real), *SMALL]) == 0
    link.symlink_to(real, target_is_directory=True)
    assert main(["run", SAMPLE, "--out", str(link), *SMALL]) == 0
    assert link.is_symlink() and (link / "hours_trust.csv").exists()
    assert _output._lock_path(_output.real_out(link)) == _output._lock_path(real)
    assert _leftovers(tmp_path) == []


def test_the_folder_you_are_in_is_refused_as_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--out . (or a folder holding the current one) would replace the folder under the
    user's feet: refused in one line before any work."""
    out = tmp_path / "results"
    assert main(["run", SAMPLE, "--out", str(out), *SMALL]) == 0
    (out / "inside").mkdir()
    capsys.readouterr()
    for where, arg in ((out, "."), (out / "inside", "..")):
        monkeypatch.chdir(where)
        assert main(["run", SAMPLE, "--out", arg, *SMALL]) == 2
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1 and "the folder you are working in" in err


def test_arguments_that_are_not_valid_text_get_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Bytes that are not UTF-8 on the command line (seen by Python as lone surrogates)
    are named in one line, never a traceback."""
    for argv in (["score", "\udcff\udcfe bad bytes"], ["explain", "\udcff bad"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1 and "not valid UTF-8" in err


@pytest.fixture(scope="module")
def small_result() -> Result:
    import genai_aug

    return genai_aug.run(genai_aug.sample_path(), n_draws=200)


def test_result_to_csv_over_an_earlier_run_leaves_only_this_runs_tables(
    tmp_path: Path, small_result: Result
) -> None:
    """An earlier run's extra tables (here per ICB) are removed; the analyst's own files
    in the folder are kept."""
    (tmp_path / "hours_by_icb.csv").write_text("an earlier run's table\n")
    (tmp_path / "notes.txt").write_text("mine\n")
    written = small_result.to_csv(tmp_path)
    names = {p.name for p in tmp_path.iterdir()}
    assert names == {p.name for p in written.values()} | {"notes.txt"}
    assert "hours_by_icb.csv" not in names


def test_an_interrupted_result_to_csv_leaves_the_folder_as_it_was(
    tmp_path: Path, small_result: Result, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C part-way through the CSVs (the API, not the CLI): the previous files byte
    for byte, and nothing beside them."""
    small_result.to_csv(tmp_path)
    before = _listing(tmp_path)
    calls = {"n": 0}
    real = pd.DataFrame.to_csv

    def interrupted(self: pd.DataFrame, *args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(pd.DataFrame, "to_csv", interrupted)
    with pytest.raises(KeyboardInterrupt):
        small_result.to_csv(tmp_path)
    assert _listing(tmp_path) == before


@pytest.mark.parametrize("method", ["to_csv", "to_parquet", "save_charts", "to_excel"])
def test_result_writers_refuse_wrong_paths_with_the_packages_errors(
    tmp_path: Path, small_result: Result, method: str
) -> None:
    """A file where a folder is expected (or the reverse), or a non-path, is an
    OutputError or ArgumentTypeError, never FileExistsError, TypeError or xlsxwriter's."""
    from genai_aug.errors import ArgumentTypeError

    a_file = tmp_path / "a.txt"
    a_file.write_text("x")
    wrong = tmp_path if method == "to_excel" else a_file
    with pytest.raises(OutputError):
        getattr(small_result, method)(wrong)
    with pytest.raises(ArgumentTypeError):
        getattr(small_result, method)(42)
