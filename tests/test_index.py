"""The index file: built once, opened with a memory map, checked before use, never unpickled."""

from __future__ import annotations

import hashlib
import json
import pickle
import random
import re
import stat
from pathlib import Path
from typing import Any

import pytest

import namelink.index as index_module
from namelink import Gazetteer
from namelink.index import IndexFileError, build_index, index_path, load_index, write_index
from namelink.index.store import FORMAT_VERSION, open_store
from namelink.keys import KEYS_VERSION
from namelink.records import GazetteerError, read_records, validate_record

DEFAULT = Path(__file__).resolve().parent.parent / "namelink" / "data" / "default"
PUTIN = {
    "qid": "Q7747",
    "label": "Vladimir Putin",
    "type": "person",
    "classes": ["Q5"],
    "description": "President of Russia",
    "names": {"ar": ["فلاديمير بوتين", "بوتين", "بوتن"], "fa": ["ولادیمیر پوتین"], "en": ["Vladimir Putin"]},
    "popularity": 250,
    "alt_qids": ["Q990000009"],
    "country": ["Q159"],
}
TBILISI = {
    "qid": "Q994",
    "label": "Tbilisi",
    "type": "place",
    "names": {"ar": ["تبليسي", "تفليس"], "en": ["Tbilisi"]},
    "popularity": 90,
}


