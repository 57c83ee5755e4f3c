"""The two input files of a calibration: targets (what to reproduce) and parameters (what to fit).

Both are YAML, read with the scenario loader's safe reader, so a problem is reported as
``file:line: field: what was expected``, never a traceback.
"""

from __future__ import annotations

import difflib
import math
from pathlib import Path
from typing import Annotated, TypeVar, cast

from pydantic import Field, Strict, ValidationError, model_validator
from pydantic_core import ErrorDetails

from forlopsim.errors import ScenarioError
from forlopsim.limits import MAX_REPLICATIONS
from forlopsim.scenario.base import Model, Positive
from forlopsim.scenario.loader import locator, read_yaml

M = TypeVar("M", bound=Model)


class Target(Model):
    """One published figure the baseline should reproduce, as a KPI of forlopsim."""

    kpi: str
    """The KPI's dotted name (``docs/kpis.md``), e.g. ``homeless_incl_temporary_mean``."""
    observed: float | None = None
    """The published value; give it with ``tolerance``, or give ``range`` instead."""
    tolerance: Positive | None = None
    """How far the simulated mean may lie from ``observed`` and still count as a fit."""
    range: tuple[float, float] | None = None
    """A published range (low, high): the fit is within it; the distance is from its middle."""
    weight: Annotated[float, Field(ge=0.0)] = 1.0
    """Weight in the distance; 0 reports the target in the fit table without fitting it."""
    source: str
    """Where the figure comes from: a row of ``shared/calibration/figures.md`` or a document."""
    note: str | None = None
    """How the published figure was turned into this KPI's value (scaling, interpretation)."""

    @model_validator(mode="after")
    def _one_form(self) -> Target:
        point = self.observed is not None or self.tolerance is not None
        if point == (self.range is not None):
            raise ValueError("give either observed and tolerance, or range: [low, high]")
        if point and (self.observed is None or self.tolerance is None):
            raise ValueError("observed and tolerance go together: give both")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range: expected low < high, got {list(self.range)}")
        return self

    @property
    def centre(self) -> float:
        """The value the distance is measured from."""
        if self.range is None:  # then observed and tolerance are given (_one_form)
            return cast(float, self.observed)
        return (self.range[0] + self.range[1]) / 2

    @property
    def half_width(self) -> float:
        """The distance from :attr:`centre` that still counts as a fit."""
        if self.range is None:  # then observed and tolerance are given (_one_form)
            return cast(float, self.tolerance)
        return (self.range[1] - self.range[0]) / 2

    def within(self, value: float) -> bool:
        """Whether a simulated mean counts as reproducing the figure."""
        return math.isfinite(value) and abs(value - self.centre) <= self.half_width


class TargetsFile(Model):
    """``calibration/targets.yaml``: the targets by name."""

    targets: Annotated[dict[str, Target], Field(min_length=1)]
    """Targets by a short name (e.g. ``T5_homeless``)."""


class Parameter(Model):
    """One scenario parameter to fit: a dotted path with bounds, or a factor on a block."""

    path: str
    """Dotted path into the scenario, e.g. ``hazards.own_housing.per_year``."""
    bounds: tuple[float, float] | None = None
    """Set the number at ``path`` to a value in (low, high)."""
    scale: tuple[float, float] | None = None
    """Multiply every number under ``path`` by a factor in (low, high), keeping their ratios."""
    log: bool | None = None
    """Search on a log scale (the default for ``scale``, where 0.5 and 2 are equally far)."""
    source: str
    """Why this parameter is fitted: the ``assumption: …`` it replaces."""

    @model_validator(mode="after")
    def _one_form(self) -> Parameter:
        if (self.bounds is None) == (self.scale is None):
            raise ValueError("give either bounds: [low, high] or scale: [low, high]")
        low, high = self.interval
        if not low < high:
            raise ValueError(f"expected low < high, got {[low, high]}")
        if self.on_log_scale and low <= 0:
            raise ValueError(f"a log scale needs a positive low end, got {low}")
        return self

    @property
    def interval(self) -> tuple[float, float]:
        """The (low, high) of the value or the factor."""
        if self.bounds is not None:
            return self.bounds
        return cast("tuple[float, float]", self.scale)  # one of the two is given (_one_form)

    @property
    def on_log_scale(self) -> bool:
        """Whether the search moves on the logarithm of the value."""
        return self.scale is not None if self.log is None else self.log

    def from_unit(self, u: float) -> float:
        """The value (or factor) at position ``u`` in [0, 1] of the search interval."""
        low, high = self.interval
        if self.on_log_scale:
            return math.exp(math.log(low) + u * (math.log(high) - math.log(low)))
        return low + u * (high - low)

    def to_unit(self, value: float) -> float:
        """Position of ``value`` in the search interval, clipped to [0, 1]."""
        low, high = self.interval
        if self.on_log_scale:
            u = (math.log(value) - math.log(low)) / (math.log(high) - math.log(low))
        else:
            u = (value - low) / (high - low)
        return min(max(u, 0.0), 1.0)


class ParametersFile(Model):
    """``PARAMS.yaml``: the parameters to fit and, optionally, the calibration's settings."""

    parameters: Annotated[dict[str, Parameter], Field(min_length=1)]
    """Parameters by a short name (e.g. ``own_housing``)."""
    replications: Annotated[int, Strict(), Field(ge=2, le=MAX_REPLICATIONS)] | None = None
    """Replications per candidate point (command-line ``--replications`` wins)."""
    max_evaluations: Annotated[int, Strict(), Field(ge=1)] | None = None
    """Candidate points to evaluate at most (command-line ``--max-evaluations`` wins)."""


def load_targets(path: str | Path) -> TargetsFile:
    """Read and check a targets file; raise :class:`ScenarioError` naming file, line and field."""
    return load_model(Path(path), TargetsFile, "calibration targets")


def load_parameters(path: str | Path) -> ParametersFile:
    """Read and check a parameters file; raise :class:`ScenarioError` naming file, line and field."""
    return load_model(Path(path), ParametersFile, "calibration parameters")


def load_model(path: Path, model: type[M], what: str) -> M:
    """Read a YAML file of ``what`` into ``model``.

    Every problem is located by file, line and field path.
    """
    top = ", ".join(f"{name}:" for name in model.model_fields)
    data, origins = read_yaml(path, fields=f"{what} ({top})")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        locate = locator(str(path), origins)
        items = error.errors(include_url=False)
        raise ScenarioError([locate(item["loc"], _message(item)) for item in items]) from None


def _message(item: ErrorDetails) -> str:
    """One pydantic error in plain words, with a "did you mean" for an unknown key."""
    if item["type"] == "extra_forbidden":
        key = str(item["loc"][-1])
        close = difflib.get_close_matches(key, _field_names(), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown key {key!r}{hint}"
    if item["type"] == "missing":
        return "required, but missing"
    message = item["msg"].removeprefix("Value error, ")
    if "input" in item and item["type"] != "value_error":
        message += f" (got {item['input']!r})"
    return message


def _field_names() -> list[str]:
    """Every field name of the calibration files, for "did you mean" hints."""
    names: set[str] = set()
    for m in (TargetsFile, Target, ParametersFile, Parameter):
        names |= set(m.model_fields)
    return sorted(names)
