"""Outcomes: deaths by cause, recoveries, moves away and referrals per observed year."""

from __future__ import annotations

from forlopsim.metrics.spells import observed_years
from forlopsim.records import Records

EXIT_CAUSES = ("death_overdose", "death_other", "recovery", "moved")
"""The causes of an ``exit`` record."""


def outcomes(records: Records) -> dict[str, float]:
    """Deaths (overdose, other, all), recoveries, moves away and referrals, per observed year."""
    ev = records.events
    exits = ev[(ev["kind"] == "exit") & (ev["time"] >= records.warmup)]
    counts = exits["cause"].astype(str).value_counts()
    years = observed_years(records)
    result = {f"per_year.{name}": float(counts.get(name, 0)) / years for name in EXIT_CAUSES}
    result["per_year.deaths"] = result["per_year.death_overdose"] + result["per_year.death_other"]
    referrals = ev[(ev["kind"] == "referral") & (ev["time"] >= records.warmup)]
    result["per_year.referrals"] = len(referrals) / years
    return result
