"""Ranking and selection (issue 15, points 3 and 6): Kim–Nelson and Bonferroni on synthetic systems.

Pure NumPy, no simulation. Each run draws k normal systems with common random numbers (a shared
normal term, correlation RHO) and unequal variances, from a seeded generator. Over R runs, the
count of correct selections (or of false "beats") is binomial; a test fails when the count is
beyond the 0.1% tail of the binomial at the promised rate, so a procedure that keeps its promise
exactly fails it once in a thousand seeds, and one that misses it clearly (e.g. 90% correct
selection) fails it nearly always (see ``test_picking_by_the_first_stage_alone_fails_the_bound``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from scipy import stats
from test_analytic import erlang_b

from forlopsim.cli import main
from forlopsim.plan.confirm import (
    _paired,
    bonferroni_pairs,
    kim_nelson,
    kn_eta,
)

ALPHA = 0.05
RUNS = 400
TAIL = 0.001
RHO = 0.5
SIGMAS = np.array([1.0, 2.0, 1.5, 3.0, 2.5])  # unequal variances; system 0 is the best
DELTA = 1.0
N0 = 10


def systems(rng: np.random.Generator, means: np.ndarray, replications: int) -> np.ndarray:
    """(k, replications) normal draws, replication j of every system sharing a normal term."""
    common = rng.standard_normal(replications)
    own = rng.standard_normal((len(means), replications))
    noise = np.sqrt(RHO) * common + np.sqrt(1 - RHO) * own
    return means[:, None] + SIGMAS[: len(means), None] * noise


def table_draw(data: np.ndarray) -> Any:
    """A draw over a precomputed table: replications ``reps`` of ``chosen`` systems."""

    def draw(chosen: Sequence[int], reps: range) -> np.ndarray:
        return data[np.ix_(list(chosen), list(reps))]

    return draw


def slippage(k: int) -> np.ndarray:
    """The best (system 0) exactly δ better than every other: KN's least favourable case."""
    return np.array([0.0] + [DELTA] * (k - 1))


def correct_selections(k: int, delta: float, seed: int, most: int = 400) -> int:
    """Runs (of RUNS) in which KN, told ``delta``, selects system 0 in the slippage case."""
    rng = np.random.default_rng(seed)
    correct = 0
    for _ in range(RUNS):
        data = systems(rng, slippage(k), most)
        found = kim_nelson(table_draw(data), k, N0, delta, ALPHA, most)
        correct += found.selected == 0 and not found.reached_max
    return correct


def fewest_allowed(rate: float) -> int:
    """Correct selections below which the count is in the TAIL of Binomial(RUNS, rate)."""
    return int(stats.binom.ppf(TAIL, RUNS, rate))


@pytest.mark.parametrize("k", [4, 5])
def test_kim_nelson_selects_the_best_with_the_promised_frequency(k: int) -> None:
    correct = correct_selections(k, DELTA, seed=k)
    assert correct >= fewest_allowed(1 - ALPHA), (correct, fewest_allowed(1 - ALPHA))


def test_picking_by_the_first_stage_alone_fails_the_bound() -> None:
    # told δ = 20 when the best is 1 better, KN stops almost at once: the first-stage
    # ranking alone, which is right far less often than 95% at these variances
    correct = correct_selections(5, 20.0, seed=11)
    assert correct < fewest_allowed(1 - ALPHA), correct


def test_the_selection_does_not_depend_on_the_batch() -> None:
    rng = np.random.default_rng(3)
    for _ in range(50):
        data = systems(rng, slippage(5), 200)
        one = kim_nelson(table_draw(data), 5, N0, DELTA, ALPHA, 200, batch=1)
        seven = kim_nelson(table_draw(data), 5, N0, DELTA, ALPHA, 200, batch=7)
        assert (one.selected, one.left_after, one.replications, one.means) == (
            seven.selected,
            seven.left_after,
            seven.replications,
            seven.means,
        )


def test_equal_systems_reach_the_most_replications_as_ties() -> None:
    rng = np.random.default_rng(5)
    data = systems(rng, np.zeros(4), 30)
    found = kim_nelson(table_draw(data), 4, N0, 0.01, ALPHA, 30)
    assert found.reached_max and len(found.survivors) > 1
    assert found.replications == [
        30 if i in found.survivors else found.left_after[i] for i in range(4)
    ]


def test_eta_and_elimination_by_hand() -> None:
    # k = 2, n0 = 3, α = 0.05: η = ½((2·0.05/1)^(−2/2) − 1) = ½(10 − 1) = 4.5, h² = 2·4.5·2 = 18
    assert kn_eta(2, 3, 0.05) == pytest.approx(4.5)
    assert kn_eta(3, 3, 0.05) == pytest.approx(0.5 * (1 / 0.05 - 1))  # (2·0.05/2)^−1 = 20
    data = np.array([[1.0, 2.0, 3.0, 2.0, 9.0], [3.0, 3.0, 6.0, 5.0, 9.0]])
    # differences 1 − 0: 2, 1, 3 → S² = 1; δ = 1: W(3) = (1/6)(18 − 3) = 2.5 > mean 2: both stay;
    # r = 4: difference 3, mean 2.25 > W(4) = (1/8)(18 − 4) = 1.75: system 1 out after 4
    found = kim_nelson(table_draw(data), 2, 3, 1.0, 0.05, 5)
    assert found.h2 == pytest.approx(18.0)
    assert found.variances[0, 1] == pytest.approx(1.0)
    assert found.selected == 0 and found.left_after == {1: 4}
    assert found.replications == [4, 4] and found.means == [2.0, 4.25]
    # with δ = 3: W(3) = (3/6)(18/9 − 3) < 0 → 0, and 4 > 2 + 0: out after the first stage
    assert kim_nelson(table_draw(data), 2, 3, 3.0, 0.05, 5).left_after == {1: 3}


