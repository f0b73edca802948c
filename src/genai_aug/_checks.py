"""The checks validation runs, one row each: what is flagged, where, and what it says.

This module is the table a reviewer reads to know what genai_aug checks in an
inventory. Each :class:`Check` names its issue ``code``, ``severity``, ``sheet`` and
``column``; its ``test`` is vectorised over the whole sheet (True on each row to flag);
its ``message`` is the sentence written for a flagged row, with ``{fields}`` filled in
from that row (see :data:`FIELDS`). :mod:`genai_aug.validating` runs the table in
order: an error sets its row aside, and a check that asks for ``~r.bad`` sees the rows
set aside by the checks above it. The issue codes (:data:`genai_aug._issues.ISSUE_CODES`)
and the table in ``docs/errors.md`` are derived from this table.
"""

from __future__ import annotations

import difflib
import itertools
import re
import string
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from genai_aug import _columns as col
from genai_aug._cells import (
    INVISIBLE,
    WHY_NOT_A_NUMBER,
    NumberKind,
    ParsedNumbers,
    _fresh,
    _identities,
    blank,
    by_identity,
    parse_numbers,
    plain_text,
    show_cell,
    text,
)
from genai_aug._matching import MAX_TEXT_CHARS
from genai_aug._raw import RawTable
from genai_aug._reference import BANDS, canonical_band, canonical_staff_group, suggest_staff_groups
from genai_aug.inventory import ValidationOptions

Severity = Literal["error", "warning", "info"]

MAX_HOURS_PER_WEEK = 168.0
MAX_STAFF = 10_000_000.0
"""Largest FTE or headcount of one role: more than the whole NHS employs."""
HOURS_NOT_LISTED_SLACK = 0.05
"""Task hours this far under the contracted hours (rounding) raise no 'hours-not-listed'."""
TOTALS_WORDS = frozenset({"total", "totals", "grand total", "sub total", "subtotal", "sum"})
"""A role id (or, with no id, a title or task) that says the row is the sheet's own total."""

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

ANY_SHEET: Final = "any"
EVERY_COLUMN: Final = "*"
"""A check of each column of the sheet (other than provenance), one issue per cell."""

CONSTANTS: Final[dict[str, object]] = {
    "max_hours": MAX_HOURS_PER_WEEK,
    "max_staff": MAX_STAFF,
    "max_text": MAX_TEXT_CHARS,
    "medical_grades": ", ".join(BANDS[12:16]),
}
"""Fixed values a message may name; the docs show them filled in."""


@dataclass(frozen=True)
class Check:
    """One check of the table: the issue it raises, where, when, and what it says.

    ``test(r, column)`` returns, for the sheet's rows ``r`` (a :class:`Rows`), True on
    each row to flag; ``message`` is a :meth:`str.format` template whose fields are
    :data:`CONSTANTS` or :data:`FIELDS`, filled in for the flagged rows only. Errors set
    their rows aside (``rejects``); so does ``totals-row``, a warning.
    """

    code: str
    severity: Severity
    sheet: str
    """``roles``, ``tasks`` or ``any``."""
    column: str | None
    """The cell flagged: a canonical column, :data:`EVERY_COLUMN`, or None for the row."""
    test: Callable[[Rows, str], Any]
    message: str
    sets_aside: bool | None = None
    """Whether a flagged row is left out of the inventory (default: errors are)."""

    @property
    def rejects(self) -> bool:
        return self.severity == "error" if self.sets_aside is None else self.sets_aside

    @property
    def fields(self) -> tuple[str, ...]:
        """The names the message fills in per row (constants excluded)."""
        names = (f for _, f, _, _ in string.Formatter().parse(self.message) if f)
        return tuple(dict.fromkeys(n for n in names if n not in CONSTANTS))

    @cached_property
    def template(self) -> str:
        """The message with :data:`CONSTANTS` filled in: what the docs show."""
        return fill_constants(self.message)

    def fill(
        self, columns: Sequence[Sequence[object]], before: Sequence[Iterable[str]] = ()
    ) -> list[str]:
        """The message of each flagged row: ``columns[i]`` holds field ``fields[i]``'s values.

        The same texts as ``template.format(**dict(zip(fields, row)))`` for each row, each
        field value formatted once per distinct value (see :func:`_formatted`), and each
        message joined once from its pieces. ``before``: pieces (a text per row) put in
        front of each message.
        """
        n = len(columns[0]) if columns else 1
        pieces = [
            itertools.repeat(p, n) if isinstance(p, str) else p
            for p in [*before, *self._pieces(columns)]
        ]
        if not pieces:
            return [""] * n
        return list(map("".join, zip(*pieces, strict=True)))

    def fill_arrow(self, columns: Sequence[Sequence[object]], before: Sequence[Any] = ()) -> Any:
        """The texts of :meth:`fill`, as one Arrow ``large_string`` array.

        Each field's values are formatted as :meth:`fill` formats them; the messages are
        joined by Arrow, row by row, rather than as a Python text each. ``before``: texts
        put in front of each message, each a text (the same for every row) or an Arrow
        array. Raises ``UnicodeEncodeError`` for a text Arrow cannot hold (a lone
        surrogate), so that the caller can join the messages in Python instead.
        """
        import pyarrow as pa  # type: ignore[import-untyped]
        import pyarrow.compute as pc  # type: ignore[import-untyped]

        text = pa.large_string()
        raw = [*before, *self._pieces(columns, distinct=True)]
        if all(isinstance(p, str) for p in raw):  # the same text on every row
            n = len(columns[0]) if columns else 1
            return pa.array(["".join(raw)] * n, type=text)
        pieces = [
            pa.scalar(p, type=text)
            if isinstance(p, str)
            else p
            if isinstance(p, pa.Array)
            else pa.array(p[0], type=text).take(p[1])  # (each distinct text converted once)
            if isinstance(p, tuple)
            else pa.array(p, type=text)
            for p in raw
        ]
        return pc.binary_join_element_wise(*pieces, pa.scalar("", type=text))

    def _pieces(self, columns: Sequence[Sequence[object]], distinct: bool = False) -> list[Any]:
        """The message's pieces in order: a literal text, or a field's formatted values.

        ``distinct``: a field formatted once per distinct value is given as its distinct
        texts and, per row, the place of its text among them (see :func:`_formatted`).
        """
        index = {name: i for i, name in enumerate(self.fields)}
        pieces: list[Any] = []
        for literal, name, spec, conversion in string.Formatter().parse(self.template):
            if literal:
                pieces.append(literal)
            if name is not None:
                texts, inverse = _formatted(columns[index[name]], spec or "", conversion)
                if inverse is None:
                    pieces.append(texts)
                elif distinct:
                    pieces.append((texts, inverse))
                else:
                    pieces.append(texts[inverse])
        return pieces


