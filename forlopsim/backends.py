"""Where the long commands' tasks run: local worker processes (the default) or a Dask cluster.

``run``'s replications, ``compare`` and ``report`` (and their ``--precision`` rounds and
``--uncertainty`` draws), a sweep's points and a calibration's candidate points all hand their
tasks to a backend. Both backends take the same task function and arguments and yield each result
as it finishes, in any order; results do not depend on the backend, since each task carries its
own seed. Dask is imported only when asked for.

Used as a context manager, a backend keeps its workers (a process pool; a Dask client and the
``LocalCluster`` it started) for every batch run inside, as a calibration and the precision rule
run many batches; outside one, each :meth:`~Backend.run` starts and stops its own. Entering it
again inside is allowed and changes nothing (the outermost exit stops the workers).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol, Self

from forlopsim.errors import UsageError
from forlopsim.pool import completed, process_pool, stop_workers

Task = tuple[Any, tuple]
"""A key that names the task to the caller, and the arguments of the task function."""
Results = Generator[tuple[Any, Any], None, None]
"""``(key, result)`` of each task as it finishes; closing it early stops what still runs."""


class Backend(Protocol):
    """Runs tasks and yields ``(key, result)`` as each finishes."""

    @property
    def slots(self) -> int:
        """How many tasks it runs at once (for cutting work into batches)."""
        ...

    def __enter__(self) -> Self:
        """Start the workers, kept until :meth:`__exit__`."""
        ...

    def __exit__(self, kind: object, *exc: object) -> None:
        """Stop the workers (at once, when leaving with an exception)."""
        ...

    def run(self, function: Callable[..., Any], tasks: Sequence[Task]) -> Results:
        """Run ``function(*args)`` for every task."""
        ...


class LocalBackend:
    """``jobs`` worker processes started with ``spawn``, or the calling process when ``jobs`` is 1."""

    def __init__(self, jobs: int = 1):
        self.jobs = jobs
        self._depth = 0
        self._pool: ProcessPoolExecutor | None = None

    @property
    def slots(self) -> int:
        """The worker processes."""
        return self.jobs

    def __enter__(self) -> Self:
        """Keep one pool (started with the first batch of two tasks or more) until the exit."""
        self._depth += 1
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        """Shut the pool down; after an exception or Ctrl-C, end its workers at once."""
        self._depth -= 1
        if self._depth > 0 or self._pool is None:
            return
        pool, self._pool = self._pool, None
        if kind is None:
            pool.shutdown(wait=True, cancel_futures=True)
        else:
            stop_workers(pool)

    def run(self, function: Callable[..., Any], tasks: Sequence[Task]) -> Results:
        """Run ``function(*args)`` for every task; a stopped run ends its workers at once.

        Callers keep only finished results, so nothing of a running task is lost but its time.
        """
        if not self._depth or self.jobs <= 1 or len(tasks) <= 1:
            yield from completed(function, tasks, self.jobs)
            return
        if self._pool is None:
            self._pool = process_pool(self.jobs)
        finished = False
        try:
            yield from completed(function, tasks, self.jobs, self._pool)
            finished = True
        finally:
            if not finished:  # completed() ended the pool's workers
                self._pool = None


class DaskBackend:
    """A Dask distributed cluster, given by ``scheduler`` or ``workers``.

    A running one at ``scheduler`` (``tcp://host:port``), or a ``LocalCluster`` of ``workers``
    single-threaded worker processes started for the command and closed after it.
    """

    def __init__(self, scheduler: str | None = None, workers: int | None = None):
        if (scheduler is None) == (workers is None):
            raise UsageError("Dask: give either a scheduler address or a number of workers")
        self.scheduler = scheduler
        self.workers = workers
        self.distributed = import_distributed()
        self._client: Any = None
        self._cluster: Any = None
        self._depth = 0

    @property
    def slots(self) -> int:
        """The cluster's worker threads (when connected), else the workers asked for, or 1."""
        if self._client is None:
            return self.workers or 1
        return max(1, sum(self._client.nthreads().values()))

    def __enter__(self) -> Self:
        """Start the ``LocalCluster`` if asked for, and connect to the scheduler."""
        self._depth += 1
        if self._depth > 1:
            return self
        try:
            self._client = self._start()
        except BaseException:
            self._depth -= 1
            raise
        return self

    def _start(self) -> Any:
        """The client, connected to the scheduler (of the ``LocalCluster`` it starts, if asked)."""
        if self.scheduler is None:
            self._cluster = self.distributed.LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            address: str = self._cluster.scheduler_address
        else:
            address = self.scheduler
        try:
            return _connect(self.distributed, address)
        except BaseException:
            self._close_cluster()
            raise

    def __exit__(self, kind: object, *exc: object) -> None:
        """Disconnect, and close the ``LocalCluster`` this backend started (outermost exit)."""
        self._depth -= 1
        if self._depth > 0:
            return
        client, self._client = self._client, None
        try:
            if client is not None:
                client.close()
        finally:
            self._close_cluster()

    def _close_cluster(self) -> None:
        cluster, self._cluster = self._cluster, None
        if cluster is not None:
            cluster.close()

    def run(self, function: Callable[..., Any], tasks: Sequence[Task]) -> Results:
        """Submit every task at once; yield results as the cluster finishes them."""
        if self._client is None:
            with self:
                yield from self.run(function, tasks)
            return
        client = self._client
        futures = {client.submit(function, *args, pure=False): key for key, args in tasks}
        try:
            for future, result in self.distributed.as_completed(futures, with_results=True):
                yield futures[future], result
        finally:
            client.cancel(list(futures))


def backend_for(args: argparse.Namespace) -> Backend:
    """Dask when ``--scheduler`` or ``--dask-workers`` asks for it, else ``--jobs`` processes."""
    if args.scheduler is not None or args.dask_workers is not None:
        return DaskBackend(args.scheduler, args.dask_workers)
    return LocalBackend(args.jobs)


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
