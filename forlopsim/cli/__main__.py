"""Allow ``python -m forlopsim.cli`` (as ``python -m forlopsim``)."""

import sys

from forlopsim.cli import main

sys.exit(main())
