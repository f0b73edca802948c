"""Validating: turn raw inventory tables into typed, checked roles and tasks.

Every check is vectorised over a column; a Python loop only ever runs over the
rows that have a problem, to write their messages. Problems are collected in
an :class:`~genai_aug._issues.IssueLog`; nothing is raised until every check
has run, and with ``errors="reject"`` nothing is raised at all: rows with errors
are moved to the issues table instead.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from genai_aug import _columns as col
from genai_aug._cells import (
    INVISIBLE,
    WHY_NOT_A_NUMBER,
    NumberKind,
    blank,
    parse_numbers,
    show_cell,
    text,
)
from genai_aug._issues import IssueLog, where
from genai_aug._matching import MAX_TEXT_CHARS
from genai_aug._raw import RawTable
from genai_aug._reference import (
    BANDS,
    STAFF_GROUPS,
    canonical_band,
    canonical_staff_group,
    suggest_staff_groups,
)
from genai_aug.errors import GenAIAugError

# Re-exported (the "as" form says so to mypy): scoring and pipeline still import them here.
from genai_aug.inventory import DEFAULT_CONTRACTED_HOURS as DEFAULT_CONTRACTED_HOURS
from genai_aug.inventory import ErrorMode as ErrorMode
from genai_aug.inventory import Inventory as Inventory
from genai_aug.inventory import ValidationOptions as ValidationOptions

MAX_HOURS_PER_WEEK = 168.0
MAX_STAFF = 10_000_000.0
"""Largest FTE or headcount of one role: more than the whole NHS employs."""
HOURS_NOT_LISTED_SLACK = 0.05
"""Task hours this far under the contracted hours (rounding) raise no 'hours-not-listed'."""

NUMBER_KINDS: dict[str, NumberKind] = {
    col.HOURS_PER_WEEK: "hours",
    col.CONTRACTED_HOURS: "hours",
    col.PERCENT_OF_TIME: "percent",
    col.FTE: "fraction",
    col.HEADCOUNT: "count",
}
"""How each numeric column reads durations and percent-formatted cells."""
_TRUE = {"true", "yes", "y", "1", "t", "x"}
_FALSE = {"false", "no", "n", "0", "f", ""}


# --------------------------------------------------------------------------- helpers


def _flag(
    log: IssueLog,
    table: RawTable,
    mask: pd.Series,
    column: str,
    code: str,
    severity: str,
    message: Callable[[int], str],
) -> None:
    """Record one issue for each row where ``mask`` is True (loops over flagged rows only)."""
    frame = table.frame
    rows = frame[col.SOURCE_ROW].to_numpy()
    for i in np.flatnonzero(mask.to_numpy(dtype=bool)).tolist():
        row = int(rows[i])
        value = frame[column].iat[i] if column in frame.columns else None
        location = where(table.file, table.sheet, row, column)
        log.add(
            severity,
            code,
            f"{location}: {message(int(i))}",
            file=table.file,
            sheet=table.sheet,
            row=row,
            column=column,
            value=value,
        )


def _not_a_number(
    raw: pd.DataFrame, name: str, hint: str, problem: pd.Series
) -> Callable[[int], str]:
    """Message for a cell of ``name`` that is not a number, saying why where it can."""

    def message(i: int) -> str:
        value: object = _get(raw, name).iat[i]
        why = WHY_NOT_A_NUMBER.get(str(problem.iat[i]), "")
        return f"'{name}' must be a number, got {show_cell(value)}; " + (f"{why}." if why else hint)

    return message


def _normalised(
    raw: pd.Series, values: pd.Series, how: pd.Series, name: str
) -> Callable[[int], str]:
    """Message for a cell read by a documented normalisation ("7.5 hrs" → 7.5)."""

    def message(i: int) -> str:
        if how.iat[i] == "duration":
            return (
                f"read the duration {show_cell(raw.iat[i])} as {values.iat[i]:g} hours in "
                f"'{name}'. Check the figure, and enter plain numbers of hours."
            )
        return (
            f"read {show_cell(raw.iat[i])} as {values.iat[i]:g} in '{name}' (a unit or a "
            "decimal comma was dropped). Check the figure, and enter plain numbers."
        )

    return message


def _negative(name: str, values: pd.Series) -> Callable[[int], str]:
    """Message for a negative number in ``name``."""

    def message(i: int) -> str:
        return f"'{name}' must be ≥ 0, got {values.iat[i]:g}."

    return message


def _empty(table: RawTable, name: str, expected: str) -> Callable[[int], str]:
    """Message for an empty required cell of ``name``, saying when a merge emptied it."""
    rows = table.frame[col.SOURCE_ROW].to_numpy(dtype="int64")

    def message(i: int) -> str:
        if (int(rows[i]), name) in table.merged_cells:
            return (
                f"'{name}' is empty because the cell is part of a merged range, and Excel "
                "keeps a merged range's value in its first cell only; expected "
                f"{expected}. Unmerge the cells and fill in every row."
            )
        return f"'{name}' is empty; expected {expected}. Fill it in."

    return message


def _numbers(
    log: IssueLog, table: RawTable, names: tuple[str, ...], hint: str
) -> list[tuple[pd.Series, pd.Series, pd.Series]]:
    """Parse numeric columns, flagging non-numbers and negatives.

    Returns, per column, (values, not-a-number mask, negative mask).
    """
    out = []
    for name in names:
        parsed = parse_numbers(_get(table.frame, name), NUMBER_KINDS.get(name, "count"))
        values, nan_bad = parsed.numbers, parsed.bad
        _flag(
            log,
            table,
            nan_bad,
            name,
            "not-a-number",
            "error",
            _not_a_number(table.frame, name, hint, parsed.problem),
        )
        _flag(
            log,
            table,
            parsed.normalised,
            name,
            "number-normalised",
            "warning",
            _normalised(_get(table.frame, name), values, parsed.normalisation, name),
        )
        neg = values < 0
        _flag(log, table, neg, name, "negative-value", "error", _negative(name, values))
        out.append((values, nan_bad, neg))
    return out


def _get(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _bool(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse yes/no cells; return (nullable booleans, True where a cell is not yes/no)."""

    def parse(v: object) -> bool | None:
        if isinstance(v, bool | np.bool_):
            return bool(v)
        if isinstance(v, int | float) and v in (0, 1):
            return bool(v)
        if isinstance(v, str):
            key = v.strip().lower()
            if key in _TRUE:
                return True
            if key in _FALSE:
                return None if key == "" else False
        return None

    values = series.map(parse).astype("boolean")
    bad = values.isna() & ~blank(series)
    return values, bad


