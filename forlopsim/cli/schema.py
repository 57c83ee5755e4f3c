"""``forlopsim schema``: print the JSON Schema of scenario files, for editors and validators."""

from __future__ import annotations

import argparse
import json

from forlopsim.scenario import Scenario

DESCRIPTION = None
"""``schema --help`` shows only the usage."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``schema`` takes no arguments."""


def command(args: argparse.Namespace) -> int:
    """Print the schema (draft 2020-12) of :class:`~forlopsim.scenario.Scenario`."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "forlopsim scenario"
    print(json.dumps(schema, indent=2, ensure_ascii=False))
    return 0
