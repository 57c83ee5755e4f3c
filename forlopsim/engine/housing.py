"""Housing: which tier suits a resident, placement, waiting lists, tenancy loss and bans.

A resident's *preferred* tiers are the eligible tiers (with places, not barred) whose support is
nearest their need, more support winning a tie. A resident already in an eligible tier as near
their need as any is well placed; one housed elsewhere keeps the place and stays on the
preferred tiers' lists (a transfer). So an over-supported resident keeps a 24h place until a
nearer tier frees up, which is how a missing middle blocks 24h places. How long an unhoused
resident holds out for a preferred tier is the allocation policy's (``allocation.py``).

With an allocation office (``office.py``), a resident waits on the lists of permanent tiers
only once an application, made for a reason the scenario lists, has been granted; a resident
whose home fits well enough does not apply, and the lists are ranked by the office's priority.
A patient ready for discharge (``Care``) waits in the bed, and takes a place from there.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import simpy

from forlopsim.engine.allocation import allocation_policy
from forlopsim.engine.office import DECIDED, Office
from forlopsim.engine.places import Tier, WaitingList, eligibility_key
from forlopsim.engine.streams import AFTER_BREAKDOWN, BAN, TIME_LIMIT
from forlopsim.scenario.distributions import Quantile
from forlopsim.scenario.housing import Office as OfficeSpec
from forlopsim.scenario.housing import Tier as TierSpec
from forlopsim.scenario.scenario import EXITED, HOMELESS, Scenario

if TYPE_CHECKING:
    from forlopsim.engine.kernel import Kernel
    from forlopsim.engine.resident import Resident


class Housing:
    """The housing tiers of one replication: allocation, tenancies, breakdown and bans."""

    __slots__ = (
        "_ban_durations",
        "_env",
        "_own_housing_to",
        "_record",
        "_to_temporary",
        "follow",
        "follows",
        "kernel",
        "office",
        "options_by_key",
        "permanent_tiers",
        "policy",
        "refill",
        "release",
        "temporary_tiers",
        "tiers",
    )

    def __init__(self, scenario: Scenario, kernel: Kernel):
        """The tiers of ``scenario.housing``, empty, and its allocation policy."""
        spec = scenario.housing
        self.kernel = kernel
        self._env = kernel.env
        self._record = kernel.record
        office = spec.allocation.office
        self.tiers: dict[str, Tier] = {
            name: Tier(name, t, None if office is None or t.temporary else _ranks(office, t))
            for name, t in spec.tiers.items()
        }
        self.permanent_tiers = [t for t in self.tiers.values() if not t.temporary]
        self.temporary_tiers = [t for t in self.tiers.values() if t.temporary]
        self.options_by_key: dict[tuple[int, str, str, str], Options] = {}
        """Each :func:`eligibility_key`'s options, built when first needed."""
        self.policy = allocation_policy(spec.allocation)
        self.office = None if office is None else Office(office, kernel, self._review_now)
        self.release: Callable[[Resident], Any] = _nothing
        """Ends the stay of a patient ready for discharge who takes a place (set by ``Care``);
        returns the freed bed, for ``refill``."""
        self.refill: Callable[[Any], None] = _nothing
        """Fills a bed freed by ``release`` once the resident is settled (set by ``Care``)."""
        self.follow: Callable[[Resident], None] = _nothing
        """Hands the resident to the team their new home comes with, or back (set by
        ``World``: ``FollowUp.request`` at once)."""
        self.follows = False
        """Whether any tier comes with its own team (staff, or a team's caseload)."""
        self._ban_durations: dict[str, Quantile] = {
            name: t.ban.duration.quantile() for name, t in spec.tiers.items() if t.ban is not None
        }
        self._to_temporary = scenario.hazards.tenancy_breakdown.to_temporary
        own = scenario.hazards.own_housing
        self._own_housing_to = None if own is None else own.to

    def close(self) -> None:
        """Empty every list (at the end of a run: see ``World.close``)."""
        for tier in self.tiers.values():
            tier.waiting.clear()
        self.release = self.refill = self.follow = _nothing  # bound methods: a cycle
        if self.office is not None:
            self.office.close()

    # -- which tiers suit a resident ----------------------------------------------------------

    def options(self, r: Resident) -> Options:
        """The resident's :class:`Options`, built once per :func:`eligibility_key`."""
        key = eligibility_key(r)
        options = self.options_by_key.get(key)
        if options is None:
            options = self.options_by_key[key] = housing_options(
                self.permanent_tiers, self.temporary_tiers, r
            )
        return options

    def _preferred(self, r: Resident, options: Options) -> tuple[list[Tier], int]:
        """The tiers nearest the resident's need (more support wins a tie), and that distance.

        The list may be one of ``options``' own: never change it.
        """
        bans = r.bans
        for distance, group, all_allocatable in options.ranked:
            if all_allocatable and not bans:
                return group, distance
            chosen = [t for t in group if (t.allocatable or t is r.tier) and t.name not in bans]
            if chosen:
                return chosen, distance
        return [], -1

    def _best_free(self, r: Resident, options: Options) -> Tier | None:
        """The nearest free eligible tier, preferring more support (best available)."""
        at_home = r.at_home or r.ready
        for tier in options.best_first:
            if (
                tier.free
                and (at_home or tier.held_while_away)
                and tier.name not in r.bans
                and _slot(r, tier)
            ):
                return tier
        return None

    def _can_take(self, r: Resident, tier: Tier) -> bool:
        """Eligible, and able to move in now: a place not held while away needs them at home."""
        return (
            tier.capacity > 0
            and tier.name not in r.bans
            and tier.eligible(r)
            and (r.at_home or tier.held_while_away or (r.ready and not tier.temporary))
            and _slot(r, tier)
        )

    # -- reviewing a resident's housing ---------------------------------------------------------

    def needs_place(self, r: Resident, shortfall: int) -> bool:
        """Whether a patient leaving an institution has nowhere suitable to go.

        No home (or temporary housing), or a need ``shortfall`` or more above the support of
        the tier they hold, with a nearer tier they could hold.
        """
        tier = r.tier
        if tier is None or tier.temporary:
            return True
        if r.need - tier.support < shortfall:
            return False
        options = r.options
        if options is None:
            options = r.options = self.options(r)
        preferred, distance = self._preferred(r, options)
        return bool(preferred) and distance < abs(tier.support - r.need)

    def review(self, r: Resident, temporary_ok: bool = True) -> None:  # noqa: C901  one decision
        """Place the resident if a suitable place is free, otherwise keep them on the right lists."""
        if r.location == EXITED or not r.in_services:
            return
        options = r.options
        if options is None:  # cleared when need changes
            options = r.options = self.options(r)
        preferred, distance = self._preferred(r, options)
        tier = r.tier
        if (
            tier is not None
            and not tier.temporary
            and tier in options.fitting  # as _can_take: places, eligible
            and tier.name not in r.bans
            and abs(tier.support - r.need) == distance
        ):  # well placed
            if r.entries:
                self._leave_housing_lists(r, {})
            r.housing_since = None
            if r.application:
                cast(Office, self.office).withdraw(r)
            return
        at_home = r.stay is None  # not exited (above)
        office = self.office
        if office is not None:
            reason = office.reason(r, tier)
            if reason is None or not office.decided(r, reason, bool(preferred)):
                if reason is None and r.application:
                    office.withdraw(r)
                r.housing_since = None
                self._wait(r, [], options, False, temporary_ok and at_home)
                return
            at_home = at_home or r.ready
        now = self._env.now
        if r.housing_since is None:
            r.housing_since = now
            recheck = self.policy.recheck_after
            if recheck is not None:
                self.kernel.schedule(recheck, self._on_recheck, (r, now))
        for candidate in preferred:  # each one fits (places, eligible, not barred)
            if (
                candidate.occupied < candidate.capacity
                and (at_home or candidate.held_while_away)
                and _slot(r, candidate)
            ):
                self._place(r, candidate, "placed")
                return
        fallback = (tier is None or tier.temporary) and self.policy.takes_any_place(r, now)
        if fallback:
            best = self._best_free(r, options)
            if best is not None:
                self._place(r, best, "fallback")
                return
        self._wait(r, preferred, options, fallback, temporary_ok and at_home)

    def _wait(
        self,
        r: Resident,
        preferred: list[Tier],
        options: Options,
        fallback: bool,
        temporary_now: bool,
    ) -> None:
        """Keep a resident who found no place on the lists they wait on.

        Those are the preferred tiers', every allocatable one's on ``fallback``, and temporary
        housing's if unhoused; or an unhoused resident takes a free temporary place if
        ``temporary_now`` allows.
        """
        bans = r.bans
        # an ordered set (a dict): iterating a set of objects would follow memory addresses
        wanted = dict.fromkeys(t.waiting for t in preferred)
        if fallback:
            wanted.update(
                dict.fromkeys(t.waiting for t in options.allocatable if t.name not in bans)
            )
        if r.tier is None and not r.ready:  # a patient ready for discharge waits in the bed
            for temporary in options.temporary:
                if temporary.name not in bans:  # as _can_take: places, eligible by construction
                    if temporary_now and temporary.occupied < temporary.capacity:
                        self._place(r, temporary, "temporary")
                        return
                    wanted[temporary.waiting] = None
        entries = r.entries
        if entries:
            self._leave_housing_lists(r, wanted)
        join = self.kernel.join
        since = r.decided_at if r.application == DECIDED else None
        for waiting in wanted:
            if waiting not in entries:  # as Kernel.join: already on the list
                join(r, waiting, None if waiting.ranks is None else since)

    def _leave_housing_lists(self, r: Resident, keep: dict[WaitingList, None]) -> None:
        leave = self.kernel.leave
        for waiting in [w for w in r.entries if w.name in self.tiers and w not in keep]:
            leave(r, waiting, "left")

    def _review_now(self, r: Resident) -> None:
        self.review(r)

    def _on_recheck(self, event: simpy.Event) -> None:
        r, since = cast("tuple[Resident, float]", event.value)
        if r.housing_since == since and r.location != EXITED:
            self.review(r)
            self.kernel.after_change(r)

    # -- tenancies ------------------------------------------------------------------------------

    def take_place(
        self, r: Resident, tier: Tier, cause: str, time_left: float | None = None
    ) -> None:
        """Start a tenancy (the caller has checked the place is free).

        ``time_left``: the days left of the tier's time limit, for a stay already in progress
        (none: a whole time limit, drawn now).
        """
        r.tier = tier
        tier.occupied += 1
        r.housing_token += 1
        r.below_since = None
        r.at_risk = cause == "fallback"  # placed in a worse match: the application stands
        placed = r.application == DECIDED and cause in ("placed", "fallback")
        reason = r.reason if placed and not tier.temporary else ""
        self._record(r, "tenancy_start", tier.name, reason, cause)
        if r.at_home:
            self.kernel.move(r, tier.name, cause)
        if tier.max_stay is not None:
            delay = tier.max_stay(r.number(TIME_LIMIT)) if time_left is None else time_left
            self.kernel.schedule(delay, self._on_max_stay, (r, r.housing_token))

    def end_tenancy(self, r: Resident, cause: str) -> Tier:
        """End the tenancy the resident holds.

        The caller fills the freed place, which this returns, once the resident is settled.
        """
        tier = r.tier
        assert tier is not None
        r.tier = None
        tier.occupied -= 1
        r.housing_token += 1
        self._record(r, "tenancy_end", tier.name, cause=cause)
        return tier

    def _place(self, r: Resident, tier: Tier, cause: str, queued: bool = False) -> None:
        """Move a resident into a free place, giving up the one they hold.

        ``queued``: the place was given from the tier's list (whose wait is already closed).
        """
        if tier.waiting in r.entries:
            self.kernel.leave(r, tier.waiting, "placed")
        elif not queued:
            self.kernel.zero_wait(r, tier.waiting)
        bed = self.release(r) if r.ready else None
        old = r.tier
        if old is not None:
            self.end_tenancy(r, "transfer")
        self.take_place(r, tier, cause)
        if self.follows:
            self.follow(r)
        self.review(r)
        if old is not None:
            self.fill(old)
        if bed is not None:
            self.refill(bed)

    def fill(self, tier: Tier) -> None:
        """Give free places to the first suitable residents on the tier's list."""
        self.kernel.serve(
            tier,
            tier.waiting,
            lambda r: self._can_take(r, tier),
            lambda r: self._place(r, tier, "placed", queued=True),
        )

    def lose_tenancy(self, r: Resident, cause: str, temporary_ok: bool = True) -> None:
        """Tenancy breakdown, a crisis or a time limit: the resident is out of their place.

        A former client out of services whose lease ends (a time limit) leaves the model.
        """
        if not r.in_services:
            self.kernel.exit(r, "recovery")
            return
        tier = self.end_tenancy(r, cause)
        if r.at_home:
            self.kernel.move(r, HOMELESS, cause)
        if self.follows and tier.team is not None:
            self.follow(r)
        self.fill(tier)
        self.review(r, temporary_ok)

    def _on_max_stay(self, event: simpy.Event) -> None:
        r, token = cast("tuple[Resident, int]", event.value)
        if r.housing_token == token and r.tier is not None:
            self.lose_tenancy(r, "max_stay", temporary_ok=False)
            self.kernel.after_change(r)

    def breakdown(self, r: Resident) -> None:
        """Eviction, abandonment or exclusion; perhaps a ban from the tier for a while."""
        tier = r.tier
        assert tier is not None
        now = self._env.now
        if tier.ban is not None and r.number(BAN) < tier.ban.probability:
            until = now + self._ban_durations[tier.name](r.number(BAN))
            r.bans[tier.name] = until
            self._record(r, "ban", tier.name, cause="breakdown")
            self.kernel.schedule(until - now, self._on_ban_end, (r, tier.name, until))
        temporary_ok = r.number(AFTER_BREAKDOWN) < self._to_temporary
        self.lose_tenancy(r, "breakdown", temporary_ok)

    def _on_ban_end(self, event: simpy.Event) -> None:
        r, name, until = cast("tuple[Resident, str, float]", event.value)
        if r.bans.get(name) == until and r.location != EXITED:
            del r.bans[name]
            self.review(r)
            self.kernel.after_change(r)

    # -- capacity over time and the state at time 0 -----------------------------------------

    def set_capacity(self, tier: Tier, capacity: int, residents: Iterable[Resident]) -> None:
        """A schedule changes the tier's places; a rise is given to its list at once.

        A tier that opens (or closes) changes which tiers suit whom, so every resident is
        reviewed, with the tier's new places held back until all are on the right lists: the
        places then go by the lists' order, not by who happened to be reviewed first. Residents
        above a lowered capacity stay until they leave (``on_close: keep``).
        """
        opens_or_closes = (tier.capacity > 0) != (capacity > 0)
        tier.capacity = capacity
        if opens_or_closes:
            self.options_by_key.clear()
            everyone = list(residents)
            for r in everyone:
                r.options = None
            held = max(capacity - tier.occupied, 0)
            tier.occupied += held
            for r in everyone:
                if r.location != EXITED:
                    self.review(r)
            tier.occupied -= held
            for r in everyone:
                if r.location != EXITED:
                    self.kernel.after_change(r)
        self.fill(tier)

    def start_waiting(self, r: Resident, since: float) -> None:
        """A resident who has waited for housing since day ``since`` (before the run: < 0).

        With an office, they hold an application granted then; their place on every housing
        list, and the time they have held out under the policy, count from then.
        """
        office = self.office
        if office is not None:
            reason = office.reason(r, r.tier)
            if reason is not None:
                r.reason = reason
                r.application = DECIDED
                r.decided_at = since
                self._record(r, "application", cause=reason)
                self._record(r, "decision", cause="granted")
        r.housing_since = since
        recheck = self.policy.recheck_after
        if recheck is not None:
            delay = max(since + recheck - self._env.now, 0.0)
            self.kernel.schedule(delay, self._on_recheck, (r, since))
        self.review(r)
        for waiting, entry in list(r.entries.items()):
            if waiting.name in self.tiers and entry.since > since:
                entry.valid = False
                r.entries[waiting] = waiting.push(r, since)

    def own_housing(self, r: Resident) -> None:
        """The resident finds housing of their own, outside the municipality's allocation."""
        assert self._own_housing_to is not None  # a risk only where the scenario has one
        target = self.tiers[self._own_housing_to]
        if not target.free or r.tier is target or target.name in r.bans:
            return
        old = r.tier
        if old is not None:
            self.end_tenancy(r, "own_housing")
        self.take_place(r, target, "own_housing")
        if self.follows and old is not None and old.team is not None:
            self.follow(r)
        if old is not None:
            self.fill(old)
        self.review(r)


