"""Romanisation folding: one spelling for the ways a name is written in Latin letters.

ICAO 9303, BGN/PCGN and scientific romanisation of the same Cyrillic name differ in a few
regular places (Юлия: Iuliia, Yuliya, Julija; Щ: shch, šč; Ц: ts, c); so do German, French
and English spellings (Schmidt/Shmidt, Iwanow/Ivanov). metaphone (rigour) is English-centred
and keeps "Iuliia" and "Yuliya" apart, so the index and the scorer also compare this fold.
"""

from __future__ import annotations

import re

# Longest first: "shch" must win over "sh" and "ch".
_DIGRAPHS = (
    ("shch", "sc"),
    ("sch", "s"),
    ("tch", "c"),
    ("kh", "h"),
    ("zh", "z"),
    ("sh", "s"),
    ("ch", "c"),
    ("ts", "c"),
    ("tz", "c"),
    ("ph", "f"),
    ("th", "t"),
    ("ck", "k"),
    ("dj", "g"),
    ("x", "ks"),
    ("q", "k"),
    ("w", "v"),
    ("j", "i"),
    ("y", "i"),
)
_PATTERN = re.compile("|".join(a for a, _ in _DIGRAPHS))
_REPLACEMENT = dict(_DIGRAPHS)
_REPEATS = re.compile(r"(.)\1+")
# Arabic writes no short vowels, and its long ones (ا و ي) as letters lists spell a, ou,
# ei, y…; a final h is the -ah/-eh lists write for the feminine ending.
_NOT_CONSONANTS = re.compile(r"[aeiouyw]+|h$")


def fold(text: str) -> str:
    """The folded spelling of a comparable (lower case, Latin) name part."""
    if not text.isascii():
        return text
    folded = _PATTERN.sub(lambda m: _REPLACEMENT[m.group(0)], text)
    return _REPEATS.sub(_first, folded)


def _first(match: re.Match[str]) -> str:
    return match.group(1)


def consonants(text: str) -> str:
    """The consonant skeleton of a comparable Latin name part, which is how an Arabic name
    in its script meets its Latin spellings: "العتيبي" (ICU: altyby), "Al-Utaybi" and
    "Al-Otaibi" are all "ltb"."""
    text = text.replace("q", "k").replace("dh", "d").replace("ch", "sh")  # Qasim, Rachid
    skeleton = _NOT_CONSONANTS.sub("", text)
    return _REPEATS.sub(_first, skeleton)
