"""The command line's rough edges (issue 14): pipes closed early, help texts, start-up time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from forlopsim.cli import EXIT_BROKEN_PIPE, main

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "trondheim_baseline.yaml"


@pytest.mark.parametrize(
    ("arguments", "status"),
    [
        (("schema",), EXIT_BROKEN_PIPE),
        (("validate", str(BASELINE)), EXIT_BROKEN_PIPE),
        # argparse ignores a failed write of its help and exits 0: quiet too
        (("--help",), 0),
        (("report", "--help"), 0),
    ],
    ids=lambda a: " ".join(a) if isinstance(a, tuple) else str(a),
)
def test_a_reader_that_goes_away_ends_the_command_quietly(
    arguments: tuple[str, ...], status: int
) -> None:
    """``forlopsim schema | head``: no BrokenPipeError traceback, the status of SIGPIPE."""
    child = subprocess.Popen(
        [sys.executable, "-m", "forlopsim", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert child.stdout is not None
    child.stdout.close()  # no reader left: the child's first write fails with EPIPE
    _, err = child.communicate(timeout=60)
    assert err.decode() == ""
    assert child.returncode == status


class _ClosedPipe:
    """A stdout whose reader has gone."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_main_returns_the_broken_pipe_status_in_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert main(["schema"]) == EXIT_BROKEN_PIPE
    assert capsys.readouterr().err == ""


def test_version_imports_no_scenario_models() -> None:
    """``--version`` (and ``--help``) answer before pydantic, NumPy or YAML are imported."""
    script = (
        "import sys\n"
        "from forlopsim.cli import main\n"
        "try:\n"
        "    main(['--version'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("forlopsim ")
    loaded = result.stdout.splitlines()[-1]
    for heavy in ("'pydantic'", "'numpy'", "'yaml'", "'forlopsim.scenario'", "'rich'"):
        assert heavy not in loaded, f"--version imported {heavy}"


def _status(argv: list[str]) -> int | str | None:
    try:
        return main(argv)
    except SystemExit as stop:
        return stop.code


def test_report_help_shows_out_as_required(capsys: pytest.CaptureFixture[str]) -> None:
    assert _status(["report", "--help"]) == 0
    out = capsys.readouterr().out
    usage, _, rest = out.partition("\n\n")
    assert " --out DIR " in usage and "[--out" not in usage
    required = rest.split("required arguments:", 1)[1]
    assert "--out DIR" in required


def test_report_without_out_exits_2_naming_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert _status(["report", str(BASELINE), str(BASELINE)]) == 2
    err = capsys.readouterr().err
    assert "the following arguments are required: --out" in err
    assert "Traceback" not in err
