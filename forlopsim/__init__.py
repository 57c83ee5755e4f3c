"""forlopsim: a discrete-event simulation of municipal care pathways (forløp 1–3).

Residents with substance-use problems, mental illness or both move through three municipal
units, a ladder of housing tiers, crisis beds and specialist institutions. Planners compare a
baseline with what-ifs on waiting times, revolving-door rates, homelessness and cost.

The Python API (:mod:`forlopsim.api`)::

    import forlopsim
    base = forlopsim.load_scenario("scenarios/trondheim_baseline.yaml")
    results = forlopsim.simulate(base, replications=10, jobs=4)
    results.summary()
    comparison = forlopsim.compare(base, base.with_changes({"housing.tiers.middle.capacity": 12}))
    comparison.differences()

Every name but ``ScenarioError`` and ``__version__`` is imported on first use (the scenario
models need pydantic and NumPy, the simulation SciPy and pandas), so that ``import forlopsim``
stays quick and ``forlopsim --version`` or ``--help`` imports neither.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from forlopsim.errors import ScenarioError

if TYPE_CHECKING:
    from forlopsim.api import Results, compare, simulate
    from forlopsim.comparison import Comparison
    from forlopsim.experiment import WarmupWarning, replications_needed
    from forlopsim.scenario import Scenario, load_scenario

__version__ = "0.1.0"

_LAZY = {
    "Scenario": "forlopsim.scenario",
    "load_scenario": "forlopsim.scenario",
    "simulate": "forlopsim.api",
    "compare": "forlopsim.api",
    "Results": "forlopsim.api",
    "Comparison": "forlopsim.comparison",
    "replications_needed": "forlopsim.experiment",
    "WarmupWarning": "forlopsim.experiment",
}

__all__ = [
    "Comparison",
    "Results",
    "Scenario",
    "ScenarioError",
    "WarmupWarning",
    "__version__",
    "compare",
    "load_scenario",
    "replications_needed",
    "simulate",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'forlopsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
