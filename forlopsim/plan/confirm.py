"""The confirmation: the best few plans rerun under common random numbers and compared in pairs.

Each confirmed plan runs the same ``confirm.replications`` seeds. The plan with the lowest
objective mean among those that still meet every constraint is compared with each other one by
the paired differences of their objective (same seed, same luck): a Student-t interval at
confidence 1 − 0.05/m, m the number of pairs (Bonferroni), so that all the statements hold
together with 95% confidence. An interval wholly above 0 says "plan A beats plan B (95%)", one
that holds 0 says "cannot be told apart". Kim–Nelson's fully sequential procedure is the fuller
ranking-and-selection method (it adds replications until the best is found with a promised
probability); this fixed-sample procedure is simpler and answers the same question at the
replications given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from forlopsim.backends import Backend, LocalBackend
from forlopsim.calibration.fit import Evaluator
from forlopsim.engine.streams import replication_seeds
from forlopsim.plan.search import Entry, candidate, summary, with_budget
from forlopsim.plan.spec import PlanSpec
from forlopsim.scenario import Scenario

FAMILY_CONFIDENCE = 0.95
"""Confidence that all the pairwise statements hold together."""


@dataclass
class Comparison:
    """The best plan against another: the paired difference (other − best) and the verdict."""

    other: dict[str, int]
    difference: float
    low: float
    high: float

    @property
    def told_apart(self) -> bool:
        """Whether the best is better with the promised confidence."""
        return self.low > 0

    def sentence(self, best: dict[str, int]) -> str:
        """``plan A beats plan B (95%)`` or ``… cannot be told apart``."""
        a, b = plan_name(best), plan_name(self.other)
        if self.told_apart:
            return f"plan {a} beats plan {b} (95%)"
        return f"plan {a} and plan {b} cannot be told apart (95%)"


@dataclass
class Confirmed:
    """The confirmed plans (best first) and the comparisons of the best with the others."""

    plans: list[Entry]
    comparisons: list[Comparison]

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
    """Rerun the finalists on the same seeds, rank them, compare the best with the others.

    The replications run on ``backend`` (default: ``jobs`` local processes).
    """
    seeds = replication_seeds(seed, spec.confirm.replications)
    plans, samples = [], []
    with Evaluator(backend or LocalBackend(jobs)) as evaluator:
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
    pairs = max(len(plans) - 1, 1)
    comparisons = [
        _paired(plans[0]["values"], p["values"], s - samples[0], pairs)
        for p, s in zip(plans[1:], samples[1:], strict=True)
    ]
    return Confirmed(plans=plans, comparisons=comparisons)


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
