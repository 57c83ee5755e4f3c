"""A probabilistic sensitivity analysis: outer draws of the parameters, inner replications.

For each outer draw of the uncertain parameters (:func:`~.spec.draw_table`), the drawn values
are applied to the base and to every what-if (:func:`~.spec.drawn`), and each runs a few inner
replications with common random numbers: replication *i* of draw *d* is replication
``d × inner + i`` of the run's seed for every scenario of that draw. Draws thus differ in their
noise as well as in their parameters, as in O'Hagan, Stevenson & Madan (2007), and the noise is
measured inside each draw and taken out of the spread between draws (:func:`summarise_draws`).
Results are the same for any number of worker processes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forlopsim.backends import Backend, LocalBackend
from forlopsim.comparison import HEADLINE_KPIS
from forlopsim.engine.streams import replication_seeds
from forlopsim.experiment import ReplicationResult, replication_table, run_one
from forlopsim.scenario import Scenario
from forlopsim.stats import CONFIDENCE
from forlopsim.uncertainty.spec import UncertaintyFile, draw_table, drawn

HIGHER_IS_BETTER: tuple[str, ...] = ("placed_within_", "retention_")
"""KPI name prefixes for which a rise is the improvement (every headline KPI is better lower)."""

ROW_COLUMNS = [
    "draw",
    "scenario",
    "kpi",
    "base_mean",
    "whatif_mean",
    "difference",
    "noise_variance",
    "n",
]
SUMMARY_COLUMNS = [
    "scenario",
    "kpi",
    "better",
    "draws",
    "difference",
    "p_lower",
    "p_higher",
    "p_improves",
    "low",
    "high",
    "between_variance",
    "noise_variance",
    "noise_variance_of_mean",
    "parameter_variance",
    "parameter_share",
]


def better(kpi: str) -> str:
    """``higher`` for a KPI whose rise is an improvement (:data:`HIGHER_IS_BETTER`), else ``lower``."""
    return "higher" if kpi.startswith(HIGHER_IS_BETTER) else "lower"


@dataclass
class Uncertainty:
    """The outer draws and each draw's replication tables, per scenario label (base first)."""

    base: str
    labels: list[str]
    values: pd.DataFrame
    """The drawn values: index ``draw``, one column per parameter name."""
    tables: dict[tuple[int, str], pd.DataFrame]
    """(draw, label) → replication table (rows: inner replications, columns: KPIs)."""
    replications: int
    """Inner replications per draw and scenario."""
    seed: int
    kpis: tuple[str, ...]
    spec: UncertaintyFile
    confidence: float = CONFIDENCE

    @property
    def whatifs(self) -> list[str]:
        """The what-ifs' labels, in order."""
        return [label for label in self.labels if label != self.base]

    def rows(self) -> pd.DataFrame:
        """One row per draw × what-if × KPI, with the draw's parameter values.

        ``difference`` is the mean over the draw's inner replications of the paired difference
        what-if − base, ``noise_variance`` their sample variance (NaN with one replication) and
        ``n`` how many pairs had the KPI defined.
        """
        rows = []
        for draw in self.values.index:
            base = self.tables[(draw, self.base)]
            for label in self.whatifs:
                rows += draw_rows(int(draw), label, base, self.tables[(draw, label)], self.kpis)
        frame = pd.DataFrame(rows, columns=ROW_COLUMNS)
        values = self.values.reset_index()
        return frame.merge(values, on="draw", how="left")

    def summary(self) -> pd.DataFrame:
        """Per what-if and KPI, over the draws (:func:`summarise_draws`)."""
        return summarise_draws(self.rows(), self.confidence)


def draw_rows(
    draw: int, label: str, base: pd.DataFrame, whatif: pd.DataFrame, kpis: Sequence[str]
) -> list[dict[str, object]]:
    """The paired differences of one draw and what-if, one dict per KPI."""
    rows: list[dict[str, object]] = []
    for kpi in kpis:
        if kpi not in base or kpi not in whatif:
            continue
        b, w = base[kpi].astype(float), whatif[kpi].astype(float)
        paired = (w - b).dropna().to_numpy()
        rows.append(
            {
                "draw": draw,
                "scenario": label,
                "kpi": kpi,
                "base_mean": float(b.mean()),
                "whatif_mean": float(w.mean()),
                "difference": float(paired.mean()) if len(paired) else np.nan,
                "noise_variance": float(paired.var(ddof=1)) if len(paired) > 1 else np.nan,
                "n": len(paired),
            }
        )
    return rows


