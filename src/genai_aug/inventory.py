"""The validated inventory and the types around it.

Scoring, the pipeline and the public API take an :class:`Inventory`; they import it
from here, not from :mod:`genai_aug.validating`, which builds one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

__all__ = ["DEFAULT_CONTRACTED_HOURS", "ErrorMode", "Inventory", "ValidationOptions"]

DEFAULT_CONTRACTED_HOURS = 37.5
ErrorMode = Literal["raise", "reject"]


@dataclass(frozen=True)
class ValidationOptions:
    """Thresholds used by validation (all documented in ``docs/input-format.md``)."""

    hours_tolerance: float = 0.05
    """A role's task hours may exceed its contracted hours by this share with a warning only."""
    default_contracted_hours: float = DEFAULT_CONTRACTED_HOURS
    categories: tuple[tuple[str, str], ...] = ()
    """The ruleset's categories as (id, label): a ``category_override`` must name one of
    them (by id or label, in any case). Empty: overrides are checked when scoring."""


@dataclass(frozen=True, repr=False)
class Inventory:
    """A validated role and task inventory.

    Attributes
    ----------
    roles : pandas.DataFrame
        One row per role, canonical columns (see ``docs/input-format.md``) plus
        ``source_file``, ``source_sheet`` and ``source_row``.
    tasks : pandas.DataFrame
        One row per task, with ``hours_per_week`` for one whole-time post.
    issues : pandas.DataFrame
        Every warning, note and (with ``errors="reject"``) rejected row.
    source : str
        What was read: a file path or ``<DataFrame>``.
    rows_read : dict
        Non-blank data rows read per sheet (``{"roles": n, "tasks": m}``).
    rows_rejected : dict
        Rows moved to the issues table per sheet (always 0 with ``errors="raise"``).
    """

    roles: pd.DataFrame
    tasks: pd.DataFrame
    issues: pd.DataFrame
    source: str
    rows_read: dict[str, int] = field(default_factory=dict)
    rows_rejected: dict[str, int] = field(default_factory=dict)
    blank_rows: dict[str, int] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"Inventory(source={self.source!r}, roles={len(self.roles)}, tasks={len(self.tasks)}, "
            f"issues={len(self.issues)})"
        )
