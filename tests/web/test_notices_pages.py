"""The notice pages through the app (no browser): the request form's conversions and live
checks, refusals shown on the page and leaving nothing behind, the reviewer's checklist, hit
decisions, who sees the pages, and the public extract without a log-in."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from palermo.identity.credentials import Credentials
from palermo.models.base import utcnow
from palermo.models.identity import User
from palermo.models.notices import Notice, NoticeHit
from palermo.notices import hits
from palermo.notices.kinds import NoticeStatus
from tests.conftest import PASSWORD
from tests.notices import conftest as notices_world
from tests.notices.conftest import Desk, red_request, unique_name
from tests.records.helpers import INVESTIGATION

# The small world of the notices tests: the secretariat, NCBs, a police agency and a bank.
desk = notices_world.desk
THRESHOLD = "a Red Notice for prosecution needs at least 24 months"
NOTICE_URL = re.compile(r"/notices/([0-9a-f-]{36})$")


def sign_in(client: TestClient, desk: Desk, credentials: Credentials, username: str) -> str:
    """Log in as a browser would (with the one-time code where needed) and declare a working
    context; the session's CSRF token."""
    client.cookies.clear()
    user = desk.db.scalars(select(User).where(User.username == username)).one()
    body = {"username": username, "password": PASSWORD}
    if user.totp_secret:
        body["totp_code"] = pyotp.TOTP(credentials.open_totp_secret(user.totp_secret)).now()
    response = client.post("/api/auth/login", json=body)
    assert response.status_code == 200, response.text
    csrf = str(response.json()["csrf_token"])
    context = {
        "purpose": "criminal_investigation",
        "justification": "Case 2026/0417",
        "csrf_token": csrf,
    }
    assert client.post("/context", data=context, follow_redirects=False).status_code == 303
    return csrf


def red_form(csrf: str, name: str, **fields: Any) -> dict[str, Any]:
    """The request form of a Red Notice as an officer fills it in."""
    first, _, last = name.partition(" ")
    form = {
        "csrf_token": csrf,
        "kind": "red",
        "title": "",
        "subject_schema": "Person",
        "first_name": first,
        "last_name": last,
        "birth_date": "1979-04-11",
        "nationality": "DE",
        "gender": "male",
        "p_summary": "Leader of a cocaine importation network through the port of Hamburg.",
        "p_sought_for": "prosecution",
        "p_offence_iccs": "0601",
        "p_law_reference": "BtMG § 30a",
        "p_charge": "Unerlaubtes Handeltreiben mit Betäubungsmitteln",
        "p_charge_translation": "",
        "p_max_penalty_months": "180",
        "p_sentence_imposed_months": "",
        "p_warrant_kind": "arrest_warrant",
        "p_warrant_reference": "AG Hamburg 163 Gs 1142/26",
        "p_warrant_date": "2026-03-02",
        "p_issuing_authority": "Amtsgericht Hamburg",
        "p_matter": "ordinary_crime",
        "countries": "",
        "agencies": "",
        "public_extract": "1",
        "exception_reasons": "",
    }
    form.update(fields)
    return form


def notices_of(desk: Desk, name: str) -> list[Notice]:
    desk.db.expire_all()
    return list(desk.db.scalars(select(Notice).where(Notice.title.contains(name))))


