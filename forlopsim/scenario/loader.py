"""Reading scenario files: safe YAML, ``extends:`` with deep-merged overrides, clear errors.

A what-if names its base with ``extends: base.yaml`` (relative to itself) and gives only what it
changes: mappings merge key by key, anything else (numbers, lists) replaces the base's value, and
``null`` removes a key. A distribution (a mapping with ``kind``) whose ``kind`` changes replaces the
base's distribution whole, so no parameter of the old kind is left behind.

Every problem is reported as the file it comes from (a base file when the value came from there),
its line, the field path and a short message in plain English; never a traceback.
"""

from __future__ import annotations

import ast
import difflib
import functools
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from forlopsim.errors import CONTROL, Problem, ScenarioError
from forlopsim.limits import MAX_DEPTH, MAX_EXPANDED_VALUES, MAX_EXTENDS_CHAIN
from forlopsim.scenario.reading import LimitError, key_value, parse, read_text, shorten
from forlopsim.scenario.scenario import Scenario

Origins = dict[tuple[str, ...], tuple[str, int]]
"""Where each value came from: field path (keys as text) → (file, line)."""

Locator = Callable[[tuple, str], Problem]
"""Makes a :class:`Problem` for a field path (a tuple) and a message."""

MAX_PROBLEMS = 20
"""Problems reported for one file; the rest are counted."""


def load_scenario(path: str | Path, *, trusted: Sequence[Path] | None = None) -> Scenario:
    """Read, merge and validate a scenario file; raise :class:`ScenarioError` on any problem.

    ``trusted`` are the folders its ``extends:`` chain may take files from (by default
    :func:`trusted_folders` of ``path``).
    """
    path = Path(path)
    data, origins = load_merged(path, trusted=trusted)
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        problems = validation_problems(error, data, str(path), origins)
    except RecursionError:
        problems = [Problem(str(path), "", "values nested too deeply")]
    raise ScenarioError(problems)


def scenario_warnings(path: str | Path, scenario: Scenario) -> list[Problem]:
    """What is valid but suspect in the file ``path`` (already loaded as ``scenario``).

    New places or beds with no one-off cost (:mod:`forlopsim.scenario.checks`), each located at
    the file and line its value came from.
    """
    from forlopsim.scenario.checks import one_off_cost_warnings

    path = Path(path)
    raw, _ = read_yaml(path)
    _, origins = load_merged(path)
    base = None
    if isinstance(raw.get("extends"), str):
        base = load_scenario(path.parent / raw["extends"], trusted=trusted_folders(path))
    return [
        _located(str(path), field, message, origins)
        for field, message in one_off_cost_warnings(scenario, base)
    ]


def load_scenarios(paths: Sequence[str | Path]) -> list[Scenario]:
    """Load every file; report the problems of all bad files together, in one error."""
    scenarios, problems = [], []
    for path in paths:
        try:
            scenarios.append(load_scenario(path))
        except ScenarioError as error:
            problems += error.problems
    if problems:
        raise ScenarioError(problems)
    return scenarios


def load_merged(
    path: Path,
    _chain: tuple[tuple[Path, str], ...] = (),
    _name: str | None = None,
    *,
    trusted: Sequence[Path] | None = None,
) -> tuple[dict[str, Any], Origins]:
    """The file's mapping with its ``extends`` chain merged in, and where each value came from.

    Files are named as given, bases as ``os.path.normpath`` of the path through their extender.
    Bases must be YAML files inside ``trusted`` folders (:func:`trusted_folders` of ``path``).
    """
    name = str(path) if _name is None else _name
    folders = tuple(trusted) if trusted is not None else trusted_folders(path)
    data, origins = read_yaml(path, name)
    base_name = data.pop("extends", None)
    line = origins.pop(("extends",), (name, None))[1]
    if base_name is None:
        return data, origins
    chain = (*_chain, (_resolved(path), name))
    base_path = _base_path(path, base_name, chain, folders)
    if isinstance(base_path, str):
        raise ScenarioError([Problem(name, "extends", base_path, line)])
    base, base_origins = load_merged(base_path, chain, os.path.normpath(base_path), trusted=folders)
    replaced: set[tuple[str, ...]] = set()
    merged = _merge(base, data, (), replaced)
    kept = {p: o for p, o in base_origins.items() if not _under(p, replaced)}
    return merged, {**kept, **origins}


