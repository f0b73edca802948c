"""Organisations, ICBs and regions: multi-organisation inventories add up like staff groups."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import genai_aug
from genai_aug import _columns as col
from genai_aug._reference import STAFF_GROUPS
from genai_aug.rollup import NO_AREA, Hierarchy, _run_heads, _staff_group_codes, ordered_sum
from test_aggregating import random_inventory

ORGS = ["RR8", "RAE", "RWY", "RCF"]
LOOKUP = pd.DataFrame(
    {
        "organisation": ORGS,
        "icb": ["West Yorkshire", "West Yorkshire", "West Yorkshire", "Humber"],
        "region": ["North East and Yorkshire"] * 4,
    }
)


@pytest.fixture(scope="module")
def national() -> genai_aug.Result:
    """Forty roles spread over four organisations, one of which is not in the lookup."""
    roles, tasks = random_inventory(5, n_roles=40)
    roles["trust"] = [ORGS[i % 4] if i % 10 else "RXX" for i in range(len(roles))]
    return genai_aug.run(roles, tasks, organisations=LOOKUP)


def test_each_organisation_adds_up_its_roles(national: genai_aug.Result) -> None:
    """Per organisation: central hours are the sum of its roles', and all add up to the total."""
    orgs = national.areas["organisation"].set_index("organisation")
    roles = national.roles.merge(national.inventory.roles[[col.ROLE_ID, "trust"]], on=col.ROLE_ID)
    per_org = roles.groupby("trust")[col.HOURS_RELEASED].apply(lambda v: math.fsum(v))
    assert sorted(orgs.index) == sorted([*ORGS, "RXX"])
    np.testing.assert_allclose(orgs.loc[per_org.index, col.HOURS_RELEASED], per_org, rtol=1e-12)
    for column in (col.HOURS_RELEASED, col.HOURS_AUTOMATION, col.FTE, col.HOURS_TOTAL):
        assert math.fsum(orgs[column]) == pytest.approx(national.trust[column].iat[0], rel=1e-12)
    assert (orgs[col.RELEASED_LOW] <= orgs[col.HOURS_RELEASED] + 1e-9).all()
    assert (orgs[col.HOURS_RELEASED] <= orgs[col.RELEASED_HIGH] + 1e-9).all()


def test_a_lookup_adds_icbs_and_regions(national: genai_aug.Result) -> None:
    """ICBs sum their organisations; an organisation missing from the lookup is 'not given'."""
    orgs = national.areas["organisation"].set_index("organisation")[col.HOURS_RELEASED]
    icbs = national.areas["icb"].set_index("icb")[col.HOURS_RELEASED]
    assert icbs["West Yorkshire"] == pytest.approx(orgs[["RR8", "RAE", "RWY"]].sum(), rel=1e-12)
    assert icbs[NO_AREA] == pytest.approx(orgs["RXX"], rel=1e-12)
    regions = national.areas["region"].set_index("region")[col.HOURS_RELEASED]
    assert math.fsum(regions) == pytest.approx(national.headline.hours, rel=1e-12)


def test_every_scenario_is_given_per_organisation(national: genai_aug.Result) -> None:
    """scenarios.areas has every scenario's figures per area; the headline's match areas."""
    long = national.scenarios.areas["organisation"]
    assert set(long[col.SCENARIO]) == {s.name for s in national.scenarios.scenarios.scenarios}
    head = long[long[col.SCENARIO] == national.scenarios.headline].set_index("organisation")
    mine = national.areas["organisation"].set_index("organisation")
    pd.testing.assert_series_equal(
        head[col.HOURS_RELEASED], mine[col.HOURS_RELEASED], check_exact=True
    )


def test_organisations_reach_every_output(national: genai_aug.Result, tmp_path: Path) -> None:
    """CSV and Parquet tables, the Excel 'By organisation' sheet and the terminal summary."""
    written = national.to_csv(tmp_path)
    for name in ("organisation", "icb", "region", "scenario_organisation"):
        assert written[name].exists(), name
    table = pd.read_csv(tmp_path / "hours_by_organisation.csv")
    assert len(table) == 5
    book = openpyxl.load_workbook(national.to_excel(tmp_path / "r.xlsx"))
    assert {"By organisation", "By ICB", "By region"} <= set(book.sheetnames)
    first = book["By organisation"].cell(row=3, column=1).value
    assert first == table.sort_values(col.HOURS_RELEASED, ascending=False)["organisation"].iat[0]
    assert "organisations by hours released" in national.summary()
    assert national.trust["level"].iat[0] == "Total, 5 organisations"


