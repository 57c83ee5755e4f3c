"""The whole scenario: one document tying population, services, housing, care and hazards."""

from __future__ import annotations

import itertools
from typing import Annotated, Any

from pydantic import (
    Field,
    Strict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from forlopsim.errors import Problem, ScenarioError
from forlopsim.limits import DAYS_PER_YEAR, MAX_HORIZON_DAYS, MAX_REPLICATIONS, MAX_RESIDENTS
from forlopsim.scenario.base import Label, Model, Sourced
from forlopsim.scenario.care import CrisisBed, Institution
from forlopsim.scenario.hazards import Hazards
from forlopsim.scenario.housing import Housing
from forlopsim.scenario.population import AGE_GROUPS, PROBLEMS, SEXES, AttributeMix, Referrals
from forlopsim.scenario.services import Services

HOMELESS = "homeless"
"""The name of the homeless state wherever a place is named (``start_in``, records)."""
EXITED = "exited"
"""The location of a resident who has left the model."""
REFERRED = "referred"
"""The location of a resident being referred, before their first move."""


class Simulation(Sourced):
    """How long to simulate and how often."""

    horizon_days: float = Field(gt=0.0, le=MAX_HORIZON_DAYS)
    """Days simulated, warm-up included."""
    warmup_days: float = Field(default=0.0, ge=0)
    """Days at the start that no statistic counts."""
    replications: Annotated[int, Strict()] = Field(default=10, ge=1, le=MAX_REPLICATIONS)
    """Independent replications."""
    seed: Annotated[int, Strict()] = Field(default=0, ge=0)
    """Root seed; replication *i* uses the *i*-th child of ``SeedSequence(seed)``."""

    @field_validator("warmup_days")
    @classmethod
    def _warmup_inside(cls, value: float, info: ValidationInfo) -> float:
        horizon = info.data.get("horizon_days")
        if horizon is not None and value >= horizon:
            raise ValueError(f"must be shorter than horizon_days ({horizon:g})")
        return value


class Scenario(Model):
    """A complete, validated scenario. Load one with :func:`forlopsim.load_scenario`."""

    extends: str | None = None
    """Base file this one overrides (resolved relative to this file, then removed)."""
    name: str
    """Short name, used in tables and reports."""
    label: Label | None = None
    """The name in the report's languages (``{nb: …, en: …}``); none: ``name``. A what-if that
    inherits its base's label is shown by its ``name`` (``validate`` warns)."""
    description: str = ""
    """What the scenario is and why, in plain words (shown in the report)."""
    about: Label | None = None
    """``description`` in the report's languages (``{nb: …, en: …}``); a language left out
    shows ``description``."""
    simulation: Simulation
    population: AttributeMix
    """Default attribute mix of referred residents."""
    referrals: Referrals
    services: Services
    housing: Housing
    crisis_beds: dict[str, CrisisBed] = Field(default_factory=dict)
    institutions: dict[str, Institution] = Field(default_factory=dict)
    hazards: Hazards

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        problems = reference_problems(self)
        if problems:
            raise ValueError("\n".join(f"{path}: {message}" for path, message in problems))
        return self

    def team_names(self) -> list[str]:
        """Every team as ``unit.team``."""
        return [f"{u}.{t}" for u, unit in self.services.units.items() for t in unit.teams]

    def with_changes(self, changes: dict[str, Any]) -> Scenario:
        """A validated copy with fields replaced by dotted path, e.g. ``{"housing.tiers.x.capacity": 5}``.

        Raises:
            ScenarioError: a path names nothing, or a value is invalid; as for a scenario file,
                each problem names the field path (with a did-you-mean where a name is close).
        """
        from forlopsim.scenario.loader import validation_problems

        data = self.model_dump(mode="python", exclude_none=True)
        for path, value in changes.items():
            node = data
            *parents, leaf = path.split(".")
            for depth, key in enumerate(parents):
                node = _step(node, key, ".".join(parents[: depth + 1]))
            node[_key(node, leaf)] = value
        try:
            return Scenario.model_validate(data)
        except ValidationError as error:
            raise ScenarioError(validation_problems(error, data, WITH_CHANGES)) from None


TEXTS = ("source", "description", "name", "label", "about")
"""Keys whose values describe a scenario (or a spec) without changing its results."""


def numbers_only(data: Any) -> Any:
    """A dumped scenario (or sweep spec) without its descriptive texts.

    What decides its results, for fingerprints and for comparing two scenarios' numbers.
    """
    if isinstance(data, dict):
        return {k: numbers_only(v) for k, v in data.items() if k not in TEXTS}
    if isinstance(data, list):
        return [numbers_only(v) for v in data]
    return data


WITH_CHANGES = "with_changes"
"""How a problem of :meth:`Scenario.with_changes` names its source (there is no file)."""


def _step(node: Any, key: str, path: str) -> Any:
    """The value under ``key`` of a dumped scenario's ``node``, or a friendly error naming it."""
    try:
        return node[_key(node, key)]
    except (KeyError, IndexError, ValueError, TypeError):
        pass
    from forlopsim.scenario.loader import close_names

    names = [str(k) for k in node] if isinstance(node, dict) else []
    close = close_names(key, names)
    hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
    if not isinstance(node, (dict, list)):
        message = "not a mapping or list: nothing can be changed inside it"
    elif isinstance(node, list):
        message = f"no entry {key!r} (the list has {len(node)})"
    else:
        message = f"unknown key {key!r}{hint}"
    raise ScenarioError([Problem(WITH_CHANGES, path, message)])


def _key(node: Any, key: str) -> Any:
    if isinstance(node, list):
        return int(key)
    if key not in node and key.isdigit() and int(key) in node:
        return int(key)
    return key


def reference_problems(s: Scenario) -> list[tuple[str, str]]:
    """Names that point at nothing: routes to missing teams, unknown tiers or institutions.

    Each problem is ``(field path, message)``; services first, then starting places, hazards
    and the places' own names.
    """
    places = {HOMELESS, *s.housing.tiers}
    return [
        *_service_problems(s),
        *_start_problems(s, places),
        *_hazard_problems(s, places),
        *_name_problems(s),
        *_contract_problems(s),
        *_tier_problems(s),
        *_size_problems(s),
    ]


def _size_problems(s: Scenario) -> list[tuple[str, str]]:
    """More residents expected in one replication than :data:`MAX_RESIDENTS` (memory)."""
    simulation = s.simulation
    horizon, warmup = simulation.horizon_days, simulation.warmup_days
    initial = s.referrals.initial_population
    expected = 0.0 if initial is None else initial.size
    if initial is not None and initial.waiting:
        expected += sum(group.count for group in initial.waiting)
    for stream in s.referrals.streams.values():
        if stream.trend is None:
            expected += horizon / DAYS_PER_YEAR * stream.annual_rate
        else:
            expected += stream.trend.clock(stream.annual_rate, warmup)[0](horizon)
    if expected <= MAX_RESIDENTS:
        return []
    message = (
        f"about {expected:,.0f} residents would enter one replication (the initial population "
        f"and every stream's annual_rate over horizon_days); at most {MAX_RESIDENTS:,}"
    )
    return [("referrals", message)]


def _tier_problems(s: Scenario) -> list[tuple[str, str]]:
    """Tiers bound to an unknown team, or staffed with an unknown coverage."""
    problems: list[tuple[str, str]] = []
    teams = set(s.team_names())
    for name, tier in s.housing.tiers.items():
        if tier.follow_up_team is not None and tier.follow_up_team not in teams:
            problems.append(
                (
                    f"housing.tiers.{name}.follow_up_team",
                    f"no team {tier.follow_up_team!r} (known: {sorted(teams)})",
                )
            )
        if tier.temporary and (tier.staff is not None or tier.follow_up_team is not None):
            problems.append(
                (f"housing.tiers.{name}", "temporary housing has no staff or team of its own")
            )
        if tier.staff is not None and tier.staff.coverage not in s.services.coverage:
            problems.append(
                (
                    f"housing.tiers.{name}.staff.coverage",
                    f"no coverage named {tier.staff.coverage!r} (known: {sorted(s.services.coverage)})",
                )
            )
    return problems


def _contract_problems(s: Scenario) -> list[tuple[str, str]]:
    """Self-referral contracts on a bed that is not for self-referral."""
    return [
        (f"crisis_beds.{name}.contracts", "contracts are for self-referral beds only")
        for name, bed in s.crisis_beds.items()
        if bed.contracts is not None and not bed.self_referral
    ]


def _service_problems(s: Scenario) -> list[tuple[str, str]]:
    """Teams with an unknown coverage, routes to unknown teams, and a combination with no route."""
    problems: list[tuple[str, str]] = []
    teams = set(s.team_names())
    for u, unit in s.services.units.items():
        for t, team in unit.teams.items():
            if team.coverage not in s.services.coverage:
                problems.append(
                    (
                        f"services.units.{u}.teams.{t}.coverage",
                        f"no coverage named {team.coverage!r} (known: {sorted(s.services.coverage)})",
                    )
                )
    for i, route in enumerate(s.services.routing):
        if route.team not in teams:
            problems.append(
                (f"services.routing.{i}.team", f"no team {route.team!r} (known: {sorted(teams)})")
            )
    for forlop, problem, sex, age in itertools.product((1, 2, 3), PROBLEMS, SEXES, AGE_GROUPS):
        if not any(_route_matches(r, forlop, problem, sex, age) for r in s.services.routing):
            problems.append(
                (
                    "services.routing",
                    f"no route for forløp {forlop}, problem {problem}, {sex}, {age}",
                )
            )
            break
    return problems


def _start_problems(s: Scenario, places: set[str]) -> list[tuple[str, str]]:
    """Referral streams (and the initial population) starting in an unknown tier."""
    problems: list[tuple[str, str]] = []
    starts = {
        f"referrals.streams.{n}.start_in": st.start_in for n, st in s.referrals.streams.items()
    }
    initial = s.referrals.initial_population
    for i, group in enumerate([] if initial is None or not initial.waiting else initial.waiting):
        path = f"referrals.initial_population.waiting.{i}"
        starts[f"{path}.start_in"] = group.start_in
        if group.tier not in s.housing.tiers:
            known = sorted(s.housing.tiers)
            problems.append((f"{path}.tier", f"no tier {group.tier!r} (known: {known})"))
    for path, start_in in starts.items():
        for place in start_in:
            if place not in places:
                problems.append((f"{path}.{place}", f"no tier {place!r} (known: {sorted(places)})"))
    if initial is not None:  # the initial population may be in a bed or institution too
        path = "referrals.initial_population.start_in"
        stays = places | set(s.crisis_beds) | set(s.institutions)
        for place in initial.start_in:
            if place not in stays:
                known = sorted(stays)
                problems.append(
                    (f"{path}.{place}", f"no tier, bed or institution {place!r} (known: {known})")
                )
    return problems


def _hazard_problems(s: Scenario, places: set[str]) -> list[tuple[str, str]]:
    """Hazards that admit or refer to an unknown institution or move to an unknown tier."""
    problems: list[tuple[str, str]] = []
    for problem, name in s.hazards.crisis.admit_to.items():
        if name not in s.institutions:
            problems.append(
                (
                    f"hazards.crisis.admit_to.{problem}",
                    f"no institution {name!r} (known: {sorted(s.institutions)})",
                )
            )
    referral = s.hazards.treatment_referral
    if referral is not None and referral.institution not in s.institutions:
        problems.append(
            (
                "hazards.treatment_referral.institution",
                f"no institution {referral.institution!r} (known: {sorted(s.institutions)})",
            )
        )
    own = s.hazards.own_housing
    if own is not None:
        for i, place in enumerate(own.places):
            if place not in places:
                problems.append(
                    (
                        f"hazards.own_housing.places.{i}",
                        f"no tier {place!r} (known: {sorted(places)})",
                    )
                )
        if own.to not in s.housing.tiers:
            problems.append(
                ("hazards.own_housing.to", f"no tier {own.to!r} (known: {sorted(s.housing.tiers)})")
            )
    return problems


def _name_problems(s: Scenario) -> list[tuple[str, str]]:
    """Places named like a reserved location, or with a name another place already has."""
    problems: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for section, names in (
        ("housing.tiers", s.housing.tiers),
        ("crisis_beds", s.crisis_beds),
        ("institutions", s.institutions),
    ):
        for name in names:
            if name in (HOMELESS, EXITED, REFERRED):
                problems.append((f"{section}.{name}", f"{name!r} is reserved; choose another name"))
            elif name in seen:
                problems.append(
                    (
                        f"{section}.{name}",
                        f"name already used in {seen[name]}; places need unique names",
                    )
                )
            seen[name] = section
    return problems


def _route_matches(route: Any, forlop: int, problem: str, sex: str, age: str) -> bool:
    return (
        forlop in route.forlop
        and problem in route.problem
        and (route.sex is None or sex in route.sex)
        and (route.age_group is None or age in route.age_group)
    )
