"""Probability distributions of durations, as a tagged union on ``kind``.

Every distribution is given in the terms a planner knows (a mean and a spread, or bounds) and
turns itself into a sampler: a function of a ``numpy.random.Generator`` returning days.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, model_validator

from forlopsim.scenario.base import Model, NonNegative, Positive

Sampler = Callable[[np.random.Generator], float]


class Exponential(Model):
    """Memoryless durations with the given mean."""

    kind: Literal["exponential"]
    mean: Positive
    """Mean, in days."""

    def expected(self) -> float:
        """The mean duration, in days."""
        return self.mean

    def sampler(self) -> Sampler:
        """Draws of an exponential with this mean."""
        mean = self.mean
        return lambda rng: rng.exponential(mean)


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

    def sampler(self) -> Sampler:
        """Draws of a gamma with shape (mean/sd)² and scale sd²/mean."""
        shape = (self.mean / self.sd) ** 2
        scale = self.sd**2 / self.mean
        return lambda rng: rng.gamma(shape, scale)


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

    def sampler(self) -> Sampler:
        """Draws of a log-normal whose μ and σ give this mean and standard deviation."""
        sigma2 = math.log1p((self.sd / self.mean) ** 2)
        mu = math.log(self.mean) - sigma2 / 2
        sigma = math.sqrt(sigma2)
        return lambda rng: rng.lognormal(mu, sigma)


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

    def sampler(self) -> Sampler:
        """Draws of a Weibull with this shape and scale."""
        shape, scale = self.shape, self.scale
        return lambda rng: scale * rng.weibull(shape)


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

    def sampler(self) -> Sampler:
        """Draws of a triangular distribution on these bounds and mode."""
        low, mode, high = self.low, self.mode, self.high
        return lambda rng: rng.triangular(low, mode, high)


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

    def sampler(self) -> Sampler:
        """Draws of a uniform distribution on [low, high)."""
        low, high = self.low, self.high
        return lambda rng: rng.uniform(low, high)


class Fixed(Model):
    """The same duration every time."""

    kind: Literal["fixed"]
    value: NonNegative
    """Duration, in days."""

    def expected(self) -> float:
        """The duration itself, in days."""
        return self.value

    def sampler(self) -> Sampler:
        """Always the same duration (no random number is drawn)."""
        value = self.value
        return lambda rng: value


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

    def sampler(self) -> Sampler:
        """Draws of one of the values, with its probability (one uniform number per draw)."""
        values = np.array(self.values, dtype=float)
        cumulative = np.cumsum(self._probabilities())
        cumulative[-1] = 1.0
        return lambda rng: float(values[np.searchsorted(cumulative, rng.random(), side="right")])


Distribution = Annotated[
    Exponential | Gamma | LogNormal | Weibull | Triangular | Uniform | Fixed | Empirical,
    Field(discriminator="kind"),
]
"""A duration distribution in days; ``kind`` names which."""
