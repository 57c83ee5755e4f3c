"""Page 1 of the report: one line per what-if, in plain words, from the headline KPIs.

What it buys in people per year (fewer homeless, fewer readmissions, a shorter wait for 24h
housing, fewer days in hospital waiting for a home), what it costs the municipality and the
specialist service per year and once, and how sure we are: *sure* for a headline KPI whose
difference is significant after Holm's correction (or the same in every replication), *likely*
for another figure whose 95% interval excludes zero (not corrected for many comparisons), and
*may be chance* otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from forlopsim.comparison import HEADLINE_KPIS
from forlopsim.report.data import ReportData
from forlopsim.report.i18n import Language
from forlopsim.table import number_at, row_at
from forlopsim.units import DAYS_PER_YEAR

READMISSIONS = ("readmission_90d", "readmission_index_episodes_90d")
"""The readmission share and its denominator (episodes over the window)."""


@dataclass(frozen=True)
class Effect:
    """One thing a what-if buys: the change per year (negative: fewer) and how sure it is."""

    key: str
    """Catalogue stem: ``{key}_fewer`` / ``{key}_more`` say it with the number ``n``."""
    change: float
    sure: str
    """``sure``, ``likely`` or ``chance``."""
    decimals: int = 0


def sureness(row: pd.Series) -> str:
    """How sure a difference is: ``sure``, ``likely`` or ``chance`` (see the module)."""
    if row["half_width"] == 0 and row["difference"] != 0:
        return "sure"
    if row["kpi"] in HEADLINE_KPIS:
        return "sure" if bool(row["significant"]) else "chance"
    low, high = row["ci_low"], row["ci_high"]
    return "likely" if low > 0 or high < 0 else "chance"


def effects(data: ReportData, label: str) -> list[Effect]:
    """The four things a what-if buys, where the run has them."""
    own = _own(data, label)
    years = _years(data)
    found = []
    for key, kpi, decimals in (
        ("e_homeless", "homeless_mean", 1),
        ("e_wait_24h", "wait_to_placement_median.tier.staffed_24h", 0),
        ("e_ready_days", "discharge_ready_days_per_year.all", 0),
    ):
        if kpi in own.index and not math.isnan(number_at(own, kpi, "difference")):
            row = row_at(own, kpi)
            found.append(Effect(key, float(row["difference"]), sureness(row), decimals))
    if all(k in own.index for k in READMISSIONS):
        share, episodes = row_at(own, READMISSIONS[0]), row_at(own, READMISSIONS[1])
        per_year = (
            share["whatif_mean"] * episodes["whatif_mean"]
            - share["base_mean"] * episodes["base_mean"]
        ) / years
        if not math.isnan(float(per_year)):
            found.insert(1, Effect("e_readmissions", per_year, sureness(share)))
    return found


def _own(data: ReportData, label: str) -> pd.DataFrame:
    diffs = data.differences
    return diffs[diffs["scenario"] == label].set_index("kpi", drop=False)


def _years(data: ReportData) -> float:
    sim = data.comparison.scenarios[data.comparison.base].simulation
    return (sim.horizon_days - sim.warmup_days) / DAYS_PER_YEAR


def _effect_text(effect: Effect, lang: Language) -> str:
    n = lang.number(abs(effect.change), effect.decimals)
    if n.strip("0,. \u00a0") == "":
        return lang.t(f"{effect.key}_same")
    return lang.t(f"{effect.key}_{'fewer' if effect.change < 0 else 'more'}", n=n)


def _million(lang: Language, x: float) -> str:
    return lang.t("mnok", value=lang.signed(x / 1e6, 1))


def cost_text(data: ReportData, label: str, lang: Language) -> str:
    """What the what-if costs each payer per year, and once."""
    own = _own(data, label)

    def diff(kpi: str) -> float:
        return float(number_at(own, kpi, "difference")) if kpi in own.index else math.nan

    once = diff("cost_one_off.new_places")
    return lang.t(
        "p1_costs",
        municipality=_million(lang, diff("cost_per_year.payer.municipality")),
        specialist=_million(lang, diff("cost_per_year.payer.specialist")),
        once=lang.t("mnok", value=lang.number(once / 1e6, 1)) if once > 0 else lang.t("nothing"),
    )


def sure_text(data: ReportData, label: str, found: list[Effect], lang: Language) -> str:
    """How sure: the effects (and the running cost) grouped as sure, likely, may be chance."""
    own = _own(data, label)
    groups: dict[str, list[str]] = {"sure": [], "likely": [], "chance": []}
    for effect in found:
        groups[effect.sure].append(lang.t(f"{effect.key}_what"))
    if "cost_per_year.total" in own.index:
        groups[sureness(row_at(own, "cost_per_year.total"))].append(lang.t("e_cost_what"))
    parts = [
        lang.t(f"p1_group_{group}", what=_and(names, lang))
        for group, names in groups.items()
        if names
    ]
    return "; ".join(parts)


def _and(names: list[str], lang: Language) -> str:
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + lang.t("and") + names[-1]


def whatif_line(data: ReportData, label: str, lang: Language) -> str:
    """The what-if's line of page 1 (after its name)."""
    found = effects(data, label)
    buys = ", ".join(_effect_text(e, lang) for e in found) or lang.t("e_nothing")
    return " ".join(
        [
            lang.t("p1_buys", what=buys),
            cost_text(data, label, lang),
            lang.t("p1_sure", what=sure_text(data, label, found, lang)),
        ]
    )
