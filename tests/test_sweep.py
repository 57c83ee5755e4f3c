"""forlopsim sweep: designs, common random numbers, the resumable store, bad SPEC files.

Sweeps run the crisis-bed queue of ``sweeps/models/crisis_bed_queue.yaml`` (a replication
takes a tenth of a second), in the test process (``jobs=1``) unless the test is about workers.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from forlopsim.cli import main
from forlopsim.experiment import run_replications
from forlopsim.sweep import Store, design_table, load_spec, run_sweep
from forlopsim.sweep.design import POINT
from forlopsim.sweep.run import MAX_BATCH, batch_size, batches

REPO = Path(__file__).resolve().parents[1]
MODEL = REPO / "sweeps" / "models" / "crisis_bed_queue.yaml"
BEDS = "crisis_beds.bed.beds"
STAY = "crisis_beds.bed.length_of_stay.mean"
RATE = "hazards.crisis.per_year.1"


def write_spec(folder: Path, text: str, name: str = "spec.yaml") -> Path:
    """A SPEC file whose scenario is the crisis-bed queue."""
    path = folder / name
    path.write_text(f"name: test sweep\nscenario: {MODEL}\n" + text)
    return path


# -- designs ---------------------------------------------------------------------------------------


def test_grid_is_every_combination_of_levels(tmp_path: Path) -> None:
    spec = write_spec(
        tmp_path,
        f"""
parameters:
  {BEDS}: {{levels: [2, 4, 6]}}
  {STAY}: {{bounds: [1.0, 3.0]}}
design: {{kind: grid, levels: 5}}
""",
    )
    table = design_table(load_spec(spec))
    assert len(table) == 3 * 5
    assert sorted(set(table[BEDS])) == [2, 4, 6]
    assert sorted(set(table[STAY])) == pytest.approx([1.0, 1.5, 2.0, 2.5, 3.0])
    assert not table.duplicated().any()


def test_latin_hypercube_fills_each_stratum_once(tmp_path: Path) -> None:
    spec = write_spec(
        tmp_path,
        f"""
parameters:
  {STAY}: {{bounds: [0.5, 4.5]}}
  {RATE}: {{bounds: [1.0, 2.0]}}
  {BEDS}: {{bounds: [1, 8], integer: true}}
design: {{kind: lhs, samples: 20, seed: 3}}
""",
    )
    table = design_table(load_spec(spec))
    assert len(table) == 20
    for column, (low, high) in ((STAY, (0.5, 4.5)), (RATE, (1.0, 2.0))):
        values = table[column].to_numpy()
        assert ((values >= low) & (values < high)).all()
        strata = np.floor((values - low) / (high - low) * 20).astype(int)
        assert sorted(strata) == list(range(20))  # one point in each twentieth of the range
    beds = table[BEDS].to_numpy()
    assert beds.dtype.kind == "i" and beds.min() >= 1 and beds.max() <= 8


@pytest.mark.parametrize(
    ("second_order", "points"), [(False, 8 * (3 + 2)), (True, 8 * (2 * 3 + 2))]
)
def test_sobol_design_has_saltelli_size_and_bounds(
    tmp_path: Path, second_order: bool, points: int
) -> None:
    spec = write_spec(
        tmp_path,
        f"""
parameters:
  {STAY}: {{bounds: [0.5, 4.5]}}
  {RATE}: {{bounds: [1.0, 2.0]}}
  {BEDS}: {{bounds: [1, 8], integer: true}}
design: {{kind: sobol, samples: 8, second_order: {str(second_order).lower()}}}
""",
    )
    table = design_table(load_spec(spec))
    assert len(table) == points
    assert table[STAY].between(0.5, 4.5).all() and table[RATE].between(1.0, 2.0).all()
    assert set(table[BEDS]) <= set(range(1, 9)) and table[BEDS].dtype.kind == "i"
    assert table.index.name == POINT and list(table.index) == list(range(points))


# -- common random numbers -------------------------------------------------------------------------


def test_point_equal_to_the_base_gives_exactly_what_run_gives(tmp_path: Path) -> None:
    spec = write_spec(
        tmp_path,
        f"""
