"""Output folders, faults and signals: nothing of the user's is lost, nothing is left running.

Each test holds one row of the table in ``docs/reliability.md`` ("Output, faults and signals").
Runs use the crisis-bed queue of ``sweeps/models/crisis_bed_queue.yaml`` (a replication takes a
tenth of a second). Signals are sent to a ``python -m forlopsim`` subprocess; its workers are
found through ``/proc`` (Linux), so those tests are skipped elsewhere.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from test_calibration import write_problem

from forlopsim.calibration.log import FILES as CALIBRATION_FILES
from forlopsim.cli import main
from forlopsim.comparison import folder_name
from forlopsim.outfolder import TEMPORARY_MARK, foreign, lock_path, read_manifest

REPO = Path(__file__).resolve().parents[1]
MODEL = REPO / "sweeps" / "models" / "crisis_bed_queue.yaml"
BEDS = "crisis_beds.bed.beds"
LINUX = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")


def run(out: Path, *extra: str, scenario: Path = MODEL) -> int:
    """``forlopsim run`` of the small model into ``out``, in this process."""
    return main(["run", str(scenario), "-n", "2", "-j", "1", "--out", str(out), *extra])


def dotted(folder: Path) -> list[str]:
    """Names in ``folder`` that start with a dot: temporaries and locks left behind."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# -- --out never destroys what forlopsim did not write ---------------------------------------------


