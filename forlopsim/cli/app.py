"""``forlopsim app``: the planner's app in the browser, served on this machine only.

It runs Streamlit (the optional extra ``forlopsim[app]``) as a child process on 127.0.0.1,
prints the address and serves until Ctrl-C or SIGTERM, which end the child too. Streamlit is
not imported here: ``--help`` stays quick, and without the extra the command says what to
install.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
from pathlib import Path

from forlopsim.errors import UsageError

DESCRIPTION = (
    "Start the planner's app: pick a base scenario, change places, beds, caseloads and hours, "
    "run the what-if against the base and read the hearing report's summary, key figures and "
    "charts; download the what-if as YAML and the report as HTML, PDF and Excel. Served on "
    "127.0.0.1 only; needs the extra: pip install 'forlopsim[app]'."
)
HOST = "127.0.0.1"
"""Only this machine may connect: the app runs simulations for whoever reaches it."""
DEFAULT_PORT = 8501
"""Streamlit's usual port."""
UPLOAD_MEGABYTES = 1
"""Largest upload Streamlit accepts (a scenario file is far smaller; the loader's limit is 1 MiB)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--port``."""
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT})"
    )


def streamlit_command(port: int) -> list[str]:
    """The command line that serves the app's script on ``HOST:port``."""
    script = Path(__file__).resolve().parents[1] / "app" / "main.py"
    return [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.address", HOST, "--server.port", str(port), "--server.headless", "true",
        "--server.maxUploadSize", str(UPLOAD_MEGABYTES), "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none", "--global.developmentMode", "false",
        "--client.toolbarMode", "minimal",
    ]  # fmt: skip


def command(args: argparse.Namespace) -> int:
    """Serve the app until stopped; returns Streamlit's exit status."""
    if importlib.util.find_spec("streamlit") is None:
        raise UsageError("the app needs Streamlit: pip install 'forlopsim[app]'")
    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port}: expected a port number from 1 to 65535")
    print(f"forlopsim app: open http://{HOST}:{args.port} in a browser (Ctrl-C stops it)")
    sys.stdout.flush()
    child = subprocess.Popen(streamlit_command(args.port), stdout=subprocess.DEVNULL)
    try:
        return child.wait()
    finally:
        if child.poll() is None:
            child.terminate()
            child.wait()
