"""The command line's rough edges (issue 14): pipes closed early, help texts, start-up time."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from rich.console import Console

from forlopsim.cli import EXIT_BROKEN_PIPE, main
from forlopsim.cli.common import run_title
from forlopsim.cli.sensitivity import footnote
from forlopsim.scenario import load_scenario
from forlopsim.table import kpi_table
from forlopsim.text import plural

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


def _summary(rows: list[tuple[str, float, float, float]]) -> pd.DataFrame:
    """A summary table (as ``summarise`` makes) from (kpi, mean, ci_low, ci_high)."""
    return pd.DataFrame(
        [
            {
                "kpi": kpi,
                "mean": mean,
                "sd": 1.0,
                "n": 10,
                "ci_low": low,
                "ci_high": high,
                "half_width": (high - low) / 2,
            }
            for kpi, mean, low, high in rows
        ]
    )


def _text(table: object) -> str:
    console = Console(file=io.StringIO(), width=300)
    console.print(table)
    return console.file.getvalue()  # type: ignore[attr-defined]


def test_run_table_clips_intervals_to_what_a_quantity_can_take() -> None:
    """A wait of "−35.4 – 154.5" or a utilisation of "108.9%" cannot be; the table says it clips."""
    summary = _summary(
        [
            ("wait_to_placement_median.tier.middle", 59.5, -35.4, 154.5),
            ("utilisation.tier.middle", 0.97, 0.851, 1.089),
            ("utilisation.tier.staffed", 0.5, 0.4, 0.6),
        ]
    )
    text = _text(kpi_table(summary, "clipped"))
    assert "0.0 – 154.5" in text and "-35.4" not in text and "−35.4" not in text
    assert "85.1% – 100.0%" in text and "108.9%" not in text
    assert "40.0% – 60.0%" in text
    assert "Intervals are clipped" in " ".join(text.split())


def test_a_table_with_nothing_clipped_has_no_clipping_note() -> None:
    summary = _summary([("wait_to_placement_median.tier.middle", 59.5, 20.0, 99.0)])
    assert "clipped" not in _text(kpi_table(summary, "fine"))


def test_run_keeps_the_unclipped_interval_in_its_files(tmp_path: Path) -> None:
    """The files hold the raw Student-t ends; only the printed table is clipped."""
    scenario = tmp_path / "short.yaml"
    scenario.write_text(
        f"extends: {BASELINE}\nsimulation: {{horizon_days: 900, warmup_days: 180}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert (
        main(["run", str(scenario), "-n", "2", "-j", "1", "--out", str(out), "--no-records"]) == 0
    )
    summary = pd.read_csv(out / "summary.csv")
    raw = summary["ci_low"] < 0
    assert raw.any(), "a 2-replication run of a short scenario has some negative lower end"


@pytest.mark.parametrize(
    ("count", "word", "expected"),
    [
        (1, "replication", "1 replication"),
        (2, "replication", "2 replications"),
        (0, "what-if", "0 what-ifs"),
        (1, "what-if", "1 what-if"),
        (3, "entry", "3 entries"),
    ],
)
def test_plural(count: int, word: str, expected: str) -> None:
    assert plural(count, word, "entries" if word == "entry" else None) == expected


def test_titles_count_one_replication_in_the_singular() -> None:
    scenario = load_scenario(BASELINE)
    assert run_title("base", scenario, 1, 7).startswith("base: 1 replication, seed 7, ")
    assert run_title("base", scenario, 2, 7).startswith("base: 2 replications, seed 7, ")
    assert "1 replications" not in footnote_of_sensitivity(1)


def footnote_of_sensitivity(replications: int) -> str:
    """The sensitivity footnote for a sweep of ``replications`` per point."""
    sweep = SimpleNamespace(
        spec=SimpleNamespace(design=SimpleNamespace(samples=8)), replications=replications, seed=1
    )
    return footnote(sweep)  # type: ignore[arg-type]
