"""The headline KPI tables printed by ``forlopsim run`` and ``forlopsim compare``.

Both commands show the same KPIs, in the same sections, with the same labels and number formats:
:func:`headlines` chooses them and :func:`kpi_table` (one scenario: mean and 95% CI) and
:func:`comparison_table` (each scenario's mean and the paired difference from the base) lay
them out.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd
from rich.console import Console
from rich.table import Table

from forlopsim.units import kpi_unit, unit_range

SIGNIFICANT = "*"
"""Marks a headline KPI's difference that is significant after Holm's correction.

That is the ``significant`` column of :meth:`forlopsim.comparison.Comparison.differences`."""


def star_note(comparisons: int) -> str:
    """What :data:`SIGNIFICANT` means, in one sentence, for a run of ``comparisons`` tests."""
    return (
        f"{SIGNIFICANT} difference unlikely to be chance after Holm's correction for "
        f"{comparisons} comparisons (only the headline KPIs listed in docs/kpis.md are tested; "
        "other figures show their 95% CI without a mark, and a difference shown without an "
        "interval is the same in every replication)."
    )


@dataclass(frozen=True)
class Format:
    """How a KPI is printed: ``value × scale`` with ``decimals``; differences carry a sign."""

    scale: float = 1.0
    decimals: int = 1
    suffix: str = ""
    difference_suffix: str = ""
    """Suffix of a difference (a difference of percentages is in percentage points)."""

    def __call__(self, value: float) -> str:
        """A value as printed, or a dash when it is undefined (NaN)."""
        if math.isnan(value):
            return "–"
        return f"{value * self.scale:,.{self.decimals}f}{self.suffix}"

    def signed(self, value: float) -> str:
        """A difference: with its sign, in the difference's unit."""
        if math.isnan(value):
            return "–"
        return f"{value * self.scale:+,.{self.decimals}f}{self.difference_suffix}"


def number_at(frame: pd.DataFrame, row: str, column: str) -> float:
    """The number in one cell, ``frame.loc[row, column]`` (pandas-stubs allow any scalar)."""
    return cast(float, frame.loc[row, column])


def row_at(frame: pd.DataFrame, row: str | tuple[str, str]) -> pd.Series[Any]:
    """One row, ``frame.loc[row]``, of a frame whose index is unique (stubs allow a frame)."""
    return cast("pd.Series[Any]", frame.loc[row])


DAYS = Format()
PERCENT = Format(scale=100.0, suffix="%", difference_suffix=" pp")
COUNT = Format()
MILLION = Format(scale=1e-6)

SECTIONS: list[tuple[str, str, Format]] = [
    ("Median wait to placement (days), per housing tier", "wait_to_placement_median.tier.", DAYS),
    ("Placed within 365 days, per housing tier", "placed_within_365d.tier.", PERCENT),
    ("Housing lists: placed per year", "waits_placed_per_year.tier.", COUNT),
    ("Housing lists: left the list per year", "waits_left_per_year.tier.", COUNT),
    ("Housing lists: left the model per year", "waits_ended_by_exit_per_year.tier.", COUNT),
    ("Housing lists: still waiting at the end", "still_waiting_at_end.tier.", COUNT),
    ("Median wait for follow-up (days), per unit", "wait_to_placement_median.unit.", DAYS),
    ("Follow-up within 365 days, per unit", "placed_within_365d.unit.", PERCENT),
    ("Follow-up lists: started per year", "waits_placed_per_year.unit.", COUNT),
    ("Follow-up lists: still waiting at the end", "still_waiting_at_end.unit.", COUNT),
    ("Median wait for an institution (days)", "wait_to_placement_median.institution.", DAYS),
    ("Admitted within 365 days, institutions", "placed_within_365d.institution.", PERCENT),
    ("Institution lists: admitted per year", "waits_placed_per_year.institution.", COUNT),
    ("Institution lists: still waiting at the end", "still_waiting_at_end.institution.", COUNT),
    ("Utilisation, housing tiers", "utilisation.tier.", PERCENT),
    ("Utilisation, teams", "utilisation.team.", PERCENT),
    ("Utilisation, crisis beds", "utilisation.crisis_bed.", PERCENT),
    ("Utilisation, institutions", "utilisation.institution.", PERCENT),
    ("Crisis beds: turn-away probability", "turn_away.", PERCENT),
]
"""Sections listing every KPI with a given prefix (those defined somewhere).

Waits are the survival estimate (Kaplan–Meier median, share placed within a year) with the
counts of how the waits that started in the window ended: every ending for the housing lists,
placements and those still waiting for follow-up and institutions (``docs/kpis.md``). The
mean of placed waits (``wait_days_of_placed``) is in the summary files, not the table."""

