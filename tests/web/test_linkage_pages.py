"""The linkage pages through the app (no browser): the queue with the latest run and its
entities, a comparison judged from its page and followed by the next pair, a dossier that
shows a hit-only member as no more than "also known to", and who may open them."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from fastapi.testclient import TestClient
from sqlalchemy import select

from palermo.identity.roles import AgencyKind, Role
from palermo.linkage import review
from palermo.models.identity import Agency
from palermo.models.linkage import LinkJudgement
from palermo.policy.records import AccessContext
from tests.conftest import PASSWORD, Factory
from tests.linkage import conftest as linkage_world
from tests.linkage import test_review
from tests.linkage.conftest import ANALYSIS
from tests.linkage.test_review import SECRET_DATE, SECRET_NOTE, Linked

# The people of the linkage tests, linked by DE-BKA's analyst (NL-NP shares one as a hit).
people = linkage_world.people
linked = test_review.linked
ANALYST = "de-bka.analyst"


def log_in(client: TestClient, username: str) -> str:
    """Log in as a browser would; the session's CSRF token."""
    client.cookies.clear()
    response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


def sign_in(client: TestClient, username: str, working: AccessContext = ANALYSIS) -> str:
    """Log in and declare the analysis as the working context; the CSRF token."""
    csrf = log_in(client, username)
    context = {
        "purpose": working.purpose.value,
        "justification": working.justification,
        "csrf_token": csrf,
    }
    assert client.post("/context", data=context, follow_redirects=False).status_code == 303
    return csrf


def first_in_queue(linked: Linked) -> review.QueuedPair:
    """Read as a request would: its audit lines committed, so the app's come after them."""
    first = test_review.queue(linked.people, limit=1)[0]
    linked.people.db.commit()
    return first


def test_the_queue_page_shows_the_run_the_pairs_worth_most_and_the_entities(
    client: TestClient, linked: Linked
) -> None:
    sign_in(client, ANALYST)
    page = client.get("/linkage")
    assert page.status_code == 200, page.text
    assert re.search(r'data-testid="run-by">de-bka\.analyst<', page.text)
    seen = len(linked.people.truth) - len(linked.people.hidden) + 1  # and NL-NP's hit
    assert f'data-testid="run-records">{seen}<' in page.text
    first = first_in_queue(linked).pair
    rows = re.findall(
        r'data-testid="queue-row" data-left="([^"]+)" data-right="([^"]+)"', page.text
    )
    assert rows[0] == (first.left_id, first.right_id)
    assert 'data-testid="entity-row"' in page.text
    assert 'href="/linkage"' in page.text  # the navigation item, now available

    confirmed = client.get("/linkage?tab=confirmed")
    assert confirmed.status_code == 200
    assert "No pair judged confirmed by your agency." in confirmed.text


def test_a_pair_judged_on_its_page_is_stored_and_the_next_pair_follows(
    client: TestClient, linked: Linked
) -> None:
    csrf = sign_in(client, ANALYST)
    first = first_in_queue(linked).pair
    shown = client.get(f"/linkage/compare?left={first.left_id}&right={first.right_id}")
    assert shown.status_code == 200, shown.text
    assert 'data-testid="weights"' in shown.text
    assert re.search(r"\b(agrees|disagrees)\b", shown.text)
    for button in ("Confirm", "Reject", "Unsure"):
        assert f">{button}</button>" in shown.text

    form = {
        "csrf_token": csrf,
        "left": first.left_id,
        "right": first.right_id,
        "verdict": "confirmed",
        "note": "same scar on the left hand",
    }
    judged = client.post("/linkage/compare", data=form, follow_redirects=False)
    assert judged.status_code == 303, judged.text
    linked.people.db.expire_all()
    stored = linked.people.db.get(
        LinkJudgement, (linked.people.analyst.agency_id, first.left_id, first.right_id)
    )
    assert stored is not None
    assert (stored.verdict, stored.note, stored.username) == (
        "confirmed",
        "same scar on the left hand",
        ANALYST,
    )

    following = first_in_queue(linked).pair
    target = urlparse(judged.headers["location"])
    assert target.path == "/linkage/compare"
    query = parse_qs(target.query)
    assert (query["left"], query["right"]) == ([following.left_id], [following.right_id])
    page = client.get(judged.headers["location"])
    assert "Judgement saved (confirmed). Next in the queue:" in page.text
    assert client.get("/linkage?tab=confirmed").text.count('data-testid="judged-row"') == 1


def test_a_dossier_page_lists_a_hit_only_member_as_also_known_and_nothing_of_it(
    client: TestClient, linked: Linked
) -> None:
    sign_in(client, ANALYST)
    cluster = test_review.cluster_with(linked.people, linked.hit_id)
    linked.people.db.commit()
    page = client.get(f"/linkage/entities/{cluster.id}")
    assert page.status_code == 200, page.text
    assert "Also known to <strong>NL-NP</strong>" in page.text
    assert page.text.count('data-testid="linked-record"') == len(cluster.members) - 1
    assert SECRET_DATE not in page.text
    assert SECRET_NOTE not in page.text
    assert client.get("/linkage/entities/no.such-entity").status_code == 404


def test_comparing_a_hidden_record_is_not_found(client: TestClient, linked: Linked) -> None:
    sign_in(client, ANALYST)
    hidden = sorted(linked.people.hidden)[0]
    page = client.get(f"/linkage/compare?left={linked.twin_id}&right={hidden}")
    assert page.status_code == 404
    assert hidden in page.text


def test_the_pages_ask_for_the_working_context_first(client: TestClient, linked: Linked) -> None:
    log_in(client, ANALYST)
    page = client.get("/linkage", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/context?next=/linkage")


def test_partners_and_officers_are_refused_and_not_shown_the_way(
    client: TestClient, linked: Linked, factory: Factory
) -> None:
    bank = factory.agency("FR-BANK", kind=AgencyKind.private_partner, country="FR")
    factory.user("fr-bank.compliance", Role.partner, agency=bank)
    bka = linked.people.db.scalars(select(Agency).where(Agency.code == "DE-BKA")).one()
    factory.user("de-bka.officer", Role.officer, agency=bka)
    for username in ("fr-bank.compliance", "de-bka.officer"):
        sign_in(client, username)
        assert 'href="/linkage"' not in client.get("/").text
        for path in ("/linkage", f"/linkage/entities/{linked.twin_id}"):
            page = client.get(path)
            assert page.status_code == 403
            assert "entity resolution is done by analysts and supervisors" in page.text
