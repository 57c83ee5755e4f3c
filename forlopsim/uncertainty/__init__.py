"""Parameter uncertainty apart from simulation noise (``compare --uncertainty SPEC``).

:mod:`.spec` reads the file of uncertain parameters and draws them; :mod:`.study` runs the
outer draws with inner replications and separates noise from what we do not know; :mod:`.files`
writes ``uncertainty.csv`` / ``uncertainty.json`` and the text summary.
"""

from forlopsim.uncertainty.spec import UncertaintyFile, draw_table, drawn, load_uncertainty
from forlopsim.uncertainty.study import Uncertainty, run_uncertainty, summarise_draws

__all__ = [
    "Uncertainty",
    "UncertaintyFile",
    "draw_table",
    "drawn",
    "load_uncertainty",
    "run_uncertainty",
    "summarise_draws",
]
