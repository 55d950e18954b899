"""namelink.spacy: the "namelink" pipeline component, on blank Arabic and Persian
pipelines and on a pipeline whose entities come from an entity ruler (an NER
stand-in that needs no trained weights)."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from conftest import TWINS as SHARED_TWINS

spacy = pytest.importorskip("spacy")

import namelink.spacy as nlsp  # noqa: E402
from namelink import Gazetteer, link  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ENTRY_POINT = ("spacy_factories", "namelink", "namelink.spacy:make_namelink")
PUTIN, XI, SAMARKAND, TEHRAN, GEORGIA, UN = "Q7747", "Q15031", "Q5753", "Q3616", "Q230", "Q1065"
ARABIC = "التقى شي جين بينغ وبوتين في سمرقند، ثم قال الرئيس إن الأمم المتحدة ستجتمع."
PERSIAN = "ولادیمیر پوتین به تهران رفت."
# Two places of one name and nearly one popularity, for an ambiguous entity.
TWINS = SHARED_TWINS[:2]


def ents(doc: Any) -> list[tuple[str, str, str]]:
    return [(ent.text, ent.label_, ent.kb_id_) for ent in doc.ents]


def with_ruler(patterns: list[dict[str, Any]], lang: str = "ar", **config: Any) -> Any:
    nlp = spacy.blank(lang)
    nlp.add_pipe("entity_ruler").add_patterns(patterns)
    nlp.add_pipe("namelink", config=config)
    return nlp


RULES = [
    {"label": "PER", "pattern": "بوتين"},
    {"label": "LOC", "pattern": "جورجيا"},
    {"label": "ORG", "pattern": [{"TEXT": "الأمم"}, {"TEXT": "المتحدة"}]},
    {"label": "PER", "pattern": "زيد"},
]


# --- registration ------------------------------------------------------------------------


def test_the_factory_is_registered_once_namelink_spacy_is_imported() -> None:
    assert spacy.language.Language.has_factory("namelink")
    assert spacy.registry.factories.get("namelink") is nlsp.make_namelink


def test_pyproject_declares_the_spacy_factories_entry_point() -> None:
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    group, name, value = ENTRY_POINT
    assert project.get("entry-points", {}).get(group, {}).get(name) == value


def fresh_python(code: str, *, path: list[Path] | None = None) -> str:
    """Run ``code`` in a new interpreter (with ``path`` on sys.path) and return its stdout."""
    env_path = [str(p) for p in (path or [])] + [str(ROOT)]
    script = f"import sys; sys.path[:0] = {env_path!r}\n" + textwrap.dedent(code)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


ADD_PIPE_WITHOUT_IMPORT = """
    assert "namelink.spacy" not in sys.modules
    import spacy
    nlp = spacy.blank("ar")
    nlp.add_pipe("namelink", config={"add_ents": True})
    print(" ".join(ent.kb_id_ for ent in nlp("وصل بوتين إلى سمرقند").ents))
