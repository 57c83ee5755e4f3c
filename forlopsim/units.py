"""Units: the simulation clock counts days; every KPI's unit and the range its values take."""

import math

DAYS_PER_YEAR = 365.25  # unit conversion: rates in scenario files are per year

# -- the unit of every KPI, by name (docs/kpis.md's "unit" column) ------------------------------

KPI_UNITS: tuple[tuple[str, str], ...] = (
    ("wait_days", "days"),
    ("wait_to_placement_median.", "days"),
    ("placed_within_", "share"),
    ("waits_placed_per_year.", "per year"),
    ("waits_left_per_year.", "per year"),
    ("waits_ended_by_exit_per_year.", "per year"),
    ("still_waiting_at_end.", "residents"),
    ("waited_share.", "share"),
    ("temporary_stay_days", "days"),
    ("waiting_mean.", "residents"),
    ("residents_waiting.", "residents"),
    ("occupancy.", "places"),
    ("utilisation.", "share"),
    ("crisis_bed_", "per year"),
    ("turn_away.", "share"),
    ("turned_away_crises.share", "share"),
    ("return_to_homelessness_", "share"),
    ("placements_observed", "placements"),
    ("readmission_index_episodes_", "episodes"),
    ("readmission_", "share"),
    ("frequent_users.count", "residents"),
    ("frequent_users.", "share"),
    ("retention_", "share"),
    ("homeless_days_per_resident_year", "days per resident-year"),
    ("temporary_days_per_resident_year", "days per resident-year"),
    ("homeless_incl_temporary_mean", "residents"),
    ("homeless_mean", "residents"),
    ("residents_mean", "residents"),
    ("homeless_at_end", "residents"),
    ("temporary_at_end", "residents"),
    ("without_housing_at_end", "residents"),
    ("residents_in_", "residents"),
    ("temporary_share_of_homeless", "share"),
    ("homeless_share_of_residents", "share"),
    ("residents_share.", "share"),
    ("mental_illness_share_of_substance_users", "share"),
    ("deaths_per_100_resident_years", "per 100 resident-years"),
    ("tenancies_per_year.", "per year"),
    ("per_year.", "per year"),
    ("cost_per_year.", "NOK per year"),
    ("cost_per_resident_year", "NOK"),
    ("cost_one_off.", "NOK"),
    ("cost_by_year.", "NOK"),
    ("transitions_per_year.", "per year"),
    ("applications_per_year.", "per year"),
    ("decisions_per_year.", "per year"),
    ("intake_per_year.", "per year"),
    ("discharge_ready_days_per_year.", "bed-days per year"),
    ("discharge_ready_share.", "share"),
    ("discharge_ready_at_end.", "residents"),
    ("contracts_held_mean.", "contracts"),
    ("contracts_given_per_year.", "per year"),
    ("stays_per_contract_year.", "stays per contract-year"),
)
"""Each KPI's unit by the start of its name, the first match counting (more specific first).

The one place units are defined: ``Results.summary()`` shows them, the KPI tables clip
intervals to their range (:func:`unit_range`), and a test checks them against docs/kpis.md.
A share is a fraction (0.25 is 25%)."""


def kpi_unit(name: str) -> str:
    """The unit of the KPI ``name`` (``days``, ``share``, ``NOK per year`` …), "" if unknown."""
    return next((unit for start, unit in KPI_UNITS if name.startswith(start)), "")


def unit_range(unit: str) -> tuple[float, float]:
    """The values a quantity in ``unit`` can take: a share within [0, 1], the rest at least 0.

    Utilisation is a share too: no place in the model holds more than its capacity.
    """
    return (0.0, 1.0) if unit == "share" else (0.0, math.inf)
