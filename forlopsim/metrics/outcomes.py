"""Outcomes: deaths by cause, recoveries, moves away and referrals per observed year."""

from __future__ import annotations

from forlopsim.metrics.spells import observed_years, positions
from forlopsim.records import Records

EXIT_CAUSES = ("death_overdose", "death_other", "recovery", "moved")
"""The causes of an ``exit`` record."""


def outcomes(records: Records) -> dict[str, float]:
    """Deaths (overdose, other, all), recoveries, moves away and referrals, per observed year."""
    ev = records.events
    observed = (ev["time"] >= records.warmup).to_numpy()
    exits = positions((ev["kind"] == "exit").to_numpy() & observed)
    counts = ev["cause"].iloc[exits].value_counts()
    years = observed_years(records)
    result = {f"per_year.{name}": float(counts.get(name, 0)) / years for name in EXIT_CAUSES}
    result["per_year.deaths"] = result["per_year.death_overdose"] + result["per_year.death_other"]
    referrals = int(((ev["kind"] == "referral").to_numpy() & observed).sum())
    result["per_year.referrals"] = referrals / years
    return result
