"""Cell values as genai_aug reads them: what a cell says, apart from where it is.

Parsing numbers and text out of cells, whatever wrote them: Excel (numbers, dates,
durations, error values, percent formats), CSV (text with units and decimal commas) or
pandas (``pd.NA``, ``Decimal`` from ``read_sql``, numpy scalars). Validation decides
which readings are problems; this module only says what each cell holds.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd


class PercentCell(float):
    """A number Excel shows with a percent format: 0.25 displayed as ``25%``.

    The workbook stores the fraction; people read and typed the percentage. Keeping
    the difference lets validation read ``25%`` in a '% of time' column as 25, not
    0.25 (a hundredfold understatement).
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"{float(self) * 100:g}%"

    __str__ = __repr__


NumberKind = Literal["hours", "percent", "fraction", "count"]
"""How a column reads special cells.

``hours``: durations (``[h]:mm``) and times of day (``h:mm``) are hours; a percent
format is refused. ``percent``: a percent-formatted cell is the percentage it shows.
``fraction``: a percent-formatted cell is the fraction it stores (FTE 50% = 0.5).
``count``: neither durations nor percent formats.
"""

# Excel's error values, as openpyxl reads them from a cell that holds one.
EXCEL_ERRORS = frozenset(
    {"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
)
# A number with a unit or a decimal comma, as people type them: "7.5 hrs", "7,5", "50%".
_LOOSE_NUMBER = re.compile(
    r"^(?P<num>[-+]?(?:\d+(?:[.,]\d+)?|[.,]\d+))\s*"
    r"(?P<unit>%|h|hr|hrs|hour|hours|hrs?\s*/\s*(?:wk|week)|hours?\s*/\s*(?:wk|week)"
    r"|hours?\s+(?:a|per)\s+week|hrs?\s+(?:a|per)\s+week|wte|fte)?\.?$",
    re.IGNORECASE,
)
# Characters that show as nothing (zero-width, bidi marks, soft hyphen, BOM), control
# characters, and lone surrogates (half of a broken character, which a DataFrame can hold
# but no workbook, CSV or Parquet file can): removed from text before it is read or shown.
INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5"
    "\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
    "\U000e0000-\U000e0fff\ud800-\udfff]"
)


def _fresh(values: Any, index: pd.Index) -> pd.Series:
    """A Series of ``values``, an array made for it, not copied.

    ``pd.Series(array)`` copies the array (pandas 3, so that the Series owns what it
    holds): a million objects copied one by one, and their memory faulted in, each time
    a column is read. An array nothing else holds need not be. (Its dtype is kept: an
    object array of texts stays one, not read as ``str``.)
    """
    series: pd.Series = pd.Series(values, index=index, dtype=values.dtype, copy=False)
    return series


def is_missing(v: object) -> bool:
    """None, NaN, NaT and ``pd.NA``: a cell with nothing in it."""
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float | np.floating) and math.isnan(v)


