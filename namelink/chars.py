"""Arabic-script character policy, as data.

Every rule here is a ``str.translate`` table: one codepoint per line, with its
Unicode name, so that a linguist can read and amend the policy without reading
code. ``normalize.py`` composes the tables into one pass; ``keys.py`` adds the
looser foldings used only for finding candidates.

Tables, in the order normalize() applies them:

    delete_table()    marks and invisible controls that do not change the name
                      (ARABIC_MARKS and CONTROLS, plus every other mark in Unicode)
    FOLD_LETTERS      letter variants that write the same sound
    DIGITS            Arabic-Indic and Persian digits to ASCII
    LATIN             precomposed Latin letters to their unaccented base

and for the match keys (never for the displayed normal form):

    HAMZA_SEATS       hamza carriers, which writers choose inconsistently
    FOREIGN_SOUNDS    letters for sounds Arabic lacks, where Arabic has one usual letter
    CONSONANT_CLASSES consonants that transliterations of one foreign name trade
"""

from __future__ import annotations

import unicodedata
from functools import cache

Table = dict[int, "str | None"]

# --- DELETE: removed outright --------------------------------------------------
# Harakat, tanwin, shadda, sukun, superscript alef, Quranic annotation marks and
# tatweel never distinguish two names: writers add or omit them freely.
ARABIC_MARKS: Table = {
    0x0610: None,  # ARABIC SIGN SALLALLAHOU ALAYHE WASSALLAM
    0x0611: None,  # ARABIC SIGN ALAYHE ASSALLAM
    0x0612: None,  # ARABIC SIGN RAHMATULLAH ALAYHE
    0x0613: None,  # ARABIC SIGN RADI ALLAHOU ANHU
    0x0614: None,  # ARABIC SIGN TAKHALLUS
    0x0615: None,  # ARABIC SMALL HIGH TAH
    0x0616: None,  # ARABIC SMALL HIGH LIGATURE ALEF WITH LAM WITH YEH
    0x0617: None,  # ARABIC SMALL HIGH ZAIN
    0x0618: None,  # ARABIC SMALL FATHA
    0x0619: None,  # ARABIC SMALL DAMMA
    0x061A: None,  # ARABIC SMALL KASRA
    0x0640: None,  # ARABIC TATWEEL
    0x064B: None,  # ARABIC FATHATAN
    0x064C: None,  # ARABIC DAMMATAN
    0x064D: None,  # ARABIC KASRATAN
    0x064E: None,  # ARABIC FATHA
    0x064F: None,  # ARABIC DAMMA
    0x0650: None,  # ARABIC KASRA
    0x0651: None,  # ARABIC SHADDA
    0x0652: None,  # ARABIC SUKUN
    0x0653: None,  # ARABIC MADDAH ABOVE
    0x0654: None,  # ARABIC HAMZA ABOVE (combining)
    0x0655: None,  # ARABIC HAMZA BELOW (combining)
    0x0656: None,  # ARABIC SUBSCRIPT ALEF
    0x0657: None,  # ARABIC INVERTED DAMMA
    0x0658: None,  # ARABIC MARK NOON GHUNNA
    0x0659: None,  # ARABIC ZWARAKAY
    0x065A: None,  # ARABIC VOWEL SIGN SMALL V ABOVE
    0x065B: None,  # ARABIC VOWEL SIGN INVERTED SMALL V ABOVE
    0x065C: None,  # ARABIC VOWEL SIGN DOT BELOW
    0x065D: None,  # ARABIC REVERSED DAMMA
    0x065E: None,  # ARABIC FATHA WITH TWO DOTS
    0x065F: None,  # ARABIC WAVY HAMZA BELOW
    0x0670: None,  # ARABIC LETTER SUPERSCRIPT ALEF
    0x0674: None,  # ARABIC LETTER HIGH HAMZA (NFKC splits ٵ ٶ ٷ ٸ into a letter and this)
    0x06D6: None,  # ARABIC SMALL HIGH LIGATURE SAD WITH LAM WITH ALEF MAKSURA
    0x06D7: None,  # ARABIC SMALL HIGH LIGATURE QAF WITH LAM WITH ALEF MAKSURA
    0x06D8: None,  # ARABIC SMALL HIGH MEEM INITIAL FORM
    0x06D9: None,  # ARABIC SMALL HIGH LAM ALEF
    0x06DA: None,  # ARABIC SMALL HIGH JEEM
    0x06DB: None,  # ARABIC SMALL HIGH THREE DOTS
    0x06DC: None,  # ARABIC SMALL HIGH SEEN
    0x06DD: None,  # ARABIC END OF AYAH
    0x06DE: None,  # ARABIC START OF RUB EL HIZB
    0x06DF: None,  # ARABIC SMALL HIGH ROUNDED ZERO
    0x06E0: None,  # ARABIC SMALL HIGH UPRIGHT RECTANGULAR ZERO
    0x06E1: None,  # ARABIC SMALL HIGH DOTLESS HEAD OF KHAH
    0x06E2: None,  # ARABIC SMALL HIGH MEEM ISOLATED FORM
    0x06E3: None,  # ARABIC SMALL LOW SEEN
    0x06E4: None,  # ARABIC SMALL HIGH MADDA
    0x06E5: None,  # ARABIC SMALL WAW
    0x06E6: None,  # ARABIC SMALL YEH
    0x06E7: None,  # ARABIC SMALL HIGH YEH
    0x06E8: None,  # ARABIC SMALL HIGH NOON
    0x06E9: None,  # ARABIC PLACE OF SAJDAH
    0x06EA: None,  # ARABIC EMPTY CENTRE LOW STOP
    0x06EB: None,  # ARABIC EMPTY CENTRE HIGH STOP
    0x06EC: None,  # ARABIC ROUNDED HIGH STOP WITH FILLED CENTRE
    0x06ED: None,  # ARABIC SMALL LOW MEEM
    0x08F0: None,  # ARABIC OPEN FATHATAN
    0x08F1: None,  # ARABIC OPEN DAMMATAN
    0x08F2: None,  # ARABIC OPEN KASRATAN
}

