"""What a user waits for, measured side by side in one run, with issue 18's targets (not a test).

Run from the repository root (``bench/README.md`` explains every line)::

    python bench/run_all.py --json bench/results.json            # about 12 minutes on 2 cores
    python bench/run_all.py --hearing --json bench/hearing.json --only hearing   # the long one
    python bench/run_all.py --quick                               # a smoke run, about 2 minutes
    python bench/run_all.py --show bench/results.json bench/hearing.json --markdown

Steps (``--only`` picks some; ``--show`` merges saved runs, later files winning):

* ``replication``: the calibrated baseline, ``World.run``, records → DataFrames, ``kpis()``,
  and ``run_one`` as a worker runs it; events per replication;
* ``hearing`` (only with ``--hearing``): ``forlopsim report`` on the README's six scenarios with
  ``--precision 0.05`` and a maximum, wall time and the replications it took;
* ``calibration``: one candidate point through ``calibration.fit.Evaluator``;
* ``sweeps``: a sweep of tiny points and one of baseline points, ``--jobs 1``, ``--jobs 2`` and
  ``--dask-workers 2``;
* ``startup``: ``forlopsim --version`` and ``forlopsim validate`` of the calibrated baseline;
* ``mmc``: an M/M/c queue in forlopsim, Ciw and hand-written SimPy (``bench_mmc.py``);
* ``scaling``: the population ×1, ×2, ×4, ×8 on a short horizon, wall time per event and the
  log–log growth exponent;
* ``callgrind``: instructions of ``World.run()`` (``valgrind --tool=callgrind``) for the
  1,500-day baseline and for each population factor, per event.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from bench_engine import event_counts, machine, show_tables, simulate, warm_up
from bench_mmc import bench_mmc

from forlopsim.calibration.fit import Evaluator
from forlopsim.calibration.parameters import changes, start_values
from forlopsim.calibration.spec import load_parameters
from forlopsim.engine.run import place_table
from forlopsim.engine.streams import replication_seeds
from forlopsim.experiment import WARMUP_STEP_DAYS, run_one
from forlopsim.metrics import kpis
from forlopsim.scenario import load_scenario

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SCENARIOS = REPO / "scenarios"
CALIBRATED = SCENARIOS / "trondheim_calibrated.yaml"
REPORT = [
    "trondheim_calibrated",
    "missing_middle",
    "crisis_beds",
    "self_referral_beds",
    "evening_staffing",
    "youth_shelter",
]
"""The README's hearing report: the calibrated base and the five what-ifs."""
HEARING_PRECISION = 0.05
"""The hearing's precision: every headline paired half-width at most 5% of the base's mean
(README, ``--precision``; ``forlopsim.precision``)."""
TINY_SWEEP = REPO / "sweeps" / "crisis_bed_queue.yaml"
BASELINE_SWEEP = BENCH / "sweeps" / "baseline_points.yaml"
CALIBRATION_BASE = SCENARIOS / "trondheim_baseline.yaml"
CALIBRATION_PARAMETERS = REPO / "calibration" / "parameters.yaml"
SCENARIO_DIRS = "FORLOPSIM_SCENARIO_DIRS"
FACTORS = (1, 2, 4, 8)
CALLGRIND_DAYS = 1500.0
"""The 1,500-day baseline of the issue-11 and issue-13 instruction counts in bench/README.md."""

TARGETS = {
    "hearing_s": 60.0,
    "replication_s": 1.0,
    "version_s": 0.3,
    "validate_s": 0.8,
    "per_event_growth_8x": 1.25,
    "mmc_vs_ciw": 1.2,
}
"""Issue 18 point 2's limits."""


# -- helpers --------------------------------------------------------------------------------------


def summary(seconds: list[float]) -> dict[str, Any]:
    """Min, median and every value of a list of timings."""
    return {"min": min(seconds), "median": statistics.median(seconds), "all": seconds}


def fresh_env() -> dict[str, str]:
    """The environment for a child ``python``: this checkout first on ``PYTHONPATH``."""
    path = os.environ.get("PYTHONPATH", "")
    first = str(REPO) if not path else f"{REPO}{os.pathsep}{path}"
    # the bench's sweep reads a scenario of scenarios/, outside its own folder
    folders = os.pathsep.join(filter(None, [os.environ.get(SCENARIO_DIRS), str(SCENARIOS)]))
    return {**os.environ, "PYTHONPATH": first, SCENARIO_DIRS: folders}


