"""Residents in services: followed by a team, or in touch with low-threshold services."""

from __future__ import annotations

import numpy as np

from forlopsim.metrics.spells import clipped_days, spell_columns, union_days
from forlopsim.records import Records


def in_services(records: Records) -> dict[str, float]:
    """Mean residents served by a team or low-threshold services, and by each of the two.

    A resident followed by a team and in touch with low-threshold services at once is counted
    once.
    """
    w, h = records.warmup, records.horizon
    ev = records.events
    followed = spell_columns(ev, "follow_up_start", "follow_up_end", h)
    contact = spell_columns(ev, "contact_start", "contact_end", h)
    both = union_days({k: np.concatenate((followed[k], contact[k])) for k in followed}, w, h)
    days = h - w
    return {
        "residents_in_services": float(both.sum()) / days,
        "residents_in_follow_up": float(clipped_days(followed, w, h).sum()) / days,
        "residents_in_low_threshold": float(clipped_days(contact, w, h).sum()) / days,
    }
