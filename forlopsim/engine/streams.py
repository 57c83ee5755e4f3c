"""Random numbers: each referral stream's arrivals, and each resident's own numbers.

Common random numbers are synchronised by resident. Every number comes from Philox4x64-10
(Salmon et al. 2011, numpy's ``Philox``), a counter-based generator: the number at any counter
can be had without drawing the ones before it. The key is the replication's; the counter names
what the number is for:

* the arrivals of a referral stream: ``(n, 0, 0, stream)``, in order;
* the residents of a stream, ``(n, 0, 1, stream)``: the i-th resident referred by that stream
  takes the i-th row of :data:`ROW` numbers, split by :data:`KINDS` (``initial`` is the initial
  population's stream);
* a resident's numbers of a kind past their row: ``(0, 1 + block, kind + K·i, stream)`` for
  the first ``K`` (:data:`FIRST_KINDS`) kinds, ``(0, 1 + block, i, stream + 2³²·(kind − K + 1))``
  for kinds added since (a stream's word is 32 bits, so its high bits name the kind).

A stream is named by a CRC-32 of its name, so adding, removing or reordering streams leaves the
others' numbers alone. Two scenarios run with the same seed therefore have the same residents
arriving at the same times with the same attributes, and a resident's k-th crisis, stay or
choice of a kind takes the same number in both: a what-if changes only the lives it touches.
"""

from __future__ import annotations

import array
import itertools
import math
import zlib
from collections.abc import Callable, Iterator

import numpy as np

KINDS: tuple[tuple[str, int, bool], ...] = (
    # (kind, how many a resident's row holds, exponential rather than uniform)
    # the competing risks first (their index is the risk's index in Resident.hazard): each
    # takes an exponential threshold of cumulative hazard per event (the next-reaction method)
    ("crisis", 12, True),
    ("tenancy_breakdown", 4, True),
    ("need_up", 3, True),
    ("need_down", 3, True),
    ("recovery", 1, True),
    ("move_away", 1, True),
    ("death", 1, True),
    ("treatment_referral", 4, True),
    ("own_housing", 3, True),
    # then the uniform numbers of choices and durations
    ("attributes", 6, False),  # sex, age group, problem, violence risk, need, where they start
    ("crisis_route", 6, False),
    ("crisis_outcome", 8, False),
    ("stay", 10, False),  # length of a stay, whether it ends early, and how early
    ("time_limit", 4, False),
    ("ban", 2, False),  # whether a breakdown bars, and for how long
    ("after_breakdown", 2, False),  # whether temporary housing is an option
    ("low_threshold", 4, False),
    ("handover", 2, False),
    ("death_cause", 1, False),
    # kinds added later hold nothing in the row (size 0), so that the rows, and every number
    # of the kinds above, stay as they were: each of their numbers comes from its own blocks
    ("application", 0, False),  # the allocation office's processing time
    ("assessment", 0, False),  # assessment before a planned admission
    ("initial_state", 0, False),  # time 0 as it is: days waited, the rest of a stay in progress
)
"""Every kind of a resident's numbers, in a fixed order (append only: never reorder). The row
sizes only save work (about the 95th percentile of what a resident of the calibrated baseline
needs of each kind, ``bench/README.md``): a resident who needs more of a kind gets them from
the kind's own blocks beyond the row, the same numbers whatever the sizes."""


KIND = {name: i for i, (name, _, _) in enumerate(KINDS)}
"""The index of each kind."""
ATTRIBUTES = KIND["attributes"]
CRISIS_ROUTE = KIND["crisis_route"]
CRISIS_OUTCOME = KIND["crisis_outcome"]
STAY = KIND["stay"]
TIME_LIMIT = KIND["time_limit"]
BAN = KIND["ban"]
AFTER_BREAKDOWN = KIND["after_breakdown"]
LOW_THRESHOLD = KIND["low_threshold"]
HANDOVER = KIND["handover"]
DEATH_CAUSE = KIND["death_cause"]
APPLICATION = KIND["application"]
ASSESSMENT = KIND["assessment"]
INITIAL_STATE = KIND["initial_state"]
RISKS = tuple(name for name, _, exponential in KINDS if exponential)
"""The competing risks, in their index order (``KIND[risk] == RISKS.index(risk)``)."""
SIZE = tuple(size for _, size, _ in KINDS)
OFFSET = tuple(itertools.accumulate((0, *SIZE[:-1])))
ROW = sum(SIZE)
"""Numbers in a resident's row."""
EXPONENTIAL = tuple(exponential for _, _, exponential in KINDS)
EXTRA = 16  # not a domain number: a resident's numbers of a kind past their row, per block
FIRST_KINDS = 19
"""The kinds of the first layout (up to ``death_cause``): their blocks past the row are
counted as ``(0, 1 + block, kind + FIRST_KINDS·i, stream)``; a kind added later counts its
own as ``(0, 1 + block, i, stream + 2³²·(kind − FIRST_KINDS + 1))``. Philox advances the first
word as it draws, so only the other three may tell blocks apart: no two kinds share a counter,
and adding a kind changes no number of another."""
CHUNK = 256  # not a domain number: residents' rows drawn at once
INITIAL = "initial"
"""The stream name of the initial population."""

