"""Check that an engine or metrics change leaves every result bit-identical (not a test).

Run from the repository root, once before a change and after each step::

    python bench/check_identical.py --write     # store the reference (/tmp/reference_hashes.json)
    python bench/check_identical.py             # compare with it; exit status 1 on any change

It runs ``run_replication`` on the baseline (2 replications, seeds from ``replication_seeds``
with the scenario's seed), on one replication of every what-if in ``scenarios/`` and on a few
scenarios of ``tests/scenario_builders.py``, and keeps for each run a SHA-256 of every records
table (row order, column order, dtypes, categories and the exact bytes of every value), of its
meta data, and every ``kpis()`` value as ``repr`` (exact floats). The resolved scenario is hashed
too (its numbers only: names, descriptions, sources and display labels change no result), so
that a scenario file someone else edited is reported as such, not as an engine change.
It also compares ``forlopsim.metrics.still_housed`` (Kaplan–Meier without scipy) with
``scipy.stats.ecdf`` on 5,000 random samples, ties and all-censored ones included.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forlopsim.engine import run_replication
from forlopsim.engine.streams import replication_seeds
from forlopsim.metrics import kpis, still_housed
from forlopsim.scenario import Scenario, load_scenario, numbers_only

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
import scenario_builders as sb  # noqa: E402  (tests/ is not a package)

DEFAULT = Path("/tmp/reference_hashes.json")
BASELINE = "trondheim_baseline.yaml"


def table_hash(table: pd.DataFrame) -> str:
    """SHA-256 of a table in its own row order: names, dtypes, categories and value bytes."""
    digest = hashlib.sha256()
    for name in table.columns:
        column = table[name]
        digest.update(f"{name}:{column.dtype}".encode())
        if isinstance(column.dtype, pd.CategoricalDtype):
            digest.update(repr(list(column.cat.categories)).encode())
            values = column.astype(object).to_numpy()
        else:
            values = column.to_numpy()
        if values.dtype == object:
            digest.update("\x1f".join(map(repr, values)).encode())
        else:
            digest.update(np.ascontiguousarray(values).tobytes())
    return digest.hexdigest()


def exact(value: float) -> str:
    """A KPI value as text that round-trips exactly (NaN and infinities included)."""
    return repr(float(value)) if not isinstance(value, str) else value


def cases() -> Iterator[tuple[str, Scenario, np.random.SeedSequence]]:
    """Every (label, scenario, seed) the check runs."""
    baseline = load_scenario(REPO / "scenarios" / BASELINE)
    for i, seed in enumerate(replication_seeds(baseline.simulation.seed, 2)):
        yield f"baseline/rep{i}", baseline, seed
    for path in sorted((REPO / "scenarios").glob("*.yaml")):
        if path.name != BASELINE:
            scenario = load_scenario(path)
            yield path.stem, scenario, replication_seeds(scenario.simulation.seed, 1)[0]
    built = {
        "builders/busy": sb.busy_scenario(),
        "builders/mmc": sb.build(
            sb.flat_queue_scenario(
                places=6,
                arrivals_per_day=0.5,
                service_per_day=0.1,
                horizon_days=5000.0,
                warmup_days=500.0,
            )
        ),
        "builders/erlang_b": sb.build(
            sb.erlang_b_scenario(
                population=400,
                arrivals_per_day=2.0,
                beds=5,
                mean_stay=2.0,
                sd_stay=1.5,
                horizon_days=2000.0,
                warmup_days=100.0,
            )
        ),
    }
    for k, (label, scenario) in enumerate(built.items()):
        yield label, scenario, replication_seeds(1000 + k, 1)[0]


def fingerprint(scenario: Scenario, seed: np.random.SeedSequence) -> dict[str, Any]:
    """Hashes of one replication's records and its exact KPI values."""
    records = run_replication(scenario, seed)
    values = kpis(records)
    meta = json.dumps(records.meta, sort_keys=True, default=str)
    numbers = json.dumps(numbers_only(scenario.model_dump(mode="json")), sort_keys=True)
    return {
        "scenario": hashlib.sha256(numbers.encode()).hexdigest(),
        "events": table_hash(records.events),
        "residents": table_hash(records.residents),
        "meta": hashlib.sha256(meta.encode()).hexdigest(),
        "rows": len(records.events),
        "kpis": {k: exact(v) for k, v in values.items()},
    }


