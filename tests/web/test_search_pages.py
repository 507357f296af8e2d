"""The global search through the app (no browser): the results page grouped by type with
each type's count, a type alone, records and notices waiting for a working context, hit-only
records shown as hits, and the suggestions fragment the top bar's box shows."""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi.testclient import TestClient

from palermo.web.i18n import person_name
from tests.search import conftest as search_world
from tests.search.conftest import World
from tests.web.test_linkage_pages import log_in

world = search_world.world  # the Dutch and German bureaus, central authorities, a bank

HIT_ONLY = [{"scope": "agency", "agency": "NCB-NL", "level": "hit_only"}]


def declare(client: TestClient, csrf: str) -> None:
    context = {
        "purpose": "criminal_investigation",
        "justification": "case 2026/0417",
        "csrf_token": csrf,
    }
    assert client.post("/context", data=context, follow_redirects=False).status_code == 303


def results(html: str) -> list[tuple[str, str]]:
    """(kind, link) of each result shown."""
    return re.findall(
        r'data-testid="search-result" data-kind="(\w+)" data-access="\w+">\s*<a href="([^"]+)"',
        html,
    )


def chips(html: str) -> dict[str, str | None]:
    """Each type chip and the count it shows (None: not counted)."""
    found = re.findall(
        r'data-testid="type-chip" data-kind="(\w*)"[^>]*>[^<]*'
        r'(?:<span class="count" data-testid="type-count">([^<]+)</span>)?',
        html,
    )
    return {kind: count or None for kind, count in found}


def test_the_page_groups_what_may_be_seen_and_counts_each_type(
    client: TestClient, world: World
) -> None:
    own = world.person("Илья Кестрел")
    hit = world.person("Otto Kestrel", by="de", shares=HIT_ONLY)
    hidden = world.person("Mira Kestrel", by="de")
    case = world.case("Operation Kestrel")
    world.case("Kestrel Bay", by="de")
    world.db.commit()
    csrf = log_in(client, "nl.officer")

    # No working context: cases are searched; records and notices wait for one.
    page = client.get("/search", params={"q": "Kestrel"})
    assert page.status_code == 200, page.text
    assert results(page.text) == [("case", f"/cases/{case.id}")]
    assert chips(page.text) == {
        "": None,
        "record": None,
        "case": "1",
        "notice": None,
        "message": "0",
        "request": "0",
        "asset": "0",
    }
    assert 'data-testid="needs-context"' in page.text
    back = quote("/search?q=Kestrel", safe="")
    assert f'href="/context?next={back}"' in page.text
    assert 'value="Kestrel"' in page.text  # the top bar's box keeps the query
    assert '<link rel="stylesheet" href="/static/css/search.css">' in page.text

    declare(client, csrf)
    page = client.get("/search", params={"q": "Kestrel"})
    assert sorted(results(page.text)) == sorted(
        [
            ("record", f"/records/{own}"),
            ("record", f"/records/{hit}"),
            ("case", f"/cases/{case.id}"),
        ]
    )
    assert chips(page.text)["record"] == "2"
    assert 'data-testid="needs-context"' not in page.text
    # A person's name as recorded, with its transliteration; a hit shows its owner alone.
    assert str(person_name("Илья Кестрел")) in page.text
    assert "Hit only: Person held by NCB-DE" in page.text
    assert hidden not in page.text
    assert "Mira" not in page.text


def test_a_type_chip_shows_that_type_alone(client: TestClient, world: World) -> None:
    world.person("Ilya Kestrel")
    case = world.case("Operation Kestrel")
    world.db.commit()
    declare(client, log_in(client, "nl.officer"))
    page = client.get("/search", params={"q": "Kestrel", "type": "case"}).text
    assert results(page) == [("case", f"/cases/{case.id}")]
    assert re.search(r'data-kind="case" aria-current="page"', page)
    assert chips(page) == {
        "": None, "record": None, "case": "1", "notice": None, "message": None,
        "request": None, "asset": None,
    }  # fmt: skip
    # An unknown type is no filter.
    assert len(results(client.get("/search", params={"q": "Kestrel", "type": "x"}).text)) == 2


def test_the_page_without_a_query_says_how_to_search(client: TestClient, world: World) -> None:
    log_in(client, "nl.officer")
    page = client.get("/search")
    assert page.status_code == 200
    assert 'data-testid="search-hint"' in page.text
    assert 'data-testid="type-chip"' not in page.text


def test_nothing_found_is_said(client: TestClient, world: World) -> None:
    world.case("Operation Kestrel")  # not a case of Spain's central authority
    world.db.commit()
    log_in(client, "es.prosecutor")
    page = client.get("/search", params={"q": "Kestrel"}).text
    assert 'data-testid="no-results"' in page
    assert chips(page)["case"] == "0"


def test_suggestions_are_a_listbox_of_at_most_eight_options(
    client: TestClient, world: World
) -> None:
    for number in range(6):
        world.person(f"Kestrel Number{number}")
        world.case(f"Operation Kestrel {number}")
    world.db.commit()
    csrf = log_in(client, "nl.officer")
    fragment = client.get("/search/suggest", params={"q": "kestrel"}).text
    # Without a working context: cases, and an option to declare one for records and notices.
    options = re.findall(r'role="option" id="([\w-]+)"[^>]*data-href="([^"]+)"', fragment)
    assert len(options) == 8
    assert all(link.startswith("/cases/") for _, link in options[:6])
    assert options[-2][1].startswith("/context?next=")
    assert options[-1] == ("global-search-option-all", "/search?q=kestrel")
    assert 'role="listbox" id="global-search-listbox"' in fragment
    assert 'data-announce="6 suggestions"' in fragment

    declare(client, csrf)
    fragment = client.get("/search/suggest", params={"q": "kestrel"}).text
    kinds = re.findall(r'data-testid="suggestion" data-kind="(\w+)"', fragment)
    assert kinds == ["record"] * 6 + ["case"] * 2  # one budget, filled type by type
    assert 'data-testid="suggestion-context"' not in fragment
    assert len(set(re.findall(r'id="(global-search-option-[\w-]+)"', fragment))) == 9

    assert client.get("/search/suggest", params={"q": " "}).text.strip() == ""
