"""Census KPIs (the quantities published counts use) against hand-computed cases."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from test_metrics import HORIZON, WARMUP, records

from forlopsim import metrics

YEARS = (HORIZON - WARMUP) / 365.25


def _with_residents(rows: list[tuple], people: list[tuple]):
    r = records(rows)
    residents = pd.DataFrame(people, columns=["resident", "problem", "referred_at"])
    return type(r)(events=r.events, residents=residents, meta=r.meta)


def test_homeless_counts_include_temporary_housing_as_the_national_count_does():
    r = records([])
    mean = pd.Series({"flat": 2.0, "hostel": 3.0})  # hostel is the temporary tier
    housing = {"homeless_mean": 7.0, "residents_mean": 50.0}
    result = metrics.census(r, mean, housing, deaths_per_year=0.75)
    assert result["homeless_incl_temporary_mean"] == pytest.approx(10.0)
    assert result["temporary_share_of_homeless"] == pytest.approx(0.3)
    assert result["homeless_share_of_residents"] == pytest.approx(0.2)
    assert result["deaths_per_100_resident_years"] == pytest.approx(1.5)


def test_problem_shares_are_of_resident_days_in_the_window():
    rows = [
        (600.0, 2, "exit", "", "", "death_other"),
        (50.0, 4, "exit", "", "", "moved"),  # left in the warm-up: no days
    ]
    people = [
        (1, "substance", 0.0),  # whole window: 1100 days
        (2, "both", 200.0),  # 200 → 600: 400 days
        (3, "mental", 700.0),  # 700 → horizon: 500 days
        (4, "both", 0.0),
    ]
    result = metrics.census(
        _with_residents(rows, people),
        pd.Series(dtype=float),
        {"homeless_mean": 0.0, "residents_mean": 1.0},
        0.0,
    )
    assert result["residents_share.problem.substance"] == pytest.approx(1100 / 2000)
    assert result["residents_share.problem.both"] == pytest.approx(400 / 2000)
    assert result["residents_share.problem.mental"] == pytest.approx(500 / 2000)
    assert result["mental_illness_share_of_substance_users"] == pytest.approx(400 / 1500)


def test_tenancies_started_per_year_count_only_the_window():
    r = records(
        [
            (50.0, 1, "tenancy_start", "flat", "", "placed"),  # warm-up: left out
            (150.0, 2, "tenancy_start", "flat", "", "placed"),
            (700.0, 3, "tenancy_start", "flat", "", "transfer"),
            (800.0, 3, "tenancy_start", "hostel", "", "placed"),
        ]
    )
    result = metrics.census(r, pd.Series(dtype=float), {"homeless_mean": 0, "residents_mean": 0}, 0)
    assert result["tenancies_per_year.tier.flat"] == pytest.approx(2 / YEARS)
    assert result["tenancies_per_year.tier.hostel"] == pytest.approx(1 / YEARS)
    assert math.isnan(result["homeless_share_of_residents"])
