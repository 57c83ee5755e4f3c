"""Every number in a scenario file says where it comes from (DESIGN §3).

Each scenario file is read raw, as written (``yaml.safe_load``, no ``extends:`` merge), so a
what-if must source the numbers it sets itself. A numeric leaf (an int or float, not a bool; list
items too) is covered when its parent mapping or any ancestor has a ``source`` that is either one
text for the whole block or a mapping whose key names the child through which the leaf is reached.

Every source text must cite something checkable: a row id of ``shared/calibration/figures.md``
that exists (``P1``…, ``T1``…), a seed document that exists (``seed 000``…), ``DESIGN``, or contain
the word "assumption". A cited row id or seed that does not exist is an error even when the text
also says "assumption". Every key of a mapping ``source`` must name a field present beside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from forlopsim.scenario.loader import load_merged

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"
SHARED = Path(__file__).resolve().parents[2] / "shared"  # CI clones shared/ beside the repo
FIGURES = SHARED / "calibration" / "figures.md"
SEEDS = SHARED / "seeds"

SCENARIO_FILES = sorted(SCENARIOS.glob("*.yaml"))

EXEMPT_KEYS = {
    # Keys whose numbers are identifiers or categories, not quantities; anything below them is
    # skipped. `days` is deliberately not here: coverage days are weekday names (never numbers)
    # and `mortality.after_discharge.days` is a quantity that needs a source.
    "routing": "forløp numbers in the routing table name care pathways",
    "forlop_by_need": "maps need levels to forløp numbers, both identifiers",
    "eligibility": "need ranges name the need levels a place admits, a category",
}
EXEMPT_PATHS = {
    ("simulation", "seed"): "the root random seed names a random stream; it is not a quantity",
}
SCHEMA_GAPS = {
    # Numbers the schema gives no place to source: no enclosing model has a `source` field.
    # The baseline gives their source in a YAML comment. Remove an entry once the schema lets
    # the block carry `source:` (test_schema_gaps_are_still_gaps fails to remind you).
}

ROW_ID = re.compile(r"\b([PT]\d+)\b")
SEED_REF = re.compile(r"\bseed (\d+)\b", re.IGNORECASE)


def _row_ids() -> set[str]:
    if not FIGURES.is_file():
        pytest.fail(f"{FIGURES} not found: clone the shared folder beside the repo", pytrace=False)
    text = FIGURES.read_text(encoding="utf-8")
    return set(re.findall(r"^\|\s*([A-Z]+\d+)\s*\|", text, re.MULTILINE))


def _seed_numbers() -> set[str]:
    if not SEEDS.is_dir():
        pytest.fail(f"{SEEDS} not found: clone the shared folder beside the repo", pytrace=False)
    return {p.name[:3] for p in SEEDS.glob("[0-9][0-9][0-9]_*.txt")}


@pytest.fixture(scope="module")
def known() -> tuple[set[str], set[str]]:
    """Row ids of figures.md and numbers of the seed documents."""
    return _row_ids(), _seed_numbers()


def dotted(path: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in path)


def source_text_problems(text: str, rows: set[str], seeds: set[str]) -> list[str]:
    """What is wrong with one source text (nothing when it is acceptable)."""
    problems = []
    cited_rows = set(ROW_ID.findall(text))
    cited_seeds = {number.zfill(3) for number in SEED_REF.findall(text)}
    if cited_rows - rows:
        problems.append(f"cites {sorted(cited_rows - rows)}, which figures.md does not have")
    if cited_seeds - seeds:
        problems.append(
            f"cites seed {sorted(cited_seeds - seeds)}, which shared/seeds/ does not have"
        )
    acceptable = (
        cited_rows & rows
        or cited_seeds & seeds
        or re.search(r"\bDESIGN\b", text)
        or "assumption" in text.lower()
    )
    if not acceptable:
        problems.append(
            "names no figures.md row (P1, T3…), no seed (seed 000…), "
            "not DESIGN and not 'assumption'"
        )
    return problems


def _exempt(path: tuple[Any, ...]) -> bool:
    keys = {str(part) for part in path}
    return (
        bool(keys & EXEMPT_KEYS.keys())
        or path in EXEMPT_PATHS
        or any(path[: len(gap)] == gap for gap in SCHEMA_GAPS)
    )


def _covers(mapping: dict, child: Any) -> bool:
    source = mapping.get("source")
    return isinstance(source, str) or (
        isinstance(source, dict) and str(child) in {str(k) for k in source}
    )


def uncovered_numbers(data: Any) -> Iterator[tuple[str, Any]]:
    """Dotted path and value of every numeric leaf no enclosing ``source`` covers."""

    def walk(node: Any, path: tuple[Any, ...], covered: bool) -> Iterator[tuple[str, Any]]:
        if _exempt(path):
            return
        if isinstance(node, dict):
            for key, value in node.items():
                if key != "source":
                    yield from walk(value, (*path, key), covered or _covers(node, key))
        elif isinstance(node, list):
            for i, item in enumerate(node):
                yield from walk(item, (*path, i), covered)
        elif isinstance(node, int | float) and not isinstance(node, bool) and not covered:
            yield dotted(path), node

    yield from walk(data, (), False)


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def source_problems(
    data: Any, rows: set[str], seeds: set[str], merged: Any = None
) -> Iterator[tuple[str, str]]:
    """Dotted path of every ``source`` and what is wrong with it.

    A key of a mapping source must name a field beside it, in this file or (for a what-if that
    re-sources a field its base sets) in the merged scenario at the same place.
    """

    def walk(node: Any, path: tuple[Any, ...]) -> Iterator[tuple[str, str]]:
        if isinstance(node, list):
            for i, item in enumerate(node):
                yield from walk(item, (*path, i))
            return
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            if key != "source":
                yield from walk(value, (*path, key))
        if "source" not in node:
            return
        source, where = node["source"], (*path, "source")
        if isinstance(source, str):
            for problem in source_text_problems(source, rows, seeds):
                yield dotted(where), f"{problem}: {source!r}"
        elif isinstance(source, dict):
            beside = _fields_beside(node) | _fields_beside(_at(merged, path))
            yield from _mapping_source_problems(source, where, beside, rows, seeds)
        else:
            yield dotted(where), f"expected a text or a mapping of field → text, got {source!r}"

    yield from walk(data, ())


def _fields_beside(node: Any) -> set[str]:
    """The field names of a mapping other than ``source`` (none if it is not a mapping)."""
    return {str(k) for k in node if k != "source"} if isinstance(node, dict) else set()


def _mapping_source_problems(
    source: dict, where: tuple[Any, ...], beside: set[str], rows: set[str], seeds: set[str]
) -> Iterator[tuple[str, str]]:
    """What is wrong with each entry of a mapping source: a stale key, or a bad text."""
    for field, text in source.items():
        at = dotted((*where, field))
        if str(field) not in beside:
            yield at, f"names {field!r}, but there is no such field beside it (stale key?)"
        if not isinstance(text, str):
            yield at, f"expected a text, got {text!r}"
            continue
        for problem in source_text_problems(text, rows, seeds):
            yield at, f"{problem}: {text!r}"


def _report(name: str, findings: list[tuple[str, Any]], what: str) -> str:
    lines = [f"{name}: {len(findings)} {what}"]
    lines += [f"  {name}: {path}: {detail}" for path, detail in findings]
    return "\n".join(lines)


def _raw(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name}: expected a mapping at the top"
    return data


def test_scenarios_exist():
    assert SCENARIO_FILES, f"no scenario files in {SCENARIOS}"


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_every_number_has_a_source(path: Path):
    findings = [
        (where, f"{value!r} has no source (no `source:` above it names it)")
        for where, value in uncovered_numbers(_raw(path))
    ]
    if findings:
        pytest.fail(_report(path.name, findings, "unsourced number(s)"), pytrace=False)


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_every_source_is_acceptable(path: Path, known):
    rows, seeds = known
    merged, _ = load_merged(path)
    findings = list(source_problems(_raw(path), rows, seeds, merged))
    if findings:
        pytest.fail(_report(path.name, findings, "bad source(s)"), pytrace=False)


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_merged_scenario_is_fully_sourced(path: Path, known):
    """A what-if must not strip its base's sources (a mapping source replaces a text source)."""
    rows, seeds = known
    merged, _ = load_merged(path)
    findings = [(where, f"{value!r} has no source") for where, value in uncovered_numbers(merged)]
    findings += list(source_problems(merged, rows, seeds))
    if findings:
        pytest.fail(_report(f"{path.name} (merged)", findings, "problem(s)"), pytrace=False)


