"""The search: candidates under common random numbers, an Optuna sampler, a resumable log.

Every candidate runs the same replication seeds (the *i*-th child of the root seed, as
:mod:`forlopsim.experiment` and the calibration do), so two plans differ by their capacities,
not by their luck. The sampler is seeded: a ``GridSampler`` (in a seeded order) when every plan
fits within ``max_evaluations``, else a ``TPESampler`` told the constraints (``Trial.set_constraint``). Each finished
evaluation is appended to ``evaluations.jsonl``; a restarted plan asks the same sampler for the
same candidates in the same order, answers the logged ones from the log, and carries on.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forlopsim import __version__
from forlopsim.backends import Backend, LocalBackend
from forlopsim.calibration.fit import Evaluator
from forlopsim.calibration.log import fingerprint
from forlopsim.engine.streams import replication_seeds
from forlopsim.errors import UsageError
from forlopsim.outfolder import Manifest, check_resumable, with_temporaries
from forlopsim.output import atomic_file
from forlopsim.plan.spec import PlanSpec, Variable
from forlopsim.scenario import Scenario, numbers_only
from forlopsim.scenario.schedule import steps

LOG_NAME = "evaluations.jsonl"
PROBLEM_NAME = "problem.json"
FILES = Manifest(
    "plan",
    patterns=with_temporaries((LOG_NAME, PROBLEM_NAME, "plan.json", "plan.md", "recommended.yaml")),
)
"""What a plan's folder holds of forlopsim's (its manifest)."""
PENALTY = 1e12
"""Objective told to the sampler when the KPI is undefined for a candidate."""

Entry = dict[str, Any]


def base_of(spec: PlanSpec, scenario: Scenario) -> Scenario:
    """The base scenario with the plan's horizon and warm-up."""
    changes: dict[str, Any] = {}
    if spec.horizon_days is not None:
        changes["simulation.horizon_days"] = spec.horizon_days
    if spec.warmup_days is not None:
        changes["simulation.warmup_days"] = spec.warmup_days
    return scenario.with_changes(changes) if changes else scenario


def current(scenario: Scenario, path: str) -> Any:
    """The value at a dotted path of ``scenario`` (need levels are whole-number keys)."""
    node: Any = scenario.model_dump(mode="python", exclude_none=True)
    for key in path.split("."):
        node = node[int(key)] if isinstance(node, dict) and int_key(node, key) else node[key]
    return node


def int_key(node: dict[Any, Any], key: str) -> bool:
    """Whether ``key`` names a whole-number key of ``node``."""
    return key.isdigit() and int(key) in node


def capacity_value(scenario: Scenario, variable: Variable, value: int) -> Any:
    """What to write at the variable's path: the number, or a schedule opening it on its day."""
    if not variable.opening_day:
        return value
    before = {
        day: n for day, n in steps(current(scenario, variable.path)) if day < variable.opening_day
    }
    return {**before, variable.opening_day: value}


def candidate(spec: PlanSpec, base: Scenario, values: dict[str, int]) -> Scenario:
    """The base with the plan's capacities."""
    changes = {v.path: capacity_value(base, v, values[name]) for name, v in spec.variables.items()}
    return base.with_changes(changes)


def budget_columns(spec: PlanSpec, table: pd.DataFrame) -> dict[str, pd.Series]:
    """Per replication: the worst year's running cost and the total one-off cost, by payer."""
    columns: dict[str, pd.Series] = {}
    for payer in spec.budget.running_per_year:
        years = _yearly(table, f".payer.{payer}.running")
        columns[f"budget.running_per_year.{payer}"] = table[years].max(axis=1)
    for payer in spec.budget.one_off:
        years = _yearly(table, f".payer.{payer}.one_off")
        columns[f"budget.one_off.{payer}"] = table[years].sum(axis=1)
    return columns


def _yearly(table: pd.DataFrame, suffix: str) -> list[str]:
    """The ``cost_by_year.Y…suffix`` columns of ``table``."""
    names = [str(c) for c in table.columns]
    return [c for c in names if c.startswith("cost_by_year.") and c.endswith(suffix)]


def limits(spec: PlanSpec) -> dict[str, tuple[str, float]]:
    """Every constraint by name: (column of the KPI table, largest acceptable mean)."""
    named = {f"constraint.{i}": (c.kpi, c.max) for i, c in enumerate(spec.constraints)}
    for payer, cap in spec.budget.running_per_year.items():
        named[f"budget.running_per_year.{payer}"] = (f"budget.running_per_year.{payer}", cap)
    for payer, cap in spec.budget.one_off.items():
        named[f"budget.one_off.{payer}"] = (f"budget.one_off.{payer}", cap)
    return named


def with_budget(spec: PlanSpec, table: pd.DataFrame) -> pd.DataFrame:
    """The KPI table with the budget columns added."""
    return table.assign(**budget_columns(spec, table))


def summary(spec: PlanSpec, table: pd.DataFrame) -> Entry:
    """Objective mean, each constraint's mean and violation (mean − max; ≤ 0 meets it)."""
    objective = float(table[spec.objective].mean()) if spec.objective in table else math.nan
    means, violations = {}, {}
    for name, (column, cap) in limits(spec).items():
        mean = float(table[column].mean()) if column in table else math.nan
        means[name] = mean
        violations[name] = mean - cap if math.isfinite(mean) else 1.0
    feasible = all(v <= 0 for v in violations.values()) and math.isfinite(objective)
    return {"objective": objective, "means": means, "violations": violations, "feasible": feasible}