def false_beats(k: int, n: int, pairs: int, seed: int) -> int:
    """Runs (of RUNS) with equal systems in which some 'best beats other' statement is made."""
    rng = np.random.default_rng(seed)
    wrong = 0
    for _ in range(RUNS):
        data = systems(rng, np.zeros(k), n)
        best = int(data.mean(axis=1).argmin())
        verdicts = [_paired({}, {}, data[i] - data[best], pairs) for i in range(k) if i != best]
        wrong += any(c.told_apart for c in verdicts)
    return wrong


@pytest.mark.parametrize("k", [4, 5])
def test_bonferroni_makes_no_false_beats_above_five_percent(k: int) -> None:
    wrong = false_beats(k, 10, bonferroni_pairs(k), seed=20 + k)
    most = int(stats.binom.isf(TAIL, RUNS, ALPHA))
    assert wrong <= most, (wrong, most)


PLANS = Path(__file__).resolve().parents[1] / "plans"


def test_kim_nelson_confirms_the_erlang_b_answer_of_how_many_beds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = yaml.safe_load((PLANS / "how_many_beds.yaml").read_text())
    spec["scenario"] = str(PLANS / spec["scenario"])
    spec["replications"], spec["horizon_days"] = 3, 300.0  # seconds, not tens
    # a bed costs 100 NOK a day: plans one bed apart differ by 36,525 NOK a year, far over δ
    spec["confirm"] = {"best": 3, "method": "kim_nelson", "indifference": 1000, "replications": 3}
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))
    assert main(["plan", str(tmp_path / "spec.yaml"), "--out", str(tmp_path / "out")]) == 0
    summary = json.loads((tmp_path / "out" / "plan.json").read_text())
    answer = summary["recommended"]["beds"]
    # tiny_crisis_beds.yaml: crises at 1 a day, stays of 2 days, an offered load of 2 beds
    target = spec["constraints"][0]["max"]
    assert answer == min(c for c in range(2, 9) if erlang_b(c, 2.0) <= target)
    out = capsys.readouterr().out
    assert "Kim–Nelson: 3 of 3 plans contend after a first stage of 3" in out, out
    # cost is fixed by the beds (zero variance of the differences): out after the first stage
    assert "beds=6 eliminated after 3 replications" in out, out
    assert all(c["verdict"] == "eliminated" for c in summary["comparisons"])


@pytest.mark.parametrize(
    ("confirm", "where"),
    [
        ({"method": "kim_nelson"}, "indifference: kim_nelson needs"),
        ({"method": "kim_nelson", "indifference": 1, "max_replications": 3}, "max_replications"),
        ({"method": "kim_nelsen"}, "method"),
    ],
)
def test_a_bad_confirmation_exits_2_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], confirm: dict[str, Any], where: str
) -> None:
    spec = yaml.safe_load((PLANS / "how_many_beds.yaml").read_text())
    spec["scenario"] = str(PLANS / spec["scenario"])
    spec["confirm"] = confirm
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))
    assert main(["plan", str(path), "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert str(path) in error and "confirm" in error and where in error, error


def test_kim_nelson_sets_aside_a_finalist_over_a_constraint() -> None:
    from forlopsim.plan.confirm import confirm
    from forlopsim.plan.search import base_of
    from forlopsim.plan.spec import load_plan
    from forlopsim.scenario import load_scenario

    spec = load_plan(PLANS / "how_many_beds.yaml")
    change = {"method": "kim_nelson", "indifference": 1000.0, "replications": 3}
    spec = spec.model_copy(
        update={"horizon_days": 300.0, "confirm": spec.confirm.model_copy(update=change)}
    )
    base = base_of(spec, load_scenario(PLANS / spec.scenario))
    # told (wrongly) that 4 beds meet the target: Erlang B turns away 9.5% > 6% with 4
    assert erlang_b(4, 2.0) > spec.constraints[0].max >= erlang_b(5, 2.0)
    entries = [{"values": {"beds": b}, "feasible": True, "objective": float(b)} for b in (4, 5, 6)]
    confirmed = confirm(spec, base, 1, entries)
    assert confirmed.best["values"] == {"beds": 5} and confirmed.best["feasible"]
    verdicts = {c.other["beds"]: c.verdict for c in confirmed.comparisons}
    assert verdicts == {4: "infeasible", 6: "eliminated"}
    assert "beds=4 not a contender: over a constraint" in "\n".join(confirmed.account)