def test_schema_gaps_are_still_gaps():
    for gap, model in SCHEMA_GAPS.items():
        assert "source" not in model.model_fields, (
            f"{model.__name__} now has a `source` field: remove {dotted(gap)} from SCHEMA_GAPS "
            "and give it a `source:` in the scenario files"
        )


def test_figures_and_seeds_are_found(known):
    rows, seeds = known
    assert {"P1", "P18", "T1", "T7"} <= rows, f"row ids parsed from {FIGURES}: {sorted(rows)}"
    assert {"000", "004"} <= seeds, f"seed documents found in {SEEDS}: {sorted(seeds)}"


# The checker itself: it must catch what it claims to catch.

ROWS, SEEDS_KNOWN = {"P1", "P7", "T3"}, {"000", "004"}


@pytest.mark.parametrize(
    "text",
    ["P7", "seed 004: asked for", "DESIGN: a state", "assumption", "Assumption: a guess"],
)
def test_acceptable_source_texts(text: str):
    assert source_text_problems(text, ROWS, SEEDS_KNOWN) == []


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("P99", "figures.md does not have"),
        ("assumption, after P99", "figures.md does not have"),
        ("seed 007", "shared/seeds/ does not have"),
        ("the annual report", "names no figures.md row"),
        ("design", "names no figures.md row"),
    ],
)
def test_unacceptable_source_texts(text: str, complaint: str):
    problems = source_text_problems(text, ROWS, SEEDS_KNOWN)
    assert any(complaint in p for p in problems), problems


def test_coverage_rules():
    data = yaml.safe_load(
        """
        a: {x: 1, y: [2, 3], source: {x: P1, y: P1}}
        b: {inner: {x: 4}, source: P1}
        c: {inner: {x: 5, z: 6}, source: {inner: P1}}
        d: {x: 7, z: 8, flag: true, source: {x: P1}}
        e: {eligibility: {need: [1, 3]}, source: {}}
        f: {x: [9, {deep: 10}]}
        """
    )
    assert dict(uncovered_numbers(data)) == {"d.z": 8, "f.x.0": 9, "f.x.1.deep": 10}


def test_source_keys_must_name_a_field_beside_them():
    data = yaml.safe_load("t: {beds: 4, source: {beds: P7, bedz: P7, cost: 12}}")
    problems = dict(source_problems(data, ROWS, SEEDS_KNOWN))
    assert "stale key" in problems["t.source.bedz"]
    assert "expected a text" in problems["t.source.cost"]
    merged = yaml.safe_load("t: {beds: 4, cost: 12}")
    data = yaml.safe_load("t: {beds: 4, source: {cost: P7}}")
    assert list(source_problems(data, ROWS, SEEDS_KNOWN, merged)) == []
