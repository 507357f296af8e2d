"""Second stage: score one candidate against the query and say why.

Names decide; birth date, nationality, gender and identifiers move the score. Every step
leaves a line in the explanation, so an officer sees what matched and what did not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from heapq import heappush, heappushpop
from itertools import pairwise
from operator import itemgetter

from followthemoney import model
from followthemoney.types import registry
from rapidfuzz.distance import OSA

from palermo.errors import Invalid
from palermo.records.entities import identifier_key
from palermo.screening.entries import Entry, screenable
from palermo.screening.names import ParsedName, Part, parse_names
from palermo.translatable import N_, Texts

ALGORITHM = "palermo-name-v1"
THRESHOLD = 0.80  # at or above: an alert; hit-only records are reported only above it
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
# A part missing on one side costs a share of its weight: less on the record's side
# (passports and manifests drop middle names and patronymics that lists keep).
_EXTRA_QUERY_PART = 0.35
_EXTRA_RECORD_PART = 0.2
# The lines of an explanation, shown in the reader's language in the workspace (see
# `palermo.translatable.Texts`; the API's explanation is English).
NAME_LINE = N_("name %(query)s ~ %(record)s: %(score)s")
NAME_NOTES_LINE = N_("name %(query)s ~ %(record)s: %(score)s (%(notes)s)")
DOCUMENT_LINE = N_("document number %(document)s matches")
NO_BIRTH_DATE = N_("no birth date on record")
COUNTRY_MATCHES = N_("country %(country)s matches")
COUNTRY_ELSEWHERE = N_("country %(country)s not among %(countries)s")
GENDER_DIFFERS = N_("gender %(query)s differs from %(record)s")
BORN_OTHERWISE = N_("born %(query)s, the record says %(known)s")
BIRTH_DATE_MATCHES = N_("birth date %(date)s matches")
BIRTH_YEAR_MATCHES = N_("birth year %(year)s matches (the rest is not known on both)")
BIRTH_DATE_SWAPPED = N_("birth date %(date)s matches with day and month swapped")
BIRTH_YEAR_OFF = N_("birth year %(year)s is one year off")
HIT_ONLY = N_("hit/no-hit only: ask the owner agency for details")
EXPLANATIONS = Texts(
    NAME_LINE,
    NAME_NOTES_LINE,
    DOCUMENT_LINE,
    NO_BIRTH_DATE,
    COUNTRY_MATCHES,
    COUNTRY_ELSEWHERE,
    GENDER_DIFFERS,
    BORN_OTHERWISE,
    BIRTH_DATE_MATCHES,
    BIRTH_YEAR_MATCHES,
    BIRTH_DATE_SWAPPED,
    BIRTH_YEAR_OFF,
    HIT_ONLY,
)
_STRONG_NAME = 0.75
_OTHER_ORDER = 0.9
OTHER_ORDER = "parts in another order"
_OTHER_SYLLABLE = 0.6
# A pinyin syllable: one character of a Chinese name.
_PINYIN = re.compile(
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])"
    r"(?:iang|iong|uang|ang|eng|ing|ong|iao|ian|uai|uan|ai|ei|ui|ao|ou|iu|ie|ue|er|an|en|in|un"
    r"|ia|ua|uo|a|o|e|i|u|v)|a|o|e|ai|ei|ao|ou|an|en|ang|eng|er"
)


@dataclass(frozen=True)
class ScreeningQuery:
    names: tuple[ParsedName, ...]
    schema: str = "Person"
    birth_date: str | None = None
    nationality: str | None = None
    gender: str | None = None
    document: str | None = None
    raw_name: str = ""

    @classmethod
    def of(
        cls,
        name: str,
        *,
        schema: str = "Person",
        birth_date: str | None = None,
        nationality: str | None = None,
        gender: str | None = None,
        document: str | None = None,
    ) -> ScreeningQuery:
        """A query from what a form or a manifest line gives; bad values are refused."""
        name = (name or "").strip()
        found = model.get(schema)
        if found is None or not screenable(found.name):
            raise Invalid(
                N_("cannot screen schema %(schema)s: use Person, Organization, Company…"),
                schema=repr(schema),
            )
        if len(name) > 300:
            raise Invalid(N_("the name is longer than 300 characters"))
        parsed = tuple(parse_names([name], schema)) if name else ()
        doc = identifier_key(document) if document else None
        if not parsed and not doc:
            raise Invalid(N_("give a name with letters (or a document number) to screen"))
        if parsed and all(len(p.parts) == 1 and p.parts[0].initial for p in parsed) and not doc:
            raise Invalid(
                N_("%(name)s is too short to screen: give at least one full name part"),
                name=repr(name),
            )
        return cls(
            names=parsed,
            schema=schema,
            birth_date=check_date(birth_date) if birth_date else None,
            nationality=_country(nationality) if nationality else None,
            gender=_gender(gender) if gender else None,
            document=doc or None,
            raw_name=name,
        )


def check_date(value: str) -> str:
    text = value.strip().replace("/", "-")
    match = _DATE.match(text)
    if not match:
        raise Invalid(
            N_("birth date %(value)s is not YYYY, YYYY-MM or YYYY-MM-DD"), value=repr(value)
        )
    year, month, day = match.groups()
    if not 1850 <= int(year) <= 2100:
        raise Invalid(N_("birth date %(value)s has an implausible year"), value=repr(value))
    if month and not 1 <= int(month) <= 12:
        raise Invalid(
            N_("birth date %(value)s has no month %(month)s"), value=repr(value), month=month
        )
    if day:
        try:
            date(int(year), int(month), int(day))
        except ValueError:
            raise Invalid(
                N_("birth date %(value)s has no day %(day)s in that month"),
                value=repr(value),
                day=day,
            ) from None
    return text


def _gender(value: str) -> str:
    cleaned = registry.gender.clean(value.strip())  # "M", "f", "Male" → male, female
    if cleaned is None:
        raise Invalid(N_("unknown gender %(value)s; use male, female or other"), value=repr(value))
    return str(cleaned)


def _country(value: str) -> str:
    cleaned = registry.country.clean(value.strip())
    if cleaned is None:
        raise Invalid(
            N_("unknown country %(value)s; use an ISO 3166 code such as FR"), value=repr(value)
        )
    return str(cleaned)


@dataclass
class Match:
    score: float
    name_score: float
    explanation: list[str] = field(default_factory=list)

    @property
    def alert(self) -> bool:
        return self.score >= THRESHOLD


@lru_cache(maxsize=1 << 18)
def part_similarity(q: Part, c: Part) -> tuple[float, str]:
    """How alike two name parts are, and by which rule (cached: a list's common names meet
    the same query parts again and again)."""
    sim, how = _alike(q, c)
    # Two pinyin syllables are two Chinese characters: a letter apart (Xian, Xiang) or
    # sharing a variant id (Ming, Bing), they are still other names.
    if sim > _OTHER_SYLLABLE and q.text != c.text and _syllable(q.text) and _syllable(c.text):
        return _OTHER_SYLLABLE, "another syllable"
    return sim, how


@lru_cache(maxsize=1 << 12)
def _syllable(text: str) -> bool:
    return _PINYIN.fullmatch(text) is not None


def _alike(q: Part, c: Part) -> tuple[float, str]:
    if q.text == c.text:
        return 1.0, "same"
    if q.initial or c.initial:
        return (0.9, "initial") if q.text[0] == c.text[0] else (0.0, "")
    fq, fc = q.folded, c.folded
    shortest = min(len(fq), len(fc))
    # Short Latin parts ("Yu", "Shu", "Kong") share variant ids and sounds by chance.
    other_script = not (fq.isascii() and fc.isascii())
    if q.symbols & c.symbols and (other_script or shortest >= 4):
        return 0.95, "name variant"
    # Arabic script against Latin letters. Two parts that each carry several variant ids,
    # none shared, are two names (حسن, Hussein), however alike their consonants; with one id
    # each, Wikidata may just list the spellings apart (كريم, Kareem).
    known_apart = len(q.symbols) > 1 and len(c.symbols) > 1
    if other_script and not known_apart and q.skeleton == c.skeleton and len(q.skeleton or "") > 1:
        return 0.9, "consonants agree"
    if fq == fc:
        return 0.95, "romanisation"
    # metaphone is coarse: names three letters apart are other names that sound alike
    # (Colette and Claude, Selma and Salim).
    alike = q.phonetic and q.phonetic == c.phonetic and fq[0] == fc[0] and shortest >= 5
    if alike and OSA.distance(fq, fc, score_cutoff=3) <= 2:
        return 0.9, "sounds alike"
    # The budget follows the names as written: folding shortens them ("Ullmann", "ulman").
    longest = max(len(q.text), len(c.text))
    budget = 0 if longest <= 3 else 1 if longest <= 7 else 2 if longest <= 10 else 3
    # Short names that differ in their first letter are other names (Wang, Gang, Yang).
    if budget == 0 or (longest <= 5 and fq[0] != fc[0]):
        return 0.0, ""
    distance = min(
        OSA.distance(fq, fc, score_cutoff=budget),
        OSA.distance(q.text, c.text, score_cutoff=budget),
    )
    if distance <= budget:
        cost = 1.0 if longest <= 5 else 0.6
        return 1.0 - cost * distance / longest, f"{distance} typing error(s)"
    return 0.0, ""


def name_similarity(
    query: ParsedName, candidate: ParsedName, notes: list[str] | None = None
) -> float:
    """Parts pair off greedily, best first, in any order; unpaired parts cost a little.
    The score is the weighted mean of the paired parts' similarities (see Part.weight).
    Given a list, the parts that differ and the rule that paired them are noted in it."""
    pairs = []
    for i, q in enumerate(query.parts):
        for j, c in enumerate(candidate.parts):
            sim, how = part_similarity(q, c)
            if sim > 0:
                pairs.append((sim, i, j, how))
    if not pairs:
        return 0.0
    pairs.sort(key=itemgetter(0), reverse=True)  # stable: equal pairs keep their order
    paired: dict[int, int] = {}  # query part → record part
    used_c: set[int] = set()
    total = weights = paired_q = paired_c = 0.0
    differ: list[tuple[int, int, str]] = []
    full_parts = 0
    most = min(len(query.parts), len(candidate.parts))
    for sim, i, j, how in pairs:
        if i in paired or j in used_c:
            continue
        paired[i] = j
        used_c.add(j)
        q, c = query.parts[i], candidate.parts[j]
        weight = q.weight if q.weight > c.weight else c.weight
        total += sim * weight
        weights += weight
        paired_q += q.weight
        paired_c += c.weight
        if how != "initial":
            full_parts += 1
        if notes is not None and how != "same":
            differ.append((i, j, how))
        if len(paired) == most:
            break
    if full_parts == 0:
        return 0.0
    # Weights are whole numbers: these differences are exact.
    left_q = query.weight - paired_q
    left_c = candidate.weight - paired_c
    # Parts left on both sides disagree ("Aisha" where the record says "Ibrahim"): a conflict
    # costs in full. What is left on one side only was dropped, and costs a share.
    conflict = min(left_q, left_c)
    extra = conflict + _EXTRA_QUERY_PART * (left_q - conflict)
    extra += _EXTRA_RECORD_PART * (left_c - conflict)
    if not conflict and any(_syllable(query.parts[i].text) for i in paired):
        # A Chinese name has no middle name to drop: a syllable more on one side is another
        # given name ("Bing", "Shuai Bing"), and costs in full.
        extra += (1 - _EXTRA_QUERY_PART) * _syllables(query.parts, paired)
        extra += (1 - _EXTRA_RECORD_PART) * _syllables(candidate.parts, used_c)
    similarity = total / (weights + extra)
    in_turn = _in_turn(paired)
    if not in_turn:
        similarity *= _OTHER_ORDER
    if notes is not None:
        q_parts, c_parts = query.parts, candidate.parts
        notes += [f"{q_parts[i].text}~{c_parts[j].text} ({how})" for i, j, how in differ]
        if not in_turn:
            notes.append(OTHER_ORDER)
    return similarity


def _syllables(parts: tuple[Part, ...], paired: Container[int]) -> float:
    """The weight of the unpaired parts that are pinyin syllables."""
    return sum(p.weight for k, p in enumerate(parts) if k not in paired and _syllable(p.text))


def _in_turn(paired: dict[int, int]) -> bool:
    """Whether the record's parts come in the query's order, the whole name possibly turned
    round (surname first): "Ziad Munir" is Ziad son of Munir, not Munir son of Ziad."""
    if len(paired) < 3:  # two parts are in turn either way
        return True
    order = [paired[i] for i in sorted(paired)]
    turns = sum(a > b for a, b in pairwise(order))
    return turns == 0 or (turns == 1 and order[-1] < order[0])


def _date_factor(query: str, known: tuple[str, ...]) -> tuple[float, str, dict[str, str]]:
    """Full dates must agree; a year alone, or swapped day and month, are tolerated. With
    the factor come the explanation's line and its values (formatted only when shown)."""
    best: tuple[float, str, dict[str, str]] = (0.5, BORN_OTHERWISE, {})
    qy, _, qrest = query.partition("-")
    for value in known:
        vy, _, vrest = value.partition("-")
        if value == query:
            return 1.0, BIRTH_DATE_MATCHES, {"date": value}
        partial = not qrest or not vrest or qrest.startswith(vrest) or vrest.startswith(qrest)
        if qy == vy and partial:
            found = (0.9, BIRTH_YEAR_MATCHES, {"year": vy})
        elif qy == vy and len(qrest) == 5 == len(vrest) and qrest[3:] + "-" + qrest[:2] == vrest:
            found = (0.97, BIRTH_DATE_SWAPPED, {"date": value})
        elif abs(int(qy) - int(vy)) == 1 and (not qrest or not vrest):
            found = (0.75, BIRTH_YEAR_OFF, {"year": vy})
        else:
            continue
        if found[0] > best[0]:
            best = found
    if best[1] is BORN_OTHERWISE:
        best = (best[0], BORN_OTHERWISE, {"query": query, "known": ", ".join(known)})
    return best


