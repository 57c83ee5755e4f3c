"""Test-suite settings: Hypothesis explores new examples locally, and replays a fixed set in CI.

CI (the CI environment variable is set) runs derandomized, so a red or green CI result can be
reproduced exactly; local runs keep searching new examples, which is where new bugs are found.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
