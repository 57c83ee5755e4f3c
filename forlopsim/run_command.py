"""``forlopsim run``: replications of one scenario, a KPI table, and results on disk."""

from __future__ import annotations

import argparse


def add_run_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``run`` (filled in with the engine)."""
