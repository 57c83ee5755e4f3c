"""The whole benchmark suite in one run on one machine, with the issue-6 targets (not a test).

Run from the repository root::

    python bench/run_all.py --json bench/results.json      # about 3 minutes on 2 cores
    python bench/run_all.py --markdown                      # the tables for bench/README.md
    python bench/run_all.py --show bench/results.json --markdown   # a saved run's tables

1. bare SimPy loops (``bench_engine.py``): the events/s ceiling of any SimPy engine;
2. the engine on the baseline (``bench_engine.py``): events/s, seconds per replication, and the
   stale events it processes;
3. one worker's figures in a fresh process (``bench_worker.py``): ``run_one`` seconds, ``kpis``
   seconds and peak RSS;
4. an M/M/c queue three ways (``bench_mmc.py``): customers/s and mean wait against Erlang C;
5. ``forlopsim run scenarios/trondheim_baseline.yaml -n 100 --jobs 2 --out TMP`` as a
   subprocess: wall time, records written (the CLI's default with ``--out``).

bench/README.md explains every line.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from bench_engine import (
    bare_callback_loop,
    bare_process_loop,
    bench_engine,
    best_of,
    diagnose,
    machine,
    show_tables,
    warm_up,
)
from bench_mmc import bench_mmc

from forlopsim.scenario import load_scenario

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
BASELINE = REPO / "scenarios" / "trondheim_baseline.yaml"
MB = 1_000_000

TARGETS = {
    "engine_share_of_bare": 0.50,
    "mmc_vs_ciw": 2.0,
    "mmc_vs_simpy": 1.0,
    "replication_s": 1.5,
    "batch_s": 60.0,
    "worker_rss_mb": 300.0,
}
"""Issue 6's targets: ratios and limits from one run on the same (2-core) machine."""


def bare(events: int, repeats: int) -> dict[str, Any]:
    """The three bare loops of ``bench_engine.py``, best of ``repeats``."""
    return {
        "process": best_of(repeats, bare_process_loop, events, 4, 1),
        "callback": best_of(repeats, bare_callback_loop, events, 4, 2),
        "callback_deep": best_of(repeats, bare_callback_loop, events, 10_000, 3),
    }


def engine(replications: int) -> dict[str, Any]:
    """Baseline replications (``bench_engine``) and the stale-event count of replication 0."""
    scenario = load_scenario(BASELINE)
    seeds = np.random.SeedSequence(scenario.simulation.seed).spawn(replications)
    warm_up()
    result = bench_engine(scenario, seeds)
    result["diagnostic"] = diagnose(scenario, seeds[0])
    first = result["replications"][0]
    useful = first["processed"] - result["diagnostic"]["noop"]
    result["useful_events_per_s_rep0"] = useful / first["simulate_s"]
    return result


