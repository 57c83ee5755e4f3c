"""The search: candidates under common random numbers, an Optuna sampler, a resumable log.

Every candidate runs the same replication seeds (the *i*-th child of the root seed, as
:mod:`forlopsim.experiment` and the calibration do), so two plans differ by their capacities,
not by their luck. The sampler is seeded: a ``GridSampler`` (in a seeded order) when every plan
fits within ``max_evaluations``, else a ``TPESampler`` told the constraints (``Trial.set_constraint``). Each finished
evaluation is appended to ``evaluations.jsonl``; a restarted plan asks the same sampler for the
same candidates in the same order, answers the logged ones from the log, and carries on.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forlopsim import __version__
from forlopsim.backends import Backend, LocalBackend
from forlopsim.calibration.fit import Evaluator
from forlopsim.calibration.log import ResumableLog
from forlopsim.engine.streams import replication_seeds
from forlopsim.errors import UsageError
from forlopsim.outfolder import Manifest, with_temporaries
from forlopsim.plan.spec import PlanSpec, Variable
from forlopsim.scenario import Scenario, numbers_only
from forlopsim.scenario.schedule import steps

LOG_NAME = "evaluations.jsonl"
PROBLEM_NAME = "problem.json"
FILES = Manifest(
    "plan",
    patterns=with_temporaries(
        (
            LOG_NAME,
            PROBLEM_NAME,
            "plan.json",
            "plan.md",
            "recommended.yaml",
            "front.csv",
            "front.png",
        )
    ),
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


class PlanLog(ResumableLog):
    """A plan's evaluations in the order the sampler asked for them (see :class:`ResumableLog`)."""

    KIND = "plan"
    DECIDED_BY = "scenario, plan file, seed or forlopsim version"

    def __init__(
        self,
        folder: Path | None,
        problem: dict[str, Any],
        restart: bool = False,
        force: bool = False,
    ):
        super().__init__(folder, problem, restart, force, FILES)


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
