"""Column names used throughout genai_aug, and the header aliases mapped to them.

Every column name the library reads or writes lives here. Users' headers are
matched once, at the edge (:func:`canonical_header`), and the rest of the code
only ever sees the canonical names below.
"""

from __future__ import annotations

import re
from typing import Final

# --- roles sheet -----------------------------------------------------------
ROLE_ID: Final = "role_id"
ROLE_TITLE: Final = "role_title"
STAFF_GROUP: Final = "staff_group"
BAND: Final = "band"
FTE: Final = "fte"
HEADCOUNT: Final = "headcount"
CONTRACTED_HOURS: Final = "contracted_hours"
DEPARTMENT: Final = "department"
DIRECTORATE: Final = "directorate"
TRUST: Final = "trust"

# --- tasks sheet -----------------------------------------------------------
TASK_ID: Final = "task_id"
TASK: Final = "task"
HOURS_PER_WEEK: Final = "hours_per_week"
PERCENT_OF_TIME: Final = "percent_of_time"
PATIENT_FACING: Final = "patient_facing"
CATEGORY_OVERRIDE: Final = "category_override"

# --- provenance (where each record came from) -------------------------------
SOURCE_FILE: Final = "source_file"
SOURCE_SHEET: Final = "source_sheet"
SOURCE_ROW: Final = "source_row"
PROVENANCE: Final = (SOURCE_FILE, SOURCE_SHEET, SOURCE_ROW)

# --- scoring outputs --------------------------------------------------------
CATEGORY: Final = "category"
CATEGORY_LABEL: Final = "category_label"
EXPOSURE: Final = "exposure"
SCORE: Final = "score"
CONFIDENCE: Final = "confidence"
ALTERNATIVE: Final = "alternative_category"
MODE: Final = "mode"
EVIDENCE: Final = "evidence"
CLASSIFIED: Final = "classified"
RULE_ID: Final = "rule_id"
WEIGHT: Final = "weight"
MATCHED: Final = "matched"
TIME_SHARE: Final = "time_share"
TEXT_KEY: Final = "text_key"

# --- aggregation outputs ----------------------------------------------------
# One model from task to trust (see genai_aug.aggregating): every figure of hours
# released is a scenario's; the level tables (Result.roles, .staff_groups, .trust) carry
# the headline scenario's, the scenario tables every scenario's, under the same names.
HOURS_TOTAL: Final = "hours_per_week_total"
HOURS_CONTRACTED: Final = "hours_contracted_per_week"
HOURS_NOT_LISTED: Final = "hours_not_listed_per_week"
HOURS_UNCLASSIFIED: Final = "hours_unclassified_per_week"
HOURS_RELEASED: Final = "hours_released_per_week"
HOURS_AUTOMATION: Final = "hours_released_automation_per_week"
HOURS_AUGMENTATION: Final = "hours_released_augmentation_per_week"
HOURS_RELEASED_YEAR: Final = "hours_released_per_year"
WTE_RELEASED: Final = "wte_released"
SHARE_RELEASED: Final = "share_of_hours_released"
HOURS_PER_WTE_MONTH: Final = "hours_released_per_wte_per_month"
DAYS_PER_WTE_MONTH: Final = "days_released_per_wte_per_month"
HOURS_AT_STAKE: Final = "hours_at_stake_per_week"
REVIEW_PRIORITY: Final = "review_priority"
N_ROLES: Final = "n_roles"
N_TASKS: Final = "n_tasks"
N_UNCLASSIFIED: Final = "n_unclassified"
LEVEL: Final = "level"

# --- ranges (low and high around the central figure) -------------------------
SCENARIO: Final = "scenario"
RELEASED_LOW: Final = "hours_released_per_week_low"
RELEASED_HIGH: Final = "hours_released_per_week_high"
RELEASED_YEAR_LOW: Final = "hours_released_per_year_low"
RELEASED_YEAR_HIGH: Final = "hours_released_per_year_high"
WTE_LOW: Final = "wte_released_low"
WTE_HIGH: Final = "wte_released_high"
FIGURE_COLUMNS: Final = (
    RELEASED_LOW,
    HOURS_RELEASED,
    RELEASED_HIGH,
    HOURS_AUTOMATION,
    HOURS_AUGMENTATION,
    RELEASED_YEAR_LOW,
    HOURS_RELEASED_YEAR,
    RELEASED_YEAR_HIGH,
    WTE_LOW,
    WTE_RELEASED,
    WTE_HIGH,
    HOURS_PER_WTE_MONTH,
    DAYS_PER_WTE_MONTH,
)
"""The figures of one scenario at one level, in every table that shows them."""

# --- issues table -----------------------------------------------------------
ISSUE_COLUMNS: Final = ("file", "sheet", "row", "column", "value", "code", "severity", "message")

ROLES_SHEET: Final = "roles"
TASKS_SHEET: Final = "tasks"

