"""Reading a TOML data file (ruleset or scenarios): the packaged default or the user's own.

A user's file is checked against the layout of the packaged one before anything
merges it with the default (``extends = "default"``): a table where the default has a
table, arrays of tables where it has arrays of tables, string ids and names, and only
the keys the file's head table knows. Merging a wrong-typed file would otherwise fail
with a ``TypeError`` or an ``AttributeError`` instead of saying what is wrong.
"""

from __future__ import annotations

import codecs
import copy
import difflib
import functools
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from genai_aug.errors import GenAIAugError

MAX_TOML_BYTES = 10 * 1024 * 1024
"""Largest ruleset or scenario file read (10 MiB): the packaged ruleset is under 200 KB."""

# Tables whose keys are the user's own names (object classes, the rule ids of a weights
# file), so they are not checked against the packaged file's keys.
_FREE_TABLES = {"object_classes", "weights"}
# Keys a user's head table ([ruleset], [scenarios]) may have beyond the packaged one's.
_EXTRA_HEAD_KEYS = {
    "Ruleset": {"extends", "disable", "description", "weights"},
    "Scenario": {"extends"},
}


@functools.cache
def _packaged(default_file: str) -> dict[str, Any]:
    text = resources.files("genai_aug").joinpath("data").joinpath(default_file).read_text("utf-8")
    return tomllib.loads(text)


def _text(raw: bytes) -> str:
    """The text of a TOML file: UTF-8, with the byte-order mark some editors write (UTF-8
    or UTF-16, as Notepad's "Unicode") read rather than refused as a syntax error."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    return raw.decode("utf-8")


def read_toml(
    path: Path | None, default_file: str, kind: str, error: type[GenAIAugError]
) -> dict[str, Any]:
    """Parse ``path`` (or the packaged ``data/default_file``); raise ``error`` naming the file.

    ``kind`` is what the file is for people ("Ruleset", "Scenario"). Nothing in the
    file is executed: TOML is data.
    """
    if path is None:
        return copy.deepcopy(_packaged(default_file))
    where = str(path)
    try:
        if path.is_dir():
            raise error(
                f"{kind} file '{where}' is a folder; expected a .toml file. Check the path."
            )
        size = path.stat().st_size
        if size > MAX_TOML_BYTES:
            raise error(
                f"{kind} file '{where}' is {size:,} bytes, over the limit of "
                f"{MAX_TOML_BYTES:,}; expected a ruleset or scenario file. Check the path."
            )
        data = tomllib.loads(_text(path.read_bytes()))
    except FileNotFoundError as exc:
        raise error(f"{kind} file '{where}' not found. Check the path.") from exc
    except UnicodeDecodeError as exc:
        raise error(
            f"{kind} file '{where}' is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at "
            f"byte {exc.start + 1:,} of the file); expected a TOML file saved as UTF-8. Save it "
            "again with that encoding."
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise error(
            f"{kind} file '{where}' is not valid TOML: {exc}. Fix the file's syntax."
        ) from exc
    except RecursionError:
        raise error(
            f"{kind} file '{where}' nests arrays or tables too deeply to read; expected the "
            f"layout of the packaged {default_file}. Fix the file."
        ) from None
    except OSError as exc:
        raise error(
            f"{kind} file '{where}' could not be read ({exc.strerror or exc}). Check the "
            "path and its permissions."
        ) from exc
    check_layout(data, _packaged(default_file), f"{kind} file '{where}'", kind, error)
    return data


def check_layout(
    data: dict[str, Any],
    default: dict[str, Any],
    where: str,
    kind: str,
    error: type[GenAIAugError],
) -> None:
    """Refuse a file whose layout differs from the packaged ``default`` where merging reads it."""
    for key, value in data.items():
        model = default.get(key)
        if isinstance(model, dict):
            if not isinstance(value, dict):
                raise error(
                    f"{where}: '{key}' must be a table ([{key}]), got {_kind(value)}. "
                    f"Write it as in the packaged file."
                )
            if key not in _FREE_TABLES:
                _check_head(value, model, where, key, kind, error)
        elif isinstance(model, list):
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise error(
                    f"{where}: '{key}' must be an array of tables ([[{key}]] entries), got "
                    f"{_kind(value)}. Write each as a [[{key}]] section."
                )
            for i, item in enumerate(value, start=1):
                for name in ("id", "name"):
                    if name in item and not isinstance(item[name], str):
                        raise error(
                            f"{where}: [[{key}]] entry {i}: '{name}' must be a string, got "
                            f"{_kind(item[name])}. Quote it."
                        )


def _check_head(
    table: dict[str, Any],
    model: dict[str, Any],
    where: str,
    key: str,
    kind: str,
    error: type[GenAIAugError],
) -> None:
    known = set(model) | _EXTRA_HEAD_KEYS.get(kind, set())
    for name in table:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise error(
                f"{where}: [{key}] has an unknown key '{name}'; expected some of "
                f"{', '.join(sorted(known))}.{hint}"
            )
    if "extends" in table and table["extends"] != "default":
        raise error(
            f"{where}: [{key}] extends = {table['extends']!r}; the only file a {kind.lower()} "
            'file can extend is the packaged one: write extends = "default", or leave it out '
            "to replace the packaged set."
        )
    disable = table.get("disable", [])
    if not isinstance(disable, list) or not all(isinstance(d, str) for d in disable):
        raise error(
            f"{where}: [{key}] disable must be a list of rule ids (strings), got {_kind(disable)}."
        )


def _kind(value: object) -> str:
    names = {dict: "a table", list: "an array", str: "a string", bool: "a boolean"}
    return names.get(type(value), f"a {type(value).__name__}") + f" ({value!r:.40})"
