"""One baseline replication, to be run under a profiler (not a test; see bench/README.md).

Run it as::

python -m cProfile -s tottime bench/profile_baseline.py | head -45
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from forlopsim.engine import run_replication
from forlopsim.scenario import load_scenario

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "trondheim_baseline.yaml"


def main() -> int:
    scenario = load_scenario(BASELINE)
    seed = np.random.SeedSequence(scenario.simulation.seed).spawn(1)[0]
    records = run_replication(scenario, seed)
    print(f"{len(records.events):,} records, {len(records.residents):,} residents", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
