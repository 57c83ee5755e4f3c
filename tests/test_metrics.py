"""Headline KPIs on hand-built records whose answers are worked out by hand."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forlopsim import metrics
from forlopsim.engine import run_replication
from forlopsim.records import EVENT_COLUMNS, Records
from forlopsim.scenario import load_scenario
from forlopsim.table import SECTIONS, SINGLES

BASELINE = Path(__file__).parents[1] / "scenarios" / "trondheim_baseline.yaml"

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


def records(rows: list[tuple], places: dict | None = None) -> Records:
    events = pd.DataFrame(
        [(*row, 2) if len(row) == 6 else row for row in rows], columns=list(EVENT_COLUMNS)
    )
    for column in ("kind", "place", "origin", "cause"):
        events[column] = events[column].astype("category")
    meta = {"warmup_days": WARMUP, "horizon_days": HORIZON, "places": places or PLACES}
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
    assert result["wait_days_of_placed.tier.flat"] == pytest.approx(60.0)
    assert result["wait_days_of_placed.team.unit.team"] == pytest.approx(20.0)
    assert result["wait_days_of_placed.unit.unit"] == pytest.approx(20.0)
    assert math.isnan(result["wait_days_of_placed.tier.hostel"])


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


# -- every KPI of DESIGN §4 ----------------------------------------------------------------------

YEARS = (HORIZON - WARMUP) / 365.25  # the observed window, in years


def test_spells_pair_repeated_stays_in_record_order_and_leave_the_last_open():
    r = records(
        [
            (300.0, 2, "admission", "detox", "", "crisis"),
            (200.0, 1, "admission", "detox", "", "crisis"),  # written out of time order
            (210.0, 1, "discharge", "detox", "", "planned"),
            (320.0, 2, "discharge", "detox", "", "early"),
            (400.0, 1, "admission", "detox", "", "crisis"),  # still there at the horizon
        ]
    )
    spell = metrics.spells(r.events, "admission", "discharge", HORIZON)
    assert spell.to_dict("list") == {
        "resident": [2, 1, 1],
        "place": ["detox"] * 3,
        "start": [300.0, 200.0, 400.0],
        "end": [320.0, 210.0, HORIZON],
        "cause": ["early", "planned", "open"],
    }


def test_wait_median_and_90th_percentile():
    r = records(
        [
            (200.0, 1, "wait_start", "flat", "", ""),
            (230.0, 1, "wait_end", "flat", "", "placed"),  # 30 days
            (300.0, 2, "wait_start", "flat", "", ""),
            (390.0, 2, "wait_end", "flat", "", "placed"),  # 90 days
            (400.0, 3, "wait_start", "flat", "", ""),
            (410.0, 3, "wait_end", "flat", "", "placed"),  # 10 days
            (500.0, 4, "wait_start", "flat", "", ""),  # still waiting at the horizon: left out
        ]
    )
    result = metrics.waits(r)
    # sorted 10, 30, 90: median 30; p90 at position 0.9 × 2 = 1.8, so 30 + 0.8 × (90 − 30) = 78
    assert result["wait_days_of_placed.tier.flat"] == pytest.approx(130 / 3)
    assert result["wait_days_of_placed_median.tier.flat"] == pytest.approx(30.0)
    assert result["wait_days_of_placed_p90.tier.flat"] == pytest.approx(78.0)
    assert math.isnan(result["wait_days_of_placed_p90.unit.unit"])


def test_share_of_waits_longer_than_zero():
    # the engine records a zero-length wait for a resident served at once
    r = records(
        [
            (50.0, 7, "wait_start", "flat", "", ""),  # begins in the warm-up: left out
            (50.0, 7, "wait_end", "flat", "", "placed"),
            (200.0, 1, "wait_start", "flat", "", ""),
            (230.0, 1, "wait_end", "flat", "", "placed"),  # waited 30 days
            (300.0, 2, "wait_start", "flat", "", ""),
            (300.0, 2, "wait_end", "flat", "", "placed"),  # a free place at once
            (500.0, 4, "wait_start", "unit.team", "", ""),
            (500.0, 4, "wait_end", "unit.team", "", "placed"),  # at once
            (600.0, 5, "wait_start", "unit.team", "", ""),
            (650.0, 5, "wait_end", "unit.team", "", "placed"),  # waited 50 days
            (700.0, 6, "wait_start", "detox", "", ""),
            (700.0, 6, "wait_end", "detox", "", "placed"),  # at once
        ]
    )
    result = metrics.waited_share(r)
    assert result["waited_share.tier.flat"] == pytest.approx(1 / 2)
    assert result["waited_share.team.unit.team"] == pytest.approx(1 / 2)
    assert result["waited_share.unit.unit"] == pytest.approx(1 / 2)
    assert result["waited_share.institution.detox"] == 0.0
    assert math.isnan(result["waited_share.tier.hostel"])
    # and wait_days_of_placed is the mean over everyone served: (30 + 0) / 2 and (0 + 50) / 2
    days = metrics.waits(r)
    assert days["wait_days_of_placed.tier.flat"] == pytest.approx(15.0)
    assert days["wait_days_of_placed.unit.unit"] == pytest.approx(25.0)


def test_time_to_placement_is_a_kaplan_meier_estimate_with_leaving_and_the_horizon_censored():
    r = records(
        [
            (50.0, 6, "wait_start", "flat", "", ""),  # begins in the warm-up: left out
            (150.0, 6, "wait_end", "flat", "", "placed"),
            (200.0, 1, "wait_start", "flat", "", ""),
            (230.0, 1, "wait_end", "flat", "", "placed"),  # placed after 30 days
            (300.0, 2, "wait_start", "flat", "", ""),
            (320.0, 2, "wait_end", "flat", "", "left"),  # left the list: censored at 20
            (400.0, 3, "wait_start", "flat", "", ""),
            (460.0, 3, "wait_end", "flat", "", "placed"),  # placed after 60 days
            (500.0, 4, "wait_start", "flat", "", ""),
            (540.0, 4, "wait_end", "flat", "", "exit"),  # left the model: censored at 40
            (600.0, 7, "wait_start", "flat", "", ""),
            (600.0, 7, "wait_end", "flat", "", "placed"),  # a free place at once: 0 days
            (1000.0, 5, "wait_start", "flat", "", ""),  # open at the horizon: censored at 200
            (200.0, 8, "wait_start", "unit.team", "", ""),
            (250.0, 8, "wait_end", "unit.team", "", "left"),  # the team's only wait, censored
        ]
    )
    result = metrics.waits_to_placement(r)
    # 0 (placed), 20 (c), 30 (placed), 40 (c), 60 (placed), 200 (c):
    # at risk 6, 4, 2 at the placements: S(0) = 5/6, S(30) = 5/6 · 3/4 = 5/8,
    # S(60) = 5/8 · 1/2 = 5/16 ≤ 0.5, so the median is 60
    assert result["wait_to_placement_median.tier.flat"] == pytest.approx(60.0)
    assert result["placed_within_30d.tier.flat"] == pytest.approx(3 / 8)
    assert result["placed_within_90d.tier.flat"] == pytest.approx(11 / 16)
    assert math.isnan(result["placed_within_365d.tier.flat"])  # nobody followed 365 days
    # the team's only wait was censored: the curve never reaches 0.5; by 30 days nobody placed
    assert math.isnan(result["wait_to_placement_median.team.unit.team"])
    assert math.isnan(result["wait_to_placement_median.unit.unit"])
    assert result["placed_within_30d.unit.unit"] == 0.0
    assert math.isnan(result["wait_to_placement_median.tier.hostel"])  # no wait at all
    counts = metrics.wait_endings(r)
    assert counts["waits_placed_per_year.tier.flat"] == pytest.approx(3 / YEARS)
    assert counts["waits_left_per_year.tier.flat"] == pytest.approx(1 / YEARS)
    assert counts["waits_ended_by_exit_per_year.tier.flat"] == pytest.approx(1 / YEARS)
    assert counts["still_waiting_at_end.tier.flat"] == 1.0
    assert counts["waits_left_per_year.unit.unit"] == pytest.approx(1 / YEARS)
    assert counts["still_waiting_at_end.institution.detox"] == 0.0
    # the mean of placed waits sees only the three placements: (30 + 60 + 0) / 3
    assert metrics.waits(r)["wait_days_of_placed.tier.flat"] == pytest.approx(30.0)


def test_kaplan_meier_median_is_the_first_time_the_curve_reaches_one_half():
    assert metrics.median_time(np.array([10.0, 20.0]), np.array([True, True])) == 10.0
    assert metrics.median_time(np.array([10.0, 20.0, 30.0]), np.array([True] * 3)) == 20.0
    assert math.isnan(metrics.median_time(np.array([5.0]), np.array([False])))
    assert math.isnan(metrics.median_time(np.array([]), np.array([], bool)))


def test_days_per_temporary_housing_stay():
    r = records(
        [
            (50.0, 1, "tenancy_start", "hostel", "", "temporary"),  # begins in warm-up: left out
            (120.0, 1, "tenancy_end", "hostel", "", "max_stay"),
            (200.0, 2, "tenancy_start", "hostel", "", "temporary"),
            (260.0, 2, "tenancy_end", "hostel", "", "max_stay"),  # 60 days
            (300.0, 3, "tenancy_start", "hostel", "", "temporary"),
            (330.0, 3, "tenancy_end", "hostel", "", "away"),  # 30 days
            (1150.0, 4, "tenancy_start", "hostel", "", "temporary"),  # open at the horizon: out
            (200.0, 5, "tenancy_start", "flat", "", "placed"),  # not temporary housing
            (210.0, 5, "tenancy_end", "flat", "", "breakdown"),
        ]
    )
    result = metrics.temporary_stays(r)
    # stays of 60 and 30 days: mean = median = 45; p90 = 30 + 0.9 × 30 = 57
    for label in ("tier.hostel", "all"):
        assert result[f"temporary_stay_days.{label}"] == pytest.approx(45.0)
        assert result[f"temporary_stay_days_median.{label}"] == pytest.approx(45.0)
        assert result[f"temporary_stay_days_p90.{label}"] == pytest.approx(57.0)
    assert "temporary_stay_days.tier.flat" not in result


def test_waiting_list_length_counts_a_resident_on_two_lists_once_overall():
    r = records(
        [
            (50.0, 1, "wait_start", "flat", "", ""),  # 50 days of it inside the window
            (150.0, 1, "wait_end", "flat", "", "placed"),
            (200.0, 2, "wait_start", "flat", "", ""),  # on the flat list 200–750 …
            (300.0, 2, "wait_start", "hostel", "", ""),  # … and the hostel list 300–400
            (400.0, 2, "wait_end", "hostel", "", "placed"),
            (750.0, 2, "wait_end", "flat", "", "placed"),
            (1000.0, 3, "wait_start", "unit.team", "", ""),  # still waiting: 200 days
        ]
    )
    result = metrics.waiting_lists(r)
    assert result["waiting_mean.tier.flat"] == pytest.approx((50 + 550) / 1100)
    assert result["waiting_mean.tier.hostel"] == pytest.approx(100 / 1100)
    assert result["waiting_mean.team.unit.team"] == pytest.approx(200 / 1100)
    assert result["waiting_mean.institution.detox"] == 0.0
    # resident 2's 100 days on both housing lists count once: 50 + 550 days
    assert result["residents_waiting.housing"] == pytest.approx(600 / 1100)
    assert result["residents_waiting.follow_up"] == pytest.approx(200 / 1100)


def test_waiting_series_bins_time_weighted():
    # on the flat list from day 3.5 to day 10: weekly bins hold 3.5/7 and 3/7 of a resident
    r = records(
        [
            (3.5, 1, "wait_start", "flat", "", ""),
            (10.0, 1, "wait_end", "flat", "", "placed"),
        ]
    )
    series = metrics.waiting_series(r, step_days=7.0)
    flat = series[series["place"] == "flat"].set_index("start")["waiting"]
    assert flat[0.0] == pytest.approx(3.5 / 7)
    assert flat[7.0] == pytest.approx(3.0 / 7)
    assert flat[14.0] == 0.0
    assert set(series["kind"]) == {"tier", "team", "institution"}
    assert series.groupby("place").size().nunique() == 1  # every list has every bin


def test_crisis_bed_requests_turn_aways_and_unserved_crises():
    places = {**PLACES, "bed2": {**PLACES["bed"]}}
    r = records(
        [
            (50.0, 8, "turned_away", "bed", "", ""),  # warm-up: left out
            (200.0, 1, "turned_away", "bed", "", ""),  # one crisis, two requests:
            (200.0, 1, "admission", "bed2", "", "crisis"),  # turned away, then admitted
            (300.0, 2, "turned_away", "bed", "", ""),  # a crisis no bed could take
            (400.0, 3, "admission", "bed", "", "crisis"),
        ],
        places,
    )
    result = metrics.crisis_beds(r)
    assert result["crisis_bed_requests_per_year.bed"] == pytest.approx(3 / YEARS)
    assert result["crisis_bed_admissions_per_year.bed"] == pytest.approx(1 / YEARS)
    assert result["crisis_bed_turn_aways_per_year.bed"] == pytest.approx(2 / YEARS)
    assert result["turn_away.bed"] == pytest.approx(2 / 3)
    assert result["turn_away.bed2"] == 0.0
    assert result["crisis_bed_requests_per_year.all"] == pytest.approx(4 / YEARS)
    assert result["turn_away.all"] == pytest.approx(2 / 4)
    # three crises asked for a bed; one (resident 2's) got none
    assert result["turned_away_crises.share"] == pytest.approx(1 / 3)


def test_return_to_homelessness_within_6_12_and_24_months():
    # a placement counts for a window only if start ≥ 100 and start + window ≤ 1200:
    # 6 months (182.5 days) → start ≤ 1017.5; 12 months (365) → ≤ 835; 24 months (730) → ≤ 470
    r = records(
        [
            (50.0, 1, "tenancy_start", "flat", "", ""),  # begins in warm-up: never counts
            (60.0, 1, "tenancy_end", "flat", "", "breakdown"),
            (200.0, 2, "tenancy_start", "flat", "", ""),  # lost after 100 days
            (300.0, 2, "tenancy_end", "flat", "", "breakdown"),
            (300.0, 3, "tenancy_start", "flat", "", ""),  # lost after exactly 365 days
            (665.0, 3, "tenancy_end", "flat", "", "crisis"),
            (470.0, 4, "tenancy_start", "flat", "", ""),  # 24-month window ends at the horizon
            (520.0, 4, "tenancy_end", "flat", "", "transfer"),  # moved on: not a return
            (500.0, 5, "tenancy_start", "flat", "", ""),  # still housed at the horizon
            (900.0, 6, "tenancy_start", "flat", "", ""),  # only its 6-month window fits
            (1000.0, 6, "tenancy_end", "flat", "", "max_stay"),  # lost after 100 days
            (200.0, 7, "tenancy_start", "hostel", "", ""),  # temporary housing: no placement
            (210.0, 7, "tenancy_end", "hostel", "", "max_stay"),
        ]
    )
    result = metrics.return_to_homelessness(r)
    # 6m: residents 2–6 count, 2 and 6 lost → 2/5
    assert result["placements_observed_6m"] == 5
    assert result["return_to_homelessness_6m"] == pytest.approx(2 / 5)
    # 12m: residents 2–5 count, 2 and 3 lost (365 days is within 12 months) → 2/4
    assert result["placements_observed"] == 4
    assert result["return_to_homelessness_12m"] == pytest.approx(2 / 4)
    # 24m: residents 2–4 count, 2 and 3 lost → 2/3
    assert result["placements_observed_24m"] == 3
    assert result["return_to_homelessness_24m"] == pytest.approx(2 / 3)
    assert result["return_to_homelessness_24m.tier.flat"] == pytest.approx(2 / 3)
    assert "return_to_homelessness_12m.tier.hostel" not in result


def test_readmission_within_30_and_90_days_counts_chained_care_as_one_episode():
    r = records(
        [
            (40.0, 5, "admission", "detox", "", "crisis"),
            (50.0, 5, "discharge", "detox", "", "planned"),  # warm-up: no index
            (200.0, 1, "admission", "detox", "", "crisis"),
            (205.0, 1, "discharge", "detox", "", "planned"),  # index: next episode 60 days on
            (265.0, 1, "emergency", "emergency", "", ""),  # index: nothing after
            (400.0, 2, "emergency", "emergency", "", ""),  # ends in an admission: no index
            (400.0, 2, "admission", "detox", "", "crisis"),
            (420.0, 2, "discharge", "detox", "", "planned"),  # index: next episode 20 days on
            (440.0, 2, "emergency", "emergency", "", ""),  # index: nothing after
            (500.0, 3, "admission", "bed", "", "crisis"),
            (503.0, 3, "discharge", "bed", "", "planned"),  # straight on to detox: no index
            (503.0, 3, "admission", "detox", "", "crisis"),  # … and no new episode
            (510.0, 3, "discharge", "detox", "", "planned"),  # index: nothing after
            (590.0, 6, "admission", "detox", "", "crisis"),
            (600.0, 6, "discharge", "detox", "", "exit"),  # the resident left: no index
            (1150.0, 4, "emergency", "emergency", "", ""),  # 30-day window fits, 90-day not
        ]
    )
    result = metrics.readmission(r)
    # 90 days: indices 205 (yes), 265, 420 (yes), 440, 510 → 2/5
    assert result["readmission_index_episodes_90d"] == 5
    assert result["readmission_90d"] == pytest.approx(2 / 5)
    # 30 days: the same and 1150; only 420 is followed within 30 days → 1/6
    assert result["readmission_index_episodes_30d"] == 6
    assert result["readmission_30d"] == pytest.approx(1 / 6)


def _referred(resident: int, at: float = 0.0) -> tuple:
    return (at, resident, "move", "homeless", "referred", "referral")


def test_frequent_users_need_three_episodes_within_365_days():
    r = records(
        [
            *(_referred(i) for i in range(1, 6)),
            # resident 1: episodes at 200, 300, 565 — first to third 365 days: a frequent user
            (200.0, 1, "admission", "bed", "", "crisis"),
            (203.0, 1, "discharge", "bed", "", "planned"),
            (300.0, 1, "emergency", "emergency", "", ""),
            (565.0, 1, "admission", "detox", "", "crisis"),
            (570.0, 1, "discharge", "detox", "", "planned"),
            # resident 2: 200, 300, 566 — spread over 366 days: not one
            (200.0, 2, "emergency", "emergency", "", ""),
            (300.0, 2, "emergency", "emergency", "", ""),
            (566.0, 2, "emergency", "emergency", "", ""),
            # resident 3: an emergency ending in detox is one episode, so two episodes in all
            (300.0, 3, "emergency", "emergency", "", ""),
            (300.0, 3, "admission", "detox", "", "crisis"),
            (310.0, 3, "discharge", "detox", "", "planned"),
            (400.0, 3, "emergency", "emergency", "", ""),
            # resident 4: the episode in the warm-up does not count; 150, 250, 600 span 450 days
            (50.0, 4, "emergency", "emergency", "", ""),
            (150.0, 4, "emergency", "emergency", "", ""),
            (250.0, 4, "emergency", "emergency", "", ""),
            (600.0, 4, "emergency", "emergency", "", ""),
            # resident 5 has no episode; resident 6 left in the warm-up, so was never observed
            _referred(6),
            (50.0, 6, "move", "exited", "homeless", "moved"),
        ]
    )
    result = metrics.frequent_users(r)
    assert result["frequent_users.count"] == 1
    assert result["frequent_users.share"] == pytest.approx(1 / 5)
    # episodes in the window: 3 + 3 + 2 + 3 = 11, of which resident 1's 3
    assert result["frequent_users.episode_share"] == pytest.approx(3 / 11)


def test_retention_is_kaplan_meier_with_censored_exits_and_transfers():
    r = records(
        [
            (50.0, 9, "tenancy_start", "flat", "", ""),  # begins in warm-up: left out
            (60.0, 9, "tenancy_end", "flat", "", "breakdown"),
            (150.0, 1, "tenancy_start", "flat", "", ""),
            (250.0, 1, "tenancy_end", "flat", "", "breakdown"),  # lost at 100 days
            (160.0, 2, "tenancy_start", "flat", "", ""),
            (360.0, 2, "tenancy_end", "flat", "", "exit"),  # died or moved: censored at 200
            (170.0, 3, "tenancy_start", "flat", "", ""),
            (470.0, 3, "tenancy_end", "flat", "", "crisis"),  # lost at 300
            (180.0, 4, "tenancy_start", "flat", "", ""),
            (580.0, 4, "tenancy_end", "flat", "", "transfer"),  # censored at 400
            (200.0, 5, "tenancy_start", "flat", "", ""),
            (650.0, 5, "tenancy_end", "flat", "", "max_stay"),  # lost at 450
            (700.0, 6, "tenancy_start", "flat", "", ""),  # housed at the horizon: censored at 500
            (100.0, 7, "tenancy_start", "flat", "", ""),  # censored at 1100
            (200.0, 8, "tenancy_start", "hostel", "", ""),  # temporary housing: no placement
            (210.0, 8, "tenancy_end", "hostel", "", "max_stay"),
        ]
    )
    result = metrics.retention(r)
    # Kaplan–Meier by hand, 7 placements:
    #   100: 7 at risk, 1 lost → 6/7;  200: censored;  300: 5 at risk, 1 lost → 6/7 × 4/5 = 24/35
    #   400: censored;  450: 3 at risk, 1 lost → 24/35 × 2/3 = 16/35;  500, 1100: censored
    assert result["retention_12m.tier.flat"] == pytest.approx(24 / 35)
    assert result["retention_36m.tier.flat"] == pytest.approx(16 / 35)  # 1095 ≤ 1100 followed
    assert result["retention_12m.all"] == pytest.approx(24 / 35)
    assert "retention_12m.tier.hostel" not in result


def test_retention_is_nan_where_the_curve_does_not_reach():
    # 100 lost, 200 censored: S = 1/2 from day 100, followed only to day 200
    assert metrics.still_housed(
        np.array([100.0, 200.0]), np.array([True, False]), [50.0, 200.0, 365.0]
    ) == pytest.approx([1.0, 0.5, math.nan], nan_ok=True)
    # everybody lost by day 100: the curve is 0 from then on, however far one asks
    assert metrics.still_housed(np.array([100.0]), np.array([True]), [365.0]) == [0.0]
    assert math.isnan(metrics.still_housed(np.array([]), np.array([], bool), [365.0])[0])
    assert math.isnan(metrics.retention(records([]))["retention_12m.tier.flat"])


def test_homeless_in_temporary_housing_and_without_housing_at_the_end():
    r = records(
        [
            _referred(1),
            (500.0, 1, "move", "flat", "homeless", "placed"),  # housed at the end
            (500.0, 1, "tenancy_start", "flat", "", "placed"),
            _referred(2, 300.0),  # homeless at the end
            _referred(3, 200.0),
            (900.0, 3, "move", "exited", "homeless", "death_other"),  # gone before the end
            (400.0, 4, "move", "hostel", "referred", "referral"),  # in temporary housing
            (400.0, 4, "tenancy_start", "hostel", "", "referral"),
            _referred(5, 600.0),
            (1100.0, 5, "move", "detox", "homeless", "crisis"),  # in detox with no home
            (300.0, 6, "move", "flat", "referred", "referral"),
            (300.0, 6, "tenancy_start", "flat", "", "referral"),
            (1100.0, 6, "move", "detox", "flat", "crisis"),  # in detox, keeping the flat
        ]
    )
    result = metrics.homelessness(r)
    assert result["homeless_at_end"] == 1  # resident 2
    assert result["temporary_at_end"] == 1  # resident 4
    assert result["without_housing_at_end"] == 3  # residents 2, 4 and 5
    # resident-days: 1100 + 900 + 700 + 800 + 600 + 900 = 5000;
    # homeless: 400 + 900 + 700 + 500 = 2500; in temporary housing: 800
    assert result["homeless_days_per_resident_year"] == pytest.approx(2500 / 5000 * 365.25)
    assert result["temporary_days_per_resident_year"] == pytest.approx(800 / 5000 * 365.25)


def test_outcomes_per_year():
    r = records(
        [
            (50.0, 1, "exit", "", "", "recovery"),  # warm-up: left out
            (200.0, 2, "exit", "", "", "death_overdose"),
            (300.0, 3, "exit", "", "", "death_overdose"),
            (400.0, 4, "exit", "", "", "death_other"),
            (500.0, 5, "exit", "", "", "recovery"),
            (600.0, 6, "exit", "", "", "moved"),
        ]
    )
    result = metrics.outcomes(r)
    assert result["per_year.death_overdose"] == pytest.approx(2 / YEARS)
    assert result["per_year.death_other"] == pytest.approx(1 / YEARS)
    assert result["per_year.deaths"] == pytest.approx(3 / YEARS)
    assert result["per_year.recovery"] == pytest.approx(1 / YEARS)
    assert result["per_year.moved"] == pytest.approx(1 / YEARS)


def test_cost_per_resident_year_and_by_year():
    r = records(
        [
            _referred(1),  # one resident, the whole window
            (200.0, 1, "admission", "detox", "", ""),
            (310.0, 1, "discharge", "detox", "", ""),  # 110 bed-days × 1000, in the first year
        ]
    )
    result = metrics.costs(r)
    # flat (by capacity): 2 × 10 a day; detox: 110,000 over the window; one resident on average
    total = 2 * 10 * 365.25 + 110 * 1000 / YEARS
    assert result["cost_per_year.total"] == pytest.approx(total)
    assert result["cost_per_resident_year"] == pytest.approx(total)
    by_year = metrics.costs_by_year(r)
    # years start at 100, 465.25, 830.5, 1195.75 (the last 4.25 days long)
    assert list(by_year[by_year["place"] == "flat"]["days"]) == pytest.approx(
        [365.25, 365.25, 365.25, 4.25]
    )
    detox = by_year[by_year["place"] == "detox"].set_index("year")["cost"]
    assert list(detox) == pytest.approx([110_000.0, 0.0, 0.0, 0.0])
    per_place = by_year.groupby("place")["cost"].sum() / YEARS
    for name, place in PLACES.items():
        key = f"cost_per_year.{place['kind']}.{name}"
        assert per_place[name] == pytest.approx(result[key])


def test_transitions_count_moves_in_the_window():
    r = records(
        [
            _referred(1),  # warm-up: left out
            (500.0, 1, "move", "flat", "homeless", "placed"),
            (600.0, 1, "move", "detox", "flat", "crisis"),
            (610.0, 1, "move", "flat", "detox", "discharge"),
            _referred(2, 300.0),
            (400.0, 2, "move", "flat", "homeless", "placed"),
        ]
    )
    table = metrics.transitions(r)
    assert table.to_dict("list") == {
        "origin": ["detox", "flat", "homeless", "referred"],
        "place": ["flat", "detox", "flat", "homeless"],
        "count": [1, 1, 2, 1],
    }
    result = metrics.flows(r)
    assert result["transitions_per_year.homeless->flat"] == pytest.approx(2 / YEARS)
    assert result["transitions_per_year.referred->homeless"] == pytest.approx(1 / YEARS)
    assert result["transitions_per_year.hostel->bed"] == 0.0  # possible, none happened
    # locations: homeless, flat, hostel, bed, detox → 5 from referred, 5 × 4 between, 5 to exited
    assert len(result) == 5 + 20 + 5


def test_kpis_of_no_records_are_zero_counts_and_undefined_rates():
    result = metrics.kpis(records([]))
    assert result["per_year.deaths"] == 0.0
    assert result["frequent_users.count"] == 0.0
    assert result["homeless_at_end"] == 0.0
    for name in (
        "wait_days_of_placed.tier.flat",
        "wait_days_of_placed_p90.unit.unit",
        "return_to_homelessness_6m",
        "readmission_30d",
        "frequent_users.share",
        "retention_36m.all",
        "turned_away_crises.share",
    ):
        assert math.isnan(result[name]), name


# -- on a real replication -----------------------------------------------------------------------

SHARES = re.compile(
    r"^(utilisation\.|turn_away\.|return_to_homelessness_\d+m|readmission_\d+d$|waited_share\."
    r"|placed_within_"
    r"|retention_|frequent_users\.(share|episode_share)$|turned_away_crises\.share$"
    r"|temporary_share_of_homeless$|homeless_share_of_residents$|residents_share\."
    r"|mental_illness_share_of_substance_users$|readmission_same_|discharge_ready_share\.)"
)
"""KPIs that are shares, so lie in [0, 1]."""
MAY_BE_UNDEFINED = re.compile(
    r"^(wait_days_of_placed|wait_to_placement_median\.|placed_within_|waited_share\.|temporary_stay_days|utilisation\.|turn_away\."
    r"|turned_away_crises\.share$|return_to_homelessness_\d+m\.tier\.|return_to_homelessness_24m$"
    r"|retention_|readmission_same_|discharge_ready_share\.|stays_per_contract_year\.)"
)
"""KPIs that are NaN where nothing was there to measure (no completed wait, no capacity, no
request, a window longer than the observed period)."""


@pytest.fixture(scope="module")
def short_baseline() -> dict[str, float]:
    """KPIs of a two-year baseline replication (180 days of warm-up)."""
    scenario = load_scenario(BASELINE)
    simulation = scenario.simulation.model_copy(update={"horizon_days": 730, "warmup_days": 180})
    scenario = scenario.model_copy(update={"simulation": simulation})
    return metrics.kpis(run_replication(scenario, np.random.SeedSequence(1)))


def test_real_replication_kpis_are_finite_and_shares_are_shares(short_baseline):
    for name, value in short_baseline.items():
        assert isinstance(value, float), name
        assert not math.isinf(value), name
        if math.isnan(value):
            assert MAY_BE_UNDEFINED.match(name), f"{name} is NaN"
            continue
        assert value >= 0.0, name
        if SHARES.match(name):
            assert value <= 1.0 + 1e-12, name
    # 550 observed days: the 6- and 12-month windows fit, the 24-month and 36-month ones do not
    for name in ("return_to_homelessness_6m", "return_to_homelessness_12m", "retention_12m.all"):
        assert 0.0 < short_baseline[name] < 1.0, name
    assert math.isnan(short_baseline["return_to_homelessness_24m"])
    assert math.isnan(short_baseline["retention_36m.all"])
    for name in ("readmission_30d", "readmission_90d", "frequent_users.share"):
        assert 0.0 < short_baseline[name] < 1.0, name
    assert short_baseline["frequent_users.count"] >= 1


def test_kpis_include_every_name_the_printed_table_uses(short_baseline):
    for _, name, _, _ in SINGLES:
        assert name in short_baseline, name
    for _, prefix, _ in SECTIONS:
        assert any(name.startswith(prefix) for name in short_baseline), prefix