def test_one_organisation_gives_no_extra_sheets(sample_result: genai_aug.Result) -> None:
    """The sample trust is one organisation: a one-row table, no 'By organisation' sheet."""
    assert len(sample_result.areas["organisation"]) == 1
    assert "icb" not in sample_result.areas


def test_area_sums_do_not_depend_on_row_order(national: genai_aug.Result) -> None:
    """Shuffled roles give bit-identical organisation figures."""
    inv = national.inventory
    roles = inv.roles.drop(columns=list(col.PROVENANCE)).sample(frac=1.0, random_state=9)
    tasks = inv.tasks.drop(columns=list(col.PROVENANCE)).sample(frac=1.0, random_state=10)
    again = genai_aug.run(roles, tasks, organisations=LOOKUP.sample(frac=1.0, random_state=1))
    for level in ("organisation", "icb", "region"):
        pd.testing.assert_frame_equal(again.areas[level], national.areas[level], check_exact=True)


@pytest.mark.parametrize(
    ("lookup", "message"),
    [
        (pd.DataFrame({"org": ["RR8"], "icb": ["X"]}), "expected columns 'organisation'"),
        (pd.DataFrame({"organisation": ["RR8"]}), "and 'icb' and/or 'region'"),
        (
            pd.DataFrame({"organisation": ["RR8", "RR8"], "icb": ["X", "Y"]}),
            "organisation 'RR8' is given more than one ICB",
        ),
    ],
)
def test_a_bad_lookup_is_a_clear_error(lookup: pd.DataFrame, message: str) -> None:
    """What is wrong with the lookup, and what was expected."""
    roles, tasks = random_inventory(2, n_roles=4)
    roles["trust"] = "RR8"
    with pytest.raises(genai_aug.GenAIAugError, match=message):
        genai_aug.run(roles, tasks, organisations=lookup)


def test_area_rows_add_in_role_order() -> None:
    """Hierarchy.roles_to_area_rows adds a matrix's rows per area; ordered_sum agrees."""
    roles = pd.DataFrame(
        {
            "role_id": ["b", "a", "c"],
            "role_title": ["B", "A", "C"],
            "staff_group": ["Managers"] * 3,
            "trust": ["X", "Y", "X"],
        }
    )
    tree = Hierarchy.from_roles(roles)
    matrix = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])  # roles a (Y), b (X), c (X)
    assert tree.areas["organisation"][1] == ["X", "Y"]
    assert tree.roles_to_area_rows("organisation", matrix).tolist() == [[8.0, 10.0], [1.0, 2.0]]
    assert tree.roles_to_area("organisation", matrix[:, 0]).tolist() == [8.0, 1.0]
    assert ordered_sum(np.array([1.0, 5.0]), np.array([0, 0])).tolist() == [6.0]


def test_an_area_adds_up_as_the_trust_does_through_its_staff_groups() -> None:
    """An organisation's sum is its staff groups' sums added up, as the trust total is:
    alone in an inventory, its figure is the trust's, to the bit.

    Its roles were added in one sorted run, 1 + (1 + 2**53): 2**53, each addition
    rounded to even, where the trust adds the groups' sums, 2 + 2**53.
    """
    roles = pd.DataFrame(
        {
            "role_id": ["a", "b", "c"],
            "role_title": ["A", "B", "C"],
            "staff_group": ["Managers", "Senior managers", "Senior managers"],
            "trust": ["X", "X", "X"],
        }
    )
    tree = Hierarchy.from_roles(roles)
    values = np.array([2.0**53, 1.0, 1.0])
    trust = tree.groups_to_trust(tree.roles_to_groups(values))
    assert trust == 2.0**53 + 2
    assert tree.roles_to_area("organisation", values).tolist() == [trust]


