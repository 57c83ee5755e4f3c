"""Competing risks by the next-reaction method (Gibson & Bruck 2000).

Each risk of a resident has a threshold of cumulative hazard, a standard exponential from the resident's own numbers of
that risk; the risk happens when its hazard, integrated over the resident's states, reaches the
threshold, and then draws its next threshold. After every change of state the rates change and
the earliest risk is scheduled afresh; an earlier schedule becomes stale. With piecewise-constant
rates this is the same process as drawing every risk's time anew at each change, but a
resident's k-th crisis takes their k-th crisis number in every scenario: common random numbers
stay synchronised through a what-if.

For a resident with need ``n`` in a tier with support ``s`` (shortfall ``d = n − s``):
tenancy breakdown ``base[n] × under_support^max(d,0) × follow-up × violence``; crisis
``base[n] × under_support^max(d,0) × follow-up × homeless × low-threshold``; need step-up and
step-down; recovery, moving away and death (background + overdose, × homeless, × the excess
after an institution discharge, a piecewise-constant hazard changed when the window closes).
Crises and treatment referrals may have after-discharge windows of their own (readmission).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import simpy

from forlopsim.engine.kernel import call_later
from forlopsim.engine.places import Crisisbed, Institution, Team, Tier
from forlopsim.engine.streams import DEATH_CAUSE, KIND, LOW_THRESHOLD
from forlopsim.scenario.scenario import EXITED, HOMELESS, Scenario
from forlopsim.units import DAYS_PER_YEAR

if TYPE_CHECKING:
    from forlopsim.engine.care import Care
    from forlopsim.engine.follow_up import FollowUp
    from forlopsim.engine.housing import Housing
    from forlopsim.engine.kernel import Kernel
    from forlopsim.engine.resident import Resident

Handler = Callable[["Resident"], None]
"""What a competing risk does to a resident when it comes due."""
RiskTable = list[tuple[int, float, Handler]]
"""A state's competing risks: (risk index, rate per day, handler), those with a rate > 0."""
StateKey = tuple[
    Crisisbed | Institution | None, int, Tier | None, Team | None, str, bool | None, bool, str,
    str, int, bool,
]  # fmt: skip
"""Everything :meth:`Risks._risk_table` reads of a resident, the key of the tables
``Risks.after_change`` keeps: their stay, need, tier, team, location, low-threshold contact,
violence risk, problem and age group, and which after-discharge windows are open (a mask of
:data:`DEATH_WINDOW`, :data:`CRISIS_WINDOW`, :data:`TREATMENT_WINDOW`), and whether they are
in services.
``tests/test_engine_components.py`` runs with a cache that never hits, to hold the key and the
table together."""


DEATH_WINDOW, CRISIS_WINDOW, TREATMENT_WINDOW = 1, 2, 4
"""The after-discharge windows' bits: mortality, crises, treatment referrals."""


def _per_day(per_year: dict[int, float], levels: range = range(1, 5)) -> list[float]:
    """Index by need level (0 unused); per-year rates become per-day rates."""
    return [0.0] + [per_year.get(n, 0.0) / DAYS_PER_YEAR for n in levels]


class _Handlers:
    """What each competing risk does when it comes due, as bound methods made once."""

    __slots__ = (
        "crisis",
        "death",
        "moved_on",
        "own_housing",
        "tenancy_breakdown",
        "treatment_referral",
        "window",
    )

    def __init__(self, risks: Risks, housing: Housing, care: Care):
        """Bind each risk's handler, from the component that owns what it changes."""
        self.crisis: Handler = care.crisis
        self.death: Handler = risks.death
        self.moved_on: Handler = risks.moved_on
        self.own_housing: Handler = housing.own_housing
        self.tenancy_breakdown: Handler = housing.breakdown
        self.treatment_referral: Handler = care.treatment_referral
        self.window: Handler = _window_closes


def _window_closes(r: Resident) -> None:
    """The post-discharge window closed: nothing happens but the redraw of every risk."""