# Zero-width and bidirectional controls are invisible: text copied from web
# pages and word processors carries them at random.
CONTROLS: Table = {
    0x00AD: None,  # SOFT HYPHEN
    0x061C: None,  # ARABIC LETTER MARK (ALM)
    0x180E: None,  # MONGOLIAN VOWEL SEPARATOR
    0x200B: None,  # ZERO WIDTH SPACE
    0x200C: None,  # ZERO WIDTH NON-JOINER (ZWNJ)
    0x200D: None,  # ZERO WIDTH JOINER (ZWJ)
    0x200E: None,  # LEFT-TO-RIGHT MARK (LRM)
    0x200F: None,  # RIGHT-TO-LEFT MARK (RLM)
    0x202A: None,  # LEFT-TO-RIGHT EMBEDDING
    0x202B: None,  # RIGHT-TO-LEFT EMBEDDING
    0x202C: None,  # POP DIRECTIONAL FORMATTING
    0x202D: None,  # LEFT-TO-RIGHT OVERRIDE
    0x202E: None,  # RIGHT-TO-LEFT OVERRIDE
    0x2060: None,  # WORD JOINER
    0x2066: None,  # LEFT-TO-RIGHT ISOLATE
    0x2067: None,  # RIGHT-TO-LEFT ISOLATE
    0x2068: None,  # FIRST STRONG ISOLATE
    0x2069: None,  # POP DIRECTIONAL ISOLATE
    0xFEFF: None,  # ZERO WIDTH NO-BREAK SPACE (BOM)
}


@cache
def delete_table() -> Table:
    """DELETE: every mark and format control, then the Arabic ones listed above.

    Computed on first use (a scan of Unicode takes ~80 ms), not at import.
    """
    return {**_all_combining_and_format(), **ARABIC_MARKS, **CONTROLS}


