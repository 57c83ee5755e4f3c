"""``forlopsim sweep SPEC.yaml``: run or resume a sweep on local processes or a Dask cluster."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from forlopsim.run_command import whole_number
from forlopsim.sweep.backends import Backend, DaskBackend, LocalBackend
from forlopsim.sweep.design import design_table
from forlopsim.sweep.progress import SweepProgress
from forlopsim.sweep.run import run_sweep
from forlopsim.sweep.spec import Sweep, load_spec

INTERRUPTED = 130


def add_sweep_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``sweep``."""
    sweep = sub.add_parser(
        "sweep",
        help="run a design over scenario parameters (grid, Latin hypercube or Sobol)",
        description="Run every point of a SPEC file's design for its replications, with common "
        "random numbers, and store each finished replication under --out as Parquet "
        "(results/), with design.csv, sweep.json and, at the end, points.csv (the mean per "
        "point). A sweep that is stopped resumes where it stopped when run again with the same "
        "--out; a changed spec is refused.",
    )
    sweep.add_argument("spec", type=Path, metavar="SPEC", help="the sweep's SPEC.yaml")
    add_sweep_options(sweep)
    sweep.set_defaults(command=sweep_command)


def add_sweep_options(parser: argparse.ArgumentParser) -> None:
    """The options ``sweep`` and ``sensitivity`` share."""
    parser.add_argument(
        "--out", type=Path, help="folder of the sweep's results (default: sweep-<SPEC stem>)"
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=whole_number(1),
        default=os.cpu_count() or 1,
        help="local worker processes",
    )
    dask = parser.add_mutually_exclusive_group()
    dask.add_argument(
        "--scheduler", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://host:8786"
    )
    dask.add_argument(
        "--dask-workers",
        type=whole_number(1),
        metavar="N",
        help="run on a Dask LocalCluster of N worker processes",
    )


def default_out(spec: Path) -> Path:
    """``sweep-<stem>`` in the current folder."""
    return Path(f"sweep-{spec.stem}")


def backend_for(args: argparse.Namespace) -> Backend:
    """Dask when asked for (a clear error if it is not installed), else local processes."""
    if args.scheduler is not None or args.dask_workers is not None:
        return DaskBackend(args.scheduler, args.dask_workers)
    return LocalBackend(args.jobs)


def sweep_and_report(args: argparse.Namespace) -> tuple[Sweep, pd.DataFrame, Path]:
    """Load the spec, run or resume the sweep with progress, and say what was done."""
    sweep = load_spec(args.spec)
    out = args.out or default_out(args.spec)
    backend = backend_for(args)
    start = time.perf_counter()
    with stopped_by_sigterm(), SweepProgress() as show:
        results = run_sweep(sweep, out, backend, on_progress=show)
    points = len(design_table(sweep))
    print(
        f"{sweep.spec.name}: {points} points × {sweep.replications} replications "
        f"(seed {sweep.seed}) in {out}/ ({time.perf_counter() - start:.1f} s)"
    )
    return sweep, results, out


def sweep_command(args: argparse.Namespace) -> int:
    """Run or resume the sweep; an interruption keeps what finished."""
    try:
        sweep_and_report(args)
    except KeyboardInterrupt:
        print(
            "forlopsim: interrupted; finished replications are kept, run again to resume",
            file=sys.stderr,
        )
        return INTERRUPTED
    return 0


@contextmanager
def stopped_by_sigterm() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C, so that workers are stopped and finished files kept."""

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


__all__ = ["add_sweep_options", "add_sweep_parser", "sweep_command"]
