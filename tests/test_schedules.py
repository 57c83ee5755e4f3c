"""Capacity over time: schedules of places against hand-computed paths and queueing theory.

A schedule's days count from the end of the warm-up (``forlopsim/scenario/schedule.py``); the
places a rise brings are given to the list at once, and a fall keeps its residents until they
leave (``on_close: keep``). Costs follow the schedule year by year.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError
from scenario_builders import build, by_need, flat_queue_scenario, minimal_scenario, seeds

from forlopsim.engine import run_replication
from forlopsim.metrics import kpis
from forlopsim.units import DAYS_PER_YEAR

WARMUP = 50.0
SCHEDULE = {0: 2, 100: 6, 250: 3, 400: 8}
"""Rises at days 100 and 400, a fall at day 250 (days after the warm-up)."""


def capacity_at(t: float) -> int:
    """The hand-computed capacity path of :data:`SCHEDULE` at day ``t`` of the run."""
    level = SCHEDULE[0]
    for day, value in SCHEDULE.items():
        if t >= WARMUP + day:
            level = value
    return level


def occupancy_path(events: pd.DataFrame, place: str) -> pd.Series:
    """Residents in ``place`` after each of its tenancy records (time-indexed)."""
    own = events[(events["place"] == place) & events["kind"].isin(["tenancy_start", "tenancy_end"])]
    steps = np.where(own["kind"] == "tenancy_start", 1, -1)
    return pd.Series(np.cumsum(steps), index=own["time"].to_numpy())


def always_full(**changes: object) -> dict:
    """A flat whose list never empties: 2 referrals a day, and a resident stays ~100 days."""
    data = flat_queue_scenario(
        places=2, arrivals_per_day=2.0, service_per_day=0.01, horizon_days=600.0, warmup_days=WARMUP
    )
    data["housing"]["tiers"]["flat"]["capacity"] = dict(SCHEDULE)
    data["housing"]["tiers"]["flat"].update(changes)
    return data


def test_an_always_full_tier_follows_its_schedule() -> None:
    events = run_replication(build(always_full()), np.random.SeedSequence(1)).events
    path = occupancy_path(events, "flat")
    # never a placement above the scheduled capacity
    starts = path[path.diff().fillna(path).to_numpy() > 0]
    over = [(t, n) for t, n in starts.items() if n > capacity_at(t)]
    assert not over, f"placed above the schedule: {over[:5]}"
    # a rise is filled at once, from the list, at the instant of the step
    for day in (100, 400):
        t = WARMUP + day
        assert path[path.index <= t].iloc[-1] == SCHEDULE[day], f"not full at once on day {day}"
    # between changes the tier stays full; after the fall it drains by departures only
    for t in np.arange(1.0, 600.0, 1.0):
        now = int(path[path.index <= t].iloc[-1])
        fall = WARMUP + 250 <= t < WARMUP + 400
        if not fall:
            assert now == capacity_at(t), f"day {t}: {now} of {capacity_at(t)}"
        else:
            assert capacity_at(t) <= now <= SCHEDULE[100], f"day {t}: {now} while draining"
    draining = path[(path.index >= WARMUP + 250) & (path.index < WARMUP + 400)]
    first_full = draining[draining <= SCHEDULE[250]]
    assert len(first_full), "the tier never drained to its lower capacity"
    before = draining[draining.index < first_full.index[0]]
    assert (before.diff().dropna() <= 0).all(), "a placement while above the lowered capacity"


def test_a_place_that_never_changes_is_unchanged_by_a_one_step_schedule() -> None:
    plain = flat_queue_scenario(
        places=3, arrivals_per_day=0.5, service_per_day=0.1, horizon_days=400.0, warmup_days=20.0
    )
    one_step = {**plain, "housing": {**plain["housing"]}}
    one_step["housing"]["tiers"] = {**plain["housing"]["tiers"]}
    one_step["housing"]["tiers"]["flat"] = {**plain["housing"]["tiers"]["flat"], "capacity": {0: 3}}
    seed = np.random.SeedSequence(3)
    a = run_replication(build(plain), seed).events
    b = run_replication(build(one_step), seed).events
    pd.testing.assert_frame_equal(a, b)


def erlang_c(servers: int, load: float) -> float:
    """The chance an arrival waits in an M/M/c queue with ``load`` = λ/μ erlangs."""
    rho = load / servers
    terms = sum(load**k / math.factorial(k) for k in range(servers))
    last = load**servers / math.factorial(servers) / (1 - rho)
    return last / (terms + last)


def mean_list(events: pd.DataFrame, start: float, end: float) -> float:
    """Time-average number on the flat's list between ``start`` and ``end``."""
    own = events[(events["place"] == "flat") & events["kind"].isin(["wait_start", "wait_end"])]
    times = own["time"].to_numpy()
    counts = np.cumsum(np.where(own["kind"] == "wait_start", 1, -1))
    edges = np.clip(np.append(times, end), start, end)
    held = np.concatenate(([0], counts))  # the count from each record to the next
    spans = np.diff(np.concatenate(([start], edges)))
    return float((held * spans).sum() / (end - start))


