"""Runs of the app: one at a time, in the background, with progress, cancel and a cache.

A :class:`Runner` (one per server, shared by every browser tab) runs a base and a what-if with
common random numbers (:func:`forlopsim.comparison.compare_scenarios`) in a thread and reads
what the report needs from the records (:func:`forlopsim.report.data.collect`). While one runs,
:meth:`Runner.start` refuses another, so two runs never share the workers or mix their
results. Finished runs are kept by :func:`run_key` — both scenarios' every field, the seed and
the replications — so settings seen before come back at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forlopsim.comparison import compare_scenarios
from forlopsim.experiment import WARMUP_STEP_DAYS, ReplicationResult
from forlopsim.report.data import ReportData, collect
from forlopsim.scenario import Scenario

CACHE_SIZE = 32
"""Not a domain number: finished runs kept (the oldest seen is dropped first)."""

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """The planner cancelled the run."""


def run_key(base: Scenario, whatif: Scenario, seed: int, replications: int) -> str:
    """What decides a run's results and words: both scenarios, the seed, the replications."""
    text = json.dumps(
        [base.model_dump(mode="json"), whatif.model_dump(mode="json"), seed, replications],
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Outcome:
    """A finished run: what the report reads, and how long it took."""

    data: ReportData
    seconds: float
    memo: dict[tuple[str, ...], Any] = field(default_factory=dict)
    """Pieces made from :attr:`data` once (charts, report files), by what and language."""


@dataclass
class Job:
    """A run going on (or just ended): its progress and how it ended."""

    key: str
    total: int
    done: int = 0
    started: float = field(default_factory=time.perf_counter)
    cancel: threading.Event = field(default_factory=threading.Event)
    finished: bool = False
    error: str | None = None
    cancelled: bool = False

    def advance(self, result: ReplicationResult) -> None:
        """One more replication done; stop here if the planner cancelled."""
        self.done += 1
        if self.cancel.is_set():
            raise Cancelled


class Runner:
    """One run at a time, in a thread; finished runs cached by :func:`run_key`."""

    def __init__(self, jobs: int | None = None):
        self.jobs = jobs or os.cpu_count() or 1
        self.job: Job | None = None
        self.cache: OrderedDict[str, Outcome] = OrderedDict()
        self.pace: float | None = None
        """Seconds per replication of one scenario in the last finished run (2 cores shared)."""
        self._lock = threading.Lock()

    def cached(self, key: str) -> Outcome | None:
        """The finished run of ``key``, if kept."""
        with self._lock:
            outcome = self.cache.get(key)
            if outcome is not None:
                self.cache.move_to_end(key)
            return outcome

    def busy(self) -> bool:
        """Whether a run is going."""
        job = self.job
        return job is not None and not job.finished

    def start(
        self, key: str, scenarios: tuple[Scenario, Scenario], labels: list[str], replications: int
    ) -> Job | None:
        """Start the run of the base and the what-if; None (refused) if one is going."""
        with self._lock:
            if self.busy():
                return None
            job = Job(key, replications * len(scenarios))
            self.job = job
        thread = threading.Thread(
            target=self._run, args=(job, scenarios, labels, replications), daemon=True
        )
        thread.start()
        return job

    def cancel(self) -> None:
        """Ask the going run to stop (it stops when the replication running ends)."""
        job = self.job
        if job is not None and not job.finished:
            job.cancel.set()

    def _run(
        self, job: Job, scenarios: tuple[Scenario, Scenario], labels: list[str], replications: int
    ) -> None:
        """The thread: run, read the records, keep the outcome; record how it ended."""
        try:
            outcome = self._outcome(job, scenarios, labels, replications)
        except Cancelled:
            job.cancelled = True
        except Exception as error:  # the server must outlive any fault of one run
            log.exception("forlopsim app: the run failed")
            job.error = f"{type(error).__name__}: {error}"
        else:
            with self._lock:
                self.cache[job.key] = outcome
                while len(self.cache) > CACHE_SIZE:
                    self.cache.popitem(last=False)
                self.pace = outcome.seconds / job.total * self.jobs
        finally:
            job.finished = True

    def _outcome(
        self, job: Job, scenarios: tuple[Scenario, Scenario], labels: list[str], replications: int
    ) -> Outcome:
        """Run with common random numbers into a temporary folder and collect the records."""
        base, whatif = scenarios
        with tempfile.TemporaryDirectory(prefix="forlopsim-app-") as folder:
            comparison = compare_scenarios(
                base, [whatif], replications, base.simulation.seed, self.jobs, Path(folder),
                job.advance, labels, WARMUP_STEP_DAYS,
            )  # fmt: skip
            data = collect(comparison, Path(folder))
        return Outcome(data, time.perf_counter() - job.started)

    def estimate(self, replications: int, scenarios: int = 2) -> float | None:
        """About how many seconds a run of ``replications`` takes, from the last run's pace."""
        if self.pace is None:
            return None
        return self.pace * replications * scenarios / self.jobs
