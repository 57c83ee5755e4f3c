"""The fit: Nelder–Mead over the parameters' unit cube, common random numbers, a fit table.

Every candidate point runs the same replication seeds (the *i*-th child of the root seed, as
:mod:`forlopsim.experiment` does), so two points differ by their parameters, not by their luck,
and the optimiser compares like with like. The distance is the weighted mean of squared
standardised errors, ((simulated mean − target) / tolerance)²: 1 means "one tolerance away".
Nelder–Mead (``scipy.optimize.minimize``) needs no gradients, which a simulation cannot give,
and is deterministic, which is what lets :mod:`.log` resume a stopped run.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from forlopsim.backends import Backend, LocalBackend
from forlopsim.calibration.log import EvaluationLog
from forlopsim.calibration.parameters import changes, rounded, start_values
from forlopsim.calibration.spec import Parameter, Target
from forlopsim.engine.streams import replication_seeds
from forlopsim.experiment import run_one
from forlopsim.scenario import Scenario
from forlopsim.stats import t_interval

MISSING_PENALTY = 10.0
"""Standardised error charged for a KPI a point leaves undefined (e.g. no one was placed)."""
SIMPLEX_STEP = 0.25
"""First step of the search along each parameter, as a share of its interval."""
TOLERANCE = 1e-3
"""Nelder–Mead stops when the simplex spans less than this (unit cube) and the distance changes
less than this."""


def distance(means: Mapping[str, float], targets: Mapping[str, Target]) -> float:
    """Weighted mean of squared standardised errors over the targets with weight above 0."""
    total = weights = 0.0
    for name, target in targets.items():
        if target.weight == 0:
            continue
        value = means[name]
        z = (value - target.centre) / target.half_width if math.isfinite(value) else MISSING_PENALTY
        total += target.weight * z * z
        weights += target.weight
    return total / weights


class Evaluator:
    """Runs replications of candidate scenarios on one backend, kept for the whole calibration.

    Starting workers costs seconds (a Dask cluster more), and a calibration evaluates many
    points, each a batch of replications.
    """

    def __init__(self, backend: Backend | None = None, *, jobs: int = 1):
        self.backend = backend if backend is not None else LocalBackend(jobs)
        """Where the replications run: ``backend``, else ``jobs`` local processes."""

    def __enter__(self) -> Evaluator:
        self.backend.__enter__()
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        self.backend.__exit__(kind, *exc)

    def kpis(self, scenario: Scenario, seeds: list[np.random.SeedSequence]) -> pd.DataFrame:
        """One row of KPIs per replication seed, in seed order."""
        tasks = [(i, (scenario, s, i)) for i, s in enumerate(seeds)]
        with closing(self.backend.run(run_one, tasks)) as finished:
            found = dict(finished)
        return pd.DataFrame([found[i].kpis for i in range(len(seeds))])


@dataclass
class Calibration:
    """What a calibration found: the fitted values, the evaluations and the check runs."""

    targets: dict[str, Target]
    parameters: dict[str, Parameter]
    start: dict[str, float]
    """Values (or factors) the search started from: the base scenario's."""
    best: dict[str, float]
    """Fitted values (or factors), rounded as written to the calibrated scenario."""
    scenario: Scenario
    """The base scenario with the fitted values."""
    evaluations: list[dict[str, Any]]
    """Every evaluated point: ``point`` (unit cube), ``values``, target ``means``, ``distance``."""
    before: pd.DataFrame
    """Target KPIs of the base scenario, one row per check replication."""
    after: pd.DataFrame
    """Target KPIs of the calibrated scenario on the same seeds."""
    replications: int
    check_replications: int
    seed: int
    converged: bool
    message: str
    seconds: float = 0.0
    resumed: int = 0
    """Evaluations answered from the log of an earlier, stopped run."""

    @property
    def distance_before(self) -> float:
        """Distance of the base scenario over the check replications."""
        return distance(cast(dict[str, float], self.before.mean().to_dict()), self.targets)

    @property
    def distance_after(self) -> float:
        """Distance of the calibrated scenario over the check replications."""
        return distance(cast(dict[str, float], self.after.mean().to_dict()), self.targets)

    def fit_table(self) -> pd.DataFrame:
        """One row per target: observed, before, simulated mean and 95% CI, within or not."""
        return fit_table(self.targets, self.after, self.before)


