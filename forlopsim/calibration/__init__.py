"""Calibration: fit chosen scenario parameters to published figures (``calibration/``).

A *target* (:mod:`.spec`) is a KPI with an observed value, a tolerance and a source; a *parameter*
is a dotted path into the scenario with bounds, or a factor that scales every number under it.
:func:`calibrate` (:mod:`.fit`) minimises the weighted distance between simulated KPI means and
the targets with Nelder–Mead (``scipy.optimize``), every candidate point run with the same
replication seeds (common random numbers), each evaluation logged so that a stopped calibration
resumes where it stopped (:mod:`.log`). :mod:`.output` writes the calibrated scenario, a YAML
file that extends the base, and the fit table.
"""

from forlopsim.calibration.fit import Calibration, calibrate, fit_table
from forlopsim.calibration.spec import (
    Parameter,
    ParametersFile,
    Target,
    TargetsFile,
    load_parameters,
    load_targets,
)

__all__ = [
    "Calibration",
    "Parameter",
    "ParametersFile",
    "Target",
    "TargetsFile",
    "calibrate",
    "fit_table",
    "load_parameters",
    "load_targets",
]
