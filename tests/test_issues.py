"""The issue log: keyword locations, and codes that must be documented."""

from __future__ import annotations

import pytest

from genai_aug._issues import IssueLog


def test_an_issue_names_its_location_by_keyword() -> None:
    """log.error(code, message, file=..., row=...): no run of positional Nones."""
    log = IssueLog()
    log.error("missing-value", "File 'f.xlsx', row 3: empty.", file="f.xlsx", sheet="tasks", row=3)
    log.info("csv-delimiter", "File 'f.csv': read as tab-separated values.", file="f.csv")
    frame = log.to_frame().astype(object)
    frame = frame.where(frame.notna(), None)
    assert frame[["file", "sheet", "row", "code", "severity"]].values.tolist() == [
        ["f.xlsx", "tasks", 3, "missing-value", "error"],
        ["f.csv", None, None, "csv-delimiter", "info"],
    ]


def test_an_unknown_code_or_location_keyword_is_refused() -> None:
    """Codes come from ISSUE_CODES; a misspelt location keyword is a TypeError at once."""
    log = IssueLog()
    with pytest.raises(ValueError, match="unknown issue code"):
        log.warning("no-such-code", "message")
    with pytest.raises(TypeError):
        log.warning("zero-hours", "message", rows=3)
