"""The uncertainty file: which scenario parameters we do not know, and how they may vary.

The file has the form of a calibration's parameters file (:mod:`forlopsim.calibration.spec`),
so ``calibration/parameters.yaml`` can be given as it is: each parameter is a dotted path with
``bounds`` (the number itself) or ``scale`` (a factor on every number of a block). A parameter may
add a ``distribution`` over that interval; without one it is uniform over it, on the log scale
where the calibration searches on it (factors, by default: 0.5 and 2 are then equally likely).
Normal and log-normal distributions are truncated to the interval, so that every drawn value lies
where the file's check found valid scenarios. The calibration's own settings (``replications``,
``max_evaluations``) are accepted and not used.

The draws are a Latin hypercube (:class:`scipy.stats.qmc.LatinHypercube`) seeded from the run's
seed, mapped through each distribution's quantile function: the same seed gives the same draws.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, Strict, model_validator
from scipy import stats
from scipy.stats import qmc

from forlopsim.calibration.parameters import changes, check_parameters, current
from forlopsim.calibration.spec import Parameter, load_model
from forlopsim.errors import ScenarioError
from forlopsim.scenario import Scenario
from forlopsim.scenario.base import Model, Positive
from forlopsim.scenario.loader import locator, read_yaml

DESIGN_STREAM = 0x50534131
"""Mixed with the run's seed for the draws' generator, so that they share no numbers with the
replications' seeds (the children of ``SeedSequence(seed)``). Not a domain number."""
WHAT = "uncertain parameters"


class Distribution(Model):
    """How a parameter's value (or factor) is spread over its interval."""

    kind: Literal["uniform", "triangular", "normal", "lognormal"] = "uniform"
    """``uniform`` over the interval (on the log scale if the parameter is), ``triangular``
    from low to high with its peak at ``mode``, or ``normal`` / ``lognormal`` with ``mean``
    and ``sd``, truncated to the interval."""
    mode: float | None = None
    """The most likely value of a triangular distribution."""
    mean: float | None = None
    """Mean of a normal or log-normal distribution (before truncation)."""
    sd: Positive | None = None
    """Standard deviation of a normal or log-normal distribution (before truncation)."""

    @model_validator(mode="after")
    def _fields_of_kind(self) -> Distribution:
        wanted: dict[str, set[str]] = {
            "uniform": set(),
            "triangular": {"mode"},
            "normal": {"mean", "sd"},
        }
        needs = wanted.get(self.kind, {"mean", "sd"})
        given = {name for name in ("mode", "mean", "sd") if getattr(self, name) is not None}
        if given != needs:
            expected = ", ".join(sorted(needs)) or "no mode, mean or sd"
            raise ValueError(f"a {self.kind} distribution takes {expected}")
        if self.kind == "lognormal" and not (self.mean or 0) > 0:
            raise ValueError(f"a lognormal distribution needs a positive mean, got {self.mean}")
        return self


class UncertainParameter(Parameter):
    """A calibration parameter with, optionally, a distribution over its interval.

    Unlike a calibration's, the interval may have no width (``[x, x]``): a value held fixed.
    """

    distribution: Distribution = Distribution()
    """How the value is spread over the interval (default: uniform)."""

    @model_validator(mode="after")
    def _one_form(self) -> UncertainParameter:
        if (self.bounds is None) == (self.scale is None):
            raise ValueError("give either bounds: [low, high] or scale: [low, high]")
        low, high = self.interval
        if not low <= high:
            raise ValueError(f"expected low <= high, got {[low, high]}")
        if self.on_log_scale and low <= 0:
            raise ValueError(f"a log scale needs a positive low end, got {low}")
        centre = (
            self.distribution.mode if self.distribution.mean is None else self.distribution.mean
        )
        if centre is not None and not low <= centre <= high:
            raise ValueError(f"distribution: {centre:g} lies outside [{low:g}, {high:g}]")
        return self

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """The values at probabilities ``u`` (in [0, 1)) of the parameter's distribution."""
        low, high = self.interval
        d = self.distribution
        if low == high:
            return np.full(len(u), low, dtype=float)
        if d.kind == "uniform":
            return np.array([self.from_unit(float(x)) for x in u])
        if d.kind == "triangular":
            peak = (float(d.mode or low) - low) / (high - low)
            return np.asarray(stats.triang.ppf(u, peak, loc=low, scale=high - low), dtype=float)
        law = _normal_law(d) if d.kind == "normal" else _lognormal_law(d)
        a, b = law.cdf(low), law.cdf(high)
        return np.clip(np.asarray(law.ppf(a + u * (b - a)), dtype=float), low, high)


