"""Progress of a sweep: a rich bar on a terminal, a plain line every few seconds elsewhere."""

from __future__ import annotations

import sys
import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

QUIET_SECONDS = 3.0  # not a domain number: sweeps shorter than this show no progress lines
LINE_SECONDS = 5.0  # not a domain number: at most one plain progress line this often


class SweepProgress:
    """Use as ``with SweepProgress() as show: run_sweep(..., on_progress=show)``."""

    def __init__(self) -> None:
        self.console = Console(stderr=True)
        self.bar: Progress | None = None
        self.task = None
        self.start = time.perf_counter()
        self.last_line = self.start

    def __enter__(self) -> SweepProgress:
        if self.console.is_terminal:
            self.bar = Progress(
                TextColumn("points × replications"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self.bar.start()
        return self

    def __call__(self, finished: int, total: int) -> None:
        """Show that ``finished`` of ``total`` tasks are done."""
        if self.bar is not None:
            if self.task is None:
                self.task = self.bar.add_task("sweep", total=total, completed=finished)
            self.bar.update(self.task, completed=finished)
            return
        now = time.perf_counter()
        if now - self.start < QUIET_SECONDS:
            return
        if finished == total or now - self.last_line >= LINE_SECONDS:
            print(f"sweep: {finished}/{total} tasks done", file=sys.stderr, flush=True)
            self.last_line = now

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
