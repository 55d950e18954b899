"""python -m namelink: the same as the namelink command."""

import sys

from namelink.cli import main

sys.exit(main())
