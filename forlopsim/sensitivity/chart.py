"""The Sobol indices as a bar chart.

Per KPI, first-order and total index of each parameter with their confidence intervals
(Okabe–Ito colours with hatching, so it reads in greyscale).
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from forlopsim.report.charts import HATCHES, OKABE_ITO

COLUMNS_PER_ROW = 2
SHOWN = 8  # not a domain number: KPIs drawn; the table holds them all
INDICES = (("S1", "first order (S1)"), ("ST", "total (ST)"))


def sobol_chart(table: pd.DataFrame, title: str, footnote: str = "") -> Figure:
    """One panel per KPI (the first few), a group of bars per parameter.

    S1 beside ST, each with its confidence interval.
    """
    kpis = list(dict.fromkeys(table["kpi"]))[:SHOWN]
    cols = min(COLUMNS_PER_ROW, max(1, len(kpis)))
    rows = max(1, math.ceil(len(kpis) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(6 * cols, 3.8 * rows + 0.6), squeeze=False)
    fig.suptitle(title, fontsize=13, fontweight="bold")
    for ax, kpi in zip(axes.flat, kpis, strict=False):
        _panel(ax, table[table["kpi"] == kpi], kpi)
    for ax in axes.flat[len(kpis) :]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=8, loc="upper right")
    if footnote:
        fig.text(0.01, 0.005, footnote, fontsize=8, color="#333333", va="bottom")
    fig.tight_layout(rect=(0, 0.04, 1, 0.95))
    return fig


def _panel(ax, rows: pd.DataFrame, kpi: str) -> None:
    x = np.arange(len(rows))
    width = 0.38
    for i, (column, label) in enumerate(INDICES):
        ax.bar(
            x + (i - 0.5) * width,
            rows[column],
            width,
            yerr=rows[f"{column}_conf"],
            capsize=3,
            label=label,
            color=OKABE_ITO[i],
            hatch=HATCHES[i + 1],
            edgecolor="black",
            linewidth=0.6,
        )
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xticks(x, [_short(p) for p in rows["parameter"]], rotation=15, ha="right", fontsize=8)
    ax.set_title(kpi, fontsize=10)
    ax.set_ylabel("Sobol index (share of variance)")
    ax.set_xlabel("parameter")
    ax.grid(axis="y", alpha=0.3)


def _short(path: str) -> str:
    """The last parts of a dotted path, enough to tell parameters apart."""
    parts = path.split(".")
    return ".".join(parts[-2:]) if len(parts) > 2 else path
