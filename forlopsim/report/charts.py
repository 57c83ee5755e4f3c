"""The hearing report's charts, one matplotlib Figure each (Agg backend; nothing is shown).

Each function takes the :class:`~.data.ReportData` and a :class:`~.i18n.Language` and
returns the Figure.

Colours are Okabe–Ito (colour-blind safe), and every scenario also has its own hatching or
marker so the charts read in greyscale. Every chart has a title, axis labels with units and a
footnote with the number of replications.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Protocol, cast

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from forlopsim.growth import check_results
from forlopsim.metrics import still_housed
from forlopsim.metrics.spells import EXITED, HOMELESS, REFERRED
from forlopsim.report.data import ReportData, band, mean_moves
from forlopsim.report.i18n import Language
from forlopsim.table import clip_interval, row_at
from forlopsim.units import DAYS_PER_YEAR

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
HATCHES = ["", "//", "..", "xx", "\\\\", "++", "oo", "--"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1))]
DAYS_PER_MONTH = DAYS_PER_YEAR / 12


class _CostEffectRow(Protocol):
    """One row of :func:`cost_effect` as ``DataFrame.itertuples`` yields it."""

    scenario: str
    avoided: float
    avoided_low: float
    avoided_high: float
    effect_significant: bool
    cost: float
    cost_low: float
    cost_high: float
    per_day: float


def _style(i: int) -> dict:
    return {"color": OKABE_ITO[i % len(OKABE_ITO)], "hatch": HATCHES[i % len(HATCHES)]}


def _figure(title: str, footnote: str, size=(10, 5.5), rows: int = 1, cols: int = 1):
    fig, axes = plt.subplots(rows, cols, figsize=size, squeeze=False)
    fig.suptitle(title, fontsize=13, fontweight="bold")
    fig.text(0.01, 0.005, footnote, fontsize=8, color="#333333", va="bottom")
    return fig, axes


def _finish(fig: Figure) -> Figure:
    fig.tight_layout(rect=(0, 0.04, 1, 0.95))
    return fig


def _footnote(data: ReportData, lang: Language, key: str = "footnote", **extra) -> str:
    return lang.t(key, replications=data.replications, **extra)


def _legend_below(fig: Figure, ax, columns: int = 4) -> None:
    """The axes' legend below the plot, off the data."""
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=columns, fontsize=8, frameon=False,
               bbox_to_anchor=(0.5, 0.03))  # fmt: skip
    fig.tight_layout(rect=(0, 0.12, 1, 0.95))


def _summary(data: ReportData) -> pd.DataFrame:
    return data.summary


def _bars(
    ax, summary: pd.DataFrame, kpis: list[str], labels: list[str], scenarios, scale=1.0,
    label_of=str,
):  # fmt: skip
    """Grouped bars (one group per KPI, one bar per scenario) with 95% CI error bars.

    ``label_of`` gives a scenario's name in the legend.
    """
    width = 0.8 / max(len(scenarios), 1)
    x = np.arange(len(kpis))
    by = summary.set_index(["scenario", "kpi"])
    for i, label in enumerate(scenarios):
        rows = [by.loc[(label, k)] if (label, k) in by.index else None for k in kpis]
        mean = np.array([np.nan if r is None else r["mean"] for r in rows]) * scale
        ends = [
            (np.nan, np.nan) if r is None else clip_interval(k, r["ci_low"], r["ci_high"])
            for r, k in zip(rows, kpis, strict=True)
        ]  # a wait is never negative, a share never above 100%
        low = np.array([e[0] for e in ends]) * scale
        high = np.array([e[1] for e in ends]) * scale
        error = np.vstack([np.nan_to_num(mean - low), np.nan_to_num(high - mean)])
        style = _style(i)
        ax.bar(
            x + (i - (len(scenarios) - 1) / 2) * width,
            np.nan_to_num(mean),
            width,
            yerr=error,
            capsize=3,
            label=label_of(label),
            color=style["color"],
            hatch=style["hatch"],
            edgecolor="black",
            linewidth=0.6,
        )
    ax.set_xticks(x, labels, rotation=20, ha="right")
    ax.grid(axis="y", alpha=0.3)