def test_an_organisation_s_figures_are_its_own_run_s_trust_total() -> None:
    """Each organisation's figures among others, low and high too, are its row's and
    its trust total's in a run of its roles alone (base and scenario tables alike).

    Its central figures added up its roles in another order than the trust total, and
    its range's hours per category too; its draws were a product of as many rows as
    there were organisations, which the BLAS adds up in an order chosen by that number.
    """
    sheets = pd.read_excel(genai_aug.sample_path(), sheet_name=["roles", "tasks"])
    roles, tasks = sheets["roles"], sheets["tasks"]
    roles = roles.assign(Trust=np.where(roles.index % 3 == 0, "Trust A", "Trust B"))
    every = genai_aug.run(roles, tasks=tasks)
    for name in ("Trust A", "Trust B"):
        own_roles = roles[roles["Trust"] == name]
        alone = genai_aug.run(own_roles, tasks=tasks[tasks["Role ID"].isin(own_roles["Role ID"])])
        for among, own, total in (
            (every.areas["organisation"], alone.areas["organisation"], alone.trust),
            (
                every.scenarios.areas["organisation"],
                alone.scenarios.areas["organisation"],
                alone.scenarios.trust,
            ),
        ):
            row = among[among["organisation"] == name].reset_index(drop=True)
            pd.testing.assert_frame_equal(row, own, check_exact=True)
            figures = [c for c in total.columns if total[c].dtype == float]
            pd.testing.assert_frame_equal(row[figures], total[figures], check_exact=True)


def test_rows_divided_by_each_role_s_divisor_add_up_as_the_divided_matrix() -> None:
    """roles_to_groups_rows / roles_to_area_rows with a divisor: the same bits as the sums
    of ``matrix / divisor[:, None]`` made whole (a group, or 8,192 rows, at a time)."""
    rng = np.random.default_rng(4)
    n = 20_000
    groups = [*list(STAFF_GROUPS)[:5], None]
    roles = pd.DataFrame(
        {
            "role_id": [f"R{i:06d}" for i in rng.permutation(n)],
            "role_title": "x",
            "staff_group": rng.choice(np.array(groups, dtype=object), n),
            "trust": rng.choice([f"T{i}" for i in range(37)], n),
        }
    )
    tree = Hierarchy.from_roles(roles)
    matrix = rng.gamma(0.5, 30.0, (n, 9)) * (rng.random((n, 9)) < 0.3)
    divisor = rng.choice([37.5, 40.0, 22.5, 7.3, 11.0], n)
    divided = matrix / divisor[:, None]
    order, starts = tree._group_rows

    def bits(a: np.ndarray) -> np.ndarray:  # type: ignore[type-arg]
        return a.view(np.int64)

    assert np.array_equal(
        bits(tree.roles_to_groups_rows(matrix, divisor)),
        bits(np.add.reduceat(divided[order], starts, axis=0)),
    )
    assert np.array_equal(
        bits(tree.roles_to_groups_rows(matrix)),
        bits(np.add.reduceat(matrix[order], starts, axis=0)),
    )
    whole = np.zeros((37, 9))
    np.add.at(whole, tree.areas["organisation"][0], divided)
    assert np.array_equal(
        bits(tree.roles_to_area_rows("organisation", matrix, divisor)), bits(whole)
    )


@pytest.mark.parametrize("dtype", [object, "str"])
def test_role_codes_of_any_ids(dtype: object) -> None:
    """A task's role code is its role's row, −1 for an unknown or missing id, whether the
    ids are Python strings (one look-up a row) or arrow text (one per distinct id)."""
    roles = pd.DataFrame(
        {
            "role_id": pd.Series(["b", "a", "c"], dtype=dtype),
            "role_title": ["B", "A", "C"],
            "staff_group": ["Managers"] * 3,
        }
    )
    tree = Hierarchy.from_roles(roles)
    ids = pd.Series(["c", "a", None, "zz", "b", "a"], dtype=dtype)
    assert tree.role_codes(ids).tolist() == [2, 0, -1, -1, 1, 0]
    assert tree.role_codes(ids.astype(object if dtype == "str" else "str")).tolist() == [
        2,
        0,
        -1,
        -1,
        1,
        0,
    ]


