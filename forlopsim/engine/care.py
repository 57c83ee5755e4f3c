"""Crises and where they are met, stays, and discharge back home (or to the street).

Self-referral beds (booked by contract holders where the scenario has contracts), crisis beds,
the emergency service and the institutions of the specialist service. A patient whose planned
discharge finds no suitable home is *ready for discharge* (P18): they keep the bed until the
allocation office places them or the scenario's limit is reached.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import simpy

from forlopsim.engine.places import Crisisbed, Institution
from forlopsim.engine.streams import APPLICATION, ASSESSMENT, CRISIS_OUTCOME, CRISIS_ROUTE, STAY
from forlopsim.scenario.scenario import EXITED, HOMELESS, Scenario
from forlopsim.scenario.schedule import peak

if TYPE_CHECKING:
    from forlopsim.engine.housing import Housing
    from forlopsim.engine.kernel import Kernel
    from forlopsim.engine.resident import Resident


class Care:
    """The crisis beds and institutions of one replication, and how a crisis is met."""

    __slots__ = (
        "_at_risk",
        "_contract_beds",
        "_crisis",
        "_office",
        "_record",
        "_treatment_institution",
        "beds",
        "crisis_beds",
        "housing",
        "institutions",
        "kernel",
        "self_referral_beds",
    )

    def __init__(self, scenario: Scenario, kernel: Kernel, housing: Housing):
        """The beds and institutions of ``scenario``, empty.

        ``housing`` is for the tenancies that a crisis or a stay ends.
        """
        self.kernel = kernel
        self.housing = housing
        self._record = kernel.record
        self.beds: dict[str, Crisisbed] = {
            name: Crisisbed(name, b) for name, b in scenario.crisis_beds.items()
        }
        self.self_referral_beds = [b for b in self.beds.values() if b.self_referral]
        self.crisis_beds = [b for b in self.beds.values() if not b.self_referral]
        self.institutions: dict[str, Institution] = {
            name: Institution(name, i) for name, i in scenario.institutions.items()
        }
        hazards = scenario.hazards
        self._crisis = hazards.crisis
        self._office = housing.office is not None
        self._contract_beds = [
            b
            for b in self.self_referral_beds
            if b.contracts is not None and peak(scenario.crisis_beds[b.name].beds) > 0
        ]
        """The self-referral beds booked by contract (with beds to book, now or later)."""
        office = scenario.housing.allocation.office
        self._at_risk = 0.0 if office is None else office.crisis_puts_at_risk
        """The chance a crisis puts an under-supported tenancy at risk (0: no office)."""
        housing.release = self._release_ready
        housing.refill = self.fill
        treatment = hazards.treatment_referral
        self._treatment_institution = None if treatment is None else treatment.institution

    def close(self) -> None:
        """Empty every list (at the end of a run: see ``World.close``)."""
        for inst in self.institutions.values():
            if inst.waiting is not None:
                inst.waiting.clear()

    def crisis(self, r: Resident) -> None:  # noqa: C901  one crisis, read top to bottom
        """A crisis, and what follows: perhaps admission, tenancy loss or death.

        It is met by the resident's team if on duty, else a bed, the emergency service or nobody.
        """
        now = self.kernel.env.now
        spec = self._crisis
        team = r.team
        met = team is not None and team.covered(now)
        if self._contract_beds:
            self._offer_contract(r, now)
        tier = r.tier
        if (
            self._at_risk
            and tier is not None
            and not tier.temporary
            and r.need > tier.support
            and r.number(APPLICATION) < self._at_risk
        ):
            r.at_risk = True  # a crisis threatens the tenancy (reason tenancy_at_risk)
        if met and r.number(CRISIS_ROUTE) < spec.team_met.resolves:
            self._record(r, "crisis", cause="team")
            if self._office:
                self.housing.review(r)
            return
        bed, turned_away = self._find_bed(r)
        if bed is not None:
            route = "self_referral_bed" if bed.self_referral else "crisis_bed"
        elif turned_away and r.number(CRISIS_ROUTE) >= spec.turned_away_to_emergency:
            route = "stay_put"
        else:
            route = "emergency"
        self._record(r, "crisis", cause=route)
        outcome = getattr(spec.outcomes, route)
        admission, loss, death = outcome.admission, outcome.tenancy_loss, outcome.death
        if met:
            admission *= spec.team_met.admission
            loss *= spec.team_met.tenancy_loss
            death *= spec.team_met.death
        u = r.number(CRISIS_OUTCOME)
        if u < death:
            self.kernel.exit(r, "death_overdose" if r.problem != "mental" else "death_other")
            return
        admit_to = spec.admit_to[r.problem] if u < death + admission else None
        if admit_to is None and u < death + admission + loss and r.tier is not None:
            self.housing.lose_tenancy(r, "crisis")
        if route == "emergency":
            self._record(r, "emergency", "emergency")
        if bed is not None:
            self._admit(r, bed, "crisis")
            r.pending_admission = admit_to
        elif admit_to is not None:
            self._admit_to_institution(r, self.institutions[admit_to], "crisis")
        if self._office and r.tier is not None and r.location != EXITED:
            self.housing.review(r)  # the tenancy at risk: perhaps an application

    def _offer_contract(self, r: Resident, now: float) -> None:
        """Count the crisis; a resident it qualifies gets a self-referral contract if one is free."""
        crises = r.crises
        crises.append(now)
        if r.contract is not None:
            return
        for bed in self._contract_beds:
            spec = bed.contracts
            if (
                spec is not None
                and bed.contracts_held < spec.per_bed * bed.capacity
                and bed.contract_eligible is not None
                and bed.contract_eligible(r)
                and sum(1 for t in crises if now - t <= spec.within_days) >= spec.crises
            ):
                bed.contracts_held += 1
                r.contract = bed
                self._record(r, "contract", bed.name)
                return

    def release_contract(self, r: Resident) -> None:
        """The resident leaves the model: their contract is free for another."""
        bed = r.contract
        if bed is not None:
            bed.contracts_held -= 1
            r.contract = None

    def _find_bed(self, r: Resident) -> tuple[Crisisbed | None, bool]:
        """A free self-referral bed (for housed contract holders), else a free crisis bed.

        Each full bed type the resident could have used counts a turn-away.
        """
        now = self.kernel.env.now
        turned_away = False
        housed = r.tier is not None and not r.tier.temporary
        candidates: list[Crisisbed] = []
        if housed:
            candidates.extend(
                b
                for b in self.self_referral_beds
                if now - r.last_self_referral >= b.min_gap
                and (b.contracts is None or r.contract is b)
            )
        candidates.extend(self.crisis_beds)
        for bed in candidates:
            if (
                bed.capacity > 0
                and bed.eligible(r)
                and (bed.request >= 1.0 or r.number(CRISIS_ROUTE) < bed.request)
            ):
                if bed.free:
                    return bed, turned_away
                turned_away = True
                self._record(r, "turned_away", bed.name)
        return None, turned_away

    def _admit_to_institution(self, r: Resident, inst: Institution, cause: str) -> None:
        if r.stay is inst or (inst.waiting is not None and inst.waiting in r.entries):
            return
        assessment = inst.assessment if cause == "referral" else None
        if assessment is not None and inst.waiting is not None:
            # on the list from the referral; admitted once assessed, in turn
            delay = assessment(r.number(ASSESSMENT))
            r.assessed_at = self.kernel.env.now + delay
            self.kernel.join(r, inst.waiting)
            self.kernel.schedule(delay, self._on_assessed, (r, inst))
        elif inst.free and r.stay is None:
            self._admit(r, inst, cause)
        elif inst.waiting is not None:
            self.kernel.join(r, inst.waiting)
        else:
            self._record(r, "refused", inst.name, cause=cause)

    def _on_assessed(self, event: simpy.Event) -> None:
        r, inst = cast("tuple[Resident, Institution]", event.value)
        if inst.waiting is not None and inst.waiting in r.entries:
            self.fill(inst)

    def set_beds(self, place: Crisisbed | Institution, beds: int) -> None:
        """A schedule changes the beds; a rise admits from the institution's list at once.

        Stays above a lowered number of beds end as planned (``on_close: keep``).
        """
        place.capacity = beds
        self.fill(place)

    def admit_initial(self, r: Resident, name: str, stay_left: float | None) -> bool:
        """Put a resident of the initial population in the bed or institution ``name``.

        ``stay_left``: the days left of a stay in progress (none: a whole stay). False if
        no bed is free.
        """
        place = self.beds.get(name) or self.institutions[name]
        if not place.free:
            return False
        self._admit(r, place, "initial", stay_left)
        return True

    def _admit(
        self,
        r: Resident,
        place: Crisisbed | Institution,
        cause: str,
        stay_left: float | None = None,
    ) -> None:
        """Start a stay; a temporary-housing place is given up, others are held.

        ``stay_left``: the days left of a stay already in progress (no early discharge drawn).
        """
        place.occupied += 1
        r.stay = place
        r.stay_token += 1
        waiting = place.waiting
        if waiting is not None:
            if waiting in r.entries:
                self.kernel.leave(r, waiting, "placed")
            elif cause != "waiting_list":
                self.kernel.zero_wait(r, waiting)
        self._record(r, "admission", place.name, cause=cause)
        self.kernel.move(r, place.name, cause)
        ending = "planned"
        if stay_left is not None:
            stay = stay_left
            early = 0.0
        else:
            stay = place.length_of_stay(r.number(STAY))
            early = place.early
        if early and r.number(STAY) < early:
            stay *= r.number(STAY)
            ending = "early"
        tier = r.tier
        if tier is not None and not tier.held_while_away:
            self.housing.end_tenancy(r, "away")
            self.housing.fill(tier)
        self.kernel.schedule(stay, self._on_discharge, (r, r.stay_token, ending))

    def end_stay(self, r: Resident, cause: str) -> Crisisbed | Institution:
        """End the resident's stay in a bed or institution (``cause``: planned, early or exit).

        The caller fills the freed bed, which this returns, once the resident is settled.
        """
        place = r.stay
        assert place is not None
        r.stay = None
        place.occupied -= 1
        self._record(r, "discharge", place.name, cause=cause)
        return place

    def _on_discharge(self, event: simpy.Event) -> None:
        r, token, ending = cast("tuple[Resident, int, str]", event.value)
        if r.stay_token != token or r.stay is None:
            return
        place = r.stay
        if (
            isinstance(place, Institution)
            and ending == "planned"
            and place.ready is not None
            and self.housing.needs_place(r, place.ready.shortfall)
        ):
            self._wait_in_bed(r, place)
            return
        self._leave(r, ending)

    def _wait_in_bed(self, r: Resident, place: Institution) -> None:
        """Ready for discharge, with nowhere suitable to go: the resident keeps the bed."""
        assert place.ready is not None
        r.ready = True
        self._record(r, "ready_for_discharge", place.name)
        self.kernel.schedule(place.ready.max_days, self._on_ready_limit, (r, r.stay_token))
        self.housing.review(r)  # an application, or a place at once
        if r.location != EXITED:
            self.kernel.after_change(r)

    def _on_ready_limit(self, event: simpy.Event) -> None:
        r, token = cast("tuple[Resident, int]", event.value)
        if r.stay_token == token and r.ready:
            r.ready = False
            self._leave(r, "limit")

    def _release_ready(self, r: Resident) -> Institution:
        """A patient ready for discharge takes a place: the stay ends (the bed is refilled after)."""
        r.ready = False
        place = self.end_stay(r, "placed")
        r.discharged_at = self.kernel.env.now
        assert isinstance(place, Institution)
        return place

    def _leave(self, r: Resident, ending: str) -> None:
        """The stay ends: an admission pending after a crisis bed, or home (or the street)."""
        now = self.kernel.env.now
        place = self.end_stay(r, ending)
        if isinstance(place, Institution):
            r.discharged_at = now
        elif place.self_referral:
            r.last_self_referral = now
        pending, r.pending_admission = r.pending_admission, None
        admitted = False
        if pending is not None:
            inst = self.institutions[pending]
            if inst.free:
                self._admit(r, inst, "crisis")
                admitted = True
            elif inst.waiting is not None:
                self.kernel.join(r, inst.waiting)
            else:
                self._record(r, "refused", inst.name, cause="crisis")
        if not admitted:
            self.kernel.move(r, r.tier.name if r.tier is not None else HOMELESS, "discharge")
            self.housing.review(r)
            for inst in self.institutions.values():
                waiting = inst.waiting
                if waiting is not None and waiting in r.entries and inst.free:  # noqa: SIM102
                    if r.assessed_at <= now:
                        self._admit(r, inst, "waiting_list")
                        break
        self.fill(place)
        self.kernel.after_change(r)

    def fill(self, place: Crisisbed | Institution) -> None:
        """Admit the first residents on an institution's list who are at home to be admitted.

        Crisis beds have no list.
        """
        waiting = place.waiting
        if waiting is not None:
            accept = _at_home if getattr(place, "assessment", None) is None else self._assessed
            self.kernel.serve(
                place, waiting, accept, lambda r: self._admit(r, place, "waiting_list")
            )

    def _assessed(self, r: Resident) -> bool:
        return r.at_home and r.assessed_at <= self.kernel.env.now

    def treatment_referral(self, r: Resident) -> None:
        """A referral to treatment (a risk): admission, the institution's list or a refusal."""
        assert self._treatment_institution is not None  # a risk only where the scenario has one
        self._admit_to_institution(r, self.institutions[self._treatment_institution], "referral")


def _at_home(r: Resident) -> bool:
    return r.at_home