def _kpis(summary: pd.DataFrame, prefix: str) -> list[str]:
    defined = summary.groupby("kpi")["mean"].apply(lambda v: v.notna().any())
    return [k for k in dict.fromkeys(summary["kpi"]) if k.startswith(prefix) and defined[k]]


def waits_chart(data: ReportData, lang: Language) -> Figure:
    """Median wait to placement (Kaplan–Meier) per housing tier and follow-up unit, 95% CIs."""
    summary = _summary(data)
    scenarios = list(data.comparison.scenarios)
    fig, axes = _figure(lang.t("chart_waits"), _footnote(data, lang), (11, 5.5), 1, 2)
    for ax, prefix, key in zip(
        axes[0],
        ("wait_to_placement_median.tier.", "wait_to_placement_median.unit."),
        ("chart_waits_tier", "chart_waits_unit"),
        strict=True,
    ):
        kpis = _kpis(summary, prefix)
        names = [lang.place(k[len(prefix) :]) for k in kpis]
        _bars(ax, summary, kpis, names, scenarios, label_of=lang.scenario)
        ax.set_title(lang.t(key))
        ax.set_ylabel(lang.t("waiting_days"))
    _legend_below(fig, axes[0][0])
    return fig


def occupancy_chart(data: ReportData, lang: Language) -> Figure:
    """Occupancy of each housing tier over time.

    Mean and 95% band over replications per month, capacity as a thin step line, the end of the
    warm-up marked.
    """
    occ = data.occupancy[data.occupancy["kind"] == "tier"]
    tiers = list(dict.fromkeys(occ["place"]))
    cols = 3
    rows = max(1, math.ceil(len(tiers) / cols))
    fig, axes = _figure(
        lang.t("chart_occupancy"), _footnote(data, lang), (12, 3.2 * rows + 1), rows, cols
    )
    bands = band(occ, ["scenario", "place", "start"], "occupancy")
    capacity = occ.groupby(["scenario", "place", "start"])["capacity"].first()
    warmup = next(iter(data.comparison.scenarios.values())).simulation.warmup_days
    for ax in axes.flat[len(tiers) :]:
        ax.axis("off")
    for ax, tier in zip(axes.flat, tiers, strict=False):
        for i, label in enumerate(data.comparison.scenarios):
            own = bands[(bands["scenario"] == label) & (bands["place"] == tier)]
            years = own["start"].to_numpy(float) / DAYS_PER_YEAR
            colour = OKABE_ITO[i % len(OKABE_ITO)]
            ax.plot(
                years,
                own["mean"],
                color=colour,
                linestyle=LINESTYLES[i % len(LINESTYLES)],
                label=lang.scenario(label),
            )
            low = own["low"].clip(lower=0)  # occupancy is never negative
            ax.fill_between(years, low, own["high"], color=colour, alpha=0.2, linewidth=0)
            cap = (
                capacity.loc[label, tier].to_numpy(float)
                if (label, tier) in capacity.index
                else None
            )
            if cap is not None and np.isfinite(cap).any():
                ax.step(years, cap, where="post", color=colour, linewidth=0.8, linestyle=":")
        ax.axvline(warmup / DAYS_PER_YEAR, color="grey", linewidth=0.8)
        ax.ticklabel_format(axis="y", useOffset=False)
        ax.set_ylim(bottom=0, top=max(1.0, ax.get_ylim()[1] * 1.05))
        ax.set_title(lang.place(tier), fontsize=10)
        ax.set_xlabel(lang.t("years"))
        ax.set_ylabel(lang.t("occupied"))
        ax.grid(alpha=0.3)
    if tiers:
        handles, labels = axes.flat[0].get_legend_handles_labels()
        handles.append(plt.Line2D([], [], color="black", linestyle=":", linewidth=0.8))
        labels.append(lang.t("capacity"))
        handles.append(plt.Line2D([], [], color="grey", linewidth=0.8))
        labels.append(lang.t("warmup_end"))
        fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=8, frameon=False,
                   bbox_to_anchor=(0.5, 0.03))  # fmt: skip
        fig.tight_layout(rect=(0, 0.1, 1, 0.95))
        return fig
    return _finish(fig)


