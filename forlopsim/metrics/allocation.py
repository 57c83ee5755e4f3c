"""The allocation office, patients ready for discharge, and readmission to an institution.

* Applications to the office by reason, their decisions, and new tenancies by the reason of
  the application they were allocated for (``tenancy_start``'s ``origin``): where a tier's
  residents come from.
* Days ready for discharge (P18): from a ``ready_for_discharge`` record to the end of that
  stay, inside the window; their share of the institution's occupied bed-days; their cost to
  the municipality (P19).
* Readmission to the same institution within 30 and 365 days of a discharge (T8, T9).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forlopsim.metrics.revolving_door import gaps_to_next_start
from forlopsim.metrics.spells import (
    bin_edges,
    binned_means,
    clipped_days,
    labels,
    mean_or_nan,
    member,
    observed_days,
    observed_years,
    places_of,
    positions,
    spell_columns,
    subset,
    union_days,
)
from forlopsim.records import Records
from forlopsim.scenario.housing import REASONS

SAME_PLACE_WINDOWS = {"30d": 30.0, "365d": 365.0}
"""T9: emergency readmission within 30 days of acute psychiatric care; T8: readmission within
a year of specialist substance-use treatment."""
DISCHARGE_ENDINGS = ("planned", "early", "placed", "limit")
"""Discharges that send a patient out alive (an exit is not a discharge home)."""
DECISIONS = ("granted", "refused", "withdrawn")


def _rows(records: Records, kinds: tuple[str, ...]) -> pd.DataFrame:
    ev = records.events
    rows = positions(member(ev["kind"], kinds))
    return pd.DataFrame(
        {
            "time": ev["time"].to_numpy(float)[rows],
            "resident": ev["resident"].to_numpy()[rows].astype(np.int64),
            "kind": labels(ev["kind"].iloc[rows]),
            "place": labels(ev["place"].iloc[rows]),
            "origin": labels(ev["origin"].iloc[rows]),
            "cause": labels(ev["cause"].iloc[rows]),
        }
    )


def applications(records: Records) -> dict[str, float]:
    """Applications per year by reason, decisions per year, and intake per tier by reason."""
    years = observed_years(records)
    rows = _rows(records, ("application", "decision", "tenancy_start"))
    rows = rows[rows["time"] >= records.warmup]
    result: dict[str, float] = {}
    applied = rows[rows["kind"] == "application"]["cause"].value_counts()
    for reason in REASONS:
        result[f"applications_per_year.{reason}"] = float(applied.get(reason, 0)) / years
    decided = rows[rows["kind"] == "decision"]["cause"].value_counts()
    for decision in DECISIONS:
        result[f"decisions_per_year.{decision}"] = float(decided.get(decision, 0)) / years
    starts = rows[rows["kind"] == "tenancy_start"]
    counts = starts.groupby(["place", "origin"]).size()
    for tier, spec in places_of(records, "tier").items():
        if spec.get("temporary"):
            continue
        for reason in REASONS:
            result[f"intake_per_year.tier.{tier}.{reason}"] = (
                float(counts.get((tier, reason), 0)) / years
            )
    return result


def ready_spells(records: Records) -> pd.DataFrame:
    """Each wait in a bed ready for discharge: resident, place, start, end (horizon if open)."""
    rows = _rows(records, ("ready_for_discharge", "discharge"))
    ready = rows[rows["kind"] == "ready_for_discharge"].sort_values("time")
    ends = rows[rows["kind"] == "discharge"].sort_values("time")
    if ready.empty:
        return pd.DataFrame({"resident": [], "place": [], "start": [], "end": []})
    paired = pd.merge_asof(
        ready[["time", "resident", "place"]],
        ends[["time", "resident", "place"]].assign(end=ends["time"]),
        on="time",
        by=["resident", "place"],
        direction="forward",
    )
    return pd.DataFrame(
        {
            "resident": paired["resident"].to_numpy(),
            "place": paired["place"].to_numpy(),
            "start": paired["time"].to_numpy(float),
            "end": paired["end"].fillna(records.horizon).to_numpy(float),
        }
    )


def ready_days_per_year(records: Records) -> dict[str, float]:
    """Bed-days ready for discharge per observed year, per institution (inside the window)."""
    spell = ready_spells(records)
    days = pd.Series(clipped_days(spell, records.warmup, records.horizon)).groupby(
        spell["place"].to_numpy()
    )
    total = days.sum() if len(spell) else pd.Series(dtype=float)
    years = observed_years(records)
    return {name: float(total.get(name, 0.0)) / years for name in places_of(records, "institution")}


def discharge_ready(records: Records, mean: dict[str, float]) -> dict[str, float]:
    """Days ready for discharge per year, their share of bed-days, their cost, those at the end.

    ``mean`` is the mean occupancy of every place (:func:`~forlopsim.metrics.spells.occupancy`).
    """
    per_year = ready_days_per_year(records)
    institutions = places_of(records, "institution")
    spell = ready_spells(records)
    open_at_end = spell[spell["end"] >= records.horizon]["place"].value_counts()
    result: dict[str, float] = {}
    for name in institutions:
        days = per_year[name]
        occupied = mean.get(name, 0.0) * 365.25
        result[f"discharge_ready_days_per_year.institution.{name}"] = days
        result[f"discharge_ready_share.institution.{name}"] = (
            days / occupied if occupied else float("nan")
        )
        result[f"discharge_ready_at_end.institution.{name}"] = float(open_at_end.get(name, 0))
    result["discharge_ready_days_per_year.all"] = sum(per_year.values())
    result["discharge_ready_at_end.all"] = float(open_at_end.sum())
    return result


def ready_days_by_year(records: Records, edges: np.ndarray) -> dict[str, np.ndarray]:
    """Bed-days ready for discharge in each interval between ``edges``, per institution."""
    spell = ready_spells(records)
    result = {}
    for name in places_of(records, "institution"):
        own = spell[spell["place"] == name]
        start = np.clip(own["start"].to_numpy(float)[:, None], edges[:-1], edges[1:])
        end = np.clip(own["end"].to_numpy(float)[:, None], edges[:-1], edges[1:])
        result[name] = (end - start).sum(axis=0)
    return result


def readmission_same_place(records: Records) -> dict[str, float]:
    """Share of each institution's discharges followed by an admission there within 30 and 365 days.

    A discharge counts if its whole window lies in the observed period (as ``readmission``).
    """
    w, h = records.warmup, records.horizon
    rows = _rows(records, ("admission", "discharge"))
    result: dict[str, float] = {}
    for name in places_of(records, "institution"):
        own = rows[rows["place"] == name]
        ends = own[(own["kind"] == "discharge") & own["cause"].isin(DISCHARGE_ENDINGS)]
        starts = own[own["kind"] == "admission"]
        time, gap = gaps_to_next_start(ends, starts)
        for label, window in SAME_PLACE_WINDOWS.items():
            index = (time >= w) & (time + window <= h)
            result[f"readmission_same_{label}.institution.{name}"] = mean_or_nan(
                (gap[index] <= window).astype(float)
            )
    return result


def housed_at_start(records: Records, spell: dict[str, np.ndarray]) -> np.ndarray:
    """Whether each spell's resident held a permanent housing place when the spell began."""
    tiers = [n for n, p in places_of(records, "tier").items() if not p.get("temporary")]
    tenancy = spell_columns(records.events, "tenancy_start", "tenancy_end", records.horizon, tiers)
    held = pd.DataFrame(
        {"time": tenancy["start"], "resident": tenancy["resident"], "until": tenancy["end"]}
    ).sort_values("time")
    waits = pd.DataFrame(
        {"time": np.asarray(spell["start"], float), "resident": np.asarray(spell["resident"])}
    )
    order = np.argsort(waits["time"].to_numpy(), kind="stable")
    found = pd.merge_asof(waits.iloc[order], held, on="time", by="resident", direction="backward")
    housed = np.zeros(len(waits), bool)
    housed[order] = (found["until"] > found["time"]).to_numpy()
    return housed