# --------------------------------------------------------------------------- roles


def _validate_roles(
    table: RawTable, log: IssueLog, opts: ValidationOptions
) -> tuple[pd.DataFrame, pd.Series]:
    raw = table.frame
    bad = pd.Series(False, index=raw.index)
    out = pd.DataFrame(index=raw.index)

    out[col.ROLE_ID] = text(_get(raw, col.ROLE_ID))
    out[col.ROLE_TITLE] = text(_get(raw, col.ROLE_TITLE))
    for name in (col.ROLE_ID, col.ROLE_TITLE, col.STAFF_GROUP):
        if name in table.missing_columns:
            bad[:] = True
            continue
        missing = blank(_get(raw, name))
        _flag(
            log,
            table,
            missing,
            name,
            "missing-value",
            "error",
            _empty(table, name, "a value for every role"),
        )
        bad |= missing

    # duplicate role ids: every occurrence after the first is an error
    ids = out[col.ROLE_ID]
    dup = ids.notna() & ids.duplicated(keep="first")
    first_row = raw[col.SOURCE_ROW].groupby(ids).transform("first")
    _flag(
        log,
        table,
        dup,
        col.ROLE_ID,
        "duplicate-role-id",
        "error",
        lambda i: (
            f"role id '{ids.iat[i]}' already used at row {first_row.iat[i]}; "
            "expected each role id once. Give this role its own id or merge the rows."
        ),
    )
    bad |= dup

    # staff group
    group_text = text(_get(raw, col.STAFF_GROUP))
    lookup = {v: canonical_staff_group(v) for v in group_text.dropna().unique()}
    out[col.STAFF_GROUP] = group_text.map(lookup, na_action="ignore")
    unknown = group_text.notna() & out[col.STAFF_GROUP].isna()
    _flag(
        log,
        table,
        unknown,
        col.STAFF_GROUP,
        "unknown-staff-group",
        "error",
        lambda i: (
            f"unknown staff group '{group_text.iat[i]}'; expected one of the NHS "
            f"Workforce Statistics groups. Did you mean "
            f"{' or '.join(repr(s) for s in suggest_staff_groups(str(group_text.iat[i])))}?"
        ),
    )
    bad |= unknown

    # band (optional): unknown bands are kept as written, with a warning
    band_text = text(_get(raw, col.BAND))
    band_lookup = {v: canonical_band(v) for v in band_text.dropna().unique()}
    band = band_text.map(band_lookup, na_action="ignore")
    unknown_band = band_text.notna() & band.isna()
    _flag(
        log,
        table,
        unknown_band,
        col.BAND,
        "unknown-band",
        "warning",
        lambda i: (
            f"pay band or grade '{band_text.iat[i]}' not recognised, kept as written; "
            f"expected an Agenda for Change band (e.g. 'Band 5', '8a') or a medical grade "
            f"({', '.join(BANDS[12:16])}, ...)."
        ),
    )
    out[col.BAND] = band.where(band.notna(), band_text)

    # numbers
    numbers = _numbers(
        log, table, (col.FTE, col.HEADCOUNT, col.CONTRACTED_HOURS), "Enter a plain number."
    )
    (fte, fte_bad, fte_neg), (headcount, hc_bad, hc_neg), (hours, hours_bad, hours_neg) = numbers
    bad |= fte_bad | fte_neg | hc_bad | hc_neg | hours_bad | hours_neg

    absurd = (hours <= 0) | (hours > MAX_HOURS_PER_WEEK)
    _flag(
        log,
        table,
        absurd,
        col.CONTRACTED_HOURS,
        "implausible-hours",
        "error",
        lambda i: (
            f"contracted hours must be more than 0 and at most {MAX_HOURS_PER_WEEK:g} "
            f"a week, got {hours.iat[i]:g}. A whole-time post is usually 37.5 (40 for doctors)."
        ),
    )
    bad |= absurd
    for name, values in ((col.FTE, fte), (col.HEADCOUNT, headcount)):
        huge = values > MAX_STAFF
        _flag(
            log,
            table,
            huge,
            name,
            "implausible-fte",
            "error",
            lambda i, name=name, values=values: (  # type: ignore[misc]
                f"'{name}' must be at most {MAX_STAFF:,.0f} (more staff than the whole NHS), "
                f"got {values.iat[i]:g}. Enter the role's whole-time equivalents."
            ),
        )
        bad |= huge
    out[col.CONTRACTED_HOURS] = hours.fillna(opts.default_contracted_hours)

    no_size = fte.isna() & headcount.isna() & ~fte_bad & ~hc_bad
    _flag(
        log,
        table,
        no_size,
        col.FTE,
        "missing-fte",
        "error",
        lambda i: (
            "neither FTE nor headcount given; expected the role's whole-time "
            "equivalents (FTE/WTE). Fill in FTE."
        ),
    )
    bad |= no_size
    from_headcount = fte.isna() & headcount.notna() & ~fte_bad
    _flag(
        log,
        table,
        from_headcount,
        col.FTE,
        "fte-from-headcount",
        "warning",
        lambda i: (
            f"FTE missing, so headcount {headcount.iat[i]:g} is used as FTE (as if "
            "everyone worked full time: an upper bound). Fill in FTE for a true figure."
        ),
    )
    out[col.FTE] = fte.where(fte.notna(), headcount)
    out[col.HEADCOUNT] = headcount
    for name in (col.DEPARTMENT, col.DIRECTORATE, col.TRUST):
        out[name] = text(_get(raw, name))
    for name in col.PROVENANCE:
        out[name] = raw[name]
    return out, bad


