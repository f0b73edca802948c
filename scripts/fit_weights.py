"""Fit the default ruleset's rule weights to human exposure labels, by occupation-grouped CV.

Run from the repository root (needs ``../shared/data``)::

    python scripts/fit_weights.py              # report cross-validated figures only
    python scripts/fit_weights.py --write      # also write the fitted weights to the ruleset

What it does, and why it cannot learn task texts: the only free parameters are the
rules' weights (one number per readable rule, between 0.05 and 4). The rules, their
words and their categories are written by hand; the script only decides how strongly
each rule counts, starting every time from the same neutral weights (1 for rules that
name an action, 0.3 for weak rules). It maximises the mean of four agreement figures
on the training rows — linear-weighted kappa and exposed-vs-not kappa (counted twice, as the hardest
floor), on all rows and on healthcare rows — by coordinate ascent over a grid of
weights, less one point for each contract violation: a phrasing of the contract tables in
``tests/test_scoring_table.py`` in the wrong category, or staff groups of the sample trust
out of their calibration order (``tests/test_evaluating.py``). The fitted weights must
keep the contract, so they keep the NHS behaviour the tests promise.

Cross-validation: occupations (O*NET-SOC codes) are split into five folds; weights
are fitted on four and measured on the fifth, so the reported figures are for
occupations the fit never saw. ``--write`` then fits on every occupation of the dev
file and writes the weights into ``src/genai_aug/data/default_rules.toml``.
Deterministic: the fold split is seeded and the search order fixed.
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from genai_aug._matching import normalise_text  # noqa: E402
from genai_aug.evaluating import _check, occupation_beta, read_labels, spearman  # noqa: E402
from genai_aug.rules import EXPOSURES, default_ruleset  # noqa: E402
from genai_aug.scoring import fire_rules  # noqa: E402

RULES_FILE = ROOT / "src" / "genai_aug" / "data" / "default_rules.toml"
LABELS = ROOT.parent / "shared" / "data" / "onet_exposure_labels_dev.tsv"
GRID = (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.3, 1.6, 2.0, 2.5, 3.0, 4.0)
FOLDS = 5
SEED = 20261122


def kappa(h: np.ndarray, p: np.ndarray, k: int, linear: bool) -> float:
    """Cohen's kappa (linear weights if ``linear``) for integer classes 0..k-1."""
    conf = np.zeros((k, k))
    np.add.at(conf, (h.astype(int), p.astype(int)), 1)
    n = conf.sum()
    idx = np.arange(k)
    w = np.abs(idx[:, None] - idx[None, :]) / (k - 1) if linear else (idx[:, None] != idx[None, :])
    exp = np.outer(conf.sum(1), conf.sum(0)) / n
    den = (w * exp).sum()
    return float(1 - (w * conf).sum() / den) if den else 0.0


