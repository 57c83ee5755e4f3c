"""Census KPIs: the quantities national counts and registers publish.

They let calibration targets (``calibration/targets.yaml``) be compared with the model like
for like.

* The national homelessness counts (T5) include people in temporary housing, so
  ``homeless_incl_temporary_mean`` adds the temporary tiers' mean occupancy to ``homeless_mean``.
* Registers of service users (T7) give shares of everyone known to the services; every resident
  in the model is known to the municipal services, so the shares are of resident-days.
* Mortality (P14) is quoted per 100 person-years.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forlopsim.metrics.spells import labels, observed_years, places_of, positions, temporary_tiers
from forlopsim.records import Records

PROBLEMS = ("substance", "mental", "both")


def census(
    records: Records, mean: dict[str, float], housing: dict[str, float], deaths_per_year: float
) -> dict[str, float]:
    """Homelessness as the national counts define it, and related census figures.

    Also the shares of residents by problem, mortality per 100 resident-years and new tenancies
    per tier per year.

    ``mean`` is the mean occupancy of every place (:func:`~forlopsim.metrics.spells.occupancy`)
    ``housing`` the result of :func:`~forlopsim.metrics.homelessness.homelessness` and
    ``deaths_per_year`` the KPI ``per_year.deaths``.
    """
    residents = housing["residents_mean"]
    temporary = float(sum(mean.get(name, 0.0) for name in temporary_tiers(records)))
    homeless = housing["homeless_mean"] + temporary
    result = {
        "homeless_incl_temporary_mean": homeless,
        "temporary_share_of_homeless": temporary / homeless if homeless else np.nan,
        "homeless_share_of_residents": homeless / residents if residents else np.nan,
        "deaths_per_100_resident_years": deaths_per_year / residents * 100 if residents else np.nan,
    }
    result.update(_problem_shares(records))
    result.update(_tenancies_started(records))
    return result


def _problem_shares(records: Records) -> dict[str, float]:
    """Share of resident-days in the observed window by problem.

    And the share of residents with a substance problem who also have a mental illness (T7's
    23%).
    """
    w, h = records.warmup, records.horizon
    people = records.residents
    if people.empty:
        return {
            **{f"residents_share.problem.{p}": np.nan for p in PROBLEMS},
            "mental_illness_share_of_substance_users": np.nan,
        }
    ev = records.events
    rows = positions(ev["kind"] == "exit")
    exits = pd.Series(ev["time"].to_numpy()[rows], index=ev["resident"].to_numpy()[rows])
    exits = exits[~exits.index.duplicated()]  # the first exit of each resident
    left = exits.reindex(people["resident"]).fillna(h).to_numpy(float)
    days = np.clip(
        np.minimum(left, h) - np.maximum(people["referred_at"].to_numpy(float), w), 0, None
    )
    by_problem = pd.Series(days).groupby(labels(people["problem"])).sum()
    total = float(by_problem.sum())
    result = {
        f"residents_share.problem.{p}": float(by_problem.get(p, 0.0)) / total if total else np.nan
        for p in PROBLEMS
    }
    substance = float(by_problem.get("substance", 0.0) + by_problem.get("both", 0.0))
    result["mental_illness_share_of_substance_users"] = (
        float(by_problem.get("both", 0.0)) / substance if substance else np.nan
    )
    return result


def _tenancies_started(records: Records) -> dict[str, float]:
    """New tenancies per observed year in each tier (T4: residents housed by Housing First)."""
    ev = records.events
    starts = positions((ev["kind"] == "tenancy_start") & (ev["time"] >= records.warmup))
    counts = ev["place"].iloc[starts].value_counts()
    years = observed_years(records)
    return {
        f"tenancies_per_year.tier.{t}": float(counts.get(t, 0)) / years
        for t in places_of(records, "tier")
    }
