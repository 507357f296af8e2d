"""The import page through the app (no browser): the forms a role may use, a file sent with
its envelope started as a job whose page shows the result, a refused form shown again with
why, a bad file's job naming its lines, a job followed while it checks and writes, and a
watch list and a bank's return sent from their own forms."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from palermo.db import unit_of_work
from palermo.identity.roles import AgencyKind, Role
from palermo.imports import service
from palermo.models.base import utcnow
from palermo.models.imports import ImportJob
from tests.conftest import Factory
from tests.network import conftest as network_world
from tests.network.conftest import World
from tests.records.helpers import envelope, person
from tests.web.test_linkage_pages import log_in, sign_in

world = network_world.world
LISTS = Path(__file__).parents[2] / "src" / "palermo" / "demo" / "lists"
PEOPLE = "\n".join(json.dumps(person(n, f"p{i}")) for i, n in enumerate(("Jan Smit", "Piet")))
ENVELOPE = {
    "legal_basis": "Wetboek van Strafvordering art. 126n",
    "subject_category": "suspect",
    "purposes": ["criminal_investigation", "criminal_analysis"],
    "handling_code": "H2",
    "tlp": "AMBER",
    "nature": "fact",
    "source_reliability": "B",
    "information_accuracy": "2",
}


def _send(client: TestClient, csrf: str, content: str, **fields: object):
    return client.post(
        "/imports/records",
        files={"file": ("seized-phone.jsonl", content.encode(), "application/json")},
        data={**ENVELOPE, **fields, "csrf_token": csrf},
        follow_redirects=False,
    )


def test_the_page_offers_the_imports_the_role_may_start(
    client: TestClient, world: World, factory: Factory
) -> None:
    log_in(client, "nl-pol.analyst")
    page = client.get("/imports")
    assert page.status_code == 200, page.text
    assert '<a href="/imports"' in page.text  # the navigation item
    assert 'data-testid="import-records"' in page.text
    assert 'data-testid="import-watchlist"' in page.text
    assert 'data-testid="import-transactions"' not in page.text  # not an FIU's analyst

    fiu = factory.agency("LU-FIU", kind=AgencyKind.fiu, country="LU")
    factory.user("lu-fiu.analyst", Role.analyst, agency=fiu)
    log_in(client, "lu-fiu.analyst")
    undeclared = client.get("/imports")
    assert 'href="/context?next=/imports"' in undeclared.text  # declare why first
    assert 'action="/imports/transactions"' not in undeclared.text
    sign_in(client, "lu-fiu.analyst")
    assert 'action="/imports/transactions"' in client.get("/imports").text

    bank = factory.agency("LU-BANK", kind=AgencyKind.private_partner, country="LU")
    factory.user("lu-bank.compliance", Role.partner, agency=bank)
    log_in(client, "lu-bank.compliance")
    refused = client.get("/imports")
    assert refused.status_code == 403
    assert '<a href="/imports"' not in refused.text


def test_a_file_sent_with_its_envelope_lands_on_its_job_with_the_result(
    client: TestClient, world: World
) -> None:
    csrf = sign_in(client, "nl-pol.analyst")  # reading the record needs a purpose
    sent = _send(client, csrf, PEOPLE)
    assert sent.status_code == 303, sent.text
    job_page = sent.headers["location"]
    assert re.fullmatch(r"/jobs/import/[0-9a-f-]{36}", job_page)
    page = client.get(job_page)  # the job ran after the answer
    assert "<h1>Records from seized-phone.jsonl</h1>" in page.text
    assert 'data-status="done"' in page.text
    assert "<dt>Records created</dt><dd>2</dd>" in page.text
    assert 'href="/records/nl-pol.p0">Open the first record imported</a>' in page.text
    record = client.get("/records/nl-pol.p0")
    assert "Jan Smit" in record.text
    assert "Wetboek van Strafvordering art. 126n" in record.text  # the form's envelope
    listed = client.get("/jobs")
    assert f'<a href="{job_page}">Records from seized-phone.jsonl</a>' in listed.text
    assert "<td>Import</td>" in listed.text


def test_a_refused_form_comes_back_with_why_as_it_was_typed(
    client: TestClient, world: World
) -> None:
    csrf = log_in(client, "nl-pol.analyst")
    refused = _send(client, csrf, PEOPLE, legal_basis="x", handling_code="H3")
    assert refused.status_code == 422
    assert "the envelope is not valid: legal_basis: String should have at least 3" in (refused.text)
    assert 'value="x"' in refused.text
    assert '<option value="H3" selected>' in refused.text


def test_a_bad_files_job_names_its_lines(client: TestClient, world: World) -> None:
    csrf = log_in(client, "nl-pol.analyst")
    sent = _send(client, csrf, PEOPLE + '\n{"schema": "Person"}\n[]')
    page = client.get(sent.headers["location"], headers={"HX-Request": "true"})
    assert 'data-status="failed"' in page.text
    assert "2 bad line(s); nothing was imported" in page.text
    problems = re.findall(r"<li>(line \d+): ", page.text)
    assert problems == ["line 3", "line 4"]
    assert "Person requires name" in page.text


def test_a_job_is_followed_while_it_checks_then_writes(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    job = service.submit_records(
        world.db,
        principal=world.analyst,
        filename="seized-phone.jsonl",
        content=PEOPLE.encode(),
        envelope=envelope(),
        agency=None,
        now=utcnow(),
    )
    world.db.commit()
    log_in(client, "nl-pol.analyst")
    page = f"/jobs/import/{job.id}"
    assert f'hx-get="{page}" hx-trigger="every 1s"' in client.get(page).text

    def standing(stage: str, done: int, total: int) -> str:
        with unit_of_work(sessions) as session:
            row = session.get(ImportJob, job.id)
            assert row is not None
            row.status, row.stage, row.progress_done, row.progress_total = (
                "running",
                stage,
                done,
                total,
            )
        return client.get(page, headers={"HX-Request": "true"}).text

    checking = standing(service.CHECKING, 2000, 5000)
    assert "2,000 of 5,000 lines checked" in checking
    assert 'value="0.400" max="1"' in checking
    writing = standing(service.WRITING, 0, 0)
    assert "Writing it all at once" in writing
    assert '<progress class="job-bar" aria-label=' in writing  # it cannot tell how far


def test_a_list_and_a_return_sent_from_their_forms(
    client: TestClient, world: World, factory: Factory
) -> None:
    csrf = log_in(client, "nl-pol.analyst")
    listed = client.post(
        "/imports/watchlist",
        files={
            "file": ("consolidated.xml", (LISTS / "un_consolidated.xml").read_bytes()),
            "aliases": ("", b""),  # the browser's part for a file input left empty
        },
        data={"source": "un", "subject_category": "suspect", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert listed.status_code == 303, listed.text
    page = client.get(listed.headers["location"]).text
    assert "<h1>Watch list from consolidated.xml</h1>" in page
    assert 'data-status="done"' in page
    assert "<dt>Entries added</dt><dd>4</dd>" in page
    assert 'href="/records/nl-pol.un-9100001">Open the list\'s first entry</a>' in page

    fiu = factory.agency("LU-FIU", kind=AgencyKind.fiu, country="LU")
    factory.user("lu-fiu.analyst", Role.analyst, agency=fiu)
    csrf = sign_in(client, "lu-fiu.analyst")
    imported = client.post(
        "/imports/transactions",
        files={"file": ("return.csv", b"from,to,amount,when\nA1,B2,100,2026-01-02\n")},
        data={"mapping": "source=from,target=to,amount=amount,time=when", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert imported.status_code == 303, imported.text
    page = client.get(imported.headers["location"]).text
    assert "<dt>Transactions</dt><dd>1</dd>" in page
    assert 'href="/finintel/accounts/A1">Open the first account of the batch</a>' in page
