"""``python -m pulumi_msads``: the ``msads`` command, for environments without its console script on PATH."""

import sys

from .commands import main

sys.exit(main())