def _all_combining_and_format() -> Table:
    """Every nonspacing/enclosing mark and format control in Unicode.

    Accents on Latin letters, and marks of any script, must go too, and a mark
    left behind by a deletion could otherwise recombine on a second pass (which
    would break idempotence). Computed once from ``unicodedata``; the Arabic
    entries above are listed by hand so that the policy for our scripts reads
    as data.
    """
    # Planes 3-13 hold no marks; plane 14 holds the tags and variation selectors.
    return {cp: None for cp in (*range(0x0000, 0x32400), *range(0xE0000, 0xE1000)) if is_mark_or_format(cp)}


def is_mark_or_format(cp: int) -> bool:
    """Whether a code point is a nonspacing or enclosing mark or a format control."""
    return unicodedata.category(chr(cp)) in ("Mn", "Me", "Cf")


def deletes(cp: int) -> bool:
    """Whether delete_table() deletes a code point, without building the table."""
    return cp in ARABIC_MARKS or cp in CONTROLS or is_mark_or_format(cp)


# --- FOLD_LETTERS: one letter for one sound -------------------------------------
# Alef and hamza forms, alef maksura, teh marbuta, and the letters of Persian,
# Urdu, Pashto, Kurdish and Uyghur that write the same sound as an Arabic
# letter. Letters for sounds Arabic lacks (پ چ ژ گ ڤ) are NOT folded here: the
# normal form stays readable and faithful; keys.py folds them for matching.
FOLD_LETTERS: Table = {
    # alef and hamza-on-alef: writers drop or add the hamza freely
    0x0622: "ا",  # ARABIC LETTER ALEF WITH MADDA ABOVE
    0x0623: "ا",  # ARABIC LETTER ALEF WITH HAMZA ABOVE
    0x0625: "ا",  # ARABIC LETTER ALEF WITH HAMZA BELOW
    0x0671: "ا",  # ARABIC LETTER ALEF WASLA
    0x0672: "ا",  # ARABIC LETTER ALEF WITH WAVY HAMZA ABOVE
    0x0673: "ا",  # ARABIC LETTER ALEF WITH WAVY HAMZA BELOW
    0x0675: "ا",  # ARABIC LETTER HIGH HAMZA ALEF (Kazakh)
    # yeh: alef maksura and the Persian/Urdu/Pashto/Kurdish/Uyghur yeh forms
    0x0649: "ي",  # ARABIC LETTER ALEF MAKSURA (Egyptian spelling of final yeh; Uyghur e)
    0x06CC: "ي",  # ARABIC LETTER FARSI YEH
    0x06CD: "ي",  # ARABIC LETTER YEH WITH TAIL (Pashto)
    0x06CE: "ي",  # ARABIC LETTER YEH WITH SMALL V (Kurdish ê)
    0x06D0: "ي",  # ARABIC LETTER E (Pashto, Uyghur)
    0x06D1: "ي",  # ARABIC LETTER YEH WITH THREE DOTS BELOW
    0x06D2: "ي",  # ARABIC LETTER YEH BARREE (Urdu final e)
    0x06D3: "ي",  # ARABIC LETTER YEH BARREE WITH HAMZA ABOVE
    0x063D: "ي",  # ARABIC LETTER FARSI YEH WITH INVERTED V
    0x063E: "ي",  # ARABIC LETTER FARSI YEH WITH TWO DOTS ABOVE
    0x063F: "ي",  # ARABIC LETTER FARSI YEH WITH THREE DOTS ABOVE
    0x0678: "ي",  # ARABIC LETTER HIGH HAMZA YEH
    # heh and teh marbuta: one final -a/-e sound, many letters
    0x0629: "ه",  # ARABIC LETTER TEH MARBUTA
    0x06C0: "ه",  # ARABIC LETTER HEH WITH YEH ABOVE (Persian ezafe)
    0x06C1: "ه",  # ARABIC LETTER HEH GOAL (Urdu)
    0x06C2: "ه",  # ARABIC LETTER HEH GOAL WITH HAMZA ABOVE
    0x06C3: "ه",  # ARABIC LETTER TEH MARBUTA GOAL (Urdu)
    0x06BE: "ه",  # ARABIC LETTER HEH DOACHASHMEE (Urdu aspiration, Uyghur h)
    0x06FF: "ه",  # ARABIC LETTER HEH WITH INVERTED V
    # kaf: the Persian/Urdu keheh is the same letter as Arabic kaf
    0x06A9: "ك",  # ARABIC LETTER KEHEH
    0x06AA: "ك",  # ARABIC LETTER SWASH KAF
    0x06AE: "ك",  # ARABIC LETTER KAF WITH THREE DOTS BELOW
    0x063B: "ك",  # ARABIC LETTER KEHEH WITH TWO DOTS ABOVE
    0x063C: "ك",  # ARABIC LETTER KEHEH WITH THREE DOTS BELOW
    # gaf variants: one g sound, written گ in Persian/Urdu
    0x06AB: "گ",  # ARABIC LETTER KAF WITH RING (Pashto gaf)
    0x06B0: "گ",  # ARABIC LETTER GAF WITH RING
    0x06B2: "گ",  # ARABIC LETTER GAF WITH TWO DOTS BELOW
    0x06B4: "گ",  # ARABIC LETTER GAF WITH THREE DOTS ABOVE
    0x08B0: "گ",  # ARABIC LETTER GAF WITH INVERTED STROKE
    # Urdu and Pashto retroflex consonants: to their dental Arabic base
    0x0679: "ت",  # ARABIC LETTER TTEH (Urdu ٹ)
    0x067C: "ت",  # ARABIC LETTER TEH WITH RING (Pashto ټ)
    0x0688: "د",  # ARABIC LETTER DDAL (Urdu ڈ)
    0x0689: "د",  # ARABIC LETTER DAL WITH RING (Pashto ډ)
    0x0691: "ر",  # ARABIC LETTER RREH (Urdu ڑ)
    0x0693: "ر",  # ARABIC LETTER REH WITH RING (Pashto ړ)
    0x0695: "ر",  # ARABIC LETTER REH WITH SMALL V BELOW (Kurdish rr ڕ)
    0x06BA: "ن",  # ARABIC LETTER NOON GHUNNA (Urdu nasal ں)
    0x06BC: "ن",  # ARABIC LETTER NOON WITH RING (Pashto ڼ)
    0x06B5: "ل",  # ARABIC LETTER LAM WITH SMALL V (Kurdish ll ڵ)
    0x069A: "ش",  # ARABIC LETTER SEEN WITH DOT BELOW AND DOT ABOVE (Pashto ښ)
    0x0696: "ژ",  # ARABIC LETTER REH WITH DOT BELOW AND DOT ABOVE (Pashto ږ)
    # waw variants of Kurdish and Uyghur: vowels and v written on waw
    0x06C4: "و",  # ARABIC LETTER WAW WITH RING
    0x06C5: "و",  # ARABIC LETTER KIRGHIZ OE
    0x06C6: "و",  # ARABIC LETTER OE (Kurdish, Uyghur ۆ)
    0x06C7: "و",  # ARABIC LETTER U (Uyghur ۇ)
    0x06C8: "و",  # ARABIC LETTER YU (Uyghur ۈ)
    0x06C9: "و",  # ARABIC LETTER KIRGHIZ YU
    0x06CA: "و",  # ARABIC LETTER WAW WITH TWO DOTS ABOVE
    0x06CF: "و",  # ARABIC LETTER WAW WITH DOT ABOVE
    0x06CB: "و",  # ARABIC LETTER VE (Uyghur ۋ, w and v): on waw, as Persian writes v
    # v: the Maghrebi letters for v are the veh ڤ
    0x06A5: "ڤ",  # ARABIC LETTER FEH WITH THREE DOTS BELOW (Maghrebi v)
    0x06A8: "ڤ",  # ARABIC LETTER QAF WITH THREE DOTS ABOVE (Maghrebi g/v)
    # ng: Uyghur and Ottoman nasal velar, written نگ elsewhere
    0x06AD: "نگ",  # ARABIC LETTER NG (Uyghur ڭ)
}

