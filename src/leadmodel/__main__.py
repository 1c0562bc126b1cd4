"""``python -m leadmodel``: the command line."""

import sys

from leadmodel.cli import main

sys.exit(main())
