"""Replications, seeds, confidence intervals, the number of replications and the warm-up check.

Replication *i* always uses the *i*-th child of ``SeedSequence(seed)``, whichever worker runs it,
so results are identical for any number of jobs. Every scenario of a batch gets the same
replication seeds: since each kind of draw has its own stream, that is what gives a comparison
*common random numbers* (DESIGN §4). Workers are separate processes (``spawn``, so nothing
depends on the parent's state; :mod:`forlopsim.pool`); each computes its replication's KPIs and, if asked, writes its
records as Parquet and returns its occupancy series, so that no large table crosses a process
boundary.

Output analysis:

* :func:`summarise` — Student-t confidence intervals over replications, every KPI at once
  (:func:`forlopsim.stats.row_intervals`, bit for bit :func:`forlopsim.stats.t_interval`);
* :func:`replications_needed` — how many replications reach a wanted precision, from a pilot;
* :func:`mser` and :func:`warmup_check` — the MSER-5 truncation point of each place's occupancy,
  and a :class:`WarmupWarning` when it lies after the scenario's warm-up.
"""

from __future__ import annotations

import json
import math
import time
import warnings
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forlopsim.backends import Backend, LocalBackend
from forlopsim.engine import run_replication
from forlopsim.engine.streams import replication_seeds
from forlopsim.metrics import kpis, occupancy_series, shared, waiting_series
from forlopsim.record_files import TABLES, meta_path, table_path
from forlopsim.records import Records
from forlopsim.scenario import Scenario
from forlopsim.stats import CONFIDENCE, row_intervals, t_quantile

MSER_BATCH = 5  # MSER-5: the series is averaged in batches of 5 before truncation is chosen
WARMUP_STEP_DAYS = 7.0  # not a domain number: bin width of the occupancy series the check reads
# not a domain number: a transient that moves a place's observed mean by 1% or less is ignored
WARMUP_TOLERANCE = 0.01


@dataclass(frozen=True)
class ReplicationResult:
    """What one replication returns to the parent process."""

    replication: int
    kpis: dict[str, float]
    seconds: float
    records: int
    """Number of event records."""
    occupancy: pd.DataFrame | None = None
    """Occupancy series (:func:`forlopsim.metrics.occupancy_series`) if asked, for the warm-up
    check: about 0.3 MB for a 12-year baseline replication in weekly bins, a tenth of its
    records."""
    scenario: int = 0
    """Position of the scenario in the batch (:func:`run_scenarios`)."""
    waiting: pd.DataFrame | None = None
    """Waiting-list series (:func:`forlopsim.metrics.waiting_series`), in the occupancy series'
    bins, for the growth check (:mod:`forlopsim.growth`)."""


def run_one(
    scenario: Scenario,
    seed: np.random.SeedSequence,
    replication: int,
    records_dir: Path | None = None,
    occupancy_step: float | None = None,
    index: int = 0,
) -> ReplicationResult:
    """Run replication ``replication``.

    Its records are written under ``records_dir`` if given, and its occupancy and waiting-list
    series kept in bins of ``occupancy_step`` days if given.
    """
    start = time.perf_counter()
    records = run_replication(scenario, seed, replication)
    occupancy = waiting = None
    with shared():  # the occupancy series reuses the spells the KPIs built
        values = kpis(records)
        if occupancy_step is not None:
            # categories make a smaller pickle
            small = {"place": "category", "kind": "category"}
            occupancy = occupancy_series(records, occupancy_step).astype(small)
            waiting = waiting_series(records, occupancy_step).astype(small)
    if records_dir is not None:
        write_records(records, records_dir, replication)
    return ReplicationResult(
        replication,
        values,
        time.perf_counter() - start,
        len(records.events),
        occupancy,
        index,
        waiting,
    )


def run_changed(
    base: Scenario, items: Sequence[tuple[dict[str, Any], np.random.SeedSequence, int]]
) -> list[dict[str, float]]:
    """The KPIs of each ``(changes, seed, replication)`` of ``base``, in order (a sweep's batch).

    Here, not in :mod:`forlopsim.sweep`, so that a worker does not import the sweep's designs
    (SALib and ``scipy.stats``: over a second and some 60 MB per worker).
    """
    kpis = []
    for changes, seed, replication in items:
        scenario = base.with_changes(changes) if changes else base
        kpis.append(run_one(scenario, seed, replication).kpis)
    return kpis


