"""Progress of a sweep: tasks (points × replications) done, as every long command shows it."""

from __future__ import annotations

from forlopsim.progress import ProgressView
from forlopsim.text import plural


class SweepProgress(ProgressView):
    """Use as ``with SweepProgress() as show: run_sweep(..., on_progress=show)``."""

    def __init__(self) -> None:
        super().__init__("points × replications")

    def __call__(self, finished: int, total: int) -> None:
        """Show that ``finished`` of ``total`` tasks are done."""
        self.update(finished, total, line=f"sweep: {finished}/{plural(total, 'task')} done")
