"""More places in a tier do not lengthen its mean wait.

A housing queue with feedback: homeless residents wait for a flat and leave it by finding
housing of their own; a tenancy breakdown (in the flat or, later, in their own home) sends them
back to the street and the list, and recovery takes them out of the model, from the list too. The same seeds (common random numbers) are run with c, c + 2 and
c + 5 places; the paired differences of the mean wait must not be significantly positive.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scenario_builders import build, by_need, flat_queue_scenario, mean_ci, seeds

from forlopsim.engine import run_replication
from forlopsim.scenario import Scenario

PLACES = 6
EXTRA = (0, 2, 5)
REPLICATIONS = 8
ABSOLUTE_SLACK = 0.05  # days: a floor under a tiny paired interval


def feedback_queue(places: int) -> Scenario:
    data = flat_queue_scenario(
        places=places,
        arrivals_per_day=0.4,
        service_per_day=0.1,
        horizon_days=6000.0,
        warmup_days=300.0,
    )
    # breakdowns (0.02 a day) send tenants of the flat and of their own homes back to the list;
    # recovery (6 a year) is how residents leave for good: mean waits of about 6, 3 and 1.5 days
    # for 6, 8 and 11 places
    data["hazards"]["tenancy_breakdown"]["per_year"] = by_need(0.02 * 365.25)
    data["hazards"]["recovery_per_year"] = by_need(6.0)
    return build(data)


def mean_wait(events: pd.DataFrame, warmup: float, horizon: float) -> float:
    """Mean time on the flat's list of the waits that start after the warm-up; a wait ends
    with a place or an exit, and one still open at the horizon counts until the horizon."""
    waits = events[events["place"] == "flat"]
    starts = waits[(waits["kind"] == "wait_start") & (waits["time"] >= warmup)]
    ends = waits[waits["kind"] == "wait_end"]
    # pair each resident's k-th start with their k-th end
    starts = starts.assign(k=waits[waits["kind"] == "wait_start"].groupby("resident").cumcount())
    ends = ends.assign(k=ends.groupby("resident").cumcount())
    paired = starts.merge(ends, on=["resident", "k"], how="left", suffixes=("", "_end"))
    return float((paired["time_end"].fillna(horizon) - paired["time"]).mean())


def test_more_places_do_not_lengthen_the_wait() -> None:
    waits = np.empty((REPLICATIONS, len(EXTRA)))
    for j, extra in enumerate(EXTRA):
        scenario = feedback_queue(PLACES + extra)
        for i, seed in enumerate(seeds(303, REPLICATIONS)):
            records = run_replication(scenario, seed)
            waits[i, j] = mean_wait(records.events, records.warmup, records.horizon)
    for j in range(1, len(EXTRA)):
        more, fewer = PLACES + EXTRA[j], PLACES + EXTRA[j - 1]
        mean, half = mean_ci(waits[:, j] - waits[:, j - 1])
        assert mean <= max(half, ABSOLUTE_SLACK), (
            f"{more} places wait {waits[:, j].mean():.3f} days, {fewer} places "
            f"{waits[:, j - 1].mean():.3f}: difference {mean:+.3f} ± {half:.3f}"
        )
    # and the test can tell: five more places clearly shorten the wait
    mean, half = mean_ci(waits[:, -1] - waits[:, 0])
    assert mean + half < 0, f"c+5 − c = {mean:+.3f} ± {half:.3f} days"
