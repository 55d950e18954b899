"""The shapes a name takes in a query: the nisba adjective of a name (الروسي),
leading clitics (وبوتين, للصين), a designator before it (ولاية تكساس), the
article (سعوديه, السعوديه), and the titles that stand before a name in running
text (الرئيس). Lookups try these variants of a query (keys.py gives the keys
of each form); the lexicon uses the same rules to explain inflected words.
"""

from __future__ import annotations

from namelink.normalize import check_str

__all__ = ["ARTICLE", "DESIGNATORS", "MIN_STEM", "TITLES", "adjective_bases", "strip_clitics", "variants"]


# --- Adjectives of names ----------------------------------------------------------------
# A nisba adjective is a name with -ي (feminine -ية) added, the article kept or
# added, and a final ا, يا, ه, ية or ستان of the name dropped: روسيا → الروسي,
# الصين → الصينية, ايران → ايراني, السعودية → سعودي, أفغانستان → أفغاني. It looks
# like a one-letter typo of the name, and it is not the name: the gazetteer looks
# up a query that is the adjective of a name it holds by its normal form only.
_NISBA_SUFFIXES = ("يه", "ي")
_NAME_ENDINGS = ("", "ا", "يا", "ه", "يه", "ستان")


def adjective_bases(norm: str) -> tuple[str, ...]:
    """The names that normalized ``norm`` would be the nisba adjective of.

    >>> "روسيا" in adjective_bases("الروسي")
    True
    """
    if " " in norm:
        return ()
    stem = norm[2:] if norm.startswith("ال") else norm
    bases: list[str] = []
    for suffix in _NISBA_SUFFIXES:
        if stem.endswith(suffix) and len(stem) > len(suffix) + 2:
            base = stem[: -len(suffix)]
            for ending in _NAME_ENDINGS:
                bases.extend((base + ending, "ال" + base + ending))
            break
    return tuple(bases)


# --- Leading clitics --------------------------------------------------------------
# Conjunctions, then prepositions, glue to the next word: وبوتين, لبوتين, بسمرقند,
# بالصين, وللصين. The article that belongs to a name (الصين, البحرين) stays.
_CONJUNCTIONS = ("", "و", "ف")
_PREPOSITIONS = ("", "ب", "ل", "ك")
MIN_STEM = 3  # letters left after a clitic; shorter stems are too easy to hit by chance


def strip_clitics(text: str) -> tuple[str, ...]:
    """The forms of normalized ``text`` with leading clitics on its first word
    removed, fewest letters removed first; the input itself is not included.

    >>> strip_clitics("وبوتين")[0]
    'بوتين'
    >>> strip_clitics("للصين")
    ('الصين', 'لصين')
    """
    check_str(text, "text")
    first, sep, rest = text.partition(" ")
    stems: list[str] = []
    for conj in _CONJUNCTIONS:
        if not first.startswith(conj):
            continue
        after_conj = first[len(conj) :]
        for prep in _PREPOSITIONS:
            if not (conj or prep) or not after_conj.startswith(prep):
                continue
            stem = after_conj[len(prep) :]
            if prep == "ل" and stem.startswith("ل"):
                stems.append("ا" + stem)  # لل = ل + ال: the article's alef is not written
            stems.append(stem)
    seen: set[str] = set()
    out: list[str] = []
    for stem in sorted(stems, key=lambda s: -len(s)):
        if len(stem) >= MIN_STEM and stem not in seen:
            seen.add(stem)
            out.append(stem + sep + rest)
    return tuple(out)


# --- Query variants ------------------------------------------------------------------------
# Words that stand before a name to say what kind of thing or person it is:
# منظمة أوبك, ولاية تكساس, جمهورية تتارستان, الملك حمد. A query that starts with
# one is also looked up without it. (Normalized spellings.)
DESIGNATORS = frozenset(
    {
        "منظمه",  # organization
        "ولايه",  # state
        "جمهوريه",  # republic
        "مدينه",  # city
        "محافظه",  # governorate
        "اقليم",  # province, region
        "مقاطعه",  # province
        "حلف",  # alliance
        "الحلف",  # the alliance
        "الجمهوريه",  # the republic
        "المملكه",  # the kingdom
        "مملكه",  # kingdom
        "مجموعه",  # group
        "الملك",  # the king
        "الرئيس",  # the president
        "الشيخ",  # the sheikh
        "الامير",  # the prince
        "السيد",  # mister
        "السيده",  # madam
        "الزعيم",  # the leader
        "رئيس",  # president (ar, fa)
        "استان",  # province (fa)
        "شهر",  # city (fa)
        "كشور",  # country (fa کشور)
        "شهزاده",  # prince (ur, fa)
        "صدر",  # president (ur)
        "وزير",  # minister
    }
)
# Titles before a person's name in running text (normal forms): they support a
# short form standing just after them (الرئيس شي), and they are no part of it.
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
# The article: a query may lack the ال of a name (سعوديه for السعوديه) or add one.
ARTICLE = "ال"


def variants(norm: str) -> tuple[tuple[str, str], ...]:
    """Other forms of normalized ``norm`` to look up, each with what was done:
    leading clitics stripped, a designator dropped, the article added or dropped.
    The input itself is not included."""
    check_str(norm, "norm")
    out: dict[str, str] = {}
    for stem in strip_clitics(norm):
        first, bare = norm.split(" ")[0], stem.split(" ")[0]
        common = 0
        while common < min(len(first), len(bare)) and first[-1 - common] == bare[-1 - common]:
            common += 1
        out.setdefault(stem, f"clitic {first[: len(first) - common]} stripped")
    first, _, rest = norm.partition(" ")
    if rest and first in DESIGNATORS:
        out.setdefault(rest, f"{first} dropped")
    if " " not in norm and len(norm) >= MIN_STEM:
        if norm.startswith(ARTICLE) and len(norm) > len(ARTICLE) + MIN_STEM:
            out.setdefault(norm[len(ARTICLE) :], "article ال dropped")
        elif not norm.startswith(ARTICLE):
            out.setdefault(ARTICLE + norm, "article ال added")
    out.pop(norm, None)
    return tuple(out.items())
