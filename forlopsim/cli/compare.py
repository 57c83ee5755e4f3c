"""``forlopsim compare``: a base scenario and what-ifs, run with common random numbers.

Every file is validated before anything runs; a bad one ends the command with status 2 and
nothing written. The table shows each scenario's mean per headline KPI and each what-if's paired
difference from the base with its 95% CI; only the headline KPIs of
:data:`forlopsim.comparison.HEADLINE_KPIS` are tested, with Holm's correction, and marked when
significant (:func:`forlopsim.table.star_note`). With
``--out``, each scenario gets a folder like ``forlopsim run``'s, and ``comparison.csv`` /
``comparison.json`` hold the differences; everything is written atomically. With
``--uncertainty SPEC``, a parameter-uncertainty study runs as well (:mod:`forlopsim.uncertainty`):
its table is printed after the comparison's and ``uncertainty.csv`` / ``uncertainty.json`` are
written beside ``comparison.csv``.
"""

from __future__ import annotations

import argparse

from forlopsim.backends import backend_for
from forlopsim.cli.common import (
    print_run_notes,
    run_comparison,
    run_study,
    run_title,
    uncertainty_spec,
)
from forlopsim.cli.options import (
    add_base_and_whatifs,
    add_precision_options,
    add_run_options,
    add_uncertainty_options,
)
from forlopsim.comparison import check_folder_names, labels_for, tested, write_comparison
from forlopsim.output import check_out_dir, staging
from forlopsim.scenario import load_scenarios
from forlopsim.table import comparison_table, print_wide, star_note
from forlopsim.text import plural
from forlopsim.uncertainty.files import uncertainty_note, uncertainty_table, write_uncertainty

DESCRIPTION = (
    "Run a base scenario and what-ifs with the same replication seeds (common random numbers), "
    "print each scenario's headline KPIs and each what-if's paired difference from the base "
    "with its 95% CI, marking the few headline differences that stay significant after Holm's "
    "correction for the number of comparisons. Under --out: one folder "
    "per scenario (as `forlopsim run` writes) and comparison.csv / comparison.json with the "
    "differences."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``BASE WHATIF…`` and the run options."""
    add_base_and_whatifs(parser)
    add_run_options(parser)
    add_precision_options(parser)
    add_uncertainty_options(parser)


def command(args: argparse.Namespace) -> int:
    """Validate every file, run all scenarios with CRN, print the table, write atomically."""
    paths = [args.base, *args.whatifs]
    scenarios = load_scenarios(paths)
    uncertain = uncertainty_spec(args, scenarios)
    if args.out is not None:
        check_out_dir(args.out)
    labels = labels_for(scenarios, [p.stem for p in paths])
    if args.out is not None:
        check_folder_names(labels, paths)
    base = scenarios[0]
    replications = args.replications or base.simulation.replications
    seed = base.simulation.seed if args.seed is None else args.seed
    precision = (args.precision, args.max_replications)
    with backend_for(args) as backend:  # one cluster or pool for the comparison and the study
        if args.out is None:
            comparison, metas, _ = run_comparison(
                scenarios, labels, replications, seed, args.jobs, None, *precision, backend
            )
            if uncertain is not None:
                comparison.uncertainty = run_study(
                    uncertain, scenarios, labels, replications, args.draws, seed, backend
                )
        else:
            with staging(args.out, "compare", args.force) as folder:
                records = None if args.no_records else folder
                comparison, metas, checks = run_comparison(
                    scenarios, labels, replications, seed, args.jobs, records, *precision,
                    backend,
                )  # fmt: skip
                write_comparison(folder, comparison, metas, checks, paths)
                if uncertain is not None:
                    comparison.uncertainty = run_study(
                        uncertain, scenarios, labels, replications, args.draws, seed, backend
                    )
                    write_uncertainty(folder, comparison.uncertainty, args.uncertainty)
    replications = comparison.replications
    title = run_title(f"{labels[0]} vs {', '.join(labels[1:])}", base, replications, seed)
    differences = comparison.differences()
    print_wide(comparison_table(comparison.summary(), differences, comparison.base, title))
    print(
        f"Δ: what-if − {comparison.base}, mean of the paired differences over "
        f"{plural(replications, 'replication')} with common random numbers; "
        + star_note(tested(differences))
    )
    if comparison.uncertainty is not None:
        print_wide(uncertainty_table(comparison.uncertainty))
        print(uncertainty_note(comparison.uncertainty))
    print_run_notes(comparison, metas)
    if args.out is not None:
        print(f"Results written to {args.out}/")
    return 0
