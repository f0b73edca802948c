"""Evaluating: agreement of genai_aug's exposure classes with human expert labels.

The yardstick is the set of human labels (E0/E1/E2) that Eloundou et al. ("GPTs are
GPTs", Science 2024) gave to O*NET task statements, and GPT-4's labels for the same
tasks. :func:`evaluate` scores the task texts with a ruleset and reports, for all
rows and for the healthcare rows:

``n``
    rows compared;
``exact``
    share of rows whose class is identical;
``weighted_kappa``
    Cohen's kappa with linear weights over the ordered classes E0 < E1 < E2;
``exposed_kappa``
    Cohen's kappa of exposed (E1 or E2) against not exposed (E0);
``confusion``
    3×3 counts, rows = human E0, E1, E2, columns = predicted E0, E1, E2;
``coverage``
    share of tasks some rule recognised (an unrecognised task counts as E0);
``occupation_beta_spearman``
    where occupation codes are given: Spearman correlation, across occupations, of
    beta = share(E1) + 0.5 × share(E2), with core tasks weighted 2 and others 1.

Where the labels carry ``gpt4_exposure``, the same figures for GPT-4 are under the key
``gpt4``. Where they carry ``group_id`` (several phrasings of one task, such as the NHS
paraphrase file, whose label column may be called ``exposure``), ``paraphrase`` holds
:func:`paraphrase_consistency`: exposed-vs-not accuracy per phrasing ``variant`` and the
share of groups whose phrasings all get the same exposed-vs-not answer.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genai_aug.errors import ArgumentTypeError, GenAIAugError
from genai_aug.rules import EXPOSURES, RulesetLike, as_ruleset
from genai_aug.scoring import score_texts

__all__ = ["Evaluation", "LabelsError", "category_agreement", "evaluate"]

TASK, HUMAN, GPT4 = "task", "human_exposure", "gpt4_exposure"
HUMAN_ALIAS = "exposure"  # the paraphrase file's name for the human label
GROUP, VARIANT = "group_id", "variant"
OCCUPATION, TASK_TYPE, HEALTHCARE = "onet_soc_code", "task_type", "healthcare"
PREDICTED = "predicted_exposure"
CORE_WEIGHT, OTHER_WEIGHT = 2.0, 1.0
MAX_LABELS_BYTES = 200 * 1024 * 1024
"""Largest labels file read (200 MiB; the Eloundou et al. labels are about 3 MB)."""


class LabelsError(GenAIAugError, ValueError):
    """A labels file cannot be used: names the file, the column and what to fix."""


def _kappa(observed: np.ndarray[Any, Any], weights: np.ndarray[Any, Any]) -> float:
    """Weighted Cohen's kappa from a confusion matrix and a disagreement-weight matrix."""
    n = observed.sum()
    if n == 0:
        return float("nan")
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / n
    denominator = (weights * expected).sum()
    if denominator == 0:
        return float("nan")
    return float(1.0 - (weights * observed).sum() / denominator)


def agreement(human: pd.Series, predicted: pd.Series) -> dict[str, Any]:
    """Exact agreement, linear-weighted kappa, exposed-vs-not kappa and the confusion matrix.

    Parameters
    ----------
    human, predicted : pandas.Series
        Classes ``"E0"``, ``"E1"``, ``"E2"``, aligned.

    Returns
    -------
    dict
        ``n``, ``exact``, ``weighted_kappa``, ``exposed_kappa``, ``confusion``.

    Examples
    --------
    >>> import pandas as pd
    >>> h = pd.Series(["E0", "E0", "E1", "E2"])
    >>> agreement(h, h)["weighted_kappa"]
    1.0
    """
    h = human.map({e: i for i, e in enumerate(EXPOSURES)}).to_numpy(dtype=int)
    p = predicted.map({e: i for i, e in enumerate(EXPOSURES)}).to_numpy(dtype=int)
    confusion = np.zeros((3, 3), dtype=int)
    np.add.at(confusion, (h, p), 1)
    idx = np.arange(3)
    linear = np.abs(idx[:, None] - idx[None, :]) / 2.0
    binary = np.array([[0, 1], [1, 0]], dtype=float)
    exposed = np.array(
        [
            [confusion[0, 0], confusion[0, 1:].sum()],
            [confusion[1:, 0].sum(), confusion[1:, 1:].sum()],
        ]
    )
    return {
        "n": len(h),
        "exact": float((h == p).mean()) if len(h) else float("nan"),
        "weighted_kappa": _kappa(confusion.astype(float), linear),
        "exposed_kappa": _kappa(exposed.astype(float), binary),
        "confusion": confusion.tolist(),
    }


