"""Validation gives, cell for cell, what it gave before it became a table of checks.

The catalogue (tests/test_catalogue.py) asserts the exact (severity, code, sheet, row,
column) of every issue. This module asserts more, on more inputs: the whole issues table
(value and message included) and the whole validated inventory, for every catalogue case
in both error modes and for 150 inventories of random cells drawn with a fixed seed. The
reference, ``tests/data/validation_reference.json.gz``, was written by the validation code
of commit 201c661 (before the rewrite), with::

    PYTHONPATH=src python tests/test_validation_reference.py --write

Rewrite it only for a change of output that is meant, and say so in the commit.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import random
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import genai_aug
from genai_aug._cells import PercentCell
from genai_aug._reference import STAFF_GROUPS
from genai_aug.errors import GenAIAugError, InventoryError

sys.path.insert(0, str(Path(__file__).parent))
from test_catalogue import CASES, Case

REFERENCE = Path(__file__).parent / "data" / "validation_reference.json.gz"
N_RANDOM = 150
SEED = 13

# --------------------------------------------------------------------------- random inventories

NUMBERS: list[object] = [
    None,
    "",
    "  ",
    0,
    0.0,
    1,
    2.5,
    -1,
    -0.5,
    37.5,
    40,
    1e300,
    float("nan"),
    float("inf"),
    10**400 // 10**399,
    "7.5 hrs",
    "7,5",
    "1,234",
    "2 wte",
    "50%",
    "abc",
    "#N/A",
    "=SUM(A1:A3)",
    True,
    dt.date(2024, 1, 5),
    dt.datetime(2024, 1, 5, 10, 30),
    dt.timedelta(hours=36),
    dt.time(7, 30),
    PercentCell(0.25),
    Decimal("3.5"),
    Decimal("sNaN"),
    "12\u200b",
    200,
    168.5,
    1e8,
]
ROLE_IDS: list[object] = ["R1", "R2", "R3", "R4", " r1 ", "R1\u200b", 101.0, None, "", "Total"]
TITLES: list[object] = [
    "Ward clerk",
    "Staff nurse",
    "Porter",
    None,
    "Total",
    "Grand Total:",
    "\x07",
]
GROUPS: list[object] = [*STAFF_GROUPS, "Nursing staff", "nurses", "Medical", None, "  "]
BANDS: list[object] = ["Band 2", "Band 5", "8a", "Consultant", "Band 12", "foundation", None, 7]
TASKS: list[object] = [
    "Book outpatient appointments",
    "Wash patients",
    "Write discharge letters",
    "Answer the ward telephone",
    "Process supplier invoices",
    None,
    "",
    "\u200b",
    "Total",
    "long " * 500,
    "Order \u202estock",
]
TASK_IDS: list[object] = [None, None, None, "T1", "T2", "T1", "", 5]
FACING: list[object] = [None, "yes", "no", "Y", "n", "maybe", 1, 0, True, 2, ""]
OVERRIDES: list[object] = [None, None, "admin", "sheduling", "Scheduling", "nonsense", "  "]
ROLE_COLUMNS = [
    "role_id",
    "role_title",
    "staff_group",
    "band",
    "fte",
    "headcount",
    "contracted_hours",
]
TASK_COLUMNS = [
    "role_id",
    "task_id",
    "task",
    "hours_per_week",
    "percent_of_time",
    "patient_facing",
    "category_override",
]
CATEGORIES = (("admin", "Administration"), ("scheduling", "Scheduling"), ("care", "Direct care"))


def _pick(rng: random.Random, good: list[object], pool: list[object]) -> object:
    """Mostly a plausible value, sometimes anything from ``pool``."""
    return rng.choice(good) if rng.random() < 0.88 else rng.choice(pool)


def random_inventory(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Two DataFrames of random cells, and the keywords to load them with."""
    rng = random.Random(seed)
    roles = [
        [
            _pick(rng, ["R1", "R2", "R3", "R4"], ROLE_IDS),
            _pick(rng, TITLES[:3], TITLES),
            _pick(rng, list(STAFF_GROUPS), GROUPS),
            _pick(rng, BANDS[:4], BANDS),
            _pick(rng, [1, 2.5, 4, None], NUMBERS),
            _pick(rng, [None, 3, 5], NUMBERS),
            _pick(rng, [37.5, 40.0, None], NUMBERS),
        ]
        for _ in range(rng.randint(0, 1) + rng.randint(0, 6))
    ]
    present = sorted({r[0] for r in roles if isinstance(r[0], str)}) or ["R1"]
    tasks = [
        [
            _pick(rng, present, [*ROLE_IDS, "R5"]),
            rng.choice(TASK_IDS) if rng.random() < 0.2 else None,
            _pick(rng, TASKS[:5], TASKS),
            _pick(rng, [5, 7.5, 10, 20, None], NUMBERS),
            _pick(rng, [None, None, 10, 50], NUMBERS),
            _pick(rng, [None, "yes", "no"], FACING),
            rng.choice(OVERRIDES),
        ]
        for _ in range(rng.randint(0, 14))
    ]
    roles_df = pd.DataFrame(roles, columns=ROLE_COLUMNS, dtype=object)
    tasks_df = pd.DataFrame(tasks, columns=TASK_COLUMNS, dtype=object)
    if rng.random() < 0.1:  # a required column missing
        del roles_df[rng.choice(["role_id", "role_title", "staff_group"])]
    if rng.random() < 0.1:
        del tasks_df[rng.choice(["role_id", "task"])]
    kwargs: dict[str, Any] = {
        "errors": "raise" if rng.random() < 0.25 else "reject",
        "hours_tolerance": rng.choice([0.05, 0.0, 0.5]),
    }
    if rng.random() < 0.5:
        kwargs["_categories"] = CATEGORIES
    return roles_df, tasks_df, kwargs


