"""``forlopsim run``: replications of one scenario, a KPI table, and results on disk."""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

import forlopsim
from forlopsim.errors import UsageError
from forlopsim.experiment import (
    WARMUP_STEP_DAYS,
    ReplicationResult,
    WarmupWarning,
    occupancy_table,
    replication_table,
    run_replications,
    summarise,
    warmup_check,
    warn_if_warmup_short,
)
from forlopsim.output import check_out_dir, staging, write_summary
from forlopsim.progress import ProgressView
from forlopsim.scenario import Scenario, load_scenario
from forlopsim.table import print_table


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
        description="Run a scenario's replications, print the headline KPIs (mean and 95% CI) "
        "and write summary.json, summary.csv, replications.csv, scenario.json, warmup.csv and "
        "the event records (Parquet) under --out. Warns on stderr when a place's occupancy "
        "settles only after the warm-up (MSER-5).",
    )
    run.add_argument("scenario", type=Path, metavar="SCENARIO")
    add_run_options(run)
    run.set_defaults(command=run_command)


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """The options ``run`` and ``compare`` share."""
    parser.add_argument(
        "--replications", "-n", type=whole_number(1), help="default: the (base) scenario's"
    )
    parser.add_argument(
        "--seed", type=whole_number(0), help="root seed (default: the (base) scenario's)"
    )
    parser.add_argument(
        "--jobs", "-j", type=whole_number(1), default=os.cpu_count() or 1, help="worker processes"
    )
    parser.add_argument(
        "--out", type=Path, help="folder for results (nothing is written without it)"
    )
    parser.add_argument(
        "--no-records", action="store_true", help="do not write the event records (Parquet)"
    )


def run_command(args: argparse.Namespace) -> int:
    """Validate everything, run, print the table, then write the results atomically."""
    scenario = load_scenario(args.scenario)
    if args.out is not None:
        check_out_dir(args.out)
    replications = args.replications or scenario.simulation.replications
    seed = scenario.simulation.seed if args.seed is None else args.seed
    if args.out is None:
        summary, meta, table, warmup = _simulate(scenario, replications, seed, args.jobs, None)
    else:
        with staging(args.out) as folder:
            records = None
            if not args.no_records:
                records = folder / "records"
                records.mkdir()
            summary, meta, table, warmup = _simulate(
                scenario, replications, seed, args.jobs, records
            )
            write_summary(folder, meta | {"scenario_file": str(args.scenario)}, summary, table)
            write_scenario(folder, scenario, warmup)
    print_table(summary, run_title(scenario.name, scenario, replications, seed))
    print_warnings(meta["warmup_warnings"])
    if args.out is not None:
        print(f"Results written to {args.out}/")
    return 0


def run_title(name: str, scenario: Scenario, replications: int, seed: int) -> str:
    """The first line of a KPI table: what ran, how often, over how many observed years."""
    years = (scenario.simulation.horizon_days - scenario.simulation.warmup_days) / 365.25
    return f"{name}: {replications} replications, seed {seed}, {years:.1f} observed years"


def _simulate(scenario, replications, seed, jobs, records_dir):
    start = time.perf_counter()
    with progress(replications) as advance:
        results = run_replications(
            scenario, replications, seed, jobs, records_dir, advance, WARMUP_STEP_DAYS
        )
    table = replication_table(results)
    summary = summarise(table)
    warmup, messages = check_warmup(scenario, results)
    meta = run_meta(scenario, replications, seed, jobs, results, time.perf_counter() - start)
    meta["warmup_warnings"] = messages
    return summary, meta, table, warmup


def run_meta(
    scenario: Scenario,
    replications: int,
    seed: int,
    jobs: int,
    results: list[ReplicationResult],
    wall_seconds: float,
) -> dict:
    """The run facts written at the top of ``summary.json``."""
    return {
        "scenario": scenario.name,
        "replications": replications,
        "seed": seed,
        "jobs": jobs,
        "horizon_days": scenario.simulation.horizon_days,
        "warmup_days": scenario.simulation.warmup_days,
        "forlopsim_version": forlopsim.__version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_seconds": round(wall_seconds, 3),
        "seconds_per_replication": round(sum(r.seconds for r in results) / len(results), 3),
    }


def check_warmup(
    scenario: Scenario, results: list[ReplicationResult], label: str = ""
) -> tuple[pd.DataFrame, list[str]]:
    """The MSER-5 warm-up check of a scenario's replications, and its warnings' messages
    (collected here, printed by :func:`print_warnings`)."""
    check = warmup_check(occupancy_table(results), scenario.simulation.warmup_days)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WarmupWarning)
        messages = warn_if_warmup_short(check, label)
    return check, messages


def print_warnings(messages: list[str]) -> None:
    """Warnings go to stderr, one line each, after the table."""
    for message in messages:
        print(f"forlopsim: warning: {message}", file=sys.stderr)


def write_scenario(folder: Path, scenario: Scenario, warmup: pd.DataFrame) -> None:
    """``scenario.json`` (the resolved scenario that ran) and ``warmup.csv`` (the MSER-5 check)."""
    (folder / "scenario.json").write_text(scenario.model_dump_json(indent=2) + "\n")
    warmup.to_csv(folder / "warmup.csv", index=False)


class progress:
    """Replications done: ``with progress(n) as advance: … advance(result)``."""

    def __init__(self, total: int):
        self.view = ProgressView("replications", total)
        self.done = 0

    def __enter__(self) -> Callable[[ReplicationResult], None]:
        self.view.__enter__()
        return self.advance

    def advance(self, result: ReplicationResult) -> None:
        self.done += 1
        line = f"replication {self.done}/{self.view.total} done ({result.seconds:.1f} s)"
        self.view.update(self.done, line=line)

    def __exit__(self, *exc: object) -> None:
        self.view.__exit__(*exc)


__all__ = ["UsageError", "add_run_options", "add_run_parser", "progress", "run_command"]
