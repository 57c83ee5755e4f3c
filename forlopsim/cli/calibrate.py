"""``forlopsim calibrate``: fit a scenario's parameters to targets, resumably, with progress."""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from forlopsim.backends import backend_for
from forlopsim.calibration.fit import Calibration, calibrate
from forlopsim.calibration.log import FILES, EvaluationLog, problem_of
from forlopsim.calibration.output import calibrated_yaml, write_fit
from forlopsim.calibration.parameters import check_parameters
from forlopsim.calibration.spec import ParametersFile, TargetsFile, load_parameters, load_targets
from forlopsim.cli import stopped_with_log
from forlopsim.cli.options import (
    FORCE,
    OUT,
    REPLICATIONS,
    SEED,
    add_backend_options,
    add_jobs,
    whole_number,
)
from forlopsim.engine import run_replication
from forlopsim.engine.streams import replication_seeds
from forlopsim.errors import Problem, ScenarioError, UsageError
from forlopsim.limits import MAX_REPLICATIONS
from forlopsim.metrics import kpis
from forlopsim.outfolder import Manifest, locked, with_temporaries
from forlopsim.output import atomic_file, check_out_dir
from forlopsim.progress import ProgressView
from forlopsim.scenario import Scenario, load_scenario, numbers_only
from forlopsim.scenario.loader import trusted_folders
from forlopsim.text import plural

DEFAULT_REPLICATIONS = 4
"""Replications per candidate point when neither the command nor the parameters file says."""
DEFAULT_EVALUATIONS = 60
"""Candidate points at most when neither the command nor the parameters file says."""
PROBE_DAYS = 30.0
"""Length of the short run that lists the scenario's KPI names before anything is written."""


