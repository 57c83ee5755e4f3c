"""The simulated world of one replication: the kernel, the components, arrivals and exits.

The components built from a scenario (housing, follow-up, care, risks), the referral streams
that bring residents in, and the exit that takes them out. It records what happens and computes
no KPI.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Generator
from typing import Any

import simpy

from forlopsim.engine.care import Care
from forlopsim.engine.follow_up import FollowUp
from forlopsim.engine.housing import Housing
from forlopsim.engine.kernel import Kernel
from forlopsim.engine.resident import Resident
from forlopsim.engine.risks import Risks
from forlopsim.engine.streams import ATTRIBUTES, INITIAL, OFFSET, SIZE, Stream, Streams, stream_id
from forlopsim.records import Recorder, ResidentRow
from forlopsim.scenario.population import (
    AGE_GROUPS,
    PROBLEMS,
    SEXES,
    AttributeMix,
    MixOverride,
    ReferralStream,
)
from forlopsim.scenario.scenario import EXITED, HOMELESS, Scenario
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


ATTRIBUTE_NUMBERS = slice(OFFSET[ATTRIBUTES], OFFSET[ATTRIBUTES] + SIZE[ATTRIBUTES])
"""Where a resident's attribute numbers are in their row: sex, age group, problem, violence
risk, need, and where they start."""


class World:
    """Everything one replication needs, built from a validated scenario.

    The kernel, the components, and the residents now in the model.
    """

    __slots__ = (
        "_ids",
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
            mix, start = (
                Mix(base, initial.mix),
                _categorical(initial.start_in, tuple(initial.start_in)),
            )
            initial_id = stream_id(INITIAL)
            for index in range(initial.size):
                self._arrive(INITIAL, initial_id, index, mix, start)
        env = self.kernel.env
        for name, spec in referrals.streams.items():
            if spec.annual_rate > 0:
                arrivals = self.streams.arrivals(name)
                env.process(self._referrals(name, spec, arrivals, Mix(base, spec.mix)))
        env.run(until=self.kernel.horizon)

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

    def _arrive(
        self, stream_name: str, stream: int, index: int, mix: Mix, start: Callable[[float], str]
    ) -> None:
        """A resident is referred: drawn, recorded, placed where they start, sent to a team.

        The ``index``-th of their stream, with their own numbers (``Streams.row``).
        """
        row = self.streams.row(stream)
        sex, age_group, problem, violence, need, where = row[ATTRIBUTE_NUMBERS]
        r = Resident(
            next(self._ids),
            mix.sex(sex),
            mix.age_group(age_group),
            mix.problem(problem),
            mix.violence(violence) == "high",
            mix.need(need),
            (self.streams, stream, index, row),
        )
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
            self.housing.take_place(r, tier, "referral")
        else:
            kernel.move(r, HOMELESS, "referral")
        self.follow_up.request(r)
        self.housing.review(r)
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
