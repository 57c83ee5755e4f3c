"""Every bound forlopsim puts on its input, in one place, each with why it is where it is.

A bound turns a request that cannot finish (or would exhaust memory) into a clear error before
any work starts. Each is far above what any scenario of a municipality's services needs, so that
no real use meets it: the committed scenarios stay 10 to 1,000 times below every one (and the
test suite's longest run, 82 years, 12 times below the horizon's).
docs/reliability.md tabulates them.
"""

from __future__ import annotations

DAYS_PER_YEAR = 365.25
"""Days in a year, for the bounds that are given per year."""

# --- reading files ---------------------------------------------------------------------------------

MAX_FILE_BYTES = 1_048_576
"""Largest input file read (1 MiB). The baseline is 23 kB; the YAML parser reads about
100 kB a second, so a file at the bound is refused, or read, within seconds. Checked while
reading: no more than this many bytes are ever read."""

MAX_VALUES = 50_000
"""Values (nodes) in one file. Counted while the file is parsed, so a file of tiny values
stops at the bound, not after it is all in memory; the baseline has about 1,700."""

MAX_EXPANDED_VALUES = 200_000
"""Values in one file counting those repeated through YAML aliases (an alias bomb repeats a
few values billions of times); checked before any of them is validated."""

MAX_DEPTH = 64
"""Deepest nesting of values accepted (a scenario needs about 8); deeper ends Python's stack."""

MAX_EXTENDS_CHAIN = 32
"""Files in one ``extends:`` chain (a what-if of a what-if …). The committed chains have 3;
each file of a chain is read and merged, and a long chain is a loop that was not seen as one."""

# --- the size of a run -----------------------------------------------------------------------------

MAX_REPLICATIONS = 10_000
"""Replications of one run or sweep point. Precision grows with the square root of the count:
10,000 give intervals 30 times narrower than 10 (the default); more is a typing mistake, and each
replication's results are held in memory until the run ends."""

MAX_HORIZON_DAYS = 365_250.0
"""Days simulated (1,000 years). No planning question looks further than a lifetime (the
scenarios run 15 years, the analytic tests' long queues 82); a longer horizon is a mistake of
units (hours or minutes given as days) and would run for days."""

MAX_INITIAL_POPULATION = 1_000_000
"""Residents at time 0. More than the people of Norway's largest municipality (Oslo, 0.7
million); every resident is an object in memory for the whole run."""

MAX_REFERRALS_PER_YEAR = 1_000_000.0
"""Mean referrals a year of one stream: more than a whole city's people, every year."""

MAX_GROWTH_PER_YEAR = 1.0
"""The largest yearly growth of a referral stream (a doubling each year): over the longest
horizon the rate stays a finite float."""

MAX_RESIDENTS = 10_000_000
"""Residents one replication may be expected to see (the initial population and every stream's
rate over the horizon). Each resident needs about a kilobyte while in the model, and every event
of theirs is a record row; ten million are tens of gigabytes of records."""

MAX_RATE_PER_YEAR = 8_766.0
"""A rate per resident and year (a hazard: crises, tenancies breaking down, moves on): once an
hour. Faster than that is not a service event but a unit mistake (per day given as per year
times 365), and it fills the event queue without end."""