def summarise_draws(rows: pd.DataFrame, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Per what-if and KPI: how likely it improves, the interval over draws, noise against spread.

    From :meth:`Uncertainty.rows` (draws where the difference is undefined left out):

    ======================  ====================================================================
    better                  ``lower`` or ``higher`` (:func:`better`)
    draws                   draws with the difference defined
    difference              mean over draws of the draw's mean paired difference
    p_lower, p_higher       share of draws whose mean difference is below (above) 0
    p_improves              ``p_lower`` or ``p_higher``, as ``better`` says
    low, high               the 2.5 and 97.5 percentiles of the draws' mean differences (for a
                            ``confidence`` of 0.95; linear interpolation, numpy's default)
    between_variance        variance (n − 1) of the draws' mean differences: all of their spread
    noise_variance          mean over draws of the variance of one replication's difference
                            inside a draw: the simulation noise
    noise_variance_of_mean  mean over draws of that variance / the draw's pairs: the noise part
                            of ``between_variance``
    parameter_variance      ``between_variance − noise_variance_of_mean``, at least 0: the part
                            due to the parameters (the one-way ANOVA estimate of O'Hagan,
                            Stevenson & Madan 2007)
    parameter_share         ``parameter_variance / between_variance`` (0 when both are 0)
    ======================  ====================================================================
    """
    tail = (1 - confidence) / 2 * 100
    out = []
    for (label, kpi), group in rows.groupby(["scenario", "kpi"], sort=False):
        defined = group.dropna(subset=["difference"])
        m = defined["difference"].to_numpy(float)
        noise = defined["noise_variance"].to_numpy(float)
        pairs = defined["n"].to_numpy(float)
        between = float(m.var(ddof=1)) if len(m) > 1 else np.nan
        of_mean = float(np.nanmean(noise / pairs)) if np.isfinite(noise).any() else np.nan
        parameter = max(between - of_mean, 0.0) if np.isfinite(between + of_mean) else np.nan
        p_lower = float((m < 0).mean()) if len(m) else np.nan
        p_higher = float((m > 0).mean()) if len(m) else np.nan
        low, high = np.percentile(m, [tail, 100 - tail]) if len(m) else (np.nan, np.nan)
        out.append(
            {
                "scenario": label,
                "kpi": kpi,
                "better": better(str(kpi)),
                "draws": len(m),
                "difference": float(m.mean()) if len(m) else np.nan,
                "p_lower": p_lower,
                "p_higher": p_higher,
                "p_improves": p_higher if better(str(kpi)) == "higher" else p_lower,
                "low": float(low),
                "high": float(high),
                "between_variance": between,
                "noise_variance": float(np.nanmean(noise)) if np.isfinite(noise).any() else np.nan,
                "noise_variance_of_mean": of_mean,
                "parameter_variance": parameter,
                "parameter_share": _share(parameter, between),
            }
        )
    return pd.DataFrame(out, columns=SUMMARY_COLUMNS)


def _share(part: float, whole: float) -> float:
    """``part / whole``; 0 when the whole is 0, NaN when it is undefined."""
    if not np.isfinite(whole):
        return np.nan
    return part / whole if whole > 0 else 0.0


def run_uncertainty(
    spec: UncertaintyFile,
    scenarios: Sequence[Scenario],
    labels: Sequence[str],
    replications: int,
    draws: int,
    seed: int,
    jobs: int = 1,
    on_done: Callable[[ReplicationResult], None] | None = None,
    kpis: tuple[str, ...] | None = None,
    backend: Backend | None = None,
) -> Uncertainty:
    """Run ``draws`` outer draws × every scenario × ``replications`` inner replications.

    ``scenarios`` is the base first, then the what-ifs; all tasks go to one pool of ``jobs``
    processes, or to ``backend``. ``on_done`` gets each result, whose ``scenario`` is ``draw × len(scenarios) +
    position``. ``kpis`` default to :data:`forlopsim.comparison.HEADLINE_KPIS`.
    """
    values = draw_table(spec, draws, seed)
    base = scenarios[0]
    grid = [
        [drawn(s, base, spec.parameters, values.loc[d].to_dict()) for s in scenarios]
        for d in values.index
    ]
    results = _run_grid(grid, replications, seed, backend or LocalBackend(jobs), on_done)
    width = len(scenarios)
    tables = {
        (d, label): replication_table(results[d * width + k])
        for d in range(draws)
        for k, label in enumerate(labels)
    }
    return Uncertainty(
        labels[0], list(labels), values, tables, replications, seed, kpis or HEADLINE_KPIS, spec
    )


def _run_grid(
    grid: list[list[Scenario]],
    replications: int,
    seed: int,
    backend: Backend,
    on_done: Callable[[ReplicationResult], None] | None,
) -> list[list[ReplicationResult]]:
    """Each (draw, scenario)'s replications, in replication order, indexed draw × width + k."""
    width = len(grid[0])
    seeds = replication_seeds(seed, len(grid) * replications)
    tasks = [
        ((d * width + k, r), (scenario, seeds[r], r, None, None, d * width + k))
        for d, row in enumerate(grid)
        for k, scenario in enumerate(row)
        for r in range(d * replications, (d + 1) * replications)
    ]
    found: dict[tuple[int, int], ReplicationResult] = {}
    with closing(backend.run(run_one, tasks)) as finished:
        for key, result in finished:
            found[key] = result
            if on_done is not None:
                on_done(result)
    return [
        [found[key] for key in sorted(k for k in found if k[0] == index)]
        for index in range(len(grid) * width)
    ]
