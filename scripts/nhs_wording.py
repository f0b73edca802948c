"""NHS wording: how the ruleset reads the NHS phrasing sets, per set and per variant.

Prints, for the shared paraphrase file and the sets in data/nhs_wording, the
exposed-vs-not accuracy of each variant and the share of groups whose four phrasings get
the same exposed-vs-not answer; set A also split into its judge half (even groups, never
read while writing rules) and its design half (odd groups); sets C, E, G and I are unread
whole; set D (formal and shorthand only) is a design set written for the 0.9.0 glossary,
set F one written for round nine. See data/nhs_wording/README.md for which rows were
read when.

    python scripts/nhs_wording.py [--ruleset FILE] [--design-only]

``--design-only`` leaves set A's judge half (its even groups) and sets C, E, G and I out before
anything is scored: no rows, figures or counts of them are computed or printed. Use it
whenever rules are being written or chosen; the judge sets are run without the flag once,
at the end.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

import genai_aug

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "nhs_paraphrase_dev.tsv"
SETS = ROOT / "data" / "nhs_wording"
FIGURES = (
    "accuracy",
    "accuracy_formal",
    "accuracy_shorthand",
    "accuracy_reworded",
    "accuracy_context",
    "consistent_groups",
)


def subsets(design_only: bool = False) -> dict[str, pd.DataFrame]:
    """Each set (and set A's halves) as a labels frame, by name; no judge half if design_only."""
    out: dict[str, pd.DataFrame] = {}
    if SHARED.exists():
        out["shared paraphrase file (in-sample)"] = pd.read_csv(SHARED, sep="\t")
    a = pd.read_csv(SETS / "nhs_wording_a.tsv", sep="\t")
    even = a["group_id"].str[1:].astype(int) % 2 == 0
    if not design_only:
        out["set A, judge half (even groups, unread)"] = a[even]
    out["set A, design half (odd groups, read)"] = a[~even]
    out["set B (read)"] = pd.read_csv(SETS / "nhs_wording_b.tsv", sep="\t")
    out["set D, design (formal and shorthand)"] = pd.read_csv(
        SETS / "nhs_wording_d_design.tsv", sep="\t"
    )
    out["set F, design"] = pd.read_csv(SETS / "nhs_wording_f_design.tsv", sep="\t")
    out["set H, design"] = pd.read_csv(SETS / "nhs_wording_h_design.tsv", sep="\t")
    if not design_only:
        out["set C (unread)"] = pd.read_csv(SETS / "nhs_wording_c.tsv", sep="\t")
        out["set E (unread)"] = pd.read_csv(SETS / "nhs_wording_e.tsv", sep="\t")
        out["set G (unread)"] = pd.read_csv(SETS / "nhs_wording_g.tsv", sep="\t")
        out["set I (unread)"] = pd.read_csv(SETS / "nhs_wording_i.tsv", sep="\t")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ruleset", default=None, help="a ruleset file (default: packaged)")
    parser.add_argument(
        "--design-only",
        action="store_true",
        help=(
            "leave out the unread sets (set A's even groups, sets C, E, G and I): "
            "nothing of them is scored or printed"
        ),
    )
    args = parser.parse_args()
    rs = genai_aug.load_ruleset(args.ruleset)
    print(f"ruleset {rs.version} ({rs.hash[:12]})")
    print("| set | groups | " + " | ".join(f.replace("accuracy_", "") for f in FIGURES) + " |")
    print("|---|---:|" + "---:|" * len(FIGURES))
    for name, frame in subsets(args.design_only).items():
        p = genai_aug.evaluate(frame.reset_index(drop=True), rs).metrics.get("paraphrase") or {}
        cells = " | ".join(f"{p.get(f, float('nan')):.3f}" for f in FIGURES)
        print(f"| {name} | {frame['group_id'].nunique()} | {cells} |")


if __name__ == "__main__":
    main()
