"""Shared fixtures for the genai_aug tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import genai_aug

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SHARED_DATA = SHARED / "data"


def shared_file(name: str) -> Path:
    """Path to a file of ../shared/data, or skip the test with the reason."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"../shared/data/{name} is not beside this checkout (CI has it)")
    return path


@pytest.fixture(scope="session")
def sample_result() -> genai_aug.Result:
    """The default run on the bundled sample (computed once)."""
    return genai_aug.run(genai_aug.sample_path())


def make_frames(
    roles: list[dict[str, object]] | None = None,
    tasks: list[dict[str, object]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A small valid inventory as two DataFrames; pass rows to replace the defaults."""
    roles = (
        roles
        if roles is not None
        else [
            {
                "role_id": "R1",
                "role_title": "Ward clerk",
                "staff_group": "Support to doctors, nurses & midwives",
                "band": "Band 2",
                "fte": 4.0,
                "contracted_hours": 37.5,
            },
            {
                "role_id": "R2",
                "role_title": "Healthcare assistant",
                "staff_group": "Support to doctors, nurses & midwives",
                "band": "Band 2",
                "fte": 10.0,
                "contracted_hours": 37.5,
            },
        ]
    )
    tasks = (
        tasks
        if tasks is not None
        else [
            {"role_id": "R1", "task": "Book outpatient appointments", "hours_per_week": 20},
            {"role_id": "R1", "task": "Answer the ward telephone", "hours_per_week": 17.5},
            {
                "role_id": "R2",
                "task": "Assist patients with washing and dressing",
                "hours_per_week": 30,
            },
            {
                "role_id": "R2",
                "task": "Record observations in the nursing notes",
                "hours_per_week": 7.5,
            },
        ]
    )
    return pd.DataFrame(roles), pd.DataFrame(tasks)
