"""Parameter sweeps (``forlopsim sweep``): a design over scenario parameters.

Each point is run with common random numbers and stored as a resumable Parquet dataset.

>>> from forlopsim.sweep import load_spec, run_sweep
>>> sweep = load_spec("sweeps/crisis_bed_queue.yaml")             # doctest: +SKIP
>>> results = run_sweep(sweep, "out/crisis_bed_queue", jobs=2)     # doctest: +SKIP
"""

from __future__ import annotations

from forlopsim.backends import Backend, DaskBackend, LocalBackend
from forlopsim.sweep.design import design_table, salib_problem
from forlopsim.sweep.run import run_sweep
from forlopsim.sweep.spec import Sweep, SweepSpec, load_spec
from forlopsim.sweep.store import Store

__all__ = [
    "Backend",
    "DaskBackend",
    "LocalBackend",
    "Store",
    "Sweep",
    "SweepSpec",
    "design_table",
    "load_spec",
    "run_sweep",
    "salib_problem",
]
