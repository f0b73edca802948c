"""Context clauses must not change a task's class: how often they do.

Appends each context clause of a list (for whom, where, when, why, by what standard, on
what condition: ``data/context_clauses``) to each task of some base sets and counts the
tasks whose answer changes: exposed-vs-not, the exposure class (unclassified counting as
a class of its own) and the category. No labels are read: a task and the same task with
a context clause should get the same answer, whatever the right answer is.

    python scripts/context_invariance.py [--clauses design|judge|all] [--by-clause]

Base texts: the sample workbook's tasks; the formal phrasings of the NHS design sets
(set A's odd groups, sets B and D); and, where ``../shared`` is beside the project, the
O*NET dev file's design half of occupations (``scripts/protocol.py``'s split) and the
shared paraphrase file's formal phrasings. ``design`` clauses were read while the
clause reader was changed; ``judge`` clauses were written before the change and not read
while making it (see ``data/context_clauses/README.md``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import genai_aug

ROOT = Path(__file__).resolve().parents[1]
CLAUSES = ROOT / "data" / "context_clauses"
SETS = ROOT / "data" / "nhs_wording"
SHARED = ROOT.parent / "shared" / "data"


def clauses(which: str) -> list[str]:
    """The clauses of ``design.txt``, ``judge.txt`` or both (comment lines left out)."""
    names = ["design", "judge"] if which == "all" else [which]
    out: list[str] = []
    for name in names:
        lines = (CLAUSES / f"{name}.txt").read_text(encoding="utf-8").splitlines()
        out += [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return out


def base_sets() -> dict[str, list[str]]:
    """Task texts, by set, with their final full stop taken off (a clause follows)."""
    sample = genai_aug.load_inventory(ROOT / "data" / "sample_roles.xlsx").tasks["task"]
    out = {"sample workbook": sample.tolist()}
    a = pd.read_csv(SETS / "nhs_wording_a.tsv", sep="\t")
    odd = a["group_id"].str[1:].astype(int) % 2 == 1
    nhs = pd.concat(
        [
            a[odd],
            pd.read_csv(SETS / "nhs_wording_b.tsv", sep="\t"),
            pd.read_csv(SETS / "nhs_wording_d_design.tsv", sep="\t"),
        ]
    )
    out["NHS design sets, formal"] = nhs.loc[nhs["variant"] == "formal", "task"].tolist()
    if (SHARED / "onet_exposure_labels_dev.tsv").exists():
        sys.path.insert(0, str(ROOT / "scripts"))
        from protocol import split_occupations

        onet = pd.read_csv(SHARED / "onet_exposure_labels_dev.tsv", sep="\t")
        judge = split_occupations(onet["onet_soc_code"])
        out["O*NET dev, design half"] = onet.loc[~judge, "task"].tolist()
        para = pd.read_csv(SHARED / "nhs_paraphrase_dev.tsv", sep="\t")
        out["shared paraphrase file, formal"] = para.loc[
            para["variant"] == "formal", "task"
        ].tolist()
    return {k: sorted({t.strip().rstrip(".").strip() for t in v}) for k, v in out.items()}


def changes(texts: list[str], clause: str) -> dict[str, float]:
    """Shares of ``texts`` whose answer changes with ``clause`` appended."""
    base = genai_aug.score_texts(texts)
    with_clause = genai_aug.score_texts([f"{t} {clause}" for t in texts])
    exposed = base["exposure"].isin(["E1", "E2"]).to_numpy()
    exposed_after = with_clause["exposure"].isin(["E1", "E2"]).to_numpy()
    cls = base["exposure"].fillna("none").to_numpy()
    cls_after = with_clause["exposure"].fillna("none").to_numpy()
    return {
        "side": float(np.mean(exposed != exposed_after)),
        "class": float(np.mean(cls != cls_after)),
        "category": float(np.mean(base["category"].to_numpy() != with_clause["category"])),
    }


def main() -> None:
    """Print, per base set, the share of tasks a context clause changes, on average and at
    worst over the clauses (and per clause with ``--by-clause``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clauses", choices=["design", "judge", "all"], default="design")
    parser.add_argument("--by-clause", action="store_true")
    args = parser.parse_args()
    chosen = clauses(args.clauses)
    print(f"{len(chosen)} {args.clauses} clauses; genai_aug {genai_aug.__version__}")
    print("set | tasks | exposed-vs-not changed: mean, worst | class | category")
    for name, texts in base_sets().items():
        rows = pd.DataFrame([changes(texts, c) for c in chosen], index=chosen)
        print(
            f"{name} | {len(texts)} | {rows['side'].mean():.3f}, {rows['side'].max():.3f} | "
            f"{rows['class'].mean():.3f}, {rows['class'].max():.3f} | "
            f"{rows['category'].mean():.3f}, {rows['category'].max():.3f}"
        )
        if args.by_clause:
            for clause, r in rows.iterrows():
                print(f"    {clause:<50} {r['side']:.3f} {r['class']:.3f} {r['category']:.3f}")


if __name__ == "__main__":
    main()
