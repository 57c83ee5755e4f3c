"""Residents in services: followed by a team (or a staffed tier's staff), or low-threshold."""

from __future__ import annotations

import numpy as np

from forlopsim.metrics.spells import clipped_days, places_of, spell_columns, union_days
from forlopsim.records import Records


def in_services(records: Records) -> dict[str, float]:
    """Mean residents served by a team or low-threshold services, and by each of the two.

    A resident followed by a team and in touch with low-threshold services at once is counted
    once. The residents of a staffed tier are followed by its staff: their tenancies count as
    follow-up.
    """
    w, h = records.warmup, records.horizon
    ev = records.events
    followed = spell_columns(ev, "follow_up_start", "follow_up_end", h)
    staffed = [n for n, p in places_of(records, "tier").items() if p.get("staffed")]
    if staffed:
        housed = spell_columns(ev, "tenancy_start", "tenancy_end", h, staffed)
        followed = {k: np.concatenate((followed[k], housed[k])) for k in followed}
    contact = spell_columns(ev, "contact_start", "contact_end", h)
    both = union_days({k: np.concatenate((followed[k], contact[k])) for k in followed}, w, h)
    days = h - w
    return {
        "residents_in_services": float(both.sum()) / days,
        "residents_in_follow_up": float(clipped_days(followed, w, h).sum()) / days,
        "residents_in_low_threshold": float(clipped_days(contact, w, h).sum()) / days,
    }
