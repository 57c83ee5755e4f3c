"""Checks of a valid scenario that warn rather than refuse: numbers that are allowed but suspect.

:func:`one_off_cost_warnings`: new places or beds whose one-off cost counts as 0 (issue 14). A
place is new beyond its ``existing_places``; in a what-if that leaves ``existing_places`` out,
the places beyond the base file's count are new in the planner's eyes but in no cost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forlopsim.scenario.scenario import Scenario
from forlopsim.scenario.schedule import peak
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
            size = peak(size)  # a schedule: the most places it ever has
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
            had = peak(getattr(old, "capacity" if noun == "place" else "beds") or 0) if old else 0
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


def label_warnings(scenario: Scenario, base: Scenario | None = None) -> list[tuple[str, str]]:
    """``(field path, message)`` for each place, team, unit or coverage with no display name.

    Also the scenario itself: with no ``label``, or a what-if with its ``base``'s label (it is
    inherited through ``extends``, so the report would show the what-if by its ``name``).
    """
    warnings = [
        (f"{path}.label", f"no display name (label: {{nb: …, en: …}}); the report shows {name!r}")
        for path, name, label in labelled(scenario)
        if label is None or label.nb is None or label.en is None
    ]
    if scenario.label is None:
        warnings.append(("label", "no display name (label: {nb: …, en: …}); the report shows name"))
    elif base is not None and base.label == scenario.label and base.name != scenario.name:
        warnings.append(
            (
                "label",
                "the base's label, inherited: give the what-if its own; the report shows name",
            )
        )
    return warnings


def labelled(scenario: Scenario) -> list[tuple[str, str, Any]]:
    """Every named part that the report names: ``(field path, code name, label or None)``."""
    services = scenario.services
    parts: list[tuple[str, str, Any]] = [
        (f"services.coverage.{n}", n, c.label) for n, c in services.coverage.items()
    ]
    parts += [
        (f"referrals.streams.{n}", n, st.label) for n, st in scenario.referrals.streams.items()
    ]
    for u, unit in services.units.items():
        parts.append((f"services.units.{u}", u, unit.label))
        parts += [
            (f"services.units.{u}.teams.{t}", f"{u}.{t}", team.label)
            for t, team in unit.teams.items()
        ]
    for section, places in (
        ("housing.tiers", scenario.housing.tiers),
        ("crisis_beds", scenario.crisis_beds),
        ("institutions", scenario.institutions),
    ):
        parts += [(f"{section}.{n}", n, p.label) for n, p in places.items()]
    return parts
