"""What the app shows of a finished run, made by the hearing report's own functions.

The summary is the report's page one and its per-what-if details, the key figures its
appendix A table, the charts its :data:`~forlopsim.report.charts.CHARTS` with their report
numbers, the files those of ``forlopsim report`` — nothing here words a sentence or draws a
chart. Each piece is made once per run and language (:attr:`.runs.Outcome.memo`).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from forlopsim.app.runs import Outcome
from forlopsim.report import charts, document, workbook
from forlopsim.report.document import Block, Figure
from forlopsim.report.i18n import Language
from forlopsim.report.names import named

T = TypeVar("T")

WAITING_CHARTS = (charts.waiting_chart, charts.waits_chart, charts.occupancy_chart)
"""The waiting-list page: the lists over time, the waits per tier, the tiers' occupancy."""
COST_CHARTS = (charts.cost_chart, charts.cost_effect_chart)
"""The cost page: running cost by item, and cost against effect."""


def _once(outcome: Outcome, key: tuple[str, ...], make: Callable[[], T]) -> T:
    """``make()``, kept in the outcome under ``key``."""
    if key not in outcome.memo:
        outcome.memo[key] = make()
    value: T = outcome.memo[key]
    return value


def language(outcome: Outcome, code: str) -> Language:
    """The language with the run's display names of scenarios and places (as the report)."""
    comparison = outcome.data.comparison
    return named(Language(code), comparison.scenarios, comparison.base)


def summary(outcome: Outcome, code: str) -> list[Block]:
    """The report's page one, then what changed for the what-if and its notes."""
    lang = language(outcome, code)
    return _once(
        outcome,
        ("summary", code),
        lambda: [*document.page_one(outcome.data, lang), *document.details(outcome.data, lang)],
    )


def key_figures(outcome: Outcome, code: str) -> list[Block]:
    """The report's key-figure table: base, what-if, paired difference and its 95% CI."""
    lang = language(outcome, code)
    return _once(
        outcome, ("key_figures", code), lambda: document.table_blocks(outcome.data, lang)[0]
    )


def figures(outcome: Outcome, code: str, chosen: tuple[Callable[..., Any], ...]) -> list[Figure]:
    """The ``chosen`` charts as the report draws and numbers them."""
    lang = language(outcome, code)
    return [
        _once(
            outcome,
            ("chart", c.__name__, code),
            partial(document.chart_block, outcome.data, lang, c),
        )
        for c in chosen
    ]


def html(outcome: Outcome, code: str) -> bytes:
    """``report.html`` as ``forlopsim report`` writes it."""
    blocks = _blocks(outcome, code)
    return document.to_html(blocks, Language(code)).encode("utf-8")


def pdf(outcome: Outcome, code: str) -> bytes:
    """``report.pdf`` as ``forlopsim report`` writes it."""
    return _once(outcome, ("pdf", code), lambda: document.to_pdf(_blocks(outcome, code)))


def excel(outcome: Outcome, code: str) -> bytes:
    """``report.xlsx`` (the key tables) as ``forlopsim report`` writes it."""
    buffer = io.BytesIO()
    workbook.build(outcome.data, Language(code)).save(buffer)
    return buffer.getvalue()


def _blocks(outcome: Outcome, code: str) -> list[Block]:
    """The whole report's blocks (made once per language)."""
    return _once(outcome, ("report", code), lambda: document.build(outcome.data, Language(code))[0])
