"""One model from task to trust: bounds, conservation across levels, row-order independence."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import genai_aug
from conftest import ROOT, make_frames
from genai_aug import Assumptions, ScenarioError, aggregate_hours, load_inventory, run
from genai_aug._reference import STAFF_GROUPS
from genai_aug.errors import InventoryError
from genai_aug.rollup import ordered_sum
from genai_aug.scenarios import Range, Scenario

PHRASES = [
    "Book outpatient appointments",
    "Answer the ward telephone",
    "Assist patients with washing",
    "Type clinic letters",
    "Clean the ward bays",
    "Write discharge summaries",
    "Prepare monthly performance reports",
    "Run samples on the analysers",
    "Other duties",
    "Supervise healthcare assistants",
    "Process supplier invoices",
    "Examine patients",
]


def random_inventory(seed: int, n_roles: int = 30) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A random but valid inventory (hours within contract)."""
    rng = np.random.default_rng(seed)
    roles = pd.DataFrame(
        {
            "role_id": [f"R{i:03d}" for i in range(n_roles)],
            "role_title": [f"Role {i}" for i in range(n_roles)],
            "staff_group": rng.choice(STAFF_GROUPS, n_roles),
            "fte": rng.uniform(0.5, 200, n_roles).round(2),
            "contracted_hours": rng.choice([37.5, 40.0], n_roles),
        }
    )
    rows = []
    for rid, hours in zip(roles["role_id"], roles["contracted_hours"], strict=True):
        k = int(rng.integers(1, 8))
        split = rng.dirichlet(np.ones(k)) * hours * rng.uniform(0.6, 1.0)
        rows += [
            {"role_id": rid, "task": str(rng.choice(PHRASES)), "hours_per_week": h} for h in split
        ]
    return roles, pd.DataFrame(rows)


@pytest.fixture(scope="module")
def result() -> genai_aug.Result:
    """A run on a random inventory."""
    return run(*random_inventory(7))


def _scenario(name: str, adoption: float, **scope: object) -> Scenario:
    """A scenario with fixed adoption and no uncertainty: its range is one figure."""
    return Scenario(
        name=name,
        label=name,
        description="for tests",
        exposures=("E1", "E2"),
        adoption=Range(low=adoption, central=adoption, high=adoption),
        realisation=Range(low=1.0, central=1.0, high=1.0),
        time_share_uncertainty=0.0,
        headline=True,
        **scope,  # type: ignore[arg-type]
    )


def test_released_never_exceeds_hours(result: genai_aug.Result) -> None:
    """At every level, 0 ≤ released ≤ total hours, and 0 ≤ score, confidence ≤ 1."""
    t = result.tasks
    assert t["score"].dropna().between(0, 1).all()
    assert t["confidence"].between(0, 1).all()
    for frame in (result.tasks, result.roles, result.staff_groups, result.trust):
        rel, tot = frame["hours_released_per_week"], frame["hours_per_week_total"]
        assert (rel >= 0).all() and (rel <= tot + 1e-9).all()


def test_e0_and_unclassified_tasks_release_nothing(result: genai_aug.Result) -> None:
    """E0 tasks (no meaningful saving) and unrecognised tasks release 0 hours, in every output."""
    t = result.tasks
    assert (t.loc[t["exposure"] == "E0", "hours_released_per_week"] == 0).all()
    assert (t.loc[t["exposure"].isna(), "hours_released_per_week"] == 0).all()
    assert (t["exposure"] == "E0").any() and (t["exposure"].isna()).any()


def test_category_exposure_time_share_and_mode_agree(result: genai_aug.Result) -> None:
    """A task's exposure is its category's; an exposed task's time share and mode too.

    E0 tasks release nothing, so their time share is 0 and they have no mode.
    """
    cats = {c.id: c for c in result.ruleset.categories}
    t = result.tasks[result.tasks["classified"]]
    assert (t["exposure"] == t["category"].map(lambda c: cats[c].exposure)).all()
    exposed = t[t["exposure"] != "E0"]
    assert (exposed["time_share"] == exposed["category"].map(lambda c: cats[c].time_share)).all()
    assert (exposed["mode"] == exposed["category"].map(lambda c: cats[c].mode)).all()
    e0 = t[t["exposure"] == "E0"]
    assert len(e0) and (e0["time_share"] == 0).all() and e0["mode"].isna().all()


