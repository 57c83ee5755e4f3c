"""Utilisation: mean occupancy, and occupancy over capacity, of every place."""

from __future__ import annotations

from forlopsim.metrics.spells import occupancy
from forlopsim.records import Records


def utilisation(records: Records, mean: dict[str, float] | None = None) -> dict[str, float]:
    """Mean occupancy over capacity for every tier, team, crisis bed and institution.

    NaN for an unbounded place or one with no capacity; and the mean occupancy itself.

    ``mean`` is :func:`~forlopsim.metrics.spells.occupancy`, if already computed.
    """
    mean = occupancy(records) if mean is None else mean
    result = {}
    for name, place in records.meta["places"].items():
        capacity = place["capacity"]
        value = mean[name] / capacity if capacity else float("nan")
        result[f"utilisation.{place['kind']}.{name}"] = value
        result[f"occupancy.{place['kind']}.{name}"] = mean[name]
    return result
