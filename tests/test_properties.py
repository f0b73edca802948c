"""Invariants of the whole pipeline on generated inventories (hypothesis).

0 ≤ score ≤ 1; released ≤ worked for every task, role and staff group; totals conserved
from task to role to staff group to trust; the same figures whatever the row order; and the
same figures whether the inventory arrives as an .xlsx workbook, a CSV pair or DataFrames.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import genai_aug
from genai_aug import _columns as col
from genai_aug._reference import STAFF_GROUPS

PROPS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TEXTS = [
    "Book outpatient appointments on the patient administration system",
    "Assist patients with washing and dressing",
    "Type clinic letters from digital dictation",
    "Record observations in the electronic patient record",
    "Review patients on the ward round",
    "Restock the treatment room",
    "Reply to emails from colleagues",
    "Prepare the monthly performance report",
    "Code diagnoses and procedures for discharged patients",
    "Other duties as required",
]


@st.composite
def inventories(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A valid inventory: 1–8 roles, each with 0–6 tasks whose hours fit the contract."""
    n_roles = draw(st.integers(1, 8))
    roles, tasks = [], []
    for r in range(n_roles):
        contracted = draw(st.sampled_from([37.5, 40.0]))
        roles.append(
            {
                "role_id": f"R{r:02d}",
                "role_title": f"Role {r}",
                "staff_group": draw(st.sampled_from(STAFF_GROUPS)),
                "band": "Band 5",
                "fte": draw(st.floats(0.1, 400.0, allow_nan=False).map(lambda x: round(x, 2))),
                "contracted_hours": contracted,
            }
        )
        n_tasks = draw(st.integers(0, 6))
        left = contracted
        for t in range(n_tasks):
            hours = draw(st.floats(0.25, 20.0).map(lambda x: round(x * 4) / 4))
            hours = min(hours, left)
            left -= hours
            tasks.append(
                {
                    "role_id": f"R{r:02d}",
                    "task_id": f"R{r:02d}-{t}",
                    "task": draw(st.sampled_from(TEXTS)),
                    "hours_per_week": hours,
                }
            )
    if not tasks:  # an inventory needs at least one task to be scored
        tasks.append({"role_id": "R00", "task_id": "R00-0", "task": TEXTS[0], "hours_per_week": 1})
    return pd.DataFrame(roles), pd.DataFrame(tasks)


def _run(roles: object, tasks: object = None) -> genai_aug.Result:
    return genai_aug.run(roles, tasks, n_draws=200)  # type: ignore[arg-type]


def _figures(result: genai_aug.Result) -> dict[str, pd.DataFrame]:
    """Every table of figures, without the columns that say where rows came from."""
    drop = [*col.PROVENANCE]
    return {
        "tasks": result.tasks.drop(columns=drop).sort_values(col.TASK_ID).reset_index(drop=True),
        "roles": result.roles,
        "staff_groups": result.staff_groups,
        "trust": result.trust,
        "scen_roles": result.scenarios.roles,
        "scen_groups": result.scenarios.staff_groups,
        "scen_trust": result.scenarios.trust,
    }


@PROPS
@given(inv=inventories())
def test_scores_and_releases_are_bounded(inv: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """0 ≤ score ≤ 1, and nothing releases more hours than it works, at any level."""
    result = _run(*inv)
    scores = result.tasks[col.SCORE].dropna()
    assert ((scores >= 0) & (scores <= 1)).all()
    for frame in (result.tasks, result.roles, result.staff_groups, result.trust):
        released = frame[col.HOURS_RELEASED].fillna(0.0)
        assert (released <= frame[col.HOURS_TOTAL] + 1e-9).all()
        assert (released >= 0).all()
    sr = result.scenarios
    worked = result.roles.set_index(col.ROLE_ID)[col.HOURS_TOTAL]
    high = sr.roles.set_index(col.ROLE_ID)[col.RELEASED_HIGH]
    assert (high.to_numpy() <= worked.reindex(high.index).to_numpy() + 1e-9).all()


@PROPS
@given(inv=inventories())
def test_totals_are_conserved_across_levels(inv: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """Tasks add up to roles, roles to staff groups, staff groups to the trust (1e-9 rel.)."""
    result = _run(*inv)
    for c in (col.HOURS_TOTAL, col.HOURS_RELEASED, col.WTE_RELEASED, col.HOURS_UNCLASSIFIED):
        tasks = result.tasks[c].fillna(0.0).sum()
        roles = result.roles[c].sum()
        groups = result.staff_groups[c].sum()
        trust = result.trust[c].iat[0]
        for a, b in ((tasks, roles), (roles, groups), (groups, trust)):
            assert np.isclose(a, b, rtol=1e-9, atol=1e-9), c


@PROPS
@given(inv=inventories(), seed=st.integers(0, 2**31 - 1))
def test_row_order_does_not_change_any_figure(
    inv: tuple[pd.DataFrame, pd.DataFrame], seed: int
) -> None:
    """Shuffled roles and tasks give bit-identical tables, ranges included."""
    roles, tasks = inv
    a = _figures(_run(roles, tasks))
    b = _figures(
        _run(roles.sample(frac=1.0, random_state=seed), tasks.sample(frac=1.0, random_state=seed))
    )
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True, obj=name)


def _write_xlsx(roles: pd.DataFrame, tasks: pd.DataFrame, path: Path) -> Path:
    wb = openpyxl.Workbook()
    for i, (name, frame) in enumerate((("roles", roles), ("tasks", tasks))):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = name
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            ws.append(list(row))
    wb.save(path)
    return path


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inv=inventories())
def test_xlsx_csv_and_dataframe_give_the_same_figures(
    inv: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """The same inventory as a workbook, a CSV pair and DataFrames: identical figures."""
    roles, tasks = inv
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        roles.to_csv(d / "roles.csv", index=False)
        tasks.to_csv(d / "tasks.csv", index=False)
        from_frames = _figures(_run(roles, tasks))
        from_csv = _figures(_run(d / "roles.csv", d / "tasks.csv"))
        from_xlsx = _figures(_run(_write_xlsx(roles, tasks, d / "inventory.xlsx")))
    for name in from_frames:
        pd.testing.assert_frame_equal(from_csv[name], from_frames[name], obj=f"csv {name}")
        pd.testing.assert_frame_equal(from_xlsx[name], from_frames[name], obj=f"xlsx {name}")