def test_mode_is_a_text_column_when_no_task_has_one(
    result: genai_aug.Result, tmp_path: Path
) -> None:
    """Tasks that are all E0 or unclassified have a ``mode`` column of the same dtype.

    It was an object column, so its Parquet type was text, or null when no task had a
    mode: a file's schema depended on its rows.
    """
    roles, tasks = make_frames()
    nothing = run(roles, tasks=tasks.assign(task="Zqx wibble", category_override=None))
    e0 = run(roles, tasks=tasks.assign(category_override="direct_care"))
    assert nothing.tasks["mode"].isna().all() and e0.tasks["mode"].isna().all()
    assert nothing.tasks["mode"].dtype == e0.tasks["mode"].dtype == result.tasks["mode"].dtype
    assert pd.api.types.is_string_dtype(result.tasks["mode"])
    schemas = [
        pq.read_schema(r.to_parquet(tmp_path / str(k))["tasks"]).field("mode").type
        for k, r in enumerate((result, nothing))
    ]
    assert schemas[0] == schemas[1] == pa.large_string()


SUMMED = [
    "hours_per_week_total",
    "hours_contracted_per_week",
    "hours_not_listed_per_week",
    "hours_released_per_week",
    "hours_released_automation_per_week",
    "hours_released_augmentation_per_week",
    "hours_unclassified_per_week",
    "wte_released",
    "fte",
]
ROLE_ONLY = {"fte", "hours_contracted_per_week", "hours_not_listed_per_week"}


@pytest.mark.parametrize("column", SUMMED)
def test_totals_agree_at_every_level(result: genai_aug.Result, column: str) -> None:
    """Task → role → staff group → trust: each level is exactly the sum of the one below."""
    tasks, roles, groups, trust = result.tasks, result.roles, result.staff_groups, result.trust

    def sums(frame: pd.DataFrame, key: str) -> pd.Series:
        codes, keys = pd.factorize(frame[key], sort=True)
        return pd.Series(ordered_sum(frame[column].fillna(0.0).to_numpy(float), codes), keys)

    if column not in ROLE_ONLY:
        per_role = sums(tasks, "role_id")
        assert (roles.set_index("role_id")[column].reindex(per_role.index) == per_role).all()
    per_group = sums(roles, "staff_group")
    assert (groups.set_index("staff_group")[column].reindex(per_group.index) == per_group).all()
    assert trust[column].iat[0] == sums(groups.assign(one=1), "one").iat[0]
    # and the trust equals the sum straight from the lowest level, to rounding
    base = tasks[column] if column not in ROLE_ONLY else roles[column]
    assert trust[column].iat[0] == pytest.approx(math.fsum(base.dropna()), rel=1e-12, abs=1e-9)


@pytest.mark.parametrize("level", ["tasks", "roles", "staff_groups", "trust"])
def test_automation_and_augmentation_add_up_to_the_total(
    result: genai_aug.Result, level: str
) -> None:
    """At every level, hours released by automation + by augmentation = hours released."""
    frame = getattr(result, level)
    parts = (
        frame["hours_released_automation_per_week"] + frame["hours_released_augmentation_per_week"]
    )
    assert np.allclose(parts, frame["hours_released_per_week"], rtol=1e-12, atol=1e-9)
    assert (frame["hours_released_automation_per_week"] > 0).any()


