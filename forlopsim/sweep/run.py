"""Running a sweep: every (point, replication) not yet on disk, on a backend, stored as it ends.

The replications are sent in batches (:func:`batches`), a few per worker, so that a point of
a few milliseconds does not pay a task's overhead (pickling the scenario, a round trip to the
worker) for each replication; with one worker there is nothing to gain and each goes alone.

Replication *r* of every point uses the *r*-th child of ``SeedSequence(seed)``, exactly as
``forlopsim run`` and ``forlopsim compare`` do (:func:`forlopsim.experiment.run_one`): common
random numbers across points, and a point equal to the base scenario gives the numbers
``forlopsim run`` gives.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from forlopsim.backends import Backend, LocalBackend
from forlopsim.engine.streams import replication_seeds
from forlopsim.errors import Problem, ScenarioError
from forlopsim.experiment import run_changed
from forlopsim.outfolder import locked
from forlopsim.sweep.design import design_table
from forlopsim.sweep.spec import Sweep, load_spec
from forlopsim.sweep.store import Store

Progress = Callable[[int, int], None]
"""Called with (replications finished, replications in the sweep) at the start and after every
batch."""
Item = tuple[dict[str, Any], Any, int]
"""One replication of a batch: the point's changes, the replication's seed and its number."""

BATCHES_PER_SLOT = 4
"""Not a domain number: batches per worker, so that points of uneven cost still share out."""
MAX_BATCH = 32
"""Not a domain number: replications per batch at most, so that progress moves and a stopped
sweep loses little of what was running."""


def batch_size(tasks: int, slots: int) -> int:
    """Replications per batch: about :data:`BATCHES_PER_SLOT` batches per worker, one if alone."""
    if slots <= 1:
        return 1
    return max(1, min(MAX_BATCH, math.ceil(tasks / (slots * BATCHES_PER_SLOT))))


def batches(keys: list[tuple[int, int]], items: list[Item], size: int) -> list[tuple[Any, tuple]]:
    """The backend's tasks: each a tuple of (point, replication) keys and its items."""
    return [(tuple(keys[k : k + size]), (items[k : k + size],)) for k in range(0, len(items), size)]


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
        with backend, store.writing():
            _run_tasks(sweep, store, design, changes, backend, on_progress)
        results = store.read()
        if len(results):
            store.write_points(results)
        return results


def _run_tasks(
    sweep: Sweep,
    store: Store,
    design: pd.DataFrame,
    changes: dict[int, dict[str, Any]],
    backend: Backend,
    on_progress: Progress | None,
) -> None:
    """Run the replications not yet in ``store``, in batches, storing each as it ends."""
    seeds = replication_seeds(sweep.seed, sweep.replications)
    done = store.done()
    total = len(design) * sweep.replications
    keys = [
        (point, r)
        for point in design.index
        for r in range(sweep.replications)
        if (point, r) not in done
    ]
    items: list[Item] = [(changes[point], seeds[r], r) for point, r in keys]
    finished = total - len(keys)
    if on_progress is not None:
        on_progress(finished, total)
    tasks = [
        (key, (sweep.base, *args))
        for key, args in batches(keys, items, batch_size(len(keys), backend.slots))
    ]
    for batch, results in backend.run(run_changed, tasks):
        for (point, r), kpis in zip(batch, results, strict=True):
            store.add(point, r, kpis)
        finished += len(batch)
        if on_progress is not None:
            on_progress(finished, total)
