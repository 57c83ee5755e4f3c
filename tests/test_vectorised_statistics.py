"""Every KPI's interval at once gives, bit for bit, what one Student-t interval per KPI gave.

``Comparison.differences`` and ``summarise`` now compute all KPIs as arrays
(:func:`forlopsim.stats.row_intervals`). The per-KPI implementations they replaced are kept here,
verbatim, as the reference: on a real comparison (the calibrated baseline and two what-ifs over a
short horizon), with KPIs undefined in some replications, a KPI only one side has and
replications missing on one side, the tables must be equal to the last bit, and so must the CSV
that ``compare --out`` writes from them.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forlopsim.comparison import DIFFERENCE_COLUMNS, HEADLINE_KPIS, Comparison, compare_scenarios
from forlopsim.experiment import summarise
from forlopsim.scenario import load_scenario
from forlopsim.stats import holm, is_fixed, row_intervals, t_interval, t_p_value

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SHORT = {"simulation.horizon_days": 400.0, "simulation.warmup_days": 100.0}


# -- the per-KPI implementations replaced (forlopsim 0.1.0 before issue 18), verbatim ----------


def old_differences(comparison: Comparison) -> pd.DataFrame:
    """``Comparison.differences`` as it was: one ``t_interval`` per what-if and KPI."""
    base = comparison.tables[comparison.base]
    rows = []
    for label in comparison.whatifs:
        table = comparison.tables[label]
        for kpi in list(dict.fromkeys([*base.columns, *table.columns])):
            rows.append(_old_difference(comparison, label, kpi, base, table))
    frame = pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS)
    frame["p_holm"] = holm(frame["p_value"].to_numpy(dtype=float))
    frame["significant"] = (frame["p_holm"] < 1 - comparison.confidence).astype(bool)
    return frame


def _old_difference(
    comparison: Comparison, label: str, kpi: str, base: pd.DataFrame, whatif: pd.DataFrame
) -> dict[str, object]:
    b = _column(base, kpi)
    w = _column(whatif, kpi)
    paired = (w - b).dropna().to_numpy()
    mean, half = t_interval(paired, comparison.confidence)
    if is_fixed(paired):
        half = 0.0
    low, high = mean - half, mean + half
    return {
        "scenario": label,
        "kpi": kpi,
        "base_mean": _mean(b),
        "whatif_mean": _mean(w),
        "difference": mean,
        "ci_low": low,
        "ci_high": high,
        "half_width": half,
        "n": len(paired),
        "significant": False,
        "p_value": t_p_value(paired) if kpi in HEADLINE_KPIS else math.nan,
        "p_holm": math.nan,
    }


def _column(table: pd.DataFrame, kpi: str) -> pd.Series:
    if kpi in table.columns:
        return table[kpi].astype(float)
    return pd.Series(np.nan, index=table.index)


def _mean(values: pd.Series) -> float:
    valid = values.dropna()
    return float(valid.mean()) if len(valid) else math.nan


def old_summarise(table: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """``summarise`` as it was: one ``t_interval`` per KPI."""
    rows = []
    for name in table.columns:
        column = table[name].to_numpy(dtype=float)
        mean, half = t_interval(column, confidence)
        valid = column[~np.isnan(column)]
        rows.append(
            {
                "kpi": name,
                "mean": mean,
                "sd": float(valid.std(ddof=1)) if len(valid) > 1 else math.nan,
                "n": len(valid),
                "ci_low": mean - half,
                "ci_high": mean + half,
                "half_width": half,
            }
        )
    return pd.DataFrame(rows, columns=["kpi", "mean", "sd", "n", "ci_low", "ci_high", "half_width"])


# -- checks --------------------------------------------------------------------------------------


def assert_bitwise_equal(new: pd.DataFrame, old: pd.DataFrame) -> None:
    """Same columns, dtypes and values, floats compared by their bits (so -0.0 ≠ 0.0)."""
    pd.testing.assert_frame_equal(new, old, check_exact=True)
    for name in old.columns:
        if old[name].dtype == np.float64:
            assert np.array_equal(
                new[name].to_numpy().view(np.int64), old[name].to_numpy().view(np.int64)
            ), name
    assert new.to_csv(index=False) == old.to_csv(index=False)


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    """The calibrated baseline, the missing middle and crisis beds: 4 replications, 400 days."""
    base, *whatifs = [
        load_scenario(SCENARIOS / f"{name}.yaml").with_changes(SHORT)
        for name in ("trondheim_calibrated", "missing_middle", "crisis_beds")
    ]
    return compare_scenarios(base, whatifs, replications=4, seed=3)


def test_differences_are_bit_identical_to_one_interval_per_kpi(comparison: Comparison) -> None:
    new, old = comparison.differences(), old_differences(comparison)
    assert len(old) > 500 and old["p_value"].notna().any()
    assert (old["half_width"] == 0).any()  # fixed numbers (costs of new places) are among them
    assert_bitwise_equal(new, old)


def test_undefined_kpis_and_missing_replications_are_bit_identical(
    comparison: Comparison,
) -> None:
    """NaN in some replications, a KPI on one side only, replications that do not pair up."""
    tables = {label: table.copy() for label, table in comparison.tables.items()}
    base, middle, beds = tables.values()
    kpis = list(base.columns)
    base.iloc[1, :50] = np.nan  # undefined in one replication of the base
    middle.iloc[[0, 2], 20:80] = np.nan
    middle.iloc[:, 100] = np.nan  # undefined everywhere
    middle.iloc[:3, 101] = np.nan  # defined in one replication only
    middle.iloc[:, 102] = middle.iloc[0, 102]  # one number in every replication
    tables[comparison.whatifs[0]] = middle.drop(columns=kpis[5:9]).copy().assign(only_here=1.5)
    tables[comparison.whatifs[1]] = beds.drop(index=beds.index[0])  # a replication lost
    changed = Comparison(comparison.base, tables, replications=4, seed=3)
    assert_bitwise_equal(changed.differences(), old_differences(changed))


def test_summary_is_bit_identical_to_one_interval_per_kpi(comparison: Comparison) -> None:
    for table in comparison.tables.values():
        holey = table.copy()
        holey.iloc[0, :30] = np.nan
        for each in (table, holey, table.iloc[:1], table.iloc[:0], table.iloc[:, :0]):
            assert_bitwise_equal(summarise(each), old_summarise(each))


@pytest.mark.parametrize("width", [1, 2, 7, 8, 9, 10, 16, 17, 127, 128, 129, 300])
def test_row_intervals_match_t_interval_row_by_row(width: int) -> None:
    """Across the widths where NumPy's pairwise summation changes its grouping (8, 128)."""
    rng = np.random.default_rng(width)
    values = rng.lognormal(3, 2, size=(40, width)) * rng.choice([-1, 1], size=(40, width))
    values[3, 0] = np.nan
    values[4] = 7.25
    values[5, : width // 2] = np.nan
    rows = row_intervals(values)
    for k, row in enumerate(values):
        mean, half = t_interval(row)
        kept = row[~np.isnan(row)]
        sd = kept.std(ddof=1) if len(kept) > 1 else math.nan
        expected = np.array([mean, half, sd])
        got = np.array([rows.mean[k], rows.half_width[k], rows.sd[k]])
        assert np.array_equal(got.view(np.int64), expected.view(np.int64)), k
        assert rows.fixed[k] == is_fixed(row) and rows.n[k] == len(kept)
