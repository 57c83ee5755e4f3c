"""The hearing report's content, built once as a list of blocks and written as HTML and PDF.

:func:`build` turns a :class:`~.data.ReportData` into blocks — headings, paragraphs, tables,
figures — in the report's order: the summary (one paragraph per what-if), the key-figure
tables, the charts, the assumptions. :func:`write_html` and :func:`write_pdf` render the same
blocks, so both files say the same. The HTML is self-contained: CSS inline, charts as base64
PNG. The PDF is made by fpdf2 (pure Python) with matplotlib's DejaVu fonts.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NotRequired, TypedDict

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure as MplFigure

import forlopsim
from forlopsim.comparison import tested
from forlopsim.growth import check_results, rounded
from forlopsim.precision import FEW_REPLICATIONS, LOOK_AHEAD, Precision
from forlopsim.report import charts, stress, summary
from forlopsim.report.assumptions import assumption_rows, changed_fields, zero_one_off
from forlopsim.report.data import ReportData
from forlopsim.report.i18n import Language
from forlopsim.report.names import about, named
from forlopsim.table import PERCENT, SIGNIFICANT, Format, headlines, number_at, row_at
from forlopsim.units import DAYS_PER_YEAR

CHART_DPI = 90  # not a domain number: resolution of the embedded charts (keeps files small)


@dataclass
class Heading:
    """A heading; level 0 is the title."""

    text: str
    level: int = 1


@dataclass
class Paragraph:
    """A paragraph of plain text."""

    text: str
    lead: str = ""
    """Printed in bold before ``text``."""


@dataclass
class Table:
    """A table of printed cells."""

    header: list[str]
    rows: list[list[str]]
    sections: dict[int, str] = field(default_factory=dict)
    """Section headings to print before the row of that index."""
    kpis: list[str] = field(default_factory=list)
    """The KPI of each row (for the HTML's ``data-kpi``), if any."""
    text_columns: frozenset[int] = frozenset({0})
    """The columns of words, set flush left; the others hold numbers and are set flush right."""

    def aligned_left(self, column: int) -> bool:
        """Whether ``column`` holds words (flush left) rather than numbers."""
        return column in self.text_columns


@dataclass
class Figure:
    """A chart as PNG with its caption."""

    png: bytes
    caption: str


Block = Heading | Paragraph | Table | Figure


# -- numbers ---------------------------------------------------------------------------------


def value(lang: Language, fmt: Format, x: float | None) -> str:
    """A KPI's value as the tables print it, in the language."""
    if x is None or math.isnan(x):
        return "–"
    suffix = lang.t("unit_percent") if fmt is PERCENT else ""
    return lang.number(x * fmt.scale, fmt.decimals) + suffix


def change(lang: Language, fmt: Format, x: float | None, unit: bool = True) -> str:
    """A difference, signed, in the difference's unit.

    That is percentage points for shares; the unit is left off with ``unit=False``, as in the
    ends of a confidence interval.
    """
    if x is None or math.isnan(x):
        return "–"
    suffix = lang.t("unit_pp") if fmt is PERCENT and unit else ""
    return lang.signed(x * fmt.scale, fmt.decimals) + suffix


# -- summary ---------------------------------------------------------------------------------

DAYS = Format(decimals=0)
RESIDENTS = Format(decimals=1)
SHARE = PERCENT

SUMMARY_KPIS: list[tuple[str, str, Format]] = [
    ("residents_waiting.housing", "s_waiting_housing", RESIDENTS),
    ("homeless_mean", "s_homeless", RESIDENTS),
    ("return_to_homelessness_12m", "s_return", SHARE),
    ("readmission_90d", "s_readmission", SHARE),
]
"""The figures every what-if's paragraph reports (then the waits of tiers that changed).

No pooled turn-away share: new beds bring their own requests, so the share of all crisis-bed
requests turned away can rise while far more are admitted; the counts per bed kind follow."""
WAIT_KPIS: list[tuple[str, str, Format]] = [
    ("wait_to_placement_median.tier.", "s_wait_tier", DAYS),
    ("placed_within_365d.tier.", "s_placed_tier", SHARE),
]
"""The waits a paragraph reports for each tier where they changed measurably."""


def whatif_paragraph(data: ReportData, label: str, lang: Language) -> Paragraph:
    """One plain-language paragraph: what changed measurably, what did not, what it costs."""
    diffs = data.differences
    own = diffs[diffs["scenario"] == label].set_index("kpi")
    items = [(k, lang.t(key), fmt) for k, key, fmt in SUMMARY_KPIS]
    items += [
        (k, lang.t(key, tier=lang.place(k.split(".", 2)[2])), fmt)
        for prefix, key, fmt in WAIT_KPIS
        for k in own.index
        if k.startswith(prefix) and bool(number_at(own, k, "significant"))
    ]
    changed, same = [], []
    for kpi, what, fmt in items:
        if kpi not in own.index or math.isnan(number_at(own, kpi, "difference")):
            continue
        row = row_at(own, kpi)
        if fixed(row) and row["difference"] != 0:
            changed.append(
                lang.t("changed_fixed", what=what, change=change(lang, fmt, row["difference"]))
            )
        elif row["significant"]:
            changed.append(
                lang.t(
                    "changed",
                    what=what,
                    change=change(lang, fmt, row["difference"]),
                    low=change(lang, fmt, row["ci_low"], unit=False),
                    high=change(lang, fmt, row["ci_high"], unit=False),
                )
                + _who_waits(own, kpi, lang)
            )
        else:
            same.append(what)
    money = _money(row_at(own, "cost_per_year.total"), lang)
    one_off = number_at(own, "cost_one_off.new_places", "whatif_mean") - number_at(
        own, "cost_one_off.new_places", "base_mean"
    )
    if one_off > 0:
        money += " (" + lang.t("one_off", value=lang.number(one_off / 1e6, 1)) + ")"
    parts = changed or [lang.t("no_changes")]
    text = "; ".join([*parts, money]) + "."
    if same:
        text += " " + lang.t("unchanged", what=", ".join(same))
    effect = row_at(charts.cost_effect(data).set_index("scenario"), label)
    if effect["effect_significant"] and effect["avoided"] > 0:
        if effect["cost"] > 0:
            text += " " + lang.t("cost_effect_sentence", value=lang.number(effect["per_day"], 0))
        else:
            text += " " + lang.t("cost_effect_free")
    else:
        text += " " + lang.t("cost_effect_none")
    return Paragraph(text, lead=lang.t("changes_lead"))


def _who_waits(own: pd.DataFrame, kpi: str, lang: Language) -> str:
    """For the housing lists: who the change is, applicants without a home and housed ones."""
    parts = [f"residents_waiting.housing_{k}" for k in ("without_home", "housed")]
    if kpi != "residents_waiting.housing" or not all(p in own.index for p in parts):
        return ""
    without, housed = (number_at(own, p, "difference") for p in parts)
    return lang.t(
        "who_waits",
        without=change(lang, RESIDENTS, without),
        housed=change(lang, RESIDENTS, housed),
    )


def fixed(row: pd.Series) -> bool:
    """Whether a difference is the same in every replication (no interval: a fixed number)."""
    return bool(row["half_width"] == 0)


def _money(cost: pd.Series, lang: Language) -> str:
    """The running cost's change: fixed, significant (with its interval) or not measurable."""
    million = Format(scale=1e-6, decimals=1)
    if fixed(cost) and cost["difference"] != 0:
        return lang.t("cost_change_fixed", change=change(lang, million, cost["difference"]))
    if cost["significant"]:
        return lang.t(
            "cost_change",
            change=change(lang, million, cost["difference"]),
            low=change(lang, million, cost["ci_low"]),
            high=change(lang, million, cost["ci_high"]),
        )
    return lang.t("cost_same")


def replications_sentence(precision: Precision, lang: Language) -> str:
    """How many replications ran and why, when they ran until a precision (STRESS-DES 4.3)."""
    target = f"{lang.number(100 * precision.target, 0)} %"
    if precision.reason == "precision":
        return lang.t(
            "replications_precise", n=precision.replications, target=target, look=LOOK_AHEAD
        )
    achieved = (
        f"{lang.number(100 * precision.achieved, 1)} %"
        if math.isfinite(precision.achieved)
        else "–"
    )
    return lang.t(
        "replications_maximum", n=precision.replications, target=target, achieved=achieved
    )


def growth_paragraph(data: ReportData, lang: Language) -> Paragraph | None:
    """Every list and place that keeps growing (:mod:`forlopsim.growth`), in plain words.

    One sentence per list or place, naming the scenarios it grows in (or saying it grows in
    all); None when nothing keeps growing.
    """
    grown: dict[tuple[str, str], list[tuple[str, float]]] = {}
    years = ""
    for label, scenario in data.comparison.scenarios.items():
        sim = scenario.simulation
        check = check_results(data.comparison.results[label], sim.warmup_days, sim.horizon_days)
        years = lang.number((sim.horizon_days - sim.warmup_days) / DAYS_PER_YEAR, 0)
        for row in check[check["flagged"]].to_dict("records"):
            grown.setdefault((row["what"], row["place"]), []).append(
                (lang.scenario(label), rounded(row["growth"]))
            )
    if not grown:
        return None
    everywhere = len(data.comparison.scenarios)
    sentences = [
        lang.t(
            "growth_list" if what == "list" else "growth_place",
            place=lang.place(place),
            growth=_span([growth for _, growth in found], lang),
            years=years,
            where=lang.t("growth_everywhere")
            if len(found) == everywhere
            else lang.t("growth_in", names=", ".join(name for name, _ in found)),
        )
        for (what, place), found in grown.items()
    ]
    sentences.append(lang.t("growth_meaning"))
    return Paragraph(" ".join(sentences), lead=lang.t("growth_lead"))


def _span(values: list[float], lang: Language) -> str:
    """One number, or the lowest and highest as a range ("15–19")."""
    low, high = min(values), max(values)
    if low == high:
        return lang.number(low, 0)
    return f"{lang.number(low, 0)}–{lang.number(high, 0)}"


# -- tables ----------------------------------------------------------------------------------


class KpiRow(TypedDict):
    """One row of a what-if's key-figure table: the raw numbers and, once printed, the cells."""

    kpi: str
    section: str
    label: str
    format: Format
    base_mean: float
    whatif_mean: float
    difference: float
    ci_low: float
    ci_high: float
    significant: bool
    fixed: bool
    cells: NotRequired[list[str]]


def kpi_rows(data: ReportData, label: str) -> list[KpiRow]:
    """The headline rows of one what-if's table, with raw numbers and the printed cells."""
    summary = data.summary
    means = summary.pivot(index="kpi", columns="scenario", values="mean")
    diffs = data.differences
    own = diffs[diffs["scenario"] == label].set_index("kpi")
    base = data.comparison.base
    rows: list[KpiRow] = []
    for h in headlines(means.index, lambda name: bool(means.loc[name].notna().any())):
        if h.kpi not in own.index:
            continue
        row = row_at(own, h.kpi)
        rows.append(
            {
                "kpi": h.kpi,
                "section": h.section,
                "label": h.label,
                "format": h.format,
                "base_mean": float(number_at(means, h.kpi, base)),
                "whatif_mean": float(number_at(means, h.kpi, label)),
                "difference": float(row["difference"]),
                "ci_low": float(row["ci_low"]),
                "ci_high": float(row["ci_high"]),
                "significant": bool(row["significant"]),
                "fixed": fixed(row),
            }
        )
    return rows


def _of(counts: pd.Series, key: tuple[str, str], replications: int, lang: Language) -> str:
    """`` (4 av 10)`` after a mean computed over only some replications, else nothing."""
    n = int(counts.get(key, replications))
    return lang.t("of_replications", n=n, total=replications) if n < replications else ""


def kpi_table(data: ReportData, label: str, lang: Language) -> tuple[Table, list[KpiRow]]:
    """One what-if's key figures: base, what-if, Δ (marked when significant) and its CI.

    A difference that is the same in every replication gets no interval but the words saying
    so; only headline KPIs can be marked (:data:`forlopsim.comparison.HEADLINE_KPIS`).
    """
    rows = kpi_rows(data, label)
    header = [lang.t("kpi"), lang.scenario(data.comparison.base), lang.scenario(label), "Δ"]
    header.append(lang.t("ci"))
    counts = data.summary.set_index(["scenario", "kpi"])["n"]
    scenarios = (data.comparison.base, label)
    cells: list[list[str]] = []
    sections: dict[int, str] = {}
    current = None
    for i, r in enumerate(rows):
        if r["section"] != current:
            sections[i] = lang.t(r["section"])
            current = r["section"]
        fmt = r["format"]
        label_text = lang.t(r["kpi"]) if lang.has(r["kpi"]) else lang.place(r["label"])
        ci = "–"
        if r["fixed"]:
            ci = lang.t("fixed")
        elif not (math.isnan(r["ci_low"]) or math.isnan(r["ci_high"])):
            ci = f"{change(lang, fmt, r['ci_low'], False)} … {change(lang, fmt, r['ci_high'], False)}"
        means = [
            value(lang, fmt, x) + _of(counts, (s, r["kpi"]), data.replications, lang)
            for x, s in zip((r["base_mean"], r["whatif_mean"]), scenarios, strict=True)
        ]
        r["cells"] = [
            label_text,
            *means,
            change(lang, fmt, r["difference"]) + (f" {SIGNIFICANT}" if r["significant"] else ""),
            ci,
        ]
        cells.append(r["cells"])
    return Table(header, cells, sections, [r["kpi"] for r in rows]), rows


# -- crisis beds -----------------------------------------------------------------------------

CRISIS_COUNTS = (
    "crisis_bed_requests_per_year",
    "crisis_bed_admissions_per_year",
    "crisis_bed_turn_aways_per_year",
)
"""Requests, admissions and turn-aways per year: the counts a turn-away share hides."""


def crisis_table(data: ReportData, label: str, lang: Language) -> Table | None:
    """Per bed kind used in either scenario: requests, admissions, turn-aways per year.

    Base → what-if, the turn-away share only beside its count; None when no bed is used.
    """
    own = data.differences[data.differences["scenario"] == label].set_index("kpi")
    beds = [
        k.split(".", 1)[1]
        for k in own.index
        if k.startswith(CRISIS_COUNTS[0] + ".")
        and max(number_at(own, k, "base_mean"), number_at(own, k, "whatif_mean")) > 0
    ]
    if not beds:
        return None
    if len(beds) == 2:
        beds.remove("all")  # one kind of bed: its row is the total
    rows = []
    for bed in beds:
        cells = [lang.t("all_beds") if bed == "all" else lang.place(bed)]
        for kpi in CRISIS_COUNTS:
            a, b = (number_at(own, f"{kpi}.{bed}", c) for c in ("base_mean", "whatif_mean"))
            cells.append(f"{lang.number(a, 0)} → {lang.number(b, 0)}")
        share = [number_at(own, f"turn_away.{bed}", c) for c in ("base_mean", "whatif_mean")]
        cells[-1] += " (" + " → ".join(value(lang, PERCENT, x) for x in share) + ")"
        rows.append(cells)
    header = [lang.t("bed_kind"), lang.t("requests"), lang.t("admissions"), lang.t("turn_aways")]
    return Table(header, rows)


# -- the report --------------------------------------------------------------------------------


def _png(fig: MplFigure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=CHART_DPI)
    plt.close(fig)
    return buffer.getvalue()


def page_one(data: ReportData, lang: Language) -> list[Block]:
    """The title, then one line per what-if (:mod:`.summary`) and how many replications ran."""
    comparison = data.comparison
    sim = comparison.scenarios[comparison.base].simulation
    years = (sim.horizon_days - sim.warmup_days) / DAYS_PER_YEAR
    blocks: list[Block] = [
        Heading(lang.t("title"), 0),
        Paragraph(
            lang.t(
                "subtitle",
                base=lang.scenario(comparison.base),
                whatifs=lang.count(len(comparison.whatifs), "what-if"),
                replications=lang.count(comparison.replications, "replication"),
                years=lang.number(years, 1),
            )
        ),
        Heading(lang.t("page1")),
        Paragraph(lang.t("page1_intro", base=lang.scenario(comparison.base))),
    ]
    blocks += [
        Paragraph(summary.whatif_line(data, label, lang), lead=f"{lang.scenario(label)}. ")
        for label in comparison.whatifs
    ]
    if comparison.precision is not None:
        blocks.append(Paragraph(replications_sentence(comparison.precision, lang)))
    elif comparison.replications < FEW_REPLICATIONS:
        few = lang.count(comparison.replications, "replication")
        blocks.append(Paragraph(lang.t("replications_few", replications=few)))
    return blocks


def details(data: ReportData, lang: Language) -> list[Block]:
    """Per what-if: its description, what changed measurably, crisis-bed counts, notes."""
    comparison = data.comparison
    base = comparison.scenarios[comparison.base]
    blocks: list[Block] = [Heading(lang.t("details")), Paragraph(lang.t("summary_intro"))]
    for label in comparison.whatifs:
        whatif = comparison.scenarios[label]
        blocks += [
            Heading(lang.scenario(label), 2),
            Paragraph(about(whatif, base, lang.code), lead=lang.t("what_it_is")),
            whatif_paragraph(data, label, lang),
        ]
        intake = intake_paragraph(data, label, lang)
        if intake is not None:
            blocks.append(intake)
        crisis = crisis_table(data, label, lang)
        if crisis is not None and _changes_crisis_beds(base, whatif):
            blocks += [Paragraph(lang.t("crisis_intro")), crisis]
    growing = growth_paragraph(data, lang)
    if growing is not None:
        blocks.append(growing)
    return blocks


INTAKE = "intake_per_year.tier."
"""The KPIs of a tier's intake by the reason of the application (issue 12: the mechanism)."""


def intake_paragraph(data: ReportData, label: str, lang: Language) -> Paragraph | None:
    """Where a what-if's changed tiers take their residents from, by reason; None if unchanged.

    Shown so that a committee sees the mechanism (the missing middle fills from 24h step-downs),
    not only its end result. Only the tiers the what-if itself changes are listed (elsewhere a
    difference in intake is a consequence, shown in the key figures).
    """
    comparison = data.comparison
    changed = {
        path.split(".")[2]
        for path, _, _ in changed_fields(
            comparison.scenarios[comparison.base], comparison.scenarios[label]
        )
        if path.startswith("housing.tiers.")
    }
    own = data.differences[data.differences["scenario"] == label]
    own = own[own["kpi"].str.startswith(INTAKE)]
    parts = []
    for tier, rows in own.groupby(own["kpi"].str[len(INTAKE) :].str.split(".").str[0]):
        if tier not in changed or not (rows["difference"].abs() > 0).any():
            continue
        moved = rows[(rows["base_mean"] > 0) | (rows["whatif_mean"] > 0)]
        reasons = [
            f"{lang.t('value:' + kpi.rsplit('.', 1)[1])} {lang.number(b)} → {lang.number(w)}"
            for kpi, b, w in zip(
                moved["kpi"], moved["base_mean"], moved["whatif_mean"], strict=True
            )
        ]
        parts.append(f"{lang.place(str(tier))}: {', '.join(reasons)}")
    if not parts:
        return None
    return Paragraph(lang.t("intake_intro") + "; ".join(parts) + ".")


def _changes_crisis_beds(base: forlopsim.Scenario, whatif: forlopsim.Scenario) -> bool:
    """Whether the what-if changes any crisis bed (then its crisis-bed counts are shown)."""
    return any(path.startswith("crisis_beds.") for path, _, _ in changed_fields(base, whatif))


def assumption_blocks(data: ReportData, lang: Language) -> list[Block]:
    """Per what-if: the readable table of what it changes, and new places with no one-off cost."""
    comparison = data.comparison
    base = comparison.scenarios[comparison.base]
    blocks: list[Block] = [Heading(lang.t("assumptions"))]
    header = [lang.t("a_what"), lang.t("a_change"), lang.t("a_unit"), lang.t("a_source")]
    for label in comparison.whatifs:
        whatif = comparison.scenarios[label]
        blocks.append(Heading(lang.scenario(label), 2))
        rows = assumption_rows(base, whatif, lang)
        table = Table(header, rows, text_columns=frozenset({0, 2, 3}))
        blocks.append(table if rows else Paragraph(lang.t("none_changed")))
        blocks += [
            Paragraph(lang.t(f"a_zero_one_off_{kind}", n=n, place=lang.place(place)))
            for place, kind, n in zero_one_off(base, whatif)
        ]
    return blocks


def table_blocks(data: ReportData, lang: Language) -> tuple[list[Block], dict[str, list[dict]]]:
    """Appendix A: the key-figure table of each what-if, and their numbers for report.json."""
    comparison = data.comparison
    blocks: list[Block] = [
        Heading(lang.t("appendix_tables")),
        Paragraph(
            lang.t(
                "tables_intro",
                base=lang.scenario(comparison.base),
                mark=SIGNIFICANT,
                comparisons=tested(data.differences),
            )
        ),
    ]
    numbers: dict[str, list[dict]] = {}
    kept = ("kpi", "base_mean", "whatif_mean", "difference", "ci_low", "ci_high", "significant")
    for label in comparison.whatifs:
        table, rows = kpi_table(data, label, lang)
        blocks += [Heading(lang.scenario(label), 2), table]
        numbers[label] = [{k: dict(r).get(k) for k in (*kept, "cells")} for r in rows]
    return blocks, numbers


def chart_block(
    data: ReportData, lang: Language, chart: Callable[[ReportData, Language], MplFigure]
) -> Figure:
    """One chart of :data:`~.charts.CHARTS` as PNG, captioned with its number in the report."""
    fig = chart(data, lang)
    title = fig.get_suptitle() or chart.__name__
    n = charts.CHARTS.index(chart) + 1
    return Figure(_png(fig), lang.t("caption", n=n, title=title))


def chart_blocks(data: ReportData, lang: Language) -> list[Block]:
    """Every chart with its numbered caption."""
    return [Heading(lang.t("charts")), *(chart_block(data, lang, c) for c in charts.CHARTS)]


def build(
    data: ReportData, lang: Language, created: date | None = None
) -> tuple[list[Block], dict]:
    """The report's blocks and a JSON-ready record of the numbers in its tables."""
    comparison = data.comparison
    lang = named(lang, comparison.scenarios, comparison.base)
    sim = comparison.scenarios[comparison.base].simulation
    created = created or date.today()
    tables, numbers = table_blocks(data, lang)
    # parameter uncertainty, when run with --uncertainty (issue 13.6); imported here because
    # it imports this module's blocks
    from forlopsim.report import uncertainty

    uncertain, uncertain_record = uncertainty.section(data, lang, len(charts.CHARTS) + 1)
    blocks = [
        *page_one(data, lang),
        *details(data, lang),
        *chart_blocks(data, lang),
        *uncertain,
        *assumption_blocks(data, lang),
        *tables,
        *stress.appendix(data, lang, created),
    ]
    growing = growth_paragraph(data, lang)
    record = {
        "language": lang.code,
        "base": comparison.base,
        "whatifs": comparison.whatifs,
        "replications": comparison.replications,
        "seed": comparison.seed,
        "horizon_days": sim.horizon_days,
        "warmup_days": sim.warmup_days,
        "forlopsim_version": forlopsim.__version__,
        "date": created.isoformat(),
        "tables": numbers,
        "growth_warnings": growing.text if growing is not None else "",
        "cost_effect": charts.cost_effect(data).to_dict(orient="records"),
    }
    record |= uncertain_record  # parameter uncertainty (issue 13.6), empty without it
    return blocks, record


# -- HTML ------------------------------------------------------------------------------------

CSS = """
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; max-width: 60em;
       margin: 2em auto; padding: 0 1em; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { border-bottom: 2px solid #0072B2; padding-bottom: 0.2em; margin-top: 2em; }
h3 { margin-top: 1.5em; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { padding: 0.25em 0.6em; white-space: nowrap; border-bottom: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child, td.text { text-align: left; }
th { background: #f2f2f2; }
td:first-child { white-space: normal; }
tr.section td { font-weight: bold; background: #fafafa; text-align: left; }
tr.significant td { background: #eef6fb; }
figure { margin: 1.5em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.9em; color: #444; }
.lead { font-weight: bold; }
nav.toc { background: #f7f7f7; padding: 0.5em 1.5em; border-left: 4px solid #0072B2; }
nav.toc h2 { border: none; margin-top: 0.5em; }
"""


def _html_table(table: Table) -> str:
    out = [
        "<table>",
        "<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in table.header) + "</tr>",
    ]
    for i, row in enumerate(table.rows):
        if i in table.sections:
            out.append(
                f'<tr class="section"><td colspan="{len(table.header)}">'
                f"{html.escape(table.sections[i])}</td></tr>"
            )
        attrs = ""
        if table.kpis:
            attrs = f' data-kpi="{html.escape(table.kpis[i])}"'
            if row[3].endswith(SIGNIFICANT):
                attrs += ' class="significant"'
        cells = (
            f'<td class="text">{html.escape(c)}</td>'
            if j and table.aligned_left(j)  # the first column is flush left anyway
            else f"<td>{html.escape(c)}</td>"
            for j, c in enumerate(row)
        )
        out.append(f"<tr{attrs}>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _contents(sections: list[Heading], lang: Language) -> str:
    """The HTML's table of contents: a link to each section."""
    items = "".join(
        f'<li><a href="#s{i}">{html.escape(h.text)}</a></li>'
        for i, h in enumerate(sections, start=1)
    )
    return f'<nav class="toc"><h2>{html.escape(lang.t("contents"))}</h2><ol>{items}</ol></nav>'


def to_html(blocks: list[Block], lang: Language) -> str:
    """The report as one self-contained HTML page."""
    body = []
    sections = [b for b in blocks if isinstance(b, Heading) and b.level == 1]
    for block in blocks:
        if isinstance(block, Heading):
            level = block.level + 1
            if block.level == 1:
                anchor = f"s{sections.index(block) + 1}"
                if anchor == "s1":
                    body.append(_contents(sections, lang))
                body.append(f'<h2 id="{anchor}">{html.escape(block.text)}</h2>')
                continue
            body.append(f"<h{level}>{html.escape(block.text)}</h{level}>")
        elif isinstance(block, Paragraph):
            lead = f'<span class="lead">{html.escape(block.lead)}</span>' if block.lead else ""
            body.append(f"<p>{lead}{html.escape(block.text)}</p>")
        elif isinstance(block, Table):
            body.append(_html_table(block))
        else:
            data = base64.b64encode(block.png).decode("ascii")
            body.append(
                f'<figure><img alt="{html.escape(block.caption)}" '
                f'src="data:image/png;base64,{data}"><figcaption>{html.escape(block.caption)}'
                "</figcaption></figure>"
            )
    title = next((b.text for b in blocks if isinstance(b, Heading)), "forlopsim")
    return (
        f'<!DOCTYPE html>\n<html lang="{lang.code}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


# -- PDF -------------------------------------------------------------------------------------


def _fonts() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def to_pdf(blocks: list[Block]) -> bytes:
    """The report as a PDF (A4): the same blocks, DejaVu fonts, charts as images."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(format="A4")
    fonts = _fonts()
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    first_chart = True
    for i, block in enumerate(blocks):
        if isinstance(block, Heading):
            size = {0: 17, 1: 14, 2: 11}[block.level]
            before_chart = i + 1 < len(blocks) and isinstance(blocks[i + 1], Figure)
            low = pdf.get_y() > pdf.h * (0.75 if block.level == 1 else 0.82)
            if before_chart or low:
                pdf.add_page()  # no heading alone at the foot of a page
                first_chart = False
            pdf.set_font("DejaVu", "B", size)
            pdf.ln(3)
            pdf.multi_cell(width, size * 0.5, block.text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif isinstance(block, Paragraph):
            pdf.set_font("DejaVu", "", 9.5)
            text = (f"**{block.lead}**" if block.lead else "") + block.text.replace("**", "")
            pdf.multi_cell(width, 5, text, markdown=True, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif isinstance(block, Table):
            pdf.set_font("DejaVu", "", 7.5 if len(block.header) > 3 else 8.5)
            columns = {5: (26, 20, 18, 14, 22), 4: (30, 22, 14, 40)}.get(len(block.header))
            with pdf.table(
                col_widths=columns,
                text_align=[
                    "LEFT" if block.aligned_left(j) else "RIGHT" for j in range(len(block.header))
                ],
                headings_style=FontFace(emphasis="BOLD", fill_color=(242, 242, 242)),
                line_height=4.2,
                padding=0.8,
            ) as table:
                table.row(block.header)
                for i, row in enumerate(block.rows):
                    if i in block.sections:
                        table.row().cell(
                            block.sections[i],
                            colspan=len(block.header),
                            style=FontFace(emphasis="BOLD"),
                            align="LEFT",
                        )
                    table.row(row)
            pdf.ln(2)
        else:
            if first_chart:
                pdf.add_page()
                first_chart = False
            image = io.BytesIO(block.png)
            from PIL import Image

            with Image.open(io.BytesIO(block.png)) as im:
                w, h = im.size
            height = width * h / w
            if pdf.get_y() + height + 10 > pdf.h - pdf.b_margin:
                pdf.add_page()
            pdf.image(image, w=width)
            pdf.set_font("DejaVu", "", 8.5)
            pdf.multi_cell(width, 4.5, block.caption, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    return bytes(pdf.output())


def write(data: ReportData, lang: Language, folder: Path) -> dict:
    """``report.html``, ``report.pdf`` and ``report.json`` (the tables' numbers) in ``folder``."""
    import json

    blocks, record = build(data, lang)
    (folder / "report.html").write_text(to_html(blocks, lang), encoding="utf-8")
    (folder / "report.pdf").write_bytes(to_pdf(blocks))
    document = json.dumps(_clean(record), indent=2, ensure_ascii=False)
    (folder / "report.json").write_text(document + "\n", encoding="utf-8")
    return record


def _clean(x: object) -> object:
    """JSON-ready: NaN becomes null, numpy scalars plain numbers."""
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    if hasattr(x, "item"):
        x = x.item()
    if isinstance(x, float) and math.isnan(x):
        return None
    return x


__all__ = ["build", "changed_fields", "kpi_rows", "to_html", "to_pdf", "write"]
