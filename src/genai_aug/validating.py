"""Validating: turn raw inventory tables into typed, checked roles and tasks.

What is checked is the table :data:`genai_aug._checks.CHECKS`, one row per check;
this module runs it. Every test is vectorised over the sheet, and a message is
written only for a flagged row. Problems are collected in an
:class:`~genai_aug._issues.IssueLog`; nothing is raised until every check has run,
and with ``errors="reject"`` nothing is raised at all: rows with errors are moved to
the issues table instead.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from genai_aug import _columns as col
from genai_aug._checks import (
    ANY_SHEET,
    EVERY_COLUMN,
    FIELDS,
    HOURS_CHECKS,
    ROLE_CHECKS,
    SCREENING,
    TASK_CHECKS,
    Check,
    Rows,
)
from genai_aug._issues import IssueLog, column_part, text_dtype, where
from genai_aug._raw import RawTable
from genai_aug.errors import GenAIAugError

# Inventory and its types live in genai_aug.inventory; they are named here for validate's
# signature, and re-exported (the "as" form) for code written before they moved.
from genai_aug.inventory import ErrorMode as ErrorMode
from genai_aug.inventory import Inventory as Inventory
from genai_aug.inventory import ValidationOptions as ValidationOptions

# --------------------------------------------------------------------------- running the table


def run_checks(checks: tuple[Check, ...], rows: Rows, log: IssueLog) -> None:
    """Run ``checks`` in order on one sheet's ``rows``, recording an issue per flagged cell.

    A check that sets rows aside (every error, and ``totals-row``) adds them to
    ``rows.bad`` before the next check runs.
    """
    kind = rows.table.kind
    for check in checks:
        if check.sheet not in (ANY_SHEET, kind):
            continue
        if check.column == EVERY_COLUMN:
            columns: list[str | None] = [c for c in rows.frame.columns if c not in col.PROVENANCE]
        else:
            columns = [check.column]
        for column in columns:
            mask = _mask(check.test(rows, column or ""), rows)
            key = (check.code, check.severity)
            rows.flagged[key] = rows.flagged[key] | mask if key in rows.flagged else mask
            idx = np.flatnonzero(mask.to_numpy())
            if idx.size:
                _record(log, rows, check, column, idx)
                if check.rejects:
                    rows.bad = rows.bad | mask


def _mask(result: object, rows: Rows) -> pd.Series:
    """A check's result as a boolean Series over the rows (missing counts as False)."""
    if isinstance(result, pd.Series):
        if result.dtype != bool:
            result = result.fillna(False).astype(bool)
        return result
    return pd.Series(np.asarray(result, dtype=bool), index=rows.frame.index)


def _record(log: IssueLog, rows: Rows, check: Check, column: str | None, idx: np.ndarray) -> None:
    """One issue per flagged row: the message filled in from that row's fields."""
    table = rows.table
    names = check.fields
    at = table.frame[col.SOURCE_ROW].to_numpy()[idx].astype(np.int64)
    n = len(at)
    head = where(table.file, table.sheet) + ", row "
    tail = (f", {column_part(column)}" if column else "") + ": "
    # "<where>, row <n>, column '<c>': <message>", each joined once from its pieces
    fields = [FIELDS[name](rows, column or "", idx) for name in names]
    messages: Sequence[str] | None = None
    if text_dtype() is not None:  # the issues table holds its texts in Arrow: join there
        import pyarrow as pa  # type: ignore[import-untyped]
        import pyarrow.compute as pc  # type: ignore[import-untyped]

        numbers = pc.cast(pa.array(at, type=pa.int64()), pa.large_string())
        try:
            messages = check.fill_arrow(fields, (head, numbers, tail))
        except UnicodeEncodeError:  # (a lone surrogate in a cell: joined in Python below)
            messages = None
    if messages is None and names:
        before = (itertools.repeat(head, n), map(str, at.tolist()), itertools.repeat(tail, n))
        messages = check.fill(fields, before)
    elif messages is None:
        message = check.template.format()
        messages = [f"{head}{row}{tail}{message}" for row in at.tolist()]
    log.add_many(
        check.severity,
        check.code,
        messages,
        file=table.file,
        sheet=table.sheet,
        rows=at,
        column=column,
        values=rows.cells(column, idx),
    )


def _set_aside(rows: Rows) -> tuple[RawTable, int, dict[str, pd.Series], set[str]]:
    """The sheet without the totals rows, how many they were, the kept rows' texts, and
    the columns found to be plain text (as any of their rows are)."""
    keep = ~rows.bad.to_numpy()
    if keep.all() and rows.frame.index.equals(pd.RangeIndex(len(keep))):
        return rows.table, 0, dict(rows.texts), rows.plain  # (the index is already 0, 1, 2...)
    texts = {name: s[keep].reset_index(drop=True) for name, s in rows.texts.items()}
    if keep.all():
        return rows.table, 0, texts, rows.plain
    kept = rows.frame[keep].reset_index(drop=True)
    # (what the reader knew of the cells' objects was of every row)
    return replace(rows.table, frame=kept, identities={}), int((~keep).sum()), texts, rows.plain


