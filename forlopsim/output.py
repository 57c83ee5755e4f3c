"""Writing results atomically, and the files of a run's folder.

Everything goes to a temporary folder beside ``--out`` first, then is renamed into place, so an
interrupted or failed run leaves no half-written files. The files of a run's folder: summary,
run facts, resolved scenario, warm-up check.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

import pandas as pd

import forlopsim
from forlopsim.errors import UsageError

if TYPE_CHECKING:
    from forlopsim.experiment import ReplicationResult
    from forlopsim.scenario import Scenario


def check_out_dir(out: Path) -> None:
    """Refuse an ``--out`` that cannot become a folder, before any work is done."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a folder")
    parent = out.resolve().parent
    existing = next((p for p in (parent, *parent.parents) if p.exists()), None)
    if existing is None or not existing.is_dir() or not os.access(existing, os.W_OK):
        raise UsageError(f"--out {out}: cannot create a folder there")


@contextlib.contextmanager
def staging(out: Path) -> Iterator[Path]:
    """A temporary folder whose contents replace ``out``'s on success and vanish on failure."""
    out.resolve().parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.resolve().parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes a private folder; results are ordinary files
    try:
        yield tmp
        if not out.exists():
            tmp.rename(out)
            return
        for item in tmp.iterdir():
            target = out / item.name
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            os.replace(item, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


class _SummaryRow(Protocol):
    """A row of :func:`forlopsim.experiment.summarise` as ``DataFrame.itertuples`` yields it."""

    kpi: str
    mean: float
    ci_low: float
    ci_high: float
    sd: float
    n: int


def write_summary(
    folder: Path, meta: dict[str, Any], summary: pd.DataFrame, table: pd.DataFrame
) -> None:
    """``summary.json`` (run facts and every KPI's mean and CI), ``summary.csv``, ``replications.csv``."""
    kpis = {
        row.kpi: {
            "mean": finite(row.mean),
            "ci_low": finite(row.ci_low),
            "ci_high": finite(row.ci_high),
            "sd": finite(row.sd),
            "n": int(row.n),
        }
        for row in cast("Iterator[_SummaryRow]", summary.itertuples())  # stubs know no columns
    }
    document = {**meta, "kpis": kpis}
    (folder / "summary.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    summary.to_csv(folder / "summary.csv", index=False)
    table.to_csv(folder / "replications.csv")


def run_meta(
    scenario: Scenario,
    replications: int,
    seed: int,
    jobs: int,
    results: list[ReplicationResult],
    wall_seconds: float,
) -> dict[str, Any]:
    """The run facts written at the top of ``summary.json``."""
    return {
        "scenario": scenario.name,
        "replications": replications,
        "seed": seed,
        "jobs": jobs,
        "horizon_days": scenario.simulation.horizon_days,
        "warmup_days": scenario.simulation.warmup_days,
        "forlopsim_version": forlopsim.__version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_seconds": round(wall_seconds, 3),
        "seconds_per_replication": round(sum(r.seconds for r in results) / len(results), 3),
    }


def write_scenario(folder: Path, scenario: Scenario, warmup: pd.DataFrame) -> None:
    """``scenario.json`` (the resolved scenario that ran) and ``warmup.csv`` (the MSER-5 check)."""
    (folder / "scenario.json").write_text(scenario.model_dump_json(indent=2) + "\n")
    warmup.to_csv(folder / "warmup.csv", index=False)


def finite(value: float) -> float | None:
    """A number for JSON: NaN becomes null."""
    return None if pd.isna(value) else float(value)


class atomic_file:
    """``with atomic_file(path) as tmp:`` write ``tmp``; renamed to ``path`` on success.

    It is removed on failure, so a reader never sees a half-written file.
    """

    def __init__(self, target: Path):
        self.target = target

    def __enter__(self) -> Path:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{self.target.name}.", dir=self.target.parent)
        os.close(handle)
        self.tmp = Path(name)
        umask = os.umask(0)
        os.umask(umask)
        self.tmp.chmod(0o666 & ~umask)  # mkstemp makes a private file; results are ordinary files
        return self.tmp

    def __exit__(self, kind, error, trace) -> None:
        if kind is None:
            os.replace(self.tmp, self.target)
        else:
            self.tmp.unlink(missing_ok=True)