def forlopsim(*arguments: str, cwd: Path) -> float:
    """``python -m forlopsim ARGUMENTS`` in a fresh interpreter; its wall time.

    Run from ``cwd`` outside the checkout so that ``-m`` imports the package on ``PYTHONPATH``.
    """
    command = [sys.executable, "-m", "forlopsim", *arguments]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=fresh_env(), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(arguments)} failed ({done.returncode}): {done.stderr}")
    return seconds


# -- steps ----------------------------------------------------------------------------------------


def replication(repeats: int) -> dict[str, Any]:
    """The calibrated baseline's replication in its parts, then ``run_one`` as a worker runs it."""
    scenario = load_scenario(CALIBRATED)
    seeds = replication_seeds(scenario.simulation.seed, repeats)
    meta = {
        "scenario": scenario.name,
        "replication": 0,
        "horizon_days": scenario.simulation.horizon_days,
        "warmup_days": scenario.simulation.warmup_days,
        "places": place_table(scenario),
    }
    warm_up()
    parts: dict[str, list[float]] = {"world_run": [], "records": [], "kpis": [], "run_one": []}
    events = []
    for seed in seeds:
        gc.collect()
        world, recorder, simulated = simulate(scenario, seed)
        events.append(event_counts(world.env)[1])
        world.close()
        gc.disable()  # as run_replication does while the log becomes tables
        try:
            start = time.perf_counter()
            records = recorder.records(meta)
            built = time.perf_counter() - start
        finally:
            gc.enable()
        start = time.perf_counter()
        kpis(records)
        parts["kpis"].append(time.perf_counter() - start)
        parts["world_run"].append(simulated)
        parts["records"].append(built)
        del world, recorder, records
    for i, seed in enumerate(seeds):
        gc.collect()
        parts["run_one"].append(run_one(scenario, seed, i, None, WARMUP_STEP_DAYS).seconds)
    out = {name: summary(values) for name, values in parts.items()}
    replication_s = [w + r for w, r in zip(parts["world_run"], parts["records"], strict=True)]
    out["replication"] = summary(replication_s)
    out["events"] = {"median": statistics.median(events), "all": events}
    out["horizon_days"] = scenario.simulation.horizon_days
    return out


def hearing(maximum: int, jobs: int) -> dict[str, Any]:
    """``forlopsim report`` on the README's scenarios to the hearing's precision, wall-timed."""
    files = [str(SCENARIOS / f"{name}.yaml") for name in REPORT]
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report"
        seconds = forlopsim(
            "report",
            *files,
            "--out",
            str(out),
            "--jobs",
            str(jobs),
            "--precision",
            str(HEARING_PRECISION),
            "--max-replications",
            str(maximum),
            cwd=Path(folder),
        )
        comparison = json.loads((out / "comparison.json").read_text())
    return {
        "wall_s": seconds,
        "jobs": jobs,
        "maximum": maximum,
        "precision": comparison["precision"],
        "replications": comparison["replications"],
    }


def calibration(jobs: int, evaluations: int) -> dict[str, Any]:
    """One candidate point (the start values) through the calibration's Evaluator, timed.

    The first evaluation starts the worker processes; the later ones reuse them, as the
    evaluations of a calibration do.
    """
    scenario = load_scenario(CALIBRATION_BASE)
    spec = load_parameters(CALIBRATION_PARAMETERS)
    start_at = start_values(scenario, spec.parameters)
    candidate = scenario.with_changes(changes(scenario, spec.parameters, start_at))
    replications = spec.replications or 4
    seeds = replication_seeds(scenario.simulation.seed, replications)
    seconds = []
    with Evaluator(jobs=jobs) as evaluator:
        for _ in range(evaluations):
            start = time.perf_counter()
            evaluator.kpis(candidate, seeds)
            seconds.append(time.perf_counter() - start)
    return {
        "replications": replications,
        "jobs": jobs,
        "first_s": seconds[0],
        "later": summary(seconds[1:]) if len(seconds) > 1 else None,
    }


SWEEP_BACKENDS = (("--jobs", "1"), ("--jobs", "2"), ("--dask-workers", "2"))


