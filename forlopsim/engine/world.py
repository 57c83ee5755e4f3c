"""The simulated world of one replication: the kernel, the components, arrivals and exits.

The components built from a scenario (housing, follow-up, care, risks), the referral streams
that bring residents in, and the exit that takes them out. It records what happens and computes
no KPI.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from collections.abc import Callable, Generator
from typing import Any, NamedTuple, cast

import simpy

from forlopsim.engine.care import Care
from forlopsim.engine.follow_up import FollowUp
from forlopsim.engine.housing import Housing
from forlopsim.engine.kernel import Kernel
from forlopsim.engine.resident import Resident
from forlopsim.engine.risks import Risks
from forlopsim.engine.streams import (
    ATTRIBUTES,
    INITIAL,
    INITIAL_STATE,
    OFFSET,
    SIZE,
    Stream,
    Streams,
    stream_id,
)
from forlopsim.records import Recorder, ResidentRow
from forlopsim.scenario.distributions import Quantile, Residual
from forlopsim.scenario.population import (
    AGE_GROUPS,
    PROBLEMS,
    SEXES,
    AttributeMix,
    InitialPopulation,
    MixOverride,
    ReferralStream,
)
from forlopsim.scenario.scenario import EXITED, HOMELESS, Scenario
from forlopsim.scenario.schedule import scheduled, steps
from forlopsim.units import DAYS_PER_YEAR


class Mix:
    """Categorical draws of a resident's attributes from one uniform each."""

    def __init__(self, base: AttributeMix, override: MixOverride | None):
        """The base mix, with the shares ``override`` gives instead."""

        def pick(name: str) -> dict[Any, float]:
            chosen = getattr(override, name, None) if override is not None else None
            return chosen if chosen is not None else getattr(base, name)

        self.sex = _categorical(pick("sex"), SEXES)
        self.age_group = _categorical(pick("age_group"), AGE_GROUPS)
        self.problem = _categorical(pick("problem"), PROBLEMS)
        self.violence = _categorical(pick("violence_risk"), ("low", "high"))
        self.need = _categorical(pick("need"), (1, 2, 3, 4))


def _categorical(shares: dict[Any, float], order: tuple[Any, ...]) -> Callable[[float], Any]:
    """A function of a uniform number returning a category with the given shares."""
    values = [v for v in order if shares.get(v, 0) > 0]
    cumulative = list(itertools.accumulate(shares[v] for v in values))
    cumulative[-1] = 1.0
    return lambda u: values[bisect.bisect_right(cumulative, u)]


class AtStart(NamedTuple):
    """How a resident of the initial population is as the run starts (time 0 as it is)."""

    time_left: dict[str, Residual] | None
    """The residual life of each place's stays, if stays are in progress (else whole stays)."""
    need: int | None = None
    """Their need, if fixed (those who wait for a tier), else drawn from the mix."""
    waited: Quantile | None = None
    """The days they have waited already, if they wait for a tier."""


ATTRIBUTE_NUMBERS = slice(OFFSET[ATTRIBUTES], OFFSET[ATTRIBUTES] + SIZE[ATTRIBUTES])
"""Where a resident's attribute numbers are in their row: sex, age group, problem, violence
risk, need, and where they start."""


