"""What several test modules share."""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).parent / "data"

# Two places of one name and nearly one popularity, which link() refuses to choose
# between although both clear the threshold (what "ambiguous" means), and one
# person. Synthetic QIDs, beyond Wikidata's range: project test data, not facts.
TWINS: list[dict[str, object]] = [
    json.loads(line) for line in (DATA / "twins.jsonl").read_text(encoding="utf-8").splitlines()
]