def show_duration(v: dt.timedelta | dt.time) -> str:
    """A duration or time as Excel's ``[h]:mm`` shows it (``36:00``)."""
    if isinstance(v, dt.time):
        v = dt.timedelta(hours=v.hour, minutes=v.minute, seconds=v.second)
    minutes = round(v.total_seconds() / 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def parse_number(v: object, kind: NumberKind = "count") -> tuple[float, str, str]:
    """``(value, problem, normalisation)`` for one cell read as a number.

    ``problem`` is ``""`` for a fine or blank cell, else why the cell is not a number
    (a key of :data:`WHY_NOT_A_NUMBER`); ``normalisation`` names a documented reading
    ("text" for "7.5 hrs", "duration" for ``36:00``, "percent" for ``25%``), else ``""``.
    """
    if is_missing(v):
        return np.nan, "", ""
    if isinstance(v, bool | np.bool_):
        return np.nan, "boolean", ""
    if isinstance(v, PercentCell):
        if kind == "percent":
            return _finite(float(v) * 100, "")
        if kind == "fraction":
            return _finite(float(v), "")
        return np.nan, "percent-format", ""
    if isinstance(v, int | float | np.integer | np.floating | Decimal):
        return _finite(v, "")
    if isinstance(v, dt.timedelta | dt.time) and not isinstance(v, pd.Timestamp):
        if kind != "hours":
            return np.nan, "duration", ""
        if isinstance(v, dt.time):
            return _finite(v.hour + v.minute / 60 + v.second / 3600, "duration")
        return _finite(v.total_seconds() / 3600, "duration")
    if isinstance(v, dt.datetime | dt.date | pd.Timestamp):
        return np.nan, "date", ""
    if not isinstance(v, str):
        return np.nan, "other", ""
    text = INVISIBLE.sub("", v).strip()
    if not text:
        return np.nan, "", ""
    if text.upper() in EXCEL_ERRORS:
        return np.nan, "excel-error", ""
    if text.startswith("="):
        return np.nan, "formula", ""
    try:
        f = float(text)
    except ValueError:
        pass
    else:
        return _finite(f, "")
    m = _LOOSE_NUMBER.match(text)
    if m is None:
        return np.nan, "text", ""
    num = m.group("num")
    if "," in num:
        whole, _, frac = num.partition(",")
        if len(frac) == 3 and whole.strip("+-"):
            return np.nan, "ambiguous-comma", ""  # 1,234: thousands or decimals?
        num = f"{whole}.{frac}"
    if m.group("unit") == "%":
        # "50%" typed (or a percent cell saved to CSV) means what a percent-formatted
        # cell of 0.5 means: the same reading, never the bare number with its sign dropped
        if kind == "fraction":
            return _finite(float(num) / 100, "percent")
        if kind != "percent":
            return np.nan, "percent-format", ""
        return _finite(float(num), "percent")
    return _finite(float(num), "text")


def _finite(v: object, normalisation: str) -> tuple[float, str, str]:
    try:
        f = float(v)  # type: ignore[arg-type]
    except (OverflowError, ValueError, ArithmeticError):  # 10**400, Decimal("sNaN")
        return np.nan, "not-finite", ""
    return (f, "", normalisation) if math.isfinite(f) else (np.nan, "not-finite", "")


@dataclass(frozen=True)
class ParsedNumbers:
    """Numbers parsed from a column of cells, with why each bad cell is bad.

    ``numbers`` is NaN wherever a cell is blank or bad; ``problem`` names the kind of
    bad cell (``""`` where the cell is fine or blank); ``normalisation`` names the
    documented reading used for a cell ("7.5 hrs" → 7.5, ``36:00`` → 36), else ``""``.
    Each of those two is given as a Series, or as ``(per distinct cell, which distinct
    cell each is)``, made into one only when asked for (the checks seldom need either:
    a million cells' problems are not taken one by one to learn that none has one).
    """

    numbers: pd.Series
    problems: pd.Series | tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]
    readings: pd.Series | tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]
    any_normalised: bool = True
    """False only when no cell was read by a normalisation (then nothing need look)."""
    known_bad: pd.Series | None = field(default=None, repr=False, compare=False)
    """``problem != ""``, if worked out already (from the distinct cells)."""

    @cached_property
    def problem(self) -> pd.Series:
        return self._series(self.problems)

    @cached_property
    def normalisation(self) -> pd.Series:
        return self._series(self.readings)

    def _series(
        self, given: pd.Series | tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]
    ) -> pd.Series:
        if isinstance(given, pd.Series):
            return given
        per_distinct, which = given
        return _fresh(per_distinct[which], self.numbers.index)

    @cached_property
    def bad(self) -> pd.Series:
        return self.problem != "" if self.known_bad is None else self.known_bad

    @property
    def normalised(self) -> pd.Series:
        return self.normalisation != ""


