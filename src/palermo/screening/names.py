"""Name intelligence: any script and any romanisation to comparable name parts.

rigour does the linguistics (prefix and legal-form handling, transliteration, tokenising,
metaphone codes and its name-variant symbols, which are Wikidata given-name and surname
ids: "Yuliya", "Iuliia" and "Julija" share one). This module only shapes its output into
the small immutable parts the index and the scorer work on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rigour.names import (
    Name,
    NameTypeTag,
    SymbolCategory,
    analyze_names,
    remove_org_types,
    remove_person_prefixes,
)
from rigour.text.translit import ascii_text

from palermo.screening.fold import consonants, fold

# Symbols that say two parts are the same name; organisation classes ("LLC") and domain
# words are handled by rigour's legal-form rewriting and must not make two firms meet.
_NAME_SYMBOLS = frozenset({SymbolCategory.NAME, SymbolCategory.NICK, SymbolCategory.SYMBOL})

_HAN = re.compile(r"[\u4e00-\u9fff]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
# Arabic surnames are listed as "Al-Tamimi", "Al Tamimi" and "Altamimi": one word.
_ARTICLE = re.compile(r"\b((?:al|el|ul)(?=[-\s]))[-\s]+", re.IGNORECASE)
# "Abd" (servant of) never stands alone: "عبد الله" is the name lists write "Abdullah".
_ABD = re.compile(r"(?:^|(?<=\s))(عبد|abd)[-\s]+(?=\S)", re.IGNORECASE)
_TYPE_OF_SCHEMA = {
    "Person": NameTypeTag.PER,
    "Organization": NameTypeTag.ORG,
    "Company": NameTypeTag.ORG,
    "LegalEntity": NameTypeTag.ENT,
    "PublicBody": NameTypeTag.ORG,
    "Vessel": NameTypeTag.OBJ,
    "Vehicle": NameTypeTag.OBJ,
    "Airplane": NameTypeTag.OBJ,
}


# Compared by identity: parts are made once per word (cached) and shared by every name that
# has the word, which keeps hashing them (the scorer caches pairs of parts) cheap.
@dataclass(frozen=True, slots=True, eq=False)
class Part:
    text: str  # comparable form: lower case, Latin script where rigour transliterates
    folded: str  # romanisation-folded (see fold.py)
    phonetic: str | None  # metaphone of the Latin form
    symbols: frozenset[str]  # name-variant ids this part carries
    skeleton: str | None  # consonants, Latin letters: Latin and Arabic-script parts only
    initial: bool
    weight: float  # long parts say more than short ones ("Wei", an initial) about a person


@dataclass(frozen=True, slots=True)
class ParsedName:
    original: str
    parts: tuple[Part, ...]
    text: str  # the parts' texts (kept: a million records' names are keyed and sorted by it)
    weight: float  # the parts' weights summed

    @classmethod
    def of(cls, original: str, parts: tuple[Part, ...]) -> ParsedName:
        return cls(original, parts, " ".join(p.text for p in parts), sum(p.weight for p in parts))


def name_type(schema: str) -> NameTypeTag:
    return _TYPE_OF_SCHEMA.get(schema, NameTypeTag.ENT)


def _ascii(text: str) -> str:
    """ICU's ASCII form. Arabic's ayn and hamza have no letter in the spellings lists use (ICU
    writes "?", which would split the word) and its feminine ending (ة) is written -a or
    -ah ("Fatma", "Salameh"), not -t."""
    if _ARABIC.search(text):
        return ascii_text(text.replace("ة", "ه")).replace("?", "")
    return ascii_text(text)


def _skeleton(text: str) -> str | None:
    """The consonants of a Latin or an Arabic-script part (see fold.consonants)."""
    if text.isascii():
        return consonants(text) or None
    if _ARABIC.search(text):
        return consonants(_ascii(text).lower()) or None
    return None


@lru_cache(maxsize=1 << 16)
def _latin_forms(text: str) -> tuple[str, ...]:
    """ICU's Latin transliteration of text whose script rigour keeps (Arabic, Han,
    Hebrew…), so "محمد" can meet "Mohammed" through its parts. Han gives one syllable per
    character while lists write "Wang Guoqiang": the given-name syllables are also joined."""
    latin = _ascii(text)
    if not latin or latin.lower() == text.lower():
        return ()
    syllables = latin.split()
    if _HAN.search(text) and len(syllables) >= 3:
        return (latin, f"{syllables[0]} {''.join(syllables[1:])}")
    return (latin,)


def _parts(name: Name) -> tuple[Part, ...]:
    symbols: dict[int, set[str]] = {}
    for span in name.spans:
        if span.symbol.category in _NAME_SYMBOLS:
            key = f"{span.symbol.category.value}:{span.symbol.id}"
            for part in span.parts:
                symbols.setdefault(part.index, set()).add(key)
    return tuple(
        Part(
            text=p.comparable,
            folded=fold(p.comparable),
            phonetic=p.metaphone,
            symbols=frozenset(symbols.get(p.index, ())),
            skeleton=_skeleton(p.comparable),
            initial=len(p.comparable) == 1,
            weight=2.0 if len(p.comparable) == 1 else float(min(max(len(p.comparable), 3), 8)),
        )
        for p in name.parts
        if p.comparable
    )


@lru_cache(maxsize=1 << 19)
def _word_parts(word: str) -> tuple[Part, ...]:
    """The parts of one word of a person's name. Person names are analysed word by word:
    words repeat across a list far more than whole names do, so the cache answers most."""
    for name in analyze_names(NameTypeTag.PER, [word]):
        return _parts(name)
    return ()


@lru_cache(maxsize=1 << 16)
def _whole_parts(type_tag: NameTypeTag, text: str) -> tuple[Part, ...]:
    """Organisation and object names are analysed whole: legal forms span words."""
    for name in analyze_names(type_tag, [text]):
        return _parts(name)
    return ()


@lru_cache(maxsize=1 << 16)
def _is_prefix(words: str) -> bool:
    probe = f"{words} x"
    return remove_person_prefixes(probe) != probe


def _person_words(name: str) -> list[str]:
    """The words of a person's name without titles ("Dr.", "Sheikh") and with Arabic
    articles joined. rigour's prefix expression is costly, so it runs only when the first
    word is a title (cached per word): "Associate Professor" and other two-word titles whose
    first word is no title alone are kept."""
    words = name.split()
    if _is_prefix(words[0]):
        words = remove_person_prefixes(name).split()
    if any(w[:2].lower() in ("al", "el", "ul") for w in words):
        words = _ARTICLE.sub(r"\1", " ".join(words)).split()
    if any(w.lower() in ("عبد", "abd") for w in words[:-1]):
        words = _ABD.sub(r"\1", " ".join(words)).split()
    return words


def _parse(type_tag: NameTypeTag, name: str) -> list[ParsedName]:
    if type_tag is NameTypeTag.PER:
        words = _person_words(name)
        parts = tuple(p for w in words for p in _word_parts(w))
        if not parts:
            return []
        native = ParsedName.of(name, parts)
        if native.text.isascii():
            return [native]
        forms = [_latin_forms(w) or (w,) for w in words]
        variants = {tuple(f[0] for f in forms), tuple(f[-1] for f in forms)}
        latin = [tuple(p for w in v for p in _word_parts(w)) for v in sorted(variants)]
        return [native, *(ParsedName.of(name, found) for found in latin if found)]
    text = name
    if type_tag in (NameTypeTag.ORG, NameTypeTag.ENT):
        # "OOO Gazprom Neft" and "Gazprom Neft LLC" are the same firm: legal forms go.
        text = remove_org_types(name).strip() or name
    parts = _whole_parts(type_tag, text)
    whole = [ParsedName.of(name, parts)] if parts else []
    if not all(p.text.isascii() for p in parts):
        for form in _latin_forms(text):
            if latin_parts := _whole_parts(type_tag, form):
                whole.append(ParsedName.of(name, latin_parts))
    return whole


def parse_names(names: Iterable[str], schema: str) -> list[ParsedName]:
    """Comparable names of one entity (each name in its script, and in Latin letters)."""
    type_tag = name_type(schema)
    parsed = {p.text: p for n in names if n.strip() for p in _parse(type_tag, n.strip())}
    return sorted(parsed.values(), key=lambda p: p.text)
