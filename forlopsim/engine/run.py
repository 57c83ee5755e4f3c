"""One replication: a scenario and a seed in, records out."""

from __future__ import annotations

import numpy as np

from forlopsim.engine.streams import Streams
from forlopsim.engine.world import World
from forlopsim.records import Recorder, Records
from forlopsim.scenario import Scenario


def run_replication(
    scenario: Scenario, seed: np.random.SeedSequence, replication: int = 0
) -> Records:
    """Simulate one replication of ``scenario`` and return its records."""
    recorder = Recorder()
    world = World(scenario, Streams(seed), recorder)
    world.run()
    meta = {
        "scenario": scenario.name,
        "replication": replication,
        "horizon_days": scenario.simulation.horizon_days,
        "warmup_days": scenario.simulation.warmup_days,
        "events": world.env._eid if hasattr(world.env, "_eid") else None,
    }
    return recorder.records(meta)