def write_gazetteer(directory: Path, records: list[dict[str, Any]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    (directory / "entities.jsonl").write_text(lines, encoding="utf-8")
    return directory


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts how many times an index is compiled from records."""
    calls: list[int] = []
    original = index_module.build._compile

    def counting(records: Any) -> Any:
        calls.append(1)
        return original(records)

    monkeypatch.setattr(index_module.build, "_compile", counting)
    return calls


def cache_entry(directory: Path, cache: Path) -> Path:
    return cache / "indexes" / index_module._cache_name(directory / "entities.jsonl")


def answers(gazetteer: Gazetteer) -> list[object]:
    return [gazetteer.link(name) for name in ("بوتين", "پوتین", "Q990000009", "تبليسي", "بوتيم")]


# --- Contents ------------------------------------------------------------------------------


def test_an_index_read_from_its_file_holds_exactly_what_was_built() -> None:
    records = list(read_records(DEFAULT))
    built = build_index(records)
    again = index_module.Index(open_store(built._store.to_bytes(), keys_version=KEYS_VERSION))
    for column in ("qids", "labels", "types", "descriptions", "classes", "alt_qids", "country", "name_text"):
        assert [getattr(again, column)[i] for i in range(5)] == [getattr(built, column)[i] for i in range(5)]
    assert [again.entity(i) for i in range(len(records))] == [built.entity(i) for i in range(len(records))]
    assert [e.to_record()["names"] for e in map(again.entity, range(50))] == [
        r["names"] for r in records[:50]
    ]


def test_every_key_of_every_postings_list_is_found_and_a_missing_key_is_not() -> None:
    index = build_index(read_records(DEFAULT))
    for postings in (index.normalized, index.grams, index.words, *index.keys):
        keys = list(postings.keys)
        assert len(keys) == len(set(keys)) == len(postings)
        for key in keys:
            ids = postings.get(key)
            assert len(ids) > 0 and list(ids) == sorted(set(ids))
            assert not postings.get(key + "ـ")
    assert index.qid_index.get("Q7747") and not index.qid_index.get("Q77470")


def test_the_index_holds_each_first_word_of_a_name_with_the_most_words_a_name_so_begun_has() -> None:
    from namelink.keys import first_word_key

    gazetteer = Gazetteer.from_records([PUTIN, TBILISI])
    assert dict(gazetteer.first_words()) == {
        "فلاديمير": 2, "بوتين": 1, "بوتن": 1, "ولاديمير": 2, "vladimir": 2,
        "تبليسي": 1, "تفليس": 1, "tbilisi": 1,
    }  # fmt: skip
    assert gazetteer.first_words().get("موسكو", 0) == 0 and "موسكو" not in gazetteer.first_words()
    assert gazetteer.first_word_keys()[first_word_key("فلاديمير")] == 2
    assert gazetteer.longest_first_word() == len("فلاديمير")


def test_the_same_records_always_give_the_same_bytes() -> None:
    records = list(read_records(DEFAULT))[:300]
    assert build_index(records)._store.to_bytes() == build_index(records)._store.to_bytes()


def test_the_same_gazetteer_gives_the_same_bytes_with_numpy_or_without(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("numpy")
    records = list(read_records(DEFAULT))
    built = {}
    for label, threshold in (("numpy", 0), ("pure", 10**12)):
        monkeypatch.setattr(index_module.postings, "GROUP_NUMPY_FROM", threshold)
        monkeypatch.setattr(index_module.rows, "NUMPY_FROM", threshold)
        built[label] = build_index(records)._store.to_bytes()
    assert built["numpy"] == built["pure"]


def test_postings_group_into_the_same_arrays_with_numpy_or_without() -> None:
    from array import array

    from namelink.index.postings import group

    pytest.importorskip("numpy")
    rng = random.Random(13)
    for pairs in (1, 2, 50, 5_000):
        keys = array("I", (rng.choice([0, 3, 7, 900, rng.randrange(10**6)]) for _ in range(pairs)))
        ids = array("I", sorted(rng.randrange(10**6) for _ in range(pairs)))
        assert group(keys, ids, use_numpy=True) == group(keys, ids, use_numpy=False)
    assert group(array("I"), array("I"), use_numpy=True) == (array("I"), array("I", [0]), array("I"))


def test_pairs_merge_by_id_with_the_first_list_first_for_one_id_with_numpy_or_without(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from array import array

    from namelink.index.rows import merge_by_id

    pytest.importorskip("numpy")
    first = (array("I", [10, 11, 12]), array("I", [0, 2, 5]))
    then = (array("I", [20, 21]), array("I", [2, 3]))
    expected = (array("I", [10, 11, 20, 21, 12]), array("I", [0, 2, 2, 3, 5]))
    assert merge_by_id(first, then, use_numpy=False) == expected
    monkeypatch.setattr(index_module.rows, "NUMPY_FROM", 0)
    assert merge_by_id(first, then, use_numpy=True) == expected


def test_an_index_handed_to_another_process_arrives_whole_and_checked() -> None:
    index = Gazetteer.from_records([PUTIN]).index
    copy = pickle.loads(pickle.dumps(index))
    assert copy.entity(0) == index.entity(0)
    assert copy._store.to_bytes() == index._store.to_bytes()


# --- Where an index comes from --------------------------------------------------------------


def test_the_shipped_default_index_is_current_for_the_shipped_entities() -> None:
    store = open_store(DEFAULT / "entities.index", keys_version=KEYS_VERSION)
    assert store.source_sha256 == hashlib.sha256((DEFAULT / "entities.jsonl").read_bytes()).hexdigest(), (
        "regenerate it: python -m namelink.index namelink/data/default"
    )


def test_the_default_gazetteer_opens_its_shipped_index_without_compiling_or_caching(
    tmp_path: Path, builds: list[int]
) -> None:
    loaded = Gazetteer.load(DEFAULT, cache_dir=tmp_path / "cache")
    assert builds == []
    assert not (tmp_path / "cache").exists()
    assert loaded.link("بوتين").qid == "Q7747"  # type: ignore[union-attr]


def test_a_stale_index_beside_a_changed_gazetteer_is_not_used(tmp_path: Path, builds: list[int]) -> None:
    directory = write_gazetteer(tmp_path / "g", [PUTIN])
    shipped = write_index(directory)
    before = shipped.read_bytes()
    write_gazetteer(directory, [PUTIN, TBILISI])
    loaded = Gazetteer.load(directory, cache_dir=tmp_path / "cache")
    assert len(builds) == 2  # the write, then the changed gazetteer
    assert loaded.link("تبليسي").qid == "Q994"  # type: ignore[union-attr]
    assert shipped.read_bytes() == before  # not ours to delete or rewrite


def test_an_index_of_other_keys_or_format_versions_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_index(write_gazetteer(tmp_path / "g", [PUTIN]))
    with pytest.raises(IndexFileError, match="keys"):
        open_store(path, keys_version=KEYS_VERSION + "x")
    monkeypatch.setattr(index_module.store, "FORMAT_VERSION", FORMAT_VERSION + 1)
    newer = write_index(tmp_path / "g")
    monkeypatch.undo()
    with pytest.raises(IndexFileError, match="format"):
        open_store(newer, keys_version=KEYS_VERSION)


def test_a_gazetteer_without_an_index_file_compiles_once_into_the_cache(
    tmp_path: Path, builds: list[int]
) -> None:
    directory = write_gazetteer(tmp_path / "g", [PUTIN])
    first = answers(Gazetteer.load(directory, cache_dir=tmp_path / "cache"))
    again = answers(Gazetteer.load(directory, cache_dir=tmp_path / "cache"))
    assert len(builds) == 1
    assert first == again
    assert cache_entry(directory, tmp_path / "cache").is_file()


# --- A cache never runs code and never answers wrong ------------------------------------------


def test_a_planted_pickle_is_never_executed(tmp_path: Path, builds: list[int]) -> None:
    directory = write_gazetteer(tmp_path / "g", [PUTIN])
    witness = tmp_path / "executed"
    # Unpickled, this would create ``witness``: open(witness, "w").
    payload = b"c__builtin__\nopen\n(V" + str(witness).encode() + b"\nVw\ntR."
    entry = cache_entry(directory, tmp_path / "cache")
    entry.parent.mkdir(parents=True, mode=0o700)
    entry.write_bytes(payload)
    index_path(directory / "entities.jsonl").write_bytes(payload)
    loaded = Gazetteer.load(directory, cache_dir=tmp_path / "cache")
    assert not witness.exists()
    assert loaded.link("بوتين").qid == "Q7747"  # type: ignore[union-attr]
    assert len(builds) == 1
    assert entry.read_bytes().startswith(b"NLINDEX\0")


def test_no_module_of_namelink_unpickles_anything() -> None:
    sources = (Path(__file__).resolve().parent.parent / "namelink").rglob("*.py")
    assert not [p.name for p in sources if re.search(r"pickle\.loads?\(|marshal\.loads?\(", p.read_text())]


def test_every_one_of_150_single_bit_flips_in_a_cached_index_is_caught_and_rebuilt(
    tmp_path: Path, builds: list[int]
) -> None:
    directory = write_gazetteer(tmp_path / "g", [PUTIN, TBILISI])
    cache = tmp_path / "cache"
    expected = answers(Gazetteer.load(directory, cache_dir=cache))
    entry = cache_entry(directory, cache)
    good = entry.read_bytes()
    rng = random.Random(150)
    # Every region: the magic, the digest, the header length, the header, the body.
    positions = [*range(0, 48, 4), *rng.sample(range(48, len(good)), 138)]
    for position in positions:
        flipped = bytearray(good)
        flipped[position] ^= 1 << rng.randrange(8)
        entry.write_bytes(bytes(flipped))
        with pytest.raises(IndexFileError):
            open_store(entry, keys_version=KEYS_VERSION)
        assert answers(Gazetteer.load(directory, cache_dir=cache)) == expected
        assert entry.read_bytes() == good  # rebuilt, byte for byte
    assert len(builds) == 1 + len(positions) == 151


@pytest.mark.parametrize("keep", [0, 7, 47, 60, 0.5, -1])
def test_a_truncated_cached_index_is_rebuilt(tmp_path: Path, builds: list[int], keep: float) -> None:
    directory = write_gazetteer(tmp_path / "g", [PUTIN])
    expected = answers(Gazetteer.load(directory, cache_dir=tmp_path / "cache"))
    entry = cache_entry(directory, tmp_path / "cache")
    good = entry.read_bytes()
    entry.write_bytes(good[: int(keep * len(good)) if isinstance(keep, float) else keep])
    assert answers(Gazetteer.load(directory, cache_dir=tmp_path / "cache")) == expected
    assert len(builds) == 2


def test_a_read_only_cache_that_is_sound_is_still_read(tmp_path: Path, builds: list[int]) -> None:
    directory = write_gazetteer(tmp_path / "g", [PUTIN])
    expected = answers(Gazetteer.load(directory, cache_dir=tmp_path / "cache"))
    entry = cache_entry(directory, tmp_path / "cache")
    entry.chmod(0o400)
    entry.parent.chmod(0o500)
    try:
        assert answers(Gazetteer.load(directory, cache_dir=tmp_path / "cache")) == expected
    finally:
        entry.parent.chmod(0o700)
    assert len(builds) == 1


def test_a_cache_directory_others_can_write_is_refused(
    tmp_path: Path, builds: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    directory = write_gazetteer(tmp_path / "g", [PUTIN])
    shared = tmp_path / "cache" / "indexes"
    shared.mkdir(parents=True)
    shared.chmod(0o777)
    loaded = Gazetteer.load(directory, cache_dir=tmp_path / "cache")
    assert loaded.link("بوتين").qid == "Q7747"  # type: ignore[union-attr]
    assert list(shared.iterdir()) == []  # nothing written where others could swap it
    assert stat.S_IMODE(shared.stat().st_mode) == 0o777
    assert "writable by other users" in caplog.text
    assert len(builds) == 1


def test_an_index_is_compiled_once_and_kept_in_memory_when_the_cache_cannot_be_written(
    tmp_path: Path, builds: list[int]
) -> None:
    directory = write_gazetteer(tmp_path / "g", [PUTIN])
    full = tmp_path / "cache" / "indexes"
    full.mkdir(parents=True, mode=0o700)
    blocker = full / index_module._cache_name(directory / "entities.jsonl")
    blocker.mkdir()  # a directory where the file would go: os.replace fails
    index = load_index(directory / "entities.jsonl", tmp_path / "cache")
    assert index.entity(0).qid == "Q7747"
    assert not list(full.glob(".*.tmp"))  # no half-written file left behind
    assert len(builds) == 1


def test_from_records_builds_in_memory_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NAMELINK_CACHE_DIR", str(tmp_path / "cache"))
    gazetteer = Gazetteer.from_records([validate_record(PUTIN, "test")])
    assert gazetteer.link("بوتين") is not None
    assert not (tmp_path / "cache").exists()


def test_an_index_written_beside_a_gazetteer_is_readable_by_its_readers_and_a_cached_one_is_private(
    tmp_path: Path,
) -> None:
    directory = write_gazetteer(tmp_path / "g", [PUTIN])
    assert stat.S_IMODE(write_index(directory).stat().st_mode) == 0o644
    (directory / "entities.index").unlink()
    Gazetteer.load(directory, cache_dir=tmp_path / "cache")
    assert stat.S_IMODE(cache_entry(directory, tmp_path / "cache").stat().st_mode) == 0o600


def test_fuzzy_candidates_rank_the_same_with_numpy_or_without(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from collections import Counter

    from namelink.index.grams import most_shared

    pytest.importorskip("numpy")
    monkeypatch.setattr(index_module.grams, "NUMPY_FROM", 0)
    index = build_index(read_records(DEFAULT))
    rng = random.Random(7)
    spellings = [index.name_spelling[rng.randrange(len(index.name_spelling))] for _ in range(300)]
    for spelling in spellings:
        lists = [index.grams.get(gram) for gram in index_module.trigrams(spelling[:-1] + "ب")]
        counts: Counter[int] = Counter()
        for ids in sorted(lists, key=len):
            counts.update(ids)
        expected = [ident for ident, _ in counts.most_common(20)]
        query = len(lists)
        dice = {ident: 2 * count / (query + index.name_grams[ident]) for ident, count in counts.items()}
        by_dice = sorted(dice, key=dice.__getitem__, reverse=True)[:20]
        for use_numpy in (True, False):
            got = most_shared(lists, budget=10**9, min_lists=4, limit=20, use_numpy=use_numpy)
            assert got == expected
            sized = most_shared(
                lists, budget=10**9, min_lists=4, limit=20, sizes=index.name_grams, use_numpy=use_numpy
            )
            assert sized == by_dice


def test_fuzzy_candidates_keep_ties_across_the_limit_in_the_order_they_were_met() -> None:
    from array import array

    from namelink.index.grams import most_shared

    pytest.importorskip("numpy")
    # ids 5..1 each in two lists, 9 and 8 in three: a limit of 4 cuts through the tie of the twos
    lists = [array("I", [1, 2, 8, 9]), array("I", [3, 4, 5, 8, 9]), array("I", [1, 2, 3, 4, 5, 8, 9])]
    for use_numpy in (True, False):
        assert most_shared(lists, budget=100, min_lists=3, limit=4, use_numpy=use_numpy) == [8, 9, 1, 2]
        assert most_shared(lists, budget=100, min_lists=3, limit=1, use_numpy=use_numpy) == [8]
        every = most_shared(lists, budget=100, min_lists=3, limit=50, use_numpy=use_numpy)
        assert every == [8, 9, 1, 2, 3, 4, 5]


def test_a_column_decodes_many_rows_at_once_as_it_decodes_one() -> None:
    index = build_index(read_records(DEFAULT))
    rng = random.Random(11)
    for column in (index.name_spelling, index.name_text, index.name_last, index.labels):
        for count in (0, 1, 5, 63, 64, 300):
            rows = [rng.randrange(len(column)) for _ in range(count)]
            assert column.many(rows) == [column[i] for i in rows]
    # a string that holds the NUL the numpy path puts between strings: decoded one by one
    record = {**validate_record(PUTIN, "test"), "label": "a\x00b"}
    with_nul = build_index([record])
    rows = [0] * 70
    assert with_nul.labels.many(rows) == [with_nul.labels[0]] * 70


def test_each_name_records_how_many_distinct_trigrams_its_spelling_key_has() -> None:
    index = build_index(read_records(DEFAULT))
    for i in range(0, len(index.name_spelling), 7):
        assert index.name_grams[i] == min(len(index_module.trigrams(index.name_spelling[i])), 255)


def test_a_gazetteer_that_changes_while_it_is_indexed_leaves_no_index_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = write_gazetteer(tmp_path / "g", [PUTIN])
    hashes = iter(["before", "after"])
    monkeypatch.setattr(index_module.build, "sha256_file", lambda file: next(hashes))
    with pytest.raises(GazetteerError, match="changed while it was indexed"):
        write_index(directory)
    assert not (directory / "entities.index").exists()


def test_names_of_one_normal_form_share_its_row_or_a_copy_and_give_the_same_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from namelink.index.postings import StringPool
    from namelink.index.rows import SAME_TEXT, NameRows

    rows = NameRows(StringPool())
    plain, marked, tatweel = "محمد علي", "مُحمد علي", "محـمد علي"
    first = rows.derive(marked)
    assert rows.derive(tatweel) == first  # one normal form, neither its own: one row
    own = rows.derive(plain)
    assert own != first and rows.bits[own] == rows.bits[first] ^ SAME_TEXT
    step = index_module.rows.KEYS_PER_ROW
    assert rows.keys[step * own : step * own + step] == rows.keys[step * first : step * first + step]
    # Remembering no normal form nor spelling key (every name derived anew) writes the same bytes.
    records = list(read_records(DEFAULT))[:2_000]
    remembered = build_index(records)._store.to_bytes()
    derive = NameRows.derive

    def derive_anew(self: NameRows, name: str) -> int:
        self.norm_rows.clear()
        self.spelling_rows.clear()
        return derive(self, name)

    monkeypatch.setattr(NameRows, "derive", derive_anew)
    assert build_index(records)._store.to_bytes() == remembered
