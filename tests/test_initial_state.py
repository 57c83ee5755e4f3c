"""The initial state as it is today: stays in progress and waiting lists at time 0.

A stay in progress takes the equilibrium residual life of its distribution (density
(1 − F(x))/m), checked against the cases whose answer is known: an exponential's residual is
the same exponential, a fixed stay L leaves a uniform time on [0, L], and every residual's mean
is E[X²]/(2E[X]). Residents on a list at time 0 keep their place by the days they have waited.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import TypeAdapter
from scenario_builders import build, by_need, minimal_scenario
from scipy import special, stats

from forlopsim.engine import run_replication
from forlopsim.scenario.distributions import Distribution

DRAWS = 20_000

SECOND_MOMENTS = [
    # (distribution, E[X], E[X²])
    ({"kind": "exponential", "mean": 10.0}, 10.0, 200.0),
    ({"kind": "gamma", "mean": 10.0, "sd": 4.0}, 10.0, 116.0),
    ({"kind": "gamma", "mean": 30.0, "sd": 60.0}, 30.0, 4500.0),
    ({"kind": "lognormal", "mean": 10.0, "sd": 5.0}, 10.0, 125.0),
    ({"kind": "weibull", "shape": 2.0, "scale": 10.0}, 10 * math.gamma(1.5), 100 * math.gamma(2)),
    (
        {"kind": "triangular", "low": 1.0, "mode": 3.0, "high": 10.0},
        14 / 3,
        (1 + 9 + 100 + 3 + 10 + 30) / 6,
    ),
    ({"kind": "uniform", "low": 2.0, "high": 10.0}, 6.0, (4 + 20 + 100) / 3),
    ({"kind": "fixed", "value": 10.0}, 10.0, 100.0),
    ({"kind": "empirical", "values": [1.0, 5.0, 10.0], "weights": [1, 2, 1]}, 5.25, 37.75),
]


def residuals(spec: dict, seed: int = 0) -> np.ndarray:
    residual = TypeAdapter(Distribution).validate_python(spec).residual()
    u = np.random.default_rng(seed).random((DRAWS, 2))
    return np.array([residual(a, b) for a, b in u])


@pytest.mark.parametrize(("spec", "mean", "square"), SECOND_MOMENTS, ids=lambda x: str(x)[:30])
def test_the_residual_mean_is_the_second_moment_over_twice_the_mean(
    spec: dict, mean: float, square: float
) -> None:
    left = residuals(spec)
    expected = square / (2 * mean)
    assert left.min() >= 0
    assert left.mean() == pytest.approx(expected, abs=4 * left.std() / math.sqrt(DRAWS))


def test_an_exponential_stay_has_as_long_to_go() -> None:
    left = residuals({"kind": "exponential", "mean": 10.0})
    assert stats.kstest(left, stats.expon(scale=10.0).cdf).pvalue > 0.001


def test_a_fixed_stay_leaves_a_uniform_time() -> None:
    left = residuals({"kind": "fixed", "value": 10.0})
    assert stats.kstest(left, stats.uniform(0, 10.0).cdf).pvalue > 0.001


def test_a_gamma_residual_has_the_equilibrium_distribution() -> None:
    # the residual of a gamma(k, θ) stay has cdf ∫₀ˣ (1 − F_k)/m, which integration by parts
    # turns into x·(1 − F_k(x))/m + F_{k+1}(x) (F_j: the gamma cdf of shape j, scale θ)
    k, theta = 2.5, 4.0
    left = residuals({"kind": "gamma", "mean": k * theta, "sd": math.sqrt(k) * theta})

    def cdf(x: np.ndarray) -> np.ndarray:
        survival = 1 - special.gammainc(k, x / theta)
        return x * survival / (k * theta) + special.gammainc(k + 1, x / theta)

    assert stats.kstest(left, cdf).pvalue > 0.001


def shelter_scenario(in_progress: bool | None) -> dict:
    """Residents at time 0 in a shelter with a fixed time limit of 100 days (and nothing else)."""
    data = minimal_scenario(horizon_days=300.0)
    data["housing"]["tiers"]["shelter"] = {
        "capacity": 500,
        "support": 1,
        "temporary": True,
        "max_stay": {"kind": "fixed", "value": 100.0},
    }
    data["referrals"]["initial_population"] = {"size": 400, "start_in": {"shelter": 1.0}}
    if in_progress is not None:
        data["referrals"]["initial_population"]["stays_in_progress"] = in_progress
    return data


def limit_ends(data: dict) -> np.ndarray:
    events = run_replication(build(data), np.random.SeedSequence(4)).events
    ends = events[(events["kind"] == "tenancy_end") & (events["cause"] == "max_stay")]
    return ends.groupby("resident")["time"].min().to_numpy()  # the stay of time 0


def test_time_limits_in_progress_end_uniformly_within_the_limit() -> None:
    fresh = limit_ends(shelter_scenario(None))
    assert len(fresh) == 400 and np.all(fresh == 100.0)
    assert np.array_equal(limit_ends(shelter_scenario(False)), fresh)
    in_progress = limit_ends(shelter_scenario(True))
    assert len(in_progress) == 400
    assert stats.kstest(in_progress, stats.uniform(0, 100.0).cdf).pvalue > 0.001


def test_institution_stays_in_progress_take_the_rest_of_a_stay() -> None:
    data = minimal_scenario(horizon_days=200.0)
    data["institutions"]["hospital"] = {
        "beds": 300,
        "length_of_stay": {"kind": "fixed", "value": 60.0},
    }
    data["referrals"]["initial_population"] = {
        "size": 300,
        "start_in": {"hospital": 1.0},
        "stays_in_progress": True,
    }
    events = run_replication(build(data), np.random.SeedSequence(2)).events
    admitted = events[events["kind"] == "admission"]
    assert len(admitted) == 300 and set(admitted["cause"]) == {"initial"}
    ends = events.loc[events["kind"] == "discharge", "time"].to_numpy()
    assert len(ends) == 300
    assert stats.kstest(ends, stats.uniform(0, 60.0).cdf).pvalue > 0.001


def waiting_scenario(office: bool) -> dict:
    """A full flat of 3, and two groups on its list at time 0: 8 who waited 10 days (written
    first, so referred first) and 8 who waited 300. The flat frees a place every ~10 days."""
    data = minimal_scenario(horizon_days=400.0)
    data["housing"]["tiers"]["flat"] = {"capacity": 3, "support": 1}
    data["housing"]["tiers"]["own_home"]["support"] = 1
    data["hazards"]["own_housing"] = {
        "per_year": by_need(12.0),
        "places": ["flat"],
        "to": "own_home",
    }
    if office:
        data["housing"]["allocation"]["office"] = {"priority": ["homeless"]}
    data["referrals"]["initial_population"] = {
        "size": 3,
        "start_in": {"flat": 1.0},
        "waiting": [
            {"tier": "flat", "count": 8, "waited_days": {"kind": "fixed", "value": 10.0}},
            {"tier": "flat", "count": 8, "waited_days": {"kind": "fixed", "value": 300.0}},
        ],
    }
    return data


@pytest.mark.parametrize("office", [False, True])
def test_those_who_waited_longest_are_placed_first(office: bool) -> None:
    events = run_replication(build(waiting_scenario(office)), np.random.SeedSequence(0)).events
    placed = events[(events["kind"] == "tenancy_start") & (events["place"] == "flat")]
    placed = placed[placed["time"] > 0]
    order = placed["resident"].tolist()
    assert len(order) >= 12, "too few placements to tell"
    # residents 0–2 are in the flat, 3–10 waited 10 days, 11–18 waited 300
    assert order[:8] == sorted(order[:8]) and min(order[:8]) >= 11, order
    assert all(3 <= r <= 10 for r in order[8:]), order
    at_zero = events[(events["time"] == 0) & (events["place"] == "flat")]
    waits = at_zero.loc[at_zero["kind"] == "wait_start", "resident"]
    assert set(waits) == set(range(3, 19))
    if office:
        granted = events[(events["kind"] == "decision") & (events["time"] == 0)]
        assert set(granted["resident"]) == set(range(3, 19))
        assert set(granted["cause"]) == {"granted"}


def test_without_waited_days_the_list_is_in_referral_order() -> None:
    # the control: the same groups with no days waited keep the order they were referred in
    data = waiting_scenario(office=False)
    for group in data["referrals"]["initial_population"]["waiting"]:
        group["waited_days"] = {"kind": "fixed", "value": 0.0}
    events = run_replication(build(data), np.random.SeedSequence(0)).events
    placed = events[(events["kind"] == "tenancy_start") & (events["place"] == "flat")]
    order = placed.loc[placed["time"] > 0, "resident"].tolist()
    assert order == sorted(order) and order[0] == 3