SCENARIO_SUFFIXES = (".yaml", ".yml")
"""The endings a scenario file named in another file (``extends:``, ``scenario:``) must have."""
TRUSTED_ENV = "FORLOPSIM_SCENARIO_DIRS"
"""Environment variable of further folders bases may be read from (separated as in PATH)."""


def trusted_folders(path: Path) -> tuple[Path, ...]:
    """The folders the files named in ``path`` may lie in (at any depth).

    The folder of ``path`` (the file the user names), the current folder, and the folders
    in ``$FORLOPSIM_SCENARIO_DIRS``: a file from elsewhere cannot make forlopsim read, and
    quote, a file outside them.
    """
    extra = [Path(p) for p in os.environ.get(TRUSTED_ENV, "").split(os.pathsep) if p]
    folders = []
    for folder in (path.parent, Path("."), *extra):
        try:
            folders.append(folder.resolve())
        except (OSError, RuntimeError, ValueError):
            continue
    return tuple(folders)


def named_file_problem(given: str, target: Path, trusted: Sequence[Path]) -> str | None:
    """Why ``target`` (written ``given`` in a file) cannot be read as a scenario, or ``None``.

    It must end in ``.yaml`` or ``.yml`` and lie inside one of the ``trusted`` folders.
    """
    if Path(given).suffix.lower() not in SCENARIO_SUFFIXES:
        return f"{_describe(given, 48)} is not a YAML scenario file (its name must end in .yaml)"
    resolved = _resolved(target)
    if not any(resolved.is_relative_to(folder) for folder in trusted):
        return (
            f"{_describe(given, 80)} is outside the folders scenario files are read from (the "
            f"named file's, the current one and ${TRUSTED_ENV}; see docs/reliability.md)"
        )
    return None


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return Path(os.path.abspath(path))


