"""Appendix B of the report: the model and the run reported as STRESS-DES asks (Monks et al. 2019).

Generated from the base scenario and the run: purpose, model logic, entities, resources and
queues, inputs with their sources, initialisation and warm-up, run length and replications
and why, random-number streams and common random numbers, software versions, the run's own
checks (warm-up, growth) and the calibration, and the limitations the project knows of.
"""

from __future__ import annotations

import platform
from datetime import date
from importlib import metadata
from typing import cast

import forlopsim
from forlopsim.experiment import occupancy_table, warmup_check
from forlopsim.growth import check_results
from forlopsim.report.data import ReportData
from forlopsim.report.i18n import Language
from forlopsim.report.names import about
from forlopsim.scenario import Scenario
from forlopsim.units import DAYS_PER_YEAR

PACKAGES = ("simpy", "numpy", "pandas", "pydantic", "matplotlib", "fpdf2")
"""The libraries whose versions the appendix lists (with Python and forlopsim)."""


def appendix(data: ReportData, lang: Language, created: date) -> list:
    """The appendix's blocks: one heading and its text or table per STRESS-DES item."""
    from forlopsim.report.document import Heading, Paragraph, Table

    comparison = data.comparison
    base = comparison.scenarios[comparison.base]
    blocks: list = [Heading(lang.t("stress")), Paragraph(lang.t("stress_intro"))]
    sections = [
        (
            "stress_purpose",
            [Paragraph(lang.t("stress_purpose_text", base=about(base, base, lang.code)))],
        ),
        ("stress_logic", [Paragraph(lang.t("stress_logic_text"))]),
        ("stress_entities", [Paragraph(lang.t("stress_entities_text"))]),
        (
            "stress_resources",
            [Table(_resource_header(lang), resources(base, lang), text_columns=_WORDS)],
        ),
        ("stress_inputs", [Table(_input_header(lang), inputs(base, lang), text_columns=_WORDS)]),
        ("stress_warmup", [Paragraph(warmup_text(data, lang))]),
        ("stress_run", [Paragraph(run_text(data, lang)), Table(["", ""], facts(data, lang))]),
        ("stress_random", [Paragraph(lang.t("stress_random_text", seed=comparison.seed))]),
        (
            "stress_software",
            [Table([lang.t("x_item"), lang.t("x_value")], software(created, lang))],
        ),
        ("stress_checks", [Paragraph(checks_text(data, lang))]),
        ("stress_limits", [Paragraph(lang.t("stress_limits_text"))]),
    ]
    for key, content in cast("list[tuple[str, list]]", sections):
        blocks += [Heading(lang.t(key), 2), *content]
    return blocks


_WORDS = frozenset(range(4))
"""The appendix's tables of places and inputs are words throughout, set flush left."""


def _resource_header(lang: Language) -> list[str]:
    return [lang.t("x_place"), lang.t("x_kind"), lang.t("r_capacity"), lang.t("r_queue")]


def _capacity(capacity: int | dict[int, int], lang: Language) -> str:
    """A capacity as a number, or a schedule as ``0; 10 from day 365; 20 from day 1 096``."""
    if not isinstance(capacity, dict):
        return lang.number(capacity, 0)
    parts = [
        lang.number(n, 0)
        if day == 0
        else lang.t("r_from_day", n=lang.number(n, 0), day=lang.number(day, 0))
        for day, n in capacity.items()
    ]
    return "; ".join(parts)


def resources(scenario: Scenario, lang: Language) -> list[list[str]]:
    """Every place with its kind, capacity and what happens when it is full."""
    rows = []
    for name, tier in scenario.housing.tiers.items():
        cap = lang.t("r_unbounded") if tier.capacity is None else _capacity(tier.capacity, lang)
        rows.append([lang.place(name), lang.t("kind_tier"), cap, lang.t("q_tier")])
    for unit_name, unit in scenario.services.units.items():
        for team_name, team in unit.teams.items():
            name = lang.place(f"{unit_name}.{team_name}")
            rows.append(
                [name, lang.t("kind_team"), _capacity(team.caseload, lang), lang.t("q_team")]
            )
    for name, bed in scenario.crisis_beds.items():
        rows.append(
            [
                lang.place(name),
                lang.t("kind_crisis_bed"),
                _capacity(bed.beds, lang),
                lang.t("q_bed"),
            ]
        )
    for name, inst in scenario.institutions.items():
        queue = lang.t("q_institution" if inst.waiting_list else "q_bed")
        rows.append(
            [lang.place(name), lang.t("kind_institution"), _capacity(inst.beds, lang), queue]
        )
    return rows


