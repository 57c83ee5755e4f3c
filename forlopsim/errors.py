"""User-facing errors: each names the file, the field path and what was expected."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input file."""

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ScenarioError(Exception):
    """A scenario file (or a file it extends) is unreadable or invalid."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class UsageError(Exception):
    """A command was given arguments it cannot use (a clear message, exit status 2)."""


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived (``timeout``, a scheduler): the command stops as after Ctrl-C."""
