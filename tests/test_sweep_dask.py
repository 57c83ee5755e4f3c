"""The Dask backend gives exactly the numbers of local worker processes and of one process.

The test starts a real ``LocalCluster``: a scheduler and two worker processes talking TCP on
loopback (``processes=True``), so tasks and results are pickled across processes as on a real
cluster; ``processes=False`` (threads in this process) would skip that serialisation, which is
where a backend could lose or change something. The sweep reaches it through ``--scheduler``,
the option used with a running cluster.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from forlopsim.cli import main
from forlopsim.sweep import LocalBackend, Store, design_table, load_spec, run_sweep

distributed = pytest.importorskip("distributed")

MODEL = Path(__file__).resolve().parents[1] / "sweeps" / "models" / "crisis_bed_queue.yaml"


def test_dask_cluster_gives_the_numbers_of_local_processes(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        f"name: dask\nscenario: {MODEL}\nreplications: 3\nkpis: all\n"
        "parameters:\n  crisis_beds.bed.beds: {levels: [2, 5]}\n"
        "  crisis_beds.bed.length_of_stay.mean: {levels: [1.0, 3.0]}\n"
        "design: {kind: grid}\n"
    )
    alone = run_sweep(spec, tmp_path / "alone", LocalBackend(1))
    local = run_sweep(spec, tmp_path / "local", LocalBackend(2))  # batches of 2 replications
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        out = tmp_path / "dask"
        args = ["sweep", str(spec), "--out", str(out), "--scheduler", cluster.scheduler_address]
        assert main(args) == 0
    sweep = load_spec(spec)
    remote = Store(out, sweep, design_table(sweep)).read()
    assert len(remote) == 4 * 3
    pd.testing.assert_frame_equal(alone, local)
    pd.testing.assert_frame_equal(local, remote)
    stored = [
        (tmp_path / f / "results" / "results.parquet").read_bytes() for f in ("alone", "dask")
    ]
    assert stored[0] == stored[1]
