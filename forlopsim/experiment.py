"""Replications, seeds and confidence intervals.

Replication *i* always uses the *i*-th child of ``SeedSequence(seed)``, whichever worker runs it,
so results are identical for any number of jobs. Workers are separate processes (``spawn``, so
nothing depends on the parent's state); each computes its replication's KPIs and, if asked,
writes its records as Parquet, so that no large table crosses a process boundary.
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from forlopsim.engine import run_replication
from forlopsim.engine.streams import replication_seeds
from forlopsim.metrics import kpis
from forlopsim.scenario import Scenario

CONFIDENCE = 0.95


@dataclass(frozen=True)
class ReplicationResult:
    """What one replication returns to the parent process."""

    replication: int
    kpis: dict[str, float]
    seconds: float
    records: int
    """Number of event records."""


def run_one(
    scenario: Scenario,
    seed: np.random.SeedSequence,
    replication: int,
    records_dir: Path | None = None,
) -> ReplicationResult:
    """Run replication ``replication``; write its records under ``records_dir`` if given."""
    start = time.perf_counter()
    records = run_replication(scenario, seed, replication)
    values = kpis(records)
    if records_dir is not None:
        records.to_parquet(records_dir, replication)
    return ReplicationResult(replication, values, time.perf_counter() - start, len(records.events))


def run_replications(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    records_dir: Path | None = None,
    on_done: Callable[[ReplicationResult], None] | None = None,
) -> list[ReplicationResult]:
    """Run every replication of ``scenario`` on ``jobs`` processes, in replication order."""
    n = scenario.simulation.replications if replications is None else replications
    root = scenario.simulation.seed if seed is None else seed
    seeds = replication_seeds(root, n)
    results: list[ReplicationResult] = []
    if jobs <= 1 or n == 1:
        for i, s in enumerate(seeds):
            results.append(run_one(scenario, s, i, records_dir))
            if on_done is not None:
                on_done(results[-1])
        return results
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, n), mp_context=context) as pool:
        pending: set[Future] = {
            pool.submit(run_one, scenario, s, i, records_dir) for i, s in enumerate(seeds)
        }
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    results.append(future.result())
                    if on_done is not None:
                        on_done(results[-1])
        except BaseException:
            for future in pending:
                future.cancel()
            raise
    return sorted(results, key=lambda r: r.replication)


def replication_table(results: list[ReplicationResult]) -> pd.DataFrame:
    """One row per replication, one column per KPI."""
    table = pd.DataFrame([r.kpis for r in results], index=[r.replication for r in results])
    table.index.name = "replication"
    return table


def t_interval(values: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Mean and half-width of the Student-t confidence interval (NaN values left out)."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    n = len(values)
    if n == 0:
        return math.nan, math.nan
    mean = float(values.mean())
    if n == 1:
        return mean, math.nan
    half = float(stats.t.ppf((1 + confidence) / 2, n - 1) * values.std(ddof=1) / math.sqrt(n))
    return mean, half


def summarise(table: pd.DataFrame, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Mean, standard deviation and Student-t CI of every KPI over replications.

    Columns: kpi, mean, sd, n, ci_low, ci_high, half_width.
    """
    rows = []
    for name in table.columns:
        column = table[name].to_numpy(dtype=float)
        mean, half = t_interval(column, confidence)
        valid = column[~np.isnan(column)]
        rows.append(
            {
                "kpi": name,
                "mean": mean,
                "sd": float(valid.std(ddof=1)) if len(valid) > 1 else math.nan,
                "n": len(valid),
                "ci_low": mean - half,
                "ci_high": mean + half,
                "half_width": half,
            }
        )
    return pd.DataFrame(rows)
