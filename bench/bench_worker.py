"""What one worker of ``forlopsim run --jobs J --out DIR`` does, timed, in a fresh process.

``python bench/bench_worker.py N`` runs ``forlopsim.experiment.run_one`` (replication, KPIs,
weekly occupancy series, records written as Parquet) for the baseline's first ``N``
replications and prints JSON: seconds per ``run_one``, seconds in ``run_replication`` and in
``kpis`` for one more replication, and the process's peak RSS. Run in its own process by
``bench/run_all.py`` so that the peak is a worker's own. On Linux the peak is ``VmHWM`` from
``/proc/self/status``: ``ru_maxrss`` survives ``exec``, so a child of a large parent would
report the parent's high-water mark.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from forlopsim.engine import run_replication
from forlopsim.engine.streams import replication_seeds
from forlopsim.experiment import WARMUP_STEP_DAYS, run_one
from forlopsim.metrics import kpis
from forlopsim.scenario import load_scenario

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "trondheim_baseline.yaml"
MAXRSS_UNIT = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux


def peak_rss() -> int:
    """This process's peak resident set size in bytes (``VmHWM`` where there is one)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * MAXRSS_UNIT
    (line,) = (line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024  # kB


def main(argv: list[str]) -> int:
    replications = int(argv[0]) if argv else 3
    scenario = load_scenario(BASELINE)
    seeds = replication_seeds(scenario.simulation.seed, replications + 1)
    before = peak_rss()
    run_one_s = []
    with tempfile.TemporaryDirectory() as folder:
        for i in range(replications):
            result = run_one(scenario, seeds[i], i, Path(folder), WARMUP_STEP_DAYS)
            run_one_s.append(result.seconds)
    start = time.perf_counter()
    records = run_replication(scenario, seeds[-1], replications)
    middle = time.perf_counter()
    kpis(records)
    end = time.perf_counter()
    out = {
        "run_one_s": run_one_s,
        "replication_s": middle - start,
        "kpis_s": end - middle,
        "maxrss_before_bytes": before,
        "maxrss_bytes": peak_rss(),
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