def test_a_capacity_rise_cuts_the_queue_as_erlang_c_says() -> None:
    # M/M/c: λ = 0.5 a day, μ = 0.1 a day per place: 6 places (ρ = 0.83) for 4,000 days,
    # then 8 (ρ = 0.63). The mean list is Erlang C's Lq = C(c, a)·ρ/(1 − ρ) in each stretch.
    arrivals, service, step = 0.5, 0.1, 4000
    data = flat_queue_scenario(
        places=6,
        arrivals_per_day=arrivals,
        service_per_day=service,
        horizon_days=8300.0,
        warmup_days=300.0,
    )
    data["housing"]["tiers"]["flat"]["capacity"] = {0: 6, step: 8}
    load = arrivals / service
    theory = {c: erlang_c(c, load) * (load / c) / (1 - load / c) for c in (6, 8)}
    before, after = [], []
    for seed in seeds(15, 6):
        events = run_replication(build(data), seed).events
        before.append(mean_list(events, 300.0, 300.0 + step))
        after.append(mean_list(events, 300.0 + step + 200.0, 8300.0))  # 200 days to settle
    assert np.mean(before) == pytest.approx(theory[6], rel=0.3)
    assert np.mean(after) == pytest.approx(theory[8], rel=0.4)
    assert np.mean(after) < np.mean(before) / 3


def test_a_tier_that_opens_draws_the_residents_it_suits_at_once() -> None:
    # Ten residents of need 3 live in 24h housing (support 4): with no middle places it is the
    # nearest fit, and they wait for nothing. On day 50 the middle tier opens with 4 places:
    # those four move at that instant (transfers), and the others wait on its list.
    data = minimal_scenario(horizon_days=200.0, warmup_days=10.0)
    data["population"]["need"] = {3: 1.0}
    data["housing"]["tiers"] = {
        "staffed_24h": {"capacity": 10, "support": 4},
        "middle": {"capacity": {0: 0, 50: 4}, "support": 3},
    }
    data["referrals"]["initial_population"] = {"size": 10, "start_in": {"staffed_24h": 1.0}}
    events = run_replication(build(data), np.random.SeedSequence(0)).events
    moved = events[(events["kind"] == "tenancy_start") & (events["place"] == "middle")]
    assert list(moved["time"]) == [60.0] * 4
    assert set(moved["cause"]) == {"placed"}
    waits = events[(events["kind"] == "wait_start") & (events["place"] == "middle")]
    assert (waits["time"] == 60.0).all() and len(waits) == 10  # four served from the list


