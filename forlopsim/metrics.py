"""KPIs of one replication, computed from its records alone (never from the engine).

Only the observed window ``[warmup, horizon]`` counts. Rules for what crosses its edges:

* occupancy and utilisation integrate each stay's part inside the window;
* a wait counts if it starts inside the window and ends with a placement before the horizon;
* a revolving-door rate counts an index event only if its whole follow-up window (12 months,
  90 days) lies inside the observed period (DESIGN §4);
* costs are per observed year: places paid by capacity cost every day, the rest by the
  occupied days inside the window; one-off costs of new places are reported apart.

Each KPI has a dotted name: ``group.detail`` (e.g. ``wait_days.tier.staffed_24h``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forlopsim.records import Records
from forlopsim.units import DAYS_PER_YEAR

RETURN_WINDOW_DAYS = 365.0  # DESIGN §4: return to homelessness within 12 months
READMISSION_WINDOW_DAYS = 90.0  # DESIGN §4: readmission within 90 days
LOSS_CAUSES = ("breakdown", "crisis", "max_stay")
"""Tenancy endings that put the resident on the street or in temporary housing."""

SPELLS = {
    "tier": ("tenancy_start", "tenancy_end"),
    "team": ("follow_up_start", "follow_up_end"),
    "crisis_bed": ("admission", "discharge"),
    "institution": ("admission", "discharge"),
}
"""Record kinds that open and close a spell in each kind of place."""


def kpis(records: Records) -> dict[str, float]:
    """Every headline KPI of one replication, by dotted name."""
    result: dict[str, float] = {}
    for part in (
        waits,
        utilisation,
        crisis_beds,
        return_to_homelessness,
        readmission,
        homelessness,
        outcomes,
        costs,
        in_services,
    ):
        result.update(part(records))
    return result


# -- building blocks ---------------------------------------------------------------------------


def spells(
    events: pd.DataFrame, start: str, end: str, horizon: float, places: list[str] | None = None
) -> pd.DataFrame:
    """Pair start and end records per (resident, place) in order; open spells end at the horizon.

    Columns: resident, place, start, end, cause (of the end, ``open`` if still going).
    """
    mask = events["kind"].isin((start, end))
    if places is not None:
        mask &= events["place"].isin(places)
    rows = events.loc[mask, ["time", "resident", "kind", "place", "cause"]].copy()
    rows["place"] = rows["place"].astype(str)
    rows["kind"] = rows["kind"].astype(str)
    rows["cause"] = rows["cause"].astype(str)
    starts = rows[rows["kind"] == start]
    ends = rows[rows["kind"] == end]
    starts = starts.assign(n=starts.groupby(["resident", "place"]).cumcount())
    ends = ends.assign(n=ends.groupby(["resident", "place"]).cumcount())
    paired = starts[["resident", "place", "n", "time"]].merge(
        ends[["resident", "place", "n", "time", "cause"]],
        on=["resident", "place", "n"],
        how="left",
        suffixes=("_start", "_end"),
    )
    return pd.DataFrame(
        {
            "resident": paired["resident"].to_numpy(),
            "place": paired["place"].to_numpy(),
            "start": paired["time_start"].to_numpy(),
            "end": paired["time_end"].fillna(horizon).to_numpy(),
            "cause": paired["cause"].fillna("open").to_numpy(),
        }
    )


def clipped(spell: pd.DataFrame, warmup: float, horizon: float) -> pd.Series:
    """Days of each spell inside the observed window."""
    return (spell["end"].clip(upper=horizon) - spell["start"].clip(lower=warmup)).clip(lower=0.0)


def _places(records: Records, kind: str) -> dict[str, dict]:
    return {name: p for name, p in records.meta["places"].items() if p["kind"] == kind}


def _observed_days(records: Records) -> float:
    return records.horizon - records.warmup


def _mean(values: pd.Series | np.ndarray) -> float:
    return float(np.mean(values)) if len(values) else float("nan")


# -- KPIs ----------------------------------------------------------------------------------------


def waits(records: Records) -> dict[str, float]:
    """Mean days from joining a waiting list to a placement, per tier, team and unit."""
    w, h = records.warmup, records.horizon
    spell = spells(records.events, "wait_start", "wait_end", h)
    done = spell[(spell["start"] >= w) & (spell["cause"] == "placed")]
    days = done.assign(days=done["end"] - done["start"])
    result = {}
    by_place = days.groupby("place")["days"].mean()
    for kind, label in (("tier", "tier"), ("team", "team"), ("institution", "institution")):
        for name in _places(records, kind):
            result[f"wait_days.{label}.{name}"] = float(by_place.get(name, np.nan))
    teams = _places(records, "team")
    team_days = days[days["place"].isin(list(teams))]
    units = team_days["place"].map(lambda name: teams[name]["unit"])
    by_unit = team_days.groupby(units)["days"].mean()
    for unit in sorted({p["unit"] for p in teams.values()}):
        result[f"wait_days.unit.{unit}"] = float(by_unit.get(unit, np.nan))
    return result


def occupancy(records: Records) -> dict[str, float]:
    """Time-average number in each place over the observed window."""
    w, h = records.warmup, records.horizon
    result = {}
    for kind, (start, end) in SPELLS.items():
        names = list(_places(records, kind))
        if not names:
            continue
        spell = spells(records.events, start, end, h, names)
        total = clipped(spell, w, h).groupby(spell["place"]).sum()
        for name in names:
            result[name] = float(total.get(name, 0.0)) / (h - w)
    return result


def occupancy_series(records: Records, step_days: float = 7.0) -> pd.DataFrame:
    """Time-weighted mean occupancy of every place in consecutive bins of ``step_days``,
    over the whole run (warm-up included, so a warm-up check can see it).

    Columns: ``start`` (day the bin begins), ``place``, ``kind``, ``occupancy`` (mean number
    present in the bin), ``capacity`` (NaN for unbounded places).
    """
    h = records.horizon
    edges = np.arange(0.0, h + step_days, step_days)
    edges[-1] = h
    frames = []
    for kind, (start, end) in SPELLS.items():
        names = list(_places(records, kind))
        if not names:
            continue
        spell = spells(records.events, start, end, h, names)
        for name in names:
            own = spell[spell["place"] == name]
            occupied = _integral(own["start"].to_numpy(), own["end"].to_numpy(), edges)
            capacity = records.meta["places"][name]["capacity"]
            frames.append(
                pd.DataFrame(
                    {
                        "start": edges[:-1],
                        "place": name,
                        "kind": kind,
                        "occupancy": np.diff(occupied) / np.diff(edges),
                        "capacity": np.nan if capacity is None else float(capacity),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def _integral(starts: np.ndarray, ends: np.ndarray, times: np.ndarray) -> np.ndarray:
    """∫₀ᵗ (number of spells covering s) ds at each ``t`` in ``times``:
    Σ over started spells of (t − start) minus Σ over ended spells of (t − end)."""
    starts, ends = np.sort(starts), np.sort(ends)
    started_sum = np.concatenate(([0.0], np.cumsum(starts)))
    ended_sum = np.concatenate(([0.0], np.cumsum(ends)))
    n_started = np.searchsorted(starts, times, side="right")
    n_ended = np.searchsorted(ends, times, side="right")
    return (n_started * times - started_sum[n_started]) - (n_ended * times - ended_sum[n_ended])


def utilisation(records: Records) -> dict[str, float]:
    """Mean occupancy over capacity for every tier, team, crisis bed and institution."""
    mean = occupancy(records)
    result = {}
    for name, place in records.meta["places"].items():
        capacity = place["capacity"]
        value = mean[name] / capacity if capacity else float("nan")
        result[f"utilisation.{place['kind']}.{name}"] = value
        result[f"occupancy.{place['kind']}.{name}"] = mean[name]
    return result


def crisis_beds(records: Records) -> dict[str, float]:
    """Requests, turn-aways and turn-away probability for each crisis bed and all together."""
    beds = list(_places(records, "crisis_bed"))
    ev = records.events
    ev = ev[(ev["time"] >= records.warmup) & ev["place"].isin(beds)]
    admitted = ev[ev["kind"] == "admission"].groupby("place", observed=True).size()
    turned = ev[ev["kind"] == "turned_away"].groupby("place", observed=True).size()
    result = {}
    years = _observed_days(records) / DAYS_PER_YEAR
    for name in [*beds, "all"]:
        a = float(admitted.sum() if name == "all" else admitted.get(name, 0))
        t = float(turned.sum() if name == "all" else turned.get(name, 0))
        result[f"crisis_bed_requests_per_year.{name}"] = (a + t) / years
        result[f"turn_away.{name}"] = t / (a + t) if a + t else float("nan")
    return result


def return_to_homelessness(records: Records) -> dict[str, float]:
    """Share of housing placements lost to the street or temporary housing within 12 months."""
    tiers = [n for n, p in _places(records, "tier").items() if not p["temporary"]]
    w, h = records.warmup, records.horizon
    spell = spells(records.events, "tenancy_start", "tenancy_end", h, tiers)
    eligible = spell[(spell["start"] >= w) & (spell["start"] + RETURN_WINDOW_DAYS <= h)]
    lost = eligible["cause"].isin(LOSS_CAUSES) & (
        eligible["end"] - eligible["start"] <= RETURN_WINDOW_DAYS
    )
    return {
        "return_to_homelessness_12m": _mean(lost.astype(float)),
        "placements_observed": float(len(eligible)),
    }


def readmission(records: Records) -> dict[str, float]:
    """Share of crisis-bed, emergency and institution discharges followed by another such
    admission within 90 days."""
    care = [
        n for n, p in records.meta["places"].items() if p["kind"] in ("crisis_bed", "institution")
    ]
    w, h = records.warmup, records.horizon
    ev = records.events
    discharges = ev[
        ((ev["kind"] == "discharge") & ev["place"].isin(care) & (ev["cause"] != "exit"))
        | (ev["kind"] == "emergency")
    ]
    index = discharges[
        (discharges["time"] >= w) & (discharges["time"] + READMISSION_WINDOW_DAYS <= h)
    ]
    admissions = ev[
        ((ev["kind"] == "admission") & ev["place"].isin(care)) | (ev["kind"] == "emergency")
    ]
    if index.empty:
        return {"readmission_90d": float("nan")}
    left = index[["time", "resident"]].sort_values("time")
    right = admissions[["time", "resident"]].rename(columns={"time": "next"}).sort_values("next")
    right["t"] = right["next"]
    nxt = pd.merge_asof(
        left,
        right,
        left_on="time",
        right_on="t",
        by="resident",
        direction="forward",
        allow_exact_matches=False,
    )
    readmitted = (nxt["next"] - nxt["time"]) <= READMISSION_WINDOW_DAYS
    return {"readmission_90d": _mean(readmitted.astype(float))}


def locations(records: Records) -> pd.DataFrame:
    """Each resident's location spells: resident, place, start, end (from ``move`` records)."""
    moves = records.events[records.events["kind"] == "move"][["time", "resident", "place"]]
    moves = moves.sort_values(["resident", "time"], kind="stable")
    end = moves.groupby("resident")["time"].shift(-1).fillna(records.horizon)
    return pd.DataFrame(
        {
            "resident": moves["resident"].to_numpy(),
            "place": moves["place"].astype(str).to_numpy(),
            "start": moves["time"].to_numpy(),
            "end": end.to_numpy(),
        }
    )


