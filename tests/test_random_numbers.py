"""Per-resident random numbers: what a what-if changes, and what it leaves alone.

Each resident's numbers come from their own Philox counters (``forlopsim/engine/streams.py``),
so the same seed gives the same arrivals in every scenario, and the pairing of a base and a
what-if (common random numbers) is much tighter than independent runs would be.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import TypeAdapter
from scenario_builders import busy_scenario
from scipy import stats

from forlopsim.engine import run_replication
from forlopsim.engine.streams import EXTRA, KIND, KINDS, ROW, Streams, stream_id
from forlopsim.metrics import kpis
from forlopsim.scenario import Scenario
from forlopsim.scenario.distributions import Distribution


def whatif(base: Scenario, flat: int) -> Scenario:
    return base.with_changes({"housing.tiers.flat.capacity": flat})


def test_a_whatif_leaves_arrivals_and_attributes_alone() -> None:
    """The residents referred, when, by which stream and with which attributes, are the same
    in a what-if that changes capacities, as long as the referral streams are the same."""
    base = busy_scenario(horizon_days=400.0, warmup_days=0.0)
    changed = whatif(base, 40).with_changes({"crisis_beds.bed.beds": 6})
    seed = np.random.SeedSequence(11)
    a, b = run_replication(base, seed), run_replication(changed, seed)
    assert len(a.residents) > 1000
    assert a.residents.equals(b.residents)
    assert not a.events.equals(b.events)  # the what-if does change lives


def test_common_random_numbers_pair_a_base_and_a_whatif_tightly() -> None:
    """Measured, not assumed: with the same seeds, the difference a what-if makes varies much
    less between replications than the difference of independent runs does."""
    base = busy_scenario(horizon_days=500.0, warmup_days=100.0)
    more = whatif(base, 26)
    kpi = "homeless_days_per_resident_year"

    def values(scenario: Scenario, seeds: list[np.random.SeedSequence]) -> np.ndarray:
        return np.array([kpis(run_replication(scenario, s))[kpi] for s in seeds])

    seeds = np.random.SeedSequence(5).spawn(8)
    others = np.random.SeedSequence(6).spawn(8)
    b, w, w_independent = values(base, seeds), values(more, seeds), values(more, others)
    paired = np.var(w - b, ddof=1)
    independent = np.var(w_independent - b, ddof=1)
    assert np.mean(w - b) < 0  # more flats, fewer homeless days
    assert np.corrcoef(b, w)[0, 1] > 0.9
    assert paired < independent / 4


def test_a_residents_numbers_beyond_their_row_do_not_depend_on_order() -> None:
    """Counter-based: block k of a resident's kind is the same whenever it is asked for."""
    first, second = Streams(np.random.SeedSequence(3)), Streams(np.random.SeedSequence(3))
    stream = stream_id("nav")
    ask = [(7, KIND["crisis"], 0), (7, KIND["crisis"], 1), (8, KIND["stay"], 0)]
    forward = [first.beyond_row(stream, *a) for a in ask]
    backward = [second.beyond_row(stream, *a) for a in reversed(ask)][::-1]
    assert forward == backward
    assert len({tuple(x) for x in forward}) == 3 and all(len(x) == EXTRA for x in forward)
    other = Streams(np.random.SeedSequence(4)).beyond_row(stream, *ask[0])
    assert other != forward[0]


def test_rows_are_the_same_whatever_else_is_drawn() -> None:
    """A stream's i-th row does not depend on other streams' rows or on numbers beyond rows."""
    quiet, busy = Streams(np.random.SeedSequence(9)), Streams(np.random.SeedSequence(9))
    nav, other = stream_id("nav"), stream_id("prison_release")
    rows = [quiet.row(nav) for _ in range(300)]
    mixed = []
    for i in range(300):
        busy.row(other)
        busy.beyond_row(nav, i, KIND["crisis"], 0)
        mixed.append(busy.row(nav))
    assert rows == mixed
    assert all(len(row) == ROW for row in rows)


