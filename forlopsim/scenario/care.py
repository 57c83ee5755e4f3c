"""Crisis beds (no queue) and institutions of the specialist health service."""

from __future__ import annotations

from forlopsim.scenario.base import Count, NonNegative, Probability, Sourced
from forlopsim.scenario.distributions import Distribution
from forlopsim.scenario.housing import Eligibility, Payer


class CrisisBed(Sourced):
    """Short stays with no queue: when every bed is taken the request is turned away."""

    beds: Count
    """Number of beds."""
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
    cost_per_bed_day: NonNegative = 0.0
    """NOK per bed per day (paid for every bed)."""
    new_place_cost: NonNegative = 0.0
    """One-off NOK per bed beyond ``existing_places``."""
    existing_places: Count | None = None
    """Beds that exist already (none: all); the rest are new and cost once."""
    payer: Payer = "municipality"


class Institution(Sourced):
    """An institution of the specialist service: detox, TSB inpatient treatment, acute psychiatry."""

    beds: Count
    """Beds allotted to the municipality's residents."""
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
