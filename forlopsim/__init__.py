"""forlopsim: a discrete-event simulation of municipal care pathways (forløp 1–3).

Residents with substance-use problems, mental illness or both move through three municipal
units, a ladder of housing tiers, crisis beds and specialist institutions. Planners compare a
baseline with what-ifs on waiting times, revolving-door rates, homelessness and cost.
"""

from forlopsim.errors import ScenarioError
from forlopsim.scenario import Scenario, load_scenario

__version__ = "0.1.0"

__all__ = ["Scenario", "ScenarioError", "__version__", "load_scenario"]
