"""The names of a replication's records on disk, defined once for every writer and reader.

One folder (``records/`` of a run's ``--out``) holds, for replication *N* (three digits): ``events_repNNN.parquet`` and
``residents_repNNN.parquet`` (the tables of :class:`forlopsim.records.Records`, each with a
``replication`` column) and ``meta_repNNN.json`` (its run meta data).
"""

from __future__ import annotations

from pathlib import Path

RECORDS_FOLDER = "records"
"""The folder of a run's records under ``--out`` (under each scenario's folder for a comparison)."""
TABLES = ("events", "residents")
"""The record tables written as Parquet, in the order they are written."""


def table_path(directory: Path, table: str, replication: int) -> Path:
    """Where one record table of one replication lives: ``<table>_repNNN.parquet``."""
    return Path(directory) / f"{table}_rep{replication:03d}.parquet"


def meta_path(directory: Path, replication: int) -> Path:
    """Where one replication's meta data lives: ``meta_repNNN.json``."""
    return Path(directory) / f"meta_rep{replication:03d}.json"
