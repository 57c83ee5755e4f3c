"""Units of time used throughout: the simulation clock counts days."""

DAYS_PER_YEAR = 365.25  # unit conversion: rates in scenario files are per year
