"""Loading: read a role and task inventory from Excel, CSV or DataFrames.

This stage only reads. It finds the header row, maps users' headers to the
canonical column names (:mod:`genai_aug._columns`), drops wholly blank rows and
records where every remaining row came from (file, sheet, row). Checking the
values is :mod:`genai_aug.validating`'s job.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from genai_aug import _columns as col
from genai_aug._issues import IssueLog, where
from genai_aug._raw import RawTable
from genai_aug.errors import InventoryError
from genai_aug.validating import ErrorMode, Inventory, ValidationOptions, validate

_HEADER_SCAN_ROWS = 10
EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:  # NaN
        return True
    return isinstance(value, str) and not value.strip()


def _find_header_row(rows: Sequence[Sequence[Any]], table: dict[str, str]) -> int:
    """Index of the first row (of the first few) that names at least two known columns."""
    for i, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        hits = {col.canonical_header(v, table) for v in row if not _is_blank(v)} - {None}
        if len(hits) >= 2:
            return i
    return 0


def _table_from_rows(
    rows: list[list[Any]],
    *,
    first_row_number: int,
    file: str,
    sheet: str,
    kind: str,
    log: IssueLog,
) -> RawTable:
    """Build a :class:`RawTable` from rows of cell values (row numbers as the user sees them)."""
    table = col.ROLE_HEADER_TABLE if kind == col.ROLES_SHEET else col.TASK_HEADER_TABLE
    required = col.REQUIRED_ROLE_COLUMNS if kind == col.ROLES_SHEET else col.REQUIRED_TASK_COLUMNS
    if not rows:
        log.error(
            file,
            sheet,
            None,
            None,
            None,
            "empty-sheet",
            f"{where(file, sheet)}: the sheet is empty; expected a header row naming "
            f"{', '.join(required)} and one row per {kind[:-1]}.",
        )
        return RawTable(_empty_frame(), file, sheet, kind, None, 0, tuple(required))

    h = _find_header_row(rows, table)
    header_row_number = first_row_number + h
    header_loc = header_row_number if header_row_number >= 1 else None  # None for DataFrames
    positions: dict[str, int] = {}
    for j, name in enumerate(rows[h]):
        if _is_blank(name):
            continue
        canonical = col.canonical_header(name, table)
        if canonical is None:
            log.info(
                file,
                sheet,
                header_loc,
                str(name),
                None,
                "ignored-column",
                f"{where(file, sheet, header_loc, str(name))}: column not "
                "recognised, so it is ignored. See docs/input-format.md for the columns "
                "genai_aug reads.",
            )
        elif canonical in positions:
            log.error(
                file,
                sheet,
                header_loc,
                str(name),
                None,
                "duplicate-column",
                f"{where(file, sheet, header_loc, str(name))}: a second column "
                f"for '{canonical}'; expected one. Rename or delete one of them.",
            )
        else:
            positions[canonical] = j

    missing = tuple(c for c in required if c not in positions)
    for c in missing:
        log.error(
            file,
            sheet,
            header_loc,
            c,
            None,
            "missing-column",
            f"{where(file, sheet, header_loc)}: required column '{c}' not found; "
            f"expected a header such as {_examples(c, kind)}. Add the column or rename "
            "the header.",
        )

    body = rows[h + 1 :]
    width = max((len(r) for r in body), default=0)
    data: dict[str, list[Any]] = {c: [] for c in positions}
    row_numbers: list[int] = []
    blank = 0
    for i, row in enumerate(body):
        cells = list(row) + [None] * (width - len(row))
        values = {c: cells[j] if j < len(cells) else None for c, j in positions.items()}
        if all(_is_blank(v) for v in values.values()):
            blank += 1
            continue
        for c, v in values.items():
            data[c].append(v)
        row_numbers.append(header_row_number + 1 + i)

    frame = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in data.items()})
    frame[col.SOURCE_FILE] = file
    frame[col.SOURCE_SHEET] = sheet
    frame[col.SOURCE_ROW] = pd.Series(row_numbers, dtype="int64")
    return RawTable(frame, file, sheet, kind, header_loc, blank, missing)


def _empty_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            col.SOURCE_FILE: pd.Series(dtype=object),
            col.SOURCE_SHEET: pd.Series(dtype=object),
            col.SOURCE_ROW: pd.Series(dtype="int64"),
        }
    )


def _examples(canonical: str, kind: str) -> str:
    aliases = (col.ROLE_ALIASES if kind == col.ROLES_SHEET else col.TASK_ALIASES)[canonical]
    return ", ".join(f"'{a}'" for a in (canonical, *aliases[:2]))


def _match_sheet(names: Sequence[str], kind: str) -> str | None:
    for name in names:
        key = col.normalise_header(name)
        if key in (kind, kind[:-1], f"{kind[:-1]}_list", f"{kind}_list"):
            return name
    return None


def read_workbook(path: str | os.PathLike[str], log: IssueLog) -> tuple[RawTable, RawTable]:
    """Read the ``roles`` and ``tasks`` sheets of an Excel workbook."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    file = str(path)
    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise InventoryError(
            _file_issue(
                file,
                "unreadable-file",
                f"File '{file}' could not be opened as an Excel workbook ({type(exc).__name__}: "
                f"{exc}); expected an .xlsx file saved by Excel or LibreOffice. Open and re-save "
                "it as .xlsx, or export the sheets as CSV.",
            )
        ) from None
    try:
        tables = []
        for kind in (col.ROLES_SHEET, col.TASKS_SHEET):
            sheet = _match_sheet(wb.sheetnames, kind)
            if sheet is None:
                log.error(
                    file,
                    kind,
                    None,
                    None,
                    None,
                    "missing-sheet",
                    f"File '{file}': no '{kind}' sheet; found {wb.sheetnames}. Expected "
                    "sheets named 'roles' and 'tasks' (any case). Rename the sheet.",
                )
                tables.append(
                    RawTable(
                        _empty_frame(),
                        file,
                        kind,
                        kind,
                        None,
                        0,
                        tuple(
                            col.REQUIRED_ROLE_COLUMNS
                            if kind == col.ROLES_SHEET
                            else col.REQUIRED_TASK_COLUMNS
                        ),
                    )
                )
                continue
            ws = wb[sheet]
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            tables.append(
                _table_from_rows(
                    rows, first_row_number=1, file=file, sheet=sheet, kind=kind, log=log
                )
            )
    finally:
        wb.close()
    return tables[0], tables[1]


