"""Fuzzing the loader (issue 17): whatever a file holds, only :class:`ScenarioError` escapes.

Two sources of files: real scenario documents from ``scenarios/`` (and the other committed
scenarios), cut to a run of lines and mutated (characters inserted or deleted, lines repeated,
moved or re-indented, scalars replaced by YAML's surprises: tags, aliases, YAML 1.1 forms, huge
numbers, control characters); and raw bytes, alone or after a valid start. Each file is loaded
with :func:`load_scenario`; it must give a scenario or a :class:`ScenarioError` whose every line
is short and holds no control character.

In CI (derandomized, see conftest.py) the two tests run 2,000 and 1,000 examples; locally they
search new examples on every run, and ``pytest --hypothesis-profile=fuzz`` runs 25,000 each.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forlopsim.errors import CONTROL, ScenarioError
from forlopsim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [
    path.read_text(encoding="utf-8")
    for folder in ("scenarios", "sweeps/models", "bench/scenarios", "calibration/example")
    for path in sorted((ROOT / folder).glob("*.yaml"))
]
"""The committed scenario documents the mutations start from."""

MAX_LINE = 400
MAX_LINES = 40
"""Lines of a document kept (a run of them, so the baseline's 23 kB parse stays quick)."""

SURPRISES = [
    "yes", "no", "on", "off", "1:30", "010", "0x4", "0o7", "0b11", "1_000", "1e300", "-.inf",
    ".nan", "~", "", "2024-02-30", "2024-13-45", "!!binary aGVsbG8=", "!!timestamp 2024-13-45",
    "!!bool maybe", "!!int abc", "!!float abc", "!!null x", "!!str 5", "!!set {a: null}",
    "!!omap [a: 1]", "!!python/object/apply:os.system [true]", "!!python/name:os.system",
    "!local x", "&a [1, *a]", "*nowhere", "&b x", "<<: {a: 1}", '"\\e[2J\\e]0;x\\a"',
    '"\\x9b\\x00"', "'it''s'", "[", "{", "}", "? [a, b]\n: c", "|\n  text", ">-\n  folded",
    "9" * 5000, "1" + "0" * 40, "- - - -", "%YAML 1.1", "---", "...", "extends: /etc/passwd",
    "extends: /proc/self/environ", "extends: .", "extends: [a]", "kind: {kind: {kind: x}}",
    "\t", "\ufeff", "\u2028", "\x85",
]  # fmt: skip
"""Scalars and fragments that YAML reads in surprising ways, or that crashed the old loader."""

CHARACTERS = st.sampled_from(list(":-?[]{},#&*!|>'\"%@`\n\t \\.0123456789aZ\x00\x07\x1b\x7f\ufffe"))


OPERATIONS = ("characters", "fragment", "value", "delete", "repeat", "indent")


@st.composite
def mutated_documents(draw: st.DrawFn) -> str:
    """A run of lines of a committed scenario document, mutated a few times."""
    lines = draw(st.sampled_from(DOCUMENTS)).splitlines()
    start = draw(st.integers(0, max(0, len(lines) - 1)))
    lines = [
        line for line in lines[start : start + MAX_LINES] if not line.startswith("extends:")
    ] or ["name: x"]
    for _ in range(draw(st.integers(1, 6))):
        operation = draw(st.sampled_from(OPERATIONS))
        i = draw(st.integers(0, len(lines) - 1))
        if operation in ("characters", "fragment"):
            text = (
                draw(st.text(CHARACTERS, min_size=1, max_size=3))
                if operation == "characters"
                else draw(st.sampled_from(SURPRISES))
            )
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + text + lines[i][at:]
        elif operation == "value":
            key, colon, _ = lines[i].partition(": ")
            surprise = draw(st.sampled_from(SURPRISES))
            lines[i] = f"{key}: {surprise}" if colon else f"{lines[i]} {surprise}"
        else:
            lines = _moved(lines, operation, i, draw(st.integers(0, len(lines) - 1)))
    return "\n".join(lines) + "\n"


def _moved(lines: list[str], operation: str, i: int, j: int) -> list[str]:
    """Lines deleted (``i`` to ``j``), one repeated at ``j``, or one indented ``j % 5`` more."""
    if operation == "delete":
        return lines[: min(i, j)] + lines[max(i, j) + 1 :] or ["name: x"]
    if operation == "repeat":
        return [*lines[:j], lines[i], *lines[j:]]
    return [*lines[:i], " " * (j % 5 + 1) + lines[i], *lines[i + 1 :]]


def _check(path: Path) -> None:
    """Load ``path``: a scenario, or a short, escaped :class:`ScenarioError`; nothing else."""
    try:
        assert isinstance(load_scenario(path), Scenario)
    except ScenarioError as error:
        text = f"forlopsim: {error}"
        assert text.strip(), "an error with no message"
        for line in text.splitlines():
            assert len(line) < MAX_LINE, line[:200]
            assert not CONTROL.search(line), repr(line[:200])


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _examples(ci: int) -> int:
    """``ci`` examples, or the profile's when it asks for more (the fuzz profile)."""
    return max(ci, settings.default.max_examples)


@settings(
    max_examples=_examples(2_000),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=mutated_documents())
def test_a_mutated_scenario_document_gives_a_scenario_or_a_scenario_error(
    folder: Path, text: str
) -> None:
    path = folder / "mutated.yaml"
    path.write_text(text, encoding="utf-8")
    _check(path)


@settings(
    max_examples=_examples(1_000),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    start=st.sampled_from([b"", b"name: x\n", b"name: x\nsimulation:\n  ", b'name: "']),
    data=st.binary(max_size=600),
)
def test_raw_bytes_give_a_scenario_error(folder: Path, start: bytes, data: bytes) -> None:
    path = folder / "bytes.yaml"
    path.write_bytes(start + data)
    _check(path)
