"""Competing risks: tenancy breakdown, crisis and its resolution, need change, exits.

Rates are events per resident-year, given per need level ``{1: …, 2: …, 3: …, 4: …}``.
"""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from forlopsim.scenario.base import NonNegative, Probability, RatePerYear, Sourced
from forlopsim.scenario.population import AGE_GROUPS, NEEDS, PROBLEMS, AgeGroup, Problem


def _complete(value: dict, keys: tuple, what: str) -> dict:
    """Require exactly one entry for each of ``keys``."""
    if sorted(value) != sorted(keys):
        raise ValueError(f"expected {what} {list(keys)}")
    return value


def _by_need(rates: dict[int, float], levels: tuple[int, ...] = NEEDS) -> dict[int, float]:
    return _complete(rates, levels, "a rate for each need level")


class TenancyBreakdown(Sourced):
    """Eviction, abandonment, exclusion: ``base[n] × under_support^max(d,0) × follow-up × violence``."""

    per_year: dict[int, RatePerYear]
    """Base rate per need level."""
    under_support: NonNegative = 1.0
    """Multiplier per level of support shortfall ``d = need − support``."""
    violence_high: NonNegative = 1.0
    """Multiplier for residents with high violence risk."""
    to_temporary: Probability = 1.0
    """Chance the resident is offered temporary housing (if a place is free) rather than the street."""

    @field_validator("per_year")
    @classmethod
    def _check_levels(cls, value: dict[int, float]) -> dict[int, float]:
        return _by_need(value)


class CrisisOutcome(Sourced):
    """What follows a crisis, by how it was met; the three chances are exclusive (sum ≤ 1)."""

    admission: Probability = 0.0
    """Chance of admission to an institution (chosen by primary problem)."""
    tenancy_loss: Probability = 0.0
    """Chance of losing the tenancy."""
    death: Probability = 0.0
    """Chance the crisis is fatal (an overdose death for substance use)."""

    @model_validator(mode="after")
    def _exclusive(self) -> CrisisOutcome:
        total = self.admission + self.tenancy_loss + self.death
        if total > 1.0 + 1e-9:
            raise ValueError(
                f"admission + tenancy_loss + death must not exceed 1 (it is {total:g})"
            )
        return self


class CrisisOutcomes(Sourced):
    """Outcome chances for each way a crisis can be met."""

    self_referral_bed: CrisisOutcome
    crisis_bed: CrisisOutcome
    emergency: CrisisOutcome
    """Met by the emergency service (AMK, hospital emergency department)."""
    stay_put: CrisisOutcome
    """Turned away and not taken to the emergency service."""


class TeamMet(Sourced):
    """Effect of the resident's own team meeting a crisis inside its covered hours."""

    resolves: Probability = 0.0
    """Chance the team resolves the crisis at home, with no bed or emergency service."""
    admission: NonNegative = 1.0
    """Multiplier on the chance of admission."""
    tenancy_loss: NonNegative = 1.0
    """Multiplier on the chance of losing the tenancy."""
    death: NonNegative = 1.0
    """Multiplier on the chance of death."""


class Crisis(Sourced):
    """Crises: ``base[n] × under_support^max(d,0) × follow-up × (homeless effect when homeless)``."""

    per_year: dict[int, RatePerYear]
    """Base rate per need level."""
    under_support: NonNegative = 1.0
    homeless: NonNegative = 1.0
    """Multiplier while homeless."""
    turned_away_to_emergency: Probability = 1.0
    """Chance that a resident turned away from a full crisis bed goes to the emergency service
    (otherwise they stay put)."""
    outcomes: CrisisOutcomes
    team_met: TeamMet = TeamMet()
    admit_to: dict[Problem, str]
    """Institution for an admission, by primary problem."""
    after_discharge: AfterDischarge | None = None
    """Crises more likely for a window after an institution discharge (readmission, T9)."""

    @field_validator("per_year")
    @classmethod
    def _check_levels(cls, value: dict[int, float]) -> dict[int, float]:
        return _by_need(value)

    @field_validator("admit_to")
    @classmethod
    def _every_problem(cls, value: dict[str, str]) -> dict[str, str]:
        return _complete(value, PROBLEMS, "an institution for each problem")


