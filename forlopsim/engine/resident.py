"""A synthetic resident: fixed attributes and the state the engine keeps for them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from forlopsim.scenario.population import AgeGroup, Problem, Sex
from forlopsim.scenario.scenario import EXITED, REFERRED

if TYPE_CHECKING:
    from forlopsim.engine.housing import Options
    from forlopsim.engine.places import Crisisbed, Entry, Institution, Team, Tier, WaitingList


class Resident:
    """One person in the model.

    ``location`` is exactly one of: a tier name, ``homeless``, a crisis-bed or institution
    name, or ``exited``; ``tier`` is the housing place they hold (kept during a stay away if
    the tier allows).
    """

    __slots__ = (
        "age_group",
        "bans",
        "contact",
        "entries",
        "epoch",
        "housing_since",
        "housing_token",
        "id",
        "last_self_referral",
        "location",
        "need",
        "options",
        "pending_admission",
        "post_discharge_until",
        "problem",
        "sex",
        "stay",
        "stay_token",
        "team",
        "team_token",
        "tier",
        "violence_high",
    )

    def __init__(
        self, rid: int, sex: Sex, age_group: AgeGroup, problem: Problem, violent: bool, need: int
    ):
        """A resident just referred, in no place yet."""
        self.id = rid
        self.sex = sex
        self.age_group = age_group
        self.problem = problem
        self.violence_high = violent
        self.need = need
        self.location = REFERRED
        self.tier: Tier | None = None
        self.team: Team | None = None
        self.stay: Crisisbed | Institution | None = None
        self.entries: dict[WaitingList, Entry] = {}
        """The lists the resident is on, each with their entry."""
        self.bans: dict[str, float] = {}
        self.contact: bool | None = None
        self.epoch = 0
        self.stay_token = 0
        self.housing_token = 0
        self.team_token = 0
        self.housing_since: float | None = None
        self.post_discharge_until = -1.0
        self.last_self_referral = -float("inf")
        self.pending_admission: str | None = None
        self.options: Options | None = None
        """Housing options for the current need (``Housing.options``), or None."""

    @property
    def at_home(self) -> bool:
        """In their housing (or homeless): not away in a bed or institution, not exited."""
        return self.stay is None and self.location != EXITED
