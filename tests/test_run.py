"""`forlopsim run` end to end: outputs, reproducibility across worker counts, bad arguments."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forlopsim.cli import main
from forlopsim.engine import run_replication
from forlopsim.engine.streams import replication_seeds
from forlopsim.experiment import replication_table, run_replications
from forlopsim.scenario import load_scenario

BASELINE = Path(__file__).parents[1] / "scenarios" / "trondheim_baseline.yaml"


@pytest.fixture(scope="module")
def short_file(tmp_path_factory) -> Path:
    """The baseline over two years (a few hundred days of warm-up), small enough for tests."""
    folder = tmp_path_factory.mktemp("scenario")
    path = folder / "short.yaml"
    path.write_text(
        f"extends: {BASELINE}\n"
        "name: Short baseline\n"
        "simulation: {horizon_days: 730, warmup_days: 180, replications: 3, seed: 7}\n"
    )
    return path


def test_jobs_do_not_change_results(short_file):
    scenario = load_scenario(short_file)
    one = replication_table(run_replications(scenario, jobs=1))
    two = replication_table(run_replications(scenario, jobs=2))
    pd.testing.assert_frame_equal(one, two)


def test_run_writes_summary_csv_and_records(short_file, tmp_path, capsys):
    out = tmp_path / "results"
    assert main(["run", str(short_file), "--out", str(out), "--jobs", "1"]) == 0
    printed = capsys.readouterr().out
    assert "return to homelessness within 12 months" in printed
    assert "95% CI" in printed
    summary = json.loads((out / "summary.json").read_text())
    assert summary["replications"] == 3 and summary["seed"] == 7
    kpi = summary["kpis"]["residents_in_services"]
    assert kpi["ci_low"] <= kpi["mean"] <= kpi["ci_high"] and kpi["n"] == 3
    table = pd.read_csv(out / "summary.csv")
    assert {"kpi", "mean", "ci_low", "ci_high", "n"} <= set(table.columns)
    per_replication = pd.read_csv(out / "replications.csv")
    assert len(per_replication) == 3
    assert np.isclose(per_replication["residents_in_services"].mean(), kpi["mean"])
    # the Parquet records are the records of replication 1 run again in this process
    scenario = load_scenario(short_file)
    again = run_replication(scenario, replication_seeds(7, 3)[1], 1).events
    written = pd.read_parquet(out / "records" / "events_rep001.parquet").drop(columns="replication")
    pd.testing.assert_frame_equal(
        written.reset_index(drop=True), again.reset_index(drop=True), check_categorical=False
    )
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temporary folder left"


def test_rerun_into_existing_folder_replaces_results(short_file, tmp_path):
    out = tmp_path / "results"
    assert (
        main(["run", str(short_file), "--out", str(out), "-n", "2", "-j", "1", "--no-records"]) == 0
    )
    first = json.loads((out / "summary.json").read_text())
    assert (
        main(["run", str(short_file), "--out", str(out), "-n", "2", "-j", "1", "--seed", "8"]) == 0
    )
    second = json.loads((out / "summary.json").read_text())
    assert first["seed"] == 7 and second["seed"] == 8
    assert (out / "records" / "events_rep001.parquet").exists()


def test_run_without_out_writes_nothing(short_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(short_file), "-n", "1"]) == 0
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--replications", "0"], "expected 1 or more"),
        (["--jobs", "two"], "expected a whole number"),
        (["--seed", "-1"], "expected 0 or more"),
    ],
)
def test_bad_arguments_exit_2(short_file, tmp_path, capsys, arguments, message):
    with pytest.raises(SystemExit) as stop:
        main(["run", str(short_file), "--out", str(tmp_path / "out"), *arguments])
    assert stop.value.code == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_out_that_is_a_file_is_refused(short_file, tmp_path, capsys):
    target = tmp_path / "taken"
    target.write_text("keep me")
    assert main(["run", str(short_file), "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert "not a folder" in err and "Traceback" not in err
    assert target.read_text() == "keep me"


def test_version(capsys):
    import forlopsim

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"forlopsim {forlopsim.__version__}"
