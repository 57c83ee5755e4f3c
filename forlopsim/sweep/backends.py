"""Where a sweep's tasks run: local worker processes (the default) or a Dask cluster.

Both take the same task function and arguments and yield each result as it finishes, in any
order; results do not depend on the backend, since each task carries its own seed. Dask is
imported only when asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

from forlopsim.errors import UsageError
from forlopsim.pool import completed

Task = tuple[Any, tuple]
"""A key that names the task to the caller, and the arguments of the task function."""


class Backend(Protocol):
    """Runs tasks and yields ``(key, result)`` as each finishes."""

    def run(self, function: Callable[..., Any], tasks: Sequence[Task]) -> Iterator[tuple[Any, Any]]:
        """Run ``function(*args)`` for every task."""
        ...


class LocalBackend:
    """``jobs`` worker processes started with ``spawn``, or the calling process when ``jobs`` is 1."""

    def __init__(self, jobs: int = 1):
        self.jobs = jobs

    def run(self, function: Callable[..., Any], tasks: Sequence[Task]) -> Iterator[tuple[Any, Any]]:
        """Run ``function(*args)`` for every task; a stopped sweep ends its workers at once.

        The store keeps only finished results, so nothing of a running task is lost but its time.
        """
        yield from completed(function, tasks, self.jobs)


class DaskBackend:
    """A Dask distributed cluster, given by ``scheduler`` or ``workers``.

    A running one at ``scheduler`` (``tcp://host:port``), or a ``LocalCluster`` of ``workers``
    processes started for the sweep and closed after it.
    """

    def __init__(self, scheduler: str | None = None, workers: int | None = None):
        if (scheduler is None) == (workers is None):
            raise UsageError("Dask: give either a scheduler address or a number of workers")
        self.scheduler = scheduler
        self.workers = workers
        self.distributed = import_distributed()

    def run(self, function: Callable[..., Any], tasks: Sequence[Task]) -> Iterator[tuple[Any, Any]]:
        """Submit every task at once; yield results as the cluster finishes them."""
        distributed = self.distributed
        cluster = None
        try:
            if self.scheduler is None:
                cluster = distributed.LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
                address: str = cluster.scheduler_address
            else:
                address = self.scheduler
            client = _connect(distributed, address)
            with client:
                futures = {client.submit(function, *args, pure=False): key for key, args in tasks}
                try:
                    for future, result in distributed.as_completed(futures, with_results=True):
                        yield futures[future], result
                finally:
                    client.cancel(list(futures))
        finally:
            if cluster is not None:
                cluster.close()


def import_distributed() -> Any:
    """``dask.distributed``, or a :class:`UsageError` that says how to install it."""
    try:
        import distributed
    except ImportError:
        raise UsageError(
            "the Dask backend needs dask.distributed: pip install 'forlopsim[dask]'"
        ) from None
    return distributed


def _connect(distributed: Any, address: str) -> Any:
    try:
        return distributed.Client(address, timeout="20s")
    except (OSError, TimeoutError) as error:
        raise UsageError(f"--scheduler {address}: cannot connect ({error})") from None
