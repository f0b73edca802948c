"""The fast ranges and roll-ups give the old path's tables, bit for bit (issue 15).

The reference is aggregate_hours as it was (tests/_reference_aggregating.py): every table
of :class:`Aggregates` is compared column by column, dtypes, order and the bits of every
float, on the bundled sample and on a generated inventory of several organisations with
enough roles for many blocks of draws on both threads.
"""

from __future__ import annotations

import weakref
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from threadpoolctl import threadpool_info

import genai_aug
from _reference_aggregating import reference_aggregate_hours
from genai_aug import aggregating, rollup
from genai_aug.aggregating import Aggregates, aggregate_hours
from genai_aug.rollup import GroupSums, ordered_sum
from genai_aug.scenarios import Range, Scenario, ScenarioSet, default_scenarios
from genai_aug.scoring import score_tasks_with_evidence
from test_aggregating import random_inventory

ORGS = ["RR8", "RAE", "RWY", "RCF", "RXX"]
LOOKUP = pd.DataFrame(
    {
        "organisation": ORGS[:4],
        "icb": ["West Yorkshire", "West Yorkshire", "West Yorkshire", "Humber"],
        "region": ["North East and Yorkshire"] * 4,
    }
)


def _tables(agg: Aggregates) -> dict[str, pd.DataFrame]:
    out = {
        "tasks": agg.tasks,
        "roles": agg.roles,
        "staff_groups": agg.staff_groups,
        "trust": agg.trust,
        "scenarios.roles": agg.scenarios.roles,
        "scenarios.staff_groups": agg.scenarios.staff_groups,
        "scenarios.trust": agg.scenarios.trust,
    }
    out.update({f"areas.{k}": v for k, v in agg.areas.items()})
    out.update({f"scenarios.areas.{k}": v for k, v in agg.scenarios.areas.items()})
    return out


