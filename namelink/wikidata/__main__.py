"""``python -m namelink.wikidata build | count | merge``: the builder's commands on their own."""

from __future__ import annotations

import sys

from namelink.wikidata.commands import main

sys.exit(main())