def _base_path(
    path: Path, base_name: Any, chain: tuple[tuple[Path, str], ...], trusted: Sequence[Path]
) -> Path | str:
    """The base file ``extends: base_name`` names in ``path``, or why it cannot be one."""
    if not isinstance(base_name, str):
        return "expected the name of one YAML file (text)"
    if len(chain) >= MAX_EXTENDS_CHAIN:
        return (
            f"extends chain too long: more than {MAX_EXTENDS_CHAIN} files (see docs/reliability.md)"
        )
    base_path = path.parent / base_name
    shown = os.path.normpath(base_path)
    try:
        resolved = base_path.resolve()
        exists, is_file = base_path.exists(), base_path.is_file()
    except (OSError, ValueError, RuntimeError) as error:
        reason = getattr(error, "strerror", None) or error
        return f"cannot use {_describe(base_name)} as a base file ({reason})"
    starts = [i for i, (seen, _) in enumerate(chain) if seen == resolved]
    if starts:
        if starts[0] == len(chain) - 1:
            return "the file extends itself"
        names = [shown_name for _, shown_name in chain[starts[0] :]]
        return "extends forms a cycle: " + " -> ".join([*names, shown])
    if not exists:
        return f"base file {shorten(shown, 120)} does not exist"
    if not is_file:
        return f"base {shorten(shown, 120)} is not a file"
    return named_file_problem(base_name, base_path, trusted) or base_path


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Override ``base`` key by key: mappings merge, ``None`` deletes, anything else replaces.

    A mapping whose ``kind`` differs from the base's (a distribution of another kind) replaces it.
    """
    return _merge(base, override, (), set())


def _merge(
    base: dict[str, Any], override: dict[str, Any], path: tuple[str, ...], replaced: set
) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        here = (*path, str(key))
        old = merged.get(key)
        if value is None:
            merged.pop(key, None)
            replaced.add(here)
        elif isinstance(value, dict) and isinstance(old, dict):
            if "kind" in value and value["kind"] != old.get("kind"):
                replaced.add(here)
                old = {}
            merged[key] = _merge(old, value, here, replaced)
        else:
            merged[key] = value
            replaced.add(here)
    return merged


def _under(path: tuple[str, ...], prefixes: set[tuple[str, ...]]) -> bool:
    return any(path[:i] in prefixes for i in range(1, len(path) + 1))


def locator(name: str, origins: Origins) -> Locator:
    """Problems in the file ``name`` at the line of a field path, or of its nearest parent.

    For input files other than scenarios (sweep specs, calibration targets and parameters).
    """

    def locate(loc: tuple, message: str) -> Problem:
        parts = tuple(str(p) for p in loc)
        while parts and parts not in origins:
            parts = parts[:-1]
        line = origins.get(parts, (name, None))[1]
        return Problem(name, ".".join(str(p) for p in loc), message, line)

    return locate


def read_yaml(
    path: Path, name: str | None = None, fields: str = "scenario fields (name:, simulation:…)"
) -> tuple[dict[str, Any], Origins]:
    """Read one file as YAML 1.2 plain data (:mod:`~forlopsim.scenario.reading`); no ``extends``.

    Duplicate keys (also spelt differently: ``4`` and ``0x4``), values that contain themselves
    and control characters in texts are problems. ``name`` is how problems name the file (the
    path as given when left out); ``fields`` says what the top-level mapping should hold, for
    the message when it is missing.
    """
    name = str(path) if name is None else name
    text = read_text(path, name)
    try:
        data, node = parse(text)
    except yaml.MarkedYAMLError as error:
        raise ScenarioError([_yaml_problem(name, error)]) from None
    except yaml.YAMLError as error:
        raise ScenarioError([Problem(name, "", f"YAML: {error}")]) from None
    except RecursionError:
        raise ScenarioError([Problem(name, "", "YAML: values nested too deeply")]) from None
    if not isinstance(data, dict) or node is None:  # no node: no data either
        if data is None:
            message = f"the file is empty; expected a mapping of {fields}"
        else:
            message = f"expected a mapping of {fields} at the top, got {_describe(data, 24)}"
        top_line = None if node is None else node.start_mark.line + 1
        raise ScenarioError([Problem(name, "", message, top_line)])
    origins: Origins = {}
    problems: list[Problem] = []
    _walk(node, name, origins, problems)
    if problems:
        raise ScenarioError(problems[:MAX_PROBLEMS])
    return data, origins


def _yaml_problem(name: str, error: yaml.MarkedYAMLError) -> Problem:
    problem, context = error.problem or "", error.context or ""
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else None
    if isinstance(error, LimitError):
        return Problem(name, "", problem, line)
    if "could not determine a constructor" in problem:
        tag = problem.split("tag ")[-1].strip("'").replace("tag:yaml.org,2002:", "!!")
        tag = tag if len(tag) <= 60 else tag[:59] + "…"
        message = f"YAML: tag {tag} is not allowed; input files hold plain data"
        return Problem(name, "", message, line)
    if "'\\t'" in problem:
        return Problem(name, "", "YAML: tab character; indent with spaces, not tabs", line)
    if problem.startswith("expected <block end>"):
        return Problem(name, "", "YAML: indentation does not line up with the lines above", line)
    message = problem
    if context:
        context_mark = error.context_mark
        if context_mark is not None and context_mark.line + 1 != line:
            context = f"{context} that starts on line {context_mark.line + 1}"
        message = f"{message} ({context})"
    return Problem(name, "", f"YAML: {message}", line)


def _walk(root: yaml.Node, name: str, origins: Origins, problems: list[Problem]) -> None:
    """Record the line of every value; report duplicate keys, self-containing or huge values.

    Values repeated through aliases are visited each time, up to :data:`MAX_EXPANDED_VALUES`.
    """
    stack: list[tuple[yaml.Node, tuple[str, ...], frozenset[int]]] = [(root, (), frozenset())]
    visits = 0
    while stack:
        node, path, ancestors = stack.pop()
        line = node.start_mark.line + 1
        visits += 1
        if visits > MAX_EXPANDED_VALUES:
            message = f"more than {MAX_EXPANDED_VALUES:,} values, counting repeats through aliases"
            problems.append(Problem(name, "", message))
            return
        if id(node) in ancestors:
            message = "a value contains itself (a recursive YAML alias)"
            problems.append(Problem(name, ".".join(path), message, line))
            return
        if len(path) > MAX_DEPTH:
            problems.append(Problem(name, "", f"values nested more than {MAX_DEPTH} deep", line))
            return
        origins.setdefault(path, (name, line))
        inner = ancestors | {id(node)}
        if isinstance(node, yaml.MappingNode):
            children = _mapping_children(node, path, name, origins, problems)
            stack.extend((value, child, inner) for value, child in reversed(children))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(
                (item, (*path, str(i)), inner) for i, item in reversed(list(enumerate(node.value)))
            )
        elif isinstance(node, yaml.ScalarNode) and CONTROL.search(str(node.value)):
            problems.append(_control_problem(name, path, str(node.value), line))


def _mapping_children(
    node: yaml.MappingNode,
    path: tuple[str, ...],
    name: str,
    origins: Origins,
    problems: list[Problem],
) -> list[tuple[yaml.Node, tuple[str, ...]]]:
    """The values of a mapping with their paths; a problem for each key given twice.

    Keys are compared as the loader reads them, so ``4`` and ``0x4``, or ``1`` and ``1.0``,
    are one key given twice (the later would silently win), and so are ``1`` and ``"1"``.
    """
    first: dict[Any, tuple[int, str]] = {}
    children = []
    for key_node, value_node in node.value:
        value = key_value(key_node)
        key = str(value) if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
        spelt = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else key
        key_line = key_node.start_mark.line + 1
        seen = first.get(_hashable(value)) or first.get(("text", key))
        if seen is not None:
            same = "" if seen[1] == spelt else f", written {shorten(seen[1], 24)}"
            message = f"duplicate key {shorten(spelt, 40)} (first on line {seen[0]}{same})"
            problems.append(Problem(name, ".".join((*path, seen[1])), message, key_line))
        first.setdefault(_hashable(value), (key_line, spelt))
        first.setdefault(("text", key), (key_line, spelt))
        # a value's line is its key's: a block value starts on the line below its key
        origins.setdefault((*path, key), (name, key_line))
        children.append((value_node, (*path, key)))
    return children


def _hashable(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        return ("unhashable", id(value))
    return ("value", value)


def _control_problem(name: str, path: tuple[str, ...], text: str, line: int) -> Problem:
    character = CONTROL.search(text)
    code = f"U+{ord(character.group()):04X}" if character else "?"
    message = (
        f"text holds the control character {code} ({shorten(text, 32)}); "
        "input files hold printable text"
    )
    return Problem(name, ".".join(path), message, line)


_PATH_PREFIX = re.compile(r"^([A-Za-z0-9_.\-]+): (.*)$", re.S)
_UNKNOWN_NAME = re.compile(
    r"^no (team|tier|institution|coverage named) '([^']*)' \(known: (\[.*\])\)$"
)
_UNION_MEMBERS = ("str", "int", "float", "bool", "none", "list", "dict", "tuple", "function")
_CONSTRAINED_MEMBERS = ("constrained-", "function-after[")
"""How pydantic names a union member with constraints or a validator (``Count | Schedule``)."""


def validation_problems(
    error: ValidationError, data: dict[str, Any], source: str, origins: Origins | None = None
) -> list[Problem]:
    """A pydantic error of a scenario's ``data`` as plain-English problems, as files get them.

    ``source`` names where the data came from (a file); ``origins`` gives lines, where known.
    At most :data:`MAX_PROBLEMS`, the rest counted.
    """
    problems = _problems(error, data, origins or {}, source)
    if len(problems) > MAX_PROBLEMS:
        more = len(problems) - MAX_PROBLEMS
        problems = [
            *problems[:MAX_PROBLEMS],
            Problem(source, "", f"… and {more} more {'problem' if more == 1 else 'problems'}"),
        ]
    return problems


def close_names(word: str, choices: list[str]) -> list[str]:
    """The ``choices`` nearest to ``word`` (difflib), best first, for a did-you-mean."""
    return _close(word, choices)


def _problems(error: ValidationError, data: dict, origins: Origins, top: str) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    items = [
        (item, _display_path(item["loc"], data, item["type"]))
        for item in error.errors(include_url=False)
    ]
    deeper = {  # every path that has a problem further inside it
        ".".join(path.split(".")[:i])
        for _, path in items
        if path
        for i in range(len(path.split(".")))
    }
    specific = {path for item, path in items if item["type"] not in _EXPECTED}
    """Paths with a problem other than a wrong type: a union member it was meant for failed."""
    misspelt = _misspelt_names([path for item, path in items if item["type"] == "missing"], data)
    for item, path in items:
        if item["type"] == "extra_forbidden" and "." in str(item["loc"][-1]):
            problems.append(_dotted_key(item, data, origins, top))
            continue
        entry = path.rpartition(".")[0]
        if item["type"] == "missing" and entry in misspelt:
            # a new entry lacking required fields, named like an existing one: a misspelling
            message = misspelt.pop(entry, None)
            if message is not None:
                problems.append(_located(top, entry, message, origins))
            continue
        if (
            item["type"] in _EXPECTED
            and _is_union_branch(item["loc"])
            and (path in deeper or path in specific)
        ):
            # a mapping given to ``text | mapping`` (or ``number | schedule``): the mapping's
            # own problems say more
            continue
        message = _message(item, path, data)
        if item["type"] == "value_error" and not path:
            # cross-reference problems come as "path: message" lines
            for line in message.splitlines():
                match = _PATH_PREFIX.match(line)
                sub_path, text = (match.group(1), match.group(2)) if match else ("", line)
                problems.append(_located(top, sub_path, _suggest_name(text), origins))
            continue
        if item["type"] in ("union_tag_invalid", "union_tag_not_found"):
            path = f"{path}.{_discriminator(item)}" if path else _discriminator(item)
        if path in seen and _is_union_branch(item["loc"]):
            # one value failing every member of a union (text or a mapping): say it once
            index = seen[path]
            previous = problems[index]
            problems[index] = Problem(
                previous.file, previous.path, _either(previous, message), previous.line
            )
            continue
        seen[path] = len(problems)
        problems.append(_located(top, path, message, origins))
    return problems


def _dotted_key(item: ErrorDetails, data: Any, origins: Origins, top: str) -> Problem:
    """A key written as a dotted path (``housing.tiers.x.capacity: 5``): nest it instead.

    Located at the key itself, not at the field of the same path in a base file.
    """
    parts = _display_parts(item["loc"], data, item["type"])
    key = parts[-1] if parts else str(item["loc"][-1])
    file, line = origins.get(parts, (top, None))
    words = key.split(".")
    nested = ": {".join(words) + ": …" + "}" * (len(words) - 1)
    hint = f" ({nested})" if len(nested) <= 80 else ""
    message = f"unknown key {shorten(key, 60)}: a dotted path is not a key here; nest it{hint}"
    return Problem(file, ".".join(parts), message, line)


_NAMED = {
    ("housing", "tiers"): "tier",
    ("crisis_beds",): "crisis bed",
    ("institutions",): "institution",
    ("services", "units"): "unit",
    ("services", "units", "*", "teams"): "team",
    ("services", "coverage"): "coverage",
    ("referrals", "streams"): "referral stream",
}
"""Mappings of named entries (``*`` stands for any name), and what an entry is called."""


def _misspelt_names(missing: list[str], data: Any) -> dict[str, str]:
    """Named entries lacking required fields whose name is close to another entry's.

    ``housing.tiers.housing_frist.support`` missing, beside a tier ``housing_first``: the name is
    misspelt (in a what-if, a change to a tier became a new tier). ``missing`` are the paths of
    the missing fields; returns each such entry's path and its message.
    """
    found: dict[str, tuple[str, list[str]]] = {}
    for path in missing:
        parts = tuple(path.split("."))
        for pattern, noun in _NAMED.items():
            size = len(pattern)
            if len(parts) != size + 2 or any(
                p not in ("*", q) for p, q in zip(pattern, parts[:size], strict=True)
            ):
                continue
            entries, name = _child_at(data, parts[:size]), parts[size]
            if not isinstance(entries, dict):
                continue
            close = _close(name, [str(k) for k in entries if str(k) != name])[:1]
            if close:
                head = f"unknown {noun} {name!r} — did you mean {close[0]!r}?"
                found.setdefault(".".join(parts[: size + 1]), (f"{head} (a new {noun}", []))
                found[".".join(parts[: size + 1])][1].append(parts[-1])
    return {
        entry: f"{head} would need {', '.join(fields)})" for entry, (head, fields) in found.items()
    }


def _child_at(data: Any, parts: tuple[str, ...]) -> Any:
    for part in parts:
        data = _child(data, part)
    return data


def _is_union_branch(loc: tuple) -> bool:
    return any(
        isinstance(p, str)
        and (p.split("[")[0] in _UNION_MEMBERS or p.startswith(_CONSTRAINED_MEMBERS))
        for p in loc
    )


def _either(previous: Problem, message: str) -> str:
    first = previous.message
    got = ""
    if first.endswith(")") and " (got " in first:
        first, got = first.rsplit(" (got ", 1)
        got = f" (got {got}"
    second = message.split(" (got ")[0].removeprefix("expected ")
    return f"{first} or {second}{got}" if first.startswith("expected ") else previous.message


def _located(top: str, path: str, message: str, origins: Origins) -> Problem:
    """Name the file (and line) the value at ``path`` came from, or its nearest parent."""
    parts = tuple(path.split(".")) if path else ()
    while parts not in origins and parts:
        parts = parts[:-1]
    file, line = origins.get(parts, (top, None))
    return Problem(file, path, message, line)


def _display_path(loc: tuple, data: Any, kind: str) -> str:
    """The field path in the user's terms, without pydantic's union-member segments."""
    return ".".join(_display_parts(loc, data, kind))


def _display_parts(loc: tuple, data: Any, kind: str) -> tuple[str, ...]:
    """The keys of :func:`_display_path`, one by one (a key may hold a dot)."""
    parts: list[str] = []
    node = data
    for i, item in enumerate(loc):
        if item == "[key]":
            continue
        child = _child(node, str(item))
        if child is not _ABSENT:
            parts.append(str(item))
            node = child
        elif i == len(loc) - 1 and kind == "missing":
            parts.append(str(item))
    return tuple(parts)


_ABSENT = object()


def _child(node: Any, part: str) -> Any:
    if isinstance(node, dict):
        return next((v for k, v in node.items() if str(k) == part), _ABSENT)
    if isinstance(node, list) and part.isdigit() and int(part) < len(node):
        return node[int(part)]
    return _ABSENT


def _describe(value: Any, limit: int = 40) -> str:
    """A value as a reader would name it: ``-5``, ``'twelve'``, ``a list``; at most ``limit`` long."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, str):
        return shorten(value, limit)
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "…"


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


