"""Fuzzing the loader: random cells and random bytes get a result or a genai_aug error.

Whatever is thrown at the public API, the only exceptions that may come out are
genai_aug's own (``GenAIAugError`` and its subclasses), and whatever loads keeps the
books: rows read = rows kept + rows rejected.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

import genai_aug
from genai_aug._reference import STAFF_GROUPS
from genai_aug.errors import GenAIAugError, InventoryError
from test_catalogue import ROLE_HEAD, TASK_HEAD, stale_dimension, xlsx

# 40 examples a test in CI; set GENAI_AUG_FUZZ_EXAMPLES=1000 for a deeper search locally.
FUZZ = settings(
    max_examples=int(os.environ.get("GENAI_AUG_FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

ANY_CELL = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(
        ["#N/A", "#DIV/0!", "7.5 hrs", "7,5", "1,234", "=SUM(A1:A3)", "Total", "", "  ", "yes"]
    ),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
)
IDS = st.one_of(st.sampled_from(["R1", "R2", "R3"]), ANY_CELL)


def _column(good: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    """Mostly plausible values, sometimes anything at all."""
    return st.one_of(good, good, good, ANY_CELL)


ROLE_ROW = st.tuples(
    IDS,
    _column(st.sampled_from(["Ward clerk", "Staff nurse", "Porter"])),
    _column(st.sampled_from(STAFF_GROUPS)),
    _column(st.sampled_from(["Band 2", "Band 5", "8a", "Consultant"])),
    _column(st.floats(min_value=0, max_value=50)),
    _column(st.sampled_from([37.5, 40.0])),
)
TASK_ROW = st.tuples(
    IDS,
    _column(st.text(min_size=1, max_size=6)),
    _column(
        st.sampled_from(
            ["Book outpatient appointments", "Wash patients", "Write discharge letters"]
        )
    ),
    _column(st.floats(min_value=0, max_value=20)),
)


def _check_books(inv: genai_aug.Inventory) -> None:
    for sheet, kept in (("roles", inv.roles), ("tasks", inv.tasks)):
        assert inv.rows_read[sheet] == len(kept) + inv.rows_rejected[sheet]


@FUZZ
@given(
    roles=st.lists(ROLE_ROW, max_size=6),
    tasks=st.lists(TASK_ROW, max_size=10),
    mode=st.sampled_from(["raise", "reject"]),
)
def test_random_cells_give_a_result_or_a_library_error(
    roles: list[tuple[object, ...]], tasks: list[tuple[object, ...]], mode: str
) -> None:
    """DataFrames of random cells: a run, or a GenAIAugError — never anything else."""
    roles_df = pd.DataFrame(roles, columns=ROLE_HEAD, dtype=object)
    tasks_df = pd.DataFrame(tasks, columns=TASK_HEAD, dtype=object)
    try:
        inv = genai_aug.load_inventory(roles_df, tasks_df, errors=mode)  # type: ignore[arg-type]
    except GenAIAugError:
        return
    _check_books(inv)
    result = genai_aug.run(inv, n_draws=100)
    assert len(result.tasks) == len(inv.tasks)


def _storable(v: object) -> object:
    """What an .xlsx cell can hold: no NaN or infinity, no control characters."""
    if isinstance(v, float) and (v != v or abs(v) == float("inf")):
        return None
    if isinstance(v, str):
        return ILLEGAL_CHARACTERS_RE.sub("", v)
    return v


@FUZZ
@given(roles=st.lists(ROLE_ROW, max_size=5), tasks=st.lists(TASK_ROW, max_size=8))
def test_random_cells_in_a_workbook_give_a_result_or_a_library_error(
    roles: list[tuple[object, ...]], tasks: list[tuple[object, ...]]
) -> None:
    """The same, through an .xlsx file written by openpyxl."""
    clean = [[_storable(v) for v in r] for r in (*roles, *tasks)]
    with tempfile.TemporaryDirectory() as tmp:
        path = xlsx(Path(tmp), clean[: len(roles)], clean[len(roles) :])
        try:
            inv = genai_aug.load_inventory(path, errors="reject")
        except GenAIAugError:
            return
        _check_books(inv)


@FUZZ
@given(data=st.binary(max_size=3000))
def test_random_bytes_as_a_workbook_are_an_inventory_error(data: bytes) -> None:
    """Bytes that are no workbook never escape as a zipfile or XML exception."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "random.xlsx"
        path.write_bytes(data)
        with pytest.raises(InventoryError) as info:
            genai_aug.load_inventory(path)
        assert info.value.issues["code"].iat[0] in {"unreadable-file", "suspicious-file"}


_VALID = io.BytesIO()


def _valid_workbook() -> bytes:
    if not _VALID.getvalue():
        with tempfile.TemporaryDirectory() as tmp:
            _VALID.write(xlsx(Path(tmp)).read_bytes())
    return _VALID.getvalue()


@FUZZ
@given(
    flips=st.lists(
        st.tuples(st.integers(min_value=0, max_value=10**9), st.integers(0, 255)),
        min_size=1,
        max_size=8,
    )
)
def test_a_damaged_workbook_is_an_inventory_error_or_loads(flips: list[tuple[int, int]]) -> None:
    """A real workbook with random bytes overwritten: loads, or says it cannot."""
    data = bytearray(_valid_workbook())
    for position, value in flips:
        data[position % len(data)] = value
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "damaged.xlsx"
        path.write_bytes(bytes(data))
        try:
            inv = genai_aug.load_inventory(path, errors="reject")
        except GenAIAugError:
            return
        _check_books(inv)