class Problem:
    """Rule firings and labels in matrix form, so a weight vector is scored in microseconds."""

    def __init__(self, texts: list[str], human: np.ndarray, healthcare: np.ndarray) -> None:
        self.rs = default_ruleset()
        norm = [normalise_text(t) for t in texts]
        facing = pd.Series(pd.NA, index=range(len(norm)), dtype="boolean")
        self.fired = fire_rules(norm, facing, self.rs)[0].astype(float)
        cats = [c.id for c in self.rs.categories]
        self.rule_cat = np.array([cats.index(r.category) for r in self.rs.rules])
        exp_of_cat = np.array([EXPOSURES.index(c.exposure) for c in self.rs.categories])
        self.rule_exp = exp_of_cat[self.rule_cat]
        self.human = human
        self.healthcare = healthcare
        self.w0 = np.array([r.weight for r in self.rs.rules])
        self.n_cats = len(cats)

    def class_sums(self, w: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Evidence per exposure class (rows × 3) under weights w."""
        by_exp = np.zeros((len(rows), 3))
        f = self.fired[rows]
        for k in range(3):
            sel = self.rule_exp == k
            by_exp[:, k] = f[:, sel] @ w[sel]
        return by_exp

    def predict(self, w: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Exposure class per row (unrecognised rows count as E0, as in evaluate)."""
        return self.class_sums(w, rows).argmax(axis=1)  # all-zero -> E0; ties -> lower class

    def objective(self, w: np.ndarray, rows: np.ndarray) -> float:
        """Mean of weighted and exposed kappa on all rows and on healthcare rows."""
        return self.score_sums(self.class_sums(w, rows), rows)

    def score_sums(self, by_exp: np.ndarray, rows: np.ndarray) -> float:
        """The objective from precomputed class sums."""
        p = by_exp.argmax(axis=1)
        h = self.human[rows]
        hc = self.healthcare[rows]
        exposed = kappa(h > 0, p > 0, 2, False)
        parts = [kappa(h, p, 3, True), exposed, exposed]  # exposed kappa is the hardest floor
        if hc.any():
            parts += [kappa(h[hc], p[hc], 3, True), kappa(h[hc] > 0, p[hc] > 0, 2, False)]
        return float(np.mean(parts))


class Contract:
    """The phrasing tables: which weight vectors keep every phrasing in its category."""

    def __init__(self, rs_problem: Problem) -> None:
        from test_scoring_table import MUST, MUST_NOT

        self.p = rs_problem
        cats = [c.id for c in rs_problem.rs.categories]
        texts = [t for v in MUST.values() for t in v] + [t for v in MUST_NOT.values() for t in v]
        self.want = np.array([cats.index(c) for c, v in MUST.items() for _ in v])
        self.avoid = np.array([cats.index(c) for c, v in MUST_NOT.items() for _ in v])
        norm = [normalise_text(t) for t in texts]
        facing = pd.Series(pd.NA, index=range(len(norm)), dtype="boolean")
        self.fired = fire_rules(norm, facing, rs_problem.rs)[0].astype(float)
        self.onehot = np.eye(rs_problem.n_cats)[rs_problem.rule_cat]

        self._sample()

    def _sample(self) -> None:
        """The sample trust's tasks, for the staff-group calibration order."""
        import genai_aug
        from test_evaluating import CALIBRATION_TIERS

        rs = self.p.rs
        inv = genai_aug.load_inventory(genai_aug.sample_path())
        tasks = inv.tasks.merge(inv.roles[["role_id", "staff_group", "fte"]], on="role_id")
        norm = [normalise_text(t) for t in tasks["task"]]
        facing = tasks["patient_facing"].astype("boolean").reset_index(drop=True)
        self.s_fired = fire_rules(norm, facing, rs)[0].astype(float)
        self.s_hours = (tasks["hours_per_week"] * tasks["fte"]).to_numpy()
        override = tasks["category_override"].map(
            lambda c: rs.category_index[c].time_share if isinstance(c, str) else np.nan
        )
        self.s_override = override.to_numpy(float)
        self.shares = np.array([c.time_share for c in rs.categories])
        self.tiers = [
            [tasks["staff_group"].eq(g).to_numpy() for g in tier] for tier in CALIBRATION_TIERS
        ]

    def tier_violations(self, w: np.ndarray) -> int:
        """How many adjacent calibration tiers are out of order under weights w."""
        strength = self.s_fired @ (w[:, None] * self.onehot)
        total = strength.sum(axis=1)
        score = np.where(total > 0, strength @ self.shares / np.where(total > 0, total, 1), 0.0)
        score = np.where(np.isnan(self.s_override), score, self.s_override)
        released = self.s_hours * score
        share = [[released[m].sum() / self.s_hours[m].sum() for m in tier] for tier in self.tiers]
        return sum(min(a) <= max(b) for a, b in itertools.pairwise(share))

    def violations(self, w: np.ndarray) -> int:
        """Phrasings out of their category, plus staff-group tiers out of order."""
        strength = self.fired @ (w[:, None] * self.onehot)
        got = strength.argmax(axis=1)
        n_must = len(self.want)
        wrong = int((got[:n_must] != self.want).sum() + (got[n_must:] == self.avoid).sum())
        return wrong + self.tier_violations(w)

    def holds(self, w: np.ndarray) -> bool:
        """Whether every phrasing keeps its category and the sample keeps its calibration."""
        return self.violations(w) == 0


def neutral_start(problem: Problem) -> np.ndarray:
    """The weights every fit starts from: 1 for rules naming an action, 0.3 for weak rules.

    Starting from these, and not from the weights in the ruleset file, makes the fit a
    function of the rules and the labels alone, and keeps cross-validation honest: no
    fold starts from weights that have seen its occupations.
    """
    weak = ("objects", "context", "patient_facing", "systems", "record", "queries")
    return np.array(
        [0.3 if r.id.rsplit(".", 1)[-1].endswith(weak) else 1.0 for r in problem.rs.rules]
    )


def fit(
    problem: Problem,
    contract: Contract,
    rows: np.ndarray,
    passes: int = 4,
    grid: tuple[float, ...] = GRID,
) -> np.ndarray:
    """Coordinate ascent over GRID for each rule weight.

    Maximises the agreement objective less one point per contract violation (a phrasing
    in the wrong category, or calibration tiers out of order), so the search first
    repairs the contract and then never breaks it. The result must keep the contract.
    """
    w = neutral_start(problem)
    sums = problem.class_sums(w, rows)
    best = problem.score_sums(sums, rows) - contract.violations(w)
    f = problem.fired[rows]
    for _ in range(passes):
        improved = False
        for j in range(len(w)):
            fj = f[:, j]
            k = problem.rule_exp[j]
            current = w[j]
            for value in grid:
                if value == current:
                    continue
                trial = sums.copy()
                trial[:, k] += fj * (value - current)
                upper = problem.score_sums(trial, rows)  # violations only lower the score
                if upper <= best + 1e-6:
                    continue
                w[j] = value
                score = upper - contract.violations(w)
                if score > best + 1e-6:
                    best, current, improved, sums = score, value, True, trial
                w[j] = current
        if not improved:
            break
    if not contract.holds(w):
        raise SystemExit(f"the fit could not keep the contract ({contract.violations(w)} left)")
    return w


def report(problem: Problem, w: np.ndarray, rows: np.ndarray, labels: pd.DataFrame) -> dict:
    """Agreement figures for the given rows (all and healthcare), as in genai-aug evaluate."""
    p = problem.predict(w, rows)
    h = problem.human[rows]
    hc = problem.healthcare[rows]
    sub = labels.iloc[rows].assign(pred=[EXPOSURES[i] for i in p])
    out = {}
    for name, mask in (("all", np.ones(len(rows), bool)), ("healthcare", hc)):
        part = sub[mask]
        out[name] = {
            "weighted_kappa": kappa(h[mask], p[mask], 3, True),
            "exposed_kappa": kappa(h[mask] > 0, p[mask] > 0, 2, False),
            "occupation_beta_spearman": spearman(
                occupation_beta(part, "human_exposure"), occupation_beta(part, "pred")
            ),
        }
    return out


def write_weights(w: np.ndarray, rules: list[str]) -> None:
    """Replace each rule's ``weight = ...`` line in the ruleset file, keeping the rest."""
    text = RULES_FILE.read_text(encoding="utf-8")
    for rule_id, weight in zip(rules, w, strict=True):
        pattern = re.compile(
            rf'(id = "{re.escape(rule_id)}"\ncategory = "[^"]+"\nweight = )[0-9.]+'
        )
        text, n = pattern.subn(rf"\g<1>{weight:g}", text)
        if n != 1:
            raise SystemExit(f"could not find the weight of rule {rule_id}")
    RULES_FILE.write_text(text, encoding="utf-8")


def cv_spearman(part: pd.DataFrame) -> float:
    """Occupation-level beta Spearman of the ``pred`` column against the human labels."""
    return spearman(occupation_beta(part, "human_exposure"), occupation_beta(part, "pred"))


def main() -> None:
    """Cross-validate the fit by occupation, and optionally write the final weights."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write fitted weights to the ruleset")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--passes", type=int, default=4, help="coordinate-ascent passes")
    parser.add_argument(
        "--predictions",
        type=Path,
        default=None,
        help="write the cross-validated predictions to this TSV, for review",
    )
    parser.add_argument(
        "--grid",
        default=",".join(f"{g:g}" for g in GRID),
        help="comma-separated weights to try (default %(default)s)",
    )
    args = parser.parse_args()
    grid = tuple(float(g) for g in args.grid.split(","))

    labels = _check(read_labels(args.labels), str(args.labels)).reset_index(drop=True)
    human = labels["human_exposure"].map({e: i for i, e in enumerate(EXPOSURES)}).to_numpy()
    problem = Problem(labels["task"].tolist(), human, labels["healthcare"].to_numpy(bool))
    contract = Contract(problem)

    occupations = np.array(sorted(labels["onet_soc_code"].unique()))
    rng = np.random.default_rng(SEED)
    fold_of = dict(
        zip(rng.permutation(occupations), np.arange(len(occupations)) % FOLDS, strict=True)
    )
    fold = labels["onet_soc_code"].map(fold_of).to_numpy()
    every = np.arange(len(labels))
    print("weights in the ruleset file, all dev rows:", report(problem, problem.w0, every, labels))
    held_out = np.zeros(len(labels), dtype=int)
    for k in range(FOLDS):
        train, test = every[fold != k], every[fold == k]
        w = fit(problem, contract, train, args.passes, grid)
        held_out[test] = problem.predict(w, test)
        print(
            f"fold {k}: held-out objective {problem.objective(w, test):.3f} "
            f"(neutral start {problem.objective(neutral_start(problem), test):.3f})"
        )
    cv = labels.assign(pred=[EXPOSURES[i] for i in held_out])
    if args.predictions:
        cv.to_csv(args.predictions, sep="\t", index=False)
    hc = labels["healthcare"].to_numpy(bool)
    for name, mask in (("all", np.ones(len(labels), bool)), ("healthcare", hc)):
        h, p = human[mask], held_out[mask]
        part = cv[mask]
        print(
            f"cross-validated {name}: weighted kappa {kappa(h, p, 3, True):.3f}, "
            f"exposed kappa {kappa(h > 0, p > 0, 2, False):.3f}, occupation beta Spearman "
            f"{cv_spearman(part):.3f}"
        )
    if args.write:
        w = fit(problem, contract, every, args.passes, grid)
        print("fitted on all dev rows:", report(problem, w, every, labels))
        write_weights(w, [r.id for r in problem.rs.rules])
        print(f"wrote {len(w)} weights to {RULES_FILE}")


if __name__ == "__main__":
    main()