def waiting_by_housing(records: Records) -> dict[str, float]:
    """Mean residents on a housing list who hold a home already (transfers), and who do not.

    A wait is classed by the resident's housing when it began (a permanent place, or none or
    temporary housing); a resident on several lists is counted once in each class.
    """
    w, h = records.warmup, records.horizon
    tiers = [n for n, p in places_of(records, "tier").items() if not p.get("temporary")]
    spell = spell_columns(records.events, "wait_start", "wait_end", h, tiers)
    housed = housed_at_start(records, spell)
    window = observed_days(records)
    result = {}
    for label, chosen in (("housed", housed), ("without_home", ~housed)):
        days = union_days(subset(spell, chosen), w, h)
        result[f"residents_waiting.housing_{label}"] = float(days.sum()) / window
    return result


def contracts(records: Records) -> dict[str, float]:
    """Self-referral contracts (P8): mean held, given per year, and stays per contract-year.

    A contract is held from its ``contract`` record until the resident leaves services or
    exits.
    """
    w, h = records.warmup, records.horizon
    rows = _rows(records, ("contract", "services_end", "exit", "admission"))
    ended = rows[rows["kind"].isin(("services_end", "exit"))]
    exits = ended.drop_duplicates("resident").set_index("resident")["time"]
    years = observed_years(records)
    result: dict[str, float] = {}
    for name, bed in places_of(records, "crisis_bed").items():
        if not bed.get("self_referral"):
            continue
        given = rows[(rows["kind"] == "contract") & (rows["place"] == name)]
        start = given["time"].to_numpy(float)
        end = exits.reindex(given["resident"]).fillna(h).to_numpy(float)
        held = float(clipped_days({"start": start, "end": end}, w, h).sum())
        stays = rows[(rows["kind"] == "admission") & (rows["place"] == name) & (rows["time"] >= w)]
        result[f"contracts_held_mean.crisis_bed.{name}"] = held / observed_days(records)
        result[f"contracts_given_per_year.crisis_bed.{name}"] = float((start >= w).sum()) / years
        result[f"stays_per_contract_year.crisis_bed.{name}"] = (
            len(stays) / (held / 365.25) if held else float("nan")
        )
    return result


def waiting_by_housing_series(records: Records, step_days: float) -> pd.DataFrame:
    """Length over time of every housing and team list, split by the applicants' housing.

    In consecutive bins of ``step_days`` over the whole run; a wait is classed as in
    :func:`waiting_by_housing` (the resident's housing when it began).

    Columns: ``start`` (day the bin begins), ``place``, ``kind`` (tier, team), ``housed``
    (bool), ``waiting`` (time-weighted mean number on the list in the bin).
    """
    edges = bin_edges(records.horizon, step_days)
    frames = []
    for kind in ("tier", "team"):
        names = [n for n, p in places_of(records, kind).items() if not p.get("temporary")]
        spell = spell_columns(records.events, "wait_start", "wait_end", records.horizon, names)
        housed = housed_at_start(records, spell)
        for flag in (False, True):
            for name, values in binned_means(subset(spell, housed == flag), names, edges).items():
                frames.append(
                    pd.DataFrame(
                        {"start": edges[:-1], "place": name, "kind": kind, "housed": flag,
                         "waiting": values}
                    )
                )  # fmt: skip
    return pd.concat(frames, ignore_index=True)
