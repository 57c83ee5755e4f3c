"""``forlopsim sweep SPEC.yaml``: run or resume a sweep on local processes or a Dask cluster."""

from __future__ import annotations

import argparse
from pathlib import Path

from forlopsim.cli.options import add_sweep_options
from forlopsim.cli.sweeping import say_interrupted, sweep_and_report

DESCRIPTION = (
    "Run every point of a SPEC file's design for its replications, with common random numbers, "
    "and store each finished replication under --out (journal.jsonl while it runs, then "
    "results/results.parquet), with design.csv, "
    "sweep.json and, at the end, points.csv (the mean per point). A sweep that is stopped "
    "resumes where it stopped when run again with the same --out; a changed spec is refused."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``SPEC`` and the sweep options."""
    parser.add_argument("spec", type=Path, metavar="SPEC", help="the sweep's SPEC.yaml")
    add_sweep_options(parser)


def command(args: argparse.Namespace) -> int:
    """Run or resume the sweep; an interruption keeps what finished."""
    try:
        sweep_and_report(args)
    except KeyboardInterrupt as stop:
        return say_interrupted(stop)
    return 0