@FUZZ
@given(roles=st.binary(max_size=2000), tasks=st.binary(max_size=2000))
def test_random_bytes_as_csv_give_a_result_or_a_library_error(roles: bytes, tasks: bytes) -> None:
    """Any bytes at all as a CSV pair: a result or a GenAIAugError."""
    with tempfile.TemporaryDirectory() as tmp:
        r, t = Path(tmp) / "roles.csv", Path(tmp) / "tasks.csv"
        r.write_bytes(roles)
        t.write_bytes(tasks)
        try:
            inv = genai_aug.load_inventory(r, t, errors="reject")
        except GenAIAugError:
            return
        _check_books(inv)


def test_fuzz_inputs_include_zip_structures() -> None:
    """The damaged-workbook fuzz starts from a real zip (so it explores past the header)."""
    assert zipfile.is_zipfile(io.BytesIO(_valid_workbook()))


@FUZZ
@given(
    n=st.integers(min_value=1, max_value=40),
    ref=st.sampled_from(["A1", "A1:A1", "A1:D2", "B2:C3", "A1:B1", "A1:XFD1048576", "Z9:A1"]),
)
def test_a_stale_dimension_never_changes_what_is_read(n: int, ref: str) -> None:
    """Whatever the tasks sheet's <dimension> claims, every task row is read (issue 13)."""
    tasks = [["R1", f"T{i}", "Answer the ward telephone", 0.5] for i in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        path = stale_dimension(xlsx(Path(tmp), tasks=tasks), ref)
        inv = genai_aug.load_inventory(path, errors="reject")
        assert inv.rows_read["tasks"] == n == len(inv.tasks)


# Cells as pandas and Excel deliver them beyond plain Python values (issue 13, class 2).
ODD_CELL = st.one_of(
    st.just(pd.NA),
    st.just(pd.NaT),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=30)),
    st.times(),
    st.integers(min_value=10**300, max_value=10**400),
    st.floats(min_value=1e300, max_value=1e308),
    st.text(alphabet="\u200b\u200d\ufeff\u00ad\x1b\x07\x00 R1", max_size=6),
)


@FUZZ
@given(
    roles=st.lists(
        st.tuples(
            *(
                st.one_of(v, ODD_CELL)
                for v in (
                    IDS,
                    st.just("Porter"),
                    st.sampled_from(STAFF_GROUPS),
                    st.just("Band 2"),
                    st.floats(0, 50),
                    st.just(37.5),
                )
            )
        ),
        max_size=5,
    ),
    tasks=st.lists(
        st.tuples(
            *(
                st.one_of(v, ODD_CELL)
                for v in (
                    IDS,
                    st.text(min_size=1, max_size=4),
                    st.just("Wash patients"),
                    st.floats(0, 20),
                )
            )
        ),
        max_size=8,
    ),
)
def test_odd_cell_types_give_a_result_or_a_library_error(
    roles: list[tuple[object, ...]], tasks: list[tuple[object, ...]]
) -> None:
    """pd.NA, Decimal, durations, huge numbers, invisible text: a run or a GenAIAugError."""
    roles_df = pd.DataFrame(roles, columns=ROLE_HEAD, dtype=object)
    tasks_df = pd.DataFrame(tasks, columns=TASK_HEAD, dtype=object)
    try:
        inv = genai_aug.load_inventory(roles_df, tasks_df, errors="reject")
    except GenAIAugError:
        return
    _check_books(inv)
    result = genai_aug.run(inv, n_draws=100)
    assert len(result.tasks) == len(inv.tasks)
    totals = result.trust.select_dtypes("number").to_numpy(dtype=float)
    assert (totals == totals).all() and abs(totals).max(initial=0) < float("inf")


# Ruleset and scenario files of random layout that extend the default (issue 13, class 5).
TOML_SCALAR = st.one_of(
    st.sampled_from(["default", "baseline", "scheduling", "llm_alone"]),
    st.text(alphabet="abcdefgh_.", max_size=8),
    st.integers(-5, 5),
    st.floats(-2, 2),
    st.booleans(),
)
TOML_VALUE = st.recursive(
    TOML_SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["id", "name", "category", "weight", "terms"]), inner),
    ),
    max_leaves=8,
)


def _toml(value: object) -> str:
    """A value as inline TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"


@FUZZ
@given(
    head=st.dictionaries(st.sampled_from(["disable", "description", "extends"]), TOML_VALUE),
    parts=st.dictionaries(st.sampled_from(["rules", "categories"]), TOML_VALUE),
)
def test_random_ruleset_files_that_extend_the_default_give_a_ruleset_error(
    head: dict[str, object], parts: dict[str, object]
) -> None:
    """Whatever the layout, loading gives a Ruleset or a RulesetError, never a TypeError."""
    from genai_aug.errors import RulesetError

    head = {"name": "x", "version": "1", "extends": "default", **head}
    text = "".join(f"{k} = {_toml(v)}\n" for k, v in parts.items())
    text += "[ruleset]\n" + "".join(f"{k} = {_toml(v)}\n" for k, v in head.items())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rules.toml"
        path.write_text(text, encoding="utf-8")
        with contextlib.suppress(RulesetError):
            genai_aug.load_ruleset(path)


@FUZZ
@given(
    head=st.dictionaries(st.sampled_from(["version", "extends", "extend"]), TOML_VALUE),
    scenario=TOML_VALUE,
)
def test_random_scenario_files_give_a_scenario_error(
    head: dict[str, object], scenario: object
) -> None:
    """Whatever the layout, loading gives scenarios or a ScenarioError, never a TypeError."""
    from genai_aug.errors import ScenarioError

    text = f"scenario = {_toml(scenario)}\n[scenarios]\n"
    text += "".join(f"{k} = {_toml(v)}\n" for k, v in head.items())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scenarios.toml"
        path.write_text(text, encoding="utf-8")
        with contextlib.suppress(ScenarioError):
            genai_aug.load_scenarios(path)
