"""Running a sweep: every (point, replication) not yet on disk, on a backend, stored as it ends.

Replication *r* of every point uses the *r*-th child of ``SeedSequence(seed)``, exactly as
``forlopsim run`` and ``forlopsim compare`` do (:func:`forlopsim.experiment.run_one`): common
random numbers across points, and a point equal to the base scenario gives the numbers
``forlopsim run`` gives.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from forlopsim.engine.streams import replication_seeds
from forlopsim.errors import Problem, ScenarioError
from forlopsim.experiment import run_one
from forlopsim.outfolder import locked
from forlopsim.scenario import Scenario
from forlopsim.sweep.backends import Backend, LocalBackend
from forlopsim.sweep.design import design_table
from forlopsim.sweep.spec import Sweep, load_spec
from forlopsim.sweep.store import Store

Progress = Callable[[int, int], None]
"""Called with (tasks finished, tasks in the sweep) at the start and after every task."""


def run_task(
    base: Scenario, changes: dict[str, Any], seed: Any, replication: int
) -> dict[str, float]:
    """The KPIs of one replication of ``base`` with ``changes`` (runs in a worker)."""
    scenario = base.with_changes(changes) if changes else base
    return run_one(scenario, seed, replication).kpis


def point_changes(design: pd.DataFrame, point: int) -> dict[str, Any]:
    """The dotted-path changes of one point, as plain Python values."""
    return {name: _plain(design.at[point, name]) for name in design.columns}


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def check_points(sweep: Sweep, design: pd.DataFrame) -> list[dict[str, Any]]:
    """Every point's changes, each checked against the scenario before anything runs.

    A combination of values the scenario rejects raises :class:`ScenarioError` naming the
    point.
    """
    changes = [point_changes(design, point) for point in design.index]
    for point, change in zip(design.index, changes, strict=True):
        try:
            sweep.base.with_changes(change)
        except ScenarioError as error:
            first = error.problems[0]
            where = f"{first.path}: " if first.path else ""
            message = f"point {point} {change} is rejected by the scenario: {where}{first.message}"
            raise ScenarioError([Problem(str(sweep.path), "parameters", message)]) from None
    return changes


def run_sweep(
    sweep: Sweep | str | Path,
    out: str | Path,
    backend: Backend | None = None,
    jobs: int = 1,
    on_progress: Progress | None = None,
    force: bool = False,
) -> pd.DataFrame:
    """Run (or resume) a sweep into ``out`` and return every result.

    One row per point and replication, with the parameters and the stored KPIs as columns.

    ``sweep`` is a :class:`Sweep` or the path of a SPEC file; ``backend`` defaults to ``jobs``
    local worker processes. Finished tasks already in ``out`` are not run again. ``out``'s lock
    is held throughout; a folder that holds files forlopsim did not write is refused unless
    ``force`` (:mod:`forlopsim.outfolder`).
    """
    sweep = sweep if isinstance(sweep, Sweep) else load_spec(sweep)
    backend = backend or LocalBackend(jobs)
    design = design_table(sweep)
    changes = dict(zip(design.index, check_points(sweep, design), strict=True))
    with locked(Path(out)):
        store = Store(Path(out), sweep, design, force)
        return _run_tasks(sweep, store, design, changes, backend, on_progress)


def _run_tasks(
    sweep: Sweep,
    store: Store,
    design: pd.DataFrame,
    changes: dict[int, dict[str, Any]],
    backend: Backend,
    on_progress: Progress | None,
) -> pd.DataFrame:
    """Run the tasks not yet in ``store``, storing each as it ends; return every result."""
    seeds = replication_seeds(sweep.seed, sweep.replications)
    done = store.done()
    total = len(design) * sweep.replications
    tasks = [
        ((point, r), (sweep.base, changes[point], seeds[r], r))
        for point in design.index
        for r in range(sweep.replications)
        if (point, r) not in done
    ]
    finished = total - len(tasks)
    if on_progress is not None:
        on_progress(finished, total)
    for (point, r), kpis in backend.run(run_task, tasks):
        store.add(point, r, kpis)
        finished += 1
        if on_progress is not None:
            on_progress(finished, total)
    results = store.read()
    if len(results):
        store.write_points(results)
    return results
