"""Worker processes for replications, sweeps and calibrations, started and stopped one way.

Workers are started with ``spawn``, so that nothing in a result depends on the parent's state
(and the same code runs on Linux, macOS and Windows). :func:`completed` runs a batch of tasks
and yields each result as it finishes; :func:`process_pool` is the pool itself, for a caller
that keeps one across many batches (the calibration).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, TypeVar

Key = TypeVar("Key")
Result = TypeVar("Result")


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes started with ``spawn``."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def completed(
    function: Callable[..., Result],
    tasks: Sequence[tuple[Key, tuple[Any, ...]]],
    jobs: int,
    wait_when_stopped: bool = True,
) -> Generator[tuple[Key, Result], None, None]:
    """Run ``function(*args)`` for every ``(key, args)`` task; yield ``(key, result)`` as done.

    Results come as each task finishes, in any order.

    With ``jobs`` above 1 and more than one task, the tasks run on ``min(jobs, len(tasks))``
    worker processes; otherwise in this process, in order. When the caller stops early (an
    exception, Ctrl-C, or closing the iterator), tasks not yet started are cancelled; with
    ``wait_when_stopped`` the running ones are waited for (their workers write files that the
    caller is about to remove), else the pool is left at once.
    """
    if jobs <= 1 or len(tasks) <= 1:
        for key, args in tasks:
            yield key, function(*args)
        return
    pool = process_pool(min(jobs, len(tasks)))
    finished = False
    try:
        pending: dict[Future[Result], Key] = {pool.submit(function, *a): k for k, a in tasks}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield pending.pop(future), future.result()
        finished = True
    finally:
        pool.shutdown(wait=finished or wait_when_stopped, cancel_futures=True)
