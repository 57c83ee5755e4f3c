"""The simulated world of one replication: places built from a scenario, residents, and the
handlers that move residents between states. It records what happens and computes no KPI.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Iterator
from typing import Any

import simpy

from forlopsim.engine.care import CareMixin
from forlopsim.engine.follow_up import FollowUpMixin
from forlopsim.engine.housing import HousingMixin, Options
from forlopsim.engine.places import Place, WaitingList, coverage_check, eligibility_check
from forlopsim.engine.resident import Resident
from forlopsim.engine.risks import RiskMixin
from forlopsim.engine.streams import Stream, Streams
from forlopsim.records import Recorder
from forlopsim.scenario.population import AGE_GROUPS, PROBLEMS, SEXES, AttributeMix, MixOverride
from forlopsim.scenario.scenario import EXITED, HOMELESS, Scenario
from forlopsim.units import DAYS_PER_YEAR


class Tier(Place):
    """A housing tier at run time."""

    __slots__ = (
        "allocatable",
        "ban",
        "eligible",
        "held_while_away",
        "max_stay",
        "support",
        "temporary",
    )


class Team(Place):
    """A follow-up team at run time."""

    __slots__ = ("breakdown_effect", "covered", "crisis_effect")


class Crisisbed(Place):
    """A crisis-bed type at run time (no waiting list)."""

    __slots__ = ("eligible", "length_of_stay", "min_gap", "request", "self_referral")


class Institution(Place):
    """An institution at run time."""

    __slots__ = ("early", "length_of_stay")


class Mix:
    """Categorical draws of a resident's attributes from one uniform each."""

    def __init__(self, base: AttributeMix, override: MixOverride | None):
        def pick(name: str) -> dict:
            chosen = getattr(override, name, None) if override is not None else None
            return chosen if chosen is not None else getattr(base, name)

        self.sex = _categorical(pick("sex"), SEXES)
        self.age_group = _categorical(pick("age_group"), AGE_GROUPS)
        self.problem = _categorical(pick("problem"), PROBLEMS)
        self.violence = _categorical(pick("violence_risk"), ("low", "high"))
        self.need = _categorical(pick("need"), (1, 2, 3, 4))


def _categorical(shares: dict, order: tuple) -> Callable[[float], Any]:
    """A function of a uniform number returning a category with the given shares."""
    values = [v for v in order if shares.get(v, 0) > 0]
    cumulative = list(itertools.accumulate(shares[v] for v in values))
    cumulative[-1] = 1.0
    return lambda u: values[bisect.bisect_right(cumulative, u)]