def sweeps(repeats: int, baseline_repeats: int, dask: bool) -> dict[str, Any]:
    """Each sweep on each backend in a fresh process and a fresh ``--out``."""
    out: dict[str, Any] = {}
    backends = [b for b in SWEEP_BACKENDS if dask or b[0] != "--dask-workers"]
    for name, spec, times in (
        ("tiny", TINY_SWEEP, repeats),
        ("baseline", BASELINE_SWEEP, baseline_repeats),
    ):
        out[name] = {"spec": str(spec.relative_to(REPO))}
        for option in backends:
            seconds = []
            for _ in range(times):
                with tempfile.TemporaryDirectory() as folder:
                    seconds.append(
                        forlopsim(
                            "sweep", str(spec), "--out", f"{folder}/o", *option, cwd=Path(folder)
                        )
                    )
            out[name][" ".join(option)] = summary(seconds)
    return out


def startup(repeats: int) -> dict[str, Any]:
    """``forlopsim --version`` and ``validate`` of the calibrated baseline, fresh interpreters."""
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        version = [forlopsim("--version", cwd=here) for _ in range(repeats)]
        validate = [forlopsim("validate", str(CALIBRATED), cwd=here) for _ in range(repeats)]
    return {"version": summary(version), "validate": summary(validate)}


def engine_run(days: float, scale: float, repeat: int, stop: bool = False) -> list[dict]:
    """``bench/engine_run.py`` in a fresh interpreter: its runs."""
    command = [sys.executable, str(BENCH / "engine_run.py"), str(CALIBRATED)]
    command += ["--days", str(days), "--scale", str(scale), "--repeat", str(repeat)]
    command += ["--stop-before-run"] if stop else []
    done = subprocess.run(command, cwd=REPO, env=fresh_env(), check=True, capture_output=True)
    return json.loads(done.stdout.decode().strip().splitlines()[-1])["runs"]


def growth_exponent(sizes: list[float], values: list[float]) -> float:
    """Slope of the least-squares line of log(value) on log(size)."""
    slope, _ = np.polyfit(np.log(sizes), np.log(values), 1)
    return float(slope)


def scaling(days: float, repeat: int) -> dict[str, Any]:
    """Wall time of ``World.run()`` per event at each population factor (min over ``repeat``)."""
    rows = []
    for factor in FACTORS:
        runs = engine_run(days, factor, repeat)
        per_event = [r["seconds"] / r["processed"] for r in runs]
        rows.append(
            {
                "factor": factor,
                "events": statistics.median(r["processed"] for r in runs),
                "seconds": summary([r["seconds"] for r in runs]),
                "per_event_s": summary(per_event),
            }
        )
    mins = [r["per_event_s"]["min"] for r in rows]
    return {
        "days": days,
        "rows": rows,
        "growth_8x": mins[-1] / mins[0],
        "exponent": growth_exponent(list(FACTORS), mins),
    }