_EXPECTED = {
    "model_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
    "dict_type": "a mapping",
    "list_type": "a list",
    "tuple_type": "a list",
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "finite_number": "a finite number",
}


_BOUNDS = {
    "greater_than_equal": ("ge", "must be at least"),
    "greater_than": ("gt", "must be above"),
    "less_than_equal": ("le", "must be at most"),
    "less_than": ("lt", "must be below"),
}
"""Pydantic's bound errors: the context key of the bound and how the message puts it."""


def _message(item: ErrorDetails, path: str, data: Any) -> str:
    """One pydantic error in plain English, naming what was expected and what was given."""
    kind, ctx = item["type"], item.get("ctx") or {}
    value = item.get("input")
    if kind == "extra_forbidden":
        return _unknown_key(path, data)
    if kind == "missing":
        if item["loc"] and isinstance(item["loc"][-1], int):
            return "missing entry (the list is too short)"
        return "required field is missing"
    if kind == "union_tag_invalid":
        tags = ctx.get("expected_tags", "").replace("'", "")
        given = value.get(_discriminator(item)) if isinstance(value, dict) else ctx.get("tag")
        if not isinstance(given, str):
            return f"expected the name of a kind, one of: {tags} (got {_describe(given)})"
        return f"unknown kind {_describe(given)}; expected one of: {tags}"
    if kind == "union_tag_not_found":
        tags = ", ".join(_kinds_at(path, data)) or "see `forlopsim schema`"
        return f"missing; expected one of: {tags}"
    text = _value_message(item, path, data)
    if item["loc"] and item["loc"][-1] == "[key]":
        text = f"key {_describe(value)} not allowed; {text.split(' (got ')[0]}"
    return text


