"""The Student-t confidence interval over replications, written once for every caller.

:mod:`forlopsim.experiment` (KPI summaries), :mod:`forlopsim.comparison` (paired differences),
the calibration's fit table and the report's chart bands all use it, so their intervals agree
to the last bit. SciPy is imported on first use only: ``scipy.special.stdtrit`` is the function
``scipy.stats.t.ppf`` itself calls, and importing ``scipy.stats`` would cost every command 0.4 s
and a worker some 60 MB.
"""

from __future__ import annotations

import math

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