def _ranks(office: OfficeSpec, tier: TierSpec) -> dict[str, int]:
    """The rank of each reason on a tier's list: the tier's own order, else the office's."""
    order = tier.priority if tier.priority is not None else office.priority
    return {reason: i for i, reason in enumerate(order)}


def _slot(r: Resident, tier: Tier) -> bool:
    """Whether the team a place comes with (if any) can follow the resident there."""
    team = tier.team
    return team is None or team is r.team or team.free


def _nothing(*args: Any) -> None:
    """A hook no component has set: nothing to release, refill or hand over."""


class Options(NamedTuple):
    """The tiers a resident could hold by need, sex, age group and problem alone.

    Places and eligibility, that is, before bans, free places and being at home are looked at.
    """

    ranked: list[tuple[int, list[Tier], bool]]
    """(distance to need, permanent tiers, whether all of them are allocatable) by distance,
    then more support; tiers of equal distance and support in file order."""
    best_first: list[Tier]
    """The allocatable ones in that order."""
    allocatable: list[Tier]
    """The allocatable ones in file order."""
    fitting: frozenset[Tier]
    """Every permanent one."""
    temporary: list[Tier]
    """The temporary tiers with places the resident is eligible for, in file order."""


def housing_options(tiers: list[Tier], temporary: list[Tier], r: Resident) -> Options:
    """:class:`Options` for residents like ``r`` (a stable sort keeps file order in ties)."""
    fitting = [t for t in tiers if t.capacity > 0 and t.eligible(r)]
    ranked = sorted(fitting, key=lambda t: (abs(t.support - r.need), -t.support))
    groups = []
    for (distance, _), same in itertools.groupby(
        ranked, key=lambda t: (abs(t.support - r.need), -t.support)
    ):
        group = list(same)
        groups.append((distance, group, all(t.allocatable for t in group)))
    return Options(
        groups,
        [t for t in ranked if t.allocatable],
        [t for t in fitting if t.allocatable],
        frozenset(fitting),
        [t for t in temporary if t.capacity > 0 and t.eligible(r)],
    )