parameters:
  {BEDS}: {{levels: [4, 6]}}
design: {{kind: grid}}
replications: 2
kpis: all
""",
    )
    sweep = load_spec(spec)
    results = run_sweep(sweep, tmp_path / "out")
    assert sweep.base.crisis_beds["bed"].beds == 4  # point 0 is the base scenario
    runs = run_replications(sweep.base, replications=2, seed=sweep.seed)
    for run in runs:
        row = results[(results[POINT] == 0) & (results["replication"] == run.replication)]
        swept = row.iloc[0][list(run.kpis)].to_numpy(dtype=float)
        assert np.array_equal(swept, np.array(list(run.kpis.values())), equal_nan=True)
    # common random numbers: the same arrivals meet 6 beds instead of 4, so fewer turn-aways in
    # every replication, not just on average
    by_point = results.pivot(index="replication", columns=POINT, values="turn_away.bed")
    assert (by_point[1] < by_point[0]).all()


# -- the store: resume, refusal ----------------------------------------------------------------


def small_grid(tmp_path: Path, points: int = 6) -> Path:
    levels = ", ".join(str(b) for b in range(1, points + 1))
    return write_spec(
        tmp_path, f"parameters:\n  {BEDS}: {{levels: [{levels}]}}\ndesign: {{kind: grid}}\n"
    )


def drop_results(out: Path, pairs: list[tuple[int, int]]) -> None:
    """Remove some finished (point, replication) pairs from a sweep's Parquet file."""
    path = out / "results" / "results.parquet"
    table = pq.read_table(path)
    keep = [
        (p, r) not in pairs
        for p, r in zip(table["point"].to_pylist(), table["replication"].to_pylist(), strict=True)
    ]
    pq.write_table(table.filter(pa.array(keep)), path)


def test_resume_runs_only_what_is_missing(tmp_path: Path) -> None:
    spec = small_grid(tmp_path, 4)
    out = tmp_path / "out"
    first = run_sweep(spec, out)
    assert sorted(p.name for p in (out / "results").iterdir()) == ["results.parquet"]
    assert not (out / "journal.jsonl").exists()  # folded in at the end
    drop_results(out, [(0, 1), (2, 0)])
    (out / "results" / ".results.parquet.abc").write_text("half-written")
    seen: list[tuple[int, int]] = []
    again = run_sweep(spec, out, on_progress=lambda done, total: seen.append((done, total)))
    assert seen == [(6, 8), (7, 8), (8, 8)]  # replications 2 from the scenario, 4 points
    pd.testing.assert_frame_equal(first, again)
    assert sorted(p.name for p in (out / "results").iterdir()) == ["results.parquet"]


def test_a_journal_cut_short_is_read_up_to_its_last_whole_line(tmp_path: Path) -> None:
    """What a killed sweep leaves: journal lines, a last one half-written, one already stored."""
    spec = small_grid(tmp_path, 3)
    out = tmp_path / "out"
    first = run_sweep(spec, out)
    sweep = load_spec(spec)
    store = Store(out, sweep, design_table(sweep))
    kpis = store.kpis or []
    lines = [
        json.dumps([int(row[POINT]), int(row["replication"]), [float(row[k]) for k in kpis]])
        for _, row in first.iloc[[1, 4]].iterrows()
    ]
    drop_results(out, [(2, 0)])  # first.iloc[4] is point 2, replication 0: only in the journal
    (out / "journal.jsonl").write_text("\n".join(lines) + "\n" + lines[0][:25])
    assert Store(out, sweep, design_table(sweep)).done() == {
        (p, r) for p in range(3) for r in range(2)
    }
    seen: list[tuple[int, int]] = []
    again = run_sweep(spec, out, on_progress=lambda done, total: seen.append((done, total)))
    assert seen == [(6, 6)]  # nothing ran again
    pd.testing.assert_frame_equal(first, again)
    assert not (out / "journal.jsonl").exists()


