"""The confirmation: the best few plans rerun under common random numbers and compared in pairs.

Two methods (``confirm.method``), both on common random numbers (replication *j* of every
plan runs the same seed):

* ``bonferroni`` (the default): each confirmed plan runs ``confirm.replications`` seeds. The
  plan with the lowest objective mean among those that meet every constraint is compared with
  each other one by the paired differences of their objective: a Student-t interval at
  confidence 1 − 0.05/m. The best is picked from the same data, so its k − 1 comparisons are a
  data-chosen subset of all k(k − 1)/2 pairs: m counts all pairs, so that whatever the subset,
  the statements hold together with 95% confidence. Above 0: "plan A beats plan B (95%)".
* ``kim_nelson``: Kim & Nelson's (2001) fully sequential procedure KN, minimising. A first
  stage of n0 = ``confirm.replications``, the variances of the paired differences, then one
  more replication of each survivor at a time and elimination after each, until one is left:
  it is the best with probability at least 1 − α when it is at least δ
  (``confirm.indifference``) better than the rest. At ``confirm.max_replications`` the
  survivors cannot be told apart at δ. :func:`kim_nelson` is the procedure itself, over a
  function that draws replications, so that it is tested without the simulator.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from forlopsim.backends import Backend, LocalBackend
from forlopsim.calibration.fit import Evaluator
from forlopsim.engine.streams import replication_seeds
from forlopsim.experiment import run_one
from forlopsim.plan.search import Entry, candidate, summary, with_budget
from forlopsim.plan.spec import PlanSpec
from forlopsim.scenario import Scenario

FAMILY_CONFIDENCE = 0.95
"""Confidence that all the pairwise statements hold together (Bonferroni), and Kim–Nelson's
probability of correct selection 1 − α."""


@dataclass
class Comparison:
    """The best plan against another: the paired difference (other − best) and the verdict."""

    other: dict[str, int]
    difference: float
    low: float
    """Bonferroni: the interval's ends. Kim–Nelson: difference ∓ W, W the half-width of the
    continuation region when the other plan left (above 0: screened out by the best)."""
    high: float
    method: str = "bonferroni"
    verdict: str = ""
    """Kim–Nelson: ``eliminated``, ``tied`` (both survived the most replications) or
    ``infeasible`` (over a constraint after the first stage, not a contender)."""
    replications: int = 0
    """Kim–Nelson: replications the other plan had when it left (common with the best)."""
    indifference: float | None = None

    @property
    def told_apart(self) -> bool:
        """Whether the best is better with the promised confidence."""
        if self.method == "kim_nelson":
            return self.verdict == "eliminated"
        return self.low > 0

    def sentence(self, best: dict[str, int]) -> str:
        """``plan A beats plan B (95%)`` or ``… cannot be told apart``."""
        a, b = plan_name(best), plan_name(self.other)
        if self.method == "kim_nelson":
            zone = f"Kim–Nelson, δ = {self.indifference:g}"
            if self.verdict == "eliminated":
                return f"plan {a} beats plan {b} (95%, {zone}; out after {self.replications})"
            if self.verdict == "infeasible":
                return f"plan {b} does not meet the constraints (after {self.replications})"
            return f"plan {a} and plan {b} cannot be told apart at δ (95%, {zone})"
        if self.told_apart:
            return f"plan {a} beats plan {b} (95%)"
        return f"plan {a} and plan {b} cannot be told apart (95%)"


@dataclass
class Confirmed:
    """The confirmed plans (best first) and the comparisons of the best with the others."""

    plans: list[Entry]
    comparisons: list[Comparison]
    method: str = "bonferroni"
    account: list[str] = field(default_factory=list)
    """What the procedure did, line by line (replications used, who left when)."""

    @property
    def best(self) -> Entry:
        """The recommended plan."""
        return self.plans[0]


def plan_name(values: dict[str, int]) -> str:
    """A plan as a reader quotes it: ``beds=5, middle=20``."""
    return ", ".join(f"{name}={value}" for name, value in values.items())


def finalists(entries: list[Entry], count: int) -> list[dict[str, int]]:
    """The ``count`` best distinct feasible plans of the search (else the least bad)."""
    ranked = sorted(entries, key=lambda e: (not e["feasible"], _sortable(e["objective"])))
    chosen: list[dict[str, int]] = []
    for entry in ranked:
        if entry["values"] not in chosen:
            chosen.append(entry["values"])
    return chosen[:count]


def _sortable(value: float) -> float:
    return value if math.isfinite(value) else math.inf


def confirm(
    spec: PlanSpec,
    base: Scenario,
    seed: int,
    entries: list[Entry],
    jobs: int = 1,
    backend: Backend | None = None,
) -> Confirmed:
    """Rerun the finalists on common seeds, rank them, compare the best with the others.

    By ``spec.confirm.method``; the replications run on ``backend`` (default: ``jobs`` local
    processes).
    """
    with Evaluator(backend or LocalBackend(jobs)) as evaluator:
        if spec.confirm.method == "kim_nelson":
            return _confirm_kim_nelson(spec, base, seed, entries, evaluator)
        return _confirm_bonferroni(spec, base, seed, entries, evaluator)


def _confirm_bonferroni(
    spec: PlanSpec, base: Scenario, seed: int, entries: list[Entry], evaluator: Evaluator
) -> Confirmed:
    """Every finalist on ``confirm.replications`` seeds; paired t-intervals over all pairs."""
    seeds = replication_seeds(seed, spec.confirm.replications)
    plans, samples = [], []
    for values in finalists(entries, spec.confirm.best):
        table = with_budget(spec, evaluator.kpis(candidate(spec, base, values), seeds))
        column = table.get(spec.objective, np.nan)
        samples.append(np.asarray(column, dtype=float) * np.ones(len(table)))
        plans.append({"values": values, **summary(spec, table)})
    order = sorted(
        range(len(plans)),
        key=lambda i: (not plans[i]["feasible"], _sortable(plans[i]["objective"])),
    )
    plans = [plans[i] for i in order]
    samples = [samples[i] for i in order]
    pairs = bonferroni_pairs(len(plans))
    comparisons = [
        _paired(plans[0]["values"], p["values"], s - samples[0], pairs)
        for p, s in zip(plans[1:], samples[1:], strict=True)
    ]
    return Confirmed(plans=plans, comparisons=comparisons)


def bonferroni_pairs(k: int) -> int:
    """Statements Bonferroni divides α among: all k(k − 1)/2 pairs.

    The best is chosen from the same data, so its k − 1 comparisons are a data-chosen subset.
    """
    return max(k * (k - 1) // 2, 1)


def _paired(best: dict[str, int], other: dict[str, int], diff: Any, pairs: int) -> Comparison:
    """Bonferroni-corrected paired t-interval of ``other − best``."""
    diff = np.asarray(diff, dtype=float)
    diff = diff[np.isfinite(diff)]
    n = len(diff)
    mean = float(diff.mean()) if n else math.nan
    if n < 2:
        return Comparison(other, mean, math.nan, math.nan)
    quantile = stats.t.ppf(1 - (1 - FAMILY_CONFIDENCE) / (2 * pairs), n - 1)
    half = float(quantile * diff.std(ddof=1) / math.sqrt(n))
    return Comparison(other, mean, mean - half, mean + half)


Draw = Callable[[Sequence[int], range], np.ndarray]
"""``draw(systems, replications)``: the objective of those replications of those systems, an
array of shape (len(systems), len(replications)); replication *j* of every system shares its
random numbers (common random numbers)."""


@dataclass
class Selection:
    """What :func:`kim_nelson` found."""

    selected: int
    """The system with the lowest mean among the survivors."""
    survivors: list[int]
    """Systems never eliminated (only ``selected`` unless the most replications were reached)."""
    left_after: dict[int, int]
    """Eliminated systems: the replications each had when it was screened out."""
    undefined: list[int]
    """Systems dropped because a replication left the objective undefined (not finite)."""
    replications: list[int]
    """Replications each system had when it left, or at the end (the ones its mean uses)."""
    means: list[float]
    """Each system's mean over those replications."""
    variances: np.ndarray
    """First-stage variances of the paired differences, S²_il."""
    eta: float
    h2: float
    reached_max: bool


