"""What the charts need beyond the KPI tables, read from every replication's records.

:func:`collect` reads the records of each scenario's replications (as
:func:`forlopsim.comparison.compare_scenarios` writes them under ``records_dir``) one at a time
and keeps three small tables: occupancy per bin, moves between places, and tenancy spells for
the Kaplan–Meier retention curves. The metrics' own functions do the work
(:func:`~forlopsim.metrics.occupancy_series`, :func:`~forlopsim.metrics.transitions`, and the
spells and loss causes behind :func:`~forlopsim.metrics.retention`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from forlopsim.comparison import Comparison, records_folder
from forlopsim.experiment import read_records
from forlopsim.metrics import LOSS_CAUSES, occupancy_series, spells, transitions
from forlopsim.metrics.allocation import waiting_by_housing_series
from forlopsim.metrics.spells import observed_years, permanent_tiers
from forlopsim.records import Records
from forlopsim.stats import t_half_width

OCCUPANCY_STEP_DAYS = 30.0  # not a domain number: bin width of the occupancy chart (about a month)


@dataclass
class ReportData:
    """The comparison and, per scenario (label), what the charts read from the records."""

    comparison: Comparison
    occupancy: pd.DataFrame
    """``scenario, replication, start, place, kind, occupancy, capacity``."""
    moves: pd.DataFrame
    """``scenario, replication, origin, place, per_year`` (moves per observed year)."""
    tenancies: pd.DataFrame
    """``scenario, replication, place, duration, lost``: placements starting in the window."""
    waiting: pd.DataFrame | None = None
    """``scenario, replication, start, place, kind, housed, waiting``: list lengths over time
    (:func:`~forlopsim.metrics.allocation.waiting_by_housing_series`)."""

    @property
    def replications(self) -> int:
        """Replications of every scenario."""
        return self.comparison.replications

    @cached_property
    def summary(self) -> pd.DataFrame:
        """:meth:`Comparison.summary <forlopsim.comparison.Comparison.summary>`, computed once."""
        return self.comparison.summary()

    @cached_property
    def differences(self) -> pd.DataFrame:
        """:meth:`Comparison.differences <forlopsim.comparison.Comparison.differences>`, once."""
        return self.comparison.differences()


def tenancy_spells(records: Records) -> pd.DataFrame:
    """Tenancies in non-temporary tiers starting inside the window: place, duration, lost.

    The tenancies :func:`forlopsim.metrics.retention` follows; ``duration`` is in days.
    """
    tiers = permanent_tiers(records)
    spell = spells(records.events, "tenancy_start", "tenancy_end", records.horizon, tiers)
    spell = spell[spell["start"] >= records.warmup]
    return pd.DataFrame(
        {
            "place": spell["place"].astype(str).to_numpy(dtype=object),
            "duration": (spell["end"] - spell["start"]).to_numpy(float),
            "lost": spell["cause"].isin(LOSS_CAUSES).to_numpy(bool),
        }
    )


def collect(comparison: Comparison, records_dir: Path) -> ReportData:
    """Read every replication's records of every scenario and keep what the charts need."""
    occupancy, moves, tenancies, waiting = [], [], [], []
    for label in comparison.scenarios:
        folder = records_folder(records_dir, label)
        for result in comparison.results[label]:
            i = result.replication
            records = read_records(folder, i)
            keys: dict[str, str | int] = {"scenario": label, "replication": i}
            occupancy.append(occupancy_series(records, OCCUPANCY_STEP_DAYS).assign(**keys))
            flow = transitions(records)
            flow["per_year"] = flow.pop("count") / observed_years(records)
            moves.append(flow.assign(**keys))
            tenancies.append(tenancy_spells(records).assign(**keys))
            series = waiting_by_housing_series(records, OCCUPANCY_STEP_DAYS)
            waiting.append(series.assign(**keys))
    return ReportData(
        comparison=comparison,
        occupancy=pd.concat(occupancy, ignore_index=True),
        moves=pd.concat(moves, ignore_index=True),
        tenancies=pd.concat(tenancies, ignore_index=True),
        waiting=pd.concat(waiting, ignore_index=True),
    )


def mean_moves(moves: pd.DataFrame, label: str, replications: int) -> pd.DataFrame:
    """Mean moves per year of one scenario over its replications: ``origin, place, per_year``.

    A pair missing in a replication counts as 0.
    """
    own = moves[moves["scenario"] == label]
    total = own.groupby(["origin", "place"], as_index=False)[["per_year"]].sum()
    total["per_year"] = total["per_year"] / max(replications, 1)
    return total.sort_values("per_year", ascending=False, ignore_index=True)


def band(values: pd.DataFrame, by: list[str], column: str) -> pd.DataFrame:
    """Mean and Student-t interval (95%) of ``column`` over replications, per group ``by``.

    Columns ``by…, mean, low, high``; the interval collapses to the mean with one value.
    """
    stats_ = values.groupby(by, sort=True)[column].agg(["mean", "std", "count"]).reset_index()
    count = stats_["count"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = np.nan_to_num(t_half_width(stats_["std"].to_numpy(float), count))
    stats_["low"] = stats_["mean"] - half
    stats_["high"] = stats_["mean"] + half
    return stats_[[*by, "mean", "low", "high"]]
