"""``python -m pulumi_msads.emulator``: the same as the ``msads-emulator`` command."""

import sys

from .cli import main

sys.exit(main())
