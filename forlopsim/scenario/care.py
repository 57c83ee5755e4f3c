"""Crisis beds (no queue) and institutions of the specialist health service."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, Strict

from forlopsim.scenario.base import Count, Label, NonNegative, Positive, Probability, Quiet, Sourced
from forlopsim.scenario.distributions import Distribution
from forlopsim.scenario.housing import Eligibility, Payer
from forlopsim.scenario.schedule import Capacity, OnClose


class Contracts(Sourced):
    """Self-referral contracts (P7, P8): only holders book the beds.

    A resident who meets ``eligibility`` and has had ``crises`` crises within ``within_days``
    is given a contract while fewer than ``per_bed`` × beds are held; they keep it until they
    leave the model.
    """

    per_bed: NonNegative
    """Contracts per bed."""
    eligibility: Eligibility = Eligibility()
    """Who may hold one."""
    crises: Annotated[int, Strict(), Field(ge=1)] = 1
    """Crises within ``within_days`` that qualify a resident."""
    within_days: Positive = 365.0


class CrisisBed(Sourced, Quiet):
    """Short stays with no queue: when every bed is taken the request is turned away."""

    quiet = ("on_close",)

    label: Label | None = None
    """Display name in the report (``{nb: …, en: …}``); none: the code name is shown."""

    beds: Capacity
    """Number of beds, or a schedule of them (days from the end of the warm-up)."""
    on_close: OnClose | None = None
    """When a schedule lowers the beds below those occupied: ``keep`` (the default) lets the
    stays end as planned."""
    eligibility: Eligibility = Eligibility()
    """Who may use them."""
    request_probability: Probability = 1.0
    """Chance that a crisis of an eligible resident asks for this bed (others go elsewhere)."""
    self_referral: bool = False
    """Self-referral safety beds (brukerstyrte senger): booked by housed residents before a
    crisis escalates; tried before any other crisis bed."""
    length_of_stay: Distribution
    """Days per stay."""
    min_days_between_stays: NonNegative = 0.0
    """Days that must pass after a stay before the next one."""
    contracts: Contracts | None = None
    """Self-referral beds only: who holds a contract to book them (none: every housed
    eligible resident may)."""
    cost_per_bed_day: NonNegative = 0.0
    """NOK per bed per day (paid for every bed)."""
    new_place_cost: NonNegative = 0.0
    """One-off NOK per bed beyond ``existing_places``."""
    existing_places: Count | None = None
    """Beds that exist already (none: all); the rest are new and cost once."""
    payer: Payer = "municipality"


class ReadyForDischarge(Sourced):
    """Patients ready for discharge (*utskrivningsklare*, P18) who wait in the bed for a place.

    A planned discharge of a resident with no home, or whose need exceeds their tier's support
    by ``shortfall`` or more, keeps the bed (the municipality paying ``cost_per_day``, P19) until
    the allocation office places them, or for at most ``max_days``.
    """

    max_days: NonNegative
    """Longest wait in the bed; then the resident leaves to what they have (perhaps the street)."""
    shortfall: Annotated[int, Strict(), Field(ge=1, le=3)] = 1
    """Need above the support of the tier held that makes a housed patient wait."""
    cost_per_day: NonNegative = 0.0
    """NOK the municipality pays the specialist service per day (P19); the specialist's own
    bed-day cost is reduced by as much, so the total is unchanged."""


class Institution(Sourced, Quiet):
    """An institution of the specialist service: detox, TSB inpatient treatment, acute psychiatry."""

    quiet = ("on_close",)

    label: Label | None = None
    """Display name in the report (``{nb: …, en: …}``); none: the code name is shown."""

    beds: Capacity
    """Beds allotted to the municipality's residents, or a schedule of them (days from the end
    of the warm-up)."""
    on_close: OnClose | None = None
    """When a schedule lowers the beds below those occupied: ``keep`` (the default) lets the
    stays end as planned."""
    length_of_stay: Distribution
    """Days of a planned stay."""
    waiting_list: bool = False
    """Admissions wait (first come) when full; without a list, an admission that finds no bed is
    refused."""
    early_discharge: Probability = 0.0
    """Chance a stay ends early, against the resident's will, at a uniform point of the stay."""
    cost_per_bed_day: NonNegative = 0.0
    """NOK per occupied bed-day."""
    payer: Payer = "specialist"
    assessment_days: Distribution | None = None
    """Days of assessment and scheduling before a planned referral (``treatment_referral``)
    can be admitted, on the waiting list from the referral (none: at once)."""
    ready_for_discharge: ReadyForDischarge | None = None
    """Whether patients with nowhere to go wait in the bed (none: discharged on schedule)."""
