"""The sweep's results on disk: a Parquet dataset that grows one file per finished task.

Layout of ``--out``::

    sweep.json              the spec, its fingerprint, the KPI columns, run facts
    design.csv              one row per point: point, then each parameter's value
    results/point000012_rep0003.parquet   one row: point, replication, parameters, KPIs
    points.csv              written at the end: the mean of each KPI per point
    .forlopsim.json         the manifest: the names above are forlopsim's (forlopsim.outfolder)

Every file is written to a temporary name and renamed into place, so a sweep killed at any
moment leaves only whole files; on restart the finished (point, replication) pairs are read
from the file names and skipped. ``sweep.json`` and ``design.csv`` are written with the first
result, so a sweep that fails before any task finishes leaves nothing behind. A folder that
holds files forlopsim did not write is refused unless ``force``; they are then kept.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

import forlopsim
from forlopsim.errors import UsageError
from forlopsim.outfolder import Manifest, check_resumable, with_temporaries, write_manifest
from forlopsim.output import atomic_file
from forlopsim.sweep.design import POINT
from forlopsim.sweep.spec import Sweep

REPLICATION = "replication"
META = "sweep.json"
RESULTS = "results"
_NAME = re.compile(r"^point(\d+)_rep(\d+)\.parquet$")
_TEMPORARY = re.compile(r"^\.point\d+_rep\d+\.parquet\.")
SOBOL_FILES = ("sobol.csv", "sobol.json", "sobol.png")
"""What ``forlopsim sensitivity`` writes beside a sweep's results."""
FILES = Manifest(
    "sweep",
    patterns=with_temporaries(
        (META, "design.csv", "points.csv", f"{RESULTS}/point*_rep*.parquet", *SOBOL_FILES)
    ),
)
"""What a sweep's folder holds of forlopsim's (its manifest)."""


class Store:
    """The results folder of one sweep: what is done, adding a result, reading them all."""

    def __init__(self, out: Path, sweep: Sweep, design: pd.DataFrame, force: bool = False):
        self.out = Path(out)
        self.force = force
        self.sweep = sweep
        self.design = design
        self.fingerprint = sweep.fingerprint()
        self.kpis: list[str] | None = None
        self._schema: pa.Schema | None = None
        self._check()

    def _check(self) -> None:
        """Refuse a folder that holds something else, or a sweep of another spec."""
        meta = self.out / META
        ours = meta.is_file()
        check_resumable(self.out, FILES, ours, self.force, f"sweep ({META})")
        if not ours:
            return
        try:
            stored = json.loads(meta.read_text(encoding="utf-8"))
            fingerprint, kpis = stored.get("fingerprint"), list(stored["kpis"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise UsageError(
                f"--out {self.out}: {META} cannot be read ({error}); remove the folder to start "
                "again"
            ) from None
        if fingerprint != self.fingerprint:
            raise UsageError(
                f"--out {self.out}: holds a sweep of a different spec or scenario "
                f"({stored.get('spec_file')}); give another --out, or remove the folder "
                "to start again"
            )
        self.kpis = kpis

    def done(self) -> set[tuple[int, int]]:
        """The (point, replication) pairs already on disk; stale temporary files are removed."""
        folder = self.out / RESULTS
        if not folder.is_dir():
            return set()
        finished = set()
        for path in folder.iterdir():
            match = _NAME.match(path.name)
            if match:
                finished.add((int(match.group(1)), int(match.group(2))))
            elif _TEMPORARY.match(path.name):  # left by a killed sweep; nothing else is removed
                path.unlink(missing_ok=True)
        return finished

    def add(self, point: int, replication: int, kpis: dict[str, float]) -> None:
        """Write one finished task as one Parquet file (the first also writes the metadata)."""
        if self.kpis is None:
            self._create(kpis)
        assert self.kpis is not None
        row: dict[str, Any] = {POINT: [point], REPLICATION: [replication]}
        row |= {name: [self.design.at[point, name]] for name in self.design.columns}
        row |= {name: [kpis.get(name, float("nan"))] for name in self.kpis}
        table = pa.Table.from_pydict(row, schema=self._table_schema())
        target = self.out / RESULTS / f"point{point:06d}_rep{replication:04d}.parquet"
        with atomic_file(target) as tmp:
            pq.write_table(table, tmp)

    def read(self) -> pd.DataFrame:
        """Every result on disk, ordered by point and replication."""
        folder = self.out / RESULTS
        files = (
            sorted(str(p) for p in folder.glob("point*_rep*.parquet")) if folder.is_dir() else []
        )
        if not files:
            return pd.DataFrame(columns=[POINT, REPLICATION, *self.design.columns])
        table = ds.dataset(files, format="parquet").to_table().to_pandas()
        return table.sort_values([POINT, REPLICATION], ignore_index=True)

    def write_points(self, results: pd.DataFrame) -> Path:
        """``points.csv``: each point's parameters and the mean of each KPI over replications."""
        means = results.drop(columns=REPLICATION).groupby(POINT, sort=True)[self.kpis or []].mean()
        table = self.design.join(means, how="inner")
        target = self.out / "points.csv"
        with atomic_file(target) as tmp:
            table.to_csv(tmp)
        return target

    def _create(self, kpis: dict[str, float]) -> None:
        self.kpis = _kpi_columns(self.sweep, kpis, list(self.design.columns))
        (self.out / RESULTS).mkdir(parents=True, exist_ok=True)
        with atomic_file(self.out / "design.csv") as tmp:
            self.design.to_csv(tmp)
        meta = {
            "name": self.sweep.spec.name,
            "spec_file": str(self.sweep.path),
            "fingerprint": self.fingerprint,
            "points": len(self.design),
            "replications": self.sweep.replications,
            "seed": self.sweep.seed,
            "parameters": self.sweep.parameters,
            "kpis": self.kpis,
            "spec": self.sweep.spec.model_dump(mode="json"),
            "scenario": self.sweep.base.name,
            "forlopsim_version": forlopsim.__version__,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        with atomic_file(self.out / META) as tmp:
            tmp.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
        write_manifest(self.out, FILES)

    def _table_schema(self) -> pa.Schema:
        if self._schema is None:
            design = pa.Schema.from_pandas(self.design.reset_index(drop=True), preserve_index=False)
            fields = [pa.field(POINT, pa.int64()), pa.field(REPLICATION, pa.int64()), *design]
            fields += [pa.field(name, pa.float64()) for name in self.kpis or []]
            self._schema = pa.schema(fields)
        return self._schema


def _kpi_columns(sweep: Sweep, kpis: dict[str, float], parameters: list[str]) -> list[str]:
    """The KPI columns the spec asks for, checked against a first result's KPIs."""
    from forlopsim.table import headlines

    chosen = sweep.spec.kpis
    if chosen == "all":
        names = list(kpis)
    elif chosen == "headline":
        names = [h.kpi for h in headlines(kpis, lambda name: True)]
    else:
        unknown = [name for name in chosen if name not in kpis]
        if unknown:
            raise UsageError(
                f"{sweep.path}: kpis: no KPI named {unknown[0]!r} (see docs/kpis.md for names)"
            )
        names = list(dict.fromkeys(chosen))
    clash = set(names) & {*parameters, POINT, REPLICATION}
    if clash:
        raise UsageError(f"{sweep.path}: kpis: {sorted(clash)[0]!r} is also a parameter")
    return names
