"""Judge the rules on data they were not written from: a seeded design/judge split by occupation.

Run from the repository root (needs ``../shared/data`` and SciPy)::

    python scripts/protocol.py                     # judge-half and paraphrase figures
    python scripts/protocol.py --show-design 40    # also list design-half disagreements
    python scripts/protocol.py --design-cv --design-only   # while writing rules: no judge half

``--design-only`` is for whoever is writing or choosing rules: it neither computes nor
prints anything from the judge half (no rows, no figures, no counts), so running the script
while iterating cannot leak the judge half into the choice of rules. Only the lead, once,
at the end, runs it without the flag.

Why: cross-validation (``scripts/fit_weights.py``) protects the *weights* from the
occupations they are judged on, but not the *choice of rules*, which is made by reading
disagreements. Here the dev file's occupations are split once, seeded, into a **design**
half (the only one whose disagreements are read to write or choose rules) and a **judge**
half (only ever summarised). The weights are fitted on the design half alone, so every
figure on the judge half is for occupations that neither the rules' author nor the fit
saw. The NHS paraphrase file (``nhs_paraphrase_dev.tsv``) is judged, never printed: its
figures are exposed-vs-not accuracy per phrasing variant and the share of groups whose
four phrasings get the same exposed-vs-not answer.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from fit_weights import (  # noqa: E402
    EXPOSURES,
    FOLDS,
    LABELS,
    Contract,
    Problem,
    _check,
    cv_spearman,
    fit,
    kappa,
    read_labels,
)

from genai_aug._matching import normalise_text  # noqa: E402
from genai_aug.evaluating import paraphrase_consistency  # noqa: E402
from genai_aug.scoring import exposure_from_evidence, fire_rules  # noqa: E402

PARAPHRASES = LABELS.parent / "nhs_paraphrase_dev.tsv"
SPLIT_SEED = 14  # issue 14: fixed before any rule was written under this protocol


def split_occupations(codes: pd.Series, seed: int = SPLIT_SEED) -> np.ndarray:
    """True for rows whose occupation is in the judge half (half the occupations, seeded)."""
    occupations = np.array(sorted(codes.unique()))
    rng = np.random.default_rng(seed)
    judge = set(rng.permutation(occupations)[: len(occupations) // 2])
    return codes.isin(judge).to_numpy()


def split_folds(codes: pd.Series, seed: int = SPLIT_SEED) -> np.ndarray:
    """A fold number (0 to FOLDS - 1) per row, by occupation, seeded."""
    occupations = np.array(sorted(codes.unique()))
    rng = np.random.default_rng(seed)
    fold = dict(zip(rng.permutation(occupations), np.arange(len(occupations)) % FOLDS, strict=True))
    return codes.map(fold).to_numpy()


def figures(problem: Problem, w: np.ndarray, rows: np.ndarray, labels: pd.DataFrame) -> dict:
    """Agreement on ``rows`` for genai_aug (weights w) and GPT-4, all and healthcare."""
    pred = problem.predict(w, rows)
    part = labels.iloc[rows].assign(pred=[EXPOSURES[i] for i in pred])
    gpt = part["gpt4_exposure"].map({e: i for i, e in enumerate(EXPOSURES)}).to_numpy()
    human = problem.human[rows]
    out = {}
    for name, mask in (("all", np.ones(len(rows), bool)), ("healthcare", problem.healthcare[rows])):
        h, p, g = human[mask], pred[mask], gpt[mask]
        gpart = part[mask].assign(pred=part["gpt4_exposure"][mask])
        out[name] = {
            "tasks": int(mask.sum()),
            "occupations": int(part[mask]["onet_soc_code"].nunique()),
            "weighted_kappa": (kappa(h, p, 3, True), kappa(h, g, 3, True)),
            "exposed_kappa": (kappa(h > 0, p > 0, 2, False), kappa(h > 0, g > 0, 2, False)),
            "beta_spearman": (cv_spearman(part[mask]), cv_spearman(gpart)),
        }
    return out


def paraphrase_figures(problem: Problem, w: np.ndarray) -> dict[str, float]:
    """Exposed-vs-not accuracy per variant and group consistency on the paraphrase file."""
    para = pd.read_csv(PARAPHRASES, sep="\t")
    norm = [normalise_text(t) for t in para["task"]]
    facing = pd.Series(pd.NA, index=range(len(norm)), dtype="boolean")
    fired = fire_rules(norm, facing, problem.rs)[0].astype(float)
    by_exp = np.stack(
        [fired[:, problem.rule_exp == k] @ w[problem.rule_exp == k] for k in range(3)], 1
    )
    para = para.assign(predicted_exposure=[EXPOSURES[i] for i in exposure_from_evidence(by_exp)])
    return paraphrase_consistency(para.rename(columns={"exposure": "human_exposure"}))


def main() -> None:
    """Fit on the design half, report the judge half and the paraphrase file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-design", type=int, default=0, metavar="N")
    parser.add_argument("--design-cv", action="store_true", help="5-fold CV in the design half")
    parser.add_argument("--shipped", action="store_true", help="also the file's own weights")
    parser.add_argument(
        "--design-only",
        action="store_true",
        help="compute and print nothing from the judge half (for use while writing rules)",
    )
    args = parser.parse_args()

    labels = _check(read_labels(LABELS), str(LABELS)).reset_index(drop=True)
    judge = split_occupations(labels["onet_soc_code"])
    if args.design_only:  # the judge half's rows are dropped before anything is computed
        labels = labels[~judge].reset_index(drop=True)
        judge = np.zeros(len(labels), dtype=bool)
    human = labels["human_exposure"].map({e: i for i, e in enumerate(EXPOSURES)}).to_numpy()
    problem = Problem(labels["task"].tolist(), human, labels["healthcare"].to_numpy(bool))
    contract = Contract(problem)
    design_rows, judge_rows = np.flatnonzero(~judge), np.flatnonzero(judge)
    halves = [("design", design_rows)] + ([] if args.design_only else [("judge", judge_rows)])
    if args.design_cv:  # choosing between rule variants: cross-validated on the design half
        fold_of = split_folds(labels["onet_soc_code"].iloc[design_rows])
        held = np.zeros(len(design_rows), dtype=int)
        for k in range(FOLDS):
            train, test = design_rows[fold_of != k], np.flatnonzero(fold_of == k)
            held[test] = problem.predict(fit(problem, contract, train), design_rows[test])
        h, hc = problem.human[design_rows], problem.healthcare[design_rows]
        part = labels.iloc[design_rows].assign(pred=[EXPOSURES[i] for i in held])
        for name, m in (("all", np.ones(len(h), bool)), ("healthcare", hc)):
            print(
                f"design CV {name}: weighted kappa {kappa(h[m], held[m], 3, True):.3f}, "
                f"exposed kappa {kappa(h[m] > 0, held[m] > 0, 2, False):.3f}, "
                f"beta Spearman {cv_spearman(part[m]):.3f}"
            )
    w = fit(problem, contract, design_rows)
    print(f"ruleset {problem.rs.version} ({len(problem.rs.rules)} rules, {problem.rs.hash[:12]})")
    for half, rows in halves:
        for subset, m in figures(problem, w, rows, labels).items():
            cells = "  ".join(
                f"{k} {v[0]:.3f} (GPT-4 {v[1]:.3f})" for k, v in m.items() if isinstance(v, tuple)
            )
            print(f"{half:>6} {subset:<10} n={m['tasks']:>4} occ={m['occupations']:>3}  {cells}")
    weights = {"design-fit": w, **({"shipped": problem.w0} if args.shipped else {})}
    for name, ws in weights.items():
        para = paraphrase_figures(problem, ws)
        shown = "  ".join(f"{k} {v:.3f}" for k, v in para.items() if k != "groups")
        print(f"paraphrases ({name} weights): {shown}")
    if args.show_design:
        pred = problem.predict(w, design_rows)
        part = labels.iloc[design_rows].assign(pred=[EXPOSURES[i] for i in pred])
        wrong = part[(part["pred"] != "E0") != (part["human_exposure"] != "E0")]
        for _, row in wrong.sample(min(args.show_design, len(wrong)), random_state=0).iterrows():
            print(f"  {row['human_exposure']} -> {row['pred']}: {row['task']}")


if __name__ == "__main__":
    main()
