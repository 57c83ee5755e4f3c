"""Parameter uncertainty apart from noise (issue 13.6): draws, the summary, ``--uncertainty``."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scenario_builders import busy_scenario
from scipy import stats

from forlopsim.cli import main
from forlopsim.comparison import Comparison, compare_scenarios
from forlopsim.errors import ScenarioError
from forlopsim.report.data import ReportData
from forlopsim.report.i18n import Language
from forlopsim.report.uncertainty import section
from forlopsim.uncertainty import (
    Uncertainty,
    draw_table,
    drawn,
    load_uncertainty,
    run_uncertainty,
    summarise_draws,
)
from forlopsim.uncertainty.spec import UncertaintyFile

ARRIVALS = "referrals.streams.street.annual_rate"
BREAKDOWN = "hazards.tenancy_breakdown.per_year"
FLAT = "housing.tiers.flat.capacity"


def spec_text(arrivals: str = "[2000, 6000]", extra: str = "") -> str:
    return (
        "parameters:\n"
        "  arrivals:\n"
        f"    path: {ARRIVALS}\n"
        f"    bounds: {arrivals}\n"
        '    source: "test: referrals per year"\n'
        f"{extra}"
    )


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def scenarios():
    base = busy_scenario(horizon_days=200.0, warmup_days=20.0)
    return base, base.with_changes({"name": "more", FLAT: 30})


# -- the summary by hand ---------------------------------------------------------------------


def hand_built() -> Uncertainty:
    """Five draws of two replications each, one lower- and one higher-is-better KPI."""
    base = {d: pd.DataFrame({"homeless_mean": [10.0, 12.0]}) for d in range(5)}
    shifts = [(-3.5, -2.5), (-1.0, -1.0), (1.0, 3.0), (-1.0, 0.0), (4.0, 4.0)]
    tables = {}
    for d, (a, b) in enumerate(shifts):
        tables[(d, "base")] = base[d].assign(**{"placed_within_365d.tier.flat": [0.5, 0.5]})
        whatif = base[d].assign(homeless_mean=base[d]["homeless_mean"] + [a, b])
        tables[(d, "w")] = whatif.assign(**{"placed_within_365d.tier.flat": [0.5 + a, 0.5 + b]})
    values = pd.DataFrame({"x": np.arange(5.0)}, index=pd.RangeIndex(5, name="draw"))
    spec = UncertaintyFile.model_validate(
        {"parameters": {"x": {"path": "a.b", "bounds": [0, 4], "source": "test"}}}
    )
    kpis = ("homeless_mean", "placed_within_365d.tier.flat")
    return Uncertainty("base", ["base", "w"], values, tables, 2, 0, kpis, spec)


def test_probability_interval_and_variances_by_hand():
    result = hand_built()
    rows = result.rows()
    assert len(rows) == 5 * 2 and set(rows.columns) >= {"draw", "kpi", "difference", "x"}
    lower = rows[rows["kpi"] == "homeless_mean"]
    means = [-3.0, -1.0, 2.0, -0.5, 4.0]
    assert lower["difference"].tolist() == means
    assert lower["noise_variance"].tolist() == [0.5, 0.0, 2.0, 0.5, 0.0]
    summary = result.summary().set_index("kpi")
    h = summary.loc["homeless_mean"]
    assert h["p_lower"] == h["p_improves"] == 3 / 5 and h["p_higher"] == 2 / 5
    # sorted −3, −1, −0.5, 2, 4: the 2.5th percentile lies 0.1 of the way from −3 to −1
    assert h["low"] == pytest.approx(-3 + 0.1 * 2) and h["high"] == pytest.approx(2 + 0.9 * 2)
    assert h["difference"] == pytest.approx(np.mean(means))
    assert h["between_variance"] == pytest.approx(np.var(means, ddof=1))
    assert h["noise_variance"] == pytest.approx(3.0 / 5)
    assert h["noise_variance_of_mean"] == pytest.approx(3.0 / 5 / 2)
    assert h["parameter_variance"] == pytest.approx(np.var(means, ddof=1) - 0.3)
    # the same differences on a share where higher is better: improves when it rises
    p = summary.loc["placed_within_365d.tier.flat"]
    assert p["better"] == "higher" and p["p_improves"] == p["p_higher"] == 2 / 5


def test_noise_larger_than_the_spread_leaves_no_parameter_variance():
    rows = pd.DataFrame(
        {
            "draw": [0, 1, 2],
            "scenario": "w",
            "kpi": "homeless_mean",
            "difference": [1.0, 2.0, 3.0],
            "noise_variance": [10.0, 10.0, 10.0],
            "n": [2, 2, 2],
        }
    )
    row = summarise_draws(rows).iloc[0]
    assert row["between_variance"] == pytest.approx(1.0)
    assert row["parameter_variance"] == 0.0 and row["parameter_share"] == 0.0


# -- the file and the draws ------------------------------------------------------------------


def test_draws_follow_their_distributions_and_the_seed(tmp_path, scenarios):
    extra = (
        "  breakdown:\n"
        f"    path: {BREAKDOWN}\n"
        "    scale: [0.5, 2.0]\n"
        "    distribution: {kind: triangular, mode: 0.5}\n"
        '    source: "test"\n'
        "  capacity:\n"
        f"    path: {FLAT}\n"
        "    bounds: [10, 30]\n"
        "    distribution: {kind: lognormal, mean: 20, sd: 15}\n"
        '    source: "test"\n'
    )
    spec = load_uncertainty(write(tmp_path, "spec.yaml", spec_text(extra=extra)), scenarios)
    table = draw_table(spec, 400, seed=5)
    assert table.equals(draw_table(spec, 400, seed=5))
    assert not table.equals(draw_table(spec, 400, seed=6))
    # a Latin hypercube: every 1/400 slice of each distribution holds one draw
    assert stats.kstest(table["arrivals"], stats.uniform(2000, 4000).cdf).statistic < 0.003
    triangle = stats.triang(0.0, loc=0.5, scale=1.5)
    assert stats.kstest(table["breakdown"], triangle.cdf).statistic < 0.003
    assert table["capacity"].between(10, 30).all()
    one = drawn(scenarios[0], scenarios[0], spec.parameters, table.iloc[0].to_dict())
    assert isinstance(one.housing.tiers["flat"].capacity, int)


def test_a_whatifs_own_changes_stay_on_top(tmp_path, scenarios):
    base, _ = scenarios
    whatif = base.with_changes({"name": "own", ARRIVALS: 5000.0, f"{BREAKDOWN}.1": 12.0})
    extra = f'  breakdown:\n    path: {BREAKDOWN}\n    scale: [0.5, 2.0]\n    source: "test"\n'
    spec = load_uncertainty(write(tmp_path, "spec.yaml", spec_text(extra=extra)), [base, whatif])
    values = {"arrivals": 2500.0, "breakdown": 1.5}
    b = drawn(base, base, spec.parameters, values)
    w = drawn(whatif, base, spec.parameters, values)
    assert b.referrals.streams["street"].annual_rate == 2500.0
    assert w.referrals.streams["street"].annual_rate == 5000.0  # the what-if's own number
    assert b.hazards.tenancy_breakdown.per_year[1] == 6.0 * 1.5
    assert w.hazards.tenancy_breakdown.per_year[1] == 12.0 * 1.5  # its change, scaled alike
    assert w.hazards.tenancy_breakdown.per_year[2] == b.hazards.tenancy_breakdown.per_year[2]


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        (spec_text().replace("street", "strete"), 3, "parameters.arrivals.path", "no 'strete'"),
        (spec_text("[6000, 2000]"), 2, "parameters.arrivals", "low <= high"),
        (spec_text("[-5, 2000]"), 4, "parameters.arrivals.bounds", "invalid scenario"),
        (
            spec_text(extra="    distribution: {kind: triangular}\n").replace(
                '    source: "test: referrals per year"\n', ""
            )
            + '    source: "x"\n',
            5,
            "parameters.arrivals.distribution",
            "takes mode",
        ),
        (
            spec_text().replace(
                "    source", "    distribution: {kind: normal, mean: 9000, sd: 5}\n    source"
            ),
            2,
            "parameters.arrivals",
            "outside",
        ),
        (spec_text().replace("bounds", "bounts"), 4, "parameters.arrivals.bounts", "unknown key"),
    ],
)
def test_a_bad_spec_is_a_located_error(tmp_path, scenarios, text, line, field, words):
    path = write(tmp_path, "bad.yaml", text)
    with pytest.raises(ScenarioError) as error:
        load_uncertainty(path, scenarios)
    problem = error.value.problems[0]
    assert (problem.file, problem.line, problem.path) == (str(path), line, field), problem
    assert words in problem.message


# -- the study -------------------------------------------------------------------------------


def test_zero_width_leaves_only_noise_between_draws(tmp_path, scenarios):
    """A parameter held at the scenario's own value: every draw is the base, but its own seeds.

    The draws' differences are then exactly those of an ordinary comparison, block by block, and
    their spread is the noise the inner replications measure: the F ratio of the spread over
    draws to the noise of a draw's mean stays below its 99.9% quantile, and the parameters'
    estimated share of the spread is small.
    """
    base, whatif = scenarios
    spec = load_uncertainty(write(tmp_path, "s.yaml", spec_text("[4000, 4000]")), scenarios)
    draws, inner = 5, 3
    result = run_uncertainty(spec, [base, whatif], ["busy", "more"], inner, draws, seed=11)
    assert (result.values["arrivals"] == 4000.0).all()
    plain = compare_scenarios(base, [whatif], replications=draws * inner, seed=11)
    differences = plain.paired_differences("more")["homeless_mean"].to_numpy()
    rows = result.rows()
    mine = rows[rows["kpi"] == "homeless_mean"]["difference"].to_numpy()
    assert mine == pytest.approx(differences.reshape(draws, inner).mean(axis=1), abs=1e-12)
    row = result.summary().set_index("kpi").loc["homeless_mean"]
    f = row["between_variance"] / row["noise_variance_of_mean"]
    print(f"F = {f:.2f}, parameter share {row['parameter_share']:.2f}")
    assert f < stats.f.ppf(0.999, draws - 1, draws * (inner - 1))


def test_a_referral_rate_drives_homelessness_monotonically(tmp_path, scenarios):
    spec = load_uncertainty(write(tmp_path, "s.yaml", spec_text("[1000, 6000]")), scenarios)
    result = run_uncertainty(spec, list(scenarios), ["busy", "more"], 2, 5, seed=3)
    rows = result.rows()
    level = rows[rows["kpi"] == "homeless_mean"].sort_values("arrivals")
    print("arrivals → homeless (base):", level[["arrivals", "base_mean"]].round(1).values.tolist())
    assert np.all(np.diff(level["base_mean"]) > 0)  # more referrals, more homeless, every draw
    assert np.all(np.diff(level["whatif_mean"]) > 0)


# -- the report -----------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["nb", "en"])
def test_the_report_section_has_one_chart_and_its_table(code):
    result = hand_built()
    empty = pd.DataFrame()
    comparison = Comparison(base="base", tables={}, uncertainty=result)
    data = ReportData(comparison, empty, empty, empty)
    blocks, record = section(data, Language(code), 9)
    kinds = [type(b).__name__ for b in blocks]
    assert kinds == ["Heading", "Paragraph", "Figure", "Table"]
    figure, table = blocks[2], blocks[3]
    assert figure.caption.startswith("Figur 9." if code == "nb" else "Figure 9.")
    assert figure.png.startswith(b"\x89PNG")
    assert [row[:2] for row in table.rows] == [
        ["w", Language(code).t("homeless_mean")],
        ["w", "placed_within_365d.tier.flat"],
    ]
    assert table.rows[0][3] == "60" + Language(code).t("unit_percent")  # 3 of 5 draws lower
    assert record["uncertainty"]["draws"] == 5
    # no study, no section
    assert section(ReportData(Comparison("base", {}), empty, empty, empty), Language(code), 9) == (
        [],
        {},
    )


# -- the command -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def files(tmp_path_factory, scenarios) -> tuple[Path, Path, Path]:
    """The busy base and a what-if with 10 more flats, 2 replications, seed 3; and a spec."""
    folder = tmp_path_factory.mktemp("uncertainty")
    data = scenarios[0].model_dump(mode="json", exclude_none=True)
    data["simulation"].update(replications=2, seed=3)
    base = write(folder, "busy.yaml", yaml.safe_dump(data, sort_keys=False))
    whatif = write(
        folder,
        "more.yaml",
        "extends: busy.yaml\nname: more\nhousing: {tiers: {flat: {capacity: 30}}}\n",
    )
    return base, whatif, write(folder, "spec.yaml", spec_text())


def compare(*arguments: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = main(["compare", *arguments])
    return status, stdout.getvalue(), stderr.getvalue()


def test_compare_with_uncertainty_is_the_same_for_any_jobs(files, tmp_path):
    base, whatif, spec = files
    found = []
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs{jobs}"
        status, printed, err = compare(
            str(base), str(whatif), "--uncertainty", str(spec), "--draws", "3",
            "--out", str(out), "--no-records", "-j", jobs,
        )  # fmt: skip
        assert status == 0, err
        assert "Parameter uncertainty: 3 draws × 2 replications, seed 3" in printed
        assert "P(improves)" in printed
        document = json.loads((out / "uncertainty.json").read_text())
        found.append((pd.read_csv(out / "uncertainty.csv"), document))
    pd.testing.assert_frame_equal(found[0][0], found[1][0])
    assert found[0][1]["summary"] == found[1][1]["summary"]
    table, document = found[0]
    assert len(table) == 3 * table["kpi"].nunique() and "homeless_mean" in set(table["kpi"])
    assert set(table["draw"]) == {0, 1, 2} and set(table["scenario"]) == {"more"}
    assert {"arrivals", "difference", "noise_variance"} <= set(table.columns)
    homeless = document["summary"]["more"]["homeless_mean"]
    assert homeless["draws"] == 3 and 0 <= homeless["p_improves"] <= 1
    assert homeless["low"] <= homeless["difference"] <= homeless["high"]


def test_compare_with_a_bad_spec_exits_2_and_writes_nothing(files, tmp_path):
    base, whatif, _ = files
    bad = write(tmp_path, "bad.yaml", spec_text().replace("street", "strete"))
    out = tmp_path / "results"
    status, _, err = compare(str(base), str(whatif), "--uncertainty", str(bad), "--out", str(out))
    assert status == 2
    assert f"{bad}:3: parameters.arrivals.path:" in err and "Traceback" not in err
    assert not out.exists()


def test_draws_without_a_spec_is_a_usage_error(files):
    base, whatif, _ = files
    status, _, err = compare(str(base), str(whatif), "--draws", "5")
    assert status == 2 and "--draws needs --uncertainty" in err
