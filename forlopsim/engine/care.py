"""Crises and where they are met: self-referral beds, crisis beds, the emergency service,
institutions of the specialist service, and discharge back home (or to the street)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from forlopsim.scenario.scenario import HOMELESS

if TYPE_CHECKING:
    from forlopsim.engine.places import Place
    from forlopsim.engine.resident import Resident
    from forlopsim.engine.world import Crisisbed, Institution, World


class CareMixin:
    """Crisis resolution and stays for :class:`~forlopsim.engine.world.World`."""

    __slots__ = ()

    def _crisis(self: World, r: Resident) -> None:
        """A crisis: met by the resident's team if on duty, else a bed, the emergency service or
        nobody; then perhaps admission, tenancy loss or death."""
        now = self.env.now
        spec = self.scenario.hazards.crisis
        team = r.team
        met = team is not None and team.covered(now)
        draw = self.streams.crisis_route.uniform
        if met and draw() < spec.team_met.resolves:
            self._record((now, r.id, "crisis", "", "", "team", r.need))
            return
        bed, turned_away = self._find_bed(r)
        if bed is not None:
            route = "self_referral_bed" if bed.self_referral else "crisis_bed"
        elif turned_away and draw() >= spec.turned_away_to_emergency:
            route = "stay_put"
        else:
            route = "emergency"
        self._record((now, r.id, "crisis", "", "", route, r.need))
        outcome = getattr(spec.outcomes, route)
        admission, loss, death = outcome.admission, outcome.tenancy_loss, outcome.death
        if met:
            admission *= spec.team_met.admission
            loss *= spec.team_met.tenancy_loss
            death *= spec.team_met.death
        u = self.streams.crisis_outcome.uniform()
        if u < death:
            self._exit(r, "death_overdose" if r.problem != "mental" else "death_other")
            return
        admit_to = spec.admit_to[r.problem] if u < death + admission else None
        if admit_to is None and u < death + admission + loss and r.tier is not None:
            self._lose_tenancy(r, "crisis")
        if route == "emergency":
            self._record((now, r.id, "emergency", "emergency", "", "", r.need))
        if bed is not None:
            self._admit(r, bed, "crisis")
            r.pending_admission = admit_to
        elif admit_to is not None:
            self._admit_to_institution(r, self.institutions[admit_to], "crisis")

    def _find_bed(self: World, r: Resident) -> tuple[Crisisbed | None, bool]:
        """A free self-referral bed (for housed contract holders), else a free crisis bed;
        each full bed type the resident could have used counts a turn-away."""
        now = self.env.now
        turned_away = False
        housed = r.tier is not None and not r.tier.temporary
        candidates = []
        if housed:
            candidates.extend(
                b for b in self.self_referral_beds if now - r.last_self_referral >= b.min_gap
            )
        candidates.extend(self.crisis_beds)
        draw = self.streams.crisis_route.uniform
        for bed in candidates:
            if (
                bed.capacity > 0
                and bed.eligible(r)
                and (bed.request >= 1.0 or draw() < bed.request)
            ):
                if bed.free:
                    return bed, turned_away
                turned_away = True
                self._record((now, r.id, "turned_away", bed.name, "", "", r.need))
        return None, turned_away

    def _admit_to_institution(self: World, r: Resident, inst: Institution, cause: str) -> None:
        if r.stay is inst or (inst.waiting is not None and inst.waiting in r.entries):
            return
        if inst.free and r.stay is None:
            self._admit(r, inst, cause)
        elif inst.waiting is not None:
            self._join(r, inst.waiting)
        else:
            self._record((self.env.now, r.id, "refused", inst.name, "", cause, r.need))

    def _admit(self: World, r: Resident, place: Crisisbed | Institution, cause: str) -> None:
        """Start a stay; a temporary-housing place is given up, others are held."""
        now = self.env.now
        place.occupied += 1
        r.stay = place
        r.stay_token += 1
        if place.waiting is not None:
            if place.waiting in r.entries:
                self._leave(r, place.waiting, "placed")
            elif cause != "waiting_list":
                self._zero_wait(r, place.waiting)
        self._record((now, r.id, "admission", place.name, "", cause, r.need))
        self._move(r, place.name, cause)
        draw = self.streams.length_of_stay
        stay = place.length_of_stay(draw.generator)
        ending = "planned"
        early = getattr(place, "early", 0.0)
        if early and draw.uniform() < early:
            stay *= draw.uniform()
            ending = "early"
        tier = r.tier
        if tier is not None and not tier.held_while_away:
            self._end_tenancy(r, "away")
            self._fill_tier(tier)
        self._schedule(stay, self._on_discharge, (r, r.stay_token, ending))

    def _on_discharge(self: World, event) -> None:
        r, token, ending = event.value
        if r.stay_token != token or r.stay is None:
            return
        now = self.env.now
        place = r.stay
        r.stay = None
        place.occupied -= 1
        self._record((now, r.id, "discharge", place.name, "", ending, r.need))
        if place.name in self.institutions:
            after = self.scenario.hazards.mortality.after_discharge
            if after is not None:
                r.post_discharge_until = now + after.days
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
                self._join(r, inst.waiting)
            else:
                self._record((now, r.id, "refused", inst.name, "", "crisis", r.need))
        if not admitted:
            self._move(r, r.tier.name if r.tier is not None else HOMELESS, "discharge")
            self._review_housing(r)
            for inst in self.institutions.values():
                if inst.waiting is not None and inst.waiting in r.entries and inst.free:
                    self._admit(r, inst, "waiting_list")
                    break
        self._fill_stay(place)
        self._after_change(r)

    def _fill_stay(self: World, place: Place) -> None:
        """Admit the first residents on an institution's list who are at home to be admitted."""
        if place.waiting is not None:
            self._serve(place, _at_home, lambda r: self._admit(r, place, "waiting_list"))

    def _treatment_referral(self: World, r: Resident) -> None:
        inst = self.institutions[self.scenario.hazards.treatment_referral.institution]
        self._admit_to_institution(r, inst, "referral")


def _at_home(r: Resident) -> bool:
    return r.at_home
