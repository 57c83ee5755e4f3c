"""What a planner may change in the app, and how each lever is named and measured.

Each :class:`Lever` is one field of the base scenario, by its dotted path (as
:meth:`Scenario.with_changes <forlopsim.scenario.Scenario.with_changes>` takes it), with its
base value. Its words and unit are the hearing report's (:func:`forlopsim.report.assumptions.what`
and :func:`~forlopsim.report.assumptions.unit`), so the app and the report's assumptions table
name a change alike. The levers come in the sections of :data:`SECTIONS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from forlopsim.report.assumptions import unit, what
from forlopsim.report.i18n import Language
from forlopsim.scenario import Scenario
from forlopsim.scenario.services import WEEKDAYS

SECTIONS = ("tiers", "crisis_beds", "self_referral", "caseloads", "evenings")
"""The lever groups, in the order the app shows them (their titles are in :mod:`.texts`)."""


@dataclass(frozen=True)
class Lever:
    """One field a planner may change: where it is, its base value and what it may take."""

    section: str
    path: str
    base: Any
    kind: str = "count"
    """``count`` (a whole number ≥ 0), ``money`` (a number ≥ 0), ``hour`` (0–24),
    ``days`` (weekdays) or ``choice`` (one of :attr:`options`)."""
    options: tuple[str, ...] = ()

    def label(self, lang: Language) -> str:
        """The lever in the report's words, e.g. ``Housing First: places``."""
        return what(self.path, lang)

    def unit(self, lang: Language) -> str:
        """The lever's unit in the report's words (places, beds, NOK a day …), or empty."""
        return unit(self.path, lang)


def tier_levers(scenario: Scenario) -> list[Lever]:
    """Places per housing tier (tiers with a limit; own homes have none)."""
    return [
        Lever("tiers", f"housing.tiers.{name}.capacity", tier.capacity)
        for name, tier in scenario.housing.tiers.items()
        if tier.capacity is not None
    ]


def bed_levers(scenario: Scenario) -> list[Lever]:
    """Beds per crisis-bed kind: self-referral beds in their own section."""
    return [
        Lever(
            "self_referral" if bed.self_referral else "crisis_beds",
            f"crisis_beds.{name}.beds",
            bed.beds,
        )
        for name, bed in scenario.crisis_beds.items()
    ]


def team_levers(scenario: Scenario) -> list[Lever]:
    """Each team's caseload and cost a day, and its hours on duty (evening staffing)."""
    coverages = tuple(scenario.services.coverage)
    levers = []
    for unit_name, unit_ in scenario.services.units.items():
        for name, team in unit_.teams.items():
            path = f"services.units.{unit_name}.teams.{name}"
            if team.caseload is not None:
                levers.append(Lever("caseloads", f"{path}.caseload", team.caseload))
            levers.append(Lever("evenings", f"{path}.coverage", team.coverage, "choice", coverages))
            levers.append(
                Lever(
                    "evenings", f"{path}.cost_per_resident_day", team.cost_per_resident_day, "money"
                )
            )
    return levers


def coverage_levers(scenario: Scenario) -> list[Lever]:
    """The hours of each kind of duty: weekdays, from and to what hour."""
    levers = []
    for name, coverage in scenario.services.coverage.items():
        path = f"services.coverage.{name}"
        levers += [
            Lever("evenings", f"{path}.days", tuple(coverage.days), "days", WEEKDAYS),
            Lever("evenings", f"{path}.from_hour", coverage.from_hour, "hour"),
            Lever("evenings", f"{path}.to_hour", coverage.to_hour, "hour"),
        ]
    return levers


def levers(scenario: Scenario) -> list[Lever]:
    """Every lever of ``scenario``, in section order."""
    every = [
        *tier_levers(scenario),
        *bed_levers(scenario),
        *team_levers(scenario),
        *coverage_levers(scenario),
    ]
    return sorted(every, key=lambda lever: SECTIONS.index(lever.section))


def changes(every: list[Lever], values: Mapping[str, Any]) -> dict[str, Any]:
    """The levers whose value differs from the base, as ``{dotted path: value}``.

    ``values`` holds the controls' values by path; a path missing from it keeps its base value.
    Weekdays come back as a list (the scenario's type), in the week's order.
    """
    changed: dict[str, Any] = {}
    for lever in every:
        value = values.get(lever.path, lever.base)
        if lever.kind == "days":
            value = tuple(d for d in WEEKDAYS if d in value)
        if value != lever.base:
            changed[lever.path] = list(value) if lever.kind == "days" else value
    return changed
