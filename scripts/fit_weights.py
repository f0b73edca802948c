"""Fit the default ruleset's rule weights to human exposure labels, by occupation-grouped CV.

Run from the repository root (needs ``../shared/data`` and SciPy: ``pip install -e ".[fit]"``)::

    python scripts/fit_weights.py              # report cross-validated figures only
    python scripts/fit_weights.py --write      # also write the fitted weights to the ruleset

What it does, and why it cannot learn task texts: the only free parameters are the
rules' weights (one number per readable rule, between 0.05 and 10). The rules, their
words and their categories are written by hand; the script only decides how strongly
each rule counts. The scorer's exposure decision (docs/scoring.md) is two comparisons
of summed evidence: exposed when the E1 and E2 evidence together outweighs the E0
evidence, then E2 when the E2 evidence outweighs the E1 evidence. The fit makes each
comparison a logistic model of the human labels with the rules' weights as its
(sign-fixed) coefficients, and minimises

    log-loss(exposed or not) + MU * log-loss(E2 or E1, on exposed tasks)
    + LAMBDA/2 * sum of (weight - neutral weight)^2 + PENALTY * contract hinge

with L-BFGS-B. The ridge term pulls every weight towards the same neutral start (1 for
rules that name an action, 0.3 for weak rules), so a rule moves only as far as the
labels support. The contract hinge is the squared shortfall of each phrasing of the
contract tables in ``tests/test_scoring_table.py`` from landing in its category by a
margin, in the scorer's own decision (``exposure_from_evidence`` then
``category_from_evidence``: the pooled evidence decides the class, the category leads
its class); phrasings the tables mark as known errors (strict xfails) are left out. The
fitted weights must keep every phrasing in its category and the sample
trust's staff groups in their calibration order (``tests/test_evaluating.py``), or
the script refuses them. Weights are rounded to two decimals, as a reviewer reads them.

Cross-validation: occupations (O*NET-SOC codes) are split into five folds; weights
are fitted on four and measured on the fifth, so the reported figures are for
occupations the fit never saw, each with a 95 % interval from resampling occupations
(and, where the labels have GPT-4's classes, the interval of the exposed kappa minus
GPT-4's). ``--write`` then fits on every occupation of the dev
file and writes the weights, with their provenance (labels file and its fingerprint,
rows, date, method and the cross-validated figures), into
``src/genai_aug/data/default_weights.toml`` through the ruleset model.
Deterministic: the fold split and the resampling are seeded and the optimiser starts
from the neutral weights.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from genai_aug._matching import normalise_text  # noqa: E402
from genai_aug.evaluating import (  # noqa: E402
    _check,
    labels_fingerprint,
    occupation_beta,
    read_labels,
    spearman,
)
from genai_aug.rules import EXPOSURES, default_ruleset  # noqa: E402
from genai_aug.scoring import (  # noqa: E402
    category_from_evidence,
    exposure_from_evidence,
    fire_rules,
)

RULES_FILE = ROOT / "src" / "genai_aug" / "data" / "default_rules.toml"
WEIGHTS_FILE = RULES_FILE.with_name("default_weights.toml")  # [ruleset] weights_file
LABELS = ROOT.parent / "shared" / "data" / "onet_exposure_labels_dev.tsv"
BOUNDS = (0.05, 10.0)  # every rule keeps some say; none outweighs ten neutral rules
LAMBDA = 1.0  # ridge pull towards the neutral weights
MU = 0.5  # weight of the E2-or-E1 comparison against the exposed-or-not one
PENALTY = 1000.0  # per unit of squared contract shortfall: the contract is all but hard
MARGIN = 0.1  # how clearly a contract phrasing must land in its category
CLASS_MARGIN = 0.1  # ... and how clearly its pooled evidence must decide its exposure class
FOLDS = 5
SEED = 20261122
BOOTSTRAP = 1000  # resamples of the occupations, for the intervals of the CV figures


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
        # signed firings: each comparison of the decision is a linear function of the weights
        self.x_exposed = self.fired * np.where(self.rule_exp > 0, 1.0, -1.0)
        self.x_e2 = self.fired * np.select([self.rule_exp == 2, self.rule_exp == 1], [1.0, -1.0])

    def class_sums(self, w: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Evidence per exposure class (rows × 3) under weights w."""
        by_exp = np.zeros((len(rows), 3))
        f = self.fired[rows]
        for k in range(3):
            sel = self.rule_exp == k
            by_exp[:, k] = f[:, sel] @ w[sel]
        return by_exp

    def predict(self, w: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Exposure class per row, by the scorer's own decision (unrecognised rows are E0)."""
        return exposure_from_evidence(self.class_sums(w, rows))


class Contract:
    """The phrasing tables: which weight vectors keep every phrasing in its category."""

    def __init__(self, rs_problem: Problem) -> None:
        from test_scoring_table import _POOLED_DISAGREES, MUST, MUST_NOT

        self.p = rs_problem
        cats = [c.id for c in rs_problem.rs.categories]
        # the phrasings the tables mark as known scorer errors (strict xfails) are left out
        must = [(c, t) for c, v in MUST.items() for t in v if (c, t) not in _POOLED_DISAGREES]
        must_not = [
            (c, t) for c, v in MUST_NOT.items() for t in v if (c, t) not in _POOLED_DISAGREES
        ]
        texts = [t for _, t in must] + [t for _, t in must_not]
        self.want = np.array([cats.index(c) for c, _ in must])
        self.avoid = np.array([cats.index(c) for c, _ in must_not])
        norm = [normalise_text(t) for t in texts]
        facing = pd.Series(pd.NA, index=range(len(norm)), dtype="boolean")
        self.fired = fire_rules(norm, facing, rs_problem.rs)[0].astype(float)
        self.onehot = np.eye(rs_problem.n_cats)[rs_problem.rule_cat]
        self.exposure_of = np.array([EXPOSURES.index(c.exposure) for c in rs_problem.rs.categories])
        self.class_of = np.eye(3)[self.exposure_of]  # categories × 3: sums evidence by class
        # the linear forms of the hinge (see hinge), fixed by each phrasing's category
        k = self.exposure_of[self.want]
        self.must_exposed = np.stack([self._exposed_form(x) for x in k])
        self.must_tools = np.array([[0.0, 1.0, -1.0] if x == 2 else [0.0, -1.0, 1.0] for x in k])
        self.must_exposed_k = (k > 0).astype(float)
        cats = np.arange(rs_problem.n_cats)
        self.must_rivals = (self.exposure_of[None, :] == k[:, None]) & (
            cats[None, :] != self.want[:, None]
        )
        ka = self.exposure_of[self.avoid]
        self.avoid_rivals = (self.exposure_of[None, :] == ka[:, None]) & (
            cats[None, :] != self.avoid[:, None]
        )
        self.avoid_side = -np.stack([self._exposed_form(x) for x in ka])
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
            lambda c: (
                (rs.category_index[c].time_share if rs.category_index[c].exposure != "E0" else 0.0)
                if isinstance(c, str)
                else np.nan
            )
        )
        self.s_override = override.to_numpy(float)
        self.shares = np.array([c.time_share for c in rs.categories])
        self.exposure_of = np.array([EXPOSURES.index(c.exposure) for c in rs.categories])
        self.tiers = [
            [tasks["staff_group"].eq(g).to_numpy() for g in tier] for tier in CALIBRATION_TIERS
        ]

    def tier_violations(self, w: np.ndarray) -> int:
        """How many adjacent calibration tiers are out of order under weights w.

        Hours released as the pipeline counts them: a task's category time share if it
        is exposed (E1 or E2), nothing if E0 or unrecognised; the scenario's adoption
        and realisation scale every group alike, so they do not change the order.
        """
        strength = self.s_fired @ (w[:, None] * self.onehot)
        by_exposure = np.stack(
            [strength[:, self.exposure_of == k].sum(axis=1) for k in range(3)], axis=1
        )
        decided = exposure_from_evidence(by_exposure)
        category = category_from_evidence(strength, self.exposure_of, decided)
        exposed = (decided > 0) & (strength.sum(axis=1) > 0)
        share = np.where(exposed, self.shares[category], 0.0)
        share = np.where(np.isnan(self.s_override), share, self.s_override)
        released = self.s_hours * share
        share = [[released[m].sum() / self.s_hours[m].sum() for m in tier] for tier in self.tiers]
        return sum(min(a) <= max(b) for a, b in itertools.pairwise(share))

    def strength(self, w: np.ndarray) -> np.ndarray:
        """Evidence per category for each contract phrasing (phrasings × categories)."""
        return self.fired @ (w[:, None] * self.onehot)

    def categories(self, w: np.ndarray) -> np.ndarray:
        """Each phrasing's category under weights w, by the scorer's own decision.

        :func:`exposure_from_evidence` then :func:`category_from_evidence`, as
        ``genai_aug.scoring`` decides; -1 where no rule fires (unclassified).
        """
        strength = self.strength(w)
        exposure = exposure_from_evidence(strength @ self.class_of)
        category = category_from_evidence(strength, self.exposure_of, exposure)
        return np.where(strength.sum(axis=1) > 0, category, -1)

    def violations(self, w: np.ndarray) -> int:
        """Phrasings out of their category, plus staff-group tiers out of order."""
        got = self.categories(w)
        n_must = len(self.want)
        wrong = int((got[:n_must] != self.want).sum() + (got[n_must:] == self.avoid).sum())
        return wrong + self.tier_violations(w)

    def holds(self, w: np.ndarray) -> bool:
        """Whether every phrasing keeps its category and the sample keeps its calibration."""
        return self.violations(w) == 0

    def hinge(self, w: np.ndarray) -> tuple[float, np.ndarray]:
        """Squared shortfall of the phrasings from their categories by MARGIN, and its gradient.

        In the scorer's decision (docs/scoring.md), a MUST phrasing of category c, of
        exposure class k, lands in c when three comparisons go its way, each by MARGIN:
        exposed or not (E1 + E2 evidence against E0's), alone or with tools (E2 against
        E1, for an exposed k) and c against every other category of class k. A MUST_NOT
        phrasing avoids its category by the cheaper of two routes: a stronger category of
        the same class, or the exposed-or-not decision going the other way. Each
        shortfall is linear in the evidence, so value and gradient are exact.
        """
        strength = self.strength(w)
        by_class = strength @ self.class_of  # phrasings × 3
        n_must = len(self.want)
        grad = np.zeros_like(strength)
        # MUST: exposed-or-not and alone-or-with-tools, as linear forms in by_class
        forms = np.concatenate([self.must_exposed, self.must_tools])  # (2 n_must) × 3
        rows = np.concatenate([np.arange(n_must)] * 2)
        gap = np.maximum(np.einsum("ik,ik->i", forms, by_class[rows]) + CLASS_MARGIN, 0.0)
        gap[n_must:] *= self.must_exposed_k  # no tools comparison for an E0 category
        value = float((gap**2).sum())
        step = 2 * gap[:, None] * (forms @ self.class_of.T)
        grad[:n_must] += step[:n_must] + step[n_must:]
        # MUST: the category against every other category of its class
        idx = np.arange(n_must)
        own = strength[idx, self.want]
        within = np.where(self.must_rivals, strength[:n_must] - own[:, None] + MARGIN, 0.0)
        within = np.maximum(within, 0.0)
        value += float((within**2).sum())
        grad[:n_must] += 2 * within
        grad[idx, self.want] -= 2 * within.sum(axis=1)
        # MUST_NOT: the cheaper of a same-class rival and the other side of exposed-or-not
        idx = np.arange(len(self.avoid))
        rows = n_must + idx
        rivals = np.where(self.avoid_rivals, strength[rows], -np.inf)
        rival = rivals.argmax(axis=1)
        has_rival = np.isfinite(rivals[idx, rival])
        gap_rival = np.where(
            has_rival, strength[rows, self.avoid] - strength[rows, rival] + MARGIN, np.inf
        )
        gap_side = np.einsum("ik,ik->i", self.avoid_side, by_class[rows]) + CLASS_MARGIN
        by_rival = gap_rival < gap_side
        gap = np.maximum(np.where(by_rival, gap_rival, gap_side), 0.0)
        value += float((gap**2).sum())
        side_grad = 2 * gap[:, None] * (self.avoid_side @ self.class_of.T)
        grad[rows] += np.where(by_rival[:, None], 0.0, side_grad)
        r = 2 * gap * by_rival
        grad[rows, self.avoid] += r
        grad[rows, rival] -= r
        return value, (self.fired * grad[:, self.p.rule_cat]).sum(axis=0)

    @staticmethod
    def _exposed_form(k: int) -> np.ndarray:
        """Coefficients on (E0, E1, E2) evidence of the exposed-or-not shortfall for class k.

        For an E0 phrasing the shortfall is (E1 + E2) - E0; for an exposed one E0 - (E1 + E2).
        """
        return np.array([-1.0, 1.0, 1.0]) if k == 0 else np.array([1.0, -1.0, -1.0])


