"""What ``compare --uncertainty`` writes and prints: the draws, the summary and a short table."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
from rich.table import Table

from forlopsim.output import finite
from forlopsim.table import MILLION, PERCENT, Format, row_at
from forlopsim.uncertainty.study import SUMMARY_COLUMNS, Uncertainty
from forlopsim.units import kpi_unit

SOURCES = (
    "Briggs, Weinstein, Fenwick et al. (2012), Model parameter estimation and uncertainty "
    "analysis: ISPOR-SMDM Modeling Good Research Practices Task Force-6, Med Decis Making "
    "32:722-732",
    "O'Hagan, Stevenson & Madan (2007), Monte Carlo probabilistic sensitivity analysis for "
    "patient level simulation models, Health Economics 16:1009-1023",
)
"""Where the method comes from (probabilistic sensitivity analysis; noise against spread)."""


def write_uncertainty(folder: Path, result: Uncertainty, spec: Path) -> None:
    """``uncertainty.csv`` (one row per draw × what-if × KPI) and ``uncertainty.json``."""
    result.rows().to_csv(folder / "uncertainty.csv", index=False)
    text = json.dumps(uncertainty_document(result, spec), indent=2, ensure_ascii=False)
    (folder / "uncertainty.json").write_text(text + "\n")


def uncertainty_document(result: Uncertainty, spec: Path) -> dict[str, Any]:
    """The summary as ``uncertainty.json`` holds it: how it ran, the parameters, the numbers."""
    summary = result.summary()
    return {
        "spec": str(spec),
        "base": result.base,
        "draws": len(result.values),
        "inner_replications": result.replications,
        "seed": result.seed,
        "design": "Latin hypercube (scipy.stats.qmc) seeded from the run's seed",
        "inner_seeds": "draw d, replication i: replication d × inner_replications + i of the "
        "run's seed, the same for the base and every what-if (common random numbers)",
        "confidence": result.confidence,
        "parameters": {
            name: p.model_dump(mode="json", exclude_none=True)
            for name, p in result.spec.parameters.items()
        },
        "kpis": list(result.kpis),
        "sources": list(SOURCES),
        "summary": {
            label: {
                row["kpi"]: {
                    k: _plain(row[k]) for k in SUMMARY_COLUMNS if k not in ("scenario", "kpi")
                }
                for row in summary[summary["scenario"] == label].to_dict("records")
            }
            for label in result.whatifs
        },
    }


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    return finite(value)


def uncertainty_table(result: Uncertainty) -> Table:
    """Per what-if and headline KPI: change, chance it improves, 95% of draws, noise and spread."""
    summary = result.summary().set_index(["scenario", "kpi"])
    title = (
        f"Parameter uncertainty: {len(result.values)} draws × {result.replications} "
        f"replications, seed {result.seed}"
    )
    table = Table(title=title, title_justify="left", show_lines=False, pad_edge=False)
    for name in ("what-if", "KPI", "Δ", "P(improves)", "95% of draws", "noise sd", "param. sd"):
        table.add_column(name, justify="left" if name in ("what-if", "KPI") else "right")
    for label in result.whatifs:
        for kpi in result.kpis:
            if (label, kpi) in summary.index:
                table.add_row(label, kpi, *_cells(row_at(summary, (label, kpi)), kpi_format(kpi)))
    return table


def kpi_format(kpi: str) -> Format:
    """How the table prints a KPI: shares in per cent, costs in NOK million, the rest as is."""
    return {"share": PERCENT, "NOK per year": MILLION}.get(kpi_unit(kpi), Format())


def _cells(row: pd.Series, fmt: Format) -> list[str]:
    chance = "–" if math.isnan(row["p_improves"]) else f"{row['p_improves']:.0%}"
    if row["p_lower"] == row["p_higher"] == 0:
        chance = "no change"
    sds = [math.sqrt(row[k]) for k in ("noise_variance_of_mean", "parameter_variance")]
    return [
        fmt.signed(row["difference"]),
        chance,
        f"{fmt.signed(row['low'])} to {fmt.signed(row['high'])}",
        *(Format(fmt.scale, fmt.decimals)(s) for s in sds),
    ]


def uncertainty_note(result: Uncertainty) -> str:
    """What the table's columns mean, in one paragraph."""
    return (
        f"Δ: what-if − {result.base}, mean over {len(result.values)} draws of the uncertain "
        "parameters (each draw applied to the base and every what-if, "
        f"{result.replications} replications each with common random numbers). P(improves): "
        "share of draws in which the what-if lowers the KPI (raises it where higher is better). "
        "95% of draws: 2.5 to 97.5 percentiles of the draws' differences. noise sd: the "
        "simulation noise of one draw's difference; param. sd: the spread between draws that "
        "the parameters cause, noise taken out (docs/uncertainty.md)."
    )
