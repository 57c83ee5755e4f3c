"""Waiting: time to placement, how waits end, temporary stays, list lengths.

Every wait that starts inside the observed window counts for the survival estimate of the time
to placement (:func:`waits_to_placement`: Kaplan–Meier, where leaving the list another way and
the horizon censor a wait) and for the counts of how waits end (:func:`wait_endings`). The mean,
median and 90th percentile of :func:`waits` (``wait_days_of_placed``) and :func:`waited_share`
count only the waits that end with a placement: 0 for a resident served at once. A
temporary-housing stay counts if it starts inside the window and ends before the horizon. List
lengths are time-weighted over the window.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forlopsim.metrics.retention import median_time, still_housed
from forlopsim.metrics.spells import (
    Columns,
    bin_edges,
    binned_means,
    clipped_days,
    group_sums,
    kept,
    observed_days,
    observed_years,
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
PLACED_WITHIN = {"30d": 30.0, "90d": 90.0, "365d": 365.0}
"""Suffix of ``placed_within_…`` → days after joining the list (DESIGN §4: a month, a quarter,
a year)."""
ENDINGS = {
    "placed": "waits_placed_per_year",
    "left": "waits_left_per_year",
    "exit": "waits_ended_by_exit_per_year",
}
"""``wait_end`` cause → the KPI group counting such endings per observed year."""
OPEN = "still_waiting_at_end"
"""The KPI group counting waits still open at the horizon."""


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


def _started(records: Records) -> Columns:
    """Every wait started inside the window, with its ``days`` (to its end or the horizon).

    ``cause`` is the ``wait_end`` cause (``placed``, ``left``, ``exit``) or ``open``.
    """
    return kept(
        ("started", records.warmup, records.horizon), records.events, lambda: _waits(records)
    )


def _waits(records: Records) -> Columns:
    spell = spell_columns(records.events, "wait_start", "wait_end", records.horizon)
    started = subset(spell, spell["start"] >= records.warmup)
    return read_only({**started, "days": started["end"] - started["start"]})


def _placed(records: Records) -> Columns:
    """The waits :func:`waits` counts: started inside the window and ended by a placement."""
    started = _started(records)
    return subset(started, started["cause"] == "placed")


def _team_units(records: Records, done: Columns) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Which of the waits ``done`` are for a team, the unit of each of those, and every unit."""
    unit_of = {name: place["unit"] for name, place in places_of(records, "team").items()}
    own = np.isin(done["place"], list(unit_of))
    unit = pd.Series(done["place"][own], dtype=object).map(unit_of).to_numpy()
    return own, unit, sorted(set(unit_of.values()))


def waits(records: Records) -> dict[str, float]:
    """Mean, median and 90th percentile of the waits that ended with a placement, in days.

    ``wait_days_of_placed…``, per tier, team, unit and institution. Waits that end another way,
    or are still open at the horizon, are not counted: :func:`waits_to_placement` counts them.
    """
    done = _placed(records)
    days = done["days"]
    by_place = _statistics(days, done["place"])
    result: dict[str, float] = {}
    group = "wait_days_of_placed"
    for kind in LISTS:
        result.update(_named(group, f"{kind}.", list(places_of(records, kind)), by_place))
    own, unit, units = _team_units(records, done)
    result.update(_named(group, "unit.", units, _statistics(days[own], unit)))
    return result


def _lists(records: Records, place: np.ndarray) -> dict[str, np.ndarray]:
    """``kind.name`` of every list (and ``unit.name`` of every unit) → which waits are on it."""
    chosen = {
        f"{kind}.{name}": place == name for kind in LISTS for name in places_of(records, kind)
    }
    teams: dict[str, list[str]] = {}
    for name, team in places_of(records, "team").items():
        teams.setdefault(team["unit"], []).append(name)
    for unit in sorted(teams):
        chosen[f"unit.{unit}"] = np.isin(place, teams[unit])
    return chosen


def waits_to_placement(records: Records) -> dict[str, float]:
    """Time to placement as a survival estimate, per list and unit.

    Every wait started inside the window is followed from joining the list: a placement from
    the list is the event; leaving it another way (``left``, ``exit``) or still waiting at the
    horizon censors it. ``wait_to_placement_median`` is the Kaplan–Meier median in days (NaN if
    the curve never reaches 0.5) and ``placed_within_{30d|90d|365d}`` the share placed by then,
    1 − S(t) (NaN where no wait was followed that long, unless every wait was placed).
    """
    started = _started(records)
    days, placed = started["days"], started["cause"] == "placed"
    times = list(PLACED_WITHIN.values())
    result: dict[str, float] = {}
    for label, own in _lists(records, started["place"]).items():
        result[f"wait_to_placement_median.{label}"] = median_time(days[own], placed[own])
        remaining = still_housed(days[own], placed[own], times)
        for key, survival in zip(PLACED_WITHIN, remaining, strict=True):
            result[f"placed_within_{key}.{label}"] = 1.0 - survival
    return result


def wait_endings(records: Records) -> dict[str, float]:
    """How the waits started inside the window end, per list and unit.

    Placed, left the list (alive, e.g. a changed need) and left the model (``exit``), each per
    observed year; and the number of those waits still open at the horizon.
    """
    started = _started(records)
    cause, years = started["cause"], observed_years(records)
    result: dict[str, float] = {}
    for label, own in _lists(records, started["place"]).items():
        for ending, group in ENDINGS.items():
            result[f"{group}.{label}"] = float(np.sum(own & (cause == ending))) / years
        result[f"{OPEN}.{label}"] = float(np.sum(own & (cause == "open")))
    return result


def waited_share(records: Records) -> dict[str, float]:
    """Of the waits counted by :func:`waits` (placed), the share longer than zero.

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