def instructions(days: float, scale: float, stop: bool) -> tuple[int, list[dict]]:
    """Instructions of ``engine_run.py`` under callgrind (its whole process), and its runs."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
        command += [sys.executable, str(BENCH / "engine_run.py"), str(CALIBRATED)]
        command += ["--days", str(days), "--scale", str(scale)]
        command += ["--stop-before-run"] if stop else []
        env = fresh_env() | {"PYTHONHASHSEED": "0"}
        done = subprocess.run(command, cwd=REPO, env=env, check=True, capture_output=True)
        runs = json.loads(done.stdout.decode().strip().splitlines()[-1])["runs"]
        for line in out.read_text().splitlines():
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1]), runs
    raise RuntimeError(f"no instruction total in callgrind's output for {command}")


def callgrind(
    scaling_days: float, factors: tuple[int, ...], baseline_days: float = CALLGRIND_DAYS
) -> dict[str, Any]:
    """Instructions of ``World.run()`` for the baseline (1,500 days) and each population factor.

    A run's count less that of the same script stopping before ``run()`` (imports, loading
    and building the world, which has no residents until ``run()``; counted once per horizon).
    ``PYTHONHASHSEED=0`` so that string hashing is the same in every counted process.
    """
    if shutil.which("valgrind") is None:
        return {"skipped": "valgrind not found"}
    rows = []
    before: dict[float, int] = {}
    counted: dict[tuple[float, int], tuple[int, list[dict]]] = {}
    for days, factor in [(baseline_days, 1)] + [(scaling_days, f) for f in factors]:
        if (days, factor) not in counted:
            counted[days, factor] = instructions(days, factor, False)
        total, runs = counted[days, factor]
        if days not in before:  # the population is built in run(): the rest does not scale
            before[days] = instructions(days, factor, True)[0]
        events = runs[0]["processed"]
        rows.append(
            {
                "days": days,
                "factor": factor,
                "instructions": total - before[days],
                "events": events,
                "per_event": (total - before[days]) / events,
            }
        )
    scaled = rows[1:]
    out: dict[str, Any] = {"rows": rows}
    if len(scaled) > 1:
        per = [r["per_event"] for r in scaled]
        out["growth"] = per[-1] / per[0]
        out["exponent"] = growth_exponent([r["factor"] for r in scaled], per)
    return out


# -- the report -----------------------------------------------------------------------------------


def seconds_cell(figures: dict[str, Any] | None) -> str:
    """``min / median s``."""
    if not figures:
        return "–"
    return f"{figures['min']:.3f} / {figures['median']:.3f} s"


def targets(result: dict[str, Any]) -> list[tuple[str, str, str, bool | None]]:
    """(target, measured, limit, met) for each of issue 18's targets whose step ran."""
    rows: list[tuple[str, str, str, bool | None]] = []
    if "hearing" in result:
        h = result["hearing"]
        precision = h["precision"] or {}
        reached = precision.get("reason") == "precision"
        measured = f"{h['wall_s']:.0f} s, {h['replications']} replications"
        if not reached:
            measured += f" (maximum {h['maximum']}, precision not reached)"
        met = h["wall_s"] <= TARGETS["hearing_s"] and reached
        rows.append(
            (f"report at the hearing's precision, --jobs {h['jobs']}", measured, "≤ 60 s", met)
        )
    if "replication" in result:
        r = result["replication"]["replication"]
        rows.append(
            (
                "one replication of the calibrated baseline (World.run + records), min",
                f"{r['min']:.2f} s (median {r['median']:.2f} s)",
                "≤ 1.0 s",
                r["min"] <= TARGETS["replication_s"],
            )
        )
    if "startup" in result:
        for key, label, limit in (
            ("version", "forlopsim --version, median", "version_s"),
            ("validate", "forlopsim validate trondheim_calibrated.yaml, median", "validate_s"),
        ):
            s = result["startup"][key]
            rows.append(
                (
                    label,
                    f"{s['median']:.2f} s",
                    f"≤ {TARGETS[limit]} s",
                    s["median"] <= TARGETS[limit],
                )
            )
    if "scaling" in result:
        g = result["scaling"]["growth_8x"]
        rows.append(
            (
                "wall time per event at 8× the population ÷ at 1×",
                f"{g:.2f}× (exponent {result['scaling']['exponent']:.3f})",
                "≤ 1.25×",
                g <= TARGETS["per_event_growth_8x"],
            )
        )
    if "mmc" in result:
        ways = result["mmc"]["ways"]
        ratio = ways["forlopsim"]["customers_per_second"] / ways["ciw"]["customers_per_second"]
        rows.append(
            (
                "M/M/c: forlopsim ÷ Ciw customers/s",
                f"{ratio:.2f}×",
                "≥ 1.2×",
                ratio >= TARGETS["mmc_vs_ciw"],
            )
        )
    return rows


Table = tuple[str, list[str], list[list[str]]]
"""A table of the report: title, header, rows."""


def replication_table(r: dict[str, Any]) -> Table:
    """The calibrated baseline's replication in its parts."""
    rows = [
        ["one replication (World.run + records)", seconds_cell(r["replication"])],
        ["  World.run()", seconds_cell(r["world_run"])],
        ["  records → DataFrames", seconds_cell(r["records"])],
        ["kpis() on its records", seconds_cell(r["kpis"])],
        ["run_one (replication, KPIs, occupancy series; as a worker)", seconds_cell(r["run_one"])],
        ["SimPy events processed per replication, median", f"{r['events']['median']:,.0f}"],
        [
            "  World.run() per event, min",
            f"{r['world_run']['min'] / r['events']['median'] * 1e6:.2f} µs",
        ],
    ]
    n = len(r["world_run"]["all"])
    return f"Calibrated baseline, {n} replications (min / median)", ["measure", "value"], rows


def hearing_table(h: dict[str, Any]) -> Table:
    """The report run to the hearing's precision."""
    p = h["precision"] or {}
    achieved = p.get("achieved")
    rows = [
        ["wall time", f"{h['wall_s']:.1f} s"],
        ["replications per scenario", f"{h['replications']}"],
        ["stopped because", f"{p.get('reason', '–')}"],
        ["widest headline half-width ÷ base", f"{achieved:.1%}" if achieved is not None else "–"],
        ["least precise", f"{p.get('least_precise', '–')}"],
    ]
    title = (
        f"forlopsim report, 6 scenarios, --precision {HEARING_PRECISION} "
        f"--max-replications {h['maximum']} --jobs {h['jobs']}"
    )
    return title, ["measure", "value"], rows