def test_every_scenario_adds_up_and_splits_at_every_level(result: genai_aug.Result) -> None:
    """Each scenario's central figures: roles sum to groups, groups to the trust; split adds up."""
    sr = result.scenarios
    for name in [s.name for s in sr.scenarios.scenarios]:
        roles = sr.roles[sr.roles["scenario"] == name]
        groups = sr.staff_groups[sr.staff_groups["scenario"] == name]
        trust = sr.trust[sr.trust["scenario"] == name].iloc[0]
        for column in (
            "hours_released_per_week",
            "hours_released_automation_per_week",
            "wte_released",
        ):
            assert math.fsum(roles[column]) == pytest.approx(math.fsum(groups[column]), rel=1e-12)
            assert math.fsum(groups[column]) == pytest.approx(trust[column], rel=1e-12)
        for frame in (roles, groups):
            split = (
                frame["hours_released_automation_per_week"]
                + frame["hours_released_augmentation_per_week"]
            )
            assert np.allclose(split, frame["hours_released_per_week"], rtol=1e-12, atol=1e-9)


def test_low_central_high_are_ordered_for_every_scenario_and_level(
    result: genai_aug.Result,
) -> None:
    """The central figure lies inside its own P10–P90 range, everywhere."""
    sr = result.scenarios
    for frame in (sr.roles, sr.staff_groups, sr.trust):
        low, mid, high = (
            frame[c].to_numpy()
            for c in (
                "hours_released_per_week_low",
                "hours_released_per_week",
                "hours_released_per_week_high",
            )
        )
        assert (low <= mid + 1e-9).all() and (mid <= high + 1e-9).all()


def test_the_level_tables_are_the_headline_scenario(result: genai_aug.Result) -> None:
    """result.roles/.staff_groups/.trust carry exactly the headline scenario's figures."""
    sr = result.scenarios
    assert sr.headline == "partial_adoption" == result.headline.scenario
    for level, key in (("roles", "role_id"), ("staff_groups", "staff_group"), ("trust", "level")):
        mine = getattr(result, level).set_index(key)
        theirs = getattr(sr, level)
        theirs = theirs[theirs["scenario"] == sr.headline].set_index(key).reindex(mine.index)
        for column in genai_aug._columns.FIGURE_COLUMNS:
            pd.testing.assert_series_equal(mine[column], theirs[column], check_exact=True)


def test_result_does_not_depend_on_row_order() -> None:
    """Shuffling the roles and tasks rows gives bit-identical figures at every level."""
    roles, tasks = random_inventory(11)
    a = run(roles, tasks)
    b = run(roles.sample(frac=1, random_state=1), tasks.sample(frac=1, random_state=2))
    for name in ("roles", "staff_groups", "trust"):
        left = getattr(a, name).drop(
            columns=["source_file", "source_sheet", "source_row"], errors="ignore"
        )
        right = getattr(b, name).drop(
            columns=["source_file", "source_sheet", "source_row"], errors="ignore"
        )
        pd.testing.assert_frame_equal(left, right, check_exact=True)
    for name in ("roles", "staff_groups", "trust"):
        pd.testing.assert_frame_equal(
            getattr(a.scenarios, name), getattr(b.scenarios, name), check_exact=True
        )


def test_a_role_s_figures_are_the_same_alone_and_among_others() -> None:
    """Every figure of a role and of its tasks, low and high too, is the same bits when
    the role is aggregated alone as among the sample's other roles.

    A role's draws come from a product of its hours and the draws' time shares. The
    roles after the last whole block of 64 were a block of their own, which the BLAS
    adds up in another order (one role alone: a product of one row): 50 of the sample's
    165 role and scenario rows had another low or high, in the last bit.
    """
    inventory = load_inventory(genai_aug.sample_path())
    scored = genai_aug.score_tasks(inventory)
    every = aggregate_hours(scored, inventory.roles)

    def of(frame: pd.DataFrame, role_id: str) -> pd.DataFrame:
        return frame[frame["role_id"] == role_id].reset_index(drop=True)

    for role_id in inventory.roles["role_id"]:
        alone = aggregate_hours(of(scored, role_id), of(inventory.roles, role_id))
        for name in ("roles", "tasks"):
            got, want = getattr(alone, name), of(getattr(every, name), role_id)
            pd.testing.assert_frame_equal(got, want, check_exact=True, obj=f"{role_id} {name}")
        got, want = alone.scenarios.roles, of(every.scenarios.roles, role_id)
        pd.testing.assert_frame_equal(got, want, check_exact=True, obj=f"{role_id} scenarios")