class _Ruleset:
    """Enough of a ruleset for load_inventory's category check: its categories."""

    def __init__(self, categories: tuple[tuple[str, str], ...]) -> None:
        self.categories = [type("C", (), {"id": i, "label": label})() for i, label in categories]


# --------------------------------------------------------------------------- outcomes


def _cell(v: object) -> object:
    """A JSON-safe, exact rendering of one cell (repr keeps 1 and 1.0 and '1' apart)."""
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return None if v is None else repr(v)
    return repr(v)


def _frame(frame: pd.DataFrame, tmp: str) -> dict[str, Any]:
    body = frame.astype(object)
    return {
        "columns": [str(c) for c in frame.columns],
        "dtypes": [str(t) for t in frame.dtypes],
        "rows": [[_clean(_cell(v), tmp) for v in row] for row in body.itertuples(index=False)],
    }


def _clean(value: object, tmp: str) -> object:
    """The temporary folder, and the size of a workbook written just now, made constant."""
    if not isinstance(value, str) or not tmp:
        return value
    return re.sub(r" is [\d,]+ bytes, over", " is <n> bytes, over", value.replace(tmp, "<tmp>"))


def outcome(load: Any, tmp: str = "") -> dict[str, Any]:
    """What loading gives: the issues table, and the inventory when there is one."""
    try:
        inv = load()
    except InventoryError as exc:
        return {"raised": True, "issues": _frame(exc.issues, tmp)}
    except GenAIAugError as exc:  # pragma: no cover - a case that raises another error
        return {"raised": type(exc).__name__, "message": _clean(str(exc), tmp)}
    return {
        "raised": False,
        "issues": _frame(inv.issues, tmp),
        "roles": _frame(inv.roles, tmp),
        "tasks": _frame(inv.tasks, tmp),
        "rows_read": inv.rows_read,
        "rows_rejected": inv.rows_rejected,
        "blank_rows": inv.blank_rows,
    }


def catalogue_outcome(case: Case, tmp_path: Path, errors: str) -> dict[str, Any]:
    args = case.make(tmp_path)
    return outcome(
        lambda: genai_aug.load_inventory(*args, errors=errors, **case.kwargs),  # type: ignore[arg-type]
        str(tmp_path),
    )


def random_outcome(seed: int) -> dict[str, Any]:
    roles, tasks, kwargs = random_inventory(seed)
    categories = kwargs.pop("_categories", None)
    if categories:
        kwargs["ruleset"] = _Ruleset(categories)
    return outcome(lambda: genai_aug.load_inventory(roles, tasks, **kwargs))


def _reference() -> dict[str, Any]:
    with gzip.open(REFERENCE, "rt", encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


# --------------------------------------------------------------------------- tests


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    return _reference()


@pytest.mark.parametrize("errors", ["raise", "reject"])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_catalogue_case_gives_the_reference_issues_and_inventory(
    case: Case, errors: str, tmp_path: Path, reference: dict[str, Any]
) -> None:
    """Every column of every issue (value and message too), and the inventory, as before."""
    expected = reference["catalogue"][f"{case.id}/{errors}"]
    assert catalogue_outcome(case, tmp_path, errors) == expected


@pytest.mark.parametrize("seed", range(N_RANDOM))
def test_random_cells_give_the_reference_issues_and_inventory(
    seed: int, reference: dict[str, Any]
) -> None:
    """Inventories of random cells (fixed seeds): the same issues table and inventory."""
    assert random_outcome(seed) == reference["random"][str(seed)]


def test_the_reference_raises_every_code_and_severity_of_the_table(
    reference: dict[str, Any],
) -> None:
    """The reference exercises each (code, severity) of the table, so a changed message shows."""
    from genai_aug._checks import CHECKS

    seen = set()
    for group in reference.values():
        for result in group.values():
            issues = result.get("issues", {"columns": [], "rows": []})
            if issues["rows"]:
                code, severity = (issues["columns"].index(c) for c in ("code", "severity"))
                seen |= {(r[code].strip("'"), r[severity].strip("'")) for r in issues["rows"]}
    missing = sorted({(c.code, c.severity) for c in CHECKS} - seen)
    assert not missing


def main() -> None:
    """Write the reference from the code as it is (only for a meant change of output)."""
    import tempfile

    data: dict[str, dict[str, Any]] = {"catalogue": {}, "random": {}}
    for case in CASES:
        for errors in ("raise", "reject"):
            with tempfile.TemporaryDirectory() as tmp:
                data["catalogue"][f"{case.id}/{errors}"] = catalogue_outcome(
                    case, Path(tmp), errors
                )
    for seed in range(N_RANDOM):
        data["random"][str(seed)] = random_outcome(seed)
    REFERENCE.parent.mkdir(exist_ok=True)
    with gzip.GzipFile(REFERENCE, "wb", mtime=0) as fh:
        fh.write(json.dumps(data, indent=0, sort_keys=True).encode("utf-8"))


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        raise SystemExit(__doc__)
    main()
