"""Follow-up by the units' teams: routing by forløp, caseload waiting lists, handover.

Low-threshold contact is refreshed with the competing risks, in ``Risks.after_change``.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, cast

import simpy

from forlopsim.engine.places import Team
from forlopsim.engine.streams import HANDOVER
from forlopsim.scenario.population import AGE_GROUPS, PROBLEMS, SEXES
from forlopsim.scenario.scenario import EXITED, Scenario

if TYPE_CHECKING:
    from forlopsim.engine.kernel import Kernel
    from forlopsim.engine.resident import Resident


class FollowUp:
    """The follow-up teams of one replication and the route from a resident to their team."""

    __slots__ = ("_handover_delay", "_record", "kernel", "routes", "teams")

    def __init__(self, scenario: Scenario, kernel: Kernel):
        """The teams of ``scenario.services``, with empty caseloads, and every route."""
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

    def close(self) -> None:
        """Empty every list (at the end of a run: see ``World.close``)."""
        for team in self.teams.values():
            team.waiting.clear()

    def request(self, r: Resident) -> None:
        """Make sure the resident is followed by, or waits for, the team their forløp routes to."""
        team = self.routes[(r.need, r.problem, r.sex, r.age_group)]
        if r.team is team:
            r.team_token += 1  # cancels a pending handover
            self._leave_team_lists(r, None)
            return
        if r.team is not None:
            r.team_token += 1
            if self._handover_delay is None:
                self._handover(r)
            else:
                delay = self._handover_delay(r.number(HANDOVER))
                self.kernel.schedule(delay, self._on_handover, (r, r.team_token))
            return
        self._leave_team_lists(r, team)
        if team.waiting in r.entries:
            return
        if team.free:
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
        self._record(r, "follow_up_end", team.name, cause=cause)
        return team

    def fill(self, team: Team) -> None:
        """Give free caseload places to the first residents on the team's list."""
        self.kernel.serve(team, team.waiting, None, lambda r: self._start(r, team))

    def _leave_team_lists(self, r: Resident, keep: Team | None) -> None:
        for waiting in [w for w in r.entries if w.name in self.teams]:
            if keep is None or waiting is not keep.waiting:
                self.kernel.leave(r, waiting, "left")

    def _start(self, r: Resident, team: Team) -> None:
        r.team = team
        team.occupied += 1
        self._record(r, "follow_up_start", team.name)

    def _on_handover(self, event: simpy.Event) -> None:
        r, token = cast("tuple[Resident, int]", event.value)
        if r.team_token == token and r.location != EXITED:
            self._handover(r)
            self.kernel.after_change(r)

    def _handover(self, r: Resident) -> None:
        """The old team lets go; the new team takes over or puts the resident on its list."""
        old = self.end(r, "handover")
        self.request(r)
        self.fill(old)
