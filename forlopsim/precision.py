"""How many replications a comparison needs: run until the headline differences are precise.

The replications algorithm of Hoad, Robinson & Davies (2010, JORS 61:1632–1644), applied to
the paired differences a comparison reports: after each batch, the 95% half-width of every
headline KPI's paired difference (every what-if against the base) is taken relative to the
base's mean; the run stops once the widest is at most the target and has stayed so for
:data:`LOOK_AHEAD` more replications (their *kLimit*, which guards against stopping on a lucky
early estimate), or at the maximum.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forlopsim.stats import t_quantile

LOOK_AHEAD = 5
"""Hoad, Robinson & Davies' kLimit: replications the precision must hold for before stopping."""
FEW_REPLICATIONS = 10
"""Below this, a comparison run without ``--precision`` gets a warning: with the calibrated
baseline, effects found at 3 replications vanished at 10 (issue 13), and 10 gave every headline
difference of the five what-ifs a paired half-width within a few per cent of the base
(``bench/README.md``). Not a domain number: a threshold of the output analysis."""
MIN_REPLICATIONS = 3
"""Fewest replications the rule looks at (an interval needs two; three is their minimum)."""


@dataclass(frozen=True)
class Precision:
    """Why a comparison ran as many replications as it did."""

    target: float
    """The widest relative half-width allowed (0.05: ±5% of the base's mean)."""
    achieved: float
    """The widest relative half-width at the end."""
    replications: int
    reason: str
    """``precision`` (the target held for the look-ahead) or ``maximum`` (it did not)."""
    widest: str
    """``what-if: KPI`` whose difference was least precise at the end."""


def relative_half_widths(
    tables: dict[str, pd.DataFrame], base: str, kpis: tuple[str, ...], confidence: float = 0.95
) -> dict[str, float]:
    """Each ``what-if: KPI``'s paired 95% half-width over the base's mean (absolute value).

    KPIs defined in fewer than :data:`MIN_REPLICATIONS` paired replications, or whose base mean
    is 0 with differences that are all 0, are left out; a base mean of 0 with varying
    differences is infinitely imprecise.
    """
    widths: dict[str, float] = {}
    base_table = tables[base]
    for label, table in tables.items():
        if label == base:
            continue
        for kpi in kpis:
            if kpi not in table or kpi not in base_table:
                continue
            b, w = base_table[kpi].to_numpy(float), table[kpi].to_numpy(float)
            keep = ~(np.isnan(b) | np.isnan(w))
            n = int(keep.sum())
            if n < MIN_REPLICATIONS:
                continue
            sd = float(np.std(w[keep] - b[keep], ddof=1))
            half = t_quantile(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n)
            scale = abs(float(np.mean(b[keep])))
            if scale == 0:
                if half == 0:
                    continue
                widths[f"{label}: {kpi}"] = math.inf
            else:
                widths[f"{label}: {kpi}"] = half / scale
    return widths


class Rule:
    """The stopping rule, fed the replications done so far after each batch."""

    def __init__(self, target: float, maximum: int):
        """Stop at ``target`` (relative half-width) held for the look-ahead, or at ``maximum``."""
        self.target = target
        self.maximum = maximum
        self._met_at: int | None = None
        self.last: dict[str, float] = {}

    def next_batch(self, done: int, widths: dict[str, float], batch: int) -> int:
        """How many replications to run next (0: stop), after ``done`` with these ``widths``."""
        self.last = widths
        met = bool(widths) and max(widths.values()) <= self.target
        if not met:
            self._met_at = None
        elif self._met_at is None:
            self._met_at = done
        if done >= self.maximum:
            return 0
        if self._met_at is not None:
            left = self._met_at + LOOK_AHEAD - done
            if left <= 0:
                return 0
            return min(batch, left, self.maximum - done)
        return min(batch, self.maximum - done)

    def outcome(self, done: int) -> Precision:
        """What the rule decided, after ``done`` replications."""
        widest = max(self.last, key=lambda k: self.last[k]) if self.last else ""
        achieved = self.last.get(widest, math.nan)
        met = self._met_at is not None and done >= self._met_at + LOOK_AHEAD
        return Precision(self.target, achieved, done, "precision" if met else "maximum", widest)


def precision_note(precision: Precision) -> str:
    """One line saying how many replications ran and why (STRESS-DES 4.3)."""
    target = f"±{precision.target:.0%}"
    widest = f"±{precision.achieved:.1%}" if math.isfinite(precision.achieved) else "undefined"
    if precision.reason == "precision":
        return (
            f"Ran {precision.replications} replications: every headline difference reached "
            f"{target} of the base and held for {LOOK_AHEAD} more (widest {widest}, "
            f"{precision.widest})."
        )
    return (
        f"Ran the maximum of {precision.replications} replications without every headline "
        f"difference reaching {target} of the base (widest {widest}, {precision.widest}): "
        "read those differences with care."
    )


def few_replications_warning(replications: int) -> str | None:
    """A warning for a comparison of fewer than :data:`FEW_REPLICATIONS` replications."""
    if replications >= FEW_REPLICATIONS:
        return None
    return (
        f"only {replications} replications: differences found may vanish with more; run "
        "--precision 0.05 to run until the headline differences are within ±5% of the base"
    )
