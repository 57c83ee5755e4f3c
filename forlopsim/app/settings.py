"""The app's start-up settings: where scenarios are, which is the base, and test hooks.

The environment variables let the browser tests run in seconds (a short horizon, one
replication); a planner never needs them. Each is read when a page is drawn, so a test sets
them before it starts the server.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

SCENARIOS_ENV = "FORLOPSIM_APP_SCENARIOS"
"""The folder of scenario files offered as bases (default: ``scenarios`` in the current one)."""
BASE_ENV = "FORLOPSIM_APP_BASE"
"""The file name of the default base in that folder."""
REPLICATIONS_ENV = "FORLOPSIM_APP_REPLICATIONS"
"""The replications control's starting value."""
JOBS_ENV = "FORLOPSIM_APP_JOBS"
"""Worker processes of a run (default: one per core); 1 runs in the server's process."""
HORIZON_ENV = "FORLOPSIM_APP_HORIZON_DAYS"
"""Test hook: run every scenario over this many days instead of its own horizon."""
WARMUP_ENV = "FORLOPSIM_APP_WARMUP_DAYS"
"""Test hook: with :data:`HORIZON_ENV`, the warm-up (days) of those shortened runs."""

DEFAULT_BASE = "trondheim_calibrated.yaml"
"""The calibrated baseline, the base a planner starts from."""
DEFAULT_REPLICATIONS = 3
"""Not a domain number: few replications, so that a first look takes well under a minute."""


@dataclass(frozen=True)
class Settings:
    """What the app starts with."""

    scenarios: Path
    base: str
    replications: int
    jobs: int | None
    horizon_days: float | None
    warmup_days: float | None

    def shortened(self) -> dict[str, float]:
        """The ``simulation`` changes of the horizon test hook (none when it is not set)."""
        if self.horizon_days is None:
            return {}
        changes = {"simulation.horizon_days": self.horizon_days}
        if self.warmup_days is not None:
            changes["simulation.warmup_days"] = self.warmup_days
        return changes


def _number(name: str) -> float | None:
    """An environment variable as a number, None when unset; a bad value is ignored."""
    text = os.environ.get(name, "").strip()
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _whole(name: str) -> int | None:
    """An environment variable as a whole number of at least 1, None when unset or not one."""
    value = _number(name)
    return int(value) if value is not None and value >= 1 else None


def settings() -> Settings:
    """The settings from the environment, with the defaults above."""
    return Settings(
        scenarios=Path(os.environ.get(SCENARIOS_ENV) or "scenarios"),
        base=os.environ.get(BASE_ENV) or DEFAULT_BASE,
        replications=_whole(REPLICATIONS_ENV) or DEFAULT_REPLICATIONS,
        jobs=_whole(JOBS_ENV),
        horizon_days=_number(HORIZON_ENV),
        warmup_days=_number(WARMUP_ENV),
    )
