"""keys() and normalize() of this checkout against another commit's, in one process.

The other commit's namelink is exported with ``git archive`` into a temporary
directory and imported beside this checkout's (each keeps its own modules).
pyarabic's ``normalize_searchtext``, both keys() and both normalize() then run in
turn over 5,000-name chunks of the benchmark's 100k names (conftest.py), each
going first in turn, in CPU time (``time.process_time``): alternating small
chunks keeps a shared machine's changing load from favouring one of them.
Printed: each function's median time over the rounds and its median ratio to
pyarabic in the same rounds (issue 13: keys ≥ 1.5×, normalize ≥ 5×).

Run:  python3 benchmarks/keys_against.py main [ROUNDS]
"""

from __future__ import annotations

import importlib
import io
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
CHECKOUT = HERE.parent
CHUNK = 5_000  # names a function runs before the next takes its turn
ROUNDS = 7


def import_namelink(root: Path) -> dict[str, ModuleType]:
    """namelink's modules imported afresh from ``root``, leaving none in sys.modules."""
    forget_namelink()
    sys.path.insert(0, str(root))
    try:
        modules = {name: importlib.import_module(f"namelink.{name}") for name in ("keys", "normalize")}
    finally:
        sys.path.remove(str(root))
        forget_namelink()
    if not all(Path(module.__file__ or "").is_relative_to(root) for module in modules.values()):
        raise RuntimeError(f"namelink was not imported from {root}")
    return modules


def forget_namelink() -> None:
    for name in [m for m in sys.modules if m == "namelink" or m.startswith("namelink.")]:
        del sys.modules[name]


def export(ref: str, into: Path) -> None:
    """The namelink package of commit ``ref`` of this checkout, written under ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(CHECKOUT), "archive", ref, "namelink"], capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


def cpu_seconds(function: Callable[[str], object], names: list[str]) -> float:
    start = time.process_time()
    for name in names:
        function(name)
    return time.process_time() - start


def main(ref: str, rounds: int) -> None:
    from pyarabic.normalize import normalize_searchtext

    sys.path.insert(0, str(HERE))
    from conftest import arabic_script_names, vary

    rng = random.Random(20261122)  # the seed of conftest.names_100k
    base = arabic_script_names()
    names = [vary(rng.choice(base), rng) for _ in range(100_000)]
    with tempfile.TemporaryDirectory() as other:  # kept while theirs runs: nothing of it is imported late
        export(ref, Path(other))
        theirs = import_namelink(Path(other))
        ours = import_namelink(CHECKOUT)
        functions: dict[str, Callable[[str], object]] = {
            "pyarabic": normalize_searchtext,
            f"keys {ref}": theirs["keys"].keys,
            "keys here": ours["keys"].keys,
            f"normalize {ref}": theirs["normalize"].normalize,
            "normalize here": ours["normalize"].normalize,
        }
        seconds = timed(functions, names, rounds)
    for label, values in seconds.items():
        ratio = statistics.median(p / v for p, v in zip(seconds["pyarabic"], values, strict=True))
        milliseconds = 1000 * statistics.median(values)
        print(f"{label:24s} {milliseconds:6.0f} ms per 100k names (CPU), {ratio:.2f}x pyarabic")


def timed(
    functions: dict[str, Callable[[str], object]], names: list[str], rounds: int
) -> dict[str, list[float]]:
    """Each function's CPU seconds over ``names``, one total per round."""
    for function in functions.values():
        cpu_seconds(function, names[:2000])  # tables are built on first use
    seconds: dict[str, list[float]] = {label: [] for label in functions}
    chunks = [names[i : i + CHUNK] for i in range(0, len(names), CHUNK)]
    for round_ in range(rounds):
        spent = dict.fromkeys(functions, 0.0)
        for number, chunk in enumerate(chunks):
            labels = list(functions)
            first = (number + round_) % len(labels)  # each goes first in turn
            for label in labels[first:] + labels[:first]:
                spent[label] += cpu_seconds(functions[label], chunk)
        for label, value in spent.items():
            seconds[label].append(value)
    return seconds


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "main", int(sys.argv[2]) if len(sys.argv) > 2 else ROUNDS)