class Risks:
    """The competing risks of one replication.

    Brought up to date after every change of state, the earliest scheduled, and dispatched to
    the component that owns what it changes.
    """

    __slots__ = (
        "_after_discharge",
        "_after_discharge_crisis",
        "_after_discharge_treatment",
        "_background",
        "_breakdown_base",
        "_breakdown_under",
        "_care",
        "_contact_effect",
        "_crisis_base",
        "_crisis_homeless",
        "_crisis_under",
        "_down",
        "_env",
        "_handlers",
        "_horizon",
        "_longest_window",
        "_low_threshold",
        "_move_away",
        "_on_risk_bound",
        "_overdose",
        "_overdose_homeless",
        "_own_from",
        "_own_rate",
        "_record",
        "_recovery",
        "_steady",
        "_treatment",
        "_treatment_problems",
        "_up",
        "_violence",
        "_windows",
        "follow_up",
        "housing",
        "kernel",
        "tables",
    )

    def __init__(
        self,
        scenario: Scenario,
        kernel: Kernel,
        housing: Housing,
        follow_up: FollowUp,
        care: Care,
    ):
        """The rates of ``scenario.hazards``; wires itself in as the kernel's ``after_change``."""
        self.kernel = kernel
        self.housing = housing
        self.follow_up = follow_up
        self._care = care
        self._env = kernel.env
        self._horizon = kernel.horizon
        self._record = kernel.record
        h = scenario.hazards
        self._breakdown_base = _per_day(h.tenancy_breakdown.per_year)
        self._breakdown_under = h.tenancy_breakdown.under_support
        self._violence = h.tenancy_breakdown.violence_high
        self._crisis_base = _per_day(h.crisis.per_year)
        self._crisis_under = h.crisis.under_support
        self._crisis_homeless = h.crisis.homeless
        lt = scenario.services.low_threshold
        self._low_threshold = lt
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
        windows = []
        if m.after_discharge is not None:
            windows.append((DEATH_WINDOW, m.after_discharge.days))
        c = h.crisis.after_discharge
        self._after_discharge_crisis = 1.0 if c is None else c.multiplier
        if c is not None:
            windows.append((CRISIS_WINDOW, c.days))
        a = None if t is None else t.after_discharge
        self._after_discharge_treatment = 1.0 if a is None else a.multiplier
        if a is not None:
            windows.append((TREATMENT_WINDOW, a.days))
        self._windows = windows
        self._longest_window = max((days for _, days in windows), default=-math.inf)
        """The days of the longest window: past them after a discharge, none is open."""
        """(bit, days) of each after-discharge window the scenario has."""
        self._treatment = _per_day(t.per_year) if t is not None else [0.0] * 5
        self._treatment_problems = frozenset(t.problem) if t is not None else frozenset()
        own = h.own_housing
        self._own_rate = _per_day(own.per_year) if own is not None else [0.0] * 5
        self._own_from = frozenset(own.places) if own is not None else frozenset()
        # per need level: the risks whose rate depends on need alone, those with a rate
        self._steady: list[RiskTable] = [
            [
                (KIND[risk], rate, handler)
                for risk, rate, handler in (
                    ("need_up", self._up[n] if n < 4 else 0.0, self._need_up),
                    ("need_down", self._down[n] if n > 1 else 0.0, self._need_down),
                    ("recovery", self._recovery[n], self._recover),
                    ("move_away", self._move_away, self._move_away_exit),
                )
                if rate > 0
            ]
            for n in range(5)
        ]
        self._on_risk_bound = self._on_risk  # one bound method, not a new one per schedule
        # the handler of each risk, bound once: a pending risk carries its handler, not a name
        self._handlers = _Handlers(self, housing, care)
        self.tables: dict[StateKey, RiskTable] = {}
        """Each state's risk table, built when first needed (:data:`StateKey`)."""
        kernel.after_change = self.after_change

    def close(self) -> None:
        """Drop the tables and bound handlers (they point back to the components)."""
        self._steady.clear()
        self.tables.clear()
        self._handlers = None  # type: ignore[assignment]  # a closed world runs no more
        self._care = None  # type: ignore[assignment]  # likewise
        self._on_risk_bound = None  # type: ignore[assignment]  # likewise

    def after_change(self, r: Resident) -> None:  # noqa: C901  the hot path, one frame by design
        """After any change of state: refresh contact, update hazards, schedule the earliest.

        The resident's cumulative hazards are brought up to now at the old rates, and the risk
        that reaches its threshold first at the new ones is scheduled.

        Low-threshold services reach residents who are homeless, in temporary housing or
        waiting for follow-up; whether they reach one is drawn once per such spell, and a
        resident they reach has a lower crisis rate.

        The hottest function of a run (about 100,000 calls per baseline replication), so it is
        one function (no frame per step) and state is read into locals.
        """
        location = r.location
        if location == EXITED:
            return
        now = self._env._now  # the `now` property's value, without its call
        stay = r.stay
        tier = r.tier
        team = r.team
        contact = r.contact
        low_threshold = self._low_threshold
        if low_threshold is not None:
            if (
                stay is None
                and (location == HOMELESS or team is None or (tier is not None and tier.temporary))
                and r.in_services
            ):
                if contact is None:
                    contact = r.contact = r.number(LOW_THRESHOLD) < low_threshold.reach
                    if contact:
                        self._record(r, "contact_start")
            elif contact is not None:
                if contact:
                    self._record(r, "contact_end")
                contact = r.contact = None
        r.epoch += 1
        remaining = r.remaining
        elapsed = now - r.clock
        if elapsed > 0.0:  # the hazard since the last change, at that state's rates
            for risk, rate, _ in r.table:
                remaining[risk] -= rate * elapsed
            r.clock = now
        fired = r.fired
        if fired >= 0:  # the risk that just happened starts afresh
            r.fired = -1
            remaining[fired] = r.number(fired)
        windows = 0
        window = math.inf
        discharged = r.discharged_at
        if discharged + self._longest_window > now:  # most have no window open
            for bit, days in self._windows:
                left = discharged + days - now
                if left > 0:
                    windows |= bit
                    if left < window:
                        window = left
        key = (stay, r.need, tier, team, location, contact, r.violence_high, r.problem,
               r.age_group, windows, r.in_services)  # fmt: skip  # StateKey
        table = self.tables.get(key)
        if table is None:
            table = self.tables[key] = self._risk_table(r, contact, windows)
        r.table = table
        best = math.inf
        due = None
        for risk, rate, handler in table:
            x = remaining[risk] / rate
            if x < best:
                best, due, fired = x, handler, risk
        if window < best:
            best, due, fired = window, self._handlers.window, -1
        if due is not None and now + best < self._horizon:  # as in Kernel.schedule
            # a hazard a rounding error past its threshold is due now
            delay = best if best > 0.0 else 0.0
            call_later(self._env, delay, (r, r.epoch, due, fired), self._on_risk_bound)

    def _risk_table(  # noqa: C901  every risk of a state, in one place
        self, r: Resident, contact: bool | None, windows: int
    ) -> RiskTable:
        """The competing risks of a resident in ``r``'s state.

        As (risk index, rate per day, handler), those with a rate > 0. Built once per state
        (:data:`StateKey`).
        """
        handlers = self._handlers
        tier, n = r.tier, r.need
        table: RiskTable = []
        if not r.in_services:  # a former client in the flat they kept: moving on, or away
            assert tier is not None and tier.kept is not None
            if tier.kept > 0:
                table.append((KIND["recovery"], tier.kept, handlers.moved_on))
            if self._move_away > 0:
                table.append((KIND["move_away"], self._move_away, self._move_away_exit))
        elif r.stay is None:
            shortfall = n - tier.support if tier is not None else 0
            rate = self._crisis_rate(r, shortfall, contact)
            if windows & CRISIS_WINDOW:
                rate *= self._after_discharge_crisis
            if rate > 0:
                table.append((KIND["crisis"], rate, handlers.crisis))
            if tier is not None:
                rate = self._breakdown_rate(r, shortfall)
                if rate > 0:
                    table.append((KIND["tenancy_breakdown"], rate, handlers.tenancy_breakdown))
            table.extend(self._steady[n])
            if r.location in self._own_from and self._own_rate[n] > 0:
                table.append((KIND["own_housing"], self._own_rate[n], handlers.own_housing))
            if r.problem in self._treatment_problems and self._treatment[n] > 0:
                rate = self._treatment[n]
                if windows & TREATMENT_WINDOW:
                    rate *= self._after_discharge_treatment
                table.append((KIND["treatment_referral"], rate, handlers.treatment_referral))
        death = self._death_rate(r, bool(windows & DEATH_WINDOW))
        if death > 0:
            table.append((KIND["death"], death, handlers.death))
        return table

    def _crisis_rate(self, r: Resident, shortfall: int, contact: bool | None) -> float:
        """Crises per day of a resident at home with ``shortfall`` too little support."""
        rate = self._crisis_base[r.need]
        if shortfall > 0:
            rate *= self._crisis_under**shortfall
        if r.team is not None:
            rate *= r.team.crisis_effect
        if r.location == HOMELESS:
            rate *= self._crisis_homeless
        if contact:
            rate *= self._contact_effect
        return rate

    def _breakdown_rate(self, r: Resident, shortfall: int) -> float:
        """Tenancy breakdowns per day of a resident at home in a tier."""
        rate = self._breakdown_base[r.need]
        if shortfall > 0:
            rate *= self._breakdown_under**shortfall
        if r.team is not None:
            rate *= r.team.breakdown_effect
        if r.violence_high:
            rate *= self._violence
        return rate

    def _death_rate(self, r: Resident, after_discharge: bool) -> float:
        """Deaths per day: background and overdose (more when homeless, and after discharge).

        A former client out of services has the background rate only.
        """
        if not r.in_services:
            return self._background[r.age_group]
        overdose = self._overdose[r.problem]
        if r.location == HOMELESS:
            overdose *= self._overdose_homeless
        death = self._background[r.age_group] + overdose
        if after_discharge:
            death *= self._after_discharge
        return death

    def _on_risk(self, event: simpy.Event) -> None:
        """A risk reached its threshold: it happens, and then draws its next threshold.

        ``fired`` is -1 when the post-discharge window closed; the next ``after_change`` gives
        the risk its next threshold.
        """
        r, epoch, handler, fired = event.value  # type: ignore[misc]  # SimPy: Optional[Any]
        if r.epoch != epoch:
            return
        r.fired = fired
        handler(r)
        self.after_change(r)

    def death(self, r: Resident) -> None:
        """Death from overdose or another cause, in proportion to their rates now."""
        background = self._background[r.age_group]
        overdose = self._overdose[r.problem] if r.in_services else 0.0
        if r.location == HOMELESS:
            overdose *= self._overdose_homeless
        overdose_share = overdose / (background + overdose)
        cause = "death_overdose" if r.number(DEATH_CAUSE) < overdose_share else "death_other"
        self.kernel.exit(r, cause)

    def _need_up(self, r: Resident) -> None:
        self._need_change(r, +1)

    def _need_down(self, r: Resident) -> None:
        self._need_change(r, -1)

    def _recover(self, r: Resident) -> None:
        tier = r.tier
        if tier is not None and tier.kept is not None and r.stay is None and r.in_services:
            self._leave_services(r)
        else:
            self.kernel.exit(r, "recovery")

    def _leave_services(self, r: Resident) -> None:
        """Recovery in a flat that outlives services: the resident keeps it, and nothing else.

        Follow-up ends, every list is left, an application is withdrawn and a self-referral
        contract given up; the low-threshold contact ends in the next ``after_change``.
        """
        team = self.follow_up.leave_services(r)
        for waiting in list(r.entries):
            self.kernel.leave(r, waiting, "left")
        office = self.housing.office
        if office is not None and r.application:
            office.withdraw(r)
        r.in_services = False
        self._record(r, "services_end", cause="recovery")
        if r.contract is not None:
            self._care.release_contract(r)
        if team is not None:
            self.follow_up.fill(team)

    def moved_on(self, r: Resident) -> None:
        """A former client leaves the flat they kept, and the model."""
        self.kernel.exit(r, "recovery")

    def _move_away_exit(self, r: Resident) -> None:
        self.kernel.exit(r, "moved")

    def _need_change(self, r: Resident, step: int) -> None:
        r.need += step
        r.options = None
        r.below_since = None
        if step > 0 and r.tier is not None:
            r.at_risk = True  # a need that rose above the tier's support puts it at risk
        self._record(r, "need_change", cause="up" if step > 0 else "down")
        self.kernel.requeue(r)
        self.follow_up.request(r)
        self.housing.review(r)