ROLE_COLUMNS: Final = (
    ROLE_ID,
    ROLE_TITLE,
    STAFF_GROUP,
    BAND,
    FTE,
    HEADCOUNT,
    CONTRACTED_HOURS,
    DEPARTMENT,
    DIRECTORATE,
    TRUST,
)
TASK_COLUMNS: Final = (
    ROLE_ID,
    TASK_ID,
    TASK,
    HOURS_PER_WEEK,
    PERCENT_OF_TIME,
    PATIENT_FACING,
    CATEGORY_OVERRIDE,
)
# The role attributes carried onto each task and into the role table.
ROLE_INFO_COLUMNS: Final = (ROLE_ID, ROLE_TITLE, STAFF_GROUP, BAND, FTE, CONTRACTED_HOURS)
REQUIRED_ROLE_COLUMNS: Final = (ROLE_ID, ROLE_TITLE, STAFF_GROUP)
REQUIRED_TASK_COLUMNS: Final = (ROLE_ID, TASK)

_COMMON_ALIASES: dict[str, tuple[str, ...]] = {
    ROLE_ID: ("role id", "role code", "role ref", "role reference", "post id", "job code"),
}

ROLE_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    ROLE_ID: (*_COMMON_ALIASES[ROLE_ID], "id"),
    ROLE_TITLE: (
        "role title",
        "job title",
        "role",
        "title",
        "job role",
        "post",
        "role name",
        "post title",
        "job",
    ),
    STAFF_GROUP: ("staff group", "nhs staff group", "workforce group", "group", "main staff group"),
    BAND: (
        "band",
        "pay band",
        "afc band",
        "agenda for change band",
        "grade",
        "medical grade",
        "pay grade",
        "band or grade",
        "band/grade",
    ),
    FTE: (
        "fte",
        "wte",
        "whole time equivalent",
        "full time equivalent",
        "fte in post",
        "wte in post",
        "contracted wte",
        "contracted fte",
    ),
    HEADCOUNT: ("headcount", "head count", "staff count", "number of staff", "hc", "staff in post"),
    CONTRACTED_HOURS: (
        "contracted hours",
        "contracted hours per week",
        "contract hours",
        "weekly contracted hours",
        "hours per week",
        "weekly hours",
        "full time hours",
    ),
    DEPARTMENT: ("department", "dept", "service", "specialty", "ward", "ward/department"),
    DIRECTORATE: ("directorate", "division", "care group", "clinical service unit", "csu"),
    TRUST: ("trust", "organisation", "organization", "organisation name", "org", "trust name"),
}

TASK_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    ROLE_ID: _COMMON_ALIASES[ROLE_ID],
    TASK_ID: ("task id", "task ref", "task reference", "task code", "id", "task no", "task number"),
    TASK: (
        "task",
        "task description",
        "description",
        "activity",
        "task/activity",
        "activity description",
        "duty",
        "task text",
        "tasks",
    ),
    HOURS_PER_WEEK: (
        "hours per week",
        "hrs/week",
        "hrs per week",
        "hours/week",
        "hours per wk",
        "hrs/wk",
        "weekly hours",
        "hours",
        "hrs",
        "time (hours/week)",
        "hours a week",
        "hours each week",
    ),
    PERCENT_OF_TIME: (
        "% of time",
        "percent of time",
        "percentage of time",
        "% time",
        "pct time",
        "pct of time",
        "share of time",
        "% of role",
        "percent",
    ),
    PATIENT_FACING: (
        "patient facing",
        "patient-facing",
        "direct patient contact",
        "patient contact",
        "face to face with patients",
    ),
    CATEGORY_OVERRIDE: (
        "category override",
        "analyst category",
        "override category",
        "category",
        "override",
    ),
}


def normalise_header(text: object) -> str:
    """Fold a header to the key used for matching: case, spaces and punctuation ignored.

    Examples
    --------
    >>> normalise_header("  Hrs/Week ")
    'hrs_per_week'
    >>> normalise_header("% of time")
    'percent_of_time'
    """
    s = str(text).strip().lower().replace("%", " percent ").replace("/", " per ")
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


def _alias_table(aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for canonical, names in aliases.items():
        table[normalise_header(canonical)] = canonical
        for name in names:
            table.setdefault(normalise_header(name), canonical)
    return table


ROLE_HEADER_TABLE: Final = _alias_table(ROLE_ALIASES)
TASK_HEADER_TABLE: Final = _alias_table(TASK_ALIASES)


def canonical_header(text: object, table: dict[str, str]) -> str | None:
    """Return the canonical column for a user's header, or ``None`` if it is not recognised.

    Examples
    --------
    >>> canonical_header("WTE", ROLE_HEADER_TABLE)
    'fte'
    >>> canonical_header("Hrs/week", TASK_HEADER_TABLE)
    'hours_per_week'
    >>> canonical_header("Notes", TASK_HEADER_TABLE) is None
    True
    """
    return table.get(normalise_header(text))
