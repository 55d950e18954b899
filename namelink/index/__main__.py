"""``python -m namelink.index DIR...``: write each gazetteer's index beside its JSONL."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence

from namelink.index.build import write_index
from namelink.records import GazetteerError


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m namelink.index DIR...``: write each gazetteer's index beside it."""
    paths = list(sys.argv[1:] if argv is None else argv)
    if not paths or any(p.startswith("-") for p in paths):
        print("usage: python -m namelink.index GAZETTEER_DIR [GAZETTEER_DIR ...]", file=sys.stderr)
        return 2
    for path in paths:
        start = time.perf_counter()
        try:
            written = write_index(path)
        except (GazetteerError, OSError) as error:
            print(f"namelink.index: {error}", file=sys.stderr)
            return 2
        took = time.perf_counter() - start
        print(f"{written}\t{written.stat().st_size:,} bytes\t{took:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
