"""Mentions of gazetteer names in running Arabic-script text: link_text().

No NER model: the gazetteer itself says what a name is. The text is read once,
left to right, token by token, with exact character offsets into the caller's
own string (diacritics, tatweel and odd spaces included):

1. tokens are runs of letters, digits, marks and joiners of the original text;
2. at each token, the longest run of tokens whose normal form is a gazetteer
   name wins (منظمة شنغهاي للتعاون, شي جين بينغ), tried only where a name can
   start (a table of first words, so the cost does not grow with the gazetteer);
3. a token that is no name may carry leading clitics (وبوتين, للصين) or be
   glued to the next word (أوكرانياخلفية): the clitic or the glued word is
   left outside the span;
4. the document keeps what it has linked: a later short form of a name (شي
   after شي جين بينغ, بوتين after فلاديمير بوتين) links to the same entity, and a
   short form that is also a common word (شي, رئيسي) links only with that
   support or with a title just before it (الرئيس, الزعيم, رئيس الوزراء).

Adjectives (الروسي, الصينية) are not names of countries, so they are not mentions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from namelink.keys import strip_clitics
from namelink.normalize import check_str, normalize
from namelink.records import Link, Mention
from namelink.words import is_common_word

if TYPE_CHECKING:
    from namelink.gazetteer import Gazetteer

__all__ = ["iter_link_text", "link_text"]

# A token: letters and digits, with the marks, tatweel and joiners that sit
# inside Arabic-script words.
_TOKEN = re.compile(r"(?:[^\W_]|[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200c\u200d])+")

# The longest name looked for, in tokens (منظمة التعاون والتنمية في الميدان الاقتصادي).
MAX_NAME_TOKENS = 8
# A glued token is split only after a name of at least this many letters, with
# at least GLUED_REST_MIN letters after it: shorter splits are guesses.
GLUED_NAME_MIN = 5
GLUED_REST_MIN = 3
# Titles that support a short form standing just after them (normal forms).
TITLES = frozenset(
    {
        "الرئيس",  # the president
        "الزعيم",  # the leader
        "رئيس",  # president
        "الوزراء",  # (prime) minister: رئيس الوزراء
        "الملك",  # the king
        "الامير",  # the prince
        "الشيخ",  # the sheikh
        "السيد",  # mister
        "المستشار",  # the chancellor
        "رئيس جمهور",  # president (fa)
        "صدر",  # president (ur)
        "وزير",  # minister
    }
)
# Tokens kept behind the current one: a title is at most two words (رئيس الوزراء).
TITLE_WINDOW = 2
# Latin tokens of this length or shorter must be capitalized to count (Xi, UN):
# lower-case "us", "xi" in running text are words.
SHORT_LATIN = 3


class _Document:
    """What one text has linked so far: the support for its short forms."""

    def __init__(self) -> None:
        self.entities: dict[str, Link] = {}  # qid → first full link
        self.short_forms: dict[str, Link] = {}  # normal form of a word of a linked name → link

    def remember(self, link: Link, norm: str) -> None:
        """Note a linked name. A person's first and last words become short forms
        (شي, بينغ of شي جين بينغ): news calls people so, not places or bodies."""
        self.entities.setdefault(link.qid, link)
        words = norm.split(" ")
        if link.type == "person" and len(words) > 1:
            for word in (words[0], words[-1]):
                if len(word) >= 2 and word not in TITLES:
                    self.short_forms.setdefault(word, link)


def _letters_before(token: str, count: int) -> int:
    """The offset in ``token`` after its first ``count`` normalized characters."""
    seen = 0
    for i, char in enumerate(token):
        if seen == count:
            return i
        seen += len(normalize(char).replace(" ", "")) if not char.isascii() else 1
    return len(token)


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


class _Reader:
    """Reads one text against one gazetteer, yielding mentions left to right."""

    def __init__(self, gazetteer: Gazetteer, types: frozenset[str] | None, threshold: float | None) -> None:
        self.gazetteer = gazetteer
        self.types = types
        self.threshold = threshold
        self.first_words = gazetteer._first_words()
        self.names = gazetteer._index.normalized
        self.norms: dict[str, str] = {}
        self.stems: dict[str, tuple[str, ...]] = {}
        self.links: dict[str, Link | None] = {}

    def norm(self, token: str) -> str:
        found = self.norms.get(token)
        if found is None:
            found = self.norms[token] = normalize(token)
        return found

    def link(self, name: str) -> Link | None:
        """link() of a normalized candidate span that is a gazetteer name, once per
        distinct span; None at once for a span that is no name."""
        if name not in self.links:
            found = None
            if self.names.get(name):
                found = self.gazetteer._link_name_in_text(name, self.types, self.threshold)
            self.links[name] = found
        return self.links[name]

    def clitic_stems(self, norm: str) -> tuple[str, ...]:
        found = self.stems.get(norm)
        if found is None:
            found = self.stems[norm] = tuple(s for s in strip_clitics(norm) if " " not in s)
        return found

    def read(self, text: str) -> Iterator[Mention]:
        """Mentions left to right. Tokens stream through a short buffer (the
        longest name ahead, two tokens behind for titles), so memory does not
        grow with the text."""
        stream = ((m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text))
        tokens: list[tuple[int, int, str]] = []
        norms: list[str] = []
        document = _Document()
        i = 0
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
                yield Mention(start=start, end=end, surface=text[start:end], link=link)
                i += used
            if i > TITLE_WINDOW:
                del tokens[: i - TITLE_WINDOW], norms[: i - TITLE_WINDOW]
                i = TITLE_WINDOW

    def longest(
        self, tokens: list[tuple[int, int, str]], norms: list[str], i: int, document: _Document
    ) -> tuple[int, int, int, Link, str] | None:
        """The longest mention starting at token ``i``: (start, end, tokens used, link, normal form)."""
        start, end, token = tokens[i]
        first = norms[i]
        if not first or (token.isascii() and len(token) <= SHORT_LATIN and not token[:1].isupper()):
            return None
        # 1. a name as written, longest first; but a word of a person named
        # earlier, followed by a common word, is that person (قال شي إن: "Xi said
        # that", not the city شي إن)
        earlier = document.short_forms.get(first)
        longest = self.first_words.get(first, 0)
        for n in range(min(longest, len(tokens) - i, MAX_NAME_TOKENS), 0, -1):
            if earlier is not None and n > 1 and any(is_common_word(w) for w in norms[i + 1 : i + n]):
                continue
            phrase = " ".join(norms[i : i + n])
            link = self.accept(phrase, norms, i, document)
            if link is not None:
                return start, tokens[i + n - 1][1], n, link, phrase
        # 2. a short form of a name linked earlier in this document
        if earlier is not None and self.allowed(earlier):
            why = f"short form of {earlier.matched_name} earlier in the text"
            return (
                start,
                end,
                1,
                replace(earlier, matched_name=token, method="document", explanation=why),
                first,
            )
        # 3. leading clitics: وبوتين, للصين
        if not token.isascii():
            for stem in self.clitic_stems(first):
                link = self.accept(stem, norms, i, document) if stem in self.first_words else None
                if link is None:
                    link = self.document_link(stem, document)
                if link is not None:
                    cut = _letters_before(token, len(first) - _common_suffix(first, stem))
                    return start + cut, end, 1, link, stem
        # 4. a name glued to the next word: أوكرانياخلفية
        if len(first) >= GLUED_NAME_MIN + GLUED_REST_MIN and " " not in first:
            for size in range(len(first) - GLUED_REST_MIN, GLUED_NAME_MIN - 1, -1):
                head = first[:size]
                if head in self.first_words:
                    link = self.accept(head, norms, i, document)
                    if link is not None:
                        return start, start + _letters_before(token, size), 1, link, head
        return None

    def accept(self, phrase: str, norms: list[str], i: int, document: _Document) -> Link | None:
        """The link of a candidate span, if it is a name here: an exact normal-form
        match (not a looser one: running text is not a name list), and for a
        common word (شي, رئيسي), only with support."""
        link = self.link(phrase)
        if link is None:
            return None
        if is_common_word(phrase) and not self.supported(link, norms, i, document):
            return None
        return link

    def document_link(self, norm: str, document: _Document) -> Link | None:
        earlier = document.short_forms.get(norm)
        return earlier if earlier is not None and self.allowed(earlier) else None

    def allowed(self, link: Link) -> bool:
        return self.types is None or link.type in self.types

    @staticmethod
    def supported(link: Link, norms: list[str], i: int, document: _Document) -> bool:
        if link.qid in document.entities:
            return True
        before = norms[max(0, i - 2) : i]
        return bool(before) and (before[-1] in TITLES or " ".join(before) in TITLES)


def iter_link_text(
    text: str,
    *,
    gazetteer: Gazetteer | None = None,
    types: Iterable[str] | str | None = None,
    threshold: float | None = None,
) -> Iterator[Mention]:
    """The mentions of gazetteer names in ``text``, yielded as they are found.

    Memory stays bounded by the number of distinct words and linked entities,
    not by the length of the text.
    """
    from namelink.gazetteer import Gazetteer
    from namelink.options import check_threshold, check_types

    check_str(text, "text")
    if gazetteer is None:
        gazetteer = Gazetteer.default()
    elif not isinstance(gazetteer, Gazetteer):
        raise TypeError(f"gazetteer must be a Gazetteer, not {type(gazetteer).__name__}")
    wanted = check_types(types)
    if threshold is not None:
        check_threshold(threshold)
    return _Reader(gazetteer, wanted, threshold).read(text)


def link_text(
    text: str,
    *,
    gazetteer: Gazetteer | None = None,
    types: Iterable[str] | str | None = None,
    threshold: float | None = None,
) -> list[Mention]:
    """Every mention of a gazetteer name in ``text``, with offsets into ``text``.

    >>> [m.surface for m in link_text("التقى شي جين بينغ وبوتين في سمرقند")]
    ['شي جين بينغ', 'بوتين', 'سمرقند']
    """
    return list(iter_link_text(text, gazetteer=gazetteer, types=types, threshold=threshold))
