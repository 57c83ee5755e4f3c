"""The fixed costs of issue 18 point 3, timed: start-up, paired differences, a sweep of tiny points.

``python bench/bench_fixed_costs.py [--repeat K] [--no-sweep] [--dask]`` prints, as min and
median of ``K`` runs (wall time; the machine's 1-minute load average before and after):

* ``forlopsim --version`` and ``forlopsim validate scenarios/trondheim_calibrated.yaml``, each
  in a fresh interpreter (start-up is what they cost);
* ``Comparison.differences()`` on a comparison of the README report's 6 scenarios × 10
  replications (built once, from a 2-year horizon after a 1-year warm-up, to keep it cheap: the
  KPIs are the same ones, so the differences cost what they cost on the full run);
* ``forlopsim sweep sweeps/crisis_bed_queue.yaml`` (64 points × 1 replication of about 50 ms)
  with ``--jobs 1`` and ``--jobs 2`` and, with ``--dask``, ``--dask-workers 2``, each in a fresh
  process and a fresh ``--out``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REPORT = [
    "trondheim_calibrated",
    "missing_middle",
    "crisis_beds",
    "self_referral_beds",
    "evening_staffing",
    "youth_shelter",
]
SHORT = {"simulation.horizon_days": 3 * 365, "simulation.warmup_days": 365}


def timed(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Min and median wall time of ``action`` over ``repeat`` runs."""
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - start)
    return min(seconds), statistics.median(seconds)


def command(*arguments: str) -> Callable[[], object]:
    """``python -m forlopsim ARGUMENTS`` in a fresh interpreter, output discarded."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = [sys.executable, "-m", "forlopsim", *arguments]
    return lambda: subprocess.run(run, cwd=REPO, env=env, check=True, capture_output=True)


def comparison() -> object:
    """The README report's 6 scenarios × 10 replications, on a short horizon."""
    from forlopsim.comparison import compare_scenarios
    from forlopsim.scenario import load_scenario

    scenarios = [load_scenario(REPO / "scenarios" / f"{n}.yaml") for n in REPORT]
    short = [s.with_changes(SHORT) for s in scenarios]
    return compare_scenarios(short[0], short[1:], 10, jobs=2, labels=REPORT)


def sweep(*options: str) -> Callable[[], object]:
    """The crisis-bed sweep in a fresh process and a fresh folder."""

    def run() -> None:
        with tempfile.TemporaryDirectory() as folder:
            spec = str(REPO / "sweeps" / "crisis_bed_queue.yaml")
            command("sweep", spec, "--out", f"{folder}/out", *options)()

    return run


def show(name: str, figures: tuple[float, float]) -> None:
    """One line: what, min and median."""
    print(f"{name:<48} min {figures[0]:7.3f} s   median {figures[1]:7.3f} s", flush=True)


def main() -> None:
    """Time each fixed cost and print it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-sweep", action="store_true")
    parser.add_argument("--dask", action="store_true")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs")
    validate = ("validate", "scenarios/trondheim_calibrated.yaml")
    show("forlopsim --version", timed(command("--version"), args.repeat))
    show("forlopsim validate trondheim_calibrated.yaml", timed(command(*validate), args.repeat))
    built = comparison()
    differences = built.differences  # type: ignore[attr-defined]
    show("Comparison.differences() 6 scenarios x 10 reps", timed(differences, args.repeat))
    if not args.no_sweep:
        for options in [("--jobs", "1"), ("--jobs", "2")] + (
            [("--dask-workers", "2")] if args.dask else []
        ):
            show(f"sweep crisis_bed_queue (64 x 1) {' '.join(options)}", timed(sweep(*options), 3))
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