def kn_eta(systems: int, first_stage: int, alpha: float) -> float:
    """Kim & Nelson's η = ½[(2α/(k − 1))^(−2/(n0 − 1)) − 1] (their c = 1)."""
    return 0.5 * ((2 * alpha / (systems - 1)) ** (-2 / (first_stage - 1)) - 1)


def kn_half_width(h2: float, variance: np.ndarray, delta: float, r: int) -> np.ndarray:
    """W_il(r) = max(0, δ/(2r) · (h² S²_il / δ² − r)): the continuation region's half-width."""
    return np.maximum(0.0, delta / (2 * r) * (h2 * variance / delta**2 - r))


def kim_nelson(
    draw: Draw,
    systems: int,
    first_stage: int,
    indifference: float,
    alpha: float = 1 - FAMILY_CONFIDENCE,
    max_replications: int = 100,
    batch: int = 1,
) -> Selection:
    """Kim & Nelson's KN, minimising: the best of ``systems``, correct with P ≥ 1 − α.

    The promise holds when the best is at least ``indifference`` better than every other.

    Screening follows every replication r ≥ n0; ``batch`` replications are drawn at once, the
    selection does not depend on it (draws past a system's end are not used).
    """
    if systems < 1 or first_stage < 2 or max_replications < first_stage:
        raise ValueError("kim_nelson: expected systems ≥ 1 and 2 ≤ first_stage ≤ max")
    data = np.full((systems, max_replications), np.nan)
    data[:, :first_stage] = draw(list(range(systems)), range(first_stage))
    undefined = [i for i in range(systems) if not np.isfinite(data[i, :first_stage]).all()]
    alive = [i for i in range(systems) if i not in undefined]
    ended = {i: first_stage for i in range(systems)}
    diffs = data[:, None, :first_stage] - data[None, :, :first_stage]
    variances = np.var(diffs, axis=2, ddof=1)
    eta = kn_eta(systems, first_stage, alpha) if systems > 1 else 0.0
    h2 = 2 * eta * (first_stage - 1)
    left: dict[int, int] = {}
    r, drawn = first_stage, first_stage
    while True:
        means = data[alive, :r].mean(axis=1)
        width = kn_half_width(h2, variances[np.ix_(alive, alive)], indifference, r)
        keep = means[:, None] <= means[None, :] + width  # i stays if within W of every l
        for row, i in enumerate(alive):
            if not keep[row].all():
                left[i], ended[i] = r, r
        alive = [i for row, i in enumerate(alive) if keep[row].all()]
        if len(alive) <= 1 or r >= max_replications:
            break
        if drawn == r:
            count = min(batch, max_replications - r)
            data[alive, r : r + count] = draw(alive, range(r, r + count))
            drawn += count
        bad = [i for i in alive if not np.isfinite(data[i, r])]
        undefined += bad
        for i in bad:
            ended[i] = r
        alive = [i for i in alive if i not in bad]
        r += 1
        for i in alive:
            ended[i] = r
    counts = [ended[i] for i in range(systems)]
    mean_of = [float(data[i, : counts[i]].mean()) for i in range(systems)]
    ranked = alive or sorted(left, key=lambda i: (-left[i], mean_of[i])) or list(range(systems))
    selected = min(ranked, key=lambda i: mean_of[i]) if alive else ranked[0]
    return Selection(
        selected=selected,
        survivors=alive,
        left_after=left,
        undefined=undefined,
        replications=counts,
        means=mean_of,
        variances=variances,
        eta=eta,
        h2=h2,
        reached_max=len(alive) > 1,
    )


