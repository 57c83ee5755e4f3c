"""Checks of a valid scenario that warn rather than refuse: numbers that are allowed but suspect.

:func:`one_off_cost_warnings`: new places or beds whose one-off cost counts as 0 (issue 14). A
place is new beyond its ``existing_places``; in a what-if that leaves ``existing_places`` out,
the places beyond the base file's count are new in the planner's eyes but in no cost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forlopsim.scenario.scenario import Scenario
from forlopsim.text import plural


def one_off_cost_warnings(
    scenario: Scenario, base: Scenario | None = None
) -> list[tuple[str, str]]:
    """``(field path, message)`` for each tier or crisis bed with new places costing 0 once.

    ``base`` is the scenario the file ``extends`` (if any): places beyond the base's count with
    no ``existing_places`` are new places that the one-off cost does not count.
    """
    warnings: list[tuple[str, str]] = []
    for section, places, noun in (
        ("housing.tiers", scenario.housing.tiers, "place"),
        ("crisis_beds", scenario.crisis_beds, "bed"),
    ):
        before: Mapping[str, Any] = {}
        if base is not None:
            before = base.housing.tiers if section == "housing.tiers" else base.crisis_beds
        for name, place in places.items():
            size = getattr(place, "capacity" if noun == "place" else "beds")
            if size is None:
                continue
            path = f"{section}.{name}"
            if place.existing_places is not None:
                new = size - place.existing_places
                if new > 0 and place.new_place_cost == 0:
                    warnings.append(
                        (
                            f"{path}.new_place_cost",
                            f"{plural(new, f'new {noun}')} (beyond existing_places "
                            f"{place.existing_places}) with a one-off cost of 0; set "
                            f"new_place_cost if opening them costs anything",
                        )
                    )
                continue
            if base is None:
                continue
            old = before.get(name)
            had = (getattr(old, "capacity" if noun == "place" else "beds") or 0) if old else 0
            if size > had:
                warnings.append(
                    (
                        path,
                        f"{plural(size - had, noun)} more than the base file's {had}, but no "
                        f"existing_places: the one-off cost counts them as existing (0); set "
                        f"existing_places: {had} and new_place_cost",
                    )
                )
    return warnings