def write_records(records: Records, directory: Path, replication: int) -> None:
    """``events_repNNN.parquet``, ``residents_repNNN.parquet`` and ``meta_repNNN.json``."""
    records.to_parquet(directory, replication)
    meta = json.dumps(records.meta, indent=1, ensure_ascii=False, default=_plain)
    meta_path(directory, replication).write_text(meta + "\n")


def read_records(directory: Path, replication: int) -> Records:
    """The records of one replication as :func:`write_records` (``forlopsim run --out``) wrote.

    The ``replication`` column the files carry is dropped.
    """
    tables = {
        name: pd.read_parquet(table_path(directory, name, replication)).drop(columns="replication")
        for name in TABLES
    }
    meta = json.loads(meta_path(directory, replication).read_text())
    return Records(events=tables["events"], residents=tables["residents"], meta=meta)


def _plain(value: object) -> object:
    """JSON for NumPy scalars in the records' meta data."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def run_replications(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    records_dir: Path | None = None,
    on_done: Callable[[ReplicationResult], None] | None = None,
    occupancy_step: float | None = None,
    backend: Backend | None = None,
) -> list[ReplicationResult]:
    """Run every replication of ``scenario`` on ``jobs`` processes (or ``backend``), in order."""
    return run_scenarios(
        [scenario], replications, seed, jobs, [records_dir], on_done, occupancy_step,
        backend=backend,
    )[0]  # fmt: skip


def run_scenarios(
    scenarios: Sequence[Scenario],
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    records_dirs: Sequence[Path | None] | None = None,
    on_done: Callable[[ReplicationResult], None] | None = None,
    occupancy_step: float | None = None,
    start: int = 0,
    backend: Backend | None = None,
) -> list[list[ReplicationResult]]:
    """Run every replication of every scenario on one pool of ``jobs`` processes, or ``backend``.

    Replication *i* of every scenario uses the same seed, the *i*-th child of
    ``SeedSequence(seed)``: common random numbers. ``replications`` and ``seed`` default to the
    first scenario's; ``start`` runs replications ``start`` … ``start + replications - 1`` (more
    of a run already made, as the precision rule does). Returns one list per scenario, in
    replication order. With ``records_dir`` on a Dask cluster, the workers write the records:
    it must be a folder they share with this process.
    """
    first = scenarios[0].simulation
    n = first.replications if replications is None else replications
    root = first.seed if seed is None else seed
    seeds = replication_seeds(root, start + n)[start:]
    dirs = list(records_dirs) if records_dirs is not None else [None] * len(scenarios)
    tasks = [
        (scenario, s, start + i, dirs[k], occupancy_step, k)
        for k, scenario in enumerate(scenarios)
        for i, s in enumerate(seeds)
    ]
    results: list[ReplicationResult] = []
    backend = backend or LocalBackend(jobs)
    with closing(backend.run(run_one, list(enumerate(tasks)))) as finished:
        for _, result in finished:
            results.append(result)
            if on_done is not None:
                on_done(result)
    grouped: list[list[ReplicationResult]] = [[] for _ in scenarios]
    for result in sorted(results, key=lambda r: (r.scenario, r.replication)):
        grouped[result.scenario].append(result)
    return grouped


def replication_table(results: list[ReplicationResult]) -> pd.DataFrame:
    """One row per replication, one column per KPI."""
    table = pd.DataFrame([r.kpis for r in results], index=[r.replication for r in results])
    table.index.name = "replication"
    return table


def waiting_table(results: list[ReplicationResult]) -> pd.DataFrame | None:
    """The waiting-list series of every replication, ``replication`` first; None if none kept."""
    frames = [r.waiting.assign(replication=r.replication) for r in results if r.waiting is not None]
    if not frames:
        return None
    table = pd.concat(frames, ignore_index=True)
    return table[["replication", *(c for c in table.columns if c != "replication")]]


def occupancy_table(results: list[ReplicationResult]) -> pd.DataFrame:
    """The occupancy series of every replication, with a ``replication`` column first."""
    frames = [
        r.occupancy.assign(replication=r.replication) for r in results if r.occupancy is not None
    ]
    if not frames:
        raise ValueError("no occupancy series: run the replications with occupancy_step")
    table = pd.concat(frames, ignore_index=True)
    return table[["replication", *(c for c in table.columns if c != "replication")]]


# -- confidence intervals ----------------------------------------------------------------------


def summarise(table: pd.DataFrame, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Mean, standard deviation and Student-t CI of every KPI over replications.

    Columns: kpi, mean, sd, n, ci_low, ci_high, half_width.
    """
    columns = ["kpi", "mean", "sd", "n", "ci_low", "ci_high", "half_width"]
    kpis = list(table.columns)
    if not kpis:
        return pd.DataFrame([], columns=columns)
    stats = row_intervals(np.ascontiguousarray(table.to_numpy(dtype=float).T), confidence)
    return pd.DataFrame(
        {
            "kpi": kpis,
            "mean": stats.mean,
            "sd": stats.sd,
            "n": stats.n.astype(np.int64),
            "ci_low": stats.mean - stats.half_width,
            "ci_high": stats.mean + stats.half_width,
            "half_width": stats.half_width,
        },
        columns=columns,
    )


