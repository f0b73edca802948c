"""Scenarios as data, and the seeded Monte Carlo behind the low–central–high ranges."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import genai_aug
from conftest import make_frames
from genai_aug import _columns as col
from genai_aug.errors import GenAIAugError, ScenarioError
from genai_aug.scenarios import (
    MAX_PROBLEMS_SHOWN,
    Range,
    Scenario,
    ScenarioSet,
    default_scenarios,
    load_scenarios,
)

RANGES = (col.RELEASED_LOW, col.HOURS_RELEASED, col.RELEASED_HIGH)


def _fixed(
    name: str, exposures: tuple[str, ...], share: float = 1.0, headline: bool = False
) -> Scenario:
    """A scenario with no uncertainty at all, so its range collapses to one figure."""
    point = Range(low=share, central=share, high=share)
    return Scenario(
        name=name,
        label=name,
        description="fixed, for tests",
        exposures=exposures,  # type: ignore[arg-type]
        adoption=point,
        realisation=Range(low=1.0, central=1.0, high=1.0),
        time_share_uncertainty=0.0,
        headline=headline,
    )


def test_packaged_scenarios_are_the_three_the_issue_names() -> None:
    """LLM alone (E1), LLM with tools (E1+E2) and a partial-adoption central case."""
    s = {x.name: x for x in default_scenarios().scenarios}
    assert list(s) == ["llm_alone", "llm_with_tools", "partial_adoption"]
    assert s["llm_alone"].exposures == ("E1",)
    assert s["llm_with_tools"].exposures == ("E1", "E2")
    central = s["partial_adoption"]
    assert central.adoption.low < central.adoption.central < central.adoption.high < 1
    assert central.realisation.central < 1


def test_every_level_has_a_range_for_every_scenario(sample_result: genai_aug.Result) -> None:
    """Roles, staff groups and the trust each get low ≤ central ≤ high per scenario."""
    sr = sample_result.scenarios
    n = len(default_scenarios().scenarios)
    assert len(sr.roles) == n * len(sample_result.roles)
    assert len(sr.staff_groups) == n * len(sample_result.staff_groups)
    assert len(sr.trust) == n
    for frame in (sr.roles, sr.staff_groups, sr.trust):
        values = frame[list(RANGES)].to_numpy()
        assert (values[:, 0] <= values[:, 1] + 1e-9).all()
        assert (values[:, 1] <= values[:, 2] + 1e-9).all()
        assert (frame[col.WTE_LOW] <= frame[col.WTE_HIGH] + 1e-12).all()


def test_ranges_never_exceed_the_hours_worked(sample_result: genai_aug.Result) -> None:
    """Even the high figure releases no more hours than a role or group works."""
    sr = sample_result.scenarios
    worked = sample_result.roles.set_index(col.ROLE_ID)[col.HOURS_TOTAL]
    high = sr.roles.set_index([col.SCENARIO, col.ROLE_ID])[col.RELEASED_HIGH]
    assert (high.to_numpy() <= worked.reindex(high.index.get_level_values(1)).to_numpy()).all()
    gworked = sample_result.staff_groups.set_index(col.STAFF_GROUP)[col.HOURS_TOTAL]
    ghigh = sr.staff_groups.set_index([col.SCENARIO, col.STAFF_GROUP])[col.RELEASED_HIGH]
    assert (ghigh.to_numpy() <= gworked.reindex(ghigh.index.get_level_values(1)).to_numpy()).all()


def test_a_range_with_no_uncertainty_is_the_plain_sum_of_counted_tasks() -> None:
    """Fixed adoption and no uncertainty: low = central = high = Σ hours × time share × a."""
    scen = [_fixed("e1", ("E1",), headline=True), _fixed("e1_e2_half", ("E1", "E2"), 0.5)]
    result = genai_aug.run(genai_aug.sample_path(), scenarios=scen)
    tasks = result.tasks
    for name, classes, share in (("e1", ["E1"], 1.0), ("e1_e2_half", ["E1", "E2"], 0.5)):
        counted = tasks[tasks[col.EXPOSURE].isin(classes)]
        expected = (counted[col.HOURS_TOTAL] * counted[col.TIME_SHARE]).sum() * share
        trust = result.scenarios.trust.set_index(col.SCENARIO).loc[name]
        for c in RANGES:
            assert trust[c] == pytest.approx(expected, rel=1e-12)
        by_role = (
            (counted[col.HOURS_TOTAL] * counted[col.TIME_SHARE] * share)
            .groupby(counted[col.ROLE_ID])
            .sum()
        )
        got = result.scenarios.roles.query("scenario == @name").set_index(col.ROLE_ID)
        np.testing.assert_allclose(
            got[col.HOURS_RELEASED].reindex(by_role.index), by_role, rtol=1e-12
        )


def test_the_full_potential_is_simply_a_scenario(sample_result: genai_aug.Result) -> None:
    """Made the headline, llm_with_tools fills the level tables with its own figures."""
    full = genai_aug.run(sample_result.inventory, headline="llm_with_tools")
    trust = sample_result.scenarios.trust.set_index(col.SCENARIO).loc["llm_with_tools"]
    assert full.headline.scenario == "llm_with_tools"
    assert full.trust[col.HOURS_RELEASED].iat[0] == trust[col.HOURS_RELEASED]
    assert full.trust[col.RELEASED_HIGH].iat[0] == trust[col.RELEASED_HIGH]
    pd.testing.assert_frame_equal(full.scenarios.trust, sample_result.scenarios.trust)


def test_e0_cannot_be_counted_by_a_scenario() -> None:
    """E0 means no meaningful saving: a scenario listing it is refused with the reason."""
    with pytest.raises(ValueError, match="E0 tasks release nothing by definition"):
        _fixed("all", ("E0", "E1", "E2"))


def test_a_skewed_range_keeps_its_central_value_the_median() -> None:
    """Half the draws fall either side of central, so central stays inside P10–P90."""
    draws = Range(low=0.1, central=0.15, high=0.9).draw(np.random.default_rng(3), 20_000)
    assert np.median(draws) == pytest.approx(0.15, abs=0.005)
    assert draws.min() >= 0.1 and draws.max() <= 0.9
    assert np.quantile(draws, 0.1) < 0.15 < np.quantile(draws, 0.9)


def test_a_set_of_several_scenarios_needs_one_headline() -> None:
    """No headline, or two, is refused: the board must be told which figure to quote."""
    with pytest.raises(ScenarioError, match="no headline scenario"):
        load_scenarios([_fixed("a", ("E1",)), _fixed("b", ("E2",))])
    with pytest.raises(ScenarioError, match="more than one headline"):
        load_scenarios([_fixed("a", ("E1",), headline=True), _fixed("b", ("E2",), headline=True)])
    one = load_scenarios([_fixed("a", ("E1",))])
    assert one.headline.name == "a"


def test_an_unknown_headline_name_suggests_the_closest(sample_result: genai_aug.Result) -> None:
    """run(headline=...) names the scenarios there are."""
    with pytest.raises(ScenarioError, match="did you mean 'llm_alone'"):
        genai_aug.run(sample_result.inventory, headline="llm_alon")


def test_an_extending_file_s_own_headline_replaces_the_packaged_one(tmp_path: Path) -> None:
    """headline = true in an extending file moves the headline; none keeps the packaged one."""
    body = """