SINGLES: list[tuple[str, str, str, Format]] = [
    (
        "Revolving door",
        "return_to_homelessness_12m",
        "return to homelessness within 12 months",
        PERCENT,
    ),
    ("Revolving door", "readmission_90d", "readmission within 90 days", PERCENT),
    ("Homelessness", "homeless_days_per_resident_year", "homeless days per resident-year", DAYS),
    ("Homelessness", "homeless_mean", "residents homeless (mean)", COUNT),
    ("Residents", "residents_in_services", "in services (follow-up or low-threshold)", COUNT),
    ("Residents", "residents_in_low_threshold", "in low-threshold services", COUNT),
    ("Outcomes per year", "per_year.deaths", "deaths", COUNT),
    ("Outcomes per year", "per_year.death_overdose", "overdose deaths", COUNT),
    ("Outcomes per year", "per_year.recovery", "recoveries", COUNT),
    ("Outcomes per year", "per_year.moved", "moved away", COUNT),
    ("Cost, NOK million", "cost_per_year.total", "per year, all payers", MILLION),
    ("Cost, NOK million", "cost_per_year.payer.municipality", "per year, municipality", MILLION),
    (
        "Cost, NOK million",
        "cost_per_year.payer.specialist",
        "per year, specialist service",
        MILLION,
    ),
    ("Cost, NOK million", "cost_one_off.new_places", "one-off, new places", MILLION),
]
"""Single KPIs with their labels (listed whenever present, '–' where undefined)."""


@dataclass(frozen=True)
class Headline:
    """One row of a KPI table."""

    section: str
    label: str
    kpi: str
    format: Format


def headlines(names: Iterable[str], defined: Callable[[str], bool]) -> list[Headline]:
    """The headline KPIs among ``names``, in table order.

    A sectioned KPI (e.g. ``placed_within_365d.tier.*``) is listed only where ``defined(name)``; a single
    KPI whenever it is among ``names``.
    """
    names = list(names)
    rows = [
        Headline(section, name[len(prefix) :], name, fmt)
        for section, prefix, fmt in SECTIONS
        for name in names
        if name.startswith(prefix) and defined(name)
    ]
    present = set(names)
    rows += [
        Headline(section, label, name, fmt)
        for section, name, label, fmt in SINGLES
        if name in present
    ]
    return rows


def _add_rows(table: Table, rows: list[tuple[Headline, list[str]]]) -> None:
    """Rows under bold section headings."""
    current = None
    width = len(table.columns) - 1
    for headline, cells in rows:
        if headline.section != current:
            table.add_row(f"[bold]{headline.section}[/bold]", *[""] * width)
            current = headline.section
        table.add_row(f"  {headline.label}", *cells)


CLIPPED_NOTE = (
    "Intervals are clipped to the values a quantity can take (waits, counts and costs at least "
    "0; shares and utilisation 0–100%); summary.csv and summary.json keep the unclipped ends."
)
"""The footnote of a KPI table in which an interval was clipped."""


def clip_interval(kpi: str, low: float, high: float) -> tuple[float, float]:
    """A CI's ends clipped to the range of the KPI's unit (:func:`forlopsim.units.unit_range`).

    A Student-t interval is symmetric, so a skewed quantity near a bound (a wait near 0, a
    utilisation near 100%) gets ends it cannot take; only the display is clipped.
    """
    bottom, top = unit_range(kpi_unit(kpi))
    return min(max(low, bottom), top), max(min(high, top), bottom)


