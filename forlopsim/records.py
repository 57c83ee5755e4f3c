"""The event log of one replication: flat records with a ``kind`` field, columnar, exportable.

The engine appends rows; metrics and reports read only these tables. Columns of ``events``:

==========  =========================================================================
time        simulated day (float), day 0 a Monday at midnight
resident    resident id (int), unique within a replication
kind        what happened (see :data:`KINDS`)
place       the tier, team, crisis bed, institution, waiting list or stream concerned
origin      for ``move``: the location left; for ``handover``: the team left
cause       why (e.g. ``breakdown``, ``max_stay``, ``early``, ``overdose``, ``placed``)
need        the resident's need level at that moment (1–4)
==========  =========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

KINDS: dict[str, str] = {
    "referral": "a resident enters (place: referral stream, or 'initial' at time 0)",
    "move": "the resident's location changes (place: new location, origin: old one)",
    "tenancy_start": "a housing place is taken (place: tier)",
    "tenancy_end": "a housing place is given up (place: tier; cause: why)",
    "wait_start": "the resident joins a waiting list (place: tier, team or institution)",
    "wait_end": "the resident leaves a waiting list (cause: placed, left or exit); a resident "
    "served at once has a wait_start and wait_end at the same time",
    "follow_up_start": "a team starts following the resident (place: unit.team)",
    "follow_up_end": "a team stops following the resident (cause: handover or exit)",
    "crisis": "a crisis (cause: how it was met: team, self_referral_bed, crisis_bed, emergency, stay_put)",
    "admission": "a crisis-bed or institution stay begins (place: bed or institution)",
    "discharge": "a stay ends (cause: planned, early or exit)",
    "turned_away": "a crisis-bed request finds every bed taken (place: crisis bed)",
    "refused": "an institution admission finds no bed and no waiting list",
    "emergency": "the emergency service meets a crisis (instantaneous episode)",
    "need_change": "the need level changes (need: the new level; cause: up or down)",
    "ban": "the resident is barred from a tier (place: tier)",
    "contact_start": "low-threshold services reach the resident",
    "contact_end": "low-threshold contact ends",
    "exit": "the resident leaves the model (cause: recovery, moved, death_overdose, death_other)",
}
"""Every record kind and what its fields mean."""

EVENT_COLUMNS = ("time", "resident", "kind", "place", "origin", "cause", "need")
RESIDENT_COLUMNS = (
    "resident",
    "sex",
    "age_group",
    "problem",
    "violence_risk",
    "need",
    "stream",
    "referred_at",
)


class Recorder:
    """Collects rows during a run; cheap to append to, converted to tables once at the end."""

    __slots__ = ("events", "residents")

    def __init__(self) -> None:
        self.events: list[tuple] = []
        self.residents: list[tuple] = []

    def records(self, meta: dict[str, Any]) -> Records:
        """Freeze what was recorded into :class:`Records`, column by column, and empty the log.
        Each column is read straight from the rows (no transposed copy of the whole log), and
        the rows are freed as soon as their columns are built: a lower peak of memory. Best run
        with the cyclic garbage collector paused: it makes many objects at once."""
        rows = self.events
        events = pd.DataFrame(
            {
                # float64; int64 if every row is at day 0, as before
                "time": np.array(_column(rows, 0)),
                "resident": np.fromiter(_column(rows, 1), np.int32, len(rows)),
                "kind": _categorical(_column(rows, 2)),
                "place": _categorical(_column(rows, 3)),
                "origin": _categorical(_column(rows, 4)),
                "cause": _categorical(_column(rows, 5)),
                "need": np.fromiter(_column(rows, 6), np.int8, len(rows)),
            }
        )
        rows.clear()
        rows = self.residents
        residents = pd.DataFrame(
            {
                "resident": np.fromiter(_column(rows, 0), np.int64, len(rows)),
                "sex": _categorical(_column(rows, 1)),
                "age_group": _categorical(_column(rows, 2)),
                "problem": _categorical(_column(rows, 3)),
                "violence_risk": _categorical(_column(rows, 4)),
                "need": np.fromiter(_column(rows, 5), np.int64, len(rows)),
                "stream": _categorical(_column(rows, 6)),
                "referred_at": np.array(_column(rows, 7)),  # likewise
            }
        )
        rows.clear()
        return Records(events=events, residents=residents, meta=meta)


def _column(rows: list[tuple], i: int) -> list:
    """Field ``i`` of every row."""
    return list(map(itemgetter(i), rows))


def _categorical(values: list[str]) -> pd.Categorical:
    """Strings as a categorical with sorted string categories, as ``astype("category")`` of a
    string column makes them, without building the string column first."""
    categories = sorted(set(values))
    code = {value: i for i, value in enumerate(categories)}
    codes = np.fromiter(map(code.__getitem__, values), np.int32, len(values))
    return pd.Categorical.from_codes(codes, categories=pd.Index(categories, dtype="str"))


@dataclass
class Records:
    """The records of one replication: ``events``, ``residents`` and run ``meta`` data."""

    events: pd.DataFrame
    residents: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def warmup(self) -> float:
        return float(self.meta["warmup_days"])

    @property
    def horizon(self) -> float:
        return float(self.meta["horizon_days"])

    def to_parquet(self, directory: Path, replication: int) -> list[Path]:
        """Write ``events`` and ``residents`` as Parquet files tagged with the replication."""
        from forlopsim.record_files import TABLES, table_path  # the file names, defined once

        paths = []
        for name in TABLES:
            path = table_path(directory, name, replication)
            getattr(self, name).assign(replication=replication).to_parquet(path, index=False)
            paths.append(path)
        return paths