[scenarios]
version = "t"
extends = "default"

[[scenario]]
name = "mine"
label = "Mine"
description = "d"
exposures = ["E1"]
adoption = { low = 0.5, central = 0.5, high = 0.5 }
realisation = { low = 1, central = 1, high = 1 }
"""
    path = tmp_path / "s.toml"
    path.write_text(body, encoding="utf-8")
    assert load_scenarios(path).headline.name == "partial_adoption"
    path.write_text(body + "headline = true\n", encoding="utf-8")
    assert load_scenarios(path).headline.name == "mine"


def test_the_same_seed_gives_the_same_figures_and_another_seed_differs() -> None:
    """Ranges are reproducible for a seed; the seed is what changes them."""
    roles, tasks = make_frames()
    a = genai_aug.run(roles, tasks, seed=7).scenarios
    b = genai_aug.run(roles, tasks, seed=7).scenarios
    c = genai_aug.run(roles, tasks, seed=8).scenarios
    pd.testing.assert_frame_equal(a.roles, b.roles)
    pd.testing.assert_frame_equal(a.trust, b.trust)
    assert not a.trust[col.RELEASED_LOW].equals(c.trust[col.RELEASED_LOW])


def test_ranges_do_not_depend_on_row_order(sample_result: genai_aug.Result) -> None:
    """Shuffled roles and tasks give bit-identical scenario tables."""
    inv = sample_result.inventory
    roles = inv.roles.drop(columns=list(col.PROVENANCE)).sample(frac=1.0, random_state=3)
    tasks = inv.tasks.drop(columns=list(col.PROVENANCE)).sample(frac=1.0, random_state=4)
    shuffled = genai_aug.run(roles, tasks).scenarios
    for level in ("roles", "staff_groups", "trust"):
        pd.testing.assert_frame_equal(
            getattr(shuffled, level), getattr(sample_result.scenarios, level), check_exact=True
        )


def test_adding_a_scenario_does_not_change_the_others(sample_result: genai_aug.Result) -> None:
    """Each scenario draws from its own seeded stream, keyed by its name."""
    extra = [*default_scenarios().scenarios, _fixed("extra", ("E2",))]
    other = genai_aug.run(sample_result.inventory, scenarios=extra).scenarios
    mine = other.trust[other.trust[col.SCENARIO] != "extra"].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, sample_result.scenarios.trust)


def test_wide_puts_the_scenarios_side_by_side(sample_result: genai_aug.Result) -> None:
    """One row per staff group, a (scenario, figure) column for every scenario."""
    wide = sample_result.scenarios.wide("staff_groups")
    assert list(wide.index) == list(sample_result.staff_groups[col.STAFF_GROUP])
    assert list(wide.columns.get_level_values(0).unique()) == [
        "llm_alone",
        "llm_with_tools",
        "partial_adoption",
    ]
    long = sample_result.scenarios.staff_groups.set_index([col.STAFF_GROUP, col.SCENARIO])
    assert (
        wide.loc["Central functions", ("llm_alone", col.HOURS_RELEASED)]
        == long.loc[("Central functions", "llm_alone"), col.HOURS_RELEASED]
    )


@pytest.mark.parametrize("level", ["roles", "staff_groups", "trust"])
def test_wide_has_one_row_per_role_group_or_trust(
    sample_result: genai_aug.Result, level: str
) -> None:
    """Every figure of the long table, once, and no other rows (``wide("roles")`` once
    made every combination of role id, title and staff group: 36,300 rows for 55 roles)."""
    long = getattr(sample_result.scenarios, level)
    wide = sample_result.scenarios.wide(level)  # type: ignore[arg-type]
    keys = [c for c in long.columns if c not in (col.SCENARIO, *col.FIGURE_COLUMNS)]
    assert len(wide) == len(long) // long[col.SCENARIO].nunique()
    for scenario, rows in long.groupby(col.SCENARIO):
        expected = rows.set_index(keys)[list(col.FIGURE_COLUMNS)]
        got = wide[scenario].loc[expected.index]
        pd.testing.assert_frame_equal(got, expected, check_exact=True, check_names=False)


def test_an_analyst_scenario_file_extends_the_defaults(tmp_path: Path) -> None:
    """extends = "default" keeps the packaged scenarios and adds (or replaces) by name."""
    path = tmp_path / "mine.toml"
    path.write_text(
        """
