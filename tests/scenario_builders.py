"""Small scenarios built in code for the engine's statistical and property tests.

:func:`minimal_scenario` is a complete, valid scenario dictionary in which *nothing happens*:
every hazard is zero, the one team has no caseload, the one tier (``own_home``) is unbounded and
not allocatable, and the one institution has no beds. A test switches on exactly the mechanism it
studies by editing that dictionary (or with :func:`set_path`), then validates it with
:func:`build`.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from scipy import stats

from forlopsim.scenario import Scenario

DAYS_PER_YEAR = 365.25  # the engine's unit conversion of per-year rates


def by_need(n1: float = 0.0, n2: float = 0.0, n3: float = 0.0, n4: float = 0.0) -> dict[int, float]:
    """A per-need-level table (levels 1–4)."""
    return {1: n1, 2: n2, 3: n3, 4: n4}


def zero_outcome() -> dict[str, float]:
    return {"admission": 0.0, "tenancy_loss": 0.0, "death": 0.0}


def minimal_scenario(
    *, horizon_days: float = 365.0, warmup_days: float = 0.0, name: str = "minimal"
) -> dict[str, Any]:
    """A valid scenario dictionary in which nothing happens until a test switches something on."""
    return {
        "name": name,
        "simulation": {"horizon_days": horizon_days, "warmup_days": warmup_days},
        "population": {
            "sex": {"female": 0.5, "male": 0.5},
            "age_group": {"youth": 0.2, "adult": 0.6, "senior": 0.2},
            "problem": {"substance": 0.4, "mental": 0.3, "both": 0.3},
            "violence_risk": {"low": 0.9, "high": 0.1},
            "need": {1: 1.0},
        },
        "referrals": {"streams": {}},
        "services": {
            "forlop_by_need": {1: 1, 2: 2, 3: 3, 4: 3},
            "coverage": {
                "always": {
                    "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                    "from_hour": 0,
                    "to_hour": 24,
                }
            },
            "units": {
                "unit": {
                    "name": "The unit",
                    "teams": {"team": {"caseload": 0, "coverage": "always"}},
                }
            },
            "routing": [
                {
                    "forlop": [1, 2, 3],
                    "problem": ["substance", "mental", "both"],
                    "team": "unit.team",
                }
            ],
        },
        "housing": {
            "allocation": {"policy": "strict"},
            "tiers": {"own_home": {"support": 1, "allocatable": False}},
        },
        "crisis_beds": {},
        "institutions": {"hospital": {"beds": 0, "length_of_stay": {"kind": "fixed", "value": 1}}},
        "hazards": {
            "tenancy_breakdown": {"per_year": by_need()},
            "crisis": {
                "per_year": by_need(),
                "turned_away_to_emergency": 1.0,
                "outcomes": {
                    "self_referral_bed": zero_outcome(),
                    "crisis_bed": zero_outcome(),
                    "emergency": zero_outcome(),
                    "stay_put": zero_outcome(),
                },
                "admit_to": {"substance": "hospital", "mental": "hospital", "both": "hospital"},
            },
            "need_change": {
                "step_up_per_year": {1: 0.0, 2: 0.0, 3: 0.0},
                "step_down_per_year": {2: 0.0, 3: 0.0, 4: 0.0},
            },
            "recovery_per_year": by_need(),
            "move_away_per_year": 0.0,
            "mortality": {
                "background_per_year": {"youth": 0.0, "adult": 0.0, "senior": 0.0},
                "overdose_per_year": {"substance": 0.0, "mental": 0.0, "both": 0.0},
            },
        },
    }


def build(data: dict[str, Any]) -> Scenario:
    """Validate a scenario dictionary (a deep copy, so the caller may keep editing theirs)."""
    return Scenario.model_validate(copy.deepcopy(data))


def erlang_b_scenario(
    *,
    population: int,
    arrivals_per_day: float,
    beds: int,
    mean_stay: float,
    sd_stay: float,
    horizon_days: float,
    warmup_days: float,
) -> dict[str, Any]:
    """Crisis beds alone: a static population at home with only crises, and one bed type.

    Crises arrive at ``population × per-resident rate`` = ``arrivals_per_day`` (less the few
    residents who are in a bed at the moment, who cannot have a crisis); stays are log-normal.
    """
    data = minimal_scenario(horizon_days=horizon_days, warmup_days=warmup_days, name="erlang_b")
    data["referrals"]["initial_population"] = {"size": population, "start_in": {"own_home": 1.0}}
    per_resident_year = arrivals_per_day / population * DAYS_PER_YEAR
    data["hazards"]["crisis"]["per_year"] = by_need(per_resident_year)
    data["crisis_beds"] = {
        "bed": {
            "beds": beds,
            "length_of_stay": {"kind": "lognormal", "mean": mean_stay, "sd": sd_stay},
        }
    }
    return data


def flat_queue_scenario(
    *,
    places: int,
    arrivals_per_day: float,
    service_per_day: float,
    horizon_days: float,
    warmup_days: float,
) -> dict[str, Any]:
    """An M/M/c queue for one housing tier, ``flat``.

    Homeless residents (all need 1, so priority is first come) are referred as a Poisson
    stream, wait on the flat's list under the strict policy (no temporary tier), and leave a flat
    only by finding housing of their own (``hazards.own_housing`` from ``flat`` at rate
    ``service_per_day``) into the unbounded, non-allocatable ``own_home``, where nothing more
    happens. ``own_home`` has the flat's support level so that it never puts anyone on a transfer
    list, and being non-allocatable it never attracts the homeless.
    """
    data = minimal_scenario(horizon_days=horizon_days, warmup_days=warmup_days, name="mmc")
    data["housing"]["tiers"] = {
        "own_home": {"support": 1, "allocatable": False},
        "flat": {"capacity": places, "support": 1},
    }
    data["referrals"]["streams"] = {
        "street": {"annual_rate": arrivals_per_day * DAYS_PER_YEAR, "start_in": {"homeless": 1.0}}
    }
    data["hazards"]["own_housing"] = {
        "per_year": by_need(service_per_day * DAYS_PER_YEAR),
        "places": ["flat"],
        "to": "own_home",
    }
    return data


def busy_scenario(horizon_days: float = 3800.0, warmup_days: float = 200.0) -> Scenario:
    """A small world where every mechanism is switched on and every kind of place (tiers
    temporary and permanent, teams, a crisis bed, an institution with a waiting list) turns over
    in days to weeks: many events per simulated year, and Little's law checkable everywhere."""
    data = minimal_scenario(horizon_days=horizon_days, warmup_days=warmup_days, name="busy")
    data["population"]["need"] = {1: 0.3, 2: 0.3, 3: 0.2, 4: 0.2}
    data["referrals"]["streams"] = {
        "street": {"annual_rate": 4000.0, "start_in": {"homeless": 0.6, "own_home": 0.4}}
    }
    data["services"]["units"]["unit"]["teams"] = {
        "light": {"caseload": 30, "coverage": "always"},
        "heavy": {"caseload": 25, "coverage": "always"},
    }
    data["services"]["routing"] = [
        {"forlop": [1, 2], "problem": ["substance", "mental", "both"], "team": "unit.light"},
        {"forlop": [3], "problem": ["substance", "mental", "both"], "team": "unit.heavy"},
    ]
    data["housing"]["allocation"] = {"policy": "fallback_after", "fallback_after_days": 10.0}
    data["housing"]["tiers"] = {
        "own_home": {"support": 2, "allocatable": False, "eligibility": {"need": [1, 2]}},
        "shelter": {
            "capacity": 15,
            "support": 1,
            "temporary": True,
            "max_stay": {"kind": "fixed", "value": 14.0},
            "held_while_away": False,
        },
        "flat": {"capacity": 20, "support": 2, "eligibility": {"need": [1, 3]}},
        "staffed": {"capacity": 12, "support": 4, "eligibility": {"need": [3, 4]}},
    }
    data["crisis_beds"] = {
        "bed": {"beds": 3, "length_of_stay": {"kind": "gamma", "mean": 4.0, "sd": 3.0}}
    }
    data["institutions"]["hospital"] = {
        "beds": 4,
        "waiting_list": True,
        "early_discharge": 0.2,
        "length_of_stay": {"kind": "lognormal", "mean": 8.0, "sd": 6.0},
    }
    h = data["hazards"]
    h["tenancy_breakdown"]["per_year"] = by_need(6.0, 8.0, 10.0, 12.0)
    h["crisis"]["per_year"] = by_need(4.0, 6.0, 8.0, 10.0)
    h["crisis"]["outcomes"]["crisis_bed"] = {"admission": 0.3, "tenancy_loss": 0.1, "death": 0.0}
    h["crisis"]["outcomes"]["emergency"] = {"admission": 0.3, "tenancy_loss": 0.1, "death": 0.0}
    h["need_change"] = {
        "step_up_per_year": {1: 2.0, 2: 2.0, 3: 2.0},
        "step_down_per_year": {2: 2.0, 3: 2.0, 4: 2.0},
    }
    h["recovery_per_year"] = by_need(12.0, 12.0, 12.0, 12.0)
    h["own_housing"] = {"per_year": by_need(6.0, 6.0), "places": ["homeless"], "to": "own_home"}
    return build(data)


def seeds(root: int, replications: int) -> list[np.random.SeedSequence]:
    """Independent replication seeds spawned from one root, as the experiment layer does."""
    return np.random.SeedSequence(root).spawn(replications)


def mean_ci(values: Any, confidence: float = 0.95) -> tuple[float, float]:
    """Mean and Student-t confidence half-width over replications."""
    x = np.asarray(values, dtype=float)
    n = len(x)
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * x.std(ddof=1) / np.sqrt(n)
    return float(x.mean()), float(half)
