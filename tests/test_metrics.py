"""Headline KPIs on hand-built records whose answers are worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from forlopsim import metrics
from forlopsim.records import EVENT_COLUMNS, Records

WARMUP, HORIZON = 100.0, 1200.0

PLACES = {
    "flat": {
        "kind": "tier",
        "capacity": 2,
        "temporary": False,
        "cost_per_day": 10.0,
        "cost_basis": "capacity",
        "new_places": 1,
        "new_place_cost": 500.0,
        "payer": "municipality",
    },
    "hostel": {
        "kind": "tier",
        "capacity": 4,
        "temporary": True,
        "cost_per_day": 100.0,
        "cost_basis": "occupied",
        "new_places": 0,
        "new_place_cost": 0.0,
        "payer": "municipality",
    },
    "unit.team": {
        "kind": "team",
        "unit": "unit",
        "capacity": 1,
        "cost_per_day": 0.0,
        "cost_basis": "occupied",
        "payer": "municipality",
    },
    "bed": {
        "kind": "crisis_bed",
        "capacity": 1,
        "cost_per_day": 0.0,
        "cost_basis": "capacity",
        "new_places": 0,
        "new_place_cost": 0.0,
        "payer": "municipality",
    },
    "detox": {
        "kind": "institution",
        "capacity": 1,
        "cost_per_day": 1000.0,
        "cost_basis": "occupied",
        "payer": "specialist",
    },
}


def records(rows: list[tuple]) -> Records:
    events = pd.DataFrame(
        [(*row, 2) if len(row) == 6 else row for row in rows], columns=list(EVENT_COLUMNS)
    )
    for column in ("kind", "place", "origin", "cause"):
        events[column] = events[column].astype("category")
    meta = {"warmup_days": WARMUP, "horizon_days": HORIZON, "places": PLACES}
    return Records(events=events, residents=pd.DataFrame(), meta=meta)


def test_waits_count_placements_that_start_after_warmup():
    r = records(
        [
            (50.0, 1, "wait_start", "flat", "", ""),  # starts in warm-up: left out
            (150.0, 1, "wait_end", "flat", "", "placed"),
            (200.0, 2, "wait_start", "flat", "", ""),
            (230.0, 2, "wait_end", "flat", "", "placed"),  # 30 days
            (300.0, 3, "wait_start", "flat", "", ""),
            (390.0, 3, "wait_end", "flat", "", "placed"),  # 90 days
            (400.0, 4, "wait_start", "flat", "", ""),
            (410.0, 4, "wait_end", "flat", "", "exit"),  # not a placement
            (500.0, 5, "wait_start", "unit.team", "", ""),
            (520.0, 5, "wait_end", "unit.team", "", "placed"),
        ]
    )
    result = metrics.waits(r)
    assert result["wait_days.tier.flat"] == pytest.approx(60.0)
    assert result["wait_days.team.unit.team"] == pytest.approx(20.0)
    assert result["wait_days.unit.unit"] == pytest.approx(20.0)
    assert math.isnan(result["wait_days.tier.hostel"])


def test_utilisation_integrates_only_the_observed_window():
    # resident 1 holds a flat from day 0 (warm-up) to 650; resident 2 from 650 to the horizon
    r = records(
        [
            (0.0, 1, "tenancy_start", "flat", "", ""),
            (650.0, 1, "tenancy_end", "flat", "", "transfer"),
            (650.0, 2, "tenancy_start", "flat", "", ""),
        ]
    )
    assert metrics.occupancy(r)["flat"] == pytest.approx(1.0)
    assert metrics.utilisation(r)["utilisation.tier.flat"] == pytest.approx(0.5)


def test_turn_away_probability():
    rows = [(200.0 + i, i, "admission", "bed", "", "crisis") for i in range(3)]
    rows.append((300.0, 9, "turned_away", "bed", "", ""))
    rows.append((50.0, 8, "turned_away", "bed", "", ""))  # warm-up: left out
    result = metrics.crisis_beds(records(rows))
    assert result["turn_away.bed"] == pytest.approx(0.25)
    assert result["turn_away.all"] == pytest.approx(0.25)


def test_return_to_homelessness_censors_windows_cut_by_horizon_or_warmup():
    r = records(
        [
            (50.0, 1, "tenancy_start", "flat", "", ""),  # begins in warm-up: left out
            (60.0, 1, "tenancy_end", "flat", "", "breakdown"),
            (200.0, 2, "tenancy_start", "flat", "", ""),  # lost after 100 days: a return
            (300.0, 2, "tenancy_end", "flat", "", "breakdown"),
            (300.0, 3, "tenancy_start", "flat", "", ""),  # lost after 400 days: not within 12m
            (700.0, 3, "tenancy_end", "flat", "", "crisis"),
            (400.0, 4, "tenancy_start", "flat", "", ""),  # moved on: not a return
            (450.0, 4, "tenancy_end", "flat", "", "transfer"),
            (500.0, 5, "tenancy_start", "flat", "", ""),  # still housed at the horizon
            (1000.0, 6, "tenancy_start", "flat", "", ""),  # window cut by the horizon: left out
            (1010.0, 6, "tenancy_end", "flat", "", "breakdown"),
            (200.0, 7, "tenancy_start", "hostel", "", ""),  # temporary housing is no placement
            (210.0, 7, "tenancy_end", "hostel", "", "max_stay"),
        ]
    )
    result = metrics.return_to_homelessness(r)
    assert result["placements_observed"] == 4
    assert result["return_to_homelessness_12m"] == pytest.approx(1 / 4)


def test_readmission_within_90_days_with_censoring():
    r = records(
        [
            (200.0, 1, "admission", "detox", "", "crisis"),
            (205.0, 1, "discharge", "detox", "", "planned"),
            (265.0, 1, "emergency", "emergency", "", ""),  # 60 days after: readmitted
            (400.0, 2, "admission", "detox", "", "crisis"),
            (410.0, 2, "discharge", "detox", "", "planned"),  # never again: not readmitted
            (1150.0, 3, "emergency", "emergency", "", ""),  # window cut by the horizon
        ]
    )
    # index events: discharge@205 (yes), emergency@265 (no), discharge@410 (no)
    assert metrics.readmission(r)["readmission_90d"] == pytest.approx(1 / 3)


def test_homeless_days_per_resident_year():
    r = records(
        [
            (0.0, 1, "move", "homeless", "referred", "referral"),
            (465.25, 1, "move", "flat", "homeless", "placed"),  # 365.25 homeless days observed
            (0.0, 2, "move", "flat", "referred", "referral"),
            (465.25, 2, "move", "exited", "flat", "recovery"),
        ]
    )
    result = metrics.homelessness(r)
    # resident-days observed: 1,100 (resident 1) + 365.25 (resident 2)
    expected = 365.25 / (1100 + 365.25) * 365.25
    assert result["homeless_days_per_resident_year"] == pytest.approx(expected)
    assert result["homeless_mean"] == pytest.approx(365.25 / 1100)


def test_costs_by_basis_and_one_off():
    r = records(
        [
            (
                0.0,
                1,
                "tenancy_start",
                "hostel",
                "",
                "",
            ),  # one hostel place, all window: 1 × 100/day
            (200.0, 2, "admission", "detox", "", ""),
            (310.0, 2, "discharge", "detox", "", ""),  # 110 bed-days × 1000
        ]
    )
    result = metrics.costs(r)
    years = (HORIZON - WARMUP) / 365.25
    assert result["cost_per_year.tier.flat"] == pytest.approx(2 * 10 * 365.25)
    assert result["cost_per_year.tier.hostel"] == pytest.approx(100 * 365.25)
    assert result["cost_per_year.institution.detox"] == pytest.approx(110 * 1000 / years)
    assert result["cost_per_year.payer.specialist"] == pytest.approx(110 * 1000 / years)
    assert result["cost_one_off.new_places"] == pytest.approx(500.0)


def test_residents_in_services_counts_overlaps_once():
    r = records(
        [
            (100.0, 1, "contact_start", "", "", ""),
            (300.0, 1, "follow_up_start", "unit.team", "", ""),
            (400.0, 1, "contact_end", "", "", ""),  # overlap 300–400 counted once
            (650.0, 1, "follow_up_end", "unit.team", "", "exit"),
        ]
    )
    result = metrics.in_services(r)
    assert result["residents_in_services"] == pytest.approx(550 / 1100)
    assert result["residents_in_follow_up"] == pytest.approx(350 / 1100)
    assert result["residents_in_low_threshold"] == pytest.approx(300 / 1100)


def test_occupancy_series_bins_time_weighted():
    # one flat tenancy from day 3.5 to day 10: weekly bins hold 3.5/7 and 3/7 of a place
    r = records(
        [
            (3.5, 1, "tenancy_start", "flat", "", ""),
            (10.0, 1, "tenancy_end", "flat", "", "transfer"),
        ]
    )
    series = metrics.occupancy_series(r, step_days=7.0)
    flat = series[series["place"] == "flat"].set_index("start")["occupancy"]
    assert flat[0.0] == pytest.approx(3.5 / 7)
    assert flat[7.0] == pytest.approx(3.0 / 7)
    assert flat[14.0] == pytest.approx(0.0)
    assert set(series["capacity"][series["place"] == "flat"]) == {2.0}
