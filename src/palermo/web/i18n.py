"""The workspace in the four Interpol working languages — Arabic (right to left), English,
French and Spanish: gettext catalogs kept as `.po` files under `locales/` (edited and
updated with Babel, `make messages`), dates, numbers and country names formatted by Babel's
CLDR data, and each person's name shown as recorded with its Latin transliteration.

The language is the user's choice (a cookie set from the language menu), else the browser's
Accept-Language, else English. It is held in a context variable for the time of one
rendering, so templates, macros and Python code share it without passing it around."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers
from babel.core import negotiate_locale
from babel.messages import mofile, pofile
from babel.support import NullTranslations, Translations
from fastapi import Request
from markupsafe import Markup
from normality import latinize_text

from palermo.errors import PalermoError
from palermo.translatable import Texts

LOCALES = Path(__file__).parent / "locales"
LANGUAGE_COOKIE = "palermo_lang"
DEFAULT = "en"
# Each language named in itself, as a language menu shows it.
LANGUAGES = {"ar": "العربية", "en": "English", "es": "Español", "fr": "Français"}
RIGHT_TO_LEFT = frozenset({"ar"})
# FtM properties holding names, shown as recorded plus their transliteration.
NAME_PROPERTIES = frozenset(
    {
        "name",
        "alias",
        "weakAlias",
        "previousName",
        "firstName",
        "middleName",
        "lastName",
        "fatherName",
        "motherName",
        "secondName",
    }
)

_current: ContextVar[str] = ContextVar("palermo_language", default=DEFAULT)


@cache
def translations(language: str) -> NullTranslations:
    """The language's catalog, compiled in memory from its `.po` file (no `.mo` files to
    build or to go stale). English is the source language: no catalog."""
    source = LOCALES / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT or not source.exists():
        return NullTranslations()
    with source.open("rb") as handle:
        catalog = pofile.read_po(handle, locale=language)
    compiled = io.BytesIO()
    mofile.write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def language_of(request: Request) -> str:
    """The user's chosen language, else the browser's preferred one we speak, else English."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    header = request.headers.get("accept-language", "")
    preferred = [part.split(";")[0].strip().replace("-", "_") for part in header.split(",")]
    return negotiate_locale([p for p in preferred if p], list(LANGUAGES), sep="_") or DEFAULT


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Render (or format) in this language until the block ends."""
    token = _current.set(language if language in LANGUAGES else DEFAULT)
    try:
        yield
    finally:
        _current.reset(token)


def current() -> str:
    return _current.get()


def direction() -> str:
    return "rtl" if current() in RIGHT_TO_LEFT else "ltr"


def gettext(message: str) -> str:
    return translations(current()).ugettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current()).ungettext(singular, plural, n)


@dataclass(frozen=True)
class Said:
    """What a service said in English (a refusal, a notification, a summary), shown in the
    reader's language: translated when rendered, as a handler catches a refusal before the
    page's language is set. A value may itself be `Said`, translated with it."""

    message: str  # marked with `N_` where it is written; placeholders `%(name)s`
    values: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        text = gettext(self.message) if self.message else ""
        return text % {k: _shown(v) for k, v in self.values.items()} if self.values else text


@dataclass(frozen=True)
class Listed:
    """Several reasons told at once, each in the reader's language when rendered."""

    parts: Sequence[Said | str]

    def __str__(self) -> str:
        return "; ".join(map(str, self.parts))


def _shown(value: Any) -> str:
    """A value in a translated message: a day or moment written the language's way."""
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    return format(value)


def recognised(
    texts: Texts | None, words: str, shown: Mapping[str, Callable[[str], Any]] | None = None
) -> Said | str:
    """Words stored in English, in the reader's language when written from one of `texts`;
    a value is shaped by `shown` of its name (a day read back, a code named by its title),
    and left as written where that fails."""
    found = texts.recognised(words) if texts else None
    if found is None:
        return words
    text, values = found
    shaping = shown or {}
    shaped = {}
    for name, value in values.items():
        try:
            shaped[name] = shaping[name](value) if name in shaping and value else value
        except (KeyError, ValueError):
            shaped[name] = value
    return Said(text, shaped)


def said(error: PalermoError) -> Said:
    """A refusal in the reader's language (its `message` stays English for the API), its
    values written as in the English: a day as typed in the form refused."""
    return Said(error.template, {k: _kept(v) for k, v in error.values.items()})


def _kept(value: Any) -> Any:
    # Words to translate stay so until the page is rendered; other values are written now.
    return value if isinstance(value, Said | Listed) else format(value)


def _locale() -> Locale:
    return Locale.parse(current())


def _read(value: date | datetime | str) -> date | datetime | str:
    """An ISO 8601 day or moment kept as text (a JSON document's, a form's) read back; any
    other text as given, to be shown as it is."""
    if not isinstance(value, str):
        return value
    try:
        return datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value)
    except ValueError:
        return value


def format_date(value: date | datetime | str | None, format: str = "medium") -> str:
    """A day written the language's way; an ISO text is read first (and shown as given when
    it is not a day)."""
    if value is None or value == "":
        return ""
    value = _read(value)
    if isinstance(value, str):
        return value
    day = value.date() if isinstance(value, datetime) else value
    return dates.format_date(day, format=format, locale=_locale())


def format_datetime(
    value: datetime | date | str | None, format: str = "medium", zone: str | None = None
) -> str:
    """A moment in UTC (as Palermo stores them), written the language's way — at the wall
    clock of the IANA time `zone` if given; an ISO text is read first (and shown as given
    when it is not a moment), a day is shown as a day."""
    if value is None or value == "":
        return ""
    value = _read(value)
    if isinstance(value, str):
        return value
    if not isinstance(value, datetime):
        return format_date(value, format)
    where = ZoneInfo(zone) if zone else dates.UTC
    return dates.format_datetime(value, format=format, tzinfo=where, locale=_locale())


def format_time(value: datetime | str | None, format: str = "short") -> str:
    """The time of day of a moment in UTC, written the language's way."""
    if value is None or value == "":
        return ""
    moment = _read(value)
    if not isinstance(moment, datetime):
        return str(moment)
    return dates.format_time(moment, format=format, tzinfo=dates.UTC, locale=_locale())


def format_number(value: float | int | None) -> str:
    return "" if value is None else numbers.format_decimal(value, locale=_locale())


def country_name(code: str | None) -> str:
    """An ISO 3166 alpha-2 code as the country's name in the current language; the code
    itself where CLDR has no name (XK is named; an unknown code is shown as given)."""
    if not code:
        return ""
    return str(_locale().territories.get(code.upper(), code))


def transliterated(name: str) -> str | None:
    """A name's Latin transliteration, when it is written in another script."""
    latin = latinize_text(name)
    return latin if latin and latin != name else None


def person_name(name: str | None) -> Markup:
    """A name as recorded, followed by its transliteration when the two differ: officers
    must see both (the recorded form is the evidence; the Latin one is what they can read
    and search for)."""
    if not name:
        return Markup("")
    latin = transliterated(name)
    shown = Markup('<bdi class="recorded-name">{}</bdi>').format(name)
    if latin is None:
        return shown
    return shown + Markup(' <span class="transliteration">({})</span>').format(latin)