def homelessness(records: Records) -> dict[str, float]:
    """Homeless days per resident-year, and the mean number homeless, in the observed window."""
    spell = locations(records)
    spell = spell[spell["place"] != "exited"]
    days = clipped(spell, records.warmup, records.horizon)
    homeless = float(days[spell["place"] == "homeless"].sum())
    total = float(days.sum())
    return {
        "homeless_days_per_resident_year": homeless / total * DAYS_PER_YEAR if total else np.nan,
        "homeless_mean": homeless / _observed_days(records),
        "residents_mean": total / _observed_days(records),
    }


def outcomes(records: Records) -> dict[str, float]:
    """Deaths (overdose, other), recoveries and moves away, per observed year."""
    ev = records.events
    exits = ev[(ev["kind"] == "exit") & (ev["time"] >= records.warmup)]
    counts = exits["cause"].astype(str).value_counts()
    years = _observed_days(records) / DAYS_PER_YEAR
    result = {
        f"per_year.{name}": float(counts.get(name, 0)) / years
        for name in ("death_overdose", "death_other", "recovery", "moved")
    }
    result["per_year.deaths"] = result["per_year.death_overdose"] + result["per_year.death_other"]
    referrals = ev[(ev["kind"] == "referral") & (ev["time"] >= records.warmup)]
    result["per_year.referrals"] = len(referrals) / years
    return result