def calibration_table(c: dict[str, Any]) -> Table:
    """One candidate point of a calibration."""
    rows = [
        ["first evaluation (starts the workers)", f"{c['first_s']:.2f} s"],
        ["later evaluations (workers kept)", seconds_cell(c["later"])],
    ]
    title = f"One calibration evaluation: {c['replications']} replications, {c['jobs']} workers"
    return title, ["measure", "value"], rows


def sweeps_table(result: dict[str, Any]) -> Table:
    """Each sweep on each backend."""
    rows = [
        [f"{figures['spec']} {option}", seconds_cell(times)]
        for figures in result.values()
        for option, times in figures.items()
        if option != "spec"
    ]
    return "Sweeps, whole command (min / median)", ["sweep", "wall time"], rows


def startup_table(s: dict[str, Any]) -> Table:
    """CLI start-up."""
    rows = [
        ["forlopsim --version", seconds_cell(s["version"])],
        ["forlopsim validate scenarios/trondheim_calibrated.yaml", seconds_cell(s["validate"])],
    ]
    return "CLI start-up, fresh interpreter (min / median)", ["command", "wall time"], rows


def mmc_table(m: dict[str, Any]) -> Table:
    """The M/M/c queue three ways, and the ratio to hand-written SimPy as information."""
    ways = m["ways"]
    rows = [
        [
            name,
            f"{way['customers']:,}",
            f"{way['seconds']:.2f} s",
            f"{way['customers_per_second']:,.0f}/s",
            f"{way['mean_wait']:.4f}",
            f"{m['erlang_c_wait']:.4f}",
        ]
        for name, way in ways.items()
    ]
    ratio = ways["forlopsim"]["customers_per_second"] / ways["simpy"]["customers_per_second"]
    rows.append(["forlopsim ÷ hand-written SimPy (information)", "", "", f"{ratio:.2f}×", "", ""])
    header = ["way", "customers", "time", "customers/s", "mean wait (days)", "Erlang C"]
    return "M/M/10, λ = 9/day, μ = 1/day, 20,000 days (best of the repeats)", header, rows


def scaling_table(scale: dict[str, Any], grind: dict[str, Any] | None) -> Table:
    """Wall time and instructions per event at each population factor."""
    counted = {r["factor"]: r for r in (grind or {}).get("rows", [])[1:]}
    rows = []
    for row in scale["rows"]:
        c = counted.get(row["factor"])
        rows.append(
            [
                f"×{row['factor']}",
                f"{row['events']:,.0f}",
                seconds_cell(row["seconds"]),
                f"{row['per_event_s']['min'] * 1e6:.2f} µs",
                f"{c['per_event'] / 1e3:.1f} k" if c else "–",
            ]
        )
    counts = "–"
    if grind and "growth" in grind:
        counts = f"{grind['growth']:.2f}×; {grind['exponent']:.3f}"
    growth = f"{scale['growth_8x']:.2f}×; {scale['exponent']:.3f}"
    rows.append(["growth ×8 ÷ ×1; log–log exponent", "", "", growth, counts])
    header = ["population", "events", "World.run (min / median)", "wall per event, min"]
    header.append("instructions per event")
    return f"Population scaling, World.run() of {scale['days']:.0f} days", header, rows


def callgrind_table(grind: dict[str, Any]) -> Table:
    """Instructions of the baseline's ``World.run()``."""
    r = grind["rows"][0]
    rows = [
        ["instructions of World.run()", f"{r['instructions'] / 1e6:,.1f} M"],
        ["SimPy events processed", f"{r['events']:,}"],
        ["instructions per event", f"{r['per_event'] / 1e3:.1f} k"],
    ]
    title = f"Instructions (callgrind), calibrated baseline, {r['days']:.0f} days"
    return title, ["measure", "value"], rows


def tables(result: dict[str, Any]) -> list[Table]:
    """The report as (title, header, rows), for the steps that ran."""
    builders: list[tuple[str, Callable[[Any], Table]]] = [
        ("replication", replication_table),
        ("hearing", hearing_table),
        ("calibration", calibration_table),
        ("sweeps", sweeps_table),
        ("startup", startup_table),
        ("mmc", mmc_table),
    ]
    out = [build(result[key]) for key, build in builders if key in result]
    grind = result.get("callgrind")
    if "scaling" in result:
        out.append(scaling_table(result["scaling"], grind))
    if grind and grind.get("rows"):
        out.append(callgrind_table(grind))
    rows = [
        [t, v, lim, "–" if ok is None else "yes" if ok else "NO"]
        for t, v, lim, ok in targets(result)
    ]
    if rows:
        out.append(("Issue 18 targets", ["target", "measured", "limit", "met"], rows))
    return out