LISTS_SHOWN = 9  # not a domain number: the waiting-list chart's panels (the longest lists)


def growing_lists(data: ReportData) -> set[str]:
    """The lists that keep growing in any scenario (:mod:`forlopsim.growth`)."""
    found: set[str] = set()
    for label, scenario in data.comparison.scenarios.items():
        sim = scenario.simulation
        check = check_results(data.comparison.results[label], sim.warmup_days, sim.horizon_days)
        found |= set(check[check["flagged"] & (check["what"] == "list")]["place"])
    return found


def waiting_chart(data: ReportData, lang: Language) -> Figure:
    """Length of each housing and team list over time, without a home and housed, per scenario.

    Means over replications per month; lists that keep growing are marked in their title.
    """
    waits = data.waiting if data.waiting is not None else pd.DataFrame()
    growing = growing_lists(data)
    fig, axes = _figure(
        lang.t("chart_waiting"), _footnote(data, lang, "footnote_waiting"), (12, 10), 3, 3
    )
    if waits.empty:
        return _finish(fig)
    mean = waits.groupby(["scenario", "place", "housed", "start"])["waiting"].mean()
    longest = mean.groupby(level="place").max().sort_values(ascending=False)
    places = [str(p) for p, v in longest.items() if v >= 1.0][:LISTS_SHOWN]
    for ax in axes.flat[len(places) :]:
        ax.axis("off")
    for ax, place in zip(axes.flat, places, strict=False):
        for i, label in enumerate(data.comparison.scenarios):
            colour = OKABE_ITO[i % len(OKABE_ITO)]
            for housed, style in ((False, "-"), (True, ":")):
                key = (label, place, housed)
                if key in mean.index:
                    own = cast("pd.Series", mean.loc[key])  # stubs know no tuple keys
                    ax.plot(
                        own.index / DAYS_PER_YEAR, own.to_numpy(), color=colour, linestyle=style
                    )
        title = lang.place(place) + (f" ▲ {lang.t('grows')}" if place in growing else "")
        ax.set_title(title, fontsize=9, color="#B22222" if place in growing else "black")
        ax.set_ylim(bottom=0)
        ax.set_xlabel(lang.t("years"), fontsize=8)
        ax.set_ylabel(lang.t("on_list"), fontsize=8)
        ax.grid(alpha=0.3)
    handles = [
        plt.Line2D([], [], color=OKABE_ITO[i % len(OKABE_ITO)], label=lang.scenario(label))
        for i, label in enumerate(data.comparison.scenarios)
    ]
    handles += [
        plt.Line2D([], [], color="black", linestyle="-", label=lang.t("without_home")),
        plt.Line2D([], [], color="black", linestyle=":", label=lang.t("housed")),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=8, frameon=False,
               bbox_to_anchor=(0.5, 0.02))  # fmt: skip
    fig.tight_layout(rect=(0, 0.1, 1, 0.95))
    return fig


def revolving_door_chart(data: ReportData, lang: Language) -> Figure:
    """Return to homelessness within 12 months and readmission within 90 days, per scenario."""
    summary = _summary(data)
    kpis = ["return_to_homelessness_12m", "readmission_90d"]
    fig, axes = _figure(lang.t("chart_revolving"), _footnote(data, lang), (9, 5.5))
    ax = axes[0][0]
    names = [lang.t(k) for k in kpis]
    _bars(ax, summary, kpis, names, list(data.comparison.scenarios), 100.0, lang.scenario)
    ax.set_ylabel(lang.t("share_percent"))
    _legend_below(fig, ax)
    return fig


TURN_AWAYS = "crisis_bed_turn_aways_per_year."
"""Crisis-bed turn-aways a year, per bed kind: counts, because new beds bring their own
requests, so a pooled share can rise while fewer people are turned away (issue 14)."""


