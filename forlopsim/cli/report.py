"""``forlopsim report``: the budget-hearing report for a base scenario and its what-ifs.

It runs exactly what ``forlopsim compare`` runs (same validation: a bad file or option ends
with status 2 and nothing written), writes the comparison's files as ``compare --out`` does,
and adds ``report.html`` (self-contained), ``report.pdf``, ``report.json`` (the numbers of
the report's tables) and ``report.xlsx`` (the key tables, one sheet each). Everything is written atomically. The charts need the event records;
with ``--no-records`` they are read from the staging folder and left out of ``--out``.
"""

from __future__ import annotations

import argparse
import shutil

from forlopsim.backends import backend_for
from forlopsim.cli.common import print_run_notes, run_comparison, run_study, uncertainty_spec
from forlopsim.cli.options import (
    add_base_and_whatifs,
    add_precision_options,
    add_run_options,
    add_uncertainty_options,
)
from forlopsim.comparison import check_folder_names, labels_for, records_folder, write_comparison
from forlopsim.output import check_out_dir, staging
from forlopsim.report import workbook
from forlopsim.report.data import collect
from forlopsim.report.document import write
from forlopsim.report.i18n import LANGUAGES, Language
from forlopsim.scenario import load_scenarios
from forlopsim.uncertainty.files import write_uncertainty

DESCRIPTION = (
    "Run a base scenario and what-ifs with common random numbers (as `forlopsim compare`) and "
    "write, under --out, report.html (self-contained), report.pdf, report.json and report.xlsx (the key tables) beside the "
    "comparison's files: a plain-language summary per what-if, the key-figure tables, charts "
    "and the assumptions; with --uncertainty, a chart of the what-ifs' changes over draws of the "
    "uncertain parameters."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``BASE WHATIF…``, ``--lang`` and the run options."""
    add_base_and_whatifs(parser)
    parser.add_argument(
        "--lang", choices=LANGUAGES, default="nb", help="language of the report (default: nb)"
    )
    add_run_options(parser, out_help="folder for the report and the comparison's files")
    add_precision_options(parser)
    add_uncertainty_options(parser)


def command(args: argparse.Namespace) -> int:
    """Validate, run every scenario with CRN, write the comparison files and the report."""
    paths = [args.base, *args.whatifs]
    scenarios = load_scenarios(paths)
    uncertain = uncertainty_spec(args, scenarios)
    check_out_dir(args.out)
    lang = Language(args.lang)
    labels = labels_for(scenarios, [p.stem for p in paths])
    check_folder_names(labels, paths)
    base = scenarios[0]
    replications = args.replications or base.simulation.replications
    seed = base.simulation.seed if args.seed is None else args.seed
    with staging(args.out, "report", args.force) as folder:
        with backend_for(args) as backend:  # one cluster or pool for the comparison and the study
            comparison, metas, checks = run_comparison(
                scenarios, labels, replications, seed, args.jobs, folder,
                args.precision, args.max_replications, backend,
            )  # fmt: skip
            if uncertain is not None:
                comparison.uncertainty = run_study(
                    uncertain, scenarios, labels, replications, args.draws, seed, backend
                )
        write_comparison(folder, comparison, metas, checks, paths)
        if comparison.uncertainty is not None:
            write_uncertainty(folder, comparison.uncertainty, args.uncertainty)
        data = collect(comparison, folder)
        write(data, lang, folder)
        workbook.write(data, lang, folder)
        if args.no_records:
            for label in comparison.scenarios:
                shutil.rmtree(records_folder(folder, label), ignore_errors=True)
    print_run_notes(comparison, metas)
    print(
        f"Report written to {args.out}/report.html, {args.out}/report.pdf and "
        f"{args.out}/{workbook.FILE}"
    )
    return 0
