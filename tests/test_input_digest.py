"""The input files' SHA-256 in a run's provenance, and inputs that are not regular files."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest

import genai_aug
from genai_aug.errors import InventoryError


def _csv_pair(folder: Path, roles_name: str, tasks_name: str) -> tuple[Path, Path]:
    inv = genai_aug.load_inventory(genai_aug.sample_path())
    roles, tasks = folder / roles_name, folder / tasks_name
    inv.roles.drop(columns=["source_file", "source_sheet", "source_row"]).to_csv(roles, index=False)
    inv.tasks.drop(columns=["source_file", "source_sheet", "source_row"]).to_csv(tasks, index=False)
    return roles, tasks


def _sha(*paths: Path) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes())
    return h.hexdigest()


def test_the_digest_is_of_the_files_given_even_with_plus_in_their_names(tmp_path: Path) -> None:
    roles, tasks = _csv_pair(tmp_path, "roles + v2.csv", "tasks + v2.csv")
    result = genai_aug.run(roles, tasks=tasks)
    assert result.provenance["input_sha256"] == _sha(roles, tasks)
    # (an inventory loaded earlier names its files joined by " + ", which names holding
    # " + " make ambiguous: its digest is then missing, never that of other files)
    again = genai_aug.run(genai_aug.load_inventory(roles, tasks=tasks))
    assert again.provenance["input_sha256"] is None or again.provenance["input_sha256"] == (
        _sha(roles, tasks)
    )


def test_a_workbook_and_an_inventory_loaded_from_it_have_its_digest() -> None:
    path = genai_aug.sample_path()
    assert genai_aug.run(path).provenance["input_sha256"] == _sha(Path(path))
    inv = genai_aug.load_inventory(path)
    assert genai_aug.run(inv).provenance["input_sha256"] == _sha(Path(path))


def test_dataframes_have_no_digest_whatever_files_are_about(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file named like a DataFrame's source in the working folder is not the input."""
    inv = genai_aug.load_inventory(genai_aug.sample_path())
    monkeypatch.chdir(tmp_path)
    Path("<DataFrame>").write_text("not the input")
    roles = inv.roles.drop(columns=["source_file", "source_sheet", "source_row"])
    tasks = inv.tasks.drop(columns=["source_file", "source_sheet", "source_row"])
    assert genai_aug.run(roles, tasks=tasks).provenance["input_sha256"] is None
    from_frames = genai_aug.load_inventory(roles, tasks=tasks)
    assert genai_aug.run(from_frames).provenance["input_sha256"] is None


@pytest.mark.skipif(not hasattr(os, "mkfifo") or sys.platform == "win32", reason="no FIFOs here")
@pytest.mark.parametrize("name", ["roles.csv", "roles.xlsx"])
def test_a_pipe_is_refused_not_waited_on(tmp_path: Path, name: str) -> None:
    """Opening a FIFO with no writer would wait for ever: it is refused as no file."""
    fifo = tmp_path / name
    os.mkfifo(fifo)
    _, tasks = _csv_pair(tmp_path, "r.csv", "t.csv")
    with pytest.raises(InventoryError) as info:
        genai_aug.load_inventory(fifo, tasks=tasks if name.endswith(".csv") else None)
    assert "not a regular file" in str(info.value)
    assert list(info.value.issues["code"]) == ["unreadable-file"]