def turn_away_chart(data: ReportData, lang: Language) -> Figure:
    """Crisis-bed requests turned away a year (a count), per bed kind and scenario."""
    summary = _summary(data)
    kpis = _kpis(summary, TURN_AWAYS)
    fig, axes = _figure(lang.t("chart_turn_away"), _footnote(data, lang), (9, 5.5))
    ax = axes[0][0]
    names = [k[len(TURN_AWAYS) :] for k in kpis]
    _bars(
        ax,
        summary,
        kpis,
        [lang.t("all_beds") if n == "all" else lang.place(n) for n in names],
        list(data.comparison.scenarios),
        1.0,
        lang.scenario,
    )
    ax.set_ylabel(lang.t("turn_aways_per_year"))
    _legend_below(fig, ax)
    return fig


def cost_chart(data: ReportData, lang: Language) -> Figure:
    """Running cost per year by kind of place, stacked, per scenario (NOK million)."""
    summary = _summary(data)
    kinds = _kpis(summary, "cost_per_year.by_kind.")
    means = summary.pivot(index="kpi", columns="scenario", values="mean")
    scenarios = list(data.comparison.scenarios)
    fig, axes = _figure(lang.t("chart_cost"), _footnote(data, lang, "footnote_means"), (9, 5.5))
    ax = axes[0][0]
    bottom = np.zeros(len(scenarios))
    for i, kpi in enumerate(kinds):
        values = np.nan_to_num(means.loc[kpi, scenarios].to_numpy(float)) / 1e6
        kind = kpi.rsplit(".", 1)[-1]
        name = lang.t(f"kind_{kind}") if lang.has(f"kind_{kind}") else lang.place(kind)
        style = _style(i)
        ax.bar(
            [lang.scenario(x) for x in scenarios],
            values,
            bottom=bottom,
            label=name,
            color=style["color"],
            hatch=style["hatch"],
            edgecolor="black",
            linewidth=0.6,
        )
        bottom += values
    ax.set_ylabel(lang.t("cost_mnok"))
    ax.tick_params(axis="x", labelrotation=15)
    ax.grid(axis="y", alpha=0.3)
    _legend_below(fig, ax)
    return fig


def cost_effect(data: ReportData) -> pd.DataFrame:
    """Per what-if: homeless days avoided and extra running cost per year, and their ratio.

    Days avoided per year and extra running cost per year (NOK), with 95% CIs, and NOK per
    homeless day avoided where the effect is significant (``homeless_mean`` is a headline KPI:
    after Holm's correction, :data:`forlopsim.comparison.HEADLINE_KPIS`), else NaN.

    Columns: ``scenario, avoided, avoided_low, avoided_high, effect_significant, cost,
    cost_low, cost_high, per_day``.
    """
    differences = data.differences.set_index(["scenario", "kpi"])
    rows = []
    for label in data.comparison.whatifs:
        h = row_at(differences, (label, "homeless_mean"))
        c = row_at(differences, (label, "cost_per_year.total"))
        avoided = -h["difference"] * DAYS_PER_YEAR
        per_day = c["difference"] / avoided if h["significant"] and avoided > 0 else math.nan
        rows.append(
            {
                "scenario": label,
                "avoided": avoided,
                "avoided_low": -h["ci_high"] * DAYS_PER_YEAR,
                "avoided_high": -h["ci_low"] * DAYS_PER_YEAR,
                "effect_significant": bool(h["significant"]),
                "cost": c["difference"],
                "cost_low": c["ci_low"],
                "cost_high": c["ci_high"],
                "per_day": per_day,
            }
        )
    return pd.DataFrame(rows)