class _Replications:
    """The finalists' replications, run on the evaluator's backend and kept (KPI rows)."""

    def __init__(
        self, spec: PlanSpec, scenarios: list[Scenario], evaluator: Evaluator, seeds: list[Any]
    ):
        self.spec, self.scenarios, self.evaluator, self.seeds = spec, scenarios, evaluator, seeds
        self.rows: dict[tuple[int, int], dict[str, Any]] = {}

    def run(self, plans: Sequence[int], replications: range) -> None:
        """Run what is not kept yet: every listed plan's listed replications, at once."""
        tasks = [
            ((i, j), (self.scenarios[i], self.seeds[j], j))
            for i in plans
            for j in replications
            if (i, j) not in self.rows
        ]
        if tasks:
            with closing(self.evaluator.backend.run(run_one, tasks)) as finished:
                for key, result in finished:
                    self.rows[key] = result.kpis

    def table(self, plan: int, count: int) -> pd.DataFrame:
        """The plan's first ``count`` replications, with the budget columns."""
        table = pd.DataFrame([self.rows[(plan, j)] for j in range(count)])
        return with_budget(self.spec, table)

    def objective(self, plans: Sequence[int], replications: range) -> np.ndarray:
        """The objective of those replications (NaN where undefined)."""
        self.run(plans, replications)
        return np.array(
            [
                [float(self.rows[(i, j)].get(self.spec.objective, math.nan)) for j in replications]
                for i in plans
            ]
        )


