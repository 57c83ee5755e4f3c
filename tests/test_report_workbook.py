"""``report.xlsx``: the hearing report's key tables as a workbook, numbers as numbers, with units."""

from __future__ import annotations

import contextlib
import io
import math
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from forlopsim.cli import main
from forlopsim.comparison import Comparison, compare_scenarios
from forlopsim.report import workbook
from forlopsim.report.data import ReportData, collect
from forlopsim.report.i18n import Language
from forlopsim.scenario import load_scenario
from forlopsim.table import clip_interval
from forlopsim.units import KPI_UNITS, kpi_unit

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SHORT = {"horizon_days": 1100.0, "warmup_days": 180.0}
SHEETS = {
    "nb": ["Sammendrag", "Nøkkeltall", "Kostnader per år", "Ventelister", "Om rapporten"],
    "en": ["Summary", "Key figures", "Costs by year", "Waiting lists", "About"],
}


def _short(name: str):
    return load_scenario(SCENARIOS / name).with_changes(
        {f"simulation.{k}": v for k, v in SHORT.items()}
    )


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> ReportData:
    """A three-year baseline against missing middle, 2 replications, records in a tmp folder."""
    folder = tmp_path_factory.mktemp("workbook")
    comparison = compare_scenarios(
        _short("trondheim_calibrated.yaml"),
        [_short("missing_middle.yaml")],
        2,
        7,
        1,
        folder,
        labels=["base", "mm"],
    )
    return collect(comparison, folder)


def _is_number(x: object) -> bool:
    """A number cell (openpyxl reads a whole float back as an int), not text."""
    return isinstance(x, int | float) and not isinstance(x, bool)


def _rows(path: Path, sheet: str) -> tuple[list[str], list[dict]]:
    book = load_workbook(path)
    cells = list(book[sheet].iter_rows(values_only=True))
    header = [str(h) for h in cells[0]]
    return header, [dict(zip(header, row, strict=True)) for row in cells[1:]]


@pytest.mark.parametrize("code", ["en", "nb"])
def test_sheets_headers_and_units(data: ReportData, tmp_path: Path, code: str):
    lang = Language(code)
    path = workbook.write(data, lang, tmp_path)
    assert path == tmp_path / "report.xlsx"
    book = load_workbook(path)
    assert book.sheetnames == SHEETS[code]
    for name in book.sheetnames[:-1]:
        sheet = book[name]
        assert sheet.freeze_panes == "A2", name
        header = [c.value for c in sheet[1]]
        assert lang.t("x_unit") in header and lang.t("x_kpi_id") in header, name
        assert all(c.font.bold for c in sheet[1])
        assert sheet.max_row > 1, name
        kpi_col = header.index(lang.t("x_kpi_id"))
        unit_col = header.index(lang.t("x_unit"))
        for row in sheet.iter_rows(min_row=2, values_only=True):
            unit = kpi_unit(str(row[kpi_col]))
            assert unit, row[kpi_col]
            assert row[unit_col] == lang.t(f"unit:{unit}"), row
        for column in "ABCD":
            assert 8 <= sheet.column_dimensions[column].width <= workbook.MAX_WIDTH


def test_summary_equals_the_comparison(data: ReportData, tmp_path: Path):
    lang = Language("en")
    path = workbook.write(data, lang, tmp_path)
    _, rows = _rows(path, "Summary")
    diffs = data.comparison.differences().set_index(["scenario", "kpi"])
    assert {r["what-if"] for r in rows} == {"mm"}
    by_kpi = {r["KPI (name)"]: r for r in rows}
    assert "homeless_mean" in by_kpi and "cost_per_year.total" in by_kpi
    for kpi, row in by_kpi.items():
        theirs = diffs.loc[("mm", kpi)]
        for column, key in [
            ("base mean", "base_mean"),
            ("what-if mean", "whatif_mean"),
            ("difference", "difference"),
            ("95% CI, low", "ci_low"),
            ("95% CI, high", "ci_high"),
        ]:
            ours, expected = row[column], float(theirs[key])
            if math.isnan(expected):
                assert ours is None, (kpi, column)
            else:
                assert _is_number(ours), (kpi, column, ours)
                assert math.isclose(ours, expected, rel_tol=1e-12, abs_tol=1e-12), (kpi, column)
        assert row["CI excludes zero"] is bool(theirs["significant"])
    homeless = by_kpi["homeless_mean"]
    assert homeless["difference"] == pytest.approx(
        float(diffs.loc[("mm", "homeless_mean"), "difference"])
    )
    assert homeless["unit"] == "residents"
    assert by_kpi["readmission_90d"]["unit"] == "share"
    # a share is stored as a fraction and shown as a percentage
    book = load_workbook(path)
    sheet = book["Summary"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("KPI (name)")].value == "readmission_90d":
            assert row[header.index("base mean")].number_format == "0.0%"