def neutral_start(problem: Problem) -> np.ndarray:
    """The weights every fit starts from and is pulled towards: 1 for actions, 0.3 for weak rules.

    Starting from these, and not from the weights in the ruleset file, makes the fit a
    function of the rules and the labels alone, and keeps cross-validation honest: no
    fold starts from weights that have seen its occupations.
    """
    weak = ("objects", "context", "patient_facing", "systems", "record", "queries")
    return np.array(
        [0.3 if r.id.rsplit(".", 1)[-1].endswith(weak) else 1.0 for r in problem.rs.rules]
    )


def fit(problem: Problem, contract: Contract, rows: np.ndarray) -> np.ndarray:
    """Regularised logistic fit of the rule weights on ``rows`` (see the module docstring).

    Returns the weights rounded to two decimals; they must keep the contract.
    """
    prior = neutral_start(problem)
    human = problem.human[rows]
    exposed = human > 0
    y1 = exposed.astype(float)
    y2 = (human[exposed] == 2).astype(float)
    a = problem.x_exposed[rows]
    b = problem.x_e2[rows][exposed]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z1, z2 = a @ w, b @ w
        value = np.sum(np.logaddexp(0, z1) - y1 * z1) + MU * np.sum(np.logaddexp(0, z2) - y2 * z2)
        grad = a.T @ (_sigmoid(z1) - y1) + MU * (b.T @ (_sigmoid(z2) - y2))
        d = w - prior
        hinge, hinge_grad = contract.hinge(w)
        value += LAMBDA * float(d @ d) / 2 + PENALTY * hinge
        return float(value), grad + LAMBDA * d + PENALTY * hinge_grad

    result = minimize(
        loss,
        prior.copy(),
        jac=True,
        method="L-BFGS-B",
        bounds=[BOUNDS] * len(prior),
        options={"maxiter": 5000},
    )
    w = np.clip(np.round(result.x, 2), *BOUNDS)
    if not contract.holds(w):
        raise SystemExit(f"the fit could not keep the contract ({contract.violations(w)} left)")
    return w


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


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
            "weighted_kappa": round(kappa(h[mask], p[mask], 3, True), 3),
            "exposed_kappa": round(kappa(h[mask] > 0, p[mask] > 0, 2, False), 3),
            "occupation_beta_spearman": round(cv_spearman(part), 3),
        }
    return out


