"""namelink as a spaCy pipeline component: ``nlp.add_pipe("namelink")``.

    >>> import spacy
    >>> nlp = spacy.blank("ar")
    >>> _ = nlp.add_pipe("namelink", config={"add_ents": True})
    >>> [(ent.text, ent.kb_id_) for ent in nlp("التقى شي جين بينغ وبوتين في سمرقند").ents]
    [('شي جين بينغ', 'Q15031'), ('وبوتين', 'Q7747'), ('سمرقند', 'Q5753')]

The component links the entities a pipeline already has (an NER, an entity
ruler): each gets ``ent.kb_id_`` when it links, and ``ent._.namelink``, a dict
with qid, label, score, description, type, method, status and candidates. For
a pipeline with no NER, ``add_ents`` adds the gazetteer's own mentions in the
text (``Gazetteer.link_text``) as entities.

spaCy finds the factory through the ``spacy_factories`` entry point, so
``pip install namelink[spacy]`` is all it takes. The component pickles as its
configuration, and the gazetteer it names loads once per process, so
``nlp.pipe(texts, n_process=N)`` sends no gazetteer to its workers.

The ``namelink`` extension holds plain dicts and lists, not dataclasses: spaCy
serializes ``user_data`` with msgpack when it moves a Doc between processes or
to disk, and a value must come back equal to what was set.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterable
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from namelink.bulk import LINKED, classify
from namelink.gazetteer import Gazetteer
from namelink.loaded import load_gazetteer
from namelink.options import check_threshold, check_types
from namelink.records import Link, Mention

__all__ = ["DEFAULT_LABEL_TYPES", "EXTENSION", "TYPE_LABELS", "NamelinkComponent", "make_namelink"]

# The Span extension the component sets: ``ent._.namelink``.
EXTENSION = "namelink"
# Candidates kept on each entity: enough to review a close call (the best, the
# runner-up and one more) without each entity carrying a ranked list.
CANDIDATE_LIMIT = 3
# NER labels that say what kind of entity a span is, in the label sets of the
# common models and corpora (OntoNotes, WikiNER, ANERcorp, CoNLL): a span an NER
# calls a person is linked only to people. A label not listed restricts nothing.
DEFAULT_LABEL_TYPES: dict[str, str] = {
    "PERSON": "person",
    "PER": "person",
    "PERS": "person",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "ORG": "org",
}
# The label of an entity that add_ents adds, by entity type: the WikiNER set,
# which spaCy's multilingual pipelines and most Arabic NER corpora use.
TYPE_LABELS: dict[str, str] = {"person": "PER", "place": "LOC", "org": "ORG", "other": "MISC"}
# Distinct entity texts whose result one component remembers; past this it
# forgets them all and starts again (news repeats a few thousand names).
MEMO_SIZE = 50_000


def _register_extension() -> None:
    if not Span.has_extension(EXTENSION):
        Span.set_extension(EXTENSION, default=None)


@Language.factory(
    "namelink",
    default_config={
        "threshold": None,
        "types": None,
        "gazetteer": None,
        "overwrite_ents": False,
        "add_ents": False,
        # None: DEFAULT_LABEL_TYPES. A dict given in a config would be merged
        # into a dict default, so that {} could not switch the mapping off.
        "label_types": None,
    },
    assigns=["doc.ents", "token.ent_kb_id", "span._.namelink"],
)
def make_namelink(
    nlp: Language,
    name: str,
    threshold: float | None,
    types: list[str] | None,
    gazetteer: str | None,
    overwrite_ents: bool,
    add_ents: bool,
    label_types: dict[str, str] | None,
) -> NamelinkComponent:
    """The factory behind ``nlp.add_pipe("namelink", config={...})``."""
    return NamelinkComponent(
        name=name,
        threshold=threshold,
        types=types,
        gazetteer=gazetteer,
        overwrite_ents=overwrite_ents,
        add_ents=add_ents,
        label_types=label_types,
    )


class NamelinkComponent:
    """Links ``doc.ents`` to Wikidata, and with ``add_ents`` adds the gazetteer's
    mentions as entities.

    ``threshold`` and ``types`` are those of ``Gazetteer.link``. ``gazetteer``
    is None for the embedded one or a path. ``overwrite_ents``: an entity that
    already has a kb_id is relinked, and an added mention replaces the entities
    it overlaps; without it, what the pipeline found first stays.
    ``label_types`` maps NER labels to entity types (None: DEFAULT_LABEL_TYPES;
    ``{}`` to link every entity against every type).
    """

    def __init__(
        self,
        *,
        name: str = "namelink",
        threshold: float | None = None,
        types: Iterable[str] | str | None = None,
        gazetteer: str | None = None,
        overwrite_ents: bool = False,
        add_ents: bool = False,
        label_types: dict[str, str] | None = None,
    ) -> None:
        if gazetteer is not None and not isinstance(gazetteer, str):
            raise TypeError(f"gazetteer must be a path (str) or None, not {type(gazetteer).__name__}")
        self.name = name
        self.threshold = threshold
        self.types = check_types(types)
        self._cutoff = check_threshold(threshold)
        self.gazetteer_spec = gazetteer
        self.overwrite_ents = bool(overwrite_ents)
        self.add_ents = bool(add_ents)
        self.label_types = dict(DEFAULT_LABEL_TYPES if label_types is None else label_types)
        check_types(self.label_types.values())
        self._memo: dict[tuple[str, frozenset[str] | None], dict[str, Any]] = {}
        _register_extension()
        load_gazetteer(gazetteer)  # a wrong path fails here, not on the first document

    # -- pickling: the configuration travels, the gazetteer is loaded where it lands --

    def __getstate__(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "threshold": self.threshold,
            "types": sorted(self.types) if self.types is not None else None,
            "gazetteer": self.gazetteer_spec,
            "overwrite_ents": self.overwrite_ents,
            "add_ents": self.add_ents,
            "label_types": self.label_types,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    @property
    def gazetteer(self) -> Gazetteer:
        return load_gazetteer(self.gazetteer_spec)

    # -- linking ----------------------------------------------------------------------

    def __call__(self, doc: Doc) -> Doc:
        found: list[tuple[int, int, Mention]] = []
        if self.add_ents:  # first, for it may split tokens, which renumbers them
            found = self._align(
                doc, self.gazetteer.link_text(doc.text, types=self.types, threshold=self.threshold)
            )
        values: dict[tuple[int, int], dict[str, Any]] = {}
        spans: list[Span] = []
        for ent in doc.ents:
            if ent.kb_id_ and not self.overwrite_ents:
                spans.append(ent)
                continue
            wanted = self._types_for(ent.label_)
            if wanted is not None and not wanted:
                spans.append(ent)  # its label rules out every type asked for
                continue
            value = self._describe(ent.text, wanted)
            spans.append(Span(doc, ent.start, ent.end, label=ent.label, kb_id=value["qid"] or ""))
            values[ent.start_char, ent.end_char] = value
        if self.add_ents:
            spans = self._add_mentions(doc, spans, values, found)
        doc.ents = spans
        for ent in doc.ents:
            if (ent.start_char, ent.end_char) in values:
                ent._.set(EXTENSION, values[ent.start_char, ent.end_char])
        return doc

    def _types_for(self, label: str) -> frozenset[str] | None:
        """The entity types an entity with this NER label may link to (None: any)."""
        kind = self.label_types.get(label)
        if kind is None:
            return self.types
        return frozenset({kind}) if self.types is None else self.types & {kind}

    def _describe(self, text: str, types: frozenset[str] | None) -> dict[str, Any]:
        """The extension value for an entity text: the link, if any, and the candidates."""
        key = (text, types)
        found = self._memo.get(key)
        if found is None:
            gazetteer = self.gazetteer
            status, link = classify(gazetteer, text, types=types, threshold=self._cutoff)
            ranked = gazetteer.candidates(text, types=types, limit=CANDIDATE_LIMIT)
            found = _value(link, ranked, status)
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = found
        return _copy(found)

    def _align(self, doc: Doc, mentions: list[Mention]) -> list[tuple[int, int, Mention]]:
        """The character bounds of each mention's entity, and the tokens split so
        that an entity can have exactly those bounds.

        A blank Arabic or Persian pipeline leaves punctuation on its words
        (``تايوان”.``, ``شانغهاي.[1``), so a span widened to whole tokens would
        carry it. The bounds are the mention's, widened only over the letters and
        marks of its word (a clitic ``و`` stays on the entity, as documented); a
        token holding more than that is split with the retokenizer. A token that
        is part of an entity already is not split."""
        if not mentions:
            return []
        text = doc.text
        bounds: list[tuple[int, int, Mention]] = []
        cuts: dict[int, set[int]] = {}
        for mention in mentions:
            start, end = _word_bounds(text, mention.start, mention.end)
            bounds.append((start, end, mention))
            for offset in (start, end):
                token = _token_at(doc, offset, len(text))
                if (
                    token is not None
                    and token.idx < offset < token.idx + len(token.text)
                    and not token.ent_type
                ):
                    cuts.setdefault(token.i, set()).add(offset - token.idx)
        if cuts:
            with doc.retokenize() as retokenizer:
                for i, offsets in cuts.items():
                    token = doc[i]
                    edges = [0, *sorted(offsets), len(token.text)]
                    orths = [token.text[a:b] for a, b in itertools.pairwise(edges)]
                    root = token.head if token.head.i != token.i else (token, 0)
                    heads = [root if k == 0 else (token, 0) for k in range(len(orths))]
                    retokenizer.split(token, orths, heads=heads)
        return bounds

    def _add_mentions(
        self,
        doc: Doc,
        spans: list[Span],
        values: dict[tuple[int, int], dict[str, Any]],
        found: list[tuple[int, int, Mention]],
    ) -> list[Span]:
        """``spans`` with the gazetteer's mentions in ``doc`` added; an overlap is
        settled for the existing entity, or with overwrite_ents for the mention."""
        gazetteer = self.gazetteer
        added: list[Span] = []
        mentions: dict[tuple[int, int], Mention] = {}
        for start, end, mention in found:
            label = TYPE_LABELS.get(mention.link.type, "MISC")
            kb_id = mention.link.qid
            span = doc.char_span(start, end, label=label, kb_id=kb_id, alignment_mode="strict")
            if span is None:  # its token was not split (it is part of an entity already)
                span = doc.char_span(start, end, label=label, kb_id=kb_id, alignment_mode="expand")
            if span is not None:
                added.append(span)
                mentions[span.start_char, span.end_char] = mention
        added = filter_spans(added)  # two mentions inside one token: the longest, then the first, wins
        if self.overwrite_ents:
            spans = [s for s in spans if not any(_overlap(s, a) for a in added)]
        else:
            added = [a for a in added if not any(_overlap(a, s) for s in spans)]
        for span in added:
            mention = mentions[span.start_char, span.end_char]
            ranked = gazetteer.candidates(mention.surface, types=self.types, limit=CANDIDATE_LIMIT)
            ranked = [mention.link, *(c for c in ranked if c.qid != mention.link.qid)][:CANDIDATE_LIMIT]
            values[span.start_char, span.end_char] = _value(mention.link, ranked, LINKED)
        return sorted(spans + added, key=lambda s: s.start)


def _in_word(char: str) -> bool:
    """A letter, digit or combining mark: what a name's word is made of (not punctuation)."""
    return char.isalnum() or unicodedata.category(char).startswith("M")


def _word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """``start``, ``end`` widened over the letters of the words they begin and end in."""
    while start > 0 and _in_word(text[start - 1]):
        start -= 1
    while end < len(text) and _in_word(text[end]):
        end += 1
    return start, end


def _token_at(doc: Doc, offset: int, length: int) -> Any:
    """The token whose characters hold ``offset`` (None at a space or at ``length``,
    the end; passed in, for ``doc.text`` joins every token each time it is read)."""
    span = doc.char_span(offset, offset + 1, alignment_mode="expand") if offset < length else None
    return span[0] if span is not None and len(span) else None


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _value(link: Link | None, ranked: list[Link], status: str) -> dict[str, Any]:
    """The ``ent._.namelink`` dict: msgpack-safe, so it survives Doc.to_bytes."""
    return {
        "qid": link.qid if link else None,
        "label": link.label if link else None,
        "score": link.score if link else None,
        "description": link.description if link else None,
        "type": link.type if link else None,
        "method": link.method if link else None,
        "status": status,
        "candidates": [[c.qid, c.label, c.score] for c in ranked],
    }


def _copy(value: dict[str, Any]) -> dict[str, Any]:
    """A copy a caller may change without changing the memo."""
    return {**value, "candidates": [list(c) for c in value["candidates"]]}
