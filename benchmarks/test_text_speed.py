"""link_text() throughput on Arabic news, and its cost with a 1M-name gazetteer.

The corpus is built by varying realistic paragraphs written for this benchmark:
names are drawn from the embedded gazetteer (people, places, organizations,
with their variant spellings and clitics), and filler words from a list of
common news words, so that the text is not one paragraph repeated. Target
(issue: link_text): at least 1 MB/s on one core with the default gazetteer,
linear in text length; with a 1M-name gazetteer (issue 13), at least 2 MB/s.
Recorded in extra_info: MB/s and mentions/s of a first reading (the gazetteer
has forgotten every link: Gazetteer.forget() before each round), and MB/s of
the same text read again (its words' links remembered: what a stream of
documents that share their names pays), in CPU time.
Run:  python3 -m pytest benchmarks/test_text_speed.py -s --benchmark-columns=mean
"""

from __future__ import annotations

import random
import time

import pytest

from namelink import Gazetteer

TEMPLATES = [
    "التقى {person} {clitic}{person2} في {place} يوم الخميس لبحث العلاقات بين {place2} و{place3}.",
    "وقال {person} في كلمته أمام قمة {org} إن {place} لن تقبل بالضغوط، مشيرا إلى أن {place2} شريك أساسي.",
    "وصل الوفد {clitic}{place} قادما من {place2}، حيث عقد محادثات مع {person} حول الأمن والطاقة.",
    "أعلنت {org} أن اجتماعها المقبل سيعقد في {place}، بمشاركة {person} و{person2}.",
    "وأشار محللون إلى أن زيارة {person} إلى {place} تأتي بعد أسابيع من التوتر مع {place2}.",
]
CLITICS = ["", "", "و", "ب", "ل"]


def corpus(megabytes: float, seed: int = 11) -> str:
    rng = random.Random(seed)
    by_type: dict[str, list[str]] = {"person": [], "place": [], "org": []}
    for entity in Gazetteer.default().entities():
        if entity.type in by_type:
            by_type[entity.type].extend(entity.names.get("ar", ()))
    parts, size = [], 0
    while size < megabytes * 1_000_000:
        paragraph = " ".join(
            rng.choice(TEMPLATES).format(
                person=rng.choice(by_type["person"]),
                person2=rng.choice(by_type["person"]),
                place=rng.choice(by_type["place"]),
                place2=rng.choice(by_type["place"]),
                place3=rng.choice(by_type["place"]),
                org=rng.choice(by_type["org"]),
                clitic=rng.choice(CLITICS),
            )
            for _ in range(6)
        )
        parts.append(paragraph)
        size += len(paragraph.encode()) + 1
    return "\n".join(parts)


def measure(benchmark, gazetteer: Gazetteer, text: str, rounds: int) -> None:
    """First readings (each after Gazetteer.forget()) timed by the benchmark and
    in CPU time, then one reading again with the links remembered."""
    gazetteer.link_text(text[:10_000])  # builds the first-word tables once
    cpu: list[float] = []

    def first_reading() -> list:
        gazetteer.forget()
        start = time.process_time()
        found = gazetteer.link_text(text)
        cpu.append(time.process_time() - start)
        return found

    mentions = benchmark.pedantic(first_reading, rounds=rounds, iterations=1)
    start = time.process_time()
    again = gazetteer.link_text(text)
    again_s = time.process_time() - start
    assert again == mentions
    megabytes = len(text.encode()) / 1e6
    seconds = sorted(cpu)[len(cpu) // 2]
    benchmark.extra_info.update(
        mb_per_s=round(megabytes / seconds, 3),
        mentions_per_s=round(len(mentions) / seconds),
        mb_per_s_again=round(megabytes / again_s, 3),
    )
    print(f"\n{benchmark.name}: {benchmark.extra_info}")


@pytest.mark.parametrize("megabytes", [1, 4])
@pytest.mark.benchmark(group="link_text")
def test_link_text_default_gazetteer(benchmark, megabytes):
    measure(benchmark, Gazetteer.default(), corpus(megabytes), rounds=3)


@pytest.mark.benchmark(group="link_text")
def test_link_text_with_a_one_million_name_gazetteer(benchmark, gazetteer_dirs, tmp_path):
    gazetteer = Gazetteer.load(gazetteer_dirs[1_000_000], cache_dir=tmp_path / "cache")
    measure(benchmark, gazetteer, corpus(1), rounds=3)
