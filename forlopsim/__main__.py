"""Allow ``python -m forlopsim``."""

import sys

from forlopsim.cli import main

sys.exit(main())