# --- VOWEL LETTERS: Kurdish, Uyghur and Kazakh write every vowel ---------------
# These orthographies spell the short vowels that Arabic, Persian and Urdu leave
# unwritten, with letters of their own, and start a vowel-initial word with a
# hamza seat: Kurdish ئەسمەرە, Uyghur ئوسلو, Kazakh امەريكا are the Arabic
# أسمرة, أوسلو, أمريكا. Which reading a letter has depends on where it stands in
# its word, so these are rules over words (normalize.fold_vowel_letters), not a
# translate table; the letters they read:
AE = "\u06d5"  # ARABIC LETTER AE (ە): the vowel a/e; at a word's end the -e that Persian writes ه
VOWEL_SEAT = "\u0626"  # ARABIC LETTER YEH WITH HAMZA ABOVE (ئ): no Arabic, Persian or Urdu word begins so
AE_WITHIN_WORD = "ا"  # a written short vowel is read as the long vowel the looser keys drop
AE_AT_WORD_END = "ه"
VOWEL_SEAT_AT_WORD_START = "ا"  # with the vowel it carries: ئا and ئە are one ا, ئو is او

# --- KEPT APART: folds that erase a sound the writer's language tells apart -----
# FOLD_LETTERS reads these letters as their Arabic base so that a name spelled
# for Urdu meets its Arabic and Persian spellings (ٹرمپ, ترامب). But a writer of
# Urdu who has both letters and writes the base means another word: روٹی is
# "bread" and not Rutte (روٹے), اماں "mother" and not Amman (امان), دو "two" and
# not the Doubs (ڈو), رنگوں "colours" and not Rangoon (رنگون). Each letter here
# maps to the sound it keeps apart, the Pashto ring letters onto Urdu's; a
# normalized match whose two spellings spell different such sounds
# (normalize.keeps_apart) is no proof that the query is the name.
KEPT_APART: Table = {
    0x0679: "ٹ",  # ARABIC LETTER TTEH (Urdu retroflex t)
    0x067C: "ٹ",  # ARABIC LETTER TEH WITH RING (Pashto ټ, the same sound)
    0x0688: "ڈ",  # ARABIC LETTER DDAL (Urdu retroflex d)
    0x0689: "ڈ",  # ARABIC LETTER DAL WITH RING (Pashto ډ)
    0x0691: "ڑ",  # ARABIC LETTER RREH (Urdu retroflex flap)
    0x0693: "ڑ",  # ARABIC LETTER REH WITH RING (Pashto ړ)
    0x06BA: "ں",  # ARABIC LETTER NOON GHUNNA (Urdu nasal vowel, no n)
    0x06D2: "ے",  # ARABIC LETTER YEH BARREE (Urdu final e, not the i of ی)
    0x06D3: "ے",  # ARABIC LETTER YEH BARREE WITH HAMZA ABOVE
}

