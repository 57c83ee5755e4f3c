"""What ``run``, ``compare`` and ``report`` share beyond their options.

Progress, titles, warm-up and growth warnings and the comparison run, here so that no command imports
another command's module.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from forlopsim.backends import Backend, LocalBackend
from forlopsim.cli.options import DEFAULT_DRAWS
from forlopsim.comparison import Comparison, compare_scenarios
from forlopsim.errors import UsageError
from forlopsim.experiment import (
    WARMUP_STEP_DAYS,
    ReplicationResult,
    WarmupWarning,
    occupancy_table,
    warmup_check,
    warn_if_warmup_short,
)
from forlopsim.growth import check_results, growth_messages
from forlopsim.output import run_meta
from forlopsim.precision import few_replications_warning, precision_note
from forlopsim.progress import ProgressView, elapsed_and_left
from forlopsim.scenario import Scenario
from forlopsim.text import plural

if TYPE_CHECKING:  # imported where used: SciPy's stats are heavy for `run --help`
    from forlopsim.uncertainty import Uncertainty, UncertaintyFile


def run_title(name: str, scenario: Scenario, replications: int, seed: int) -> str:
    """The first line of a KPI table: what ran, how often, over how many observed years."""
    years = (scenario.simulation.horizon_days - scenario.simulation.warmup_days) / 365.25
    return f"{name}: {plural(replications, 'replication')}, seed {seed}, {years:.1f} observed years"


def check_warmup(
    scenario: Scenario, results: list[ReplicationResult], label: str = ""
) -> tuple[pd.DataFrame, list[str]]:
    """The MSER-5 warm-up check of a scenario's replications, and its warnings' messages.

    The warnings are collected here and printed by :func:`print_warnings`.
    """
    check = warmup_check(occupancy_table(results), scenario.simulation.warmup_days)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WarmupWarning)
        messages = warn_if_warmup_short(check, label)
    return check, messages


def check_growth(
    scenario: Scenario, results: list[ReplicationResult], label: str = ""
) -> tuple[pd.DataFrame, list[str]]:
    """The growth check of every list and place (:mod:`forlopsim.growth`) and its warnings."""
    sim = scenario.simulation
    check = check_results(results, sim.warmup_days, sim.horizon_days)
    return check, growth_messages(check, sim.warmup_days, sim.horizon_days, label)


def print_run_notes(comparison: Comparison, metas: dict[str, dict[str, Any]]) -> None:
    """What ``compare`` and ``report`` say after a run, besides their tables.

    The warnings (warm-up, growth, too few replications) on stderr, and how many replications
    ran and why when they ran until a precision.
    """
    few = few_replications_warning(comparison.replications)
    print_warnings(
        [m for meta in metas.values() for m in meta["warmup_warnings"] + meta["growth_warnings"]]
        + ([few] if few is not None and comparison.precision is None else [])
    )
    if comparison.precision is not None:
        print(precision_note(comparison.precision))


def print_warnings(messages: list[str]) -> None:
    """Warnings go to stderr, one line each, after the table."""
    for message in messages:
        print(f"forlopsim: warning: {message}", file=sys.stderr)


def run_comparison(
    scenarios: Sequence[Scenario],
    labels: list[str],
    replications: int,
    seed: int,
    jobs: int,
    records_dir: Path | None,
    precision: float | None = None,
    max_replications: int = 100,
    backend: Backend | None = None,
) -> tuple[Comparison, dict[str, dict[str, Any]], dict[str, pd.DataFrame]]:
    """Run the base (first) and the what-ifs with common random numbers and a progress bar.

    With ``precision``, more replications follow until the headline differences are that
    precise (:mod:`forlopsim.precision`). Returns the comparison, each scenario's run facts and
    each one's warm-up check. The replications run on ``backend`` (default: ``jobs`` local
    processes); the precision rule's rounds are ``jobs`` replications on either.
    """
    backend = backend or LocalBackend(jobs)
    start = time.perf_counter()
    shown = replications if precision is None else max(max_replications, replications)
    with progress(shown, labels, at_most=precision is not None) as advance:
        comparison = compare_scenarios(
            scenarios[0],
            scenarios[1:],
            replications,
            seed,
            jobs,
            records_dir,
            advance,
            labels,
            WARMUP_STEP_DAYS,
            precision,
            max_replications,
            backend,
        )
    wall = time.perf_counter() - start
    metas, checks = {}, {}
    for label, scenario in comparison.scenarios.items():
        results = comparison.results[label]
        checks[label], messages = check_warmup(scenario, results, label)
        _, growing = check_growth(scenario, results, label)
        metas[label] = run_meta(scenario, replications, seed, backend.slots, results, wall)
        metas[label] |= {
            "warmup_warnings": messages,
            "growth_warnings": growing,
            "compared_with": comparison.base,
        }
    return comparison, metas, checks


def uncertainty_spec(
    args: argparse.Namespace, scenarios: Sequence[Scenario]
) -> UncertaintyFile | None:
    """The checked ``--uncertainty`` file, if given; ``--draws`` without it is a usage error."""
    from forlopsim.uncertainty import load_uncertainty

    if args.uncertainty is None:
        if args.draws is not None:
            raise UsageError("--draws needs --uncertainty SPEC")
        return None
    return load_uncertainty(args.uncertainty, scenarios)


def run_study(
    spec: UncertaintyFile,
    scenarios: Sequence[Scenario],
    labels: list[str],
    replications: int,
    draws: int | None,
    seed: int,
    backend: Backend,
) -> Uncertainty:
    """The parameter-uncertainty study of ``--uncertainty``, with a progress bar per draw.

    ``draws`` defaults to :data:`~forlopsim.cli.options.DEFAULT_DRAWS`.
    """
    from forlopsim.uncertainty import run_uncertainty

    draws = draws or DEFAULT_DRAWS
    shown = [f"draw {d + 1}/{draws}, {label}" for d in range(draws) for label in labels]
    with progress(replications, shown) as advance:
        return run_uncertainty(
            spec, scenarios, labels, replications, draws, seed, 1, advance, backend=backend
        )


class progress:
    """Replications done: ``with progress(n, labels) as advance: … advance(result)``.

    ``n`` replications of each scenario in ``labels`` (in batch order, as
    :attr:`ReplicationResult.scenario` counts them). Each line (and the bar) names the scenario
    whose replication ended, its count, the time elapsed and about how long is left::

        Missing middle (20 places): 4/10 replications, 0:41 elapsed, about 1:02 left
    """

    def __init__(self, replications: int, labels: Sequence[str], at_most: bool = False):
        self.replications = replications
        self.at_most = "at most " if at_most else ""
        self.labels = list(labels)
        self.view = ProgressView(self.labels[0], replications * len(self.labels), line_seconds=0)
        self.done = [0] * len(self.labels)

    def __enter__(self) -> Callable[[ReplicationResult], None]:
        """Show the bar; return the function to call after each replication."""
        self.view.__enter__()
        return self.advance

    def advance(self, result: ReplicationResult) -> None:
        """Count one more replication of ``result.scenario`` done."""
        self.done[result.scenario] += 1
        label = self.labels[result.scenario]
        count = (
            f"{label}: {self.done[result.scenario]}/"
            f"{self.at_most}{plural(self.replications, 'replication')}"
        )
        total = sum(self.done)
        times = elapsed_and_left(time.perf_counter() - self.view.start, total, self.view.total or 0)
        self.view.update(total, line=f"{count}, {times}", label=count)

    def __exit__(self, *exc: object) -> None:
        """Close the bar."""
        self.view.__exit__(*exc)