def fit_table(
    targets: Mapping[str, Target], after: pd.DataFrame, before: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The fit table, one row per target.

    Each target's figure and tolerance, the simulated mean with its 95% Student-t interval over
    replications, and whether the mean lies within the tolerance.
    """
    rows = []
    for name, t in targets.items():
        values = after[name].to_numpy(float)
        mean, half = t_interval(values)
        row = {
            "target": name,
            "kpi": t.kpi,
            "observed": observed_text(t),
            "low": t.centre - t.half_width,
            "high": t.centre + t.half_width,
            "weight": t.weight,
            "simulated": mean,
            "ci_low": mean - half,
            "ci_high": mean + half,
            "within": t.within(mean),
            "source": t.source,
        }
        if before is not None:
            before_mean = float(before[name].mean())
            row["before"] = before_mean
            row["within_before"] = t.within(before_mean)
        rows.append(row)
    return pd.DataFrame(rows)


def observed_text(t: Target) -> str:
    """The figure as a reader would quote it: ``130 ± 30`` or ``500–800``."""
    if t.range is not None:
        return f"{t.range[0]:.4g}–{t.range[1]:.4g}"
    return f"{t.observed:.4g} ± {t.tolerance:.4g}"


def calibrate(
    scenario: Scenario,
    targets: Mapping[str, Target],
    parameters: Mapping[str, Parameter],
    *,
    replications: int = 4,
    max_evaluations: int = 60,
    check_replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    log: EvaluationLog | None = None,
    on_evaluation: Callable[[dict[str, Any], bool], None] | None = None,
    backend: Backend | None = None,
) -> Calibration:
    """Fit ``parameters`` of ``scenario`` to ``targets``; see the module docstring.

    ``on_evaluation(entry, resumed)`` is called after every point (``resumed`` when it came from
    the log). ``check_replications`` (the scenario's replications by default) run the base and
    the calibrated scenario on the same seeds for the fit table. Each candidate point's
    replications run on ``backend`` (default: ``jobs`` local processes), e.g. a Dask cluster;
    the fit does not depend on it.
    """
    started = time.perf_counter()
    targets, parameters = dict(targets), dict(parameters)
    root = scenario.simulation.seed if seed is None else seed
    seeds = replication_seeds(root, replications)
    check = check_replications or scenario.simulation.replications
    log = log if log is not None else EvaluationLog(None, {})
    names = list(parameters)
    start = start_values(scenario, parameters)

    def values_at(point: np.ndarray) -> dict[str, float]:
        return {n: parameters[n].from_unit(float(u)) for n, u in zip(names, point, strict=True)}

    with Evaluator(backend or LocalBackend(jobs)) as evaluator:

        def objective(point: np.ndarray) -> float:
            point = np.clip(point, 0.0, 1.0)
            entry = log.get(point)
            if entry is None:
                values = values_at(point)
                candidate = scenario.with_changes(changes(scenario, parameters, values))
                table = evaluator.kpis(candidate, seeds)
                means = {n: float(table[t.kpi].mean()) for n, t in targets.items()}
                entry = {
                    "point": [float(u) for u in point],
                    "values": values,
                    "means": means,
                    "distance": distance(means, targets),
                }
                log.add(entry)
                resumed = False
            else:
                resumed = True
            if on_evaluation is not None:
                on_evaluation(entry, resumed)
            return entry["distance"]

        x0 = np.array([parameters[n].to_unit(start[n]) for n in names])
        result = minimize(
            objective,
            x0,
            method="Nelder-Mead",
            bounds=[(0.0, 1.0)] * len(names),
            options={
                "maxfev": max_evaluations,
                "initial_simplex": initial_simplex(x0),
                "xatol": TOLERANCE,
                "fatol": TOLERANCE,
            },
        )
        best_entry = min(log.entries, key=lambda e: e["distance"])
        best = {n: rounded(v) for n, v in best_entry["values"].items()}
        calibrated = scenario.with_changes(changes(scenario, parameters, best))
        check_seeds = replication_seeds(root, check)
        columns = {n: t.kpi for n, t in targets.items()}
        before = _targets_only(evaluator.kpis(scenario, check_seeds), columns)
        after = _targets_only(evaluator.kpis(calibrated, check_seeds), columns)
    return Calibration(
        targets=targets,
        parameters=parameters,
        start=start,
        best=best,
        scenario=calibrated,
        evaluations=list(log.entries),
        before=before,
        after=after,
        replications=replications,
        check_replications=check,
        seed=root,
        converged=bool(result.success),
        message=str(result.message),
        seconds=time.perf_counter() - started,
        resumed=log.resumed,
    )


def initial_simplex(x0: np.ndarray) -> np.ndarray:
    """The start and one point a quarter of the interval along each parameter (inwards)."""
    simplex = [x0.copy()]
    for i in range(len(x0)):
        vertex = x0.copy()
        vertex[i] += SIMPLEX_STEP if x0[i] + SIMPLEX_STEP <= 1.0 else -SIMPLEX_STEP
        simplex.append(vertex)
    return np.array(simplex)


def _targets_only(table: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Target names as columns, each holding its KPI (NaN where a replication leaves it out)."""
    return pd.DataFrame({name: table.get(kpi, np.nan) for name, kpi in columns.items()})
