"""Crisis beds: requests, admissions, turn-aways and the turn-away probability.

A *request* to a bed type is an admission to it or a turn-away from it (every bed type is full):
one crisis can make several requests, a turn-away from one type and an admission to the next.
Counts are per observed year, of records inside the observed window.
"""

from __future__ import annotations

import numpy as np

from forlopsim.metrics.spells import member, observed_years, places_of, positions
from forlopsim.records import Records


def crisis_beds(records: Records) -> dict[str, float]:
    """Requests, admissions, turn-aways per year and turn-away probability per crisis-bed type.

    For each crisis-bed type and all together; and the share of crises that asked for a bed and
    got none.
    """
    beds = list(places_of(records, "crisis_bed"))
    ev = records.events
    ev = ev.iloc[positions((ev["time"] >= records.warmup).to_numpy() & member(ev["place"], beds))]
    admitted = ev[ev["kind"] == "admission"].groupby("place", observed=True).size()
    turned = ev[ev["kind"] == "turned_away"].groupby("place", observed=True).size()
    result = {}
    years = observed_years(records)
    for name in [*beds, "all"]:
        a = float(admitted.sum() if name == "all" else admitted.get(name, 0))
        t = float(turned.sum() if name == "all" else turned.get(name, 0))
        result[f"crisis_bed_requests_per_year.{name}"] = (a + t) / years
        result[f"crisis_bed_admissions_per_year.{name}"] = a / years
        result[f"crisis_bed_turn_aways_per_year.{name}"] = t / years
        result[f"turn_away.{name}"] = t / (a + t) if a + t else float("nan")
    result["turned_away_crises.share"] = _unserved_share(ev)
    return result


def _unserved_share(ev) -> float:
    """Of the crises (resident, time) that asked for at least one bed, the share admitted to none."""
    asked = ev.iloc[positions(member(ev["kind"], ("admission", "turned_away")))]
    if asked.empty:
        return float("nan")
    key = asked["resident"].to_numpy(np.int64), asked["time"].to_numpy(float)
    admitted = (asked["kind"] == "admission").to_numpy()
    order = np.lexsort((key[1], key[0]))
    res, time, adm = key[0][order], key[1][order], admitted[order]
    new = np.r_[True, (res[1:] != res[:-1]) | (time[1:] != time[:-1])]
    crisis = np.cumsum(new) - 1
    served = np.zeros(crisis[-1] + 1, bool)
    np.logical_or.at(served, crisis, adm)
    return float(1.0 - served.mean())
