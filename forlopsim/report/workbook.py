"""The hearing report's key tables as an Excel workbook, ``report.xlsx``, for the planning office.

One sheet per table, each a header row (frozen) and one row per number, the numbers stored as
numbers in the KPI's own unit (a share as a fraction, shown as a percentage; costs in NOK) with
the unit (:func:`forlopsim.units.kpi_unit`) in a ``unit`` column:

* **Summary** — per what-if and headline KPI of the report's tables (:func:`.document.kpi_rows`):
  base mean, what-if mean, paired difference and its 95% CI.
* **Key figures** — every scenario's mean and 95% CI of the same KPIs (the CI clipped to the
  unit's range, as in the KPI tables).
* **Costs by year** — running cost per year (total, per payer, per kind and per item) and the
  one-off costs, per scenario; left out when the comparison has no cost KPIs.
* **Waiting lists** — list lengths and waits per list (housing tier, follow-up, institution) and
  scenario.
* **About** — the run (replications, seed, horizon, warm-up, forlopsim version, date) and every
  scenario's name and description.

Sheet names and headers are in the report's language (:mod:`.i18n`); nothing is recomputed:
the numbers are :attr:`.ReportData.summary` and :attr:`.ReportData.differences`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

import forlopsim
from forlopsim.report.data import ReportData
from forlopsim.report.document import kpi_rows
from forlopsim.report.i18n import Language
from forlopsim.table import clip_interval, row_at
from forlopsim.units import kpi_unit

FILE = "report.xlsx"

NUMBER_FORMATS = {
    "share": "0.0%",
    "days": "#,##0.0",
    "NOK": "#,##0",
    "NOK per year": "#,##0",
}
"""How a unit's numbers are shown (Excel formats; the stored value is the raw number)."""
DEFAULT_FORMAT = "#,##0.00"

WAIT_MEASURES: tuple[tuple[str, str], ...] = (
    ("waiting_mean.", "m_waiting_mean"),
    ("still_waiting_at_end.", "m_still_waiting"),
    ("wait_to_placement_median.", "m_wait_median"),
    ("placed_within_365d.", "m_placed_365d"),
)
"""The KPIs of the "Waiting lists" sheet, by prefix, with their label's key."""
LIST_KINDS = {
    "tier": "kind_tier",
    "unit": "kind_team",
    "team": "kind_team",
    "institution": "kind_institution",
}
"""The kinds of list (the KPI name's second part) and their label's key."""

COST_PREFIXES = (
    "cost_per_year.total",
    "cost_per_year.payer.",
    "cost_per_year.by_kind.",
    "cost_per_year.",
    "cost_one_off.",
    "cost_per_resident_year",
)
"""The cost KPIs, in the order of the "Costs by year" sheet (the first matching prefix)."""

MAX_WIDTH = 60  # not a domain number: widest column, in characters (longer text wraps)

Cell = str | float | int | bool | date | None
Row = list[Cell]


# -- cells -------------------------------------------------------------------------------------


def _number(x: object) -> float | None:
    """A number for a cell: a plain float, or None (an empty cell) when undefined."""
    if x is None:
        return None
    value = float(x)  # type: ignore[arg-type]
    return None if math.isnan(value) else value


def _unit_text(lang: Language, unit: str) -> str:
    """A unit in the report's language (the unit as :mod:`forlopsim.units` names it)."""
    key = f"unit:{unit}"
    return lang.t(key) if lang.has(key) else unit


def _kpi_label(lang: Language, kpi: str, label: str) -> str:
    """A KPI's label as the report's tables print it."""
    return lang.t(kpi) if lang.has(kpi) else lang.place(label)


def _sheet(
    book: Workbook,
    title: str,
    header: Sequence[str],
    rows: Iterable[Row],
    units: Sequence[str] | None = None,
) -> Worksheet:
    """A sheet with a bold, frozen header, ``rows`` and the columns sized to their text.

    ``units`` gives each row's unit as :mod:`forlopsim.units` names it; its float cells get that
    unit's number format.
    """
    sheet = book.create_sheet(title)
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
    for i, row in enumerate(rows):
        sheet.append(row)
        fmt = NUMBER_FORMATS.get(units[i], DEFAULT_FORMAT) if units else DEFAULT_FORMAT
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, float):
                cell.number_format = fmt
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    _size_columns(sheet)
    return sheet


