"""Follow-up by the units' teams: routing by forløp, caseload waiting lists, handover.

A resident of a staffed tier is followed by its own staff, and one in a place that comes with a
team's caseload (Housing First) by that team; the others by the team their forløp routes to.
Low-threshold contact is refreshed with the competing risks, in ``Risks.after_change``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

import simpy

from forlopsim.engine.places import Team, Tier
from forlopsim.engine.streams import HANDOVER
from forlopsim.scenario.population import AGE_GROUPS, PROBLEMS, SEXES
from forlopsim.scenario.scenario import EXITED, Scenario
from forlopsim.scenario.services import Team as TeamSpec

if TYPE_CHECKING:
    from forlopsim.engine.kernel import Kernel
    from forlopsim.engine.resident import Resident


class FollowUp:
    """The follow-up teams of one replication and the route from a resident to their team."""

    __slots__ = ("_handover_delay", "_record", "bound", "fill_tier", "kernel", "routes", "teams")

    def __init__(self, scenario: Scenario, kernel: Kernel, tiers: dict[str, Tier] | None = None):
        """The teams of ``scenario.services``, with empty caseloads, and every route.

        ``tiers``: the run-time tiers, given their staff or bound team.
        """
        spec = scenario.services
        self.kernel = kernel
        self._record = kernel.record
        self.teams: dict[str, Team] = {}
        for unit_name, unit in spec.units.items():
            for team_name, t in unit.teams.items():
                name = f"{unit_name}.{team_name}"
                self.teams[name] = Team(name, t, spec.coverage[t.coverage])
        self.routes: dict[tuple[int, str, str, str], Team] = {}
        """The team of each (need, problem, sex, age group): the first route that matches."""
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
        delay = spec.handover_delay
        self._handover_delay = None if delay is None else delay.quantile()
        self.bound: dict[Team, list[Tier]] = {}
        """The tiers whose places come with a slot of each team's caseload."""
        self.fill_tier: Callable[[Tier], None] = _nothing
        """Fills a tier's free places (set by ``World``: ``Housing.fill``)."""
        for name, housed in scenario.housing.tiers.items():
            tier = (tiers or {}).get(name)
            if tier is None:
                continue
            if housed.staff is not None:
                staff_spec = TeamSpec(
                    caseload=0,
                    follow_up_effect=housed.staff.follow_up_effect,
                    coverage=housed.staff.coverage,
                )
                coverage = spec.coverage[housed.staff.coverage]
                tier.team = Team(f"{name}.staff", staff_spec, coverage, staff=True)
            elif housed.follow_up_team is not None:
                tier.team = team = self.teams[housed.follow_up_team]
                self.bound.setdefault(team, []).append(tier)

    def close(self) -> None:
        """Empty every list (at the end of a run: see ``World.close``)."""
        for team in self.teams.values():
            team.waiting.clear()
        self.fill_tier = _nothing  # a bound method of Housing: a cycle

    def team_for(self, r: Resident) -> Team:
        """The team that should follow the resident: their tier's, else their forløp's."""
        tier = r.tier
        if tier is not None and tier.team is not None:
            return tier.team
        return self.routes[(r.need, r.problem, r.sex, r.age_group)]

    def request(self, r: Resident, at_once: bool = False) -> None:
        """Make sure the resident is followed by, or waits for, the team that should follow them.

        ``at_once``: a move of home changed it (into or out of a tier with its own team), so
        the handover is immediate and a slot that came with the place is taken at once.
        """
        if not r.in_services:
            return
        team = self.team_for(r)
        if r.team is team:
            r.team_token += 1  # cancels a pending handover
            self._leave_team_lists(r, None)
            return
        if r.team is not None:
            r.team_token += 1
            if self._handover_delay is None or at_once:
                self._handover(r, at_once)
            else:
                delay = self._handover_delay(r.number(HANDOVER))
                self.kernel.schedule(delay, self._on_handover, (r, r.team_token))
            return
        self._leave_team_lists(r, team)
        if team.waiting in r.entries:
            if at_once and team.free:
                self.kernel.leave(r, team.waiting, "placed")
                self._start(r, team)
            return
        if team.free:
            if not team.staff:  # a tier's staff keep no list
                self.kernel.zero_wait(r, team.waiting)
            self._start(r, team)
        else:
            self.kernel.join(r, team.waiting)

    def end(self, r: Resident, cause: str) -> Team:
        """The resident's team lets go of them (``cause``: handover or exit).

        The caller fills the freed place, which this returns, once the resident is settled.
        """
        team = r.team
        assert team is not None
        r.team = None
        team.occupied -= 1
        if not team.staff:  # a tier's staff are recorded as its tenancies
            self._record(r, "follow_up_end", team.name, cause=cause)
        return team

    def fill(self, team: Team) -> None:
        """Give free caseload places to the first residents on the team's list.

        A place that comes with a slot of the team (Housing First) is offered first.
        """
        for tier in self.bound.get(team, ()):
            self.fill_tier(tier)
        self.kernel.serve(team, team.waiting, None, lambda r: self._start(r, team))

    def set_caseload(self, team: Team, caseload: int) -> None:
        """A schedule changes the team's caseload; a rise takes residents off its list at once.

        Residents above a lowered caseload are followed until they leave (``on_close: keep``).
        """
        team.capacity = caseload
        self.fill(team)

    def leave_services(self, r: Resident) -> Team | None:
        """The resident no longer needs follow-up (recovery): the team lets go, lists are left.

        The caller fills the freed place, which this returns, once the resident is settled.
        """
        r.team_token += 1
        self._leave_team_lists(r, None)
        return None if r.team is None else self.end(r, "recovery")

    def _leave_team_lists(self, r: Resident, keep: Team | None) -> None:
        for waiting in [w for w in r.entries if w.name in self.teams]:
            if keep is None or waiting is not keep.waiting:
                self.kernel.leave(r, waiting, "left")

    def _start(self, r: Resident, team: Team) -> None:
        r.team = team
        team.occupied += 1
        if not team.staff:  # a tier's staff are recorded as its tenancies
            self._record(r, "follow_up_start", team.name)

    def _on_handover(self, event: simpy.Event) -> None:
        r, token = cast("tuple[Resident, int]", event.value)
        if r.team_token == token and r.location != EXITED:
            self._handover(r)
            self.kernel.after_change(r)

    def _handover(self, r: Resident, at_once: bool = False) -> None:
        """The old team lets go; the new team takes over or puts the resident on its list."""
        old = self.end(r, "handover")
        self.request(r, at_once)
        self.fill(old)


def _nothing(tier: Tier) -> None:
    """No tier comes with a team's caseload."""
