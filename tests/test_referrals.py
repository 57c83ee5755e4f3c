"""Referral streams: Poisson counts, seasonality, attribute mixes and the initial population."""

from __future__ import annotations

import numpy as np
import pytest
from scenario_builders import build, minimal_scenario

from forlopsim.engine import run_replication
from forlopsim.units import DAYS_PER_YEAR

YEARS = 40


def referrals(stream: dict, seed: int = 1):
    data = minimal_scenario(horizon_days=YEARS * DAYS_PER_YEAR)
    data["referrals"]["streams"]["nav"] = {"start_in": {"homeless": 1.0}, **stream}
    records = run_replication(build(data), np.random.SeedSequence(seed))
    return records.events[records.events["kind"] == "referral"], records.residents


def test_count_matches_the_annual_rate():
    events, _ = referrals({"annual_rate": 500})
    expected = 500 * YEARS  # Poisson: sd = sqrt(20,000) ≈ 141
    assert abs(len(events) - expected) < 4 * np.sqrt(expected)


def test_seasonality_peaks_on_the_peak_day():
    # rate × (1 + a cos(2π(t − peak)/year)); a = 0.5 gives 3 times as many at the peak as at
    # the trough. Count referrals within ±30 days of the peak (day 60) and of the trough.
    events, _ = referrals({"annual_rate": 2000, "seasonality": {"amplitude": 0.5, "peak_day": 60}})
    day_of_year = np.mod(events["time"].to_numpy() - 60, DAYS_PER_YEAR)
    near_peak = np.sum((day_of_year < 30) | (day_of_year > DAYS_PER_YEAR - 30))
    trough = DAYS_PER_YEAR / 2
    near_trough = np.sum(np.abs(day_of_year - trough) < 30)
    # expected counts: ∫ over ±30 days of the intensity, by the cosine's integral
    half = 30 / DAYS_PER_YEAR * 2 * np.pi
    base = 2000 / DAYS_PER_YEAR * 60 * YEARS
    swing = 0.5 * np.sin(half) / half
    assert near_peak == pytest.approx(base * (1 + swing), rel=0.05)
    assert near_trough == pytest.approx(base * (1 - swing), rel=0.08)
    assert len(events) == pytest.approx(2000 * YEARS, rel=0.03)


def test_attribute_shares_follow_the_mix():
    _, residents = referrals(
        {
            "annual_rate": 300,
            "mix": {"sex": {"female": 0.2, "male": 0.8}, "need": {1: 0.5, 2: 0.5}},
        }
    )
    n = len(residents)
    for column, value, share in (
        ("sex", "female", 0.2),
        ("problem", "mental", 0.3),  # from the population's mix
        ("violence_risk", "high", 0.1),
    ):
        observed = float((residents[column] == value).mean())
        assert abs(observed - share) < 4 * np.sqrt(share * (1 - share) / n), column
    assert float((residents["need"] == 2).mean()) == pytest.approx(0.5, abs=4 * 0.5 / np.sqrt(n))


def test_initial_population_is_placed_where_places_allow():
    data = minimal_scenario(horizon_days=1.0)
    data["housing"]["tiers"]["flat"] = {"capacity": 30, "support": 1}
    data["referrals"]["initial_population"] = {
        "size": 200,
        "start_in": {"flat": 0.5, "homeless": 0.5},
    }
    events = run_replication(build(data), np.random.SeedSequence(3)).events
    moves = events[(events["kind"] == "move") & (events["time"] == 0.0)]
    assert (moves["origin"] == "referred").sum() == 200
    # once time 0 has settled: the flat is full (homeless starters are allocated free places
    # at once, start-in-flat arrivals take what is left), everyone else is homeless
    where = moves.groupby("resident")["place"].last().astype(str).value_counts()
    assert where["flat"] == 30 and where["homeless"] == 170
