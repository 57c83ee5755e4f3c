"""Building blocks: spells (paired start and end records), locations, occupancy over time.

A *spell* is the time between a start record and the matching end record of one resident in one
place: a tenancy, a follow-up, a stay, a wait on a list, a low-threshold contact. Spells still
open at the horizon end there, with cause ``open``. Everything here is vectorised: no Python loop
runs over residents or records.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

import numpy as np
import pandas as pd

from forlopsim.records import Records
from forlopsim.scenario.scenario import EXITED as EXITED  # location names, re-exported
from forlopsim.scenario.scenario import HOMELESS as HOMELESS
from forlopsim.scenario.scenario import REFERRED as REFERRED
from forlopsim.units import DAYS_PER_YEAR

SPELLS = {
    "tier": ("tenancy_start", "tenancy_end"),
    "team": ("follow_up_start", "follow_up_end"),
    "crisis_bed": ("admission", "discharge"),
    "institution": ("admission", "discharge"),
}
"""Record kinds that open and close a spell in each kind of place."""


Columns = dict[str, np.ndarray]
"""A table as NumPy arrays of equal length, by column name (what the KPIs read, with none of a
DataFrame's conversions of pyarrow-backed strings)."""

_T = TypeVar("_T")

_shared: dict[tuple, tuple[pd.DataFrame, object]] | None = None
"""Tables already built inside :func:`shared`, by (what, arguments, id of the events table)."""


@contextlib.contextmanager
def shared() -> Iterator[None]:
    """Build each shared table once per events table inside the block.

    Inside the block, :func:`spells`, :func:`spell_columns`, :func:`locations`,
    :func:`location_columns` and :func:`~forlopsim.metrics.revolving_door.episodes` build each
    table once per events table and hand out shallow copies of DataFrames (copy-on-write: callers
    cannot change each other's) and read-only arrays; :func:`~forlopsim.metrics.kpis` asks for
    the same tables up to eight times. Outside, nothing is kept, so a table changed in place
    between two calls is never served stale.
    """
    global _shared
    outer = _shared
    if outer is None:
        _shared = {}  # a nested block shares the outer one's tables
    try:
        yield
    finally:
        _shared = outer


def kept(key: tuple, events: pd.DataFrame, build: Callable[[], _T]) -> _T:
    """``build()``, or inside :func:`shared` what it built for ``key`` before, itself."""
    if _shared is None:
        return build()
    key = (*key, id(events))
    if key not in _shared:
        _shared[key] = (events, build())  # holding ``events`` keeps its id from being reused
    return cast(_T, _shared[key][1])  # what ``build`` made for this key, before


def once(key: tuple, events: pd.DataFrame, build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """``build()``, or inside :func:`shared` a copy of what it built for ``key`` before."""
    table = kept(key, events, build)
    return table if _shared is None else table.copy(deep=False)


def read_only(columns: Columns) -> Columns:
    """``columns`` with every array made read-only, since :func:`kept` shares them as they are."""
    for values in columns.values():
        values.flags.writeable = False
    return columns


def subset(columns: Columns, chosen: np.ndarray) -> Columns:
    """The rows of ``columns`` that ``chosen`` (a boolean mask or positions) selects."""
    return {name: values[chosen] for name, values in columns.items()}


def coded(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A column of names as integer codes (≥ 0) and the names they stand for.

    The names are an object array of ``str`` with NaN for a missing value, so that
    ``names[codes]`` are the values; like ``pd.factorize(values, use_na_sentinel=False)``, but a
    categorical column's own codes, so that no (pyarrow-backed) value is converted or hashed.
    """
    if not isinstance(values.dtype, pd.CategoricalDtype):
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        return codes, np.asarray(uniques, dtype=object)
    names = np.append(values.cat.categories.to_numpy(dtype=object), np.nan)
    codes = values.array.codes
    return np.where(codes < 0, len(names) - 1, codes), names  # code -1 (missing): NaN


def labels(values: pd.Series) -> np.ndarray:
    """A column of names as an object array of ``str`` (NaN where missing).

    As ``values.to_numpy(dtype=object)`` gives it, by way of :func:`coded`.
    """
    codes, names = coded(values)
    return names[codes]


def member(values: pd.Series, names: tuple[str, ...] | list[str]) -> np.ndarray:
    """``values.isin(names)`` as a boolean array, by way of :func:`coded`."""
    codes, known = coded(values)
    return np.isin(known, list(names))[codes]


def positions(mask: np.ndarray | pd.Series) -> np.ndarray:
    """The positions where ``mask`` is true.

    Taking rows by position (``iloc``) is much quicker than by a boolean mask, which pandas
    checks and turns into an index first.
    """
    return np.flatnonzero(mask)


def spells(
    events: pd.DataFrame, start: str, end: str, horizon: float, places: list[str] | None = None
) -> pd.DataFrame:
    """Pair start and end records per (resident, place) in order; open spells end at the horizon.

    The *n*-th start of a resident in a place pairs with their *n*-th end there (records are
    taken in the order they were written). Columns: resident, place, start, end, cause (of the
    end, ``open`` if still going); one row per start record, in record order.
    """
    key = ("spells", start, end, horizon, None if places is None else tuple(places))
    return once(
        key, events, lambda: pd.DataFrame(spell_columns(events, start, end, horizon, places))
    )


def spell_columns(
    events: pd.DataFrame, start: str, end: str, horizon: float, places: list[str] | None = None
) -> Columns:
    """:func:`spells` as read-only arrays (place and cause as object arrays of ``str``)."""
    key = ("spell_columns", start, end, horizon, None if places is None else tuple(places))
    return kept(key, events, lambda: read_only(_spells(events, start, end, horizon, places)))


def _spells(
    events: pd.DataFrame, start: str, end: str, horizon: float, places: list[str] | None
) -> Columns:
    mask = member(events["kind"], (start, end))
    if places is not None:
        mask &= member(events["place"], places)
    rows = positions(mask)
    codes, names = coded(events["place"].iloc[rows])
    resident = events["resident"].to_numpy()[rows].astype(np.int64)
    # sort by (resident, place), keeping record order within each; number the groups
    order = np.lexsort((np.arange(len(rows)), codes, resident))
    group = np.cumsum(_firsts(resident[order] * (len(names) + 1) + codes[order])) - 1
    is_start = member(events["kind"].iloc[rows], (start,))[order]

    def keyed(chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows and (group, rank within the group) keys, ascending, of starts or of ends."""
        g = group[chosen]
        rank = np.arange(len(g)) - np.maximum.accumulate(np.where(_firsts(g), np.arange(len(g)), 0))
        return order[chosen], g * (len(rows) + 1) + rank

    start_rows, start_keys = keyed(is_start)
    end_rows, end_keys = keyed(~is_start)
    at = np.searchsorted(end_keys, start_keys)
    matched = at < len(end_keys)
    matched[matched] = end_keys[at[matched]] == start_keys[matched]
    back = np.argsort(start_rows, kind="stable")  # back to record order
    start_rows, at, matched = start_rows[back], at[back], matched[back]
    time = events["time"].to_numpy(float)[rows]
    end_time = np.full(len(start_rows), float(horizon))
    end_time[matched] = time[end_rows[at[matched]]]
    cause = np.full(len(start_rows), "open", dtype=object)
    cause[matched] = labels(events["cause"].iloc[rows[end_rows[at[matched]]]])
    return {
        "resident": resident[start_rows],
        "place": names[codes[start_rows]],
        "start": time[start_rows],
        "end": end_time,
        "cause": cause,
    }


def _firsts(sorted_ids: np.ndarray) -> np.ndarray:
    """Whether each element of a sorted array begins a run of equal values."""
    return np.r_[True, sorted_ids[1:] != sorted_ids[:-1]] if len(sorted_ids) else sorted_ids > 0


def clipped(spell: pd.DataFrame, warmup: float, horizon: float) -> pd.Series:
    """Days of each spell inside the observed window, indexed like ``spell``."""
    return pd.Series(clipped_days(spell, warmup, horizon), index=spell.index)


def clipped_days(spell: pd.DataFrame | Columns, warmup: float, horizon: float) -> np.ndarray:
    """Days of each spell (a table or arrays with ``start`` and ``end``) inside the window."""
    start = np.asarray(spell["start"], float)
    days = np.minimum(np.asarray(spell["end"], float), horizon) - np.maximum(start, warmup)
    return np.maximum(days, 0.0)


def union_days(spell: pd.DataFrame | Columns, warmup: float, horizon: float) -> pd.Series:
    """Days inside the observed window each resident spends in ``spell``'s spells.

    Overlapping spells of one resident are counted once; indexed by resident.
    """
    start = np.maximum(np.asarray(spell["start"], float), warmup)
    end = np.minimum(np.asarray(spell["end"], float), horizon)
    inside = end > start
    resident = np.asarray(spell["resident"])[inside]
    start, end = start[inside], end[inside]
    order = np.lexsort((start, resident))  # stable: by resident, then start
    resident, start, end = resident[order], start[order], end[order]
    reach = pd.Series(end).groupby(resident).cummax().to_numpy()
    # the furthest end of the resident's earlier spells (none before the first)
    reach = np.where(_firsts(resident), -np.inf, np.r_[-np.inf, reach[:-1]])
    days = pd.Series(np.maximum(end - np.maximum(start, reach), 0.0))
    return days.groupby(pd.Index(resident, name="resident")).sum()


def locations(records: Records) -> pd.DataFrame:
    """Each resident's location spells (from ``move`` records).

    Columns resident, place, start, end; sorted by resident, then time.
    """
    return once(
        ("locations", records.horizon),
        records.events,
        lambda: pd.DataFrame(location_columns(records)),
    )


def location_columns(records: Records) -> Columns:
    """:func:`locations` as read-only arrays (place as an object array of ``str``)."""
    key = ("location_columns", records.horizon)
    return kept(key, records.events, lambda: read_only(_locations(records)))


def _locations(records: Records) -> Columns:
    events = records.events
    moves = positions(events["kind"] == "move")
    resident, time = events["resident"].to_numpy()[moves], events["time"].to_numpy()[moves]
    order = np.lexsort((time, resident))  # stable: by resident, then time
    resident, time = resident[order], time[order]
    last = np.r_[_firsts(resident)[1:], True] if len(resident) else np.zeros(0, bool)
    return {
        "resident": resident,
        "place": labels(events["place"].iloc[moves[order]]),
        "start": time,
        "end": np.where(last, records.horizon, np.r_[time[1:], records.horizon]),
    }


def places_of(records: Records, kind: str) -> dict[str, dict]:
    """The places of one kind (``tier``, ``team``, ``crisis_bed``, ``institution``) in ``meta``."""
    return {name: p for name, p in records.meta["places"].items() if p["kind"] == kind}


def permanent_tiers(records: Records) -> list[str]:
    """Housing tiers that are not temporary housing: where a *placement* happens."""
    return [n for n, p in places_of(records, "tier").items() if not p["temporary"]]


def temporary_tiers(records: Records) -> list[str]:
    """Housing tiers marked ``temporary`` (hospits, shelters)."""
    return [n for n, p in places_of(records, "tier").items() if p["temporary"]]


def observed_days(records: Records) -> float:
    """Length of the observed window ``[warmup, horizon]`` in days."""
    return records.horizon - records.warmup


def observed_years(records: Records) -> float:
    """Length of the observed window in years."""
    return observed_days(records) / DAYS_PER_YEAR


def mean_or_nan(values: pd.Series | np.ndarray) -> float:
    """The mean, or NaN for no values."""
    return float(np.mean(values)) if len(values) else float("nan")


# -- occupancy -----------------------------------------------------------------------------------


def place_spells(records: Records) -> dict[str, pd.DataFrame]:
    """The spells of every kind of place in ``meta`` (tiers, teams, crisis beds, institutions)."""
    return _by_kind(records, spells)


def place_spell_columns(records: Records) -> dict[str, Columns]:
    """:func:`place_spells` as arrays (:func:`spell_columns`)."""
    return _by_kind(records, spell_columns)


def _by_kind(records: Records, build: Callable[..., Any]) -> dict[str, Any]:
    """``build(events, start, end, horizon, names)`` for each kind of place ``meta`` has."""
    result = {}
    for kind, (start, end) in SPELLS.items():
        names = list(places_of(records, kind))
        if names:
            result[kind] = build(records.events, start, end, records.horizon, names)
    return result


def group_sums(values: np.ndarray, by: np.ndarray) -> pd.Series:
    """The sum of ``values`` in each group of ``by`` (pandas' compensated sums), by group."""
    return pd.Series(values).groupby(by).sum()


def occupancy(
    records: Records, spell_tables: dict[str, pd.DataFrame | Columns] | None = None
) -> dict[str, float]:
    """Time-average number in each place over the observed window.

    ``spell_tables``: those of :func:`place_spells` or :func:`place_spell_columns`, if already
    built.
    """
    w, h = records.warmup, records.horizon
    tables = place_spell_columns(records) if spell_tables is None else spell_tables
    result = {}
    for kind, spell in tables.items():
        total = group_sums(clipped_days(spell, w, h), np.asarray(spell["place"]))
        for name in places_of(records, kind):
            result[name] = float(total.get(name, 0.0)) / (h - w)
    return result


def bin_edges(horizon: float, step_days: float) -> np.ndarray:
    """Edges of consecutive bins of ``step_days`` from day 0, the last one cut at the horizon."""
    edges = np.arange(0.0, horizon + step_days, step_days)
    edges[-1] = horizon
    return edges


def binned_means(
    spell: pd.DataFrame | Columns, names: list[str], edges: np.ndarray
) -> dict[str, np.ndarray]:
    """For each place, the time-weighted mean number of spells going on in each bin."""
    place = np.asarray(spell["place"])
    start, end = np.asarray(spell["start"]), np.asarray(spell["end"])
    result = {}
    for name in names:
        own = place == name
        covered = _integral(start[own], end[own], edges)
        result[name] = np.diff(covered) / np.diff(edges)
    return result


def occupancy_series(records: Records, step_days: float = 7.0) -> pd.DataFrame:
    """Time-weighted mean occupancy of every place in consecutive bins of ``step_days``.

    Over the whole run: warm-up included, so a warm-up check can see it.

    Columns: ``start`` (day the bin begins), ``place``, ``kind``, ``occupancy`` (mean number
    present in the bin), ``capacity`` (NaN for unbounded places; a schedule's at the bin's
    start).
    """
    edges = bin_edges(records.horizon, step_days)
    frames = []
    for kind, spell in place_spell_columns(records).items():
        names = list(places_of(records, kind))
        for name, values in binned_means(spell, names, edges).items():
            place = records.meta["places"][name]
            capacity: Any = None if place["capacity"] is None else float(place["capacity"])
            if "schedule" in place:
                times = [t for t, _ in place["schedule"]]
                levels = np.array([level for _, level in place["schedule"]], dtype=float)
                at = np.searchsorted(times, edges[:-1], side="right") - 1
                capacity = levels[np.maximum(at, 0)]  # the warm-up has day 0's
            frames.append(
                pd.DataFrame(
                    {
                        "start": edges[:-1],
                        "place": name,
                        "kind": kind,
                        "occupancy": values,
                        "capacity": np.nan if capacity is None else capacity,
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def _integral(starts: np.ndarray, ends: np.ndarray, times: np.ndarray) -> np.ndarray:
    """∫₀ᵗ (number of spells covering s) ds at each ``t`` in ``times``.

    Σ over started spells of (t − start) minus Σ over ended spells of (t − end).
    """
    starts, ends = np.sort(starts), np.sort(ends)
    started_sum = np.concatenate(([0.0], np.cumsum(starts)))
    ended_sum = np.concatenate(([0.0], np.cumsum(ends)))
    n_started = np.searchsorted(starts, times, side="right")
    n_ended = np.searchsorted(ends, times, side="right")
    return (n_started * times - started_sum[n_started]) - (n_ended * times - ended_sum[n_ended])