def test_the_form_converts_what_was_typed_and_saves_a_draft(
    client: TestClient, desk: Desk, credentials: Credentials
) -> None:
    csrf = sign_in(client, desk, credentials, "de.officer")
    assert client.get("/notices/new?kind=red").status_code == 200
    name = unique_name()
    form = red_form(csrf, name, op="save", p_organised_crime_link="1", p_charge_translation="")
    response = client.post("/notices/new", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert NOTICE_URL.search(response.headers["location"])

    (notice,) = notices_of(desk, name)
    assert notice.status is NoticeStatus.draft
    assert notice.title == f"Red Notice: {name}"  # the title left empty: type and name
    assert notice.particulars["max_penalty_months"] == 180  # a number, not "180"
    assert notice.particulars["organised_crime_link"] is True
    assert "charge_translation" not in notice.particulars  # empty means not given
    assert "sentence_imposed_months" not in notice.particulars
    assert notice.subject is not None
    assert notice.subject["schema"] == "Person"
    assert notice.subject["properties"] == {
        "name": [name],  # made up of the first and last names
        "firstName": [name.split()[0]],
        "lastName": [name.split()[1]],
        "birthDate": ["1979-04-11"],
        "gender": ["male"],
        "nationality": ["de"],  # as FtM cleans it
    }
    page = client.get(response.headers["location"])
    assert "Edit the draft" in page.text


def test_live_checks_place_each_finding_beside_its_field(
    client: TestClient, desk: Desk, credentials: Credentials
) -> None:
    csrf = sign_in(client, desk, credentials, "de.officer")
    low = client.post(
        "/notices/check", data=red_form(csrf, unique_name(), p_max_penalty_months="12")
    )
    assert low.status_code == 200
    beside = re.search(r'id="findings-p_max_penalty_months"[^>]*>(.*?)</div>', low.text, re.S)
    assert beside is not None
    assert THRESHOLD in beside.group(1)
    assert 'hx-swap-oob="true"' in low.text
    assert "(1 error remains)" in low.text

    fixed = client.post("/notices/check", data=red_form(csrf, unique_name()))
    assert THRESHOLD not in fixed.text
    assert "Every automatic check passes" in fixed.text
    assert re.search(r'<span id="error-count"[^>]*></span>', fixed.text)

    # A month count that is not a number is told, not dropped.
    typo = client.post(
        "/notices/check", data=red_form(csrf, unique_name(), p_max_penalty_months="ten")
    )
    assert "must be a whole number of months" in typo.text


def test_a_refused_submission_saves_nothing_and_keeps_what_was_typed(
    client: TestClient, desk: Desk, credentials: Credentials
) -> None:
    csrf = sign_in(client, desk, credentials, "de.officer")
    name = unique_name()
    form = red_form(csrf, name, op="submit", p_max_penalty_months="12")
    response = client.post("/notices/new", data=form)
    assert response.status_code == 422
    assert "the request fails its automatic checks" in response.text
    assert THRESHOLD in response.text
    assert f'value="{name.split()[1]}"' in response.text
    assert notices_of(desk, name) == []  # the draft made on the way was rolled back

    submitted = client.post(
        "/notices/new", data=red_form(csrf, name, op="submit"), follow_redirects=False
    )
    assert submitted.status_code == 303
    assert [n.status for n in notices_of(desk, name)] == [NoticeStatus.submitted]


def test_a_draft_is_edited_then_submitted_from_its_page(
    client: TestClient, desk: Desk, credentials: Credentials
) -> None:
    drafted = red_request()
    assert drafted.subject is not None
    drafted.subject.properties["alias"] = ["Der Hafenmeister"]  # not a field of the form
    notice = desk.create(drafted)
    csrf = sign_in(client, desk, credentials, "de.officer")
    edit = client.get(f"/notices/{notice.id}/edit")
    assert edit.status_code == 200
    assert 'value="AG Hamburg 163 Gs 1142/26"' in edit.text  # prefilled from the draft
    assert 'value="180"' in edit.text

    name = unique_name()
    changed = client.post(
        f"/notices/{notice.id}/edit",
        data=red_form(csrf, name, op="save", title=f"Wanted: {name}"),
        follow_redirects=False,
    )
    assert changed.status_code == 303
    submitted = client.post(
        f"/notices/{notice.id}/actions/submit", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert submitted.status_code == 303
    desk.db.refresh(notice)
    assert notice.title == f"Wanted: {name}"
    assert notice.subject["properties"]["name"] == [name]
    assert notice.subject["properties"]["alias"] == ["Der Hafenmeister"]  # kept
    assert notice.status is NoticeStatus.submitted
    assert client.get(f"/notices/{notice.id}/edit").status_code == 409


def test_the_reviewer_checklist_refuses_a_short_reasoning_then_publishes(
    client: TestClient, desk: Desk, credentials: Credentials
) -> None:
    notice = desk.create(red_request())
    desk.act(notice, "submit", desk.requester)
    csrf = sign_in(client, desk, credentials, "sg.reviewer")
    queue = client.get("/notices?tab=queue")
    assert f"/notices/{notice.id}" in queue.text
    assert client.post(
        f"/notices/{notice.id}/actions/claim", data={"csrf_token": csrf}, follow_redirects=False
    ).is_redirect
    page = client.get(f"/notices/{notice.id}")
    assert 'data-testid="checklist"' in page.text

    checklist = {
        "csrf_token": csrf,
        "art3_compliant": "yes",
        "art3_reasoning": "Ordinary-law crime.",  # under 20 characters
        "art2_compliant": "yes",
        "art2_reasoning": "Judicial warrant by an independent court; no concern raised.",
    }
    refused = client.post(f"/notices/{notice.id}/actions/publish", data=checklist)
    assert refused.status_code == 422
    assert "Article 3 reasoning: must have at least 20 characters" in refused.text
    assert "Judicial warrant by an independent court" in refused.text  # kept as typed
    desk.db.refresh(notice)
    assert notice.status is NoticeStatus.in_review

    checklist["art3_reasoning"] = "Ordinary-law drug trafficking; nothing political predominates."
    published = client.post(
        f"/notices/{notice.id}/actions/publish", data=checklist, follow_redirects=False
    )
    assert published.status_code == 303
    desk.db.refresh(notice)
    assert notice.status is NoticeStatus.published
    assert notice.entity_id is not None
    shown = client.get(f"/notices/{notice.id}").text
    assert notice.entity_id in shown
    assert "nothing political predominates" in shown


def test_an_action_without_its_reasons_is_refused_on_the_page(
    client: TestClient, desk: Desk, credentials: Credentials
) -> None:
    notice = desk.publish(red_request())
    csrf = sign_in(client, desk, credentials, "de.officer")
    refused = client.post(f"/notices/{notice.id}/actions/cancel", data={"csrf_token": csrf})
    assert refused.status_code == 422
    assert "to cancel a notice, give the reasons" in refused.text
    conflict = client.post(f"/notices/{notice.id}/actions/submit", data={"csrf_token": csrf})
    assert conflict.status_code == 409
    assert "cannot submit a published notice" in conflict.text


def test_the_requesting_agency_confirms_a_hit(
    client: TestClient, desk: Desk, credentials: Credentials
) -> None:
    notice = desk.publish(red_request())
    assert notice.subject_record_id is not None
    (hit,) = hits.report(
        desk.db,
        principal=desk.police,
        context=INVESTIGATION,
        scores={notice.subject_record_id: 0.97},
        now=utcnow(),
    )
    desk.db.commit()
    csrf = sign_in(client, desk, credentials, "de.officer")
    page = client.get(f"/notices/{notice.id}")
    assert "FR-POL" in page.text
    assert "Confirm: it is the person" in page.text

    url = f"/notices/{notice.id}/hits/{hit.id}"
    too_short = client.post(url, data={"csrf_token": csrf, "verdict": "confirmed", "note": "ok"})
    assert too_short.status_code == 422
    decided = client.post(
        url,
        data={"csrf_token": csrf, "verdict": "confirmed", "note": "Fingerprints match."},
        follow_redirects=False,
    )
    assert decided.status_code == 303
    desk.db.expire_all()
    stored = desk.db.get(NoticeHit, hit.id)
    assert stored is not None
    assert stored.status == "confirmed"
    assert stored.note == "Fingerprints match."


@pytest.mark.parametrize("username", ["fr.banker"])
def test_private_partners_get_neither_the_link_nor_the_pages(
    client: TestClient, desk: Desk, credentials: Credentials, username: str
) -> None:
    notice = desk.publish(red_request())
    sign_in(client, desk, credentials, username)
    assert 'href="/notices"' not in client.get("/").text
    assert client.get("/notices").status_code == 403
    assert client.get(f"/notices/{notice.id}").status_code == 403
    assert client.get("/notices/new?kind=red").status_code == 403


def test_officers_see_the_link_and_drafts_stay_within_their_agency(
    client: TestClient, desk: Desk, credentials: Credentials
) -> None:
    draft = desk.create(red_request())
    sign_in(client, desk, credentials, "fr.officer")
    assert 'href="/notices"' in client.get("/").text
    assert f"/notices/{draft.id}" not in client.get("/notices").text
    assert client.get(f"/notices/{draft.id}").status_code == 404


def test_the_public_extract_needs_no_log_in(client: TestClient, desk: Desk) -> None:
    name = unique_name()
    notice = desk.publish(red_request(name))
    hidden = desk.publish(red_request(unique_name()).model_copy(update={"public_extract": False}))
    client.cookies.clear()
    family = name.split()[1]

    listing = client.get("/public/notices")
    assert listing.status_code == 200
    assert family in listing.text
    assert hidden.title.split()[-1] not in listing.text
    assert family not in client.get("/public/notices?name=Nobody").text
    found = client.get(f"/public/notices?name={family}&age_min=&age_max=&sex=M")
    assert 'data-testid="public-count">1 notice<' in found.text
    assert family in found.text

    assert notice.entity_id is not None
    detail = client.get(f"/public/notices/red/{notice.entity_id.replace('/', '-')}")
    assert detail.status_code == 200
    assert "Trafficking in narcotics in significant quantities" in detail.text
    assert client.get("/public/notices?age_min=old").status_code == 422
    assert client.get(f"/public/notices/red/{uuid.uuid4().hex[:8]}").status_code == 404
    assert client.get("/notices", follow_redirects=False).status_code == 303  # to log in
