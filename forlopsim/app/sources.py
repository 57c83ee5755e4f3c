"""The base scenario of the app: a file of the scenarios folder, or one the planner uploads.

An upload is read exactly as ``forlopsim validate`` reads a file (:func:`load_scenario`), so a
broken one gets the same messages, naming its field and line. It is written into a fresh
temporary folder beside copies of the scenarios folder's files, so that it may extend one of
them by name (``extends: trondheim_calibrated.yaml``); its messages name it as uploaded, not
by the temporary path.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from forlopsim.errors import Problem, ScenarioError
from forlopsim.limits import MAX_FILE_BYTES
from forlopsim.scenario import Scenario, load_scenario
from forlopsim.scenario.loader import SCENARIO_SUFFIXES


@dataclass(frozen=True)
class Base:
    """A loaded base scenario and the file name a what-if extends it by."""

    scenario: Scenario
    file: str
    """Its file name (``trondheim_calibrated.yaml``): a what-if file saved beside it extends it
    by this name."""
    text: str
    """The file as read (for an upload, as uploaded)."""


def scenario_files(folder: Path) -> list[str]:
    """The scenario files of ``folder`` by name, sorted; none if it does not exist."""
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.suffix.lower() in SCENARIO_SUFFIXES)


def load_file(folder: Path, name: str) -> Base:
    """A file of the scenarios folder as the base (:class:`ScenarioError` if it is bad)."""
    path = folder / name
    scenario = load_scenario(path)
    return Base(scenario, name, path.read_text(encoding="utf-8"))


def load_upload(name: str, content: bytes, folder: Path) -> Base:
    """An uploaded file as the base; its problems are named ``name:line: field: message``.

    ``folder`` is the scenarios folder whose files it may extend.
    """
    name = Path(name).name or "uploaded.yaml"
    if len(content) > MAX_FILE_BYTES:
        raise ScenarioError(
            [Problem(name, "", f"file too large: more than {MAX_FILE_BYTES} bytes")]
        )
    with tempfile.TemporaryDirectory(prefix="forlopsim-upload-") as temporary:
        here = Path(temporary)
        for other in scenario_files(folder):
            shutil.copyfile(folder / other, here / other)
        path = here / name
        path.write_bytes(content)
        try:
            scenario = load_scenario(path, trusted=[here])
        except ScenarioError as error:
            renamed = [_renamed(p, here) for p in error.problems]
            raise ScenarioError(renamed) from None
    return Base(scenario, name, content.decode("utf-8", errors="replace"))


def _renamed(problem: Problem, folder: Path) -> Problem:
    """``problem`` naming files as uploaded or as in the scenarios folder, not where put."""
    prefix = f"{folder}/"
    return replace(
        problem,
        file=problem.file.removeprefix(prefix),
        message=problem.message.replace(prefix, ""),
    )
