"""Scenario files: pydantic models of the world, YAML loading with ``extends:``, JSON Schema."""

from forlopsim.scenario.loader import load_scenario, load_scenarios
from forlopsim.scenario.scenario import HOMELESS, Scenario, numbers_only

__all__ = ["HOMELESS", "Scenario", "load_scenario", "load_scenarios", "numbers_only"]
