"""One ``World.run()`` of a (scaled, shortened) scenario, for wall time and instruction counts.

``python bench/engine_run.py SCENARIO --days D --scale K [--stop-before-run]`` builds the
scenario with its referral rates and initial population multiplied by ``K`` and its horizon cut
to ``D`` days, runs ``World.run()`` with the collector paused (as ``run_replication`` does) and
prints JSON: seconds, SimPy events processed and rows recorded. With ``--stop-before-run`` it
does everything but the run, so that under ``valgrind --tool=callgrind`` the run's own
instructions are the difference of the two counts (imports, loading and building cancel).
``bench/run_all.py`` calls it; it is not a test.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from forlopsim.engine.streams import Streams, replication_seeds
from forlopsim.engine.world import World
from forlopsim.records import Recorder
from forlopsim.scenario import Scenario, load_scenario

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_engine import event_counts  # bench/ is not a package


def scaled(scenario: Scenario, factor: float, days: float | None) -> Scenario:
    """``scenario`` with every referral rate and the initial population times ``factor``.

    The initial waiting groups are scaled too; capacities are not (the same city's services for
    a larger population). ``days`` cuts the horizon (the warm-up to at most half of it).
    """
    changes: dict[str, Any] = {}
    for name, stream in scenario.referrals.streams.items():
        changes[f"referrals.streams.{name}.annual_rate"] = stream.annual_rate * factor
    initial = scenario.referrals.initial_population
    if initial is not None:
        changes["referrals.initial_population.size"] = round(initial.size * factor)
        if initial.waiting:
            groups = [g.model_dump(mode="python", exclude_none=True) for g in initial.waiting]
            for group in groups:
                group["count"] = round(group["count"] * factor)
            changes["referrals.initial_population.waiting"] = groups
    if days is not None:
        changes["simulation.horizon_days"] = days
        changes["simulation.warmup_days"] = min(scenario.simulation.warmup_days, days / 2)
    return scenario.with_changes(changes) if changes else scenario


def run(scenario: Scenario, replication: int = 0, stop_before_run: bool = False) -> dict[str, Any]:
    """Build the world for replication ``replication`` of the scenario's seed, and run it."""
    seed: np.random.SeedSequence = replication_seeds(scenario.simulation.seed, replication + 1)[
        replication
    ]
    recorder = Recorder()
    world = World(scenario, Streams(seed), recorder)
    if stop_before_run:
        return {"seconds": 0.0, "processed": 0, "rows": 0}
    gc.disable()
    try:
        start = time.perf_counter()
        world.run()
        seconds = time.perf_counter() - start
    finally:
        gc.enable()
    _, processed = event_counts(world.env)
    rows = len(recorder.events)
    world.close()
    return {"seconds": seconds, "processed": processed, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run once per ``--repeat``, print the JSON of every run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", type=Path)
    parser.add_argument("--days", type=float, help="horizon in days (default: the scenario's)")
    parser.add_argument("--scale", type=float, default=1.0, help="population factor")
    parser.add_argument("--repeat", type=int, default=1, help="runs, replications 0, 1, …")
    parser.add_argument("--stop-before-run", action="store_true")
    args = parser.parse_args(argv)
    scenario = scaled(load_scenario(args.scenario), args.scale, args.days)
    runs = [run(scenario, i, args.stop_before_run) for i in range(args.repeat)]
    print(json.dumps({"scale": args.scale, "days": scenario.simulation.horizon_days, "runs": runs}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
