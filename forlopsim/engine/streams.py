"""One random stream per kind of draw, spawned from a replication's ``SeedSequence``.

Separate streams are what make common random numbers work: changing how often one kind of draw
happens (say, crisis-bed stays) does not shift the numbers any other kind receives. Standard
exponentials and uniforms are drawn in blocks, because a scalar call into NumPy costs more than
the event that needs it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import numpy as np

STREAM_NAMES: tuple[str, ...] = (
    "referral",
    "attributes",
    "start",
    "tenancy_breakdown",
    "crisis",
    "need_up",
    "need_down",
    "recovery",
    "move_away",
    "death",
    "treatment_referral",
    "crisis_route",
    "crisis_outcome",
    "length_of_stay",
    "ban",
    "low_threshold",
    "handover",
    "own_housing",
)
"""Kinds of draw, in the fixed order their seeds are spawned (append only: never reorder)."""

BLOCK = 512  # not a domain number: how many draws are made at once


class Stream:
    """A generator with buffered standard-exponential and uniform draws.

    ``exponential`` and ``uniform`` are the ``__next__`` of an endless chain of blocks: a call
    costs no Python frame, and a new block is drawn only when one is asked for after the last
    block ran out, exactly when a scalar draw would have needed it.
    """

    __slots__ = ("exponential", "generator", "uniform")

    def __init__(self, seed: np.random.SeedSequence):
        self.generator = np.random.Generator(np.random.PCG64(seed))
        self.exponential: Callable[[], float] = _buffered(self.generator.standard_exponential)
        """A standard exponential (mean 1); divide by a rate to get a waiting time."""
        self.uniform: Callable[[], float] = _buffered(self.generator.random)
        """A uniform number in [0, 1)."""


def _buffered(draw: Callable[[int], np.ndarray]) -> Callable[[], float]:
    """Next-value function over blocks of ``draw(BLOCK)``, each drawn when first needed."""

    def blocks() -> Iterator[list[float]]:
        while True:
            yield draw(BLOCK).tolist()

    return itertools.chain.from_iterable(blocks()).__next__


class Streams:
    """The named streams of one replication, e.g. ``streams.crisis.exponential()``."""

    def __init__(self, seed: np.random.SeedSequence):
        self.seeds = dict(zip(STREAM_NAMES, seed.spawn(len(STREAM_NAMES)), strict=True))
        for name, child in self.seeds.items():
            setattr(self, name, Stream(child))

    def referral_streams(self, count: int) -> list[Stream]:
        """One stream per referral stream, children of the ``referral`` seed, in file order."""
        return [Stream(child) for child in self.seeds["referral"].spawn(count)]

    def __getattr__(self, name: str) -> Stream:  # for type checkers: attributes set in __init__
        raise AttributeError(name)


def replication_seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    """The seed of each replication: the same whatever the number of workers."""
    return np.random.SeedSequence(seed).spawn(replications)
