"""Conservation laws of the event log, over randomly generated small scenarios (Hypothesis).

Whatever the scenario, the records of one replication must describe a physically possible
history:

(a) every resident is in exactly one location at every moment: their ``move`` records form a chain
    (each ``origin`` is the previous move's ``place``, the first ``origin`` is ``referred``), a
    stay begins by moving into the bed or institution, and after the move to ``exited`` nothing
    more happens to them;
(b) no tier, team, crisis bed or institution ever holds more residents than its capacity (or
    fewer than none), replaying the +1/−1 records in log order;
(c) time never runs backwards and stays inside ``[0, horizon]``;
(d) no banned resident starts a tenancy in the tier they are barred from. The records show when a
    ban starts (``ban``) but not when it ends (the engine lifts it silently in
    ``HousingMixin._on_ban_end``), so the generated scenarios use ``fixed`` ban durations and the
    check is that no ``tenancy_start`` on the tier follows the ban within that duration;
(e) a resident holds at most one tenancy, one team and one stay at a time, and every end matches
    the place that was started; waits open and close in pairs on each list.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario_builders import build, minimal_scenario

from forlopsim.engine import run_replication
from forlopsim.scenario import HOMELESS, Scenario

PROBLEMS = ["substance", "mental", "both"]
SEXES = ["female", "male"]
AGES = ["youth", "adult", "senior"]
EPS = 1e-9

# -- strategies --------------------------------------------------------------------------------

rate = st.sampled_from([0.0, 0.0, 0.05, 0.3, 1.0, 2.5, 6.0])
small_rate = st.sampled_from([0.0, 0.0, 0.01, 0.1, 0.5])


def rates(draw: Any, value: Any = rate) -> dict[int, float]:
    return {n: draw(value) for n in (1, 2, 3, 4)}


def shares(draw: Any, keys: list, allow_zero: bool = True) -> dict:
    """Shares over ``keys`` that sum to 1 (at least one positive)."""
    weights = [draw(st.integers(0 if allow_zero else 1, 4)) for _ in keys]
    if sum(weights) == 0:
        weights[draw(st.integers(0, len(keys) - 1))] = 1
    total = sum(weights)
    return {k: w / total for k, w in zip(keys, weights, strict=True) if w > 0}


def duration(draw: Any, low: float = 0.5, high: float = 60.0) -> dict[str, Any]:
    mean = draw(st.floats(low, high))
    kind = draw(st.sampled_from(["exponential", "lognormal", "fixed", "uniform"]))
    if kind == "exponential":
        return {"kind": "exponential", "mean": mean}
    if kind == "lognormal":
        return {"kind": "lognormal", "mean": mean, "sd": mean * draw(st.floats(0.2, 2.0))}
    if kind == "fixed":
        return {"kind": "fixed", "value": mean}
    return {"kind": "uniform", "low": 0.0, "high": 2 * mean}


def eligibility(draw: Any) -> dict[str, Any]:
    low = draw(st.integers(1, 4))
    rule: dict[str, Any] = {"need": [low, draw(st.integers(low, 4))]}
    if draw(st.booleans()):
        rule["sex"] = draw(st.lists(st.sampled_from(SEXES), min_size=1, unique=True))
    if draw(st.booleans()):
        rule["problem"] = draw(st.lists(st.sampled_from(PROBLEMS), min_size=1, unique=True))
    if draw(st.integers(0, 3)) == 0:
        rule["age_group"] = draw(st.lists(st.sampled_from(AGES), min_size=1, unique=True))
    return rule


def outcome(draw: Any) -> dict[str, float]:
    parts = [draw(st.sampled_from([0.0, 0.0, 0.1, 0.3, 1.0])) for _ in range(3)]
    scale = max(1.0, sum(parts))
    return dict(zip(("admission", "tenancy_loss", "death"), (p / scale for p in parts), strict=True))


@st.composite
def scenario_dicts(draw: Any) -> tuple[dict[str, Any], dict[str, float]]:
    """A valid small scenario (a few tiers, teams, beds and institutions, random hazards) and
    the fixed ban duration of each tier with bans."""
    horizon = draw(st.sampled_from([120.0, 250.0, 400.0]))
    data = minimal_scenario(
        horizon_days=horizon, warmup_days=draw(st.sampled_from([0.0, 30.0])), name="generated"
    )
    data["population"]["need"] = shares(draw, [1, 2, 3, 4])
    data["population"]["sex"] = shares(draw, SEXES)
    data["population"]["problem"] = shares(draw, PROBLEMS)

    # housing ---------------------------------------------------------------------------------
    self_bans: dict[str, float] = {}
    tiers: dict[str, dict[str, Any]] = {
        "own_home": {
            "support": draw(st.integers(1, 4)),
            "allocatable": False,
            "eligibility": eligibility(draw),
        }
    }
    n_permanent = draw(st.integers(1, 3))
    n_temporary = draw(st.integers(0, 2))
    for i in range(n_permanent + n_temporary):
        temporary = i >= n_permanent
        name = f"temp{i}" if temporary else f"tier{i}"
        tier: dict[str, Any] = {
            "capacity": draw(st.integers(0, 8)),
            "support": draw(st.integers(1, 4)),
            "eligibility": eligibility(draw),
            "held_while_away": draw(st.booleans()),
        }
        if temporary:
            tier["temporary"] = True
        if temporary or draw(st.integers(0, 3)) == 0:
            tier["max_stay"] = duration(draw, 5.0, 90.0)
        if draw(st.booleans()):
            ban_days = float(draw(st.integers(1, 150)))
            tier["ban"] = {
                "probability": draw(st.sampled_from([0.2, 0.7, 1.0])),
                "duration": {"kind": "fixed", "value": ban_days},
            }
            self_bans[name] = ban_days
        tiers[name] = tier
    policy = draw(st.sampled_from(["strict", "best_available", "fallback_after"]))
    allocation: dict[str, Any] = {"policy": policy}
    if policy == "fallback_after":
        allocation["fallback_after_days"] = float(draw(st.integers(0, 60)))
    data["housing"] = {"allocation": allocation, "tiers": tiers}
    places = [HOMELESS, *tiers]

    # services --------------------------------------------------------------------------------
    data["services"]["coverage"]["office"] = {
        "days": ["mon", "tue", "wed", "thu", "fri"],
        "from_hour": 8,
        "to_hour": 15.5,
    }
    teams = {}
    for i in range(draw(st.integers(1, 3))):
        teams[f"team{i}"] = {
            "caseload": draw(st.integers(0, 10)),
            "coverage": draw(st.sampled_from(["always", "office"])),
            "follow_up_effect": {
                "tenancy_breakdown": draw(st.sampled_from([0.5, 1.0])),
                "crisis": draw(st.sampled_from([0.5, 1.0])),
            },
        }
    data["services"]["units"] = {"unit": {"name": "Unit", "teams": teams}}
    team_names = [f"unit.{t}" for t in teams]
    routing = []
    for _ in range(draw(st.integers(0, 3))):
        route: dict[str, Any] = {
            "forlop": draw(st.lists(st.sampled_from([1, 2, 3]), min_size=1, unique=True)),
            "problem": draw(st.lists(st.sampled_from(PROBLEMS), min_size=1, unique=True)),
            "team": draw(st.sampled_from(team_names)),
        }
        if draw(st.booleans()):
            route["sex"] = [draw(st.sampled_from(SEXES))]
        routing.append(route)
    routing.append({"forlop": [1, 2, 3], "problem": PROBLEMS, "team": team_names[-1]})
    data["services"]["routing"] = routing
    if draw(st.booleans()):
        data["services"]["handover_delay"] = {"kind": "exponential", "mean": draw(st.floats(1, 20))}
    if draw(st.booleans()):
        data["services"]["low_threshold"] = {
            "reach": draw(st.floats(0, 1)),
            "crisis_effect": draw(st.floats(0.5, 1.0)),
        }

    # crisis beds and institutions ------------------------------------------------------------
    beds = {}
    for i in range(draw(st.integers(0, 2))):
        bed: dict[str, Any] = {
            "beds": draw(st.integers(0, 3)),
            "length_of_stay": duration(draw, 0.5, 15.0),
            "eligibility": eligibility(draw),
        }
        if draw(st.booleans()):
            bed["self_referral"] = True
            bed["min_days_between_stays"] = float(draw(st.integers(0, 20)))
        beds[f"bed{i}"] = bed
    data["crisis_beds"] = beds
    institutions = {}
    for i in range(draw(st.integers(1, 2))):
        institutions[f"inst{i}"] = {
            "beds": draw(st.integers(0, 3)),
            "length_of_stay": duration(draw, 1.0, 40.0),
            "waiting_list": draw(st.booleans()),
            "early_discharge": draw(st.sampled_from([0.0, 0.3, 1.0])),
        }
    data["institutions"] = institutions
    inst_names = list(institutions)

    # hazards ---------------------------------------------------------------------------------
    h = data["hazards"]
    h["tenancy_breakdown"] = {
        "per_year": rates(draw),
        "under_support": draw(st.sampled_from([1.0, 2.0])),
        "violence_high": draw(st.sampled_from([1.0, 2.0])),
        "to_temporary": draw(st.sampled_from([0.0, 0.5, 1.0])),
    }
    crisis = h["crisis"]
    crisis["per_year"] = {n: draw(st.sampled_from([0.0, 0.5, 2.0, 8.0])) for n in (1, 2, 3, 4)}
    crisis["homeless"] = draw(st.sampled_from([1.0, 2.0]))
    crisis["turned_away_to_emergency"] = draw(st.sampled_from([0.0, 0.5, 1.0]))
    crisis["outcomes"] = {
        k: outcome(draw) for k in ("self_referral_bed", "crisis_bed", "emergency", "stay_put")
    }
    crisis["team_met"] = {
        "resolves": draw(st.sampled_from([0.0, 0.4])),
        "admission": draw(st.sampled_from([0.5, 1.0])),
        "tenancy_loss": 1.0,
        "death": 1.0,
    }
    crisis["admit_to"] = {p: draw(st.sampled_from(inst_names)) for p in PROBLEMS}
    h["need_change"] = {
        "step_up_per_year": {n: draw(rate) for n in (1, 2, 3)},
        "step_down_per_year": {n: draw(rate) for n in (2, 3, 4)},
    }
    h["recovery_per_year"] = rates(draw, small_rate)
    h["move_away_per_year"] = draw(small_rate)
    h["mortality"] = {
        "background_per_year": {a: draw(small_rate) for a in AGES},
        "overdose_per_year": {p: draw(small_rate) for p in PROBLEMS},
        "homeless": draw(st.sampled_from([1.0, 3.0])),
    }
    if draw(st.booleans()):
        h["mortality"]["after_discharge"] = {"multiplier": 10.0, "days": 28.0}
    if draw(st.booleans()):
        h["treatment_referral"] = {
            "per_year": rates(draw),
            "institution": draw(st.sampled_from(inst_names)),
        }
    if draw(st.booleans()):
        h["own_housing"] = {
            "per_year": rates(draw),
            "places": draw(st.lists(st.sampled_from(places), min_size=1, unique=True)),
            "to": "own_home",
        }

    # referrals -------------------------------------------------------------------------------
    data["referrals"] = {
        "initial_population": {
            "size": draw(st.integers(20, 200)),
            "start_in": shares(draw, places),
        },
        "streams": {
            f"stream{i}": {
                "annual_rate": draw(st.sampled_from([0.0, 20.0, 80.0, 150.0])),
                "start_in": shares(draw, places),
            }
            for i in range(draw(st.integers(0, 2)))
        },
    }
    return data, self_bans


# -- checks --------------------------------------------------------------------------------------


def capacities(scenario: Scenario) -> dict[str, float]:
    """Capacity of every place that holds residents (inf for an unbounded tier)."""
    caps: dict[str, float] = {}
    for name, tier in scenario.housing.tiers.items():
        caps[name] = math.inf if tier.capacity is None else tier.capacity
    for unit_name, unit in scenario.services.units.items():
        for team_name, team in unit.teams.items():
            caps[f"{unit_name}.{team_name}"] = team.caseload
    for name, bed in scenario.crisis_beds.items():
        caps[name] = bed.beds
    for name, inst in scenario.institutions.items():
        caps[name] = inst.beds
    return caps


START_END = {
    "tenancy_start": ("tenancy", +1),
    "tenancy_end": ("tenancy", -1),
    "follow_up_start": ("team", +1),
    "follow_up_end": ("team", -1),
    "admission": ("stay", +1),
    "discharge": ("stay", -1),
}


def check_records(scenario: Scenario, events: pd.DataFrame, bans: dict[str, float]) -> None:
    horizon = scenario.simulation.horizon_days
    times = events["time"].to_numpy()
    # (c) time is non-decreasing and inside the simulated period
    assert np.all(np.diff(times) >= 0), "time runs backwards in the log"
    assert len(times) == 0 or (times[0] >= 0 and times[-1] <= horizon)

    caps = capacities(scenario)
    occupancy: dict[str, int] = defaultdict(int)
    holding: dict[tuple[int, str], str | None] = {}  # (resident, tenancy|team|stay) -> place
    location: dict[int, str] = {}
    exited: set[int] = set()
    waiting: set[tuple[int, str]] = set()
    ban_until: dict[tuple[int, str], tuple[float, int]] = {}
    pending_stay: dict[int, tuple[str, float]] = {}
    seen: set[int] = set()

    rows = zip(
        range(len(events)),
        times.tolist(),
        events["resident"].tolist(),
        events["kind"].astype(str).tolist(),
        events["place"].astype(str).tolist(),
        events["origin"].astype(str).tolist(),
        strict=True,
    )
    for i, t, r, kind, place, origin in rows:
        where = f"record {i} (t={t:.4f}, resident {r}, {kind} {place!r})"
        # (a) nothing before the referral, nothing after the move to ``exited``
        if r not in seen:
            assert kind == "referral", f"{where}: first record of a resident is not a referral"
            seen.add(r)
        assert r not in exited, f"{where}: a record after the resident exited"
        if kind == "move":
            assert origin == location.get(r, "referred"), (
                f"{where}: moved from {origin!r} but was in {location.get(r, 'referred')!r}"
            )
            assert place != origin, f"{where}: a move to where the resident already is"
            if r in pending_stay:
                bed, since = pending_stay.pop(r)
                assert place == bed and t == since, f"{where}: admitted to {bed!r} elsewhere"
            location[r] = place
            if place == "exited":
                exited.add(r)
        else:
            assert r not in pending_stay, f"{where}: an admission without moving in"
        if kind in START_END:
            what, step = START_END[kind]
            # (e) one tenancy / team / stay at a time, each end matching its start
            held = holding.get((r, what))
            if step > 0:
                assert held is None, f"{where}: starts a {what} while holding {held!r}"
                holding[(r, what)] = place
            else:
                assert held == place, f"{where}: ends a {what} in {place!r}, holds {held!r}"
                holding[(r, what)] = None
            # (b) capacity
            occupancy[place] += step
            assert 0 <= occupancy[place] <= caps[place], (
                f"{where}: occupancy {occupancy[place]} of capacity {caps[place]}"
            )
            if kind == "admission":
                pending_stay[r] = (place, t)
        elif kind == "wait_start":
            assert (r, place) not in waiting, f"{where}: joins a list twice"
            waiting.add((r, place))
        elif kind == "wait_end":
            assert (r, place) in waiting, f"{where}: leaves a list never joined"
            waiting.discard((r, place))
        elif kind == "ban":
            assert place in bans, f"{where}: a ban from a tier without bans"
            ban_until[(r, place)] = (t + bans[place], i)
        if kind == "tenancy_start" and (r, place) in ban_until:
            # (d) no tenancy in a tier the resident is barred from
            until, _ = ban_until[(r, place)]
            assert t >= until - EPS, f"{where}: placed {until - t:.3f} days before the ban ends"
    assert not pending_stay, "an admission at the end of the log without moving in"
    for r in seen:
        assert r in location, f"resident {r} never had a location"


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(generated=scenario_dicts(), seed=st.integers(0, 2**32 - 1))
def test_records_obey_conservation_laws(
    generated: tuple[dict[str, Any], dict[str, float]], seed: int
) -> None:
    data, bans = generated
    scenario = build(data)
    records = run_replication(scenario, np.random.SeedSequence(seed))
    check_records(scenario, records.events, bans)
    referred = set(records.events.loc[records.events["kind"] == "referral", "resident"])
    assert referred == set(records.residents["resident"])