"""


def test_add_pipe_finds_the_component_through_the_entry_point_without_an_import(tmp_path: Path) -> None:
    # The metadata pip writes for the entry point in pyproject.toml, written by
    # hand, so that the mechanism is tested without installing the package.
    group, name, value = ENTRY_POINT
    dist_info = tmp_path / "namelink_entry_point_test-0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: namelink-entry-point-test\nVersion: 0\n"
    )
    (dist_info / "entry_points.txt").write_text(f"[{group}]\n{name} = {value}\n")
    assert fresh_python(ADD_PIPE_WITHOUT_IMPORT, path=[tmp_path]).split() == [PUTIN, SAMARKAND]


def test_the_installed_package_registers_the_component_by_entry_point() -> None:
    group, name, value = ENTRY_POINT
    found = [ep for ep in metadata.entry_points(group=group) if ep.name == name]
    if not found:
        pytest.skip("namelink is not installed with its spacy_factories entry point (pip install -e .)")
    assert found[0].value == value
    assert fresh_python(ADD_PIPE_WITHOUT_IMPORT).split() == [PUTIN, SAMARKAND]


# --- linking existing entities ---------------------------------------------------------------


def test_entities_of_an_ner_get_their_kb_id_and_the_namelink_extension() -> None:
    nlp = with_ruler(RULES)
    doc = nlp("قال بوتين إن جورجيا و الأمم المتحدة")
    assert ents(doc) == [("بوتين", "PER", PUTIN), ("جورجيا", "LOC", GEORGIA), ("الأمم المتحدة", "ORG", UN)]
    value = doc.ents[0]._.namelink
    assert value["qid"] == PUTIN
    assert value["label"] == "Vladimir Putin"
    assert value["description"] == "President of Russia"
    assert value["status"] == "linked"
    assert 0.9 < value["score"] < 1.0
    assert value["candidates"][0] == [PUTIN, "Vladimir Putin", value["score"]]


def test_an_entity_that_links_to_nothing_keeps_an_empty_kb_id_and_says_so() -> None:
    doc = with_ruler(RULES)("قال زيد")
    assert ents(doc) == [("زيد", "PER", "")]
    assert doc.ents[0]._.namelink["status"] == "unlinked"
    assert doc.ents[0]._.namelink["qid"] is None


def test_an_entity_two_gazetteer_entries_share_is_ambiguous_with_both_candidates(tmp_path: Path) -> None:
    path = tmp_path / "twins.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in TWINS), encoding="utf-8")
    doc = with_ruler([{"label": "LOC", "pattern": "توامستان"}], gazetteer=str(path))("زار توامستان")
    value = doc.ents[0]._.namelink
    assert doc.ents[0].kb_id_ == ""
    assert value["status"] == "ambiguous"
    assert {qid for qid, _, _ in value["candidates"]} == {"Q990000001", "Q990000002"}


def test_the_ner_label_restricts_the_type_an_entity_may_link_to() -> None:
    place = with_ruler([{"label": "LOC", "pattern": "جورجيا"}])("زار جورجيا")
    person = with_ruler([{"label": "PER", "pattern": "جورجيا"}])("زار جورجيا")
    unrestricted = with_ruler([{"label": "PER", "pattern": "جورجيا"}], label_types={})("زار جورجيا")
    assert place.ents[0].kb_id_ == unrestricted.ents[0].kb_id_ == GEORGIA
    assert person.ents[0].kb_id_ != GEORGIA


def test_types_and_threshold_are_read_from_the_config() -> None:
    text = "قال بوتين إن جورجيا"
    only_places = with_ruler(RULES, types=["place"])(text)
    assert ents(only_places) == [("بوتين", "PER", ""), ("جورجيا", "LOC", GEORGIA)]
    # No score reaches 1.0.
    assert [e.kb_id_ for e in with_ruler(RULES, threshold=1.0)(text).ents] == ["", ""]


def test_an_entity_linked_before_keeps_its_kb_id_unless_overwrite_ents() -> None:
    def pipeline(overwrite: bool) -> Any:
        nlp = spacy.blank("ar")
        nlp.add_pipe("entity_ruler").add_patterns([{"label": "PER", "pattern": "بوتين", "id": "Q1"}])

        @spacy.language.Language.component(f"kb_from_ruler_{overwrite}")
        def kb_from_ruler(doc: Any) -> Any:
            doc.ents = [
                spacy.tokens.Span(doc, e.start, e.end, label=e.label, kb_id=e.ent_id_) for e in doc.ents
            ]
            return doc

        nlp.add_pipe(f"kb_from_ruler_{overwrite}")
        nlp.add_pipe("namelink", config={"overwrite_ents": overwrite})
        return nlp

    assert pipeline(False)("قال بوتين").ents[0].kb_id_ == "Q1"
    assert pipeline(True)("قال بوتين").ents[0].kb_id_ == PUTIN


# --- adding gazetteer mentions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        (
            "ar",
            ARABIC,
            [
                ("شي جين بينغ", "PER", XI),
                ("وبوتين", "PER", PUTIN),
                ("سمرقند", "LOC", SAMARKAND),
                ("الأمم المتحدة", "ORG", UN),
            ],
        ),
        ("fa", PERSIAN, [("ولادیمیر پوتین", "PER", PUTIN), ("تهران", "LOC", TEHRAN)]),
    ],
)
def test_on_a_blank_pipeline_add_ents_adds_the_gazetteer_mentions(
    lang: str, text: str, expected: list[Any]
) -> None:
    nlp = spacy.blank(lang)
    nlp.add_pipe("namelink", config={"add_ents": True})
    doc = nlp(text)
    assert ents(doc) == expected
    assert all(ent._.namelink["qid"] == ent.kb_id_ for ent in doc.ents)
    assert all(ent._.namelink["candidates"][0][0] == ent.kb_id_ for ent in doc.ents)


def test_without_add_ents_a_blank_pipeline_gets_no_entities() -> None:
    nlp = spacy.blank("ar")
    nlp.add_pipe("namelink")
    assert nlp(ARABIC).ents == ()


def test_a_mention_that_overlaps_an_entity_yields_to_it_unless_overwrite_ents() -> None:
    # The ruler's span covers one word of the name; the mention covers three.
    rules = [{"label": "MISC", "pattern": "بينغ"}]
    kept = with_ruler(rules, add_ents=True)(ARABIC)
    replaced = with_ruler(rules, add_ents=True, overwrite_ents=True)(ARABIC)
    rest = [("وبوتين", "PER", PUTIN), ("سمرقند", "LOC", SAMARKAND), ("الأمم المتحدة", "ORG", UN)]
    alone = link("بينغ")  # what the ruler's one word links to by itself, if anything
    assert ents(kept) == [("بينغ", "MISC", alone.qid if alone else ""), *rest]
    assert ents(replaced) == [("شي جين بينغ", "PER", XI), *rest]


# --- configuration, pickling and processes ---------------------------------------------------------------


def test_a_wrong_config_fails_when_the_pipe_is_added() -> None:
    nlp = spacy.blank("ar")
    with pytest.raises(ValueError, match="unknown types"):
        nlp.add_pipe("namelink", config={"types": ["planet"]})
    with pytest.raises(ValueError, match="between 0 and 1"):
        nlp.add_pipe("namelink", config={"threshold": 3.0})
    with pytest.raises(ValueError, match="no gazetteer here"):
        nlp.add_pipe("namelink", config={"gazetteer": "/nonexistent/gazetteer"})


def test_a_pickled_pipeline_links_the_same_and_shares_the_loaded_gazetteer(tmp_path: Path) -> None:
    path = tmp_path / "twins.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in TWINS), encoding="utf-8")
    nlp = with_ruler(RULES, add_ents=True, gazetteer=str(path))
    copy = pickle.loads(pickle.dumps(nlp))
    text = "قال بوتين في توامستان"
    assert ents(copy(text)) == ents(nlp(text))
    assert copy.get_pipe("namelink").gazetteer is nlp.get_pipe("namelink").gazetteer


def test_the_gazetteer_loads_once_per_process_for_every_component_that_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "twins.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in TWINS), encoding="utf-8")
    loads: list[object] = []
    original = Gazetteer.load.__func__  # type: ignore[attr-defined]

    def counting(cls: type[Gazetteer], where: object, **kwargs: object) -> Gazetteer:
        loads.append(where)
        return original(cls, where, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(Gazetteer, "load", classmethod(counting))
    for _ in range(3):
        nlp = spacy.blank("ar")
        nlp.add_pipe("namelink", config={"gazetteer": str(path)})
        pickle.loads(pickle.dumps(nlp))(f"{nlp.lang}")
    assert [str(where) for where in loads] == [str(path)]


def test_a_saved_pipeline_loads_back_with_its_namelink_config(tmp_path: Path) -> None:
    nlp = with_ruler(RULES, types=["person", "org"])
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.get_pipe("namelink").types == frozenset({"person", "org"})
    text = "قال بوتين إن جورجيا و الأمم المتحدة"
    assert ents(loaded(text)) == ents(nlp(text))


TEXTS = [ARABIC, "وصل بوتين إلى سمرقند", "زار جورجيا", "", "قال الرئيس إن الأمم المتحدة", PERSIAN] * 5

TWO_PROCESSES = """
    import json, multiprocessing
    if {start_method!r}:
        multiprocessing.set_start_method({start_method!r})
    import spacy
    import namelink.spacy

    def run(n_process):
        nlp = spacy.blank("ar")
        nlp.add_pipe("entity_ruler").add_patterns({rules!r})
        nlp.add_pipe("namelink", config={{"add_ents": True}})
        docs = nlp.pipe({texts!r}, n_process=n_process, batch_size=2)
        return [[[e.text, e.label_, e.kb_id_, e._.namelink] for e in doc.ents] for doc in docs]

    if __name__ == "__main__":
        print(json.dumps([run(1), run(2)], ensure_ascii=False))
