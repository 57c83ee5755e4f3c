"""Probability distributions of durations, as a tagged union on ``kind``.

Every distribution is given in the terms a planner knows (a mean and a spread, or bounds) and
turns itself into its inverse distribution function (:data:`Quantile`): the engine draws every
duration by inversion, from one uniform number of the resident it is for.

A stay already in progress when a run starts ends after the distribution's *equilibrium
residual life* (:data:`Residual`): for a stay of distribution F with mean m, the time left has
density (1 − F(x)) / m. It is drawn as a uniform point V·L* in a length-biased stay L* (density
x·f(x) / m, by inversion where it has a closed form), from two uniform numbers.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, model_validator

from forlopsim.scenario.base import Model, NonNegative, Positive

Quantile = Callable[[float], float]
"""A distribution's inverse: a uniform number in [0, 1) to days. The engine draws durations by
inversion, one uniform number each, so a resident's k-th stay of a kind takes their k-th number
of that kind in every scenario (common random numbers, ``forlopsim/engine/streams.py``)."""

Residual = Callable[[float, float], float]
"""Two uniform numbers in [0, 1) to the days left of a stay in progress (the equilibrium
residual life): the first picks a length-biased stay, the second a point in it."""

BISECTIONS = 64  # not a domain number: halvings that pin a float inside [low, high]


def _point_in(length_biased: Quantile) -> Residual:
    """A uniform point ``v·L*`` in a length-biased stay ``L* = length_biased(u)``."""
    return lambda u, v: v * length_biased(u)


class Exponential(Model):
    """Memoryless durations with the given mean."""

    kind: Literal["exponential"]
    mean: Positive
    """Mean, in days."""

    def expected(self) -> float:
        """The mean duration, in days."""
        return self.mean

    def quantile(self) -> Quantile:
        """The inverse distribution function."""
        mean = self.mean
        return lambda u: -mean * math.log1p(-u)

    def residual(self) -> Residual:
        """The same exponential: a memoryless stay has as long to go whenever it is seen."""
        mean = self.mean
        return lambda u, v: -mean * math.log1p(-u)


class Gamma(Model):
    """Gamma durations given by mean and standard deviation."""

    kind: Literal["gamma"]
    mean: Positive
    """Mean, in days."""
    sd: Positive
    """Standard deviation, in days."""

    def expected(self) -> float:
        """The mean duration, in days."""
        return self.mean

    def quantile(self) -> Quantile:
        """The inverse distribution function (the regularised incomplete gamma's inverse)."""
        from scipy import special  # only where a run needs it: validating a file does not

        shape = (self.mean / self.sd) ** 2
        scale = self.sd**2 / self.mean
        return lambda u: scale * float(special.gammaincinv(shape, u))

    def residual(self) -> Residual:
        """A point in a length-biased gamma stay, which is gamma with one more in its shape."""
        from scipy import special

        shape = (self.mean / self.sd) ** 2 + 1
        scale = self.sd**2 / self.mean
        return _point_in(lambda u: scale * float(special.gammaincinv(shape, u)))


class LogNormal(Model):
    """Log-normal durations given by the mean and standard deviation of the duration itself."""

    kind: Literal["lognormal"]
    mean: Positive
    """Mean, in days (of the duration, not of its logarithm)."""
    sd: Positive
    """Standard deviation, in days (of the duration, not of its logarithm)."""

    def expected(self) -> float:
        """The mean duration, in days."""
        return self.mean

    def quantile(self) -> Quantile:
        """The inverse distribution function (the normal's, exponentiated)."""
        from scipy import special  # only where a run needs it: validating a file does not

        sigma2 = math.log1p((self.sd / self.mean) ** 2)
        mu = math.log(self.mean) - sigma2 / 2
        sigma = math.sqrt(sigma2)
        return lambda u: math.exp(mu + sigma * float(special.ndtri(u)))

    def residual(self) -> Residual:
        """A point in a length-biased log-normal stay: log-normal, its log's mean up by σ²."""
        from scipy import special

        sigma2 = math.log1p((self.sd / self.mean) ** 2)
        mu = math.log(self.mean) + sigma2 / 2  # (mean's log − σ²/2) + σ²
        sigma = math.sqrt(sigma2)
        return _point_in(lambda u: math.exp(mu + sigma * float(special.ndtri(u))))


class Weibull(Model):
    """Weibull durations given by shape and scale."""

    kind: Literal["weibull"]
    shape: Positive
    """Shape parameter k (1 is exponential)."""
    scale: Positive
    """Scale parameter, in days."""

    def expected(self) -> float:
        """The mean, scale · Γ(1 + 1/shape), in days."""
        return self.scale * math.gamma(1 + 1 / self.shape)

    def quantile(self) -> Quantile:
        """The inverse distribution function."""
        power, scale = 1 / self.shape, self.scale
        return lambda u: scale * (-math.log1p(-u)) ** power

    def residual(self) -> Residual:
        """A point in a length-biased Weibull stay: scale·G^(1/k), G gamma of shape 1 + 1/k."""
        from scipy import special

        power, scale = 1 / self.shape, self.scale
        return _point_in(lambda u: scale * float(special.gammaincinv(1 + power, u)) ** power)


class Triangular(Model):
    """Triangular durations between ``low`` and ``high`` with the given mode."""

    kind: Literal["triangular"]
    low: NonNegative
    mode: NonNegative
    high: Positive

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.mode <= self.high or self.low == self.high:
            raise ValueError("expected low <= mode <= high with low < high")
        return self

    def expected(self) -> float:
        """The mean, (low + mode + high) / 3, in days."""
        return (self.low + self.mode + self.high) / 3

    def quantile(self) -> Quantile:
        """The inverse distribution function (two square-root branches, split at the mode)."""
        low, mode, high = self.low, self.mode, self.high
        split = (mode - low) / (high - low)

        def quantile(u: float) -> float:
            if u < split:
                return low + math.sqrt(u * (high - low) * (mode - low))
            return high - math.sqrt((1 - u) * (high - low) * (high - mode))

        return quantile

    def residual(self) -> Residual:
        """A point in a length-biased triangular stay (its distribution inverted by bisection)."""
        low, mode, high = self.low, self.mode, self.high

        def moment(x: float) -> float:  # ∫ t·f(t) dt from low to x, times (high − low)/2
            if x <= mode:
                rising = 0.0 if mode == low else 1 / (mode - low)
                return rising * (x**3 / 3 - low * x**2 / 2 - (low**3 / 3 - low**3 / 2))
            falling = 0.0 if high == mode else 1 / (high - mode)
            return moment(mode) + falling * (high * (x**2 - mode**2) / 2 - (x**3 - mode**3) / 3)

        total = moment(high)

        def length_biased(u: float) -> float:
            a, b = low, high
            for _ in range(BISECTIONS):
                middle = (a + b) / 2
                a, b = (middle, b) if moment(middle) < u * total else (a, middle)
            return (a + b) / 2

        return _point_in(length_biased)


class Uniform(Model):
    """Durations spread evenly between ``low`` and ``high``."""

    kind: Literal["uniform"]
    low: NonNegative
    high: Positive

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError("expected low < high")
        return self

    def expected(self) -> float:
        """The mean, (low + high) / 2, in days."""
        return (self.low + self.high) / 2

    def quantile(self) -> Quantile:
        """The inverse distribution function."""
        low, width = self.low, self.high - self.low
        return lambda u: low + u * width

    def residual(self) -> Residual:
        """A point in a length-biased uniform stay: its square is uniform between the squares."""
        low2, high2 = self.low**2, self.high**2
        return _point_in(lambda u: math.sqrt(low2 + u * (high2 - low2)))


class Fixed(Model):
    """The same duration every time."""

    kind: Literal["fixed"]
    value: NonNegative
    """Duration, in days."""

    def expected(self) -> float:
        """The duration itself, in days."""
        return self.value

    def quantile(self) -> Quantile:
        """The value, whatever the uniform number."""
        value = self.value
        return lambda u: value

    def residual(self) -> Residual:
        """Uniform between 0 and the value: a fixed stay seen at a random point of it."""
        value = self.value
        return lambda u, v: v * value


class Empirical(Model):
    """Durations drawn from observed values, optionally weighted."""

    kind: Literal["empirical"]
    values: list[NonNegative] = Field(min_length=1)
    """Observed durations, in days."""
    weights: list[NonNegative] | None = None
    """Relative weight of each value (equal when left out)."""

    @model_validator(mode="after")
    def _weights_match(self) -> Empirical:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError("expected as many weights as values")
            if sum(self.weights) <= 0:
                raise ValueError("expected weights with a positive sum")
        return self

    def _probabilities(self) -> np.ndarray:
        weights = np.ones(len(self.values)) if self.weights is None else np.array(self.weights)
        return weights / weights.sum()

    def expected(self) -> float:
        """The weighted mean of the values, in days."""
        return float(np.dot(self.values, self._probabilities()))

    def quantile(self) -> Quantile:
        """The inverse distribution function.

        The first value whose cumulative weight exceeds the uniform number.
        """
        values = [float(v) for v in self.values]
        cumulative = np.cumsum(self._probabilities()).tolist()
        cumulative[-1] = 1.0
        return lambda u: values[bisect.bisect_right(cumulative, u)]

    def residual(self) -> Residual:
        """A point in a length-biased value: each value weighted by its weight times itself."""
        values = [float(v) for v in self.values]
        biased = self._probabilities() * np.array(values)
        if biased.sum() <= 0:  # every stay lasts 0 days: none is in progress
            return lambda u, v: 0.0
        cumulative = np.cumsum(biased / biased.sum()).tolist()
        cumulative[-1] = 1.0
        return _point_in(lambda u: values[bisect.bisect_right(cumulative, u)])


Distribution = Annotated[
    Exponential | Gamma | LogNormal | Weibull | Triangular | Uniform | Fixed | Empirical,
    Field(discriminator="kind"),
]
"""A duration distribution in days; ``kind`` names which."""