def _bits(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    return np.ascontiguousarray(values, dtype=np.float64).view(np.int64)


def assert_identical(new: Aggregates, old: Aggregates) -> None:
    """Same tables, columns, dtypes, index and values; floats to the bit (NaN and −0 too)."""
    a, b = _tables(new), _tables(old)
    assert list(a) == list(b)
    for name in a:
        x, y = a[name], b[name]
        assert list(x.columns) == list(y.columns), name
        assert list(x.dtypes) == list(y.dtypes), name
        assert x.index.equals(y.index), name
        for c in x.columns:
            if x[c].dtype.kind == "f":
                assert np.array_equal(_bits(x[c].to_numpy()), _bits(y[c].to_numpy())), (name, c)
            else:
                assert x[c].equals(y[c]), (name, c)
    assert new.scenarios.seed == old.scenarios.seed
    assert new.scenarios.n_draws == old.scenarios.n_draws
    assert new.assumptions == old.assumptions


@pytest.fixture(scope="module")
def sample() -> tuple[pd.DataFrame, pd.DataFrame]:
    inventory = genai_aug.load_inventory(genai_aug.sample_path())
    return score_tasks_with_evidence(inventory)[0], inventory.roles


@pytest.fixture(scope="module")
def generated() -> tuple[pd.DataFrame, pd.DataFrame]:
    """1,500 roles over five organisations (one not in the lookup): three blocks of draws."""
    roles, tasks = random_inventory(11, n_roles=1500)
    roles["trust"] = [ORGS[i % 5] for i in range(len(roles))]
    inventory = genai_aug.load_inventory(roles, tasks)
    return score_tasks_with_evidence(inventory)[0], inventory.roles


def test_the_sample_gives_the_old_tables(sample: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    scored, roles = sample
    assert_identical(aggregate_hours(scored, roles), reference_aggregate_hours(scored, roles))


def test_a_generated_inventory_gives_the_old_tables(
    generated: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    scored, roles = generated
    new = aggregate_hours(scored, roles, organisations=LOOKUP)
    assert set(new.areas) == {"organisation", "icb", "region"}
    assert len(new.roles) > 2 * (aggregating._BLOCK // aggregating.DEFAULT_DRAWS)
    assert_identical(new, reference_aggregate_hours(scored, roles, organisations=LOOKUP))


def _scoped(name: str, headline: bool = False, u: float = 0.3, **scope: Any) -> Scenario:
    return Scenario(
        name=name,
        label=name,
        description="for tests",
        exposures=("E1", "E2"),
        adoption=Range(low=0.2, central=0.5, high=0.9),
        realisation=Range(low=0.4, central=0.6, high=0.7),
        time_share_uncertainty=u,
        headline=headline,
        **scope,
    )


def test_scoped_scenarios_other_seeds_and_draws_give_the_old_tables(
    generated: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """Scopes by staff group, category and role, no uncertainty, an odd number of draws."""
    scored, roles = generated
    scen = ScenarioSet(
        version="t",
        scenarios=(
            _scoped("groups", headline=True, staff_groups=("Central functions",)),
            _scoped("letters", categories=("correspondence", "scheduling")),
            _scoped("roles", u=0.0, roles=tuple(roles["role_id"].iloc[::7])),
            *default_scenarios().scenarios[:1],
        ),
    )
    for seed, n_draws in ((7, 2000), (2**40, 2400)):
        kwargs: dict[str, Any] = {"scenarios": scen, "seed": seed, "n_draws": n_draws}
        assert_identical(
            aggregate_hours(scored, roles, **kwargs),
            reference_aggregate_hours(scored, roles, **kwargs),
        )


@pytest.mark.skipif(
    not any(i["internal_api"] == "openblas" for i in threadpool_info()),
    reason="numpy's BLAS is not OpenBLAS",
)
def test_any_number_of_draws_gives_the_old_tables_on_one_blas_thread(
    generated: tuple[pd.DataFrame, pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With some numbers of draws the old path's last bits hung on OpenBLAS's threads;
    on one thread it gives the new figures, which hang on neither blocks nor workers."""
    scored, roles = generated
    kwargs: dict[str, Any] = {"seed": 3, "n_draws": 777, "organisations": LOOKUP}
    new = aggregate_hours(scored, roles, **kwargs)
    with aggregating._one_blas_thread():
        assert_identical(new, reference_aggregate_hours(scored, roles, **kwargs))
    monkeypatch.setattr(aggregating, "_WORKERS", 1)
    monkeypatch.setattr(aggregating, "_BLOCK", 100 * 777)
    assert_identical(aggregate_hours(scored, roles, **kwargs), new)


def test_tasks_without_a_role_table_give_the_old_tables(
    sample: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    scored, _ = sample
    assert_identical(aggregate_hours(scored), reference_aggregate_hours(scored))


@settings(max_examples=60, deadline=None)
@given(
    n_draws=st.integers(100, 2100),
    rows=st.integers(1, 40),
    ties=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_selected_percentiles_are_numpy_s(n_draws: int, rows: int, ties: bool, seed: int) -> None:
    rng = np.random.default_rng(seed)
    draws = rng.gamma(2.0, 3.0, size=(rows, n_draws))
    if ties:  # repeated values and zeros, as scoped roles and fixed assumptions give
        draws = np.round(draws) * (rng.random((rows, n_draws)) < 0.7)
    expected = np.quantile(draws, aggregating.QUANTILES, axis=1).T
    got = aggregating._select_quantiles(draws.copy())
    assert np.array_equal(_bits(got), _bits(expected))


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_role_percentiles_are_numpy_s_block_by_block_with_non_finite_hours() -> None:
    """Blocks of roles, zero roles and a role with infinite hours (np.quantile's NaN)."""
    rng = np.random.default_rng(3)
    matrix = rng.gamma(1.0, 10.0, size=(1300, 6)) * (rng.random((1300, 6)) < 0.5)
    matrix[:600] = 0.0
    matrix[1000, 2] = np.inf
    effective = rng.uniform(0.1, 0.9, size=(1000, 6))
    effective[::3, 2] = 0.0
    scale = rng.uniform(0.0, 1.0, size=1000)
    draws = (matrix @ effective.T) * scale[None, :]  # (∞ × 0 is NaN: a warning)
    got = aggregating._role_quantiles(matrix, effective, scale)
    expected = np.quantile(draws, aggregating.QUANTILES, axis=1)
    assert np.isnan(got[1000]).all()
    assert np.array_equal(_bits(got), _bits(expected.T))


@settings(max_examples=80, deadline=None)
@given(
    groups=st.lists(st.integers(0, 12), max_size=200),
    size=st.integers(13, 20),
    seed=st.integers(0, 2**32 - 1),
    special=st.sampled_from([None, np.nan, np.inf, -0.0]),
)
def test_group_sums_are_ordered_sums(
    groups: list[int], size: int, seed: int, special: float | None
) -> None:
    codes = np.array(groups, dtype=np.intp)
    rng = np.random.default_rng(seed)
    values = rng.choice([0.0, 0.1, 0.2, 0.3, 1e-17, 7.25, 1e6], size=len(codes))
    values = values * rng.uniform(0.5, 2.0, size=len(codes))
    if special is not None and len(values):
        values[rng.integers(len(values))] = special
    flags = rng.random(len(codes)) < 0.4
    # both layouts: a slice per group (few groups), and the table (many)
    for few, segments in ((rollup._FEW_GROUPS, True), (0, False)):
        with mock.patch.object(rollup, "_FEW_GROUPS", few):
            for narrow in (codes, codes.astype(np.int8)):  # (staff-group codes are int8)
                sums = GroupSums(narrow, size)
                assert sums.segments is (segments and len(codes) > 0)
                for v in (values, -values, np.ones(len(codes))):
                    assert np.array_equal(_bits(sums(v)), _bits(ordered_sum(v, codes, size)))
                for f in (None, flags):
                    ones = np.ones(len(codes)) if f is None else f.astype(float)
                    expected = ordered_sum(ones, codes, size)
                    assert np.array_equal(_bits(sums.count(f)), _bits(expected))


def test_an_uneven_grouping_falls_back_to_ordered_sum() -> None:
    """One group of thousands among many of one: the table would be mostly padding, and
    the groups are too many to sort one at a time."""
    codes = np.r_[np.zeros(5000, dtype=np.intp), np.arange(1, 6000)]
    values = np.random.default_rng(0).random(len(codes))
    flags = values < 0.5
    sums = GroupSums(codes, 6000)
    assert sums.order is None
    assert np.array_equal(_bits(sums(values)), _bits(ordered_sum(values, codes, 6000)))
    assert np.array_equal(_bits(sums.count(flags)), _bits(ordered_sum(flags * 1.0, codes, 6000)))


def test_an_uneven_grouping_of_few_groups_is_sorted_a_group_at_a_time() -> None:
    """Few groups of very different sizes (an organisation of thousands of roles, others
    of one): each group's slice is sorted on its own, with ties, zeros of both signs and
    infinities, and the sums are ordered_sum's."""
    rng = np.random.default_rng(3)
    codes = np.r_[np.zeros(5000, dtype=np.intp), np.arange(1, 3000), np.full(7, 4000)]
    codes = codes[rng.permutation(len(codes))]
    values = rng.choice([0.0, -0.0, 0.1, 0.2, 0.3, 1e-17, 7.25, 1e16, np.inf], len(codes))
    values *= rng.choice([1.0, 1.0, 1.0, 3.3], len(codes))
    sums = GroupSums(codes, 4100)
    assert sums.segments
    for v in (values, -values, values[::-1].copy()):
        assert np.array_equal(_bits(sums(v)), _bits(ordered_sum(v, codes, 4100)))
    with_nan = values.copy()
    with_nan[17] = np.nan
    assert np.array_equal(_bits(sums(with_nan)), _bits(ordered_sum(with_nan, codes, 4100)))


def _straight_percentiles(
    matrix: np.ndarray[Any, Any], effective: np.ndarray[Any, Any], scale: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """Every role's draws from one product of all the roles, then np.quantile."""
    return np.quantile((matrix @ effective.T) * scale[None, :], aggregating.QUANTILES, axis=1).T


def _block_percentiles(
    matrix: np.ndarray[Any, Any], effective: np.ndarray[Any, Any], scale: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """Every role's draws from products of whole tiles of roles (padded with roles of no
    hours) times every category, then np.quantile."""
    tile = aggregating._TILE
    padded = np.zeros((-(-len(matrix) // tile) * tile, matrix.shape[1]))
    padded[: len(matrix)] = matrix
    draws = np.vstack([padded[a : a + tile] @ effective.T for a in range(0, len(padded), tile)])
    return _straight_percentiles(draws[: len(matrix)], np.eye(draws.shape[1]), scale)


def _mixed_roles(rng: np.random.Generator, n_roles: int, n_cats: int) -> np.ndarray[Any, Any]:
    """Roles with no hours, with hours in one category, and in several."""
    matrix = rng.gamma(1.0, 40.0, size=(n_roles, n_cats)) * (rng.random((n_roles, n_cats)) < 0.3)
    kind = rng.integers(0, 3, size=n_roles)
    matrix[kind == 0] = 0.0
    one = np.flatnonzero(kind == 1)
    only = rng.integers(0, n_cats, size=len(one))
    matrix[one] = 0.0
    matrix[one, only] = rng.choice([0.5, 7.25, 37.5, 1e-3, 4e4], size=len(one))
    return matrix


@settings(max_examples=30, deadline=None)
@given(
    n_draws=st.integers(100, 2100),
    n_roles=st.integers(1, 1320),
    ties=st.booleans(),
    scale_kind=st.sampled_from(["drawn", "one", "one but a draw"]),
    n_cats=st.sampled_from([9, 70]),
    seed=st.integers(0, 2**32 - 1),
)
def test_role_percentiles_are_numpy_s_for_roles_of_every_kind(
    n_draws: int, n_roles: int, ties: bool, scale_kind: str, n_cats: int, seed: int
) -> None:
    """Roles with no hours, one category (selected from a few draws) and several (in
    blocks of whole tiles), over several blocks and a last partial one, with tied time
    shares (capped at 1) and scales, a scale of 1 in every draw (not multiplied) or in all
    but one: np.quantile's figures of each role's draws in products of whole tiles of
    roles (the last padded with roles of no hours) times every category, whichever rows
    of them the role is in."""
    rng = np.random.default_rng(seed)
    matrix = _mixed_roles(rng, n_roles, n_cats)
    shares = rng.uniform(0.05, 0.9, size=n_cats)
    effective = np.minimum(shares[None, :] * rng.triangular(0.4, 1.0, 1.6, (n_draws, n_cats)), 1.0)
    scale = rng.uniform(0.1, 1.0, size=n_draws)
    if ties:
        effective[:, 0] = 1.0  # a category always capped at 1, and scales that repeat
        scale = np.round(scale, 1)
    if scale_kind != "drawn":
        scale = np.ones(n_draws)
        if scale_kind == "one but a draw":
            scale[rng.integers(n_draws)] = np.nextafter(1.0, 0.0)
    with aggregating._one_blas_thread():
        expected = _block_percentiles(matrix, effective, scale)
    with mock.patch.object(aggregating, "_BLOCK", aggregating._TILE * n_draws):  # one tile
        got = aggregating._role_quantiles(matrix, effective, scale)
    assert np.array_equal(_bits(got), _bits(expected))


@settings(max_examples=40, deadline=None)
@given(
    n_draws=st.integers(100, 3000),
    ties=st.sampled_from(["none", "capped", "zeros", "constant"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_one_category_percentiles_are_numpy_s(n_draws: int, ties: str, seed: int) -> None:
    """The few draws around each position give np.quantile's figures of all the draws."""
    rng = np.random.default_rng(seed)
    n_cats = 5
    effective = rng.uniform(0.01, 1.2, size=(n_draws, n_cats))
    scale = rng.uniform(0.0, 1.0, size=n_draws)
    if ties == "capped":
        effective = np.minimum(effective, 1.0)
    elif ties == "zeros":
        effective[rng.random((n_draws, n_cats)) < 0.15] = 0.0
        scale[rng.random(n_draws) < 0.15] = 0.0
    elif ties == "constant":
        scale[:] = 0.42
        effective[:, 1] = 0.3
    hours = rng.choice([1e-3, 0.5, 7.25, 37.5, 1e5], size=300) * rng.uniform(0.5, 2.0, size=300)
    cats = rng.integers(0, n_cats, size=300)
    done, got = aggregating._one_category_quantiles(hours, cats, effective, scale)
    draws = hours[:, None] * effective.T[cats] * scale[None, :]  # (the product's own draws)
    expected = np.quantile(draws, aggregating.QUANTILES, axis=1).T
    assert np.array_equal(_bits(got[done]), _bits(expected[done]))
    # (a category whose draws tie around a position is left to the full selection)
    if ties in ("none", "capped"):
        assert done.all()
    elif ties == "constant":
        assert not done[cats == 1].any() and done[cats != 1].all()


def test_one_category_draws_are_the_product_s() -> None:
    """A role's draws with hours in one category are the matrix product's, bit for bit:
    its other terms are exact zeros."""
    rng = np.random.default_rng(7)
    effective = rng.uniform(0.0, 1.0, size=(2000, 30))
    matrix = np.zeros((256, 30))
    matrix[np.arange(256), rng.integers(0, 30, size=256)] = rng.gamma(1.0, 40.0, size=256)
    cats = np.argmax(matrix > 0, axis=1)
    with aggregating._one_blas_thread():
        product = matrix @ effective.T
    assert np.array_equal(
        _bits(product), _bits(effective.T[cats] * matrix[np.arange(256), cats][:, None])
    )


@settings(max_examples=25, deadline=None)
@given(
    n_draws=st.sampled_from([100, 196, 221, 323, 400, 682, 777, 1000, 2000, 2049]),
    n_cats=st.sampled_from([2, 9, 30, 70]),
    n_roles=st.integers(2, 400),
    tiles=st.sampled_from([1, 2]),
    seed=st.integers(0, 2**32 - 1),
)
def test_a_role_s_percentiles_are_the_same_alone_and_among_any_roles(
    n_draws: int, n_cats: int, n_roles: int, tiles: int, seed: int
) -> None:
    """A role's low and high do not depend on the other roles in the product: alone, and
    among roles of other categories, in a block of any fill, for numbers of draws that
    make blocks of one tile and of more, whichever rows of its block a role is in (with
    tiles of 64 rows, rows 60 to 63 were added up by another kernel at 190 to 400 draws
    on an AVX-512 machine)."""
    rng = np.random.default_rng(seed)
    matrix = rng.gamma(1.0, 40.0, size=(n_roles, n_cats))  # (several categories: products)
    matrix[rng.random((n_roles, n_cats)) < 0.3] = 0.0
    effective = rng.uniform(0.0, 1.2, size=(n_draws, n_cats))
    scale = rng.uniform(0.1, 1.0, size=n_draws)
    with mock.patch.object(aggregating, "_BLOCK", aggregating._TILE * n_draws * tiles):
        among = aggregating._role_quantiles(matrix, effective, scale)
        picked = rng.choice(n_roles, size=min(n_roles, 6), replace=False)
        for i in sorted({0, *picked.tolist(), *range(max(0, n_roles - 12), n_roles)}):
            alone = aggregating._role_quantiles(matrix[i : i + 1], effective, scale)
            assert np.array_equal(_bits(alone[0]), _bits(among[i])), i


@settings(max_examples=60, deadline=None)
@given(
    n_tasks=st.integers(0, 400),
    unknown=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_cell_sums_of_any_counted_tasks_are_ordered_sums(
    n_tasks: int, unknown: bool, seed: int
) -> None:
    """One sort of the tasks by cell and hours gives every scenario's ordered sums."""
    rng = np.random.default_rng(seed)
    n_roles, n_cats = 7, 5
    t_role = rng.integers(0, n_roles, size=n_tasks)
    t_cat = rng.integers(-1 if unknown else 0, n_cats, size=n_tasks)
    hours = rng.choice([0.1, 0.2, 0.3, 7.25, 1e-17, 1e6], size=n_tasks) * rng.choice(
        [1.0, 3.0, rng.uniform(0.5, 2.0)], size=n_tasks
    )
    cells = aggregating._CellSums(t_role, t_cat, hours, n_roles, n_cats)
    for share in (1.0, 0.7, 0.2):
        counted = (rng.random(n_tasks) < share) & (t_cat >= 0)
        idx = np.flatnonzero(counted)
        expected = ordered_sum(hours[idx], t_role[idx] * n_cats + t_cat[idx], n_roles * n_cats)
        assert np.array_equal(_bits(cells(counted).ravel()), _bits(expected))


def _percentile_inputs(
    n_scenarios: int, held: list[int], taken: list[np.ndarray[Any, Any]] | None = None
) -> list[tuple[Any, np.ndarray[Any, Any], np.ndarray[Any, Any], Any]]:
    """Several scenarios' inputs to _RolePercentiles; when a matrix is made, how many of
    those made before are still held is noted in ``held``; each matrix handed on once its
    blocks are queued is put in ``taken`` (a copy)."""
    rng = np.random.default_rng(8)
    refs: list[Any] = []
    inputs = []
    for _ in range(n_scenarios):
        matrix = rng.gamma(1.0, 10.0, size=(700, 5)) * (rng.random((700, 5)) < 0.5)
        effective = rng.uniform(0.1, 0.9, size=(300, 5))
        scale = rng.uniform(0.2, 1.0, size=300)

        def make(m: np.ndarray[Any, Any] = matrix) -> np.ndarray[Any, Any]:
            held.append(sum(ref() is not None for ref in refs))
            out = m.copy()
            refs.append(weakref.ref(out))
            return out

        then = None if taken is None else (lambda m: taken.append(m.copy()))
        inputs.append((make, effective, scale, then))
    return inputs


def test_scenarios_percentiles_hold_two_roles_matrices_at_most() -> None:
    """Five scenarios' percentiles, in blocks on both workers: each scenario's figures are
    its own _role_quantiles', and a scenario's matrix is made only once the one two
    before it is let go."""
    held: list[int] = []
    taken: list[np.ndarray[Any, Any]] = []
    inputs = _percentile_inputs(5, held, taken)
    with mock.patch.object(aggregating, "_BLOCK", 64 * 300):  # several blocks a scenario
        with aggregating._RolePercentiles(inputs, 700) as percentiles:
            outs = percentiles.result()
        assert len(held) == 5
        assert max(held) <= 1  # (one other held, at most, when one is made)
        assert len(taken) == 5  # (each matrix handed on once, after its blocks are queued)
        for (matrix, effective, scale, _), out, handed in zip(inputs, outs, taken, strict=True):
            assert np.array_equal(handed, matrix())
            expected = aggregating._role_quantiles(matrix(), effective, scale)
            assert np.array_equal(_bits(out), _bits(expected))


def test_a_failing_block_stops_the_percentiles_with_its_error() -> None:
    """A block that raises on a worker: result() raises it, rather than waiting for a
    scenario that cannot finish."""
    inputs = _percentile_inputs(4, [])

    def select(draws: np.ndarray[Any, Any], *, signed_zeros: bool = True) -> np.ndarray[Any, Any]:
        raise RuntimeError("a block failed")

    with (
        mock.patch.object(aggregating, "_BLOCK", 64 * 300),
        mock.patch.object(aggregating, "_select_quantiles", select),
        pytest.raises(RuntimeError, match="a block failed"),
        aggregating._RolePercentiles(inputs, 700) as percentiles,
    ):
        percentiles.result()


def test_an_error_meanwhile_stops_the_workers() -> None:
    """An error on the thread that started the percentiles ends the workers too."""
    inputs = _percentile_inputs(3, [])
    with (
        pytest.raises(KeyError),
        aggregating._RolePercentiles(inputs, 700) as percentiles,
    ):
        raise KeyError("meanwhile")
    assert all(future.done() for future in percentiles.futures)


def test_overlapping_runs_leave_the_blas_as_they_found_it() -> None:
    """Runs on several threads share the one-thread limit: the BLAS is on one thread while
    any of them draws, and back to what it had once the last is done, whatever order they
    end in."""
    from threadpoolctl import threadpool_info, threadpool_limits

    def blas_threads() -> set[int]:
        return {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}

    if not blas_threads():
        pytest.skip("numpy's BLAS is not one threadpoolctl can see")
    with threadpool_limits(limits=2, user_api="blas"):
        before = blas_threads()
        first, second = aggregating._one_blas_thread(), aggregating._one_blas_thread()
        first.__enter__()
        second.__enter__()
        assert blas_threads() == {1}
        first.__exit__(None, None, None)  # the first to start ends first
        assert blas_threads() == {1}  # the other is still drawing
        second.__exit__(None, None, None)
        assert blas_threads() == before


@pytest.mark.parametrize("dtype", ["str", "string[pyarrow]", object])
def test_codes_in_finds_each_value_s_position_as_a_row_by_row_look_up(dtype: Any) -> None:
    """_codes_in (pyarrow's index_in for arrow text, factorize otherwise): each value's
    position in the names, −1 for a missing, unknown, empty or differently cased one,
    over several chunks, and for no rows."""
    names = np.array(["scheduling", "direct_care", "admin", "é-mail"], dtype=object)
    rows = ["admin", None, "Admin", "", "é-mail", "scheduling", "unknown", "admin "] * 3
    parts = [pd.Series(rows[:7], dtype=dtype), pd.Series(rows[7:], dtype=dtype)]
    values = pd.concat(parts, ignore_index=True)  # (two chunks of arrow text)
    listed = list(names)
    expected = [listed.index(v) if isinstance(v, str) and v in listed else -1 for v in rows]
    got = aggregating._codes_in(values, names)
    assert got.dtype == np.intp
    assert got.tolist() == expected
    assert aggregating._codes_in(values.iloc[:0], names).tolist() == []


@settings(max_examples=80, deadline=None)
@given(
    cells=st.lists(st.integers(0, 9), max_size=300),
    seed=st.integers(0, 2**32 - 1),
    special=st.sampled_from([None, np.nan, np.inf, -0.0]),
)
def test_cell_order_is_lexsort_s(cells: list[int], seed: int, special: float | None) -> None:
    """_CellSums' order (a stable sort of the cells, then of each cell's hours, the cells
    of one size as rows of a table) is np.lexsort((hours, cell)) itself: ties, NaN
    (several), infinities and zeros of both signs keep their order, as in lexsort."""
    flat = np.array(cells, dtype=np.intp)
    rng = np.random.default_rng(seed)
    hours = rng.choice([0.0, -0.0, 0.5, 7.25, 7.25 + 1e-12, 37.5, 1e-300], size=len(flat))
    if special is not None and len(hours):
        hours[rng.integers(len(hours), size=3)] = special
    got = aggregating._cell_order(hours, flat, 10)
    assert got.tolist() == np.lexsort((hours, flat)).tolist()


def _adversarial_rows(rng: np.random.Generator, rows: int, n_draws: int) -> np.ndarray[Any, Any]:
    """Rows of draws of every awkward kind: spread, rounded (ties), mostly zeros, all
    zeros, constant, two values, and tiny and huge figures next to each other."""
    draws = rng.gamma(2.0, 3.0, size=(rows, n_draws))
    kinds = rng.integers(0, 7, size=rows)
    for i, kind in enumerate(kinds.tolist()):
        if kind == 1:
            draws[i] = np.round(draws[i])
        elif kind == 2:
            draws[i] *= rng.random(n_draws) < 0.12  # (zeros past the low percentile)
        elif kind == 3:
            draws[i] = 0.0
        elif kind == 4:
            draws[i] = 0.1 + 0.2  # (one value, not exactly 0.3)
        elif kind == 5:
            draws[i] = rng.choice([1.5, 2.5], size=n_draws)
        elif kind == 6:
            draws[i] = rng.choice([1e-300, 5e-324, 1e300, 7.25], size=n_draws)
    return draws


@settings(max_examples=60, deadline=None)
@given(
    n_draws=st.sampled_from([100, 101, 102, 109, 110, 111, 777, 1000, 1001, 2000, 2001]),
    rows=st.integers(0, 12),
    seed=st.integers(0, 2**32 - 1),
)
def test_level_quantiles_are_numpy_s(n_draws: int, rows: int, seed: int) -> None:
    """The staff groups', organisations' and trust's percentiles (selected in place when
    every draw is finite) are np.quantile's, bit for bit, on rows of every kind, for odd,
    even and small numbers of draws and blocks of no rows, one row and a few."""
    draws = _adversarial_rows(np.random.default_rng(seed), rows, n_draws)
    expected = np.quantile(draws, aggregating.QUANTILES, axis=1)
    got = aggregating._quantiles(draws.copy())
    assert got.shape == (2, rows)
    assert np.array_equal(_bits(got), _bits(expected))


def test_level_quantiles_of_non_finite_draws_are_numpy_s() -> None:
    """A block with an infinite or NaN draw keeps np.quantile's own handling of it."""
    draws = _adversarial_rows(np.random.default_rng(4), 9, 300)
    draws[2, 17] = np.inf
    draws[5, 0] = np.nan
    with np.errstate(invalid="ignore"):
        expected = np.quantile(draws, aggregating.QUANTILES, axis=1)
    got = aggregating._quantiles(draws.copy())
    assert np.array_equal(_bits(got), _bits(expected))


def test_group_sums_of_groups_of_many_sizes_are_ordered_sums() -> None:
    """Groups of one value, of two, and of many sizes up to 120 (each size's groups sorted
    as one table), given in shuffled order, with ties, zeros of both signs and values of
    very different sizes: ordered_sum's figures, bit for bit."""
    rng = np.random.default_rng(21)
    sizes = np.r_[np.ones(50, dtype=np.intp), np.full(40, 2), rng.integers(3, 120, size=60)]
    codes = rng.permutation(np.repeat(np.arange(len(sizes)), sizes))
    n_groups = len(sizes) + 7  # (some codes with no values)
    with mock.patch.object(rollup, "_FEW_GROUPS", 0):
        sums = GroupSums(codes, n_groups)
    assert not sums.segments and sums.order is not None
    values = rng.choice([0.0, -0.0, 0.1, 0.2, 0.3, 1e-17, 7.25, 1e6], size=len(codes))
    values *= rng.choice([1.0, 3.0, 0.7], size=len(codes))
    for v in (values, values[::-1].copy(), np.ones(len(codes)), -values):
        assert np.array_equal(_bits(sums(v)), _bits(ordered_sum(v, codes, n_groups)))


def test_cell_sums_are_kept_for_the_same_counted_tasks() -> None:
    """The same counted tasks (another array of the same flags) give the kept sums,
    read-only; other tasks give their own, which are ordered sums too."""
    rng = np.random.default_rng(5)
    n_roles, n_cats, n_tasks = 9, 4, 400
    t_role = rng.integers(0, n_roles, size=n_tasks)
    t_cat = rng.integers(0, n_cats, size=n_tasks)
    hours = rng.choice([0.1, 0.2, 0.3, 7.25, 1e-17], size=n_tasks) * rng.uniform(0.5, 2, n_tasks)
    cells = aggregating._CellSums(t_role, t_cat, hours, n_roles, n_cats)

    def expected(counted: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        idx = np.flatnonzero(counted)
        flat = t_role[idx] * n_cats + t_cat[idx]
        return ordered_sum(hours[idx], flat, n_roles * n_cats).reshape(n_roles, n_cats)

    first = rng.random(n_tasks) < 0.5
    other = np.roll(first, 1)  # (as many tasks, others)
    assert np.count_nonzero(other) == np.count_nonzero(first) and (other != first).any()
    a = cells(first)
    assert cells(first.copy()) is a and not a.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        a[0, 0] = 1.0
    b = cells(other)
    assert b is not a
    assert np.array_equal(_bits(b), _bits(expected(other)))
    assert np.array_equal(_bits(cells(first)), _bits(expected(first)))


def test_ranking_roles_in_id_order_is_rank_roles() -> None:
    """Roles in id order ranked by one stable sort of their hours: rank_roles' order,
    with ties, NaN, and zeros of both signs (which go to rank_roles itself)."""
    rng = np.random.default_rng(2)
    ids = [f"R{i:04d}" for i in range(500)]
    hours = rng.choice([0.0, 1.5, 2.5, 7.25, np.nan], size=500) * rng.choice([1.0, 2.0], 500)
    roles = pd.DataFrame({"role_id": ids, "hours_released_per_week": hours, "x": np.arange(500)})
    got = aggregating._rank_roles_in_id_order(roles)
    pd.testing.assert_frame_equal(got, aggregating.rank_roles(roles), check_exact=True)
    hours[[3, 10]] = -0.0
    roles["hours_released_per_week"] = hours
    with mock.patch.object(aggregating, "rank_roles", wraps=aggregating.rank_roles) as ranked:
        got = aggregating._rank_roles_in_id_order(roles)
    assert ranked.called
    pd.testing.assert_frame_equal(got, aggregating.rank_roles(roles), check_exact=True)


def test_levels_ranges_are_drawn_with_the_blas_as_it_was(
    sample: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """The staff groups', trust's and organisations' products are made once the roles'
    percentiles let numpy's BLAS go back to its threads (the old tables' figures were
    made so), after every level's hours per category were taken meanwhile."""
    from threadpoolctl import threadpool_limits

    def blas_threads() -> set[int]:
        return {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}

    if not blas_threads():
        pytest.skip("numpy has no BLAS that threadpoolctl can see")
    scored, roles = sample
    seen: list[set[int]] = []
    levels = aggregating._Ranges.levels

    def watched(self: Any) -> dict[str, Any]:
        assert self.sums is not None  # (taken with the roles' matrix, while drawing)
        seen.append(blas_threads())
        return levels(self)

    with threadpool_limits(limits=2, user_api="blas"):
        with mock.patch.object(aggregating._Ranges, "levels", watched):
            aggregate_hours(scored, roles)
        assert seen and all(threads == blas_threads() == {2} for threads in seen)


@pytest.mark.parametrize("n_draws", [100, 2000, 4096, 4097, 9000])
def test_a_level_s_draws_are_the_same_alone_and_among_other_rows(n_draws: int) -> None:
    """A staff group's (or an organisation's) draws do not depend on the other rows of
    its level, with the draws made a chunk at a time past 4,096 of them."""
    rng = np.random.default_rng(n_draws)
    sums, effective = rng.uniform(0, 90, (230, 30)), rng.uniform(0, 1, (n_draws, 30))
    among = aggregating._level_draws(sums, effective)
    for i in (0, 11, 229):
        alone = aggregating._level_draws(sums[i : i + 1], effective)
        assert np.array_equal(_bits(alone[0]), _bits(among[i])), i


def test_the_levels_products_share_the_runs_one_limit_of_the_blas() -> None:
    """The levels' products hold the BLAS to one thread through the limit every run
    shares, and set none of their own: one of their own, set while another run held the
    shared one, found one thread and restored one thread after that run had given the
    BLAS its threads back, so the process kept one (seen with four runs on threads)."""
    rng = np.random.default_rng(3)
    sums, effective = rng.uniform(0, 9, (13, 5)), rng.uniform(0, 1, (300, 5))
    own_limit = AssertionError("a limit of its own")
    with (
        aggregating._one_blas_thread(),  # (another run, drawing)
        mock.patch.object(aggregating, "threadpool_limits", side_effect=own_limit),
    ):
        draws = aggregating._level_draws(sums, effective)
    padded = np.zeros((aggregating._TILE, 5))
    padded[:13] = sums
    with aggregating._one_blas_thread():
        assert np.array_equal(_bits(draws), _bits((padded @ effective.T)[:13]))


@settings(max_examples=80, deadline=None)
@given(
    n_draws=st.sampled_from([100, 101, 102, 109, 110, 111, 112, 777, 1000, 1001, 2000, 2001]),
    rows=st.integers(0, 12),
    seed=st.integers(0, 2**32 - 1),
)
def test_selected_percentiles_without_negative_zeros_are_numpy_s(
    n_draws: int, rows: int, seed: int
) -> None:
    """The quicker selection (a partition at the upper of two neighbouring positions and
    the largest below it) gives np.quantile's figures, bit for bit, on rows of every kind
    (ties, zeros, constant rows, tiny and huge figures), odd, even and small numbers of
    draws, and blocks of no rows, one and a few; so does the selection for rows that may
    hold -0.0."""
    draws = _adversarial_rows(np.random.default_rng(seed), rows, n_draws)
    expected = np.quantile(draws, aggregating.QUANTILES, axis=1).T
    for signed_zeros in (False, True):
        got = aggregating._select_quantiles(draws.copy(), signed_zeros=signed_zeros)
        assert np.array_equal(_bits(got), _bits(expected)), signed_zeros


@pytest.mark.parametrize("where", ["none", "matrix", "effective", "scale", "negative"])
def test_draws_that_may_hold_negative_zeros_are_selected_the_careful_way(where: str) -> None:
    """Only roles whose every factor (hours, time shares, scale) is a finite number with
    no sign bit are selected the quicker way: a -0.0 or a negative number anywhere keeps
    the selection whose zeros' signs are the old tables'. The levels' draws are looked at
    themselves."""
    rng = np.random.default_rng(6)
    matrix = rng.gamma(1.0, 10.0, size=(200, 4)) * (rng.random((200, 4)) < 0.6)
    effective = rng.uniform(0.1, 0.9, size=(300, 4))
    scale = rng.uniform(0.2, 1.0, size=300)
    if where == "matrix":
        matrix[matrix == 0.0] = -0.0
    elif where == "effective":
        effective[5, 1] = -0.0
    elif where == "scale":
        scale[7] = -0.0
    elif where == "negative":
        matrix[3, 0] = -1.0
    flags: list[bool] = []
    select = aggregating._select_quantiles

    def watched(draws: np.ndarray[Any, Any], *, signed_zeros: bool = True) -> Any:
        flags.append(signed_zeros)
        return select(draws, signed_zeros=signed_zeros)

    with (
        mock.patch.object(aggregating, "_select_quantiles", watched),
        mock.patch.object(aggregating, "_BLOCK", 64 * 300),
    ):
        aggregating._role_quantiles(matrix, effective, scale)
        assert flags and all(f is (where != "none") for f in flags)
        flags.clear()
        levels = rng.gamma(2.0, 3.0, size=(5, 300))
        aggregating._quantiles(levels.copy())
        levels[2, 9] = -0.0
        aggregating._quantiles(levels)
        assert flags == [False, True]


@pytest.mark.parametrize("edge", ["plain", "negative zero", "nan divisor", "zero divisor"])
def test_level_sums_of_the_used_categories_alone_are_the_same_bits(edge: str) -> None:
    """Staff groups', the trust's and areas' hours per category (and WTE) added up from
    the categories some role has hours in are the sums of every category, bit for bit;
    a -0.0, or a contracted figure of 0 or NaN, adds up every category."""
    rng = np.random.default_rng(5)
    roles, _ = random_inventory(4, 300)
    tree = rollup.Hierarchy.from_roles(roles.assign(trust=rng.choice(ORGS, len(roles))))
    n = len(tree.roles)
    matrix = rng.gamma(1.0, 10.0, size=(n, 9)) * (rng.random((n, 9)) < 0.4)
    matrix[:, [1, 4, 5]] = 0.0
    contracted = rng.uniform(20.0, 40.0, size=n)
    if edge == "negative zero":
        matrix[np.flatnonzero(tree.group_codes == tree.group_codes[0]), 4] = -0.0
    elif edge == "nan divisor":
        contracted[0] = np.nan
    elif edge == "zero divisor":
        contracted[1] = 0.0
    expect_used = edge == "plain"
    assert (aggregating._used_columns(matrix, contracted) is not None) == expect_used
    sums = {}
    for skip in (True, False):
        with (
            mock.patch.object(
                aggregating,
                "_used_columns",
                aggregating._used_columns if skip else lambda m, d: None,
            ),
            np.errstate(invalid="ignore", divide="ignore"),
        ):
            sums[skip] = aggregating._level_sums(matrix, tree, contracted)
    assert set(sums[True]) == {"staff_groups", "trust", *tree.areas}
    for level, pair in sums[True].items():
        for new, old in zip(pair, sums[False][level], strict=True):
            assert np.array_equal(_bits(new), _bits(old))


def test_scenarios_counting_the_same_tasks_add_up_the_levels_hours_once(
    sample: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """The packaged scenarios with E1 and E2 tasks count the same tasks: their staff
    groups', trust's and areas' hours per category are added up once (the same figures:
    the old tables), and a scenario counting other tasks adds up its own."""
    scored, roles = sample
    made: list[np.ndarray[Any, Any]] = []
    level_sums = aggregating._level_sums

    def watched(matrix: np.ndarray[Any, Any], *args: Any) -> Any:
        made.append(matrix.copy())
        return level_sums(matrix, *args)

    with mock.patch.object(aggregating, "_level_sums", watched):
        new = aggregate_hours(scored, roles)
    assert len(made) == 2 and not np.array_equal(made[0], made[1])
    assert_identical(new, reference_aggregate_hours(scored, roles))
