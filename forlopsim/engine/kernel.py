"""What every engine component shares: clock, schedule, event log, lists, and two hooks.

The clock, the schedule, the event log, moves and waiting-list bookkeeping, and the two hooks
that end every change of state and every life.

The components (:class:`~forlopsim.engine.housing.Housing`,
:class:`~forlopsim.engine.follow_up.FollowUp`, :class:`~forlopsim.engine.care.Care`,
:class:`~forlopsim.engine.risks.Risks`) hold one kernel each and talk to one another only
through it and through each other's public methods. ``docs/architecture.md`` shows who calls
whom.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappush
from typing import TYPE_CHECKING, Any, Protocol

import simpy
from simpy.events import NORMAL

from forlopsim.records import EventRow

if TYPE_CHECKING:
    from forlopsim.engine.places import Place, WaitingList
    from forlopsim.engine.resident import Resident


def _not_wired(*args: Any) -> None:
    raise RuntimeError("the engine's kernel hooks are set by World before anything runs")


class Record(Protocol):
    """Log an event of resident ``r`` now (the fields of :class:`~forlopsim.records.Event`)."""

    def __call__(
        self, r: Resident, kind: str, place: str = "", origin: str = "", cause: str = ""
    ) -> None:
        """Append the row."""


def call_later(
    env: simpy.Environment, delay: float, value: Any, callback: Callable[[simpy.Event], None]
) -> None:
    """Schedule a :class:`simpy.Timeout` of ``delay`` (≥ 0) carrying ``value`` for ``callback``.

    What ``simpy.Timeout(env, delay, value).callbacks.append(callback)`` does — the same event,
    queue entry and event id, so the same order of events — without its two calls and the
    callback list grown after the fact: about 0.5 µs of some 170,000 events a replication.
    ``tests/test_engine_components.py`` holds it to SimPy's own scheduling.
    """
    event = simpy.Timeout.__new__(simpy.Timeout)
    event.env = env
    event.callbacks = [callback]
    event._value = value
    event._delay = delay
    event._ok = True
    heappush(env._queue, (env._now + delay, NORMAL, next(env._eid), event))


def _recorder(env: simpy.Environment, log: list[EventRow]) -> Record:
    """The one function that builds event rows.

    Rows are in the field order of :class:`~forlopsim.records.Event` (time, resident, kind,
    place, origin, cause, need).

    A closure reading SimPy's clock attribute (``_now``, what the ``now`` property returns):
    with about 300,000 rows a replication, the property call and the attribute look-ups of a
    method cost 4% of a run (``bench/README.md``).
    """
    append = log.append

    def record(r: Resident, kind: str, place: str = "", origin: str = "", cause: str = "") -> None:
        append((env._now, r.id, kind, place, origin, cause, r.need))

    return record


class Kernel:
    """The clock, schedule, log and hooks of one replication.

    ``record`` logs an event (see :func:`_recorder`).
    ``after_change`` (set by :class:`~forlopsim.engine.risks.Risks`) must be called after any
    change of a resident's state: it redraws their competing risks. ``exit`` (set by
    :class:`~forlopsim.engine.world.World`) takes a resident out of the model.
    """

    __slots__ = ("after_change", "env", "exit", "horizon", "record")

    def __init__(self, env: simpy.Environment, horizon: float, log: list[EventRow]):
        """A kernel recording into ``log`` and scheduling nothing at or past ``horizon``."""
        self.env = env
        self.horizon = horizon
        self.record = _recorder(env, log)
        self.after_change: Callable[[Resident], None] = _not_wired
        self.exit: Callable[[Resident, str], None] = _not_wired

    def schedule(self, delay: float, callback: Callable[[simpy.Event], None], value: Any) -> None:
        """Call ``callback`` after ``delay`` days; handlers check tokens to ignore stale calls.

        A call due at or after the horizon is not scheduled: ``env.run(until=horizon)`` stops
        before processing it (its stop event is urgent), so it would only deepen the heap.
        """
        env = self.env
        if env._now + delay < self.horizon:
            call_later(env, delay, value, callback)

    def move(self, r: Resident, location: str, cause: str) -> None:
        """Put the resident in ``location`` (a tier, homeless, a bed or institution, exited)."""
        if location != r.location:
            self.record(r, "move", location, r.location, cause)
            r.location = location

    def join(self, r: Resident, waiting: WaitingList, since: float | None = None) -> None:
        """Put the resident on a list (if not on it), as waiting since ``since`` or now."""
        if waiting in r.entries:
            return
        r.entries[waiting] = waiting.push(r, self.env.now if since is None else since)
        self.record(r, "wait_start", waiting.name)

    def zero_wait(self, r: Resident, waiting: WaitingList) -> None:
        """Record a wait of no length: served at once, so wait KPIs count everyone served."""
        self.record(r, "wait_start", waiting.name)
        self.record(r, "wait_end", waiting.name, cause="placed")

    def leave(self, r: Resident, waiting: WaitingList, cause: str) -> None:
        """Take the resident off a list they may be on (``cause``: placed, left or exit)."""
        entry = r.entries.pop(waiting, None)
        if entry is not None:
            entry.valid = False
            self.record(r, "wait_end", waiting.name, cause=cause)

    def serve(
        self,
        place: Place,
        waiting: WaitingList,
        accept: Callable[[Resident], bool] | None,
        start: Callable[[Resident], None],
    ) -> None:
        """Give the place's free capacity to the first residents on its list, ``waiting``.

        Only residents ``accept`` allows (all, if None); each is started by ``start``.
        """
        while place.free:
            entry = waiting.pop(accept)
            if entry is None:
                return
            r = entry.resident
            del r.entries[waiting]
            self.record(r, "wait_end", place.name, cause="placed")
            start(r)
            self.after_change(r)

    def requeue(self, r: Resident) -> None:
        """Re-sort a resident on every list after a need change, keeping their time joined."""
        for waiting, entry in list(r.entries.items()):
            entry.valid = False
            r.entries[waiting] = waiting.push(r, entry.since)
