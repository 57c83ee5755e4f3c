"""The sweep's results on disk: a journal of finished replications, folded into one Parquet file.

Layout of ``--out``::

    sweep.json              the spec, its fingerprint, the KPI columns, run facts
    design.csv              one row per point: point, then each parameter's value
    journal.jsonl           while a sweep runs: one line per finished replication
    results/results.parquet every stored result (point, replication, parameters, KPIs), sorted
    points.csv              written at the end: the mean of each KPI per point
    .forlopsim.json         the manifest: the names above are forlopsim's (forlopsim.outfolder)

The parent appends each finished replication to ``journal.jsonl`` as one line of JSON (exact
floats: ``repr`` round-trips) and flushes it, so even a sweep killed with SIGKILL keeps every
replication that finished; a last line cut short by the kill is dropped on restart. When a run
ends (finished, or stopped by Ctrl-C or SIGTERM), and when a run starts after a killed one, the
journal is folded into ``results/results.parquet`` (written to a temporary name and renamed,
sorted by point and replication, each pair once) and removed: one Parquet write per run, not
one per task, and a finished sweep's file is byte-identical however often it was stopped.
Results an older forlopsim wrote as ``results/point*_rep*.parquet`` are folded in too. On
restart the finished (point, replication) pairs are read back and skipped. ``sweep.json`` and
``design.csv`` are written with the first result, so a sweep that fails before any task
finishes leaves nothing behind. A folder that holds files forlopsim did not write is refused
unless ``force``; they are then kept.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import pandas as pd
import pyarrow as pa
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
RESULTS_FILE = f"{RESULTS}/results.parquet"
JOURNAL = "journal.jsonl"
_LEGACY = "point*_rep*.parquet"
"""One file per finished replication, as forlopsim wrote them before issue 18."""
SOBOL_FILES = ("sobol.csv", "sobol.json", "sobol.png")
"""What ``forlopsim sensitivity`` writes beside a sweep's results."""
FILES = Manifest(
    "sweep",
    patterns=with_temporaries(
        (
            META,
            "design.csv",
            "points.csv",
            JOURNAL,
            RESULTS_FILE,
            f"{RESULTS}/{_LEGACY}",
            *SOBOL_FILES,
        )
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
        self._table_schema: pa.Schema | None = None
        self._journal_file: IO[str] | None = None
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
        """The (point, replication) pairs already on disk, in the Parquet file or the journal."""
        pairs = self._stored(columns=[POINT, REPLICATION])
        stored = set(zip(pairs[POINT].to_pylist(), pairs[REPLICATION].to_pylist(), strict=True))
        return stored | {(point, replication) for point, replication, _ in self._journal()}

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Within the block, :meth:`add` appends to the journal; it is folded in at the end.

        A journal a killed run left is folded in first, so that every run starts a new one, and
        the temporary file of a fold it cut short is removed.
        """
        for stale in (self.out / RESULTS).glob(".results.parquet.*"):
            stale.unlink(missing_ok=True)
        self.fold()
        try:
            yield
        finally:
            if self._journal_file is not None:
                self._journal_file.close()
                self._journal_file = None
            self.fold()

    def add(self, point: int, replication: int, kpis: dict[str, float]) -> None:
        """Append one finished replication to the journal (the first also writes the metadata)."""
        if self.kpis is None:
            self._create(kpis)
        assert self.kpis is not None
        if self._journal_file is None:
            self._journal_file = (self.out / JOURNAL).open("a", encoding="utf-8")
        values = [float(kpis.get(name, math.nan)) for name in self.kpis]
        self._journal_file.write(json.dumps([int(point), int(replication), values]) + "\n")
        self._journal_file.flush()  # in the kernel's hands: a killed process keeps it

    def read(self) -> pd.DataFrame:
        """Every result on disk, ordered by point and replication."""
        if self.kpis is None:
            return pd.DataFrame(columns=[POINT, REPLICATION, *self.design.columns])
        return self._table().to_pandas()

    def fold(self) -> None:
        """Write every result into ``results/results.parquet``; remove the journal and old files."""
        journal = self.out / JOURNAL
        legacy = self._legacy_files()
        if self.kpis is None or not (journal.exists() or legacy):
            return
        with atomic_file(self.out / RESULTS_FILE) as tmp:
            pq.write_table(self._table(), tmp)
        for path in legacy:
            path.unlink()
        journal.unlink(missing_ok=True)

    def _table(self) -> pa.Table:
        """Every result as one table: stored ones first, each pair once, sorted."""
        schema = self._schema()
        parts = [t for t in (self._stored(), self._journal_table()) if t.num_rows]
        if not parts:
            return schema.empty_table()
        table = pa.concat_tables([t.select(schema.names).cast(schema) for t in parts])
        frame = table.select([POINT, REPLICATION]).to_pandas()
        keep = (~frame.duplicated(keep="first")).to_numpy()
        table = table.filter(pa.array(keep))
        return table.sort_by([(POINT, "ascending"), (REPLICATION, "ascending")])

    def _stored(self, columns: list[str] | None = None) -> pa.Table:
        """The results in Parquet: ``results/results.parquet`` and any older per-task files."""
        files = [self.out / RESULTS_FILE] if (self.out / RESULTS_FILE).is_file() else []
        tables = [pq.read_table(path, columns=columns) for path in files + self._legacy_files()]
        if not tables:
            schema = self._schema()
            names = columns or schema.names
            return pa.schema([schema.field(n) for n in names]).empty_table()
        return pa.concat_tables([t.cast(tables[0].schema) for t in tables])

    def _legacy_files(self) -> list[Path]:
        folder = self.out / RESULTS
        return sorted(folder.glob(_LEGACY)) if folder.is_dir() else []

    def _journal(self) -> list[tuple[int, int, list[float]]]:
        """The journal's whole lines; a last line a kill cut short is cut off the file."""
        path = self.out / JOURNAL
        if not path.is_file():
            return []
        data = path.read_bytes()
        whole = data[: data.rfind(b"\n") + 1]
        if len(whole) < len(data):
            with path.open("r+b") as handle:
                handle.truncate(len(whole))
        return [tuple(json.loads(line)) for line in whole.decode("utf-8").splitlines()]

    def _journal_table(self) -> pa.Table:
        """The journal's results with their parameters, as a table of :meth:`_schema`."""
        rows = self._journal()
        if not rows:
            return self._schema().empty_table()
        points = [row[0] for row in rows]
        columns: dict[str, Any] = {POINT: points, REPLICATION: [row[1] for row in rows]}
        design = self.design.loc[points]
        columns |= {name: design[name].to_numpy() for name in self.design.columns}
        values = list(zip(*(row[2] for row in rows), strict=True))
        columns |= {name: list(v) for name, v in zip(self.kpis or [], values, strict=True)}
        return pa.Table.from_pydict(columns, schema=self._schema())

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

    def _schema(self) -> pa.Schema:
        """Columns of the results: point, replication, the parameters, the KPIs (float64)."""
        if self._table_schema is not None:
            return self._table_schema
        design = pa.Schema.from_pandas(self.design.reset_index(drop=True), preserve_index=False)
        fields = [pa.field(POINT, pa.int64()), pa.field(REPLICATION, pa.int64()), *design]
        fields += [pa.field(name, pa.float64()) for name in self.kpis or []]
        schema = pa.schema(fields)
        if self.kpis is not None:  # known from the first result on: kept
            self._table_schema = schema
        return schema


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
