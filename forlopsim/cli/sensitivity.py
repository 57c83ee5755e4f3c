"""``forlopsim sensitivity SPEC.yaml``: run or resume a Sobol sweep, then its Sobol indices.

Writes ``sobol.csv`` (one row per KPI and parameter), ``sobol.json`` (the same with the run
facts and the KPIs left out) and ``sobol.png`` (the bar chart) beside the sweep's results.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from rich.console import Console
from rich.table import Table

from forlopsim.cli.options import add_sweep_options
from forlopsim.cli.sweeping import default_out, say_interrupted, sweep_and_report
from forlopsim.outfolder import locked
from forlopsim.output import atomic_file, finite
from forlopsim.sensitivity.analysis import CONFIDENCE, require_sobol, sobol_indices
from forlopsim.sensitivity.chart import sobol_chart
from forlopsim.sweep.spec import Sweep, load_spec
from forlopsim.text import plural

DESCRIPTION = (
    "Run (or resume) the sweep of a SPEC file whose design is sobol, then compute each KPI's "
    "first-order and total Sobol indices with 95% confidence intervals (SALib) from the mean "
    "over replications per point. Writes sobol.csv, sobol.json and sobol.png (a bar chart) "
    "under --out, beside the sweep's results."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``SPEC`` and the sweep options."""
    parser.add_argument("spec", type=Path, metavar="SPEC", help="the sweep's SPEC.yaml")
    add_sweep_options(parser)


def command(args: argparse.Namespace) -> int:
    """Check the design, run or resume the sweep, analyse, print and write the indices."""
    require_sobol(load_spec(args.spec))  # before the sweep runs
    with locked(args.out or default_out(args.spec)):  # the sweep and the indices, one writer
        try:
            sweep, results, out = sweep_and_report(args)
        except KeyboardInterrupt as stop:
            return say_interrupted(stop)
        table, skipped = sobol_indices(sweep, results)
        write_indices(out, sweep, table, skipped)
    print_indices(table, skipped)
    print(f"Sobol indices written to {out}/sobol.csv, sobol.json, sobol.png")
    return 0


def footnote(sweep: Sweep) -> str:
    """What the indices rest on: base sample, points, replications, seed, interval."""
    n = sweep.spec.design.samples
    return (
        f"Saltelli sample N = {n}; mean of {plural(sweep.replications, 'replication')} per "
        "point, seed "
        f"{sweep.seed}; bars: {CONFIDENCE:.0%} bootstrap intervals (SALib)"
    )


def write_indices(out: Path, sweep: Sweep, table: pd.DataFrame, skipped: dict[str, str]) -> None:
    """``sobol.csv``, ``sobol.json`` and ``sobol.png``, each written atomically."""
    with atomic_file(out / "sobol.csv") as tmp:
        table.to_csv(tmp, index=False)
    document = {
        "name": sweep.spec.name,
        "spec_file": str(sweep.path),
        "samples": sweep.spec.design.samples,
        "replications": sweep.replications,
        "seed": sweep.seed,
        "confidence": CONFIDENCE,
        "parameters": sweep.parameters,
        "indices": {
            kpi: {
                row["parameter"]: {
                    k: finite(v) for k, v in row.items() if k not in ("kpi", "parameter")
                }
                for row in rows.to_dict("records")
            }
            for kpi, rows in table.groupby("kpi", sort=False)
        },
        "skipped": skipped,
    }
    with atomic_file(out / "sobol.json") as tmp:
        tmp.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    if len(table):
        figure = sobol_chart(table, f"Sobol indices: {sweep.spec.name}", footnote(sweep))
        with atomic_file(out / "sobol.png") as tmp:
            figure.savefig(tmp, format="png", dpi=120)
        plt.close(figure)


def print_indices(table: pd.DataFrame, skipped: dict[str, str]) -> None:
    """A rich table: KPI, parameter, S1 ± and ST ±."""
    view = Table(title="Sobol indices (95% CI half-width)")
    for column in ("KPI", "parameter", "S1", "ST"):
        view.add_column(column, justify="left" if column in ("KPI", "parameter") else "right")
    for row in table.itertuples():
        view.add_row(
            str(row.kpi),
            str(row.parameter),
            f"{row.S1:.3f} ± {row.S1_conf:.3f}",
            f"{row.ST:.3f} ± {row.ST_conf:.3f}",
        )
    Console(width=140).print(view)
    for kpi, reason in skipped.items():
        print(f"  {kpi}: left out ({reason})")