EXPONENTIAL_COLUMNS = sum(size for _, size, exponential in KINDS if exponential)
"""The risks' numbers lead the row: its first this many are exponential, the rest uniform."""
assert not any(EXPONENTIAL[len(RISKS) :]), "KINDS lists the competing risks first"
END = tuple(offset + size for offset, size in zip(OFFSET, SIZE, strict=True))
"""Where each kind's numbers in the row end."""


def stream_id(name: str) -> int:
    """The counter word that names a stream (a CRC-32 of its name)."""
    return zlib.crc32(name.encode())


def _philox(key: np.ndarray, counter: tuple[int, int, int, int]) -> np.random.Generator:
    return np.random.Generator(np.random.Philox(counter=np.array(counter, np.uint64), key=key))


class Stream:
    """A generator with buffered standard-exponential and uniform draws (a referral stream's).

    ``exponential`` and ``uniform`` are the ``__next__`` of an endless chain of blocks: a call
    costs no Python frame, and a new block is drawn only when one is asked for after the last
    block ran out, exactly when a scalar draw would have needed it.
    """

    __slots__ = ("exponential", "uniform")

    def __init__(self, generator: np.random.Generator):
        """Draws of ``generator``."""
        self.exponential: Callable[[], float] = _buffered(generator.standard_exponential)
        """A standard exponential (mean 1); divide by a rate to get a waiting time."""
        self.uniform: Callable[[], float] = _buffered(generator.random)
        """A uniform number in [0, 1)."""


BLOCK = 512  # not a domain number: how many draws are made at once


def _buffered(draw: Callable[[int], np.ndarray]) -> Callable[[], float]:
    """Next-value function over blocks of ``draw(BLOCK)``, each drawn when first needed."""

    def blocks() -> Iterator[list[float]]:
        while True:
            yield draw(BLOCK).tolist()

    return itertools.chain.from_iterable(blocks()).__next__


Row = array.array
"""A resident's row of numbers (an ``array('d')``)."""


class _Rows:
    """One stream's residents' rows, drawn :data:`CHUNK` at a time, handed out in order."""

    __slots__ = ("_chunk", "_generator", "_next")

    def __init__(self, generator: np.random.Generator):
        """Rows of ``generator``'s numbers."""
        self._generator = generator
        self._chunk = array.array("d")
        self._next = CHUNK

    def next(self) -> Row:
        """The next row."""
        if self._next == CHUNK:
            block = self._generator.random((CHUNK, ROW))
            risks = block[:, :EXPONENTIAL_COLUMNS]
            np.negative(np.log1p(np.negative(risks, out=risks), out=risks), out=risks)
            self._chunk = array.array("d", block.tobytes())
            self._next = 0
        start = self._next * ROW
        self._next += 1
        return self._chunk[start : start + ROW]


class Streams:
    """The random numbers of one replication.

    Arrivals per referral stream, residents' rows, and residents' numbers past their rows.
    """

    __slots__ = ("_key", "_rows", "_spare", "_spare_state")

    def __init__(self, seed: np.random.SeedSequence):
        """The replication's Philox key, from its seed (the same for any number of workers)."""
        self._key = seed.generate_state(2, np.uint64)
        self._rows: dict[int, _Rows] = {}
        spare = np.random.Philox(key=self._key)
        self._spare = np.random.Generator(spare)
        self._spare_state = spare.state

    def arrivals(self, name: str) -> Stream:
        """The draws of the referral stream ``name``'s arrival process."""
        return Stream(_philox(self._key, (0, 0, 0, stream_id(name))))

    def row(self, stream: int) -> Row:
        """The next resident's row of ``stream`` (a :func:`stream_id`).

        :data:`ROW` numbers, exponential for the risks and uniform for the rest, as a compact
        array (a replication makes about 800,000 of them and uses a third).
        """
        rows = self._rows.get(stream)
        if rows is None:
            rows = self._rows[stream] = _Rows(_philox(self._key, (0, 0, 1, stream)))
        return rows.next()

    def beyond_row(self, stream: int, index: int, kind: int, block: int) -> list[float]:
        """A resident's numbers of ``kind`` past their row, block ``block`` (:data:`EXTRA`)."""
        generator = self._spare
        state = self._spare_state
        if kind < FIRST_KINDS:
            counter = (0, 1 + block, kind + FIRST_KINDS * index, stream)
        else:
            counter = (0, 1 + block, index, stream + ((kind - FIRST_KINDS + 1) << 32))
        state["state"]["counter"] = np.array(counter, np.uint64)
        state["buffer_pos"] = 4  # the buffer holds nothing of this counter
        generator.bit_generator.state = state
        numbers = generator.random(EXTRA).tolist()
        if EXPONENTIAL[kind]:
            return [-math.log1p(-u) for u in numbers]
        return numbers


def replication_seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    """The seed of each replication: the same whatever the number of workers."""
    return np.random.SeedSequence(seed).spawn(replications)
