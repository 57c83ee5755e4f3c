"""The headline KPI table printed by ``forlopsim run``: mean and 95% CI, grouped and labelled."""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
from rich.console import Console
from rich.table import Table

Formatter = Callable[[float], str]


def _days(v: float) -> str:
    return f"{v:,.1f}"


def _percent(v: float) -> str:
    return f"{100 * v:.1f}%"


def _count(v: float) -> str:
    return f"{v:,.1f}"


def _million(v: float) -> str:
    return f"{v / 1e6:,.1f}"


SECTIONS: list[tuple[str, str, Formatter]] = [
    ("Waiting days, per housing tier", "wait_days.tier.", _days),
    ("Waiting days for follow-up, per unit", "wait_days.unit.", _days),
    ("Waiting days for an institution", "wait_days.institution.", _days),
    ("Utilisation, housing tiers", "utilisation.tier.", _percent),
    ("Utilisation, teams", "utilisation.team.", _percent),
    ("Utilisation, crisis beds", "utilisation.crisis_bed.", _percent),
    ("Utilisation, institutions", "utilisation.institution.", _percent),
    ("Crisis beds: turn-away probability", "turn_away.", _percent),
]
"""Sections listing every KPI with a given prefix."""

SINGLES: list[tuple[str, str, str, Formatter]] = [
    (
        "Revolving door",
        "return_to_homelessness_12m",
        "return to homelessness within 12 months",
        _percent,
    ),
    ("Revolving door", "readmission_90d", "readmission within 90 days", _percent),
    ("Homelessness", "homeless_days_per_resident_year", "homeless days per resident-year", _days),
    ("Homelessness", "homeless_mean", "residents homeless (mean)", _count),
    ("Residents", "residents_in_services", "in services (follow-up or low-threshold)", _count),
    ("Residents", "residents_in_low_threshold", "in low-threshold services", _count),
    ("Outcomes per year", "per_year.deaths", "deaths", _count),
    ("Outcomes per year", "per_year.death_overdose", "overdose deaths", _count),
    ("Outcomes per year", "per_year.recovery", "recoveries", _count),
    ("Outcomes per year", "per_year.moved", "moved away", _count),
    ("Cost, NOK million", "cost_per_year.total", "per year, all payers", _million),
    ("Cost, NOK million", "cost_per_year.payer.municipality", "per year, municipality", _million),
    (
        "Cost, NOK million",
        "cost_per_year.payer.specialist",
        "per year, specialist service",
        _million,
    ),
    ("Cost, NOK million", "cost_one_off.new_places", "one-off, new places", _million),
]
"""Single KPIs with their labels."""


def _cell(row: pd.Series, fmt: Formatter, replications: int) -> tuple[str, str]:
    """Mean and CI; a KPI defined in only some replications says in how many."""
    if math.isnan(row["mean"]):
        return "–", ""
    ci = "" if math.isnan(row["half_width"]) else f"{fmt(row['ci_low'])} – {fmt(row['ci_high'])}"
    if row["n"] < replications:
        ci = f"{ci}  (in {int(row['n'])} of {replications})".strip()
    return fmt(row["mean"]), ci


def kpi_table(summary: pd.DataFrame, title: str) -> Table:
    """A rich table of the headline KPIs; KPIs that are undefined everywhere are left out."""
    by_name = summary.set_index("kpi")
    replications = int(summary["n"].max()) if len(summary) else 0
    table = Table(title=title, title_justify="left", show_lines=False, pad_edge=False)
    table.add_column("KPI", no_wrap=True)
    table.add_column("mean", justify="right")
    table.add_column("95% CI", justify="right")
    rows: list[tuple[str, str, pd.Series, Formatter]] = []
    for section, prefix, fmt in SECTIONS:
        for name in by_name.index:
            if name.startswith(prefix) and not math.isnan(by_name.loc[name, "mean"]):
                rows.append((section, name[len(prefix) :], by_name.loc[name], fmt))
    for section, name, label, fmt in SINGLES:
        if name in by_name.index:
            rows.append((section, label, by_name.loc[name], fmt))
    current = None
    for section, label, row, fmt in rows:
        if section != current:
            table.add_row(f"[bold]{section}[/bold]", "", "", end_section=False)
            current = section
        table.add_row(f"  {label}", *_cell(row, fmt, replications))
    return table


def print_table(summary: pd.DataFrame, title: str, console: Console | None = None) -> None:
    """Print the KPI table to the terminal (or plain text when output is redirected)."""
    (console or Console()).print(kpi_table(summary, title))
