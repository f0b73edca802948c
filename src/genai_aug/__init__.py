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

import importlib
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

try:
    __version__ = metadata.version("genai_aug")
except metadata.PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
    __version__ = "0+unknown"

# The public names, and the module each lives in. They are imported on first use
# (PEP 562), so that ``import genai_aug`` and ``genai-aug --help`` are quick and a
# Ctrl-C while the command starts is answered in one line.
_EXPORTS = {
    "Aggregates": "aggregating",
    "Assumptions": "aggregating",
    "aggregate_hours": "aggregating",
    "GenAIAugError": "errors",
    "InventoryError": "errors",
    "RulesetError": "errors",
    "ScenarioError": "errors",
    "Evaluation": "evaluating",
    "LabelsError": "evaluating",
    "evaluate": "evaluating",
    "Inventory": "inventory",
    "load_inventory": "loading",
    "run": "pipeline",
    "Result": "result",
    "Ruleset": "rules",
    "default_ruleset": "rules",
    "load_ruleset": "rules",
    "ScenarioSet": "scenarios",
    "load_scenarios": "scenarios",
    "explain": "scoring",
    "score_tasks": "scoring",
    "score_texts": "scoring",
    "write_template": "template",
}

if TYPE_CHECKING:  # pragma: no cover - what type checkers and IDEs see
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


def __getattr__(name: str) -> Any:
    """Import a public name from its module the first time it is asked for."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'genai_aug' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"genai_aug.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


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
