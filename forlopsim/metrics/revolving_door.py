"""The revolving door: returns to homelessness, readmissions and frequent users.

Return to homelessness after a placement, readmission after crisis care, and frequent users
(*gjengangere*).

Censoring (DESIGN §4): a rate over a follow-up window counts an index event only if it lies
inside the observed window and its whole follow-up window does too, so no index event is judged
on a window cut by the horizon or begun in the warm-up.

*Episodes of crisis care* are crisis-bed and institution stays and emergency-service episodes.
Care that continues at the same instant is one episode: an emergency that ends in an institution
admission, or a crisis-bed discharge straight into an institution, starts no new episode and ends
none. An episode *starts* at an admission or emergency record of a resident with no earlier
episode record (admission, discharge, emergency) at that same time, and *ends* at a discharge
(not by exit) or emergency record with no later episode record at that same time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forlopsim.metrics.spells import (
    EXITED,
    clipped_days,
    labels,
    location_columns,
    mean_or_nan,
    member,
    once,
    permanent_tiers,
    positions,
    spell_columns,
    subset,
)
from forlopsim.records import Records

RETURN_WINDOWS = {"6m": 182.5, "12m": 365.0, "24m": 730.0}
"""DESIGN §4: return to homelessness within 6, 12 and 24 months (12 months are 365 days)."""
READMISSION_WINDOWS = {"30d": 30.0, "90d": 90.0}
"""DESIGN §4: readmission within 30 and 90 days."""
FREQUENT_EPISODES = 3
"""DESIGN §4: a frequent user has at least this many episodes …"""
FREQUENT_WINDOW_DAYS = 365.0
"""… within this many days (first to last, inclusive)."""
LOSS_CAUSES = ("breakdown", "crisis", "max_stay")
"""Tenancy endings that put the resident on the street or in temporary housing."""


def return_to_homelessness(records: Records) -> dict[str, float]:
    """Share of housing placements lost within 6, 12 and 24 months, overall and per tier.

    A placement is a tenancy in a non-temporary tier; it is lost to the street or temporary
    housing.
    """
    tiers = permanent_tiers(records)
    w, h = records.warmup, records.horizon
    spell = spell_columns(records.events, "tenancy_start", "tenancy_end", h, tiers)
    spell = subset(spell, spell["start"] >= w)
    lost_after = np.where(
        np.isin(spell["cause"], LOSS_CAUSES), spell["end"] - spell["start"], np.inf
    )
    result = {}
    for label, window in RETURN_WINDOWS.items():
        eligible = spell["start"] + window <= h
        lost = pd.Series((lost_after <= window)[eligible].astype(float))
        place = spell["place"][eligible]
        result[f"return_to_homelessness_{label}"] = mean_or_nan(lost)
        suffix = "" if label == "12m" else f"_{label}"
        result[f"placements_observed{suffix}"] = float(eligible.sum())
        by_tier = lost.groupby(place).mean()
        for tier in tiers:
            result[f"return_to_homelessness_{label}.tier.{tier}"] = float(by_tier.get(tier, np.nan))
    return result


def episodes(records: Records) -> pd.DataFrame:
    """Episodes of crisis care, one row per record that starts or ends one.

    Columns: resident, time, start (bool: the record starts an episode), end (bool: it ends one).
    A record can do both (an emergency episode with no admission), or neither (care continuing).
    """
    care = [
        n for n, p in records.meta["places"].items() if p["kind"] in ("crisis_bed", "institution")
    ]
    return once(("episodes", tuple(care)), records.events, lambda: _episodes(records, care))


def _episodes(records: Records, care: list[str]) -> pd.DataFrame:
    ev = records.events
    every_kind = ev["kind"]
    in_care = member(ev["place"], care)
    rows = positions(
        member(every_kind, ("emergency",))
        | (member(every_kind, ("admission", "discharge")) & in_care)
    )
    resident = ev["resident"].to_numpy()[rows].astype(np.int64)
    time = ev["time"].to_numpy(float)[rows]
    order = np.lexsort((np.arange(len(rows)), time, resident))
    resident, time, rows = resident[order], time[order], rows[order]
    kind = labels(ev["kind"].iloc[rows])
    cause = labels(ev["cause"].iloc[rows])
    same_as_previous = np.r_[False, (resident[1:] == resident[:-1]) & (time[1:] == time[:-1])]
    same_as_next = np.r_[same_as_previous[1:], False]
    opens = (kind == "admission") | (kind == "emergency")
    closes = ((kind == "discharge") & (cause != "exit")) | (kind == "emergency")
    return pd.DataFrame(
        {
            "resident": resident,
            "time": time,
            "start": opens & ~same_as_previous,
            "end": closes & ~same_as_next,
        }
    )


def readmission(records: Records) -> dict[str, float]:
    """Share of episode ends followed by another episode's start within 30 and 90 days.

    Episode ends are crisis-bed and institution discharges and emergency episodes.
    """
    w, h = records.warmup, records.horizon
    episode = episodes(records)
    time, gap = gaps_to_next_start(
        episode[episode["end"].to_numpy()], episode[episode["start"].to_numpy()]
    )
    result = {}
    for label, window in READMISSION_WINDOWS.items():
        index = (time >= w) & (time + window <= h)
        result[f"readmission_{label}"] = mean_or_nan((gap[index] <= window).astype(float))
        result[f"readmission_index_episodes_{label}"] = float(index.sum())
    return result


def gaps_to_next_start(ends: pd.DataFrame, starts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each end's time (in time order) and days to its resident's next start (NaN if none).

    ``ends`` and ``starts`` have ``time`` and ``resident``; a start at the end's instant is not
    the next one.
    """
    following = pd.merge_asof(
        ends[["time", "resident"]].sort_values("time"),
        starts[["time", "resident"]].assign(next=starts["time"]).sort_values("time"),
        on="time",
        by="resident",
        direction="forward",
        allow_exact_matches=False,
    )
    time = following["time"].to_numpy(float)
    return time, following["next"].to_numpy(float) - time


def frequent_users(records: Records) -> dict[str, float]:
    """Residents with at least 3 episode starts inside the observed window within any 365 days.

    Counted with a sliding window over each resident's episode start times ``t₁ ≤ t₂ ≤ …``: a
    resident is a frequent user if ``t[i+2] − t[i] ≤ 365`` for some ``i``. Also the share of the
    residents observed (present, not exited, for some time inside the window) and the share of
    the window's episodes that frequent users account for.
    """
    w, h = records.warmup, records.horizon
    episode = episodes(records)
    starts = episode[episode["start"].to_numpy() & (episode["time"] >= w).to_numpy()]
    resident = starts["resident"].to_numpy()  # sorted by resident, then time
    time = starts["time"].to_numpy()
    k = FREQUENT_EPISODES - 1
    close = (resident[k:] == resident[:-k]) & (time[k:] - time[:-k] <= FREQUENT_WINDOW_DAYS)
    frequent = np.unique(resident[:-k][close]) if len(resident) > k else np.zeros(0, np.int64)
    place = location_columns(records)
    present = (place["place"] != EXITED) & (clipped_days(place, w, h) > 0)
    observed = len(np.unique(place["resident"][present]))
    return {
        "frequent_users.count": float(len(frequent)),
        "frequent_users.share": len(frequent) / observed if observed else float("nan"),
        "frequent_users.episode_share": (
            float(np.isin(resident, frequent).mean()) if len(resident) else float("nan")
        ),
    }
