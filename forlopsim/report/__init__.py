"""The budget-hearing report (``forlopsim report``): what each what-if buys and costs.

In HTML and PDF, Norwegian (bokmål) or English.

:mod:`.i18n` holds every word and the number formats, :mod:`.data` reads what the charts need
from the records, :mod:`.charts` draws them, :mod:`.document` lays the report out and writes it,
:mod:`forlopsim.cli.report` is the command line.
"""

from forlopsim.report.data import ReportData, collect
from forlopsim.report.document import write
from forlopsim.report.i18n import LANGUAGES, Language

__all__ = ["LANGUAGES", "Language", "ReportData", "collect", "write"]