def occupation_beta(frame: pd.DataFrame, column: str) -> pd.Series:
    """Occupation-level beta (E1 + 0.5·E2, core tasks weighted 2) of the classes in ``column``."""
    value = frame[column].map({"E0": 0.0, "E1": 1.0, "E2": 0.5}).astype(float)
    if TASK_TYPE in frame.columns:
        core = frame[TASK_TYPE].astype(str).str.strip().str.lower().eq("core")
        weight = np.where(core, CORE_WEIGHT, OTHER_WEIGHT)
    else:
        weight = np.full(len(frame), OTHER_WEIGHT)
    parts = pd.DataFrame({"occ": frame[OCCUPATION], "wv": weight * value, "w": weight})
    sums = parts.groupby("occ", sort=True)[["wv", "w"]].sum()
    return sums["wv"] / sums["w"]


def spearman(a: pd.Series, b: pd.Series) -> float:
    """Spearman rank correlation (average ranks for ties) of two aligned series."""
    ra, rb = a.rank(method="average"), b.rank(method="average")
    if ra.nunique() < 2 or rb.nunique() < 2:
        return float("nan")
    return float(np.corrcoef(ra.to_numpy(float), rb.to_numpy(float))[0, 1])


def paraphrase_consistency(frame: pd.DataFrame, predicted: str = PREDICTED) -> dict[str, float]:
    """Exposed-vs-not agreement per phrasing variant, and how often a group's phrasings agree.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns ``group_id``, ``human_exposure`` and ``predicted`` (E0/E1/E2), and
        optionally ``variant`` (formal, shorthand, reworded, context …).

    Returns
    -------
    dict
        ``accuracy`` (all rows), ``accuracy_<variant>`` for each variant, and
        ``consistent_groups``: the share of groups whose phrasings all get the same
        exposed-vs-not answer (right or wrong), with ``groups`` their number.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"group_id": ["a", "a", "b", "b"], "variant": ["x", "y", "x", "y"],
    ...                   "human_exposure": ["E0", "E0", "E2", "E2"],
    ...                   "predicted_exposure": ["E0", "E1", "E1", "E2"]})
    >>> out = paraphrase_consistency(f)
    >>> out["accuracy"], out["accuracy_y"], out["consistent_groups"]
    (0.75, 0.5, 0.5)
    """
    exposed = frame[predicted].ne("E0")
    right = exposed == frame[HUMAN].ne("E0")
    out = {"accuracy": float(right.mean())}
    if VARIANT in frame.columns:
        for variant, hits in right.groupby(frame[VARIANT], sort=False):
            out[f"accuracy_{variant}"] = float(hits.mean())
    same = exposed.groupby(frame[GROUP]).nunique().eq(1)
    out["consistent_groups"] = float(same.mean())
    out["groups"] = float(len(same))
    return out


def labels_fingerprint(frame: pd.DataFrame) -> str:
    """SHA-256 of a labels table's (task, human label) pairs, whatever their order or file.

    The ruleset records this for the labels its weights were fitted on
    (``[ruleset.weights] labels_sha256``), so an evaluation can tell in-sample figures.
    """
    pairs = sorted(f"{t}\t{h}" for t, h in zip(frame[TASK], frame[HUMAN], strict=True))
    return hashlib.sha256("\n".join(pairs).encode("utf-8")).hexdigest()


def _metrics(frame: pd.DataFrame, predicted: str) -> dict[str, Any]:
    out = agreement(frame[HUMAN], frame[predicted])
    if OCCUPATION in frame.columns and frame[OCCUPATION].notna().all():
        out["occupation_beta_spearman"] = spearman(
            occupation_beta(frame, HUMAN), occupation_beta(frame, predicted)
        )
        out["n_occupations"] = int(frame[OCCUPATION].nunique())
    return out