def _size_columns(sheet: Worksheet) -> None:
    """Each column as wide as its longest text (numbers count 12), at most :data:`MAX_WIDTH`."""
    for index, column in enumerate(sheet.iter_cols(), start=1):
        width = 8
        for cell in column:
            value = cell.value
            text = 12 if isinstance(value, float | int | date) else len(str(value or ""))
            width = max(width, text + 2)
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = min(width, MAX_WIDTH)
        if width > MAX_WIDTH:
            for cell in column[1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")


# -- sheets ------------------------------------------------------------------------------------


def summary_sheet(book: Workbook, data: ReportData, lang: Language) -> None:
    """Per what-if and headline KPI: base, what-if, paired difference, its CI and the unit."""
    header = [
        lang.t("x_whatif"),
        lang.t("x_section"),
        lang.t("kpi"),
        lang.t("x_kpi_id"),
        lang.t("x_base_mean"),
        lang.t("x_whatif_mean"),
        lang.t("x_difference"),
        lang.t("x_ci_low"),
        lang.t("x_ci_high"),
        lang.t("x_significant"),
        lang.t("x_unit"),
    ]
    rows: list[Row] = []
    units: list[str] = []
    for label in data.comparison.whatifs:
        for r in kpi_rows(data, label):
            unit = kpi_unit(r["kpi"])
            rows.append(
                [
                    label,
                    lang.t(r["section"]),
                    _kpi_label(lang, r["kpi"], r["label"]),
                    r["kpi"],
                    *(
                        _number(r[k])
                        for k in ("base_mean", "whatif_mean", "difference", "ci_low", "ci_high")
                    ),
                    r["significant"],
                    _unit_text(lang, unit),
                ]
            )
            units.append(unit)
    _sheet(book, lang.t("sheet_summary"), header, rows, units)


def _scenario_rows(
    data: ReportData, kpis: Sequence[str], lang: Language, labels: dict[str, list[str]]
) -> tuple[list[Row], list[str]]:
    """Per KPI (in order) and scenario: ``labels[kpi]…, kpi, scenario, mean, CI, n, unit``.

    The CI is clipped to the unit's range, as in the KPI tables (:func:`.table.clip_interval`).
    """
    summary = data.summary.set_index(["kpi", "scenario"])
    rows: list[Row] = []
    units: list[str] = []
    for kpi in kpis:
        unit = kpi_unit(kpi)
        for scenario in data.comparison.scenarios:
            if (kpi, scenario) not in summary.index:
                continue
            s = row_at(summary, (kpi, scenario))
            low, high = clip_interval(kpi, float(s["ci_low"]), float(s["ci_high"]))
            rows.append(
                [
                    *labels[kpi],
                    kpi,
                    scenario,
                    _number(s["mean"]),
                    _number(low),
                    _number(high),
                    int(s["n"]),
                    _unit_text(lang, unit),
                ]
            )
            units.append(unit)
    return rows, units


def _stats_header(lang: Language) -> list[str]:
    return [
        lang.t("x_kpi_id"),
        lang.t("x_scenario"),
        lang.t("x_mean"),
        lang.t("x_ci_low"),
        lang.t("x_ci_high"),
        lang.t("x_n"),
        lang.t("x_unit"),
    ]


def key_figures_sheet(book: Workbook, data: ReportData, lang: Language) -> None:
    """Every scenario's mean and CI of each KPI in the report's key-figure tables."""
    labels: dict[str, list[str]] = {}
    for label in data.comparison.whatifs:
        for r in kpi_rows(data, label):
            labels.setdefault(
                r["kpi"], [lang.t(r["section"]), _kpi_label(lang, r["kpi"], r["label"])]
            )
    rows, units = _scenario_rows(data, list(labels), lang, labels)
    header = [lang.t("x_section"), lang.t("kpi"), *_stats_header(lang)]
    _sheet(book, lang.t("sheet_key_figures"), header, rows, units)


def cost_kpis(names: Iterable[str]) -> list[str]:
    """The cost KPIs among ``names``, in the order of :data:`COST_PREFIXES`."""
    names = sorted(set(names))
    ordered: list[str] = []
    for prefix in COST_PREFIXES:
        ordered += [n for n in names if n.startswith(prefix) and n not in ordered]
    return ordered


def _cost_label(lang: Language, kpi: str) -> str:
    if lang.has(kpi):
        return lang.t(kpi)
    kind = "kind_" + kpi.rsplit(".", 1)[-1]
    if kpi.startswith("cost_per_year.by_kind.") and lang.has(kind):
        return lang.t(kind)
    return lang.place(kpi.split(".", 1)[-1])


def costs_sheet(book: Workbook, data: ReportData, lang: Language) -> bool:
    """Running cost per year (total, payers, kinds, items) and one-off costs; False if none."""
    kpis = cost_kpis(data.summary["kpi"])
    if not any(k.startswith("cost_per_year.") for k in kpis):
        return False
    labels = {k: [_cost_label(lang, k)] for k in kpis}
    rows, units = _scenario_rows(data, kpis, lang, labels)
    _sheet(book, lang.t("sheet_costs"), [lang.t("x_item"), *_stats_header(lang)], rows, units)
    return True


def wait_kpis(names: Iterable[str]) -> list[tuple[str, str, str, str]]:
    """``(kpi, kind, place, measure key)`` of each waiting-list KPI, by kind, place, measure."""
    found = []
    order = {key: i for i, (_, key) in enumerate(WAIT_MEASURES)}
    kinds = list(LIST_KINDS)
    for name in set(names):
        for prefix, key in WAIT_MEASURES:
            if name.startswith(prefix):
                kind, _, place = name[len(prefix) :].partition(".")
                if kind in LIST_KINDS:
                    found.append((name, kind, place, key))
    found.sort(key=lambda f: (kinds.index(f[1]), f[2], order[f[3]]))
    return found


def waiting_lists_sheet(book: Workbook, data: ReportData, lang: Language) -> None:
    """Per list (housing tier, follow-up, institution) and scenario: lengths and waits.

    Lists whose every number is undefined are left out.
    """
    summary = data.summary
    defined = set(summary.loc[summary["mean"].notna(), "kpi"])
    found = [f for f in wait_kpis(summary["kpi"]) if f[0] in defined]
    labels = {
        kpi: [lang.t(LIST_KINDS[kind]), lang.place(place), lang.t(key)]
        for kpi, kind, place, key in found
    }
    rows, units = _scenario_rows(data, [f[0] for f in found], lang, labels)
    header = [lang.t("x_kind"), lang.t("x_place"), lang.t("x_measure"), *_stats_header(lang)]
    _sheet(book, lang.t("sheet_waiting_lists"), header, rows, units)


def about_sheet(book: Workbook, data: ReportData, lang: Language, created: date) -> None:
    """The run's facts, then every scenario (base first): label, name and description."""
    comparison = data.comparison
    sim = comparison.scenarios[comparison.base].simulation
    rows: list[Row] = [
        [lang.t("fact_replications"), comparison.replications, ""],
        [lang.t("fact_seed"), comparison.seed, ""],
        [lang.t("fact_crn"), lang.t("yes"), ""],
        [lang.t("x_horizon_days"), _number(sim.horizon_days), ""],
        [lang.t("x_warmup_days"), _number(sim.warmup_days), ""],
        [lang.t("fact_version"), forlopsim.__version__, ""],
        [lang.t("fact_date"), created, ""],
    ]
    for label, scenario in comparison.scenarios.items():
        role = "x_base" if label == comparison.base else "x_whatif"
        rows.append(
            [
                lang.t("x_scenario_role", label=label, role=lang.t(role)),
                scenario.name,
                scenario.description,
            ]
        )
    units = ["days" if i in (3, 4) else "" for i in range(len(rows))]
    header = [lang.t("x_field"), lang.t("x_value"), lang.t("x_description")]
    _sheet(book, lang.t("sheet_about"), header, rows, units)


# -- the workbook ------------------------------------------------------------------------------


def build(data: ReportData, lang: Language, created: date | None = None) -> Workbook:
    """The workbook: Summary, Key figures, Costs by year (if any), Waiting lists, About."""
    book = Workbook()
    default = book.active
    if default is not None:
        book.remove(default)
    summary_sheet(book, data, lang)
    key_figures_sheet(book, data, lang)
    costs_sheet(book, data, lang)
    waiting_lists_sheet(book, data, lang)
    about_sheet(book, data, lang, created or date.today())
    return book


def write(data: ReportData, lang: Language, folder: Path, created: date | None = None) -> Path:
    """Write :data:`FILE` (``report.xlsx``) in ``folder``; returns its path."""
    path = folder / FILE
    build(data, lang, created).save(path)
    return path


__all__ = ["FILE", "build", "cost_kpis", "wait_kpis", "write"]
