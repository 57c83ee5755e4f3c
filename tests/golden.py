"""The back-test: a short scenario's KPI summary and record hashes, stored and compared exactly.

``tests/data/golden/scenario.yaml`` (a four-year copy of the calibrated Trondheim baseline, three
replications) is run with :func:`forlopsim.simulate`; its summary (every KPI's mean, sd, n and
95% CI, the table ``forlopsim run`` prints and writes) is stored in ``summary.csv`` with floats
written as ``repr`` so that they read back bit for bit, and each replication's events and
residents tables in ``records.csv`` as a row count and a SHA-256 of their values, so that an
engine change that leaves every KPI alone is still caught. ``tests/test_golden.py`` compares a
fresh run with these files exactly.

When a result is meant to change, regenerate the files from the repository root and commit them
with the change that moved them (``git diff tests/data/golden`` shows which KPIs moved)::

    python tests/golden.py --regenerate     # rewrite tests/data/golden/summary.csv, records.csv
    python tests/golden.py                  # compare only; exit status 1 if anything moved
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

import forlopsim

GOLDEN = Path(__file__).resolve().parent / "data" / "golden"
SCENARIO = GOLDEN / "scenario.yaml"
SUMMARY = GOLDEN / "summary.csv"
RECORDS = GOLDEN / "records.csv"

SUMMARY_COLUMNS = ["kpi", "mean", "sd", "n", "ci_low", "ci_high", "half_width"]
FLOAT_COLUMNS = ["mean", "sd", "ci_low", "ci_high", "half_width"]
RECORDS_COLUMNS = ["replication", "table", "rows", "sha256"]
TABLES = {"events": "records", "residents": "residents"}  # stored name: Results method
SHOWN = 30  # differences listed in a failure message; the rest are counted


@dataclass
class Golden:
    """A back-test result: the summary (``kpi`` → column → value) and the record hashes
    (``(replication, table)`` → ``(rows, sha256)``)."""

    summary: dict[str, dict[str, float | int]]
    records: dict[tuple[int, str], tuple[int, str]]


def values_hash(table: pd.DataFrame) -> str:
    """SHA-256 of a table's values in its row order, column by column in name order.

    Numbers are hashed as 64-bit values (integers as ``int64``, floats as ``float64``) and
    everything else as text, so a change of storage type alone (``int32`` to ``int64``,
    categorical to string, category order) leaves the hash alone; a changed, added, removed or
    reordered value does not.
    """
    digest = hashlib.sha256()
    for name in sorted(table.columns):
        column = table[name]
        if pd.api.types.is_bool_dtype(column.dtype) or pd.api.types.is_integer_dtype(column.dtype):
            kind, data = "int", column.to_numpy(dtype="<i8").tobytes()
        elif pd.api.types.is_float_dtype(column.dtype):
            kind, data = "float", column.to_numpy(dtype="<f8").tobytes()
        else:
            text = ["\x00" if pd.isna(v) else str(v) for v in column.astype(object)]
            kind, data = "text", "\x1f".join(text).encode()
        digest.update(f"{name}:{kind}:{len(column)}\n".encode())
        digest.update(data)
    return digest.hexdigest()


def compute() -> Golden:
    """Run the back-test scenario and collect what is stored."""
    scenario = forlopsim.load_scenario(SCENARIO)
    with forlopsim.simulate(scenario, jobs=1, check_warmup=False) as results:
        summary = {
            row["kpi"]: {
                c: (int(row[c]) if c == "n" else float(row[c])) for c in SUMMARY_COLUMNS[1:]
            }
            for row in results.summary().to_dict("records")
        }
        records = {}
        for replication in range(len(results)):
            for table, method in TABLES.items():
                frame = getattr(results, method)(replication).drop(columns="replication")
                records[replication, table] = (len(frame), values_hash(frame))
    return Golden(summary, records)


def exact(value: float) -> str:
    """A float as text that reads back bit for bit (``nan``, ``inf`` included)."""
    return repr(float(value))


def write(golden: Golden) -> None:
    """Write ``summary.csv`` and ``records.csv``."""
    with SUMMARY.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(SUMMARY_COLUMNS)
        for kpi, row in golden.summary.items():
            writer.writerow(
                [
                    kpi,
                    *(exact(row[c]) if c in FLOAT_COLUMNS else row[c] for c in SUMMARY_COLUMNS[1:]),
                ]
            )
    with RECORDS.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(RECORDS_COLUMNS)
        for (replication, table), (rows, sha) in golden.records.items():
            writer.writerow([replication, table, rows, sha])


def read() -> Golden:
    """Read the stored back-test."""
    with SUMMARY.open(newline="") as handle:
        summary = {
            row["kpi"]: {
                c: (int(row[c]) if c == "n" else float(row[c])) for c in SUMMARY_COLUMNS[1:]
            }
            for row in csv.DictReader(handle)
        }
    with RECORDS.open(newline="") as handle:
        records = {
            (int(row["replication"]), row["table"]): (int(row["rows"]), row["sha256"])
            for row in csv.DictReader(handle)
        }
    return Golden(summary, records)


def same(a: float, b: float) -> bool:
    """Bit-identical, NaN equal to NaN (and 0.0 not equal to -0.0)."""
    return np.float64(a).tobytes() == np.float64(b).tobytes() or (math.isnan(a) and math.isnan(b))


def differences(stored: Golden, fresh: Golden) -> list[str]:
    """One line per difference between the stored back-test and a fresh run; none if equal."""
    lines = []
    for kpi in stored.summary.keys() - fresh.summary.keys():
        lines.append(f"KPI {kpi}: stored but no longer computed")
    for kpi in fresh.summary.keys() - stored.summary.keys():
        lines.append(f"KPI {kpi}: new (not in the stored summary)")
    moved = []
    for kpi in (k for k in stored.summary if k in fresh.summary):  # in the summary's order
        for column in SUMMARY_COLUMNS[1:]:
            old, new = stored.summary[kpi][column], fresh.summary[kpi][column]
            if not same(old, new):
                change = new - old
                relative = (
                    f", {change / abs(old):+.3g} relative" if old and math.isfinite(old) else ""
                )
                moved.append(f"{kpi} {column}: {old!r} -> {new!r} ({change:+.6g}{relative})")
    for key in sorted(stored.records.keys() | fresh.records.keys()):
        old, new = stored.records.get(key), fresh.records.get(key)
        if old != new:
            replication, table = key
            described = [
                "missing" if r is None else f"{r[0]} rows, sha256 {r[1][:12]}…" for r in (old, new)
            ]
            lines.append(f"{table} of replication {replication}: {described[0]} -> {described[1]}")
    return lines + moved


def report(lines: list[str]) -> str:
    """A failure message: what moved, at most ``SHOWN`` lines, and how to accept the change."""
    columns = {f"{c}:" for c in SUMMARY_COLUMNS[1:]}
    kpis = {line.split(" ")[0] for line in lines if line.split(" ")[1] in columns}
    head = (
        f"The back-test moved: {len(kpis)} KPI(s) changed, {len(lines)} difference(s) from "
        f"tests/data/golden/{SUMMARY.name} and {RECORDS.name} (KPI column: stored -> now):\n"
    )
    shown = lines[:SHOWN]
    more = [f"... and {len(lines) - SHOWN} more"] if len(lines) > SHOWN else []
    tail = (
        "\nIf the change is meant, regenerate with `python tests/golden.py --regenerate` and "
        "commit tests/data/golden/ with it (say in the commit message why the results moved)."
    )
    return head + "\n".join(["  " + line for line in shown + more]) + tail


def main(argv: list[str] | None = None) -> int:
    """``python tests/golden.py [--regenerate]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--regenerate", action="store_true", help="rewrite the stored files from a fresh run"
    )
    args = parser.parse_args(argv)
    fresh = compute()
    if args.regenerate:
        write(fresh)
        print(f"wrote {SUMMARY} ({len(fresh.summary)} KPIs) and {RECORDS}")
        return 0
    lines = differences(read(), fresh)
    if lines:
        print(report(lines), file=sys.stderr)
        return 1
    print(f"back-test unchanged: {len(fresh.summary)} KPIs, {len(fresh.records)} record hashes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