def _cell(row: pd.Series, headline: Headline, replications: int) -> tuple[list[str], bool]:
    """Mean and CI, and whether the CI was clipped; says in how many replications if not all."""
    fmt = headline.format
    if math.isnan(row["mean"]):
        return ["–", ""], False
    ci, clipped = "", False
    if not math.isnan(row["half_width"]):
        low, high = clip_interval(headline.kpi, row["ci_low"], row["ci_high"])
        clipped = (low, high) != (row["ci_low"], row["ci_high"])
        ci = f"{fmt(low)} – {fmt(high)}"
    if row["n"] < replications:
        ci = f"{ci}  (in {int(row['n'])} of {replications})".strip()
    return [fmt(row["mean"]), ci], clipped


def kpi_table(summary: pd.DataFrame, title: str) -> Table:
    """A rich table of the headline KPIs; KPIs that are undefined everywhere are left out.

    Intervals are clipped to the range each quantity can take, and a footnote says so.
    """
    by_name = summary.set_index("kpi")
    replications = int(summary["n"].max()) if len(summary) else 0
    table = Table(title=title, title_justify="left", show_lines=False, pad_edge=False)
    table.add_column("KPI", no_wrap=True)
    table.add_column("mean", justify="right")
    table.add_column("95% CI", justify="right")
    rows = headlines(by_name.index, lambda name: not math.isnan(number_at(by_name, name, "mean")))
    cells = [(h, *_cell(row_at(by_name, h.kpi), h, replications)) for h in rows]
    _add_rows(table, [(h, texts) for h, texts, _ in cells])
    if any(clipped for _, _, clipped in cells):
        table.caption = CLIPPED_NOTE
        table.caption_justify = "left"
    return table


def print_table(summary: pd.DataFrame, title: str, console: Console | None = None) -> None:
    """Print the KPI table to the terminal (or plain text when output is redirected)."""
    (console or Console()).print(kpi_table(summary, title))


def _difference(row: pd.Series | None, fmt: Format) -> list[str]:
    """A paired difference (marked when significant) and its CI (none when it is fixed)."""
    if row is None or math.isnan(row["difference"]):
        return ["–", ""]
    mark = f" {SIGNIFICANT}" if row["significant"] else "  "
    ci = ""
    if not math.isnan(row["half_width"]) and row["half_width"] > 0:
        low, high = (Format(fmt.scale, fmt.decimals).signed(row[k]) for k in ("ci_low", "ci_high"))
        ci = f"{low} to {high}"
    return [fmt.signed(row["difference"]) + mark, ci]


def comparison_table(
    summary: pd.DataFrame, differences: pd.DataFrame, base: str, title: str
) -> Table:
    """Each scenario's mean per headline KPI and each what-if's paired difference from ``base``.

    The difference is marked with :data:`SIGNIFICANT` when it is significant (headline KPIs
    only, after Holm's correction: :func:`star_note`), and given with its 95% CI, except when it
    is the same in every replication (a fixed number: no interval).

    ``summary`` and ``differences`` are :meth:`forlopsim.comparison.Comparison.summary` and
    :meth:`~forlopsim.comparison.Comparison.differences`.
    """
    means = summary.pivot(index="kpi", columns="scenario", values="mean")
    scenarios = list(dict.fromkeys(summary["scenario"]))
    whatifs = [s for s in scenarios if s != base]
    by_pair = differences.set_index(["scenario", "kpi"])
    table = Table(title=title, title_justify="left", show_lines=False, pad_edge=False)
    table.add_column("KPI", no_wrap=True)
    table.add_column(base, justify="right", no_wrap=True)
    for name in whatifs:
        table.add_column(name, justify="right", no_wrap=True)
        table.add_column("Δ", justify="right", no_wrap=True)
        table.add_column("95% CI", justify="right", no_wrap=True)
    rows = []
    for h in headlines(means.index, lambda name: bool(means.loc[name].notna().any())):
        cells = [h.format(number_at(means, h.kpi, base))]
        for name in whatifs:
            pair = by_pair.loc[(name, h.kpi)] if (name, h.kpi) in by_pair.index else None
            cells += [h.format(number_at(means, h.kpi, name)), *_difference(pair, h.format)]
        rows.append((h, cells))
    _add_rows(table, rows)
    return table


def print_wide(table: Table, console: Console | None = None) -> None:
    """Print a table; when output is not a terminal, as wide as the table needs (no wrapping)."""
    console = console or Console()
    if not console.is_terminal:
        needed = Console(width=10_000, file=io.StringIO()).measure(table).maximum
        console.width = max(console.width, needed)
    console.print(table)
