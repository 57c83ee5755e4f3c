"""The allocation office (P20): applications for a reason, decisions, and priority classes.

A resident applies only for a reason the scenario lists (``housing.allocation.office``); the
application is decided after a processing time and can be refused when no tier the resident is
eligible for suits them better than what they hold. Decided applicants wait on the tiers'
lists, ranked by their reason's priority, then by time since the decision. The office draws
only the processing time; :class:`~forlopsim.engine.housing.Housing` asks it at each review.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

import simpy

from forlopsim.engine.streams import APPLICATION
from forlopsim.scenario.housing import Office as OfficeSpec
from forlopsim.scenario.scenario import EXITED

if TYPE_CHECKING:
    from forlopsim.engine.kernel import Kernel
    from forlopsim.engine.places import Tier
    from forlopsim.engine.resident import Resident

NONE, PENDING, DUE, DECIDED, REFUSED = range(5)
"""The states of a resident's application (``Resident.application``): none; waiting for a
decision; its processing time is over (decided at the next review); granted; refused."""


class Office:
    """The allocation office of one replication."""

    __slots__ = (
        "_processing",
        "_record",
        "_review",
        "_step_down_after",
        "kernel",
        "rank",
    )

    def __init__(self, spec: OfficeSpec, kernel: Kernel, review: Callable[[Resident], None]):
        """The office ``spec`` describes; ``review`` re-examines a resident's housing."""
        self.kernel = kernel
        self._record = kernel.record
        self._review = review
        self.rank: dict[str, int] = {reason: i for i, reason in enumerate(spec.priority)}
        """Each reason that is a ground to apply, and its priority (0 first)."""
        d = spec.processing_days
        self._processing = None if d is None else d.quantile()
        self._step_down_after = spec.step_down_after_days

    def close(self) -> None:
        """Drop the bound review method (it points back to the housing)."""
        self._review = _closed

    def reason(self, r: Resident, tier: Tier | None) -> str | None:
        """The resident's best-ranked reason to apply now, or None: their home fits well enough."""
        rank = self.rank
        held = ["discharge"] if r.ready else []
        if tier is None or tier.temporary:
            held.append("homeless")
        elif (shortfall := r.need - tier.support) > 0:
            if r.at_risk:
                held.append("tenancy_at_risk")
            team = r.team
            if team is not None and team.requests_housing:
                held.append("team_request")
        elif shortfall < 0 and tier.staffed and "step_down" in rank:
            now = self.kernel.env.now
            since = r.below_since
            if since is None:
                r.below_since = since = now
                token = (r.housing_token, r.need)
                self.kernel.schedule(self._step_down_after, self._on_step_down, (r, token))
            if now - since >= self._step_down_after:
                held.append("step_down")
        listed = [reason for reason in held if reason in rank]
        return min(listed, key=rank.__getitem__) if listed else None

    def _on_step_down(self, event: simpy.Event) -> None:
        r, token = cast("tuple[Resident, tuple[int, int]]", event.value)
        if (r.housing_token, r.need) == token and r.location != EXITED:
            self._review(r)
            self.kernel.after_change(r)

    def decided(self, r: Resident, reason: str, suits: bool) -> bool:
        """Whether the resident holds a granted application; they apply if they hold none.

        ``suits``: whether a tier they are eligible for suits them better than what they hold
        (what a decision checks).
        """
        state = r.application
        if state == DECIDED:
            if reason != r.reason:
                r.reason = reason
                self.kernel.requeue(r)  # the lists rank by reason
            return True
        if state == PENDING:
            r.reason = reason
            return False
        if state == DUE:
            return self._decide(r, reason, suits)
        if state == REFUSED and r.refused_for == (reason, r.need, r.tier):
            return False
        r.reason = reason
        r.application_token += 1
        self._record(r, "application", cause=reason)
        if self._processing is None:
            return self._decide(r, reason, suits)
        r.application = PENDING
        delay = self._processing(r.number(APPLICATION))
        self.kernel.schedule(delay, self._on_processed, (r, r.application_token))
        return False

    def _decide(self, r: Resident, reason: str, suits: bool) -> bool:
        if suits:
            r.application = DECIDED
            r.decided_at = self.kernel.env.now
            self._record(r, "decision", cause="granted")
            return True
        r.application = REFUSED
        r.refused_for = (reason, r.need, r.tier)
        self._record(r, "decision", cause="refused")
        return False

    def _on_processed(self, event: simpy.Event) -> None:
        r, token = cast("tuple[Resident, int]", event.value)
        if r.application_token == token and r.application == PENDING and r.location != EXITED:
            r.application = DUE
            self._review(r)
            self.kernel.after_change(r)

    def withdraw(self, r: Resident) -> None:
        """The resident no longer has a reason to apply (or is placed where they fit)."""
        if r.application in (PENDING, DUE):
            self._record(r, "decision", cause="withdrawn")
        r.application_token += 1
        r.application = NONE
        r.reason = ""


def _closed(r: Resident) -> None:
    raise RuntimeError("this office is closed")