# --- DIGITS: the three digit sets of Arabic-script text -------------------------
DIGITS: Table = {
    0x0660: "0",  # ARABIC-INDIC DIGIT ZERO
    0x0661: "1",  # ARABIC-INDIC DIGIT ONE
    0x0662: "2",  # ARABIC-INDIC DIGIT TWO
    0x0663: "3",  # ARABIC-INDIC DIGIT THREE
    0x0664: "4",  # ARABIC-INDIC DIGIT FOUR
    0x0665: "5",  # ARABIC-INDIC DIGIT FIVE
    0x0666: "6",  # ARABIC-INDIC DIGIT SIX
    0x0667: "7",  # ARABIC-INDIC DIGIT SEVEN
    0x0668: "8",  # ARABIC-INDIC DIGIT EIGHT
    0x0669: "9",  # ARABIC-INDIC DIGIT NINE
    0x06F0: "0",  # EXTENDED ARABIC-INDIC DIGIT ZERO (Persian, Urdu)
    0x06F1: "1",  # EXTENDED ARABIC-INDIC DIGIT ONE
    0x06F2: "2",  # EXTENDED ARABIC-INDIC DIGIT TWO
    0x06F3: "3",  # EXTENDED ARABIC-INDIC DIGIT THREE
    0x06F4: "4",  # EXTENDED ARABIC-INDIC DIGIT FOUR
    0x06F5: "5",  # EXTENDED ARABIC-INDIC DIGIT FIVE
    0x06F6: "6",  # EXTENDED ARABIC-INDIC DIGIT SIX
    0x06F7: "7",  # EXTENDED ARABIC-INDIC DIGIT SEVEN
    0x06F8: "8",  # EXTENDED ARABIC-INDIC DIGIT EIGHT
    0x06F9: "9",  # EXTENDED ARABIC-INDIC DIGIT NINE
}

# --- LATIN: accents off, the way a Latin-script reader ignores them -------------
# Letters that do not decompose in Unicode get their usual ASCII spelling.
_LATIN_SPECIAL: Table = {
    0x00DF: "ss",  # LATIN SMALL LETTER SHARP S
    0x00E6: "ae",  # LATIN SMALL LETTER AE
    0x00F0: "d",  # LATIN SMALL LETTER ETH
    0x00F8: "o",  # LATIN SMALL LETTER O WITH STROKE
    0x00FE: "th",  # LATIN SMALL LETTER THORN
    0x0111: "d",  # LATIN SMALL LETTER D WITH STROKE
    0x0127: "h",  # LATIN SMALL LETTER H WITH STROKE
    0x0131: "i",  # LATIN SMALL LETTER DOTLESS I
    0x0142: "l",  # LATIN SMALL LETTER L WITH STROKE
    0x0153: "oe",  # LATIN SMALL LIGATURE OE
    0x0167: "t",  # LATIN SMALL LETTER T WITH STROKE
    0x0180: "b",  # LATIN SMALL LETTER B WITH STROKE
    0x0188: "c",  # LATIN SMALL LETTER C WITH HOOK
    0x0192: "f",  # LATIN SMALL LETTER F WITH HOOK
    0x0199: "k",  # LATIN SMALL LETTER K WITH HOOK
    0x019A: "l",  # LATIN SMALL LETTER L WITH BAR
    0x0259: "e",  # LATIN SMALL LETTER SCHWA (Azerbaijani ə)
    0x02BB: "",  # MODIFIER LETTER TURNED COMMA (Uzbek oʻ, gʻ)
    0x02BC: "",  # MODIFIER LETTER APOSTROPHE (ʼ in transliterations)
    0x02BE: "",  # MODIFIER LETTER RIGHT HALF RING (ʾ, hamza in transliteration)
    0x02BF: "",  # MODIFIER LETTER LEFT HALF RING (ʿ, ayn in transliteration)
}


def _latin_bases() -> Table:
    """Precomposed Latin letters (Latin-1 to Latin Extended Additional) → base.

    Derived from the Unicode decompositions: é → e, ş → s, ğ → g. The table is
    built once; the hot path only translates.
    """
    table: Table = {}
    for cp in (*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)):
        char = chr(cp)
        base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
        if base != char and base.isascii() and base.isalpha():
            table[cp] = base.lower()
    return table


LATIN: Table = {**_latin_bases(), **_LATIN_SPECIAL}

# --- HAMZA_SEATS: keys only ------------------------------------------------------
# Writers choose the hamza's seat inconsistently (مسؤول / مسئول), and often drop it.
HAMZA_SEATS: Table = {
    0x0621: None,  # ARABIC LETTER HAMZA (on the line): dropped
    0x0624: "و",  # ARABIC LETTER WAW WITH HAMZA ABOVE
    0x0626: "ي",  # ARABIC LETTER YEH WITH HAMZA ABOVE
}