class World(HousingMixin, FollowUpMixin, CareMixin, RiskMixin):
    """Everything one replication needs, built from a validated scenario.

    Slots (here and an empty tuple in each mixin), not an instance dict: with some fifty
    attributes a dict grows past what CPython 3.11 shares between instances, and every
    ``self.x`` and ``self._method`` in the hot path then takes a slower look-up."""

    __slots__ = (
        "_after_discharge",
        "_background",
        "_breakdown_base",
        "_breakdown_under",
        "_contact_draw",
        "_contact_effect",
        "_crisis_base",
        "_crisis_homeless",
        "_crisis_under",
        "_down",
        "_draws",
        "_handlers",
        "_housing_options",
        "_ids",
        "_move_away",
        "_on_risk_bound",
        "_overdose",
        "_overdose_homeless",
        "_own_from",
        "_own_rate",
        "_record",
        "_recovery",
        "_risk_tables",
        "_steady",
        "_treatment",
        "_treatment_problems",
        "_up",
        "_violence",
        "ban_durations",
        "beds",
        "crisis_beds",
        "env",
        "fallback_days",
        "handover_delay",
        "horizon",
        "institutions",
        "low_threshold",
        "permanent_tiers",
        "policy",
        "recorder",
        "residents",
        "routes",
        "scenario",
        "self_referral_beds",
        "streams",
        "teams",
        "temporary_tiers",
        "tiers",
    )

    def __init__(self, scenario: Scenario, streams: Streams, recorder: Recorder):
        self.scenario = scenario
        self.env = simpy.Environment()
        self.streams = streams
        self.recorder = recorder
        self._record = recorder.events.append
        self._ids = itertools.count()
        self.residents: dict[int, Resident] = {}
        self.horizon = scenario.simulation.horizon_days
        self._build_housing()
        self._build_services()
        self._build_care()
        self._build_risks()

    # -- construction ------------------------------------------------------------------------

    def _build_housing(self) -> None:
        spec = self.scenario.housing
        self.tiers: dict[str, Tier] = {}
        for name, t in spec.tiers.items():
            tier = Tier(name, t.capacity, WaitingList(name))
            tier.support = t.support
            tier.eligible = eligibility_check(t.eligibility)
            tier.allocatable = t.allocatable
            tier.temporary = t.temporary
            tier.max_stay = None if t.max_stay is None else t.max_stay.sampler()
            tier.held_while_away = t.held_while_away
            tier.ban = t.ban
            self.tiers[name] = tier
        self.permanent_tiers = [t for t in self.tiers.values() if not t.temporary]
        self.temporary_tiers = [t for t in self.tiers.values() if t.temporary]
        self._housing_options: dict[tuple, Options] = {}
        self.policy = spec.allocation.policy
        self.fallback_days = spec.allocation.fallback_after_days
        self.ban_durations = {
            name: t.ban.duration.sampler() for name, t in spec.tiers.items() if t.ban is not None
        }

    def _build_services(self) -> None:
        spec = self.scenario.services
        self.teams: dict[str, Team] = {}
        for unit_name, unit in spec.units.items():
            for team_name, t in unit.teams.items():
                name = f"{unit_name}.{team_name}"
                team = Team(name, t.caseload, WaitingList(name))
                team.breakdown_effect = t.follow_up_effect.tenancy_breakdown
                team.crisis_effect = t.follow_up_effect.crisis
                c = spec.coverage[t.coverage]
                team.covered = coverage_check(c.days, c.from_hour, c.to_hour)
                self.teams[name] = team
        self.routes: dict[tuple, Team] = {}
        forlop = spec.forlop_by_need
        for need, problem, sex, age in itertools.product((1, 2, 3, 4), PROBLEMS, SEXES, AGE_GROUPS):
            for route in spec.routing:
                if (
                    forlop[need] in route.forlop
                    and problem in route.problem
                    and (route.sex is None or sex in route.sex)
                    and (route.age_group is None or age in route.age_group)
                ):
                    self.routes[(need, problem, sex, age)] = self.teams[route.team]
                    break
        self.handover_delay = None if spec.handover_delay is None else spec.handover_delay.sampler()
        self.low_threshold = spec.low_threshold

    def _build_care(self) -> None:
        self.beds: dict[str, Crisisbed] = {}
        for name, b in self.scenario.crisis_beds.items():
            bed = Crisisbed(name, b.beds, None)
            bed.eligible = eligibility_check(b.eligibility)
            bed.self_referral = b.self_referral
            bed.length_of_stay = b.length_of_stay.sampler()
            bed.min_gap = b.min_days_between_stays
            bed.request = b.request_probability
            self.beds[name] = bed
        self.self_referral_beds = [b for b in self.beds.values() if b.self_referral]
        self.crisis_beds = [b for b in self.beds.values() if not b.self_referral]
        self.institutions: dict[str, Institution] = {}
        for name, i in self.scenario.institutions.items():
            inst = Institution(
                name, i.beds, WaitingList(name, by_need=False) if i.waiting_list else None
            )
            inst.length_of_stay = i.length_of_stay.sampler()
            inst.early = i.early_discharge
            self.institutions[name] = inst

    # -- running -------------------------------------------------------------------------------

    def run(self) -> None:
        """Seed the initial population, start the referral streams, simulate to the horizon."""
        referrals = self.scenario.referrals
        base = self.scenario.population
        initial = referrals.initial_population
        if initial is not None:
            mix, start = (
                Mix(base, initial.mix),
                _categorical(initial.start_in, tuple(initial.start_in)),
            )
            for _ in range(initial.size):
                self._arrive("initial", mix, start)
        streams = self.streams.referral_streams(len(referrals.streams))
        for (name, spec), stream in zip(referrals.streams.items(), streams, strict=True):
            if spec.annual_rate > 0:
                self.env.process(self._referrals(name, spec, stream, Mix(base, spec.mix)))
        self.env.run(until=self.horizon)

    def close(self) -> None:
        """Break the world's reference cycles (pending events and handlers that point back to
        it, residents and their waiting-list entries) once its records are taken, so that
        reference counting frees it at once: left to the cyclic collector, its ~370,000 objects
        cost a 0.2 s collection later and hold memory while the next replication runs."""
        self.env._queue.clear()
        self._handlers.clear()
        self._steady.clear()
        self._risk_tables.clear()
        self._on_risk_bound = None
        for place in (*self.tiers.values(), *self.teams.values(), *self.institutions.values()):
            if place.waiting is not None:
                place.waiting.clear()
        for r in self.residents.values():
            r.entries.clear()

    def _referrals(self, name: str, spec: Any, stream: Stream, mix: Mix) -> Iterator[simpy.Event]:
        """A Poisson stream of referrals; a seasonal rate is drawn by thinning."""
        rate = spec.annual_rate / DAYS_PER_YEAR
        season = spec.seasonality
        amplitude = 0.0 if season is None else season.amplitude
        peak = 0.0 if season is None else season.peak_day
        top = rate * (1 + amplitude)
        start = _categorical(spec.start_in, tuple(spec.start_in))
        env = self.env
        while True:
            yield env.timeout(stream.exponential() / top)
            if amplitude:
                now_rate = rate * (
                    1 + amplitude * math.cos(2 * math.pi * (env.now - peak) / DAYS_PER_YEAR)
                )
                if stream.uniform() * top > now_rate:
                    continue
            self._arrive(name, mix, start)

    def _arrive(self, stream_name: str, mix: Mix, start: Callable[[float], str]) -> None:
        u = self.streams.attributes.uniform
        r = Resident(
            next(self._ids),
            mix.sex(u()),
            mix.age_group(u()),
            mix.problem(u()),
            mix.violence(u()) == "high",
            mix.need(u()),
        )
        place = start(self.streams.start.uniform())
        now = self.env.now
        self.residents[r.id] = r
        self.recorder.residents.append(
            (
                r.id,
                r.sex,
                r.age_group,
                r.problem,
                "high" if r.violence_high else "low",
                r.need,
                stream_name,
                now,
            )
        )
        self._record((now, r.id, "referral", stream_name, "", "", r.need))
        tier = self.tiers.get(place)
        if tier is not None and tier.free:
            self._move(r, place, "referral")
            self._take_place(r, tier, "referral")
        else:
            self._move(r, HOMELESS, "referral")
        self._request_team(r)
        self._review_housing(r)
        self._after_change(r)

    # -- shared helpers --------------------------------------------------------------------------

    def _move(self, r: Resident, location: str, cause: str) -> None:
        if location != r.location:
            self._record((self.env.now, r.id, "move", location, r.location, cause, r.need))
            r.location = location

    def _schedule(self, delay: float, callback: Callable[[simpy.Event], None], value: Any) -> None:
        """Call ``callback`` after ``delay`` days; handlers check tokens to ignore stale calls.

        A call due at or after the horizon is not scheduled: ``env.run(until=horizon)`` stops
        before processing it (its stop event is urgent), so it would only deepen the heap."""
        if self.env.now + delay < self.horizon:
            simpy.Timeout(self.env, delay, value).callbacks.append(callback)

    def _join(self, r: Resident, waiting: WaitingList, since: float | None = None) -> None:
        if waiting in r.entries:
            return
        now = self.env.now
        r.entries[waiting] = waiting.push(r, now if since is None else since)
        self._record((now, r.id, "wait_start", waiting.name, "", "", r.need))

    def _zero_wait(self, r: Resident, waiting: WaitingList) -> None:
        """Record a wait of no length: served at once, so wait KPIs count everyone served."""
        now = self.env.now
        self._record((now, r.id, "wait_start", waiting.name, "", "", r.need))
        self._record((now, r.id, "wait_end", waiting.name, "", "placed", r.need))

    def _leave(self, r: Resident, waiting: WaitingList, cause: str) -> None:
        entry = r.entries.pop(waiting, None)
        if entry is not None:
            entry.valid = False
            self._record((self.env.now, r.id, "wait_end", waiting.name, "", cause, r.need))

    def _serve(
        self,
        place: Place,
        accept: Callable[[Resident], bool] | None,
        start: Callable[[Resident], None],
    ) -> None:
        """Give free capacity to the first residents on the place's list that ``accept`` allows."""
        while place.free:
            entry = place.waiting.pop(accept)
            if entry is None:
                return
            r = entry.resident
            del r.entries[place.waiting]
            self._record((self.env.now, r.id, "wait_end", place.name, "", "placed", r.need))
            start(r)
            self._after_change(r)

    def _requeue(self, r: Resident) -> None:
        """Re-sort a resident on every list after a need change, keeping their time joined."""
        for waiting, entry in list(r.entries.items()):
            entry.valid = False
            r.entries[waiting] = waiting.push(r, entry.since)

    def _exit(self, r: Resident, cause: str) -> None:
        """The resident leaves the model: recovery, moving away or death."""
        now = self.env.now
        self._record((now, r.id, "exit", "", "", cause, r.need))
        r.epoch += 1
        r.stay_token += 1
        r.housing_token += 1
        r.team_token += 1
        for waiting in list(r.entries):
            self._leave(r, waiting, "exit")
        if r.contact:
            self._record((now, r.id, "contact_end", "", "", "exit", r.need))
        r.contact = None
        stay = r.stay
        if stay is not None:
            r.stay = None
            stay.occupied -= 1
            self._record((now, r.id, "discharge", stay.name, "", "exit", r.need))
        tier = r.tier
        if tier is not None:
            self._end_tenancy(r, "exit")
        team = r.team
        if team is not None:
            r.team = None
            team.occupied -= 1
            self._record((now, r.id, "follow_up_end", team.name, "", "exit", r.need))
        self._move(r, EXITED, cause)
        del self.residents[r.id]
        if stay is not None:
            self._fill_stay(stay)
        if tier is not None:
            self._fill_tier(tier)
        if team is not None:
            self._fill_team(team)
