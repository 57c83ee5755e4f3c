"""The housing ladder: tiers with capacity, support, eligibility and cost; the allocation policy."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, Strict, ValidationInfo, field_validator

from forlopsim.scenario.base import Count, Model, NonNegative, Sourced
from forlopsim.scenario.distributions import Distribution
from forlopsim.scenario.population import AgeGroup, Problem, Sex

Payer = Literal["municipality", "specialist", "other"]
"""Who pays: the municipality, the specialist health service, or others (the resident, the state)."""


class Eligibility(Model):
    """Who may be placed: every listed criterion must hold; a criterion left out admits all."""

    sex: list[Sex] | None = None
    age_group: list[AgeGroup] | None = None
    problem: list[Problem] | None = None
    need: tuple[int, int] = (1, 4)
    """Lowest and highest need level admitted."""

    @field_validator("need")
    @classmethod
    def _need_range(cls, value: tuple[int, int]) -> tuple[int, int]:
        low, high = value
        if not 1 <= low <= high <= 4:
            raise ValueError("expected [low, high] with 1 <= low <= high <= 4")
        return value


class Ban(Sourced):
    """After a tenancy breakdown, a chance of being barred from the tier for a while."""

    probability: float = Field(ge=0, le=1)
    """Chance that a breakdown leads to a ban."""
    duration: Distribution
    """Length of the ban, in days."""


class Tier(Sourced):
    """A rung of the housing ladder."""

    capacity: Count | None = None
    """Places; leave out for an unbounded tier (e.g. residents' own homes)."""
    support: Annotated[int, Strict()] = Field(ge=1, le=4)
    """Support level 1–4 it offers (compared with a resident's need)."""
    eligibility: Eligibility = Eligibility()
    """Who may be placed here."""
    allocatable: bool = True
    """False for a tier the municipality cannot allocate (own homes): residents only start there."""
    temporary: bool = False
    """Temporary housing (hospits, shelter): where residents wait for a place; not a match."""
    max_stay: Distribution | None = None
    """Longest stay, in days (none: unlimited)."""
    held_while_away: bool = True
    """Whether a resident keeps the place during a crisis-bed or institution stay."""
    ban: Ban | None = None
    """Bans after a breakdown in this tier."""
    cost_per_place_day: NonNegative = 0.0
    """NOK per place per day."""
    cost_basis: Literal["capacity", "occupied"] = "capacity"
    """Pay for every place (staffed housing) or only for occupied place-days (hospits)."""
    new_place_cost: NonNegative = 0.0
    """One-off NOK per place beyond ``existing_places``."""
    existing_places: Count | None = None
    """Places that exist already (none: all of ``capacity``); the rest are new and cost once."""
    payer: Payer = "municipality"


class Allocation(Sourced):
    """How residents are matched to places. Priority is higher need first, then longest wait."""

    policy: Literal["strict", "best_available", "fallback_after"]
    """``strict``: wait for the best-matched tier; ``best_available``: take the nearest free tier
    (preferring more support) and stay on the list of the best match; ``fallback_after``: strict
    for ``fallback_after_days``, then best available."""
    fallback_after_days: NonNegative | None = None
    """Days of waiting before ``fallback_after`` takes any eligible place."""

    @field_validator("fallback_after_days")
    @classmethod
    def _days_given(cls, value: float | None, info: ValidationInfo) -> float | None:
        if info.data.get("policy") == "fallback_after" and value is None:
            raise ValueError("policy fallback_after needs fallback_after_days")
        return value


class Housing(Model):
    """Housing tiers and the allocation policy; homelessness is a state, not a tier."""

    allocation: Allocation
    tiers: dict[str, Tier] = Field(min_length=1)
    """Tiers by name, in the order temporary housing is tried."""

    @field_validator("tiers")
    @classmethod
    def _reserved_names(cls, value: dict[str, Tier]) -> dict[str, Tier]:
        if "homeless" in value:
            raise ValueError("'homeless' is a state, not a tier; remove it from tiers")
        return value
