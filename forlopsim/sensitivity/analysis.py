"""Sobol indices of a sweep's KPIs: SALib's estimators on the mean over replications per point.

The sweep must have a ``sobol`` design (Saltelli's sample, in its order). For each KPI, the mean
over replications at each point is the model output Y; SALib.analyze.sobol gives the first-order
(S1) and total (ST) indices of every parameter with bootstrap confidence intervals, and with
``design.second_order`` the pairwise S2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from SALib.analyze import sobol

from forlopsim.errors import UsageError
from forlopsim.sweep.design import POINT, design_table, salib_problem
from forlopsim.sweep.spec import Sweep
from forlopsim.text import plural

CONFIDENCE = 0.95
RESAMPLES = 1000  # not a domain number: bootstrap resamples of SALib's confidence intervals
COLUMNS = ["kpi", "parameter", "S1", "S1_conf", "ST", "ST_conf"]


def point_means(results: pd.DataFrame, kpis: list[str]) -> pd.DataFrame:
    """Each KPI's mean over replications at every point (index ``point``)."""
    return results.groupby(POINT, sort=True)[kpis].mean()


def require_sobol(sweep: Sweep) -> None:
    """Sobol indices need Saltelli's sample: a :class:`UsageError` for any other design."""
    if sweep.spec.design.kind != "sobol":
        raise UsageError(
            f"{sweep.path}: design.kind: Sobol indices need a sobol design "
            f"(got {sweep.spec.design.kind})"
        )


def sobol_indices(
    sweep: Sweep,
    results: pd.DataFrame,
    kpis: list[str] | None = None,
    confidence: float = CONFIDENCE,
    seed: int = 0,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """First-order and total Sobol indices of each KPI, with ``confidence`` half-widths.

    Returns the table (columns ``kpi, parameter, S1, S1_conf, ST, ST_conf``, and ``S2`` pairs
    in ``S2_*`` columns with a second-order design) and the KPIs left out with the reason (a
    KPI undefined at some point, or one that does not vary).
    """
    require_sobol(sweep)
    design = design_table(sweep)
    names = kpis if kpis is not None else _kpi_columns(results, design)
    means = point_means(results, names).reindex(design.index)
    problem = salib_problem(sweep)
    rows, skipped = [], {}
    for kpi in names:
        y = means[kpi].to_numpy(dtype=float)
        if np.isnan(y).any():
            missing = int(np.isnan(y).sum())
            skipped[kpi] = f"undefined (or not yet run) at {missing} of {plural(len(y), 'point')}"
            continue
        if np.ptp(y) == 0:
            skipped[kpi] = "the same at every point"
            continue
        indices = sobol.analyze(
            problem,
            y,
            calc_second_order=sweep.spec.design.second_order,
            num_resamples=RESAMPLES,
            conf_level=confidence,
            seed=seed,
        )
        rows += _rows(kpi, problem["names"], indices, sweep.spec.design.second_order)
    return pd.DataFrame(rows, columns=_columns(rows)), skipped


def _kpi_columns(results: pd.DataFrame, design: pd.DataFrame) -> list[str]:
    return [c for c in results.columns if c not in {POINT, "replication", *design.columns}]


def _rows(kpi: str, names: list[str], indices: dict, second_order: bool) -> list[dict]:
    rows = []
    for i, name in enumerate(names):
        row = {
            "kpi": kpi,
            "parameter": name,
            "S1": float(indices["S1"][i]),
            "S1_conf": float(indices["S1_conf"][i]),
            "ST": float(indices["ST"][i]),
            "ST_conf": float(indices["ST_conf"][i]),
        }
        if second_order:
            for j, other in enumerate(names):
                if j != i:
                    a, b = min(i, j), max(i, j)
                    row[f"S2_{other}"] = float(indices["S2"][a, b])
        rows.append(row)
    return rows


def _columns(rows: list[dict]) -> list[str]:
    extra = [c for c in dict.fromkeys(k for row in rows for k in row) if c not in COLUMNS]
    return COLUMNS + extra
