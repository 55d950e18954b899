"""The long fuzz run: the properties of tests/test_fuzz.py over a million inputs and more.

Started by hand, never by the suite (pytest collects only ``test_*.py``)::

    PYTHONPATH=$PWD nohup python3 benchmarks/fuzz_long.py --inputs 1000000 --jobs 2 > fuzz.out &

The checks are the very functions the bounded suite runs (``check_*`` in
tests/test_fuzz.py), over inputs built from the same alphabets and pieces
(Arabic, Persian and Urdu letters, marks, tatweel, controls, presentation forms
and ligatures, commas, brackets, clitics, three digit systems, astral code
points, Latin, real gazetteer names). Hypothesis spends ~3 ms drawing one such
input, more than most checks take, so this run draws them with ``random``
instead (~20 µs), seeded, with every failure recorded instead of stopping the
run. A failure is grouped by its signature (exception type and the line that
raised it) with the shortest input that produced it, so a run of a million
inputs prints a handful of distinct problems, each with a small reproducer.

Inputs are shared out between the properties by weight: the cheap text
functions get most of them, the lookups fewer. Everything is written to stdout:
inputs, seconds and inputs per second per property, then the distinct failures.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import multiprocessing
import random
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent.parent / "tests" / "test_fuzz.py"
TASK = 20_000  # inputs per task: several tasks per property keep the jobs balanced


def load_checks() -> Any:
    spec = importlib.util.spec_from_file_location("test_fuzz", TESTS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Inputs:
    """Random inputs shaped like the strategies of tests/test_fuzz.py."""

    def __init__(self, fz: Any, seed: int) -> None:
        self.fz = fz
        self.rng = random.Random(seed)
        self.noise = fz.MARKS + fz.TATWEEL + fz.CONTROLS
        self.others = fz.LIGATURES + fz.COMMAS + fz.BRACKETS + fz.DIGITS + fz.SPACES + fz.LATIN
        self.types = sorted(fz.ENTITY_TYPES)

    def char(self) -> str:
        rng = self.rng
        kind = rng.randrange(9)
        if kind < 3:
            return rng.choice(self.fz.ARABIC_LETTERS)
        if kind == 3:
            return rng.choice(self.noise)
        if kind == 4:
            return chr(rng.randint(0xFB50, 0xFDFF))  # presentation forms A
        if kind == 5:
            return chr(rng.randint(0xFE70, 0xFEFF))  # presentation forms B
        if kind == 6:
            return rng.choice(self.others)
        if kind == 7:
            return chr(rng.randint(0x10000, 0x10FFFF))  # astral
        cp = rng.randint(0, 0xFFFF)
        return chr(cp) if not 0xD800 <= cp <= 0xDFFF else "x"  # anything else but a lone surrogate

    def chars(self, low: int, high: int) -> str:
        return "".join(self.char() for _ in range(self.rng.randint(low, high)))

    def piece(self) -> str:
        rng, fz = self.rng, self.fz
        kind = rng.randrange(5)
        if kind == 0:
            return rng.choice(fz.NAMES)
        if kind == 1:
            return rng.choice(fz.CLITICS) + rng.choice(fz.NAMES)
        if kind == 2:
            name = rng.choice(fz.NAMES)
            at = rng.randint(0, len(name))
            return name[:at] + rng.choice(self.noise + fz.LIGATURES) + name[at:]
        if kind == 3:
            return self.chars(1, 6)
        return rng.choice(fz.COMMAS + fz.SPACES + fz.BRACKETS + fz.QIDS)

    def text(self) -> str:
        kind = self.rng.randrange(3)
        if kind == 0:
            return "".join(self.piece() for _ in range(self.rng.randint(0, 8)))
        if kind == 1:
            return " ".join(self.piece() for _ in range(self.rng.randint(0, 5)))
        return self.chars(0, 30)

    def types_option(self) -> Any:
        kind = self.rng.randrange(3)
        if kind == 0:
            return None
        if kind == 1:
            return self.rng.choice(self.types)
        return frozenset(t for t in self.types if self.rng.random() < 0.5)

    def threshold(self) -> Any:
        return self.rng.choice([None, 0, 1, self.rng.random()])

    def lang(self) -> Any:
        return self.rng.choice([None, "ar", "fa", "ur", "en", "ps", "ckb", "", self.chars(0, 4)])

    def qid(self) -> str:
        if self.rng.random() < 0.8:
            return f"Q{self.rng.randint(1, 10**12)}"
        return self.rng.choice(["Q0", "q5", "Q", "X1", ""])

    def json_value(self, depth: int = 0) -> Any:
        rng = self.rng
        kind = rng.randrange(8 if depth < 3 else 6)
        if kind == 0:
            return None
        if kind == 1:
            return rng.random() < 0.5
        if kind == 2:
            return rng.randint(-(2**40), 2**40)
        if kind == 3:
            return rng.uniform(-1e9, 1e9)
        if kind in (4, 5):
            return self.chars(0, 8)
        if kind == 6:
            return [self.json_value(depth + 1) for _ in range(rng.randint(0, 3))]
        return {self.chars(0, 4): self.json_value(depth + 1) for _ in range(rng.randint(0, 3))}

    def record(self, valid: bool = False) -> dict[str, object]:
        rng = self.rng

        def maybe(good: Callable[[], Any]) -> Any:
            return good() if valid or rng.random() < 0.75 else self.json_value()

        def names() -> dict[str, list[str]]:
            out: dict[str, list[str]] = {}
            for _ in range(rng.randint(1, 4)):
                lang = rng.choice(["ar", "fa", "ur", "en"]) if rng.random() < 0.7 else self.chars(0, 5)
                out[lang] = [
                    rng.choice(self.fz.NAMES) if rng.random() < 0.5 else self.text() for _ in range(4)
                ]
            if valid and not any(map(any, out.values())):
                out["ar"] = [rng.choice(self.fz.NAMES)]
            return out

        def label() -> str:
            return self.chars(1, 12).strip() or "x"

        record: dict[str, object] = {
            "qid": maybe(self.qid if not valid else lambda: f"Q{rng.randint(1, 10**9)}"),
            "label": maybe(label),
            "type": maybe(lambda: rng.choice(self.types)),
            "names": maybe(names),
        }
        optional: dict[str, Callable[[], Any]] = {
            "description": lambda: self.chars(0, 12),
            "popularity": lambda: rng.randint(0, 1000) if rng.random() < 0.8 else rng.randint(0, 2**64),
            "classes": lambda: [self.qid() for _ in range(rng.randint(0, 2))],
            "alt_qids": lambda: [self.qid() for _ in range(rng.randint(0, 2))],
            "country": lambda: [self.qid() for _ in range(rng.randint(0, 2))],
        }
        for field, good in optional.items():
            if rng.random() < 0.5:
                record[field] = maybe(good)
        return record

    def line(self) -> bytes:
        rng = self.rng
        kind = rng.randrange(6)
        if kind < 2:
            text = json.dumps(self.record(valid=rng.random() < 0.5), ensure_ascii=kind == 0)
        elif kind == 2:
            depth = rng.randint(1, 5000)
            text = "[" * depth + "]" * depth
        elif kind == 3:
            text = rng.choice(["", "{}", "[]", "null", "1" * 5000, "{", '{"qid": NaN}', "\ufeff{}"])
        elif kind == 4:
            text = self.chars(0, 20)
        else:
            return rng.randbytes(rng.randint(0, 12))
        return text.encode("utf-8", "surrogatepass")

    def file_bytes(self) -> bytes:
        return b"\n".join(self.line() for _ in range(self.rng.randint(0, 5)))


def properties(fz: Any) -> dict[str, tuple[int, Callable[[Inputs], tuple[Any, ...]], Callable[..., None]]]:
    """name → (weight in inputs, how to make the arguments of one input, check)."""
    return {
        "normalize": (20, lambda g: (g.text(),), fz.check_normalize),
        "keys": (20, lambda g: (g.text(),), fz.check_keys),
        "strip_clitics": (10, lambda g: (g.text(),), fz.check_strip_clitics),
        "entity": (10, lambda g: (g.text() if g.rng.random() < 0.5 else g.qid(),), fz.check_entity),
        "validate_record": (
            10,
            lambda g: (g.record() if g.rng.random() < 0.8 else g.json_value(),),
            fz.check_validate_record,
        ),
        "link": (10, lambda g: (g.text(), g.types_option(), g.threshold(), g.lang()), fz.check_link),
        "candidates": (
            6,
            lambda g: (g.text(), g.rng.randint(-2, 12), g.types_option(), g.lang()),
            fz.check_candidates,
        ),
        "link_text": (8, lambda g: (g.text(),), fz.check_link_text),
        "link_many": (2, lambda g: ([g.text() for _ in range(g.rng.randint(0, 6))],), fz.check_link_many),
        "from_records": (
            2,
            lambda g: ([g.record(valid=g.rng.random() < 0.5) for _ in range(g.rng.randint(1, 4))],),
            fz.check_from_records,
        ),
        "read_bytes": (2, lambda g: (g.file_bytes(), g.file_bytes()), fz.check_read_bytes),
    }


def signature(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    where = next(
        (f for f in reversed(frames) if "/namelink/" in f.filename),
        frames[-1] if frames else None,
    )
    place = f"{Path(where.filename).name}:{where.lineno} ({where.line})" if where else "?"
    return f"{type(error).__name__} at {place}"


def run(task: tuple[str, int, int]) -> tuple[str, int, float, dict[str, tuple[int, str, str]]]:
    """Run one property over ``count`` fresh inputs; its failures by signature:
    (how many, the shortest input's repr, that input's error message)."""
    name, count, seed = task
    fz = load_checks()
    _, make, check = properties(fz)[name]
    inputs = Inputs(fz, seed)
    failures: dict[str, tuple[int, str, str]] = {}
    start = time.perf_counter()
    for _ in range(count):
        args = make(inputs)
        try:
            check(*args)
        except Exception as error:  # every failure is recorded; the run goes on
            key = signature(error)
            shown = repr(args if len(args) > 1 else args[0])
            seen, best, message = failures.get(key, (0, shown, str(error)[:300]))
            if len(shown) < len(best):
                best, message = shown, str(error)[:300]
            failures[key] = (seen + 1, best, message)
    return name, count, time.perf_counter() - start, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=1_000_000, help="total inputs over all properties")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--only", action="append", help="run only this property (repeatable)")
    parser.add_argument("--seed", type=int, default=20261202)
    args = parser.parse_args(argv)

    weights = {name: spec[0] for name, spec in properties(load_checks()).items()}
    if args.only:
        weights = {name: weights[name] for name in args.only}
    total_weight = sum(weights.values())
    tasks: list[tuple[str, int, int]] = []
    for name, weight in weights.items():
        share = args.inputs * weight // total_weight
        pieces = max(1, -(-share // TASK))
        for i in range(pieces):
            tasks.append(
                (name, share // pieces + (1 if i < share % pieces else 0), args.seed * 1000 + len(tasks))
            )
    tasks.sort(key=lambda task: -task[1])

    print(f"fuzz_long: {args.inputs:,} inputs over {len(weights)} properties, {args.jobs} jobs", flush=True)
    wall = time.perf_counter()
    totals: dict[str, list[float]] = {name: [0, 0.0] for name in weights}
    failures: dict[str, dict[str, tuple[int, str, str]]] = {name: {} for name in weights}
    with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
        for name, done, seconds, found in pool.imap_unordered(run, tasks):
            totals[name][0] += done
            totals[name][1] += seconds
            for key, (seen, shown, message) in found.items():
                old = failures[name].get(key)
                if old is None:
                    failures[name][key] = (seen, shown, message)
                else:
                    best = (shown, message) if len(shown) < len(old[1]) else (old[1], old[2])
                    failures[name][key] = (old[0] + seen, *best)
            failing = sum(n for n, *_ in found.values())
            print(
                f"  {name}: +{done:,} inputs in {seconds:.0f} s, {failing} failing",
                flush=True,
            )
    wall = time.perf_counter() - wall

    inputs = int(sum(done for done, _ in totals.values()))
    print(f"\n{'property':<16}{'inputs':>11}{'cpu s':>9}{'inputs/s':>10}{'failing':>9}{'distinct':>9}")
    for name, (done, seconds) in totals.items():
        failing = sum(n for n, *_ in failures[name].values())
        rate = done / seconds if seconds else 0.0
        print(f"{name:<16}{int(done):>11,}{seconds:>9.0f}{rate:>10,.0f}{failing:>9,}{len(failures[name]):>9}")
    print(
        f"{'total':<16}{inputs:>11,}  wall {wall:.0f} s, {inputs / wall:,.0f} inputs/s over {args.jobs} jobs"
    )

    distinct = 0
    for name, found in failures.items():
        for key, (seen, shown, message) in sorted(found.items(), key=lambda item: -item[1][0]):
            distinct += 1
            print(f"\n[{name}] {key}: {seen:,} inputs\n  shortest: {shown}\n  error: {message}")
    print(f"\n{distinct} distinct failures")
    return 1 if distinct else 0


if __name__ == "__main__":
    sys.exit(main())