def test_a_staff_group_s_figures_are_the_same_alone_and_among_others() -> None:
    """A staff group's figures, low and high too, are the same bits when its roles are
    aggregated alone as among the sample's other groups.

    Its draws come from a product of the groups' hours per category and the draws' time
    shares; of a dozen rows or one, the BLAS added it up in another order: 29 of the
    sample's 36 group and scenario rows had another low or high in the last bit.
    """
    inventory = load_inventory(genai_aug.sample_path())
    scored = genai_aug.score_tasks(inventory)
    every = aggregate_hours(scored, inventory.roles)
    for group, roles in inventory.roles.groupby("staff_group"):
        alone = aggregate_hours(scored[scored["role_id"].isin(roles["role_id"])], roles)
        for got, among in (
            (alone.staff_groups, every.staff_groups),
            (alone.scenarios.staff_groups, every.scenarios.staff_groups),
        ):
            want = among[among["staff_group"] == group].reset_index(drop=True)
            pd.testing.assert_frame_equal(got, want, check_exact=True, obj=str(group))


ONE_CLERK = pd.DataFrame(
    {
        "role_id": ["R1"],
        "role_title": ["Clerk"],
        "staff_group": ["Central functions"],
        "fte": [3.0],
        "contracted_hours": [37.5],
    }
)


def test_hours_formula_and_assumptions() -> None:
    """released = hours × FTE × time share × adoption × realisation; per year; WTE; per month."""
    tasks = pd.DataFrame(
        {"role_id": ["R1"], "task": ["Book outpatient appointments"], "hours_per_week": [37.5]}
    )
    scen = [_scenario("pilot", 0.4)]
    res = run(ONE_CLERK, tasks, scenarios=scen, assumptions={"working_weeks_per_year": 40})
    share = res.tasks["time_share"].iat[0]
    assert res.tasks["category"].iat[0] == "scheduling" and share == 0.5
    t = res.trust.iloc[0]
    released = 37.5 * 3 * share * 0.4
    assert t["hours_released_per_week"] == pytest.approx(released)
    assert t["hours_released_per_week_low"] == pytest.approx(released)
    assert t["hours_released_per_week_high"] == pytest.approx(released)
    assert t["hours_released_per_year"] == pytest.approx(released * 40)
    assert t["wte_released"] == pytest.approx(released / 37.5)
    assert t["share_of_hours_released"] == pytest.approx(share * 0.4)
    # 0.2 of each WTE's time is released: 0.2 × (40 × 5 / 12) working days a month
    assert t["days_released_per_wte_per_month"] == pytest.approx(0.2 * 40 * 5 / 12)
    assert t["hours_released_per_wte_per_month"] == pytest.approx(released / 3 * 40 / 12)
    assert res.provenance["assumptions"]["working_weeks_per_year"] == 40.0


def test_changing_a_scenario_s_adoption_changes_the_headline() -> None:
    """The headline is the headline scenario's central figure: adoption moves it in proportion."""
    inv = load_inventory(genai_aug.sample_path())
    low = run(inv, scenarios=[_scenario("a", 0.2)]).headline.hours
    high = run(inv, scenarios=[_scenario("a", 0.4)]).headline.hours
    assert low > 0 and high == pytest.approx(2 * low, rel=1e-12)


def test_the_default_headline_is_partial_adoption_at_its_central_assumptions(
    sample_result: genai_aug.Result,
) -> None:
    """Headline = Σ counted hours × time share × 0.5 adoption × 0.65 realisation."""
    t = sample_result.tasks
    counted = t["exposure"].isin(["E1", "E2"])
    expected = math.fsum(
        (t["hours_per_week_total"] * t["time_share"] * 0.5 * 0.65)[counted].to_numpy()
    )
    assert sample_result.headline.hours == pytest.approx(expected, rel=1e-12)
    ceiling = sample_result.scenarios.trust.set_index("scenario").loc["llm_with_tools"]
    assert sample_result.headline.hours < ceiling["hours_released_per_week"]