def score(query: ScreeningQuery, entry: Entry) -> Match | None:
    """The match of a candidate, or None when no name (or document) of it fits at all."""
    explanation: list[str] = []
    rated = _rate(query, entry, explanation)
    if rated is None:
        return None
    value, name_score = rated
    return Match(score=value, name_score=name_score, explanation=explanation)


def _rate(
    query: ScreeningQuery, entry: Entry, explanation: list[str] | None
) -> tuple[float, float] | None:
    """The score and the name's score of a candidate (None when nothing of it fits); given
    a list, the lines that explain them are added to it. Ranking many candidates asks for
    no lines: only the few shown need them."""
    name_score, best = _best_names(query, entry)
    value = name_score
    if best is not None and explanation is not None:
        qn, cn = best
        notes: list[str] = []
        name_similarity(qn, cn, notes)
        line = NAME_NOTES_LINE if notes else NAME_LINE
        shown = {"query": repr(qn.original), "record": repr(cn.original)}
        shown["score"] = f"{name_score:.2f}"
        explanation.append(line % {**shown, "notes": "; ".join(notes)})
    lines: list[tuple[str, dict[str, str]]] = []
    if query.document and query.document in entry.identifiers:
        value = max(value, 0.99)
        lines.append((DOCUMENT_LINE, {"document": query.document}))
    if value == 0:
        return None
    value = _with_details(query, entry, value, lines)
    if explanation is not None:
        explanation += [line % values if values else line for line, values in lines]
    return value, round(name_score, 3)


