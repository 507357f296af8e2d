"""The workspace's four languages: every marked string translated in every catalog with its
placeholders intact, the language chosen by the user (cookie) or the browser, pages rendered
in it — Arabic right to left — and dates, numbers, country names and transliterated names
written the language's way."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from babel.messages import pofile
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from fastapi.testclient import TestClient

from palermo.web import i18n
from tests.web.test_linkage_pages import log_in

ROOT = Path(__file__).parents[2]
TRANSLATED = sorted(set(i18n.LANGUAGES) - {i18n.DEFAULT})
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def marked_strings() -> set[str]:
    """What `make messages` extracts: the strings the workspace shows."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = set()
    for _filename, _line, message, _comments, _context in extract_from_dir(
        ROOT / "src" / "palermo",
        method_map,
        options_map,
        keywords={"_": None, "N_": None, "ngettext": (1, 2)},
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.fixture(scope="module")
def extracted() -> set[str]:
    return marked_strings()


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_marked_string_is_translated(language: str, extracted: set[str]) -> None:
    path = i18n.LOCALES / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = pofile.read_po(handle, locale=language)
    translated = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings):
            translated[key] = strings
    missing = sorted(extracted - set(translated))
    assert not missing, f"{language}: untranslated (run `make messages`, then translate): {missing}"
    for key, strings in translated.items():
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) <= set(PLACEHOLDER.findall(key)), (
                f"{language}: {string!r} names a placeholder {key!r} does not"
            )


def test_the_language_is_the_users_choice_else_the_browsers(client: TestClient) -> None:
    assert 'lang="en" dir="ltr"' in client.get("/login").text
    spanish = client.get("/login", headers={"Accept-Language": "es-CO,es;q=0.9,en;q=0.5"})
    assert 'lang="es" dir="ltr"' in spanish.text
    german = client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert 'lang="en"' in german.text  # not a language Palermo speaks

    chosen = client.get("/language/ar", params={"next": "/login"}, follow_redirects=False)
    assert chosen.status_code == 303
    assert chosen.headers["location"] == "/login"
    assert client.get("/login", headers={"Accept-Language": "es"}).text.count('dir="rtl"') == 1

    away = client.get("/language/fr", params={"next": "//evil.example/"}, follow_redirects=False)
    assert away.headers["location"] == "/"  # never an open redirect
    unknown = client.get("/language/de", follow_redirects=False)
    assert unknown.status_code == 404
    assert "Palermo speaks ar, en, es, fr" in unknown.text


def test_a_page_in_arabic_is_right_to_left_and_translated(client: TestClient, factory) -> None:  # type: ignore[no-untyped-def]
    factory.user("es-pn.officer")
    log_in(client, "es-pn.officer")
    client.cookies.set(i18n.LANGUAGE_COOKIE, "ar")
    text = client.get("/notifications").text
    assert '<html lang="ar" dir="rtl">' in text
    assert ">السجلات</a>" in text  # "Records" in the navigation
    assert "تسجيل الخروج" in text  # "Log out"
    client.cookies.set(i18n.LANGUAGE_COOKIE, "fr")
    assert ">Fiches</a>" in client.get("/notifications").text


def test_dates_numbers_and_countries_in_each_language() -> None:
    with i18n.speaking("fr"):
        assert i18n.country_name("DE") == "Allemagne"
        assert i18n.format_number(1234.5) == "1\u202f234,5"
        assert i18n.format_date(date(2026, 11, 29)) == "29 nov. 2026"
    with i18n.speaking("es"):
        assert i18n.country_name("NL") == "Países Bajos"
        assert i18n.format_datetime(datetime(2026, 3, 1, 9, 30)) == "1 mar 2026, 9:30:00"
    with i18n.speaking("ar"):
        assert i18n.country_name("CO") == "كولومبيا"
        assert i18n.direction() == "rtl"
    with i18n.speaking("en"):
        assert i18n.country_name("XK") == "Kosovo"
        assert i18n.country_name("QQ") == "QQ"  # unknown to CLDR: shown as given
        assert i18n.direction() == "ltr"


def test_names_are_shown_as_recorded_with_their_transliteration() -> None:
    shown = i18n.person_name("Владимир Петров")
    assert shown == (
        '<bdi class="recorded-name">Владимир Петров</bdi> '
        '<span class="transliteration">(Vladimir Petrov)</span>'
    )
    assert i18n.person_name("Jan de Vries") == '<bdi class="recorded-name">Jan de Vries</bdi>'
    assert "&lt;script&gt;" in i18n.person_name("<script>")  # escaped, never markup