def _confirm_kim_nelson(
    spec: PlanSpec, base: Scenario, seed: int, entries: list[Entry], evaluator: Evaluator
) -> Confirmed:
    """KN among the finalists that meet the constraints after the first stage (all when none)."""
    conf = spec.confirm
    assert conf.indifference is not None  # the spec requires it for kim_nelson
    values = finalists(entries, conf.best)
    runs = _Replications(
        spec,
        [candidate(spec, base, v) for v in values],
        evaluator,
        replication_seeds(seed, conf.max_replications),
    )
    n0 = conf.replications
    runs.run(range(len(values)), range(n0))
    first = [summary(spec, runs.table(i, n0)) for i in range(len(values))]
    contenders = [i for i, f in enumerate(first) if f["feasible"]]
    if not contenders:  # none meets the constraints: the least bad, as the fixed sample does
        contenders = [i for i, f in enumerate(first) if math.isfinite(f["objective"])]
    contenders = contenders or list(range(len(values)))

    def draw(systems: Sequence[int], replications: range) -> np.ndarray:
        return runs.objective([contenders[s] for s in systems], replications)

    found = kim_nelson(
        draw,
        len(contenders),
        n0,
        conf.indifference,
        1 - FAMILY_CONFIDENCE,
        conf.max_replications,
        conf.batch,
    )
    counts = {i: n0 for i in range(len(values))}
    counts.update({plan: found.replications[s] for s, plan in enumerate(contenders)})
    plans = [
        {"values": v, **summary(spec, runs.table(i, counts[i])), "replications": counts[i]}
        for i, v in enumerate(values)
    ]
    best = contenders[found.selected]
    rest = sorted(
        (i for i in range(len(values)) if i != best),
        key=lambda i: (not plans[i]["feasible"], _sortable(plans[i]["objective"])),
    )
    comparisons = [
        _kn_comparison(spec, runs, found, contenders, best, i, counts, values[i]) for i in rest
    ]
    account = _kn_account(values, contenders, found, n0, conf.max_replications)
    return Confirmed(
        plans=[plans[best]] + [plans[i] for i in rest],
        comparisons=comparisons,
        method="kim_nelson",
        account=account,
    )


def _kn_comparison(
    spec: PlanSpec,
    runs: _Replications,
    found: Selection,
    contenders: list[int],
    best: int,
    other: int,
    counts: dict[int, int],
    values: dict[str, int],
) -> Comparison:
    """The best against ``other`` over their common replications, with KN's verdict."""
    n = min(counts[best], counts[other])
    diff = runs.objective([other], range(n))[0] - runs.objective([best], range(n))[0]
    mean = float(diff.mean())
    if other not in contenders:
        return Comparison(
            values,
            mean,
            math.nan,
            math.nan,
            "kim_nelson",
            "infeasible",
            n,
            spec.confirm.indifference,
        )
    s, b = contenders.index(other), contenders.index(best)
    assert spec.confirm.indifference is not None
    width = float(kn_half_width(found.h2, found.variances[b, s], spec.confirm.indifference, n))
    verdict = "eliminated" if s in found.left_after else "tied"
    if s in found.undefined:
        verdict = "undefined"
    return Comparison(
        values,
        mean,
        mean - width,
        mean + width,
        "kim_nelson",
        verdict,
        n,
        spec.confirm.indifference,
    )


def _kn_account(
    values: list[dict[str, int]],
    contenders: list[int],
    found: Selection,
    n0: int,
    most: int,
) -> list[str]:
    """What KN did, for the terminal and ``plan.md``."""
    lines = [
        f"Kim–Nelson: {len(contenders)} of {len(values)} plans contend after a first stage of "
        f"{n0} (η = {found.eta:.4g}, h² = {found.h2:.4g}); "
        f"{sum(found.replications)} replications in all"
    ]
    for s, r in sorted(found.left_after.items(), key=lambda item: item[1]):
        lines.append(f"  {plan_name(values[contenders[s]])} eliminated after {r} replications")
    for s in found.undefined:
        lines.append(f"  {plan_name(values[contenders[s]])} dropped: objective undefined")
    for i in range(len(values)):
        if i not in contenders:
            lines.append(f"  {plan_name(values[i])} not a contender: over a constraint")
    if found.reached_max:
        names = ", ".join(plan_name(values[contenders[s]]) for s in found.survivors)
        lines.append(f"  at the most, {most} replications: {names} cannot be told apart at δ")
    return lines
