"""Housing: which tier suits a resident, placement, waiting lists, tenancy loss and bans.

A resident's *preferred* tiers are the eligible tiers (with places, not barred) whose support is
nearest their need, more support winning a tie. A resident already in an eligible tier as near
their need as any is well placed; one housed elsewhere keeps the place and stays on the
preferred tiers' lists (a transfer). So an over-supported resident keeps a 24h place until a
nearer tier frees up, which is how a missing middle blocks 24h places.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, NamedTuple

from forlopsim.scenario.scenario import EXITED, HOMELESS

if TYPE_CHECKING:
    from forlopsim.engine.resident import Resident
    from forlopsim.engine.world import Tier, World


class HousingMixin:
    """Housing allocation and tenancy for :class:`~forlopsim.engine.world.World`."""

    __slots__ = ()

    def _fits(self: World, r: Resident, tier: Tier) -> bool:
        return tier.capacity > 0 and tier.name not in r.bans and tier.eligible(r)

    def _can_take(self: World, r: Resident, tier: Tier) -> bool:
        """Eligible, and able to move in now: a place not held while away needs them at home."""
        return self._fits(r, tier) and (r.at_home or tier.held_while_away)

    def _options(self: World, r: Resident) -> Options:
        """The resident's :class:`Options`, built once per need, sex, age group and problem."""
        key = (r.need, r.sex, r.age_group, r.problem)
        options = self._housing_options.get(key)
        if options is None:
            options = self._housing_options[key] = housing_options(
                self.permanent_tiers, self.temporary_tiers, r
            )
        return options

    def _preferred(self: World, r: Resident, options: Options) -> tuple[list[Tier], int]:
        """The tiers nearest the resident's need (more support wins a tie), and that distance.
        The list may be one of ``options``' own: never change it."""
        bans = r.bans
        for distance, group, all_allocatable in options.ranked:
            if all_allocatable and not bans:
                return group, distance
            chosen = [t for t in group if (t.allocatable or t is r.tier) and t.name not in bans]
            if chosen:
                return chosen, distance
        return [], -1

    def _best_free(self: World, r: Resident, options: Options) -> Tier | None:
        """The nearest free eligible tier, preferring more support (best available)."""
        at_home = r.at_home
        for tier in options.best_first:
            if tier.free and (at_home or tier.held_while_away) and tier.name not in r.bans:
                return tier
        return None

    def _fallback_open(self: World, r: Resident) -> bool:
        if self.policy == "best_available":
            return True
        if self.policy == "strict" or r.housing_since is None:
            return False
        return self.env.now - r.housing_since >= self.fallback_days

    def _review_housing(self: World, r: Resident, temporary_ok: bool = True) -> None:
        """Place the resident if a suitable place is free, otherwise keep them on the right lists."""
        if r.location == EXITED:
            return
        options = r.options
        if options is None:  # cleared when need changes
            options = r.options = self._options(r)
        preferred, distance = self._preferred(r, options)
        tier = r.tier
        bans = r.bans
        if (
            tier is not None
            and not tier.temporary
            and tier in options.fitting  # as _fits: places, eligible
            and tier.name not in bans
            and abs(tier.support - r.need) == distance
        ):
            if r.entries:
                self._leave_housing_lists(r, {})
            r.housing_since = None
            return
        now = self.env.now
        if r.housing_since is None:
            r.housing_since = now
            if self.policy == "fallback_after":
                self._schedule(self.fallback_days, self._on_fallback, (r, now))
        at_home = r.stay is None  # not exited (above)
        for candidate in preferred:  # each one fits (places, eligible, not barred)
            if candidate.occupied < candidate.capacity and (at_home or candidate.held_while_away):
                self._place(r, candidate, "placed")
                return
        unhoused = tier is None or tier.temporary
        fallback = unhoused and self._fallback_open(r)
        if fallback:
            best = self._best_free(r, options)
            if best is not None:
                self._place(r, best, "fallback")
                return
        # an ordered set (a dict): iterating a set of objects would follow memory addresses
        wanted = dict.fromkeys(t.waiting for t in preferred)
        if fallback:
            wanted.update(
                dict.fromkeys(t.waiting for t in options.allocatable if t.name not in bans)
            )
        if tier is None:
            for temporary in options.temporary:
                if temporary.name not in bans:  # as _fits: places and eligible by construction
                    if temporary_ok and temporary.occupied < temporary.capacity and at_home:
                        self._place(r, temporary, "temporary")
                        return
                    wanted[temporary.waiting] = None
        entries = r.entries
        if entries:
            self._leave_housing_lists(r, wanted)
        for waiting in wanted:
            if waiting not in entries:  # as _join: already on the list
                self._join(r, waiting, None)

    def _leave_housing_lists(self: World, r: Resident, keep: dict) -> None:
        for waiting in [w for w in r.entries if w.name in self.tiers and w not in keep]:
            self._leave(r, waiting, "left")

    def _on_fallback(self: World, event) -> None:
        r, since = event.value
        if r.housing_since == since and r.location != EXITED:
            self._review_housing(r)
            self._after_change(r)

    def _take_place(self: World, r: Resident, tier: Tier, cause: str) -> None:
        """Start a tenancy (the caller has checked the place is free)."""
        r.tier = tier
        tier.occupied += 1
        r.housing_token += 1
        self._record((self.env.now, r.id, "tenancy_start", tier.name, "", cause, r.need))
        if r.at_home:
            self._move(r, tier.name, cause)
        if tier.max_stay is not None:
            delay = tier.max_stay(self.streams.length_of_stay.generator)
            self._schedule(delay, self._on_max_stay, (r, r.housing_token))

    def _end_tenancy(self: World, r: Resident, cause: str) -> None:
        """End the tenancy; the caller fills the freed place once the resident is settled."""
        tier = r.tier
        r.tier = None
        tier.occupied -= 1
        r.housing_token += 1
        self._record((self.env.now, r.id, "tenancy_end", tier.name, "", cause, r.need))

    def _place(self: World, r: Resident, tier: Tier, cause: str, queued: bool = False) -> None:
        """Move a resident into a free place, giving up the one they hold; ``queued`` when the
        place was given from the tier's list (whose wait is already closed)."""
        if tier.waiting in r.entries:
            self._leave(r, tier.waiting, "placed")
        elif not queued:
            self._zero_wait(r, tier.waiting)
        old = r.tier
        if old is not None:
            self._end_tenancy(r, "transfer")
        self._take_place(r, tier, cause)
        self._review_housing(r)
        if old is not None:
            self._fill_tier(old)

    def _fill_tier(self: World, tier: Tier) -> None:
        """Give free places to the first suitable residents on the tier's list."""
        self._serve(
            tier,
            lambda r: self._can_take(r, tier),
            lambda r: self._place(r, tier, "placed", queued=True),
        )

    def _lose_tenancy(self: World, r: Resident, cause: str, temporary_ok: bool = True) -> None:
        """Tenancy breakdown, a crisis or a time limit: the resident is out of their place."""
        tier = r.tier
        self._end_tenancy(r, cause)
        if r.at_home:
            self._move(r, HOMELESS, cause)
        self._fill_tier(tier)
        self._review_housing(r, temporary_ok)

    def _on_max_stay(self: World, event) -> None:
        r, token = event.value
        if r.housing_token == token and r.tier is not None:
            self._lose_tenancy(r, "max_stay", temporary_ok=False)
            self._after_change(r)

    def _breakdown(self: World, r: Resident) -> None:
        """Eviction, abandonment or exclusion; perhaps a ban from the tier for a while."""
        tier = r.tier
        if tier.ban is not None and self.streams.ban.uniform() < tier.ban.probability:
            until = self.env.now + self.ban_durations[tier.name](self.streams.ban.generator)
            r.bans[tier.name] = until
            self._record((self.env.now, r.id, "ban", tier.name, "", "breakdown", r.need))
            self._schedule(until - self.env.now, self._on_ban_end, (r, tier.name, until))
        temporary_ok = self.streams.tenancy_breakdown.uniform() < (
            self.scenario.hazards.tenancy_breakdown.to_temporary
        )
        self._lose_tenancy(r, "breakdown", temporary_ok)

    def _on_ban_end(self: World, event) -> None:
        r, name, until = event.value
        if r.bans.get(name) == until and r.location != EXITED:
            del r.bans[name]
            self._review_housing(r)
            self._after_change(r)


class Options(NamedTuple):
    """The tiers a resident could hold by need, sex, age group and problem alone (places and
    eligibility), before bans, free places and being at home are looked at."""

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
    for (distance, _), group in itertools.groupby(
        ranked, key=lambda t: (abs(t.support - r.need), -t.support)
    ):
        group = list(group)
        groups.append((distance, group, all(t.allocatable for t in group)))
    return Options(
        groups,
        [t for t in ranked if t.allocatable],
        [t for t in fitting if t.allocatable],
        frozenset(fitting),
        [t for t in temporary if t.capacity > 0 and t.eligible(r)],
    )