def write_weights(
    w: np.ndarray, rules: list[str], labels_path: Path, labels: pd.DataFrame, method: str
) -> None:
    """Write the weights file through the ruleset model, with the provenance of the fit.

    The file (``[ruleset] weights_file`` of the default ruleset) is built as a
    :class:`genai_aug.rules.RuleWeights` and written by its ``to_toml``; the rules file
    is not touched. The ruleset is then loaded again from the files, and the script
    refuses to finish unless every rule has the weight just fitted.
    """
    import datetime

    from genai_aug.rules import RuleWeights, WeightsProvenance, load_ruleset

    provenance = WeightsProvenance(
        labels=labels_path.name,
        labels_sha256=labels_fingerprint(labels),
        rows=len(labels),
        fitted=datetime.date.today().isoformat(),
        method=method,
    )
    fitted = {rule: round(float(x), 2) for rule, x in zip(rules, w, strict=True)}
    WEIGHTS_FILE.write_text(
        RuleWeights(provenance=provenance, weights=fitted).to_toml(), encoding="utf-8"
    )
    again = {r.id: r.weight for r in load_ruleset(RULES_FILE).rules}
    if again != fitted:
        raise SystemExit(f"{WEIGHTS_FILE} does not give every rule its fitted weight")


def cv_spearman(part: pd.DataFrame) -> float:
    """Occupation-level beta Spearman of the ``pred`` column against the human labels."""
    return spearman(occupation_beta(part, "human_exposure"), occupation_beta(part, "pred"))


