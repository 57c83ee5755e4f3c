"""Every KPI's unit is defined once (forlopsim.units) and agrees with docs/kpis.md."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from forlopsim.units import kpi_unit, unit_range

ROOT = Path(__file__).resolve().parents[1]


def documented() -> list[tuple[str, str]]:
    """(an example name, its unit) for every name pattern in the tables of docs/kpis.md."""
    rows = []
    for line in (ROOT / "docs" / "kpis.md").read_text().splitlines():
        if not line.startswith("| `"):
            continue
        name_cell, unit = (c.strip() for c in line.strip("|").split(" | ")[:2])
        for pattern in re.findall(r"`([^`]+)`", name_cell):
            if pattern.startswith("…"):  # "`….all`": the name before it, continued
                continue
            example = re.sub(r"\{([^}\\|]+)(\\\|[^}]*)?\}", r"\1", pattern)  # {a\|b} → a
            example = re.sub(r"\[([^\]\\|]*)(\\\|[^\]]*)?\]", r"\1", example)  # [_x\|_y] → _x
            rows.append((example.replace("…", "x"), unit))
    return rows


def test_the_docs_list_many_kpis() -> None:
    assert len(documented()) > 40


@pytest.mark.parametrize(("name", "unit"), documented(), ids=[n for n, _ in documented()])
def test_each_documented_unit_is_the_code_unit(name: str, unit: str) -> None:
    assert kpi_unit(name) == unit


def test_every_kpi_of_the_golden_run_has_a_unit() -> None:
    names = pd.read_csv(ROOT / "tests" / "data" / "golden" / "summary.csv")["kpi"]
    assert [n for n in names if not kpi_unit(n)] == []


def test_ranges() -> None:
    assert unit_range("share") == (0.0, 1.0)
    assert unit_range("days") == (0.0, float("inf"))
