"""The ``forlopsim`` command: run, compare, report, sweep, sensitivity, calibrate, validate,
schema.

User mistakes (bad scenario files, bad arguments) end with a short message on stderr and exit
status 2, never a traceback, and nothing written.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from forlopsim import __version__
from forlopsim.errors import ScenarioError, UsageError
from forlopsim.scenario import Scenario, load_scenario

EXIT_USER_ERROR = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = _parser(_command_named(argv))
    args = parser.parse_args(argv)
    command: Callable[[argparse.Namespace], int] = args.command
    try:
        return command(args)
    except (ScenarioError, UsageError) as error:
        print(f"forlopsim: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("forlopsim: interrupted; nothing was written", file=sys.stderr)
        return 130


COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("forlopsim.run_command", "add_run_parser"),
    "compare": ("forlopsim.compare_command", "add_compare_parser"),
    "report": ("forlopsim.report.command", "add_report_parser"),
    "sweep": ("forlopsim.sweep.command", "add_sweep_parser"),
    "sensitivity": ("forlopsim.sensitivity.command", "add_sensitivity_parser"),
    "calibrate": ("forlopsim.calibration.command", "add_calibrate_parser"),
}
"""The commands defined in their own modules: (module, function adding its parser), imported
only when needed, since together they import SciPy, Matplotlib and SALib (about 1.2 s)."""


def _command_named(argv: Sequence[str]) -> str | None:
    """The command ``argv`` asks for, if it is one of :data:`COMMANDS` (else every parser is
    built, for ``--help`` and for argparse's message on an unknown command)."""
    first = next((a for a in argv if not a.startswith("-")), None)
    return first if first in COMMANDS else None


def _parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``only``, that command's is the only one of :data:`COMMANDS`
    built (the others' modules are not imported)."""
    parser = argparse.ArgumentParser(
        prog="forlopsim",
        description="Simulate municipal care pathways (forløp) and housing for people with "
        "substance-use problems and mental illness.",
    )
    parser.add_argument("--version", action="version", version=f"forlopsim {__version__}")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    validate = sub.add_parser("validate", help="check scenario files and report every problem")
    validate.add_argument("files", nargs="+", type=Path, metavar="FILE")
    validate.set_defaults(command=_validate)

    schema = sub.add_parser("schema", help="print the JSON Schema of scenario files")
    schema.set_defaults(command=_schema)

    for name, (module, adder) in COMMANDS.items():
        if only is None or name == only:
            getattr(importlib.import_module(module), adder)(sub)
    return parser


def _validate(args: argparse.Namespace) -> int:
    failed = False
    for path in args.files:
        try:
            scenario = load_scenario(path)
        except ScenarioError as error:
            failed = True
            print(f"forlopsim: {error}", file=sys.stderr)
            continue
        print(f"{path}: ok ({scenario.name})")
    return EXIT_USER_ERROR if failed else 0


def _schema(args: argparse.Namespace) -> int:
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "forlopsim scenario"
    print(json.dumps(schema, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
