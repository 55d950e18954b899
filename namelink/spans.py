"""What the running-text reader (text.py) knows about spans: what the document
has linked so far, where a mention starts inside a token, whether a span is part
of a longer name, and how far a state's official name reaches."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache

from namelink.evidence import LEXICON_LANG, OWN_LEXICON
from namelink.keys import first_word_key, spelling_key
from namelink.lexicon import name_heads, name_tails, word_zipf
from namelink.morphology import (
    COMMON_NOUN_DESIGNATORS,
    DESIGNATED_KIND,
    MAX_DESIGNATORS,
    QUALIFIERS,
    STATE_DESIGNATORS,
    STATE_FORMS,
    TITLES,
    TRAILING_DESIGNATORS,
    strip_clitics,
)
from namelink.normalize import normalize
from namelink.records import Entity, Link

__all__ = [
    "BEGINS_NAMES_REMEMBERED",
    "FREQUENT_START_THRESHOLD",
    "FUNCTION_WORD_ZIPF",
    "GLUED_NAME_MIN",
    "GLUED_REST_MIN",
    "HEADS_REMEMBERED",
    "SPLIT_WORDS",
    "TEXT_TYPO_MIN",
    "TITLE_WINDOW",
    "Document",
    "begins_names",
    "common_suffix",
    "glued_heads",
    "inside_longer_name",
    "joined_by_and",
    "joins_before",
    "letters_before",
    "lines_up",
    "may_be_typo",
    "needs_spelling",
    "rarer_word",
    "short_form",
    "still_names",
    "supported",
    "surely_spelled",
    "widen",
    "with_designators",
    "word_excess",
    "written",
    "written_head",
]

# Tokens kept behind the current one: a title is at most two words (رئيس الوزراء).
TITLE_WINDOW = 2
# A name's word may be written as two (کرسمس آئ لینڈ for کرسمس آئلینڈ): a variant
# span may be this many tokens longer than the longest name its first word starts.
SPLIT_WORDS = 1
# A variant span that starts with one of the language's most frequent words
# (text.TEXT_FREQUENT_WORD) links only at this probability: the word is evidence
# against a name (in the fit half of tests/data/eval/text.tsv such spans that
# are the marked name scored 0.95 and more: مشرقی تیمور, سینٹ پیئر و میکوئیلون;
# the one false, ساخت اولین, 0.83).
FREQUENT_START_THRESHOLD = 0.9
# A word this frequent (zipf 6: once in 1,000 words) is a function word: the
# particles, prepositions and the genitive (إنّ, را, کی "of") that follow names.
# A variant span ending in one must spell its name word for word.
FUNCTION_WORD_ZIPF = 6.0
# Words after a name that may be part of it: a state's form, a territory word.
AFTER_NAME = STATE_FORMS | TRAILING_DESIGNATORS
# A glued token (أوكرانياخلفية) is split only after a name of at least this
# many letters, with at least GLUED_REST_MIN letters after it: shorter splits
# are guesses.
GLUED_NAME_MIN = 5
GLUED_REST_MIN = 3
# Distinct words whose begins_names() is remembered: inside_longer_name() asks
# it of the word before every candidate span, and news repeats its words (a few
# MB at most: a word and a bool an entry).
BEGINS_NAMES_REMEMBERED = 65_536


class Document:
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


def inside_longer_name(norms: list[str], i: int, n: int) -> bool:
    """Whether the span of ``n`` tokens at ``i`` is part of a longer name the
    gazetteer does not hold: a word that begins names stands before it (بحر
    اليابان, وبحر اليابان, منظمة شنغهاي للتعاون) or an adjective of names follows
    it (آسيا الوسطى). The longer name would have been found first, had it been
    known."""
    before = norms[i - 1] if i > 0 else ""
    after = norms[i + n] if i + n < len(norms) else ""
    return after in name_tails() or begins_names(before)


@lru_cache(maxsize=BEGINS_NAMES_REMEMBERED)
def begins_names(word: str) -> bool:
    """Whether a normalized word, or what is left of it without its leading
    clitics (وبحر), is a word that begins names (بحر, جزيرة): lexicon.name_heads()."""
    heads = name_heads()
    return any(stem in heads for stem in (word, *strip_clitics(word)))


# A word the lexicon does not know at all is looked up fuzzily (as a typo of a
# name) when it has at least this many letters: shorter ones are too close to
# too many names.
TEXT_TYPO_MIN = 5


def may_be_typo(word: str) -> bool:
    """Whether running text may look ``word`` up fuzzily, as a name misspelled
    (كازاختسان): one word of at least TEXT_TYPO_MIN letters that the language
    knows neither as written nor by its spelling key (hamza seats, پ/ب and ڤ/ف
    folded: ڤيروس is فيروس "virus", أولمپياد is أولمبياد "Olympiad", whatever
    name they resemble)."""
    if len(word) < TEXT_TYPO_MIN or " " in word:
        return False
    return word_zipf(word) == 0.0 and word_zipf(spelling_key(word)) == 0.0


def short_form(earlier: Link, surface: str) -> Link:
    """The link of a short form (شي) of a name linked earlier in the document."""
    why = f"short form of {earlier.matched_name} earlier in the text"
    return replace(earlier, matched_name=surface, method="document", explanation=why)


def letters_before(token: str, count: int) -> int:
    """The offset in ``token`` after its first ``count`` normalized characters."""
    seen = 0
    for i, char in enumerate(token):
        if seen == count:
            return i
        seen += len(normalize(char).replace(" ", "")) if not char.isascii() else 1
    return len(token)


def glued_heads(word: str, first_words: Mapping[str, int], longest_first: int) -> list[int]:
    """How many letters of a normalized token may be a name glued to the next word
    (أوكرانياخلفية), longest first: the heads that are first words of names,
    before a word of the language or another name. A token the lexicon lists is
    a word, not two (الصينيين "the Chinese" is no الصين glued to يين). A name is
    no longer than ``longest_first`` letters, which bounds the work."""
    if len(word) < GLUED_NAME_MIN + GLUED_REST_MIN or " " in word or word_zipf(word) > 0:
        return []
    top = min(len(word) - GLUED_REST_MIN, longest_first)
    return [
        size
        for size in range(top, GLUED_NAME_MIN - 1, -1)
        if word[:size] in first_words and (word_zipf(word[size:]) > 0 or word[size:] in first_words)
    ]


def joined_by_and(norms: list[str], k: int) -> bool:
    """Whether token ``k`` may join a name to the one before it: و, alone or glued
    (سائوتومه و پرنسیپ, ساو تومي وبرينسيب). Only then is a name as written
    looked for inside a longer variant spelling of a name."""
    return k < len(norms) and norms[k].startswith("و")


def lines_up(phrase: str, name: str) -> bool:
    """Whether a normalized span spells ``name`` word for word, each word with the
    same skeleton (مشرقی تیمور: مَشرِقی تایمور), not with words glued or split
    otherwise (مادر و: مادورو) or one put before it (جو جزیرہ آئرلینڈ)."""
    words, others = phrase.split(" "), normalize(name).split(" ")
    return len(words) == len(others) and all(
        first_word_key(word) == first_word_key(other) for word, other in zip(words, others, strict=True)
    )


def rarer_word(norms: list[str], i: int, longest: int, frequent: float) -> int:
    """How many tokens after ``i`` the first word rarer than zipf ``frequent`` is
    (``longest`` if none is nearer)."""
    return next((k for k in range(1, longest) if word_zipf(norms[i + k]) < frequent), longest)


def needs_spelling(norms: list[str], i: int, n: int, frequent_first: bool) -> bool:
    """Whether a variant span of ``n`` tokens at ``i`` must spell its name word for
    word (surely_spelled): it starts with a frequent word, or it ends in a
    function word (إنّ after فلاديمير بوتين, کی "of" in جزائر کی for جزایر اوکی)."""
    return frequent_first or (n > 1 and word_zipf(norms[i + n - 1]) >= FUNCTION_WORD_ZIPF)


def surely_spelled(phrase: str, link: Link) -> bool:
    """Whether a variant span that starts with a frequent word is the name: it
    spells the name word for word (not مادر و for مادورو, nor جو جزیرہ
    آئرلینڈ) and the decision is sure of it (not ساخت اولین "the making of
    the first" for سيخوت ألين, 0.83)."""
    return link.score >= FREQUENT_START_THRESHOLD and lines_up(phrase, link.matched_name)


def written(tokens: Sequence[tuple[int, int, str]], norms: Sequence[str], i: int, n: int, first: str) -> str:
    """The ``n`` tokens from ``i`` as the text writes them, the first cut to
    ``first`` (its normal form without leading clitics): what link() weighs, the
    letters that betray the language included (کوین را دید is Persian, which its
    normal form كوين را ديد does not say)."""
    head = tokens[i][2] if first == norms[i] else written_head(tokens[i][2], norms[i], first)
    return " ".join([head, *(t[2] for t in tokens[i + 1 : i + n])])


# Distinct (token, stem) pairs whose written stem is remembered: a text's clitics recur.
HEADS_REMEMBERED = 4096


@lru_cache(maxsize=HEADS_REMEMBERED)
def written_head(token: str, norm: str, stem: str) -> str:
    """A token (normalized ``norm``) as written without the clitics that ``stem`` lacks."""
    cut = letters_before(token, len(norm) - common_suffix(norm, stem))
    return token[cut:] if cut < len(token) else stem


def common_suffix(a: str, b: str) -> int:
    """How many characters ``a`` and ``b`` end with in common."""
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def supported(link: Link, norms: list[str], i: int, document: Document) -> bool:
    """Whether a name that is also a common word has support here: the document
    linked its entity already, or a title stands just before it (الرئيس رئيسي)."""
    if link.qid in document.entities:
        return True
    before = norms[max(0, i - 2) : i]
    return bool(before) and (before[-1] in TITLES or " ".join(before) in TITLES)


def joins_before(word: str) -> bool:
    """Whether a word before a name may be part of it in running text: a
    designator of a state, a territory or a body (جمهورية, إقليم, مدينة, منظمة)
    or a qualifier of one (اسلامی, متحد), but no title of a person (الرئيس) and
    no common noun sentences put before any place (شهر, کشور)."""
    if word in QUALIFIERS:
        return True
    return DESIGNATED_KIND.get(word, "person") != "person" and word not in COMMON_NOUN_DESIGNATORS


def still_names(whole: Link | None, link: Link, before: list[str], after: bool) -> bool:
    """Whether a mention widened over the designators ``before`` its name (and
    words ``after`` it, if so) still names its entity: link() of the whole span
    says so (مدينة الكويت is Kuwait City, not Kuwait), or finds it too close to
    call while only state designators came before the name (جمہوریہ جبوتی, the
    state or its capital: the name as written decided)."""
    if whole is not None:
        return whole.qid == link.qid
    return not after and any(word in STATE_DESIGNATORS for word in before)


def widen(
    tokens: list[tuple[int, int, str]],
    norms: list[str],
    i: int,
    span: tuple[int, int, int],
    free: int,
    link: Link,
    look_up: Callable[[str], Link | None],
) -> tuple[int, int, int]:
    """The (start, end, tokens used) of a mention at token ``i`` widened over
    the designators of an official name (with_designators), if the whole, looked
    up with ``look_up``, still names the mention's entity (still_names)."""
    start, used = span[0], span[2]
    first, after = with_designators(tokens, norms, i, (start, used), free)
    if (first, after) == (i, i + used):
        return span
    whole = " ".join(token for _, _, token in tokens[first:after])  # as written: its letters weigh
    if not still_names(look_up(whole), link, norms[first:i], after > i + used):
        return span
    return (tokens[first][0] if first < i else start), tokens[after - 1][1], after - i


def word_excess(entity: Entity | None, norm: str, lang: str) -> float:
    """How much more often (in zipf) the language ``lang`` uses the one-word name
    ``norm`` than the entity's other one-word names written for that language:
    كيف "how" against كييف, Kyiv's other Arabic name. 0.0 when it has none. An
    official name of several words (ایالات متحده آمریکا) is rarer than the
    everyday name however the word is used, and a spelling of a language that
    only shares the script's conventions (Uyghur ئاسىيا beside Persian آسیا)
    is rare in the language's text: neither says the name is a word."""
    others = [
        normalize(name)
        for name_lang, values in (entity.names.items() if entity else ())
        if LEXICON_LANG.get(name_lang) == lang and name_lang in OWN_LEXICON
        for name in values
    ]
    rivals = [word_zipf(other, lang) for other in others if other != norm and " " not in other]
    return word_zipf(norm, lang) - max(rivals) if rivals else 0.0


def with_designators(
    tokens: list[tuple[int, int, str]], norms: list[str], i: int, span: tuple[int, int], free: int
) -> tuple[int, int]:
    """The tokens [first, after) of a mention (start offset, tokens used) at token ``i``
    widened over the words of an official name: designators just before it
    (جمهورية الأرجنتين, اسلامی جمہوریہ ایران, إقليم جزر كوكوس; at most
    MAX_DESIGNATORS, none before ``free``, not across a clitic, and a run of
    qualifiers only with a designator), then a state's form or a territory
    word after it (جمهورية أفغانستان الإسلامية, جزیرہ نورفک خطہ). Titles of
    people stay outside (الرئيس بوتين). The caller checks that the widened span
    still names the same entity."""
    start, used = span
    first = i
    if start == tokens[i][0]:  # a designator is no part of a mention a clitic was cut off
        while first > 0 and i - first < MAX_DESIGNATORS and tokens[first - 1][0] >= free:
            if not joins_before(norms[first - 1]):
                break
            first -= 1
        if all(norms[k] in QUALIFIERS for k in range(first, i)):
            first = i
    after = i + used
    while after < len(tokens) and after - i - used < MAX_DESIGNATORS and norms[after] in AFTER_NAME:
        after += 1
    return first, after
