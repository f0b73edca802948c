"""Rewrite the category table in docs/scoring.md from the default ruleset.

Run from the repository root after changing categories: ``python scripts/docs_categories.py``.
A test (tests/test_docs.py) fails while the table and the ruleset disagree.
"""

from __future__ import annotations

import re
from pathlib import Path

from genai_aug import default_ruleset

DOC = Path(__file__).resolve().parents[1] / "docs" / "scoring.md"


def table() -> str:
    """The categories of the default ruleset as a Markdown table."""
    lines = [
        "| id | category | exposure | time share | mode | rationale |",
        "|---|---|---|---:|---|---|",
    ]
    lines += [
        f"| `{c.id}` | {c.label} | {c.exposure} | {c.time_share:.2f} | {c.mode} | "
        f"{c.rationale} {c.mode.capitalize()}: {c.mode_rationale} |"
        for c in default_ruleset().categories
    ]
    return "\n".join(lines)


def main() -> None:
    """Replace the table that follows the 'Categories' heading."""
    doc = DOC.read_text(encoding="utf-8")
    new, n = re.subn(
        r"\| id \| category \| exposure \| time share \|(?: mode \|)? rationale \|\n(?:\|.*\n)+",
        table() + "\n",
        doc,
    )
    if n != 1:
        raise SystemExit("category table not found in docs/scoring.md")
    DOC.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    main()