def test_risk_numbers_are_standard_exponential_and_choices_uniform() -> None:
    streams = Streams(np.random.SeedSequence(1))
    block = np.array([streams.row(stream_id("s")) for _ in range(2000)])
    offsets = np.cumsum([0] + [size for _, size, _ in KINDS])
    for k, (name, size, exponential) in enumerate(KINDS):
        if size == 0:  # a kind added later: its numbers are all past the row
            continue
        values = block[:, offsets[k] : offsets[k + 1]].ravel()
        reference = stats.expon.cdf if exponential else stats.uniform.cdf
        assert stats.kstest(values, reference).pvalue > 1e-4, name


CASES = [
    ({"kind": "exponential", "mean": 5.0}, stats.expon(scale=5.0)),
    ({"kind": "gamma", "mean": 8.0, "sd": 6.0}, stats.gamma((8 / 6) ** 2, scale=36 / 8)),
    (
        {"kind": "lognormal", "mean": 8.0, "sd": 6.0},
        stats.lognorm(
            math.sqrt(math.log1p((6 / 8) ** 2)),
            scale=math.exp(math.log(8.0) - math.log1p((6 / 8) ** 2) / 2),
        ),
    ),
    ({"kind": "weibull", "shape": 1.7, "scale": 9.0}, stats.weibull_min(1.7, scale=9.0)),
    (
        {"kind": "triangular", "low": 1.0, "mode": 3.0, "high": 10.0},
        stats.triang(2 / 9, loc=1.0, scale=9.0),
    ),
    ({"kind": "uniform", "low": 2.0, "high": 7.0}, stats.uniform(2.0, 5.0)),
]


@pytest.mark.parametrize(("spec", "reference"), CASES, ids=[c[0]["kind"] for c in CASES])
def test_durations_by_inversion_match_scipy(spec: dict, reference) -> None:
    """Each distribution's quantile function is scipy's ``ppf`` (durations are drawn by
    inversion, one uniform number each)."""
    quantile = TypeAdapter(Distribution).validate_python(spec).quantile()
    u = np.linspace(0.0005, 0.9995, 400)
    assert np.allclose([quantile(x) for x in u], reference.ppf(u), rtol=1e-9, atol=1e-12)


def test_empirical_and_fixed_by_inversion() -> None:
    adapter = TypeAdapter(Distribution)
    empirical = adapter.validate_python(
        {"kind": "empirical", "values": [1.0, 5.0, 9.0], "weights": [1.0, 2.0, 1.0]}
    ).quantile()
    assert [empirical(u) for u in (0.0, 0.24, 0.25, 0.74, 0.75, 0.9999)] == [1, 1, 5, 5, 9, 9]
    assert adapter.validate_python({"kind": "fixed", "value": 3.5}).quantile()(0.7) == 3.5


def test_kinds_added_later_draw_their_own_uniform_numbers() -> None:
    """A kind with no room in the row (``application``, ``assessment``) takes uniform numbers
    of its own counters: no other kind's block, of any resident, holds the same numbers."""
    streams = Streams(np.random.SeedSequence(7))
    stream = stream_id("s")
    later = [k for k, (_, size, _) in enumerate(KINDS) if size == 0]
    assert later, "the layout has kinds added later"
    seen: dict[float, tuple[int, int, int]] = {}
    for index in range(60):
        for kind in range(len(KINDS)):
            for block in (0, 1):
                for u in streams.beyond_row(stream, index, kind, block):
                    assert u not in seen, f"kind {kind} of {index} repeats {seen[u]}"
                    seen[u] = (index, kind, block)
    for kind in later:
        values = [u for i in range(300) for u in streams.beyond_row(stream, i, kind, 0)]
        assert stats.kstest(values, stats.uniform.cdf).pvalue > 1e-4, KINDS[kind][0]
