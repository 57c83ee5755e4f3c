"""KPIs of one replication, computed from its records alone (never from the engine).

Only the observed window ``[warmup, horizon]`` counts. Rules for what crosses its edges:

* occupancy, utilisation, list lengths and days homeless integrate each spell's part inside the
  window;
* a wait counts if it starts inside the window: time to placement is a Kaplan–Meier estimate
  in which leaving the list another way and the horizon censor a wait; ``wait_days_of_placed``
  counts only the waits that ended with a placement;
* a temporary-housing stay counts if it starts inside the window and ends before the horizon;
* a revolving-door rate counts an index event only if its whole follow-up window (6, 12, 24
  months; 30, 90 days) lies inside the observed period (DESIGN §4);
* housing retention follows placements that start inside the window, censored at the horizon
  (Kaplan–Meier);
* counts (outcomes, flows, crisis-bed requests) are of records inside the window, per observed
  year;
* costs are per observed year: places paid by capacity cost every day, the rest by the
  occupied days inside the window; one-off costs of new places are reported apart, and both by
  year of the window (a capacity schedule opens places, and costs, year by year).

Each KPI has a dotted name: ``group.detail`` (e.g. ``wait_to_placement_median.tier.staffed_24h``);
``docs/kpis.md`` lists them all. One concept per module: :mod:`.spells` (building blocks),
:mod:`.waits`, :mod:`.utilisation`, :mod:`.crisis_beds`, :mod:`.revolving_door`,
:mod:`.retention`, :mod:`.homelessness`, :mod:`.outcomes`, :mod:`.costs`, :mod:`.flows`,
:mod:`.services`, :mod:`.census`.
"""

from __future__ import annotations

from forlopsim.metrics.allocation import (
    applications,
    contracts,
    discharge_ready,
    readmission_same_place,
    waiting_by_housing,
)
from forlopsim.metrics.census import census
from forlopsim.metrics.costs import cost_by_year, costs, costs_by_year, one_off_by_year
from forlopsim.metrics.crisis_beds import crisis_beds
from forlopsim.metrics.flows import flows, possible_transitions, transitions
from forlopsim.metrics.homelessness import homelessness
from forlopsim.metrics.outcomes import outcomes
from forlopsim.metrics.retention import RETENTION_TIMES, median_time, retention, still_housed
from forlopsim.metrics.revolving_door import (
    FREQUENT_EPISODES,
    FREQUENT_WINDOW_DAYS,
    LOSS_CAUSES,
    READMISSION_WINDOWS,
    RETURN_WINDOWS,
    episodes,
    frequent_users,
    readmission,
    return_to_homelessness,
)
from forlopsim.metrics.services import in_services
from forlopsim.metrics.spells import (
    SPELLS,
    _integral,
    clipped,
    locations,
    occupancy,
    occupancy_series,
    place_spells,
    shared,
    spells,
    union_days,
)
from forlopsim.metrics.utilisation import utilisation
from forlopsim.metrics.waits import (
    PLACED_WITHIN,
    temporary_stays,
    wait_endings,
    waited_share,
    waiting_lists,
    waiting_series,
    waits,
    waits_to_placement,
)
from forlopsim.records import Records

RETURN_WINDOW_DAYS = RETURN_WINDOWS["12m"]
"""The 12-month window of ``return_to_homelessness_12m`` (kept for existing imports)."""
READMISSION_WINDOW_DAYS = READMISSION_WINDOWS["90d"]
"""The window of ``readmission_90d`` (kept for existing imports)."""

__all__ = [
    "FREQUENT_EPISODES",
    "FREQUENT_WINDOW_DAYS",
    "LOSS_CAUSES",
    "PLACED_WITHIN",
    "READMISSION_WINDOWS",
    "READMISSION_WINDOW_DAYS",
    "RETENTION_TIMES",
    "RETURN_WINDOWS",
    "RETURN_WINDOW_DAYS",
    "SPELLS",
    "_integral",
    "census",
    "clipped",
    "cost_by_year",
    "costs",
    "costs_by_year",
    "crisis_beds",
    "episodes",
    "flows",
    "frequent_users",
    "homelessness",
    "in_services",
    "kpis",
    "locations",
    "median_time",
    "occupancy",
    "occupancy_series",
    "one_off_by_year",
    "outcomes",
    "place_spells",
    "possible_transitions",
    "readmission",
    "retention",
    "return_to_homelessness",
    "shared",
    "spells",
    "still_housed",
    "temporary_stays",
    "transitions",
    "union_days",
    "utilisation",
    "wait_endings",
    "waited_share",
    "waiting_lists",
    "waiting_series",
    "waits",
    "waits_to_placement",
]


def kpis(records: Records) -> dict[str, float]:
    """Every KPI of one replication, by dotted name (``docs/kpis.md``)."""
    with shared():
        return _kpis(records)


def _kpis(records: Records) -> dict[str, float]:
    mean = occupancy(records)
    housing = homelessness(records)
    result: dict[str, float] = {}
    for part in (
        waits,
        waits_to_placement,
        wait_endings,
        waited_share,
        temporary_stays,
        waiting_lists,
        waiting_by_housing,
        lambda r: utilisation(r, mean),
        crisis_beds,
        return_to_homelessness,
        readmission,
        readmission_same_place,
        frequent_users,
        retention,
        applications,
        contracts,
        lambda r: discharge_ready(r, mean),
        lambda r: housing,
        outcomes,
        lambda r: costs(r, mean, housing["residents_mean"]),
        cost_by_year,
        in_services,
        flows,
        lambda r: census(r, mean, housing, result["per_year.deaths"]),
    ):
        result.update(part(records))
    return result