def _input_header(lang: Language) -> list[str]:
    return [lang.t("a_what"), lang.t("x_value"), lang.t("a_source")]


def _source(source: object, field: str) -> str:
    if isinstance(source, dict):
        return str(source.get(field, ""))
    return str(source or "")


def inputs(scenario: Scenario, lang: Language) -> list[list[str]]:
    """The referral streams and the places' sizes, with the sources the scenario gives."""
    rows = [
        [
            lang.t("i_stream", name=lang.place(name)),
            lang.t("i_per_year", n=lang.number(stream.annual_rate, 0)),
            _source(stream.source, "annual_rate"),
        ]
        for name, stream in scenario.referrals.streams.items()
    ]
    for name, tier in scenario.housing.tiers.items():
        if tier.capacity:
            rows.append(
                [
                    lang.t("i_places", name=lang.place(name)),
                    _capacity(tier.capacity, lang),
                    _source(tier.source, "capacity"),
                ]
            )
    for name, bed in scenario.crisis_beds.items():
        rows.append(
            [
                lang.t("i_beds", name=lang.place(name)),
                _capacity(bed.beds, lang),
                _source(bed.source, "beds"),
            ]
        )
    return rows


def warmup_text(data: ReportData, lang: Language) -> str:
    """Initial population, warm-up length and what the MSER-5 check found on the base's run."""
    base = data.comparison.scenarios[data.comparison.base]
    sim = base.simulation
    initial = base.referrals.initial_population
    size = initial.size if initial is not None else 0
    results = data.comparison.results[data.comparison.base]
    key = "stress_warmup_unchecked"
    flagged = 0
    if any(r.occupancy is not None for r in results):
        key = "stress_warmup_text"
        flagged = int(warmup_check(occupancy_table(results), sim.warmup_days)["flagged"].sum())
    return lang.t(
        key,
        size=lang.number(size, 0),
        days=lang.number(sim.warmup_days, 0),
        years=lang.number(sim.warmup_days / DAYS_PER_YEAR, 1),
        flagged=flagged,
    )


def run_text(data: ReportData, lang: Language) -> str:
    """Horizon, observed years, replications and why that many."""
    comparison = data.comparison
    sim = comparison.scenarios[comparison.base].simulation
    why = (
        lang.t("stress_why_precision")
        if comparison.precision is not None
        else lang.t("stress_why_fixed")
    )
    return lang.t(
        "stress_run_text",
        horizon=lang.number(sim.horizon_days / DAYS_PER_YEAR, 1),
        observed=lang.number((sim.horizon_days - sim.warmup_days) / DAYS_PER_YEAR, 1),
        n=comparison.replications,
        why=why,
    )


def checks_text(data: ReportData, lang: Language) -> str:
    """The growth check's result over every scenario, then the analytic checks and calibration."""
    grown = 0
    for label, scenario in data.comparison.scenarios.items():
        sim = scenario.simulation
        check = check_results(data.comparison.results[label], sim.warmup_days, sim.horizon_days)
        grown += int(check["flagged"].sum())
    return lang.t("stress_checks_text", grown=grown)


def facts(data: ReportData, lang: Language) -> list[list[str]]:
    """The run's facts: replications, seed, common random numbers, horizon and warm-up."""
    comparison = data.comparison
    sim = comparison.scenarios[comparison.base].simulation

    def days(x: float) -> str:
        years = lang.number(x / DAYS_PER_YEAR, 1)
        return lang.t("days_years", days=lang.number(x, 0), years=years)

    return [
        [lang.t("fact_replications"), lang.number(comparison.replications, 0)],
        [lang.t("fact_seed"), str(comparison.seed)],
        [lang.t("fact_crn"), lang.t("yes")],
        [lang.t("fact_horizon"), days(sim.horizon_days)],
        [lang.t("fact_warmup"), days(sim.warmup_days)],
    ]


def software(created: date, lang: Language) -> list[list[str]]:
    """Python, forlopsim and the main libraries with their versions, and the report's date."""
    rows = [["Python", platform.python_version()], ["forlopsim", forlopsim.__version__]]
    for package in PACKAGES:
        try:
            rows.append([package, metadata.version(package)])
        except metadata.PackageNotFoundError:
            continue
    return [*rows, [lang.t("fact_date"), created.isoformat()]]
