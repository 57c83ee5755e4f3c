"""The Python API for notebooks and scripts: load, change, simulate, compare.

>>> import forlopsim
>>> base = forlopsim.load_scenario("scenarios/trondheim_baseline.yaml")
>>> quick = base.with_changes({"simulation.horizon_days": 1461, "simulation.warmup_days": 365})
>>> results = forlopsim.simulate(quick, replications=4, jobs=2)      # doctest: +SKIP
>>> results.summary()                                                # doctest: +SKIP
>>> middle = quick.with_changes({"housing.tiers.middle.capacity": 12})
>>> comparison = forlopsim.compare(quick, middle, replications=10)  # doctest: +SKIP
>>> comparison.differences()                                         # doctest: +SKIP

Every table is a tidy pandas DataFrame whose columns are listed in the method's docstring.

**Where records live.** A replication's event log is a few MB (about 240,000 rows for the
12-year baseline). Workers write each replication's records as Parquet to a temporary folder —
whatever the number of jobs, so ``jobs=1`` and ``jobs=4`` behave alike — and :class:`Results`
reads them only when asked, one replication at a time where it can. Measured on the baseline:
pickling a replication's records back to the parent costs about as much as writing and reading
Parquet (0.08 s against 0.09 + 0.04 s), but then all of them would sit in the parent's memory
(4.3 MB each, 430 MB for 100 replications) whether or not anyone looks at them; on disk they
take 1.9 MB each and no memory. The folder is removed by :meth:`Results.close`, on leaving a
``with`` block, or when the :class:`Results` object is garbage-collected.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd

from forlopsim.comparison import Comparison, compare_scenarios
from forlopsim.experiment import (
    WARMUP_STEP_DAYS,
    ReplicationResult,
    occupancy_table,
    read_records,
    replication_table,
    run_replications,
    summarise,
    warmup_check,
    warn_if_warmup_short,
)
from forlopsim.metrics import occupancy_series, waiting_series
from forlopsim.metrics.allocation import waiting_by_housing_series
from forlopsim.record_files import table_path
from forlopsim.records import Records
from forlopsim.scenario import Scenario, load_scenario
from forlopsim.stats import CONFIDENCE
from forlopsim.text import plural
from forlopsim.units import kpi_unit

ScenarioLike = Scenario | str | os.PathLike


def _scenario(scenario: ScenarioLike) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(Path(scenario))


class Results:
    """The replications of one scenario: KPI tables now, records when asked.

    Made by :func:`simulate`. ``scenario`` is the scenario that ran, ``seed`` the root seed;
    ``len(results)`` is the number of replications.
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        results: list[ReplicationResult],
        records_dir: Path | None = None,
        confidence: float = CONFIDENCE,
    ):
        self.scenario = scenario
        self.seed = seed
        self.confidence = confidence
        self._results = results
        self._table = replication_table(results)
        self._records_dir = records_dir
        self._cleanup = (
            weakref.finalize(self, shutil.rmtree, records_dir, True) if records_dir else None
        )

    def __len__(self) -> int:
        return len(self._results)

    def __repr__(self) -> str:
        kept = "records kept" if self._records_dir else "no records"
        return (
            f"<Results {self.scenario.name!r}: {plural(len(self), 'replication')}, seed {self.seed}, "
            f"{kept}>"
        )

    def __enter__(self) -> Results:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Delete the records' temporary folder (KPI tables stay available)."""
        if self._cleanup is not None:
            self._cleanup()
        self._records_dir = None

    # -- KPIs ----------------------------------------------------------------------------------

    def summary(self) -> pd.DataFrame:
        """Every KPI over replications, one row per KPI.

        Columns: ``kpi``, ``unit`` (``days``, ``share`` — a fraction —, ``residents``,
        ``per year``, ``NOK per year`` …, as in docs/kpis.md), ``mean``, ``sd``, ``n``
        (replications in which the KPI is defined), ``ci_low``, ``ci_high``, ``half_width``
        (Student-t interval, 95% by default; not clipped to the unit's range).
        """
        summary = summarise(self._table, self.confidence)
        summary.insert(1, "unit", [kpi_unit(name) for name in summary["kpi"]])
        return summary

    def replications(self) -> pd.DataFrame:
        """One row per replication: ``replication`` (0, 1, …), then one column per KPI.

        KPIs by dotted name, e.g. ``wait_days_of_placed.tier.staffed_24h``; NaN where undefined in that
        replication.
        """
        return self._table.reset_index()

    # -- records -------------------------------------------------------------------------------

    def replication_records(self, replication: int) -> Records:
        """The :class:`~forlopsim.records.Records` of one replication.

        Events, residents and meta, as :func:`forlopsim.engine.run_replication` returned them.
        """
        return read_records(self._folder(), replication)

    def records(self, replication: int | None = None) -> pd.DataFrame:
        """The event log of every replication (or of one), one row per event.

        Columns: ``replication``, then those of :mod:`forlopsim.records`: ``time`` (day),
        ``resident`` (id, unique within a replication), ``kind`` (see
        ``forlopsim.records.KINDS``), ``place``, ``origin``, ``cause``, ``need`` (1–4).
        """
        return self._read("events", replication)

    def residents(self, replication: int | None = None) -> pd.DataFrame:
        """Every resident of every replication (or of one), one row per resident.

        Columns: ``replication``, ``resident``, ``sex``, ``age_group``, ``problem``,
        ``violence_risk``, ``need`` (at referral), ``stream`` (referral stream, or ``initial``),
        ``referred_at`` (day).
        """
        return self._read("residents", replication)

    def occupancy(self, step_days: float = 7.0) -> pd.DataFrame:
        """Occupancy over time of every place in every replication, in bins of ``step_days``.

        Warm-up included (:func:`forlopsim.metrics.occupancy_series`).

        Columns: ``replication``, ``start`` (day the bin begins), ``place``, ``kind`` (tier,
        team, crisis_bed, institution), ``occupancy`` (time-weighted mean number present in
        the bin), ``capacity`` (NaN for unbounded places).
        """
        frames = [
            occupancy_series(self.replication_records(i), step_days).assign(replication=i)
            for i in self._replication_numbers()
        ]
        return _replication_first(_concat(frames))

    def waiting(self, step_days: float = 7.0) -> pd.DataFrame:
        """Length over time of every waiting list in every replication, in bins of ``step_days``.

        Warm-up included (:func:`forlopsim.metrics.waiting_series`), as :meth:`occupancy`.

        Columns: ``replication``, ``start`` (day the bin begins), ``place`` (the tier, team or
        institution whose list it is), ``kind`` (tier, team, institution), ``waiting``
        (time-weighted mean number on the list in the bin).
        """
        frames = [
            waiting_series(self.replication_records(i), step_days).assign(replication=i)
            for i in self._replication_numbers()
        ]
        return _replication_first(_concat(frames))

    def waiting_by_housing(self, step_days: float = 7.0) -> pd.DataFrame:
        """Length over time of every housing and team list, split by the applicants' housing.

        Columns: ``replication``, then those of
        :func:`forlopsim.metrics.allocation.waiting_by_housing_series` (``start, place, kind,
        housed, waiting``): applicants who hold a home (transfers) and those who do not.
        """
        frames = [
            waiting_by_housing_series(self.replication_records(i), step_days).assign(replication=i)
            for i in self._replication_numbers()
        ]
        return _replication_first(_concat(frames))

    def warmup_check(self) -> pd.DataFrame:
        """The MSER-5 warm-up check of every place.

        Columns as in :func:`forlopsim.experiment.warmup_check`; computed from the occupancy series
        the workers kept (weekly bins).
        """
        return warmup_check(occupancy_table(self._results), self.scenario.simulation.warmup_days)

    def _folder(self) -> Path:
        if self._records_dir is None:
            raise ValueError(
                "these results kept no records: run simulate(..., keep_records=True) "
                "and do not close() the results before reading them"
            )
        return self._records_dir

    def _replication_numbers(self) -> Iterator[int]:
        return (r.replication for r in self._results)

    def _read(self, name: str, replication: int | None) -> pd.DataFrame:
        folder = self._folder()
        numbers = self._replication_numbers() if replication is None else [replication]
        frames = [pd.read_parquet(table_path(folder, name, i)) for i in numbers]
        return _replication_first(_concat(frames))


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate, keeping categorical columns categorical (categories united)."""
    categorical = [
        c for c in frames[0].columns if isinstance(frames[0][c].dtype, pd.CategoricalDtype)
    ]
    table = pd.concat(frames, ignore_index=True)
    for column in categorical:
        if not isinstance(table[column].dtype, pd.CategoricalDtype):
            table[column] = table[column].astype("category")
    return table


def _replication_first(table: pd.DataFrame) -> pd.DataFrame:
    return table[["replication", *(c for c in table.columns if c != "replication")]]


def simulate(
    scenario: ScenarioLike,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    keep_records: bool = True,
    check_warmup: bool = True,
) -> Results:
    """Run the replications of a scenario (a :class:`~forlopsim.scenario.Scenario` or a path).

    ``replications`` and ``seed`` default to the scenario's; replication *i* uses the *i*-th
    child of ``SeedSequence(seed)``, so the results are the same for any ``jobs`` (worker
    processes). With ``keep_records`` the event records are kept on disk for
    :meth:`Results.records`, :meth:`~Results.residents`, :meth:`~Results.occupancy` and
    :meth:`~Results.waiting` (see the
    module's notes). With ``check_warmup``, a :class:`~forlopsim.experiment.WarmupWarning` names
    every place whose occupancy settles (MSER-5) only after the warm-up.

    Change a scenario in code with :meth:`Scenario.with_changes
    <forlopsim.scenario.Scenario.with_changes>`, which returns a validated copy::

        base = forlopsim.load_scenario("scenarios/trondheim_baseline.yaml")
        twelve = base.with_changes({"housing.tiers.middle.capacity": 12})
        results = forlopsim.simulate(twelve, replications=10, jobs=4)
        results.summary()
    """
    scenario = _scenario(scenario)
    n = scenario.simulation.replications if replications is None else replications
    root = scenario.simulation.seed if seed is None else seed
    folder = Path(tempfile.mkdtemp(prefix="forlopsim-records-")) if keep_records else None
    try:
        results = run_replications(scenario, n, root, jobs, folder, None, WARMUP_STEP_DAYS)
    except BaseException:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    outcome = Results(scenario, root, results, folder)
    if check_warmup:
        _warn(outcome.warmup_check(), scenario.name)
    return outcome


def compare(
    base: ScenarioLike,
    *whatifs: ScenarioLike,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    labels: Sequence[str] | None = None,
    check_warmup: bool = True,
) -> Comparison:
    """Run ``base`` and each what-if with common random numbers.

    See :class:`~forlopsim.comparison.Comparison` for ``summary()`` and ``differences()``.

    ``replications`` and ``seed`` default to the base's and apply to all. ``labels`` name the
    scenarios in the tables (default: their ``name``, duplicates numbered)::

        base = forlopsim.load_scenario("scenarios/trondheim_baseline.yaml")
        comparison = forlopsim.compare(
            base,
            base.with_changes({"housing.tiers.middle.capacity": 12}),
            "scenarios/missing_middle.yaml",
            labels=["baseline", "middle 12", "middle 20"],
        )
        comparison.differences().query("significant")
    """
    scenarios = [_scenario(s) for s in (base, *whatifs)]
    if not whatifs:
        raise ValueError("compare: give at least one what-if scenario after the base")
    comparison = compare_scenarios(
        scenarios[0],
        scenarios[1:],
        replications,
        seed,
        jobs,
        labels=labels,
        occupancy_step=WARMUP_STEP_DAYS if check_warmup else None,
    )
    if check_warmup:
        for label, scenario in comparison.scenarios.items():
            check = warmup_check(
                occupancy_table(comparison.results[label]), scenario.simulation.warmup_days
            )
            _warn(check, label)
    return comparison


def _warn(check: pd.DataFrame, label: str) -> None:
    # stacklevel 4: the warnings point at the caller of simulate() or compare()
    warn_if_warmup_short(check, label, stacklevel=4)


__all__ = ["Comparison", "Results", "compare", "load_scenario", "simulate"]
