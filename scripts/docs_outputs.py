"""Fill each ```text block of docs/getting-started.md with what the python block before prints.

Run from the repository root after a change that moves the figures:
``python scripts/docs_outputs.py``. A test (tests/test_docs.py) runs the page and fails while
a printed block and the code disagree.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from pathlib import Path

import matplotlib

DOC = Path(__file__).resolve().parents[1] / "docs" / "getting-started.md"


def main() -> None:
    """Run the page's python blocks in order, in one namespace, and rewrite its text blocks."""
    matplotlib.use("Agg")
    parts = re.split(r"(```(?:python|text)\n.*?\n```)", DOC.read_text("utf-8"), flags=re.DOTALL)
    namespace: dict[str, object] = {}
    printed = ""
    out = []
    with tempfile.TemporaryDirectory() as scratch:
        here = Path.cwd()
        os.chdir(scratch)
        try:
            for part in parts:
                if part.startswith("```python"):
                    buffer = io.StringIO()
                    with contextlib.redirect_stdout(buffer):
                        exec(compile(part[len("```python\n") : -4], str(DOC), "exec"), namespace)
                    printed = buffer.getvalue().rstrip("\n")
                elif part.startswith("```text"):
                    part = f"```text\n{printed}\n```"
                out.append(part)
        finally:
            os.chdir(here)
    DOC.write_text("".join(out), encoding="utf-8")


if __name__ == "__main__":
    main()
