"""Mentions of gazetteer names in running Arabic-script text: the reader behind
Gazetteer.link_text() and namelink.link_text().

No NER model: the gazetteer itself says what a name is. The text is read once,
left to right, token by token, with exact character offsets into the caller's
own string (diacritics, tatweel and odd spaces included):

1. tokens are runs of letters, digits, marks and joiners of the original text;
2. at each token, the longest run of tokens whose normal form is a gazetteer
   name wins (منظمة شنغهاي للتعاون, شي جين بينغ), tried only where a name can
   start (a table of first words, so the cost does not grow with the gazetteer);
3. a token that is no name may carry leading clitics, also on the first word
   of a longer name (وبوتين, للصين, والأمم المتحدة), or be glued to the next
   word (أوكرانياخلفية): the clitic or the glued word is left outside the span;
4. a span that no name is as written but a name's key reaches (قازاقستان,
   اردوگان, and over a shorter name as written: سائوتومه و پرنسیپ) links at
   TEXT_VARIANT_THRESHOLD: running text holds far more words than names;
5. the document keeps what it has linked: a later short form of a name (شي
   after شي جين بينغ, بوتين after فلاديمير بوتين) links to the same entity, and a
   short form that is also a common word (شي, رئيسي), or a name that the
   language uses mostly as a word (كيف, أمل), links only with that support or
   with a title just before it (الرئيس, الزعيم, رئيس الوزراء).

An official name's designators join its mention (إقليم جزر كوكوس) if the whole
names the same entity. Adjectives (الروسي) are no names of countries, and a place
inside a longer name the gazetteer does not know (بحر اليابان) is no mention of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Protocol

from namelink.keys import first_word_key
from namelink.lexicon import is_common_word, script_lang, takes_no_arabic_clitics, word_zipf
from namelink.morphology import MAX_DESIGNATORS, word_stems
from namelink.normalize import normalize
from namelink.records import Entity, Link, Mention
from namelink.spans import (
    FUNCTION_WORD_ZIPF,
    SPLIT_WORDS,
    TITLE_WINDOW,
    Document,
    common_suffix,
    glued_heads,
    inside_longer_name,
    joined_by_and,
    joins_before,
    letters_before,
    may_be_typo,
    needs_spelling,
    rarer_word,
    short_form,
    supported,
    surely_spelled,
    widen,
    word_excess,
    written,
)

__all__ = ["NameLookup", "read_mentions"]


class NameLookup(Protocol):
    """What the reader asks of a gazetteer (namelink.Gazetteer is one): where
    names can start, whether a span is or resembles a name, and the links."""

    def first_words(self) -> Mapping[str, int]: ...
    def first_word_keys(self) -> Mapping[str, int]: ...
    def longest_first_word(self) -> int: ...
    def holds_name(self, norm: str) -> bool: ...
    def holds_key_of(self, norm: str) -> bool: ...
    def entity(self, qid: str) -> Entity | None: ...
    def link_as_written(
        self, name: str, types: frozenset[str] | None, threshold: float | None
    ) -> Link | None: ...
    def link(
        self,
        name: str,
        *,
        types: frozenset[str] | None = None,
        threshold: float | None = None,
        lang: str | None = None,
    ) -> Link | None: ...


# A token: letters and digits, with the marks, tatweel and joiners that sit
# inside Arabic-script words.
_TOKEN = re.compile(r"(?:[^\W_]|[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200c\u200d])+")

# The longest name looked for, in tokens (منظمة التعاون والتنمية في الميدان الاقتصادي).
MAX_NAME_TOKENS = 8
# A variant of a name (قازاقستان) links in running text only at this probability:
# text has far more words than a list of names (fit half of text.tsv: 0.8 / 0.75
# / 0.7 found 231 / 244 / 249 of 438 for 10 / 12 / 19 false links in 8,517 tokens).
TEXT_VARIANT_THRESHOLD = 0.75
# A single word that running text uses at least this often (zipf 4: once in
# 10,000 words) is not looked up as a variant spelling of a name: real one-word
# variant spellings are rarer (94% of those in the fit half of
# tests/data/eval/variants.tsv), and the lookups it saves are most of
# link_text's work.
TEXT_VARIANT_MAX_ZIPF = 4.0
# A one-word name as written that is one of the language's most frequent words
# (zipf at least TEXT_FREQUENT_WORD: once in 100,000 words) needs support (a
# title, the document) unless its entity is famous (TEXT_FAMOUS, the popularity
# of a sitting head of state or a capital) and the language does not use it
# TEXT_WORD_EXCESS more (in zipf) than the entity's other one-word names
# (spans.word_excess): then the frequency is the word's (كيف "how", not Kyiv:
# 1.9). روسيا, مصر, آمریکا stay names, and أمريكا beside أميركا (1.1): of the
# famous entities' frequent names only كيف, کیف, two of Benin's, آسیان are words.
TEXT_FREQUENT_WORD = 5.0
TEXT_FAMOUS = 100
TEXT_WORD_EXCESS = 1.5
# Tokens kept behind the current one: a title (TITLE_WINDOW), or the designators
# of an official name (MAX_DESIGNATORS: وفاقی جمہوری جمہوریہ ایتھوپیا).
TOKENS_BEHIND = max(TITLE_WINDOW, MAX_DESIGNATORS)
# Conjunctions that may stand before a short form the document has linked (وشي).
SHORT_FORM_CONJUNCTIONS = ("و", "ف")
# Latin tokens of this length or shorter must be capitalized to count (Xi, UN):
# lower-case "us", "xi" in running text are words.
SHORT_LATIN = 3


class _Reader:
    """Reads one text against one gazetteer, yielding mentions left to right."""

    def __init__(self, gazetteer: NameLookup, types: frozenset[str] | None, threshold: float | None) -> None:
        self.gazetteer = gazetteer
        self.types = types
        self.threshold = threshold
        self.first_words = gazetteer.first_words()
        self.first_keys = gazetteer.first_word_keys()
        self.longest_first = gazetteer.longest_first_word()
        self.loose: dict[str, Link | None] = {}
        self.excess: dict[tuple[str, str], float] = {}
        # once per distinct word or span of this text
        self.norm = cache(normalize)
        self.keyed = cache(gazetteer.holds_key_of)
        self.first_key = cache(first_word_key)
        self.clitic_stems = cache(word_stems)
        self.starts_nothing = cache(self.where_nothing_starts)
        self.link = cache(self.as_written)

    def as_written(self, name: str, raw: str) -> Link | None:
        """link() of a normalized span that is a gazetteer name, weighed as the text
        writes it (``raw``; asked once per distinct span); None for a span that is no name."""
        if not self.gazetteer.holds_name(name):
            return None
        return self.gazetteer.link_as_written(self.as_weighed(name, raw), self.types, self.threshold)

    def as_weighed(self, phrase: str, raw: str) -> str:
        """The span as the text spells it, when that normalizes to the span, else the span."""
        return raw if raw and self.norm(raw) == phrase else phrase

    def loose_link(self, phrase: str, raw: str, typo: bool = False) -> Link | None:
        """link() of a span that is no gazetteer name as written but shares a key
        with one (a variant spelling: قازاقستان, اردوگان), or with ``typo`` of an
        unknown word (كازاختسان), by the calibrated decision at the stricter
        TEXT_VARIANT_THRESHOLD. The lookup is the same with or without ``typo``
        (only the test before it differs), so each distinct span is looked up
        once: a one-word span the key test let through is not looked up again as
        a typo."""
        # a word that text uses this often is a word, or a name spelled as the
        # gazetteer spells it (which step 1 finds): not a variant spelling
        if " " not in phrase and word_zipf(phrase) >= TEXT_VARIANT_MAX_ZIPF:
            return None
        if not typo and not self.keyed(phrase):
            return None
        query = self.as_weighed(phrase, raw)
        if query not in self.loose:
            cutoff = max(TEXT_VARIANT_THRESHOLD, self.threshold or 0.0)
            found = self.gazetteer.link(query, types=self.types, threshold=cutoff)
            if found is not None and found.method in ("exact", "normalized"):
                found = None  # a name as written is step 1's, with its own rules
            self.loose[query] = found
        return self.loose[query]

    def word_more_than_name(self, link: Link, norm: str, raw: str) -> bool:
        """Whether a one-word name as written is rather a frequent word here: one
        of the language's most frequent words that names an entity not famous
        enough to explain it (أمل "hope", not the town Amol), or that, in the
        language its letters betray, is far more frequent than the entity's
        other names in that language (Arabic كيف "how", not Kyiv: كييف)."""
        if word_zipf(norm) < TEXT_FREQUENT_WORD:
            return False
        if link.popularity < TEXT_FAMOUS:
            return True
        lang = script_lang(raw)
        key = (link.qid, norm)
        if lang is None:
            return False  # letters shared by all three languages: no evidence either way
        if key not in self.excess:
            self.excess[key] = word_excess(self.gazetteer.entity(link.qid), norm, lang)
        return self.excess[key] >= TEXT_WORD_EXCESS

    def read(self, text: str) -> Iterator[Mention]:
        """Mentions left to right. Tokens stream through a short buffer (the longest
        name ahead, TOKENS_BEHIND behind), so memory does not grow with the text."""
        stream = ((m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text))
        tokens: list[tuple[int, int, str]] = []
        norms: list[str] = []
        document = Document()
        i = 0
        last_end = 0  # where the last mention ended: no token before it is free
        while True:
            while len(tokens) - i < MAX_NAME_TOKENS:
                token = next(stream, None)
                if token is None:
                    break
                tokens.append(token)
                norms.append(self.norm(token[2]))
            if i >= len(tokens):
                return
            found = self.longest(tokens, norms, i, document)
            if found is None:
                i += 1
            else:
                start, end, used, link, norm = found
                document.remember(link, norm)
                if link.type != "person":
                    start, end, used = widen(tokens, norms, i, (start, end, used), last_end, link, self.whole)
                yield Mention(start=start, end=end, surface=text[start:end], link=link)
                last_end = end
                i += used
            if i > TOKENS_BEHIND:
                del tokens[: i - TOKENS_BEHIND], norms[: i - TOKENS_BEHIND]
                i = TOKENS_BEHIND

    def longest(
        self, tokens: list[tuple[int, int, str]], norms: list[str], i: int, document: Document
    ) -> tuple[int, int, int, Link, str] | None:
        """The longest mention starting at token ``i``: (start, end, tokens used, link, normal form)."""
        start, end, token = tokens[i]
        first = norms[i]
        if not first or (token.isascii() and len(token) <= SHORT_LATIN and not token[:1].isupper()):
            return None
        # most words of running text start nothing: only the document can make them a mention
        quiet = self.starts_nothing(first)
        if quiet is not None and document.short_forms.keys().isdisjoint(quiet):
            return None
        # 1. a name as written, longest first; but a word of a person named
        # earlier, followed by a common word, is that person (قال شي إن: "Xi said
        # that", not the city شي إن)
        earlier = document.short_forms.get(first)
        found = self.span(first, tokens, norms, i, document, skip_common=earlier is not None)
        if found is not None and self.designators_of_next(found[3], found[1], tokens, norms, i, document):
            return None  # آزاد ریاستِ پاپوا نیو گنی: the name is the next one's designators
        if found is not None and joined_by_and(norms, i + found[1]):
            found = self.variant_span(first, tokens, norms, i, shorter=found[1]) or found
        if found is not None:
            return (start, *found)
        # 2. a short form of a name linked earlier in this document
        if earlier is not None and self.allowed(earlier):
            return start, end, 1, short_form(earlier, token), first
        if token.isascii():
            return None
        # 3. leading clitics: وبوتين, للصين, والأمم المتحدة (not in Persian or Urdu)
        stems = () if takes_no_arabic_clitics(token) else self.clitic_stems(first)
        for stem in stems:
            found = self.span(stem, tokens, norms, i, document)
            if found is None:
                link = self.document_link(stem, document)
                found = (end, 1, link, stem) if link is not None else None
            if found is not None:
                cut = letters_before(token, len(first) - common_suffix(first, stem))
                if cut >= end - start:  # the clitic is inside a ligature (ﰈوسكو): keep the token whole
                    cut = 0
                return (start + cut, *found)
        # a short form after a one-letter conjunction (پوتن وشي): shorter than a
        # clitic stem may be, but the document vouches for it
        if first[:1] in SHORT_FORM_CONJUNCTIONS and len(first) > 2:
            link = self.document_link(first[1:], document)
            cut = letters_before(token, 1)
            if link is not None and cut < end - start:
                return start + cut, end, 1, short_form(link, token[cut:]), first[1:]
        # 4. a variant spelling of a name: قازاقستان, اردوگان, وقازاقستان
        for head in (first, *stems):
            found = self.variant_span(head, tokens, norms, i)
            if found is not None:
                cut = letters_before(token, len(first) - common_suffix(first, head)) if head != first else 0
                return (start + (cut if cut < end - start else 0), *found)
        # 5. a name glued to the next word: أوكرانياخلفية
        for size in glued_heads(first, self.first_words, self.longest_first):
            link = self.accept(first[:size], norms, i, document, token[: letters_before(token, size)])
            if link is not None:
                return start, start + letters_before(token, size), 1, link, first[:size]
        return None

    def where_nothing_starts(self, first: str) -> tuple[str, ...] | None:
        """The words whose short forms alone could make ``first`` a mention when,
        by the tables alone and whatever the words around it, no name as written,
        no variant of one and no glued name starts there (steps 1, 3, 4, 5 of
        longest() find nothing); else None."""
        stems = self.clitic_stems(first)
        if any(h in self.first_words or self.variant_may_start(h) for h in (first, *stems)):
            return None
        if glued_heads(first, self.first_words, self.longest_first):
            return None
        conjunction = (first[1:],) if first[:1] in SHORT_FORM_CONJUNCTIONS and len(first) > 2 else ()
        return (first, *stems, *conjunction)

    def variant_may_start(self, head: str) -> bool:
        """Whether variant_span() may find a span at ``head``, no name's first word:
        not if frequent; if its key starts names, or if it is a typo's length."""
        frequent = word_zipf(head) >= TEXT_FREQUENT_WORD
        return not frequent and (may_be_typo(head) or bool(self.first_keys.get(self.first_key(head))))

    def span(
        self,
        first: str,
        tokens: list[tuple[int, int, str]],
        norms: list[str],
        i: int,
        document: Document,
        skip_common: bool = False,
    ) -> tuple[int, int, Link, str] | None:
        """The longest name as written that starts with ``first`` (the token at
        ``i``, or its stem) and goes on with the tokens after it: (end, tokens
        used, link, normal form)."""
        longest = self.first_words.get(first, 0)
        for n in range(min(longest, len(tokens) - i, MAX_NAME_TOKENS), 0, -1):
            rest = norms[i + 1 : i + n]
            if skip_common and n > 1 and any(is_common_word(w) for w in rest):
                continue
            if n == 1 and inside_longer_name(norms, i, 1):
                return None  # no mention, whatever it links to: not looked up
            phrase = " ".join([first, *rest])
            link = self.accept(phrase, norms, i, document, written(tokens, norms, i, n, first))
            if link is not None:
                return tokens[i + n - 1][1], n, link, phrase
        return None

    def variant_span(
        self, first: str, tokens: list[tuple[int, int, str]], norms: list[str], i: int, shorter: int = 0
    ) -> tuple[int, int, Link, str] | None:
        """The longest span starting with ``first`` that a gazetteer name's key
        reaches and the calibrated decision links: a name spelled otherwise. With
        ``shorter``, only a span of more tokens than a name as written found there
        (سائوتومه و پرنسیپ over سائوتومه: the caller asks only where و follows)."""
        # a frequent word starts no misspelled name on its own, but may start, before a
        # rarer word, one it starts as written (مشرقی تیمور); a function word (من, إن) none
        frequent = (zipf := word_zipf(first)) >= TEXT_FREQUENT_WORD
        if frequent and (zipf >= FUNCTION_WORD_ZIPF or first not in self.first_words):
            return None
        longest = self.first_keys.get(self.first_key(first), 0)
        longest = min(longest + SPLIT_WORDS if longest else 0, len(tokens) - i, MAX_NAME_TOKENS)
        fewest = max(shorter + 1, rarer_word(norms, i, longest, TEXT_FREQUENT_WORD) + 1 if frequent else 1)
        for n in range(longest, fewest - 1, -1):
            if inside_longer_name(norms, i, n):
                continue  # no mention, whatever it links to: not looked up
            phrase = " ".join([first, *norms[i + 1 : i + n]])
            link = self.loose_link(phrase, written(tokens, norms, i, n, first))
            if link is None or (needs_spelling(norms, i, n, frequent) and not surely_spelled(phrase, link)):
                continue
            if self.allowed(link):
                return tokens[i + n - 1][1], n, link, phrase
        # a word the language does not know at all, and long enough to carry a
        # typo, may be a name misspelled (كازاختسان): the full lookup, fuzzy stage
        # included, at the same threshold
        if fewest == 1 and may_be_typo(first):
            raw = written(tokens, norms, i, 1, first)
            link = None if inside_longer_name(norms, i, 1) else self.loose_link(first, raw, typo=True)
            if link is not None and self.allowed(link):
                return tokens[i][1], 1, link, first
        return None

    def accept(self, phrase: str, norms: list[str], i: int, document: Document, raw: str = "") -> Link | None:
        """The link of a candidate span that is a name as written, if it is a name
        here: a common word (شي, رئيسي) or a name the language uses mostly as a
        word (كيف, أمل) only with support."""
        link = self.link(phrase, raw)
        if link is None:
            return None
        common = is_common_word(phrase) or (" " not in phrase and self.word_more_than_name(link, phrase, raw))
        if common and not supported(link, norms, i, document):
            return None
        return link

    def whole(self, phrase: str) -> Link | None:
        """link() of a span widened over designators: the full decision."""
        return self.gazetteer.link(phrase, types=self.types, threshold=self.threshold)

    def designators_of_next(
        self,
        phrase: str,
        used: int,
        tokens: list[tuple[int, int, str]],
        norms: list[str],
        i: int,
        document: Document,
    ) -> bool:
        """Whether a name as written of ``used`` tokens at ``i`` that is all
        designators (آزاد ریاست, ریاستہائے متحدہ) is those of the mention after
        it: link() of the whole names its entity (ریاستہائے متحدہ میکسیکو)."""
        words = phrase.split(" ")
        if len(words) > MAX_DESIGNATORS or not all(joins_before(word) for word in words):
            return False
        after = i + used
        found = self.longest(tokens, norms, after, document) if after < len(tokens) else None
        if found is None:
            return False
        whole = self.whole(" ".join(norms[i : after + found[2]]))
        return whole is not None and whole.qid == found[3].qid

    def document_link(self, norm: str, document: Document) -> Link | None:
        earlier = document.short_forms.get(norm)
        return earlier if earlier is not None and self.allowed(earlier) else None

    def allowed(self, link: Link) -> bool:
        return self.types is None or link.type in self.types


def read_mentions(
    text: str, gazetteer: NameLookup, types: frozenset[str] | None, threshold: float | None
) -> Iterator[Mention]:
    """The mentions of ``gazetteer``'s names in ``text``, yielded left to right.
    The arguments are checked already (Gazetteer.iter_link_text does)."""
    return _Reader(gazetteer, types, threshold).read(text)
