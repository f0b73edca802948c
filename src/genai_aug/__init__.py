"""genai_aug: where generative AI can release staff time in a hospital trust, role by role.

Load a role and task inventory, score each task's exposure to generative AI with
readable rules, and aggregate the hours it could release per role, staff group
and trust.

>>> import genai_aug
>>> result = genai_aug.run(genai_aug.sample_path())
>>> len(result.roles) >= 40
True
"""

from __future__ import annotations

from importlib import metadata, resources
from pathlib import Path

try:
    __version__ = metadata.version("genai_aug")
except metadata.PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
    __version__ = "0+unknown"

from genai_aug.aggregating import Aggregates, Assumptions, aggregate_hours
from genai_aug.errors import GenAIAugError, InventoryError, RulesetError, ScenarioError
from genai_aug.evaluating import Evaluation, LabelsError, evaluate
from genai_aug.inventory import Inventory
from genai_aug.loading import load_inventory
from genai_aug.pipeline import run
from genai_aug.result import Result
from genai_aug.rules import Ruleset, default_ruleset, load_ruleset
from genai_aug.scenarios import ScenarioSet, load_scenarios
from genai_aug.scoring import explain, score_tasks, score_texts
from genai_aug.template import write_template


def sample_path() -> Path:
    """Path to the bundled sample inventory (a fictional acute trust), installed with the package.

    Examples
    --------
    >>> sample_path().name
    'sample_roles.xlsx'
    """
    return Path(str(resources.files("genai_aug").joinpath("data").joinpath("sample_roles.xlsx")))


__all__ = [
    "Aggregates",
    "Assumptions",
    "Evaluation",
    "GenAIAugError",
    "Inventory",
    "InventoryError",
    "LabelsError",
    "Result",
    "Ruleset",
    "RulesetError",
    "ScenarioError",
    "ScenarioSet",
    "__version__",
    "aggregate_hours",
    "default_ruleset",
    "evaluate",
    "explain",
    "load_inventory",
    "load_ruleset",
    "load_scenarios",
    "run",
    "sample_path",
    "score_tasks",
    "score_texts",
    "write_template",
]
