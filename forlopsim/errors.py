"""User-facing errors: each names the file, the field path and what was expected."""

from __future__ import annotations

import re
from dataclasses import dataclass

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
"""Control characters (all but tab and newline): printed raw, ``\\e[…`` would drive the terminal."""


def escape(text: str) -> str:
    r"""``text`` with its control characters as escapes (``\x1b``), safe to print."""
    return CONTROL.sub(lambda match: repr(match.group())[1:-1], text)


MAX_PATH = 100
"""Longest field path printed (keys are the user's: a long one is cut, not printed whole)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input file."""

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        """``file:line: path: message``, every part with its control characters escaped."""
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        path = self.path if len(self.path) <= MAX_PATH else self.path[: MAX_PATH - 1] + "…"
        text = f"{where}: {path}: {self.message}" if path else f"{where}: {self.message}"
        return escape(text)


class ScenarioError(Exception):
    """A scenario file (or a file it extends) is unreadable or invalid."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class UsageError(Exception):
    """A command was given arguments it cannot use (a clear message, exit status 2)."""


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived (``timeout``, a scheduler): the command stops as after Ctrl-C."""
