"""Waiting: days to a placement, the share that waited, temporary stays, list lengths.

Days from joining a list to a placement (0 for a resident served at once), the share that had
to wait, days per stay in temporary housing, and waiting-list lengths.

A wait counts if it starts inside the observed window and ends with a placement (so before the
horizon); waits that end because the resident left the list or the model are not waits for a
place. A temporary-housing stay counts if it starts inside the window and ends before the horizon.
List lengths are time-weighted over the window.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forlopsim.metrics.spells import (
    Columns,
    bin_edges,
    binned_means,
    clipped_days,
    group_sums,
    kept,
    observed_days,
    places_of,
    read_only,
    spell_columns,
    subset,
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


def _statistics(days: np.ndarray, by: np.ndarray) -> pd.DataFrame:
    """Mean, median and 90th percentile of ``days`` per group; columns named by suffix."""
    grouped = pd.Series(days).groupby(by)
    quantiles = {suffix: grouped.quantile(q) for suffix, q in QUANTILES.items()}
    return pd.DataFrame({"": grouped.mean(), **quantiles})


def _named(group: str, label: str, names: list[str], table: pd.DataFrame) -> dict[str, float]:
    """``{group}{suffix}.{label}{name}`` for every statistic and name (NaN where none)."""
    return {
        f"{group}{suffix}.{label}{name}": float(table[suffix].get(name, np.nan))
        for suffix in SUFFIXES
        for name in names
    }


def _placed(records: Records) -> Columns:
    """The waits :func:`waits` counts, with their ``days``.

    Those started inside the window and ended by a placement.
    """
    return kept(
        ("placed", records.warmup, records.horizon), records.events, lambda: _waits(records)
    )


def _waits(records: Records) -> Columns:
    spell = spell_columns(records.events, "wait_start", "wait_end", records.horizon)
    done = subset(spell, (spell["start"] >= records.warmup) & (spell["cause"] == "placed"))
    return read_only({**done, "days": done["end"] - done["start"]})


def _team_units(records: Records, done: Columns) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Which of the waits ``done`` are for a team, the unit of each of those, and every unit."""
    unit_of = {name: place["unit"] for name, place in places_of(records, "team").items()}
    own = np.isin(done["place"], list(unit_of))
    unit = pd.Series(done["place"][own], dtype=object).map(unit_of).to_numpy()
    return own, unit, sorted(set(unit_of.values()))


def waits(records: Records) -> dict[str, float]:
    """Mean, median and 90th percentile of days from joining a waiting list to a placement.

    Per tier, team, unit and institution.
    """
    done = _placed(records)
    days = done["days"]
    by_place = _statistics(days, done["place"])
    result: dict[str, float] = {}
    for kind in LISTS:
        result.update(_named("wait_days", f"{kind}.", list(places_of(records, kind)), by_place))
    own, unit, units = _team_units(records, done)
    result.update(_named("wait_days", "unit.", units, _statistics(days[own], unit)))
    return result


def waited_share(records: Records) -> dict[str, float]:
    """Of the waits counted by :func:`waits`, the share longer than zero.

    P(wait) in queueing terms: a resident served at once has a wait of length 0.
    """
    done = _placed(records)
    waited = pd.Series((done["days"] > 0).astype(float))
    by_place = waited.groupby(done["place"]).mean()
    lists = {name: k for k in LISTS for name in places_of(records, k)}
    result = {
        f"waited_share.{k}.{name}": float(by_place.get(name, np.nan)) for name, k in lists.items()
    }
    own, unit, units = _team_units(records, done)
    by_unit = waited[own].groupby(unit).mean()
    for name in units:
        result[f"waited_share.unit.{name}"] = float(by_unit.get(name, np.nan))
    return result


def temporary_stays(records: Records) -> dict[str, float]:
    """Mean, median and 90th percentile of days per stay in temporary housing.

    Per temporary tier and all together.
    """
    w, h = records.warmup, records.horizon
    tiers = temporary_tiers(records)
    spell = spell_columns(records.events, "tenancy_start", "tenancy_end", h, tiers)
    done = subset(spell, (spell["start"] >= w) & (spell["cause"] != "open"))
    days = done["end"] - done["start"]
    result = _named("temporary_stay_days", "tier.", tiers, _statistics(days, done["place"]))
    everyone = _statistics(days, np.full(len(days), "all", dtype=object))
    result.update(_named("temporary_stay_days", "", ["all"], everyone))
    return result


def waiting_lists(records: Records) -> dict[str, float]:
    """Time-average length of every waiting list over the observed window.

    And the mean number of residents on at least one housing list, or one team list (each
    counted once).
    """
    w, h = records.warmup, records.horizon
    spell = spell_columns(records.events, "wait_start", "wait_end", h)
    days = group_sums(clipped_days(spell, w, h), spell["place"])
    window = observed_days(records)
    result = {}
    for kind in LISTS:
        for name in places_of(records, kind):
            result[f"waiting_mean.{kind}.{name}"] = float(days.get(name, 0.0)) / window
    for label, kind in (("housing", "tier"), ("follow_up", "team")):
        own = subset(spell, np.isin(spell["place"], list(places_of(records, kind))))
        result[f"residents_waiting.{label}"] = float(union_days(own, w, h).sum()) / window
    return result


def waiting_series(records: Records, step_days: float = 7.0) -> pd.DataFrame:
    """Time-weighted mean length of every waiting list in bins of ``step_days``.

    The bins are consecutive, over the whole run (warm-up included).

    Columns: ``start`` (day the bin begins), ``place``, ``kind``, ``waiting`` (mean number on
    the list in the bin).
    """
    edges = bin_edges(records.horizon, step_days)
    spell = spell_columns(records.events, "wait_start", "wait_end", records.horizon)
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