def test_a_changed_spec_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    spec = small_grid(tmp_path, 2)
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out), "--jobs", "1"]) == 0
    before = sorted(p.name for p in (out / "results").iterdir())
    spec.write_text(spec.read_text().replace("[1, 2]", "[1, 3]"))
    capsys.readouterr()
    assert main(["sweep", str(spec), "--out", str(out), "--jobs", "1"]) == 2
    error = capsys.readouterr().err
    assert "different spec" in error and str(out) in error
    assert sorted(p.name for p in (out / "results").iterdir()) == before


def test_a_folder_that_holds_something_else_is_refused(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["sweep", str(small_grid(tmp_path)), "--out", str(out)]) == 2
    assert "holds no sweep" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def journal_lines(out: Path) -> int:
    """Whole lines in a running sweep's journal: its replications finished since it started."""
    try:
        return (out / "journal.jsonl").read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def test_killed_sweep_resumes_with_every_task_exactly_once(tmp_path: Path) -> None:
    """SIGKILL midway; the run again gives, byte for byte, the files of a run never stopped."""
    points = 12
    spec = small_grid(tmp_path, points)
    spec.write_text(spec.read_text() + "replications: 1\n")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "forlopsim", "sweep", str(spec), "--out", str(out)]
    process = subprocess.Popen(
        [*command, "--jobs", "1"],
        cwd=tmp_path,
        start_new_session=True,  # its own process group, so the kill reaches any worker
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        while journal_lines(out) < 3 and process.poll() is None:
            time.sleep(0.02)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL, process.stderr.read().decode()
    finished = journal_lines(out)
    assert 3 <= finished < points, "the sweep must be killed midway"
    assert not (out / "results" / "results.parquet").exists()  # nothing folded in yet
    seen: list[tuple[int, int]] = []
    sweep = load_spec(spec)
    run_sweep(sweep, out, on_progress=lambda done, total: seen.append((done, total)))
    assert seen[0][0] >= finished  # every replication the journal held was kept
    results = Store(out, sweep, design_table(sweep)).read()
    pairs = list(zip(results[POINT], results["replication"], strict=True))
    assert sorted(pairs) == [(p, 0) for p in range(points)]
    assert not (out / "journal.jsonl").exists()
    assert results["turn_away.bed"].is_monotonic_decreasing  # more beds, fewer turn-aways
    whole = tmp_path / "whole"
    assert main(["sweep", str(spec), "--out", str(whole), "--jobs", "1"]) == 0
    for name in ("results/results.parquet", "points.csv", "design.csv"):
        assert (out / name).read_bytes() == (whole / name).read_bytes(), name


def test_batches_share_the_replications_out_and_change_no_number(tmp_path: Path) -> None:
    """Two workers get batches of several replications; the results are those of one process."""
    spec = small_grid(tmp_path, 6)
    spec.write_text(spec.read_text() + "replications: 3\nkpis: all\n")
    assert batch_size(18, 2) == 3 and batch_size(18, 1) == 1  # 6 batches of 3 here
    one = run_sweep(spec, tmp_path / "one", jobs=1)
    two = run_sweep(spec, tmp_path / "two", jobs=2)
    pd.testing.assert_frame_equal(one, two)
    for name in ("results/results.parquet", "points.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_batch_sizes() -> None:
    assert [batch_size(n, 1) for n in (1, 64, 10_000)] == [1, 1, 1]
    assert batch_size(64, 2) == 8  # 4 batches per worker
    assert batch_size(7, 2) == 1
    assert batch_size(10_000, 2) == MAX_BATCH
    keys = [(p, 0) for p in range(5)]
    items = [({"x": p}, None, 0) for p in range(5)]
    tasks = batches(keys, items, 2)
    assert [key for key, _ in tasks] == [((0, 0), (1, 0)), ((2, 0), (3, 0)), ((4, 0),)]
    assert [len(args[0]) for _, args in tasks] == [2, 2, 1]


# -- bad input ---------------------------------------------------------------------------------


BAD = {
    "unknown key": (f"parameters:\n  {BEDS}: {{levles: [1, 2]}}\ndesign: {{kind: grid}}\n", f"parameters.{BEDS}.levles", "did you mean 'levels'"),
    "bounds reversed": (f"parameters:\n  {STAY}: {{bounds: [3, 1]}}\n  {BEDS}: {{bounds: [1, 3], integer: true}}\ndesign: {{kind: lhs, samples: 4}}\n", f"parameters.{STAY}.bounds", "low below high"),
    "no such field": ("parameters:\n  crisis_beds.bed.bedz: {levels: [1, 2]}\ndesign: {kind: grid}\n", "parameters.crisis_beds.bed.bedz", "no field"),
    "value rejected": (f"parameters:\n  {BEDS}: {{bounds: [-2, 3], integer: true}}\n  {STAY}: {{bounds: [1, 2]}}\ndesign: {{kind: sobol, samples: 4}}\n", f"parameters.{BEDS}", "at least 0"),
    "levels in sobol": (f"parameters:\n  {BEDS}: {{levels: [1, 2]}}\n  {STAY}: {{bounds: [1, 2]}}\ndesign: {{kind: sobol, samples: 4}}\n", f"parameters.{BEDS}.levels", "needs bounds"),
    "samples not power of 2": (f"parameters:\n  {BEDS}: {{bounds: [1, 3], integer: true}}\n  {STAY}: {{bounds: [1, 2]}}\ndesign: {{kind: sobol, samples: 6}}\n", "design.samples", "power of 2"),
    "wrong kind": (f"parameters:\n  {BEDS}: {{levels: [1, 2]}}\ndesign: {{kind: random}}\n", "design.kind", "'grid', 'lhs' or 'sobol'"),
    "replications text": (f"parameters:\n  {BEDS}: {{levels: [1, 2]}}\ndesign: {{kind: grid}}\nreplications: many\n", "replications", "integer"),
    "unknown KPI": (f"parameters:\n  {BEDS}: {{levels: [1, 2]}}\ndesign: {{kind: grid}}\nkpis: [turn_away.bedd]\nreplications: 1\n", "kpis", "no KPI named 'turn_away.bedd'"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD))
def test_bad_spec_exits_2_naming_file_and_field_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture, case: str
) -> None:
    text, field, expected = BAD[case]
    spec = write_spec(tmp_path, text, "bad.yaml")
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out), "--jobs", "1"]) == 2
    error = capsys.readouterr().err
    assert str(spec) in error and field in error and expected in error, error
    assert "Traceback" not in error
    assert not out.exists()


