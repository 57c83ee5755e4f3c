"""Capacity over time: a place's capacity as a number, or as a schedule of days and capacities.

A schedule is a mapping from a day to the capacity from that day on, ``{0: 0, 365: 10, 1096:
20}``. Its days count from the end of the warm-up (the first observed day, "today"): during the
warm-up a place has its day-0 capacity, so a run reaches today's state before the plan unfolds;
with no warm-up (an initial state given as it is today) day 0 is the start of the run. The days
must rise in the order written and begin at 0; capacities are whole numbers, at least 0. A plain
number means the same capacity from day 0.

What happens when a place shrinks below what it holds is its ``on_close``: ``keep`` (the only
choice, and the default) keeps every resident until they leave, and admits nobody until the
place is below its capacity again. Municipal housing and beds close by not refilling: a rule for
who must move out, and where to, is a choice this model does not make for the planner.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from forlopsim.scenario.base import Count

OnClose = Literal["keep"]
"""What a place that closes while occupied does: ``keep`` its residents until they leave."""


def _rising_from_zero(schedule: dict[int, int]) -> dict[int, int]:
    days = list(schedule)
    if not days:
        raise ValueError("a schedule needs at least day 0: {0: capacity, day: capacity, …}")
    if days[0] != 0:
        raise ValueError(f"a schedule starts at day 0 (the end of the warm-up), not {days[0]}")
    falls = [(a, b) for a, b in itertools.pairwise(days) if b <= a]
    if falls:
        a, b = falls[0]
        raise ValueError(f"the days of a schedule must rise: day {b} comes after day {a}")
    return schedule


Day = Annotated[int, Field(ge=0)]
"""A day of a schedule, counted from the end of the warm-up."""

Schedule = Annotated[dict[Day, Count], AfterValidator(_rising_from_zero)]
"""Capacity from each day on: ``{0: 0, 365: 10, 1096: 20}`` (days from the end of the warm-up)."""

Capacity = Count | Schedule
"""Places (or beds, or a caseload): one number from day 0, or a :data:`Schedule`."""


def steps(capacity: int | dict[int, int]) -> list[tuple[int, int]]:
    """``(day, capacity from then on)`` of a capacity, in time order (one step for a number)."""
    if isinstance(capacity, dict):
        return list(capacity.items())
    return [(0, capacity)]


def initial(capacity: int | dict[int, int]) -> int:
    """The capacity on day 0 (and during the warm-up)."""
    return capacity[0] if isinstance(capacity, dict) else capacity


def peak(capacity: int | dict[int, int]) -> int:
    """The largest capacity the place ever has."""
    return max(capacity.values()) if isinstance(capacity, dict) else capacity


def scheduled(capacity: Any) -> bool:
    """Whether a capacity changes over time."""
    return isinstance(capacity, dict) and len(capacity) > 1


def openings(capacity: int | dict[int, int], existing: int | None) -> list[tuple[int, int]]:
    """``(day, new places)`` for each day a capacity rises above every level it had before.

    Places up to ``existing`` (or every place, if None: the scenario says none are new) exist
    already; a place closed and opened again is not new the second time.
    """
    if existing is None:
        return []
    result = []
    highest = existing
    for day, level in steps(capacity):
        if level > highest:
            result.append((day, level - highest))
            highest = level
    return result