def parse_numbers(
    series: pd.Series, kind: NumberKind = "count", known: Identities | None = None
) -> ParsedNumbers:
    """Parse cells as numbers (each distinct cell once), keeping why each bad cell is bad.

    ``known``: :func:`by_identity` of the cells, if worked out already.
    """
    cells = series.to_numpy(dtype=object)
    # (the distinct objects are of the types the cells are)
    looked_at = cells if known is None else known[1]
    if len(cells) and pd.api.types.infer_dtype(looked_at, skipna=True) == "string":
        # text and blanks (as CSV files are read): the distinct cells, found at C speed (all
        # blanks are one value, and every blank reads the same): the distinct objects
        # first (no text hashed), then the distinct texts among them
        by_object, objects = by_identity(cells) if known is None else known
        codes, uniques = pd.factorize(objects, use_na_sentinel=False)
        done = _parse_distinct(np.asarray(uniques, dtype=object), kind)
        take = np.asarray(codes)[by_object]
        problems = np.array([d[1] for d in done], dtype=object)
        readings = np.array([d[2] for d in done], dtype=object)
        return ParsedNumbers(
            _fresh(np.array([d[0] for d in done], dtype="float64")[take], series.index),
            (problems, take),
            (readings, take),
            any_normalised=any(readings != ""),
            known_bad=_fresh((problems != "")[take], series.index),
        )
    if len(cells) and {type(v) for v in cells} <= {float}:
        # plain floats (no PercentCell): NaN is blank, infinity is not a finite number
        floats = cells.astype("float64")
        inf = np.isinf(floats)
        return ParsedNumbers(
            _fresh(np.where(inf, np.nan, floats), series.index),
            _fresh(np.where(inf, "not-finite", "").astype(object), series.index),
            pd.Series("", index=series.index, dtype=object),
            any_normalised=False,
            known_bad=_fresh(inf, series.index),
        )
    cache: dict[tuple[type, object], tuple[float, str, str]] = {}
    parsed = []
    for v in cells:
        try:
            key = (type(v), v)
            hit = cache.get(key)
            if hit is None:
                hit = cache[key] = parse_number(v, kind)
        except TypeError:  # an unhashable cell (a list in a DataFrame) is parsed as is
            hit = parse_number(v, kind)
        parsed.append(hit)
    values = pd.Series([p[0] for p in parsed], index=series.index, dtype="float64")
    problem = pd.Series([p[1] for p in parsed], index=series.index, dtype=object)
    normalisation = pd.Series([p[2] for p in parsed], index=series.index, dtype=object)
    return ParsedNumbers(
        values, problem, normalisation, any_normalised=any(p[2] != "" for p in parsed)
    )


_PLAIN_NUMBER = re.compile(r"[-+]?[0-9]+(?:\.[0-9]+)?")
"""A number as plainly written ("37.5", "-2", "007"): what :func:`float` reads it as is
what :func:`parse_number` reads it as, unless it is too large to be finite."""


def _parse_distinct(texts: np.ndarray[Any, Any], kind: NumberKind) -> list[tuple[float, str, str]]:
    """:func:`parse_number` of each of ``texts`` (distinct cells: text or None).

    Plain numbers (:data:`_PLAIN_NUMBER`) are converted together, by :func:`float` in C
    (numpy's conversion of objects calls it); a cell of any other kind, and a plain
    number too large to be finite, is parsed by :func:`parse_number` itself.
    """
    plain = _PLAIN_NUMBER.fullmatch
    simple = np.fromiter(
        (type(t) is str and plain(t) is not None for t in texts), dtype=bool, count=len(texts)
    )
    floats = np.full(len(texts), np.nan)
    if simple.any():
        floats[simple] = texts[simple].astype(np.float64)
        simple &= np.isfinite(floats)
    return [
        (float(f), "", "") if ok else parse_number(t, kind)
        for t, f, ok in zip(texts.tolist(), floats.tolist(), simple.tolist(), strict=True)
    ]


