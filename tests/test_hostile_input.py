"""Hostile input files (issue 17): each is one located error with exit status 2, never a traceback.

Unprintable characters and binary files, YAML tags with values that do not fit them, YAML 1.1
readings (``yes``, ``1:30``), duplicate keys spelt two ways, files too large or not regular,
values beyond the bounds of :mod:`forlopsim.limits`, ``extends:`` to files that are not
scenarios or lie outside the trusted folders, and control characters that would reach the
terminal. The table of docs/reliability.md lists these classes and the tests that hold them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from forlopsim.cli import main
from forlopsim.errors import Problem, ScenarioError
from forlopsim.limits import (
    MAX_EXTENDS_CHAIN,
    MAX_FILE_BYTES,
    MAX_HORIZON_DAYS,
    MAX_REPLICATIONS,
)
from forlopsim.scenario import load_scenario, reading
from forlopsim.scenario.loader import TRUSTED_ENV, read_yaml

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "trondheim_baseline.yaml"
MAX_LINE = 400


def _validate(capsys: pytest.CaptureFixture[str], path: Path) -> str:
    """``forlopsim validate path``: asserts status 2, nothing on stdout, a short error; its text."""
    try:
        status = main(["validate", str(path)])
    except SystemExit as stop:
        status = stop.code
    out, err = capsys.readouterr()
    assert status == 2, err
    assert out == ""
    assert err.startswith("forlopsim: "), err
    assert "Traceback" not in err
    assert all(len(line) < MAX_LINE for line in err.splitlines()), err
    assert not any(c in err for c in "\x00\x07\x1b\x7f\x9b"), repr(err)
    return err


def _whatif(tmp_path: Path, body: str | bytes, name: str = "whatif.yaml") -> Path:
    path = tmp_path / name
    head = f"extends: {BASELINE}\n".encode()
    path.write_bytes(head + (body.encode() if isinstance(body, str) else body))
    return path


# (file body after "extends: BASELINE", fragment of the message, line it must name)
REFUSED = {
    "NUL": (b'name: "a\x00b"\n', "U+0000 (NUL)", 2),
    "BEL": (b"name: a\x07b\n", "U+0007 (BEL)", 2),
    "DEL": (b"name: a\x7fb\n", "U+007F (DEL)", 2),
    "U+FFFE": ("name: a\ufffeb\n".encode(), "U+FFFE", 2),
    "not UTF-8": (b"name: caf\xe9\n", "not UTF-8", 2),
    "!!bool maybe": (
        b"name: x\nsimulation: {seed: !!bool maybe}\n",
        "!!bool needs true or false",
        3,
    ),
    "!!int abc": (b"simulation: {replications: !!int abc}\n", "!!int needs a whole number", 2),
    "!!float abc": (b"simulation: {horizon_days: !!float abc}\n", "!!float needs a number", 2),
    "!!int of 5000 digits": (
        b"simulation: {seed: !!int " + b"9" * 5000 + b"}\n",
        "too many digits",
        2,
    ),
    "!!timestamp": (b"name: !!timestamp 2024-13-45\n", "tag !!timestamp is not allowed", 2),
    "!!binary": (b"name: !!binary aGVsbG8=\n", "tag !!binary is not allowed", 2),
    "!!set": (b"name: !!set {a: null}\n", "tag !!set is not allowed", 2),
    "!!merge": (b"simulation: {!!merge <<: {seed: 1}}\n", "is not allowed", 2),
    "sexagesimal": (b"simulation: {replications: 1:30}\n", "whole number (got '1:30')", 2),
    "duplicate 4 and 0x4": (
        b"hazards:\n  crisis:\n    per_year:\n      4: 1\n      0x4: 2\n",
        "duplicate key '0x4' (first on line 5, written '4')",
        6,
    ),
    "duplicate 1 and 1.0": (
        b"hazards:\n  crisis:\n    per_year:\n      1: 1\n      1.0: 2\n",
        "duplicate key '1.0' (first on line 5, written '1')",
        6,
    ),
    "duplicate 1 and '1'": (
        b"hazards:\n  crisis:\n    per_year:\n      1: 1\n      '1': 2\n",
        "duplicate key '1' (first on line 5)",
        6,
    ),
    "escape codes in name": (b'name: "\\e[2J\\e]0;pwned\\a"\n', "control character U+001B", 2),
    "C1 escape in name": (b'name: "\\x9b31m"\n', "control character U+009B", 2),
    "replications 10^30": (
        b"simulation: {replications: 1000000000000000000000000000000}\n",
        f"must be at most {MAX_REPLICATIONS}",
        2,
    ),
    "horizon 1e300": (b"simulation: {horizon_days: 1e300}\n", "must be at most 365250", 2),
    "population 10^12": (
        b"referrals: {initial_population: {size: 1000000000000}}\n",
        "must be at most 1000000",
        2,
    ),
    "referral rate 1e300": (
        b"referrals: {streams: {nav: {annual_rate: 1e300}}}\n",
        "must be at most 1e+06",
        2,
    ),
    "hazard rate 1e300": (
        b"hazards: {crisis: {per_year: {1: 1e300}}}\n",
        "must be at most 8766",
        2,
    ),
    "residents per replication": (
        b"referrals: {streams: {nav: {annual_rate: 900000}}}\nsimulation: {horizon_days: 36000}\n",
        "residents would enter one replication",
        None,
    ),
    "dotted key": (
        b"housing.tiers.temporary.capacity: 5\n",
        "a dotted path is not a key here; nest it (housing: {tiers: {temporary: {capacity",
        2,
    ),
    "long dotted key": (b"1" * 300 + b"# (a.b): 1\n", "a dotted path is not a key here", 2),
    "long unknown key": (b"k" * 500 + b": 1\n", "unknown key 'kkkk", 2),
    "mapping as a kind": (
        b"services:\n  handover_delay:\n    kind: {"
        + b", ".join(f"k{i}: {i}".encode() for i in range(150))
        + b"}\n",
        "expected the name of a kind, one of: exponential",
        4,
    ),
}


@pytest.mark.parametrize(("body", "fragment", "line"), REFUSED.values(), ids=list(REFUSED))
def test_a_hostile_file_is_one_located_error(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    body: bytes,
    fragment: str,
    line: int | None,
) -> None:
    path = _whatif(tmp_path, body)
    err = _validate(capsys, path)
    assert fragment in err, err
    where = f"{path}:{line}: " if line is not None else f"{path}"
    assert where in err, err


def test_a_binary_file_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "program.yaml"
    path.write_bytes(Path(sys.executable).resolve().read_bytes()[:4096])
    err = _validate(capsys, path)
    assert f"{path}:1: " in err
    assert "not UTF-8" in err or "not a YAML text file" in err


@pytest.mark.parametrize(
    ("body", "value"),
    [
        ("name: 2024-02-30\n", "2024-02-30"),  # an impossible date: a text, as in YAML 1.2
        ("name: no\n", "no"),  # not false
        ("name: on\n", "on"),
        ("name: 1:30\n", "1:30"),
        ("name: 0b11\n", "0b11"),
        ("name: <<\n", "<<"),
        ("name: =\n", "="),  # YAML 1.1's value tag: a crash in PyYAML's safe loader
    ],
)
def test_yaml_1_1_forms_read_as_yaml_1_2_text(tmp_path: Path, body: str, value: str) -> None:
    assert load_scenario(_whatif(tmp_path, body)).name == value


def test_whole_numbers_read_as_yaml_1_2(tmp_path: Path) -> None:
    """``010`` is ten (YAML 1.1: eight); ``0o10`` eight; ``0x10`` sixteen; ``1e3`` a number."""
    text = "simulation: {seed: 010, replications: 0o10}\nreferrals: {streams: {nav: {annual_rate: 1e2}}}\n"
    scenario = load_scenario(_whatif(tmp_path, text))
    assert (scenario.simulation.seed, scenario.simulation.replications) == (10, 8)
    assert scenario.referrals.streams["nav"].annual_rate == 100.0
    assert load_scenario(_whatif(tmp_path, "simulation: {seed: 0x10}\n")).simulation.seed == 16


def test_a_file_over_the_size_bound_is_refused_unread(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _whatif(tmp_path, "description: " + "x" * MAX_FILE_BYTES + "\n")
    assert "larger than 1,024 KiB" in _validate(capsys, path)


def test_values_are_counted_while_parsing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At the bound the parse stops: the line named is where the bound was met, not the end."""
    monkeypatch.setattr(reading, "MAX_VALUES", 1_000)
    path = _whatif(tmp_path, "description: [" + ", ".join(["0"] * 100_000) + "]\n")
    started = time.perf_counter()
    err = _validate(capsys, path)
    assert "more than 1,000 values in one file" in err
    assert time.perf_counter() - started < 5  # the whole list takes about 10 s to parse


