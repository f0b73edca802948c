"""Collecting input problems as rows of the issues table."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from genai_aug._columns import ISSUE_COLUMNS
from genai_aug.errors import InventoryError, empty_issues

SEVERITIES = ("error", "warning", "info")

# Every issue code genai_aug can report; docs/input-format.md documents each (a test checks).
ISSUE_CODES = frozenset(
    {
        "ambiguous-sheet",
        "sheet-chosen",
        "rows-unaccounted",
        "hidden-row",
        "implausible-fte",
        "repeated-task",
        "invisible-characters",
        "tasks-not-used",
        "csv-delimiter",
        "csv-encoding",
        "duplicate-column",
        "duplicate-role-id",
        "duplicate-task-id",
        "file-too-large",
        "empty-sheet",
        "empty-task",
        "file-not-found",
        "fte-from-headcount",
        "hours-exceed-contract",
        "hours-not-listed",
        "long-text",
        "ignored-column",
        "implausible-hours",
        "implausible-percent",
        "missing-column",
        "missing-fte",
        "missing-hours",
        "missing-sheet",
        "missing-tasks",
        "missing-value",
        "negative-value",
        "no-rows",
        "not-a-number",
        "number-normalised",
        "not-yes-no",
        "role-rejected",
        "role-without-tasks",
        "suspicious-file",
        "totals-row",
        "unknown-band",
        "unknown-category",
        "unknown-role",
        "unknown-staff-group",
        "unreadable-file",
        "unsupported-file",
        "zero-hours",
    }
)


class IssueLog:
    """An append-only list of issues that becomes the tidy issues table.

    Each issue has ``file, sheet, row, column, value, code, severity, message``;
    ``message`` is a full sentence in the house shape: what, where, expected,
    found, how to fix.
    """

    def __init__(self) -> None:
        self._records: list[dict[str, Any]] = []

    def add(
        self,
        severity: str,
        code: str,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        """Record one issue: what (``code``, ``message``) and where (the keywords)."""
        if severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, got {severity!r}")
        if code not in ISSUE_CODES:
            raise ValueError(f"unknown issue code {code!r}: add it to ISSUE_CODES and the docs")
        self._records.append(
            {
                "file": file,
                "sheet": sheet,
                "row": row,
                "column": column,
                "value": None if value is None else _show(value),
                "code": code,
                "severity": severity,
                "message": message,
            }
        )

    def _add(self, severity: str, args: tuple[Any, ...], where: dict[str, Any]) -> None:
        if len(args) == 7 and not where:
            # the older positional form (file, sheet, row, column, value, code, message),
            # still used by scoring.py; new code names the location by keyword
            file, sheet, row, column, value, code, message = args
            where = {"file": file, "sheet": sheet, "row": row, "column": column, "value": value}
            args = (code, message)
        code, message = args
        self.add(severity, code, message, **where)

    def error(self, *args: Any, **where: Any) -> None:
        """Record an error (the row or file cannot be used as it is).

        ``log.error("missing-value", message, file=..., sheet=..., row=..., column=...)``.
        """
        self._add("error", args, where)

    def warning(self, *args: Any, **where: Any) -> None:
        """Record a warning (the run goes on; the analyst should look)."""
        self._add("warning", args, where)

    def info(self, *args: Any, **where: Any) -> None:
        """Record a note (something was normalised or ignored, as documented)."""
        self._add("info", args, where)

    def extend(self, records: Iterable[dict[str, Any]]) -> None:
        """Append already-built issue records."""
        self._records.extend(records)

    @property
    def has_errors(self) -> bool:
        """Whether any error has been recorded."""
        return any(r["severity"] == "error" for r in self._records)

    def to_frame(self) -> pd.DataFrame:
        """The issues as a DataFrame, in a stable order (file, sheet, row, column, code)."""
        if not self._records:
            return empty_issues()
        df = pd.DataFrame.from_records(self._records, columns=list(ISSUE_COLUMNS))
        df["row"] = df["row"].astype("Int64")
        order = df.assign(_sev=df["severity"].map({s: i for i, s in enumerate(SEVERITIES)}))
        order = order.sort_values(
            ["_sev", "file", "sheet", "row", "column", "code", "message"],
            kind="stable",
            na_position="first",
        )
        return order.drop(columns="_sev").reset_index(drop=True)

    def raise_if_errors(self) -> None:
        """Raise :class:`~genai_aug.errors.InventoryError` with every issue, if any is an error."""
        if self.has_errors:
            raise InventoryError(self.to_frame())


def where(
    file: str | None, sheet: str | None, row: int | None = None, column: str | None = None
) -> str:
    """The location part of an issue message: "File 'f', sheet 's', row 3, column 'c'"."""
    parts = [f"File '{file}'"]
    if sheet:
        parts.append(f"sheet '{sheet}'")
    if row is not None:
        parts.append(f"row {row}")
    if column:
        parts.append(f"column '{column}'")
    return ", ".join(parts)


def _show(value: object) -> str:
    text = str(value)
    return text if len(text) <= 200 else text[:197] + "..."