WHY_NOT_A_NUMBER = {
    "excel-error": "it holds an Excel error value, so the formula behind it failed. Fix the "
    "formula in the workbook, or type the number",
    "formula": "it holds a formula, not its value. Paste the values in, or save the file "
    "from Excel so that values are stored",
    "date": "it holds a date: Excel may have formatted the number as a date. Set the "
    "column's format to Number and check the value",
    "duration": "it holds a duration or a time of day, which this column cannot be. Set the "
    "column's format to Number and enter the number",
    "percent-format": "Excel shows it as a percentage, which this column cannot be. Set the "
    "column's format to Number and enter the number",
    "boolean": "it holds TRUE/FALSE. Enter the number",
    "not-finite": "it is not a finite number (or too large for one). Enter an ordinary number",
    "ambiguous-comma": "a comma followed by three digits could be a thousands separator or a "
    "decimal comma. Write the number without the comma (1234) or with a point (1.234)",
    "text": "",
    "other": "",
}


def show_cell(v: object) -> str:
    """A cell's value as the analyst would recognise it, invisible characters made visible."""
    if isinstance(v, dt.timedelta | dt.time) and not isinstance(v, pd.Timestamp):
        return f"'{show_duration(v)}'"
    if isinstance(v, dt.date | dt.time):
        return repr(v.isoformat())
    if isinstance(v, Decimal | PercentCell):
        return repr(str(v))
    if isinstance(v, str):
        return repr(INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", v))[:300]
    return repr(v)[:300]


def remove_invisible(text: str) -> str:
    """``text`` without zero-width, bidi-control, soft-hyphen and control characters."""
    return INVISIBLE.sub("", text)


def per_distinct(series: pd.Series, func: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Apply ``func`` to each distinct value once and broadcast (inventories repeat a lot).

    Columns that are not all text are done value by value.
    """
    # Only for text columns: factorize would treat 1, 1.0 and True as one value.
    if pd.api.types.infer_dtype(series, skipna=True) not in ("string", "empty"):
        return func(series)
    codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
    done = func(pd.Series(uniques, dtype=object)).to_numpy(dtype=object)
    missing = func(pd.Series([None], dtype=object)).to_numpy(dtype=object)
    table = np.concatenate([done, missing])  # code -1 (missing) takes the last entry
    return _fresh(table[codes], series.index)


# Text that reads as itself: words of visible characters, one space between them. (Python's
# ``\s`` and ``str.split`` agree on what white space is.)
_PLAIN_TEXT = re.compile(
    "[^\\s" + INVISIBLE.pattern[1:-1] + "]+(?: [^\\s" + INVISIBLE.pattern[1:-1] + "]+)*"
)


_SPACE_NOT_BLANK = re.compile(r"[^\S ]")
_INVISIBLE_NOT_NUL = re.compile(INVISIBLE.pattern.replace("\x00-", "\x01-", 1))


def _ascii_plain(data: bytes) -> bool:
    """:func:`_all_plain`'s inner tests for ASCII ``data``, as whole-array passes in C.

    No space or NUL next to another (two spaces, a space at a text's end, an empty text),
    no control character or DEL (white space other than a space, and invisible
    characters), and no text ending in ".0".
    """
    everything = np.frombuffer(data, dtype=np.uint8)
    # a piece at a time, overlapping by two bytes (every pair and triple of bytes is whole
    # in some piece): the working arrays stay small, and their memory is reused
    for start in range(0, max(len(everything) - 2, 1), _PIECE):
        octets = everything[start : start + _PIECE + 2]
        # control characters other than NUL (1 to 31; NUL wraps round to 255), and DEL
        if ((octets - np.uint8(1)) < 31).any() or (octets == 0x7F).any():
            return False
        gaps = (octets & np.uint8(0xDF)) == 0  # a space (0x20) or NUL, and nothing else
        if (gaps[:-1] & gaps[1:]).any():
            return False
        # a text's end is a NUL: ".0" before one ends a text
        ends = octets[2:] == 0
        if (ends & (octets[1:-1] == ord("0")) & (octets[:-2] == ord("."))).any():
            return False
    return True


_PIECE = 1 << 18


def _all_plain(joined: str) -> bool:
    """Whether texts joined by NUL are each plain text that reads as itself.

    No text empty, none with a space at either end, two spaces together, white space
    other than a space, or an invisible character, and none ending in ".0" (a number).
    ASCII text is tested as bytes, at C speed; other text by regular expressions.
    """
    if joined == "" or joined.startswith((" ", "\x00")) or joined.endswith((" ", ".0", "\x00")):
        return False
    if joined.isascii():
        return _ascii_plain(joined.encode("ascii"))
    return not (
        any(s in joined for s in ("  ", "\x00 ", " \x00", ".0\x00", "\x00\x00"))
        or _SPACE_NOT_BLANK.search(joined)
        or _INVISIBLE_NOT_NUL.search(joined)
    )


def _not_plain(values: np.ndarray[Any, Any]) -> list[int]:
    """Positions of the cells that are not plain text reading as itself (see _PLAIN_TEXT).

    A column of plain text is recognised at once, joined (a few searches of one string);
    otherwise each cell is looked at.
    """
    if len(values) == 0:
        return []
    try:
        joined = "\x00".join(values)
    except TypeError:  # not all text
        joined = None
    if joined is not None and joined.count("\x00") == len(values) - 1 and _all_plain(joined):
        return []
    plain = _PLAIN_TEXT.fullmatch
    return [
        i
        for i, v in enumerate(values)
        if not (type(v) is str and plain(v) is not None and v[-2:] != ".0")
    ]


def _blank_one(v: object) -> bool:
    if is_missing(v):
        return True
    return isinstance(v, str) and not remove_invisible(v).strip()


def _blank_each(series: pd.Series) -> pd.Series:
    values = series.to_numpy(dtype=object)
    out = np.zeros(len(values), dtype=bool)
    for i in _not_plain(values):
        out[i] = _blank_one(values[i])
    return _fresh(out, series.index)


def _identities(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """``id`` of each object of ``values``, an object array.

    In CPython an object's id is its address, which is what an object array holds: the
    array's own memory is read as integers (copied, so they outlive it), not the objects.
    """
    if sys.implementation.name != "cpython" or not len(values):
        return np.fromiter(map(id, values), dtype=np.intp, count=len(values))
    values = np.ascontiguousarray(values, dtype=object)
    memory = memoryview((ctypes.c_char * values.nbytes).from_address(values.ctypes.data))
    addresses: np.ndarray[Any, Any] = np.frombuffer(memory, dtype=np.intp).copy()
    return addresses


def by_identity(values: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """``(codes, distinct)``: the distinct objects of ``values`` (by identity), and which each is.

    Cheap where equal cells share one object, as pandas' CSV reader makes them: no cell's
    text is hashed or compared. Equal cells held as different objects are simply each kept.
    """
    ids = _identities(values)
    if _mostly_distinct(ids) and (np.diff(ids[:_SAMPLE]) > 0).mean() > 0.9:
        return _by_sorted_identity(values, ids)
    if not (ids & 15).any():
        # objects are 16-byte aligned in CPython: the low bits of every address are zero,
        # which the hash of integers leaves in its low bits (collisions); shifted, each
        # address is still told apart from every other
        ids = ids >> 4
    codes, unique_ids = pd.factorize(ids)
    return codes, values[first_rows(codes, len(unique_ids))]


def first_rows(
    codes: np.ndarray[Any, Any], n: int, absent: int | None = None
) -> np.ndarray[Any, Any]:
    """Where each of the ``n`` codes (``0 .. n - 1``) first stands in ``codes``.

    A code that stands nowhere gets ``absent`` (which must then be given).
    """
    first = np.empty(n, dtype=np.intp) if absent is None else np.full(n, absent, dtype=np.intp)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)  # the last write is the first row
    return first


Identities = tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]
""":func:`by_identity` of a column: ``(codes, distinct)``."""


def identities_of_rows(known: Identities, rows: slice | np.ndarray[Any, Any]) -> Identities:
    """:func:`by_identity` of ``values[rows]``, from ``known``, that of ``values``.

    The same codes and distinct objects, numbered in the order each first appears among
    ``rows``, without looking at an object: only the codes are sliced and renumbered.
    """
    codes, distinct = known
    start = (rows.start or 0) if isinstance(rows, slice) else 0
    if isinstance(rows, slice) and rows.stop is rows.step is None and 0 < start < len(codes):
        # the rows after the first few (below a header): the objects of those first rows
        # are codes 0 to m - 1 (numbered as they first appear); if none is met again,
        # the rest are numbered m, m + 1, ... as they first appear among the rows kept
        m = int(codes[:start].max()) + 1
        rest = codes[rows]
        if int(rest.min()) >= m:
            return rest - rest.dtype.type(m), distinct[m:]
    codes = codes[rows]
    n = len(codes)
    first = first_rows(codes, len(distinct), absent=n)
    present = np.flatnonzero(first < n)
    kept = present[np.argsort(first[present], kind="stable")]
    if len(kept) == len(distinct) and (kept == np.arange(len(kept))).all():
        return codes, distinct  # (as they were: every object there, in the same order)
    number = np.zeros(len(distinct), dtype=np.intp)
    number[kept] = np.arange(len(kept), dtype=np.intp)
    return number[codes], distinct[kept]


def _mostly_distinct(ids: np.ndarray[Any, Any]) -> bool:
    """Whether the objects at addresses ``ids`` look mostly distinct (see below)."""
    return len(ids) >= _SORT_FROM and len(pd.unique(ids[:_SAMPLE])) > _SAMPLE // 2


_SORT_FROM = 8192
_SAMPLE = 4096
"""A column of at least ``_SORT_FROM`` cells whose first ``_SAMPLE`` hold more than half as
many distinct objects (ids, say), at mostly increasing addresses (as they were read), is
told apart by sorting the addresses, not hashing them; and such a column, when only its
blanks are asked for (:func:`_missing_if_plain`), is looked at cell by cell."""


def _by_sorted_identity(
    values: np.ndarray[Any, Any], ids: np.ndarray[Any, Any]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """:func:`by_identity` by sorting the addresses (``ids``) of ``values``' objects.

    Mostly distinct objects are mostly allocated in the order they are read, so their
    addresses come nearly sorted, which a stable sort runs through fast; hashing a
    million distinct addresses costs several times more. The codes and distinct objects
    are the same as hashing gives: numbered in the order each object first appears.
    """
    order = np.argsort(ids, kind="stable")
    ordered = ids[order]
    starts = np.empty(len(ordered), dtype=bool)
    starts[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    group = np.cumsum(starts) - 1  # each sorted position's object, by address
    first = order[starts]  # (stable: each object's first row)
    by_first = np.argsort(first, kind="stable")  # objects in the order they first appear
    number = np.empty(len(first), dtype=np.intp)
    number[by_first] = np.arange(len(first), dtype=np.intp)
    codes = np.empty(len(ids), dtype=np.intp)
    codes[order] = number[group]
    return codes, values[first[by_first]]


def _missing_if_plain(
    values: np.ndarray[Any, Any], objects: Identities | None = None, vouched: bool = False
) -> np.ndarray[Any, Any] | None:
    """Where ``values`` are missing, if every other value is plain text reading as itself.

    None when some cell is neither (a number, or text to fold): then the cells must be
    looked at one by one. A column of plain text and blanks, as CSV files and most sheets
    are, is recognised by joining its distinct objects, without comparing any texts.
    ``objects``: :func:`by_identity` of ``values``, if known. ``vouched``: the reader
    found every cell None or plain text (on the bytes it read), so only the Nones are
    looked for; a column of nothing but None is still no plain text.
    """
    if len(values) == 0:
        return None
    if vouched:
        none: np.ndarray[Any, Any] = _identities(values) == id(None)
        return None if none.all() else none
    if objects is None:
        ids = _identities(values)
        if _mostly_distinct(ids):
            # mostly distinct objects (ids): telling them apart would cost more than
            # looking at every cell, text or None, joined
            none = ids == id(None)
            texts = values[~none]
            try:
                joined = "\x00".join(texts)
            except TypeError:  # not all text: each distinct object looked at, below
                pass
            else:
                plain = (
                    len(texts) > 0 and joined.count("\x00") == len(texts) - 1 and _all_plain(joined)
                )
                return none if plain else None
    codes, distinct = by_identity(values) if objects is None else objects
    try:
        joined = "\x00".join(distinct)
        missing = np.zeros(len(distinct), dtype=bool)
    except TypeError:  # not all text: blanks, or other cells
        try:
            missing = pd.isna(distinct)
        except (ArithmeticError, TypeError, ValueError):  # Decimal("sNaN") refuses the test
            return None
        if not missing.any() or not all(map(is_missing, distinct[missing])):
            return None
        try:
            joined = "\x00".join(distinct[~missing])
        except TypeError:
            return None
    present = len(distinct) - int(missing.sum())
    if present == 0 or joined.count("\x00") != present - 1 or not _all_plain(joined):
        return None
    found: np.ndarray[Any, Any] = missing[codes]
    return found


def blank(series: pd.Series) -> pd.Series:
    """True where a cell is empty: None, NaN, ``pd.NA`` or text of spaces or invisibles."""
    missing = _missing_if_plain(series.to_numpy(dtype=object))
    if missing is not None:
        return _fresh(missing, series.index)
    return per_distinct(series, _blank_each).astype(bool)


def _text_one(v: object) -> str | None:
    if is_missing(v):
        return None
    if isinstance(v, Decimal | PercentCell):
        v = float(v) if isinstance(v, PercentCell) else v
    folded = " ".join(remove_invisible(str(v)).split())
    if not folded:
        return None
    # Whole numbers read from a numeric cell ("101.0") are ids written as numbers.
    if folded.endswith(".0") and folded[:-2].lstrip("-").isdigit():
        return folded[:-2]
    return folded


def _text_each(series: pd.Series) -> pd.Series:
    values = series.to_numpy(dtype=object)
    out = values.copy()
    for i in _not_plain(values):
        out[i] = _text_one(values[i])
    return _fresh(out, series.index)


def plain_text(
    series: pd.Series, objects: Identities | None = None, vouched: bool = False
) -> pd.Series | None:
    """:func:`text` of a column of plain text and blanks (the cells as they are, blanks
    None); None for any other column. ``objects``: :func:`by_identity` of the cells, if
    known; ``vouched``: the reader knows every cell to be None or plain text."""
    values = series.to_numpy(dtype=object)
    missing = _missing_if_plain(values, objects, vouched)
    if missing is None:
        return None
    if missing.any():
        values = values.copy()
        values[missing] = None
    # (no copy when nothing is missing: the cells as read are their own texts)
    return pd.Series(values, index=series.index, dtype=object, copy=False)


def text(series: pd.Series) -> pd.Series:
    """Cells as text: invisibles removed, runs of white space folded, blanks missing."""
    plain = plain_text(series)
    if plain is not None:
        return plain
    out = per_distinct(series, _text_each)
    return out.where(out.notna(), None)
