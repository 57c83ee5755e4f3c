"""The command-line options and argument types the commands share, each defined once.

As pip's ``cli/cmdoptions.py`` does: an :class:`Option` holds the flags and the settings of one
option, and a command adds it with :meth:`Option.add`, changing a setting (its help text, its
minimum) where that command means something else by it. The groups that several commands take
together (:func:`add_run_options`, :func:`add_sweep_options`, :func:`add_base_and_whatifs`) are
here too, so that ``run``, ``compare`` and ``report`` (or ``sweep`` and ``sensitivity``) cannot
drift apart.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from forlopsim.limits import MAX_REPLICATIONS


def whole_number(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``minimum`` (and at most ``maximum``)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected {minimum} or more, got {value}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"expected at most {maximum:,}, got {value:,}")
        return value

    return parse


class Container(Protocol):
    """A parser, argument group or mutually exclusive group: anything options are added to."""

    def add_argument(self, *flags: str, **settings: Any) -> argparse.Action:
        """Add one option (as :meth:`argparse.ArgumentParser.add_argument`)."""
        ...


@dataclass(frozen=True)
class Option:
    """One option: its flags and ``add_argument`` settings, added to a parser by :meth:`add`."""

    flags: tuple[str, ...]
    settings: Mapping[str, Any]

    def add(self, parser: Container, **changes: Any) -> None:
        """Add the option to ``parser`` (or a group), with ``changes`` to its settings."""
        parser.add_argument(*self.flags, **{**self.settings, **changes})


REPLICATIONS = Option(
    ("--replications", "-n"),
    {"type": whole_number(1, MAX_REPLICATIONS), "help": "default: the (base) scenario's"},
)
SEED = Option(
    ("--seed",), {"type": whole_number(0), "help": "root seed (default: the (base) scenario's)"}
)


def out_folder(text: str) -> Path:
    """An argparse type: a folder name, not empty (``--out ''`` would mean the current folder)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty folder name; give a folder, e.g. --out results")
    return Path(text)


OUT = Option(
    ("--out",),
    {"type": out_folder, "help": "folder for results (nothing is written without it)"},
)
FORCE = Option(
    ("--force",),
    {
        "action": "store_true",
        "help": "write into an --out folder that holds files forlopsim did not write: they are "
        "kept, and only forlopsim's own files are replaced",
    },
)
NO_RECORDS = Option(
    ("--no-records",),
    {"action": "store_true", "help": "do not write the event records (Parquet)"},
)
SCHEDULER = Option(
    ("--scheduler",),
    {"metavar": "ADDRESS", "help": "run on a Dask cluster, e.g. tcp://host:8786"},
)
DASK_WORKERS = Option(
    ("--dask-workers",),
    {
        "type": whole_number(1),
        "metavar": "N",
        "help": "run on a Dask LocalCluster of N worker processes",
    },
)


def add_jobs(parser: argparse.ArgumentParser, help: str = "worker processes") -> None:
    """``--jobs/-j``: worker processes, one per CPU by default."""
    parser.add_argument(
        "--jobs", "-j", type=whole_number(1), default=os.cpu_count() or 1, help=help
    )


def add_backend_options(parser: argparse.ArgumentParser) -> None:
    """``--scheduler`` or ``--dask-workers`` (not both): run the tasks on Dask, not ``--jobs``."""
    dask = parser.add_mutually_exclusive_group()
    SCHEDULER.add(dask)
    DASK_WORKERS.add(dask)


def add_run_options(parser: argparse.ArgumentParser, out_help: str | None = None) -> None:
    """The options ``run``, ``compare`` and ``report`` share.

    With ``out_help``, ``--out`` is required (as ``report`` needs it) and listed with that help
    under "required arguments", so that ``--help`` does not show it as optional.
    """
    REPLICATIONS.add(parser)
    SEED.add(parser)
    add_jobs(parser)
    if out_help is None:
        OUT.add(parser)
    else:
        required = parser.add_argument_group("required arguments")
        OUT.add(required, required=True, metavar="DIR", help=out_help)
    FORCE.add(parser)
    NO_RECORDS.add(parser)
    add_backend_options(parser)


def fraction(text: str) -> float:
    """An argparse type: a number above 0 and below 1 (0.05 is ±5%)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number such as 0.05, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {value}")
    return value


def add_precision_options(parser: argparse.ArgumentParser) -> None:
    """``--precision`` and ``--max-replications`` of ``compare`` and ``report``."""
    parser.add_argument(
        "--precision",
        type=fraction,
        metavar="P",
        help="run more replications until every headline KPI's paired difference has a 95%% "
        "half-width of at most P times the base's mean (0.05: ±5%%), held for 5 more "
        "(Hoad, Robinson & Davies 2010); --replications is then the first batch",
    )
    parser.add_argument(
        "--max-replications",
        type=whole_number(3, MAX_REPLICATIONS),
        default=100,
        metavar="M",
        help="with --precision, stop at M replications even if not precise (default: 100)",
    )


DEFAULT_DRAWS = 20
"""Outer draws of ``--uncertainty`` without ``--draws``: enough for a first look at the chance a
what-if improves a KPI (in steps of 5%); the 2.5–97.5 percentiles want more. Not a domain number."""


def add_uncertainty_options(parser: argparse.ArgumentParser) -> None:
    """``--uncertainty SPEC`` and ``--draws N`` of ``compare`` and ``report`` (issue 13.6)."""
    parser.add_argument(
        "--uncertainty",
        type=Path,
        metavar="SPEC",
        help="also draw the uncertain parameters of SPEC (a calibration parameters file, "
        "optionally with a distribution per parameter) --draws times, apply each draw to the "
        "base and every what-if and run --replications each: the chance each what-if improves "
        "each headline KPI and the spread over the draws, apart from the noise",
    )
    parser.add_argument(
        "--draws",
        type=whole_number(2),
        metavar="N",
        help=f"with --uncertainty, outer draws of the parameters (default: {DEFAULT_DRAWS})",
    )


def add_base_and_whatifs(parser: argparse.ArgumentParser) -> None:
    """The positional ``BASE WHATIF…`` of ``compare`` and ``report``."""
    parser.add_argument("base", type=Path, metavar="BASE", help="the base scenario file")
    parser.add_argument(
        "whatifs", type=Path, nargs="+", metavar="WHATIF", help="what-if scenario files"
    )


def add_sweep_options(parser: argparse.ArgumentParser) -> None:
    """The options ``sweep`` and ``sensitivity`` share.

    ``--out``, ``--force``, ``--jobs`` and the Dask backend (a scheduler address or a local cluster, not both).
    """
    OUT.add(parser, help="folder of the sweep's results (default: sweep-<SPEC stem>)")
    FORCE.add(parser)
    add_jobs(parser, "local worker processes")
    add_backend_options(parser)
