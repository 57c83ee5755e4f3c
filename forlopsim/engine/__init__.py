"""The SimPy engine: builds the world from a scenario and runs one replication into records."""

from forlopsim.engine.run import run_replication

__all__ = ["run_replication"]
