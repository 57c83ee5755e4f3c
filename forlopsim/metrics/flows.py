"""Flows: counts of moves between locations, for a flow chart.

Locations are tiers, homeless, crisis beds and institutions; a new resident comes from
``referred`` and a leaving one goes to ``exited``.
"""

from __future__ import annotations

import itertools

import pandas as pd

from forlopsim.metrics.spells import EXITED, HOMELESS, REFERRED, observed_years, positions
from forlopsim.records import Records

LOCATION_KINDS = ("tier", "crisis_bed", "institution")
"""Kinds of place that are a resident's location."""


def transitions(records: Records) -> pd.DataFrame:
    """Moves inside the observed window, counted by (origin, place).

    Columns origin, place, count, sorted by origin and place. Only pairs that occur are listed.
    """
    ev = records.events
    moves = positions((ev["kind"] == "move").to_numpy() & (ev["time"] >= records.warmup).to_numpy())
    pairs = pd.DataFrame({"origin": ev["origin"].iloc[moves], "place": ev["place"].iloc[moves]})
    # counted on the (categorical) columns as they are, then only the pairs named as strings
    counts = (
        pairs.groupby(["origin", "place"], observed=True)
        .size()
        .rename("count")
        .reset_index()
        .astype({"origin": str, "place": str})
    )
    return counts.sort_values(["origin", "place"], ignore_index=True)


def possible_transitions(records: Records) -> list[tuple[str, str]]:
    """Every (origin, place) pair between the locations ``meta`` names.

    From ``referred`` or a location, to another location or ``exited``.
    """
    places = [n for n, p in records.meta["places"].items() if p["kind"] in LOCATION_KINDS]
    where = [HOMELESS, *places]
    pairs = [(a, b) for a, b in itertools.product(where, where) if a != b]
    return [*((REFERRED, b) for b in where), *pairs, *((a, EXITED) for a in where)]


def flows(records: Records) -> dict[str, float]:
    """``transitions_per_year.{origin}->{place}``: moves per observed year.

    For every possible pair of locations (zero where none occurred, so replications and
    scenarios line up) and any other pair that occurred.
    """
    table = transitions(records)
    years = observed_years(records)
    result = dict.fromkeys(
        (f"transitions_per_year.{a}->{b}" for a, b in possible_transitions(records)), 0.0
    )
    for origin, place, count in table.itertuples(index=False):
        result[f"transitions_per_year.{origin}->{place}"] = count / years
    return result
