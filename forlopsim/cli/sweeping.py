"""What ``sweep`` and ``sensitivity`` share, so that no command imports another's module.

Choosing the backend, running or resuming the sweep with progress, and what a stopped sweep says.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from forlopsim.backends import backend_for
from forlopsim.cli import stopped, stopped_status
from forlopsim.sweep.design import design_table
from forlopsim.sweep.progress import SweepProgress
from forlopsim.sweep.run import run_sweep
from forlopsim.sweep.spec import Sweep, load_spec
from forlopsim.text import plural


def default_out(spec: Path) -> Path:
    """``sweep-<stem>`` in the current folder."""
    return Path(f"sweep-{spec.stem}")


def sweep_and_report(args: argparse.Namespace) -> tuple[Sweep, pd.DataFrame, Path]:
    """Load the spec, run or resume the sweep with progress, and say what was done."""
    sweep = load_spec(args.spec)
    out = args.out or default_out(args.spec)
    backend = backend_for(args)
    start = time.perf_counter()
    with SweepProgress() as show:
        results = run_sweep(sweep, out, backend, on_progress=show, force=args.force)
    points = len(design_table(sweep))
    print(
        f"{sweep.spec.name}: {plural(points, 'point')} × "
        f"{plural(sweep.replications, 'replication')} "
        f"(seed {sweep.seed}) in {out}/ ({time.perf_counter() - start:.1f} s)"
    )
    return sweep, results, out


def say_interrupted(stop: KeyboardInterrupt) -> int:
    """Tell the user that a stopped sweep kept its finished replications; the exit status."""
    print(
        f"forlopsim: {stopped(stop)}; finished replications are kept, run again to resume",
        file=sys.stderr,
    )
    return stopped_status(stop)
