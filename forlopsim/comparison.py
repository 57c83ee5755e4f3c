"""Scenario comparisons with common random numbers (DESIGN §4).

Every scenario runs the same replications: replication *i* of each uses the *i*-th child of
``SeedSequence(seed)``. Each kind of draw has its own random stream, so a what-if that changes
one part of the world leaves the other draws as they were (residents are referred at the same
times with the same attributes, and so on), and the per-replication difference between a what-if
and the base varies much less than either does. The confidence interval of a difference is the
Student-t interval of those paired, per-replication differences.

Significance is claimed for the :data:`HEADLINE_KPIS` only, and with Holm's correction for the
number of comparisons made (headline KPIs × what-ifs); a difference that is the same in every
replication is a fixed number, not an estimate, and is never called significant
(``docs/kpis.md``, "Which differences get a star").
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from forlopsim.backends import Backend, LocalBackend
from forlopsim.errors import UsageError
from forlopsim.experiment import ReplicationResult, replication_table, run_scenarios, summarise
from forlopsim.output import finite, write_scenario, write_summary
from forlopsim.precision import Precision, Rule, relative_half_widths
from forlopsim.record_files import RECORDS_FOLDER
from forlopsim.scenario import Scenario
from forlopsim.stats import CONFIDENCE, holm, row_intervals, t_p_value

if TYPE_CHECKING:
    from forlopsim.uncertainty.study import Uncertainty

SUMMARY_COLUMNS = ["scenario", "kpi", "mean", "sd", "n", "ci_low", "ci_high", "half_width"]
DIFFERENCE_COLUMNS = [
    "scenario",
    "kpi",
    "base_mean",
    "whatif_mean",
    "difference",
    "ci_low",
    "ci_high",
    "half_width",
    "n",
    "significant",
    "p_value",
    "p_holm",
]

HEADLINE_KPIS: tuple[str, ...] = (
    "homeless_mean",
    "homeless_days_per_resident_year",
    "residents_waiting.housing",
    "return_to_homelessness_12m",
    "readmission_90d",
    "turned_away_crises.share",
    "per_year.deaths",
    "wait_to_placement_median.tier.staffed_24h",
    "cost_per_year.total",
)
"""The KPIs for which a comparison claims significance, the only ones: the figures the hearing
report's summary leads with (homelessness, the housing lists, the revolving door, crisis-bed
turn-aways, deaths, the 24h wait and the running cost), tested with Holm's correction over these
KPIs × the what-ifs of the run. Every other KPI gets its interval and no significance; the cost
per payer is left out as it is a split of the total."""


def tested(differences: pd.DataFrame) -> int:
    """How many comparisons Holm's correction counted: the rows of ``differences`` with a p-value."""
    return int(differences["p_value"].notna().sum())


