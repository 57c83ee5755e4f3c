"""The event log of one replication: flat records with a ``kind`` field, columnar, exportable.

The engine appends rows; metrics and reports read only these tables. The columns of ``events``
are the fields of :class:`Event` and those of ``residents`` the fields of :class:`ResidentRow`,
in that order; :data:`KINDS` says what each kind of event means.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

KINDS: dict[str, str] = {
    "referral": "a resident enters (place: referral stream, or 'initial' at time 0)",
    "move": "the resident's location changes (place: new location, origin: old one)",
    "tenancy_start": "a housing place is taken (place: tier; origin: the reason of the application it was allocated for, if any; cause: how)",
    "tenancy_end": "a housing place is given up (place: tier; cause: why)",
    "wait_start": "the resident joins a waiting list (place: tier, team or institution)",
    "wait_end": "the resident leaves a waiting list (cause: placed, left or exit); a resident "
    "served at once has a wait_start and wait_end at the same time",
    "follow_up_start": "a team starts following the resident (place: unit.team)",
    "follow_up_end": "a team stops following the resident (cause: handover, recovery or exit)",
    "crisis": "a crisis (cause: how it was met: team, self_referral_bed, crisis_bed, emergency, stay_put)",
    "admission": "a crisis-bed or institution stay begins (place: bed or institution)",
    "discharge": "a stay ends (cause: planned, early, exit; placed or limit after waiting ready for discharge)",
    "ready_for_discharge": "a planned discharge finds no suitable home: the patient waits in the bed (place: institution)",
    "application": "an application for housing to the allocation office (cause: the reason)",
    "decision": "the office decides an application (cause: granted or refused; withdrawn when the reason went first)",
    "contract": "a self-referral contract is given (place: crisis bed)",
    "services_end": "a resident who recovered leaves services but keeps their flat (a tenancy that outlives services); they exit when they move on",
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


class Event(NamedTuple):
    """One row of the event log, in its field order (the columns of ``events``)."""

    time: float
    """Simulated day, day 0 a Monday at midnight."""
    resident: int
    """Resident id, unique within a replication."""
    kind: str
    """What happened: a key of :data:`KINDS`."""
    place: str
    """The tier, team, crisis bed, institution, waiting list or stream concerned."""
    origin: str
    """For ``move``: the location left."""
    cause: str
    """Why (e.g. ``breakdown``, ``max_stay``, ``early``, ``placed``)."""
    need: int
    """The resident's need level at that moment (1–4)."""


EventRow = tuple[float, int, str, str, str, str, int]
"""An :class:`Event` as the engine logs it: a plain tuple in :class:`Event`'s field order, built
in one place (``Kernel.record``), because a named tuple costs ten times as much to build and
the log holds about 300,000 rows a replication."""


class ResidentRow(NamedTuple):
    """A resident's attributes at referral (the columns of ``residents``)."""

    resident: int
    sex: str
    age_group: str
    problem: str
    violence_risk: str
    """``low`` or ``high``."""
    need: int
    stream: str
    """The referral stream, or ``initial`` for the population at day 0."""
    referred_at: float


EVENT_TYPES: dict[str, Any] = {
    "time": float,
    "resident": np.int32,
    "kind": "category",
    "place": "category",
    "origin": "category",
    "cause": "category",
    "need": np.int8,
}
"""The type of each column of ``events``, in :class:`Event`'s field order."""
RESIDENT_TYPES: dict[str, Any] = {
    "resident": np.int64,
    "sex": "category",
    "age_group": "category",
    "problem": "category",
    "violence_risk": "category",
    "need": np.int64,
    "stream": "category",
    "referred_at": float,
}
"""The type of each column of ``residents``, in :class:`ResidentRow`'s field order."""
EVENT_COLUMNS = Event._fields
RESIDENT_COLUMNS = ResidentRow._fields


class Recorder:
    """Collects rows during a run; cheap to append to, converted to tables once at the end."""

    __slots__ = ("events", "residents")

    def __init__(self) -> None:
        self.events: list[EventRow] = []
        self.residents: list[ResidentRow] = []

    def records(self, meta: dict[str, Any]) -> Records:
        """Freeze what was recorded into :class:`Records`, column by column, and empty the log.

        Each column is read straight from the rows (no transposed copy of the whole log), and
        the rows are freed as soon as their columns are built: a lower peak of memory. Best run
        with the cyclic garbage collector paused: it makes many objects at once.
        """
        events = _table(self.events, EVENT_TYPES)
        residents = _table(self.residents, RESIDENT_TYPES)
        return Records(events=events, residents=residents, meta=meta)


def _table(rows: list[Any], types: dict[str, Any]) -> pd.DataFrame:
    """A table of ``rows`` (tuples with the fields of ``types``, in its order), emptying ``rows``.

    Built column by column: ``float`` columns as NumPy makes them (float64, or int64 if every
    value is a whole number), ``category`` ones by :func:`_categorical`, others with that NumPy
    type.
    """
    columns: dict[str, Any] = {}
    for i, (name, kind) in enumerate(types.items()):
        values = _column(rows, i)
        if kind is float:
            columns[name] = np.array(values)
        elif kind == "category":
            columns[name] = _categorical(values)
        else:
            columns[name] = np.fromiter(values, kind, len(values))
    rows.clear()
    return pd.DataFrame(columns)


def _column(rows: list[Any], i: int) -> list[Any]:
    """Field ``i`` of every row."""
    return list(map(itemgetter(i), rows))


def _categorical(values: list[str]) -> pd.Categorical:
    """Strings as a categorical with sorted string categories.

    What ``astype("category")`` of a string column makes, without building the string column
    first.
    """
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
        """End of the warm-up (day): the observed window starts here."""
        return float(self.meta["warmup_days"])

    @property
    def horizon(self) -> float:
        """End of the run (day)."""
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