def _subset_metrics(frame: pd.DataFrame) -> dict[str, Any]:
    out = _metrics(frame, PREDICTED)
    out["coverage"] = float(frame["classified"].mean()) if len(frame) else float("nan")
    if GPT4 in frame.columns:
        out["gpt4"] = _metrics(frame, GPT4)
    return out


@dataclass(frozen=True, repr=False)
class Evaluation:
    """Agreement of a ruleset with human exposure labels.

    Attributes
    ----------
    metrics : dict
        ``{"all": {...}, "healthcare": {...} or None, "in_sample": bool}``, and
        ``"paraphrase"`` for labels with a ``group_id``; see the module docstring.
        ``in_sample`` is true when the labels are the ones the ruleset's weights were
        fitted on (``[ruleset.weights] labels_sha256``).
    predictions : pandas.DataFrame
        The labelled rows with ``predicted_exposure``, ``category``, ``score``,
        ``classified`` and ``evidence``.
    ruleset_version, ruleset_hash : str
        The ruleset evaluated.
    """

    metrics: dict[str, Any]
    predictions: pd.DataFrame
    ruleset_version: str
    ruleset_hash: str

    def to_json(self) -> str:
        """The metrics as one JSON object (keys ``all`` and ``healthcare``)."""
        return json.dumps(_json_safe(self.metrics), indent=2, sort_keys=True, allow_nan=False)

    def summary(self) -> str:
        """The headline figures, genai_aug beside GPT-4, as a plain-text table."""
        names = (
            "n",
            "exact",
            "weighted_kappa",
            "exposed_kappa",
            "occupation_beta_spearman",
            "coverage",
        )
        lines = [f"ruleset {self.ruleset_version} (sha256 {self.ruleset_hash[:12]})"]
        if self.metrics.get("in_sample"):
            lines.append(
                "IN-SAMPLE: these are the labels the ruleset's weights were fitted on, so these "
                "figures are optimistic; see the cross-validated ones (scripts/fit_weights.py)."
            )
        lines += [
            f"{'subset':<11}{'metric':<26}{'genai_aug':>10}{'GPT-4':>10}",
        ]
        for subset in ("all", "healthcare"):
            m = self.metrics.get(subset)
            if not m:
                continue
            for name in names:
                if name not in m:
                    continue
                ours, theirs = m[name], m.get("gpt4", {}).get(name)
                fmt = "{:>10,d}" if name == "n" else "{:>10.3f}"
                shown = fmt.format(ours)
                other = "" if theirs is None else fmt.format(theirs)
                lines.append(f"{subset:<11}{name:<26}{shown}{other}")
        for name, value in (self.metrics.get("paraphrase") or {}).items():
            shown = f"{value:>10,.0f}" if name == "groups" else f"{value:>10.3f}"
            lines.append(f"{'paraphrase':<11}{name:<26}{shown}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()


def _json_safe(value: Any) -> Any:
    """``value`` with NaN and infinities as ``None`` (JSON has no NaN: null is valid JSON)."""
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def read_labels(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a labels file: TSV or CSV by extension, else sniffed (tab, comma, semicolon, bar)."""
    if not isinstance(path, str | os.PathLike):
        raise ArgumentTypeError(
            f"labels must be a file path or a DataFrame, got {type(path).__name__}."
        )
    p = Path(path)
    if not p.exists():
        raise LabelsError(f"Labels file '{p}' not found. Check the path.")
    if p.is_dir():
        raise LabelsError(f"Labels file '{p}' is a folder; expected a TSV or CSV file.")
    suffix = p.suffix.lower()
    try:
        size = p.stat().st_size
        if size > MAX_LABELS_BYTES:
            raise LabelsError(
                f"Labels file '{p}' is {size:,} bytes, over the limit of {MAX_LABELS_BYTES:,}; "
                "expected a labels table. Check the path."
            )
        if suffix in (".tsv", ".tab"):
            sep = "\t"
        elif suffix == ".csv":
            sep = ","
        else:
            with p.open(encoding="utf-8-sig", errors="replace") as fh:
                sample = fh.read(8192)
            try:
                sep = csv.Sniffer().sniff(sample, delimiters="\t,;|").delimiter
            except csv.Error:
                sep = "\t" if "\t" in sample else ","
        csv.field_size_limit(max(csv.field_size_limit(), size + 1))
        frame = pd.read_csv(p, sep=sep, encoding="utf-8-sig", dtype={OCCUPATION: str})
    except pd.errors.EmptyDataError:
        raise LabelsError(
            f"Labels file '{p}' is empty; expected a header row with at least '{TASK}' and "
            f"'{HUMAN}', and one row per task."
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError, csv.Error, ValueError) as exc:
        raise LabelsError(
            f"Labels file '{p}' could not be read as TSV or CSV: {exc}. Save it as "
            "tab- or comma-separated UTF-8 text."
        ) from None
    except OSError as exc:
        raise LabelsError(
            f"Labels file '{p}' could not be read ({exc.strerror or exc}). Check its permissions."
        ) from None
    return frame


def _check(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    if HUMAN not in frame.columns and HUMAN_ALIAS in frame.columns:
        frame = frame.rename(columns={HUMAN_ALIAS: HUMAN})
    missing = [c for c in (TASK, HUMAN) if c not in frame.columns]
    if missing:
        raise LabelsError(
            f"Labels '{where}': missing column(s) {missing}; expected at least "
            f"'{TASK}' and '{HUMAN}' (E0/E1/E2). Found {list(frame.columns)}."
        )
    if len(frame) == 0:
        raise LabelsError(
            f"Labels '{where}': no rows below the header; expected one row per task. "
            "Fill in the labels."
        )
    out = frame.copy()
    for column in (HUMAN, GPT4):
        if column not in out.columns:
            continue
        out[column] = out[column].astype(str).str.strip().str.upper()
        bad = ~out[column].isin(EXPOSURES)
        if bad.any():
            first = int(np.flatnonzero(bad.to_numpy())[0])
            raise LabelsError(
                f"Labels '{where}', row {first + 2}, column '{column}': expected "
                f"E0, E1 or E2, got {frame[column].iat[first]!r} "
                f"({int(bad.sum())} such rows). Fix or remove them."
            )
    out[TASK] = out[TASK].fillna("").astype(str)
    if HEALTHCARE in out.columns:
        out[HEALTHCARE] = (
            out[HEALTHCARE].astype(str).str.strip().str.lower().isin(["true", "1", "yes", "y"])
        )
    return out


def evaluate(
    labels: str | os.PathLike[str] | pd.DataFrame,
    ruleset: RulesetLike = None,
) -> Evaluation:
    """Compare the exposure classes genai_aug gives task texts with human labels.

    Parameters
    ----------
    labels : path or DataFrame
        A TSV or CSV file (or DataFrame) with at least ``task`` and
        ``human_exposure`` (E0/E1/E2; ``exposure`` is read as that when there is no
        ``human_exposure``), and optionally ``onet_soc_code``, ``task_type``
        (Core/Supplemental), ``healthcare`` (true/false), ``gpt4_exposure``, and
        ``group_id`` with ``variant`` for phrasings of one task.
    ruleset : Ruleset, path or None
        The ruleset to evaluate; ``None`` for the packaged default.

    Returns
    -------
    Evaluation
        ``metrics`` for ``all`` rows and the ``healthcare`` rows (``None`` without
        that column), with GPT-4's figures under ``gpt4`` where given, and
        ``paraphrase`` (see :func:`paraphrase_consistency`) where ``group_id`` is.

    Raises
    ------
    LabelsError
        If the file is missing or unreadable, or a required column or class is wrong.

    Examples
    --------
    >>> import pandas as pd
    >>> labels = pd.DataFrame({"task": ["Type letters from dictation", "Mop the floors"],
    ...                        "human_exposure": ["E2", "E0"]})
    >>> result = evaluate(labels)
    >>> result.metrics["all"]["n"], sorted(result.metrics["all"])[:4]
    (2, ['confusion', 'coverage', 'exact', 'exposed_kappa'])
    """
    where = "<DataFrame>" if isinstance(labels, pd.DataFrame) else str(labels)
    frame = labels if isinstance(labels, pd.DataFrame) else read_labels(labels)
    frame = _check(frame, where).reset_index(drop=True)
    rs = as_ruleset(ruleset)
    scored = score_texts(frame[TASK], rs)
    frame[PREDICTED] = scored["exposure"].fillna("E0").to_numpy()
    for column in ("category", "score", "classified", "evidence"):
        frame[column] = scored[column].to_numpy()
    metrics: dict[str, Any] = {"all": _subset_metrics(frame), "healthcare": None}
    if HEALTHCARE in frame.columns:
        metrics["healthcare"] = _subset_metrics(frame[frame[HEALTHCARE]])
    if GROUP in frame.columns:
        metrics["paraphrase"] = paraphrase_consistency(frame)
    fitted = rs.ruleset.weights
    metrics["in_sample"] = bool(fitted and fitted.labels_sha256 == labels_fingerprint(frame))
    return Evaluation(metrics, frame, rs.version, rs.hash)


def category_agreement(predictions: pd.DataFrame, ruleset: RulesetLike = None) -> pd.DataFrame:
    """Per category: how the experts labelled the tasks the scorer put in it.

    A category declares one exposure class for all its tasks (docs/scoring.md); this
    checks that declaration against the rubric as the experts applied it.

    Parameters
    ----------
    predictions : pandas.DataFrame
        Columns ``category`` (the scorer's, as in :attr:`Evaluation.predictions`) and
        ``human_exposure``.
    ruleset : Ruleset, path or None
        The ruleset whose categories are checked; ``None`` for the packaged default.

    Returns
    -------
    pandas.DataFrame
        One row per category with tasks, in the ruleset's order: ``category``,
        ``declared`` (its exposure class), ``tasks``, ``E0``, ``E1``, ``E2`` (shares of
        the experts' labels), ``agree`` (share labelled the declared class),
        ``same_side`` (share on the declared side of exposed-or-not), ``experts``
        (their commonest label) and ``flag``: ``"class"`` when the experts' commonest
        label is not the declared class, ``"side"`` when most of them put the tasks on
        the other side of exposed-or-not, else ``""``.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"category": ["computing"] * 3 + ["physical_work"] * 2,
    ...                   "human_exposure": ["E1", "E1", "E2", "E0", "E0"]})
    >>> table = category_agreement(p)
    >>> table[["category", "declared", "experts", "flag"]].values.tolist()
    [['physical_work', 'E0', 'E0', ''], ['computing', 'E2', 'E1', 'class']]
    """
    rs = as_ruleset(ruleset)
    rows = []
    for cat in rs.categories:
        labels = predictions.loc[predictions["category"] == cat.id, HUMAN]
        if labels.empty:
            continue
        shares = labels.value_counts(normalize=True).reindex(list(EXPOSURES), fill_value=0.0)
        declared_exposed = cat.exposure != "E0"
        same_side = float(labels.ne("E0").eq(declared_exposed).mean())
        experts = str(shares.idxmax())
        flag = "side" if same_side < 0.5 else "class" if experts != cat.exposure else ""
        by_class: dict[str, float] = {e: float(shares[e]) for e in EXPOSURES}
        rows.append(
            {
                "category": cat.id,
                "declared": cat.exposure,
                "tasks": len(labels),
                **by_class,
                "agree": float(shares[cat.exposure]),
                "same_side": same_side,
                "experts": experts,
                "flag": flag,
            }
        )
    return pd.DataFrame(rows)


def largest_disagreements(
    evaluation: Evaluation, top: int = 3, examples: int = 3
) -> Iterable[tuple[str, str, int, list[str]]]:
    """The largest off-diagonal confusion cells, each with example task texts."""
    p = evaluation.predictions
    off = p[p[HUMAN] != p[PREDICTED]]
    cells = off.groupby([HUMAN, PREDICTED]).size().sort_values(ascending=False).head(top)
    for key, count in cells.items():
        human, predicted = (str(k) for k in key)  # type: ignore[attr-defined]
        texts = off[(off[HUMAN] == human) & (off[PREDICTED] == predicted)][TASK]
        yield human, predicted, int(count), texts.head(examples).tolist()
