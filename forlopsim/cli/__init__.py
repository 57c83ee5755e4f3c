"""The ``forlopsim`` command: run, compare, report, sweep, sensitivity, calibrate, plan, validate, schema, app.

Each command is a module of this package (``forlopsim.cli.run`` …) with a ``DESCRIPTION``, an
``add_arguments(parser)`` and a ``command(args)`` returning the exit status; options several
commands take are defined once in :mod:`.options`. Only the module of the command being run is
imported: together they import SciPy, Matplotlib and SALib (about 1.2 s), and ``--help``,
``--version`` or ``validate`` need none of it. User mistakes (bad scenario files, bad arguments)
end with a short message on stderr and exit status 2, never a traceback, and nothing written.
Faults of the system (a full disk, an I/O error) end with one line and exit status 1; a
permission refused, with status 2 (the user chose the place). SIGTERM, which ``timeout`` and
schedulers send, stops a command as Ctrl-C does (workers ended, nothing half-written), with
status 143. Output piped to a reader that stops early (``forlopsim schema | head``) ends the command quietly,
as a Unix tool killed by SIGPIPE does: no traceback, exit status 141.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from forlopsim import __version__
from forlopsim.errors import ScenarioError, Terminated, UsageError

EXIT_FAULT = 1
"""Exit status of a fault of the system, not of the user (a full disk, an I/O error)."""
EXIT_USER_ERROR = 2
"""Exit status of a user mistake (a bad file or argument, a place one may not write)."""
EXIT_INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT), as a shell reports it."""
EXIT_TERMINATED = 143
"""Exit status after SIGTERM (128 + SIGTERM), as a shell reports it."""
EXIT_BROKEN_PIPE = 141
"""Exit status when the reader of stdout went away (128 + SIGPIPE), as a shell reports it."""


@dataclass(frozen=True)
class Command:
    """A command's module and the one line ``forlopsim --help`` shows for it."""

    module: str
    summary: str


COMMANDS: dict[str, Command] = {
    "validate": Command("forlopsim.cli.validate", "check scenario files and report every problem"),
    "schema": Command("forlopsim.cli.schema", "print the JSON Schema of scenario files"),
    "run": Command(
        "forlopsim.cli.run", "run replications of a scenario and print the headline KPIs"
    ),
    "compare": Command(
        "forlopsim.cli.compare",
        "compare what-if scenarios with a base scenario (common random numbers)",
    ),
    "report": Command(
        "forlopsim.cli.report",
        "the budget-hearing report (HTML and PDF) for a base scenario and what-ifs",
    ),
    "sweep": Command(
        "forlopsim.cli.sweep",
        "run a design over scenario parameters (grid, Latin hypercube or Sobol)",
    ),
    "sensitivity": Command(
        "forlopsim.cli.sensitivity", "Sobol indices of the KPIs from a sweep with a sobol design"
    ),
    "calibrate": Command(
        "forlopsim.cli.calibrate", "fit scenario parameters to published figures (targets)"
    ),
    "plan": Command(
        "forlopsim.cli.plan",
        "search capacities for the best plan within a budget (Optuna, common random numbers)",
    ),
    "app": Command(
        "forlopsim.cli.app",
        "the planner's app in the browser: change a what-if, run it, take the report away",
    ),
}
"""Every command, in the order ``--help`` lists them. The summaries live here, not in the
modules, so that the list is shown without importing any command."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    try:
        status = _main(argv)
        sys.stdout.flush()  # inside the try: a pipe closed early fails here, not at exit
    except BrokenPipeError:
        _discard_stdout()
        return EXIT_BROKEN_PIPE
    return status


def _discard_stdout() -> None:
    """Point stdout at the null device, so that Python's last flush at exit cannot fail again.

    As the Python documentation recommends for SIGPIPE (``signal`` module, "Note on SIGPIPE").
    """
    try:
        fileno = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):  # replaced by a stream without a descriptor
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fileno)
    os.close(devnull)


def _main(argv: Sequence[str] | None) -> int:
    """Parse ``argv`` and run its command; user mistakes become a message and status 2."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = _parser(_command_named(argv))
    args = parser.parse_args(argv)
    command: Callable[[argparse.Namespace], int] = args.command
    try:
        with sigterm_as_interrupt():
            return command(args)
    except (ScenarioError, UsageError) as error:
        print(f"forlopsim: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt as stop:
        print(f"forlopsim: {stopped(stop)}; nothing was written", file=sys.stderr)
        return stopped_status(stop)
    except BrokenPipeError:
        raise
    except OSError as error:
        print(f"forlopsim: {fault_message(error)}", file=sys.stderr)
        return EXIT_USER_ERROR if isinstance(error, PermissionError) else EXIT_FAULT


def fault_message(error: OSError) -> str:
    """One line for a fault of the system: what failed, where, and that nothing is half-written."""
    reason = error.strerror or str(error) or type(error).__name__
    where = f": {error.filename}" if error.filename else ""
    return f"{reason}{where}; the command stopped and left no half-written file"


def stopped(stop: KeyboardInterrupt) -> str:
    """How a command was stopped, for its last message: interrupted, or terminated."""
    return "terminated (SIGTERM)" if isinstance(stop, Terminated) else "interrupted"


def stopped_with_log(stop: KeyboardInterrupt, evaluations: int, out: object) -> int:
    """Say that a stopped search keeps its logged evaluations in ``out``; its exit status."""
    print(
        f"forlopsim: {stopped(stop)}; {evaluations} evaluations are kept in "
        f"{out}/; run the same command again to resume",
        file=sys.stderr,
    )
    return stopped_status(stop)


def stopped_status(stop: KeyboardInterrupt) -> int:
    """The exit status of a stopped command: 143 after SIGTERM, 130 after Ctrl-C."""
    return EXIT_TERMINATED if isinstance(stop, Terminated) else EXIT_INTERRUPTED


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` (a ``KeyboardInterrupt``).

    So a command stopped by ``timeout`` or a scheduler cleans up as after Ctrl-C. A second
    SIGTERM while it cleans up is ignored, so that the clean-up itself is not cut short.
    """

    def stop(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Terminated

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _command_named(argv: Sequence[str]) -> str | None:
    """The command ``argv`` asks for, if it is one of :data:`COMMANDS`."""
    first = next((a for a in argv if not a.startswith("-")), None)
    return first if first in COMMANDS else None


def _parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser: every command listed, only ``only``'s module imported.

    ``only``'s arguments are added; with none, argparse can still show the list and refuse an
    unknown name.
    """
    parser = argparse.ArgumentParser(
        prog="forlopsim",
        description="Simulate municipal care pathways (forløp) and housing for people with "
        "substance-use problems and mental illness.",
    )
    parser.add_argument("--version", action="version", version=f"forlopsim {__version__}")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    for name, entry in COMMANDS.items():
        if name != only:
            sub.add_parser(name, help=entry.summary)
            continue
        module = importlib.import_module(entry.module)
        own = sub.add_parser(name, help=entry.summary, description=module.DESCRIPTION)
        module.add_arguments(own)
        own.set_defaults(command=module.command)
    return parser