def show(result: dict[str, Any], markdown: bool) -> None:
    """The tables on the terminal, or as Markdown for bench/README.md."""
    show_tables("forlopsim: what users wait for", result["machine"], tables(result), markdown)


STEPS = (
    "replication",
    "hearing",
    "calibration",
    "sweeps",
    "startup",
    "mmc",
    "scaling",
    "callgrind",
)


def plan(args: argparse.Namespace) -> list[tuple[str, Callable[[], Any]]]:
    """The steps to run, with the repeats of a full or a ``--quick`` run."""
    quick = args.quick
    repeats = args.repeats or (1 if quick else 3)
    scaling_days = args.scaling_days or (60.0 if quick else 365.0)
    factors = (1, 2) if quick else FACTORS
    steps: dict[str, Callable[[], Any]] = {
        "replication": lambda: replication(repeats),
        "hearing": lambda: hearing(args.max_replications, args.jobs),
        "calibration": lambda: calibration(args.jobs, 2 if quick else 3),
        "sweeps": lambda: sweeps(1 if quick else 3, 1, not args.no_dask),
        "startup": lambda: startup(2 if quick else 5),
        "mmc": lambda: bench_mmc(1 if quick else 2),
        "scaling": lambda: scaling(scaling_days, repeats),
        "callgrind": lambda: callgrind(
            scaling_days, factors, scaling_days if quick else CALLGRIND_DAYS
        ),
    }
    chosen = args.only.split(",") if args.only else [s for s in STEPS if s != "hearing"]
    if args.hearing and "hearing" not in chosen:
        chosen.append("hearing")
    if args.quick and not args.only:
        chosen = [s for s in chosen if s != "callgrind"] + ["callgrind"]
    unknown = [s for s in chosen if s not in steps]
    if unknown:
        raise SystemExit(
            f"--only: unknown step {', '.join(unknown)}; expected some of {', '.join(STEPS)}"
        )
    return [(name, steps[name]) for name in chosen]


def main(argv: list[str] | None = None) -> int:
    """Run the chosen steps (or show saved runs), print the tables, write ``--json``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument(
        "--show", type=Path, nargs="+", help="print saved --json runs (merged), run nothing"
    )
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: one repeat, short scaling"
    )
    parser.add_argument("--only", help=f"comma-separated steps of: {', '.join(STEPS)}")
    parser.add_argument(
        "--hearing", action="store_true", help="also run the report to the hearing's precision"
    )
    parser.add_argument(
        "--max-replications", type=int, default=100, help="the hearing run's maximum"
    )
    parser.add_argument(
        "--jobs", type=int, default=2, help="workers of the hearing run and the calibration"
    )
    parser.add_argument("--repeats", type=int, help="repeats of the replication and scaling steps")
    parser.add_argument("--scaling-days", type=float, help="horizon of the scaling runs")
    parser.add_argument("--no-dask", action="store_true", help="sweeps on local workers only")
    args = parser.parse_args(argv)
    if args.show is not None:
        merged: dict[str, Any] = {}
        for path in args.show:
            merged |= json.loads(path.read_text())
        show(merged, args.markdown)
        return 0

    result: dict[str, Any] = {"machine": machine(), "args": vars(args) | {"json": str(args.json)}}
    result["steps"] = {}
    for key, step in plan(args):
        print(f"running {key} (load {os.getloadavg()[0]:.2f}) …", file=sys.stderr, flush=True)
        gc.collect()
        started = time.perf_counter()
        try:
            result[key] = step()
        except (RuntimeError, subprocess.CalledProcessError) as error:  # keep the other steps
            print(f"{key} failed: {error}", file=sys.stderr)
            result["steps"][key] = {"failed": str(error)}
            continue
        result["steps"][key] = {
            "seconds": time.perf_counter() - started,
            "loadavg_1min_at_end": os.getloadavg()[0],
        }
        if args.json is not None:  # after each step, so that a stopped run keeps what it did
            args.json.write_text(json.dumps(result, indent=1, default=str) + "\n")
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