def occupation_interval(cv: pd.DataFrame, draws: int = BOOTSTRAP) -> dict[str, np.ndarray]:
    """95 % bootstrap intervals for the cross-validated exposed kappa, resampling occupations.

    Occupations, not tasks, are resampled: the tasks of one occupation share its wording
    and were scored by the same fold's weights, so they are not independent. Where the
    labels have GPT-4's classes, also the interval for genai_aug's kappa minus GPT-4's on
    the same resamples: the question is whether the scorer, on occupations its weights
    never saw, agrees with the experts as well as GPT-4 does.
    """
    human = cv["human_exposure"].ne("E0").to_numpy()
    ours = cv["pred"].ne("E0").to_numpy()
    gpt4 = cv["gpt4_exposure"].ne("E0").to_numpy() if "gpt4_exposure" in cv else None
    _, occupation = np.unique(cv["onet_soc_code"].to_numpy(), return_inverse=True)
    rows_of = [np.flatnonzero(occupation == i) for i in range(occupation.max() + 1)]
    rng = np.random.default_rng(SEED)
    ks, diffs = [], []
    for _ in range(draws):
        rows = np.concatenate([rows_of[i] for i in rng.integers(0, len(rows_of), len(rows_of))])
        k = kappa(human[rows], ours[rows], 2, False)
        ks.append(k)
        if gpt4 is not None:
            diffs.append(k - kappa(human[rows], gpt4[rows], 2, False))
    out = {"exposed kappa": np.percentile(ks, [2.5, 97.5])}
    if diffs:
        out["minus GPT-4's"] = np.percentile(diffs, [2.5, 97.5])
    return out


