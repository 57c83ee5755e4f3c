"""Writing results atomically, and the files of a run's folder.

Everything goes to a temporary folder beside ``--out`` first, then is renamed into place, so an
interrupted or failed run leaves no half-written files; what forlopsim may replace there, and
who may write, is :mod:`forlopsim.outfolder`'s. The files of a run's folder: summary, run facts,
resolved scenario, warm-up check.
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
from forlopsim.outfolder import (
    TEMPORARY_MARK,
    Manifest,
    check_replaceable,
    files_under,
    foreign,
    locked,
    new_temporary,
    read_manifest,
    remove_dead_temporaries,
    write_manifest,
)

if TYPE_CHECKING:
    from forlopsim.experiment import ReplicationResult
    from forlopsim.scenario import Scenario


def check_out_dir(out: Path) -> None:
    """Refuse an ``--out`` that cannot become a folder, before any work is done."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a folder")
    real = out.resolve()
    if not real.name:
        raise UsageError(f"--out {out}: is the root of the file system; give a folder in it")
    existing = next((p for p in (real.parent, *real.parent.parents) if p.exists()), None)
    if existing is None or not existing.is_dir() or not os.access(existing, os.W_OK):
        raise UsageError(f"--out {out}: cannot create a folder there")


@contextlib.contextmanager
def staging(out: Path, command: str, force: bool = False) -> Iterator[Path]:
    """A temporary folder whose files replace forlopsim's in ``out`` on success; gone on failure.

    ``out``'s lock is held throughout (:func:`forlopsim.outfolder.locked`), temporaries of dead
    runs beside it are removed, and a folder holding what forlopsim did not write is refused
    unless ``force`` (:func:`forlopsim.outfolder.check_replaceable`).
    """
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    with locked(out):
        remove_dead_temporaries(parent)
        check_replaceable(out, command, force)
        tmp = new_temporary(parent, out.resolve().name)
        try:
            yield tmp
            _put_in_place(tmp, out, command)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)


def _put_in_place(tmp: Path, out: Path, command: str) -> None:
    """Make ``tmp``'s files ``out``'s, with their manifest.

    A new ``out`` is ``tmp`` renamed; one that holds only forlopsim's files is swapped whole;
    one with files of the user's (``--force``) gets forlopsim's files one by one, each replaced
    atomically, and keeps the rest.
    """
    (tmp / TEMPORARY_MARK).unlink()
    new = Manifest(command, frozenset(files_under(tmp)))
    write_manifest(tmp, new)
    if not out.exists() and not out.is_symlink():
        tmp.rename(out)
    elif not foreign(out, read_manifest(out)) and not out.is_symlink() and not _holds_cwd(out):
        _swap(tmp, out)
    else:
        _merge(tmp, out, new)


def _holds_cwd(out: Path) -> bool:
    """Whether ``out`` is the current folder or holds it (it cannot be renamed aside then)."""
    return Path.cwd().resolve().is_relative_to(out.resolve())


def _swap(tmp: Path, out: Path) -> None:
    """Replace folder ``out`` by ``tmp``: the old one is set aside (marked) and removed."""
    aside = new_temporary(out.resolve().parent, out.resolve().name)
    os.rename(out, aside / "previous")
    try:
        os.rename(tmp, out)
    except OSError:
        os.rename(aside / "previous", out)
        raise
    finally:
        shutil.rmtree(aside, ignore_errors=True)


def _merge(tmp: Path, out: Path, new: Manifest) -> None:
    """Put ``new``'s files from ``tmp`` into ``out`` beside the user's, and drop stale ones.

    A file of the user's where forlopsim would write one is refused (nothing is replaced). The
    manifest lists old and new files while they move, so a run killed midway leaves none that
    is not accounted for.
    """
    old = read_manifest(out) or Manifest(new.command)
    for name in new.files:
        target = out / name
        clash = next((p for p in (target, *target.parents) if p.is_symlink() or p.is_file()), None)
        if clash is not None and clash != out and not old.owns(clash.relative_to(out).as_posix()):
            raise UsageError(
                f"--out {out}: {clash.relative_to(out)} was not written by forlopsim and would "
                "be replaced; move it away or give another folder (nothing was written)"
            )
    write_manifest(out, Manifest(new.command, old.files | new.files, old.patterns))
    for name in sorted(new.files):
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp / name, out / name)
    for name in sorted(old.files - new.files):
        (out / name).unlink(missing_ok=True)
    for folder in sorted(old.folders - new.folders, key=len, reverse=True):
        with contextlib.suppress(OSError):
            (out / folder).rmdir()  # only if empty: a user's file keeps its folder
    write_manifest(out, Manifest(new.command, new.files))


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