def _best_names(
    query: ScreeningQuery, entry: Entry
) -> tuple[float, tuple[ParsedName, ParsedName] | None]:
    """The most alike of the query's and the entry's names (the first, of equals)."""
    best_score, best = 0.0, None
    for qn in query.names:
        for cn in entry.names:
            sim = name_similarity(qn, cn)
            if sim > best_score:
                best_score, best = sim, (qn, cn)
                if sim == 1.0:  # no pair can do better
                    return best_score, best
    return best_score, best


def _with_details(
    query: ScreeningQuery, entry: Entry, value: float, lines: list[tuple[str, dict[str, str]]]
) -> float:
    """The score of a name (or document) match of `value` once birth date, nationality and
    gender are weighed; the lines that say why are added to `lines`. It never falls as
    `value` rises, so at 1.0 it is the most the candidate can score."""
    # Agreeing details lift a strong name further; they never make a weak name an alert.
    strong = value >= _STRONG_NAME
    if query.birth_date:
        if entry.birth_dates:
            factor, reason, values = _date_factor(query.birth_date, entry.birth_dates)
            value *= factor
            if factor == 1.0 and strong:
                value += (1 - value) * 0.5
            lines.append((reason, values))
        else:
            value *= 0.95
            lines.append((NO_BIRTH_DATE, {}))
    if query.nationality and entry.countries:
        if query.nationality in entry.countries:
            if strong:
                value += (1 - value) * 0.1
            lines.append((COUNTRY_MATCHES, {"country": query.nationality}))
        else:
            value *= 0.9
            elsewhere = {"country": query.nationality, "countries": str(sorted(entry.countries))}
            lines.append((COUNTRY_ELSEWHERE, elsewhere))
    if query.gender and entry.gender and query.gender != entry.gender:
        value *= 0.8
        lines.append((GENDER_DIFFERS, {"query": query.gender, "record": entry.gender}))
    return round(min(value, 1.0), 3)


