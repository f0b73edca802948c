"""The raw table that loading hands to validation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class RawTable:
    """One sheet of an inventory as read, with canonical headers and provenance.

    ``frame`` holds the canonical columns that were present (values untouched,
    ``object`` dtype) plus ``source_file``, ``source_sheet`` and ``source_row``.
    """

    frame: pd.DataFrame
    file: str
    sheet: str
    kind: str
    header_row: int | None
    blank_rows: int = 0
    missing_columns: tuple[str, ...] = field(default_factory=tuple)
    hidden_rows: frozenset[int] = frozenset()
    """Data rows Excel hides (filtered out, or hidden by hand): read, and noted."""
    merged_cells: frozenset[tuple[int, str]] = frozenset()
    """(row, canonical column) cells that a merge covers, other than its first cell."""
    identities: Mapping[str, tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]] = field(
        default_factory=dict, repr=False, compare=False
    )
    """:func:`~genai_aug._cells.by_identity` of those columns of ``frame`` whose reader
    worked it out while reading (columns of pyarrow's CSV reader): the checks need not."""
    plain: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
    """Columns of ``frame`` whose reader found every cell None or plain text that reads
    as itself, on the text as read (:func:`genai_aug.loading._arrow_plain`): the checks
    need not look at each of their texts to know it (of any of their rows)."""