def test_adoption_rate_is_gone_with_a_migration_message() -> None:
    """The old point-engine adoption_rate is refused, saying where adoption lives now."""
    with pytest.raises(ScenarioError, match="adoption is part of each scenario"):
        run(genai_aug.sample_path(), assumptions={"adoption_rate": 0.5})


def test_unclassified_hours_are_reported_not_released() -> None:
    """Hours of unclassified tasks are counted separately and release nothing."""
    roles = pd.DataFrame(
        {
            "role_id": ["R1"],
            "role_title": ["Clerk"],
            "staff_group": ["Central functions"],
            "fte": [1.0],
        }
    )
    tasks = pd.DataFrame(
        {
            "role_id": ["R1", "R1"],
            "task": ["Other duties", "Type letters"],
            "hours_per_week": [5.0, 10.0],
        }
    )
    t = run(roles, tasks).trust.iloc[0]
    assert t["hours_unclassified_per_week"] == 5.0 and t["n_unclassified"] == 1
    assert t["hours_per_week_total"] == 15.0


def test_unlisted_hours_are_flagged_and_never_released() -> None:
    """A role listing 15 of 37.5 hours: a located warning, and 22.5 × FTE hours 'not listed'."""
    tasks = pd.DataFrame(
        {"role_id": ["R1"], "task": ["Book outpatient appointments"], "hours_per_week": [15.0]}
    )
    res = run(ONE_CLERK, tasks)
    issue = res.issues[res.issues["code"] == "hours-not-listed"]
    assert len(issue) == 1 and issue["severity"].iat[0] == "warning"
    assert issue["sheet"].iat[0] == "roles" and issue["column"].iat[0] == "contracted_hours"
    assert "15 of its contracted 37.5" in issue["message"].iat[0]
    t = res.trust.iloc[0]
    assert t["hours_not_listed_per_week"] == pytest.approx(22.5 * 3)
    assert t["hours_contracted_per_week"] == pytest.approx(37.5 * 3)
    assert t["hours_released_per_week"] == pytest.approx(15 * 3 * 0.5 * 0.5 * 0.65)


def test_roles_without_tasks_are_listed_with_zero_hours() -> None:
    """A role with no tasks appears in the role table, contributing FTE but no hours."""
    roles = pd.DataFrame(
        {
            "role_id": ["R1", "R2"],
            "role_title": ["Clerk", "Porter"],
            "staff_group": ["Central functions", "Hotel, property & estates"],
            "fte": [1.0, 4.0],
        }
    )
    tasks = pd.DataFrame({"role_id": ["R1"], "task": ["Type letters"], "hours_per_week": [37.5]})
    res = run(roles, tasks)
    r2 = res.roles.set_index("role_id").loc["R2"]
    assert r2["n_tasks"] == 0 and r2["hours_per_week_total"] == 0.0
    assert r2["hours_not_listed_per_week"] == 4.0 * 37.5
    assert res.trust["fte"].iat[0] == 5.0


@pytest.mark.parametrize(
    "bad",
    [{"working_weeks_per_year": 0}, {"working_weeks_per_year": 60}, {"weeks": 45}],
)
def test_assumptions_are_validated(bad: dict[str, float]) -> None:
    """Assumptions out of range, or unknown, are rejected."""
    with pytest.raises(ValueError):  # noqa: PT011 - pydantic's message names the field
        Assumptions(**bad)


# --- scoped scenarios ---------------------------------------------------------


def _docs_admin_pilot(tmp_path: Path) -> Path:
    """The admin-pilot scenario file exactly as docs/interpreting-results.md shows it."""
    doc = (ROOT / "docs" / "interpreting-results.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```toml\n(.*?)\n```", doc, flags=re.DOTALL)
    path = tmp_path / "admin_pilot.toml"
    path.write_text(block, encoding="utf-8")
    return path


