"""Housing retention: the Kaplan–Meier share of placements still housed 12 and 36 months on.

Every tenancy in a non-temporary tier that starts inside the observed window is followed from its
start. *Event*: the tenancy ends in homelessness or temporary housing (breakdown, crisis, time
limit). *Censored*: it ends otherwise — death, moving away or recovery (``exit``), a transfer to
another tier, housing of one's own, a place given up for a stay away — or is still going at the
horizon. The estimate is computed exactly as scipy's ``scipy.stats.ecdf`` of ``CensoredData``
computes it, operation for operation, so its values are the same to the last bit
(``bench/check_identical.py`` compares the two); importing ``scipy.stats`` would cost each
worker process about 60 MB. It is NaN where no placement was followed that long, since the curve does
not reach that time.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from forlopsim.metrics.revolving_door import LOSS_CAUSES
from forlopsim.metrics.spells import permanent_tiers, spell_columns, subset
from forlopsim.records import Records

RETENTION_TIMES = {"12m": 365.0, "36m": 1095.0}
"""DESIGN §4: share still housed 12 and 36 months after placement (12 months are 365 days)."""


def still_housed(durations: np.ndarray, lost: np.ndarray, times: list[float]) -> list[float]:
    """Kaplan–Meier survival at ``times`` from tenancy ``durations``.

    ``lost``: ended by a loss, else censored. NaN with no tenancies, and at a time beyond the
    longest duration unless the curve has already fallen to zero.
    """
    if len(durations) == 0:
        return [float("nan")] * len(times)
    values = _survival(np.asarray(durations, dtype=float), np.asarray(lost, dtype=bool))(
        np.asarray(times, dtype=float)
    )
    reached = (np.asarray(times) <= durations.max()) | (values == 0.0)
    return [float(v) if ok else float("nan") for v, ok in zip(values, reached, strict=True)]


def median_time(durations: np.ndarray, ended: np.ndarray) -> float:
    """The Kaplan–Meier median of ``durations``: the first time at which S(t) ≤ 0.5.

    ``ended``: the spell ended by the event, else censored. The same estimate as
    :func:`still_housed` reads. NaN with no spells, and when the curve never falls to 0.5
    (too many spells censored before half of them have ended).
    """
    if len(durations) == 0:
        return float("nan")
    t, sf = _steps(np.asarray(durations, dtype=float), np.asarray(ended, dtype=bool))
    below = np.flatnonzero(sf <= 0.5)
    return float(t[below[0]]) if len(below) else float("nan")


def _steps(durations: np.ndarray, lost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct times of the Kaplan–Meier estimate and the survival just after each.

    Computed by the same operations as ``scipy.stats.ecdf(CensoredData(uncensored=durations[lost],
    right=durations[~lost]))`` (SciPy 1.17), so that the values are bit-identical.
    """
    if not np.isfinite(durations).all():
        raise ValueError("still_housed: durations must be finite")
    died, censored = durations[lost], durations[~lost]
    if len(censored) == 0:  # scipy's _ecdf_uncensored
        t, counts = np.unique(np.sort(died), return_counts=True)
        return t, 1 - np.cumsum(counts) / died.size
    # scipy's _ecdf_right_censored
    times = np.concatenate((died, censored))
    event = np.asarray([1] * died.size + [0] * censored.size)
    order = np.argsort(times)
    times, event = times[order], event[order]
    at_risk = np.arange(times.size, 0, -1)
    unique = np.diff(times, prepend=-np.inf, append=np.inf) > 0
    t = times[unique[:-1]]
    n = at_risk[unique[:-1]]
    d = np.diff(np.cumsum(event)[unique[1:]], prepend=0)
    return t, np.cumprod((n - d) / n)


def _survival(durations: np.ndarray, lost: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """The Kaplan–Meier survival function of ``durations`` as a right-continuous step function.

    ``scipy.stats.ecdf(…).sf.evaluate`` of :func:`_steps`' estimate, bit for bit.
    """
    t, sf = _steps(durations, lost)
    # scipy's interp1d(kind="previous") over (-inf, t…, inf) → (1, sf…, 0)
    x = np.insert(t, [0, len(t)], [-np.inf, np.inf])
    y = np.insert(sf, [0, len(sf)], [1, 0])
    shifted = np.nextafter(x, -np.inf)

    def evaluate(at: np.ndarray) -> np.ndarray:
        index = np.searchsorted(shifted, at, side="left").clip(1, len(x)).astype(np.intp)
        return y[index - 1]

    return evaluate


def retention(records: Records) -> dict[str, float]:
    """Kaplan–Meier share still housed 12 and 36 months after placement.

    Per non-temporary tier and all such tiers together.
    """
    tiers = permanent_tiers(records)
    spell = spell_columns(records.events, "tenancy_start", "tenancy_end", records.horizon, tiers)
    spell = subset(spell, spell["start"] >= records.warmup)
    durations = spell["end"] - spell["start"]
    lost = np.isin(spell["cause"], LOSS_CAUSES)
    place = spell["place"]
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