@dataclass
class Comparison:
    """The replications of a base scenario and its what-ifs, run with common random numbers.

    ``tables`` maps each scenario's label (base first) to its replication table: one row per
    replication (index ``replication``), one column per KPI.
    """

    base: str
    """Label of the base scenario."""
    tables: dict[str, pd.DataFrame]
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    """The scenario behind each label."""
    replications: int = 0
    seed: int = 0
    """Root seed shared by every scenario."""
    precision: Precision | None = None
    """Why it ran this many replications, when it ran until a precision (``--precision``)."""
    confidence: float = CONFIDENCE
    results: dict[str, list[ReplicationResult]] = field(default_factory=dict, repr=False)
    """The raw replication results (KPIs, timing, occupancy series if kept), by label."""
    uncertainty: Uncertainty | None = field(default=None, repr=False)
    """The parameter-uncertainty study run beside it (``--uncertainty``), if any."""

    @property
    def whatifs(self) -> list[str]:
        """Labels of the what-ifs, in the order given."""
        return [label for label in self.tables if label != self.base]

    def summary(self) -> pd.DataFrame:
        """Each scenario's KPIs over replications, one row per scenario and KPI.

        Columns: ``scenario`` (label), ``kpi``, ``mean``, ``sd``, ``n`` (replications in which
        the KPI is defined), ``ci_low``, ``ci_high``, ``half_width`` (Student-t interval at
        :attr:`confidence`).
        """
        frames = [
            summarise(table, self.confidence).assign(scenario=label)
            for label, table in self.tables.items()
        ]
        return pd.concat(frames, ignore_index=True)[SUMMARY_COLUMNS]

    def differences(self) -> pd.DataFrame:
        """Each what-if against the base, one row per what-if and KPI (the KPIs of either).

        Columns:

        ===========  ================================================================
        scenario     label of the what-if
        kpi          KPI name
        base_mean    the base's mean over its replications (as in :meth:`summary`)
        whatif_mean  the what-if's mean over its replications
        difference   mean of the per-replication differences what-if − base
        ci_low       lower end of the Student-t interval of ``difference``
        ci_high      upper end
        half_width   half-width of that interval (NaN with fewer than two pairs)
        n            replications where the KPI is defined in both (the pairs)
        significant  a headline KPI (:data:`HEADLINE_KPIS`) whose ``p_holm`` is below
                     1 − :attr:`confidence`; False for every other KPI
        p_value      two-sided paired t-test p-value, for headline KPIs whose paired
                     differences vary (NaN otherwise)
        p_holm       ``p_value`` adjusted by Holm's method over every row with a p-value
                     (headline KPIs × what-ifs)
        ===========  ================================================================

        When a KPI is undefined in some replications, ``difference`` averages only the pairs
        and may differ from ``whatif_mean − base_mean``. When the paired differences are all
        the same (:func:`forlopsim.stats.is_fixed`, e.g. a fixed cost), ``half_width`` is 0 and
        both ends are the difference: a fixed number, with no p-value and never significant.
        """
        base = self.tables[self.base]
        frames = [self._differences(label, base, self.tables[label]) for label in self.whatifs]
        frame = (
            pd.concat(frames, ignore_index=True)
            if frames
            else pd.DataFrame([], columns=DIFFERENCE_COLUMNS)
        )
        frame["p_holm"] = holm(frame["p_value"].to_numpy(dtype=float))
        frame["significant"] = (frame["p_holm"] < 1 - self.confidence).astype(bool)
        return frame

    def _differences(self, label: str, base: pd.DataFrame, whatif: pd.DataFrame) -> pd.DataFrame:
        """One what-if's rows: every KPI at once, as arrays (:func:`forlopsim.stats.row_intervals`).

        Bit for bit what one Student-t interval per KPI gives: the pairs are aligned on the
        replications as pandas aligns two columns (``whatif[kpi] - base[kpi]``), each KPI's
        values kept in that order.
        """
        kpis = list(dict.fromkeys([*base.columns, *whatif.columns]))
        index = _paired_index(base.index, whatif.index)
        paired = _by_kpi(whatif, kpis, index) - _by_kpi(base, kpis, index)
        stats = row_intervals(paired, self.confidence)
        half = np.where(stats.fixed, 0.0, stats.half_width)
        headline = np.isin(kpis, HEADLINE_KPIS)
        p_values = np.full(len(kpis), math.nan)
        for row in np.flatnonzero(headline):
            p_values[row] = t_p_value(paired[row])
        return pd.DataFrame(
            {
                "scenario": [label] * len(kpis),
                "kpi": kpis,
                "base_mean": row_intervals(_by_kpi(base, kpis)).mean,
                "whatif_mean": row_intervals(_by_kpi(whatif, kpis)).mean,
                "difference": stats.mean,
                "ci_low": stats.mean - half,
                "ci_high": stats.mean + half,
                "half_width": half,
                "n": stats.n.astype(np.int64),
                "significant": np.zeros(len(kpis), dtype=bool),
                "p_value": p_values,
                "p_holm": np.full(len(kpis), math.nan),
            },
            columns=DIFFERENCE_COLUMNS,
        )

    def paired_differences(self, label: str) -> pd.DataFrame:
        """Per-replication differences what-if − base (rows: replications, columns: KPIs)."""
        return self.tables[label].sub(self.tables[self.base])


def _paired_index(base: pd.Index, whatif: pd.Index) -> pd.Index:
    """The replications of the pairs, in the order pandas aligns ``whatif - base`` in."""
    if base.equals(whatif):
        return base
    return (pd.Series(0.0, index=whatif) - pd.Series(0.0, index=base)).index


def _by_kpi(table: pd.DataFrame, kpis: list[str], index: pd.Index | None = None) -> np.ndarray:
    """``table``'s values as floats: one row per KPI (NaN where it has none).

    One column per replication of ``index`` (default: the table's own, in its order).
    """
    aligned = table.reindex(columns=kpis) if index is None else table.reindex(index, columns=kpis)
    return np.ascontiguousarray(aligned.to_numpy(dtype=float).T)


