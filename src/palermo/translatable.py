"""The marker of strings translated where they are shown (navigation labels, role and
agency-kind titles): Babel extracts `N_("…")` into the catalogs; the web layer translates
the value when it renders it. Free of other modules of Palermo, so any module may mark its
titles.

`Texts` serves what is stored in English (a notification, a case's timeline): written from
a marked text, recognised in the stored words again to be shown in the reader's language.
Recognising rather than storing the text's key beside the words needs no other column, and
reads rows written before the texts were marked alike; words no text matches are shown as
stored."""

from __future__ import annotations

import re
from typing import Any

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    return message


def written(text: str, **values: Any) -> str:
    """The English words of a text (each value written as an f-string would)."""
    return text % {name: format(value) for name, value in values.items()}


class Texts:
    """Marked texts, to recognise in words written from one of them. `words` names the
    values without spaces: where the text alone would not say where one value ends."""

    def __init__(self, *texts: str, words: frozenset[str] = frozenset()) -> None:
        self.words = words
        # The texts with most words of their own first: a shorter one may match a longer's.
        ordered = sorted(texts, key=lambda t: len(_PLACEHOLDER.sub("", t)), reverse=True)
        self._patterns = [(text, self._pattern(text)) for text in ordered]

    def _pattern(self, text: str) -> re.Pattern[str]:
        parts, seen, at = [], set(), 0
        for found in _PLACEHOLDER.finditer(text):
            parts.append(re.escape(text[at : found.start()].replace("%%", "%")))
            name = found.group(1)
            if name in seen:
                parts.append(f"(?P={name})")
            else:
                parts.append(rf"(?P<{name}>\S+)" if name in self.words else rf"(?P<{name}>.*?)")
                seen.add(name)
            at = found.end()
        parts.append(re.escape(text[at:].replace("%%", "%")))
        return re.compile("".join(parts), re.DOTALL)

    def recognised(self, words: str) -> tuple[str, dict[str, str]] | None:
        """The text the words were written from, and its values; None if from none."""
        for text, pattern in self._patterns:
            found = pattern.fullmatch(words)
            if found:
                return text, found.groupdict()
        return None