class NeedChange(Sourced):
    """Step-up (worse) and step-down (better) of the need level."""

    step_up_per_year: dict[int, RatePerYear]
    """Rate of stepping up from need levels 1, 2 and 3."""
    step_down_per_year: dict[int, RatePerYear]
    """Rate of stepping down from need levels 2, 3 and 4."""

    @field_validator("step_up_per_year")
    @classmethod
    def _check_up(cls, value: dict[int, float]) -> dict[int, float]:
        return _by_need(value, (1, 2, 3))

    @field_validator("step_down_per_year")
    @classmethod
    def _check_down(cls, value: dict[int, float]) -> dict[int, float]:
        return _by_need(value, (2, 3, 4))


class AfterDischarge(Sourced):
    """A hazard's multiplier for a window after an institution discharge."""

    multiplier: NonNegative
    days: NonNegative


class Mortality(Sourced):
    """Deaths outside a crisis: background by age plus overdose by primary problem."""

    background_per_year: dict[AgeGroup, RatePerYear]
    """By age group."""
    overdose_per_year: dict[Problem, RatePerYear]
    """By primary problem."""
    homeless: NonNegative = 1.0
    """Multiplier on overdose mortality while homeless."""
    after_discharge: AfterDischarge | None = None

    @field_validator("background_per_year")
    @classmethod
    def _every_age(cls, value: dict[str, float]) -> dict[str, float]:
        return _complete(value, AGE_GROUPS, "a rate for each age group")

    @field_validator("overdose_per_year")
    @classmethod
    def _every_problem(cls, value: dict[str, float]) -> dict[str, float]:
        return _complete(value, PROBLEMS, "a rate for each problem")


class TreatmentReferral(Sourced):
    """Planned referrals to an institution with a waiting list (e.g. TSB)."""

    per_year: dict[int, RatePerYear]
    """Rate per need level."""
    institution: str
    """Institution with a waiting list that the referral is to."""
    problem: list[Problem] = Field(default_factory=lambda: list(PROBLEMS))
    """Primary problems that are referred (all when left out)."""
    after_discharge: AfterDischarge | None = None
    """Referrals more likely for a window after an institution discharge (readmission, T8)."""

    @field_validator("per_year")
    @classmethod
    def _check_levels(cls, value: dict[int, float]) -> dict[int, float]:
        return _by_need(value)


class OwnHousing(Sourced):
    """Residents finding housing of their own (the private market, family) outside allocation."""

    per_year: dict[int, RatePerYear]
    """Rate per need level."""
    places: list[str] = Field(min_length=1)
    """Where it can happen: ``homeless`` and/or tier names."""
    to: str
    """The tier they move to (usually an unbounded, non-allocatable tier such as ``own_home``)."""

    @field_validator("per_year")
    @classmethod
    def _check_levels(cls, value: dict[int, float]) -> dict[int, float]:
        return _by_need(value)


class Hazards(Sourced):
    """Every competing risk a resident faces."""

    tenancy_breakdown: TenancyBreakdown
    crisis: Crisis
    need_change: NeedChange
    recovery_per_year: dict[int, RatePerYear]
    """Recovery (leaves services) per need level."""
    move_away_per_year: RatePerYear = Field(default=0.0)
    """Moving out of the municipality."""
    mortality: Mortality
    treatment_referral: TreatmentReferral | None = None
    own_housing: OwnHousing | None = None
    """Finding housing outside the municipality's allocation."""

    @field_validator("recovery_per_year")
    @classmethod
    def _check_recovery(cls, value: dict[int, float]) -> dict[int, float]:
        return _by_need(value)
