"""The evaluation log that makes a calibration resumable.

Each evaluated candidate point is appended as one JSON line to ``evaluations.jsonl`` and flushed
to disk as soon as it finishes. The optimiser is deterministic, so a restarted calibration asks
for the same points in the same order; those found in the log are answered from it without
simulating, and the search carries on from where it stopped. ``problem.json`` holds a fingerprint
of everything that decides the answers (scenario, targets, parameters, seed, replications,
forlopsim version): a log made for another problem is never reused. The folder's manifest
(:data:`FILES`, :mod:`forlopsim.outfolder`) lists what the calibration writes there; a folder
that holds anything else is refused unless ``force``, and then kept.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from forlopsim import __version__
from forlopsim.calibration.spec import Parameter, Target
from forlopsim.errors import UsageError
from forlopsim.outfolder import Manifest, check_resumable, with_temporaries
from forlopsim.output import atomic_file
from forlopsim.scenario import Scenario, numbers_only

LOG_NAME = "evaluations.jsonl"
PROBLEM_NAME = "problem.json"
FILES = Manifest(
    "calibrate",
    patterns=with_temporaries(
        (LOG_NAME, PROBLEM_NAME, "fit.csv", "fit.md", "calibration.json", "calibrated.yaml")
    ),
)
"""What a calibration's folder holds of forlopsim's (its manifest)."""


def problem_of(
    scenario: Scenario,
    targets: Mapping[str, Target],
    parameters: Mapping[str, Parameter],
    replications: int,
    seed: int,
) -> dict[str, Any]:
    """What decides the logged answers.

    The scenario's numbers, each target's KPI, centre, tolerance and weight, each parameter's
    path and interval, the replications, the seed and the forlopsim version. Texts and the
    stopping rule do not.
    """
    return {
        "scenario": numbers_only(scenario.model_dump(mode="json")),
        "targets": {n: [t.kpi, t.centre, t.half_width, t.weight] for n, t in targets.items()},
        "parameters": {
            n: [p.path, p.bounds is None, *p.interval, p.on_log_scale]
            for n, p in parameters.items()
        },
        "replications": replications,
        "seed": seed,
        "forlopsim": __version__,
    }


def fingerprint(problem: dict[str, Any]) -> str:
    """A SHA-256 of the problem, written canonically (sorted keys, exact floats)."""
    text = json.dumps(problem, sort_keys=True, ensure_ascii=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class ResumableLog:
    """Evaluations in the order they were asked for, in ``--out``, appended to as they finish.

    The folder's ``problem.json`` holds the problem's fingerprint, so that a log made for
    another problem is refused; ``restart`` discards the log. Subclasses name what they log
    (:attr:`KIND`, :attr:`DECIDED_BY` for the refusal) and may index the entries.
    """

    KIND = "calibration"
    """What the folder holds, in messages."""
    DECIDED_BY = "scenario, targets, parameters, seed, replications or forlopsim version"
    """What makes two problems differ, in the refusal."""

    def __init__(
        self,
        folder: Path | None,
        problem: dict[str, Any],
        restart: bool = False,
        force: bool = False,
        files: Manifest = FILES,
    ):
        self.folder = folder
        self.entries: list[dict[str, Any]] = []
        self.resumed = 0
        """Evaluations found in the log when it was opened."""
        if folder is None:
            return
        digest = fingerprint(problem)
        stored = folder / PROBLEM_NAME
        check_resumable(folder, files, stored.is_file(), force, f"{self.KIND} ({PROBLEM_NAME})")
        if stored.exists() and not restart:
            if self._stored_fingerprint(stored) != digest:
                raise UsageError(
                    f"--out {folder}: holds a {self.KIND} of another problem ({self.DECIDED_BY} "
                    "differ); give another --out, or --restart to discard it"
                )
            self._read(folder / LOG_NAME)
        elif restart:
            (folder / LOG_NAME).unlink(missing_ok=True)
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomically(stored, json.dumps({"fingerprint": digest, "problem": problem}, indent=1))
        check_resumable(folder, files, True, force, self.KIND)  # writes the manifest

    def _read(self, path: Path) -> None:
        if not path.exists():
            return
        for line in path.read_text().splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                break  # the last line of a killed run may be cut short: evaluate it again
            self._remember(entry)
        self.resumed = len(self.entries)
        # rewrite without a cut line, so that appending goes on from a whole line
        _write_atomically(path, "".join(json.dumps(e) + "\n" for e in self.entries))

    def add(self, entry: dict[str, Any]) -> None:
        """Remember an evaluation and append it to the log on disk."""
        self._remember(entry)
        if self.folder is None:
            return
        with (self.folder / LOG_NAME).open("a") as file:
            file.write(json.dumps(entry) + "\n")
            file.flush()
            os.fsync(file.fileno())

    def _remember(self, entry: dict[str, Any]) -> None:
        self.entries.append(entry)

    def _stored_fingerprint(self, path: Path) -> str:
        """The fingerprint in the folder's ``problem.json``; a clear error if it cannot be read."""
        try:
            return str(json.loads(path.read_text(encoding="utf-8"))["fingerprint"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise UsageError(
                f"--out {path.parent}: {path.name} cannot be read ({error}); --restart to discard "
                f"the {self.KIND} there"
            ) from None


class EvaluationLog(ResumableLog):
    """Evaluated points by their position in the unit cube; appended to as points finish.

    ``files``: what the folder holds of forlopsim's (default :data:`FILES`; more when the
    calibrated scenario is written there under another name).
    """

    def __init__(
        self,
        folder: Path | None,
        problem: dict[str, Any],
        restart: bool = False,
        force: bool = False,
        files: Manifest = FILES,
    ):
        self._by_point: dict[tuple[float, ...], dict[str, Any]] = {}
        super().__init__(folder, problem, restart, force, files)

    def get(self, point: Iterable[float]) -> dict[str, Any] | None:
        """The logged evaluation of ``point``, if any."""
        return self._by_point.get(_key(point))

    def _remember(self, entry: dict[str, Any]) -> None:
        super()._remember(entry)
        self._by_point[_key(entry["point"])] = entry


def _key(point: Iterable[float]) -> tuple[float, ...]:
    return tuple(float(x) for x in point)


def _write_atomically(path: Path, text: str) -> None:
    with atomic_file(path) as tmp:
        tmp.write_text(text)