def replications_needed(
    values: Sequence[float] | np.ndarray, half_width: float, confidence: float = CONFIDENCE
) -> int:
    """How many replications give a KPI's Student-t CI the wanted ``half_width``.

    ``values`` are the KPI in a few pilot replications (NaN left out; two or more needed). With
    their standard deviation *s*, the answer is the smallest *n* ≥ 2 with
    ``t(1 − (1 − confidence)/2, n − 1) · s / √n ≤ half_width`` — the usual replications
    algorithm, which trusts the pilot's *s*; rerun it with the new replications to check. It
    may be smaller than the pilot (the pilot is already precise enough). Example: pilot
    standard deviation 10 and half-width 5 need 18 replications (t₁₇ = 2.110, 2.110·10/√18 =
    4.97, while 17 give 2.120·10/√17 = 5.14).
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) < 2:
        raise ValueError("replications_needed: need at least two pilot values")
    if not half_width > 0:
        raise ValueError(f"replications_needed: half_width must be positive, got {half_width}")
    s = float(x.std(ddof=1))
    q = (1 + confidence) / 2
    from scipy import special

    # t > z for every degree of freedom, so (z s / h)² is a lower bound of the answer
    n = max(2, math.ceil((special.ndtri(q) * s / half_width) ** 2))
    while t_quantile(q, n - 1) * s / math.sqrt(n) > half_width:
        n += 1
    return n


# -- warm-up: MSER-5 ---------------------------------------------------------------------------


class WarmupWarning(UserWarning):
    """The MSER-5 truncation point of a place's occupancy lies after the scenario's warm-up."""


def mser(values: Sequence[float] | np.ndarray, batch_size: int = MSER_BATCH) -> int:
    """The MSER truncation point: how many leading observations to delete.

    The series is cut into ``batch_size`` batches (MSER-5 by default; a last incomplete batch is
    left out) whose means are Z₁ … Z_k. For each d, MSER(d) = Σ_{j>d} (Z_j − Z̄_d)² / (k − d)²,
    where Z̄_d is the mean of the batches after d: the squared standard error of the mean of what
    is kept. The d that minimises it over the first half of the series (d < k/2, ties to the
    smallest) is returned as ``d · batch_size`` observations. White (1997); Hoad, Robinson &
    Davies (2010). A series with fewer than two batches raises ``ValueError``.
    """
    x = np.asarray(values, dtype=float)
    k = len(x) // batch_size
    if k < 2:
        raise ValueError(f"mser: need at least {2 * batch_size} observations, got {len(x)}")
    z = x[: k * batch_size].reshape(k, batch_size).mean(axis=1)
    tail = z[::-1]  # statistics of z[d:] for every d, from running sums over the reversed series
    count = np.arange(1, k + 1)
    total = np.cumsum(tail)[::-1]
    squares = np.cumsum(tail**2)[::-1]
    kept = count[::-1].astype(float)
    sse = squares - total**2 / kept
    # below the round-off of the running sums, a tail is constant: its SSE is exactly zero
    sse[sse <= 64 * np.finfo(float).eps * squares] = 0.0
    statistic = (sse / kept**2)[: (k + 1) // 2]
    return int(np.argmin(statistic)) * batch_size


def mser_truncation(series: pd.Series, batch_size: int = MSER_BATCH) -> float:
    """The time (index value) at which the kept part of ``series`` begins, by :func:`mser`.

    ``series`` is indexed by time, ascending (e.g. the ``start`` of occupancy bins).
    """
    series = series.sort_index()
    return float(series.index[mser(series.to_numpy(), batch_size)])


def warmup_check(
    occupancy: pd.DataFrame,
    warmup_days: float,
    tolerance: float = WARMUP_TOLERANCE,
    batch_size: int = MSER_BATCH,
) -> pd.DataFrame:
    """MSER-5 truncation time of each place's occupancy, against the warm-up.

    ``occupancy`` is a table like :func:`forlopsim.metrics.occupancy_series` (columns ``start``,
    ``place``, ``occupancy``, optionally ``kind`` and ``replication``). The series of each place
    is averaged over replications first (as in Welch's method: the transient stands out better
    in the mean than in any single run), then truncated by MSER-5 (:func:`mser`).

    A place whose occupancy is at capacity almost all the time has a series that is flat but for
    a few early dips; MSER then truncates after the last dip although nothing material changes.
    So the check also measures how much the transient matters, and flags a place only when both
    hold: the truncation lies after the warm-up, and the mean over the observed period differs
    from the mean after truncation by more than ``tolerance`` (relative; 0 flags every place
    whose truncation lies after the warm-up).

    Columns:

    ===============  ==========================================================================
    place, kind      the place (tier, team, crisis bed, institution) and its kind
    truncation_days  where MSER-5 says the kept part of the series begins (day)
    warmup_days      the scenario's warm-up (day)
    after_warmup     truncation_days > warmup_days
    observed_mean    mean occupancy from the warm-up to the horizon (what the KPIs see)
    settled_mean     mean occupancy from truncation_days to the horizon
    bias             observed_mean / settled_mean − 1 (0 when both are 0)
    flagged          after_warmup and abs(bias) > tolerance: the warm-up looks too short
    ===============  ==========================================================================
    """
    keys = ["place", "kind"] if "kind" in occupancy.columns else ["place"]
    mean = occupancy.groupby([*keys, "start"], observed=True, sort=True)["occupancy"].mean()
    rows = []
    for group, series in mean.groupby(level=list(range(len(keys))), observed=True, sort=False):
        key = group if isinstance(group, tuple) else (group,)
        series = series.droplevel(list(range(len(keys))))
        try:
            truncation = mser_truncation(series, batch_size)
        except ValueError:
            truncation = math.nan
        observed = float(series[series.index >= warmup_days].mean())
        settled = float(series[series.index >= truncation].mean()) if truncation >= 0 else math.nan
        bias = 0.0 if observed == settled else observed / settled - 1 if settled else math.inf
        after = bool(truncation > warmup_days)
        rows.append(
            {
                "place": str(key[0]),
                "kind": str(key[1]) if len(key) > 1 else "",
                "truncation_days": truncation,
                "warmup_days": float(warmup_days),
                "after_warmup": after,
                "observed_mean": observed,
                "settled_mean": settled,
                "bias": bias,
                "flagged": after and abs(bias) > tolerance,
            }
        )
    columns = [
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
    return pd.DataFrame(rows, columns=columns)


def warn_if_warmup_short(check: pd.DataFrame, scenario: str = "", stacklevel: int = 2) -> list[str]:
    """Issue a :class:`WarmupWarning` for each place :func:`warmup_check` flagged.

    A place is flagged when its MSER-5 truncation point lies after the warm-up and matters.
    ``scenario`` prefixes the messages; ``stacklevel`` is passed to :func:`warnings.warn`.
    Returns the messages.
    """
    messages = []
    where = f"{scenario}: " if scenario else ""
    for row in check[check["flagged"]].to_dict("records"):
        kind = f"{row['kind']} " if row["kind"] else ""
        direction = "below" if row["bias"] < 0 else "above"
        message = (
            f"{where}warm-up looks too short for {kind}{row['place']!r}: its occupancy settles "
            f"only after day {row['truncation_days']:g} (MSER-5), later than the warm-up of "
            f"{row['warmup_days']:g} days, and its mean over the observed period is "
            f"{abs(row['bias']):.1%} {direction} the settled mean; consider a longer "
            "simulation.warmup_days"
        )
        warnings.warn(message, WarmupWarning, stacklevel=stacklevel)
        messages.append(message)
    return messages
