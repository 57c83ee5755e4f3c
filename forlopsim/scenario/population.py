"""Who the residents are: attribute mixes, referral streams and the initial population."""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import Field, Strict, field_validator, model_validator

from forlopsim.limits import MAX_GROWTH_PER_YEAR, MAX_INITIAL_POPULATION, MAX_REFERRALS_PER_YEAR
from forlopsim.scenario.base import Label, Model, Need, Probability, Quiet, Sourced
from forlopsim.scenario.distributions import Distribution
from forlopsim.units import DAYS_PER_YEAR

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


Clock = Callable[[float], float]
"""A map between days and expected referrals so far (:meth:`Trend.clock`)."""

Rate = Annotated[float, Field(ge=0.0, le=MAX_REFERRALS_PER_YEAR)]
"""Referrals a year."""


class Trend(Sourced):
    """How a stream's rate changes over the years after the warm-up (before it: ``annual_rate``).

    Either a yearly growth, ``rate × (1 + growth)^years`` (years since the end of the warm-up,
    compounded continuously through the year), or the rate of each year on,
    ``{0: 300, 2: 340}`` (referrals a year from observed year 0, from year 2 on …). The seasonal
    swing multiplies either. The engine draws the trend as a change of the stream's clock
    (``World._trended_referrals``): the same residents arrive, at times moved by the trend.
    """

    growth_per_year: float | None = Field(default=None, le=MAX_GROWTH_PER_YEAR)
    """Relative change a year (0.02: 2% more each year; −0.02: 2% fewer); above −1."""
    rate_by_year: dict[Annotated[int, Field(ge=0)], Rate] | None = None
    """Referrals a year from each observed year on; years rise from 0."""

    @field_validator("growth_per_year")
    @classmethod
    def _stays_positive(cls, value: float | None) -> float | None:
        if value is not None and value <= -1.0:
            raise ValueError(
                f"a growth of {value:g} a year (−100% or less) makes the rate zero or negative; "
                "expected more than −1"
            )
        return value

    @field_validator("rate_by_year")
    @classmethod
    def _years_rise(cls, value: dict[int, float] | None) -> dict[int, float] | None:
        if value is None:
            return value
        years = list(value)
        if not years or years[0] != 0:
            raise ValueError("the years must begin at 0 (the first year after the warm-up)")
        for a, b in itertools.pairwise(years):
            if b <= a:
                raise ValueError(f"the years must rise: year {b} comes after year {a}")
        return value

    @model_validator(mode="after")
    def _one_form(self) -> Trend:
        if (self.growth_per_year is None) == (self.rate_by_year is None):
            raise ValueError("give either growth_per_year or rate_by_year")
        return self

    def flat(self) -> bool:
        """Whether the trend changes nothing (a growth of 0)."""
        return self.growth_per_year == 0.0

    def clock(self, annual_rate: float, warmup: float) -> tuple[Clock, Clock]:
        """Expected referrals by day ``t``, Λ(t), and its inverse (``inf``: never reached)."""
        base = annual_rate / DAYS_PER_YEAR
        if self.growth_per_year is not None:
            return _growth_clock(base, warmup, math.log1p(self.growth_per_year) / DAYS_PER_YEAR)
        assert self.rate_by_year is not None
        starts = [0.0] + [warmup + year * DAYS_PER_YEAR for year in self.rate_by_year]
        rates = [base] + [rate / DAYS_PER_YEAR for rate in self.rate_by_year.values()]
        return _step_clock(starts, rates)


def _growth_clock(base: float, warmup: float, c: float) -> tuple[Clock, Clock]:
    """Λ and its inverse for a rate ``base`` until ``warmup``, then ``base·e^{c(t − warmup)}``."""
    at_warmup = base * warmup

    def cumulative(t: float) -> float:
        if t <= warmup:
            return base * t
        x = t - warmup
        return at_warmup + base * (math.expm1(c * x) / c if c else x)

    def inverse(s: float) -> float:
        if base <= 0.0:
            return math.inf
        if s <= at_warmup:
            return s / base
        x = (s - at_warmup) / base
        if not c:
            return warmup + x
        if c * x <= -1.0:
            return math.inf  # a falling rate whose referrals run out
        return warmup + math.log1p(c * x) / c

    return cumulative, inverse


def _step_clock(starts: list[float], rates: list[float]) -> tuple[Clock, Clock]:
    """Λ and its inverse for a rate ``rates[i]`` (a day) from ``starts[i]`` on."""
    totals = [0.0]
    for i in range(1, len(starts)):
        totals.append(totals[-1] + rates[i - 1] * (starts[i] - starts[i - 1]))

    def cumulative(t: float) -> float:
        i = bisect.bisect_right(starts, t) - 1
        return totals[i] + rates[i] * (t - starts[i])

    def inverse(s: float) -> float:
        i = bisect.bisect_right(totals, s) - 1  # past a rate of 0 to the segment after it
        rate = rates[i]
        return starts[i] + (s - totals[i]) / rate if rate > 0.0 else math.inf

    return cumulative, inverse


class ReferralStream(Sourced, Quiet):
    """One source of referrals (NAV, specialist discharge, prison, emergency service…)."""

    quiet = ("trend",)

    label: Label | None = None
    """Display name in the report (``{nb: …, en: …}``); none: the code name is shown."""

    annual_rate: float = Field(ge=0.0, le=MAX_REFERRALS_PER_YEAR)
    """Mean referrals a year (a Poisson process)."""
    seasonality: Seasonality | None = None
    """Optional yearly swing of the rate."""
    trend: Trend | None = None
    """Optional change of the rate over the years after the warm-up (none: the same rate)."""
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


class InitialWaiting(Sourced):
    """Residents of the initial population who wait, at time 0, for a tier, and since when."""

    tier: str
    """The tier they wait for (a name in ``housing.tiers``)."""
    count: Annotated[int, Strict(), Field(ge=0, le=MAX_INITIAL_POPULATION)]
    """How many wait."""
    waited_days: Distribution
    """Days each has waited already (their place on the list, and under ``fallback_after``
    the time they have held out)."""
    need: Need | None = None
    """Their need level (none: the tier's support, so that the tier suits them); the other
    attributes follow the initial population's mix."""
    start_in: dict[str, Probability] = Field(default_factory=lambda: {"homeless": 1.0})
    """Where they are while they wait: ``homeless`` or a tier (temporary housing, a lower
    rung), with shares."""

    @field_validator("start_in")
    @classmethod
    def _start_sums(cls, shares: dict[str, float]) -> dict[str, float]:
        return ReferralStream._start_sums(shares)


class InitialPopulation(Sourced, Quiet):
    """Residents already in services at time 0, so a run starts near its steady state."""

    quiet = ("stays_in_progress", "waiting")

    size: Annotated[int, Strict(), Field(ge=0, le=MAX_INITIAL_POPULATION)]
    """Number of residents at time 0."""
    mix: MixOverride | None = None
    """Attribute mixes that differ from the population's."""
    start_in: dict[str, Probability]
    """Where they are at time 0: ``homeless``, a housing tier, a crisis bed or an institution,
    with shares (places permitting, else homeless)."""
    stays_in_progress: bool | None = None
    """Whether the stays they are in at time 0 began before it (true: a tier's time limit and a
    bed's or institution's stay take the rest of a stay in progress, the stay distribution's
    equilibrium residual life; none or false: a whole stay from time 0). Competing risks need
    no such care: their rates have no memory."""
    waiting: list[InitialWaiting] | None = None
    """Residents (besides ``size``) on a tier's waiting list at time 0, and since when."""

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
