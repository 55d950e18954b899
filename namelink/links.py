"""From ranked candidates to Links: evidence, calibrated probability, decision.

    ranked hits (candidates.py) → evidence (evidence.py) → probability (score.py) → Link

Only the few best candidates (``score.CALIBRATED``, or what a call asks for)
are weighed, and Links are made only for what a call returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from namelink import score as scoring
from namelink.candidates import Hit
from namelink.evidence import against, features, shown_evidence
from namelink.explain import evidence_phrase, explain
from namelink.index import SAME_SCRIPT_KINDS, Index
from namelink.morphology import SETTING_APART
from namelink.normalize import normalize
from namelink.records import Link

__all__ = ["Weighed", "decide", "name_apart", "to_link", "weighed", "with_evidence"]


class Weighed(NamedTuple):
    """A hit with its evidence and calibrated probability."""

    entity: int
    hit: Hit
    probability: float
    evidence: tuple[float, ...]
    # the name with which the gazetteer sets another candidate of the same name
    # apart (تونس العاصمة beside Tunisia's تونس), or ""
    apart: str = ""


def with_evidence(
    index: Index,
    name: str,
    ranked: list[tuple[int, Hit]],
    lang: str | None,
    top: int,
    first_words: Mapping[str, int],
) -> list[Weighed]:
    """The ``top`` best of ``ranked`` with their evidence, in stage order; the
    probability is still the stage score. ``first_words`` maps the first word of
    every name to the most words such a name has (Gazetteer.first_words()): a
    lone word that begins longer names is evidence of a given name."""
    if not ranked:
        return []
    raw = name.strip()
    if ranked[0][1].method == "qid":
        entity, hit = ranked[0]
        return [Weighed(entity, hit, scoring.BANDS["qid"][0], ())]
    query = normalize(raw)
    best, second = ranked[0][1].score, ranked[1][1].score if len(ranked) > 1 else 0.0
    first_entity, second_entity = ranked[0][0], ranked[1][0] if len(ranked) > 1 else -1
    opens = first_words.get(query.partition(" ")[0], 0)
    out: list[Weighed] = []
    for position, (entity, hit) in enumerate(ranked[:top]):
        rival = second_entity if position == 0 else first_entity
        evidence = features(
            query=query,
            raw=raw,
            form=hit.form,
            name=normalize(index.name_text[hit.name_id]),
            name_lang=index.langs[index.name_lang[hit.name_id]],
            method=hit.method,
            similarity=hit.similarity,
            variant=hit.variant,
            popularity=index.popularity[entity],
            rival_popularity=index.popularity[rival] if rival >= 0 else 0,
            entity_type=index.types[entity],
            lang=lang,
            gap=hit.score - (second if position == 0 else best),
            opens=opens,
        )
        out.append(Weighed(entity, hit, hit.score, evidence))
    return out


def weighed(
    index: Index,
    name: str,
    ranked: list[tuple[int, Hit]],
    lang: str | None,
    first_words: Mapping[str, int],
    top: int = scoring.CALIBRATED,
) -> list[Weighed]:
    """The ``top`` best of ``ranked`` with their evidence and calibrated
    probability (made coherent across them: score.coherent), most probable first."""
    raw = with_evidence(index, name, ranked, lang, top, first_words)
    if raw and raw[0].hit.method == "qid":
        return raw
    groups = [(w.hit.method, w.hit.similarity, w.hit.variant) for w in raw]
    # names that several candidates share (the rare case); only a place among
    # them can be set apart
    sharing = {g for g in groups if groups.count(g) > 1}
    shared = bool(sharing)
    aparts: list[str] = []
    for w, g in zip(raw, groups, strict=True):
        may_be_apart = g in sharing and index.types[w.entity] == "place"
        aparts.append(name_apart(index, w.entity, w.hit.name_id) if may_be_apart else "")
    coherent = scoring.coherent(
        [scoring.probability(w.evidence) for w in raw],
        groups,
        [index.popularity[w.entity] for w in raw],
        [bool(a) for a in aparts] if shared else None,
        _group_chances(index, ranked, raw, groups) if shared else None,
    )
    out = [
        w._replace(probability=p, apart=_other_apart(groups, aparts, i))
        for i, (w, p) in enumerate(zip(raw, coherent, strict=True))
    ]
    out.sort(key=lambda w: (-w.probability, -w.hit.score, index.qids[w.entity]))
    return out


def _group_chances(
    index: Index, ranked: list[tuple[int, Hit]], raw: list[Weighed], groups: list[tuple[str, float, str]]
) -> dict[tuple[str, float, str], float]:
    """For each name that several places share (a country and its capital, تونس),
    the probability that the query names one of them: the evidence of the best of
    them weighed against the best candidate outside the group, as if the group
    were one entity. Each alone weighs the other as its rival, so their sum
    says the query names neither about half the time (الجزائر: 0.28 + 0.19, where
    Algeria alone is 0.87). Not for people: namesakes of one name are a reason
    for doubt that the model weighs (هاوارد, a given name, is no Howard)."""
    out: dict[tuple[str, float, str], float] = {}
    for key in set(groups):
        members = [w for w, g in zip(raw, groups, strict=True) if g == key]
        if len(members) < 2 or any(index.types[w.entity] == "person" for w in members):
            continue
        inside = {w.entity for w in members}
        best = members[0]
        outside = next(((e, h) for e, h in ranked if e not in inside), None)
        rival_score, rival_pop = (outside[1].score, index.popularity[outside[0]]) if outside else (0.0, 0)
        gap = best.hit.score - rival_score
        evidence = against(best.evidence, index.popularity[best.entity], rival_pop, gap)
        out[key] = scoring.probability(evidence)
    return out


def _other_apart(groups: list[tuple[str, float, str]], aparts: list[str], i: int) -> str:
    """The name that sets apart another candidate of candidate ``i``'s group, when
    ``i`` itself is not set apart."""
    if not aparts or aparts[i]:
        return ""
    return next((a for j, a in enumerate(aparts) if a and groups[j] == groups[i]), "")


def name_apart(index: Index, entity: int, name_id: int) -> str:
    """The name with which the gazetteer sets ``entity`` apart from others named
    as name ``name_id`` is (تونس العاصمة for تونس), or ""."""
    if name_id < 0:
        return ""
    name = normalize(index.name_text[name_id])
    # The entity's own names by normal form (the first of each, as the postings
    # would give it): an entity has a few names, where looking each form up in
    # the postings took 2 × len(SETTING_APART) lookups.
    own: dict[str, int] = {}
    for n in range(index.first_name[entity], index.first_name[entity + 1]):
        own.setdefault(normalize(index.name_text[n]), n)
    for word in sorted(SETTING_APART):  # sorted: the same name in every process
        for form in (f"{word} {name}", f"{name} {word}"):
            if form in own:
                return index.name_text[own[form]]
    return ""


def to_link(
    index: Index, weighed: Weighed, query: str, runner_up: Link | None = None, rival: int | None = None
) -> Link:
    """The Link of a weighed candidate, with its explanation; ``runner_up`` the
    Link it carries, ``rival`` the runner-up's entity when it was decided over
    one (score.popularity_note)."""
    entity, hit = weighed.entity, weighed.hit
    name_id = hit.name_id
    matched = index.name_text[name_id] if name_id >= 0 else index.qids[entity]
    keyed = hit.method in SAME_SCRIPT_KINDS
    popularity = index.popularity[entity]
    evidence = shown_evidence(weighed.evidence)
    explanation = "; ".join(
        part
        for part in (
            explain(query, matched, hit.method, hit.similarity, hit.form, hit.variant),
            f"another of this name is named apart ({weighed.apart})" if weighed.apart else "",
            evidence_phrase(weighed.evidence, weighed.probability),
        )
        if part
    )
    if rival is not None:
        explanation += scoring.popularity_note(evidence, popularity, index.popularity[rival])
    return Link(
        qid=index.qids[entity],
        label=index.labels[entity],
        score=weighed.probability,
        matched_name=matched,
        matched_lang=index.langs[index.name_lang[name_id]] if name_id >= 0 else "",
        method="key" if keyed else hit.method,
        key=hit.method if keyed else "",
        type=index.types[entity],
        description=index.descriptions[entity],
        explanation=explanation,
        popularity=popularity,
        runner_up=runner_up,
        evidence=evidence,
    )


def decide(index: Index, weighed: list[Weighed], query: str, threshold: float) -> Link | None:
    """score.decide() over the two most probable candidates, as Links: the best
    must clear ``threshold`` and the runner-up be MARGIN below it, shown on the
    Link from RUNNER_UP_MIN on. A Link's score is its candidate's probability,
    so this is decided before any Link is made (most lookups of running text
    end unlinked), and the one Link returned is made once, with its runner-up."""
    top = weighed[:2]
    if not top or top[0].probability < threshold:
        return None
    if len(top) == 1:
        return to_link(index, top[0], query)
    best, runner_up = top
    if best.probability - runner_up.probability < scoring.MARGIN:
        return None
    shown = to_link(index, runner_up, query) if runner_up.probability >= scoring.RUNNER_UP_MIN else None
    return to_link(index, best, query, shown, runner_up.entity)