def labels_for(scenarios: Sequence[Scenario], labels: Sequence[str] | None = None) -> list[str]:
    """Labels for the scenarios: the given ones, or the scenarios' names; duplicates numbered."""
    wanted = list(labels) if labels is not None else [s.name for s in scenarios]
    if len(wanted) != len(scenarios):
        raise ValueError(f"{len(wanted)} labels for {len(scenarios)} scenarios")
    unique: list[str] = []
    for label in wanted:
        candidate, k = label, 2
        while candidate in unique:
            candidate, k = f"{label} ({k})", k + 1
        unique.append(candidate)
    return unique


def folder_name(label: str) -> str:
    """A file-system-safe folder name for a scenario label."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", label).strip("._") or "scenario"


def check_folder_names(labels: Sequence[str], files: Sequence[Path]) -> None:
    """Refuse scenarios whose folders under ``--out`` would be one.

    Labels that differ only in what :func:`folder_name` replaces (``a b`` and ``a_b``, ``æ`` and
    ``ø``) or in case (one folder on macOS and Windows) would write into one folder.
    """
    seen: dict[str, int] = {}
    for k, label in enumerate(labels):
        key = folder_name(label).casefold()
        if key in seen:
            raise UsageError(
                f"{files[seen[key]]} and {files[k]}: both would be written to the folder "
                f"{folder_name(label)!r} under --out; rename one of the files"
            )
        seen[key] = k


def records_folder(records_dir: Path, label: str) -> Path:
    """Where :func:`compare_scenarios` puts a scenario's records: ``<folder name>/records``."""
    return Path(records_dir) / folder_name(label) / RECORDS_FOLDER


def compare_scenarios(
    base: Scenario,
    whatifs: Sequence[Scenario],
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    records_dir: Path | None = None,
    on_done: Callable[[ReplicationResult], None] | None = None,
    labels: Sequence[str] | None = None,
    occupancy_step: float | None = None,
    precision: float | None = None,
    max_replications: int = 100,
    backend: Backend | None = None,
) -> Comparison:
    """Run ``base`` and every what-if with common random numbers and pair their replications.

    ``replications`` and ``seed`` default to the base scenario's and apply to every scenario, so
    replication *i* of each uses the same seed. ``labels`` name the scenarios (default: their
    names, duplicates numbered). With ``records_dir``, each scenario's records are written as
    Parquet to ``records_dir/<label as folder name>/records/`` (the layout of
    ``forlopsim compare --out``). ``on_done`` is called after every replication of every
    scenario; ``occupancy_step`` keeps each replication's occupancy series for the warm-up
    check (:func:`forlopsim.experiment.warmup_check`).

    With ``precision``, ``replications`` is the first batch, and more follow (``jobs`` at a
    time) until every headline KPI's paired difference is within ``precision`` of the base's
    mean (:mod:`forlopsim.precision`), or ``max_replications`` have run.

    ``backend`` (default: ``jobs`` local processes) runs the replications, e.g. a
    :class:`~forlopsim.backends.DaskBackend`; the numbers do not depend on it. The precision
    rule's rounds are ``jobs`` replications whatever the backend, since where a round ends
    decides where the rule stops: so ``--jobs J`` gives the same numbers locally and on a cluster.
    """
    scenarios = [base, *whatifs]
    names = labels_for(scenarios, labels)
    n = base.simulation.replications if replications is None else replications
    root = base.simulation.seed if seed is None else seed
    dirs: list[Path | None] = [None] * len(scenarios)
    if records_dir is not None:
        paths = [records_folder(records_dir, name) for name in names]
        if len({str(d.parent).casefold() for d in paths}) < len(paths):
            raise ValueError(f"scenario labels {names} share a folder name")
        for d in paths:
            d.mkdir(parents=True, exist_ok=True)
        dirs = [*paths]
    backend = backend or LocalBackend(jobs)
    with backend:
        grouped = run_scenarios(
            scenarios, n, root, jobs, dirs, on_done, occupancy_step, backend=backend
        )
        reached = None
        if precision is not None:
            grouped, reached = _until_precise(
                scenarios, names, grouped, precision, max(max_replications, n), root,
                (backend, jobs), dirs, on_done, occupancy_step,
            )  # fmt: skip
            n = reached.replications
    return Comparison(
        base=names[0],
        tables={
            name: replication_table(results) for name, results in zip(names, grouped, strict=True)
        },
        scenarios=dict(zip(names, scenarios, strict=True)),
        replications=n,
        seed=root,
        results=dict(zip(names, grouped, strict=True)),
        precision=reached,
    )