def test_the_real_value_bound_stops_a_file_of_tiny_values(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Under 1 MiB but 250,000 values: refused at value 50,001 (item 49,996, line 49,998)."""
    path = _whatif(tmp_path, "description:\n" + "- 0\n" * 250_000)
    assert f"{path}:49998: more than 50,000 values in one file" in _validate(capsys, path)


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_only_regular_files_are_read(tmp_path: Path, kind: str) -> None:
    """A FIFO would block on open, ``/dev/zero`` would never end: both refused at once."""
    if kind == "fifo":
        path = tmp_path / "pipe.yaml"
        os.mkfifo(path)
    else:
        path = Path("/dev/zero")
    result = subprocess.run(
        [sys.executable, "-m", "forlopsim", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "not a regular file" in result.stderr
    assert "Traceback" not in result.stderr


def test_replications_on_the_command_line_are_bounded(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["run", str(BASELINE), "--replications", str(10**27)])
    assert stop.value.code == 2
    assert f"expected at most {MAX_REPLICATIONS:,}" in capsys.readouterr().err


def test_the_bounds_are_far_above_every_committed_scenario() -> None:
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        scenario = load_scenario(path)
        assert scenario.simulation.horizon_days * 50 <= MAX_HORIZON_DAYS
        assert scenario.simulation.replications * 100 <= MAX_REPLICATIONS


# --- extends: and a sweep's scenario: ---------------------------------------------------------


@pytest.mark.parametrize("target", ["/proc/self/environ", "/etc/passwd", "/dev/zero"])
def test_extends_names_only_yaml_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, target: str
) -> None:
    path = tmp_path / "leak.yaml"
    path.write_text(f"extends: {target}\n")
    err = _validate(capsys, path)
    assert f"{path}:1: extends: " in err
    assert "is not a YAML scenario file" in err or "is not a file" in err
    assert "root:" not in err and "PATH=" not in err


def test_extends_outside_the_trusted_folders_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file may extend files under its own folder or the current one, not others."""
    monkeypatch.delenv(TRUSTED_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    elsewhere = tmp_path / "mine"
    elsewhere.mkdir()
    (elsewhere / "secret.yaml").write_text("token: abc123\n")
    downloads = tmp_path.parent / f"{tmp_path.name}-downloads"
    downloads.mkdir()
    path = downloads / "whatif.yaml"
    path.write_text(f"extends: {elsewhere / 'secret.yaml'}\n")
    monkeypatch.chdir(downloads)
    err = _validate(capsys, path)
    assert "is outside the folders scenario files are read from" in err
    assert TRUSTED_ENV in err
    assert "abc123" not in err and "token" not in err
    monkeypatch.setenv(TRUSTED_ENV, str(elsewhere))
    assert "token: unknown key" in _validate(capsys, path)  # now read: it is just not a scenario


def test_a_base_in_the_folder_of_the_named_file_is_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TRUSTED_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    folder = ROOT / "scenarios"
    assert load_scenario(folder / "missing_middle.yaml").name  # bases beside it: read


def test_a_sweep_scenario_must_be_a_trusted_yaml_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "name: x\nscenario: /etc/passwd\nparameters:\n  simulation.seed: {levels: [1]}\n"
        "design: {kind: grid}\n"
    )
    assert main(["sweep", str(spec), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{spec}:2: scenario: '/etc/passwd' is not a YAML scenario file" in err
    assert "root:" not in err


def test_a_long_extends_chain_is_refused_with_its_bound(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "f0.yaml").write_text(f"extends: {BASELINE}\n")
    for i in range(1, MAX_EXTENDS_CHAIN + 5):
        (tmp_path / f"f{i}.yaml").write_text(f"extends: f{i - 1}.yaml\n")
    err = _validate(capsys, tmp_path / f"f{MAX_EXTENDS_CHAIN + 4}.yaml")
    assert f"extends chain too long: more than {MAX_EXTENDS_CHAIN} files" in err
    chain = tmp_path / f"f{MAX_EXTENDS_CHAIN - 2}.yaml"
    assert load_scenario(chain).name == "Trondheim baseline"  # the bound itself is allowed


def test_a_file_that_is_no_scenario_is_quoted_only_in_short(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "passwd.yaml"
    path.write_text("root:x:0:0:root:/root:/bin/bash daemon:x:1:1:daemon:/usr/sbin:/nologin\n")
    err = _validate(capsys, path)
    assert "expected a mapping" in err
    assert "daemon" not in err


# --- printing what a user wrote ------------------------------------------------------------


def test_control_characters_are_escaped_wherever_a_problem_is_printed() -> None:
    problem = Problem("a\x1b[2Jb.yaml", "x\x07", "got '\x9b'", 3)
    assert str(problem) == "a\\x1b[2Jb.yaml:3: x\\x07: got '\\x9b'"
    assert "\x1b" not in str(ScenarioError([problem]))


def test_a_file_name_with_escape_codes_is_printed_escaped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "evil\x1b]0;title\x07.yaml"
    path.write_text("name: [unclosed\n")
    assert "evil\\x1b]0;title\\x07.yaml" in _validate(capsys, path)


def test_a_valid_file_with_escape_codes_in_its_name_is_printed_escaped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _whatif(tmp_path, "", "ok\x1b[2J.yaml")
    assert main(["validate", str(path)]) == 0
    assert "ok\\x1b[2J.yaml: ok" in capsys.readouterr().out


def test_other_input_files_get_the_same_reader(tmp_path: Path) -> None:
    """Sweep specs, targets and parameters are read by :func:`read_yaml` too."""
    path = tmp_path / "targets.yaml"
    path.write_bytes(b"targets:\n  a: !!binary aGVsbG8=\n")
    with pytest.raises(ScenarioError, match="tag !!binary is not allowed"):
        read_yaml(path)
