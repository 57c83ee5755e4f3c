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
from forlopsim.comparison import (
    DIFFERENCE_COLUMNS,
    HEADLINE_KPIS,
    SUMMARY_COLUMNS,
    Comparison,
    compare_scenarios,
)
from forlopsim.experiment import replication_table, run_scenarios
from forlopsim.scenario import load_scenario
from forlopsim.stats import holm, is_fixed, t_interval, t_p_value

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
BASELINE = SCENARIOS / "trondheim_baseline.yaml"
CALIBRATED = SCENARIOS / "trondheim_calibrated.yaml"
MISSING_MIDDLE = SCENARIOS / "missing_middle.yaml"
BAD = Path(__file__).resolve().parent / "data" / "bad"
SHORT = {"simulation.horizon_days": 730.0, "simulation.warmup_days": 180.0}


# -- common random numbers -------------------------------------------------------------------


def test_crn_narrows_the_missing_middle_interval():
    """The baseline against 20 middle-tier places over two years, 10 replications each.

    With common random numbers (the what-if's replication i uses the baseline's seed i) the
    paired differences vary far less than with independent seeds (the what-if run from another
    root seed). KPI: the mean length of the waiting list for 24h staffed housing, which the
    middle tier relieves directly. With per-resident random numbers and the allocation office
    the half-width ratio CRN/independent was 0.064 for it at seed 2 (0.104 for
    ``homeless_mean``, printed for the record); the bound 0.7 is what any pairing must beat.
    """
    base = load_scenario(CALIBRATED).with_changes(SHORT)  # the what-if extends it
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
    _check_the_mechanism(b, crn)


def _check_the_mechanism(base: pd.DataFrame, whatif: pd.DataFrame) -> None:
    """Issue 12's point 8: the middle tier fills from 24h housing first, as its priority says.

    The baseline's middle tier has no places, so it takes in nobody; the what-if's 20 places take
    residents stepping down from 24h housing (its first priority), and fewer residents are
    homeless. Each difference is paired and must be clear of zero at 95%.
    """
    intake = {
        reason: whatif[f"intake_per_year.tier.middle.{reason}"]
        for reason in ("step_down", "homeless")
    }
    assert (base["intake_per_year.tier.middle.step_down"] == 0).all()
    low, _ = _paired_bounds(base["intake_per_year.tier.middle.step_down"], intake["step_down"])
    assert low > 0
    # step-downs come first, so they are the tier's largest intake on average
    assert intake["step_down"].mean() > intake["homeless"].mean()
    _, high = _paired_bounds(base["homeless_mean"], whatif["homeless_mean"])
    assert high < 0


def _paired_bounds(base: pd.Series, whatif: pd.Series) -> tuple[float, float]:
    """The 95% interval of the paired what-if − base difference."""
    mean, half = t_interval((whatif - base).to_numpy())
    return mean - half, mean + half


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
    # not a headline KPI: an interval, never significance
    assert not row["significant"] and np.isnan(row["p_value"]) and np.isnan(row["p_holm"])
    assert row["base_mean"] == pytest.approx(
        comparison.tables["busy"]["wait_days_of_placed.tier.staffed"].mean()
    )


# -- honest stars ----------------------------------------------------------------------------


def test_holm_against_a_hand_computed_table():
    """m = 4: sorted 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, max(0.04·1, 0.06) = 0.06."""
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    # untested (NaN) entries stay NaN and do not count in m; the adjustment stops at 1
    adjusted = holm([np.nan, 0.02, 0.6, np.nan, 0.01])
    assert np.isnan(adjusted[[0, 3]]).all()
    assert adjusted[[1, 2, 4]] == pytest.approx([0.04, 0.6, 0.03])
    assert holm([0.7, 0.9]) == pytest.approx([1.0, 1.0])


def test_paired_p_value_is_the_t_test():
    scipy_stats = pytest.importorskip("scipy.stats")
    values = np.array([1.0, 2.0, 0.5, 3.0, -0.2, np.nan])
    expected = scipy_stats.ttest_1samp(values[:-1], 0.0).pvalue
    assert t_p_value(values) == pytest.approx(expected, rel=1e-12)
    assert np.isnan(t_p_value([30.0, 30.0, 30.0])) and np.isnan(t_p_value([1.0]))
    assert is_fixed([30.0, 30.0 + 1e-14, 30.0]) and not is_fixed([30.0, 30.1])


def _comparison(base: dict[str, list[float]], whatifs: dict[str, dict[str, list[float]]]):
    tables = {"base": pd.DataFrame(base)} | {k: pd.DataFrame(v) for k, v in whatifs.items()}
    return Comparison(base="base", tables=tables, replications=len(next(iter(base.values()))))


