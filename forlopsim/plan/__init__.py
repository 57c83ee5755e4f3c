"""``forlopsim plan``: search capacity decisions for the best plan within a budget (issue 15).

:mod:`.spec` reads the plan file, :mod:`.search` evaluates candidates under common random
numbers with Optuna and logs them resumably, :mod:`.confirm` compares the best few by paired
differences, :mod:`.output` writes the recommended plan as a scenario that extends the base.
"""