def main() -> None:
    """Cross-validate the fit by occupation, and optionally write the final weights."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write fitted weights to the ruleset")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument(
        "--predictions",
        type=Path,
        default=None,
        help="write the cross-validated predictions to this TSV, for review",
    )
    args = parser.parse_args()

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
        w = fit(problem, contract, train)
        held_out[test] = problem.predict(w, test)
        print(f"fold {k}: held-out {report(problem, w, test, labels)['all']}")
    cv = labels.assign(pred=[EXPOSURES[i] for i in held_out])
    if args.predictions:
        cv.to_csv(args.predictions, sep="\t", index=False)
    hc = labels["healthcare"].to_numpy(bool)
    summary = []
    for name, mask in (("all", np.ones(len(labels), bool)), ("healthcare", hc)):
        h, p = human[mask], held_out[mask]
        part = cv[mask]
        line = (
            f"weighted kappa {kappa(h, p, 3, True):.3f}, "
            f"exposed kappa {kappa(h > 0, p > 0, 2, False):.3f}, occupation beta Spearman "
            f"{cv_spearman(part):.3f}"
        )
        summary.append(f"{name} {line}")
        print(f"cross-validated {name}: {line}")
        for what, (low, high) in occupation_interval(part).items():
            print(f"  {what}: 95 % interval over occupations {low:.3f} to {high:.3f}")
    if args.write:
        w = fit(problem, contract, every)
        print("fitted on all dev rows:", report(problem, w, every, labels))
        method = (
            f"regularised logistic fit (LAMBDA {LAMBDA}, MU {MU}) under the contract; "
            f"{FOLDS}-fold occupation-grouped CV: " + "; ".join(summary)
        )
        write_weights(w, [r.id for r in problem.rs.rules], args.labels, labels, method)
        print(f"wrote {len(w)} weights and their provenance to {WEIGHTS_FILE}")


if __name__ == "__main__":
    main()
