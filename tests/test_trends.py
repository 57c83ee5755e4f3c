"""Referral trends: arrivals per year follow the trend, and the arrivals stay common.

A trend moves the stream's clock (``World._trended_referrals``): the i-th candidate arrival
takes the same numbers whatever the trend, so a growth of 0 is the stream without a trend,
number for number, and a growing stream brings the same residents earlier.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scenario_builders import build, minimal_scenario, seeds

from forlopsim.engine import run_replication
from forlopsim.units import DAYS_PER_YEAR

RATE = 400.0
WARMUP = 100.0
YEARS = 5


def stream_scenario(trend: dict | None = None, seasonal: bool = False) -> dict:
    """Residents referred by one stream into homelessness, where nothing happens to them."""
    data = minimal_scenario(horizon_days=WARMUP + YEARS * DAYS_PER_YEAR, warmup_days=WARMUP)
    stream: dict = {"annual_rate": RATE, "start_in": {"homeless": 1.0}}
    if trend is not None:
        stream["trend"] = trend
    if seasonal:
        stream["seasonality"] = {"amplitude": 0.4, "peak_day": 20}
    data["referrals"]["streams"] = {"nav": stream}
    return data


def referral_times(data: dict, seed: np.random.SeedSequence) -> np.ndarray:
    events = run_replication(build(data), seed).events
    return events.loc[events["kind"] == "referral", "time"].to_numpy()


@pytest.mark.parametrize("seasonal", [False, True])
def test_a_growth_of_zero_is_no_trend_bit_for_bit(seasonal: bool) -> None:
    seed = np.random.SeedSequence(7)
    plain = run_replication(build(stream_scenario(seasonal=seasonal)), seed)
    flat = run_replication(build(stream_scenario({"growth_per_year": 0.0}, seasonal)), seed)
    pd.testing.assert_frame_equal(plain.events, flat.events)
    pd.testing.assert_frame_equal(plain.residents, flat.residents)


def yearly_counts(times: np.ndarray) -> np.ndarray:
    edges = WARMUP + DAYS_PER_YEAR * np.arange(YEARS + 1)
    return np.histogram(times, edges)[0]


def check_counts(trend: dict, expected: np.ndarray, seasonal: bool = False) -> None:
    """Referrals in each observed year, summed over replications, within 4 Poisson sd."""
    runs = seeds(11, 4)
    counts = sum(yearly_counts(referral_times(stream_scenario(trend, seasonal), s)) for s in runs)
    mean = expected * len(runs)
    assert np.all(np.abs(counts - mean) <= 4 * np.sqrt(mean)), f"{counts} vs {mean.round()}"


def test_arrivals_per_year_follow_a_growth() -> None:
    growth = 0.3
    c = math.log1p(growth)
    # ∫ over year k of RATE·(1 + g)^t dt = RATE·(1 + g)^k·g/ln(1 + g)
    expected = np.array([RATE * (1 + growth) ** k * growth / c for k in range(YEARS)])
    check_counts({"growth_per_year": growth}, expected)


def test_arrivals_per_year_follow_a_falling_growth_with_a_season() -> None:
    # whole years average the swing out
    growth = -0.25
    c = math.log1p(growth)
    expected = np.array([RATE * (1 + growth) ** k * growth / c for k in range(YEARS)])
    check_counts({"growth_per_year": growth}, expected, seasonal=True)


def test_arrivals_per_year_follow_rates_by_year() -> None:
    trend = {"rate_by_year": {0: 200.0, 2: 600.0, 4: 0.0}}
    check_counts(trend, np.array([200.0, 200.0, 600.0, 600.0, 0.0]))


def test_the_warm_up_keeps_the_streams_own_rate() -> None:
    runs = seeds(12, 4)
    trend = {"rate_by_year": {0: 0.0}}  # nobody after the warm-up
    times = np.concatenate([referral_times(stream_scenario(trend), s) for s in runs])
    assert times.max() < WARMUP
    expected = RATE / DAYS_PER_YEAR * WARMUP * len(runs)
    assert abs(len(times) - expected) < 4 * math.sqrt(expected)


def test_a_trend_moves_the_same_arrivals_in_time() -> None:
    # Same seed: the i-th resident of a growing stream is the i-th of the flat one (the same
    # attributes), referred at the same time in the warm-up (to rounding: one sums waiting
    # times, the other referrals expected) and no later after it.
    seed = np.random.SeedSequence(5)
    flat = run_replication(build(stream_scenario()), seed)
    grown = run_replication(build(stream_scenario({"growth_per_year": 0.2})), seed)
    a, b = flat.residents, grown.residents
    n = min(len(a), len(b))
    attributes = ["sex", "age_group", "problem", "violence_risk", "need"]
    pd.testing.assert_frame_equal(a[attributes].iloc[:n], b[attributes].iloc[:n])
    ta, tb = a["referred_at"].to_numpy()[:n], b["referred_at"].to_numpy()[:n]
    warm = ta < WARMUP
    np.testing.assert_allclose(tb[warm], ta[warm], rtol=1e-12)
    assert np.all(tb[~warm] <= ta[~warm] + 1e-9)
    assert len(b) > len(a)