ADMIN_GROUPS = ("Central functions", "Support to doctors, nurses & midwives")


def test_the_docs_admin_pilot_releases_only_admin_staff_letters_and_booking(
    sample_result: genai_aug.Result, tmp_path: Path
) -> None:
    """The docs' admin pilot, run as written: only its staff groups' letters and booking."""
    res = run(sample_result.inventory, scenarios=_docs_admin_pilot(tmp_path))
    assert res.headline.scenario == "admin_pilot"
    t = res.tasks
    inside = t["staff_group"].isin(ADMIN_GROUPS) & t["category"].isin(
        ["correspondence", "scheduling"]
    )
    assert (t.loc[~inside, "hours_released_per_week"] == 0).all()
    assert (t.loc[inside, "hours_released_per_week"] > 0).all() and inside.sum() > 5
    expected = t.loc[inside, "hours_per_week_total"] * t.loc[inside, "time_share"] * 0.33 * 0.6
    assert np.allclose(t.loc[inside, "hours_released_per_week"], expected, rtol=1e-12)
    groups = res.staff_groups.set_index("staff_group")["hours_released_per_week"]
    assert (groups.drop(list(ADMIN_GROUPS)) == 0).all()
    # the packaged scenarios are untouched by the pilot's scope
    pd.testing.assert_frame_equal(
        res.scenarios.trust[res.scenarios.trust["scenario"] != "admin_pilot"].reset_index(
            drop=True
        ),
        sample_result.scenarios.trust,
        check_exact=True,
    )


def test_scope_by_role() -> None:
    """A scenario scoped to roles releases nothing from the others."""
    roles, tasks = random_inventory(3, n_roles=6)
    scen = [_scenario("one_role", 1.0, roles=("R002",))]
    res = run(roles, tasks, scenarios=scen)
    released = res.roles.set_index("role_id")["hours_released_per_week"]
    assert (released.drop("R002") == 0).all()


@pytest.mark.parametrize(
    ("scope", "message"),
    [
        (
            {"categories": ("sheduling",)},
            "unknown category 'sheduling' (did you mean 'scheduling'?)",
        ),
        ({"roles": ("R1O",)}, "unknown role id 'R1O' (did you mean 'R1'?)"),
        ({"roles": ("r1",)}, "unknown role id 'r1' (did you mean 'R1'?)"),
        ({"categories": ("direct_care",)}, "so it would release nothing"),
    ],
)
def test_an_unknown_scope_name_is_a_clear_error(scope: dict[str, tuple[str]], message: str) -> None:
    """What, where and the closest match: the scenario, the field and the name."""
    tasks = pd.DataFrame({"role_id": ["R1"], "task": ["Type letters"], "hours_per_week": [37.5]})
    with pytest.raises(ScenarioError, match=r"Scenario 'bad'.*") as err:
        run(ONE_CLERK, tasks, scenarios=[_scenario("bad", 0.5, **scope)])
    assert message in str(err.value)


def test_an_unknown_staff_group_in_a_scope_is_refused_when_read() -> None:
    """Staff groups are checked against the NHS list, with a suggestion."""
    with pytest.raises(ValueError, match="unknown staff group 'Central functoins'"):
        _scenario("bad", 0.5, staff_groups=("Central functoins",))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), adoption=st.floats(0.01, 1))
def test_invariants_hold_on_generated_inventories(seed: int, adoption: float) -> None:
    """Bounds, conservation and the split hold for any inventory and adoption."""
    roles, tasks = random_inventory(seed, n_roles=8)
    agg = aggregate_hours(
        genai_aug.score_tasks(load_inventory(roles, tasks)),
        roles=None,
        scenarios=genai_aug.load_scenarios([_scenario("s", adoption)]),
        n_draws=200,
    )
    t = agg.trust.iloc[0]
    assert 0 <= t["hours_released_per_week"] <= t["hours_per_week_total"] + 1e-9
    assert t["hours_released_per_week"] == pytest.approx(
        math.fsum(agg.staff_groups["hours_released_per_week"]), rel=1e-12
    )
    assert t["hours_released_automation_per_week"] + t[
        "hours_released_augmentation_per_week"
    ] == pytest.approx(t["hours_released_per_week"], rel=1e-12, abs=1e-12)
    assert t["hours_per_week_total"] == pytest.approx(
        math.fsum(
            tasks["hours_per_week"]
            * roles.set_index("role_id")["fte"].reindex(tasks["role_id"]).to_numpy()
        ),
        rel=1e-12,
    )


