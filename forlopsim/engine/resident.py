"""A synthetic resident: attributes, their own random numbers, and their state in the engine."""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Any

from forlopsim.engine.streams import END, EXTRA, KIND, OFFSET, RISKS, SIZE, Row, Streams
from forlopsim.scenario.population import AgeGroup, Problem, Sex
from forlopsim.scenario.scenario import EXITED, REFERRED

if TYPE_CHECKING:
    from forlopsim.engine.housing import Options
    from forlopsim.engine.places import Crisisbed, Entry, Institution, Team, Tier, WaitingList


_FIRST_THRESHOLDS = operator.itemgetter(*(OFFSET[KIND[risk]] for risk in RISKS))
_AFTER_REFERRAL = tuple(
    offset + (1 if kind < len(RISKS) else SIZE[kind] if kind == KIND["attributes"] else 0)
    for kind, offset in enumerate(OFFSET)
)
"""Where each kind's next number is once a resident is referred: the first threshold of each
risk (``start_clocks``) is taken, and the attributes are read before the resident exists
(``World._arrive``, one number for each attribute, as many as the kind holds)."""


class Resident:
    """One person in the model.

    ``location`` is exactly one of: a tier name, ``homeless``, a crisis-bed or institution
    name, or ``exited``; ``tier`` is the housing place they hold (kept during a stay away if
    the tier allows).
    """

    __slots__ = (
        "_beyond",
        "_next",
        "_row",
        "_streams",
        "age_group",
        "application",
        "application_token",
        "assessed_at",
        "at_risk",
        "bans",
        "below_since",
        "clock",
        "contact",
        "contract",
        "crises",
        "decided_at",
        "discharged_at",
        "entries",
        "epoch",
        "fired",
        "housing_since",
        "housing_token",
        "id",
        "in_services",
        "index",
        "last_self_referral",
        "location",
        "need",
        "options",
        "pending_admission",
        "problem",
        "ready",
        "reason",
        "refused_for",
        "remaining",
        "sex",
        "stay",
        "stay_token",
        "stream",
        "table",
        "team",
        "team_token",
        "tier",
        "violence_high",
    )

    def __init__(
        self,
        rid: int,
        sex: Sex,
        age_group: AgeGroup,
        problem: Problem,
        violent: bool,
        need: int,
        numbers: tuple[Streams, int, int, Row] | None = None,
    ):
        """A resident just referred, in no place yet.

        ``numbers``: the replication's streams, the resident's stream and index in its arrival
        order, and their row of numbers (:meth:`Streams.row`); without them (in tests of rules)
        they draw nothing.
        """
        self.id = rid
        self.sex = sex
        self.age_group = age_group
        self.problem = problem
        self.violence_high = violent
        self.need = need
        self._next = list(_AFTER_REFERRAL)
        """Where in the row each kind's next number is (past ``END[kind]``: beyond the row)."""
        if numbers is not None:
            self._streams, self.stream, self.index, self._row = numbers
        self._beyond: dict[tuple[int, int], list[float]] | None = None
        self.remaining: list[float] = []
        """Per competing risk (``RISKS``), the cumulative hazard still to come before it
        happens: a standard exponential when it starts afresh, less the hazard since."""
        self.clock = 0.0
        """When ``remaining`` was last brought up to date."""
        self.fired = -1
        """The risk that has just happened, which the next ``Risks.after_change`` starts
        afresh, or -1."""
        self.table: list[Any] = []
        """The competing risks of the resident's state since ``clock`` (``Risks``)."""
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
        self.discharged_at = -float("inf")
        """When the resident last left an institution (the after-discharge windows)."""
        self.last_self_referral = -float("inf")
        self.pending_admission: str | None = None
        self.options: Options | None = None
        """Housing options for the current need (``Housing.options``), or None."""
        self.application = 0
        """The state of their housing application (``office.NONE`` … ``office.REFUSED``)."""
        self.application_token = 0
        self.reason = ""
        """The reason of their application (``""``: none)."""
        self.decided_at = 0.0
        self.refused_for: tuple[Any, ...] | None = None
        """(reason, need, tier) of a refused application: no new one until one changes."""
        self.at_risk = False
        """A crisis or a rise in need since the tenancy began (reason ``tenancy_at_risk``)."""
        self.below_since: float | None = None
        """Since when their need is below their staffed tier's support (``step_down``)."""
        self.ready = False
        """Ready for discharge: in an institution bed, waiting for a place."""
        self.in_services = True
        """False for a former client who recovered and keeps their flat (``kept_after_services``)."""
        self.contract: Crisisbed | None = None
        """The self-referral beds they hold a contract for."""
        self.crises: list[float] = []
        """When their crises happened (for self-referral contracts)."""
        self.assessed_at = 0.0
        """When the assessment of their last planned referral ends."""

    def number(self, kind: int) -> float:
        """The resident's next number of ``kind`` (``streams.KIND``).

        Uniform in [0, 1), or a standard exponential for a competing risk.
        """
        position = self._next[kind]
        self._next[kind] = position + 1
        if position < END[kind]:
            return self._row[position]
        return self._beyond_row(kind, position - END[kind])

    def _beyond_row(self, kind: int, n: int) -> float:
        """The ``n``-th number of ``kind`` past the resident's row (kept by blocks)."""
        block, position = divmod(n, EXTRA)
        beyond = self._beyond
        if beyond is None:
            beyond = self._beyond = {}
        numbers = beyond.get((kind, block))
        if numbers is None:
            numbers = beyond[kind, block] = self._streams.beyond_row(
                self.stream, self.index, kind, block
            )
        return numbers[position]

    def start_clocks(self, now: float) -> None:
        """Take the first threshold of every competing risk from the row (at referral)."""
        self.remaining = list(_FIRST_THRESHOLDS(self._row))
        self.clock = now

    @property
    def at_home(self) -> bool:
        """In their housing (or homeless): not away in a bed or institution, not exited."""
        return self.stay is None and self.location != EXITED
