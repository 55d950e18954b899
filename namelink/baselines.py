"""The two baselines of the open-world suite: exact and fuzzy matching of normal forms.

``exact`` links when exactly one entity has the query's normal form among its
names. ``fuzzy`` links to the entity of the name most similar to the query
(rapidfuzz ``fuzz.ratio`` of the normal forms) when that similarity is at
least FUZZY_BASELINE_CUTOFF. In running text the exact baseline links the
longest word n-gram it would link as a name. They are what a careful engineer
would build in an afternoon, so a figure of namelink means something beside them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz, process

from namelink.gazetteer import Gazetteer
from namelink.normalize import normalize

__all__ = ["FUZZY_BASELINE_CUTOFF", "TOP_K", "Baselines", "word_spans"]

# The brief of issue 11: a fuzz.ratio (0-100) of 90 or more between normal
# forms is the usual "same name, one slip" cut-off of off-the-shelf matchers.
FUZZY_BASELINE_CUTOFF = 90
# Queries scored against every name at once by rapidfuzz.process.cdist; the
# score matrix of one chunk is CHUNK x names float32s.
CHUNK = 2048
# How many candidates accuracy@5 looks at.
TOP_K = 5
# The fuzzy baseline looks at this many names per entity it wants: an entity
# has a few names, and the best names may all be one entity's.
NAMES_PER_ENTITY = 4
# The longest word n-gram the exact baseline tries in running text; longer
# gazetteer names are rare and the cost grows with it.
MAX_NGRAM = 5
# The zero-width non-joiner, which Persian writes inside words.
ZWNJ = "\u200c"


class Baselines:
    """The exact and fuzzy baselines over one gazetteer's names."""

    def __init__(self, gazetteer: Gazetteer):
        by_form: dict[str, list[str]] = {}
        for entity in gazetteer.entities():
            for values in entity.names.values():
                for name in values:
                    owners = by_form.setdefault(normalize(name), [])
                    if entity.qid not in owners:
                        owners.append(entity.qid)
        by_form.pop("", None)
        self.by_form = by_form
        self.forms = list(by_form)
        self.longest = min(MAX_NGRAM, max((f.count(" ") + 1 for f in self.forms), default=1))

    def is_name(self, text: str) -> bool:
        return normalize(text) in self.by_form

    def exact(self, text: str) -> str | None:
        owners = self.by_form.get(normalize(text), [])
        return owners[0] if len(owners) == 1 else None

    def exact_top(self, text: str) -> list[str]:
        return self.by_form.get(normalize(text), [])[:TOP_K]

    def fuzzy_many(self, texts: Sequence[str]) -> list[str | None]:
        """The fuzzy baseline's link for each text."""
        return [top[0] if top else None for top in self._fuzzy(texts, 1, FUZZY_BASELINE_CUTOFF)]

    def fuzzy_top(self, texts: Sequence[str]) -> list[list[str]]:
        """The QIDs of the TOP_K names most similar to each text, at any similarity."""
        return self._fuzzy(texts, TOP_K, 0)

    def _fuzzy(self, texts: Sequence[str], k: int, cutoff: int) -> list[list[str]]:
        """The QIDs of the k best names of each text, best first, equal scores in gazetteer order.

        A name below ``cutoff`` (or of similarity 0) is no candidate.
        """
        queries = [normalize(t) for t in texts]
        try:
            import numpy as np
        except ImportError:  # numpy is not a dependency: one query at a time (ties at the tail may differ)
            return [self._qids(self._fuzzy_one(q, k, cutoff), k) for q in queries]
        found: list[list[str]] = []
        width = min(len(self.forms), NAMES_PER_ENTITY * k)
        for start in range(0, len(queries), CHUNK):
            chunk = queries[start : start + CHUNK]
            # a score_cutoff lets rapidfuzz skip names whose length rules them out (4x faster)
            scores = process.cdist(
                chunk, self.forms, scorer=fuzz.ratio, dtype=np.float32, score_cutoff=cutoff, workers=-1
            )
            best = np.argpartition(-scores, width - 1, axis=1)[:, :width]
            for query, row, columns in zip(chunk, scores, best, strict=True):
                ranked = sorted(((float(row[i]), int(i)) for i in columns), key=lambda h: (-h[0], h[1]))
                found.append(self._qids((i for score, i in ranked if query and score > 0), k))
        return found

    def _fuzzy_one(self, query: str, k: int, cutoff: int) -> list[int]:
        if not query:
            return []
        hits = process.extract(
            query, self.forms, scorer=fuzz.ratio, score_cutoff=cutoff, limit=NAMES_PER_ENTITY * k
        )
        ranked = sorted(((score, i) for _, score, i in hits), key=lambda h: (-h[0], h[1]))
        return [i for score, i in ranked if score > 0]

    def _qids(self, names: Iterable[int], k: int) -> list[str]:
        qids: list[str] = []
        for i in names:
            qids.extend(q for q in self.by_form[self.forms[i]] if q not in qids)
        return qids[:k]

    def exact_text(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, qid) of the longest word n-grams the exact baseline links."""
        tokens = word_spans(text)
        mentions = []
        i = 0
        while i < len(tokens):
            for n in range(min(self.longest, len(tokens) - i), 0, -1):
                start, end = tokens[i][0], tokens[i + n - 1][1]
                qid = self.exact(text[start:end])
                if qid:
                    mentions.append((start, end, qid))
                    i += n
                    break
            else:
                i += 1
        return mentions


def word_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each word: a run of letters, digits, marks and ZWNJ."""
    spans = []
    start = None
    for i, char in enumerate(text + " "):
        inside = (
            char.isalnum()
            or unicodedata.category(char) in ("Mn", "Mc")
            or (char == ZWNJ and start is not None)
        )
        if inside and start is None:
            start = i
        elif not inside and start is not None:
            spans.append((start, i))
            start = None
    return spans
