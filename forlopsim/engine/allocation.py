"""Allocation policies: how long a resident waiting for housing holds out for a near tier.

How long, that is, for the tiers nearest their need before taking any eligible place.

A policy is a small object chosen from the scenario (``housing.allocation.policy``) and asked
by :class:`~forlopsim.engine.housing.Housing` at two moments; it changes no state and draws no
random number. To add one: subclass :class:`AllocationPolicy`, add it to :data:`POLICIES`, and
add its name to the scenario's ``Allocation.policy`` (``forlopsim/scenario/housing.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from forlopsim.scenario.housing import Allocation

if TYPE_CHECKING:
    from forlopsim.engine.resident import Resident


class AllocationPolicy:
    """Strict matching: a resident waits for the tiers nearest their need, however long."""

    __slots__ = ("recheck_after",)

    def __init__(self, recheck_after: float | None = None):
        """A policy that reviews a waiting resident again after ``recheck_after`` days.

        That is the moment :meth:`takes_any_place` may change; None: never.
        """
        self.recheck_after = recheck_after

    def takes_any_place(self, r: Resident, now: float) -> bool:
        """Whether the unhoused resident ``r`` would take any eligible free place now."""
        return False


class Strict(AllocationPolicy):
    """Only the tiers nearest the resident's need (``strict``)."""

    __slots__ = ()


class BestAvailable(AllocationPolicy):
    """The nearest free eligible tier at once, staying on the best match's list (``best_available``)."""

    __slots__ = ()

    def takes_any_place(self, r: Resident, now: float) -> bool:
        """Always."""
        return True


class FallbackAfter(AllocationPolicy):
    """Strict for ``days`` of waiting, then best available (``fallback_after``)."""

    __slots__ = ("days",)

    def __init__(self, days: float):
        """Fall back after ``days`` of waiting (and review the resident's housing then)."""
        super().__init__(recheck_after=days)
        self.days = days

    def takes_any_place(self, r: Resident, now: float) -> bool:
        """Once the resident has waited ``days``."""
        since = r.housing_since
        return since is not None and now - since >= self.days


def _fallback_after(spec: Allocation) -> FallbackAfter:
    if spec.fallback_after_days is None:  # the scenario's validator makes this impossible
        raise ValueError("policy fallback_after needs fallback_after_days")
    return FallbackAfter(spec.fallback_after_days)


POLICIES: dict[str, Callable[[Allocation], AllocationPolicy]] = {
    "strict": lambda spec: Strict(),
    "best_available": lambda spec: BestAvailable(),
    "fallback_after": _fallback_after,
}
"""Each policy name of the scenario and how to make it from ``housing.allocation``."""


def allocation_policy(spec: Allocation) -> AllocationPolicy:
    """The policy the scenario's ``housing.allocation`` names (validated by the scenario)."""
    return POLICIES[spec.policy](spec)
