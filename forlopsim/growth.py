"""The growth check: does a waiting list or a place keep growing through the observed window?

A list that grows from the first observed day to the last has no steady state: its mean length,
and the mean wait of those placed from it, depend on how long the model runs (the horizon), not
only on the scenario. The MSER-5 warm-up check (:func:`forlopsim.experiment.warmup_check`) does
not see this: a steady climb has no transient to cut.

For each replication and each series — the time-weighted length of every waiting list
(:func:`forlopsim.metrics.waiting_series`) and the occupancy of every place
(:func:`forlopsim.metrics.occupancy_series`), in the bins the workers kept — the least-squares
slope of the level on the bins' start days inside the observed window, times the window's length,
is the *growth over the window*. Over replications it gets a mean and a Student-t interval. A
series is flagged as *keeps growing* when the interval lies above 0 (the growth is not noise),
the growth exceeds :data:`GROWTH_SHARE` of the series' mean level over the window (it is
material) and is at least :data:`GROWTH_MINIMUM` residents. One replication gives no interval,
so nothing is flagged then.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from forlopsim.experiment import ReplicationResult, occupancy_table, waiting_table
from forlopsim.stats import CONFIDENCE, t_interval
from forlopsim.units import DAYS_PER_YEAR

GROWTH_SHARE = 0.10
"""Not a domain number: growth over the observed window below 10% of the series' mean level is
too small to change a reading of its mean."""
GROWTH_MINIMUM = 1.0
"""Not a domain number: growth of less than one resident over the window is not worth a
warning, however large relative to an almost empty list."""

NOUNS = {
    "tier": "housing tier",
    "team": "team",
    "crisis_bed": "crisis bed",
    "institution": "institution",
}
"""How a warning names each kind of place."""
COLUMNS = [
    "what",
    "kind",
    "place",
    "growth",
    "ci_low",
    "ci_high",
    "mean_level",
    "n",
    "flagged",
]


def series_table(occupancy: pd.DataFrame | None, waiting: pd.DataFrame | None) -> pd.DataFrame:
    """Occupancy and waiting-list series as one table for :func:`growth_check`.

    Columns ``replication, start, what`` (``place`` or ``list``), ``kind, place, level``; the
    inputs are those of :func:`forlopsim.experiment.occupancy_table` and
    :func:`~forlopsim.experiment.waiting_table` (either may be None).
    """
    frames = []
    for what, table, column in (("place", occupancy, "occupancy"), ("list", waiting, "waiting")):
        if table is None or table.empty:
            continue
        frame = table[["replication", "start", "kind", "place", column]].rename(
            columns={column: "level"}
        )
        frames.append(frame.assign(what=what).astype({"kind": str, "place": str}))
    columns = ["replication", "start", "what", "kind", "place", "level"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def _growth_per_replication(observed: pd.DataFrame, window: float) -> pd.DataFrame:
    """Least-squares growth over the window and the mean level, per replication and series."""
    keys = ["what", "kind", "place", "replication"]
    grouped = observed.groupby(keys, sort=False)
    x = observed["start"] - grouped["start"].transform("mean")
    y = observed["level"] - grouped["level"].transform("mean")
    sums = pd.DataFrame({"xy": x * y, "xx": x * x, "level": observed["level"]}).groupby(
        [observed[k] for k in keys], sort=False
    )
    table = sums.agg({"xy": "sum", "xx": "sum", "level": "mean"})
    slope = np.where(table["xx"] > 0, table["xy"] / table["xx"].where(table["xx"] > 0), 0.0)
    return pd.DataFrame({"growth": slope * window, "level": table["level"]}).reset_index()


def growth_check(
    series: pd.DataFrame,
    warmup_days: float,
    horizon_days: float,
    confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """The growth over the observed window of every list and place, and whether it is flagged.

    ``series`` is :func:`series_table`'s. Only bins starting at or after ``warmup_days`` count.

    Columns: ``what, kind, place``; ``growth`` (mean over replications of the fitted change in
    level from the first to the last observed day, residents), ``ci_low``, ``ci_high`` (its
    interval; NaN with one replication), ``mean_level`` (mean level over the window), ``n``
    (replications) and ``flagged`` (keeps growing, as the module says).
    """
    observed = series[series["start"] >= warmup_days]
    if observed.empty:
        return pd.DataFrame(columns=COLUMNS)
    per = _growth_per_replication(observed, horizon_days - warmup_days)
    rows = []
    for (what, kind, place), own in per.groupby(["what", "kind", "place"], sort=False):
        growth, half = t_interval(own["growth"].to_numpy(float), confidence)
        level = float(own["level"].mean())
        low, high = growth - half, growth + half
        rows.append(
            {
                "what": what,
                "kind": kind,
                "place": place,
                "growth": growth,
                "ci_low": low,
                "ci_high": high,
                "mean_level": level,
                "n": len(own),
                "flagged": keeps_growing(growth, low, level),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def keeps_growing(growth: float, ci_low: float, mean_level: float) -> bool:
    """The growth rule: significant (interval above 0) and material (share and minimum)."""
    if math.isnan(ci_low):
        return False
    return ci_low > 0 and growth > GROWTH_SHARE * mean_level and growth >= GROWTH_MINIMUM


def rounded(x: float) -> float:
    """A number as a planner would say it: whole below 10, else two significant digits.

    E.g. 117 → 120, 3.4 → 3.
    """
    if math.isnan(x) or x < 10:
        return float(round(x)) if not math.isnan(x) else x
    return float(round(x, 1 - math.floor(math.log10(x))))


def about(x: float) -> str:
    """:func:`rounded`, printed (``1,200``)."""
    return f"{rounded(x):,.0f}"


def growth_message(row: dict, years: float, scenario: str = "") -> str:
    """The warning for one flagged row of :func:`growth_check`, in plain words."""
    where = f"{scenario}: " if scenario else ""
    noun = NOUNS.get(row["kind"], row["kind"])
    growth = f"about {about(row['growth'])} people over the {years:.3g} observed years"
    if row["what"] == "list":
        return (
            f"{where}The waiting list for {noun} {row['place']} grows by {growth} and does not "
            "settle: its mean wait and list length depend on how long the model runs."
        )
    return (
        f"{where}The number in {noun} {row['place']} grows by {growth} and does not settle: "
        "its mean occupancy and cost depend on how long the model runs."
    )


def growth_messages(
    check: pd.DataFrame, warmup_days: float, horizon_days: float, scenario: str = ""
) -> list[str]:
    """The warnings of every flagged row of :func:`growth_check`."""
    years = (horizon_days - warmup_days) / DAYS_PER_YEAR
    rows = check[check["flagged"]].to_dict("records")
    return [growth_message(row, years, scenario) for row in rows]


def check_results(
    results: list[ReplicationResult], warmup_days: float, horizon_days: float
) -> pd.DataFrame:
    """:func:`growth_check` of the series the workers kept for a scenario's replications.

    Empty when they kept none (run without ``occupancy_step``).
    """
    kept = any(r.occupancy is not None for r in results)
    series = series_table(occupancy_table(results) if kept else None, waiting_table(results))
    return growth_check(series, warmup_days, horizon_days)