def _until_precise(
    scenarios: list[Scenario],
    names: list[str],
    grouped: list[list[ReplicationResult]],
    target: float,
    maximum: int,
    root: int,
    workers: tuple[Backend, int],
    dirs: list[Path | None],
    on_done: Callable[[ReplicationResult], None] | None,
    occupancy_step: float | None,
) -> tuple[list[list[ReplicationResult]], Precision]:
    """More replications, ``jobs`` at a time on ``backend`` (``workers``), until the rule stops."""
    backend, jobs = workers
    rule = Rule(target, maximum)
    done = len(grouped[0])
    while True:
        tables = {
            name: replication_table(results) for name, results in zip(names, grouped, strict=True)
        }
        widths = relative_half_widths(tables, names[0], HEADLINE_KPIS)
        batch = rule.next_batch(done, widths, max(jobs, 1))
        if batch == 0:
            return grouped, rule.outcome(done)
        more = run_scenarios(
            scenarios, batch, root, 1, dirs, on_done, occupancy_step, start=done, backend=backend
        )
        grouped = [old + new for old, new in zip(grouped, more, strict=True)]
        done += batch


# -- files -------------------------------------------------------------------------------------


def _precision_json(precision: Precision) -> dict[str, Any]:
    """The precision rule's outcome for ``comparison.json`` (what ran and why)."""
    achieved = precision.achieved if math.isfinite(precision.achieved) else None
    return {
        "target": precision.target,
        "achieved": achieved,
        "reason": precision.reason,
        "least_precise": precision.widest,
        "rule": "Hoad, Robinson & Davies (2010), look-ahead 5",
    }


def write_comparison(
    folder: Path,
    comparison: Comparison,
    metas: dict[str, dict[str, Any]],
    checks: dict[str, pd.DataFrame],
    paths: Sequence[Path],
) -> None:
    """One folder per scenario (as ``forlopsim run --out`` writes) and the differences.

    The differences go to ``comparison.csv`` and ``comparison.json``; ``metas`` and ``checks``
    are each scenario's run facts and warm-up check, ``paths`` its file (base first).
    """
    summary = comparison.summary()
    files = dict(zip(comparison.scenarios, paths, strict=True))
    for label, scenario in comparison.scenarios.items():
        own = folder / folder_name(label)
        own.mkdir(exist_ok=True)
        table = comparison.tables[label]
        rows = summary[summary["scenario"] == label].drop(columns="scenario")
        meta = metas[label] | {"scenario_file": str(files[label])}
        write_summary(own, meta, rows.reset_index(drop=True), table)
        write_scenario(own, scenario, checks[label])
    differences = comparison.differences()
    differences.to_csv(folder / "comparison.csv", index=False)
    document = {
        "base": comparison.base,
        "scenarios": {
            label: {
                "name": scenario.name,
                "file": str(files[label]),
                "folder": folder_name(label),
            }
            for label, scenario in comparison.scenarios.items()
        },
        "replications": comparison.replications,
        "seed": comparison.seed,
        "precision": None
        if comparison.precision is None
        else _precision_json(comparison.precision),
        "common_random_numbers": True,
        "confidence": comparison.confidence,
        "significance": {
            "kpis": list(HEADLINE_KPIS),
            "correction": "holm",
            "comparisons": tested(differences),
            "alpha": round(1 - comparison.confidence, 12),
        },
        **{k: v for k, v in metas[comparison.base].items() if k in _SHARED_META},
        "differences": {
            label: {
                row["kpi"]: {
                    "base_mean": finite(row["base_mean"]),
                    "whatif_mean": finite(row["whatif_mean"]),
                    "difference": finite(row["difference"]),
                    "ci_low": finite(row["ci_low"]),
                    "ci_high": finite(row["ci_high"]),
                    "n": int(row["n"]),
                    "significant": bool(row["significant"]),
                    "p_value": finite(row["p_value"]),
                    "p_holm": finite(row["p_holm"]),
                }
                for row in differences[differences["scenario"] == label].to_dict("records")
            }
            for label in comparison.whatifs
        },
    }
    text = json.dumps(document, indent=2, ensure_ascii=False)
    (folder / "comparison.json").write_text(text + "\n")


_SHARED_META = ("jobs", "forlopsim_version", "created", "wall_seconds")
"""Run facts of the base that ``comparison.json`` repeats (the same for every scenario)."""