def test_key_figures_costs_and_waits_equal_the_summary(data: ReportData, tmp_path: Path):
    comparison: Comparison = data.comparison
    summary = comparison.summary().set_index(["kpi", "scenario"])
    path = workbook.write(data, Language("en"), tmp_path)

    def check(sheet: str) -> list[dict]:
        _, rows = _rows(path, sheet)
        assert rows, sheet
        for row in rows:
            theirs = summary.loc[(row["KPI (name)"], row["scenario"])]
            kpi = row["KPI (name)"]
            low, high = clip_interval(kpi, float(theirs["ci_low"]), float(theirs["ci_high"]))
            assert math.isnan(low) or (low >= 0 and (kpi_unit(kpi) != "share" or high <= 1))
            expected_values = {
                "mean": float(theirs["mean"]),
                "95% CI, low": low,
                "95% CI, high": high,
            }
            for column, expected in expected_values.items():
                if math.isnan(expected):
                    assert row[column] is None
                else:
                    assert _is_number(row[column])
                    assert row[column] == pytest.approx(expected, rel=1e-12, abs=1e-12)
            assert isinstance(row["replications"], int)
        return rows

    key_rows = check("Key figures")
    assert {r["scenario"] for r in key_rows} == {"base", "mm"}
    assert {"homeless_mean", "readmission_90d"} <= {r["KPI (name)"] for r in key_rows}
    costs = check("Costs by year")
    assert costs[0]["KPI (name)"] == "cost_per_year.total"
    assert {r["unit"] for r in costs} <= {"NOK per year", "NOK"}
    assert any(r["KPI (name)"].startswith("cost_per_year.payer.") for r in costs)
    waits = check("Waiting lists")
    middle = {r["KPI (name)"] for r in waits if r["place"] == "middle"}
    assert {"waiting_mean.tier.middle", "placed_within_365d.tier.middle"} <= middle
    assert any(r["KPI (name)"].startswith("wait_to_placement_median.tier.") for r in waits)
    assert {r["kind"] for r in waits} >= {"housing", "follow-up", "institutions"}


def test_about_names_every_scenario(data: ReportData, tmp_path: Path):
    path = workbook.write(data, Language("en"), tmp_path)
    _, rows = _rows(path, "About")
    values = {r["field"]: r["value"] for r in rows}
    assert values["Replications"] == 2 and values["Seed"] == 7
    assert values["Horizon (days)"] == 1100.0
    assert isinstance(values["Date"], datetime)
    assert values["forlopsim version"]
    scenarios = {r["field"]: r for r in rows if r["field"].startswith("Scenario ")}
    assert set(scenarios) == {"Scenario base (base)", "Scenario mm (what-if)"}
    for label, row in zip(("base", "mm"), scenarios.values(), strict=True):
        scenario = data.comparison.scenarios[label]
        assert row["value"] == scenario.name
        assert row["description"] == scenario.description


def test_every_unit_has_words():
    for code in ("nb", "en"):
        lang = Language(code)
        for _, unit in KPI_UNITS:
            assert lang.has(f"unit:{unit}"), unit
    for sheets in SHEETS.values():
        assert all(len(name) <= 31 for name in sheets)


def test_report_command_writes_the_workbook(tmp_path: Path):
    files = []
    for name in ("trondheim_calibrated.yaml", "crisis_beds.yaml"):
        path = tmp_path / name
        path.write_text(
            f"extends: {SCENARIOS / name}\nsimulation:\n  horizon_days: 800\n  warmup_days: 100\n"
        )
        files.append(path)
    out = tmp_path / "out"
    argv = ["report", *map(str, files), "--out", str(out), "-n", "2", "--seed", "3", "-j", "1"]
    argv += ["--lang", "en", "--no-records"]
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
        assert main(argv) == 0
    assert "report.xlsx" in stdout.getvalue()
    book = load_workbook(out / "report.xlsx")
    assert book.sheetnames == SHEETS["en"]
    assert not list(tmp_path.glob(".out.*"))  # the staging folder is gone
