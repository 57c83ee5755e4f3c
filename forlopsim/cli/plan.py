"""``forlopsim plan``: search capacities for the best plan within a budget, resumably."""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from forlopsim.cli import stopped_with_log
from forlopsim.cli.options import FORCE, OUT, add_backend_options, add_jobs, whole_number
from forlopsim.errors import Problem, ScenarioError

DESCRIPTION = (
    "Search the capacities named in SPEC (dotted paths with bounds and steps) for the plan "
    "with the lowest objective KPI that meets the constraints and the budget, with Optuna under "
    "common random numbers; confirm the best few by paired comparison with more replications. "
    "Every evaluation is logged under --out, so a stopped plan resumes when the same command "
    "runs again. Writes the recommended plan as a scenario that extends the base."
)
PROBE_DAYS = 30.0
"""Length of the short run that lists the scenario's KPI names before anything is written."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``SPEC`` and the plan's options."""
    parser.add_argument("spec", type=Path, metavar="SPEC.yaml")
    OUT.add(parser, default=Path("results/plan"), help="folder for the log and the plan")
    FORCE.add(parser)
    parser.add_argument(
        "--max-evaluations", type=whole_number(1), help="candidates at most (default: SPEC's)"
    )
    add_jobs(parser)
    add_backend_options(parser)
    parser.add_argument("--restart", action="store_true", help="discard an earlier plan's log")


def command(args: argparse.Namespace) -> int:
    """Check every input, search (resuming a logged run), confirm, write and print the plan."""
    from forlopsim.outfolder import locked
    from forlopsim.output import check_out_dir
    from forlopsim.plan.search import base_of
    from forlopsim.plan.spec import load_plan
    from forlopsim.scenario import load_scenario

    spec = load_plan(args.spec)
    if args.max_evaluations:
        spec = spec.model_copy(update={"max_evaluations": args.max_evaluations})
    scenario_path = (args.spec.parent / spec.scenario).resolve()
    if not scenario_path.is_file():
        raise ScenarioError([Problem(str(args.spec), "scenario", f"no file {spec.scenario!r}")])
    base = base_of(spec, load_scenario(scenario_path))
    check_inputs(spec, base, args.spec)
    check_out_dir(args.out)
    with locked(args.out):
        return _plan(args, spec, base, scenario_path)


def check_inputs(spec: object, base: object, file: Path) -> None:
    """Every KPI named exists (a short probe run lists them) and every path takes a capacity."""
    from forlopsim.engine import run_replication
    from forlopsim.engine.streams import replication_seeds
    from forlopsim.metrics import kpis
    from forlopsim.plan.search import candidate
    from forlopsim.plan.spec import PlanSpec
    from forlopsim.scenario import Scenario

    assert isinstance(spec, PlanSpec) and isinstance(base, Scenario)
    problems = []
    try:
        candidate(spec, base, {n: v.values[0] for n, v in spec.variables.items()})
    except ScenarioError as error:
        problems.append(Problem(str(file), "variables", "; ".join(map(str, error.problems))))
    probe = base.with_changes(
        {"simulation.horizon_days": PROBE_DAYS, "simulation.warmup_days": 0.0}
    )
    names = set(kpis(run_replication(probe, replication_seeds(0, 1)[0])))
    named = [("objective", spec.objective)]
    named += [(f"constraints.{i}.kpi", c.kpi) for i, c in enumerate(spec.constraints)]
    for where, kpi in named:
        if kpi not in names:
            close = difflib.get_close_matches(kpi, sorted(names), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else " (docs/kpis.md lists them)"
            problems.append(Problem(str(file), where, f"no KPI {kpi!r}{hint}"))
    if problems:
        raise ScenarioError(problems)


def _plan(args: argparse.Namespace, spec: object, base: object, scenario_path: Path) -> int:
    """Search, confirm and write while holding ``--out``'s lock."""
    from forlopsim.backends import backend_for
    from forlopsim.output import atomic_file
    from forlopsim.plan.confirm import confirm, plan_name
    from forlopsim.plan.output import recommended_yaml, write_plan
    from forlopsim.plan.search import PlanLog, grid_size, problem_of, search
    from forlopsim.plan.spec import PlanSpec
    from forlopsim.progress import ProgressView
    from forlopsim.scenario import Scenario

    assert isinstance(spec, PlanSpec) and isinstance(base, Scenario)
    seed = base.simulation.seed if spec.seed is None else spec.seed
    log = PlanLog(args.out, problem_of(spec, base, seed), args.restart, args.force)
    if log.resumed:
        print(f"Resuming: {log.resumed} evaluations read from {args.out}/", file=sys.stderr)
    total = min(spec.max_evaluations, grid_size(spec))
    try:
        with ProgressView("planning", total) as view:
            done = [0]

            def advance(entry: dict[str, object], resumed: bool) -> None:
                done[0] += 1
                origin = " (from the log)" if resumed else ""
                view.update(done[0], line=f"{entry['values']}: {entry['objective']}{origin}")

            entries = search(
                spec, base, seed, log=log, on_evaluation=advance, backend=backend_for(args)
            )
    except KeyboardInterrupt as stop:
        return stopped_with_log(stop, len(log.entries), args.out)
    confirmed = confirm(spec, base, seed, entries, backend=backend_for(args))
    write = args.out / "recommended.yaml"
    with atomic_file(write) as tmp:
        tmp.write_text(recommended_yaml(spec, base, scenario_path, write, confirmed))
    write_plan(args.out, spec, entries, confirmed)
    best = confirmed.best
    state = "meets" if best["feasible"] else "does NOT meet"
    print(
        f"Recommended plan: {plan_name(best['values'])} ({spec.objective} {best['objective']:.4g}; {state} the constraints)"
    )
    for c in confirmed.comparisons:
        print(f"  {c.sentence(best['values'])}")
    for line in confirmed.account:
        print(line)
    print(f"Plan written to {write}; summary in {args.out}/plan.md")
    return 0
