"""Test-suite settings: Hypothesis explores new examples locally, and replays a fixed set in CI.

CI (the CI environment variable is set) runs derandomized, so a red or green CI result can be
reproduced exactly; local runs keep searching new examples, which is where new bugs are found.

Many tests write a what-if in a temporary folder that extends a scenario of the repository, from
another current folder: the repository is a folder bases may be read from
(``FORLOPSIM_SCENARIO_DIRS``, as a user with a shared baseline sets it), for commands the tests
start too. The tests of that rule remove it.
"""

import os
from pathlib import Path

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
# ``pytest --hypothesis-profile=fuzz tests/test_fuzz_loader.py``: a long local search
settings.register_profile("fuzz", max_examples=25_000, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

os.environ["FORLOPSIM_SCENARIO_DIRS"] = str(Path(__file__).resolve().parents[1])