def test_a_users_file_in_out_is_refused_and_kept(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    (out / "records").mkdir(parents=True)
    (out / "records" / "my_notes.txt").write_text("mine")
    assert run(out) == 2
    err = capsys.readouterr().err
    assert "records/my_notes.txt" in err and "--force" in err and "Traceback" not in err
    assert [p.name for p in out.rglob("*")] == ["records", "my_notes.txt"]
    assert (out / "records" / "my_notes.txt").read_text() == "mine"
    assert dotted(tmp_path) == []


def test_force_keeps_the_users_files_and_replaces_only_forlopsims(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "records").mkdir(parents=True)
    (out / "records" / "my_notes.txt").write_text("mine")
    (out / "notes.md").write_text("also mine")
    assert run(out, "--force") == 0
    manifest = read_manifest(out)
    assert manifest is not None and manifest.command == "run"
    assert "summary.json" in manifest.files and "records/events_rep001.parquet" in manifest.files
    assert not manifest.owns("records/my_notes.txt") and not manifest.owns("notes.md")
    # again without records: forlopsim's old records go, the user's files stay
    assert run(out, "--force", "--no-records") == 0
    assert sorted(p.name for p in (out / "records").iterdir()) == ["my_notes.txt"]
    assert (out / "records" / "my_notes.txt").read_text() == "mine"
    assert (out / "notes.md").read_text() == "also mine"
    assert json.loads((out / "summary.json").read_text())["replications"] == 2
    assert foreign(out, read_manifest(out)) == ["notes.md", "records/my_notes.txt"]
    assert dotted(tmp_path) == []


def test_a_users_file_named_as_one_of_forlopsims_is_never_replaced(tmp_path, capsys) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("my own summary")
    assert run(out, "--force") == 2
    assert "summary.json was not written by forlopsim" in capsys.readouterr().err
    assert (out / "summary.json").read_text() == "my own summary"
    assert [p.name for p in out.iterdir()] == ["summary.json"]
    assert dotted(tmp_path) == []


def test_rerun_into_its_own_folder_replaces_it_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run(out) == 0
    assert run(out, "--no-records", "--seed", "8") == 0  # no --force needed: all forlopsim's
    assert not (out / "records").exists()
    assert json.loads((out / "summary.json").read_text())["seed"] == 8
    assert dotted(tmp_path) == []


def test_empty_out_is_an_error(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        main(["run", str(MODEL), "-n", "1", "--out", ""])
    assert stop.value.code == 2
    assert "--out: an empty folder name" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_sweeps_folder_is_not_replaced_by_a_run_without_force(tmp_path, capsys) -> None:
    spec = sweep_spec(tmp_path, 2)
    out = tmp_path / "sweep"
    assert main(["sweep", str(spec), "--out", str(out), "--jobs", "1"]) == 0
    before = sorted(p.name for p in out.rglob("*"))
    assert run(out) == 2
    assert "holds the results of `forlopsim sweep`" in capsys.readouterr().err
    assert sorted(p.name for p in out.rglob("*")) == before


def test_sweep_and_calibration_folders_refuse_a_users_file_unless_forced(tmp_path, capsys):
    spec = sweep_spec(tmp_path, 2)
    out = tmp_path / "sweep"
    assert main(["sweep", str(spec), "--out", str(out), "--jobs", "1"]) == 0
    (out / "results" / ".my_hidden_notes").write_text("mine")
    assert main(["sweep", str(spec), "--out", str(out), "--jobs", "1"]) == 2
    assert "results/.my_hidden_notes" in capsys.readouterr().err
    assert main(["sweep", str(spec), "--out", str(out), "--jobs", "1", "--force"]) == 0
    assert (out / "results" / ".my_hidden_notes").read_text() == "mine"  # not a temporary

    calibration = tmp_path / "calibration"
    calibration.mkdir()
    (calibration / "notes.txt").write_text("mine")
    files = calibration_files(tmp_path)
    assert main([*calibrate_args(files, calibration), "--max-evaluations", "1"]) == 2
    assert "holds no calibration" in capsys.readouterr().err
    assert [p.name for p in calibration.iterdir()] == ["notes.txt"]


def test_the_committed_calibration_folder_is_forlopsims() -> None:
    folder = REPO / "calibration" / "baseline"
    assert read_manifest(folder) == CALIBRATION_FILES
    assert foreign(folder, CALIBRATION_FILES) == []


# -- locks and leftovers ----------------------------------------------------------------------------


def dead_pid() -> int:
    """The id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_live_lock_refuses_and_a_dead_one_is_taken_over(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    lock = lock_path(out)
    host = socket.gethostname()
    lock.write_text(json.dumps({"pid": os.getpid(), "host": host}))  # a live process
    assert run(out) == 2
    err = capsys.readouterr().err
    assert f"another forlopsim (process {os.getpid()}) is writing there" in err
    assert not out.exists() and lock.exists()
    lock.write_text(json.dumps({"pid": dead_pid(), "host": host}))  # as a killed run leaves it
    assert run(out) == 0
    assert not lock.exists() and (out / "summary.json").exists()


def test_only_marked_temporaries_of_dead_owners_are_removed(tmp_path: Path) -> None:
    host = socket.gethostname()
    owners = {
        ".out.dead.tmp": {"pid": dead_pid(), "host": host},
        ".out.alive.tmp": {"pid": os.getpid(), "host": host},
        ".out.elsewhere.tmp": {"pid": dead_pid(), "host": f"not-{host}"},
        ".out.unmarked.tmp": None,  # a user's folder with a forlopsim-like name
    }
    for name, owner in owners.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "keep.txt").write_text("x")
        if owner is not None:
            (tmp_path / name / TEMPORARY_MARK).write_text(json.dumps(owner))
    assert run(tmp_path / "out") == 0
    assert dotted(tmp_path) == [".out.alive.tmp", ".out.elsewhere.tmp", ".out.unmarked.tmp"]


# -- faults of the system ---------------------------------------------------------------------------


def failing(error: OSError, real: Callable[..., object] | None = None, after: int = 0):
    """A stand-in for ``real`` that does its work ``after`` times, then raises ``error``."""
    calls = []

    def fail(*args: object, **kwargs: object) -> object:
        calls.append(args)
        if len(calls) > after:
            raise error
        return real(*args, **kwargs) if real is not None else None

    return fail


def test_a_full_disk_in_run_is_one_line_exit_1_and_nothing_written(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "x" / "warmup.csv"))
    monkeypatch.setattr("forlopsim.cli.run.write_scenario", failing(full))
    out = tmp_path / "out"
    assert run(out) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]  # after the progress lines
    assert err.startswith("forlopsim: No space left on device: ") and "Traceback" not in err
    assert not out.exists() and dotted(tmp_path) == []


def test_permission_refused_midway_is_exit_2(tmp_path: Path, monkeypatch, capsys) -> None:
    denied = PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(tmp_path / "x"))
    monkeypatch.setattr("forlopsim.cli.run.write_scenario", failing(denied))
    assert run(tmp_path / "out") == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("forlopsim: Permission denied: ") and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_in_a_sweep_keeps_whole_results_and_it_resumes(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    """The disk fills as the journal is folded into Parquet: the journal keeps every result."""
    spec = sweep_spec(tmp_path, 3)
    out = tmp_path / "sweep"
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr("forlopsim.sweep.store.pq.write_table", failing(full, pq.write_table))
    assert main(["sweep", str(spec), "--out", str(out), "--jobs", "1"]) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err
    assert not [p for p in (out / "results").iterdir() if p.name.startswith(".")]
    assert (out / "journal.jsonl").read_text().count("\n") == 3 * 2
    monkeypatch.undo()
    ran_again = OSError(errno.EIO, "a replication ran again")
    monkeypatch.setattr("forlopsim.experiment.run_one", failing(ran_again))
    assert main(["sweep", str(spec), "--out", str(out), "--jobs", "1"]) == 0
    assert len(pq.read_table(out / "results" / "results.parquet")) == 3 * 2
    assert not (out / "journal.jsonl").exists()


def test_a_file_size_limit_in_a_real_run_is_exit_1_and_nothing_written(tmp_path: Path) -> None:
    """A real write failure (``EFBIG`` past ``RLIMIT_FSIZE``), not a stand-in."""

    import resource  # POSIX only

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))  # the records are larger

    out = tmp_path / "out"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "forlopsim",
            "run",
            str(MODEL),
            *("-n", "2", "-j", "1", "--out", str(out)),
        ],
        env=child_env(),
        preexec_fn=limit,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert "File too large" in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_compare_refuses_files_whose_folders_would_be_one(tmp_path: Path, capsys) -> None:
    for first, second in (("æ", "ø"), ("a b", "a_b")):
        folder = tmp_path / first
        folder.mkdir()
        files = [folder / f"{first}.yaml", folder / f"{second}.yaml"]
        for file in files:
            file.write_text(f"extends: {MODEL}\nname: {file.stem}\n")
        argv = ["compare", *map(str, files), "-n", "2", "--out", str(folder / "out")]
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "both would be written to the folder" in err and "Traceback" not in err
        assert sorted(p.name for p in folder.iterdir()) == sorted(f.name for f in files)


@pytest.mark.parametrize("label", ["../../escape", "/etc/passwd", "..", "a/../../b", "~root"])
def test_scenario_folder_names_cannot_leave_out(label: str) -> None:
    name = folder_name(label)
    assert name and "/" not in name and "\\" not in name and name not in (".", "..")
    assert (Path("out") / name).resolve().parent == Path("out").resolve()


# -- signals and kills ------------------------------------------------------------------------------


def child_env() -> dict[str, str]:
    """The environment of a forlopsim subprocess: this checkout first, no bytecode files."""
    return {**os.environ, "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}


def children(pid: int) -> list[int]:
    """The live (not zombie) processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields and fields[1] == str(pid) and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie."""
    fields = _stat(pid)
    return bool(fields) and fields[0] != "Z"


def _stat(pid: int) -> list[str]:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return []
    return text.rsplit(")", 1)[1].split()  # state, parent, ...


def threads(pid: int) -> int:
    """How many threads process ``pid`` runs (a worker ready to die with its parent has 2)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("Threads")))


def wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> float:
    """Poll ``condition`` until it holds; the seconds it took (fails after ``timeout``)."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, "timed out"
        time.sleep(0.02)
    return time.monotonic() - start


def start(argv: list[str], cwd: Path) -> tuple[subprocess.Popen[str], list[int]]:
    """``python -m forlopsim ARGV`` with 2 workers, once both are running tasks; its workers."""
    process = subprocess.Popen(
        [sys.executable, "-m", "forlopsim", *argv],
        cwd=cwd,
        env=child_env(),
        start_new_session=True,  # like a terminal's job: its own process group
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )

    def working() -> list[int]:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        workers = [c for c in children(process.pid) if threads(c) >= 2]
        return workers if len(workers) >= 2 else []

    wait_until(lambda: bool(working()))
    return process, children(process.pid)  # the workers and Python's resource tracker


def stop(process: subprocess.Popen[str], how: signal.Signals, group: bool = False) -> str:
    """Send ``how`` (to the process group: as a terminal's Ctrl-C), wait; its stderr."""
    (os.killpg if group else os.kill)(process.pid, how)
    _, err = process.communicate(timeout=60)
    return err


@LINUX
def test_sigterm_stops_a_run_like_ctrl_c(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    process, helpers = start(["run", str(MODEL), "-n", "400", "-j", "2", "--out", "out"], tmp_path)
    assert run(out) == 2  # a second run meanwhile: excluded by the lock
    assert f"another forlopsim (process {process.pid})" in capsys.readouterr().err
    err = stop(process, signal.SIGTERM)
    assert process.returncode == 143
    assert err.strip() == "forlopsim: terminated (SIGTERM); nothing was written"
    assert wait_until(lambda: not any(alive(p) for p in helpers), 10) < 10
    assert list(tmp_path.iterdir()) == []  # no results, temporary folder or lock


@LINUX
def test_ctrl_c_stops_a_run_cleanly(tmp_path: Path) -> None:
    process, helpers = start(["run", str(MODEL), "-n", "400", "-j", "2", "--out", "out"], tmp_path)
    err = stop(process, signal.SIGINT, group=True)  # the terminal sends it to every process
    assert process.returncode == 130
    assert err.strip() == "forlopsim: interrupted; nothing was written"
    wait_until(lambda: not any(alive(p) for p in helpers), 10)
    assert list(tmp_path.iterdir()) == []


@LINUX
def test_workers_die_with_a_killed_run_and_the_next_run_cleans_up(tmp_path: Path) -> None:
    process, helpers = start(["run", str(MODEL), "-n", "400", "-j", "2", "--out", "out"], tmp_path)
    stop(process, signal.SIGKILL)  # the parent only: nothing can clean up after it
    seconds = wait_until(lambda: not any(alive(p) for p in helpers), 10)
    assert seconds < 2, f"workers outlived their parent by {seconds:.1f} s"
    left = dotted(tmp_path)
    assert ".out.forlopsim-lock" in left and any(n.endswith(".tmp") for n in left)
    temporary = next(tmp_path.glob(".out.*.tmp"))
    files = sorted(temporary.rglob("*"))
    time.sleep(0.5)
    assert sorted(temporary.rglob("*")) == files, "something still writes into it"
    assert run(tmp_path / "out") == 0  # takes the dead run's lock, removes its temporary folder
    assert dotted(tmp_path) == []


@LINUX
def test_workers_die_with_a_killed_sweep(tmp_path: Path) -> None:
    spec = sweep_spec(tmp_path, 40)
    process, helpers = start(["sweep", str(spec), "--out", "sweep", "-j", "2"], tmp_path)
    stop(process, signal.SIGKILL)
    assert wait_until(lambda: not any(alive(p) for p in helpers), 10) < 2
    results = tmp_path / "sweep" / "results"
    files = sorted(results.iterdir()) if results.exists() else []
    time.sleep(0.5)
    assert (sorted(results.iterdir()) if results.exists() else []) == files  # nobody writes
    # (resuming a killed sweep to the same results: tests/test_sweep.py)


@LINUX
def test_sigterm_stops_a_calibration_and_keeps_its_log(tmp_path: Path) -> None:
    files = calibration_files(tmp_path)
    argv = calibrate_args(files, tmp_path / "calibration", "--max-evaluations", "50")
    argv[argv.index("--jobs") + 1] = "2"
    process, helpers = start(argv, tmp_path)
    log = tmp_path / "calibration" / "evaluations.jsonl"
    wait_until(lambda: log.exists() and log.read_text().count("\n") >= 1)
    err = stop(process, signal.SIGTERM)
    assert process.returncode == 143
    assert "terminated (SIGTERM);" in err and "evaluations are kept" in err
    assert wait_until(lambda: not any(alive(p) for p in helpers), 10) < 10
    assert log.read_text().count("\n") >= 1 and not (tmp_path / "calibration" / "fit.csv").exists()
    assert dotted(tmp_path) == []


# -- small inputs ---------------------------------------------------------------------------------


def sweep_spec(folder: Path, points: int) -> Path:
    """A grid over the crisis beds of the small model: ``points`` points, 2 replications."""
    levels = ", ".join(str(b) for b in range(1, points + 1))
    path = folder / "spec.yaml"
    path.write_text(
        f"name: test sweep\nscenario: {MODEL}\nreplications: 2\n"
        f"parameters:\n  {BEDS}: {{levels: [{levels}]}}\ndesign: {{kind: grid}}\n"
    )
    return path


def calibration_files(folder: Path) -> dict[str, Path]:
    """The small calibration problem of ``tests/test_calibration.py`` (an M/M/c queue)."""
    return write_problem(folder)


def calibrate_args(files: dict[str, Path], out: Path, *extra: str) -> list[str]:
    """``forlopsim calibrate`` of those files into ``out`` on one process."""
    return [
        "calibrate",
        str(files["scenario"]),
        *("--targets", str(files["targets"]), "--params", str(files["params"])),
        *("--out", str(out), "--jobs", "1", *extra),
    ]
