"""The growth check: a list built to grow is flagged, one built not to is not."""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np
import pandas as pd
import pytest
import yaml
from scenario_builders import build, by_need, flat_queue_scenario

from forlopsim.cli import main
from forlopsim.experiment import WARMUP_STEP_DAYS, run_replications
from forlopsim.growth import check_results, growth_check, growth_messages, keeps_growing

HORIZON, WARMUP = 730.0, 100.0


def _queue(places: int) -> dict:
    """One flat, one referral a day, each tenant leaving after 20 days on average."""
    return flat_queue_scenario(
        places=places,
        arrivals_per_day=1.0,
        service_per_day=0.05,
        horizon_days=HORIZON,
        warmup_days=WARMUP,
    )


def _settling(places: int) -> dict:
    """The queue with room for everyone: residents recover after 50 days on average, and the
    team follows everyone, so every list and place settles within a few months."""
    data = _queue(places)
    data["hazards"]["recovery_per_year"] = by_need(365.25 / 50)
    data["services"]["units"]["unit"]["teams"]["team"]["caseload"] = 500
    return data


def _check(data: dict) -> pd.DataFrame:
    results = run_replications(build(data), 3, 5, 1, None, None, WARMUP_STEP_DAYS)
    return check_results(results, WARMUP, HORIZON).set_index(["what", "place"])


def test_a_list_with_arrivals_above_capacity_is_flagged():
    # 2 flats serve 0.1 a day against 1 arriving: the list grows by about 0.9 × 630 days
    row = _check(_queue(2)).loc[("list", "flat")]
    assert row["flagged"]
    assert 450 < row["growth"] < 650
    assert row["ci_low"] > 0


def test_a_list_with_ample_capacity_is_not_flagged():
    # 60 flats serve up to 3 a day against 1 arriving: nobody waits for long
    check = _check(_settling(60))
    assert not check["flagged"].any()
    assert check.loc[("list", "flat"), "mean_level"] < 1.0


def test_the_rule_needs_a_significant_and_material_growth():
    assert keeps_growing(growth=20.0, ci_low=5.0, mean_level=100.0)
    assert not keeps_growing(growth=20.0, ci_low=-1.0, mean_level=100.0)  # not significant
    assert not keeps_growing(growth=5.0, ci_low=1.0, mean_level=100.0)  # 5% of the mean
    assert not keeps_growing(growth=0.5, ci_low=0.2, mean_level=1.0)  # under one resident
    assert not keeps_growing(growth=20.0, ci_low=math.nan, mean_level=100.0)  # one replication


def test_growth_is_the_fitted_change_over_the_observed_window():
    # a level rising 1 a day from the warm-up on, in two replications (one offset by 3)
    start = np.arange(0.0, 200.0, 10.0)
    rows = [
        {
            "replication": i,
            "start": t,
            "what": "list",
            "kind": "tier",
            "place": "flat",
            "level": max(t - 100.0, 0.0) + 3 * i + (0.5 if t % 20 else -0.5),
        }
        for i in (0, 1)
        for t in start
    ]
    check = growth_check(pd.DataFrame(rows), warmup_days=100.0, horizon_days=200.0)
    row = check.iloc[0]
    # within the window the level is (t − 100) ± 0.5: a slope near 1, growth near 100
    assert row["growth"] == pytest.approx(100.0, rel=0.02)
    assert row["flagged"]
    (message,) = growth_messages(check, 100.0, 200.0, "test")
    assert message.startswith("test: The waiting list for housing tier flat grows by about 100")
    assert "depend on how long the model runs" in message


def test_run_warns_in_words_when_a_list_keeps_growing(tmp_path):
    path = tmp_path / "growing.yaml"
    path.write_text(yaml.safe_dump(_queue(2)))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["run", str(path), "-n", "2", "-j", "1"])
    assert status == 0, err.getvalue()
    assert "The waiting list for housing tier flat grows by about" in err.getvalue()


def test_no_series_kept_means_nothing_to_check():
    results = run_replications(build(_queue(2)), 1, 5, 1)
    assert check_results(results, WARMUP, HORIZON).empty