# --------------------------------------------------------------------------- tasks


def _validate_tasks(
    table: RawTable,
    roles: pd.DataFrame,
    role_ok: pd.Series,
    log: IssueLog,
    opts: ValidationOptions | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    raw = table.frame
    bad = pd.Series(False, index=raw.index)
    out = pd.DataFrame(index=raw.index)
    if table.missing_columns:
        bad[:] = True

    out[col.ROLE_ID] = text(_get(raw, col.ROLE_ID))
    out[col.TASK] = text(_get(raw, col.TASK))
    if col.ROLE_ID not in table.missing_columns:
        missing_role = out[col.ROLE_ID].isna()
        _flag(
            log,
            table,
            missing_role,
            col.ROLE_ID,
            "missing-value",
            "error",
            _empty(table, col.ROLE_ID, "the id of a role on the roles sheet"),
        )
        bad |= missing_role
    if col.TASK not in table.missing_columns:
        empty = out[col.TASK].isna()
        _flag(
            log,
            table,
            empty,
            col.TASK,
            "empty-task",
            "error",
            lambda i: (
                "task description is empty; expected a few words saying what the "
                "task is. Describe the task or delete the row."
            ),
        )
        bad |= empty
        long_text = out[col.TASK].map(lambda t: isinstance(t, str) and len(t) > MAX_TEXT_CHARS)
        _flag(
            log,
            table,
            long_text.fillna(False),
            col.TASK,
            "long-text",
            "warning",
            lambda i: (
                f"task description has {len(str(out[col.TASK].iat[i])):,} characters; only the "
                f"first {MAX_TEXT_CHARS:,} are used for scoring. Shorten it to what the task is."
            ),
        )

    known = pd.Index(roles[col.ROLE_ID].dropna().unique())
    unknown = out[col.ROLE_ID].notna() & ~out[col.ROLE_ID].isin(known)
    _flag(
        log,
        table,
        unknown,
        col.ROLE_ID,
        "unknown-role",
        "error",
        lambda i: (
            f"role id '{out[col.ROLE_ID].iat[i]}' is not on the roles sheet; expected "
            f"one of its role ids{_close(str(out[col.ROLE_ID].iat[i]), known)}. "
            "Fix the id or add the role."
        ),
    )
    bad |= unknown

    rejected_ids = set(roles.loc[~role_ok, col.ROLE_ID].dropna())
    of_rejected = out[col.ROLE_ID].isin(rejected_ids) & ~bad
    _flag(
        log,
        table,
        of_rejected,
        col.ROLE_ID,
        "role-rejected",
        "error",
        lambda i: (
            f"role '{out[col.ROLE_ID].iat[i]}' has errors on the roles sheet, so its "
            "tasks cannot be scored. Fix the role's row."
        ),
    )
    bad |= of_rejected

    # hours: per week, or as a percentage of the role's contracted hours
    (hours, hours_nan, hours_neg), (pct, pct_nan, pct_neg) = _numbers(
        log,
        table,
        (col.HOURS_PER_WEEK, col.PERCENT_OF_TIME),
        "Enter a plain number of hours (e.g. 7.5).",
    )
    bad |= hours_nan | hours_neg | pct_nan | pct_neg
    too_many = hours > MAX_HOURS_PER_WEEK
    _flag(
        log,
        table,
        too_many,
        col.HOURS_PER_WEEK,
        "implausible-hours",
        "error",
        lambda i: (
            f"'{col.HOURS_PER_WEEK}' must be at most {MAX_HOURS_PER_WEEK:g} (hours in a "
            f"week), got {hours.iat[i]:g}."
        ),
    )
    pct_over = pct > 100
    _flag(
        log,
        table,
        pct_over,
        col.PERCENT_OF_TIME,
        "implausible-percent",
        "error",
        lambda i: f"'{col.PERCENT_OF_TIME}' must be between 0 and 100, got {pct.iat[i]:g}.",
    )
    bad |= too_many | pct_over

    contracted = (
        out[col.ROLE_ID]
        .map(roles.drop_duplicates(col.ROLE_ID).set_index(col.ROLE_ID)[col.CONTRACTED_HOURS])
        .astype("float64")
    )
    from_pct = hours.isna() & pct.notna() & ~hours_nan
    hours = hours.where(~from_pct, pct / 100.0 * contracted)
    no_hours = hours.isna() & ~hours_nan & ~pct_nan & ~bad
    _flag(
        log,
        table,
        no_hours,
        col.HOURS_PER_WEEK,
        "missing-hours",
        "error",
        lambda i: (
            "no hours given (a blank cell, or a formula whose value was never saved); "
            "expected hours per week or a percentage of the role's "
            "time. Fill in one of them."
        ),
    )
    bad |= no_hours
    zero = (hours == 0) & ~bad
    _flag(
        log,
        table,
        zero,
        col.HOURS_PER_WEEK,
        "zero-hours",
        "warning",
        lambda i: "0 hours a week: the task is kept but releases no time. Check the figure.",
    )
    out[col.HOURS_PER_WEEK] = hours
    out[col.PERCENT_OF_TIME] = pct

    facing, facing_bad = _bool(_get(raw, col.PATIENT_FACING))
    _flag(
        log,
        table,
        facing_bad,
        col.PATIENT_FACING,
        "not-yes-no",
        "warning",
        lambda i: (
            f"'{col.PATIENT_FACING}' should be yes or no, got "
            f"{_get(raw, col.PATIENT_FACING).iat[i]!r}; treated as not given."
        ),
    )
    out[col.PATIENT_FACING] = facing
    out[col.CATEGORY_OVERRIDE] = text(_get(raw, col.CATEGORY_OVERRIDE))
    if opts is not None and opts.categories:
        bad |= _check_overrides(table, out[col.CATEGORY_OVERRIDE], opts.categories, log)

    # task ids: as given, or made from the role id and a rank that ignores row order
    given = text(_get(raw, col.TASK_ID))
    order = pd.DataFrame(
        {"r": out[col.ROLE_ID], "t": out[col.TASK], "h": hours, "s": raw[col.SOURCE_ROW]}
    ).sort_values(["r", "t", "h", "s"])
    rank = order.groupby("r", sort=False).cumcount().add(1).reindex(out.index)
    # (a task with no role id gets no rank, and no made-up id: it is rejected anyway)
    ranks = rank.fillna(0).astype("int64").map("{:03d}".format).astype(object)
    made = out[col.ROLE_ID].astype(object) + "-T" + ranks
    out[col.TASK_ID] = given.where(given.notna(), made)
    dup = given.notna() & given.duplicated(keep="first")
    first_row = raw[col.SOURCE_ROW].groupby(given).transform("first")
    _flag(
        log,
        table,
        dup,
        col.TASK_ID,
        "duplicate-task-id",
        "error",
        lambda i: (
            f"task id '{given.iat[i]}' already used at row {first_row.iat[i]}; expected "
            "each task id once. Give this task its own id."
        ),
    )
    bad |= dup
    _flag_repeated_tasks(log, table, out, given, hours, bad)
    for name in col.PROVENANCE:
        out[name] = raw[name]
    return out[[c for c in col.TASK_COLUMNS if c in out.columns] + list(col.PROVENANCE)], bad


def _flag_repeated_tasks(
    log: IssueLog,
    table: RawTable,
    out: pd.DataFrame,
    given: pd.Series,
    hours: pd.Series,
    bad: pd.Series,
) -> None:
    """Warn about a task row that repeats an earlier one exactly (a pasted copy?).

    Both rows are kept, as the inventory says; the warning is there because the copy
    doubles the task's hours. Rows with their own task ids are not copies.
    """
    candidates = ~bad & given.isna() & out[col.TASK].notna()
    if candidates.sum() < 2:
        return
    columns = [col.ROLE_ID, col.TASK, col.PERCENT_OF_TIME, col.CATEGORY_OVERRIDE]
    parts = [out[c].astype(object).map(repr) for c in columns if c in out.columns]
    parts += [hours.map(repr), out[col.PATIENT_FACING].astype(object).map(repr)]
    key = parts[0]
    for part in parts[1:]:
        key = key + "\x1f" + part
    key = key.where(candidates, None)
    repeat = key.notna() & key.duplicated(keep="first")
    if not repeat.any():
        return
    first_row = table.frame[col.SOURCE_ROW].groupby(key).transform("first")
    _flag(
        log,
        table,
        repeat,
        col.TASK,
        "repeated-task",
        "warning",
        lambda i: (
            f"the same task as row {first_row.iat[i]} (same role, description and hours); "
            "both are counted, so its hours count twice. Delete one if it is a copy, or give "
            "each a task id if both are real."
        ),
    )


def _check_overrides(
    table: RawTable,
    override: pd.Series,
    categories: tuple[tuple[str, str], ...],
    log: IssueLog,
) -> pd.Series:
    """An error for each ``category_override`` that names no category of the ruleset."""
    known = {key.lower() for pair in categories for key in pair}
    unknown = override.notna() & ~override.astype(str).str.strip().str.lower().isin(known)
    ids = [cid for cid, _ in categories]

    def message(i: int) -> str:
        value = str(override.iat[i])
        lowered = {k.lower(): k for pair in categories for k in pair}
        close = difflib.get_close_matches(value.lower(), list(lowered), n=1)
        hint = f" (did you mean '{lowered[close[0]]}'?)" if close else ""
        return (
            f"unknown category '{value}'{hint}; expected one of the ruleset's categories "
            f"({', '.join(ids)}). Fix the override or leave it blank."
        )

    _flag(log, table, unknown, col.CATEGORY_OVERRIDE, "unknown-category", "error", message)
    return unknown


def _flag_invisible(table: RawTable, log: IssueLog) -> None:
    """Note each text cell from which invisible or control characters were removed."""
    for name in table.frame.columns:
        if name in col.PROVENANCE:
            continue
        cells = table.frame[name]
        has = cells.map(lambda v: isinstance(v, str) and INVISIBLE.search(v) is not None)
        _flag(
            log,
            table,
            has.astype(bool),
            name,
            "invisible-characters",
            "warning",
            lambda i, cells=cells: (  # type: ignore[misc]
                f"{show_cell(cells.iat[i])} holds characters that show as nothing (zero-width "
                "spaces, direction marks, control characters); they were removed, so it is read "
                f"as {text(cells.iloc[i : i + 1]).iat[0]!r}. Retype the cell to be sure."
            ),
        )


def _close(value: str, known: pd.Index) -> str:
    import difflib

    close = difflib.get_close_matches(str(value), [str(k) for k in known], n=3)
    return f" (closest: {', '.join(close)})" if close else ""


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
    for table in (roles_table, tasks_table):
        _flag_hidden_rows(table, log)
        _flag_invisible(table, log)
    roles_table, role_totals = _drop_totals_rows(roles_table, log, col.ROLE_TITLE)
    tasks_table, task_totals = _drop_totals_rows(tasks_table, log, col.TASK)
    roles, role_bad = _validate_roles(roles_table, log, opts)
    tasks, task_bad = _validate_tasks(tasks_table, roles, ~role_bad, log, opts)

    # role-level checks on the tasks that survived
    ok_tasks = tasks[~task_bad]
    sums = ok_tasks.groupby(col.ROLE_ID)[col.HOURS_PER_WEEK].sum()
    task_hours = roles[col.ROLE_ID].map(sums).fillna(0.0)
    limit = roles[col.CONTRACTED_HOURS]
    checkable = ~role_bad
    over_err = checkable & (task_hours > limit * (1 + opts.hours_tolerance) + 1e-9)
    over_warn = checkable & (task_hours > limit + 1e-9) & ~over_err

    def msg(i: int) -> str:
        return (
            f"tasks add up to {task_hours.iat[i]:g} hours a week, more than the "
            f"contracted {limit.iat[i]:g} (tolerance {opts.hours_tolerance:.0%}); expected task "
            "hours per whole-time post to sum to at most the contracted hours. "
            "Check the task hours."
        )

    _flag(log, roles_table, over_err, col.CONTRACTED_HOURS, "hours-exceed-contract", "error", msg)
    _flag(
        log, roles_table, over_warn, col.CONTRACTED_HOURS, "hours-exceed-contract", "warning", msg
    )
    # (not when the tasks sheet itself is missing or unusable: that error says it all)
    tasks_usable = not tasks_table.missing_columns
    any_tasks = roles[col.ROLE_ID].isin(set(tasks[col.ROLE_ID].dropna()))  # rejected ones too
    # Hours a role's tasks leave out are reported as "not listed", never as released.
    # (a role with a rejected task is left to that task's own issue)
    with_rejected = roles[col.ROLE_ID].isin(set(tasks.loc[task_bad, col.ROLE_ID].dropna()))
    gap = limit.astype(float) - task_hours.astype(float)
    under = checkable & any_tasks & ~with_rejected & (gap > HOURS_NOT_LISTED_SLACK)
    _flag(
        log,
        roles_table,
        under,
        col.CONTRACTED_HOURS,
        "hours-not-listed",
        "warning",
        lambda i: (
            f"role '{roles[col.ROLE_ID].iat[i]}': its tasks list {task_hours.iat[i]:g} of its "
            f"contracted {limit.iat[i]:g} hours a week; the other "
            f"{gap.iat[i]:g} are reported as not listed, "
            "never as released. Add the missing tasks, or lower the contracted hours if "
            "they are wrong."
        ),
    )
    no_tasks = checkable & ~any_tasks & tasks_usable
    _flag(
        log,
        roles_table,
        no_tasks,
        col.ROLE_ID,
        "role-without-tasks",
        "warning",
        lambda i: (
            f"role '{roles[col.ROLE_ID].iat[i]}' has no tasks, so it releases no time. "
            "Add its tasks on the tasks sheet."
        ),
    )
    if over_err.any():
        over_ids = set(roles.loc[over_err, col.ROLE_ID])
        of_over = tasks[col.ROLE_ID].isin(over_ids) & ~task_bad
        _flag(
            log,
            tasks_table,
            of_over,
            col.HOURS_PER_WEEK,
            "role-rejected",
            "error",
            lambda i: (
                f"role '{tasks[col.ROLE_ID].iat[i]}' has more task hours than its "
                "contract allows, so its tasks cannot be scored. Fix the role's task hours."
            ),
        )
        role_bad = role_bad | over_err
        task_bad = task_bad | of_over

    for table, frame, what in ((roles_table, roles, "roles"), (tasks_table, tasks, "tasks")):
        if len(frame) == 0 and not table.missing_columns:
            log.error(
                "no-rows",
                f"{where(table.file, table.sheet)}: no {what} below the header row"
                + (f" (row {table.header_row})" if table.header_row is not None else "")
                + f"; expected one row per {what[:-1]}. Fill in the sheet.",
                file=table.file,
                sheet=table.sheet,
                row=table.header_row,
            )
    if errors == "raise" or (role_bad.all() or task_bad.all()):
        # Nothing left to score is an error even when bad rows are being set aside.
        log.raise_if_errors()

    kept_roles = roles[~role_bad].sort_values(col.ROLE_ID, kind="stable").reset_index(drop=True)
    kept_tasks = (
        tasks[~task_bad]
        .sort_values([col.ROLE_ID, col.TASK_ID], kind="stable")
        .reset_index(drop=True)
    )
    return Inventory(
        roles=kept_roles,
        tasks=kept_tasks,
        issues=log.to_frame(),
        source=source,
        rows_read={
            col.ROLES_SHEET: len(roles) + role_totals,
            col.TASKS_SHEET: len(tasks) + task_totals,
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


def _flag_hidden_rows(table: RawTable, log: IssueLog) -> None:
    """Note each data row that Excel hides: it is read and scored like any other."""
    if not table.hidden_rows:
        return
    for row in sorted(set(table.frame[col.SOURCE_ROW]) & table.hidden_rows):
        log.warning(
            "hidden-row",
            f"{where(table.file, table.sheet, int(row))}: the row is hidden in Excel (filtered "
            "out, or hidden by hand) but is read and scored like every other row. Delete it "
            "if it should not count; unhide it to check it.",
            file=table.file,
            sheet=table.sheet,
            row=int(row),
        )


TOTALS_WORDS = frozenset({"total", "totals", "grand total", "sub total", "subtotal", "sum"})


def _drop_totals_rows(table: RawTable, log: IssueLog, label: str) -> tuple[RawTable, int]:
    """Set aside rows that are a sheet's own totals ("Total" as the id or the label).

    genai_aug adds up by itself; a totals row read as a role or task would count its
    hours twice. Each is listed as a ``totals-row`` warning and counted as rejected.
    """
    frame = table.frame
    if frame.empty:
        return table, 0

    def words(name: str) -> pd.Series:
        # Digits are kept: "SUM1" and "Total-2" are ids, not totals; "Total:" is a total.
        cells = text(_get(frame, name)).fillna("").astype(str)
        return (
            cells.str.lower().str.replace(r"[^a-z0-9 ]+", " ", regex=True).str.split().str.join(" ")
        )

    ids, labels = words(col.ROLE_ID), words(label)
    totals = ids.isin(TOTALS_WORDS) | ((ids == "") & labels.isin(TOTALS_WORDS))
    if not totals.any():
        return table, 0
    _flag(
        log,
        table,
        totals,
        col.ROLE_ID if col.ROLE_ID in frame.columns else label,
        "totals-row",
        "warning",
        lambda i: (
            "a totals row, left out: genai_aug adds up the rows itself, and counting this "
            "row would count its hours twice. Delete it from the sheet to silence this."
        ),
    )
    kept = frame[~totals.to_numpy()].reset_index(drop=True)
    return replace(table, frame=kept), int(totals.sum())


STAFF_GROUP_ORDER = pd.CategoricalDtype(list(STAFF_GROUPS), ordered=True)
