"""The issue log: keyword locations, and codes that must be documented."""

from __future__ import annotations

import random
from typing import Any

import pandas as pd
import pytest

from genai_aug._columns import ISSUE_COLUMNS
from genai_aug._issues import SEVERITIES, IssueLog, _show
from genai_aug.errors import empty_issues


def test_an_issue_names_its_location_by_keyword() -> None:
    """log.error(code, message, file=..., row=...): no run of positional Nones."""
    log = IssueLog()
    log.error("missing-value", "File 'f.xlsx', row 3: empty.", file="f.xlsx", sheet="tasks", row=3)
    log.info("csv-delimiter", "File 'f.csv': read as tab-separated values.", file="f.csv")
    frame = log.to_frame().astype(object)
    frame = frame.where(frame.notna(), None)
    assert frame[["file", "sheet", "row", "code", "severity"]].to_numpy().tolist() == [
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


def _frame_by_records(log: IssueLog, batches: list[dict[str, Any]]) -> pd.DataFrame:
    """The issues table as it was built before issues were kept in batches: a record per
    issue, then pandas' stable sort (the exact path :meth:`IssueLog.to_frame` short-cuts)."""
    records = [
        {
            "file": b["file"],
            "sheet": b["sheet"],
            "row": row,
            "column": b["column"],
            "value": None if value is None else _show(value),
            "code": b["code"],
            "severity": b["severity"],
            "message": message,
        }
        for b in batches
        for message, row, value in zip(b["messages"], b["rows"], b["values"], strict=True)
    ]
    if not records:
        return empty_issues()
    df = pd.DataFrame.from_records(records, columns=list(ISSUE_COLUMNS))
    df["row"] = df["row"].astype("Int64")
    order = df.assign(_sev=df["severity"].map({s: i for i, s in enumerate(SEVERITIES)}))
    order = order.sort_values(
        ["_sev", "file", "sheet", "row", "column", "code", "message"],
        kind="stable",
        na_position="first",
    )
    return order.drop(columns="_sev").reset_index(drop=True)


@pytest.mark.parametrize("seed", range(40))
def test_the_issues_table_is_sorted_as_pandas_sorts_a_record_per_issue(seed: int) -> None:
    """Batches ranked once, messages compared only among ties: the same table, values and
    dtypes, as sorting a record per issue (missing rows, sheets and columns, ties on every
    key but the message, identical issues, every value missing, no issue at all)."""
    rng = random.Random(seed)
    codes = ["missing-value", "not-a-number", "zero-hours", "unknown-role", "csv-delimiter"]
    batches = []
    for _ in range(rng.randint(0, 12)):
        n = rng.randint(0, 6)
        batches.append(
            {
                "severity": rng.choice(SEVERITIES),
                "code": rng.choice(codes),
                "file": rng.choice(["b.csv", "a.csv", "ä.xlsx", "A.csv"]),
                "sheet": rng.choice([None, "roles", "tasks", "Roles"]),
                "column": rng.choice([None, "fte", "task", "column B"]),
                "rows": [rng.choice([None, -1, 0, 2, 3, 10, 11]) for _ in range(n)],
                "values": [rng.choice([None, "x", 7.5, "é" * 300]) for _ in range(n)]
                if rng.random() < 0.8
                else [None] * n,
                "messages": [rng.choice(["b", "a", "B", "a b", "é", "ab"]) for _ in range(n)],
            }
        )
    log = IssueLog()
    for b in batches:
        log.add_many(
            b["severity"],
            b["code"],
            b["messages"],
            file=b["file"],
            sheet=b["sheet"],
            rows=b["rows"],
            column=b["column"],
            values=b["values"],
        )
    pd.testing.assert_frame_equal(
        log.to_frame(), _frame_by_records(log, batches), check_dtype=True, check_exact=True
    )
    assert log.has_errors == any(b["severity"] == "error" and b["messages"] for b in batches)