def read_csv_table(path: str | os.PathLike[str], kind: str, log: IssueLog) -> RawTable:
    """Read one CSV file (roles or tasks); rows are numbered as lines, the header being line 1."""
    file = str(path)
    raw = pd.read_csv(
        file,
        dtype=str,
        header=None,
        keep_default_na=False,
        encoding="utf-8-sig",
        skip_blank_lines=False,
    )
    rows = raw.to_numpy(dtype=object).tolist()
    return _table_from_rows(
        rows, first_row_number=1, file=file, sheet=Path(file).stem, kind=kind, log=log
    )


def read_frame(frame: pd.DataFrame, kind: str, log: IssueLog) -> RawTable:
    """Read a DataFrame; rows are numbered by position, starting at 0, as in ``df.iloc``."""
    rows = [list(frame.columns), *frame.astype(object).to_numpy().tolist()]
    return _table_from_rows(
        rows, first_row_number=-1, file="<DataFrame>", sheet=kind, kind=kind, log=log
    )


def load_inventory(
    roles: str | os.PathLike[str] | pd.DataFrame,
    tasks: str | os.PathLike[str] | pd.DataFrame | None = None,
    *,
    errors: ErrorMode = "raise",
    hours_tolerance: float = 0.05,
) -> Inventory:
    """Load and validate a role and task inventory.

    Parameters
    ----------
    roles : path or DataFrame
        An Excel workbook (``.xlsx``/``.xlsm``) with ``roles`` and ``tasks`` sheets;
        or the roles CSV file; or the roles DataFrame.
    tasks : path or DataFrame, optional
        The tasks CSV file or DataFrame, when ``roles`` is a CSV file or DataFrame.
    errors : {"raise", "reject"}, default "raise"
        ``"raise"``: if any row has an error, raise :class:`InventoryError` whose
        ``issues`` lists every problem. ``"reject"``: leave rows with errors out
        and list them in ``Inventory.issues``.
    hours_tolerance : float, default 0.05
        Share by which a role's task hours may exceed its contracted hours with a
        warning rather than an error.

    Returns
    -------
    Inventory
        Validated ``roles`` and ``tasks`` DataFrames, and the ``issues`` table.

    Raises
    ------
    InventoryError
        With ``errors="raise"``, when any row has an error.

    Examples
    --------
    >>> import pandas as pd
    >>> roles = pd.DataFrame({"Role ID": ["R1"], "Job title": ["Ward clerk"],
    ...                       "Staff group": ["Support to doctors, nurses & midwives"],
    ...                       "WTE": [2.0]})
    >>> tasks = pd.DataFrame({"Role ID": ["R1", "R1"],
    ...                       "Task": ["Book outpatient appointments", "Answer the ward phone"],
    ...                       "Hrs/week": [20, 17.5]})
    >>> inv = load_inventory(roles, tasks)
    >>> inv.tasks[["role_id", "task_id", "hours_per_week"]]
      role_id  task_id  hours_per_week
    0      R1  R1-T001            17.5
    1      R1  R1-T002            20.0
    """
    log = IssueLog()
    if isinstance(roles, pd.DataFrame):
        if not isinstance(tasks, pd.DataFrame):
            raise TypeError("when roles is a DataFrame, tasks must be a DataFrame too")
        roles_table = read_frame(roles, col.ROLES_SHEET, log)
        tasks_table = read_frame(tasks, col.TASKS_SHEET, log)
        source = "<DataFrame>"
    else:
        path = Path(roles)
        if not path.exists():
            raise InventoryError(
                _file_issue(
                    str(path), "file-not-found", f"File '{path}' not found. Check the path."
                )
            )
        source = str(path)
        if path.suffix.lower() in EXCEL_SUFFIXES:
            roles_table, tasks_table = read_workbook(path, log)
        elif path.suffix.lower() == ".csv":
            if tasks is None or isinstance(tasks, pd.DataFrame):
                raise TypeError("when roles is a CSV file, pass the tasks CSV file as tasks=")
            if not Path(tasks).exists():
                raise InventoryError(
                    _file_issue(
                        str(tasks), "file-not-found", f"File '{tasks}' not found. Check the path."
                    )
                )
            roles_table = read_csv_table(path, col.ROLES_SHEET, log)
            tasks_table = read_csv_table(tasks, col.TASKS_SHEET, log)
            source = f"{path} + {tasks}"
        else:
            raise InventoryError(
                _file_issue(
                    str(path),
                    "unsupported-file",
                    f"File '{path}': unsupported file type '{path.suffix}'; expected an Excel "
                    "workbook (.xlsx) or a pair of CSV files. Save the workbook as .xlsx.",
                )
            )
    return validate(
        roles_table,
        tasks_table,
        log,
        source=source,
        errors=errors,
        options=ValidationOptions(hours_tolerance=hours_tolerance),
    )


def _file_issue(file: str, code: str, message: str) -> pd.DataFrame:
    log = IssueLog()
    log.error(file, None, None, None, None, code, message)
    return log.to_frame()