class World:
    """Everything one replication needs, built from a validated scenario.

    The kernel, the components, and the residents now in the model.
    """

    __slots__ = (
        "_ids",
        "_stays",
        "care",
        "follow_up",
        "housing",
        "kernel",
        "recorder",
        "residents",
        "risks",
        "scenario",
        "streams",
    )

    def __init__(self, scenario: Scenario, streams: Streams, recorder: Recorder):
        """An empty world; :meth:`run` brings the residents in."""
        self.scenario = scenario
        self.streams = streams
        self.recorder = recorder
        self.kernel = kernel = Kernel(
            simpy.Environment(), scenario.simulation.horizon_days, recorder.events
        )
        kernel.exit = self.exit
        self.housing = Housing(scenario, kernel)
        self.follow_up = follow_up = FollowUp(scenario, kernel, self.housing.tiers)
        if any(t.team is not None for t in self.housing.tiers.values()):
            self.housing.follows = True
            self.housing.follow = lambda r: follow_up.request(r, at_once=True)
            follow_up.fill_tier = self.housing.fill
        self.care = Care(scenario, kernel, self.housing)
        self.risks = Risks(scenario, kernel, self.housing, self.follow_up, self.care)
        self._ids = itertools.count()
        self._stays = frozenset(self.care.beds) | frozenset(self.care.institutions)
        self.residents: dict[int, Resident] = {}

    @property
    def env(self) -> simpy.Environment:
        """The replication's SimPy environment (its clock)."""
        return self.kernel.env

    def run(self) -> None:
        """Seed the initial population, start the referral streams, simulate to the horizon."""
        referrals = self.scenario.referrals
        base = self.scenario.population
        initial = referrals.initial_population
        if initial is not None:
            self._initial_population(initial)
        env = self.kernel.env
        for name, spec in referrals.streams.items():
            trend = spec.trend
            if trend is not None and trend.flat():
                trend = None  # a growth of 0: the stream as without one, number for number
            if trend is None and spec.annual_rate > 0:
                arrivals = self.streams.arrivals(name)
                env.process(self._referrals(name, spec, arrivals, Mix(base, spec.mix)))
            elif trend is not None:
                arrivals = self.streams.arrivals(name)
                env.process(self._trended_referrals(name, spec, arrivals, Mix(base, spec.mix)))
        self._schedule_capacities()
        env.run(until=self.kernel.horizon)

    def _initial_population(self, initial: InitialPopulation) -> None:
        """The residents present at time 0, then those on a tier's list (each group a stream)."""
        scenario = self.scenario
        mix = Mix(scenario.population, initial.mix)
        start = _categorical(initial.start_in, tuple(initial.start_in))
        time_left = _residuals(scenario) if initial.stays_in_progress else None
        at_start = AtStart(time_left) if time_left is not None else None
        initial_id = stream_id(INITIAL)
        for index in range(initial.size):
            self._arrive(INITIAL, initial_id, index, mix, start, at_start)
        for i, group in enumerate(initial.waiting or ()):
            need = group.need or scenario.housing.tiers[group.tier].support
            waiting = AtStart(time_left, need, group.waited_days.quantile())
            start = _categorical(group.start_in, tuple(group.start_in))
            number = stream_id(f"{INITIAL}.waiting.{i}")
            for index in range(group.count):
                self._arrive(INITIAL, number, index, mix, start, waiting)

    def _schedule_capacities(self) -> None:
        """Every change a capacity schedule makes, at its day after the warm-up."""
        scenario, housing, care, follow_up = self.scenario, self.housing, self.care, self.follow_up
        everyone = self.residents.values()
        changes: list[tuple[Callable[[int], None], Any]] = []
        for name, tier in scenario.housing.tiers.items():
            apply = functools.partial(housing.set_capacity, housing.tiers[name], residents=everyone)
            changes.append((apply, tier.capacity))
        for u, unit in scenario.services.units.items():
            for t, team in unit.teams.items():
                apply = functools.partial(follow_up.set_caseload, follow_up.teams[f"{u}.{t}"])
                changes.append((apply, team.caseload))
        for name, bed in scenario.crisis_beds.items():
            changes.append((functools.partial(care.set_beds, care.beds[name]), bed.beds))
        for name, inst in scenario.institutions.items():
            changes.append((functools.partial(care.set_beds, care.institutions[name]), inst.beds))
        warmup = scenario.simulation.warmup_days
        for change, capacity in changes:
            if scheduled(capacity):
                for day, level in steps(capacity)[1:]:
                    self.kernel.schedule(warmup + day, _on_capacity, (change, level))

    def close(self) -> None:
        """Break the world's reference cycles once its records are taken.

        Pending events and handlers that point back to it, residents and their waiting-list
        entries: so that reference counting frees it at once; left to the cyclic collector, its ~370,000 objects
        cost a 0.2 s collection later and hold memory while the next replication runs.
        """
        kernel = self.kernel
        kernel.env._queue.clear()  # SimPy has no public way
        self.risks.close()
        kernel.after_change = kernel.exit = _closed
        for component in (self.housing, self.follow_up, self.care):
            component.close()
        for r in self.residents.values():
            r.entries.clear()

    def _referrals(
        self, name: str, spec: ReferralStream, stream: Stream, mix: Mix
    ) -> Generator[simpy.Event, object, None]:
        """A Poisson stream of referrals; a seasonal rate is drawn by thinning."""
        rate = spec.annual_rate / DAYS_PER_YEAR
        season = spec.seasonality
        amplitude = 0.0 if season is None else season.amplitude
        peak = 0.0 if season is None else season.peak_day
        top = rate * (1 + amplitude)
        start = _categorical(spec.start_in, tuple(spec.start_in))
        env = self.kernel.env
        number = stream_id(name)
        index = 0
        while True:
            yield env.timeout(stream.exponential() / top)
            if amplitude:
                now_rate = rate * (
                    1 + amplitude * math.cos(2 * math.pi * (env.now - peak) / DAYS_PER_YEAR)
                )
                if stream.uniform() * top > now_rate:
                    continue
            self._arrive(name, number, index, mix, start)
            index += 1

    def _trended_referrals(
        self, name: str, spec: ReferralStream, stream: Stream, mix: Mix
    ) -> Generator[simpy.Event, object, None]:
        """A Poisson stream whose rate follows a trend: the same candidates, on a moved clock.

        The i-th candidate comes when the expected referrals Λ(t) reach (E₁ + … + Eᵢ)/(1 + a),
        the stream's own exponentials: at day Λ⁻¹ of that (a time change). A stream without a
        trend has its i-th candidate at the same sum over its rate, from the same numbers, so
        streams with the same trend share their arrivals, and a changed trend only moves
        them. The seasonal swing thins the candidates as in :meth:`_referrals`.
        """
        assert spec.trend is not None
        _, inverse = spec.trend.clock(spec.annual_rate, self.scenario.simulation.warmup_days)
        season = spec.seasonality
        amplitude = 0.0 if season is None else season.amplitude
        peak = 0.0 if season is None else season.peak_day
        top = 1 + amplitude
        start = _categorical(spec.start_in, tuple(spec.start_in))
        env = self.kernel.env
        horizon = self.kernel.horizon
        number = stream_id(name)
        index = 0
        expected = 0.0
        while True:
            expected += stream.exponential() / top
            t = inverse(expected)
            if t >= horizon:
                return
            yield env.timeout(max(t - env.now, 0.0))
            if amplitude:
                swing = 1 + amplitude * math.cos(2 * math.pi * (env.now - peak) / DAYS_PER_YEAR)
                if stream.uniform() * top > swing:
                    continue
            self._arrive(name, number, index, mix, start)
            index += 1

    def _arrive(
        self,
        stream_name: str,
        stream: int,
        index: int,
        mix: Mix,
        start: Callable[[float], str],
        at_start: AtStart | None = None,
    ) -> None:
        """A resident is referred: drawn, recorded, placed where they start, sent to a team.

        The ``index``-th of their stream, with their own numbers (``Streams.row``).
        ``at_start``: a resident of the initial population with a stay in progress or a wait.
        """
        row = self.streams.row(stream)
        sex, age_group, problem, violence, need, where = row[ATTRIBUTE_NUMBERS]
        r = Resident(
            next(self._ids),
            mix.sex(sex),
            mix.age_group(age_group),
            mix.problem(problem),
            mix.violence(violence) == "high",
            mix.need(need) if at_start is None or at_start.need is None else at_start.need,
            (self.streams, stream, index, row),
        )
        since = None
        if at_start is not None and at_start.waited is not None:
            since = -at_start.waited(r.number(INITIAL_STATE))
        place = start(where)
        kernel = self.kernel
        now = kernel.env.now
        r.start_clocks(now)
        self.residents[r.id] = r
        self.recorder.residents.append(
            ResidentRow(
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
        kernel.record(r, "referral", stream_name)
        tier = self.housing.tiers.get(place)
        if tier is not None and tier.free and (tier.team is None or tier.team.free):
            kernel.move(r, place, "referral")
            self.housing.take_place(r, tier, "referral", _time_left(r, place, at_start))
        elif place not in self._stays or not self.care.admit_initial(
            r, place, _time_left(r, place, at_start)
        ):
            kernel.move(r, HOMELESS, "referral")
        self.follow_up.request(r)
        if since is None:
            self.housing.review(r)
        else:
            self.housing.start_waiting(r, since)
        kernel.after_change(r)

    def exit(self, r: Resident, cause: str) -> None:
        """The resident leaves the model (recovery, moving away or death).

        Off every list, out of every place, and the freed places filled once they are gone.
        """
        kernel = self.kernel
        kernel.record(r, "exit", cause=cause)
        r.epoch += 1
        r.stay_token += 1
        r.housing_token += 1
        r.team_token += 1
        for waiting in list(r.entries):
            kernel.leave(r, waiting, "exit")
        if r.contact:
            kernel.record(r, "contact_end", cause="exit")
        r.contact = None
        r.ready = False
        r.application_token += 1
        if r.contract is not None:
            self.care.release_contract(r)
        stay = None if r.stay is None else self.care.end_stay(r, "exit")
        tier = None if r.tier is None else self.housing.end_tenancy(r, "exit")
        team = None if r.team is None else self.follow_up.end(r, "exit")
        kernel.move(r, EXITED, cause)
        del self.residents[r.id]
        if stay is not None:
            self.care.fill(stay)
        if tier is not None:
            self.housing.fill(tier)
        if team is not None:
            self.follow_up.fill(team)


def _closed(*args: Any) -> None:
    raise RuntimeError("this world is closed")


def _on_capacity(event: simpy.Event) -> None:
    """A capacity schedule's step: ``(the component's setter, the new capacity)``."""
    change, level = cast("tuple[Callable[[int], None], int]", event.value)
    change(level)


def _residuals(scenario: Scenario) -> dict[str, Residual]:
    """The residual life of the stays of each place that has them (time limits, beds, stays)."""
    found = {n: t.max_stay.residual() for n, t in scenario.housing.tiers.items() if t.max_stay}
    found.update({n: b.length_of_stay.residual() for n, b in scenario.crisis_beds.items()})
    found.update({n: i.length_of_stay.residual() for n, i in scenario.institutions.items()})
    return found


def _time_left(r: Resident, place: str, at_start: AtStart | None) -> float | None:
    """The days left of a stay in progress in ``place`` (None: a whole stay, drawn as usual)."""
    if at_start is None or at_start.time_left is None:
        return None
    residual = at_start.time_left.get(place)
    if residual is None:
        return None
    return residual(r.number(INITIAL_STATE), r.number(INITIAL_STATE))