def test_a_constant_difference_gets_no_star_and_no_interval():
    base = {"homeless_mean": [10.0, 12.0, 11.0, 13.0], "cost_per_year.total": [5.0, 6, 7, 8]}
    whatif = {"homeless_mean": [x + 30 for x in base["homeless_mean"]]}
    whatif["cost_per_year.total"] = [x - 3 for x in base["cost_per_year.total"]]
    rows = _comparison(base, {"w": whatif}).differences().set_index("kpi")
    for kpi in ("homeless_mean", "cost_per_year.total"):
        row = rows.loc[kpi]
        assert row["difference"] != 0 and row["half_width"] == 0
        assert row["ci_low"] == row["ci_high"] == row["difference"]
        assert not row["significant"] and np.isnan(row["p_value"]) and np.isnan(row["p_holm"])


def test_a_non_headline_kpi_never_gets_a_star():
    """The same clear effect: starred as a headline KPI, not as any other."""
    drop = [-5.0, -5.2, -4.9, -5.1, -5.05]
    base = {
        "homeless_mean": [20.0, 22, 21, 23, 24],
        "residents_in_services": [20.0, 22, 21, 23, 24],
    }
    whatif = {k: [b + d for b, d in zip(v, drop, strict=True)] for k, v in base.items()}
    rows = _comparison(base, {"w": whatif}).differences().set_index("kpi")
    assert "residents_in_services" not in HEADLINE_KPIS
    assert rows.loc["homeless_mean", "significant"]
    assert not rows.loc["residents_in_services", "significant"]
    assert rows.loc["residents_in_services", "ci_high"] < 0  # its interval excludes 0 all the same
    assert np.isnan(rows.loc["residents_in_services", "p_value"])


def test_holm_family_is_headline_kpis_times_whatifs():
    """Two what-ifs with the same effect: each p-value is doubled, as m = 2 tested pairs."""
    base = {"homeless_mean": [20.0, 22, 21, 23], "residents_in_services": [1.0, 2, 3, 4]}
    whatif = {
        "homeless_mean": [19.0, 20.0, 20.5, 21.0],
        "residents_in_services": [0.0, 1.0, 2.5, 3.0],
    }
    rows = _comparison(base, {"a": whatif, "b": whatif}).differences()
    headline = rows[rows["kpi"] == "homeless_mean"]
    p = t_p_value(np.subtract(whatif["homeless_mean"], base["homeless_mean"]))
    assert list(headline["p_value"]) == pytest.approx([p, p])
    assert list(headline["p_holm"]) == pytest.approx([min(1.0, 2 * p)] * 2)
    assert rows["p_value"].notna().sum() == 2


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
    document = json.loads((compared[0] / "comparison.json").read_text())
    comparisons = document["significance"]["comparisons"]
    assert 0 < comparisons <= len(HEADLINE_KPIS)
    assert (
        f"* difference unlikely to be chance after Holm's correction for {comparisons} "
        "comparisons" in " ".join(printed.split())
    )
    # 20 new middle places at a fixed one-off cost: a fixed number, no interval and no star
    line = next(line for line in printed.splitlines() if "one-off, new places" in line)
    assert "*" not in line and " to " not in line and "+" in line
    # the base has no middle tier: its utilisation is shown as undefined
    line = next(line for line in printed.splitlines() if line.strip(" │").startswith("middle"))
    assert "–" in line


def test_compare_writes_one_folder_per_scenario_and_the_differences(compared):
    out, printed, _ = compared
    assert sorted(p.name for p in out.iterdir()) == [
        ".forlopsim.json",  # the manifest: what forlopsim wrote here (forlopsim.outfolder)
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
    assert not one_off["significant"] and one_off["difference"] > 0
    assert one_off["ci_low"] == one_off["ci_high"] == one_off["difference"]
    assert one_off["p_value"] is None and one_off["p_holm"] is None
    # significance only for headline KPIs, Holm-adjusted over them
    headline = differences[differences["kpi"].isin(HEADLINE_KPIS)]
    others = differences[~differences["kpi"].isin(HEADLINE_KPIS)]
    assert not others["significant"].any() and others["p_value"].isna().all()
    assert headline["p_value"].notna().any()
    tested = headline.dropna(subset=["p_value"])
    assert np.allclose(tested["p_holm"], holm(tested["p_value"]))
    assert (tested["significant"] == (tested["p_holm"] < 0.05)).all()
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


def test_compare_with_precision_says_how_many_ran_and_why(files, tmp_path):
    out = tmp_path / "results"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = main(
            [
                *("compare", str(files[0]), str(files[1]), "--out", str(out), "-j", "2"),
                *("-n", "3", "--precision", "0.01", "--max-replications", "5"),
            ]
        )
    assert status == 0, stderr.getvalue()
    printed = " ".join(stdout.getvalue().split())
    assert "Ran the maximum of 5 replications" in printed
    document = json.loads((out / "comparison.json").read_text())
    assert document["replications"] == 5
    assert document["precision"]["reason"] == "maximum"
    assert document["precision"]["target"] == 0.01


def test_precision_must_be_a_fraction(files, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["compare", str(files[0]), str(files[1]), "--precision", "5"])
    assert stop.value.code == 2
    assert "between 0 and 1" in capsys.readouterr().err