"""


@pytest.mark.parametrize("start_method", ["", "spawn"], ids=["default-start-method", "spawn"])
def test_pipe_with_two_processes_gives_the_same_docs_as_one_process(start_method: str) -> None:
    # In a fresh interpreter: forking this test process, which may run a Dask
    # cluster's threads, is not what a user's script does; "spawn" pickles the
    # component on its way to each worker, as on macOS and Windows.
    code = TWO_PROCESSES.format(start_method=start_method, rules=RULES, texts=TEXTS)
    one, two = json.loads(fresh_python(code))
    assert one == two
    assert sum(len(doc) for doc in one) > len(TEXTS)
    assert [e[2] for e in one[1]] == [PUTIN, SAMARKAND]


# --- entity bounds on blank pipelines, which leave punctuation on words -------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("قال إن تايوان”. ثم عاد", [("تايوان", "Q865")]),
        ("منظمة تعاون شانغهاي.[1] وقال", [("منظمة تعاون شانغهاي", "Q485207")]),
        ('visited Samarkand". Then', [("Samarkand", SAMARKAND)]),
        ("«بوتين»، و(سمرقند).", [("بوتين", PUTIN), ("سمرقند", SAMARKAND)]),
        ('"طهران"؟', [("طهران", TEHRAN)]),
    ],
)
def test_added_entities_cover_the_name_not_the_punctuation_quotes_or_brackets_around_it(
    text: str, expected: list[tuple[str, str]]
) -> None:
    nlp = spacy.blank("ar")
    nlp.add_pipe("namelink", config={"add_ents": True})
    doc = nlp(text)
    assert [(ent.text, ent.kb_id_) for ent in doc.ents] == expected
    assert doc.text == text  # splitting tokens changes no character
    assert all(ent._.namelink["qid"] == qid for ent, (_, qid) in zip(doc.ents, expected, strict=True))


def test_a_clitic_stays_on_its_entity_as_documented() -> None:
    nlp = spacy.blank("ar")
    nlp.add_pipe("namelink", config={"add_ents": True})
    assert [ent.text for ent in nlp("وصل وبوتين.").ents] == ["وبوتين"]


def test_a_token_of_an_existing_entity_is_not_split() -> None:
    nlp = with_ruler([{"label": "LOC", "pattern": "تايوان”."}], add_ents=True)
    doc = nlp("قال إن تايوان”. ثم")
    assert [token.text for token in doc] == ["قال", "إن", "تايوان”.", "ثم"]
    assert [ent.text for ent in doc.ents] == ["تايوان”."]
