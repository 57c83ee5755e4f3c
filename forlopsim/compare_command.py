"""``forlopsim compare``: a base scenario and what-ifs, run with common random numbers.

Every file is validated before anything runs; a bad one ends the command with status 2 and
nothing written. The table shows each scenario's mean per headline KPI and each what-if's paired
difference from the base with its 95% CI, marked when the interval excludes zero. With
``--out``, each scenario gets a folder like ``forlopsim run``'s, and ``comparison.csv`` /
``comparison.json`` hold the differences; everything is written atomically.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from forlopsim.comparison import Comparison, compare_scenarios, folder_name, labels_for
from forlopsim.errors import ScenarioError
from forlopsim.experiment import WARMUP_STEP_DAYS
from forlopsim.output import check_out_dir, finite, staging, write_summary
from forlopsim.run_command import (
    add_run_options,
    check_warmup,
    print_warnings,
    progress,
    run_meta,
    run_title,
    write_scenario,
)
from forlopsim.scenario import Scenario, load_scenario
from forlopsim.table import SIGNIFICANT, comparison_table, print_wide


def add_compare_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``compare``."""
    compare = sub.add_parser(
        "compare",
        help="compare what-if scenarios with a base scenario (common random numbers)",
        description="Run a base scenario and what-ifs with the same replication seeds (common "
        "random numbers), print each scenario's headline KPIs and each what-if's paired "
        "difference from the base with its 95% CI, marking differences whose interval "
        "excludes zero. Under --out: one folder per scenario (as `forlopsim run` writes) and "
        "comparison.csv / comparison.json with the differences.",
    )
    compare.add_argument("base", type=Path, metavar="BASE", help="the base scenario file")
    compare.add_argument(
        "whatifs", type=Path, nargs="+", metavar="WHATIF", help="what-if scenario files"
    )
    add_run_options(compare)
    compare.set_defaults(command=compare_command)


def load_all(paths: list[Path]) -> list[Scenario]:
    """Load every file; report the problems of all bad files together."""
    scenarios, problems = [], []
    for path in paths:
        try:
            scenarios.append(load_scenario(path))
        except ScenarioError as error:
            problems += error.problems
    if problems:
        raise ScenarioError(problems)
    return scenarios


def compare_command(args: argparse.Namespace) -> int:
    """Validate every file, run all scenarios with CRN, print the table, write atomically."""
    paths = [args.base, *args.whatifs]
    scenarios = load_all(paths)
    if args.out is not None:
        check_out_dir(args.out)
    labels = labels_for(scenarios, [p.stem for p in paths])
    base = scenarios[0]
    replications = args.replications or base.simulation.replications
    seed = base.simulation.seed if args.seed is None else args.seed
    if args.out is None:
        comparison, metas, checks = run_comparison(
            scenarios, labels, replications, seed, args.jobs, None
        )
    else:
        with staging(args.out) as folder:
            records = None if args.no_records else folder
            comparison, metas, checks = run_comparison(
                scenarios, labels, replications, seed, args.jobs, records
            )
            write_comparison(folder, comparison, metas, checks, paths)
    title = run_title(f"{labels[0]} vs {', '.join(labels[1:])}", base, replications, seed)
    print_wide(
        comparison_table(comparison.summary(), comparison.differences(), comparison.base, title)
    )
    print(
        f"Δ: what-if − {comparison.base}, mean of the paired differences over {replications} "
        f"replications with common random numbers; {SIGNIFICANT} its 95% CI excludes 0."
    )
    print_warnings([m for meta in metas.values() for m in meta["warmup_warnings"]])
    if args.out is not None:
        print(f"Results written to {args.out}/")
    return 0


def run_comparison(scenarios, labels, replications, seed, jobs, records_dir):
    start = time.perf_counter()
    with progress(replications * len(scenarios)) as advance:
        comparison = compare_scenarios(
            scenarios[0],
            scenarios[1:],
            replications,
            seed,
            jobs,
            records_dir,
            advance,
            labels,
            WARMUP_STEP_DAYS,
        )
    wall = time.perf_counter() - start
    metas, checks = {}, {}
    for label, scenario in comparison.scenarios.items():
        results = comparison.results[label]
        checks[label], messages = check_warmup(scenario, results, label)
        metas[label] = run_meta(scenario, replications, seed, jobs, results, wall)
        metas[label] |= {"warmup_warnings": messages, "compared_with": comparison.base}
    return comparison, metas, checks


def write_comparison(
    folder: Path, comparison: Comparison, metas, checks, paths: list[Path]
) -> None:
    """One folder per scenario, and ``comparison.csv`` / ``comparison.json``."""
    summary = comparison.summary()
    files = dict(zip(comparison.scenarios, paths, strict=True))
    for label, scenario in comparison.scenarios.items():
        own = folder / folder_name(label)
        own.mkdir(exist_ok=True)
        table = comparison.tables[label]
        rows = summary[summary["scenario"] == label].drop(columns="scenario")
        meta = metas[label] | {"scenario_file": str(files[label])}
        write_summary(own, meta, rows.reset_index(drop=True), table)
        write_scenario(own, scenario, checks[label])
    differences = comparison.differences()
    differences.to_csv(folder / "comparison.csv", index=False)
    document = {
        "base": comparison.base,
        "scenarios": {
            label: {
                "name": scenario.name,
                "file": str(files[label]),
                "folder": folder_name(label),
            }
            for label, scenario in comparison.scenarios.items()
        },
        "replications": comparison.replications,
        "seed": comparison.seed,
        "common_random_numbers": True,
        "confidence": comparison.confidence,
        **{k: v for k, v in metas[comparison.base].items() if k in _SHARED_META},
        "differences": {
            label: {
                row.kpi: {
                    "base_mean": finite(row.base_mean),
                    "whatif_mean": finite(row.whatif_mean),
                    "difference": finite(row.difference),
                    "ci_low": finite(row.ci_low),
                    "ci_high": finite(row.ci_high),
                    "n": int(row.n),
                    "significant": bool(row.significant),
                }
                for row in differences[differences["scenario"] == label].itertuples()
            }
            for label in comparison.whatifs
        },
    }
    text = json.dumps(document, indent=2, ensure_ascii=False)
    (folder / "comparison.json").write_text(text + "\n")


_SHARED_META = ("jobs", "forlopsim_version", "created", "wall_seconds")