def _value_message(item: ErrorDetails, path: str, data: Any) -> str:
    """The message of an error about a value itself (its type, bounds, length or choice)."""
    kind, ctx = item["type"], item.get("ctx") or {}
    value = item.get("input")
    got = f" (got {_describe(value)})"
    if kind in ("model_type", "model_attributes_type") and _kinds_at(path, data):
        kinds = ", ".join(_kinds_at(path, data))
        return f"expected a distribution: a mapping with kind (one of: {kinds}){got}"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}{got}"
    if kind in _BOUNDS:
        key, words = _BOUNDS[kind]
        return f"{words} {_number(ctx[key])}{got}"
    if kind == "literal_error":
        return f"expected {ctx['expected']}{got}"
    if kind in ("too_short", "too_long"):
        return _length_message(kind, ctx)
    text = item["msg"].removeprefix("Value error, ")
    if text.startswith("Input should be "):
        text = "expected " + text.removeprefix("Input should be ")
    if kind != "value_error" and isinstance(value, (int, float, str, bool)):
        text += got
    return text


def _length_message(kind: str, ctx: dict[str, Any]) -> str:
    """A list too short or too long: the bound and the length given."""
    bound = "at least" if kind == "too_short" else "at most"
    limit = ctx.get("min_length" if kind == "too_short" else "max_length")
    count = ctx.get("actual_length")
    return f"expected {bound} {limit} {'entry' if limit == 1 else 'entries'}, got {count}"


