"""The ``forlopsim`` command: run, compare, report, sweep, sensitivity, calibrate, validate,
schema.

User mistakes (bad scenario files, bad arguments) end with a short message on stderr and exit
status 2, never a traceback, and nothing written.
"""

from __future__ import annotations

import argparse
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
    parser = _parser()
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


def _parser() -> argparse.ArgumentParser:
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

    from forlopsim.calibration.command import add_calibrate_parser
    from forlopsim.compare_command import add_compare_parser
    from forlopsim.report.command import add_report_parser
    from forlopsim.run_command import add_run_parser
    from forlopsim.sensitivity.command import add_sensitivity_parser
    from forlopsim.sweep.command import add_sweep_parser

    add_run_parser(sub)
    add_compare_parser(sub)
    add_report_parser(sub)
    add_sweep_parser(sub)
    add_sensitivity_parser(sub)
    add_calibrate_parser(sub)
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
