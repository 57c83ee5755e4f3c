"""Housing retention: the Kaplan–Meier share of placements still housed 12 and 36 months on.

Every tenancy in a non-temporary tier that starts inside the observed window is followed from its
start. *Event*: the tenancy ends in homelessness or temporary housing (breakdown, crisis, time
limit). *Censored*: it ends otherwise — death, moving away or recovery (``exit``), a transfer to
another tier, housing of one's own, a place given up for a stay away — or is still going at the
horizon. The estimate is scipy's (``scipy.stats.ecdf`` of ``CensoredData``); it is NaN where no
placement was followed that long, since the curve does not reach that time.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from forlopsim.metrics.revolving_door import LOSS_CAUSES
from forlopsim.metrics.spells import permanent_tiers, spells
from forlopsim.records import Records

RETENTION_TIMES = {"12m": 365.0, "36m": 1095.0}
"""DESIGN §4: share still housed 12 and 36 months after placement (12 months are 365 days)."""


def still_housed(durations: np.ndarray, lost: np.ndarray, times: list[float]) -> list[float]:
    """Kaplan–Meier survival at ``times`` from tenancy ``durations`` (``lost``: ended by a loss,
    else censored). NaN with no tenancies, and at a time beyond the longest duration unless the
    curve has already fallen to zero."""
    if len(durations) == 0:
        return [float("nan")] * len(times)
    data = stats.CensoredData(uncensored=durations[lost], right=durations[~lost])
    values = stats.ecdf(data).sf.evaluate(np.asarray(times, dtype=float))
    reached = (np.asarray(times) <= durations.max()) | (values == 0.0)
    return [float(v) if ok else float("nan") for v, ok in zip(values, reached, strict=True)]


def retention(records: Records) -> dict[str, float]:
    """Kaplan–Meier share still housed 12 and 36 months after placement, per non-temporary tier
    and all such tiers together."""
    tiers = permanent_tiers(records)
    spell = spells(records.events, "tenancy_start", "tenancy_end", records.horizon, tiers)
    spell = spell[spell["start"] >= records.warmup]
    durations = (spell["end"] - spell["start"]).to_numpy(float)
    lost = spell["cause"].isin(LOSS_CAUSES).to_numpy()
    place = spell["place"].to_numpy()
    times = list(RETENTION_TIMES.values())
    result = {}
    for name in [*tiers, "all"]:
        own = np.ones(len(place), bool) if name == "all" else place == name
        label = name if name == "all" else f"tier.{name}"
        for key, value in zip(
            RETENTION_TIMES, still_housed(durations[own], lost[own], times), strict=True
        ):
            result[f"retention_{key}.{label}"] = value
    return result
