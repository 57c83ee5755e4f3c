"""Capacity-limited places, their run-time kinds and their waiting lists.

The kinds are tiers, teams, crisis beds and institutions, each built once from a scenario.

A waiting list orders residents by higher need first (where need counts), then longest wait.
Entries are never searched for: leaving a list marks the entry void, and voided entries are
skipped when the list is popped.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from forlopsim.scenario.care import Contracts as ContractsSpec
from forlopsim.scenario.care import CrisisBed as CrisisBedSpec
from forlopsim.scenario.care import Institution as InstitutionSpec
from forlopsim.scenario.care import ReadyForDischarge
from forlopsim.scenario.distributions import Quantile
from forlopsim.scenario.housing import Ban, Eligibility
from forlopsim.scenario.housing import Tier as TierSpec
from forlopsim.scenario.schedule import initial
from forlopsim.scenario.services import WEEKDAYS, Coverage
from forlopsim.scenario.services import Team as TeamSpec
from forlopsim.units import DAYS_PER_YEAR

if TYPE_CHECKING:
    from forlopsim.engine.resident import Resident

HOURS_PER_DAY = 24.0  # unit conversion


class Entry:
    """A resident's place on one waiting list."""

    __slots__ = ("resident", "since", "valid")

    def __init__(self, resident: Resident, since: float):
        """A valid entry for ``resident``, who has waited since day ``since``."""
        self.resident = resident
        self.since = since
        self.valid = True


class WaitingList:
    """Priority waiting list: a rank, then time joined, then order of joining.

    The rank is the priority of the reason of the resident's application (if ``ranks`` is
    given: the allocation office's order, or the tier's own), else higher need first (if
    ``by_need``), else none. The heap holds
    ``(rank, since, count, entry)`` tuples: ``count`` is unique, so comparisons never reach the
    entry and stay in C.
    """

    __slots__ = ("_count", "_heap", "by_need", "name", "ranks")

    def __init__(self, name: str, by_need: bool = True, ranks: dict[str, int] | None = None):
        """An empty list; ``ranks``: each reason's rank (0 first; a reason left out comes last).

        ``by_need`` (without ``ranks``): higher need first; neither: time joined only.
        """
        self.name = name
        self.by_need = by_need
        self.ranks = ranks
        self._heap: list[tuple[int, float, int, Entry]] = []
        self._count = 0

    def push(self, resident: Resident, since: float) -> Entry:
        """Put ``resident`` on the list as having waited since ``since``; their entry."""
        self._count += 1
        entry = Entry(resident, since)
        ranks = self.ranks
        if ranks is not None:
            rank = ranks.get(resident.reason, len(ranks))
        else:
            rank = -resident.need if self.by_need else 0
        heapq.heappush(self._heap, (rank, since, self._count, entry))
        return entry

    def pop(self, accept: Callable[[Resident], bool] | None = None) -> Entry | None:
        """Remove and return the first valid entry ``accept`` allows; skipped ones stay."""
        skipped = []
        found: Entry | None = None
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
        """Residents on the list (a count of valid entries: for tests and reports, not runs)."""
        return sum(1 for item in self._heap if item[3].valid)


class Place:
    """Anything with a capacity: a tier, a team's caseload, crisis beds, institution beds."""

    __slots__ = ("capacity", "name", "occupied", "waiting")

    def __init__(
        self, name: str, capacity: int | dict[int, int] | None, waiting: WaitingList | None
    ):
        """An empty place with its day-0 capacity (a schedule changes it later); None: unlimited."""
        self.name = name
        self.capacity: float = math.inf if capacity is None else initial(capacity)
        self.occupied = 0
        self.waiting = waiting

    @property
    def free(self) -> bool:
        """Whether a place is free now."""
        return self.occupied < self.capacity


