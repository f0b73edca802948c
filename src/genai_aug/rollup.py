"""Rolling up: the one way task figures add up to roles, staff groups and the trust.

Every table of hours, every scenario and every output (terminal, notebook, Excel,
charts, CSV) adds up through :class:`Hierarchy`, so a figure at one level is always the
sum of the figures below it. Sums add their values in sorted order
(:func:`ordered_sum`), so they do not depend on the order of the rows, bit for bit.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from genai_aug import _columns as col
from genai_aug._reference import STAFF_GROUPS

__all__ = ["AREA_LEVELS", "NO_AREA", "TRUST_LABEL", "GroupSums", "Hierarchy", "ordered_sum"]

TRUST_LABEL = "Trust total"
AREA_LEVELS = ("organisation", "icb", "region")
"""Levels above the role that an inventory can add up to: its organisations (the roles'
``trust`` column) and, with a lookup, their integrated care boards and regions."""
NO_AREA = "(not given)"

Array = np.ndarray[Any, Any]


def ordered_sum(values: Array, groups: Array, size: int | None = None) -> Array:
    """Sum ``values`` per group code (0..k-1), adding each group's values in sorted order.

    Adding in sorted order makes every total independent of the order of the rows,
    bit for bit, and the whole computation is vectorised (one sort, one reduceat).
    Groups with no values sum to 0; ``size`` pads the result to that many groups.

    Examples
    --------
    >>> ordered_sum(np.array([0.1, 0.2, 0.3, 5.0]), np.array([0, 0, 0, 2])).tolist()
    [0.6, 0.0, 5.0]
    """
    k = int(groups.max()) + 1 if len(groups) else 0
    out = np.zeros(max(k, size or 0))
    if not len(values):
        return out
    order = np.lexsort((values, groups))
    g, v = groups[order], values[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    out[g[starts]] = np.add.reduceat(v, starts)
    return out


class GroupSums:
    """:func:`ordered_sum` of many arrays of values over one grouping, laid out once.

    The grouping is laid out once, in one of two ways. With few groups (at most
    :data:`_SORTED_APART`, or up to :data:`_FEW_GROUPS` of very uneven sizes), the values
    are put in group order and each group's slice is sorted on its own. Otherwise, the
    groups are put in order of their sizes, each group's values one after another: the
    groups of one size make a (groups × size) table, and each sum places the values so
    (one gather) and sorts the rows of each table (one sort per distinct size, with no
    padding: twice as fast as one table of the largest group's width). Either way the
    groups' sorted values are added up with the same ``reduceat`` as :func:`ordered_sum`,
    over the same values in the same order: the same figures, bit for bit, several times
    faster. A grouping too uneven (many groups, and the largest far above the rest), or
    with unknown codes, or values with NaN, falls back to :func:`ordered_sum` itself.

    Examples
    --------
    >>> sums = GroupSums(np.array([2, 0, 0, 0]), 3)
    >>> sums(np.array([5.0, 0.3, 0.1, 0.2])).tolist()
    [0.6, 0.0, 5.0]
    """

    def __init__(self, groups: Array, size: int) -> None:
        self.groups, self.size = groups, size
        n = len(groups)
        counts = np.bincount(groups, minlength=size) if n and groups.min() >= 0 else None
        self.width = int(counts.max()) if counts is not None else 0
        self.segments = False
        if counts is None or len(counts) > size:
            self.order = None  # ordered_sum's own way
            return
        self.present = counts > 0
        n_present = int(np.count_nonzero(self.present))
        uneven = size * self.width > 4 * n + 4096
        if n_present > _FEW_GROUPS and uneven:
            self.order = None
            return
        self.order = np.argsort(groups, kind="stable")
        first = np.cumsum(counts) - counts
        self.starts = first[self.present]
        if n_present <= min(_SORTED_APART, _FEW_GROUPS) or (n_present <= _FEW_GROUPS and uneven):
            self.segments = True  # each group's slice of the values in group order
            self.bounds = np.r_[self.starts, n].tolist()
            return
        # the groups present, smallest first (ties in group order), each group's values
        # in their order (as self.order has them): ``values[self.layout]``
        sizes = counts[self.present]
        by_size = np.argsort(sizes, kind="stable")
        sizes = sizes[by_size]
        self.groups_laid = np.flatnonzero(self.present)[by_size]
        self.laid_starts = np.cumsum(sizes) - sizes
        of = np.repeat(np.arange(len(sizes)), sizes)  # each laid value's group (laid order)
        self.layout = self.order[self.starts[by_size][of] + (np.arange(n) - self.laid_starts[of])]
        ends = np.flatnonzero(np.r_[sizes[1:] != sizes[:-1], True])  # each size's last group
        self.tables = [
            (int(self.laid_starts[e0]), int(self.laid_starts[e] + sizes[e]), int(sizes[e]))
            for e0, e in zip(np.r_[0, ends[:-1] + 1].tolist(), ends.tolist(), strict=True)
            if sizes[e] > 2  # (x + y is y + x, to the bit: one or two values need no sort)
        ]

    def __call__(self, values: Array) -> Array:
        """Per-group sums of ``values`` (one per row of the grouping): ``ordered_sum``'s."""
        if self.order is None or np.isnan(values).any():
            return ordered_sum(values, self.groups, self.size)
        out = np.zeros(self.size)
        if not len(values):
            return out
        if self.segments:
            ordered = values[self.order]
            bounds = self.bounds
            for a, b in itertools.pairwise(bounds):
                ordered[a:b].sort()
            out[self.present] = np.add.reduceat(ordered, self.starts)
            return out
        laid = values[self.layout]
        for a, b, width in self.tables:
            laid[a:b].reshape(-1, width).sort(axis=1)
        out[self.groups_laid] = np.add.reduceat(laid, self.laid_starts)
        return out

    def count(self, flags: Array | None = None) -> Array:
        """Per-group sums of 1.0 for each value (where ``flags``), as ``self`` adds up
        ``np.ones`` (or ``flags`` as floats): a count, which ``np.bincount`` makes exactly
        (every partial sum of ones and zeros is a whole number, exact in a float)."""
        values = np.ones(len(self.groups)) if flags is None else flags.astype(float)
        if self.order is None:
            return self(values)
        kept = self.groups if flags is None else self.groups[flags.astype(bool)]
        return np.bincount(kept, minlength=self.size).astype(float)


_FEW_GROUPS = 4096
"""Most groups :class:`GroupSums` sorts one slice at a time (each a call of numpy's sort)."""
_SORTED_APART = 64
"""Groups up to which :class:`GroupSums` sorts each group's slice on its own whatever their
sizes. Past it, groups of even sizes are sorted as tables (one call of numpy's sort per
distinct size): the 2,400 organisation × staff group cells of a million-task inventory,
each summed twenty times a run, were 48,000 calls of numpy's sort (80 ms a run, now 10)."""


@dataclass(frozen=True)
class Hierarchy:
    """Roles, their staff groups and the trust: who adds up into whom.

    Attributes
    ----------
    roles : pandas.DataFrame
        The roles' information, sorted by ``role_id`` (the order of every role table).
    group_codes : numpy.ndarray
        Each role's staff group, as its position in the NHS order of staff groups.
    groups : numpy.ndarray
        The staff-group codes present, in NHS order (the rows of every staff-group table).
    """

    roles: pd.DataFrame
    group_codes: Array
    groups: Array
    areas: dict[str, tuple[Array, list[str]]] = field(default_factory=dict)
    """Per area level: each role's code and the areas' names (sorted)."""

    @classmethod
    def from_roles(cls, roles: pd.DataFrame, lookup: pd.DataFrame | None = None) -> Hierarchy:
        """The hierarchy of an inventory's roles (any order).

        Roles with a ``trust`` (organisation) add up per organisation too; ``lookup``
        (columns ``organisation`` and ``icb`` and/or ``region``) adds those levels.
        """
        info = roles.sort_values(col.ROLE_ID, kind="stable").reset_index(drop=True)
        codes = _staff_group_codes(info[col.STAFF_GROUP])
        areas: dict[str, tuple[Array, list[str]]] = {}
        if col.TRUST in info.columns and info[col.TRUST].notna().any():
            org = info[col.TRUST].astype(object).where(info[col.TRUST].notna(), NO_AREA)
            areas["organisation"] = _codes(org)
            if lookup is not None:
                table = lookup.drop_duplicates("organisation").set_index("organisation")
                for level in AREA_LEVELS[1:]:
                    if level in table.columns:
                        names = org.map(table[level].astype(object)).fillna(NO_AREA)
                        areas[level] = _codes(names)
        return cls(info, codes, np.unique(codes[codes >= 0]), areas)

    @property
    def total_label(self) -> str:
        """The label of the total row: the trust, or all the organisations of the inventory."""
        orgs = self.areas.get("organisation")
        if orgs is not None and len(orgs[1]) > 1:
            return f"Total, {len(orgs[1]):,} organisations"
        return TRUST_LABEL

    @property
    def group_names(self) -> list[str]:
        """The staff groups present, in NHS order."""
        return [STAFF_GROUPS[i] for i in self.groups]

    def role_codes(self, role_ids: pd.Series) -> Array:
        """Each row's position in :attr:`roles` (−1 for an unknown role)."""
        ids = self._role_index
        if role_ids.dtype == object and ids.dtype == object and not ids.hasnans:
            # one look-up a row in the roles' hash table, without the per-row codes and
            # distinct ids a factorize makes first (~50 MB at a million rows of text);
            # (arrow text looks up faster once per distinct id, below)
            values = role_ids.to_numpy()
            heads = _run_heads(values)
            if heads is None:
                found: Array = ids.get_indexer(pd.Index(role_ids, copy=False))
                return found
            # a role's tasks mostly stand together: one look-up per run of equal ids, each
            # run taking its first row's position (equal ids have one position)
            at_heads = ids.get_indexer(pd.Index(values[heads], dtype=object, copy=False))
            return np.repeat(at_heads, np.diff(np.r_[heads, len(values)]))
        # (ids of another type, or a role without an id: looked up once per distinct id)
        codes, uniques = pd.factorize(role_ids)
        found = ids.get_indexer(pd.Index(uniques))
        return np.append(found, -1)[codes]  # (code −1, a missing id, takes the −1 appended)

    @functools.cached_property
    def _role_index(self) -> pd.Index:
        ids: pd.Index = pd.Index(self.roles[col.ROLE_ID])
        return ids

    def tasks_to_roles(self, values: Array, role_codes: Array) -> Array:
        """Per-role sums of per-task ``values`` (roles without tasks sum to 0)."""
        return ordered_sum(values, role_codes, len(self.roles))

    def task_sums(self, role_codes: Array) -> GroupSums:
        """:meth:`tasks_to_roles` for many arrays of per-task values, laid out once."""
        return GroupSums(role_codes, len(self.roles))

    @functools.cached_property
    def _group_sums(self) -> GroupSums:
        return GroupSums(self.group_codes, len(STAFF_GROUPS))

    def roles_to_groups(self, values: Array) -> Array:
        """Per-staff-group sums of per-role ``values``, for the groups present."""
        return self._group_sums(values)[self.groups]

    def roles_to_groups_rows(self, matrix: Array, divisor: Array | None = None) -> Array:
        """Per-staff-group sums of the rows of a (roles × k) ``matrix``, for the groups present.

        Roles are added in their fixed order (staff group, role id), so the sums do not
        depend on the inventory's row order. With ``divisor`` (one per role), the sums of
        ``matrix / divisor[:, None]``, without making that matrix.
        """
        order, starts = self._group_rows
        out = np.zeros((len(starts), matrix.shape[1]))
        # A group's rows at a time (the same sums as one reduceat of all the roles' rows
        # in that order, whose copy would be as large as the matrix).
        for i, (a, b) in enumerate(zip(starts, [*starts[1:], len(order)], strict=True)):
            rows = order[a:b]
            part = matrix[rows]
            if divisor is not None:
                part /= divisor[rows, None]
            out[i] = np.add.reduceat(part, [0], axis=0)[0]
        return out

    @functools.cached_property
    def _group_rows(self) -> tuple[Array, Array]:
        """The roles of a staff group in their fixed order, and where each group starts."""
        order = np.lexsort((np.arange(len(self.roles)), self.group_codes))
        codes = self.group_codes[order]
        keep = codes >= 0
        order, codes = order[keep], codes[keep]
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        return order, starts

    def roles_to_area(self, level: str, values: Array) -> Array:
        """Per-area sums of per-role ``values`` at ``level`` (see :data:`AREA_LEVELS`).

        An area adds up as the trust does: each of its staff groups' roles, then its
        groups' sums, each in sorted order. So an organisation's figures are its trust
        total's, to the bit, whether it is alone in the inventory or among others (its
        roles added up in one sorted run differed from the trust total in the last bit).
        """
        cells, area_of_cell, n_areas = self._area_sums[level]
        return ordered_sum(cells(values), area_of_cell, n_areas)

    @functools.cached_property
    def _area_sums(self) -> dict[str, tuple[GroupSums, Array, int]]:
        """Per area level: the sums per (area, staff group) of the roles (the cells
        present, laid out once), each cell's area, and the number of areas."""
        out = {}
        n_groups = len(STAFF_GROUPS) + 1  # (a role of no known group: a cell of its own)
        for level, (codes, names) in self.areas.items():
            cell = codes.astype(np.int64) * n_groups + (self.group_codes.astype(np.int64) + 1)
            present, role_cell = np.unique(cell, return_inverse=True)
            out[level] = (
                GroupSums(role_cell.reshape(-1), len(present)),
                present // n_groups,
                len(names),
            )
        return out

    def roles_to_area_rows(self, level: str, matrix: Array, divisor: Array | None = None) -> Array:
        """Per-area sums of the rows of a (roles × k) ``matrix``, roles in their fixed order;
        with ``divisor``, of ``matrix / divisor[:, None]`` (see :meth:`roles_to_groups_rows`).

        Each area's column adds its roles' values one after another, from 0, in the roles'
        order: ``np.add.at(out, codes, matrix)``, as one ``np.bincount`` per column (which
        adds the same values in the same order, many times faster; a matrix with NaN, whose
        sign may come from either operand of an addition, still goes to ``np.add.at``).
        """
        codes, names = self.areas[level]
        return _rows_by_codes(codes, len(names), matrix, divisor)

    def roles_to_total_rows(self, matrix: Array, divisor: Array | None = None) -> Array:
        """The sum of the rows of a (roles × k) ``matrix`` (one row), roles in their fixed
        order, as :meth:`roles_to_area_rows` adds an area's: so an organisation's row, in
        any inventory, is the total row of an inventory of its roles alone, to the bit
        (the total of the staff groups' rows added up its roles in another order)."""
        return _rows_by_codes(np.zeros(len(self.roles), dtype=np.intp), 1, matrix, divisor)

    def sum_areas(self, role_values: dict[str, Array]) -> dict[str, pd.DataFrame]:
        """One table per area level: each area's sums of the per-role figures."""
        return {
            level: pd.DataFrame(
                {level: names, **{k: self.roles_to_area(level, v) for k, v in role_values.items()}}
            )
            for level, (_, names) in self.areas.items()
        }

    @functools.cached_property
    def _role_keys(self) -> pd.DataFrame:
        """The role tables' key columns, made once: every table of :meth:`sum_levels`
        shares them (their text is not made again for each scenario)."""
        return pd.DataFrame(
            {c: self.roles[c].to_numpy() for c in (col.ROLE_ID, col.ROLE_TITLE, col.STAFF_GROUP)}
        )

    @staticmethod
    def groups_to_trust(values: Array) -> float:
        """The trust's sum of per-group ``values``."""
        return float(ordered_sum(values, np.zeros(len(values), dtype=int), 1)[0])

    def sum_levels(
        self, role_values: dict[str, Array]
    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """Roles, staff groups and trust tables of per-role figures and their sums.

        The role table has the roles' key columns (id, title, staff group); the staff
        group table the group; the trust table the level label.
        """
        keys = self._role_keys
        roles = pd.DataFrame({**{c: keys[c] for c in keys.columns}, **role_values})
        group_values = {k: self.roles_to_groups(v) for k, v in role_values.items()}
        groups = pd.DataFrame({col.STAFF_GROUP: self.group_names, **group_values})
        trust = pd.DataFrame(
            {
                col.LEVEL: [self.total_label],
                **{k: [self.groups_to_trust(v)] for k, v in group_values.items()},
            }
        )
        return roles, groups, trust


def _rows_by_codes(codes: Array, n: int, matrix: Array, divisor: Array | None) -> Array:
    """Per-code sums (``n`` codes) of the rows of ``matrix`` (divided by ``divisor``),
    each code's rows added one after another from 0 in their order (see
    :meth:`Hierarchy.roles_to_area_rows`)."""
    out = np.zeros((n, matrix.shape[1]))
    if not len(codes) or codes.min() >= 0:  # (else an unknown area: not a bincount code)
        for k in range(matrix.shape[1]):
            column = matrix[:, k] if divisor is None else matrix[:, k] / divisor
            if np.isnan(column).any():  # (NaN's sign may come from either operand)
                break
            out[:, k] = np.bincount(codes, weights=column, minlength=n)
        else:
            return out
        out[:] = 0.0
    if divisor is None:
        np.add.at(out, codes, matrix)
        return out
    step = 8192  # (rows at a time, in order: the same sums as all the rows at once)
    for a in range(0, len(codes), step):
        np.add.at(out, codes[a : a + step], matrix[a : a + step] / divisor[a : a + step, None])
    return out


def _staff_group_codes(values: pd.Series) -> Array:
    """Each value's position in the NHS order of staff groups (−1 for a missing or other
    one), as the codes of a categorical of :data:`STAFF_GROUPS`; for text stored by
    pyarrow (a loaded inventory's), by pyarrow's ``index_in``, which matches the same
    strings without making a categorical of every role first (a fifth of the time)."""
    # (the type of a categorical's codes: int8 for a dozen groups)
    codes_type = pd.Categorical([], categories=list(STAFF_GROUPS)).codes.dtype
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        at = pc.index_in(
            pa.array(values.array), value_set=pa.array(list(STAFF_GROUPS), pa.string())
        )
        codes: Array = np.asarray(at.fill_null(-1).to_numpy(), dtype=codes_type)
        return codes
    # (not a categorical made of the values: one holding a group outside its categories
    # is deprecated in pandas, and will be refused; the codes are the same, -1 for those)
    among = pd.Index(list(STAFF_GROUPS), dtype=object)
    found = among.get_indexer(pd.Index(values.to_numpy(dtype=object), dtype=object))
    return found.astype(codes_type)


def _run_heads(values: Array) -> Array | None:
    """Where each run of equal neighbouring ``values`` (an object array) starts, when
    runs are long enough to save look-ups (a quarter of the rows or fewer); otherwise,
    or for values that do not compare to a plain true or false (``pd.NA``, arrays),
    None.

    Neighbours are compared with ``==``, as the roles' hash table compares ids; a value
    not equal to itself (NaN) starts a run of its own, and is looked up on its own.
    """
    n = len(values)
    if n < 2:
        return None
    try:
        same = np.asarray(values[1:] == values[:-1])
    except (TypeError, ValueError):  # (an ambiguous truth value)
        return None
    if same.dtype != bool or same.shape != (n - 1,):
        return None
    heads = np.flatnonzero(np.r_[True, ~same])
    return heads if 4 * len(heads) <= n else None


def _codes(names: pd.Series) -> tuple[Array, list[str]]:
    """Codes into the sorted distinct names."""
    codes, uniques = pd.factorize(names.astype(str), sort=True)
    return np.asarray(codes), [str(u) for u in uniques]