def costs(records: Records) -> dict[str, float]:
    """Running cost per year (NOK) by place, kind of place and payer; one-off cost of new places."""
    mean = occupancy(records)
    result: dict[str, float] = {}
    by_payer: dict[str, float] = {}
    by_kind: dict[str, float] = {}
    one_off = 0.0
    for name, place in records.meta["places"].items():
        paid_for_all = place["cost_basis"] == "capacity"
        units = (place["capacity"] or 0) if paid_for_all else mean[name]
        per_year = units * place["cost_per_day"] * DAYS_PER_YEAR
        result[f"cost_per_year.{place['kind']}.{name}"] = per_year
        by_payer[place["payer"]] = by_payer.get(place["payer"], 0.0) + per_year
        by_kind[place["kind"]] = by_kind.get(place["kind"], 0.0) + per_year
        one_off += place.get("new_places", 0) * place.get("new_place_cost", 0.0)
    for payer, value in by_payer.items():
        result[f"cost_per_year.payer.{payer}"] = value
    for kind, value in by_kind.items():
        result[f"cost_per_year.by_kind.{kind}"] = value
    total = sum(by_payer.values())
    result["cost_per_year.total"] = total
    result["cost_one_off.new_places"] = one_off
    residents = homelessness(records)["residents_mean"]
    result["cost_per_resident_year"] = total / residents if residents else float("nan")
    return result


def in_services(records: Records) -> dict[str, float]:
    """Mean residents served: followed by a team or in touch with low-threshold services."""
    w, h = records.warmup, records.horizon
    ev = records.events
    followed = spells(ev, "follow_up_start", "follow_up_end", h)
    contact = spells(ev, "contact_start", "contact_end", h)
    both = pd.concat([followed, contact], ignore_index=True)
    both = both.assign(start=both["start"].clip(lower=w), end=both["end"].clip(upper=h))
    both = both[both["end"] > both["start"]].sort_values(["resident", "start"])
    reach = both.groupby("resident")["end"].cummax().groupby(both["resident"]).shift(1)
    begin = np.maximum(both["start"], reach.fillna(-np.inf))
    union = (both["end"] - begin).clip(lower=0.0).sum()
    days = h - w
    return {
        "residents_in_services": float(union) / days,
        "residents_in_follow_up": float(clipped(followed, w, h).sum()) / days,
        "residents_in_low_threshold": float(clipped(contact, w, h).sum()) / days,
    }
