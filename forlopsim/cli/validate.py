"""``forlopsim validate FILE…``: check scenario files and report every problem of every file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from forlopsim.cli import EXIT_USER_ERROR
from forlopsim.errors import Problem, ScenarioError, escape
from forlopsim.scenario import Scenario, load_scenario
from forlopsim.scenario.checks import label_warnings
from forlopsim.scenario.loader import read_yaml, scenario_warnings

DESCRIPTION = None
"""``validate --help`` shows only the usage and the arguments."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One or more scenario files."""
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")


def command(args: argparse.Namespace) -> int:
    """Load each file; print ``ok`` or its problems; status 2 if any file is bad.

    Warnings (valid but suspect numbers, e.g. new places with no one-off cost) go to stderr
    and do not change the status.
    """
    failed = False
    for path in args.files:
        try:
            scenario = load_scenario(path)
        except ScenarioError as error:
            failed = True
            print(f"forlopsim: {error}", file=sys.stderr)
            continue
        for warning in [*scenario_warnings(path, scenario), *_label_warnings(path, scenario)]:
            print(f"forlopsim: warning: {warning}", file=sys.stderr)
        print(escape(f"{path}: ok ({scenario.name})"))  # a file name may hold escape codes
    return EXIT_USER_ERROR if failed else 0


def _label_warnings(path: Path, scenario: Scenario) -> list[Problem]:
    """Parts of the scenario with no display name in both languages (the report's names)."""
    raw, _ = read_yaml(path)
    base = (
        load_scenario(path.parent / raw["extends"]) if isinstance(raw.get("extends"), str) else None
    )
    return [Problem(str(path), field, message) for field, message in label_warnings(scenario, base)]
