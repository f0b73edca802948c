"""Check each category's declared exposure against the experts' labels (design half only).

Run from the repository root (needs ``../shared/data``)::

    python scripts/category_check.py             # the table, as Markdown for docs/validation.md

A category declares one exposure class for every task in it (``E2`` for computing,
``E0`` for physical work …). Here the design half of the dev file (the occupations the
protocol of ``scripts/protocol.py`` lets rules be written from) is scored with the
shipped ruleset, and for each category the experts' labels of the tasks the scorer put
in it are counted. A category is flagged ``class`` when the experts' commonest label is
not its declared class, and ``side`` when most of its tasks are on the other side of
exposed-or-not. The judge half is not read.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from fit_weights import LABELS, _check, read_labels  # noqa: E402
from protocol import split_occupations  # noqa: E402

from genai_aug.evaluating import category_agreement, evaluate  # noqa: E402


def main() -> None:
    """Print the per-category table for the design half as Markdown."""
    labels = _check(read_labels(LABELS), str(LABELS)).reset_index(drop=True)
    design = labels[~split_occupations(labels["onet_soc_code"])].reset_index(drop=True)
    result = evaluate(design)
    table = category_agreement(result.predictions)
    print(f"ruleset {result.ruleset_version}; design half: {len(design)} tasks\n")
    print("| category | declared | tasks | experts E0 / E1 / E2 | agree | same side | flag |")
    print("|---|---|---:|---|---:|---:|---|")
    for row in table.itertuples(index=False):
        shares = " / ".join(f"{getattr(row, e):.2f}" for e in ("E0", "E1", "E2"))
        flag = {"class": f"experts: {row.experts}", "side": f"**experts: {row.experts}**"}.get(
            row.flag, ""
        )
        print(
            f"| `{row.category}` | {row.declared} | {row.tasks} | {shares} | "
            f"{row.agree:.2f} | {row.same_side:.2f} | {flag} |"
        )


if __name__ == "__main__":
    main()