def problem_of(spec: PlanSpec, base: Scenario, seed: int) -> dict[str, Any]:
    """What decides the logged answers: the base's numbers, the spec's, the seed, the version."""
    decisive = spec.model_dump(mode="json", exclude={"max_evaluations", "confirm", "scenario"})
    return {
        "scenario": numbers_only(base.model_dump(mode="json")),
        "spec": decisive,
        "seed": seed,
        "forlopsim": __version__,
    }


class PlanLog:
    """Evaluations in the order the sampler asked for them; appended to as they finish."""

    def __init__(
        self,
        folder: Path | None,
        problem: dict[str, Any],
        restart: bool = False,
        force: bool = False,
    ):
        self.folder = folder
        self.entries: list[Entry] = []
        self.resumed = 0
        """Evaluations found in the log when it was opened."""
        if folder is None:
            return
        digest = fingerprint(problem)
        stored = folder / PROBLEM_NAME
        check_resumable(folder, FILES, stored.is_file(), force, f"plan ({PROBLEM_NAME})")
        if stored.exists() and not restart:
            if _stored_fingerprint(stored) != digest:
                raise UsageError(
                    f"--out {folder}: holds a plan of another problem (scenario, plan file, seed "
                    "or forlopsim version differ); give another --out, or --restart to discard it"
                )
            self._read(folder / LOG_NAME)
        elif restart:
            (folder / LOG_NAME).unlink(missing_ok=True)
        folder.mkdir(parents=True, exist_ok=True)
        _write(stored, json.dumps({"fingerprint": digest, "problem": problem}, indent=1))
        check_resumable(folder, FILES, True, force, "plan")  # writes the manifest

    def _read(self, path: Path) -> None:
        if not path.exists():
            return
        for line in path.read_text().splitlines():
            try:
                self.entries.append(json.loads(line))
            except json.JSONDecodeError:
                break  # the last line of a killed run may be cut short: evaluate it again
        self.resumed = len(self.entries)
        _write(path, "".join(json.dumps(e) + "\n" for e in self.entries))

    def add(self, entry: Entry) -> None:
        """Remember an evaluation and append it to the log on disk."""
        self.entries.append(entry)
        if self.folder is None:
            return
        with (self.folder / LOG_NAME).open("a") as file:
            file.write(json.dumps(entry) + "\n")
            file.flush()
            os.fsync(file.fileno())


def _stored_fingerprint(path: Path) -> str:
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["fingerprint"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UsageError(
            f"--out {path.parent}: {path.name} cannot be read ({error}); --restart to discard it"
        ) from None


def _write(path: Path, text: str) -> None:
    with atomic_file(path) as tmp:
        tmp.write_text(text)


def grid_size(spec: PlanSpec) -> int:
    """How many plans the variables allow."""
    return math.prod(len(v.values) for v in spec.variables.values())


def sampler_of(spec: PlanSpec, seed: int) -> Any:
    """A seeded grid sampler when every plan can be tried, else TPE with constraints."""
    import optuna

    if grid_size(spec) <= spec.max_evaluations:
        grid = {name: v.values for name, v in spec.variables.items()}
        return optuna.samplers.GridSampler(grid, seed=seed)
    return optuna.samplers.TPESampler(seed=seed)  # constraints: Trial.set_constraint


def search(
    spec: PlanSpec,
    base: Scenario,
    seed: int,
    *,
    jobs: int = 1,
    log: PlanLog | None = None,
    on_evaluation: Callable[[Entry, bool], None] | None = None,
    backend: Backend | None = None,
) -> list[Entry]:
    """Evaluate up to ``max_evaluations`` candidates; every evaluation, in order.

    Each candidate's replications run on ``backend`` (default: ``jobs`` local processes).
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    log = log if log is not None else PlanLog(None, {})
    study = optuna.create_study(direction="minimize", sampler=sampler_of(spec, seed))
    seeds = replication_seeds(seed, spec.replications)
    with Evaluator(backend or LocalBackend(jobs)) as evaluator:

        def objective(trial: optuna.Trial) -> float:
            values = {
                name: trial.suggest_int(name, v.bounds[0], v.values[-1], step=v.step)
                for name, v in spec.variables.items()
            }
            entry, resumed = _answer(spec, base, evaluator, seeds, log, trial.number, values)
            for name, violation in entry["violations"].items():
                trial.set_constraint(name, violation)
            if on_evaluation is not None:
                on_evaluation(entry, resumed)
            value = float(entry["objective"])
            return value if math.isfinite(value) else PENALTY

        total = min(spec.max_evaluations, grid_size(spec))
        study.optimize(objective, n_trials=total, catch=())
    return list(log.entries)


def _answer(
    spec: PlanSpec,
    base: Scenario,
    evaluator: Evaluator,
    seeds: list[np.random.SeedSequence],
    log: PlanLog,
    index: int,
    values: dict[str, int],
) -> tuple[Entry, bool]:
    """The logged evaluation number ``index``, or a new one (logged)."""
    if index < len(log.entries):
        entry = log.entries[index]
        if entry["values"] != values:
            raise UsageError(
                f"the plan log asks for {entry['values']} at evaluation {index + 1}, the sampler "
                f"for {values}; --restart to discard the log"
            )
        return entry, True
    table = with_budget(spec, evaluator.kpis(candidate(spec, base, values), seeds))
    entry = {"index": index, "values": values, **summary(spec, table)}
    log.add(entry)
    return entry, False
