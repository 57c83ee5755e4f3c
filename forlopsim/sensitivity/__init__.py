"""Sobol sensitivity analysis of a sweep's KPIs (``forlopsim sensitivity``), with SALib.

>>> from forlopsim.sweep import load_spec, run_sweep
>>> from forlopsim.sensitivity import sobol_indices, sobol_chart
>>> sweep = load_spec("sweeps/crisis_bed_queue.yaml")                 # doctest: +SKIP
>>> table, skipped = sobol_indices(sweep, run_sweep(sweep, "out"))    # doctest: +SKIP
"""

from __future__ import annotations

from forlopsim.sensitivity.analysis import point_means, sobol_indices
from forlopsim.sensitivity.chart import sobol_chart

__all__ = ["point_means", "sobol_chart", "sobol_indices"]
