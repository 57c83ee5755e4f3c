"""Who the residents are: attribute mixes, referral streams and the initial population."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, Strict, field_validator, model_validator

from forlopsim.limits import MAX_INITIAL_POPULATION, MAX_REFERRALS_PER_YEAR
from forlopsim.scenario.base import Label, Model, Probability, Sourced

Sex = Literal["female", "male"]
AgeGroup = Literal["youth", "adult", "senior"]
Problem = Literal["substance", "mental", "both"]
"""Primary problem: substance use, mental illness, or both (ROP: co-occurring disorders)."""
ViolenceRisk = Literal["low", "high"]

SEXES: tuple[Sex, ...] = ("female", "male")
AGE_GROUPS: tuple[AgeGroup, ...] = ("youth", "adult", "senior")
PROBLEMS: tuple[Problem, ...] = ("substance", "mental", "both")
VIOLENCE_RISKS: tuple[ViolenceRisk, ...] = ("low", "high")
NEEDS: tuple[int, ...] = (1, 2, 3, 4)

SUM_TOLERANCE = 1e-6  # not a domain number: rounding slack when shares must sum to 1


def _check_shares(shares: dict, allowed: tuple) -> dict:
    unknown = [key for key in shares if key not in allowed]
    if unknown:
        raise ValueError(f"unknown categories {unknown}; expected some of {list(allowed)}")
    total = sum(shares.values())
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise ValueError(f"shares must sum to 1, they sum to {total:g}")
    return shares


class AttributeMix(Sourced):
    """Shares of each attribute among residents; each mix sums to 1."""

    sex: dict[Sex, Probability]
    """Share of women and men."""
    age_group: dict[AgeGroup, Probability]
    """Share of youth (under 25), adults and seniors (60+)."""
    problem: dict[Problem, Probability]
    """Share by primary problem."""
    violence_risk: dict[ViolenceRisk, Probability]
    """Share with low and high violence risk."""
    need: dict[int, Probability]
    """Share by need level 1–4 at referral."""

    @field_validator("sex", "age_group", "problem", "violence_risk")
    @classmethod
    def _sums_to_one(cls, shares: dict, info) -> dict:
        allowed = {
            "sex": SEXES,
            "age_group": AGE_GROUPS,
            "problem": PROBLEMS,
            "violence_risk": VIOLENCE_RISKS,
        }[info.field_name]
        return _check_shares(shares, allowed)

    @field_validator("need")
    @classmethod
    def _need_sums_to_one(cls, shares: dict) -> dict:
        return _check_shares(shares, NEEDS)


class MixOverride(Sourced):
    """Replaces some of the population's attribute mixes for one referral stream."""

    sex: dict[Sex, Probability] | None = None
    age_group: dict[AgeGroup, Probability] | None = None
    problem: dict[Problem, Probability] | None = None
    violence_risk: dict[ViolenceRisk, Probability] | None = None
    need: dict[int, Probability] | None = None

    @model_validator(mode="after")
    def _each_sums_to_one(self) -> MixOverride:
        allowed = {
            "sex": SEXES,
            "age_group": AGE_GROUPS,
            "problem": PROBLEMS,
            "violence_risk": VIOLENCE_RISKS,
            "need": NEEDS,
        }
        for name, categories in allowed.items():
            shares = getattr(self, name)
            if shares is not None:
                _check_shares(shares, categories)
        return self


class Seasonality(Sourced):
    """A yearly cosine swing of a referral rate: ``rate × (1 + amplitude × cos(2π(t − peak)/365))``."""

    amplitude: Probability
    """Relative swing, 0 for none, below 1."""
    peak_day: float = Field(ge=0, lt=366)
    """Day of the year (0 = 1 January) when the rate is highest."""


class ReferralStream(Sourced):
    """One source of referrals (NAV, specialist discharge, prison, emergency service…)."""

    label: Label | None = None
    """Display name in the report (``{nb: …, en: …}``); none: the code name is shown."""

    annual_rate: float = Field(ge=0.0, le=MAX_REFERRALS_PER_YEAR)
    """Mean referrals a year (a Poisson process)."""
    seasonality: Seasonality | None = None
    """Optional yearly swing of the rate."""
    mix: MixOverride | None = None
    """Attribute mixes that differ from the population's."""
    start_in: dict[str, Probability]
    """Where referred residents are when referred: ``homeless`` or a housing tier, with shares."""

    @field_validator("start_in")
    @classmethod
    def _start_sums(cls, shares: dict[str, float]) -> dict[str, float]:
        total = sum(shares.values())
        if abs(total - 1.0) > SUM_TOLERANCE:
            raise ValueError(f"shares must sum to 1, they sum to {total:g}")
        return shares


class InitialPopulation(Sourced):
    """Residents already in services at time 0, so a run starts near its steady state."""

    size: Annotated[int, Strict(), Field(ge=0, le=MAX_INITIAL_POPULATION)]
    """Number of residents at time 0."""
    mix: MixOverride | None = None
    """Attribute mixes that differ from the population's."""
    start_in: dict[str, Probability]
    """Where they are at time 0: ``homeless`` or a housing tier, with shares (places permitting)."""

    @field_validator("start_in")
    @classmethod
    def _start_sums(cls, shares: dict[str, float]) -> dict[str, float]:
        return ReferralStream._start_sums(shares)


class Referrals(Model):
    """All the ways residents enter the model."""

    streams: dict[str, ReferralStream] = Field(default_factory=dict)
    """Referral streams by name."""
    initial_population: InitialPopulation | None = None
    """Residents present at time 0."""