DESCRIPTION = (
    "Fit the parameters in PARAMS (dotted paths with bounds, or factors on blocks) so that the "
    "scenario's KPI means come near the targets, by Nelder-Mead with common random numbers. "
    "Every evaluated point is logged under --out, so a stopped calibration resumes when the "
    "same command runs again. Writes the calibrated scenario (a YAML file that extends "
    "SCENARIO) and the fit table."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``SCENARIO``, the targets and parameters files, and the calibration's options."""
    parser.add_argument("scenario", type=Path, metavar="SCENARIO")
    parser.add_argument("--targets", type=Path, required=True, metavar="TARGETS.yaml")
    parser.add_argument("--params", type=Path, required=True, metavar="PARAMS.yaml")
    OUT.add(
        parser,
        default=Path("results/calibration"),
        help="folder for the evaluation log and the fit table (default: results/calibration)",
    )
    FORCE.add(parser)
    parser.add_argument(
        "--write",
        type=Path,
        metavar="FILE",
        help="where to write the calibrated scenario (default: OUT/calibrated.yaml)",
    )
    REPLICATIONS.add(
        parser,
        type=whole_number(2, MAX_REPLICATIONS),
        help=f"replications per candidate point (default: PARAMS's, else {DEFAULT_REPLICATIONS})",
    )
    parser.add_argument(
        "--max-evaluations",
        type=whole_number(1),
        help=f"candidate points at most (default: PARAMS's, else {DEFAULT_EVALUATIONS})",
    )
    parser.add_argument(
        "--check-replications",
        type=whole_number(2, MAX_REPLICATIONS),
        help="replications of the base and calibrated scenarios for the fit table "
        "(default: the scenario's)",
    )
    SEED.add(parser, help="root seed (default: the scenario's)")
    add_jobs(parser)
    add_backend_options(parser)
    parser.add_argument(
        "--restart", action="store_true", help="discard an earlier calibration's log in --out"
    )


def command(args: argparse.Namespace) -> int:
    """Check every input, calibrate (resuming a logged run), then write and print the fit."""
    scenario = load_scenario(args.scenario)
    targets = load_targets(args.targets)
    parameters = load_parameters(args.params)
    check_parameters(scenario, parameters.parameters, args.params)
    check_kpis(scenario, targets, args.targets)
    check_out_dir(args.out)
    write = args.write or args.out / "calibrated.yaml"
    if write.exists() and write.is_dir():
        raise UsageError(f"--write {write}: is a folder; expected a scenario file name")
    with locked(args.out):
        return _calibrate(args, scenario, targets, parameters, write)


def _calibrate(
    args: argparse.Namespace,
    scenario: Scenario,
    targets: TargetsFile,
    parameters: ParametersFile,
    write: Path,
) -> int:
    """Calibrate (resuming a logged run) while holding ``--out``'s lock; write and print."""
    replications = args.replications or parameters.replications or DEFAULT_REPLICATIONS
    evaluations = args.max_evaluations or parameters.max_evaluations or DEFAULT_EVALUATIONS
    seed = scenario.simulation.seed if args.seed is None else args.seed
    problem = problem_of(scenario, targets.targets, parameters.parameters, replications, seed)
    log = EvaluationLog(args.out, problem, args.restart, args.force, _folder_files(args.out, write))
    if log.resumed:
        print(f"Resuming: {log.resumed} evaluations read from {args.out}/", file=sys.stderr)
    try:
        with CalibrationProgress(evaluations) as advance:
            calibration = calibrate(
                scenario,
                targets.targets,
                parameters.parameters,
                replications=replications,
                max_evaluations=evaluations,
                check_replications=args.check_replications,
                seed=seed,
                log=log,
                backend=backend_for(args),
                on_evaluation=advance,
            )
    except KeyboardInterrupt as stop:
        return stopped_with_log(stop, len(log.entries), args.out)
    write_calibrated(calibration, scenario, args.scenario, write)
    write_fit(args.out, calibration)
    print_fit(calibration)
    print(f"Calibrated scenario written to {write}; fit table in {args.out}/fit.md")
    return 0


def _folder_files(out: Path, write: Path) -> Manifest:
    """What the calibration writes under ``out``: its files, and ``write`` if it is there."""
    if not write.resolve().is_relative_to(out.resolve()):
        return FILES
    name = write.resolve().relative_to(out.resolve()).as_posix()
    if FILES.owns(name):
        return FILES
    return Manifest(FILES.command, patterns=FILES.patterns + with_temporaries([name]))


def check_kpis(scenario: Scenario, targets: TargetsFile, file: Path) -> None:
    """Every target names a KPI the scenario has (a short probe run lists them)."""
    probe = scenario.with_changes(
        {"simulation.horizon_days": PROBE_DAYS, "simulation.warmup_days": 0.0}
    )
    names = set(kpis(run_replication(probe, replication_seeds(0, 1)[0])))
    problems = []
    for name, t in targets.targets.items():
        if t.kpi not in names:
            close = difflib.get_close_matches(t.kpi, sorted(names), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else " (docs/kpis.md lists them)"
            problems.append(Problem(str(file), f"targets.{name}.kpi", f"no KPI {t.kpi!r}{hint}"))
    if problems:
        raise ScenarioError(problems)


def write_calibrated(calibration: Calibration, base: Scenario, base_path: Path, out: Path) -> None:
    """Write the calibrated scenario atomically, after checking it loads as what was fitted."""
    with atomic_file(out) as tmp:
        tmp.write_text(calibrated_yaml(calibration, base, base_path, out))
        # the base was named on the command line: it may lie outside the written file's folder
        written = load_scenario(tmp, trusted=(*trusted_folders(tmp), base_path.resolve().parent))
        if _fitted(written) != _fitted(calibration.scenario):
            raise RuntimeError(f"{out}: the written scenario differs from the fitted one")


def _fitted(scenario: Scenario) -> dict[str, Any]:
    """A scenario's numbers, without the texts that the calibrated file rewrites."""
    return numbers_only(scenario.model_dump(mode="json"))


def print_fit(calibration: Calibration) -> None:
    """The fit table and the fitted values on the terminal."""
    console = Console()
    table = Table(
        title=f"Fit over {plural(calibration.check_replications, 'replication')} "
        f"(distance {calibration.distance_before:.3g} before, "
        f"{calibration.distance_after:.3g} after)"
    )
    for column in ("target", "observed", "before", "calibrated", "95% CI", "within"):
        table.add_column(column, justify="left" if column == "target" else "right")
    for row in calibration.fit_table().itertuples():
        table.add_row(
            str(row.target),
            str(row.observed),
            f"{row.before:.4g}",
            f"{row.simulated:.4g}",
            f"{row.ci_low:.4g} – {row.ci_high:.4g}",
            ("yes" if row.within else "no") + ("" if row.weight else " (not fitted)"),
        )
    console.print(table)
    values = Table(
        title=f"Fitted values ({plural(len(calibration.evaluations), 'point')} evaluated)"
    )
    for column in ("parameter", "path", "start", "fitted"):
        values.add_column(column)
    for name, p in calibration.parameters.items():
        kind = " (factor)" if p.scale is not None else ""
        values.add_row(
            name, p.path, f"{calibration.start[name]:g}", f"{calibration.best[name]:g}{kind}"
        )
    console.print(values)


class CalibrationProgress:
    """Evaluations done and the best distance so far."""

    def __init__(self, total: int):
        self.view = ProgressView("calibrating", total, best="–")
        self.done = 0
        self.best = float("inf")

    def __enter__(self) -> Callable[[dict[str, Any], bool], None]:
        """Show the bar; return the function to call after each evaluation."""
        self.view.__enter__()
        return self.advance

    def advance(self, entry: dict[str, Any], resumed: bool) -> None:
        """Count one more evaluation (``resumed``: answered from the log)."""
        self.done += 1
        self.best = min(self.best, entry["distance"])
        origin = " (from the log)" if resumed else ""
        line = (
            f"evaluation {self.done}/{self.view.total}: distance {entry['distance']:.3g}, "
            f"best {self.best:.3g}{origin}"
        )
        self.view.update(self.done, line=line, best=f"{self.best:.3g}")

    def __exit__(self, *exc: object) -> None:
        """Close the bar."""
        self.view.__exit__(*exc)
