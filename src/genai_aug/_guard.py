"""The hostile-file guard: what is checked before a workbook's XML is parsed.

A workbook is a zip of XML parts, and both layers can be built to exhaust a reader:
a zip member that unpacks to gigabytes from a few kilobytes (a zip bomb, or one huge
cell), XML that declares entities (billion laughs, XXE). :func:`check_workbook_file`
refuses these from the zip directory and the parts' first bytes, before openpyxl
(which parses with defusedxml, a second line of defence) reads anything. Every bound
is relative to the input's real content: the file's size, and each member's
compressed size.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

import pandas as pd
from defusedxml import DefusedXmlException

from genai_aug._issues import IssueLog
from genai_aug.errors import InventoryError

MAX_FILE_BYTES = 200 * 1024 * 1024
"""Default size limit of an input file (200 MiB); ``load_inventory(max_bytes=...)`` changes it."""
MAX_EXPANSION = 50
"""A workbook may unpack to at most this many times its size limit (zip-bomb guard)."""
MAX_MEMBER_RATIO = 200
"""A zip member may unpack to at most this many times its compressed size ...
(Excel's own parts compress 5 to 30 times; one huge repeated cell, thousands of times)."""
RATIO_FLOOR_BYTES = 32 * 1024 * 1024
"""... unless it unpacks to less than this (32 MiB), which any reader handles."""


def _unreadable(file: str, why: str) -> InventoryError:
    return InventoryError(
        file_issue(
            file,
            "unreadable-file",
            f"File '{file}' could not be read as an Excel workbook: {why}; expected an .xlsx "
            "file saved by Excel or LibreOffice. Open it and save it as .xlsx (without a "
            "password), or export the sheets as CSV.",
        )
    )


def _suspicious(file: str, why: str) -> InventoryError:
    return InventoryError(
        file_issue(
            file,
            "suspicious-file",
            f"File '{file}' was not opened: {why}. Excel does not write files like this; if "
            "the file is genuine, open it in Excel and save it again as .xlsx.",
        )
    )


def check_workbook_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> None:
    """Refuse a workbook that is too large, not a workbook, or built to exhaust the reader.

    Checks, before any XML is parsed: the file's size against ``max_bytes``; its first
    bytes (a legacy ``.xls`` or a password-protected workbook is an OLE file, a renamed
    CSV is text); the sizes its zip members unpack to, in all (a zip bomb unpacks to
    many times the limit) and each against its compressed size (a 0.5 MB workbook
    carrying a 512 MiB cell); and that no XML part declares a DTD or entities (billion laughs, XXE).
    openpyxl then parses with defusedxml as a second line of defence.
    """
    file = str(path)
    check_size(path, max_bytes)
    with path.open("rb") as fh:
        head = fh.read(2048)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _unreadable(
            file, "it is a legacy .xls workbook or a password-protected (encrypted) workbook"
        )
    if not head.startswith(b"PK"):
        kind = "a text file (a CSV renamed .xlsx?)" if _looks_like_text(head) else "not a zip"
        raise _unreadable(file, f"it is {kind}")
    try:
        with zipfile.ZipFile(path) as z:
            members = z.infolist()
            unpacked = sum(m.file_size for m in members)
            if unpacked > max_bytes * MAX_EXPANSION:
                raise _suspicious(
                    file,
                    f"it unpacks to {unpacked:,} bytes, more than {MAX_EXPANSION} times the "
                    f"size limit of {max_bytes:,} (a zip bomb?)",
                )
            for m in members:
                ratio = m.file_size / max(m.compress_size, 1)
                if m.file_size > RATIO_FLOOR_BYTES and ratio > MAX_MEMBER_RATIO:
                    raise _suspicious(
                        file,
                        f"its part '{m.filename}' unpacks to {m.file_size:,} bytes from "
                        f"{m.compress_size:,} ({ratio:,.0f} times; Excel's parts compress at "
                        f"most about 30 times, and {MAX_MEMBER_RATIO} is allowed): a zip bomb, "
                        "or one enormous repeated cell?",
                    )
                if m.filename.endswith((".xml", ".rels", ".vml")):
                    with z.open(m) as part:
                        start = part.read(65536)
                    if b"<!DOCTYPE" in start or b"<!ENTITY" in start:
                        raise _suspicious(
                            file, f"its part '{m.filename}' declares a DTD or XML entities"
                        )
    except InventoryError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        OSError,
        EOFError,
        ValueError,
        RuntimeError,  # an encrypted member
        NotImplementedError,  # a compression method zipfile does not know
    ) as exc:
        raise _unreadable(file, f"the zip archive is damaged or truncated ({exc})") from None


def _defused(exc: BaseException) -> DefusedXmlException | None:
    """The defusedxml refusal behind ``exc`` (openpyxl wraps parse errors), if any."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def parse_failure(file: str, exc: BaseException, part: str, damaged: str) -> InventoryError:
    """The error for a workbook the XML parser failed on: refused as hostile, or damaged.

    ``part`` names what was refused ("its XML", "sheet 'tasks'"); ``damaged`` says what
    was damaged, before the parser's own message ("" for the file as a whole).
    """
    refused = _defused(exc)
    if refused is not None:
        return _suspicious(file, f"{part} was refused by defusedxml ({type(refused).__name__})")
    detail = f"{type(exc).__name__}: {exc}"
    return _unreadable(file, f"{damaged} ({detail})" if damaged else detail)


def _looks_like_text(sample: bytes) -> bool:
    """Whether a file's first bytes look like text (UTF-8, no NUL bytes)."""
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in sample


def check_size(path: Path, max_bytes: int) -> int:
    size = path.stat().st_size
    if size > max_bytes:
        raise InventoryError(
            file_issue(
                str(path),
                "file-too-large",
                f"File '{path}' is {size:,} bytes, over the limit of {max_bytes:,}; expected an "
                "inventory of a sensible size. Pass a larger max_bytes if the file is genuine.",
            )
        )
    return size


def file_issue(
    file: str, code: str, message: str, sheet: str | None = None, row: int | None = None
) -> pd.DataFrame:
    log = IssueLog()
    log.error(code, message, file=file, sheet=sheet, row=row)
    return log.to_frame()
