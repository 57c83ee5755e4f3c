"""Output folders forlopsim owns: what it wrote there, who is writing, and what a dead run left.

Three safeguards, so that ``--out`` never destroys what forlopsim did not write:

* **a manifest**, ``.forlopsim.json``, in every output folder lists what forlopsim wrote there
  (exact paths, or name patterns for the folders that grow: sweeps and calibrations). A folder
  that holds anything else is refused unless ``--force``, and then only forlopsim's own files are
  replaced (:func:`foreign`, :func:`check_replaceable`, :func:`check_resumable`);
* **a lock file** beside the folder, ``.NAME.forlopsim-lock``, created exclusively and holding
  the writer's process id and host, so that two commands never write one folder at once; the
  lock of a process that is gone (killed) is taken over (:func:`locked`);
* **temporary folders are marked** with their owner's process id and host
  (:func:`new_temporary`); the next command that writes beside one removes it once that process
  is dead (:func:`remove_dead_temporaries`). A folder without the mark is never touched.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import forlopsim
from forlopsim.errors import UsageError

MANIFEST = ".forlopsim.json"
"""The manifest in each output folder: what forlopsim wrote there."""
TEMPORARY_MARK = ".forlopsim-temporary"
"""The file in each temporary folder that names its owner (process id and host)."""
LOCK_SUFFIX = ".forlopsim-lock"
"""The lock of output folder ``NAME`` is ``.NAME.forlopsim-lock`` beside it."""
RESUMABLE = ("sweep", "sensitivity", "calibrate", "plan")
"""Commands whose folder grows over runs; another command replaces it only with ``--force``."""
YOUNG_LOCK_SECONDS = 10.0
"""A lock file still empty (its writer just created it) is taken as held for this long."""
_SHOWN = 3
"""How many files a refusal names."""


@dataclass(frozen=True)
class Manifest:
    """What forlopsim wrote in one folder: exact paths and patterns (relative, with ``/``)."""

    command: str
    files: frozenset[str] = frozenset()
    patterns: tuple[str, ...] = ()
    folders: frozenset[str] = field(init=False)
    """Every folder that holds an entry: an empty one of these is forlopsim's too."""

    def __post_init__(self) -> None:
        entries = [*self.files, *self.patterns]
        parents = {"/".join(e.split("/")[:k]) for e in entries for k in range(1, e.count("/") + 1)}
        object.__setattr__(self, "folders", frozenset(parents))

    def owns(self, path: str) -> bool:
        """Whether forlopsim wrote ``path`` (relative to the folder)."""
        if path == MANIFEST or path.startswith(f".{MANIFEST}."):
            return True
        return path in self.files or any(fnmatch.fnmatchcase(path, p) for p in self.patterns)


def with_temporaries(names: Iterable[str]) -> tuple[str, ...]:
    """``names`` and the patterns of their temporaries (``.NAME.*``, as atomic writes make)."""
    names = tuple(names)
    temporaries = []
    for name in names:
        folder, _, base = name.rpartition("/")
        temporaries.append(f"{folder}/.{base}.*" if folder else f".{base}.*")
    return names + tuple(temporaries)


def read_manifest(folder: Path) -> Manifest | None:
    """The manifest of ``folder``; None if it has none or it cannot be read (nothing is ours)."""
    try:
        document = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return Manifest(
            str(document["command"]),
            frozenset(str(f) for f in document.get("files", [])),
            tuple(str(p) for p in document.get("patterns", [])),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write_manifest(folder: Path, manifest: Manifest) -> None:
    """Write ``folder``'s manifest atomically."""
    document = {
        "written_by": "forlopsim",
        "forlopsim_version": forlopsim.__version__,
        "command": manifest.command,
        "files": sorted(manifest.files),
        "patterns": list(manifest.patterns),
    }
    tmp = folder / f".{MANIFEST}.{os.getpid()}"
    tmp.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, folder / MANIFEST)


def files_under(folder: Path) -> list[str]:
    """Every file under ``folder``, relative, with ``/``, in sorted order."""
    found = []
    for root, _, names in os.walk(folder):
        base = Path(root).relative_to(folder)
        found += [(base / name).as_posix() for name in names]
    return sorted(found)


def foreign(folder: Path, manifest: Manifest | None, limit: int = _SHOWN) -> list[str]:
    """Up to ``limit`` paths under ``folder`` that ``manifest`` does not list (folders end in /).

    Links are never followed; an empty folder counts unless the manifest holds something in it.
    """
    found: list[str] = []
    owned = manifest or Manifest("")
    for root, folders, names in os.walk(folder):
        base = Path(root).relative_to(folder)
        links = [f for f in folders if os.path.islink(os.path.join(root, f))]
        folders[:] = sorted(f for f in folders if f not in links)
        entries = sorted([*names, *links])
        found += [p for p in ((base / n).as_posix() for n in entries) if not owned.owns(p)]
        if (
            not entries
            and not folders
            and base != Path(".")
            and base.as_posix() not in owned.folders
        ):
            found.append(base.as_posix() + "/")
        if len(found) >= limit:
            break
    return found[:limit]


def _listed(paths: list[str]) -> str:
    return ", ".join(paths) + (", …" if len(paths) >= _SHOWN else "")


# -- refusing a folder -----------------------------------------------------------------------


