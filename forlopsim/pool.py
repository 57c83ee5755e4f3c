"""Worker processes for replications, sweeps and calibrations, started and stopped one way.

Workers are started with ``spawn``, so that nothing in a result depends on the parent's state
(and the same code runs on Linux, macOS and Windows). :func:`completed` runs a batch of tasks
and yields each result as it finishes; :func:`process_pool` is the pool itself, for a caller
that keeps one across many batches (the calibration).

Workers never outlive their parent: each asks Linux to kill it when the parent dies
(``PR_SET_PDEATHSIG``) and, on every system, watches its parent from a thread and exits when it
is gone (within :data:`PARENT_POLL_SECONDS`). They ignore Ctrl-C: the parent stops them
(:func:`stop_workers`), so a stopped command ends at once and no worker prints a traceback.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, TypeVar

Key = TypeVar("Key")
Result = TypeVar("Result")

PARENT_POLL_SECONDS = 0.5
"""How often a worker checks that its parent still lives (where the kernel cannot tell it)."""
_PR_SET_PDEATHSIG = 1
"""``prctl`` option: the signal a Linux process gets when its parent dies (linux/prctl.h)."""


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes started with ``spawn``, each dying with this process."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    )


def die_with_parent(parent: int) -> None:
    """In a worker: exit when process ``parent`` is gone; leave Ctrl-C to the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        _kernel_kills_on_parent_death()
    if os.getppid() != parent:  # the parent died before the worker got here
        os._exit(1)
    watcher = threading.Thread(target=_watch, args=(parent,), name="parent-watch", daemon=True)
    watcher.start()


def _kernel_kills_on_parent_death() -> None:
    """Ask Linux for SIGKILL when the parent dies (best effort: no libc, no kernel help)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _watch(parent: int) -> None:
    """Exit the worker as soon as its parent is no longer ``parent`` (it died; we were adopted)."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """End ``pool``'s workers now, running tasks included, and wait until they are gone."""
    processes = list((pool._processes or {}).values())  # no public way before Python 3.14
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join()
    pool.shutdown(wait=True, cancel_futures=True)


def completed(
    function: Callable[..., Result],
    tasks: Sequence[tuple[Key, tuple[Any, ...]]],
    jobs: int,
    pool: ProcessPoolExecutor | None = None,
) -> Generator[tuple[Key, Result], None, None]:
    """Run ``function(*args)`` for every ``(key, args)`` task; yield ``(key, result)`` as done.

    Results come as each task finishes, in any order.

    With ``jobs`` above 1 and more than one task, the tasks run on ``min(jobs, len(tasks))``
    worker processes (``pool``'s, if given: it is kept for the caller's next batch); otherwise
    in this process, in order. When the caller stops early (an exception, Ctrl-C, SIGTERM, or
    closing the iterator), the workers are ended at once and waited for, ``pool``'s too, so that
    none writes into a folder the caller is about to remove.
    """
    if jobs <= 1 or len(tasks) <= 1:
        for key, args in tasks:
            yield key, function(*args)
        return
    own = pool is None
    pool = process_pool(min(jobs, len(tasks))) if pool is None else pool
    finished = False
    try:
        pending: dict[Future[Result], Key] = {pool.submit(function, *a): k for k, a in tasks}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield pending.pop(future), future.result()
        finished = True
    finally:
        if not finished:
            stop_workers(pool)
        elif own:
            pool.shutdown(wait=True)