# --------------------------------------------------------------------------- the typed tables


def _roles_frame(r: Rows) -> pd.DataFrame:
    out = pd.DataFrame(index=r.frame.index)
    out[col.ROLE_ID] = r.id
    out[col.ROLE_TITLE] = r.text(col.ROLE_TITLE)
    out[col.STAFF_GROUP] = r.staff_group
    # (a text column whatever the bands: a band read as one of ours is a text, and when
    # none was, the bands as written were an object column)
    text_type: Any = text_dtype() or object
    band = r.band.where(r.band.notna(), r.band_text)
    out[col.BAND] = pd.array(band.to_numpy(dtype=object), dtype=text_type)
    out[col.CONTRACTED_HOURS] = r.contracted
    out[col.FTE] = r.fte.where(r.fte.notna(), r.headcount)
    out[col.HEADCOUNT] = r.headcount
    for name in (col.DEPARTMENT, col.DIRECTORATE, col.TRUST):
        out[name] = r.text(name)
    for name in col.PROVENANCE:
        out[name] = r.frame[name]
    return out


def _tasks_frame(r: Rows) -> pd.DataFrame:
    out = pd.DataFrame(index=r.frame.index)
    out[col.ROLE_ID] = r.id
    # task ids: as given, or made from the role id and a rank that ignores row order
    # (ranked among all the role's tasks; only roles with a task lacking an id need it)
    given = r.given_id
    out[col.TASK_ID] = given
    needs = r.text_isin(col.ROLE_ID, set(r.id[r.missing(col.TASK_ID)].dropna()))
    if needs.any():
        # ordered by role, text, hours and the task's other cells, then its source row:
        # tasks that differ only in those cells get the same ids in any row order
        keys = {f"k{i}": cells for i, cells in enumerate(r.task_cells)}
        keys["s"] = r.frame[col.SOURCE_ROW]
        order = pd.DataFrame(keys)[needs].sort_values(list(keys))
        rank = order.groupby("k0", sort=False).cumcount().add(1).reindex(out.index)
        ranks = rank.fillna(0).astype("int64").map("{:03d}".format).astype(object)
        made = r.id.astype(object) + "-T" + ranks
        out[col.TASK_ID] = _without_clashes(given, made, r.id, rank)
    out[col.TASK] = r.task
    out[col.HOURS_PER_WEEK] = r.hours
    out[col.PERCENT_OF_TIME] = r.percent
    out[col.PATIENT_FACING] = r.facing
    out[col.CATEGORY_OVERRIDE] = r.override
    for name in col.PROVENANCE:
        out[name] = r.frame[name]
    return out


def _without_clashes(
    given: pd.Series, made: pd.Series, role_ids: pd.Series, rank: pd.Series
) -> pd.Series:
    """The task ids: each as given, or the one made for it (``ROLE-T002``), unless another
    task was given that id; such a task takes the next number of its role that no task has.

    Only the role and the rank decide it (in order of rank, each clash the first free
    number from its own up), so the ids are the same in any row order, and every task
    keeps an id of its own.
    """
    ids = given.where(given.notna(), made)
    missing = given.isna()
    taken = set(given[~missing].tolist())
    clash = missing & made.isin(taken)
    if not clash.any():
        return ids
    used = taken | set(made[missing].tolist())
    roles, ranks = role_ids.tolist(), rank.tolist()
    for i in sorted(np.flatnonzero(clash.to_numpy()).tolist(), key=lambda i: (roles[i], ranks[i])):
        k = int(ranks[i])
        while f"{roles[i]}-T{k:03d}" in used:
            k += 1
        ids.iat[i] = f"{roles[i]}-T{k:03d}"
        used.add(ids.iat[i])
    return ids


def _kept(frame: pd.DataFrame, bad: pd.Series) -> pd.DataFrame:
    """The rows not set aside (the frame itself, not a copy of it, when none is)."""
    return frame if not bad.any() else frame[~bad.to_numpy()]


def _sorted(frame: pd.DataFrame, by: list[str], increasing: Collection[str] = ()) -> pd.DataFrame:
    """``frame`` stably sorted by the text columns ``by``, with a fresh index.

    Inventories are usually in order already, which one pass of comparisons shows;
    only a frame that is not, or holds anything but text in ``by``, is sorted.
    ``increasing``: columns of ``by`` known to hold texts each greater than the one
    before (the checks found them so), which need not be compared again.
    """
    keys = [frame[name].to_numpy(dtype=object) for name in by]
    if not _in_order(keys, [name in increasing for name in by]):
        frame = frame.sort_values(by, kind="stable")
    return frame.reset_index(drop=True)