def _unknown_key(path: str, data: Any) -> str:
    parent, _, key = path.rpartition(".")
    fields = _fields_at(parent, data)
    shown = shorten(key, 60)
    text = f"unknown key {shown}"
    if not fields:
        return f"{text} (see `forlopsim schema` for the fields this block accepts)"
    close = _close(key, fields)
    if close:
        return f"{text} (did you mean {' or '.join(repr(c) for c in close)}?)"
    listed = ", ".join(fields)
    if len(listed) + len(shown) <= 180:  # the key and the list share one line of the message
        return f"{text}; expected one of: {listed}"
    return f"{text} (see `forlopsim schema` for the fields this block accepts)"


def _close(word: str, choices: list[str]) -> list[str]:
    """The choices nearest to ``word``: the best and any nearly as good (up to three)."""
    scored = []
    for choice in choices:
        ratio = difflib.SequenceMatcher(None, word, choice).ratio()
        if ratio >= 0.6:
            scored.append((ratio, choice))
    scored.sort(key=lambda rc: -rc[0])
    return [c for r, c in scored[:3] if r >= scored[0][0] - 0.1]


def _suggest_name(text: str) -> str:
    """``no team 'x' (known: [...])`` → ``no team 'x' (did you mean 'y'?)`` when one is close."""
    match = _UNKNOWN_NAME.match(text)
    if not match:
        return text
    try:
        known = [str(k) for k in ast.literal_eval(match.group(3))]
    except (ValueError, SyntaxError):
        return text
    close = _close(match.group(2), known)[:1]
    if not close:
        return text
    return f"no {match.group(1)} {match.group(2)!r} (did you mean {close[0]!r}?)"


