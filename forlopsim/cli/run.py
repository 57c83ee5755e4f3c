"""``forlopsim run``: replications of one scenario, a KPI table, and results on disk."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import pandas as pd

from forlopsim.backends import Backend, backend_for
from forlopsim.cli.common import (
    check_growth,
    check_warmup,
    print_warnings,
    progress,
    run_title,
)
from forlopsim.cli.options import add_run_options
from forlopsim.experiment import WARMUP_STEP_DAYS, replication_table, run_replications, summarise
from forlopsim.output import check_out_dir, run_meta, staging, write_scenario, write_summary
from forlopsim.record_files import RECORDS_FOLDER
from forlopsim.scenario import Scenario, load_scenario
from forlopsim.table import print_table

DESCRIPTION = (
    "Run a scenario's replications, print the headline KPIs (mean and 95% CI) and write "
    "summary.json, summary.csv, replications.csv, scenario.json, warmup.csv and the event "
    "records (Parquet) under --out. Warns on stderr when a place's occupancy settles only after "
    "the warm-up (MSER-5), and when a waiting list or a place keeps growing through the "
    "observed years."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``SCENARIO`` and the run options."""
    parser.add_argument("scenario", type=Path, metavar="SCENARIO")
    add_run_options(parser)


def command(args: argparse.Namespace) -> int:
    """Validate everything, run, print the table, then write the results atomically."""
    scenario = load_scenario(args.scenario)
    if args.out is not None:
        check_out_dir(args.out)
    replications = args.replications or scenario.simulation.replications
    seed = scenario.simulation.seed if args.seed is None else args.seed
    backend = backend_for(args)
    if args.out is None:
        summary, meta, table, warmup = _simulate(scenario, replications, seed, backend, None)
    else:
        with staging(args.out, "run", args.force) as folder:
            records = None
            if not args.no_records:
                records = folder / RECORDS_FOLDER
                records.mkdir()
            summary, meta, table, warmup = _simulate(scenario, replications, seed, backend, records)
            write_summary(folder, meta | {"scenario_file": str(args.scenario)}, summary, table)
            write_scenario(folder, scenario, warmup)
    print_table(summary, run_title(scenario.name, scenario, replications, seed))
    print_warnings(meta["warmup_warnings"] + meta["growth_warnings"])
    if args.out is not None:
        print(f"Results written to {args.out}/")
    return 0


def _simulate(
    scenario: Scenario, replications: int, seed: int, backend: Backend, records_dir: Path | None
) -> tuple[pd.DataFrame, dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """Run with a progress bar: the summary, run facts, replication table and warm-up check."""
    start = time.perf_counter()
    with progress(replications, [scenario.name]) as advance:
        results = run_replications(
            scenario, replications, seed, 1, records_dir, advance, WARMUP_STEP_DAYS, backend
        )
    jobs = backend.slots
    table = replication_table(results)
    summary = summarise(table)
    warmup, messages = check_warmup(scenario, results)
    meta = run_meta(scenario, replications, seed, jobs, results, time.perf_counter() - start)
    meta["warmup_warnings"] = messages
    meta["growth_warnings"] = check_growth(scenario, results)[1]
    return summary, meta, table, warmup
