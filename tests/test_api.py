"""The Python API: simulate → tables as documented, records as the engine made them, compare."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scenario_builders import build, busy_scenario, flat_queue_scenario

import forlopsim
from forlopsim.engine import run_replication
from forlopsim.engine.streams import replication_seeds
from forlopsim.experiment import replication_table, run_replications
from forlopsim.metrics import occupancy_series, waiting_series
from forlopsim.records import EVENT_COLUMNS, RESIDENT_COLUMNS
from forlopsim.stats import t_interval

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "trondheim_baseline.yaml"
SEED = 5


@pytest.fixture(scope="module")
def scenario():
    return busy_scenario(horizon_days=300.0, warmup_days=40.0)


@pytest.fixture(scope="module")
def results(scenario):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", forlopsim.WarmupWarning)
        outcome = forlopsim.simulate(scenario, replications=3, seed=SEED)
    yield outcome
    outcome.close()


def test_public_names():
    for name in ("load_scenario", "simulate", "compare", "Results", "Comparison", "Scenario"):
        assert name in forlopsim.__all__ and getattr(forlopsim, name) is not None
    assert forlopsim.simulate is forlopsim.api.simulate
    assert set(forlopsim.__all__) <= set(dir(forlopsim))


def test_summary_and_replications_columns(results):
    assert len(results) == 3
    summary = results.summary()
    assert list(summary.columns) == [
        "kpi",
        "unit",
        "mean",
        "sd",
        "n",
        "ci_low",
        "ci_high",
        "half_width",
    ]
    units = summary.set_index("kpi")["unit"]
    assert units["wait_days_of_placed.tier.staffed"] == "days"
    assert units["utilisation.tier.staffed"] == "share"
    assert units["cost_per_year.total"] == "NOK per year"
    assert units["per_year.deaths"] == "per year"
    assert (units != "").all(), list(units[units == ""].index)
    table = results.replications()
    assert list(table["replication"]) == [0, 1, 2]
    assert table.columns[0] == "replication"
    assert set(table.columns[1:]) == set(summary["kpi"])
    row = summary.set_index("kpi").loc["homeless_mean"]
    mean, half = t_interval(table["homeless_mean"].to_numpy())
    assert row["mean"] == pytest.approx(mean) and row["half_width"] == pytest.approx(half)


def test_records_are_those_of_run_replication(results, scenario):
    events = results.records()
    assert list(events.columns) == ["replication", *EVENT_COLUMNS]
    assert sorted(events["replication"].unique()) == [0, 1, 2]
    for i in (0, 2):
        again = run_replication(scenario, replication_seeds(SEED, 3)[i], i)
        mine = events[events["replication"] == i].drop(columns="replication")
        pd.testing.assert_frame_equal(
            mine.reset_index(drop=True),
            again.events.reset_index(drop=True),
            check_categorical=False,
        )
        pd.testing.assert_frame_equal(
            results.residents(replication=i).drop(columns="replication"),
            again.residents,
            check_categorical=False,
        )
        assert results.replication_records(i).meta == again.meta
    residents = results.residents()
    assert list(residents.columns) == ["replication", *RESIDENT_COLUMNS]
    assert isinstance(events["kind"].dtype, pd.CategoricalDtype)


def test_waiting_lists_over_time(results, scenario):
    """The waiting-list series is on Results, as the occupancy series is."""
    waiting = results.waiting(step_days=10.0)
    assert list(waiting.columns) == ["replication", "start", "place", "kind", "waiting"]
    assert sorted(waiting["replication"].unique()) == [0, 1, 2]
    again = run_replication(scenario, replication_seeds(SEED, 3)[2], 2)
    expected = waiting_series(again, 10.0)
    mine = waiting[waiting["replication"] == 2].drop(columns="replication")
    pd.testing.assert_frame_equal(
        mine.reset_index(drop=True), expected.reset_index(drop=True), check_categorical=False
    )
    assert (waiting["waiting"] >= 0).all()


def test_occupancy_over_time(results, scenario):
    occupancy = results.occupancy(step_days=10.0)
    assert list(occupancy.columns) == [
        "replication",
        "start",
        "place",
        "kind",
        "occupancy",
        "capacity",
    ]
    again = run_replication(scenario, replication_seeds(SEED, 3)[1], 1)
    expected = occupancy_series(again, 10.0)
    mine = occupancy[occupancy["replication"] == 1].drop(columns="replication")
    pd.testing.assert_frame_equal(
        mine.reset_index(drop=True), expected.reset_index(drop=True), check_categorical=False
    )
    staffed = occupancy[occupancy["place"] == "staffed"]
    assert (staffed["occupancy"] <= staffed["capacity"] + 1e-9).all()


def test_close_removes_the_records_and_keep_records_false_keeps_none(scenario):
    results = forlopsim.simulate(scenario, replications=1, seed=1, check_warmup=False)
    folder = results._records_dir
    assert folder.is_dir() and any(folder.iterdir())
    with results:
        assert len(results.records()) > 0
    assert not folder.exists()
    assert len(results.summary()) > 0  # the KPI tables outlive the records
    with pytest.raises(ValueError, match="kept no records"):
        results.records()
    light = forlopsim.simulate(scenario, replications=1, seed=1, keep_records=False)
    assert light._records_dir is None
    with pytest.raises(ValueError, match="keep_records=True"):
        light.residents()
    pd.testing.assert_frame_equal(light.replications(), results.replications())


def test_jobs_do_not_change_results(scenario, results):
    two = forlopsim.simulate(scenario, replications=3, seed=SEED, jobs=2, check_warmup=False)
    with two:
        pd.testing.assert_frame_equal(two.replications(), results.replications())
        pd.testing.assert_frame_equal(two.records(), results.records(), check_categorical=False)


def test_simulate_takes_a_path_and_warns_of_a_short_warmup(tmp_path):
    path = tmp_path / "short.yaml"
    path.write_text(
        f"extends: {BASELINE}\nsimulation: {{horizon_days: 200, warmup_days: 20, seed: 3}}\n"
    )
    results = forlopsim.simulate(str(path), replications=1, keep_records=False, check_warmup=False)
    assert results.scenario.simulation.horizon_days == 200 and results.seed == 3
    # a flat that fills from empty over ~100 days, observed from day 0: the check warns
    data = flat_queue_scenario(
        places=20, arrivals_per_day=0.2, service_per_day=0.004, horizon_days=700, warmup_days=1
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        forlopsim.simulate(build(data), replications=2, keep_records=False)
    flat = [w for w in caught if "'flat'" in str(w.message)]
    assert len(flat) == 1 and flat[0].category is forlopsim.WarmupWarning
    assert flat[0].filename == __file__  # the warning points at the caller of simulate()
    data["simulation"]["warmup_days"] = 300.0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", forlopsim.WarmupWarning)
        checked = forlopsim.simulate(build(data), replications=2, keep_records=False)
    # own_home only ever fills (nobody leaves it), so it may still be flagged; the flat is not
    assert not [w for w in caught if "'flat'" in str(w.message)]
    row = checked.warmup_check().set_index("place").loc["flat"]
    assert row["truncation_days"] <= 300 and not row["flagged"]


def test_with_changes_validates_a_copy(scenario):
    changed = scenario.with_changes({"housing.tiers.staffed.capacity": 30})
    assert changed.housing.tiers["staffed"].capacity == 30
    assert scenario.housing.tiers["staffed"].capacity == 12
    with pytest.raises(forlopsim.ScenarioError, match="capacity: must be at least 0"):
        scenario.with_changes({"housing.tiers.staffed.capacity": -1})
    assert scenario.housing.tiers["staffed"].capacity == 12


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"housing.tiers.staffed.capacty": 30},
            "with_changes: housing.tiers.staffed.capacty: unknown key 'capacty' "
            "(did you mean 'capacity'?)",
        ),
        (
            {"housing.tirs.staffed.capacity": 30},
            "with_changes: housing.tirs: unknown key 'tirs' (did you mean 'tiers'?)",
        ),
        (
            {"housing.tiers.stafed.capacity": 30},
            "with_changes: housing.tiers.stafed: unknown key 'stafed' (did you mean 'staffed'?)",
        ),
    ],
)
def test_with_changes_names_a_misspelt_path(scenario, changes, message):
    """The CLI's friendly message, not pydantic's error with its URL (or a bare KeyError)."""
    with pytest.raises(forlopsim.ScenarioError) as raised:
        scenario.with_changes(changes)
    assert str(raised.value) == message
    assert "http" not in str(raised.value)


def test_compare_differences_are_those_of_the_replication_tables(scenario):
    bigger = scenario.with_changes({"housing.tiers.staffed.capacity": 24})
    comparison = forlopsim.compare(
        scenario, bigger, replications=3, seed=SEED, labels=["base", "bigger"], check_warmup=False
    )
    base = replication_table(run_replications(scenario, 3, SEED))
    whatif = replication_table(run_replications(bigger, 3, SEED))
    pd.testing.assert_frame_equal(comparison.tables["base"], base)
    pd.testing.assert_frame_equal(comparison.tables["bigger"], whatif)
    differences = comparison.differences().set_index("kpi")
    for kpi in ("wait_days_of_placed.tier.staffed", "homeless_mean", "cost_per_year.total"):
        paired = (whatif[kpi] - base[kpi]).dropna().to_numpy()
        mean, half = t_interval(paired)
        assert differences.loc[kpi, "difference"] == pytest.approx(mean)
        assert differences.loc[kpi, "half_width"] == pytest.approx(half)
        assert differences.loc[kpi, "base_mean"] == pytest.approx(base[kpi].mean())
        assert differences.loc[kpi, "whatif_mean"] == pytest.approx(whatif[kpi].mean())
    assert np.array_equal(
        comparison.paired_differences("bigger").to_numpy(),
        (whatif - base).to_numpy(),
        equal_nan=True,
    )
    with pytest.raises(ValueError, match="at least one what-if"):
        forlopsim.compare(scenario)
