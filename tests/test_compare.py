"""Scenario comparisons: common random numbers, the differences table, ``forlopsim compare``."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scenario_builders import busy_scenario

from forlopsim.cli import main
from forlopsim.comparison import DIFFERENCE_COLUMNS, SUMMARY_COLUMNS, compare_scenarios
from forlopsim.experiment import replication_table, run_scenarios
from forlopsim.scenario import load_scenario
from forlopsim.stats import t_interval

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
BASELINE = SCENARIOS / "trondheim_baseline.yaml"
MISSING_MIDDLE = SCENARIOS / "missing_middle.yaml"
BAD = Path(__file__).resolve().parent / "data" / "bad"
SHORT = {"simulation.horizon_days": 730.0, "simulation.warmup_days": 180.0}


# -- common random numbers -------------------------------------------------------------------


def test_crn_narrows_the_missing_middle_interval():
    """The baseline against 20 middle-tier places over two years, 10 replications each.

    With common random numbers (the what-if's replication i uses the baseline's seed i) the
    paired differences vary far less than with independent seeds (the what-if run from another
    root seed). KPI: the mean length of the waiting list for 24h staffed housing, which the
    middle tier relieves directly. Over root seeds 0–5 the half-width ratio CRN/independent
    was 0.27–0.45 for it (and 0.41–0.70 for ``homeless_mean``, printed for the record).
    """
    base = load_scenario(BASELINE).with_changes(SHORT)
    whatif = load_scenario(MISSING_MIDDLE).with_changes(SHORT)
    n, seed = 10, 2
    base_runs, crn_runs = run_scenarios([base, whatif], n, seed)
    (independent_runs,) = run_scenarios([whatif], n, seed + 1000)
    b, crn, independent = map(replication_table, (base_runs, crn_runs, independent_runs))
    ratios = {}
    for kpi in ("waiting_mean.tier.staffed_24h", "homeless_mean"):
        _, crn_half = t_interval((crn[kpi] - b[kpi]).to_numpy())
        _, independent_half = t_interval((independent[kpi] - b[kpi]).to_numpy())
        ratios[kpi] = crn_half / independent_half
    print("CRN / independent half-width:", {k: round(v, 3) for k, v in ratios.items()})
    assert ratios["waiting_mean.tier.staffed_24h"] < 0.7
    # and the middle tier shortens that list, clearly, under CRN
    mean, half = t_interval(
        (crn["waiting_mean.tier.staffed_24h"] - b["waiting_mean.tier.staffed_24h"]).to_numpy()
    )
    assert mean + half < 0


def test_identical_scenarios_differ_by_exactly_zero():
    scenario = busy_scenario(horizon_days=300.0, warmup_days=30.0)
    twin = scenario.with_changes({"name": "twin"})
    comparison = compare_scenarios(scenario, [twin], replications=3, seed=4)
    differences = comparison.differences()
    assert list(differences.columns) == DIFFERENCE_COLUMNS
    defined = differences.dropna(subset=["difference"])
    assert len(defined) > 50
    assert (defined["difference"] == 0).all() and not defined["significant"].any()
    summary = comparison.summary()
    assert list(summary.columns) == SUMMARY_COLUMNS
    assert set(summary["scenario"]) == {"busy", "twin"}


def test_differences_are_paired_and_marked():
    scenario = busy_scenario(horizon_days=400.0, warmup_days=50.0)
    bigger = scenario.with_changes({"name": "bigger", "housing.tiers.staffed.capacity": 24})
    comparison = compare_scenarios(scenario, [bigger], replications=4, seed=9)
    row = comparison.differences().set_index("kpi").loc["wait_days_of_placed.tier.staffed"]
    paired = (
        comparison.tables["bigger"]["wait_days_of_placed.tier.staffed"]
        - comparison.tables["busy"]["wait_days_of_placed.tier.staffed"]
    )
    mean, half = t_interval(paired.to_numpy())
    assert row["difference"] == pytest.approx(mean)
    assert row["ci_low"] == pytest.approx(mean - half)
    assert row["significant"] == (mean + half < 0 or mean - half > 0)
    assert row["base_mean"] == pytest.approx(
        comparison.tables["busy"]["wait_days_of_placed.tier.staffed"].mean()
    )


# -- the command -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tuple[Path, Path]:
    """The baseline and the missing-middle what-if over two years, 3 replications, seed 7."""
    folder = tmp_path_factory.mktemp("scenarios")
    paths = []
    for source, name in ((BASELINE, "base"), (MISSING_MIDDLE, "middle")):
        path = folder / f"{name}.yaml"
        path.write_text(
            f"extends: {source}\n"
            "simulation: {horizon_days: 730, warmup_days: 180, replications: 3, seed: 7}\n"
        )
        paths.append(path)
    return paths[0], paths[1]


@pytest.fixture(scope="module")
def compared(files, tmp_path_factory) -> tuple[Path, str, str]:
    """``forlopsim compare`` run once with --out: (out folder, stdout, stderr)."""
    out = tmp_path_factory.mktemp("compare") / "results"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = main(["compare", str(files[0]), str(files[1]), "--out", str(out), "-j", "1"])
    assert status == 0, stderr.getvalue()
    return out, stdout.getvalue(), stderr.getvalue()


def test_compare_prints_differences_and_marks_significant_ones(compared):
    _, printed, _ = compared
    assert "base vs middle" in printed and "95% CI" in printed
    assert "* its 95% CI excludes 0" in printed
    # 20 new middle places at a fixed one-off cost: a difference with no spread, marked
    line = next(line for line in printed.splitlines() if "one-off, new places" in line)
    assert "*" in line
    # the base has no middle tier: its utilisation is shown as undefined
    line = next(line for line in printed.splitlines() if line.strip(" │").startswith("middle"))
    assert "–" in line


def test_compare_writes_one_folder_per_scenario_and_the_differences(compared):
    out, printed, _ = compared
    assert sorted(p.name for p in out.iterdir()) == [
        "base",
        "comparison.csv",
        "comparison.json",
        "middle",
    ]
    for name in ("base", "middle"):
        folder = out / name
        for file in ("summary.json", "summary.csv", "replications.csv", "scenario.json"):
            assert (folder / file).is_file(), file
        assert len(list((folder / "records").glob("events_rep*.parquet"))) == 3
        summary = json.loads((folder / "summary.json").read_text())
        assert summary["seed"] == 7 and summary["replications"] == 3
        assert summary["compared_with"] == "base"
    differences = pd.read_csv(out / "comparison.csv")
    assert list(differences.columns) == DIFFERENCE_COLUMNS
    assert set(differences["scenario"]) == {"middle"}
    document = json.loads((out / "comparison.json").read_text())
    assert document["base"] == "base" and document["common_random_numbers"] is True
    one_off = document["differences"]["middle"]["cost_one_off.new_places"]
    assert one_off["significant"] and one_off["difference"] > 0
    # the written differences are those of the written replication tables
    base = pd.read_csv(out / "base" / "replications.csv", index_col="replication")
    middle = pd.read_csv(out / "middle" / "replications.csv", index_col="replication")
    row = differences.set_index("kpi").loc["homeless_mean"]
    assert row["difference"] == pytest.approx((middle - base)["homeless_mean"].mean())
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")], "temporary folder left"
    assert f"Results written to {out}/" in printed


def test_bad_whatif_exits_2_and_writes_nothing(files, tmp_path, capsys):
    out = tmp_path / "results"
    bad = BAD / "negative_capacity.yaml"
    status = main(["compare", str(files[0]), str(files[1]), str(bad), "--out", str(out)])
    assert status == 2
    err = capsys.readouterr().err
    assert "negative_capacity.yaml" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_compare_needs_a_whatif(files, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["compare", str(files[0])])
    assert stop.value.code == 2


def test_jobs_do_not_change_the_comparison(files, tmp_path):
    tables = []
    for jobs in (1, 2):
        out = tmp_path / f"jobs{jobs}"
        arguments = [str(files[0]), str(files[1]), "--out", str(out), "--no-records"]
        assert main(["compare", *arguments, "-n", "2", "-j", str(jobs)]) == 0
        assert not (out / "base" / "records").exists()
        tables.append(
            (
                pd.read_csv(out / "comparison.csv"),
                pd.read_csv(out / "middle" / "replications.csv"),
            )
        )
    for one, two in zip(tables[0], tables[1], strict=True):
        pd.testing.assert_frame_equal(one, two)
    assert np.isfinite(tables[0][0]["difference"]).any()
