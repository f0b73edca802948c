"""The exceptions genai_aug raises, and the issues table they carry.

Every problem with an input is a row in a tidy *issues* table with the columns
``file, sheet, row, column, value, code, severity, message``. Warnings travel
with results; errors are collected and raised together in one exception.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from genai_aug._columns import ISSUE_COLUMNS

__all__ = [
    "ArgumentTypeError",
    "GenAIAugError",
    "InventoryError",
    "OutputError",
    "RulesetError",
    "ScenarioError",
]


class GenAIAugError(Exception):
    """Base class of every exception genai_aug raises on bad input."""


class InventoryError(GenAIAugError, ValueError):
    """The role and task inventory has errors; :attr:`issues` lists every one.

    Parameters
    ----------
    issues : pandas.DataFrame
        The issues table (errors and any warnings found alongside them).
    """

    def __init__(self, issues: pd.DataFrame) -> None:
        self.issues = issues.reset_index(drop=True)
        errors = self.issues[self.issues["severity"] == "error"]
        shown = errors.head(20)
        lines = [f"{len(errors)} error(s) in the inventory:"]
        lines += [f"  - {msg}" for msg in shown["message"]]
        if len(errors) > len(shown):
            lines.append(f"  ... and {len(errors) - len(shown)} more: see the exception's .issues")
        super().__init__("\n".join(lines))

    @property
    def errors(self) -> pd.DataFrame:
        """The rows of :attr:`issues` whose severity is ``error``."""
        return self.issues[self.issues["severity"] == "error"].reset_index(drop=True)


class RulesetError(GenAIAugError, ValueError):
    """A ruleset file or object is invalid: names the file, the rule and what to fix."""


class ArgumentTypeError(GenAIAugError, TypeError):
    """An argument of the wrong kind: a text that is not a string, a table for an Inventory."""


class ScenarioError(GenAIAugError, ValueError):
    """A scenario file or setting is invalid: names the file, the scenario and the field."""


class OutputError(GenAIAugError, ValueError):
    """An output folder that cannot be written: a file, read-only, or in use by another run."""


def empty_issues() -> pd.DataFrame:
    """Return an issues table with no rows: the standard columns, of the dtypes a table
    with rows has (texts, and ``row`` ``Int64``), so that a table's schema, and its
    Parquet file's, does not depend on whether there were issues."""
    from genai_aug._issues import text_dtype  # (it imports this module)

    text: Any = text_dtype() or object
    return pd.DataFrame(
        {c: pd.Series(dtype="Int64" if c == "row" else text) for c in ISSUE_COLUMNS}
    )