class Tier(Place):
    """A housing tier at run time (:class:`forlopsim.scenario.housing.Tier` is its spec)."""

    __slots__ = (
        "allocatable",
        "ban",
        "eligible",
        "held_while_away",
        "kept",
        "max_stay",
        "staffed",
        "support",
        "team",
        "temporary",
    )
    waiting: WaitingList

    def __init__(self, name: str, spec: TierSpec, ranks: dict[str, int] | None = None):
        """The tier ``name`` as ``spec`` describes it, with its own waiting list.

        ``ranks``: the list is ranked by these priorities of the reasons to apply.
        """
        super().__init__(name, spec.capacity, WaitingList(name, ranks=ranks))
        self.staffed = spec.staff is not None
        self.team: Team | None = None
        """The team that follows its residents: its staff, or the team whose caseload its
        places come with (set by ``FollowUp``)."""
        self.kept: float | None = (
            None
            if spec.kept_after_services is None
            else spec.kept_after_services.moves_on_per_year / DAYS_PER_YEAR
        )
        """A former client's rate of moving on, per day, if the tenancy outlives services."""
        self.support = spec.support
        self.eligible = eligibility_check(spec.eligibility)
        self.allocatable = spec.allocatable
        self.temporary = spec.temporary
        self.max_stay: Quantile | None = None if spec.max_stay is None else spec.max_stay.quantile()
        self.held_while_away = spec.held_while_away
        self.ban: Ban | None = spec.ban


class Team(Place):
    """A follow-up team at run time: its caseload is its capacity."""

    __slots__ = ("breakdown_effect", "covered", "crisis_effect", "requests_housing", "staff")
    waiting: WaitingList

    def __init__(self, name: str, spec: TeamSpec, coverage: Coverage, staff: bool = False):
        """The team ``name`` (``unit.team``), on duty in the hours of ``coverage``.

        ``staff``: a staffed tier's own staff, with room for every resident of the tier, no
        list, and no follow-up records (their residents' tenancies say who they follow).
        """
        super().__init__(name, None if staff else spec.caseload, WaitingList(name))
        self.requests_housing = spec.requests_housing
        self.staff = staff
        self.breakdown_effect = spec.follow_up_effect.tenancy_breakdown
        self.crisis_effect = spec.follow_up_effect.crisis
        self.covered = coverage_check(coverage.days, coverage.from_hour, coverage.to_hour)


class Crisisbed(Place):
    """A crisis-bed type at run time (no waiting list)."""

    __slots__ = (
        "contract_eligible",
        "contracts",
        "contracts_held",
        "eligible",
        "length_of_stay",
        "min_gap",
        "request",
        "self_referral",
    )
    early = 0.0
    """Crisis beds have no early discharge (an institution's ``early`` is a slot)."""

    def __init__(self, name: str, spec: CrisisBedSpec):
        """The bed type ``name`` as ``spec`` describes it."""
        super().__init__(name, spec.beds, None)
        self.eligible = eligibility_check(spec.eligibility)
        self.self_referral = spec.self_referral
        self.length_of_stay = spec.length_of_stay.quantile()
        self.min_gap = spec.min_days_between_stays
        self.request = spec.request_probability
        self.contracts: ContractsSpec | None = spec.contracts
        """Self-referral contracts (None: every housed eligible resident may book)."""
        self.contract_eligible = (
            None if spec.contracts is None else eligibility_check(spec.contracts.eligibility)
        )
        self.contracts_held = 0


class Institution(Place):
    """An institution of the specialist service at run time."""

    __slots__ = ("assessment", "early", "length_of_stay", "ready")

    def __init__(self, name: str, spec: InstitutionSpec):
        """The institution ``name``, with a waiting list (in arrival order) if it has one."""
        super().__init__(
            name, spec.beds, WaitingList(name, by_need=False) if spec.waiting_list else None
        )
        self.length_of_stay = spec.length_of_stay.quantile()
        self.early = spec.early_discharge
        self.assessment: Quantile | None = (
            None if spec.assessment_days is None else spec.assessment_days.quantile()
        )
        self.ready: ReadyForDischarge | None = spec.ready_for_discharge


def eligibility_key(r: Resident) -> tuple[int, str, str, str]:
    """Every attribute :func:`eligibility_check` reads: the key of what is cached by eligibility.

    ``Housing.options`` is; ``tests/test_engine_components.py`` holds the two together.
    """
    return (r.need, r.sex, r.age_group, r.problem)


def eligibility_check(rule: Eligibility) -> Callable[[Resident], bool]:
    """A fast test of whether a resident meets a tier's or bed's eligibility rule.

    It reads only the attributes of :func:`eligibility_key`.
    """
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


def coverage_check(
    days: Sequence[str], from_hour: float, to_hour: float
) -> Callable[[float], bool]:
    """Whether simulated time ``t`` (day 0 a Monday, midnight) lies in the covered hours."""
    covered_days = frozenset(WEEKDAYS.index(d) for d in days)
    start, end = from_hour / HOURS_PER_DAY, to_hour / HOURS_PER_DAY

    def covered(t: float) -> bool:
        day = math.floor(t)
        return (day % 7) in covered_days and start <= t - day < end

    return covered
