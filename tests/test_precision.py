"""Enough replications: the precision rule against hand-computed and known-variance cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scenario_builders import busy_scenario
from scipy import stats

from forlopsim.comparison import compare_scenarios
from forlopsim.precision import (
    LOOK_AHEAD,
    Rule,
    few_replications_warning,
    precision_note,
    relative_half_widths,
)


def test_relative_half_width_by_hand() -> None:
    base = pd.DataFrame({"k": [10.0, 12.0, 11.0, 9.0]})
    whatif = pd.DataFrame({"k": [9.0, 10.0, 10.5, 8.0]})
    d = whatif["k"] - base["k"]  # -1, -2, -0.5, -1
    expected = stats.t.ppf(0.975, 3) * d.std(ddof=1) / 2 / 10.5
    widths = relative_half_widths({"b": base, "w": whatif}, "b", ("k", "missing"))
    assert widths.keys() == {"w: k"}
    assert math.isclose(widths["w: k"], expected, rel_tol=1e-12)


def test_fixed_and_undefined_differences() -> None:
    base = pd.DataFrame({"zero": [0.0] * 4, "z2": [0.0] * 4, "few": [1.0, np.nan, np.nan, 2.0]})
    whatif = pd.DataFrame({"zero": [0.0] * 4, "z2": [0.0, 1.0, 0.0, 1.0], "few": [1.0] * 4})
    widths = relative_half_widths({"b": base, "w": whatif}, "b", ("zero", "z2", "few"))
    assert widths == {"w: z2": math.inf}  # 0 = 0 always: precise; a base of 0: never


def test_the_rule_waits_for_the_look_ahead_and_resets() -> None:
    rule = Rule(0.05, 100)
    assert rule.next_batch(5, {"a": 0.2}, 2) == 2
    assert rule.next_batch(7, {"a": 0.04}, 2) == 2  # met at 7: must hold to 12
    assert rule.next_batch(9, {"a": 0.06}, 2) == 2  # lost: starts again
    assert rule.next_batch(11, {"a": 0.05}, 2) == 2  # met at 11: holds to 16
    assert rule.next_batch(13, {"a": 0.03}, 2) == 2
    assert rule.next_batch(15, {"a": 0.03}, 2) == 1  # one short of 11 + 5
    assert rule.next_batch(16, {"a": 0.03}, 2) == 0
    outcome = rule.outcome(16)
    assert (outcome.reason, outcome.replications, outcome.widest) == ("precision", 16, "a")
    assert f"held for {LOOK_AHEAD} more" in precision_note(outcome)


def test_the_rule_stops_at_the_maximum() -> None:
    rule = Rule(0.01, 10)
    assert rule.next_batch(8, {"a": 0.2, "b": 0.5}, 4) == 2
    assert rule.next_batch(10, {"a": 0.2, "b": 0.5}, 4) == 0
    outcome = rule.outcome(10)
    assert (outcome.reason, outcome.widest, outcome.achieved) == ("maximum", "b", 0.5)
    assert "maximum of 10" in precision_note(outcome)


def test_the_rule_stops_near_the_replications_a_known_variance_needs() -> None:
    """Differences of sd 1 against a base of mean 10, ±5% wanted: a half-width of 0.5 needs
    n with t(n-1) / sqrt(n) <= 0.5, about 18; the rule stops there plus its look-ahead."""
    needed = next(n for n in range(3, 200) if stats.t.ppf(0.975, n - 1) / math.sqrt(n) <= 0.5)
    stops = []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        base, whatif = [], []
        rule = Rule(0.05, 200)
        done, batch = 0, 3
        while batch:
            b = rng.normal(10.0, 2.0, batch)
            base += list(b)
            whatif += list(b + rng.normal(0.0, 1.0, batch))
            done += batch
            tables = {"b": pd.DataFrame({"k": base}), "w": pd.DataFrame({"k": whatif})}
            batch = rule.next_batch(done, relative_half_widths(tables, "b", ("k",)), 2)
        stops.append(done)
    assert needed - 8 <= np.median(stops) - LOOK_AHEAD <= needed + 8


def test_a_comparison_runs_until_precise_and_keeps_its_first_replications() -> None:
    base = busy_scenario(horizon_days=200.0, warmup_days=20.0)
    more = base.with_changes({"housing.tiers.flat.capacity": 24})
    fixed = compare_scenarios(base, [more], replications=3, seed=8)
    precise = compare_scenarios(
        base, [more], replications=3, seed=8, precision=0.5, max_replications=12
    )
    assert precise.precision is not None
    assert 3 + LOOK_AHEAD <= precise.replications <= 12
    assert precise.replications == len(precise.tables[precise.base])
    assert list(precise.tables[precise.base].index) == list(range(precise.replications))
    first = precise.tables[precise.base].iloc[:3]
    pd.testing.assert_frame_equal(first, fixed.tables[fixed.base])


def test_few_replications_are_warned_of() -> None:
    assert few_replications_warning(10) is None
    warning = few_replications_warning(3)
    assert warning is not None and "only 3 replications" in warning and "--precision" in warning