def _discriminator(item: ErrorDetails) -> str:
    return str((item.get("ctx") or {}).get("discriminator", "kind")).strip("'\"")


# --- the JSON Schema, walked along a field path, to name what a block accepts ---------------------


@functools.cache
def _schema() -> dict[str, Any]:
    return Scenario.model_json_schema()


def _schema_at(path: str, data: Any) -> dict[str, Any] | None:
    """The schema of the value at ``path`` (``$ref`` and unions resolved by the data there)."""
    defs = _schema().get("$defs", {})
    node: dict[str, Any] | None = _schema()
    value = data
    for part in path.split(".") if path else ():
        node = _resolve(node, defs, value)
        if node is None:
            return None
        if part in node.get("properties", {}):
            node = node["properties"][part]
        elif isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]
        elif isinstance(node.get("items"), dict) and part.isdigit():
            node = node["items"]
        else:
            return None
        value = _child(value, part)
    return _resolve(node, defs, value)


def _resolve(node: dict[str, Any] | None, defs: dict[str, Any], value: Any) -> dict | None:
    for _ in range(16):
        if node is None:
            return None
        if "$ref" in node:
            node = defs.get(node["$ref"].rsplit("/", 1)[-1])
            continue
        options = node.get("oneOf") or node.get("anyOf")
        if not options:
            return node
        discriminator = node.get("discriminator")
        if discriminator and isinstance(value, dict):
            tag = value.get(discriminator.get("propertyName"))
            node = {"$ref": discriminator.get("mapping", {}).get(str(tag), "")}
            continue
        node = _pick(options, value)
    return None


def _pick(options: list[dict[str, Any]], value: Any) -> dict[str, Any] | None:
    """The member of a union that a mapping (or list) value is meant for."""
    wanted = "object" if isinstance(value, dict) else "array" if isinstance(value, list) else None
    for option in options:
        if option.get("type") == wanted or (
            wanted == "object" and any(k in option for k in ("$ref", "oneOf", "anyOf"))
        ):
            return option
    return None


def _fields_at(path: str, data: Any) -> list[str] | None:
    node = _schema_at(path, data)
    if node is None or "properties" not in node:
        return None
    return list(node["properties"])


def _kinds_at(path: str, data: Any) -> list[str]:
    """The ``kind`` values a tagged union at ``path`` accepts."""
    parent, _, key = path.rpartition(".")
    node = _schema_at(parent, data)
    if node is None:
        return []
    node = node.get("properties", {}).get(key) or node.get("additionalProperties")
    for _ in range(4):
        if not isinstance(node, dict):
            return []
        if "discriminator" in node:
            return sorted(node["discriminator"].get("mapping", {}))
        options = node.get("anyOf") or node.get("oneOf") or []
        node = next((o for o in options if "discriminator" in o or "oneOf" in o), None)
    return []