def test_team_caseload_and_institution_beds_follow_their_schedules() -> None:
    # A team's caseload rises from 1 to 4 on day 30: its list is served at once.
    data = minimal_scenario(horizon_days=100.0)
    data["services"]["units"]["unit"]["teams"]["team"]["caseload"] = {0: 1, 30: 4}
    data["referrals"]["initial_population"] = {"size": 6, "start_in": {"homeless": 1.0}}
    events = run_replication(build(data), np.random.SeedSequence(0)).events
    starts = events[events["kind"] == "follow_up_start"]
    assert list(starts["time"]) == [0.0, 30.0, 30.0, 30.0]
    # institution beds from 0 to 2 on day 5; admissions wait on its list meanwhile
    data = minimal_scenario(horizon_days=60.0)
    data["institutions"]["hospital"] = {
        "beds": {0: 0, 5: 2},
        "length_of_stay": {"kind": "fixed", "value": 100},
        "waiting_list": True,
    }
    data["hazards"]["treatment_referral"] = {"per_year": by_need(1000.0), "institution": "hospital"}
    data["referrals"]["initial_population"] = {"size": 5, "start_in": {"homeless": 1.0}}
    events = run_replication(build(data), np.random.SeedSequence(0)).events
    admitted = events[events["kind"] == "admission"]
    assert list(admitted["time"]) == [5.0, 5.0]


def test_costs_fall_by_year_as_the_schedule_says() -> None:
    # The always-full flat paid by capacity at 10 NOK a place-day, 2 places existing, new ones
    # at 1,000 NOK: year 0 (days 50–415.25) has 2 places for 100 days, 6 for 150 and 3 for
    # 115.25; year 1 (to day 600) 3 for 34.75 days and 8 for 150. Places 3–6 open in year 0,
    # 7–8 in year 1 (the fall to 3 and the rise to 6 again would open nothing).
    data = always_full(cost_per_place_day=10.0, new_place_cost=1000.0, existing_places=2)
    records = run_replication(build(data), np.random.SeedSequence(1))
    values = kpis(records)
    key = "cost_by_year.{}.payer.municipality.{}"
    assert values[key.format(0, "running")] == pytest.approx(10 * (200 + 900 + 3 * 115.25))
    assert values[key.format(1, "running")] == pytest.approx(10 * (3 * 34.75 + 8 * 150))
    assert values[key.format(0, "one_off")] == 4 * 1000.0
    assert values[key.format(1, "one_off")] == 2 * 1000.0
    assert values["cost_one_off.new_places"] == 6 * 1000.0
    assert values["cost_by_year.0.total"] == pytest.approx(
        values[key.format(0, "running")] + 4000.0
    )
    mean_capacity = (2 * 100 + 6 * 150 + 3 * 150 + 8 * 150) / 550
    per_year = mean_capacity * 10 * DAYS_PER_YEAR
    assert values["cost_per_year.tier.flat"] == pytest.approx(per_year)


def test_years_without_schedules_cost_their_share_of_the_year() -> None:
    # a fixed capacity costs its days in each year, and its one-off cost is in year 0
    data = flat_queue_scenario(
        places=3, arrivals_per_day=0.5, service_per_day=0.1, horizon_days=800.0, warmup_days=70.0
    )
    data["housing"]["tiers"]["flat"].update(
        cost_per_place_day=5.0, new_place_cost=300.0, existing_places=1
    )
    values = kpis(run_replication(build(data), np.random.SeedSequence(2)))
    key = "cost_by_year.{}.payer.municipality.{}"
    assert values[key.format(0, "running")] == pytest.approx(3 * 5.0 * DAYS_PER_YEAR)
    assert values[key.format(1, "running")] == pytest.approx(3 * 5.0 * (730 - DAYS_PER_YEAR))
    assert [values[key.format(y, "one_off")] for y in range(2)] == [600.0, 0.0]
    assert "cost_by_year.2.total" not in values  # 730 observed days: a year and most of one


def test_on_close_keeps_and_nothing_else_is_offered() -> None:
    data = always_full(on_close="keep")
    assert build(data).housing.tiers["flat"].on_close == "keep"
    assert "on_close" not in build(always_full()).model_dump()["housing"]["tiers"]["flat"]
    with pytest.raises(ValidationError, match="keep"):
        build(always_full(on_close="evict"))