def check_replaceable(out: Path, command: str, force: bool) -> None:
    """Refuse an ``out`` whose files a ``run``, ``compare`` or ``report`` must not replace.

    Anything forlopsim did not write (unless ``force``), and a sweep's or calibration's
    folder (unless ``force``): it took long to make, and ``--out`` may be a slip.
    """
    if not out.exists():
        return
    if not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a folder")
    manifest = read_manifest(out)
    strangers = foreign(out, manifest)
    if strangers and not force:
        raise UsageError(
            f"--out {out}: holds files forlopsim did not write ({_listed(strangers)}); give a "
            "new or empty folder, or --force to write beside them (they are kept, and only "
            "forlopsim's own files are replaced)"
        )
    if manifest is not None and manifest.command in RESUMABLE and not force:
        raise UsageError(
            f"--out {out}: holds the results of `forlopsim {manifest.command}`; give another "
            "folder, or --force to replace them"
        )


def check_resumable(out: Path, manifest: Manifest, ours: bool, force: bool, what: str) -> None:
    """Refuse a sweep's or calibration's ``out`` that holds what it did not write.

    ``ours``: the folder's own record (``sweep.json``, ``problem.json``) is there, so the files
    of ``manifest``'s patterns are forlopsim's. A folder that is not ours must be empty, or
    ``force`` given and none of its files named as one the command writes. The manifest is
    written (again) when the folder is ours.
    """
    if not out.exists():
        return
    if not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a folder")
    strangers = foreign(out, manifest if ours else None)
    if strangers and not force:
        holds = (
            "holds files forlopsim did not write" if ours else f"is not empty and holds no {what}"
        )
        raise UsageError(
            f"--out {out}: {holds} ({_listed(strangers)}); give a new or empty folder, or "
            "--force to write beside them (they are kept)"
        )
    other = None if ours else read_manifest(out)
    if other is not None:
        raise UsageError(
            f"--out {out}: holds the results of `forlopsim {other.command}`; give another folder"
        )
    if not ours:
        taken = [p for p in files_under(out) if manifest.owns(p)]
        if taken:
            raise UsageError(
                f"--out {out}: {taken[0]} was not written by this {what} and would be "
                "replaced; move it away or give another folder"
            )
    elif read_manifest(out) != manifest:
        write_manifest(out, manifest)


# -- the lock --------------------------------------------------------------------------------

_held: dict[Path, int] = {}
"""Locks this process holds, with how many times each was taken (:func:`locked` nests)."""


def lock_path(out: Path) -> Path:
    """Where the lock of output folder ``out`` lives: ``.NAME.forlopsim-lock`` beside it."""
    real = out.resolve()
    return real.parent / f".{real.name}{LOCK_SUFFIX}"


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold the lock of output folder ``out`` for the block (re-entrant in this process)."""
    path = lock_path(out)
    if path not in _held:
        path.parent.mkdir(parents=True, exist_ok=True)
        _acquire(path, out)
    _held[path] = _held.get(path, 0) + 1
    try:
        yield
    finally:
        _held[path] -= 1
        if not _held[path]:
            del _held[path]
            path.unlink(missing_ok=True)


def _acquire(path: Path, out: Path) -> None:
    """Create the lock file exclusively, taking over one whose owner is dead."""
    for _ in range(3):
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            owner = _owner_of(path)
            if owner is None or owner_alive(owner):
                pid = owner.get("pid", "?") if owner else "?"
                raise UsageError(
                    f"--out {out}: another forlopsim (process {pid}) is writing there; wait "
                    f"until it ends, or remove {path} if no forlopsim is running"
                ) from None
            path.unlink(missing_ok=True)  # its process is gone: take it over
            continue
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(owner_record(), file)
        return
    raise UsageError(f"--out {out}: other commands keep taking its lock ({path}); try again")


def _owner_of(path: Path) -> dict[str, object] | None:
    """A lock's owner record; a lock still being written counts as held, an old one as dead."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(record, dict):
            return record
    except (OSError, ValueError):
        pass
    try:
        young = time.time() - path.stat().st_mtime < YOUNG_LOCK_SECONDS
    except OSError:
        young = False
    return None if young else {"pid": -1, "host": socket.gethostname()}


# -- owners and temporaries ------------------------------------------------------------------


def owner_record() -> dict[str, object]:
    """This process as the owner of a lock or temporary folder: process id and host."""
    return {"pid": os.getpid(), "host": socket.gethostname()}


def owner_alive(owner: dict[str, object]) -> bool:
    """Whether the owner may still run: its process lives, or it is on another host (unknown)."""
    pid = owner.get("pid")
    if owner.get("host") != socket.gethostname() or not isinstance(pid, int):
        return True
    return process_alive(pid)


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (on Windows, not checked: taken as alive)."""
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill(pid, 0) would stop it there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        return True
    return True


def new_temporary(parent: Path, name: str) -> Path:
    """A temporary folder ``.NAME.XXXX.tmp`` in ``parent``, marked as this process's."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=parent))
    (tmp / TEMPORARY_MARK).write_text(json.dumps(owner_record()), encoding="utf-8")
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes a private folder; results are ordinary files
    return tmp


def remove_dead_temporaries(parent: Path) -> list[Path]:
    """Remove the temporary folders in ``parent`` that forlopsim marked and whose owner died."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    for entry in entries:
        if not (entry.name.startswith(".") and entry.name.endswith(".tmp")):
            continue
        if not entry.is_dir(follow_symlinks=False):
            continue
        try:
            owner = json.loads(Path(entry.path, TEMPORARY_MARK).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # not marked: not ours to remove
        if isinstance(owner, dict) and not owner_alive(owner):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed
