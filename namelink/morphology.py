"""The shapes a name takes in a query: the nisba adjective of a name (الروسي),
leading clitics (وبوتين, للصين), a designator before it (ولاية تكساس), the
article (سعوديه, السعوديه), and the titles that stand before a name in running
text (الرئيس). Lookups try these variants of a query (keys.py gives the keys
of each form); the lexicon uses the same rules to explain inflected words.
"""

from __future__ import annotations

from namelink.normalize import check_str

__all__ = [
    "ARTICLE",
    "COMMON_NOUN_DESIGNATORS",
    "DESIGNATED_KIND",
    "DESIGNATORS",
    "MAX_DESIGNATORS",
    "MIN_STEM",
    "QUALIFIERS",
    "STATE_DESIGNATORS",
    "STATE_FORMS",
    "TITLES",
    "TRAILING_DESIGNATORS",
    "adjective_bases",
    "designators_dropped",
    "strip_clitics",
    "variants",
    "word_stems",
]


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


def word_stems(norm: str) -> tuple[str, ...]:
    """The one-word stems of a normalized word without its leading clitics."""
    return tuple(s for s in strip_clitics(norm) if " " not in s)


# --- Query variants ------------------------------------------------------------------------
# Words that name a state's form before its name: جمهورية الأرجنتين, المملكة
# الأردنية, and in Persian and Urdu جمهوری اسلامی ایران, ریاستِ اسرائیل,
# فدراسیون روسیه. In running text they belong to the mention of the state.
STATE_DESIGNATORS = frozenset(
    {
        "جمهوريه",  # republic
        "الجمهوريه",  # the republic
        "المملكه",  # the kingdom
        "مملكه",  # kingdom
        "جمهوري",  # republic (fa, ur جمہوری)
        "رياست",  # state (ur ریاست)
        "رياستهائي",  # states of (ur ریاستہائے)
        "دولت",  # state, government (fa, ur)
        "دوله",  # state (ar دولة)
        "مملكت",  # kingdom (fa, ur مملکت)
        "پادشاهي",  # kingdom (fa پادشاهی)
        "سلطنت",  # sultanate (fa, ur)
        "سلطنه",  # sultanate (ar سلطنة)
        "سلطاننشين",  # sultanate (fa سلطان‌نشین)
        "امارت",  # emirate (fa, ur)
        "اماره",  # emirate (ar إمارة)
        "قلمرو",  # realm, territory (fa)
        "فدراسيون",  # federation (fa فدراسیون)
        "ايالات",  # states (fa ایالات متحد مکزیک)
        "وفاق",  # federation (ur وفاقِ سینٹ کیٹز و ناویس)
        "دولتشهر",  # city-state (fa دولت‌شهر واتیکان)
    }
)
# Designators of the parts of a state: a city, a province, a state of a federation
# (ولاية تكساس, شهر گواتمالا, استان فارس).
SUBDIVISION_DESIGNATORS = frozenset(
    {
        "ولايه",  # state
        "مدينه",  # city
        "محافظه",  # governorate
        "اقليم",  # province, region
        "مقاطعه",  # province
        "استان",  # province (fa)
        "شهر",  # city (fa, ur شہر)
        "ايالت",  # state (fa ایالت)
        "ولايت",  # province (fa, ps ولایت)
        "صوبه",  # province (ur صوبہ)
    }
)
# Designators of organizations: منظمة أوبك, حلف الناتو.
ORGANIZATION_DESIGNATORS = frozenset(
    {
        "منظمه",  # organization
        "حلف",  # alliance
        "الحلف",  # the alliance
        "مجموعه",  # group
    }
)
# Designators of people: the titles and offices before a name (الملك حمد).
PERSON_DESIGNATORS = frozenset(
    {
        "الملك",  # the king
        "الرئيس",  # the president
        "الشيخ",  # the sheikh
        "الامير",  # the prince
        "السيد",  # mister
        "السيده",  # madam
        "الزعيم",  # the leader
        "رئيس",  # president (ar, fa)
        "شهزاده",  # prince (ur, fa)
        "صدر",  # president (ur)
        "وزير",  # minister
    }
)
# Words that stand before a name to say what kind of thing or person it is. A
# query that starts with up to MAX_DESIGNATORS of them is also looked up
# without them. (Normalized spellings.)
DESIGNATORS = (
    STATE_DESIGNATORS
    | SUBDIVISION_DESIGNATORS
    | ORGANIZATION_DESIGNATORS
    | PERSON_DESIGNATORS
    | frozenset({"كشور"})  # country (fa کشور)
)
# What kind of entity each designator names: among the entities that a query
# reaches once its designators are dropped, those of that kind are what it
# means (دولت کویت is the State of Kuwait, not Kuwait City; شهر گواتمالا is
# Guatemala City, not Guatemala).
DESIGNATED_KIND: dict[str, str] = {
    **dict.fromkeys(STATE_DESIGNATORS | {"كشور"}, "state"),
    **dict.fromkeys(SUBDIVISION_DESIGNATORS, "subdivision"),
    **dict.fromkeys(ORGANIZATION_DESIGNATORS, "organization"),
    **dict.fromkeys(PERSON_DESIGNATORS, "person"),
}
# The words of a state's form that follow the name in Arabic (جمهورية تنزانيا
# الاتحادية, جمهورية إثيوبيا الفدرالية الديموقراطية): dropped from the end as
# well, but only once a designator was dropped from the front.
STATE_FORMS = frozenset(
    {
        "الاتحاديه",  # federal (union)
        "الفدراليه",  # federal
        "الفيدراليه",  # federal
        "الديموقراطيه",  # democratic
        "الديمقراطيه",  # democratic
        "الشعبيه",  # people's
        "الاشتراكيه",  # socialist
        "التعاونيه",  # cooperative
        "الاسلاميه",  # Islamic
        "المستقله",  # independent (دولة ساموا المستقلة)
    }
)
# Words of a state's official name that are designators only beside one:
# اسلامی جمہوریہ پاکستان, جمهوری خلق چین, جمہوری عوامی جمہوریہ کوریا. Alone
# (خلق "people", آزاد "free") they start ordinary phrases, so a run of them is
# dropped only when it holds a designator.
QUALIFIERS = frozenset(
    {
        "اسلامي",  # Islamic (fa, ur)
        "عوامي",  # people's (ur عوامی)
        "خلق",  # people's (fa)
        "وفاقي",  # federal (ur وفاقی)
        "دموكراتيك",  # democratic (fa دموکراتیک)
        "مستقل",  # independent (fa)
        "ازاد",  # free (ur, fa آزاد)
        "متحده",  # united (fa, ur متحدہ)
        "متحد",  # united (fa جمهوری متحد تانزانیا)
        "سوسياليستي",  # socialist (fa سوسیالیستی)
        "مشتركه",  # common(wealth) (ur دولتِ مشترکہ)
        "همسود",  # common(wealth) (fa قلمرو همسود)
    }
)
# Words after a name that say it is a city or a territory, dropped from the end:
# Uyghur ئۈرۈمچى شەھىرى (Ürümqi city), Urdu جزیرہ نورفک خطہ (territory).
TRAILING_DESIGNATORS = frozenset({"شاهيري", "شاهير", "خطه"})
# Words with which a gazetteer names a place apart from another of the same name,
# before or after the name: the designators of a state's parts (مدينة الكويت and
# شهر کویت beside Kuwait, ولاية جورجيا beside Georgia, استان تهران beside Tehran),
# an emirate (إمارة دبي beside the city), the capital (تونس العاصمة beside
# Tunisia), the Uyghur city (... شەھىرى). Not a state's own designators: دولة
# الكويت is the country's official name, which sets nothing apart.
SETTING_APART = SUBDIVISION_DESIGNATORS | {"اماره", "امارت", "العاصمه", "شاهيري"}
# Designators that sentences put before any place as a common noun (مردم شهر
# هیروشیما "the people of the city of Hiroshima", کشور ایران): in running text
# they stay outside the mention (in the fit half of tests/data/eval/text.tsv
# they stood just before 33 marked mentions and began 1).
COMMON_NOUN_DESIGNATORS = frozenset({"شهر", "كشور"})
# More designators than this in a row are no official name but a phrase.
MAX_DESIGNATORS = 3
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


def designators_dropped(norm: str) -> tuple[str, str, str | None] | None:
    """Normalized ``norm`` without its leading designators (and qualifiers beside
    them) and its trailing ones: the form, what was dropped, and the kind of
    entity the first designator names (DESIGNATED_KIND; None for a trailing
    one alone). None when there is nothing to drop.

    >>> designators_dropped("دولت كويت")
    ('كويت', 'دولت dropped', 'state')
    """
    words = norm.split(" ")
    lead, kind = 0, None
    while lead < min(MAX_DESIGNATORS, len(words) - 1) and (
        words[lead] in DESIGNATORS or words[lead] in QUALIFIERS
    ):
        kind = kind or DESIGNATED_KIND.get(words[lead])
        lead += 1
    lead = lead if kind else 0
    end = len(words)
    while end - lead > 1 and (
        words[end - 1] in TRAILING_DESIGNATORS or (lead and words[end - 1] in STATE_FORMS)
    ):
        end -= 1
    if not lead and end == len(words):
        return None
    gone = [*words[:lead], *words[end:]]
    return " ".join(words[lead:end]), f"{' '.join(gone)} dropped", kind


def variants(norm: str) -> tuple[tuple[str, str], ...]:
    """Other forms of normalized ``norm`` to look up, each with what was done:
    leading clitics stripped, designators dropped (and a state's form after the
    name), the article added or dropped. The input itself is not included.

    >>> dict(variants("جمهوريه تنزانيا الاتحاديه"))["تنزانيا"]
    'جمهوريه الاتحاديه dropped'
    """
    check_str(norm, "norm")
    out: dict[str, str] = {}
    for stem in strip_clitics(norm):
        first, bare = norm.split(" ")[0], stem.split(" ")[0]
        common = 0
        while common < min(len(first), len(bare)) and first[-1 - common] == bare[-1 - common]:
            common += 1
        out.setdefault(stem, f"clitic {first[: len(first) - common]} stripped")
    dropped = designators_dropped(norm)
    if dropped:
        out.setdefault(*dropped[:2])
    if " " not in norm and len(norm) >= MIN_STEM:
        if norm.startswith(ARTICLE) and len(norm) > len(ARTICLE) + MIN_STEM:
            out.setdefault(norm[len(ARTICLE) :], "article ال dropped")
        elif not norm.startswith(ARTICLE):
            out.setdefault(ARTICLE + norm, "article ال added")
    out.pop(norm, None)
    return tuple(out.items())
