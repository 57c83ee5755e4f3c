"""Putting candidate parameter values into a scenario, and checking that they fit there."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from forlopsim.calibration.spec import Parameter
from forlopsim.errors import Problem, ScenarioError
from forlopsim.scenario import Scenario

SIGNIFICANT = 3
"""Significant digits of a fitted value or factor as written to the calibrated scenario."""


def current(scenario: Scenario, path: str) -> Any:
    """The value at a dotted path of the scenario (a number or a block of numbers)."""
    node: Any = scenario.model_dump(mode="python", exclude_none=True)
    for key in path.split("."):
        if isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        elif isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, dict) and key.isdigit() and int(key) in node:
            node = node[int(key)]
        else:
            raise KeyError(key)
    return node


def changes(
    scenario: Scenario, parameters: Mapping[str, Parameter], values: Mapping[str, float]
) -> dict[str, Any]:
    """Dotted path → new value for ``values`` (a value, or a factor on the block at the path).

    A value for a number the scenario holds as a whole number (a capacity) is rounded.
    """
    result: dict[str, Any] = {}
    for name, p in parameters.items():
        if p.bounds is not None:
            old = current(scenario, p.path)
            whole = isinstance(old, int) and not isinstance(old, bool)
            result[p.path] = round(values[name]) if whole else values[name]
        else:
            result[p.path] = scaled(current(scenario, p.path), values[name])
    return result


def scaled(node: Any, factor: float) -> Any:
    """Every number in ``node`` times ``factor``, to 6 significant digits; ``node`` unchanged."""
    if isinstance(node, bool):
        return node
    if isinstance(node, int | float):
        return float(f"{node * factor:.6g}")
    if isinstance(node, dict):
        return {k: scaled(v, factor) for k, v in node.items()}
    if isinstance(node, list):
        return [scaled(v, factor) for v in node]
    return node


def rounded(value: float) -> float:
    """A fitted value to :data:`SIGNIFICANT` digits, as written to the calibrated scenario."""
    return float(f"{value:.{SIGNIFICANT}g}")


def start_values(scenario: Scenario, parameters: Mapping[str, Parameter]) -> dict[str, float]:
    """Where the search starts: each value as the scenario has it (a factor of 1), clipped."""
    start = {}
    for name, p in parameters.items():
        value = float(current(scenario, p.path)) if p.bounds is not None else 1.0
        low, high = p.interval
        start[name] = min(max(value, low), high)
    return start


def check_parameters(scenario: Scenario, parameters: Mapping[str, Parameter], file: Path) -> None:
    """Check that every path exists and holds numbers and every interval gives valid scenarios.

    Both ends of every interval must give a valid scenario; otherwise :class:`ScenarioError`
    names the parameters file and the field.
    """
    problems: list[Problem] = []
    for name, p in parameters.items():
        field = f"parameters.{name}.path"
        try:
            node = current(scenario, p.path)
        except KeyError as missing:
            problems.append(Problem(str(file), field, f"{p.path!r}: the scenario has no {missing}"))
            continue
        if p.bounds is not None and not (
            isinstance(node, int | float) and not isinstance(node, bool)
        ):
            problems.append(
                Problem(str(file), field, f"{p.path!r} holds {_kind(node)}; bounds need a number")
            )
            continue
        if p.scale is not None and not _has_numbers(node):
            problems.append(Problem(str(file), field, f"{p.path!r} holds no numbers to scale"))
            continue
        for end in p.interval:
            try:
                scenario.with_changes(changes(scenario, {name: p}, {name: end}))
            except ScenarioError as error:
                first = error.problems[0]
                form = "bounds" if p.bounds is not None else "scale"
                problems.append(
                    Problem(
                        str(file),
                        f"parameters.{name}.{form}",
                        f"{end:g} gives an invalid scenario ({first.path}: {first.message})",
                    )
                )
                break
    if problems:
        raise ScenarioError(problems)


def _has_numbers(node: Any) -> bool:
    if isinstance(node, bool):
        return False
    if isinstance(node, int | float):
        return True
    if isinstance(node, dict):
        return any(_has_numbers(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_numbers(v) for v in node)
    return False


_KINDS: dict[type, str] = {dict: "a block", list: "a list", str: "text"}


def _kind(node: Any) -> str:
    return _KINDS.get(type(node), type(node).__name__)
