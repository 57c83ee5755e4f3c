"""Competing risks: on every change of state each possible next event draws its own time from
its own stream; the earliest is scheduled and any earlier schedule becomes stale.

For a resident with need ``n`` in a tier with support ``s`` (shortfall ``d = n − s``):
tenancy breakdown ``base[n] × under_support^max(d,0) × follow-up × violence``; crisis
``base[n] × under_support^max(d,0) × follow-up × homeless × low-threshold``; need step-up and
step-down; recovery, moving away and death (background + overdose, × homeless, × the excess
after an institution discharge, a piecewise-constant hazard redrawn when the window closes).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import simpy

from forlopsim.scenario.scenario import EXITED, HOMELESS
from forlopsim.units import DAYS_PER_YEAR

if TYPE_CHECKING:
    from forlopsim.engine.resident import Resident
    from forlopsim.engine.streams import Streams
    from forlopsim.engine.world import World


def _per_day(per_year: dict[int, float], levels: range = range(1, 5)) -> list[float]:
    """Index by need level (0 unused); per-year rates become per-day rates."""
    return [0.0] + [per_year.get(n, 0.0) / DAYS_PER_YEAR for n in levels]


class _Draws:
    """The standard-exponential draw of each stream ``_after_change`` uses, bound once."""

    __slots__ = ("crisis", "death", "own_housing", "tenancy_breakdown", "treatment_referral")

    def __init__(self, streams: Streams):
        for name in self.__slots__:
            setattr(self, name, getattr(streams, name).exponential)


class _Handlers:
    """What each competing risk does when it comes due, as bound methods made once."""

    __slots__ = (
        "crisis",
        "death",
        "own_housing",
        "tenancy_breakdown",
        "treatment_referral",
        "window",
    )

    def __init__(self, world: World):
        self.crisis = world._crisis
        self.death = world._death
        self.own_housing = world._own_housing
        self.tenancy_breakdown = world._breakdown
        self.treatment_referral = world._treatment_referral
        self.window = _window_closes

    def clear(self) -> None:
        """Drop the bound methods (they point back to the world: see ``World.close``)."""
        for name in self.__slots__:
            setattr(self, name, None)


def _window_closes(r: Resident) -> None:
    """The post-discharge window closed: nothing happens but the redraw of every risk."""


class RiskMixin:
    """Drawing and dispatching competing risks for :class:`~forlopsim.engine.world.World`."""

    __slots__ = ()

    def _build_risks(self: World) -> None:
        h = self.scenario.hazards
        self._breakdown_base = _per_day(h.tenancy_breakdown.per_year)
        self._breakdown_under = h.tenancy_breakdown.under_support
        self._violence = h.tenancy_breakdown.violence_high
        self._crisis_base = _per_day(h.crisis.per_year)
        self._crisis_under = h.crisis.under_support
        self._crisis_homeless = h.crisis.homeless
        lt = self.scenario.services.low_threshold
        self._contact_effect = 1.0 if lt is None else lt.crisis_effect
        self._up = _per_day(h.need_change.step_up_per_year)
        self._down = _per_day(h.need_change.step_down_per_year)
        self._recovery = _per_day(h.recovery_per_year)
        self._move_away = h.move_away_per_year / DAYS_PER_YEAR
        m = h.mortality
        self._background = {k: v / DAYS_PER_YEAR for k, v in m.background_per_year.items()}
        self._overdose = {k: v / DAYS_PER_YEAR for k, v in m.overdose_per_year.items()}
        self._overdose_homeless = m.homeless
        self._after_discharge = 1.0 if m.after_discharge is None else m.after_discharge.multiplier
        t = h.treatment_referral
        self._treatment = _per_day(t.per_year) if t is not None else [0.0] * 5
        self._treatment_problems = frozenset(t.problem) if t is not None else frozenset()
        own = h.own_housing
        self._own_rate = _per_day(own.per_year) if own is not None else [0.0] * 5
        self._own_from = frozenset(own.places) if own is not None else frozenset()
        s = self.streams
        # per need level: the risks whose rate depends on need alone, those with a rate, in the
        # order _after_change compares them (the first of equal times wins)
        self._steady = [
            [
                (rate, stream.exponential, handler)
                for rate, stream, handler in (
                    (self._up[n] if n < 4 else 0.0, s.need_up, self._need_up),
                    (self._down[n] if n > 1 else 0.0, s.need_down, self._need_down),
                    (self._recovery[n], s.recovery, self._recover),
                    (self._move_away, s.move_away, self._move_away_exit),
                )
                if rate > 0
            ]
            for n in range(5)
        ]
        self._draws = _Draws(s)
        self._contact_draw = s.low_threshold.uniform
        self._on_risk_bound = self._on_risk  # one bound method, not a new one per schedule
        # the handler of each risk, bound once: a pending risk carries its handler, not a name
        self._handlers = _Handlers(self)
        self._risk_tables: dict[tuple, list] = {}

    def _after_change(self: World, r: Resident) -> None:
        """After any change of state: refresh low-threshold contact, then draw every competing
        risk afresh and schedule the earliest.

        Low-threshold services reach residents who are homeless, in temporary housing or
        waiting for follow-up; whether they reach one is drawn once per such spell, and a
        resident they reach has a lower crisis rate.

        The hottest function of a run (about 100,000 calls per baseline replication), so it is
        one function (no frame per step), the streams' draw functions are bound once
        (``_draws``) and state is read into locals. The draws and their order, and every product
        and its order, must not change: each stream would hand out other numbers
        (``bench/check_identical.py``)."""
        location = r.location
        if location == EXITED:
            return
        now = self.env.now
        stay = r.stay
        tier = r.tier
        team = r.team
        contact = r.contact
        if self.low_threshold is not None:
            if stay is None and (
                location == HOMELESS or team is None or (tier is not None and tier.temporary)
            ):
                if contact is None:
                    contact = r.contact = self._contact_draw() < self.low_threshold.reach
                    if contact:
                        self._record((now, r.id, "contact_start", "", "", "", r.need))
            elif contact is not None:
                if contact:
                    self._record((now, r.id, "contact_end", "", "", "", r.need))
                contact = r.contact = None
        r.epoch += 1
        window = r.post_discharge_until - now
        after_discharge = window > 0
        key = (stay, r.need, tier, team, location, contact, r.violence_high, r.problem,
               r.age_group, after_discharge)  # fmt: skip
        table = self._risk_tables.get(key)
        if table is None:
            table = self._risk_tables[key] = self._risk_table(r, contact, after_discharge)
        best = math.inf
        due = None
        for rate, draw, handler in table:
            x = draw() / rate
            if x < best:
                best, due = x, handler
        if after_discharge and window < best:
            best, due = window, self._handlers.window
        if due is not None and now + best < self.horizon:  # as in World._schedule
            simpy.Timeout(self.env, best, (r, r.epoch, due)).callbacks.append(self._on_risk_bound)

    def _risk_table(
        self: World, r: Resident, contact: bool | None, after_discharge: bool
    ) -> list[tuple[float, Callable[[], float], Callable[[Resident], None]]]:
        """The competing risks of a resident in ``r``'s state, as (rate per day, draw, handler)
        in the order ``_after_change`` draws them (the first of equal times wins), those with
        a rate > 0. Built once per state (``_after_change``'s key): every rate is the same
        product, taken in the same order, as when it was computed on every call."""
        draws = self._draws
        handlers = self._handlers
        location, tier, team, n = r.location, r.tier, r.team, r.need
        overdose = self._overdose[r.problem]
        table = []
        if r.stay is None:
            shortfall = n - tier.support if tier is not None else 0
            rate = self._crisis_base[n]
            if shortfall > 0:
                rate *= self._crisis_under**shortfall
            if team is not None:
                rate *= team.crisis_effect
            if location == HOMELESS:
                rate *= self._crisis_homeless
                overdose *= self._overdose_homeless
            if contact:
                rate *= self._contact_effect
            if rate > 0:
                table.append((rate, draws.crisis, handlers.crisis))
            if tier is not None:
                rate = self._breakdown_base[n]
                if shortfall > 0:
                    rate *= self._breakdown_under**shortfall
                if team is not None:
                    rate *= team.breakdown_effect
                if r.violence_high:
                    rate *= self._violence
                if rate > 0:
                    table.append((rate, draws.tenancy_breakdown, handlers.tenancy_breakdown))
            table.extend(self._steady[n])
            if location in self._own_from and self._own_rate[n] > 0:
                table.append((self._own_rate[n], draws.own_housing, handlers.own_housing))
            if r.problem in self._treatment_problems and self._treatment[n] > 0:
                table.append(
                    (self._treatment[n], draws.treatment_referral, handlers.treatment_referral)
                )
        death = self._background[r.age_group] + overdose
        if after_discharge:
            death *= self._after_discharge
        if death > 0:
            table.append((death, draws.death, handlers.death))
        return table

    def _on_risk(self: World, event: simpy.Event) -> None:
        r, epoch, handler = event.value
        if r.epoch != epoch:
            return
        handler(r)
        self._after_change(r)

    def _death(self: World, r: Resident) -> None:
        background = self._background[r.age_group]
        overdose = self._overdose[r.problem]
        if r.location == HOMELESS:
            overdose *= self._overdose_homeless
        overdose_share = overdose / (background + overdose)
        cause = "death_overdose" if self.streams.death.uniform() < overdose_share else "death_other"
        self._exit(r, cause)

    def _own_housing(self: World, r: Resident) -> None:
        """The resident finds housing of their own, outside the municipality's allocation."""
        target = self.tiers[self.scenario.hazards.own_housing.to]
        if not target.free or r.tier is target or target.name in r.bans:
            return
        old = r.tier
        if old is not None:
            self._end_tenancy(r, "own_housing")
        self._take_place(r, target, "own_housing")
        if old is not None:
            self._fill_tier(old)
        self._review_housing(r)

    def _need_up(self: World, r: Resident) -> None:
        self._need_change(r, +1)

    def _need_down(self: World, r: Resident) -> None:
        self._need_change(r, -1)

    def _recover(self: World, r: Resident) -> None:
        self._exit(r, "recovery")

    def _move_away_exit(self: World, r: Resident) -> None:
        self._exit(r, "moved")

    def _need_change(self: World, r: Resident, step: int) -> None:
        r.need += step
        r.options = None
        self._record(
            (self.env.now, r.id, "need_change", "", "", "up" if step > 0 else "down", r.need)
        )
        self._requeue(r)
        self._request_team(r)
        self._review_housing(r)
