"""Output analysis: CI coverage, the replications algorithm, MSER-5 and the warm-up check."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scenario_builders import build, minimal_scenario
from scipy import stats

from forlopsim.engine import run_replication
from forlopsim.engine.streams import replication_seeds
from forlopsim.experiment import (
    WarmupWarning,
    mser,
    mser_truncation,
    replications_needed,
    summarise,
    warmup_check,
    warn_if_warmup_short,
)
from forlopsim.metrics import outcomes
from forlopsim.stats import t_half_width, t_interval, t_quantile

# -- confidence intervals --------------------------------------------------------------------


def test_t_interval_coverage_on_a_known_mean():
    """A Poisson referral stream of 200 a year: ``per_year.referrals`` has mean 200 exactly.

    200 independent experiments (root seeds 0…199) of 5 replications each; the 95% Student-t
    interval should contain 200 in about 190 of them. X ~ Binomial(200, 0.95) under a correct
    interval, and P(X ≤ 179) + P(X ≥ 198) = 0.0035: the false-alarm probability of the range
    180–197. (The count is Poisson(200), close enough to normal for the t interval to be exact
    to well within that range.)
    """
    rate, replications, experiments = 200.0, 5, 200
    data = minimal_scenario(horizon_days=365.25)
    data["referrals"]["streams"]["nav"] = {"annual_rate": rate, "start_in": {"homeless": 1.0}}
    scenario = build(data)
    covered = 0
    for root in range(experiments):
        values = [
            outcomes(run_replication(scenario, seed, i))["per_year.referrals"]
            for i, seed in enumerate(replication_seeds(root, replications))
        ]
        mean, half = t_interval(np.array(values))
        covered += abs(mean - rate) <= half
    print(f"CI coverage: {covered} of {experiments}")
    assert 180 <= covered <= 197, covered
    false_alarm = stats.binom.cdf(179, 200, 0.95) + stats.binom.sf(197, 200, 0.95)
    assert false_alarm < 0.005


def test_summarise_columns_and_values():
    table = pd.DataFrame({"a": [1.0, 2.0, 3.0, np.nan], "b": [np.nan] * 4})
    summary = summarise(table).set_index("kpi")
    assert list(summary.reset_index().columns) == [
        "kpi",
        "mean",
        "sd",
        "n",
        "ci_low",
        "ci_high",
        "half_width",
    ]
    half = stats.t.ppf(0.975, 2) * 1.0 / np.sqrt(3)
    assert summary.loc["a", "mean"] == 2.0 and summary.loc["a", "n"] == 3
    assert summary.loc["a", "half_width"] == pytest.approx(half)
    assert summary.loc["b", "n"] == 0 and np.isnan(summary.loc["b", "mean"])


def test_t_quantile_is_scipy_stats_t_ppf():
    # the summary uses scipy.special directly (no scipy.stats import); it must be the same value
    for df in [*range(1, 120), 250, 1000, 10_000]:
        for p in (0.5, 0.8, 0.9, 0.95, 0.975, 0.995):
            assert t_quantile(p, df) == stats.t.ppf(p, df)


def test_t_half_width_of_many_groups_is_the_t_interval_of_each():
    # the report's chart bands (many groups at once) and the KPI tables share one interval
    rng = np.random.default_rng(3)
    samples = [rng.normal(size=n) * 7 for n in (2, 3, 5, 10, 40)]
    half = t_half_width([s.std(ddof=1) for s in samples], [len(s) for s in samples])
    assert list(half) == [t_interval(s)[1] for s in samples]
    with np.errstate(invalid="ignore"):
        assert np.isnan(t_half_width(1.0, 1))


# -- replications needed ---------------------------------------------------------------------


def test_replications_needed_hand_computed():
    # pilot 92, 108, 100, 96, 104: mean 100, squared deviations 64+64+0+16+16 = 160,
    # s² = 160/4 = 40, s = 6.3246. Wanted half-width 3:
    #   n = 18: t(0.975, 17) = 2.1098 → 2.1098 · 6.3246 / √18 = 3.145 > 3
    #   n = 19: t(0.975, 18) = 2.1009 → 2.1009 · 6.3246 / √19 = 3.048 > 3
    #   n = 20: t(0.975, 19) = 2.0930 → 2.0930 · 6.3246 / √20 = 2.960 ≤ 3
    pilot = [92.0, 108.0, 100.0, 96.0, 104.0]
    assert replications_needed(pilot, 3.0) == 20
    # a looser target: n = 5 gives 2.776 · 6.3246 / √5 = 7.85, n = 4 gives 3.182 · 6.3246 / 2
    # = 10.06 → 5 replications for a half-width of 8
    assert replications_needed(pilot, 8.0) == 5
    # 90% confidence needs fewer; NaN pilot values are left out
    assert replications_needed([*pilot, np.nan], 3.0, confidence=0.90) < 20
    assert replications_needed([*pilot, np.nan], 3.0) == 20


def test_replications_needed_edge_cases():
    assert replications_needed([5.0, 5.0, 5.0], 0.1) == 2  # no spread: the minimum
    with pytest.raises(ValueError, match="two pilot values"):
        replications_needed([1.0, np.nan], 1.0)
    with pytest.raises(ValueError, match="positive"):
        replications_needed([1.0, 2.0], 0.0)


# -- MSER-5 and the warm-up check ------------------------------------------------------------


def test_mser5_finds_an_obvious_initial_transient():
    # 40 observations at 20, then 160 alternating 9, 11 around 10: batches of 5 give 8 batches
    # at 20, then batch means 10 ± 0.2. Deleting the 8 high batches minimises the MSER
    # statistic (any fewer leave a batch at 20 in, any more only shrink the sample).
    series = np.array([20.0] * 40 + [10.0 + (-1) ** i for i in range(160)])
    assert mser(series) == 40
    # the same as a time series in weekly bins: the kept part starts on day 40 × 7
    assert mser_truncation(pd.Series(series, index=7.0 * np.arange(200))) == 280.0
    # an exponentially decaying transient in noise is cut where it has died out
    rng = np.random.default_rng(3)
    t = np.arange(500.0)
    decaying = 10 + 20 * np.exp(-t / 20) + rng.standard_normal(500)
    assert 40 <= mser(decaying) <= 150  # e^(-40/20)·20 = 2.7 sd still; e^(-150/20)·20 = 0.01


def test_mser5_without_transient_deletes_little():
    assert mser(np.full(100, 0.1)) == 0  # constant: nothing to delete (round-off ignored)
    assert mser(np.full(100, 120.0)) == 0
    # iid noise: in 2000 simulated series of 500, MSER-5 deleted nothing in 70% and at most
    # 25 observations in 95%
    rng = np.random.default_rng(11)
    assert mser(10 + rng.standard_normal(500)) <= 25
    with pytest.raises(ValueError, match="at least 10"):
        mser(np.ones(9))


def occupancy_frame(series: dict[str, np.ndarray], step: float = 7.0) -> pd.DataFrame:
    """A table shaped like ``occupancy_series``, two replications with the same values."""
    frames = []
    for replication in (0, 1):
        for place, values in series.items():
            frames.append(
                pd.DataFrame(
                    {
                        "replication": replication,
                        "start": step * np.arange(len(values)),
                        "place": place,
                        "kind": "tier",
                        "occupancy": values,
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def test_warmup_check_flags_a_transient_after_the_warmup():
    rng = np.random.default_rng(5)
    n = 300
    filling = np.minimum(np.arange(n) / 100, 1.0) * 50 + rng.normal(0, 1, n)  # full by bin 100
    steady = 50 + rng.normal(0, 1, n)
    saturated = np.full(n, 20.0)
    saturated[[3, 40, 90]] = 19.0  # full but for three early dips
    occupancy = occupancy_frame({"filling": filling, "steady": steady, "saturated": saturated})
    check = warmup_check(occupancy, warmup_days=140.0).set_index("place")
    assert list(check.reset_index().columns) == [
        "place",
        "kind",
        "truncation_days",
        "warmup_days",
        "after_warmup",
        "observed_mean",
        "settled_mean",
        "bias",
        "flagged",
    ]
    assert check.loc["filling", "truncation_days"] >= 7 * 90
    assert check.loc["filling", "flagged"] and check.loc["filling", "bias"] < -0.05
    # noise alone may push the MSER cut past a short warm-up, but it moves the mean by little
    assert abs(check.loc["steady", "bias"]) < 0.01 and not check.loc["steady", "flagged"]
    # MSER cuts after the last dip, but a mean moved by 0.01% is not worth a warning
    assert check.loc["saturated", "after_warmup"] and not check.loc["saturated", "flagged"]
    with pytest.warns(WarmupWarning, match="'filling'") as caught:
        messages = warn_if_warmup_short(check.reset_index(), "test")
    assert len(caught) == len(messages) == 1
    assert "warm-up of 140 days" in messages[0] and messages[0].startswith("test: ")
    # a long enough warm-up: nothing to say
    later = warmup_check(occupancy, warmup_days=7 * 150)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert warn_if_warmup_short(later) == []