# --- FOREIGN_SOUNDS: keys only -------------------------------------------------
# p and v have one usual Arabic letter each; Persian-style spellings with پ and ڤ
# are the same name (پوتن / بوتن, ڤلاديمير / فلاديمير).
FOREIGN_SOUNDS: Table = {
    0x067E: "ب",  # ARABIC LETTER PEH (p → b)
    0x06A4: "ف",  # ARABIC LETTER VEH (v → f)
}

# --- CONSONANT_CLASSES: the loosest key only -------------------------------------
# Transliterations of one foreign name trade these letters:
#   g is written گ ج غ ك ق; Turkic q and kh are written ق ك خ     → ك
#   ch is written چ ش (and تش, handled in keys.py)               → ش
#   zh is written ژ ز                                             → ز
#   v is written و ف ڤ (after vowels are dropped, a remaining و is a consonant) → ف
#   Persian pronounces the Arabic emphatics and interdentals as plain consonants,
#   so Persian and Arabic spellings differ in them (تهران / طهران)  → plain letter
CONSONANT_CLASSES: Table = {
    0x06AF: "ك",  # ARABIC LETTER GAF
    0x062C: "ك",  # ARABIC LETTER JEEM (g in Egyptian-style transliteration)
    0x063A: "ك",  # ARABIC LETTER GHAIN (g in Levantine-style transliteration)
    0x0642: "ك",  # ARABIC LETTER QAF (g in Gulf style; Turkic q)
    0x062E: "ك",  # ARABIC LETTER KHAH (Turkic kh)
    0x0686: "ش",  # ARABIC LETTER TCHEH (ch)
    0x0698: "ز",  # ARABIC LETTER JEH (zh)
    0x0648: "ف",  # ARABIC LETTER WAW (v)
    0x0637: "ت",  # ARABIC LETTER TAH
    0x0635: "س",  # ARABIC LETTER SAD
    0x062B: "س",  # ARABIC LETTER THEH
    0x0630: "ز",  # ARABIC LETTER THAL
    0x0638: "ز",  # ARABIC LETTER ZAH
    0x0636: "ز",  # ARABIC LETTER DAD
    0x062D: "ه",  # ARABIC LETTER HAH
}

