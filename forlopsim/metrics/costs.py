"""Costs (NOK): running cost per year, cost per resident-year, one-off cost of new places.

Running costs are by place, kind of place and payer.

A place paid by capacity (``cost_basis: capacity``) costs every place every day; the others cost
the occupied days (place-days, caseload-days, bed-days) inside the observed window. A day a
patient waits in an institution bed ready for discharge is paid by the municipality to the
specialist service (P19): it appears as a municipal cost (kind ``discharge_ready``) and the
institution's own cost is less by as much, so the total is unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forlopsim.metrics.allocation import ready_days_by_year, ready_days_per_year
from forlopsim.metrics.homelessness import homelessness
from forlopsim.metrics.spells import _integral, occupancy, place_spells
from forlopsim.records import Records
from forlopsim.units import DAYS_PER_YEAR


def _units(place: dict, occupied: float) -> float:
    """Places paid for: the capacity, or the mean number occupied."""
    return (place["capacity"] or 0) if place["cost_basis"] == "capacity" else occupied


def costs(
    records: Records, mean: dict[str, float] | None = None, residents_mean: float | None = None
) -> dict[str, float]:
    """Running cost per year (NOK) by place, kind of place and payer.

    In total and per resident-year; and the one-off cost of new places.

    ``mean`` (:func:`~forlopsim.metrics.spells.occupancy`) and ``residents_mean`` (from
    :func:`~forlopsim.metrics.homelessness.homelessness`) may be passed if already computed.
    """
    mean = occupancy(records) if mean is None else mean
    result: dict[str, float] = {}
    by_payer: dict[str, float] = {}
    by_kind: dict[str, float] = {}
    one_off = 0.0
    for name, place in records.meta["places"].items():
        per_year = _units(place, mean[name]) * place["cost_per_day"] * DAYS_PER_YEAR
        result[f"cost_per_year.{place['kind']}.{name}"] = per_year
        by_payer[place["payer"]] = by_payer.get(place["payer"], 0.0) + per_year
        by_kind[place["kind"]] = by_kind.get(place["kind"], 0.0) + per_year
        one_off += place.get("new_places", 0) * place.get("new_place_cost", 0.0)
    ready = ready_days_per_year(records)
    for name, place in records.meta["places"].items():
        payment = ready.get(name, 0.0) * place.get("ready_cost_per_day", 0.0)
        if place["kind"] != "institution" or not payment:
            continue
        result[f"cost_per_year.institution.{name}"] -= payment
        by_payer[place["payer"]] -= payment
        by_kind["institution"] -= payment
        result[f"cost_per_year.discharge_ready.{name}"] = payment
        by_payer["municipality"] = by_payer.get("municipality", 0.0) + payment
        by_kind["discharge_ready"] = by_kind.get("discharge_ready", 0.0) + payment
    for payer, value in by_payer.items():
        result[f"cost_per_year.payer.{payer}"] = value
    for kind, value in by_kind.items():
        result[f"cost_per_year.by_kind.{kind}"] = value
    total = sum(by_payer.values())
    result["cost_per_year.total"] = total
    result["cost_one_off.new_places"] = one_off
    if residents_mean is None:
        residents_mean = homelessness(records)["residents_mean"]
    result["cost_per_resident_year"] = total / residents_mean if residents_mean else float("nan")
    return result


def costs_by_year(records: Records) -> pd.DataFrame:
    """Running cost (NOK) of every place in each year of the observed window.

    Years are counted from the end of the warm-up; the last one may be shorter.

    Columns: ``year`` (0, 1, …), ``start``, ``days`` (length of the year in the window),
    ``place``, ``kind``, ``payer``, ``cost``.
    """
    w, h = records.warmup, records.horizon
    edges = np.append(np.arange(w, h, DAYS_PER_YEAR), h)
    lengths = np.diff(edges)
    tables = place_spells(records)
    ready = ready_days_by_year(records, edges)
    frames = []
    for name, place in records.meta["places"].items():
        if place["cost_basis"] == "capacity":
            days = (place["capacity"] or 0) * lengths
        else:
            spell = tables[place["kind"]]
            own = spell[(spell["place"] == name).to_numpy()]
            days = np.diff(_integral(own["start"].to_numpy(), own["end"].to_numpy(), edges))
        cost = days * place["cost_per_day"]
        rate = place.get("ready_cost_per_day", 0.0)
        payment = ready[name] * rate if place["kind"] == "institution" and rate else None
        if payment is not None:
            cost = cost - payment
        frames.append(_year_rows(lengths, edges, name, place["kind"], place["payer"], cost))
        if payment is not None:
            frames.append(
                _year_rows(lengths, edges, name, "discharge_ready", "municipality", payment)
            )
    return pd.concat(frames, ignore_index=True)


def _year_rows(
    lengths: np.ndarray, edges: np.ndarray, place: str, kind: str, payer: str, cost: np.ndarray
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": np.arange(len(lengths)),
            "start": edges[:-1],
            "days": lengths,
            "place": place,
            "kind": kind,
            "payer": payer,
            "cost": cost,
        }
    )
