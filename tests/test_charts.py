"""The hearing report's charts: each renders, for one scenario and for several, in both
languages, with a title, axis labels and the number of replications."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from forlopsim.comparison import compare_scenarios
from forlopsim.report.charts import (
    CHARTS,
    OKABE_ITO,
    cost_effect,
    flow_chart,
    turn_away_chart,
    waits_chart,
)
from forlopsim.report.data import collect
from forlopsim.report.i18n import Language
from forlopsim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SHORT = {"simulation.horizon_days": 1100.0, "simulation.warmup_days": 180.0}
REPLICATIONS = 2


def _data(tmp_path_factory, files: list[str]):
    scenarios = [load_scenario(SCENARIOS / f).with_changes(SHORT) for f in files]
    folder = tmp_path_factory.mktemp("records")
    comparison = compare_scenarios(
        scenarios[0], scenarios[1:], REPLICATIONS, 5, 1, folder, labels=[f[:-5] for f in files]
    )
    return collect(comparison, folder)


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    return _data(tmp_path_factory, ["trondheim_baseline.yaml"])


@pytest.fixture(scope="module")
def several(tmp_path_factory):
    return _data(
        tmp_path_factory,
        ["trondheim_baseline.yaml", "missing_middle.yaml", "crisis_beds.yaml"],
    )


@pytest.mark.parametrize("chart", CHARTS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("which", ["single", "several"])
@pytest.mark.parametrize("code", ["nb", "en"])
def test_every_chart_renders(chart, which, code, request, tmp_path):
    data = request.getfixturevalue(which)
    fig = chart(data, Language(code))
    try:
        assert isinstance(fig, Figure)
        assert fig._suptitle is not None and fig._suptitle.get_text()
        texts = " ".join(t.get_text() for t in fig.texts)
        assert f"{REPLICATIONS} " in texts  # the footnote names the number of replications
        drawn = [ax for ax in fig.axes if ax.axison]
        for ax in drawn:
            assert ax.get_ylabel(), f"{chart.__name__}: an axis without a y label"
        fig.savefig(tmp_path / "chart.png", dpi=40)
        assert (tmp_path / "chart.png").stat().st_size > 1000
    finally:
        plt.close(fig)


def test_charts_are_in_the_reports_language(several):
    nb = waits_chart(several, Language("nb"))
    en = waits_chart(several, Language("en"))
    assert nb._suptitle.get_text() != en._suptitle.get_text()
    assert "Ventedager" in nb.axes[0].get_ylabel()
    assert "Waiting days" in en.axes[0].get_ylabel()
    plt.close("all")


def test_scenarios_get_okabe_ito_colours_and_hatches(several):
    fig = waits_chart(several, Language("en"))
    bars = [p for p in fig.axes[0].patches]
    colours = {tuple(round(c, 3) for c in b.get_facecolor()[:3]) for b in bars}
    hatches = {b.get_hatch() for b in bars}
    assert len(colours) == 3 and len(hatches) == 3
    allowed = {tuple(round(int(c[i : i + 2], 16) / 255, 3) for i in (1, 3, 5)) for c in OKABE_ITO}
    assert colours <= allowed
    plt.close(fig)


def test_cost_effect_only_where_the_effect_is_measurable(several):
    table = cost_effect(several)
    assert list(table["scenario"]) == several.comparison.whatifs
    measurable = table["effect_significant"] & (table["avoided"] > 0)
    assert table.loc[~measurable, "per_day"].isna().all()
    mine = table[measurable]
    assert (mine["per_day"] == mine["cost"] / mine["avoided"]).all()


def test_flow_chart_of_any_scenario(several):
    fig = flow_chart(several, Language("en"), scenario="missing_middle")
    assert "missing_middle" in fig._suptitle.get_text()
    plt.close(fig)


def test_turn_aways_are_counts_per_bed_kind(several):
    """Bars are turn-aways a year (issue 14: counts where shares mislead), per bed kind."""
    fig = turn_away_chart(several, Language("en"))
    assert fig.axes[0].get_ylabel() == "Requests turned away a year"
    by = several.summary.set_index(["scenario", "kpi"])["mean"]
    kpi = "crisis_bed_turn_aways_per_year.womens_crisis_centre"
    heights = sorted(round(p.get_height(), 9) for p in fig.axes[0].patches)
    for label in several.comparison.scenarios:
        assert round(by[(label, kpi)], 9) in heights
    plt.close(fig)