@pytest.mark.parametrize("n_roles", [0, 1, 5, 3000])
def test_area_rows_are_np_add_at_bit_for_bit(n_roles: int) -> None:
    """roles_to_area_rows adds each area's rows one after another from 0, as np.add.at
    does (its bincount per column must not change a bit): with NaN, infinities, zeros of
    both signs, values far apart in size, an area with no roles and one role alone."""
    rng = np.random.default_rng(n_roles)
    trusts = ["X", "Y", "Z"]
    roles = pd.DataFrame(
        {
            "role_id": [f"R{i:05d}" for i in range(n_roles)],
            "role_title": "t",
            "staff_group": "Managers",
            "trust": rng.choice(trusts, n_roles) if n_roles else [],
        }
    )
    tree = Hierarchy.from_roles(roles) if n_roles else None
    if tree is None or "organisation" not in tree.areas:
        return
    codes, names = tree.areas["organisation"]
    pool = np.array([0.0, -0.0, 1e-17, 0.1, 0.2, 0.3, 1e16, -1e16, 7.25, np.inf, np.nan])
    matrix = rng.choice(pool, (n_roles, 4)) * rng.choice([1.0, 3.3], (n_roles, 4))
    divisor = rng.choice([37.5, 7.3, 11.0, 0.0], n_roles)

    def bits(a: np.ndarray) -> np.ndarray:  # type: ignore[type-arg]
        return a.view(np.int64)

    for div in (None, divisor):
        expected = np.zeros((len(names), 4))
        with np.errstate(divide="ignore", invalid="ignore"):
            np.add.at(expected, codes, matrix if div is None else matrix / div[:, None])
            got = tree.roles_to_area_rows("organisation", matrix, div)
        assert np.array_equal(bits(got), bits(expected))


def test_role_codes_of_runs_of_ids() -> None:
    """Tasks of a role standing together are looked up once per run: the same codes as a
    look-up a row, for runs of unknown and missing ids (None, NaN) too; ids in any order,
    or with pd.NA (which compares to no plain true or false), are looked up a row each."""
    roles = pd.DataFrame(
        {
            "role_id": pd.Series(["b", "a", "c", "d"], dtype=object),
            "role_title": ["B", "A", "C", "D"],
            "staff_group": ["Managers"] * 4,
        }
    )
    tree = Hierarchy.from_roles(roles)
    index = pd.Index(roles["role_id"].sort_values().to_numpy(), dtype=object)
    runs: list[object] = ["a"] * 9 + ["zz"] * 5 + [np.nan] * 6 + ["c"] * 8 + [None] * 5
    runs += ["b"] * 7 + ["a"] * 4 + ["d"] * 12
    assert _run_heads(np.array(runs, dtype=object)) is not None  # (the runs' way)
    with_na = runs[:20] + [pd.NA] * 5 + runs[20:]
    assert _run_heads(np.array(with_na, dtype=object)) is None
    rng = np.random.default_rng(3)
    shuffled = list(rng.permutation(np.array(runs, dtype=object)))
    for values in (runs, with_na, shuffled):
        ids = pd.Series(values, dtype=object)
        expected = index.get_indexer(pd.Index(ids, dtype=object)).tolist()
        assert tree.role_codes(ids).tolist() == expected
        assert expected == [
            {"a": 0, "b": 1, "c": 2, "d": 3}.get(v, -1) if isinstance(v, str) else -1
            for v in values
        ]


def test_staff_group_codes_of_arrow_text_are_a_categoricals() -> None:
    """Staff groups stored by pyarrow are coded by index_in, others by an index look-up:
    the codes (and their type) of a categorical of the NHS staff groups, −1 for a missing
    or other group, without pandas' warning about values outside a categorical's."""
    rng = np.random.default_rng(6)
    values = list(rng.choice([*STAFF_GROUPS, "Not a group", "managers"], 500))
    values[3] = None
    dtype = pd.CategoricalDtype(list(STAFF_GROUPS), ordered=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (values not among the categories: pandas warns)
        expected = pd.Series(pd.Series(values, dtype=object), dtype=dtype).cat.codes.to_numpy()
    series_of = (
        pd.Series(values, dtype="str"),
        pd.Series(values, dtype="string"),
        pd.Series(values, dtype=object),
        pd.Series([*values[:-1], 7], dtype=object),  # (something not text)
    )
    for series in series_of:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            got = _staff_group_codes(series)
        if series.iloc[-1] == 7:
            expected_here = np.r_[expected[:-1], -1]
            assert got.tolist() == expected_here.tolist()
            continue
        assert got.dtype == expected.dtype
        assert got.tolist() == expected.tolist()
    assert -1 in expected and len(set(expected.tolist())) > 5
