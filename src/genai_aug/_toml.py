"""Reading a TOML data file (ruleset or scenarios): the packaged default or the user's own."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from genai_aug.errors import GenAIAugError


def read_toml(
    path: Path | None, default_file: str, kind: str, error: type[GenAIAugError]
) -> dict[str, Any]:
    """Parse ``path`` (or the packaged ``data/default_file``); raise ``error`` naming the file.

    ``kind`` is what the file is for people ("Ruleset", "Scenario"). Nothing in the
    file is executed: TOML is data.
    """
    where = str(path) if path else f"packaged {default_file}"
    try:
        if path is None:
            text = (
                resources.files("genai_aug")
                .joinpath("data")
                .joinpath(default_file)
                .read_text("utf-8")
            )
        else:
            text = path.read_text(encoding="utf-8")
        return tomllib.loads(text)
    except FileNotFoundError as exc:
        raise error(f"{kind} file '{where}' not found. Check the path.") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise error(
            f"{kind} file '{where}' is not valid TOML: {exc}. Fix the file's syntax."
        ) from exc
