"""The Student-t confidence interval over replications, written once for every caller.

:mod:`forlopsim.experiment` (KPI summaries), :mod:`forlopsim.comparison` (paired differences),
the calibration's fit table and the report's chart bands all use it, so their intervals agree
to the last bit. SciPy is imported on first use only: ``scipy.special.stdtrit`` is the function
``scipy.stats.t.ppf`` itself calls, and importing ``scipy.stats`` would cost every command 0.4 s
and a worker some 60 MB.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

CONFIDENCE = 0.95
"""Confidence level of every interval unless a caller asks for another."""


def t_quantile(probability: float, degrees_of_freedom: int) -> float:
    """The Student-t quantile, bit for bit ``scipy.stats.t.ppf`` (NaN for 0 degrees)."""
    from scipy import special

    return float(special.stdtrit(degrees_of_freedom, probability))


def t_half_width(sd: ArrayLike, n: ArrayLike, confidence: float = CONFIDENCE) -> np.ndarray:
    """Half-width ``t(1 − (1 − confidence)/2, n − 1) · sd / √n`` of the interval.

    Elementwise, for a single KPI or for many groups at once; NaN where ``n`` is 1.
    """
    from scipy import special

    count = np.asarray(n, dtype=float)
    quantile = special.stdtrit(count - 1, (1 + confidence) / 2)
    return np.asarray(quantile * np.asarray(sd, dtype=float) / np.sqrt(count))


def t_interval(values: ArrayLike, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Mean and half-width of the Student-t confidence interval (NaN values left out)."""
    array = np.asarray(values, dtype=float)
    array = array[~np.isnan(array)]
    n = len(array)
    if n == 0:
        return math.nan, math.nan
    mean = float(array.mean())
    if n == 1:
        return mean, math.nan
    return mean, float(t_half_width(array.std(ddof=1), n, confidence))


FIXED_TOLERANCE = 1e-12
"""Relative spread below which values count as one fixed number (floating-point noise only)."""


def is_fixed(values: ArrayLike) -> bool:
    """Whether two or more values (NaN left out) are all the same number, to floating point.

    Such a quantity does not vary between replications: it is a fixed number, not an estimate,
    so it has no interval to speak of and is never called significant.
    """
    array = np.asarray(values, dtype=float)
    array = array[~np.isnan(array)]
    if len(array) < 2:
        return False
    return bool(np.ptp(array) <= FIXED_TOLERANCE * float(np.abs(array).max()))


@dataclass(frozen=True)
class RowIntervals:
    """The statistics of every row of a table of values (NaN left out), as arrays."""

    mean: np.ndarray
    """Mean of each row (NaN for a row with no value)."""
    sd: np.ndarray
    """Sample standard deviation (NaN below two values)."""
    n: np.ndarray
    """Number of values (not NaN) in each row."""
    half_width: np.ndarray
    """Student-t half-width (NaN below two values)."""
    fixed: np.ndarray
    """:func:`is_fixed` of each row."""


def row_intervals(values: ArrayLike, confidence: float = CONFIDENCE) -> RowIntervals:
    """:func:`t_interval`, the standard deviation and :func:`is_fixed` of every row at once.

    Bit for bit what those functions give row by row: a row is summed along its own contiguous
    memory, so NumPy adds it in the same (pairwise) order as a 1-D array; rows with NaN, which
    the functions first compact, are computed one by one. For KPIs × replications, this saves
    thousands of small calls (``Comparison.differences`` went from about 1 s to milliseconds).
    """
    table = np.array(values, dtype=float, ndmin=2, order="C")
    rows, width = table.shape
    valid = ~np.isnan(table)
    n = valid.sum(axis=1)
    mean, sd = np.full(rows, math.nan), np.full(rows, math.nan)
    fixed = np.zeros(rows, dtype=bool)
    full = n == width
    if width and full.any():
        block = table[full]  # a C-contiguous copy: each row still one run of memory
        mean[full] = block.mean(axis=1)
        if width > 1:
            sd[full] = block.std(axis=1, ddof=1)
            fixed[full] = np.ptp(block, axis=1) <= FIXED_TOLERANCE * np.abs(block).max(axis=1)
    for row in np.flatnonzero(~full & (n > 0)):
        kept = table[row][valid[row]]
        mean[row] = kept.mean()
        if len(kept) > 1:
            sd[row] = kept.std(ddof=1)
            fixed[row] = is_fixed(kept)
    half = np.full(rows, math.nan)
    several = n > 1
    if several.any():
        half[several] = t_half_width(sd[several], n[several], confidence)
    return RowIntervals(mean, sd, n, half, fixed)


def t_p_value(values: ArrayLike) -> float:
    """Two-sided p-value of the one-sample t-test of mean 0 (the paired t-test of differences).

    NaN values are left out; NaN with fewer than two values or when they do not vary
    (:func:`is_fixed`: a fixed number, not an estimate). Equal to
    ``scipy.stats.ttest_1samp(values, 0).pvalue`` to rounding, through ``scipy.special.stdtr``
    (the function ``scipy.stats.t.sf`` calls).
    """
    from scipy import special

    array = np.asarray(values, dtype=float)
    array = array[~np.isnan(array)]
    n = len(array)
    if n < 2 or is_fixed(array):
        return math.nan
    t = float(array.mean()) / (float(array.std(ddof=1)) / math.sqrt(n))
    return float(2 * special.stdtr(n - 1, -abs(t)))


def holm(p_values: ArrayLike) -> np.ndarray:
    """Holm's step-down adjusted p-values, in the order given (NaN: not tested, left NaN).

    With ``m`` tested p-values sorted ascending, the *k*-th (from 1) becomes
    ``min(1, max over j ≤ k of (m − j + 1) · p_(j))``; rejecting where the adjusted value is below
    α controls the chance of any false claim at α, whatever the dependence between the tests.
    """
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full(p.shape, math.nan)
    tested = np.flatnonzero(~np.isnan(p))
    order = tested[np.argsort(p[tested], kind="stable")]
    m = len(order)
    factors = m - np.arange(m)
    adjusted[order] = np.minimum(1.0, np.maximum.accumulate(factors * p[order]))
    return adjusted