def best_matches(
    query: ScreeningQuery,
    entries: Iterable[Entry],
    *,
    limit: int,
    floor: float = 0.0,
    floor_of: Callable[[Entry], float] | None = None,
) -> list[tuple[Entry, Match]]:
    """Entries scored against the query, best first (ties by record id), above `floor` and
    above `floor_of(entry)` where some entries need more; only those returned are explained.
    Names, the costly part, are compared in order of the most each entry's details allow
    (its score were the name perfect): once that is below the floor or the `limit`-th best
    score so far, no entry after it can enter."""
    if limit <= 0:
        return []
    bounded = [(_with_details(query, entry, 1.0, []), entry) for entry in entries]
    bounded.sort(key=itemgetter(0), reverse=True)  # stable: ties keep the index's order
    rated: list[tuple[float, Entry]] = []
    kept: list[float] = []  # a heap of the `limit` best scores so far
    for bound, entry in bounded:
        if bound < floor or (len(kept) == limit and bound < kept[0]):
            break
        own = floor if floor_of is None else max(floor, floor_of(entry))
        found = _rate(query, entry, None) if bound >= own else None
        if found is None or found[0] < own:
            continue
        rated.append((found[0], entry))
        (heappush if len(kept) < limit else heappushpop)(kept, found[0])
    rated.sort(key=lambda pair: (-pair[0], pair[1].record_id))
    return [(entry, match) for _, entry in rated[:limit] if (match := score(query, entry))]