# --- Cross-script: the romanized key and rough transliteration (keys only) ---------
# One class letter per group of sounds that Arabic-script and Latin-script
# spellings of one name trade: گابويڤ / جابويف / Gabuev all become KBF. Vowels
# (and the letters that carry them) are dropped: writers of both scripts
# disagree most about vowels. Uppercase class letters never occur in normalized
# text, so they cannot be confused with letters.
ROMAN_CLASSES: Table = {
    0x0628: "B",  # ARABIC LETTER BEH                 b
    0x067E: "B",  # ARABIC LETTER PEH                 p
    0x062A: "T",  # ARABIC LETTER TEH                 t
    0x0637: "T",  # ARABIC LETTER TAH                 t
    0x062B: "S",  # ARABIC LETTER THEH                th, s
    0x0633: "S",  # ARABIC LETTER SEEN                s
    0x0635: "S",  # ARABIC LETTER SAD                 s
    0x0634: "S",  # ARABIC LETTER SHEEN               sh
    0x0686: "S",  # ARABIC LETTER TCHEH               ch
    0x0632: "S",  # ARABIC LETTER ZAIN                z
    0x0630: "S",  # ARABIC LETTER THAL                dh, z
    0x0638: "S",  # ARABIC LETTER ZAH                 z
    0x0698: "S",  # ARABIC LETTER JEH                 zh
    0x062C: "K",  # ARABIC LETTER JEEM                j, g
    0x06AF: "K",  # ARABIC LETTER GAF                 g
    0x063A: "K",  # ARABIC LETTER GHAIN               gh, g
    0x0643: "K",  # ARABIC LETTER KAF                 k
    0x0642: "K",  # ARABIC LETTER QAF                 q, g
    0x062E: "K",  # ARABIC LETTER KHAH                kh
    0x062F: "D",  # ARABIC LETTER DAL                 d
    0x0636: "D",  # ARABIC LETTER DAD                 d
    0x0641: "F",  # ARABIC LETTER FEH                 f, v
    0x06A4: "F",  # ARABIC LETTER VEH                 v
    0x0644: "L",  # ARABIC LETTER LAM                 l
    0x0645: "M",  # ARABIC LETTER MEEM                m
    0x0646: "N",  # ARABIC LETTER NOON                n
    0x0631: "R",  # ARABIC LETTER REH                 r
    0x0647: "H",  # ARABIC LETTER HEH                 h
    0x062D: "H",  # ARABIC LETTER HAH                 h
    0x0627: None,  # ARABIC LETTER ALEF               a (vowel)
    0x0648: None,  # ARABIC LETTER WAW                u, o, w (vowel or glide)
    0x064A: None,  # ARABIC LETTER YEH                i, e, y (vowel or glide)
    0x0639: None,  # ARABIC LETTER AIN                (no Latin letter)
    0x0621: None,  # ARABIC LETTER HAMZA              (no Latin letter)
    0x0624: None,  # ARABIC LETTER WAW WITH HAMZA ABOVE
    0x0626: None,  # ARABIC LETTER YEH WITH HAMZA ABOVE
}
# Latin letters, after the digraphs below, to the same classes.
LATIN_ROMAN_CLASSES: Table = {
    **{ord(c): "B" for c in "bp"},
    **{ord(c): "T" for c in "t"},
    **{ord(c): "S" for c in "sz"},
    **{ord(c): "K" for c in "kqgjc"},  # c is hard unless a digraph rule made it S
    ord("x"): "KS",
    **{ord(c): "D" for c in "d"},
    **{ord(c): "F" for c in "fv"},
    ord("l"): "L",
    ord("m"): "M",
    ord("n"): "N",
    ord("r"): "R",
    ord("h"): "H",
    **{ord(c): None for c in "aeiouyw'"},  # vowels and glides, as in Arabic script
}
# Two-letter spellings of one sound, replaced before the single letters.
LATIN_DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("sh", "S"),  # ش
    ("ch", "S"),  # چ, تش
    ("zh", "S"),  # ژ
    ("ts", "S"),  # تس
    ("th", "T"),  # ث, ت
    ("dh", "S"),  # ذ
    ("kh", "K"),  # خ
    ("gh", "K"),  # غ
    ("dj", "K"),  # ج (French-style)
    ("ph", "F"),  # ف
    ("ck", "K"),
    ("ce", "S"),  # soft c
    ("ci", "S"),
    ("cy", "S"),
)
# Vowels kept as three classes, for measuring how close two spellings across
# scripts are once their consonants agree (جابويف ~ Gabuev: KaBuiF both).
SOUND_VOWELS: Table = {
    0x0627: "a",  # ARABIC LETTER ALEF
    0x0648: "u",  # ARABIC LETTER WAW
    0x064A: "i",  # ARABIC LETTER YEH
    ord("a"): "a",
    ord("e"): "i",  # Latin e is written ي in Arabic script, when written at all
    ord("i"): "i",
    ord("y"): "i",
    ord("o"): "u",  # Latin o is written و
    ord("u"): "u",
    ord("w"): "u",
}


# --- Compiling tables for speed ----------------------------------------------------


SequenceTable = list["str | int | None"]


def sequence_table(mapping: Table, size: int) -> SequenceTable:
    """``mapping`` as a list indexed by codepoint, for ``str.translate``.

    A list lookup is about twice as fast as a dict lookup per character, because
    nothing is hashed. Codepoints without a rule map to themselves; codepoints at
    or past ``size`` raise IndexError, which ``str.translate`` reads as "unchanged".
    """
    table: SequenceTable = list(range(size))
    for cp, out in mapping.items():
        if cp < size:
            table[cp] = out
    return table
