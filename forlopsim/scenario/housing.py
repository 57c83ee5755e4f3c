"""The housing ladder: tiers with capacity, support, eligibility and cost; the allocation policy."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import Field, Strict, ValidationInfo, field_validator

from forlopsim.scenario.base import (
    Count,
    Label,
    Model,
    NonNegative,
    Probability,
    Quiet,
    RatePerYear,
    Sourced,
)
from forlopsim.scenario.distributions import Distribution
from forlopsim.scenario.population import AgeGroup, Problem, Sex
from forlopsim.scenario.schedule import Capacity, OnClose
from forlopsim.scenario.services import FollowUpEffect

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


Reason = Literal["discharge", "homeless", "step_down", "tenancy_at_risk", "team_request"]
"""Why a resident applies for housing (P20, DESIGN §3): ready for discharge from an institution
with no home to go to; without a home (homeless or in temporary housing); ready to step down
from a staffed tier; a tenancy at risk (a crisis, or a need that rose above the tier's support);
on the request of a team that applies for the under-supported residents it follows."""
REASONS: tuple[str, ...] = get_args(Reason)


class Staff(Sourced):
    """The own staff of a staffed tier, who follow its residents instead of a team."""

    follow_up_effect: FollowUpEffect = FollowUpEffect()
    """How the staff change hazards (as a team's follow-up does)."""
    coverage: str
    """Name of an entry in ``services.coverage``: the hours staff are there."""


class KeptAfterServices(Sourced):
    """A former client keeps the flat after leaving services, until they move on."""

    moves_on_per_year: RatePerYear
    """Rate at which a former client leaves the flat (and the model)."""


class Tier(Sourced, Quiet):
    """A rung of the housing ladder."""

    quiet = ("on_close",)

    label: Label | None = None
    """Display name in the report (``{nb: …, en: …}``); none: the code name is shown."""

    capacity: Capacity | None = None
    """Places, or a schedule of them (``{0: 0, 365: 10}``: days from the end of the warm-up,
    ``forlopsim/scenario/schedule.py``); leave out for an unbounded tier (e.g. own homes)."""
    on_close: OnClose | None = None
    """When a schedule lowers the places below those occupied: ``keep`` (the default) keeps the
    residents until they leave, and places nobody until there is room."""
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
    """Places that exist already (none: all of ``capacity``); the rest are new and cost once,
    in the year the schedule first reaches them."""
    payer: Payer = "municipality"
    staff: Staff | None = None
    """Staffed housing (24h, the middle tier): its own staff are its residents' follow-up, and
    the support belongs to the place, so a resident whose need falls below it applies to step
    down (``Office.step_down_after_days``). In a flat, support comes from the follow-up team."""
    follow_up_team: str | None = None
    """A team (``unit.team``) whose caseload the place comes with (Housing First: a flat and a
    slot of the outreach team): placed only with a free slot, and followed by that team."""
    priority: list[Reason] | None = None
    """The order in which this tier's places go to applicants, by reason (none: the office's
    ``priority``); a reason left out comes last. E.g. a new middle tier meant first for those
    stepping down from 24h."""
    kept_after_services: KeptAfterServices | None = None
    """A tenancy that outlives services: a resident who recovers keeps the place (none: the
    place is given up when they leave services)."""


class Office(Sourced):
    """The allocation office (P20): who may apply, how long a decision takes, who comes first.

    A resident is on a tier's list only after an application has been decided; they apply only
    for a reason listed in ``priority``, and the office offers a free place to decided
    applicants by the rank of their reason, then by time since the decision.
    """

    priority: list[Reason] = Field(min_length=1)
    """The reasons that are grounds to apply, highest priority first; a reason left out is
    none."""
    processing_days: Distribution | None = None
    """Days from application to decision (*vedtak*); none: decided at once."""
    step_down_after_days: NonNegative = 0.0
    """Days a resident's need must stay below a staffed tier's support before they apply to
    step down."""
    crisis_puts_at_risk: Probability = 1.0
    """Chance that a crisis of a resident whose need exceeds their tier's support puts the
    tenancy at risk (a rise in need always does)."""

    @field_validator("priority")
    @classmethod
    def _each_once(cls, value: list[str]) -> list[str]:
        repeated = sorted({r for r in value if value.count(r) > 1})
        if repeated:
            raise ValueError(f"each reason at most once; repeated: {', '.join(repeated)}")
        return value


class Allocation(Sourced):
    """How residents are matched to places: by the office's priority (else need), then wait."""

    policy: Literal["strict", "best_available", "fallback_after"]
    """``strict``: wait for the best-matched tier; ``best_available``: take the nearest free tier
    (preferring more support) and stay on the list of the best match; ``fallback_after``: strict
    for ``fallback_after_days``, then best available."""
    fallback_after_days: NonNegative | None = None
    """Days of waiting before ``fallback_after`` takes any eligible place."""
    office: Office | None = None
    """Allocation by application and decision (P20). None: every resident whose home is not
    the nearest match waits on its lists at once, higher need first."""

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
