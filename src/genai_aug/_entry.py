"""The ``genai-aug`` command's entry point: starts the CLI, and answers a Ctrl-C while
it starts (pandas and numpy take a second or two to import) in one line, not a traceback."""

from __future__ import annotations

import sys
from collections.abc import Sequence

EXIT_INTERRUPTED = 130


def main(argv: Sequence[str] | None = None) -> int:
    """Import the command line interface and run it; see :func:`genai_aug.cli.main`."""
    try:
        from genai_aug.cli import main as cli_main
    except KeyboardInterrupt:
        print("genai-aug: interrupted while starting; nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    return cli_main(argv)