def _normal_law(d: Distribution) -> Any:
    return stats.norm(loc=d.mean, scale=d.sd)


def _lognormal_law(d: Distribution) -> Any:
    """The log-normal with the given mean and sd of the value (not of its logarithm)."""
    mean, sd = float(d.mean or 1.0), float(d.sd or 0.0)
    sigma2 = math.log1p((sd / mean) ** 2)
    return stats.lognorm(s=math.sqrt(sigma2), scale=mean * math.exp(-sigma2 / 2))


class UncertaintyFile(Model):
    """``--uncertainty SPEC``: the uncertain parameters by name (a calibration's file will do)."""

    parameters: Annotated[dict[str, UncertainParameter], Field(min_length=1)]
    """Parameters by a short name (e.g. ``own_housing``)."""
    replications: Annotated[int, Strict(), Field(ge=2)] | None = None
    """A calibration's replications per candidate point: accepted, not used here."""
    max_evaluations: Annotated[int, Strict(), Field(ge=1)] | None = None
    """A calibration's number of candidate points: accepted, not used here."""


def load_uncertainty(path: str | Path, scenarios: Sequence[Scenario]) -> UncertaintyFile:
    """Read the file and check it against every scenario.

    Every path must hold numbers in each scenario and both ends of every interval must give
    valid scenarios; otherwise :class:`ScenarioError` names the file, line and field.
    """
    path = Path(path)
    spec = load_model(path, UncertaintyFile, WHAT)
    _, origins = read_yaml(path, fields=WHAT)
    locate = locator(str(path), origins)
    for scenario in scenarios:
        try:
            check_parameters(scenario, spec.parameters, path)
        except ScenarioError as error:
            problems = [
                locate(tuple(p.path.split(".")), f"{p.message} (in {scenario.name})")
                for p in error.problems
            ]
            raise ScenarioError(problems) from None
    return spec


def draw_table(spec: UncertaintyFile, draws: int, seed: int) -> pd.DataFrame:
    """The drawn values: one row per draw (index ``draw``), one column per parameter name.

    A Latin hypercube of ``draws`` points seeded from ``seed`` and :data:`DESIGN_STREAM`,
    through each parameter's quantile function.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, DESIGN_STREAM]))
    unit = qmc.LatinHypercube(d=len(spec.parameters), rng=rng).random(draws)
    table = pd.DataFrame(
        {name: p.quantile(unit[:, j]) for j, (name, p) in enumerate(spec.parameters.items())}
    )
    table.index.name = "draw"
    return table


def drawn(
    scenario: Scenario,
    base: Scenario,
    parameters: Mapping[str, Parameter],
    values: Mapping[str, float],
) -> Scenario:
    """``scenario`` with one draw's values applied, a what-if's own changes kept on top.

    A factor multiplies the scenario's own block (a what-if's change to it scales with it); a
    value replaces the number at its path unless the what-if set that number itself, which then
    stays. A number the scenario holds as a whole number is rounded (:func:`changes`).
    """
    kept = {
        name: p
        for name, p in parameters.items()
        if p.scale is not None or current(scenario, p.path) == current(base, p.path)
    }
    return scenario.with_changes(changes(scenario, kept, values))