def test_bad_spec_names_the_line(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, BAD["bounds reversed"][0], "bad.yaml")
    with pytest.raises(Exception) as raised:
        load_spec(spec)
    assert str(raised.value).startswith(f"{spec}:4: parameters.{STAY}.bounds")


def test_missing_scenario_file_is_named(tmp_path: Path, capsys) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        f"name: x\nscenario: nowhere.yaml\nparameters:\n  {BEDS}: {{levels: [1]}}\ndesign: {{kind: grid}}\n"
    )
    assert main(["sweep", str(spec), "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert f"{spec}:2: scenario:" in error and "nowhere.yaml" in error and "file not found" in error


def test_dask_missing_says_how_to_install(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed now fails
    out = tmp_path / "out"
    assert main(["sweep", str(small_grid(tmp_path)), "--out", str(out), "--dask-workers", "1"]) == 2
    assert "pip install 'forlopsim[dask]'" in capsys.readouterr().err
    assert not out.exists()


# -- the example specs ------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted((REPO / "sweeps").glob("*.yaml")), ids=lambda p: p.name)
def test_example_specs_load_and_every_number_has_a_source(path: Path) -> None:
    from test_scenario_sources import _row_ids, _seed_numbers, source_problems, uncovered_numbers

    sweep = load_spec(path)
    assert len(design_table(sweep)) >= 2
    for file in (path, path.parent / sweep.spec.scenario):
        data = yaml.safe_load(file.read_text())
        assert not list(uncovered_numbers(data)), file
        assert not list(source_problems(data, _row_ids(), _seed_numbers())), file


def test_a_sweep_worker_imports_neither_salib_nor_scipy_stats() -> None:
    """The batch function's module is all a worker imports to run it (pickled by reference)."""
    from forlopsim.experiment import run_changed

    script = (
        f"import sys, {run_changed.__module__}\n"
        "print(sorted(m for m in sys.modules if m.startswith(('SALib', 'scipy.stats'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
