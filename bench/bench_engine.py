"""Engine benchmark: bare SimPy event loops against one baseline replication, on one machine.

Run from the repository root::

    python bench/bench_engine.py [--replications N] [--json OUT]

This is a script, not a test: its name does not match pytest's ``test_*.py`` and pytest only
looks in ``tests/`` (``testpaths`` in pyproject.toml). See bench/README.md for what each line of
the table means.

Counting SimPy events. SimPy 4 gives every scheduled event an id from ``env._eid``, an
``itertools.count``; ``Environment.schedule`` is the only place that draws from it, once per
event. So after a run, the counter's next value is the number of events *scheduled*, and
``scheduled - len(env._queue)`` is the number *processed* (popped by ``Environment.step``). The
counter is read from its ``repr`` so that reading it does not consume an id. Processed events
include stale ones: the engine never cancels a timeout; a handler whose token no longer matches
returns at once. The optional diagnostic pass counts those (events that neither record a row nor
schedule anything) by wrapping ``step`` on that one environment *instance*; the package itself is
never patched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import re
import resource
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import simpy

from forlopsim.engine import run_replication
from forlopsim.engine.streams import Streams
from forlopsim.engine.world import World
from forlopsim.records import Recorder
from forlopsim.scenario import load_scenario

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "trondheim_baseline.yaml"
MAXRSS_UNIT = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux


# -- SimPy counters -------------------------------------------------------------------------------


def scheduled_events(env: simpy.Environment) -> int:
    """How many events ``env`` has scheduled (the next id ``env._eid`` would hand out)."""
    match = re.fullmatch(r"count\((\d+)\)", repr(env._eid))
    if match is None:  # a SimPy that no longer numbers events with itertools.count
        raise RuntimeError(f"cannot read SimPy's event counter: {env._eid!r}")
    return int(match.group(1))


def event_counts(env: simpy.Environment) -> tuple[int, int]:
    """(scheduled, processed) after a run: what is still queued was scheduled, not processed."""
    scheduled = scheduled_events(env)
    return scheduled, scheduled - len(env._queue)


def fresh(seed: np.random.SeedSequence) -> np.random.SeedSequence:
    """An unused copy of ``seed``: ``spawn`` mutates a SeedSequence, so each run needs its own."""
    return np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key)


# -- bare SimPy loops -----------------------------------------------------------------------------


def bare_process_loop(events: int, processes: int, seed: int) -> dict[str, Any]:
    """Generator processes each yielding ``env.timeout(delay)``; delays drawn beforehand."""
    env = simpy.Environment()
    rng = np.random.default_rng(seed)
    per_process = events // processes

    def process(delays: list[float]):
        timeout = env.timeout
        for delay in delays:
            yield timeout(delay)

    for _ in range(processes):
        env.process(process(rng.exponential(1.0, per_process).tolist()))
    start = time.perf_counter()
    env.run()
    seconds = time.perf_counter() - start
    scheduled, processed = event_counts(env)
    return {"seconds": seconds, "scheduled": scheduled, "processed": processed}


def bare_callback_loop(events: int, chains: int, seed: int) -> dict[str, Any]:
    """The engine's pattern: a ``simpy.Timeout`` whose callback schedules the next Timeout.

    ``chains`` timeouts are pending at any time, so it also sets the depth of SimPy's heap.
    """
    env = simpy.Environment()
    delays = iter(np.random.default_rng(seed).exponential(1.0, events).tolist())
    Timeout = simpy.Timeout

    def on_timeout(event: simpy.Event) -> None:
        delay = next(delays, None)
        if delay is not None:
            follow = Timeout(env, delay, event.value)
            follow.callbacks.append(on_timeout)

    for chain in range(chains):
        Timeout(env, next(delays), chain).callbacks.append(on_timeout)
    start = time.perf_counter()
    env.run()
    seconds = time.perf_counter() - start
    scheduled, processed = event_counts(env)
    return {"seconds": seconds, "scheduled": scheduled, "processed": processed}


def best_of(repeats: int, fn, *args) -> dict[str, Any]:
    runs = []
    for _ in range(repeats):
        gc.collect()
        runs.append(fn(*args))
    best = min(runs, key=lambda run: run["seconds"])
    return {
        **best,
        "events_per_s": best["processed"] / best["seconds"],
        "all_seconds": [run["seconds"] for run in runs],
    }


# -- the engine -----------------------------------------------------------------------------------


def simulate(scenario, seed: np.random.SeedSequence) -> tuple[World, Recorder, float]:
    """``World.run()`` alone, as :func:`run_replication` builds it, keeping the environment.

    ``run_replication`` does not hand back its ``World``, so this builds and runs one as it does;
    :func:`bench_engine` checks that both produce the same number of rows.
    """
    recorder = Recorder()
    world = World(scenario, Streams(fresh(seed)), recorder)
    gc.disable()  # as run_replication does
    try:
        start = time.perf_counter()
        world.run()
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    return world, recorder, elapsed


def warm_up() -> None:
    """Turn a one-row log into tables once, before anything is timed.

    Lazy set-up in pandas and pyarrow is then not charged to the first timed replication.
    """
    recorder = Recorder()
    recorder.events.append((0.0, 0, "referral", "initial", "", "", 1))
    recorder.residents.append((0, "female", "adult", "mental", "low", 1, "initial", 0.0))
    recorder.records({})


def bench_engine(scenario, seeds: list[np.random.SeedSequence]) -> dict[str, Any]:
    reps = []
    for i, seed in enumerate(seeds):
        gc.collect()
        start = time.perf_counter()
        records = run_replication(scenario, fresh(seed), i)
        wall = time.perf_counter() - start
        rows, residents = len(records.events), len(records.residents)
        del records
        gc.collect()
        world, recorder, sim = simulate(scenario, seed)
        if len(recorder.events) != rows:
            raise RuntimeError(
                f"replication {i}: World.run() gave {len(recorder.events)} rows, "
                f"run_replication {rows}; bench/bench_engine.py:simulate no longer mirrors it"
            )
        scheduled, processed = event_counts(world.env)
        reps.append(
            {
                "replication": i,
                "wall_s": wall,
                "simulate_s": sim,
                "scheduled": scheduled,
                "processed": processed,
                "queued_at_end": len(world.env._queue),
                "records": rows,
                "residents": residents,
                "residents_at_end": len(getattr(world, "residents", ())),
                "events_per_s": processed / sim,
                "events_per_s_wall": processed / wall,
                "records_per_s": rows / wall,
            }
        )
        del world, recorder
    walls = [r["wall_s"] for r in reps]
    sims = [r["simulate_s"] for r in reps]

    def mean(key: str) -> float:
        return float(np.mean([r[key] for r in reps]))

    return {
        "replications": reps,
        "wall_s_mean": float(np.mean(walls)),
        "wall_s_min": min(walls),
        "simulate_s_mean": float(np.mean(sims)),
        "simulate_s_min": min(sims),
        "scheduled_mean": mean("scheduled"),
        "processed_mean": mean("processed"),
        "records_mean": mean("records"),
        "residents_mean": mean("residents"),
        "events_per_s_mean": mean("events_per_s"),
        "events_per_s_wall_mean": mean("events_per_s_wall"),
        "records_per_s_mean": mean("records_per_s"),
    }


def diagnose(scenario, seed: np.random.SeedSequence) -> dict[str, Any]:
    """One untimed replication with ``step`` wrapped on its environment.

    Counts processed events by callback, how many were no-ops (stale: no row recorded, nothing
    scheduled), and the heap depth.
    """
    recorder = Recorder()
    world = World(scenario, Streams(fresh(seed)), recorder)
    env = world.env
    queue, rows, step = env._queue, recorder.events, env.step
    by_callback: Counter[str] = Counter()
    noop: Counter[str] = Counter()
    depth = []

    def counting_step() -> None:
        if not queue:
            step()  # raises EmptySchedule
        event = queue[0][3]
        callbacks = event.callbacks or ()
        name = getattr(callbacks[0], "__name__", type(callbacks[0]).__name__) if callbacks else "-"
        depth.append(len(queue))
        before_rows, before_ids = len(rows), scheduled_events(env)
        step()
        by_callback[name] += 1
        if len(rows) == before_rows and scheduled_events(env) == before_ids:
            noop[name] += 1

    env.step = counting_step  # this instance only
    world.run()
    scheduled, processed = event_counts(env)
    return {
        "scheduled": scheduled,
        "processed": processed,
        "queued_at_end": len(queue),
        "noop": sum(noop.values()),
        "by_callback": {
            name: {"processed": n, "noop": noop[name]} for name, n in by_callback.most_common()
        },
        "heap_depth_mean": float(np.mean(depth)),
        "heap_depth_max": int(max(depth)),
    }


def traced_peak(scenario, seed: np.random.SeedSequence) -> dict[str, Any]:
    """Peak of Python allocations (tracemalloc) over one (slowed, untimed) run_replication."""
    gc.collect()
    tracemalloc.start()
    records = run_replication(scenario, fresh(seed), 0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    kept = (
        records.events.memory_usage(deep=True).sum()
        + records.residents.memory_usage(deep=True).sum()
    )
    return {"tracemalloc_peak_bytes": peak, "records_bytes": int(kept)}


# -- reporting ------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in f if line.startswith("model name")),
                cpu,
            )
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "simpy": simpy.__version__,
        "numpy": np.__version__,
        "loadavg_1min_at_start": os.getloadavg()[0],
    }


def mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB"


def rate(n: float) -> str:
    return f"{n:,.0f}/s"


def report_tables(result: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """The report as (title, header, rows) tables, for the terminal or for Markdown."""
    args, bare, eng = result["args"], result["bare"], result["engine"]
    tables = []
    rows = []
    for key, label in (
        ("process", f"process loop: {args['processes']} processes, yield env.timeout(d)"),
        ("callback", f"callback loop: {args['chains']} chains, Timeout + callback"),
        ("callback_deep", f"callback loop: {args['deep_chains']:,} chains (deep heap)"),
    ):
        b = bare[key]
        rows.append(
            [label, f"{b['processed']:,}", f"{b['seconds']:.3f} s", rate(b["events_per_s"])]
        )
    tables.append(
        (
            f"Bare SimPy loops (best of {args['repeats']})",
            ["loop", "events processed", "best time", "events/s"],
            rows,
        )
    )

    base_rate = bare["process"]["events_per_s"]
    cb_rate = bare["callback"]["events_per_s"]
    deep_rate = bare["callback_deep"]["events_per_s"]
    n = len(eng["replications"])
    rows = [
        ["horizon", f"{result['horizon_days']:,.0f} days"],
        ["wall time per replication, mean", f"{eng['wall_s_mean']:.3f} s"],
        ["wall time per replication, min", f"{eng['wall_s_min']:.3f} s"],
        ["  of which World.run(), mean", f"{eng['simulate_s_mean']:.3f} s"],
        ["SimPy events scheduled, mean", f"{eng['scheduled_mean']:,.0f}"],
        ["SimPy events processed, mean", f"{eng['processed_mean']:,.0f}"],
        ["events processed/s (World.run)", rate(eng["events_per_s_mean"])],
        ["events processed/s (whole replication)", rate(eng["events_per_s_wall_mean"])],
        ["ratio to bare process loop", f"{eng['events_per_s_mean'] / base_rate:.1%}"],
        ["ratio to bare callback loop", f"{eng['events_per_s_mean'] / cb_rate:.1%}"],
        ["ratio to deep-heap callback loop", f"{eng['events_per_s_mean'] / deep_rate:.1%}"],
        ["records (event rows), mean", f"{eng['records_mean']:,.0f}"],
        ["records/s (whole replication)", rate(eng["records_per_s_mean"])],
        ["residents simulated, mean", f"{eng['residents_mean']:,.0f}"],
    ]
    diag = result.get("diagnostic")
    if diag is not None:
        share = diag["noop"] / diag["processed"]
        rows += [
            ["stale (no-op) events processed, rep 0", f"{diag['noop']:,} ({share:.0%})"],
            [
                "SimPy heap depth, mean / max, rep 0",
                f"{diag['heap_depth_mean']:,.0f} / {diag['heap_depth_max']:,}",
            ],
        ]
    mem = result["memory"]
    if "tracemalloc_peak_bytes" in mem:
        rows.append(["peak memory, tracemalloc (Python heap)", mib(mem["tracemalloc_peak_bytes"])])
        rows.append(["  records kept (DataFrames)", mib(mem["records_bytes"])])
    rows.append(["peak RSS of process, ru_maxrss", mib(mem["maxrss_after_engine_bytes"])])
    rows.append(
        ["  already before any replication (imports)", mib(mem["maxrss_before_engine_bytes"])]
    )
    tables.append(
        (
            f"Baseline replication ({result['scenario']}, {n} replications)",
            ["measure", "value"],
            rows,
        )
    )

    if diag is not None:
        rows = [
            [name, f"{c['processed']:,}", f"{c['noop']:,}"]
            for name, c in diag["by_callback"].items()
        ]
        tables.append(
            (
                "Processed events by callback (replication 0)",
                ["callback", "processed", "no-op (stale)"],
                rows,
            )
        )
    return tables


def machine_line(m: dict[str, Any]) -> str:
    line = (
        f"{m['date']} · {m['cpu']} · {m['cpus_usable']} CPUs usable ({m['cpu_count']} online) · "
        f"Python {m['python']} · SimPy {m['simpy']} · NumPy {m['numpy']} · {m['platform']} · "
        f"load average {m['loadavg_1min_at_start']:.2f} → {m['loadavg_1min_at_end']:.2f}"
    )
    if m["loadavg_1min_at_start"] > 0.5 * m["cpus_usable"]:
        line += " (load ≥ half the CPUs at start: timings may be noisy)"
    return line


def show_tables(heading: str, machine: dict[str, Any], tables: list, markdown: bool) -> None:
    """Print ``(title, header, rows)`` tables: rich on the terminal, or Markdown for a README."""
    if markdown:
        print(f"Machine: {machine_line(machine)}\n")
        for title, header, rows in tables:
            print(f"**{title}**\n")
            print("| " + " | ".join(header) + " |")
            print("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
            for row in rows:
                print("| " + " | ".join(cell.replace("  ", "&nbsp;&nbsp;") for cell in row) + " |")
            print()
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 110))
    console.print(f"[bold]{heading}[/] {machine_line(machine)}")
    for title, header, rows in tables:
        table = Table(title=title)
        for i, column in enumerate(header):
            table.add_column(column, justify="left" if i == 0 else "right")
        for row in rows:
            table.add_row(*row)
        console.print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replications", type=int, default=3, help="baseline replications")
    parser.add_argument("--json", type=Path, help="also write the results here as JSON")
    parser.add_argument("--scenario", type=Path, default=BASELINE)
    parser.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    parser.add_argument("--events", type=int, default=1_500_000, help="events per bare loop")
    parser.add_argument("--repeats", type=int, default=3, help="bare loops: best of this many")
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument(
        "--deep-chains",
        type=int,
        default=10_000,
        help="pending timeouts in the deep-heap loop (about the engine's mean heap depth)",
    )
    parser.add_argument("--no-diagnostic", action="store_true", help="skip the stale-event pass")
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the tracemalloc pass")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables instead")
    args = parser.parse_args(argv)

    scenario = load_scenario(args.scenario)
    root = args.seed if args.seed is not None else scenario.simulation.seed
    seeds = np.random.SeedSequence(root).spawn(args.replications)

    result: dict[str, Any] = {
        "machine": machine(),
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "scenario": scenario.name,
        "horizon_days": scenario.simulation.horizon_days,
        "seed": root,
    }
    maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * MAXRSS_UNIT
    print("running the baseline replications …", file=sys.stderr)
    warm_up()
    result["engine"] = bench_engine(scenario, seeds)
    # read before the passes and loops below: tracemalloc's own bookkeeping and the bare loops'
    # pre-drawn delays would raise the high-water mark
    result["memory"] = {
        "maxrss_before_engine_bytes": maxrss_before,
        "maxrss_after_engine_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        * MAXRSS_UNIT,
    }
    if not args.no_tracemalloc:
        print("tracing memory of one replication …", file=sys.stderr)
        result["memory"].update(traced_peak(scenario, seeds[0]))
    if not args.no_diagnostic:
        print("counting stale events …", file=sys.stderr)
        result["diagnostic"] = diagnose(scenario, seeds[0])
    print("running the bare SimPy loops …", file=sys.stderr)
    result["bare"] = {
        "process": best_of(args.repeats, bare_process_loop, args.events, args.processes, 1),
        "callback": best_of(args.repeats, bare_callback_loop, args.events, args.chains, 2),
        "callback_deep": best_of(
            args.repeats, bare_callback_loop, args.events, args.deep_chains, 3
        ),
    }
    result["machine"]["loadavg_1min_at_end"] = os.getloadavg()[0]
    show_tables(
        "forlopsim engine benchmark", result["machine"], report_tables(result), args.markdown
    )
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
