"""Reading scenario files: safe YAML, ``extends:`` with deep-merged overrides, clear errors.

A what-if names its base with ``extends: base.yaml`` (relative to itself) and gives only what it
changes: mappings merge key by key, anything else (numbers, lists, distributions' fields) replaces
the base's value, and ``null`` removes a key.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from forlopsim.errors import Problem, ScenarioError
from forlopsim.scenario.scenario import Scenario

Origins = dict[tuple[str, ...], tuple[str, int]]
"""Where each value came from: field path (keys as text) → (file, line)."""


def load_scenario(path: str | Path) -> Scenario:
    """Read, merge and validate a scenario file; raise :class:`ScenarioError` on any problem."""
    path = Path(path)
    data, origins = load_merged(path)
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(_problems(error, data, origins, str(path))) from None


def load_merged(path: Path, _chain: tuple[Path, ...] = ()) -> tuple[dict[str, Any], Origins]:
    """The file's mapping with its ``extends`` chain merged in, and where each value came from."""
    resolved = path.resolve()
    if resolved in _chain:
        cycle = " -> ".join(str(p) for p in (*_chain, resolved))
        raise ScenarioError([Problem(str(path), "extends", f"extends forms a cycle: {cycle}")])
    data, origins = read_yaml(path)
    base_name = data.pop("extends", None)
    if base_name is None:
        return data, origins
    if not isinstance(base_name, str):
        line = origins.get(("extends",), (str(path), None))[1]
        raise ScenarioError([Problem(str(path), "extends", "expected the name of a YAML file", line)])
    base_path = path.parent / base_name
    if not base_path.is_file():
        line = origins.get(("extends",), (str(path), None))[1]
        raise ScenarioError(
            [Problem(str(path), "extends", f"base file {str(base_path)!r} does not exist", line)]
        )
    base, base_origins = load_merged(base_path, (*_chain, resolved))
    merged = deep_merge(base, data)
    origins.pop(("extends",), None)
    return merged, {**base_origins, **origins}


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Override ``base`` key by key: mappings merge, ``None`` deletes, anything else replaces."""
    merged = dict(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def read_yaml(path: Path) -> tuple[dict[str, Any], Origins]:
    """Parse one file with the safe loader, rejecting duplicate keys; no ``extends`` handling."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([Problem(name, "", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError([Problem(name, "", f"cannot read the file ({error})")]) from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        message = f"{error.context + ', ' if error.context else ''}{error.problem}"
        if "could not determine a constructor" in (error.problem or ""):
            message = f"tag not allowed in a scenario file ({error.problem.split('tag ')[-1]})"
        raise ScenarioError([Problem(name, "", f"YAML: {message}", line)]) from None
    except yaml.YAMLError as error:
        raise ScenarioError([Problem(name, "", f"YAML: {error}")]) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise ScenarioError([Problem(name, "", "expected a mapping of scenario fields at the top")])
    origins: Origins = {}
    problems: list[Problem] = []
    _walk(node, (), name, origins, problems)
    if problems:
        raise ScenarioError(problems)
    return data, origins


def _walk(node: yaml.Node, path: tuple[str, ...], name: str, origins: Origins, problems: list) -> None:
    origins[path] = (name, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                dotted = ".".join((*path, key))
                problems.append(
                    Problem(name, dotted, "duplicate key", key_node.start_mark.line + 1)
                )
            seen.add(key)
            _walk(value_node, (*path, key), name, origins, problems)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, str(i)), name, origins, problems)


_PATH_PREFIX = re.compile(r"^([A-Za-z0-9_.\-]+): (.*)$", re.S)


def _problems(error: ValidationError, data: dict, origins: Origins, top: str) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        path = _display_path(item["loc"], data)
        message = _message(item)
        if item["type"] == "value_error" and not path:
            # cross-reference problems come as "path: message" lines
            for line in message.splitlines():
                match = _PATH_PREFIX.match(line)
                sub_path, text = (match.group(1), match.group(2)) if match else ("", line)
                problems.append(_located(top, sub_path, text, origins))
            continue
        problems.append(_located(top, path, message, origins))
    return problems


def _located(top: str, path: str, message: str, origins: Origins) -> Problem:
    """Name the file (and line) the value at ``path`` came from, or its nearest parent."""
    parts = tuple(path.split(".")) if path else ()
    while parts not in origins and parts:
        parts = parts[:-1]
    file, line = origins.get(parts, (top, None))
    return Problem(file, path, message, line)


def _display_path(loc: tuple, data: Any) -> str:
    """The field path in the user's terms, without pydantic's union-tag segments."""
    parts: list[str] = []
    node = data
    for i, item in enumerate(loc):
        last = i == len(loc) - 1
        if item == "[key]":
            continue
        if isinstance(node, dict):
            key = next((k for k in node if str(k) == str(item)), None)
            if key is not None:
                parts.append(str(item))
                node = node[key]
                continue
        elif isinstance(node, list) and isinstance(item, int) and item < len(node):
            parts.append(str(item))
            node = node[item]
            continue
        if last or isinstance(item, int):
            parts.append(str(item))
            node = None
    return ".".join(parts)


def _message(item: dict) -> str:
    kind, text = item["type"], item["msg"]
    if text.startswith("Value error, "):
        text = text[len("Value error, ") :]
    if kind == "extra_forbidden":
        return "unknown key (see `forlopsim schema` for the fields this block accepts)"
    if kind == "missing":
        return "required field is missing"
    value = item.get("input")
    if kind not in ("value_error", "union_tag_invalid", "model_type") and isinstance(
        value, (int, float, str, bool)
    ):
        text = f"{text} (got {value!r})"
    return text