def cost_effect_chart(data: ReportData, lang: Language) -> Figure:
    """Extra running cost against homeless days avoided per year, per what-if.

    With 95% CIs both ways; the cost per day avoided is written beside each point whose effect
    is measurable (significant after Holm's correction).
    """
    table = cost_effect(data)
    fig, axes = _figure(lang.t("chart_cost_effect"), _footnote(data, lang), (9, 6))
    ax = axes[0][0]
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.axvline(0, color="grey", linewidth=0.8)
    rows = cast("Iterator[_CostEffectRow]", table.itertuples())  # stubs know no columns
    for i, row in enumerate(rows):
        colour = OKABE_ITO[(i + 1) % len(OKABE_ITO)]
        x, y = row.avoided, row.cost / 1e6
        ax.errorbar(
            x,
            y,
            xerr=[[np.nan_to_num(x - row.avoided_low)], [np.nan_to_num(row.avoided_high - x)]],
            yerr=[
                [np.nan_to_num(y - row.cost_low / 1e6)],
                [np.nan_to_num(row.cost_high / 1e6 - y)],
            ],
            fmt=MARKERS[(i + 1) % len(MARKERS)],
            color=colour,
            markersize=8,
            capsize=3,
            label=lang.scenario(row.scenario),
        )
        if row.effect_significant and row.avoided > 0:
            note = (
                lang.t("per_day_avoided", value=lang.number(row.per_day, 0))
                if row.cost > 0
                else lang.t("cost_effect_free")
            )
        else:
            note = lang.t("effect_not_measurable")
        ax.annotate(note, (x, y), textcoords="offset points", xytext=(8, 8), fontsize=8)
    if table.empty:
        ax.text(0.5, 0.5, lang.t("no_data"), transform=ax.transAxes, ha="center")
    ax.set_xlabel(lang.t("homeless_days_avoided"))
    ax.set_ylabel(lang.t("extra_cost_mnok"))
    ax.grid(alpha=0.3)
    if not table.empty:
        _legend_below(fig, ax, 2)
        return fig
    return _finish(fig)


def retention_chart(data: ReportData, lang: Language) -> Figure:
    """Kaplan–Meier share of placements still housed, per non-temporary tier and scenario.

    Placements of all replications pooled; :func:`forlopsim.metrics.still_housed`.
    """
    spells = data.tenancies
    tiers = list(dict.fromkeys(spells["place"]))
    cols = 3
    rows = max(1, math.ceil(len(tiers) / cols))
    fig, axes = _figure(
        lang.t("chart_retention"),
        _footnote(data, lang, "footnote_pooled"),
        (12, 3.3 * rows + 1),
        rows,
        cols,
    )
    for ax in axes.flat[len(tiers) :]:
        ax.axis("off")
    for ax, tier in zip(axes.flat, tiers, strict=False):
        for i, label in enumerate(data.comparison.scenarios):
            own = spells[(spells["scenario"] == label) & (spells["place"] == tier)]
            if own.empty:
                continue
            durations = own["duration"].to_numpy(float)
            grid = np.linspace(0, durations.max(), 200)
            curve = np.asarray(still_housed(durations, own["lost"].to_numpy(bool), list(grid)))
            ax.step(
                grid / DAYS_PER_MONTH,
                curve * 100,
                where="post",
                color=OKABE_ITO[i % len(OKABE_ITO)],
                linestyle=LINESTYLES[i % len(LINESTYLES)],
                label=lang.scenario(label),
            )
        ax.set_title(lang.place(tier), fontsize=10)
        ax.set_xlabel(lang.t("months_since"))
        ax.set_ylabel(lang.t("still_housed"))
        ax.set_ylim(0, 102)
        ax.grid(alpha=0.3)
    if tiers:
        _legend_below(fig, axes.flat[0])
        return fig
    return _finish(fig)


GROUPS = ("referred", "homeless", "temporary", "housing", "staffed", "care", "exited")
"""The few states the flow chart groups places into, in the order drawn (top to bottom)."""


def group_of(data: ReportData) -> dict[str, str]:
    """Every location's group: temporary, (unstaffed) housing, staffed housing or care."""
    groups = {REFERRED: "referred", HOMELESS: "homeless", EXITED: "exited"}
    for scenario in data.comparison.scenarios.values():
        for name, tier in scenario.housing.tiers.items():
            kind = "temporary" if tier.temporary else "staffed" if tier.staff else "housing"
            groups.setdefault(name, kind)
        for name in [*scenario.crisis_beds, *scenario.institutions]:
            groups.setdefault(name, "care")
    return groups


def grouped_flows(data: ReportData, label: str) -> pd.DataFrame:
    """Mean moves per year between groups (:data:`GROUPS`): ``origin, place, per_year``."""
    flows = mean_moves(data.moves, label, data.replications)
    groups = group_of(data)
    flows = flows.assign(
        origin=flows["origin"].map(lambda x: groups.get(x, "care")),
        place=flows["place"].map(lambda x: groups.get(x, "care")),
    )
    return cast(pd.DataFrame, flows.groupby(["origin", "place"], as_index=False)["per_year"].sum())


