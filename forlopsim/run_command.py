"""``forlopsim run``: replications of one scenario, a KPI table, and results on disk."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

import forlopsim
from forlopsim.errors import UsageError
from forlopsim.experiment import ReplicationResult, replication_table, run_replications, summarise
from forlopsim.output import check_out_dir, staging, write_summary
from forlopsim.scenario import load_scenario
from forlopsim.table import print_table

QUIET_SECONDS = 3.0  # not a domain number: runs shorter than this show no progress lines


def whole_number(minimum: int) -> Callable[[str], int]:
    """argparse type: a whole number of at least ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected {minimum} or more, got {value}")
        return value

    return parse


def add_run_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``run``."""
    run = sub.add_parser(
        "run",
        help="run replications of a scenario and print the headline KPIs",
        description="Run a scenario's replications, print the headline KPIs (mean and 95%% CI) "
        "and write summary.json, summary.csv, replications.csv and the event records "
        "(Parquet) under --out.",
    )
    run.add_argument("scenario", type=Path, metavar="SCENARIO")
    run.add_argument("--replications", "-n", type=whole_number(1), help="default: the scenario's")
    run.add_argument("--seed", type=whole_number(0), help="root seed (default: the scenario's)")
    run.add_argument(
        "--jobs", "-j", type=whole_number(1), default=os.cpu_count() or 1, help="worker processes"
    )
    run.add_argument("--out", type=Path, help="folder for results (nothing is written without it)")
    run.add_argument(
        "--no-records", action="store_true", help="do not write the event records (Parquet)"
    )
    run.set_defaults(command=run_command)


def run_command(args: argparse.Namespace) -> int:
    """Validate everything, run, print the table, then write the results atomically."""
    scenario = load_scenario(args.scenario)
    if args.out is not None:
        check_out_dir(args.out)
    replications = args.replications or scenario.simulation.replications
    seed = scenario.simulation.seed if args.seed is None else args.seed
    if args.out is None:
        summary, meta, table = _simulate(scenario, replications, seed, args.jobs, None)
    else:
        with staging(args.out) as folder:
            records = None
            if not args.no_records:
                records = folder / "records"
                records.mkdir()
            summary, meta, table = _simulate(scenario, replications, seed, args.jobs, records)
            write_summary(folder, meta | {"scenario_file": str(args.scenario)}, summary, table)
            (folder / "scenario.json").write_text(scenario.model_dump_json(indent=2) + "\n")
    title = (
        f"{scenario.name}: {replications} replications, seed {seed}, "
        f"{(scenario.simulation.horizon_days - scenario.simulation.warmup_days) / 365.25:.1f} "
        "observed years"
    )
    print_table(summary, title)
    if args.out is not None:
        print(f"Results written to {args.out}/")
    return 0


def _simulate(scenario, replications, seed, jobs, records_dir):
    start = time.perf_counter()
    with _progress(replications) as advance:
        results = run_replications(scenario, replications, seed, jobs, records_dir, advance)
    table = replication_table(results)
    summary = summarise(table)
    meta = {
        "scenario": scenario.name,
        "replications": replications,
        "seed": seed,
        "jobs": jobs,
        "horizon_days": scenario.simulation.horizon_days,
        "warmup_days": scenario.simulation.warmup_days,
        "forlopsim_version": forlopsim.__version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_seconds": round(time.perf_counter() - start, 3),
        "seconds_per_replication": round(sum(r.seconds for r in results) / len(results), 3),
    }
    return summary, meta, table


class _progress:
    """A progress bar on a terminal; plain lines elsewhere once a run lasts a few seconds."""

    def __init__(self, total: int):
        self.total = total
        self.done = 0
        self.start = time.perf_counter()
        self.console = Console(stderr=True)
        self.bar: Progress | None = None

    def __enter__(self):
        if self.console.is_terminal:
            self.bar = Progress(
                TextColumn("replications"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self.task = self.bar.add_task("run", total=self.total)
            self.bar.start()
        return self.advance

    def advance(self, result: ReplicationResult) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.advance(self.task)
        elif time.perf_counter() - self.start > QUIET_SECONDS:
            print(
                f"replication {self.done}/{self.total} done ({result.seconds:.1f} s)",
                file=sys.stderr,
                flush=True,
            )

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


__all__ = ["UsageError", "add_run_parser", "run_command"]
