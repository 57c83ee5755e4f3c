"""The report's section on parameter uncertainty, when it ran with ``--uncertainty``.

One chart (each what-if's change in every headline KPI over the parameter draws, relative to the
base, with the 95% interval over draws and the chance that it improves) and its table, in the
report's languages. :func:`section` gives the blocks and the numbers for ``report.json``; the
report adds them after its charts.
"""

from __future__ import annotations

import math
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure as MplFigure

from forlopsim.report.data import ReportData
from forlopsim.report.i18n import Language
from forlopsim.uncertainty.study import Uncertainty

COLOUR = "#0072B2"  # Okabe–Ito blue, as the report's first series


def section(data: ReportData, lang: Language, number: int) -> tuple[list[Any], dict[str, Any]]:
    """The section's blocks (heading, text, chart ``number``, table) and its numbers; none unused."""
    from forlopsim.report.document import Figure, Heading, Paragraph, Table, _png

    result = data.comparison.uncertainty
    if result is None:
        return [], {}
    relative = relative_changes(result)
    fig = chart(result, relative, lang)
    caption = lang.t("caption", n=number, title=fig.get_suptitle())
    header, rows = table_rows(result, lang)
    blocks = [
        Heading(lang.t("unc_heading")),
        Paragraph(
            lang.t(
                "unc_intro",
                draws=len(result.values),
                replications=result.replications,
                parameters=", ".join(result.spec.parameters),
            )
        ),
        Figure(_png(fig), caption),
        Table(header, rows),
    ]
    record = result.summary().to_dict(orient="records")
    return blocks, {"uncertainty": {"draws": len(result.values), "summary": record}}


def label(lang: Language, kpi: str) -> str:
    """A headline KPI's name in the language (the report's own words where it has them)."""
    for key in (kpi, f"unc_kpi:{kpi}"):
        if lang.has(key):
            return lang.t(key)
    return kpi


def relative_changes(result: Uncertainty) -> pd.DataFrame:
    """Each draw's difference as a percentage of the base's level over the draws.

    Columns ``scenario, kpi, draw, percent``; KPIs whose base level is 0 or undefined, or that
    never change, are left out (no relative change to show).
    """
    rows = result.rows().dropna(subset=["difference"])
    level = rows.groupby("kpi")["base_mean"].transform("mean")
    rows = rows.assign(percent=rows["difference"] / level * 100)
    rows = rows[np.isfinite(rows["percent"])]
    moving = rows.groupby(["scenario", "kpi"])["percent"].transform(lambda v: (v != 0).any())
    return rows[moving.astype(bool)][["scenario", "kpi", "draw", "percent"]]


def chart(result: Uncertainty, relative: pd.DataFrame, lang: Language) -> MplFigure:
    """One panel per what-if: every draw's change per KPI, its 2.5–97.5% range and P(improves)."""
    chances = {
        (str(r["scenario"]), str(r["kpi"])): float(r["p_improves"])
        for r in result.summary().to_dict("records")
    }
    kpis = [k for k in result.kpis if k in set(relative["kpi"])]
    panels = max(len(result.whatifs), 1)
    fig, axes = plt.subplots(
        panels, 1, figsize=(9, 1.2 + panels * (0.5 * max(len(kpis), 1) + 0.6)), squeeze=False
    )
    fig.suptitle(lang.t("unc_chart"), fontsize=13, fontweight="bold")
    footnote = lang.t("unc_footnote", draws=len(result.values), replications=result.replications)
    fig.text(0.01, 0.005, footnote, fontsize=8, color="#333333", va="bottom")
    for ax, name in zip(axes[:, 0], result.whatifs, strict=False):
        _panel(ax, relative[relative["scenario"] == name], chances, name, kpis, lang)
    fig.tight_layout(rect=(0, 0.04, 1, 0.95))
    return fig


def _panel(
    ax: Any,
    own: pd.DataFrame,
    chances: dict[tuple[str, str], float],
    name: str,
    kpis: list[str],
    lang: Language,
) -> None:
    """One what-if: a row per KPI, draws as dots, the 95% range as a bar, P(improves) beside."""
    for y, kpi in enumerate(kpis):
        values = own.loc[own["kpi"] == kpi, "percent"].to_numpy(float)
        if len(values) == 0:
            continue
        low, high = np.percentile(values, [2.5, 97.5])
        ax.plot([low, high], [y, y], color=COLOUR, linewidth=5, alpha=0.35, solid_capstyle="butt")
        ax.scatter(values, np.full(len(values), y), s=10, color=COLOUR, zorder=3)
        ax.scatter([values.mean()], [y], marker="D", s=30, color="black", zorder=4)
        chance = chances.get((name, kpi), math.nan)
        text = "–" if math.isnan(chance) else lang.number(100 * chance, 0) + lang.t("unit_percent")
        ax.annotate(
            lang.t("unc_chance", chance=text), (1.01, y), xycoords=("axes fraction", "data"),
            va="center", fontsize=8,
        )  # fmt: skip
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(kpis)), [label(lang, k) for k in kpis], fontsize=8)
    ax.set_ylim(-0.6, len(kpis) - 0.4)
    ax.invert_yaxis()
    ax.set_title(name, fontsize=10, loc="left")
    ax.set_xlabel(lang.t("unc_axis"), fontsize=8)
    ax.grid(axis="x", alpha=0.3)


def table_rows(result: Uncertainty, lang: Language) -> tuple[list[str], list[list[str]]]:
    """The chart's numbers as a table: per what-if and KPI, change, chance, range and noise."""
    columns = ("whatif", "kpi", "change", "chance", "range", "noise")
    header = [lang.t(f"unc_col_{c}") for c in columns]
    summary = result.summary().dropna(subset=["difference"])
    return header, [_row(r, lang) for r in summary.to_dict("records")]


def _row(r: dict[Any, Any], lang: Language) -> list[str]:
    kpi = str(r["kpi"])
    decimals = 3 if "share" in kpi or kpi.startswith(("return_", "readmission_")) else 1
    share = float(r["parameter_share"])
    unchanged = r["p_lower"] == r["p_higher"] == 0
    return [
        str(r["scenario"]),
        label(lang, kpi),
        lang.signed(float(r["difference"]), decimals),
        "–" if unchanged else _percent(lang, float(r["p_improves"])),
        lang.t(
            "unc_range",
            low=lang.signed(float(r["low"]), decimals),
            high=lang.signed(float(r["high"]), decimals),
        ),
        _percent(lang, 1 - share if math.isfinite(share) else math.nan),
    ]


def _percent(lang: Language, x: float) -> str:
    return "–" if math.isnan(x) else lang.number(100 * x, 0) + lang.t("unit_percent")
