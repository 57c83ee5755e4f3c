"""The engine's components: caches keyed on every input they read, no reaching into another
component's private state, the named event row, a world that frees itself when closed."""

from __future__ import annotations

import ast
import gc
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scenario_builders import busy_scenario

from forlopsim.engine.allocation import POLICIES, BestAvailable, FallbackAfter, Strict
from forlopsim.engine.places import eligibility_check, eligibility_key
from forlopsim.engine.resident import Resident
from forlopsim.engine.streams import Streams
from forlopsim.engine.world import World
from forlopsim.records import EVENT_TYPES, RESIDENT_TYPES, Event, Recorder, Records, ResidentRow
from forlopsim.scenario import Scenario, load_scenario
from forlopsim.scenario.housing import Allocation, Eligibility
from forlopsim.scenario.population import AGE_GROUPS, PROBLEMS, SEXES

ENGINE = Path(__file__).resolve().parents[1] / "forlopsim" / "engine"
BASELINE = ENGINE.parents[1] / "scenarios" / "trondheim_calibrated.yaml"


class NeverHit(dict):
    """A cache that never finds what it holds: every look-up builds afresh."""

    def get(self, key: Any, default: Any = None) -> Any:
        return default


def run(scenario: Scenario, seed: int, caches: bool = True) -> Records:
    recorder = Recorder()
    world = World(scenario, Streams(np.random.SeedSequence(seed)), recorder)
    if not caches:
        world.risks.tables = NeverHit()
        world.housing.options_by_key = NeverHit()
    world.run()
    world.close()
    return recorder.records({})


def short_baseline() -> Scenario:
    return load_scenario(BASELINE).with_changes(
        {"simulation.horizon_days": 400.0, "simulation.warmup_days": 0.0}
    )


@pytest.mark.parametrize(
    "make", [lambda: busy_scenario(horizon_days=300.0, warmup_days=0.0), short_baseline]
)
def test_results_do_not_depend_on_the_caches(make) -> None:
    """The risk tables and housing options are cached by keys written by hand (``StateKey``,
    ``eligibility_key``); building every one afresh must give the same records, so the keys
    hold everything the tables read."""
    scenario = make()
    cached, fresh = run(scenario, 7), run(scenario, 7, caches=False)
    assert len(cached.events) > 5_000
    assert cached.events.equals(fresh.events)
    assert cached.residents.equals(fresh.residents)


residents = st.builds(
    Resident,
    st.just(0),
    st.sampled_from(SEXES),
    st.sampled_from(AGE_GROUPS),
    st.sampled_from(PROBLEMS),
    st.booleans(),
    st.integers(1, 4),
)
rules = st.builds(
    Eligibility,
    sex=st.none() | st.lists(st.sampled_from(SEXES), min_size=1, unique=True),
    age_group=st.none() | st.lists(st.sampled_from(AGE_GROUPS), min_size=1, unique=True),
    problem=st.none() | st.lists(st.sampled_from(PROBLEMS), min_size=1, unique=True),
    need=st.tuples(st.integers(1, 4), st.integers(1, 4)).map(sorted).map(tuple),
)


@given(rules, residents, residents)
def test_eligibility_reads_only_its_key(rule: Eligibility, a: Resident, b: Resident) -> None:
    """Two residents alike in ``eligibility_key`` are alike to every eligibility rule."""
    b.need, b.sex, b.age_group, b.problem = a.need, a.sex, a.age_group, a.problem
    assert eligibility_key(a) == eligibility_key(b)
    check = eligibility_check(rule)
    assert check(a) == check(b)


ALLOWED_PRIVATE = {"_queue", "_now", "_eid", "_value", "_delay", "_ok"}
"""SimPy's own attributes the engine reads (the event heap, emptied by ``World.close``; the
clock, read by ``Kernel.record``) or sets as ``simpy.Timeout`` does (``kernel.call_later``:
the event id counter and a timeout's fields)."""


@pytest.mark.parametrize("path", sorted(ENGINE.glob("*.py")), ids=lambda p: p.name)
def test_components_use_only_each_others_public_names(path: Path) -> None:
    """``x._name`` only for ``self``: components talk through the kernel and public methods."""
    tree = ast.parse(path.read_text())
    reached = [
        f"{path.name}:{node.lineno}: {ast.unparse(node)}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
        and not (isinstance(node.value, ast.Name) and node.value.id == "self")
        and node.attr not in ALLOWED_PRIVATE
    ]
    assert not reached, "\n".join(reached)


def test_allocation_policies_by_hand() -> None:
    r = Resident(0, "male", "adult", "substance", False, 3)
    assert not Strict().takes_any_place(r, 100.0)
    assert BestAvailable().takes_any_place(r, 0.0)
    late = FallbackAfter(30.0)
    assert late.recheck_after == 30.0 and Strict().recheck_after is None
    assert not late.takes_any_place(r, 100.0)  # not waiting
    r.housing_since = 80.0
    assert not late.takes_any_place(r, 109.9)
    assert late.takes_any_place(r, 110.0)
    # every policy the scenario can name has a strategy
    names = Allocation.model_fields["policy"].annotation.__args__
    assert set(names) == set(POLICIES)


def test_records_have_the_named_fields_in_order() -> None:
    records = run(busy_scenario(horizon_days=30.0, warmup_days=0.0), 3)
    assert tuple(records.events.columns) == Event._fields == tuple(EVENT_TYPES)
    assert tuple(records.residents.columns) == ResidentRow._fields == tuple(RESIDENT_TYPES)
    first = Event._make(records.events.iloc[0])
    assert first.kind == "referral" and first.time >= 0.0 and 1 <= first.need <= 4
    moves = records.events[records.events.kind == "move"]
    assert (moves.origin != "").all()  # a move names the location left, by field name


def test_a_closed_world_leaves_the_cycle_collector_almost_nothing() -> None:
    """``World.close`` breaks the cycles through residents, lists and pending events: what is
    left for the collector is SimPy's own environment (its bound methods point back to it) and
    the referral processes, a handful of objects instead of thousands."""
    scenario = busy_scenario(horizon_days=60.0, warmup_days=0.0)
    collecting = gc.isenabled()
    try:
        found = {}
        for close in (True, False):
            gc.collect()
            gc.disable()
            recorder = Recorder()
            world = World(scenario, Streams(np.random.SeedSequence(1)), recorder)
            world.run()
            if close:
                world.close()
            del world
            found[close] = gc.collect()
        assert len(recorder.residents) > 500
        assert found[False] > 10 * len(recorder.residents)  # the test can tell
        assert found[True] < 50
    finally:
        if collecting:
            gc.enable()


@given(st.lists(st.tuples(st.booleans(), st.floats(0.0, 50.0)), min_size=1, max_size=40))
def test_call_later_schedules_as_simpy_timeout_does(steps: list[tuple[bool, float]]) -> None:
    """``kernel.call_later`` and ``simpy.Timeout`` interleaved: the same queue, the same order."""
    import simpy

    from forlopsim.engine.kernel import call_later

    def order(fast: bool) -> tuple[list[tuple[float, Any]], list[tuple[float, int, int]]]:
        env = simpy.Environment()
        seen: list[tuple[float, Any]] = []

        def callback(event: simpy.Event) -> None:
            seen.append((env.now, event.value))

        for i, (quick, delay) in enumerate(steps):
            if fast and quick:
                call_later(env, delay, i, callback)
            else:
                simpy.Timeout(env, delay, i).callbacks.append(callback)
        queue = sorted((t, p, eid) for t, p, eid, _ in env._queue)
        env.run()
        return seen, queue

    assert order(True) == order(False)