def _in_order(keys: list[np.ndarray], increasing: Sequence[bool] = ()) -> bool:
    """Whether rows are in order by ``keys`` (all text, none missing), as sorting would put them.

    Each key is only compared where the keys before it tie. ``increasing[i]``: key ``i``
    is known to be increasing (so never decreasing) from row to row.
    """
    if not keys or len(keys[0]) < 2:
        return False
    if any(pd.api.types.infer_dtype(key, skipna=False) != "string" for key in keys):
        return False
    # every key never decreasing from row to row: in order, whatever the ties (often so,
    # ids in order), seen without looking for the ties
    known = list(increasing) + [False] * (len(keys) - len(increasing))
    if not any((key[:-1] > key[1:]).any() for key, k in zip(keys, known, strict=True) if not k):
        return True
    tied = np.ones(len(keys[0]) - 1, dtype=bool)
    for key in keys:
        before, after = key[:-1][tied], key[1:][tied]
        if (before > after).any():
            return False
        tied[tied] = before == after
    return True


# --------------------------------------------------------------------------- whole inventory


def validate(
    roles_table: RawTable,
    tasks_table: RawTable,
    log: IssueLog,
    *,
    source: str,
    errors: ErrorMode = "raise",
    options: ValidationOptions | None = None,
) -> Inventory:
    """Check raw roles and tasks, returning a typed :class:`Inventory`.

    With ``errors="raise"`` any error raises :class:`~genai_aug.errors.InventoryError`
    carrying every issue; with ``errors="reject"`` the rows with errors are left out
    of the inventory and listed in its ``issues`` table.
    """
    if errors not in ("raise", "reject"):
        raise GenAIAugError(
            f"errors must be 'raise' (stop at the first bad inventory) or 'reject' (leave bad "
            f"rows out and list them), got {errors!r}."
        )
    opts = options or ValidationOptions()
    screened = []
    for table in (roles_table, tasks_table):
        rows = Rows(replace(table, missing_columns=()), opts)  # screening sets no row aside
        run_checks(SCREENING, rows, log)
        screened.append(_set_aside(rows))
    del rows  # (what the screening worked out, other than the texts, is not needed again)
    (roles_kept, role_totals, role_texts, role_plain), screened_tasks = screened
    tasks_kept, task_totals, task_texts, task_plain = screened_tasks
    roles_table = replace(roles_kept, missing_columns=roles_table.missing_columns)
    tasks_table = replace(tasks_kept, missing_columns=tasks_table.missing_columns)

    roles = Rows(roles_table, opts, texts=role_texts, plain=role_plain)
    run_checks(ROLE_CHECKS, roles, log)
    tasks = Rows(tasks_table, opts, roles=roles, texts=task_texts, plain=task_plain)
    run_checks(TASK_CHECKS, tasks, log)
    roles.tasks, roles.checkable = tasks, ~roles.bad
    run_checks(HOURS_CHECKS, roles, log)
    run_checks(HOURS_CHECKS, tasks, log)

    for table, what in ((roles_table, "roles"), (tasks_table, "tasks")):
        if len(table.frame) == 0 and not table.missing_columns:
            log.error(
                "no-rows",
                f"{where(table.file, table.sheet)}: no {what} below the header row"
                + (f" (row {table.header_row})" if table.header_row is not None else "")
                + f"; expected one row per {what[:-1]}. Fill in the sheet.",
                file=table.file,
                sheet=table.sheet,
                row=table.header_row,
            )
    role_bad, task_bad = roles.bad, tasks.bad
    headers: dict[tuple[str | None, str | None], int | None] = {
        (t.file, t.sheet): t.header_row for t in (roles_table, tasks_table)
    }
    if (
        errors == "raise"
        or role_bad.all()
        or task_bad.all()
        or log.has_errors_outside_rows(headers)
    ):
        # Nothing left to score, or an error about a whole sheet (a duplicated column),
        # is an error even when bad rows are being set aside.
        log.raise_if_errors()

    role_frame, task_frame = _roles_frame(roles), _tasks_frame(tasks)
    # (ids the duplicate checks found increasing are so in the rows kept: they are the
    # ids of the frames, as none is missing, and set-aside rows leave the order)
    kept_roles = _sorted(_kept(role_frame, role_bad), [col.ROLE_ID], roles.increasing)
    kept_tasks = _sorted(
        _kept(task_frame, task_bad), [col.ROLE_ID, col.TASK_ID], {col.TASK_ID} & tasks.increasing
    )
    # what the checks worked out (parsed numbers, masks, lookups) is let go of before the
    # issues table is made: the two sheets' rows refer to each other, so both are unlinked
    roles.tasks = tasks.roles = None
    del roles, tasks
    return Inventory(
        roles=kept_roles,
        tasks=kept_tasks,
        issues=log.to_frame(),
        source=source,
        rows_read={
            col.ROLES_SHEET: len(role_frame) + role_totals,
            col.TASKS_SHEET: len(task_frame) + task_totals,
        },
        rows_rejected={
            col.ROLES_SHEET: int(role_bad.sum()) + role_totals,
            col.TASKS_SHEET: int(task_bad.sum()) + task_totals,
        },
        blank_rows={
            col.ROLES_SHEET: roles_table.blank_rows,
            col.TASKS_SHEET: tasks_table.blank_rows,
        },
    )