_CONVERSIONS: Final[dict[str | None, Callable[[object], object]]] = {
    None: lambda v: v,
    "r": repr,
    "s": str,
    "a": ascii,
}


def _formatted(
    values: Sequence[object], spec: str, conversion: str | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """``format(conversion(v), spec)`` of each value, as an object array of texts.

    Texts given as they are (what an empty format does to a text); floats of one type
    formatted once per distinct bit pattern (so -0.0 is not taken for 0.0); texts and
    whole numbers once per distinct value; anything else once per row. Returned as
    ``(texts, None)``, a text per value, or ``(distinct, inverse)``: the value's text is
    ``distinct[inverse[i]]``.
    """
    convert = _CONVERSIONS[conversion]
    if isinstance(values, np.ndarray) and values.dtype == np.float64:
        kinds: set[type] = {np.float64} if len(values) else set()  # (each item one)
    else:
        kinds = set(map(type, values))
    if kinds == {str} and not spec and conversion is None:
        return np.array(values, dtype=object), None
    if len(kinds) == 1 and kinds <= {float, np.float64}:
        bits = np.array(values, dtype=np.float64).view(np.int64)
        _, first, inverse = np.unique(bits, return_index=True, return_inverse=True)
        shown = np.array([format(convert(values[i]), spec) for i in first], dtype=object)
        return shown, inverse.reshape(-1)
    done: dict[tuple[object, ...], str] = {}
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        if type(v) is str or type(v) is int:
            key = (type(v), v)
            hit = done.get(key)
            if hit is None:
                hit = done[key] = format(convert(v), spec)
            out[i] = hit
        else:
            out[i] = format(convert(v), spec)
    return out, None


def fill_constants(template: str) -> str:
    """``template`` with the fields named in :data:`CONSTANTS` formatted in place."""
    out = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        out.append(literal.replace("{", "{{").replace("}", "}}"))
        if name is None:
            continue
        if name in CONSTANTS:
            value: object = CONSTANTS[name]
            value = repr(value) if conversion == "r" else value
            out.append(format(value, spec or ""))
        else:
            conv = f"!{conversion}" if conversion else ""
            out.append("{" + name + conv + (f":{spec}" if spec else "") + "}")
    return "".join(out)


# --------------------------------------------------------------------------- the sheet's rows


def _parse_bool(v: object) -> bool | None:
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


_WORD_CHARACTER = re.compile("[a-z0-9]")


def _is_total_label(value: str) -> str:
    """``"x"`` for a label whose words are a totals word, else ``"-"``."""
    low = value.lower()
    if "total" not in low and "sum" not in low:
        return "-"
    return "x" if _words(value) in TOTALS_WORDS else "-"


def _words(value: str) -> str:
    """A cell folded for the totals test: lower case, punctuation as spaces (digits kept)."""
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", value.lower()).split())


def _total_words(value: str) -> str:
    """``"x"`` for a cell whose words are a totals word, ``""`` for one with no words, else "-".

    Digits are kept: "SUM1" and "Total-2" are ids, not totals; "Total:" is a total.
    Every totals word holds "total" or "sum", so a cell without either is only asked
    whether it has a word at all.
    """
    low = value.lower()
    if "total" not in low and "sum" not in low:
        return "-" if _WORD_CHARACTER.search(low) else ""
    words = _words(value)
    return "x" if words in TOTALS_WORDS else ("-" if words else "")


_VISIBLE_ASCII = bytes(b for b in range(128) if not INVISIBLE.match(chr(b)))
"""The ASCII characters :data:`INVISIBLE` does not match."""


def _may_say_total(texts: pd.Series) -> bool:
    """Whether some text cell holds "total" or "sum" in any case (every totals word does).

    One search of the column joined, lower-cased: a cell without either word is no
    totals label (:func:`_is_total_label`) nor totals id (:func:`_total_words`).
    """
    values = texts.to_numpy(dtype=object)
    try:
        joined = "\x00".join(values)
    except TypeError:  # blanks (None), or other cells
        joined = "\x00".join(v for v in values if isinstance(v, str))
    low = joined.lower()
    return "total" in low or "sum" in low


_NOT_WORD_NOR_NUL = bytes(
    b for b in range(1, 256) if chr(b) not in string.ascii_lowercase + string.digits
)


def _all_words_none_total(texts: pd.Series) -> bool:
    """Whether every cell is ASCII text with a letter or digit and without "total" or "sum".

    Then :func:`_total_words` reads each cell as "-" (no totals id), and no row is a
    totals row whatever its label. Tested on the column joined, without a Python step
    per cell.
    """
    values = texts.to_numpy(dtype=object)
    try:
        joined = "\x00".join(values)
    except TypeError:  # a blank id (None), or another cell
        return False
    if not joined.isascii() or joined.count("\x00") != len(values) - 1:
        return False
    low = joined.lower()
    if "total" in low or "sum" in low:
        return False
    # what is left of each cell's letters and digits, between NULs: none left is ""
    words = low.encode("ascii").translate(None, _NOT_WORD_NOR_NUL)
    return not (
        words in (b"", b"\x00")
        or words.startswith(b"\x00")
        or words.endswith(b"\x00")
        or b"\x00\x00" in words
    )


def _distinct_strings(series: pd.Series, func: Callable[[str], object], other: object) -> Any:
    """``func`` of each distinct text cell (``other`` for every other cell), as an array.

    Only right for a ``func`` of text: a non-text cell is never passed, so factorizing
    (which treats 1, 1.0 and True as one value) cannot mix text with anything else.
    """
    values = series.to_numpy(dtype=object)
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # an unhashable cell (a list in a DataFrame)
        return np.array([func(v) if isinstance(v, str) else other for v in values], dtype=object)
    done = [func(u) if isinstance(u, str) else other for u in uniques]
    table = np.array([*done, other], dtype=object)  # code -1 (missing) takes the last
    return table[codes]


def _texts_as_array(values: Any) -> Any:
    """A set of texts as an object array, which ``Series.isin`` looks the cells up in as it
    is (a set's texts it makes a pyarrow array first, which took three times as long as
    the lookup); any other values as they are."""
    if isinstance(values, set | frozenset) and all(type(v) is str for v in values):
        return np.array(list(values), dtype=object)
    return values


def _blanks_are_none(distinct: np.ndarray) -> bool:
    """Whether every missing value among ``distinct`` objects is None itself."""
    return bool((pd.isna(distinct) == (_identities(distinct) == id(None))).all())


class Rows:
    """One sheet's rows as the checks see them: raw cells and what they read as.

    Everything is computed once, for the whole sheet, when a check first asks;
    ``bad`` is the rows set aside so far (every row, when a required column is
    missing: loading has reported the column).
    """

    def __init__(
        self,
        table: RawTable,
        opts: ValidationOptions,
        roles: Rows | None = None,
        texts: dict[str, pd.Series] | None = None,
        plain: set[str] | None = None,
    ) -> None:
        self.table = table
        self.frame = table.frame
        self.opts = opts
        self.roles = roles
        """For the tasks sheet: the roles sheet's rows."""
        self.tasks: Rows | None = None
        """For the roles sheet, once the tasks are checked: the tasks sheet's rows."""
        self.bad = pd.Series(bool(table.missing_columns), index=self.frame.index)
        self.checkable = ~self.bad
        """The rows no row check set aside (validate sets it before the checks of hours)."""
        self.flagged: dict[tuple[str, str], pd.Series] = {}
        self.texts: dict[str, pd.Series] = dict(texts or {})
        """The columns read as text so far (see :meth:`text`)."""
        self.plain: set[str] = set(plain or ())
        """Columns found to be plain text and blanks (see :meth:`has_invisible`): their
        texts are the cells as read, and their blank cells the missing ones."""
        self._numbers: dict[str, ParsedNumbers] = {}
        self._totals: dict[str, pd.Series] = {}
        self._missing: dict[str, pd.Series] = {}
        self._objects: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._raw_objects = table.identities
        self.increasing: set[str] = set()
        """Columns whose texts :meth:`duplicated` found each greater than the one before
        (all text, none missing): so they are in the rows kept, in order."""
        """:func:`~genai_aug._cells.by_identity` of raw columns, where the reader knew it."""

    # --- cells ---------------------------------------------------------------------------

    def present(self, name: str) -> bool:
        return name in self.frame.columns

    def raw(self, name: str) -> pd.Series:
        """The cells of ``name`` as read (all None when the column is absent)."""
        if name in self.frame.columns:
            return self.frame[name]
        return pd.Series([None] * len(self.frame), index=self.frame.index, dtype=object)

    def cells(self, name: str | None, idx: np.ndarray) -> Sequence[object]:
        """The raw cells of ``name`` at positions ``idx`` (None when absent)."""
        if name is None or name not in self.frame.columns:
            return [None] * len(idx)
        series = self.frame[name]
        if series.dtype == object:
            return list(series.to_numpy()[idx])
        return [series.iat[i] for i in idx]

    def text(self, name: str) -> pd.Series:
        """Cells as text: invisibles removed, spaces folded, blanks missing."""
        if name not in self.texts:
            if self.present(name):
                self.texts[name] = text(self.raw(name))
            else:  # every cell None, as text() reads it
                none = np.full(len(self.frame), None, dtype=object)
                self.texts[name] = pd.Series(none, index=self.frame.index, dtype=object)
        return self.texts[name]

    def missing(self, name: str) -> pd.Series:
        """``text(name).isna()``: the cells with no text.

        A text is a str or None (:func:`genai_aug._cells.text` makes every other missing
        value None), so the Nones are found by address, not by a look at each cell.
        """
        if name not in self._missing:
            texts = self.text(name)
            found = _identities(texts.to_numpy(dtype=object)) == id(None)
            self._missing[name] = _fresh(found, texts.index)
        return self._missing[name]

    def objects(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """:func:`~genai_aug._cells.by_identity` of ``text(name)``: which distinct object
        each cell's text is, and those objects (worked out once per column)."""
        if name not in self._objects:
            known = self._raw_objects.get(name)
            if known is not None and name in self.plain and _blanks_are_none(known[1]):
                # the texts of a plain column are its cells, its blanks made None: the
                # cells' objects, when every blank one is None already
                codes, distinct = known
            else:
                codes, distinct = by_identity(self.text(name).to_numpy(dtype=object))
            if len(codes) < 2**31:  # (kept while the sheet is checked: half the memory)
                codes = codes.astype(np.int32, copy=False)
            self._objects[name] = (codes, distinct)
        return self._objects[name]

    def distinct(self, name: str) -> pd.Series:
        """The distinct objects of ``text(name)`` (by identity: equal texts may each be
        kept), in the order they first appear: what holds of them holds of every cell."""
        return pd.Series(self.objects(name)[1], dtype=object)

    def text_isin(self, name: str, values: Any) -> pd.Series:
        """``text(name).isin(values)``, each distinct object of the column looked up once."""
        found = self.distinct(name).isin(_texts_as_array(values)).to_numpy(dtype=bool)
        return _fresh(found[self.objects(name)[0]], self.text(name).index)

    def duplicated(self, name: str) -> pd.Series:
        """``text(name).duplicated(keep="first")``.

        Ids are often in order already: texts each greater than the one before are all
        different, which one pass of comparisons shows without hashing every text.
        """
        texts = self.text(name)
        if len(texts) >= 2 and not self.missing(name).any():  # (all str)
            values = texts.to_numpy(dtype=object)
            if (values[1:] > values[:-1]).all():
                self.increasing.add(name)
                return pd.Series(False, index=texts.index)
        return texts.duplicated(keep="first")

    def blank(self, name: str) -> pd.Series:
        """True on each empty cell of a column that is there (False if it is absent)."""
        if not self.present(name):
            return pd.Series(False, index=self.frame.index)
        if name in self.plain:  # what blank() finds in such a column, without looking again
            return pd.Series(self.missing(name).to_numpy(), index=self.frame.index)
        return blank(self.raw(name))

    def merged(self, name: str) -> pd.Series:
        """True on each cell a merged range covers (other than its first)."""
        merged = {row for row, column in self.table.merged_cells if column == name}
        return self.frame[col.SOURCE_ROW].isin(merged) if merged else self.none

    @cached_property
    def none(self) -> pd.Series:
        return pd.Series(False, index=self.frame.index)

    def parsed(self, name: str) -> ParsedNumbers:
        if name not in self._numbers:
            if self.present(name):
                self._numbers[name] = parse_numbers(
                    self.raw(name), NUMBER_KINDS.get(name, "count"), self._raw_objects.get(name)
                )
            else:  # every cell None: no number, no problem, as parse_numbers reads it
                index = self.frame.index
                nothing = pd.Series("", index=index, dtype=object)  # (one Series: read only)
                self._numbers[name] = ParsedNumbers(
                    pd.Series(np.nan, index=index, dtype="float64"),
                    nothing,
                    nothing,
                    any_normalised=False,
                    known_bad=pd.Series(False, index=index),
                )
        return self._numbers[name]

    def number(self, name: str) -> pd.Series:
        """The column read as numbers (NaN where blank or not a number)."""
        return self.parsed(name).numbers

    def not_a_number(self, name: str) -> pd.Series:
        return self.parsed(name).bad

    def normalised(self, name: str, how: str | None = None) -> pd.Series:
        """Cells read by a documented normalisation (``how``: "duration", "percent", or
        ``None`` for the rest: a unit or a decimal comma dropped)."""
        parsed = self.parsed(name)
        if not parsed.any_normalised:
            return self.none
        reading = parsed.normalisation
        if how is not None:
            return reading == how
        return (reading != "") & ~reading.isin(["duration", "percent"])

    def longer_than(self, name: str, limit: int) -> pd.Series:
        """True on each text of ``name`` longer than ``limit`` characters (as ``str.len()``)."""
        codes, distinct = self.objects(name)
        lengths = np.full(len(distinct), -1, dtype=np.int64)
        texts = _identities(distinct) != id(None)  # (a text is a str or None)
        lengths[texts] = np.fromiter(map(len, distinct[texts]), np.int64, int(texts.sum()))
        return _fresh((lengths > limit)[codes], self.frame.index)

    @cached_property
    def hidden(self) -> pd.Series:
        if not self.table.hidden_rows:
            return self.none
        return self.frame[col.SOURCE_ROW].isin(self.table.hidden_rows)

    def has_invisible(self, name: str) -> pd.Series:
        cells = self.frame[name]
        known = self._raw_objects.get(name)
        plain = plain_text(cells, known, vouched=name in self.table.plain)
        if plain is not None:  # plain text holds no invisible character; keep it as read
            self.texts.setdefault(name, plain)
            self.plain.add(name)
            return self.none
        # (where the reader knows the column's distinct objects, only they are looked at:
        # a column of numbers holds a few dozen)
        values = cells.to_numpy(dtype=object) if known is None else known[1]
        try:
            joined = "".join(values)
        except TypeError:  # not all text
            joined = "".join(v for v in values if isinstance(v, str))
        # one search of the whole column, usually enough (ASCII text as bytes, at C speed)
        if not (
            joined.encode("ascii").translate(None, _VISIBLE_ASCII)
            if joined.isascii()
            else INVISIBLE.search(joined)
        ):
            return self.none
        if known is not None:
            codes, distinct = known
            found = np.fromiter(
                (isinstance(v, str) and INVISIBLE.search(v) is not None for v in distinct),
                dtype=bool,
                count=len(distinct),
            )[codes]
        else:
            found = _distinct_strings(cells, lambda v: INVISIBLE.search(v) is not None, False)
        return _fresh(found.astype(bool), self.frame.index)

    def totals(self, label: str) -> pd.Series:
        """Rows that are the sheet's own totals: "Total" as the id, or with no id as ``label``."""
        if label not in self._totals:
            ids = self.distinct(col.ROLE_ID)
            if (
                self.frame.empty
                or _all_words_none_total(ids)
                or not (_may_say_total(ids) or _may_say_total(self.distinct(label)))
            ):
                self._totals[label] = self.none
            else:
                ids = _distinct_strings(self.text(col.ROLE_ID), _total_words, "")
                labels = _distinct_strings(self.text(label), _is_total_label, "")
                is_total = (ids == "x") | ((ids == "") & (labels == "x"))
                self._totals[label] = _fresh(is_total.astype(bool), self.frame.index)
        return self._totals[label]

    # --- what the rows read as -------------------------------------------------------------

    @cached_property
    def id(self) -> pd.Series:
        return self.text(col.ROLE_ID)

    @cached_property
    def task(self) -> pd.Series:
        return self.text(col.TASK)

    @cached_property
    def group_text(self) -> pd.Series:
        return self.text(col.STAFF_GROUP)

    @cached_property
    def staff_group(self) -> pd.Series:
        return self.text_read_as(col.STAFF_GROUP, canonical_staff_group)

    @cached_property
    def band_text(self) -> pd.Series:
        return self.text(col.BAND)

    @cached_property
    def band(self) -> pd.Series:
        return self.text_read_as(col.BAND, canonical_band)

    def text_read_as(self, name: str, read: Callable[[str], object]) -> pd.Series:
        """``text(name).map({t: read(t) for each text t}, na_action="ignore")``, each
        distinct object of the column mapped once and the results taken for its rows
        (of the same dtype: the same mapping, made of the same texts)."""
        codes, distinct = self.objects(name)
        lookup = {v: read(v) for v in distinct if v is not None}
        mapped = pd.Series(distinct, dtype=object).map(lookup, na_action="ignore")
        texts = self.text(name)
        return pd.Series(mapped.array.take(codes), index=texts.index, name=texts.name, copy=False)

    @cached_property
    def fte(self) -> pd.Series:
        return self.number(col.FTE)

    @cached_property
    def headcount(self) -> pd.Series:
        return self.number(col.HEADCOUNT)

    @cached_property
    def contracted(self) -> pd.Series:
        """A role's contracted hours (the default where blank); a task's, from its role."""
        if self.roles is None:
            return self.number(col.CONTRACTED_HOURS).fillna(self.opts.default_contracted_hours)
        # the hours of the first role row with the task's id, as mapping the ids to the
        # roles' hours, duplicated ids dropped, finds them (NaN: no such role), each
        # distinct object of the ids looked up once
        per_role = np.append(self.roles.contracted.to_numpy(dtype="float64"), np.nan)
        hours = per_role[self.role_row]  # (-1, no role, takes the NaN at the end)
        return _fresh(hours[self.objects(col.ROLE_ID)[0]], self.id.index)

    @cached_property
    def role_ids_numbered(self) -> tuple[np.ndarray, np.ndarray, int]:
        """For the tasks sheet: the roles' ids and the distinct objects of the tasks' role
        ids, numbered together, each text its number (one factorize of both; -1 for
        None): ``(numbers of the roles' ids, numbers of the objects, how many texts)``.

        Every lookup of a task's role (is there one, its hours) and of a role's tasks
        (has it any, their hours) reads these numbers, not the texts.
        """
        assert self.roles is not None
        among = self.roles.id.to_numpy(dtype=object)
        distinct = self.objects(col.ROLE_ID)[1]
        numbers, texts = pd.factorize(np.concatenate([among, distinct]), use_na_sentinel=True)
        return numbers[: len(among)], numbers[len(among) :], len(texts)

    @cached_property
    def role_row(self) -> np.ndarray:
        """For the tasks sheet: for each distinct object of the role ids, the first row of
        the roles sheet with that id (-1: none, or no id)."""
        of_roles, of_objects, n = self.role_ids_numbered
        first = np.full(n + 1, -1, dtype=np.intp)  # (the last: None's number, -1)
        first[of_roles[::-1]] = np.arange(len(of_roles) - 1, -1, -1)  # the last write: the first
        first[-1] = -1
        found: np.ndarray = first[of_objects]
        return found

    @cached_property
    def known_role(self) -> pd.Series:
        """For the tasks sheet: whether a role has the row's id (``text_isin`` of the
        roles' ids, without None)."""
        return _fresh((self.role_row >= 0)[self.objects(col.ROLE_ID)[0]], self.frame.index)

    @cached_property
    def percent(self) -> pd.Series:
        return self.number(col.PERCENT_OF_TIME)

    @cached_property
    def hours(self) -> pd.Series:
        """Hours per week, as given or as a percentage of the role's contracted hours."""
        given = self.number(col.HOURS_PER_WEEK)
        from_pct = given.isna() & self.percent.notna() & ~self.not_a_number(col.HOURS_PER_WEEK)
        return given.where(~from_pct, self.percent / 100.0 * self.contracted)

    @cached_property
    def facing(self) -> pd.Series:
        """Yes/no cells as booleans (missing where blank or not yes/no)."""
        if not self.present(col.PATIENT_FACING):
            return pd.Series(pd.NA, index=self.frame.index, dtype="boolean")
        cells = self.raw(col.PATIENT_FACING)
        if cells.dtype != object:
            return cells.map(_parse_bool).astype("boolean")
        # each distinct object read once (a column of yes and no holds a few), and the
        # booleans built as astype("boolean") builds them: True, False, or None missing
        codes, distinct = self._raw_objects.get(col.PATIENT_FACING) or by_identity(cells.to_numpy())
        read = [_parse_bool(v) for v in distinct]
        true = np.array([v is True for v in read], dtype=bool)[codes]
        unknown = np.array([v is None for v in read], dtype=bool)[codes]
        return _fresh(pd.arrays.BooleanArray(true, unknown), self.frame.index)

    @cached_property
    def override(self) -> pd.Series:
        return self.text(col.CATEGORY_OVERRIDE)

    @cached_property
    def given_id(self) -> pd.Series:
        """Task ids as given (missing where the sheet gives none)."""
        return self.text(col.TASK_ID)

    def first_row(self, key: pd.Series) -> pd.Series:
        """The source row of the first row with the same ``key``."""
        return self.frame[col.SOURCE_ROW].groupby(key).transform("first").astype("Int64")

    @cached_property
    def first_row_of_id(self) -> pd.Series:
        return self.first_row(self.id)

    @cached_property
    def first_row_of_task_id(self) -> pd.Series:
        return self.first_row(self.given_id)

    @property
    def task_cells(self) -> tuple[pd.Series, ...]:
        """What a task row says its task is: role, text, hours, percent of time, patient
        facing and override. Two tasks with no id alike in all of them are copies; ids made
        for a role's tasks follow this order (then the source row)."""
        return (self.id, self.task, self.hours, self.percent, self.facing, self.override)

    @cached_property
    def copy_key(self) -> pd.Series:
        """For a task with no id of its own: role, text, hours and the rest, as one key."""
        candidates = ~self.bad & self.missing(col.TASK_ID) & ~self.missing(col.TASK)
        if candidates.sum() < 2:
            return pd.Series(None, index=self.frame.index, dtype=object)
        rows = candidates.to_numpy()
        parts = [c[rows].astype(object).map(repr) for c in self.task_cells]
        key = parts[0]
        for part in parts[1:]:
            key = key + "\x1f" + part
        return key.reindex(self.frame.index)

    @cached_property
    def copy_of_earlier(self) -> pd.Series:
        """``copy_key.notna() & copy_key.duplicated(keep="first")``: a task with the same key
        as an earlier row. Only the rows with a key are looked at (a row with none is no
        copy, and no key equals None): a sheet with task ids has none to hash."""
        key = self.copy_key
        present = key.notna().to_numpy()
        found = np.zeros(len(key), dtype=bool)
        if present.sum() >= 2:
            found[present] = key[present].duplicated(keep="first").to_numpy()
        return _fresh(found, self.frame.index)

    @cached_property
    def first_row_of_copy(self) -> pd.Series:
        return self.first_row(self.copy_key)

    # --- the hours of a role's tasks (after the tasks are checked) ----------------------

    @cached_property
    def task_hours(self) -> pd.Series:
        assert self.tasks is not None
        # summed by role: the rows grouped by the number of their role id (worked out
        # once per distinct object, numbered with the roles' ids), which sums each role's
        # hours in the same order as grouping by the ids themselves does, without
        # hashing a million texts
        of_roles, of_objects, n = self.tasks.role_ids_numbered
        role = of_objects[self.tasks.objects(col.ROLE_ID)[0]]
        ok = ~self.tasks.bad.to_numpy() & (role >= 0)
        sums = self.tasks.hours[ok].groupby(role[ok]).sum()
        # each role's sum at its id's number, as mapping the ids to the sums finds it; 0
        # where there is none, as fillna(0.0) makes it
        per_id = np.full(n + 1, np.nan)  # (the last: None's number, -1)
        per_id[sums.index.to_numpy()] = sums.to_numpy()
        hours = per_id[of_roles]
        hours[np.isnan(hours)] = 0.0
        # + 0.0: a role whose hours are all "-0" sums to 0, not -0 (pandas' sum of -0.0
        # alone gives either, by the path it takes, so the message would depend on it)
        return pd.Series(hours, index=self.id.index, name=self.id.name) + 0.0

    @cached_property
    def gap(self) -> pd.Series:
        return self.contracted.astype(float) - self.task_hours.astype(float)

    def over_contract(self, share: float) -> pd.Series:
        """Roles whose tasks' hours exceed their contracted hours by more than ``share``."""
        return self.checkable & (self.task_hours > self.contracted * (1 + share) + 1e-9)

    @cached_property
    def has_tasks(self) -> pd.Series:
        """Roles with a task on the tasks sheet (rejected ones too)."""
        assert self.tasks is not None
        # a role's id numbered as some task's is (None is no id: -1, never a task's)
        of_roles, of_objects, n = self.tasks.role_ids_numbered
        used = np.zeros(n + 1, dtype=bool)
        used[of_objects] = True
        used[-1] = False
        return pd.Series(used[of_roles], index=self.id.index, name=self.id.name, copy=False)

    @property
    def tasks_usable(self) -> bool:
        """Whether the tasks sheet has its required columns."""
        assert self.tasks is not None
        return not self.tasks.table.missing_columns

    @cached_property
    def has_rejected_task(self) -> pd.Series:
        assert self.tasks is not None
        return self.id.isin(_texts_as_array(set(self.tasks.id[self.tasks.bad].dropna())))

    def ids_flagged(self, code: str, severity: str) -> set[object]:
        mask = self.flagged.get((code, severity))
        return set() if mask is None else set(self.id[mask])


# --------------------------------------------------------------------------- fields


def _field(name: str) -> Callable[[Rows, str, np.ndarray], Sequence[object]]:
    """A field that is a named series of the rows (``r.<name>``), at the flagged rows."""

    def get(r: Rows, column: str, idx: np.ndarray) -> Sequence[object]:
        return list(getattr(r, name).to_numpy(dtype=object)[idx])

    return get


def _cached(func: Callable[[object], str]) -> Callable[[Sequence[object]], list[str]]:
    """``func`` over values, each distinct value once (the hints can be slow)."""

    def each(values: Sequence[object]) -> list[str]:
        done: dict[object, str] = {}
        return [done[v] if v in done else done.setdefault(v, func(v)) for v in values]

    return each


def _why(r: Rows, column: str, idx: np.ndarray) -> list[str]:
    if r.table.kind == ROLES:
        hint = "Enter a plain number."
    else:
        hint = "Enter a plain number of hours (e.g. 7.5)."
    problems = r.parsed(column).problem.to_numpy(dtype=object)[idx]
    return [f"{why}." if (why := WHY_NOT_A_NUMBER.get(str(p), "")) else hint for p in problems]


CLOSEST_BUDGET: Final = 20_000_000
"""The work allowed for suggesting the closest known role ids to the unknown ones, in pairs
of characters compared (a :mod:`difflib` ratio of two ids costs up to the product of their
lengths): about 200,000 comparisons of ten-character ids, a few seconds. The distinct unknown
ids are taken most rows first (then in sorted order, so whatever the row order) until the
budget is spent; the rest are said to be not compared. A national roles sheet of 100,000 ids
with a few hundred mistyped ids, or a column of long text read as ids, would otherwise take
hours to check."""


def _closest(r: Rows, column: str, idx: np.ndarray) -> list[str]:
    assert r.roles is not None
    known = [str(k) for k in pd.Index(r.roles.id.dropna().unique())]
    values = list(r.id.to_numpy(dtype=object)[idx])
    rows = Counter(str(v) for v in values)
    known_chars = sum(map(len, known))
    hinted: set[str] = set()
    spent = 0
    for value in sorted(rows, key=lambda v: (-rows[v], v)):
        spent += max(len(value), 1) * known_chars
        if spent > CLOSEST_BUDGET:
            break
        hinted.add(value)

    def closest(value: object) -> str:
        if str(value) not in hinted:
            return " (not compared with them: too many unknown ids to suggest the closest)"
        close = difflib.get_close_matches(str(value), known, n=3)
        return f" (closest: {', '.join(close)})" if close else ""

    return _cached(closest)(values)


def _suggestions(r: Rows, column: str, idx: np.ndarray) -> list[str]:
    def suggest(value: object) -> str:
        return " or ".join(repr(s) for s in suggest_staff_groups(str(value)))

    return _cached(suggest)(list(r.group_text.to_numpy(dtype=object)[idx]))


def _did_you_mean(r: Rows, column: str, idx: np.ndarray) -> list[str]:
    lowered = {k.lower(): k for pair in r.opts.categories for k in pair}

    def hint(value: object) -> str:
        close = difflib.get_close_matches(str(value).lower(), list(lowered), n=1)
        return f" (did you mean '{lowered[close[0]]}'?)" if close else ""

    return _cached(hint)(list(r.override.to_numpy(dtype=object)[idx]))


FIELDS: Final[dict[str, Callable[[Rows, str, np.ndarray], Sequence[object]]]] = {
    "column": lambda r, column, idx: [column] * len(idx),
    "cell": lambda r, column, idx: [show_cell(v) for v in r.cells(column, idx)],
    "raw": lambda r, column, idx: r.cells(column, idx),
    "number": lambda r, column, idx: r.number(column).to_numpy()[idx],
    "as_read": lambda r, column, idx: list(r.text(column).to_numpy(dtype=object)[idx]),
    "why": _why,
    "length": lambda r, column, idx: [len(str(t)) for t in r.task.to_numpy(dtype=object)[idx]],
    "closest": _closest,
    "suggestions": _suggestions,
    "did_you_mean": _did_you_mean,
    "categories": lambda r, column, idx: [", ".join(c for c, _ in r.opts.categories)] * len(idx),
    "tolerance": lambda r, column, idx: [r.opts.hours_tolerance] * len(idx),
    "headcount": lambda r, column, idx: r.headcount.to_numpy()[idx],
    "task_hours": lambda r, column, idx: r.task_hours.to_numpy()[idx],
    "limit": lambda r, column, idx: r.contracted.to_numpy()[idx],
    "gap": lambda r, column, idx: r.gap.to_numpy()[idx],
    **{
        name: _field(name)
        for name in (
            "id",
            "group_text",
            "band_text",
            "given_id",
            "override",
            "first_row_of_id",
            "first_row_of_task_id",
            "first_row_of_copy",
        )
    },
}
"""How each message field is read for the flagged rows of a check of ``column``."""


# --------------------------------------------------------------------------- the table

ROLES, TASKS = col.ROLES_SHEET, col.TASKS_SHEET
ERROR: Final = "error"
WARNING: Final = "warning"


def _missing_value(sheet: str, columns: tuple[str, ...], expected: str) -> tuple[Check, ...]:
    """An empty required cell: one check for a cell a merge emptied, one for any other."""
    merged = (
        "'{column}' is empty because the cell is part of a merged range, and Excel keeps a "
        f"merged range's value in its first cell only; expected {expected}. Unmerge the "
        "cells and fill in every row."
    )
    plain = f"'{{column}}' is empty; expected {expected}. Fill it in."
    if sheet == ROLES:
        empty: Callable[[Rows, str], pd.Series] = lambda r, c: r.blank(c)  # noqa: E731
    else:
        empty = lambda r, c: r.missing(c) & r.present(c)  # noqa: E731
    return tuple(
        check
        for c in columns
        for check in (
            Check("missing-value", ERROR, sheet, c, lambda r, c: empty(r, c) & r.merged(c), merged),
            Check("missing-value", ERROR, sheet, c, lambda r, c: empty(r, c) & ~r.merged(c), plain),
        )
    )


def _absent_column(sheet: str, columns: tuple[str, ...]) -> tuple[Check, ...]:
    """A required column the sheet lacks: each row says so (its header's error says why,
    once), so that every row is in the issues, as a sheet without hours does."""
    return tuple(
        Check(
            "missing-value",
            ERROR,
            sheet,
            None,
            # (every row: a sheet that lacks a required column starts with all rows set aside)
            lambda r, c, name=name: r.none if r.present(name) else ~r.none,  # type: ignore[misc]
            f"no '{name}', as the sheet has no '{name}' column (see the error on its header "
            "row). Add the column.",
        )
        for name in columns
    )


def _numbers(sheet: str, columns: tuple[str, ...]) -> tuple[Check, ...]:
    """Every numeric column: a number, read as written or by a documented normalisation, ≥ 0.

    Only the hours columns read a duration (``36:00``) as a number; elsewhere it is not one.
    """
    return tuple(
        check
        for c in columns
        for check in (
            Check(
                "not-a-number",
                ERROR,
                sheet,
                c,
                lambda r, c: r.not_a_number(c),
                "'{column}' must be a number, got {cell}; {why}",
            ),
            *(
                (
                    Check(
                        "number-normalised",
                        WARNING,
                        sheet,
                        c,
                        lambda r, c: r.normalised(c, "duration"),
                        "read the duration {cell} as {number:g} hours in '{column}'. Check the "
                        "figure, and enter plain numbers of hours.",
                    ),
                )
                if NUMBER_KINDS[c] == "hours"
                else ()
            ),
            *(
                (
                    Check(
                        "number-normalised",
                        WARNING,
                        sheet,
                        c,
                        lambda r, c: r.normalised(c, "percent"),
                        "read the percentage {cell} as {number:g} in '{column}', as a cell "
                        "formatted as a percentage would be. Check the figure.",
                    ),
                )
                if NUMBER_KINDS[c] in ("percent", "fraction")
                else ()
            ),
            Check(
                "number-normalised",
                WARNING,
                sheet,
                c,
                lambda r, c: r.normalised(c),
                "read {cell} as {number:g} in '{column}' (a unit or a decimal comma was "
                "dropped). Check the figure, and enter plain numbers.",
            ),
            Check(
                "negative-value",
                ERROR,
                sheet,
                c,
                lambda r, c: r.number(c) < 0,
                "'{column}' must be ≥ 0, got {number:g}.",
            ),
        )
    )


_TOTALS = (
    "a totals row, left out: genai_aug adds up the rows itself, and counting this row would "
    "count its hours twice. Delete it from the sheet to silence this."
)

SCREENING: Final[tuple[Check, ...]] = (
    Check(
        "hidden-row",
        WARNING,
        ANY_SHEET,
        None,
        lambda r, c: r.hidden,
        "the row is hidden in Excel (filtered out, or hidden by hand) but is read and scored "
        "like every other row. Delete it if it should not count; unhide it to check it.",
    ),
    Check(
        "invisible-characters",
        WARNING,
        ANY_SHEET,
        EVERY_COLUMN,
        lambda r, c: r.has_invisible(c),
        "{cell} holds characters that show as nothing (zero-width spaces, direction marks, "
        "control characters); they were removed, so it is read as {as_read!r}. Retype the "
        "cell to be sure.",
    ),
    Check(
        "totals-row",
        WARNING,
        ROLES,
        col.ROLE_ID,
        lambda r, c: r.totals(col.ROLE_TITLE) & r.present(c),
        _TOTALS,
        sets_aside=True,
    ),
    Check(
        "totals-row",
        WARNING,
        ROLES,
        col.ROLE_TITLE,
        lambda r, c: r.totals(c) & (not r.present(col.ROLE_ID)),
        _TOTALS,
        sets_aside=True,
    ),
    Check(
        "totals-row",
        WARNING,
        TASKS,
        col.ROLE_ID,
        lambda r, c: r.totals(col.TASK) & r.present(c),
        _TOTALS,
        sets_aside=True,
    ),
    Check(
        "totals-row",
        WARNING,
        TASKS,
        col.TASK,
        lambda r, c: r.totals(c) & (not r.present(col.ROLE_ID)),
        _TOTALS,
        sets_aside=True,
    ),
)
"""Run on each sheet as read; totals rows are then set aside, before the row checks."""

ROLE_CHECKS: Final[tuple[Check, ...]] = (
    *_absent_column(ROLES, col.REQUIRED_ROLE_COLUMNS),
    *_missing_value(ROLES, col.REQUIRED_ROLE_COLUMNS, "a value for every role"),
    Check(
        "duplicate-role-id",
        ERROR,
        ROLES,
        col.ROLE_ID,
        lambda r, c: ~r.missing(col.ROLE_ID) & r.duplicated(col.ROLE_ID),
        "role id '{id}' already used at row {first_row_of_id}; expected each role id once. "
        "Give this role its own id or merge the rows.",
    ),
    Check(
        "unknown-staff-group",
        ERROR,
        ROLES,
        col.STAFF_GROUP,
        lambda r, c: r.group_text.notna() & r.staff_group.isna(),
        "unknown staff group '{group_text}'; expected one of the NHS Workforce Statistics "
        "groups. Did you mean {suggestions}?",
    ),
    Check(
        "unknown-band",
        WARNING,
        ROLES,
        col.BAND,
        lambda r, c: r.band_text.notna() & r.band.isna(),
        "pay band or grade '{band_text}' not recognised, kept as written; expected an Agenda "
        "for Change band (e.g. 'Band 5', '8a') or a medical grade ({medical_grades}, ...).",
    ),
    *_numbers(ROLES, (col.FTE, col.HEADCOUNT, col.CONTRACTED_HOURS)),
    Check(
        "implausible-hours",
        ERROR,
        ROLES,
        col.CONTRACTED_HOURS,
        lambda r, c: (r.number(c) <= 0) | (r.number(c) > MAX_HOURS_PER_WEEK),
        "contracted hours must be more than 0 and at most {max_hours:g} a week, got "
        "{number:g}. A whole-time post is usually 37.5 (40 for doctors).",
    ),
    *(
        Check(
            "implausible-fte",
            ERROR,
            ROLES,
            c,
            lambda r, c: r.number(c) > MAX_STAFF,
            "'{column}' must be at most {max_staff:,.0f} (more staff than the whole NHS), got "
            "{number:g}. Enter the role's whole-time equivalents.",
        )
        for c in (col.FTE, col.HEADCOUNT)
    ),
    Check(
        "missing-fte",
        ERROR,
        ROLES,
        col.FTE,
        lambda r, c: (
            r.fte.isna()
            & r.headcount.isna()
            & ~r.not_a_number(col.FTE)
            & ~r.not_a_number(col.HEADCOUNT)
        ),
        "neither FTE nor headcount given; expected the role's whole-time equivalents "
        "(FTE/WTE). Fill in FTE.",
    ),
    Check(
        "fte-from-headcount",
        WARNING,
        ROLES,
        col.FTE,
        lambda r, c: r.fte.isna() & r.headcount.notna() & ~r.not_a_number(col.FTE),
        "FTE missing, so headcount {headcount:g} is used as FTE (as if everyone worked full "
        "time: an upper bound). Fill in FTE for a true figure.",
    ),
)
"""The roles sheet, row by row."""

TASK_CHECKS: Final[tuple[Check, ...]] = (
    *_absent_column(TASKS, col.REQUIRED_TASK_COLUMNS),
    *_missing_value(TASKS, (col.ROLE_ID,), "the id of a role on the roles sheet"),
    Check(
        "empty-task",
        ERROR,
        TASKS,
        col.TASK,
        lambda r, c: r.missing(col.TASK) & r.present(c),
        "task description is empty; expected a few words saying what the task is. Describe "
        "the task or delete the row.",
    ),
    Check(
        "long-text",
        WARNING,
        TASKS,
        col.TASK,
        lambda r, c: r.longer_than(col.TASK, MAX_TEXT_CHARS) & r.present(c),
        "task description has {length:,} characters; only the first {max_text:,} are used "
        "for scoring. Shorten it to what the task is.",
    ),
    Check(
        "unknown-role",
        ERROR,
        TASKS,
        col.ROLE_ID,
        lambda r, c: ~r.missing(col.ROLE_ID) & ~r.known_role,
        "role id '{id}' is not on the roles sheet; expected one of its role ids{closest}. "
        "Fix the id or add the role.",
    ),
    Check(
        "role-rejected",
        ERROR,
        TASKS,
        col.ROLE_ID,
        lambda r, c: r.text_isin(col.ROLE_ID, set(r.roles.id[r.roles.bad].dropna())) & ~r.bad,  # type: ignore[union-attr]
        "role '{id}' has errors on the roles sheet, so its tasks cannot be scored. Fix the "
        "role's row.",
    ),
    *_numbers(TASKS, (col.HOURS_PER_WEEK, col.PERCENT_OF_TIME)),
    Check(
        "implausible-hours",
        ERROR,
        TASKS,
        col.HOURS_PER_WEEK,
        lambda r, c: r.number(c) > MAX_HOURS_PER_WEEK,
        "'{column}' must be at most {max_hours:g} (hours in a week), got {number:g}.",
    ),
    Check(
        "implausible-percent",
        ERROR,
        TASKS,
        col.PERCENT_OF_TIME,
        lambda r, c: r.number(c) > 100,
        "'{column}' must be between 0 and 100, got {number:g}.",
    ),
    Check(
        "missing-hours",
        ERROR,
        TASKS,
        col.HOURS_PER_WEEK,
        lambda r, c: (
            (
                r.hours.isna()
                & ~r.not_a_number(col.HOURS_PER_WEEK)
                & ~r.not_a_number(col.PERCENT_OF_TIME)
                & ~r.bad
            )
            if r.present(col.HOURS_PER_WEEK) or r.present(col.PERCENT_OF_TIME)
            else r.none
        ),
        "no hours given (a blank cell, or a formula whose value was never saved); expected "
        "hours per week or a percentage of the role's time. Fill in one of them.",
    ),
    Check(  # (the sheet has neither column: its header's error says so, once)
        "missing-hours",
        ERROR,
        TASKS,
        None,
        lambda r, c: (
            r.none if r.present(col.HOURS_PER_WEEK) or r.present(col.PERCENT_OF_TIME) else ~r.bad
        ),
        "no hours, as the sheet has no column of hours (see the error on its header row); "
        "expected hours per week or a percentage of the role's time. Add the column.",
    ),
    Check(
        "zero-hours",
        WARNING,
        TASKS,
        col.HOURS_PER_WEEK,
        lambda r, c: (r.hours == 0) & ~r.bad,
        "0 hours a week: the task is kept but releases no time. Check the figure.",
    ),
    Check(
        "not-yes-no",
        WARNING,
        TASKS,
        col.PATIENT_FACING,
        lambda r, c: r.facing.isna() & ~r.blank(c) if r.present(c) else r.none,
        "'{column}' should be yes or no, got {raw!r}; treated as not given.",
    ),
    Check(
        "unknown-category",
        ERROR,
        TASKS,
        col.CATEGORY_OVERRIDE,
        lambda r, c: (
            r.override.notna()
            & ~r.override.astype(str)
            .str.strip()
            .str.lower()
            .isin({key.lower() for pair in r.opts.categories for key in pair})
            if r.opts.categories
            else r.none
        ),
        "unknown category '{override}'{did_you_mean}; expected one of the ruleset's categories "
        "({categories}). Fix the override or leave it blank.",
    ),
    Check(
        "duplicate-task-id",
        ERROR,
        TASKS,
        col.TASK_ID,
        lambda r, c: ~r.missing(col.TASK_ID) & r.duplicated(col.TASK_ID),
        "task id '{given_id}' already used at row {first_row_of_task_id}; expected each task "
        "id once. Give this task its own id.",
    ),
    Check(
        "repeated-task",
        WARNING,
        TASKS,
        col.TASK,
        lambda r, c: r.copy_of_earlier,
        "the same task as row {first_row_of_copy} (same role, description and hours); both "
        "are counted, so its hours count twice. Delete one if it is a copy, or give each a "
        "task id if both are real.",
    ),
)
"""The tasks sheet, row by row (the roles sheet checked first)."""

HOURS_CHECKS: Final[tuple[Check, ...]] = (
    Check(
        "hours-exceed-contract",
        ERROR,
        ROLES,
        col.CONTRACTED_HOURS,
        lambda r, c: r.over_contract(r.opts.hours_tolerance),
        "tasks add up to {task_hours:g} hours a week, more than the contracted {limit:g} "
        "(tolerance {tolerance:.0%}); expected task hours per whole-time post to sum to at "
        "most the contracted hours. Check the task hours.",
    ),
    Check(
        "hours-exceed-contract",
        WARNING,
        ROLES,
        col.CONTRACTED_HOURS,
        lambda r, c: r.over_contract(0.0) & ~r.over_contract(r.opts.hours_tolerance),
        "tasks add up to {task_hours:g} hours a week, more than the contracted {limit:g} "
        "(tolerance {tolerance:.0%}); expected task hours per whole-time post to sum to at "
        "most the contracted hours. Check the task hours.",
    ),
    Check(
        "hours-not-listed",
        WARNING,
        ROLES,
        col.CONTRACTED_HOURS,
        lambda r, c: (
            r.checkable & r.has_tasks & ~r.has_rejected_task & (r.gap > HOURS_NOT_LISTED_SLACK)
        ),
        "role '{id}': its tasks list {task_hours:g} of its contracted {limit:g} hours a "
        "week; the other {gap:g} are reported as not listed, never as released. Add the "
        "missing tasks, or lower the contracted hours if they are wrong.",
    ),
    Check(
        "role-without-tasks",
        WARNING,
        ROLES,
        col.ROLE_ID,
        # (not when the tasks sheet is unusable: its missing column says it all)
        lambda r, c: r.checkable & ~r.has_tasks & r.tasks_usable,
        "role '{id}' has no tasks, so it releases no time. Add its tasks on the tasks sheet.",
    ),
    Check(
        "role-rejected",
        ERROR,
        TASKS,
        col.HOURS_PER_WEEK,
        lambda r, c: (
            r.text_isin(col.ROLE_ID, r.roles.ids_flagged("hours-exceed-contract", ERROR))  # type: ignore[union-attr]
            & ~r.bad
        ),
        "role '{id}' has more task hours than its contract allows, so its tasks cannot be "
        "scored. Fix the role's task hours.",
    ),
)
"""A role's task hours against its contract, once both sheets are checked."""

CHECKS: Final[tuple[Check, ...]] = SCREENING + ROLE_CHECKS + TASK_CHECKS + HOURS_CHECKS
"""Every check of a row, in the order validation runs them."""
