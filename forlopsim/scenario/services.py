"""The three municipal units, their follow-up teams, coverage hours and routing."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from forlopsim.scenario.base import Label, Model, NonNegative, Quiet, Sourced
from forlopsim.scenario.distributions import Distribution
from forlopsim.scenario.population import AgeGroup, Problem, Sex
from forlopsim.scenario.schedule import Capacity, OnClose

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Coverage(Sourced):
    """Hours when a team is on duty; day 0 of the simulation is a Monday, midnight."""

    label: Label | None = None
    """Display name in the report (``{nb: …, en: …}``); none: the code name is shown."""

    days: list[Weekday] = Field(min_length=1)
    """Weekdays covered."""
    from_hour: float = Field(ge=0, le=24)
    """Start of the covered hours (0–24)."""
    to_hour: float = Field(ge=0, le=24)
    """End of the covered hours (0–24), after ``from_hour``."""

    @model_validator(mode="after")
    def _ordered(self) -> Coverage:
        if self.to_hour <= self.from_hour:
            raise ValueError("expected to_hour after from_hour")
        return self


class FollowUpEffect(Sourced):
    """Multipliers on a resident's hazards while the team follows them up (1 = no effect)."""

    tenancy_breakdown: NonNegative = 1.0
    crisis: NonNegative = 1.0


class Team(Sourced, Quiet):
    """A follow-up team: a caseload, a waiting list and an effect on the residents it follows."""

    quiet = ("on_close",)

    label: Label | None = None
    """Display name in the report (``{nb: …, en: …}``); none: the code name is shown."""

    caseload: Capacity
    """Residents it can follow at once, or a schedule of it (days from the end of the warm-up)."""
    on_close: OnClose | None = None
    """When a schedule lowers the caseload below those followed: ``keep`` (the default) follows
    them until they leave, and takes nobody on until there is room."""
    follow_up_effect: FollowUpEffect = FollowUpEffect()
    """How follow-up changes hazards."""
    coverage: str
    """Name of an entry in ``coverage`` (e.g. ``office_hours``)."""
    cost_per_resident_day: NonNegative = 0.0
    """NOK per resident followed per day."""
    payer: Literal["municipality", "specialist", "other"] = "municipality"
    """Who pays for the team."""
    requests_housing: bool = False
    """Whether the team applies for housing for the residents it follows whose need exceeds
    their tier's support (reason ``team_request`` of the allocation office)."""


class Unit(Model):
    """A municipal unit: a named set of teams."""

    label: Label | None = None
    """Display name in the report (``{nb: …, en: …}``); none: the code name is shown."""
    name: str
    """The unit's own name, e.g. *Enhet for rustjenester*."""
    teams: dict[str, Team] = Field(min_length=1)
    """Teams by name; a route names a team as ``unit.team``."""


class Route(Model):
    """One row of the routing table: residents it matches go to ``team``; first match wins."""

    forlop: list[Literal[1, 2, 3]] = Field(min_length=1)
    """Care pathways (forløp) it covers."""
    problem: list[Problem] = Field(min_length=1)
    """Primary problems it covers."""
    sex: list[Sex] | None = None
    """Only these sexes (all when left out)."""
    age_group: list[AgeGroup] | None = None
    """Only these age groups (all when left out)."""
    team: str
    """Target team as ``unit.team``."""


class LowThreshold(Sourced):
    """Low-threshold services: no referral, no waiting list; they reach people without follow-up.

    They reach residents who are homeless, in temporary housing or still waiting for follow-up.
    """

    reach: float = Field(ge=0, le=1)
    """Chance that such a resident is in contact with them."""
    crisis_effect: NonNegative = 1.0
    """Multiplier on the crisis rate of those in contact."""


class Services(Sourced):
    """Units, routing and the handover between them."""

    forlop_by_need: dict[int, Literal[1, 2, 3]]
    """Care pathway (forløp) for each need level 1–4."""
    units: dict[str, Unit] = Field(min_length=1)
    """The units by short name."""
    coverage: dict[str, Coverage] = Field(min_length=1)
    """Named coverage hours that teams refer to."""
    routing: list[Route] = Field(min_length=1)
    """Routing table: forløp × primary problem (× sex, age) → team."""
    handover_delay: Distribution | None = None
    """Days from a change of forløp until the new team takes over (none: at once)."""
    low_threshold: LowThreshold | None = None
    """Low-threshold services (health team, drop-in centres, street health)."""

    @field_validator("forlop_by_need")
    @classmethod
    def _complete_map(cls, value: dict[int, int]) -> dict[int, int]:
        if sorted(value) != [1, 2, 3, 4]:
            raise ValueError("expected a forløp for each need level 1, 2, 3 and 4")
        return value