def _scored_by_hand() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "role_id": ["R1", "R1"],
            "role_title": ["Clerk", "Clerk"],
            "staff_group": ["Central functions"] * 2,
            "fte": [2.0, 2.0],
            "contracted_hours": [37.5, 37.5],
            "task_id": ["T1", "T2"],
            "hours_per_week": [20.0, 17.5],
            "category": ["scheduling", "direct_care"],
            "exposure": ["E2", "E0"],
            "confidence": [0.9, 0.9],
        }
    )


@pytest.mark.parametrize(
    ("column", "values", "code"),
    [
        ("hours_per_week", [float("nan"), 1.0], "not-a-number"),
        ("hours_per_week", [float("inf"), 1.0], "not-a-number"),
        ("hours_per_week", [-1.0, 1.0], "negative-value"),
        ("fte", ["two", 2.0], "not-a-number"),
        ("fte", [-2.0, 2.0], "negative-value"),
        ("contracted_hours", [0.0, 37.5], "negative-value"),
        ("contracted_hours", [37.5, float("-inf")], "not-a-number"),
    ],
)
def test_a_hand_edited_scored_table_with_bad_numbers_is_refused(
    column: str, values: list[object], code: str
) -> None:
    """NaN, infinite or negative hours would give a central figure and a range of
    different tasks: the table is refused, naming the column and the rows."""
    tasks = _scored_by_hand()
    tasks[column] = values
    with pytest.raises(InventoryError) as info:
        aggregate_hours(tasks)
    issues = info.value.issues
    assert list(issues["code"]) == [code]
    assert list(issues["column"]) == [column]
    assert "1 row(s)" in issues["message"].iat[0]


def test_a_scored_table_without_a_needed_column_is_refused_by_name() -> None:
    tasks = _scored_by_hand().drop(columns=["staff_group", "confidence"])
    with pytest.raises(InventoryError) as info:
        aggregate_hours(tasks)
    assert list(info.value.issues["code"]) == ["missing-column", "missing-column"]
    assert set(info.value.issues["column"]) == {"staff_group", "confidence"}


def test_a_scored_table_of_good_numbers_aggregates() -> None:
    assert aggregate_hours(_scored_by_hand()).tasks["hours_released_per_week"].tolist() == [
        6.5,
        0.0,
    ]


def test_roles_outside_the_nhs_staff_groups_are_refused_not_dropped() -> None:
    """A role whose staff group is not an NHS one (or missing) would count in its own row
    but in no staff group's and not in the trust's total: aggregate_hours refuses it,
    naming each such role, where the hours used to go missing without a word."""
    import genai_aug as ga
    from genai_aug.errors import InventoryError

    inv = ga.load_inventory(ga.sample_path())
    scored = ga.score_tasks(inv)
    roles = inv.roles.copy()
    roles.loc[roles.index[[0, 3]], "staff_group"] = ["Nursing staff", None]
    with pytest.raises(InventoryError) as info:
        ga.aggregate_hours(scored, roles)
    errors = info.value.errors
    assert errors["code"].tolist() == ["unknown-staff-group"] * 2
    named = set(roles["role_id"].iloc[[0, 3]])
    assert {m.split("'")[1] for m in errors["message"]} == named
    assert "'Nursing staff'" in " ".join(errors["message"])
    # (the same roles as loaded add up as before: every role in a staff group)
    agg = ga.aggregate_hours(scored, inv.roles)
    assert agg.roles["hours_released_per_week"].sum() == pytest.approx(
        float(agg.trust["hours_released_per_week"].iloc[0])
    )
