"""Collecting input problems as rows of the issues table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import pandas as pd

from genai_aug._checks import CHECKS
from genai_aug._columns import ISSUE_COLUMNS
from genai_aug.errors import InventoryError, empty_issues

SEVERITIES = ("error", "warning", "info")

RAISED_OUTSIDE_THE_CHECKS: Final[dict[str, str]] = {
    # reading a file (genai_aug.loading, and the hostile-file guard genai_aug._guard)
    "file-not-found": "loading: the path does not exist",
    "unsupported-file": "loading: neither a workbook nor a CSV file",
    "unreadable-file": "loading and the guard: a file that cannot be opened or parsed",
    "file-too-large": "the guard: a file over the size limit",
    "suspicious-file": "the guard: a zip bomb, a huge part, or XML entities",
    "missing-tasks": "loading: a roles CSV or DataFrame given without its tasks",
    "tasks-not-used": "loading: a workbook given with a separate tasks file",
    "csv-encoding": "loading: a CSV file that is not UTF-8",
    "csv-delimiter": "loading: a CSV file separated by something other than commas",
    # finding the sheets and their headers (genai_aug.loading)
    "missing-sheet": "loading: no roles or tasks sheet",
    "ambiguous-sheet": "loading: two sheets could be the roles (or tasks) sheet",
    "sheet-chosen": "loading: a hidden copy of a sheet was set aside, or read",
    "rows-unaccounted": "loading: fewer rows read than the sheet's XML holds",
    "empty-sheet": "loading: a sheet with nothing in it",
    "missing-column": "loading: a required column not found",
    "duplicate-column": "loading: two columns for one field",
    "ignored-column": "loading: a column genai_aug does not read",
    # validation, of a sheet as a whole (genai_aug.validating)
    "no-rows": "validating: a sheet with a header row and no rows below it",
}
"""The codes raised by code other than the table of checks, and where.

Every other code is a row of :data:`genai_aug._checks.CHECKS` (``unknown-category`` is
also raised by scoring, for an inventory validated without the ruleset).
"""

ISSUE_CODES: Final = frozenset(RAISED_OUTSIDE_THE_CHECKS) | {c.code for c in CHECKS}
"""Every issue code genai_aug can report; docs/errors.md documents each (a test checks)."""


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
        self.add_many(
            severity,
            code,
            [message],
            file=file,
            sheet=sheet,
            rows=[row],
            column=column,
            values=[value],
        )

    def add_many(
        self,
        severity: str,
        code: str,
        messages: Sequence[str],
        *,
        file: str | None,
        sheet: str | None,
        rows: Sequence[int | None],
        column: str | None,
        values: Sequence[object],
    ) -> None:
        """Record one issue per message: one check's finding on many rows of one column."""
        if severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, got {severity!r}")
        if code not in ISSUE_CODES:
            raise ValueError(f"unknown issue code {code!r}: add it to ISSUE_CODES and the docs")
        self._records.extend(
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
            for message, row, value in zip(messages, rows, values, strict=True)
        )

    def error(
        self,
        code: str,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        """Record an error (the row or file cannot be used as it is).

        ``log.error("missing-value", message, file=..., sheet=..., row=..., column=...)``.
        """
        self.add(
            "error", code, message, file=file, sheet=sheet, row=row, column=column, value=value
        )

    def warning(
        self,
        code: str,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        """Record a warning (the run goes on; the analyst should look)."""
        self.add(
            "warning", code, message, file=file, sheet=sheet, row=row, column=column, value=value
        )

    def info(
        self,
        code: str,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        """Record a note (something was normalised or ignored, as documented)."""
        self.add("info", code, message, file=file, sheet=sheet, row=row, column=column, value=value)

    def extend(self, records: Iterable[dict[str, Any]]) -> None:
        """Append already-built issue records."""
        self._records.extend(records)

    @property
    def has_errors(self) -> bool:
        """Whether any error has been recorded."""
        return any(r["severity"] == "error" for r in self._records)

    def has_errors_outside_rows(
        self, header_rows: Mapping[tuple[str | None, str | None], int | None]
    ) -> bool:
        """Whether an error concerns a whole file or sheet rather than a row of data.

        Such an error (no row, or the sheet's header row: a duplicated or missing
        column) cannot be dealt with by setting rows aside, so it stops a run even when
        bad rows are being rejected. ``header_rows`` maps (file, sheet) to the row of
        that sheet's header.
        """
        return any(
            r["severity"] == "error"
            and (r["row"] is None or r["row"] == header_rows.get((r["file"], r["sheet"])))
            for r in self._records
        )

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