[scenarios]
version = "trust-2026"
extends = "default"

[[scenario]]
name = "admin_pilot"
label = "Admin pilot"
description = "Scheduling and letters only, a third of staff."
exposures = ["E1", "E2"]
adoption = { low = 0.2, central = 0.33, high = 0.45 }
realisation = { low = 0.5, central = 0.6, high = 0.7 }
""",
        encoding="utf-8",
    )
    scen = load_scenarios(path)
    assert [s.name for s in scen.scenarios] == [
        "llm_alone",
        "llm_with_tools",
        "partial_adoption",
        "admin_pilot",
    ]
    assert scen.version == "trust-2026"
    result = genai_aug.run(genai_aug.sample_path(), scenarios=path)
    assert "admin_pilot" in set(result.scenarios.trust[col.SCENARIO])
    assert result.provenance["scenarios_sha256"] == scen.hash


def test_a_scenario_file_without_extends_is_the_whole_set(tmp_path: Path) -> None:
    """A file that does not extend the defaults replaces them."""
    path = tmp_path / "only.toml"
    path.write_text(
        """
[scenarios]
version = "1"
[[scenario]]
name = "only"
label = "Only"
description = "d"
exposures = ["E1"]
adoption = { low = 0.5, central = 0.5, high = 0.5 }
realisation = { low = 1, central = 1, high = 1 }
""",
        encoding="utf-8",
    )
    assert [s.name for s in load_scenarios(path).scenarios] == ["only"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[scenarios]\nversion="1"\n[[scenario]]\nname="x"\nlabel="X"\ndescription="d"\n'
            'exposures=["E1"]\nadoption={low=0.6, central=0.5, high=0.7}\n'
            "realisation={low=1, central=1, high=1}\n",
            "scenario 1 ('x'), field 'adoption': Value error, must have low ≤ central ≤ high",
        ),
        (
            '[scenarios]\nversion="1"\n[[scenario]]\nname="x"\nlabel="X"\ndescription="d"\n'
            'exposures=["E3"]\nadoption={low=0.5, central=0.5, high=0.5}\n'
            "realisation={low=1, central=1, high=1}\n",
            "scenario 1 ('x'), field 'exposures.0'",
        ),
        (
            '[scenarios]\nversion="1"\n[[scenario]]\nname="x"\nlabel="X"\ndescription="d"\n'
            'exposures=["E1"]\nadoption={low=0.5, central=0.5, high=1.5}\n'
            "realisation={low=1, central=1, high=1}\nadoptoin=1\n",
            "field 'adoptoin': Extra inputs are not permitted (did you mean 'adoption'?)",
        ),
        (
            '[scenarios]\nversion="1"\n[[scenario]]\nname="x"\nlabel="X"\ndescription="d"\n'
            'exposures=["E1"]\nadoption={low=true, central=true, high=true}\n'
            "realisation={low=1, central=1, high=1}\n",
            "field 'adoption.low': Input should be a valid number, got True (bool)",
        ),
        (
            '[scenarios]\nversion="1"\n[[scenario]]\nname="x"\nlabel="X"\ndescription="d"\n'
            'exposures=["E1"]\nadoption={low=0.5, central=0.5, high=0.5}\n'
            'realisation={low=1, central=1, high=1}\nheadline="yes"\n',
            "field 'headline': Input should be a valid boolean, got 'yes' (str)",
        ),
        ("[scenarios\n", "is not valid TOML"),
        ('[scenario_list]\nversion="1"\n', "expected a [scenarios] table and [[scenario]] entries"),
        (
            '[scenarios]\nversion="1"\nextend="default"\n',
            "unknown key 'extend'; expected some of",
        ),
        ('[scenarios]\nversion="1"\nextends="baseline"\n', 'write extends = "default"'),
        (
            '[scenarios]\nversion="1"\nextends="default"\n[[scenario]]\nname="x"\nlabel="X"\n'
            'description="d"\nexposures=["E1"]\nadoption={low=0.5, central=0.5, high=0.5}\n'
            'realisation={low=1, central=1, high=1}\nstaff_groups=["Admin staf"]\n',
            "unknown staff group 'Admin staf'",
        ),
    ],
)
def test_a_bad_scenario_file_names_the_file_scenario_and_field(
    tmp_path: Path, text: str, expected: str
) -> None:
    """Each broken scenario file raises ScenarioError saying where and what."""
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenarios(path)
    assert expected in str(info.value)
    assert str(path) in str(info.value)
    assert "Tuple should have at least 1 item" not in str(info.value)
    assert isinstance(info.value, GenAIAugError)


def test_a_missing_scenario_file_is_a_scenario_error(tmp_path: Path) -> None:
    """No silent fallback to the defaults when the named file is absent."""
    with pytest.raises(ScenarioError, match="not found"):
        load_scenarios(tmp_path / "nope.toml")


def test_duplicate_scenario_names_are_refused() -> None:
    """Two scenarios with one name would make the side-by-side tables ambiguous."""
    with pytest.raises(ScenarioError, match="more than once"):
        load_scenarios([_fixed("a", ("E1",)), _fixed("a", ("E2",))])


def test_too_few_draws_is_refused(sample_result: genai_aug.Result) -> None:
    """Percentiles of a handful of draws are noise; ask for at least 100."""
    with pytest.raises(ScenarioError, match="from 100"):
        genai_aug.run(sample_result.inventory, n_draws=10)


def test_scenario_set_hash_follows_content() -> None:
    """The hash changes with any assumption and not with how the set was built."""
    a = ScenarioSet(version="1", scenarios=(_fixed("a", ("E1",)),))
    b = ScenarioSet(version="1", scenarios=(_fixed("a", ("E1",)),))
    c = ScenarioSet(version="1", scenarios=(_fixed("a", ("E1",), 0.9),))
    assert a.hash == b.hash != c.hash


@settings(max_examples=15, deadline=None)
@given(
    points=st.lists(st.floats(0.0, 1.0), min_size=6, max_size=6),
    u=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**32),
)
def test_the_central_figure_lies_in_its_own_range_for_any_scenario(
    sample_result: genai_aug.Result, points: list[float], u: float, seed: int
) -> None:
    """Skewed, degenerate or wide ranges: low ≤ central ≤ high at every level."""
    a, r = sorted(points[:3]), sorted(points[3:])
    scen = Scenario(
        name="any",
        label="any",
        description="generated",
        exposures=("E1", "E2"),
        adoption=Range(low=a[0], central=a[1], high=a[2]),
        realisation=Range(low=r[0], central=r[1], high=r[2]),
        time_share_uncertainty=u,
    )
    result = genai_aug.run(sample_result.inventory, scenarios=[scen], seed=seed, n_draws=400)
    for frame in (result.scenarios.roles, result.scenarios.staff_groups, result.scenarios.trust):
        mid = frame[col.HOURS_RELEASED]
        assert (frame[col.RELEASED_LOW] <= mid * (1 + 1e-9) + 1e-9).all()
        assert (mid <= frame[col.RELEASED_HIGH] * (1 + 1e-9) + 1e-9).all()


def test_a_vanishing_time_share_uncertainty_is_no_uncertainty(
    sample_result: genai_aug.Result,
) -> None:
    """u = 5e-324 cannot move 1 in floating point: treated as 0, not an error from numpy."""
    scen = _fixed("tiny", ("E1", "E2"), 0.5).model_copy(update={"time_share_uncertainty": 5e-324})
    result = genai_aug.run(sample_result.inventory, scenarios=[scen], n_draws=100)
    t = result.trust.iloc[0]
    assert t[col.RELEASED_LOW] == pytest.approx(t[col.HOURS_RELEASED], rel=1e-12)


def _many_scenarios(n: int, *, description: bool, headline: bool) -> str:
    blocks = [
        f'[[scenario]]\nname = "s{i}"\nlabel = "S{i}"\n'
        + ('description = "d"\n' if description else "")
        + ("headline = true\n" if headline and i == 0 else "")
        + 'exposures = ["E1"]\n'
        + "adoption = {low = 0.1, central = 0.2, high = 0.3}\n"
        + "realisation = {low = 0.1, central = 0.2, high = 0.3}\n"
        for i in range(n)
    ]
    return "[scenarios]\nversion = 'x'\n" + "".join(blocks)


def test_a_file_with_thousands_of_bad_scenarios_gets_a_short_error(tmp_path: Path) -> None:
    # each of 3,000 entries lacks a description: the error lists the first problems and
    # counts the rest, instead of a quarter-megabyte message
    path = tmp_path / "many.toml"
    path.write_text(_many_scenarios(3000, description=False, headline=True), encoding="utf-8")
    with pytest.raises(ScenarioError) as exc:
        genai_aug.load_scenarios(path)
    text = str(exc.value)
    assert "(3,000 problem(s))" in text
    assert "scenario 1 ('s0'), field 'description'" in text
    assert "... and 2,950 more problem(s)" in text
    assert len(text.splitlines()) == MAX_PROBLEMS_SHOWN + 2


def test_a_long_list_of_scenario_names_is_cut_in_the_message(tmp_path: Path) -> None:
    path = tmp_path / "many.toml"
    path.write_text(_many_scenarios(500, description=True, headline=False), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"no headline scenario among \[.*'s9'\] and 490 more"):
        genai_aug.load_scenarios(path)


@pytest.mark.parametrize(
    "encoding", ["utf-8-sig", "utf-16"], ids=["utf-8 with byte-order mark", "utf-16 (Notepad)"]
)
def test_a_scenario_file_saved_with_a_byte_order_mark_is_read(
    tmp_path: Path, encoding: str
) -> None:
    """Windows editors add a byte-order mark (or save "Unicode" as UTF-16): the same
    scenarios are read, not "Invalid statement" at line 1."""
    text = (
        '[scenarios]\nversion="1"\n[[scenario]]\nname="pilot"\nlabel="Pilot"\n'
        'description="d"\nexposures=["E1"]\nadoption={low=0.5, central=0.5, high=0.5}\n'
        "realisation={low=1, central=1, high=1}\n"
    )
    path = tmp_path / "bom.toml"
    path.write_text(text, encoding=encoding)
    assert [s.name for s in load_scenarios(path).scenarios] == ["pilot"]


def test_a_scenario_file_in_another_encoding_says_so(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('[scenarios]\nversion="caf\u00e9"\n'.encode("latin-1"))
    with pytest.raises(ScenarioError, match=r"not UTF-8 text \(byte 0xe9 at byte 25 of the"):
        load_scenarios(path)
