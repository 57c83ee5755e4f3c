"""Waiting: days from joining a list to a placement (0 for a resident served at once), the
share that had to wait,
days per stay in temporary housing, and waiting-list lengths.

A wait counts if it starts inside the observed window and ends with a placement (so before the
horizon); waits that end because the resident left the list or the model are not waits for a
place. A temporary-housing stay counts if it starts inside the window and ends before the horizon.
List lengths are time-weighted over the window.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forlopsim.metrics.spells import (
    bin_edges,
    binned_means,
    clipped,
    observed_days,
    places_of,
    spells,
    temporary_tiers,
    union_days,
)
from forlopsim.records import Records

QUANTILES = {"_median": 0.5, "_p90": 0.9}
"""Suffix of a KPI group → quantile of the days (numpy's default: linear interpolation between
order statistics). The group without a suffix is the mean."""
SUFFIXES = ("", *QUANTILES)

LISTS = ("tier", "team", "institution")
"""Kinds of place that keep a waiting list."""
STARTS = {"tier": "tenancy_start", "team": "follow_up_start", "institution": "admission"}
"""The record that starts a resident's time in each kind of place with a list."""
ALLOCATIONS = ("placed", "fallback", "temporary")
"""``tenancy_start`` causes that are an allocation (not arrival with a home, nor own housing)."""


def _statistics(days: pd.Series, by: pd.Series) -> pd.DataFrame:
    """Mean, median and 90th percentile of ``days`` per group; columns named by suffix."""
    grouped = days.groupby(by.to_numpy())
    quantiles = {suffix: grouped.quantile(q) for suffix, q in QUANTILES.items()}
    return pd.DataFrame({"": grouped.mean(), **quantiles})


def _named(group: str, label: str, names: list[str], table: pd.DataFrame) -> dict[str, float]:
    """``{group}{suffix}.{label}{name}`` for every statistic and name (NaN where none)."""
    return {
        f"{group}{suffix}.{label}{name}": float(table[suffix].get(name, np.nan))
        for suffix in SUFFIXES
        for name in names
    }


def waits(records: Records) -> dict[str, float]:
    """Mean, median and 90th percentile of days from joining a waiting list to a placement,
    per tier, team, unit and institution."""
    w, h = records.warmup, records.horizon
    spell = spells(records.events, "wait_start", "wait_end", h)
    done = spell[(spell["start"] >= w) & (spell["cause"] == "placed")]
    days = done["end"] - done["start"]
    by_place = _statistics(days, done["place"])
    result: dict[str, float] = {}
    for kind in LISTS:
        result.update(_named("wait_days", f"{kind}.", list(places_of(records, kind)), by_place))
    teams = places_of(records, "team")
    unit_of = {name: place["unit"] for name, place in teams.items()}
    own = done["place"].isin(list(teams))
    by_unit = _statistics(days[own], done["place"][own].map(unit_of))
    units = sorted(set(unit_of.values()))
    result.update(_named("wait_days", "unit.", units, by_unit))
    return result


def waited_share(records: Records) -> dict[str, float]:
    """Of the waits counted by :func:`waits`, the share longer than zero (P(wait) in queueing
    terms): a resident served at once has a wait of length 0."""
    w, h = records.warmup, records.horizon
    spell = spells(records.events, "wait_start", "wait_end", h)
    done = spell[(spell["start"] >= w) & (spell["cause"] == "placed")]
    waited = ((done["end"] - done["start"]) > 0).astype(float)
    by_place = waited.groupby(done["place"].to_numpy()).mean()
    lists = {name: k for k in LISTS for name in places_of(records, k)}
    result = {
        f"waited_share.{k}.{name}": float(by_place.get(name, np.nan)) for name, k in lists.items()
    }
    teams = places_of(records, "team")
    unit_of = {name: place["unit"] for name, place in teams.items()}
    own = done["place"].isin(list(teams)).to_numpy()
    by_unit = waited[own].groupby(done["place"][own].map(unit_of).to_numpy()).mean()
    for unit in sorted(set(unit_of.values())):
        result[f"waited_share.unit.{unit}"] = float(by_unit.get(unit, np.nan))
    return result


def temporary_stays(records: Records) -> dict[str, float]:
    """Mean, median and 90th percentile of days per stay in temporary housing, per temporary
    tier and all together."""
    w, h = records.warmup, records.horizon
    tiers = temporary_tiers(records)
    spell = spells(records.events, "tenancy_start", "tenancy_end", h, tiers)
    done = spell[(spell["start"] >= w) & (spell["cause"] != "open")]
    days = done["end"] - done["start"]
    result = _named("temporary_stay_days", "tier.", tiers, _statistics(days, done["place"]))
    everyone = _statistics(days, pd.Series("all", index=days.index))
    result.update(_named("temporary_stay_days", "", ["all"], everyone))
    return result


def waiting_lists(records: Records) -> dict[str, float]:
    """Time-average length of every waiting list over the observed window; and the mean number
    of residents on at least one housing list, or one team list (each counted once)."""
    w, h = records.warmup, records.horizon
    spell = spells(records.events, "wait_start", "wait_end", h)
    days = clipped(spell, w, h).groupby(spell["place"].to_numpy()).sum()
    window = observed_days(records)
    result = {}
    for kind in LISTS:
        for name in places_of(records, kind):
            result[f"waiting_mean.{kind}.{name}"] = float(days.get(name, 0.0)) / window
    for label, kind in (("housing", "tier"), ("follow_up", "team")):
        own = spell[spell["place"].isin(list(places_of(records, kind)))]
        result[f"residents_waiting.{label}"] = float(union_days(own, w, h).sum()) / window
    return result


def waiting_series(records: Records, step_days: float = 7.0) -> pd.DataFrame:
    """Time-weighted mean length of every waiting list in consecutive bins of ``step_days``,
    over the whole run (warm-up included).

    Columns: ``start`` (day the bin begins), ``place``, ``kind``, ``waiting`` (mean number on
    the list in the bin).
    """
    edges = bin_edges(records.horizon, step_days)
    spell = spells(records.events, "wait_start", "wait_end", records.horizon)
    frames = []
    for kind in LISTS:
        names = list(places_of(records, kind))
        for name, values in binned_means(spell, names, edges).items():
            frames.append(
                pd.DataFrame({"start": edges[:-1], "place": name, "kind": kind, "waiting": values})
            )
    if not frames:
        return pd.DataFrame(columns=["start", "place", "kind", "waiting"])
    return pd.concat(frames, ignore_index=True)
