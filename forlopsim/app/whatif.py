"""The what-if a planner makes from the levers: the scenario that runs, and its YAML file.

Two files can be downloaded, both accepted by ``forlopsim validate``:

* :func:`extending_yaml` — only what changed, ``extends:`` the base by its file name; it
  validates when saved next to the base (in ``scenarios/`` for the files there);
* :func:`complete_yaml` — the whole what-if, standing alone anywhere.

Each changed number gets a ``source`` entry saying it is the planner's (where its block's
source is given field by field or not at all; a block with one source text for all its
numbers keeps it). The test hook's shortened horizon (:mod:`.settings`) is never written.
"""

from __future__ import annotations

from typing import Any

import yaml

from forlopsim.scenario import Scenario

SOURCE = "assumption: the planner's what-if, made in forlopsim app from {base}"
"""The ``source`` of every number a planner changed."""


def whatif_scenario(
    base: Scenario, changes: dict[str, Any], name: str, label: dict[str, str]
) -> Scenario:
    """``base`` with the levers' ``changes``, named ``name`` (:class:`ScenarioError` if invalid)."""
    return base.with_changes({**changes, "name": name, "label": label})


def nested(changes: dict[str, Any]) -> dict[str, Any]:
    """``{"a.b.c": 1}`` as ``{"a": {"b": {"c": 1}}}``."""
    tree: dict[str, Any] = {}
    for path, value in changes.items():
        *parents, leaf = path.split(".")
        node = tree
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    return tree


def _block(data: dict[str, Any], parents: list[str]) -> dict[str, Any] | None:
    """The mapping at ``parents`` in ``data``, or None."""
    node: Any = data
    for key in parents:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


def sources(base: Scenario, changes: dict[str, Any], base_file: str) -> dict[str, Any]:
    """``source`` entries for the changed numbers, as overrides to merge into a file."""
    dumped = base.model_dump(mode="json")
    text = SOURCE.format(base=base_file)
    entries: dict[str, Any] = {}
    for path in changes:
        *parents, leaf = path.split(".")
        block = _block(dumped, parents)
        if block is not None and not isinstance(block.get("source"), str):
            entries[".".join([*parents, "source", leaf])] = text
    return nested(entries)


def _merge(into: dict[str, Any], more: dict[str, Any]) -> dict[str, Any]:
    """``into`` with ``more`` merged in, mapping by mapping."""
    for key, value in more.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
    return into


def _dump(data: dict[str, Any], comment: str) -> str:
    """YAML as the scenario files are written: keys in order, Norwegian letters kept."""
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return f"# {comment}\n{body}"


def extending_yaml(
    base: Scenario, base_file: str, changes: dict[str, Any], name: str, label: dict[str, str]
) -> str:
    """The what-if as a file that extends ``base_file`` with only what changed."""
    data: dict[str, Any] = {"extends": base_file, "name": name, "label": label}
    data["description"] = f"What-if made in forlopsim app from {base_file}."
    _merge(data, nested(changes))
    _merge(data, sources(base, changes, base_file))
    return _dump(
        data, f"What-if from forlopsim app; save it next to {base_file}, which it extends."
    )


def complete_yaml(
    base: Scenario, base_file: str, changes: dict[str, Any], name: str, label: dict[str, str]
) -> str:
    """The what-if as a complete file (every number), valid on its own anywhere."""
    whatif = whatif_scenario(base, changes, name, label)
    data = whatif.model_dump(mode="json", exclude_none=True)
    data.pop("extends", None)
    data["description"] = f"What-if made in forlopsim app from {base_file}."
    _merge(data, sources(base, changes, base_file))
    return _dump(
        data, f"What-if from forlopsim app (complete: every number of {base_file} and the changes)."
    )
