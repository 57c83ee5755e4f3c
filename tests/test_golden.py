"""The back-test: a short scenario's results, compared exactly with those stored in
``tests/data/golden/`` (see ``tests/golden.py``; regenerate with
``python tests/golden.py --regenerate`` when a result is meant to change)."""

import json
import math
import subprocess
import sys

import golden
import pandas as pd
import pytest


def test_back_test_unchanged():
    """Every KPI's mean, sd, n and CI, and every replication's records, as stored."""
    lines = golden.differences(golden.read(), golden.compute())
    assert not lines, golden.report(lines)


def test_cli_summary_matches_back_test(tmp_path):
    """``forlopsim run --out`` writes the stored summary (mean, sd, n, CI) into summary.json."""
    out = tmp_path / "run"
    command = [sys.executable, "-m", "forlopsim", "run", str(golden.SCENARIO)]
    command += ["--out", str(out), "--no-records", "--jobs", "1"]
    subprocess.run(command, check=True, capture_output=True, text=True)
    written = json.loads((out / "summary.json").read_text())["kpis"]
    stored = golden.read().summary
    assert written.keys() == stored.keys()
    moved = [
        f"{kpi} {column}: stored {stored[kpi][column]!r}, summary.json {value!r}"
        for kpi, row in written.items()
        for column, value in row.items()
        if not golden.same(math.nan if value is None else value, stored[kpi][column])
    ]
    assert not moved, "forlopsim run's summary.json differs from the back-test:\n" + "\n".join(
        moved[: golden.SHOWN]
    )


@pytest.fixture(scope="module")
def stored():
    return golden.read()


def test_stored_files_round_trip(stored, tmp_path, monkeypatch):
    """Writing what was read gives the same bytes: the floats are stored exactly."""
    monkeypatch.setattr(golden, "SUMMARY", tmp_path / "summary.csv")
    monkeypatch.setattr(golden, "RECORDS", tmp_path / "records.csv")
    golden.write(stored)
    assert golden.SUMMARY.read_bytes() == (golden.GOLDEN / "summary.csv").read_bytes()
    assert golden.RECORDS.read_bytes() == (golden.GOLDEN / "records.csv").read_bytes()
    assert not golden.differences(golden.read(), stored)


def test_a_moved_kpi_is_reported(stored):
    """The check fails on the last bit of one KPI and names it, its column and the change."""
    kpi = next(k for k, row in stored.summary.items() if row["n"] > 1 and row["mean"] > 0)
    mean = stored.summary[kpi]["mean"]
    moved = golden.Golden(
        {**stored.summary, kpi: {**stored.summary[kpi], "mean": math.nextafter(mean, math.inf)}},
        stored.records,
    )
    lines = golden.differences(stored, moved)
    assert len(lines) == 1
    assert lines[0].startswith(f"{kpi} mean: {mean!r} -> ")
    assert "--regenerate" in golden.report(lines)


def test_added_removed_kpis_and_records_are_reported(stored):
    first, *rest = stored.summary
    key = next(iter(stored.records))
    rows = stored.records[key][0]
    changed = golden.Golden(
        {**{k: stored.summary[k] for k in rest}, "new.kpi": stored.summary[first]},
        {**stored.records, key: (rows, "0" * 64)},
    )
    text = "\n".join(golden.differences(stored, changed))
    assert f"KPI {first}: stored but no longer computed" in text
    assert "KPI new.kpi: new" in text
    assert f"{key[1]} of replication {key[0]}: {rows} rows" in text


def test_records_hash_follows_values_not_storage_types():
    table = pd.DataFrame(
        {
            "time": [0.0, 1.5, 2.25],
            "resident": pd.array([0, 1, 1], dtype="int32"),
            "kind": pd.Categorical(["referral", "move", ""]),
        }
    )
    same_values = table.assign(
        resident=table["resident"].astype("int64"),
        kind=pd.Categorical(["referral", "move", ""], categories=["move", "referral", ""]),
    )
    assert golden.values_hash(table) == golden.values_hash(same_values)
    assert golden.values_hash(table) == golden.values_hash(table[["kind", "time", "resident"]])
    for changed in (
        table.assign(time=[0.0, 1.5, math.nextafter(2.25, 3)]),
        table.iloc[[1, 0, 2]],
        table.iloc[:2],
        table.assign(kind=pd.Categorical(["referral", "move", "exit"])),
    ):
        assert golden.values_hash(changed) != golden.values_hash(table)
