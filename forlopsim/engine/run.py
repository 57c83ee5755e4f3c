"""One replication: a scenario and a seed in, records out."""

from __future__ import annotations

import gc

import numpy as np

from forlopsim.engine.streams import Streams
from forlopsim.engine.world import World
from forlopsim.records import Recorder, Records
from forlopsim.scenario import Scenario
from forlopsim.scenario.schedule import openings, scheduled, steps


def run_replication(
    scenario: Scenario, seed: np.random.SeedSequence, replication: int = 0
) -> Records:
    """Simulate one replication of ``scenario`` and return its records."""
    # a fresh copy: spawning children advances a SeedSequence, and the caller's must not change
    seed = np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key, pool_size=seed.pool_size)
    recorder = Recorder()
    meta = {
        "scenario": scenario.name,
        "replication": replication,
        "horizon_days": scenario.simulation.horizon_days,
        "warmup_days": scenario.simulation.warmup_days,
        "places": place_table(scenario),
    }
    # The collector draws no random numbers, so pausing it changes no result; it saves about a
    # quarter of the run, which allocates many small objects and frees few (bench/README.md).
    # Turning the log into tables is paused likewise: transposing it makes a million objects.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _simulate(scenario, seed, recorder)
        return recorder.records(meta)
    finally:
        if collecting:
            gc.enable()


def _simulate(scenario: Scenario, seed: np.random.SeedSequence, recorder: Recorder) -> None:
    """Build and run the world into ``recorder``.

    It is closed on the way out, so that it is freed before the log becomes tables (a lower
    peak of memory).
    """
    world = World(scenario, Streams(seed), recorder)
    try:
        world.run()
    finally:
        world.close()


def place_table(scenario: Scenario) -> dict[str, dict]:
    """What metrics need to know of each place: kind, unit, capacity, costs and payer."""
    window = (scenario.simulation.warmup_days, scenario.simulation.horizon_days)
    places: dict[str, dict] = {}
    for name, t in scenario.housing.tiers.items():
        places[name] = {
            "kind": "tier",
            "capacity": t.capacity,
            "temporary": t.temporary,
            "staffed": t.staff is not None,
            "cost_per_day": t.cost_per_place_day,
            "cost_basis": t.cost_basis,
            "new_places": _new(t.capacity, t.existing_places),
            "new_place_cost": t.new_place_cost,
            "payer": t.payer,
        }
        places[name].update(_schedule(t.capacity, t.existing_places, *window))
    for unit_name, unit in scenario.services.units.items():
        for team_name, team in unit.teams.items():
            places[f"{unit_name}.{team_name}"] = {
                "kind": "team",
                "unit": unit_name,
                "capacity": team.caseload,
                "cost_per_day": team.cost_per_resident_day,
                "cost_basis": "occupied",
                "payer": team.payer,
            }
            places[f"{unit_name}.{team_name}"].update(_schedule(team.caseload, None, *window))
    for name, b in scenario.crisis_beds.items():
        places[name] = {
            "kind": "crisis_bed",
            "capacity": b.beds,
            "self_referral": b.self_referral,
            "cost_per_day": b.cost_per_bed_day,
            "cost_basis": "capacity",
            "new_places": _new(b.beds, b.existing_places),
            "new_place_cost": b.new_place_cost,
            "payer": b.payer,
        }
        places[name].update(_schedule(b.beds, b.existing_places, *window))
    for name, i in scenario.institutions.items():
        places[name] = {
            "kind": "institution",
            "capacity": i.beds,
            "cost_per_day": i.cost_per_bed_day,
            "cost_basis": "occupied",
            "payer": i.payer,
            "ready_cost_per_day": (
                0.0 if i.ready_for_discharge is None else i.ready_for_discharge.cost_per_day
            ),
        }
        places[name].update(_schedule(i.beds, None, *window))
    return places


def _new(capacity: int | dict[int, int] | None, existing: int | None) -> int:
    if capacity is None or existing is None or isinstance(capacity, dict):
        return 0  # a schedule's new places are its openings' (``_schedule``)
    return max(capacity - existing, 0)


def _schedule(
    capacity: int | dict[int, int] | None, existing: int | None, warmup: float, horizon: float
) -> dict[str, object]:
    """What a place's capacity schedule adds to its entry (nothing for a fixed capacity).

    ``capacity``: the mean over the observed window; ``schedule``: ``[day, capacity]`` from
    each day of the run on; ``openings``: ``[day, new places]`` of each rise above the places
    that existed before (within the run); ``new_places``: their sum.
    """
    if capacity is None or not scheduled(capacity):
        return {}
    points = [[warmup + day, level] for day, level in steps(capacity)]
    edges = [max(min(t, horizon), warmup) for t, _ in points[1:]] + [horizon]
    starts = [warmup, *edges[:-1]]
    mean = sum(
        level * (end - begin) for (_, level), begin, end in zip(points, starts, edges, strict=True)
    ) / (horizon - warmup)
    opened = [
        [warmup + day, n] for day, n in openings(capacity, existing) if warmup + day < horizon
    ]
    entry: dict[str, object] = {"capacity": mean, "schedule": points}
    if existing is not None:
        entry |= {"openings": opened, "new_places": sum(n for _, n in opened)}
    return entry
