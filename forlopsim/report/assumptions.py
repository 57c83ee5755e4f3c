"""The report's assumptions: what each what-if changes, read as a table, and zero one-off costs.

:func:`assumption_rows` turns the fields that differ between the base and a what-if
(:func:`changed_fields`) into rows a reader can follow — what (the place's display name and the
field's words), the base value → the what-if value, the unit and the source the what-if file
gives — never a dotted field path or a Python literal. :func:`zero_one_off` finds new places or
beds whose one-off cost is 0, which the report flags (issue 14, point 6).
"""

from __future__ import annotations

from typing import Any

from forlopsim.report.i18n import Language
from forlopsim.scenario import Scenario
from forlopsim.scenario.services import WEEKDAYS

SKIPPED = {"name", "description", "label", "about"}
"""Top-level fields that describe a scenario without changing its numbers."""


def _flat(data: object, prefix: str = "") -> dict[str, object]:
    if isinstance(data, dict):
        out: dict[str, object] = {}
        for key, item in data.items():
            out.update(_flat(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: data}


def changed_fields(base: Scenario, whatif: Scenario) -> list[tuple[str, object, object]]:
    """Dotted paths whose value differs between the two scenarios' ``model_dump()``.

    Sources, names, labels and descriptions are left out. Each is ``(path, base value, what-if
    value)``; absent is None.
    """
    a, b = _flat(base.model_dump()), _flat(whatif.model_dump())
    rows = []
    for path in sorted(set(a) | set(b)):
        parts = path.split(".")
        if parts[0] in SKIPPED or "source" in parts or "label" in parts:
            continue
        if a.get(path) != b.get(path):
            rows.append((path, a.get(path), b.get(path)))
    return rows


def _owner(parts: list[str], lang: Language) -> tuple[str, list[str]]:
    """The named part a field belongs to (display name) and the field's own path below it."""
    if parts[:2] == ["services", "units"] and len(parts) > 4 and parts[3] == "teams":
        return lang.place(f"{parts[2]}.{parts[4]}"), parts[5:]
    if parts[:2] in (["services", "units"], ["services", "coverage"], ["housing", "tiers"]):
        return lang.place(parts[2]), parts[3:]
    if parts[0] in ("crisis_beds", "institutions") and len(parts) > 1:
        return lang.place(parts[1]), parts[2:]
    return "", parts


def what(path: str, lang: Language) -> str:
    """A field path in words: ``housing.tiers.middle.capacity`` → ``bolig …: antall plasser``."""
    owner, rest = _owner(path.split("."), lang)
    words = [lang.t(f"field:{p}") if lang.has(f"field:{p}") else p.replace("_", " ") for p in rest]
    text = ", ".join(words)
    return f"{owner}: {text}" if owner and text else owner or text


def unit(path: str, lang: Language) -> str:
    """The unit of a field, by its name (``capacity`` → places), or empty."""
    key = f"field_unit:{path.rsplit('.', 1)[-1]}"
    return lang.t(key) if lang.has(key) else ""


def shown(x: object, lang: Language) -> str:
    """A field's value in words: numbers the language's way, lists of codes as words."""
    if x is None:
        return lang.t("value_none")
    if isinstance(x, bool):
        return lang.t("yes") if x else lang.t("no")
    if isinstance(x, int | float):
        return lang.number(float(x), 0 if float(x).is_integer() else 2)
    if isinstance(x, list | tuple):
        if x and all(d in WEEKDAYS for d in x):
            return _days(list(x), lang)
        return " → ".join(shown(v, lang) for v in x)
    text = str(x)
    key = f"value:{text}"
    return lang.t(key) if lang.has(key) else lang.place(text)


def _days(days: list[Any], lang: Language) -> str:
    """Weekdays as ``alle dager``, ``man–fre`` or a list of day names."""
    if list(days) == list(WEEKDAYS):
        return lang.t("all_days")
    indices = [WEEKDAYS.index(d) for d in days]
    if indices == list(range(indices[0], indices[-1] + 1)) and len(indices) > 2:
        return f"{lang.t('day:' + days[0])}–{lang.t('day:' + days[-1])}"
    return ", ".join(lang.t(f"day:{d}") for d in days)


def source_of(scenario: Scenario, path: str) -> str:
    """The ``source`` the scenario gives for a field: its block's text, or the field's entry."""
    *parents, leaf = path.split(".")
    node: Any = scenario.model_dump()
    found = ""
    for key in parents:
        if not isinstance(node, dict) or key not in node:
            break
        node = node[key]
        source = node.get("source") if isinstance(node, dict) else None
        if isinstance(source, str):
            found = source
        elif isinstance(source, dict):
            found = source.get(leaf, found)
    return found


def assumption_rows(base: Scenario, whatif: Scenario, lang: Language) -> list[list[str]]:
    """One row per changed field: what, base → what-if, unit, source."""
    return [
        [
            what(path, lang),
            f"{shown(a, lang)} → {shown(b, lang)}",
            unit(path, lang),
            source_of(whatif, path),
        ]
        for path, a, b in changed_fields(base, whatif)
    ]


def zero_one_off(base: Scenario, whatif: Scenario) -> list[tuple[str, str, int]]:
    """``(place, kind, new places)`` for each tier or crisis bed with new places costing 0 once.

    New places are those beyond ``existing_places`` or, without it, beyond the base's count.
    """
    found = []
    for places, before, size_of, kind in (
        (whatif.housing.tiers, base.housing.tiers, "capacity", "tier"),
        (whatif.crisis_beds, base.crisis_beds, "beds", "bed"),
    ):
        for name, place in places.items():
            size = getattr(place, size_of) or 0
            old = before.get(name)
            had = place.existing_places
            if had is None:
                had = (getattr(old, size_of) or 0) if old is not None else 0
            if size > had and place.new_place_cost == 0:
                found.append((name, kind, size - had))
    return found