def scipy_still_housed(durations: np.ndarray, lost: np.ndarray, times: list[float]) -> list[float]:
    """``still_housed`` as it was written with scipy, before the worker stopped importing it."""
    from scipy import stats

    if len(durations) == 0:
        return [float("nan")] * len(times)
    data = stats.CensoredData(uncensored=durations[lost], right=durations[~lost])
    values = stats.ecdf(data).sf.evaluate(np.asarray(times, dtype=float))
    reached = (np.asarray(times) <= durations.max()) | (values == 0.0)
    return [float(v) if ok else float("nan") for v, ok in zip(values, reached, strict=True)]


def kaplan_meier_differences(samples: int = 5000) -> list[str]:
    """Random samples on which ``still_housed`` and scipy's estimate differ in any bit."""
    rng = np.random.default_rng(20261124)
    lines = []
    for k in range(samples):
        n = int(rng.integers(0, 60))
        # many ties, or none
        durations = rng.integers(0, 20, n).astype(float) if k % 2 else rng.exponential(400.0, n)
        lost = rng.random(n) < rng.choice([0.0, 0.3, 1.0])
        times = [365.0, 1095.0, 0.0, 5.0, *rng.uniform(-5.0, 30.0, 3)]
        times += list(rng.choice(durations, 3)) if n else []
        ours = still_housed(durations, lost, times)
        theirs = scipy_still_housed(durations, lost, times)
        if repr(ours) != repr(theirs):
            lines.append(f"still_housed, random sample {k}: {ours} != scipy's {theirs}")
    return lines


def differences(reference: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """Every way ``now`` differs from ``reference``, one line each."""
    lines = []
    for label in sorted(reference.keys() | now.keys()):
        old, new = reference.get(label), now.get(label)
        if old is None or new is None:
            continue  # a scenario file added or removed under other work: see case_changes
        if old["scenario"] != new["scenario"]:
            lines.append(f"{label}: the scenario itself changed (its file was edited)")
        for key in ("events", "residents", "meta", "rows"):
            if old[key] != new[key]:
                lines.append(f"{label}: {key} differ")
        for kpi in sorted(old["kpis"].keys() & new["kpis"].keys()):
            a, b = old["kpis"][kpi], new["kpis"][kpi]
            if a != b and not (math.isnan(float(a)) and math.isnan(float(b))):
                lines.append(f"{label}: kpi {kpi}: {a} -> {b}")
    return lines


def kpi_set_changes(reference: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """KPIs and scenario files added or removed since the reference.

    These are notes, not differences, since other work adds them (every KPI and case both sides
    have must match).
    """
    label = next(iter(reference))
    old, new = set(reference[label]["kpis"]), set(now[label]["kpis"])
    notes = [f"note: KPI not in the reference: {k}" for k in sorted(new - old)]
    notes += [f"note: KPI no longer computed: {k}" for k in sorted(old - new)]
    notes += [f"note: case not in the reference: {k}" for k in sorted(now.keys() - reference)]
    return notes + [f"note: case no longer run: {k}" for k in sorted(reference.keys() - now)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--write", action="store_true", help="store the reference")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    now = {}
    for label, scenario, seed in cases():
        now[label] = fingerprint(scenario, seed)
        print(f"{label}: {now[label]['rows']:,} rows, {now[label]['events'][:12]}", flush=True)
    print(f"{time.perf_counter() - start:.1f} s")
    if args.write:
        args.path.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
        print(f"reference written to {args.path}")
        return 0
    reference = json.loads(args.path.read_text())
    lines = differences(reference, now) + kaplan_meier_differences()
    for line in [*kpi_set_changes(reference, now), *lines]:
        print(line)
    print("IDENTICAL" if not lines else f"{len(lines)} DIFFERENCES")
    return 0 if not lines else 1


if __name__ == "__main__":
    sys.exit(main())
