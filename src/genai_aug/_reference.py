"""Reference lists: NHS Workforce Statistics staff groups and pay bands, with aliases.

The staff groups are those NHS England (formerly NHS Digital) uses for the
Hospital and Community Health Services (HCHS) workforce statistics.
"""

from __future__ import annotations

import difflib
import re
from typing import Final

STAFF_GROUPS: Final[tuple[str, ...]] = (
    "HCHS doctors",
    "Nurses & health visitors",
    "Midwives",
    "Ambulance staff",
    "Scientific, therapeutic & technical staff",
    "Support to doctors, nurses & midwives",
    "Support to ambulance staff",
    "Support to ST&T staff",
    "Central functions",
    "Hotel, property & estates",
    "Senior managers",
    "Managers",
)

_STAFF_GROUP_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "HCHS doctors": (
        "doctors",
        "medical",
        "medical and dental",
        "medical & dental",
        "medics",
        "hchs doctor",
        "doctor",
    ),
    "Nurses & health visitors": (
        "nurses",
        "nursing",
        "nurses and health visitors",
        "registered nurses",
        "nurse",
        "nursing and health visiting",
        "health visitors",
    ),
    "Midwives": ("midwife", "midwifery"),
    "Ambulance staff": ("ambulance", "paramedics", "paramedic"),
    "Scientific, therapeutic & technical staff": (
        "scientific therapeutic and technical",
        "scientific, therapeutic and technical staff",
        "st&t",
        "stt",
        "st&t staff",
        "ahp",
        "ahps",
        "allied health professionals",
        "allied health professional",
        "healthcare scientists",
        "scientific and technical",
    ),
    "Support to doctors, nurses & midwives": (
        "support to doctors nurses and midwives",
        "support to clinical staff",
        "clinical support",
        "healthcare assistants",
        "hca",
        "hcas",
        "nursing support",
        "support to doctors, nurses and midwives",
    ),
    "Support to ambulance staff": ("support to ambulance",),
    "Support to ST&T staff": (
        "support to st&t",
        "support to stt",
        "support to scientific therapeutic and technical staff",
        "support to scientific, therapeutic & technical staff",
        "ahp support",
        "support to ahps",
    ),
    "Central functions": (
        "central function",
        "admin and clerical",
        "administrative and clerical",
        "admin & clerical",
        "a&c",
        "corporate",
        "corporate services",
        "administration",
    ),
    "Hotel, property & estates": (
        "hotel property and estates",
        "estates",
        "estates and facilities",
        "facilities",
        "hotel, property and estates",
        "estates & facilities",
    ),
    "Senior managers": ("senior manager", "senior management", "executives", "board"),
    "Managers": ("manager", "management", "middle managers"),
}


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9&]+", " ", text.lower().replace(" and ", " & ")).strip()


STAFF_GROUP_TABLE: Final[dict[str, str]] = {}
for _group in STAFF_GROUPS:
    STAFF_GROUP_TABLE[_key(_group)] = _group
    for _alias in _STAFF_GROUP_ALIASES[_group]:
        STAFF_GROUP_TABLE.setdefault(_key(_alias), _group)


def canonical_staff_group(text: str) -> str | None:
    """Return the NHS Workforce Statistics staff group named by ``text``, or ``None``.

    Examples
    --------
    >>> canonical_staff_group("Nursing")
    'Nurses & health visitors'
    >>> canonical_staff_group("Scientific, therapeutic and technical staff")
    'Scientific, therapeutic & technical staff'
    >>> canonical_staff_group("Wizards") is None
    True
    """
    return STAFF_GROUP_TABLE.get(_key(text))


def suggest_staff_groups(text: str, n: int = 3) -> list[str]:
    """Return up to ``n`` staff groups whose names or aliases are closest to ``text``."""
    keys = difflib.get_close_matches(_key(text), list(STAFF_GROUP_TABLE), n=n * 3, cutoff=0.4)
    suggestions: list[str] = []
    for key in keys:
        group = STAFF_GROUP_TABLE[key]
        if group not in suggestions:
            suggestions.append(group)
    return suggestions[:n] or list(STAFF_GROUPS[:n])


# Agenda for Change bands, medical grades and other pay arrangements.
AFC_BANDS: Final[tuple[str, ...]] = (
    "Band 1",
    "Band 2",
    "Band 3",
    "Band 4",
    "Band 5",
    "Band 6",
    "Band 7",
    "Band 8a",
    "Band 8b",
    "Band 8c",
    "Band 8d",
    "Band 9",
)
MEDICAL_GRADES: Final[tuple[str, ...]] = (
    "Consultant",
    "Specialist",
    "Specialty doctor",
    "Associate specialist",
    "Specialty registrar",
    "Core trainee",
    "Foundation year 2",
    "Foundation year 1",
    "Trust grade doctor",
    "Clinical fellow",
)
OTHER_PAY: Final[tuple[str, ...]] = ("VSM", "Non-AfC", "Apprentice")
BANDS: Final[tuple[str, ...]] = AFC_BANDS + MEDICAL_GRADES + OTHER_PAY

_BAND_ALIASES: Final[dict[str, str]] = {
    "fy1": "Foundation year 1",
    "f1": "Foundation year 1",
    "fy2": "Foundation year 2",
    "f2": "Foundation year 2",
    "ct1": "Core trainee",
    "ct2": "Core trainee",
    "ct3": "Core trainee",
    "core training": "Core trainee",
    "st1": "Specialty registrar",
    "st2": "Specialty registrar",
    "st3": "Specialty registrar",
    "st4": "Specialty registrar",
    "st5": "Specialty registrar",
    "st6": "Specialty registrar",
    "st7": "Specialty registrar",
    "st8": "Specialty registrar",
    "registrar": "Specialty registrar",
    "spr": "Specialty registrar",
    "str": "Specialty registrar",
    "sas": "Specialty doctor",
    "staff grade": "Specialty doctor",
    "very senior manager": "VSM",
    "non afc": "Non-AfC",
}


def _band_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


BAND_TABLE: Final[dict[str, str]] = {_band_key(b): b for b in BANDS}
for _alias_key, _band in _BAND_ALIASES.items():
    BAND_TABLE.setdefault(_band_key(_alias_key), _band)
for _b in AFC_BANDS:
    _n = _b.split()[1]
    BAND_TABLE.setdefault(_n, _b)
    BAND_TABLE.setdefault(f"afc {_n}", _b)
    BAND_TABLE.setdefault(f"afc band {_n}", _b)
    BAND_TABLE.setdefault(f"b{_n}", _b)


def canonical_band(text: str) -> str | None:
    """Return the canonical pay band or grade for ``text``, or ``None`` if unknown.

    Examples
    --------
    >>> canonical_band("8A")
    'Band 8a'
    >>> canonical_band("band 5")
    'Band 5'
    >>> canonical_band("FY1")
    'Foundation year 1'
    """
    key = _band_key(text)
    if key.endswith(".0") or re.fullmatch(r"\d+ 0", key):  # 5.0 read from a numeric cell
        key = key.split()[0]
    return BAND_TABLE.get(key)
