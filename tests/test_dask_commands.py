"""``run``, ``compare``, ``report`` and ``calibrate`` on a Dask cluster give the files of local runs.

One ``LocalCluster`` for the module (two single-threaded worker processes on loopback, so tasks
and results are pickled as on a real cluster), reached through ``--scheduler`` as a user reaches
a running one. The scenarios are the M/M/c housing queue of ``scenario_builders`` (a replication
takes a few hundredths of a second), so the cluster's start-up is most of the time.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from scenario_builders import flat_queue_scenario
from test_calibration import calibrate_args, write_problem

from forlopsim.cli import main

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler():
    """The address of a LocalCluster of two worker processes, shut down after the module."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def queues(tmp_path_factory) -> tuple[Path, Path]:
    """The housing queue with 10 places and a what-if with 12, 3 replications each."""
    folder = tmp_path_factory.mktemp("queues")
    paths = []
    for places in (10, 12):
        data = flat_queue_scenario(
            places=places,
            arrivals_per_day=0.5,
            service_per_day=0.06,
            horizon_days=500.0,
            warmup_days=60.0,
        )
        data["simulation"]["replications"] = 3
        path = folder / f"places_{places}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        paths.append(path)
    return paths[0], paths[1]


def results_of(out: Path) -> dict[str, bytes]:
    """Every file under ``out`` that holds results, by relative path (not the run facts)."""
    facts = {"summary.json", "comparison.json", ".forlopsim.json", "report.json"}
    return {
        path.relative_to(out).as_posix(): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and path.name not in facts and path.suffix != ".lock"
    }


def without_run_facts(path: Path) -> dict:
    """A JSON file without the facts of the run itself (when, how long, on how many workers)."""
    document = json.loads(path.read_text())
    for key in ("created", "wall_seconds", "jobs", "seconds_per_replication"):
        document.pop(key, None)
    return document


def test_run_on_the_cluster_writes_what_local_processes_write(scheduler, queues, tmp_path):
    local, dask = tmp_path / "local", tmp_path / "dask"
    assert main(["run", str(queues[0]), "--out", str(local), "-j", "2"]) == 0
    assert main(["run", str(queues[0]), "--out", str(dask), "--scheduler", scheduler]) == 0
    files = results_of(local)
    assert "replications.csv" in files and any(name.endswith(".parquet") for name in files)
    assert results_of(dask) == files  # records included: the workers wrote them
    assert without_run_facts(dask / "summary.json") == without_run_facts(local / "summary.json")


def test_compare_with_precision_on_the_cluster_matches_one_process(scheduler, queues, tmp_path):
    """Several rounds of the precision rule on one connection give the numbers of one process."""
    local, dask = tmp_path / "local", tmp_path / "dask"
    common = ["compare", str(queues[0]), str(queues[1]), "--precision", "0.02"]
    common += ["--max-replications", "8", "-n", "3"]
    assert main([*common, "--out", str(local), "-j", "1"]) == 0
    # rounds of --jobs replications on either backend: where a round ends decides the stop
    assert main([*common, "--out", str(dask), "-j", "1", "--scheduler", scheduler]) == 0
    files = results_of(local)
    assert "comparison.csv" in files
    assert results_of(dask) == files
    document = without_run_facts(dask / "comparison.json")
    assert document == without_run_facts(local / "comparison.json")
    assert document["replications"] > 3  # more than one round ran


def test_report_on_the_cluster_has_the_numbers_of_compare(scheduler, queues, tmp_path):
    local, dask = tmp_path / "compare", tmp_path / "report"
    assert main(["compare", str(queues[0]), str(queues[1]), "--out", str(local), "-j", "1"]) == 0
    report = ["report", str(queues[0]), str(queues[1]), "--out", str(dask), "--lang", "en"]
    assert main([*report, "--scheduler", scheduler]) == 0
    assert (dask / "comparison.csv").read_bytes() == (local / "comparison.csv").read_bytes()
    assert (dask / "report.html").is_file()


def test_calibrate_on_the_cluster_evaluates_the_points_of_one_process(scheduler, tmp_path):
    files = write_problem(tmp_path, horizon_days=400.0)
    local, dask = tmp_path / "local", tmp_path / "dask"
    evaluations = ["--max-evaluations", "4"]
    assert main(calibrate_args(files, local, *evaluations)) == 0
    assert main(calibrate_args(files, dask, *evaluations, "--scheduler", scheduler)) == 0
    for name in ("evaluations.jsonl", "fit.csv", "calibrated.yaml"):
        assert (dask / name).read_bytes() == (local / name).read_bytes(), name


def test_the_dask_options_exclude_each_other(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["compare", "a.yaml", "b.yaml", "--scheduler", "tcp://x:1", "--dask-workers", "2"])
    assert stop.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_plan_on_the_cluster_evaluates_the_plans_of_local_processes(scheduler, tmp_path):
    """``plan --scheduler``: the same evaluations, confirmation and recommendation."""
    from test_plan import write_base, write_spec

    write_base(tmp_path, horizon=300.0)
    spec = write_spec(tmp_path)
    local, dask = tmp_path / "local", tmp_path / "dask"
    assert main(["plan", str(spec), "--out", str(local), "-j", "1"]) == 0
    assert main(["plan", str(spec), "--out", str(dask), "--scheduler", scheduler]) == 0
    for name in ("evaluations.jsonl", "plan.json", "recommended.yaml"):
        assert (dask / name).read_bytes() == (local / name).read_bytes(), name
