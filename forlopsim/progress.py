"""Progress of long work (replications, calibration points, sweep tasks), shown one way for all.

On a terminal: a rich bar that disappears when the work is done. Elsewhere (a log file, CI, a
pipe): plain lines on stderr, none for work that ends within a few seconds, and at most one
every few seconds after that, so logs stay readable.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Self

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

QUIET_SECONDS = 3.0  # not a domain number: work shorter than this shows no progress lines
LINE_SECONDS = 2.0  # not a domain number: at most one plain progress line this often


class ProgressView:
    """``with ProgressView("replications", total) as view: view.update(done, line=…)``.

    ``fields`` names extra values shown on the bar after the count (e.g. ``best=…``); each
    :meth:`update` may change them. Plain lines come at most every ``line_seconds`` (0: one per
    update, once the work has run for :data:`QUIET_SECONDS`).
    """

    def __init__(
        self,
        label: str,
        total: int | None = None,
        line_seconds: float = LINE_SECONDS,
        **fields: Any,
    ):
        self.label = label
        self.line_seconds = line_seconds
        self.total = total
        self.fields = fields
        self.console = Console(stderr=True)
        self.bar: Progress | None = None
        self.task: Any = None
        self.start = time.perf_counter()
        self.last_line = self.start

    def __enter__(self) -> Self:
        if self.console.is_terminal:
            extra = [TextColumn(f"{name} {{task.fields[{name}]}}") for name in self.fields]
            self.bar = Progress(
                TextColumn(self.label),
                BarColumn(),
                MofNCompleteColumn(),
                *extra,
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )
            self.bar.start()
        return self

    def update(
        self,
        done: int,
        total: int | None = None,
        line: str = "",
        label: str | None = None,
        **fields: Any,
    ) -> None:
        """Report that ``done`` of ``total`` are finished.

        ``total`` is the one given before, if left out; ``line`` is what a plain progress line says;
        ``label`` replaces the bar's label (e.g. the scenario whose replication just ended).
        """
        self.total = total if total is not None else self.total
        self.label = label if label is not None else self.label
        self.fields.update(fields)
        if self.bar is not None:
            if self.task is None:
                self.task = self.bar.add_task(self.label, total=self.total, **self.fields)
            self.bar.update(
                self.task, completed=done, total=self.total, description=self.label, **self.fields
            )
            return
        now = time.perf_counter()
        if now - self.start < QUIET_SECONDS:
            return
        if done == self.total or now - self.last_line >= self.line_seconds:
            print(line or f"{self.label}: {done}/{self.total} done", file=sys.stderr, flush=True)
            self.last_line = now

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def elapsed_and_left(seconds: float, done: int, total: int) -> str:
    """``0:41 elapsed, about 1:02 left`` (the time left at the rate so far), or ``… done``."""
    if done >= total:
        return f"{clock(seconds)} elapsed, done"
    if done <= 0:
        return f"{clock(seconds)} elapsed"
    return f"{clock(seconds)} elapsed, about {clock(seconds / done * (total - done))} left"


def clock(seconds: float) -> str:
    """A duration as ``m:ss`` (``h:mm:ss`` from an hour)."""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
