"""Homelessness: days homeless and in temporary housing, and who is homeless at the end.

Days are per resident-year. Locations come from ``move`` records; a resident in a crisis bed
or institution is there, not homeless, even with no housing to return to.
"""

from __future__ import annotations

import numpy as np

from forlopsim.metrics.spells import (
    EXITED,
    HOMELESS,
    clipped_days,
    location_columns,
    observed_days,
    permanent_tiers,
    spell_columns,
    subset,
    temporary_tiers,
)
from forlopsim.records import Records
from forlopsim.units import DAYS_PER_YEAR


def homelessness(records: Records) -> dict[str, float]:
    """Homeless and temporary-housing days per resident-year, and who is homeless.

    Also the mean number homeless and in the model over the observed window; and at the
    horizon, the numbers homeless, in temporary housing, and without housing (no place in a
    non-temporary tier: homeless, in temporary housing, or in a crisis bed or institution with
    no home to go back to).
    """
    spell = location_columns(records)  # sorted by resident, then time
    resident = spell["resident"]
    last = np.r_[resident[1:] != resident[:-1], True] if len(resident) else np.zeros(0, bool)
    present = spell["place"] != EXITED
    spell, at_end = subset(spell, present), last[present]
    days = clipped_days(spell, records.warmup, records.horizon)
    where = spell["place"]
    homeless = float(days[where == HOMELESS].sum())
    temporary = np.isin(where, temporary_tiers(records))
    in_temporary = float(days[temporary].sum())
    total = float(days.sum())
    tenancy = spell_columns(
        records.events, "tenancy_start", "tenancy_end", records.horizon, permanent_tiers(records)
    )
    housed = tenancy["resident"][tenancy["cause"] == "open"]
    present = spell["resident"][at_end]
    return {
        "homeless_days_per_resident_year": homeless / total * DAYS_PER_YEAR if total else np.nan,
        "temporary_days_per_resident_year": (
            in_temporary / total * DAYS_PER_YEAR if total else np.nan
        ),
        "homeless_mean": homeless / observed_days(records),
        "residents_mean": total / observed_days(records),
        "homeless_at_end": float((at_end & (where == HOMELESS)).sum()),
        "temporary_at_end": float((at_end & temporary).sum()),
        "without_housing_at_end": float(np.isin(present, housed, invert=True).sum()),
    }
