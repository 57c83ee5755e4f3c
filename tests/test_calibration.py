"""``forlopsim calibrate``: the distance, the files' checks, the calibrated scenario, and a
calibration that is killed and resumed ending exactly as one that ran through."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from scenario_builders import flat_queue_scenario

from forlopsim.calibration import Parameter, Target
from forlopsim.calibration.fit import distance, fit_table
from forlopsim.calibration.parameters import scaled
from forlopsim.cli import main
from forlopsim.scenario import load_scenario

# -- the distance and the fit table, by hand -------------------------------------------------------


def test_distance_is_the_weighted_mean_of_squared_standardised_errors():
    targets = {
        "a": Target(kpi="x", observed=10.0, tolerance=2.0, source="assumption"),
        "b": Target(kpi="y", range=(0.0, 4.0), weight=3.0, source="assumption"),
        "c": Target(kpi="z", observed=1.0, tolerance=1.0, weight=0.0, source="assumption"),
    }
    # a: (14 − 10) / 2 = 2 → 4; b: (5 − 2) / 2 = 1.5 → 2.25, weight 3; c has weight 0
    assert distance({"a": 14.0, "b": 5.0, "c": 99.0}, targets) == pytest.approx((4 + 3 * 2.25) / 4)
    # an undefined KPI costs 10 tolerances
    assert distance({"a": math.nan, "b": 2.0, "c": 0}, targets) == pytest.approx(100 / 4)


def test_fit_table_marks_means_within_the_tolerance_or_range():
    import pandas as pd

    targets = {
        "a": Target(kpi="x", observed=10.0, tolerance=2.0, source="T1"),
        "b": Target(kpi="y", range=(500.0, 800.0), source="T1"),
    }
    after = pd.DataFrame({"a": [11.0, 13.0], "b": [400.0, 420.0]})
    table = fit_table(targets, after).set_index("target")
    assert table.loc["a", "within"]  # 12 is 2 from 10
    assert not table.loc["b", "within"]  # 410 is below 500
    assert table.loc["a", "simulated"] == 12.0
    # Student-t, 1 degree of freedom: 12.706 × sd / √2, sd = √2
    assert table.loc["a", "ci_high"] - 12.0 == pytest.approx(12.706, rel=1e-3)
    assert table.loc["b", "observed"] == "500–800"


@given(
    low=st.floats(0.01, 10.0),
    width=st.floats(0.01, 100.0),
    u=st.floats(0.0, 1.0),
    log=st.booleans(),
)
def test_unit_cube_positions_map_back_to_themselves(low, width, u, log):
    p = Parameter(path="x", bounds=(low, low + width), log=log, source="assumption")
    value = p.from_unit(u)
    assert low - 1e-9 <= value <= low + width + 1e-9
    assert p.to_unit(value) == pytest.approx(u, abs=1e-9)


def test_a_factor_multiplies_every_number_of_a_block_and_keeps_the_rest():
    block = {1: 0.5, 2: 0.25, "places": ["homeless"], "flag": True}
    assert scaled(block, 2.0) == {1: 1.0, 2: 0.5, "places": ["homeless"], "flag": True}


# -- files for the command -----------------------------------------------------------------------


def write_problem(folder: Path, horizon_days: float = 600.0) -> dict[str, Path]:
    """A small scenario (the M/M/c housing queue), targets and parameters, as files."""
    scenario = flat_queue_scenario(
        places=10,
        arrivals_per_day=0.5,
        service_per_day=0.06,
        horizon_days=horizon_days,
        warmup_days=60.0,
    )
    scenario["simulation"]["replications"] = 2
    targets = {
        "targets": {
            "referrals": {
                "kpi": "per_year.referrals",
                "observed": 150,
                "tolerance": 10,
                "source": "assumption: test",
            },
            "occupancy": {
                "kpi": "occupancy.tier.flat",
                "range": [6, 8],
                "source": "assumption: test",
            },
        }
    }
    parameters = {
        "replications": 2,
        "parameters": {
            "arrivals": {
                "path": "referrals.streams.street.annual_rate",
                "bounds": [80, 300],
                "source": "assumption: test",
            },
            "leaving": {
                "path": "hazards.own_housing.per_year",
                "scale": [0.5, 2.0],
                "source": "assumption: test",
            },
        },
    }
    files = {}
    for name, data in (("scenario", scenario), ("targets", targets), ("params", parameters)):
        files[name] = folder / f"{name}.yaml"
        files[name].write_text(yaml.safe_dump(data, sort_keys=False))
    return files


def calibrate_args(files: dict[str, Path], out: Path, *extra: str) -> list[str]:
    return [
        "calibrate",
        str(files["scenario"]),
        "--targets",
        str(files["targets"]),
        "--params",
        str(files["params"]),
        "--out",
        str(out),
        "--jobs",
        "1",
        *extra,
    ]


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


# -- bad input: exit 2, file and field named, nothing written ----------------------------------------

BAD_INPUT = {
    "misspelt key": (
        "targets",
        lambda d: d["targets"]["referrals"].update(
            tolerence=d["targets"]["referrals"].pop("tolerance")
        ),
        ["targets.yaml", "targets.referrals.tolerence", "did you mean 'tolerance'"],
    ),
    "value and range": (
        "targets",
        lambda d: d["targets"]["occupancy"].update(observed=7, tolerance=1),
        ["targets.yaml", "targets.occupancy", "either observed and tolerance, or range"],
    ),
    "unknown KPI": (
        "targets",
        lambda d: d["targets"]["occupancy"].update(kpi="occupancy.tier.flats"),
        ["targets.yaml", "targets.occupancy.kpi", "did you mean 'occupancy.tier.flat'"],
    ),
    "no source": (
        "targets",
        lambda d: d["targets"]["referrals"].pop("source"),
        ["targets.yaml", "targets.referrals.source", "missing"],
    ),
    "path not in the scenario": (
        "params",
        lambda d: d["parameters"]["arrivals"].update(path="referrals.streams.road.annual_rate"),
        ["params.yaml", "parameters.arrivals.path", "no 'road'"],
    ),
    "bounds outside what the scenario accepts": (
        "params",
        lambda d: d["parameters"].update(
            warmup={"path": "simulation.warmup_days", "bounds": [10, 5000], "source": "x"}
        ),
        ["params.yaml", "parameters.warmup.bounds", "5000 gives an invalid scenario"],
    ),
    "scale of text": (
        "params",
        lambda d: d["parameters"].update(name={"path": "name", "scale": [0.5, 2], "source": "x"}),
        ["params.yaml", "parameters.name.path", "no numbers to scale"],
    ),
    "bounds on a block": (
        "params",
        lambda d: d["parameters"]["leaving"].update(bounds=[0.5, 2], scale=None),
        ["params.yaml", "parameters.leaving.path", "holds a block; bounds need a number"],
    ),
    "bounds and scale": (
        "params",
        lambda d: d["parameters"]["leaving"].update(bounds=[0.5, 2]),
        ["params.yaml", "parameters.leaving", "either bounds: [low, high] or scale"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_calibration_files_exit_2_naming_file_and_field(case, tmp_path, capsys):
    files = write_problem(tmp_path)
    which, change, expected = BAD_INPUT[case]
    edit(files[which], change)
    out = tmp_path / "out"
    assert main(calibrate_args(files, out)) == 2
    error = capsys.readouterr().err
    assert "Traceback" not in error
    for text in expected:
        assert text in error, (case, error)
    assert not out.exists()


def test_an_empty_targets_file_says_what_it_should_hold(tmp_path, capsys):
    files = write_problem(tmp_path)
    files["targets"].write_text("")
    assert main(calibrate_args(files, tmp_path / "out")) == 2
    error = capsys.readouterr().err
    assert "targets.yaml: the file is empty; expected a mapping of calibration targets" in error


def test_a_missing_parameters_file_is_named(tmp_path, capsys):
    files = write_problem(tmp_path)
    files["params"] = tmp_path / "nowhere.yaml"
    assert main(calibrate_args(files, tmp_path / "out")) == 2
    assert "nowhere.yaml: file not found" in capsys.readouterr().err


def test_a_log_of_another_problem_is_not_reused(tmp_path, capsys):
    files = write_problem(tmp_path)
    out = tmp_path / "out"
    assert main(calibrate_args(files, out, "--max-evaluations", "2")) == 0
    edit(files["targets"], lambda d: d["targets"]["referrals"].update(observed=160))
    assert main(calibrate_args(files, out, "--max-evaluations", "2")) == 2
    assert "holds a calibration of another problem" in capsys.readouterr().err
    # --restart discards it
    assert main(calibrate_args(files, out, "--max-evaluations", "2", "--restart")) == 0


# -- the calibrated scenario -------------------------------------------------------------------------


def test_calibrated_scenario_extends_the_base_and_sources_every_fitted_number(tmp_path):
    files = write_problem(tmp_path)
    out = tmp_path / "out"
    written = tmp_path / "elsewhere" / "calibrated.yaml"
    args = calibrate_args(files, out, "--max-evaluations", "6", "--write", str(written))
    assert main(args) == 0
    raw = yaml.safe_load(written.read_text())
    assert raw["extends"] == "../scenario.yaml"
    fitted = json.loads((out / "calibration.json").read_text())["best"]
    assert raw["referrals"]["streams"]["street"]["annual_rate"] == fitted["arrivals"]
    assert "assumption" in raw["referrals"]["streams"]["street"]["source"]["annual_rate"]
    base = load_scenario(files["scenario"])
    # the base is outside the written file's folder: trusted as the calibrate command trusts it
    calibrated = load_scenario(written, trusted=[tmp_path])
    assert calibrated.referrals.streams["street"].annual_rate == fitted["arrivals"]
    for need, rate in base.hazards.own_housing.per_year.items():
        expected = float(f"{rate * fitted['leaving']:.6g}")
        assert calibrated.hazards.own_housing.per_year[need] == expected
    fit = (out / "fit.md").read_text()
    assert "| referrals | `per_year.referrals` | 150 ± 10 |" in fit


# -- stopped and resumed ---------------------------------------------------------------------------


def log_lines(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "evaluations.jsonl").read_text().splitlines()]


def test_a_killed_calibration_resumes_and_ends_as_one_that_ran_through(tmp_path):
    files = write_problem(tmp_path, horizon_days=1500.0)
    through, killed = tmp_path / "through", tmp_path / "killed"
    evaluations = ["--max-evaluations", "10"]
    assert main(calibrate_args(files, through, *evaluations)) == 0

    command = [sys.executable, "-m", "forlopsim", *calibrate_args(files, killed, *evaluations)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log = killed / "evaluations.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if log.exists() and len(log.read_text().splitlines()) >= 3:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the calibration finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    before = log.read_text()
    assert not (killed / "fit.csv").exists()
    with log.open("a") as file:  # as if killed in the middle of writing a line
        file.write('{"point": [0.1')

    assert main(calibrate_args(files, killed, *evaluations)) == 0
    resumed = log_lines(killed)
    assert (killed / "evaluations.jsonl").read_text().startswith(before)
    assert resumed == log_lines(through)  # every point once, in the same order, same answers
    points = [tuple(e["point"]) for e in resumed]
    assert len(points) == len(set(points))
    assert (killed / "fit.csv").read_text() == (through / "fit.csv").read_text()
    assert (killed / "calibrated.yaml").read_text() == (through / "calibrated.yaml").read_text()