def _band(ax, left: tuple[float, float], right: tuple[float, float], colour: str) -> None:
    """A band from a span on the left column (x=0) to one on the right (x=1), S-shaped."""
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    (l0, l1), (r0, r1) = left, right
    x0, x1, c = 0.06, 0.94, 0.5
    verts = [(x0, l0), (c, l0), (c, r0), (x1, r0), (x1, r1), (c, r1), (c, l1), (x0, l1), (x0, l0)]
    codes = [MplPath.MOVETO, *[MplPath.CURVE4] * 3, MplPath.LINETO, *[MplPath.CURVE4] * 3]
    codes.append(MplPath.CLOSEPOLY)
    ax.add_patch(PathPatch(MplPath(verts, codes), facecolor=colour, edgecolor="none", alpha=0.45))


def _stack(totals: dict[str, float], scale: float, gap: float) -> dict[str, float]:
    """The top of each group's bar in a column, from the top down."""
    tops, y = {}, 1.0
    for group in GROUPS:
        if totals.get(group, 0) > 0:
            tops[group] = y
            y -= totals[group] * scale + gap
    return tops


def flow_chart(data: ReportData, lang: Language, scenario: str | None = None) -> Figure:
    """Yearly moves between a few grouped states in one scenario (default: the base).

    An alluvial chart: where residents come from on the left, where they go on the right,
    band width ∝ mean moves per year.
    """
    label = scenario or data.comparison.base
    flows = grouped_flows(data, label)
    flows = flows[flows["per_year"] > 0]
    fig, axes = _figure(
        lang.t("chart_flow", scenario=lang.scenario(label)),
        _footnote(data, lang, "footnote_flow"),
        (10, 7),
    )
    ax = axes[0][0]
    ax.set_axis_off()
    out = {str(k): float(v) for k, v in flows.groupby("origin")["per_year"].sum().items()}
    into = {str(k): float(v) for k, v in flows.groupby("place")["per_year"].sum().items()}
    gap = 0.03
    shown = max(sum(out.values()), sum(into.values()), 1e-9)
    scale = (1.0 - gap * (len(GROUPS) - 1)) / shown
    left, right = _stack(out, scale, gap), _stack(into, scale, gap)
    used_left, used_right = dict(left), dict(right)
    for i, group in enumerate(GROUPS):
        for row in flows[flows["origin"] == group].itertuples():
            height = float(cast(float, row.per_year)) * scale
            a, b = used_left[group], used_right[str(row.place)]
            _band(ax, (a, a - height), (b, b - height), OKABE_ITO[i % len(OKABE_ITO)])
            used_left[group] -= height
            used_right[str(row.place)] -= height
    for tops, totals, x, align in ((left, out, 0.05, "right"), (right, into, 0.95, "left")):
        for group, top in tops.items():
            height = totals[group] * scale
            colour = OKABE_ITO[GROUPS.index(group) % len(OKABE_ITO)]
            ax.add_patch(
                plt.Rectangle(
                    (x - 0.01 if align == "right" else x, top - height),
                    0.01,
                    height,
                    color=colour,
                )
            )
            text = (
                f"{lang.t('group_' + group)}\n{lang.number(totals[group], 0)} {lang.t('per_year')}"
            )
            ax.text(
                x - 0.02 if align == "right" else x + 0.02,
                top - height / 2,
                text,
                ha=align,
                va="center",
                fontsize=8,
            )
    ax.text(0.0, 1.04, lang.t("from"), ha="right", fontsize=9, fontweight="bold")
    ax.text(1.0, 1.04, lang.t("to"), ha="left", fontsize=9, fontweight="bold")
    ax.set_xlim(-0.35, 1.35)
    ax.set_ylim(-0.02, 1.08)
    return _finish(fig)


CHARTS = (
    waiting_chart,
    waits_chart,
    occupancy_chart,
    revolving_door_chart,
    turn_away_chart,
    cost_chart,
    cost_effect_chart,
    retention_chart,
    flow_chart,
)
"""Every chart of the report, in the report's order."""
