"""Costs (NOK): running cost per year, cost per resident-year, one-off cost of new places.

Running costs are by place, kind of place and payer.

A place paid by capacity (``cost_basis: capacity``) costs every place every day; the others cost
the occupied days (place-days, caseload-days, bed-days) inside the observed window. A day a
patient waits in an institution bed ready for discharge is paid by the municipality to the
specialist service (P19): it appears as a municipal cost (kind ``discharge_ready``) and the
institution's own cost is less by as much, so the total is unchanged.

A place whose capacity follows a schedule (``meta["places"][name]["schedule"]``) is paid by
capacity for the places it has each day; its one-off cost falls in the year each place opens
(``openings``). :func:`cost_by_year` gives both by year of the window and payer.
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
            days = _capacity_days(place, edges, lengths)
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


def _capacity_days(place: dict, edges: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Place-days of capacity in each year: capacity × days, or the schedule's integral."""
    schedule = place.get("schedule")
    if schedule is None:
        return (place["capacity"] or 0) * lengths
    times = np.array([t for t, _ in schedule] + [np.inf])
    levels = np.array([level for _, level in schedule], dtype=float)
    # each level holds from its day to the next one's; clip those spans to each year
    starts = np.clip(times[:-1, None], edges[None, :-1], edges[None, 1:])
    ends = np.clip(times[1:, None], edges[None, :-1], edges[None, 1:])
    return (levels[:, None] * (ends - starts)).sum(axis=0)


def one_off_by_year(records: Records) -> pd.DataFrame:
    """One-off cost (NOK) of new places in the year of the window each place opens.

    Places new from the start (a fixed capacity above ``existing_places``) fall in year 0.
    Columns: ``year``, ``place``, ``kind``, ``payer``, ``cost``.
    """
    w = records.warmup
    rows = []
    for name, place in records.meta["places"].items():
        price = place.get("new_place_cost", 0.0)
        opened = place.get("openings", [[w, place.get("new_places", 0)]])
        for time, new in opened:
            if new and price:
                year = int((time - w) // DAYS_PER_YEAR)
                rows.append((year, name, place["kind"], place["payer"], new * price))
    return pd.DataFrame(rows, columns=["year", "place", "kind", "payer", "cost"])


def cost_by_year(records: Records) -> dict[str, float]:
    """Running and one-off cost (NOK) in each year of the window, by payer, and in total.

    ``cost_by_year.{year}.payer.{payer}.running`` and ``….one_off``, ``cost_by_year.{year}.total``
    (years from the end of the warm-up, as :func:`costs_by_year`; the last may be short).
    """
    running = costs_by_year(records)
    once = one_off_by_year(records)
    years = sorted(set(running["year"]))
    payers = sorted(set(running["payer"]) | set(once["payer"]))
    by_running = running.groupby(["year", "payer"])["cost"].sum().to_dict()
    by_once = once.groupby(["year", "payer"])["cost"].sum().to_dict() if len(once) else {}
    result: dict[str, float] = {}
    for year in years:
        total = 0.0
        for payer in payers:
            spent = float(by_running.get((year, payer), 0.0))
            opened = float(by_once.get((year, payer), 0.0))
            result[f"cost_by_year.{year}.payer.{payer}.running"] = spent
            result[f"cost_by_year.{year}.payer.{payer}.one_off"] = opened
            total += spent + opened
        result[f"cost_by_year.{year}.total"] = total
    return result


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
