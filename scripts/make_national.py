"""Build a national example inventory: the sample trust's roles, scaled to every NHS trust.

For each NHS trust in NHS Digital's HCHS workforce statistics for June 2018 (FTE by
organisation and staff group, Open Government Licence v3; in ``../shared/data``), every
role of the bundled sample trust is copied with its tasks, and the roles of each staff
group are scaled so that together they have the trust's FTE in that group. Staff groups
a trust has but the sample has no role for, and FTE recorded as 'Unknown' staff group,
are left out and counted in the printed summary. The tasks and their hours per post are
the sample's: this is an example of scale and of the multi-organisation outputs, not a
survey of what each trust's staff do.

Run from the repository root::

    python scripts/make_national.py --out national/
    genai-aug run national/roles.csv --tasks national/tasks.csv --out national/results

Writes ``roles.csv`` (with the trust's code and name in ``trust``) and ``tasks.csv``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

import genai_aug

ROOT = Path(__file__).resolve().parents[1]
WORKFORCE = ROOT.parent / "shared" / "data" / "nhs_fte_by_organisation_staff_group_2017_2018.csv"
MONTH = "2018-JUN"


def build(workforce: Path = WORKFORCE) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float]]:
    """The national roles and tasks, and what was left out (FTE by reason)."""
    fte = pd.read_csv(workforce, dtype={"Organisation code": str})
    fte = fte[(fte["Month"] == MONTH) & fte["Organisation code"].str.match(r"^[RT]")]
    inventory = genai_aug.load_inventory(genai_aug.sample_path())
    roles, tasks = inventory.roles, inventory.tasks
    sample_fte = roles.groupby("staff_group")["fte"].sum()
    known = fte["Staff group"].isin(sample_fte.index)
    left_out = {
        "Unknown staff group": float(fte.loc[fte["Staff group"] == "Unknown", "FTE"].sum()),
        "staff group with no sample role": float(
            fte.loc[~known & (fte["Staff group"] != "Unknown"), "FTE"].sum()
        ),
    }
    fte = fte[known]
    scale = fte.assign(
        factor=fte["FTE"].to_numpy() / sample_fte.reindex(fte["Staff group"]).to_numpy()
    )[["Organisation code", "Organisation name", "Staff group", "factor"]]
    out_roles = roles.drop(
        columns=["trust", "headcount", "source_file", "source_sheet", "source_row"]
    ).merge(scale, left_on="staff_group", right_on="Staff group")
    out_roles["fte"] = (out_roles["fte"] * out_roles["factor"]).round(2)
    out_roles["trust"] = out_roles["Organisation code"] + " " + out_roles["Organisation name"]
    out_roles["role_id"] = out_roles["Organisation code"] + "-" + out_roles["role_id"]
    out_roles = out_roles[out_roles["fte"] > 0].drop(
        columns=["Organisation code", "Organisation name", "Staff group", "factor"]
    )
    prefix = out_roles["role_id"].str.split("-", n=1).str[0]
    base_id = out_roles["role_id"].str.split("-", n=1).str[1]
    pairs = pd.DataFrame({"org": prefix, "role_id": base_id})
    out_tasks = pairs.merge(
        tasks.drop(columns=["source_file", "source_sheet", "source_row"]), on="role_id"
    )
    out_tasks["task_id"] = out_tasks["org"] + "-" + out_tasks["task_id"]
    out_tasks["role_id"] = out_tasks["org"] + "-" + out_tasks["role_id"]
    out_tasks = out_tasks.drop(columns=["org"])
    return out_roles.reset_index(drop=True), out_tasks.reset_index(drop=True), left_out


def main(argv: list[str] | None = None) -> int:
    """Write roles.csv and tasks.csv of the national example into --out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("national"))
    parser.add_argument("--workforce", type=Path, default=WORKFORCE)
    args = parser.parse_args(argv)
    if not args.workforce.is_file():
        print(f"make_national: workforce file '{args.workforce}' not found", file=sys.stderr)
        return 2
    roles, tasks, left_out = build(args.workforce)
    args.out.mkdir(parents=True, exist_ok=True)
    roles.to_csv(args.out / "roles.csv", index=False)
    tasks.to_csv(args.out / "tasks.csv", index=False)
    print(
        f"{roles['trust'].nunique()} trusts, {len(roles):,} roles, {len(tasks):,} tasks, "
        f"{roles['fte'].sum():,.0f} FTE; left out: "
        + ", ".join(f"{v:,.0f} FTE ({k})" for k, v in left_out.items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
