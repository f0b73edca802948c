"""Rewrite the table of checks in docs/errors.md from the table validation runs.

Run from the repository root after changing a check: ``python scripts/docs_errors.py``.
A test (tests/test_docs.py) fails while docs/errors.md and genai_aug._checks disagree.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from genai_aug._checks import CHECKS, EVERY_COLUMN
from genai_aug._issues import RAISED_OUTSIDE_THE_CHECKS

DOC = Path(__file__).resolve().parents[1] / "docs" / "errors.md"
BEGIN = "<!-- checks: written by scripts/docs_errors.py from genai_aug._checks; do not edit -->"
END = "<!-- end of checks -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def section() -> str:
    """The checks, in the order they run, and the codes raised elsewhere, as Markdown."""
    lines = [
        BEGIN,
        "",
        "## Every check, in the order it runs",
        "",
        textwrap.fill(
            "Validation is this table (`genai_aug._checks.CHECKS`), run top to bottom on each "
            "sheet. An error sets its row aside (so does `totals-row`), and a check that "
            "concerns only rows not yet set aside sees the rows set aside above it. Each "
            "message is written for its row after `File '...', sheet '...', row n, column "
            "'...': `; a name in braces is filled in from the row (`{column}` the column, "
            "`{cell}` the cell as written, `{number}` the cell read as a number, `{why}` why "
            "it is not one).",
            width=92,
            break_long_words=False,
            break_on_hyphens=False,
        ),
        "",
        "| # | code | severity | sheet | column | message |",
        "|---:|---|---|---|---|---|",
    ]
    for i, check in enumerate(CHECKS, start=1):
        column = {None: "(the row)", EVERY_COLUMN: "(every column)"}.get(
            check.column, f"`{check.column}`"
        )
        severity = check.severity + (
            " (set aside)" if check.rejects and check.severity != "error" else ""
        )
        lines.append(
            f"| {i} | `{check.code}` | {severity} | {check.sheet} | {column} | "
            f"{_cell(check.template)} |"
        )
    lines += [
        "",
        "Raised before or after the checks, by the code named:",
        "",
        "| raised by | code |",
        "|---|---|",
    ]
    lines += [f"| {_cell(where)} | `{code}` |" for code, where in RAISED_OUTSIDE_THE_CHECKS.items()]
    return "\n".join([*lines, "", END])


def main() -> None:
    """Replace the section between the markers (or add it at the end of the page)."""
    doc = DOC.read_text(encoding="utf-8")
    if BEGIN in doc:
        before, _, rest = doc.partition(BEGIN)
        _, _, after = rest.partition(END)
        doc = before + section() + after
    else:
        doc = doc.rstrip("\n") + "\n\n" + section() + "\n"
    DOC.write_text(doc, encoding="utf-8")


if __name__ == "__main__":
    main()
