"""Follow-up by the units' teams: routing, caseload waiting lists, handover (low-threshold contact
is refreshed with the competing risks, in ``RiskMixin._after_change``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from forlopsim.scenario.scenario import EXITED

if TYPE_CHECKING:
    from forlopsim.engine.resident import Resident
    from forlopsim.engine.world import Team, World


class FollowUpMixin:
    """Teams and low-threshold services for :class:`~forlopsim.engine.world.World`."""

    __slots__ = ()

    def _route(self: World, r: Resident) -> Team:
        return self.routes[(r.need, r.problem, r.sex, r.age_group)]

    def _request_team(self: World, r: Resident) -> None:
        """Make sure the resident is followed by, or waits for, the team their forløp routes to."""
        team = self._route(r)
        if r.team is team:
            r.team_token += 1  # cancels a pending handover
            self._leave_team_lists(r, None)
            return
        if r.team is not None:
            r.team_token += 1
            if self.handover_delay is None:
                self._handover(r)
            else:
                delay = self.handover_delay(self.streams.handover.generator)
                self._schedule(delay, self._on_handover, (r, r.team_token))
            return
        self._leave_team_lists(r, team)
        if team.waiting in r.entries:
            return
        if team.free:
            self._zero_wait(r, team.waiting)
            self._start_follow_up(r, team)
        else:
            self._join(r, team.waiting)

    def _leave_team_lists(self: World, r: Resident, keep: Team | None) -> None:
        for waiting in [w for w in r.entries if w.name in self.teams]:
            if keep is None or waiting is not keep.waiting:
                self._leave(r, waiting, "left")

    def _start_follow_up(self: World, r: Resident, team: Team) -> None:
        r.team = team
        team.occupied += 1
        self._record((self.env.now, r.id, "follow_up_start", team.name, "", "", r.need))

    def _on_handover(self: World, event) -> None:
        r, token = event.value
        if r.team_token == token and r.location != EXITED:
            self._handover(r)
            self._after_change(r)

    def _handover(self: World, r: Resident) -> None:
        """The old team lets go; the new team takes over or puts the resident on its list."""
        old = r.team
        r.team = None
        old.occupied -= 1
        self._record((self.env.now, r.id, "follow_up_end", old.name, "", "handover", r.need))
        self._request_team(r)
        self._fill_team(old)

    def _fill_team(self: World, team: Team) -> None:
        self._serve(team, None, lambda r: self._start_follow_up(r, team))
