"""The command package's shape: one module per command, no command importing another, and
only the command being run imported (so ``run`` pays for neither Matplotlib nor SALib)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from forlopsim.cli import COMMANDS

CLI = Path(__file__).resolve().parents[1] / "forlopsim" / "cli"
COMMAND_MODULES = {entry.module for entry in COMMANDS.values()}
HEAVY = ("matplotlib", "SALib", "scipy.optimize", "scipy.stats")


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports (``from x import y`` counts as ``x`` and ``x.y``)."""
    tree = ast.parse(path.read_text(), str(path))
    package = "forlopsim.cli" if path.name == "__init__.py" else f"forlopsim.cli.{path.stem}"
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + (path.name == "__init__.py")])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_every_command_has_its_own_module() -> None:
    assert sorted(COMMANDS) == sorted(
        [
            "run",
            "compare",
            "report",
            "sweep",
            "sensitivity",
            "calibrate",
            "plan",
            "validate",
            "schema",
            "app",
        ]
    )
    for entry in COMMANDS.values():
        assert (CLI / f"{entry.module.rsplit('.', 1)[1]}.py").is_file(), entry.module


@pytest.mark.parametrize("path", sorted(CLI.glob("*.py")), ids=lambda p: p.name)
def test_no_command_module_imports_another(path: Path) -> None:
    own = "forlopsim.cli" if path.name == "__init__.py" else f"forlopsim.cli.{path.stem}"
    borrowed = (imported_modules(path) & COMMAND_MODULES) - {own}
    assert not borrowed, f"{path.name} imports command module(s) {sorted(borrowed)}"


def modules_loaded_by(*arguments: str) -> set[str]:
    """The modules ``forlopsim ARGUMENTS`` has imported when it exits (in a fresh process)."""
    script = (
        "import json, sys\n"
        "from forlopsim.cli import main\n"
        "try:\n"
        f"    main({list(arguments)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


def heavy(modules: set[str]) -> list[str]:
    """The heavy packages among ``modules``."""
    return sorted(m for m in modules if m in HEAVY or m.startswith(tuple(f"{h}." for h in HEAVY)))


@pytest.mark.parametrize(
    "arguments",
    [("run", "--help"), ("--help",), ("--version",), ("validate", "--help"), ("bogus",)],
    ids=" ".join,
)
def test_only_the_command_run_is_imported(arguments: tuple[str, ...]) -> None:
    loaded = modules_loaded_by(*arguments)
    assert not heavy(loaded), f"forlopsim {' '.join(arguments)} imported {heavy(loaded)}"
    others = {m for m in COMMAND_MODULES if m != f"forlopsim.cli.{arguments[0]}"}
    assert not loaded & others, sorted(loaded & others)


STARTUP_HEAVY = ("scipy", "matplotlib", "SALib", "pandas")
"""What ``--version`` and ``validate`` must not import (issue 18): each costs a fixed 0.1–0.5 s."""
CALIBRATED = CLI.parents[1] / "scenarios" / "trondheim_calibrated.yaml"


@pytest.mark.parametrize(
    "arguments", [("--version",), ("validate", str(CALIBRATED))], ids=["--version", "validate"]
)
def test_version_and_validate_import_no_scipy_matplotlib_salib_or_pandas(
    arguments: tuple[str, ...],
) -> None:
    loaded = modules_loaded_by(*arguments)
    found = sorted(m for m in loaded if m.split(".")[0] in STARTUP_HEAVY)
    assert not found, f"forlopsim {' '.join(arguments)} imported {found[:5]}"
    if arguments[0] == "validate":
        assert "forlopsim.scenario" in loaded  # it did load and check the file