def subprocess_json(args: list[str]) -> dict[str, Any]:
    """Run a bench script in a fresh interpreter and read the JSON it prints last."""
    done = subprocess.run(
        [sys.executable, *args], check=True, capture_output=True, text=True, cwd=REPO
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def batch(replications: int, jobs: int) -> dict[str, Any]:
    """``forlopsim run`` on the baseline as a user runs it, records written, wall-timed."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out"
        command = [
            sys.executable,
            "-m",
            "forlopsim",
            "run",
            str(BASELINE),
            "-n",
            str(replications),
            "--jobs",
            str(jobs),
            "--out",
            str(out),
        ]
        start = time.perf_counter()
        # run from the temporary folder: ``-m`` puts the working directory first on sys.path,
        # and from the repository root it would import the working tree's forlopsim even when
        # the benchmark itself runs another one (PYTHONPATH), e.g. to measure "before"
        subprocess.run(command, check=True, capture_output=True, cwd=folder)
        seconds = time.perf_counter() - start
        summary = json.loads((out / "summary.json").read_text())
        written = len(list((out / "records").glob("*.parquet")))
    return {
        "replications": replications,
        "jobs": jobs,
        "wall_s": seconds,
        "run_wall_s": summary["wall_seconds"],
        "seconds_per_replication": summary["seconds_per_replication"],
        "parquet_files": written,
    }


def targets(result: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """(target, measured, limit, met) for each of issue 6's targets."""
    eng, mmc = result["engine"], result["mmc"]["ways"]
    share = eng["events_per_s_mean"] / result["bare"]["process"]["events_per_s"]
    vs_ciw = mmc["forlopsim"]["customers_per_second"] / mmc["ciw"]["customers_per_second"]
    vs_simpy = mmc["forlopsim"]["customers_per_second"] / mmc["simpy"]["customers_per_second"]
    rss = result["worker"]["maxrss_bytes"] / MB
    rows = [
        ("engine events/s ÷ bare process loop", f"{share:.1%}", "≥ 50%", share >= 0.5),
        ("M/M/c: forlopsim ÷ Ciw customers/s", f"{vs_ciw:.2f}×", "≥ 2×", vs_ciw >= 2),
        ("M/M/c: forlopsim ÷ SimPy customers/s", f"{vs_simpy:.2f}×", "≥ 1×", vs_simpy >= 1),
        (
            "one baseline replication (run_replication)",
            f"{eng['wall_s_mean']:.2f} s",
            "≤ 1.5 s",
            eng["wall_s_mean"] <= TARGETS["replication_s"],
        ),
        ("peak RSS of one worker", f"{rss:.0f} MB", "≤ 300 MB", rss <= TARGETS["worker_rss_mb"]),
    ]
    if "batch" in result:
        b = result["batch"]
        rows.insert(
            4,
            (
                f"{b['replications']} replications, --jobs {b['jobs']} (CLI)",
                f"{b['wall_s']:.1f} s",
                "≤ 60 s",
                b["wall_s"] <= TARGETS["batch_s"],
            ),
        )
    return rows


def tables(result: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """The report as (title, header, rows)."""
    b, eng, w, m = result["bare"], result["engine"], result["worker"], result["mmc"]
    diag = eng["diagnostic"]
    base_rate = b["process"]["events_per_s"]
    out = []
    rows = [
        ["bare SimPy: 4 processes, yield env.timeout(d)", f"{base_rate:,.0f} events/s"],
        [
            "bare SimPy: 4 chains, Timeout + callback",
            f"{b['callback']['events_per_s']:,.0f} events/s",
        ],
        [
            "bare SimPy: 10,000 chains, Timeout + callback",
            f"{b['callback_deep']['events_per_s']:,.0f} events/s",
        ],
        [
            "baseline: SimPy events processed (World.run)",
            f"{eng['events_per_s_mean']:,.0f} events/s",
        ],
        [
            "  of which not stale (rep 0)",
            f"{eng['useful_events_per_s_rep0']:,.0f} events/s "
            f"({1 - diag['noop'] / diag['processed']:.0%} of processed)",
        ],
        ["  ratio to bare process loop", f"{eng['events_per_s_mean'] / base_rate:.1%}"],
        [
            "  events processed / scheduled, mean",
            f"{eng['processed_mean']:,.0f} / {eng['scheduled_mean']:,.0f}",
        ],
        ["baseline: seconds per replication (run_replication)", f"{eng['wall_s_mean']:.3f} s"],
        ["  of which World.run()", f"{eng['simulate_s_mean']:.3f} s"],
        ["  kpis() on its records", f"{w['kpis_s']:.3f} s"],
        [
            "  run_one (replication + KPIs + occupancy + Parquet)",
            f"{np.mean(w['run_one_s']):.3f} s",
        ],
        ["  peak RSS of a worker", f"{w['maxrss_bytes'] / MB:.0f} MB"],
    ]
    if "batch" in result:
        bt = result["batch"]
        rows.append(
            [
                f"forlopsim run -n {bt['replications']} --jobs {bt['jobs']} --out (records written)",
                f"{bt['wall_s']:.1f} s",
            ]
        )
    out.append(("Engine and replications", ["measure", "value"], rows))
    rows = [
        [
            name,
            f"{way['customers']:,}",
            f"{way['seconds']:.2f} s",
            f"{way['customers_per_second']:,.0f}/s",
            f"{way['mean_wait']:.4f}",
            f"{m['erlang_c_wait']:.4f}",
        ]
        for name, way in m["ways"].items()
    ]
    out.append(
        (
            "M/M/10, λ = 9/day, μ = 1/day, 20,000 days",
            ["way", "customers", "time", "customers/s", "mean wait (days)", "Erlang C"],
            rows,
        )
    )
    out.append(
        (
            "Issue 6 targets",
            ["target", "measured", "limit", "met"],
            [[t, v, lim, "yes" if ok else "NO"] for t, v, lim, ok in targets(result)],
        )
    )
    return out


def show(result: dict[str, Any], markdown: bool) -> None:
    """The tables on the terminal, or as Markdown for bench/README.md."""
    show_tables("forlopsim benchmarks", result["machine"], tables(result), markdown)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument("--replications", type=int, default=3, help="timed baseline replications")
    parser.add_argument("--events", type=int, default=1_500_000, help="events per bare loop")
    parser.add_argument("--repeats", type=int, default=3, help="bare loops: best of this many")
    parser.add_argument("--batch", type=int, default=100, help="replications of the CLI run")
    parser.add_argument("--jobs", type=int, default=2, help="workers of the CLI run")
    parser.add_argument("--no-batch", action="store_true", help="skip the CLI run")
    parser.add_argument("--show", type=Path, help="print the tables of a saved --json, run nothing")
    args = parser.parse_args(argv)
    if args.show is not None:
        show(json.loads(args.show.read_text()), args.markdown)
        return 0

    result: dict[str, Any] = {"machine": machine(), "args": vars(args) | {"json": str(args.json)}}
    steps = [
        ("bare", "bare SimPy loops", lambda: bare(args.events, args.repeats)),
        ("engine", "baseline replications", lambda: engine(args.replications)),
        (
            "worker",
            "one worker in a fresh process",
            lambda: subprocess_json([str(BENCH / "bench_worker.py")]),
        ),
        ("mmc", "M/M/c three ways", bench_mmc),
    ]
    if not args.no_batch:
        steps.append(("batch", "the CLI batch", lambda: batch(args.batch, args.jobs)))
    for key, label, step in steps:
        print(f"running {label} …", file=sys.stderr, flush=True)
        gc.collect()
        result[key] = step()
    result["machine"]["loadavg_1min_at_end"] = os.getloadavg()[0]
    result["targets"] = [
        {"target": t, "measured": v, "limit": lim, "met": ok} for t, v, lim, ok in targets(result)
    ]
    show(result, args.markdown)
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=1, default=str) + "\n")
        print(f"wrote {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
