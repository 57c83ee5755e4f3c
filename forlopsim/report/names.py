"""Display names for the report: each place, team, unit, coverage and scenario in the language.

They come from the scenario files' ``label: {nb: …, en: …}`` (:class:`forlopsim.scenario.base.Label`),
with the other language, then the code name (or the scenario's ``name``) as fallback. Names
change nothing that is simulated.
"""

from __future__ import annotations

from collections.abc import Mapping

from forlopsim.report.i18n import Language
from forlopsim.scenario import Scenario
from forlopsim.scenario.checks import labelled


def place_names(scenarios: Mapping[str, Scenario], code: str) -> dict[str, str]:
    """Code name → display name of every labelled part of any scenario (the first one wins)."""
    names: dict[str, str] = {}
    for scenario in scenarios.values():
        for _, name, label in labelled(scenario):
            text = label.text(code) if label is not None else None
            if text and name not in names:
                names[name] = text
    return names


def scenario_name(scenario: Scenario, base: Scenario, code: str) -> str:
    """A scenario's display name: its label, or ``name`` if it has none or its base's label."""
    inherited = scenario is not base and scenario.label == base.label
    label = scenario.label.text(code) if scenario.label is not None and not inherited else None
    return label or scenario.name


def about(scenario: Scenario, base: Scenario, code: str) -> str:
    """The scenario's description in the language: ``about`` in it, else ``description``.

    A what-if's ``about`` equal to its base's is inherited (``extends``), so not its own.
    """
    own = scenario.about if scenario is base or scenario.about != base.about else None
    text = getattr(own, code, None) if own is not None else None
    return text or scenario.description


def named(lang: Language, scenarios: Mapping[str, Scenario], base: str) -> Language:
    """``lang`` with the display names of the scenarios (by label) and of their places."""
    first = scenarios[base]
    return lang.named(
        place_names(scenarios, lang.code),
        {label: scenario_name(s, first, lang.code) for label, s in scenarios.items()},
    )
