"""The plan file: base scenario, decision variables, budget, objective and constraints.

Read with the calibration files' loader, so a problem is reported as
``file:line: field: what was expected``, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, Strict, model_validator

from forlopsim.calibration.spec import load_model
from forlopsim.limits import MAX_REPLICATIONS
from forlopsim.scenario.base import Model, NonNegative, Positive

Whole = Annotated[int, Strict()]
Replications = Annotated[int, Strict(), Field(ge=2, le=MAX_REPLICATIONS)]


class Variable(Model):
    """One decision: the capacity at a dotted path, a whole number within bounds, by steps."""

    path: str
    """Dotted path of a capacity, e.g. ``housing.tiers.middle.capacity`` or
    ``crisis_beds.acute.beds``."""
    bounds: tuple[Whole, Whole]
    """Lowest and highest capacity to consider (both included when on a step)."""
    step: Annotated[int, Strict(), Field(ge=1)] = 1
    """Capacities go up by this (a house of 10 places is a step of 10)."""
    opening_day: Annotated[int, Strict(), Field(ge=0)] | None = None
    """Day (from the end of the warm-up) the chosen capacity opens; before it the base's
    capacity holds. None: from day 0."""

    @model_validator(mode="after")
    def _ordered(self) -> Variable:
        low, high = self.bounds
        if not 0 <= low <= high:
            raise ValueError(f"bounds: expected 0 <= low <= high, got {list(self.bounds)}")
        return self

    @property
    def values(self) -> list[int]:
        """Every capacity the search may choose, lowest first."""
        return list(range(self.bounds[0], self.bounds[1] + 1, self.step))


class Limit(Model):
    """A constraint: a KPI's mean over replications must not exceed ``max``."""

    kpi: str
    """The KPI's dotted name (``docs/kpis.md``)."""
    max: float
    """Largest acceptable mean."""


class Budget(Model):
    """What the plan may cost, per payer (NOK), from the ``cost_by_year`` KPIs."""

    running_per_year: dict[str, NonNegative] = Field(default_factory=dict)
    """Running cost in each financial year of the horizon, at most, by payer."""
    one_off: dict[str, NonNegative] = Field(default_factory=dict)
    """One-off cost over the whole horizon, at most, by payer."""


class Confirmation(Model):
    """The ranking step: the best few plans rerun with more replications and compared."""

    best: Annotated[int, Strict(), Field(ge=1)] = 3
    """How many of the best feasible plans to confirm."""
    method: Literal["bonferroni", "kim_nelson"] = "bonferroni"
    """``bonferroni``: a fixed sample, paired t-intervals holding together at 95%;
    ``kim_nelson``: Kim & Nelson's fully sequential selection (needs ``indifference``)."""
    replications: Replications = 10
    """Replications of each confirmed plan (the same seeds for all); for ``kim_nelson`` the
    first stage n0."""
    indifference: Positive | None = None
    """Kim–Nelson's δ, in the objective's units: the smallest difference worth telling apart."""
    max_replications: Annotated[int, Strict(), Field(ge=2, le=MAX_REPLICATIONS)] = 100
    """Kim–Nelson: replications of a plan at most; survivors then cannot be told apart at δ
    (assumption: 100 bounds a confirmation to about ten times a first stage of 10)."""
    batch: Annotated[int, Strict(), Field(ge=1)] = 1
    """Kim–Nelson: replications per surviving plan sent to the workers at once. The selection
    is the same for any batch (screening still follows each replication); a larger batch keeps
    more workers busy at the cost of up to batch − 1 unused replications per eliminated plan."""

    @model_validator(mode="after")
    def _kim_nelson_needs_indifference(self) -> Confirmation:
        if self.method == "kim_nelson":
            if self.indifference is None:
                raise ValueError(
                    "indifference: kim_nelson needs the smallest difference worth telling "
                    "apart, in the objective's units (e.g. indifference: 1000)"
                )
            if self.max_replications < self.replications:
                raise ValueError(
                    f"max_replications: expected at least replications ({self.replications}), "
                    f"got {self.max_replications}"
                )
        return self


class PlanSpec(Model):
    """``plans/NAME.yaml``: what ``forlopsim plan`` searches."""

    scenario: str
    """The base scenario, relative to the plan file."""
    variables: Annotated[dict[str, Variable], Field(min_length=1)]
    """Decision variables by a short name."""
    objective: str
    """The KPI whose mean is minimised, e.g. ``homeless_days_per_resident_year`` or
    ``cost_per_year.total``."""
    constraints: list[Limit] = Field(default_factory=list)
    """KPI limits a plan must meet."""
    budget: Budget = Budget()
    """Cost limits a plan must meet."""
    horizon_days: Positive | None = None
    """Simulated days after the warm-up (none: the scenario's)."""
    warmup_days: NonNegative | None = None
    """Warm-up days (none: the scenario's)."""
    replications: Replications = 4
    """Replications per candidate during the search."""
    max_evaluations: Annotated[int, Strict(), Field(ge=1)] = 30
    """Candidates to evaluate at most (fewer when the grid of all plans is smaller)."""
    seed: Whole | None = None
    """Root seed of the replications and of the sampler (none: the scenario's)."""
    confirm: Confirmation = Confirmation()
    """The confirmation of the best few."""


def load_plan(path: str | Path) -> PlanSpec:
    """Read and check a plan file; raise :class:`ScenarioError` naming file, line and field."""
    return load_model(Path(path), PlanSpec, "plan")
