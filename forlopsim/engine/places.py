"""Capacity-limited places and their waiting lists, built once from a scenario.

A waiting list orders residents by higher need first (where need counts), then longest wait.
Entries are never searched for: leaving a list marks the entry void, and voided entries are
skipped when the list is popped.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from forlopsim.scenario.housing import Eligibility
from forlopsim.scenario.services import WEEKDAYS

if TYPE_CHECKING:
    from forlopsim.engine.resident import Resident

HOURS_PER_DAY = 24.0  # unit conversion


class Entry:
    """A resident's place on one waiting list."""

    __slots__ = ("resident", "since", "valid")

    def __init__(self, resident: Resident, since: float):
        self.resident = resident
        self.since = since
        self.valid = True


class WaitingList:
    """Priority waiting list: need (descending, if ``by_need``), then time joined, then order.

    The heap holds ``(-need or 0, since, count, entry)`` tuples: ``count`` is unique, so
    comparisons never reach the entry and stay in C."""

    __slots__ = ("_count", "_heap", "by_need", "name")

    def __init__(self, name: str, by_need: bool = True):
        self.name = name
        self.by_need = by_need
        self._heap: list[tuple[int, float, int, Entry]] = []
        self._count = 0

    def push(self, resident: Resident, since: float) -> Entry:
        self._count += 1
        entry = Entry(resident, since)
        need = -resident.need if self.by_need else 0
        heapq.heappush(self._heap, (need, since, self._count, entry))
        return entry

    def pop(self, accept: Callable[[Resident], bool] | None = None) -> Entry | None:
        """Remove and return the first valid entry ``accept`` allows; skipped ones stay."""
        skipped = []
        found = None
        heap = self._heap
        while heap:
            item = heapq.heappop(heap)
            entry = item[3]
            if not entry.valid:
                continue
            if accept is None or accept(entry.resident):
                found = entry
                break
            skipped.append(item)
        for item in skipped:
            heapq.heappush(heap, item)
        return found

    def clear(self) -> None:
        """Drop every entry (at the end of a run: see ``World.close``)."""
        self._heap.clear()

    def __len__(self) -> int:
        return sum(1 for item in self._heap if item[3].valid)


class Place:
    """Anything with a capacity: a tier, a team's caseload, crisis beds, institution beds."""

    __slots__ = ("capacity", "name", "occupied", "waiting")

    def __init__(self, name: str, capacity: int | None, waiting: WaitingList | None):
        self.name = name
        self.capacity = math.inf if capacity is None else capacity
        self.occupied = 0
        self.waiting = waiting

    @property
    def free(self) -> bool:
        return self.occupied < self.capacity


def eligibility_check(rule: Eligibility) -> Callable[[Resident], bool]:
    """A fast test of whether a resident meets a tier's or bed's eligibility rule."""
    sexes = None if rule.sex is None else frozenset(rule.sex)
    ages = None if rule.age_group is None else frozenset(rule.age_group)
    problems = None if rule.problem is None else frozenset(rule.problem)
    low, high = rule.need

    def eligible(r: Resident) -> bool:
        return (
            low <= r.need <= high
            and (sexes is None or r.sex in sexes)
            and (ages is None or r.age_group in ages)
            and (problems is None or r.problem in problems)
        )

    return eligible


def coverage_check(days: list[str], from_hour: float, to_hour: float) -> Callable[[float], bool]:
    """Whether simulated time ``t`` (day 0 a Monday, midnight) lies in the covered hours."""
    covered_days = frozenset(WEEKDAYS.index(d) for d in days)
    start, end = from_hour / HOURS_PER_DAY, to_hour / HOURS_PER_DAY

    def covered(t: float) -> bool:
        day = math.floor(t)
        return (day % 7) in covered_days and start <= t - day < end

    return covered
