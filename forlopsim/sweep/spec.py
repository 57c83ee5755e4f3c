"""SPEC.yaml: what a sweep varies, how it samples, and how often it runs each point.

A spec names a scenario file (relative to itself), the parameters to vary as dotted paths into
that scenario (``crisis_beds.bed.beds``, ``hazards.crisis.per_year.1``) with ``bounds`` or
``levels``, a design (``grid``, ``lhs`` or ``sobol``), the replications of each point and the root
seed. Problems are reported like scenario problems — file, line, field path, what was expected —
as a :class:`~forlopsim.errors.ScenarioError`. Each parameter's bounds or levels are applied to
the scenario while loading, so a wrong path or value never starts a run.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError
from pydantic_core import ErrorDetails

from forlopsim.errors import Problem, ScenarioError
from forlopsim.limits import MAX_REPLICATIONS
from forlopsim.scenario import Scenario, load_scenario, numbers_only
from forlopsim.scenario.base import Source
from forlopsim.scenario.loader import (
    Locator,
    locator,
    named_file_problem,
    read_yaml,
    trusted_folders,
)

Whole = Annotated[int, Strict()]
Value = Whole | float | str | bool
"""A parameter level: a number, a name or a switch."""


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True, allow_inf_nan=False
    )


class Parameter(_Model):
    """One scenario field the sweep varies."""

    bounds: tuple[float, float] | None = None
    """Lowest and highest value (``lhs``, ``sobol``; ``grid`` with ``design.levels``)."""
    levels: list[Value] | None = Field(default=None, min_length=1)
    """The values a ``grid`` takes, in order."""
    integer: bool = False
    """Whole numbers only (beds, places): each whole number in ``bounds`` is equally likely."""
    source: Source | None = None
    """Why these bounds or levels: a figures.md row, a seed document or ``assumption: …``."""


class Design(_Model):
    """How the points are chosen."""

    kind: Literal["grid", "lhs", "sobol"]
    """``grid``: every combination of levels; ``lhs``: a Latin hypercube (scipy.stats.qmc);
    ``sobol``: Saltelli's scheme for Sobol indices (SALib), N·(D+2) points, or N·(2D+2) with
    ``second_order``."""
    samples: Whole | None = Field(default=None, ge=1)
    """``lhs``: the number of points; ``sobol``: the base sample N (a power of 2)."""
    levels: Whole | None = Field(default=None, ge=2)
    """``grid``: evenly spaced levels for each parameter given by ``bounds``."""
    second_order: bool = False
    """``sobol``: also sample for second-order (pairwise) indices."""
    seed: Whole = Field(default=0, ge=0)
    """Seed of the sample (``lhs``, ``sobol``); not of the simulation."""
    source: Source | None = None


class SweepSpec(_Model):
    """A sweep: a scenario, the parameters it varies, a design and replications."""

    name: str
    """Short name, used in titles."""
    description: str = ""
    scenario: str
    """Scenario file, relative to the spec file."""
    fixed: dict[str, Value] = Field(default_factory=dict)
    """Changes applied to the scenario at every point, by dotted path (a shorter horizon…)."""
    parameters: dict[str, Parameter] = Field(min_length=1)
    """The parameters varied, by dotted path into the scenario."""
    design: Design
    replications: Whole | None = Field(default=None, ge=1, le=MAX_REPLICATIONS)
    """Replications of every point (default: the scenario's)."""
    seed: Whole | None = Field(default=None, ge=0)
    """Root seed of the replications (default: the scenario's)."""
    kpis: Literal["headline", "all"] | list[str] = "headline"
    """The KPIs stored (and analysed): the headline KPIs, all, or a list of names."""
    source: Source | None = None


class Sweep:
    """A validated spec with its base scenario (``fixed`` applied) and its file."""

    def __init__(self, spec: SweepSpec, base: Scenario, path: Path | None = None):
        self.spec = spec
        self.base = base
        self.path = path

    @property
    def replications(self) -> int:
        """Replications of every point."""
        return self.spec.replications or self.base.simulation.replications

    @property
    def seed(self) -> int:
        """Root seed: replication *r* of every point uses its *r*-th child."""
        return self.base.simulation.seed if self.spec.seed is None else self.spec.seed

    @property
    def parameters(self) -> list[str]:
        """The dotted paths varied, in spec order."""
        return list(self.spec.parameters)

    def fingerprint(self) -> str:
        """SHA-256 of what determines the results, so that a changed spec is noticed.

        That is the spec's numbers and the base scenario; texts (names, descriptions, sources) are
        left out.
        """
        content = {
            "spec": numbers_only(self.spec.model_dump(mode="json", exclude={"scenario"})),
            "base": numbers_only(self.base.model_dump(mode="json")),
            "replications": self.replications,
            "seed": self.seed,
        }
        text = json.dumps(content, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


def load_spec(path: str | Path) -> Sweep:
    """Read and check a SPEC file and its scenario; raise :class:`ScenarioError` on any problem."""
    path = Path(path)
    name = str(path)
    data, origins = read_yaml(path, name)
    locate = locator(name, origins)
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as error:
        raise ScenarioError([locate(*_explain(item)) for item in error.errors()]) from None
    problems = [locate(loc, message) for loc, message in design_problems(spec)]
    if problems:
        raise ScenarioError(problems)
    trusted = trusted_folders(path)
    refused = named_file_problem(spec.scenario, path.parent / spec.scenario, trusted)
    if refused is not None:
        raise ScenarioError([locate(("scenario",), refused)])
    try:
        scenario = load_scenario(path.parent / spec.scenario, trusted=trusted)
    except ScenarioError as error:
        message = "the scenario file has problems: " + "; ".join(map(str, error.problems))
        raise ScenarioError([locate(("scenario",), message)]) from None
    base = scenario
    for field, value in spec.fixed.items():
        base, problem = _apply(base, field, value, ("fixed", field), locate)
        problems += problem
    if problems:
        raise ScenarioError(problems)
    for field, parameter in spec.parameters.items():
        for value in range_ends(parameter):
            _, problem = _apply(base, field, value, ("parameters", field), locate)
            if problem:
                problems += problem
                break
    if problems:
        raise ScenarioError(problems)
    return Sweep(spec, base, path)


_BRANCHES = ("int", "float", "str", "bool", "list", "literal", "tuple", "function")


def _explain(item: ErrorDetails) -> tuple[tuple, str]:
    """A pydantic error as (field path, message in plain words)."""
    loc = tuple(p for p in item["loc"] if not (isinstance(p, str) and p.startswith(_BRANCHES)))
    kind, value = item["type"], item.get("input")
    got = f" (got {value!r})" if isinstance(value, int | float | str | bool) else ""
    if kind == "extra_forbidden":
        model: type[BaseModel] = Parameter if loc[:1] == ("parameters",) else SweepSpec
        model = Design if loc[:1] == ("design",) else model
        fields = list(model.model_fields)
        close = difflib.get_close_matches(str(loc[-1]), fields, n=1)
        hint = (
            f" (did you mean {close[0]!r}?)" if close else f"; expected one of: {', '.join(fields)}"
        )
        return loc, f"unknown key {loc[-1]!r}{hint}"
    if kind == "missing":
        return loc, "required field is missing"
    text = item["msg"].removeprefix("Value error, ")
    if text.startswith("Input should be "):
        text = "expected " + text.removeprefix("Input should be ")
    text = text.replace("greater than or equal to", "at least").replace(
        "less than or equal to", "at most"
    )
    return loc, text + got


def design_problems(spec: SweepSpec) -> list[tuple[tuple, str]]:
    """What the design needs that a parameter lacks, and bounds that are no range."""
    design = spec.design
    problems: list[tuple[tuple, str]] = []
    if design.kind in ("lhs", "sobol") and design.samples is None:
        problems.append((("design", "samples"), f"required for a {design.kind} design"))
    if design.kind == "sobol" and design.samples and design.samples & (design.samples - 1):
        problems.append((("design", "samples"), f"expected a power of 2 (got {design.samples})"))
    if design.kind != "sobol" and design.second_order:
        problems.append((("design", "second_order"), "only a sobol design has second order"))
    if design.kind == "sobol" and len(spec.parameters) < 2:
        problems.append((("parameters",), "a sobol design needs at least 2 parameters"))
    for name, p in spec.parameters.items():
        problems += [((("parameters", name, *loc)), m) for loc, m in _parameter_problems(p, design)]
    return problems


def _parameter_problems(p: Parameter, design: Design) -> list[tuple[tuple, str]]:
    if p.bounds is None and p.levels is None:
        return [((), "expected bounds: [low, high] or levels: [a, b, …]")]
    if p.bounds is not None and p.levels is not None:
        return [((), "give bounds or levels, not both")]
    if p.levels is not None:
        if design.kind != "grid":
            return [(("levels",), f"a {design.kind} design needs bounds: [low, high]")]
        wrong = [v for v in p.levels if p.integer and not _whole(v)]
        return [(("levels",), f"expected whole numbers (got {wrong[0]!r})")] if wrong else []
    low, high = p.bounds or (0.0, 0.0)
    if not low < high:
        return [(("bounds",), f"expected low below high (got {low:g}, {high:g})")]
    if p.integer and not (_whole(low) and _whole(high)):
        return [(("bounds",), f"expected whole numbers (got {low:g}, {high:g})")]
    if design.kind == "grid" and design.levels is None:
        return [(("bounds",), "a grid over bounds needs design.levels (how many per parameter)")]
    return []


def _whole(value: Any) -> bool:
    return (
        isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer()
    )


def range_ends(parameter: Parameter) -> list[Any]:
    """The values that stand for a parameter's range when checking it against the scenario."""
    if parameter.levels is not None:
        return list(parameter.levels)
    low, high = parameter.bounds or (0.0, 0.0)
    return [int(low), int(high)] if parameter.integer else [low, high]


def _apply(
    scenario: Scenario, field: str, value: Any, loc: tuple, locate: Locator
) -> tuple[Scenario, list[Problem]]:
    """``scenario.with_changes({field: value})``, or the problem it raises located in the spec."""
    missing = missing_field(scenario, field)
    if missing:
        return scenario, [locate(loc, missing)]
    try:
        return scenario.with_changes({field: value}), []
    except ScenarioError as error:
        first = error.problems[0]
        where = f"{first.path}: " if first.path else ""
        message = f"the scenario rejects {value!r}: {where}{first.message}"
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as error:
        message = f"cannot set {field!r} in the scenario ({error})"
    return scenario, [locate(loc, message)]


def missing_field(scenario: Scenario, field: str) -> str:
    """Why ``field`` names no value of the scenario (empty when it does)."""
    node: Any = scenario.model_dump(mode="python")
    done: list[str] = []
    for part in field.split("."):
        if isinstance(node, dict):
            keys = {str(k): k for k in node}
            if part not in keys:
                close = difflib.get_close_matches(part, list(keys), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else f"; known: {', '.join(keys)}"
                where = ".".join(done) or "the top"
                return f"no field {field!r} in the scenario: {where} has no {part!r}{hint}"
            node = node[keys[part]]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return f"no field {field!r} in the scenario: {'.'.join(done)} has no parts"
        done.append(part)
    if isinstance(node, dict | list):
        return f"{field!r} is a block of the scenario, not one value"
    return ""
