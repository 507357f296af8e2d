"""The case pages through the app (no browser): my cases, searched and filtered; opening a
case; the workspace of a member — a 404 to others — with the forms its agency may use and
none of the lead's for the others; refused forms come back as typed with the reason beside
the field and write nothing; tasks, the JIT agreement, subjects under their envelopes,
authorisations and the expiring ones; an action day planned, started, reported on, its board
totals, its live fragment, its report and CSV."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from babel.dates import format_datetime
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palermo.models.base import utcnow
from palermo.models.cases import ActionResult, Case, CaseMember, CaseTask
from palermo.records.service import create_record
from tests.cases import conftest as cases_world
from tests.cases.conftest import NOW, Team
from tests.cases.evidence_helpers import digital, physical
from tests.records.helpers import envelope, person
from tests.web.test_linkage_pages import log_in

team = cases_world.team  # NL-NP leading, DE-BKA, CO-DIJIN, EUROPOL, ES-MJ, FR-OFAST, a bank

LEAD, PARTICIPANT, OBSERVER, OUTSIDER = "nl.officer", "de.officer", "europol.analyst", "fr.officer"


@pytest.fixture
def harbour(team: Team) -> Case:
    """NL-NP's case, DE-BKA taking part and Europol observing."""
    case = team.case(members={"DE-BKA": "participant", "EUROPOL": "observer"})
    team.db.commit()
    return case


def url(case: Case, path: str = "") -> str:
    return f"/cases/{case.id}{path}"


def error(html: str, form: str) -> tuple[str | None, str] | None:
    """The refusal shown for `form`: the field it is beside (None: under the form), why."""
    found = re.search(
        rf'data-testid="error-{re.escape(form)}"(?: data-field="(\w+)")?>([^<]*)<', html
    )
    return (found.group(1), found.group(2)) if found else None


def count(db: Session, model: type, **where: object) -> int:
    db.expire_all()
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.scalar(query) or 0


# My cases ----------------------------------------------------------------------------------
def test_my_cases_lists_the_cases_of_my_agency_searched_and_filtered(
    client: TestClient, team: Team, harbour: Case
) -> None:
    reef = team.case("Operation Reef", by="de", members={"NL-NP": "observer"})
    team.case("Operation Delta", by="de")  # NL-NP is no member
    team.db.commit()
    log_in(client, LEAD)
    home = client.get("/").text
    assert '<a href="/cases"' in home  # the navigation item, available now
    page = client.get("/cases")
    assert page.status_code == 200, page.text
    rows = re.findall(r'data-testid="case-row" data-reference="([^"]+)"', page.text)
    assert sorted(rows) == sorted([harbour.reference, reef.reference])
    assert 'data-role="lead"' in page.text
    assert 'data-role="observer"' in page.text
    found = client.get("/cases", params={"q": "reef"}).text
    assert re.findall(r'data-testid="case-row" data-reference="([^"]+)"', found) == [reef.reference]
    closed = client.get("/cases", params={"status": "closed"}).text
    assert 'data-testid="no-cases"' in closed
    fragment = client.get("/cases", params={"q": "harbour"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.text
    assert harbour.reference in fragment.text

    log_in(client, OUTSIDER)
    assert 'data-testid="case-row"' not in client.get("/cases").text
    assert client.get(url(harbour)).status_code == 404
    log_in(client, "bank.mlro")  # a partner works no case: no item, no page
    assert '<a href="/cases"' not in client.get("/").text
    assert client.get("/cases").status_code == 403


def test_a_case_is_opened_through_the_form_and_a_refused_one_comes_back_as_typed(
    client: TestClient, db: Session, team: Team
) -> None:
    csrf = log_in(client, LEAD)
    form = client.get("/cases/new")
    assert form.status_code == 200
    assert '<option value="0601">0601 ' in form.text
    typed = {"title": "Operation Lighthouse", "legal_basis": "Sv art. 126", "csrf_token": csrf}

    refused = client.post("/cases/new", data={**typed, "offences": ["0601", "9999"]})
    assert refused.status_code == 422
    field, reason = error(refused.text, "open") or (None, "")
    assert field == "offences"
    assert "unknown ICCS code &#39;9999&#39;" in reason
    assert 'value="Operation Lighthouse"' in refused.text  # what was typed is kept
    assert '<option value="0601" selected>' in refused.text
    short = client.post(
        "/cases/new", data={**typed, "title": "O", "legal_basis": "", "offences": "0601"}
    )
    errors = re.findall(r'data-testid="error-open" data-field="(\w+)">([^<]+)<', short.text)
    assert errors == [  # each beside its own field
        ("title", "Title: must have at least 3 characters"),
        ("legal_basis", "Legal basis: is required"),
    ]
    assert count(db, Case) == 0

    opened = client.post(
        "/cases/new", data={**typed, "offences": ["0601", "0501"]}, follow_redirects=False
    )
    assert opened.status_code == 303, opened.text
    case = db.scalars(select(Case)).one()
    assert opened.headers["location"] == f"/cases/{case.id}?done=opened"
    page = client.get(opened.headers["location"]).text
    assert 'data-testid="done">Case opened.<' in page
    assert f'data-testid="case-reference">{case.reference}<' in page
    offences = re.findall(r'data-testid="offence" data-code="(\d+)">([^<]+)<', page)
    assert [code for code, _ in offences] == ["0601", "0501"]
    assert all(title.startswith(code + " ") and len(title) > 6 for code, title in offences)


# The workspace -------------------------------------------------------------------------------
def test_the_workspace_is_a_404_to_non_members_and_their_forms_too(
    client: TestClient, db: Session, harbour: Case
) -> None:
    csrf = log_in(client, OUTSIDER)
    assert client.get(url(harbour)).status_code == 404
    for path, data in [
        ("/members", {"agency": "FR-OFAST", "legal_basis": "self-invited"}),
        ("/tasks", {"title": "Look around", "agency": "FR-OFAST"}),
        ("/subjects", {"record_id": "x"}),
        ("/close", {"closure": "Nothing to see here", "closed_on": "2026-06-01"}),
    ]:
        refused = client.post(url(harbour, path), data={**data, "csrf_token": csrf})
        assert refused.status_code == 404, path
        assert harbour.reference not in refused.text
    assert count(db, CaseMember, case_id=harbour.id) == 3


def test_only_the_lead_sees_the_leads_forms(client: TestClient, harbour: Case) -> None:
    lead_only = ["form-member", "form-close", "form-role", "plan-action-day", "form-jit"]
    log_in(client, LEAD)
    page = client.get(url(harbour)).text
    for testid in [*lead_only, "form-subject", "form-task", "form-authorisation"]:
        assert f'data-testid="{testid}"' in page, testid
    assert page.count('data-testid="form-role"') == 2  # DE-BKA's and Europol's, not its own
    assert 'data-testid="do-leave">Leave the case<' not in page  # the lead cannot leave
    assert '<option value="ES-MJ">' in page
    assert '<option value="BANK">' not in page

    log_in(client, PARTICIPANT)
    page = client.get(url(harbour)).text
    for testid in lead_only:
        assert f'data-testid="{testid}"' not in page, testid
    for testid in ["form-subject", "form-task", "form-authorisation"]:
        assert f'data-testid="{testid}"' in page, testid
    assert 'data-testid="do-leave">Leave the case<' in page
    assert page.count('data-testid="form-leave"') == 1  # its own, nobody else's

    log_in(client, OBSERVER)
    page = client.get(url(harbour)).text
    assert 'data-role="observer"' in page
    for testid in [*lead_only, "form-subject", "form-task", "form-authorisation"]:
        assert f'data-testid="{testid}"' not in page, testid


def test_a_refused_admission_comes_back_beside_its_field_and_writes_nothing(
    client: TestClient, db: Session, harbour: Case
) -> None:
    csrf = log_in(client, LEAD)
    typed = {"role": "participant", "legal_basis": "MLA 2026/17", "csrf_token": csrf}
    for agency, reason in [
        ("BANK", "BANK is a private partner: it gets hits, never a case"),
        ("XX-NONE", "unknown agency &#39;XX-NONE&#39;"),
        ("DE-BKA", "DE-BKA is already a member of " + harbour.reference),
    ]:
        refused = client.post(url(harbour, "/members"), data={**typed, "agency": agency})
        assert refused.status_code in (409, 422), refused.text
        assert error(refused.text, "member") == ("agency", reason)
        assert 'value="MLA 2026/17"' in refused.text  # kept as typed
        assert 'data-testid="form-member" open' in refused.text
        assert 'aria-invalid="true" aria-describedby="member-agency-error"' in refused.text
    assert count(db, CaseMember, case_id=harbour.id) == 3

    admitted = client.post(
        url(harbour, "/members"), data={**typed, "agency": "co-dijin"}, follow_redirects=False
    )
    assert admitted.status_code == 303, admitted.text
    assert admitted.headers["location"] == url(harbour, "?done=member#members")
    page = client.get(admitted.headers["location"]).text
    assert 'data-agency="CO-DIJIN" data-role="participant" data-current="true"' in page
    assert "CO-DIJIN joined as participant (MLA 2026/17)" in page  # on the timeline

    # A participant's attempt is refused by the policy and told at the top of the page.
    csrf = log_in(client, PARTICIPANT)
    refused = client.post(
        url(harbour, "/members"),
        data={"agency": "ES-MJ", "legal_basis": "MLA 2026/18", "csrf_token": csrf},
    )
    assert refused.status_code == 403
    only_the_lead = f"only the lead agency of {harbour.reference} does this"
    assert error(refused.text, "member") == (None, only_the_lead)
    assert count(db, CaseMember, case_id=harbour.id) == 4


def test_roles_change_and_a_member_leaves(client: TestClient, db: Session, harbour: Case) -> None:
    csrf = log_in(client, LEAD)
    changed = client.post(
        url(harbour, "/members/EUROPOL/role"),
        data={"role": "participant", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    page = client.get(url(harbour)).text
    assert 'data-agency="EUROPOL" data-role="participant"' in page
    assert "EUROPOL: observer → participant" in page

    csrf = log_in(client, PARTICIPANT)
    left = client.post(
        url(harbour, "/members/DE-BKA/leave"), data={"csrf_token": csrf}, follow_redirects=False
    )
    assert left.status_code == 303
    assert left.headers["location"] == "/cases?done=left"
    assert "You left the case." in client.get(left.headers["location"]).text
    assert client.get(url(harbour)).status_code == 404  # no longer a member


def test_a_task_is_set_refused_beside_its_field_and_closed_by_its_assignee(
    client: TestClient, db: Session, harbour: Case
) -> None:
    csrf = log_in(client, LEAD)
    typed = {"title": "Identify the Hamburg consignee", "description": "Company register"}
    refused = client.post(
        url(harbour, "/tasks"), data={**typed, "agency": "EUROPOL", "csrf_token": csrf}
    )
    assert refused.status_code == 422
    field, reason = error(refused.text, "task") or (None, "")
    assert field == "agency"
    assert "EUROPOL is not a contributing member" in reason
    assert 'value="Identify the Hamburg consignee"' in refused.text
    someone_else = client.post(
        url(harbour, "/tasks"),
        data={**typed, "agency": "DE-BKA", "assignee": "nl.supervisor", "csrf_token": csrf},
    )
    assert error(someone_else.text, "task") == (
        "assignee",
        "&#39;nl.supervisor&#39; is not a user of the agency the task is for",
    )
    assert count(db, CaseTask) == 0

    due = (utcnow().date() - timedelta(days=1)).isoformat()
    set_ = client.post(
        url(harbour, "/tasks"),
        data={
            **typed,
            "agency": "DE-BKA",
            "assignee": "de.officer",
            "due_on": due,
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert set_.status_code == 303, set_.text
    page = client.get(url(harbour)).text
    assert 'data-testid="task" data-number="1" data-status="open" data-agency="DE-BKA"' in page
    assert 'data-testid="overdue"' in page
    # The lead set it: it may cancel it, not work it.
    steps = re.findall(r'name="status" data-testid="task-status">(.*?)</select>', page, re.S)
    assert re.findall(r'value="(\w+)"', steps[0]) == ["cancelled"]

    csrf = log_in(client, PARTICIPANT)
    page = client.get(url(harbour)).text
    steps = re.findall(r'name="status" data-testid="task-status">(.*?)</select>', page, re.S)
    assert re.findall(r'value="(\w+)"', steps[0]) == ["in_progress", "done", "cancelled"]
    no_result = client.post(
        url(harbour, "/tasks/1"), data={"status": "done", "result": "", "csrf_token": csrf}
    )
    assert no_result.status_code == 422
    assert error(no_result.text, "task-1") == (
        "result",
        "a task is done with its result: say what came of it",
    )
    done = client.post(
        url(harbour, "/tasks/1"),
        data={"status": "done", "result": "Harbour Logistik GmbH", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == url(harbour, "?done=task-update#task-1")
    page = client.get(url(harbour)).text
    assert 'data-number="1" data-status="done"' in page
    assert "Harbour Logistik GmbH" in page
    assert 'data-testid="form-task-update"' not in page  # nothing more to do with it
    assert "task #1 done: Harbour Logistik GmbH" in page  # the timeline


def test_the_jit_agreement_is_drafted_signed_by_each_party_and_in_force(
    client: TestClient, harbour: Case
) -> None:
    csrf = log_in(client, LEAD)
    today = utcnow().date()
    draft = {
        "reference": "JIT-NL-DE-2026-01",
        "purpose": "Dismantle the Rotterdam–Hamburg route",
        "starts_on": today.isoformat(),
        "ends_on": (today - timedelta(days=3)).isoformat(),
        "evidence_rules": "Shared under each party's law, as if gathered at home",
        "parties": ["NL-NP", "DE-BKA"],
        "law-NL-NP": "Wetboek van Strafvordering",
        "law-DE-BKA": "Strafprozessordnung",
        "csrf_token": csrf,
    }
    refused = client.post(url(harbour, "/jit"), data=draft)
    assert refused.status_code == 422
    field, reason = error(refused.text, "jit") or (None, "")
    assert field == "ends_on"
    assert "must be after starts_on" in reason
    assert 'value="Strafprozessordnung"' in refused.text
    alone = client.post(url(harbour, "/jit"), data={**draft, "parties": "NL-NP"})
    assert error(alone.text, "jit") == (
        "parties",
        "Parties: must have at least 2 items",
    )
    drafted = client.post(
        url(harbour, "/jit"),
        data={**draft, "ends_on": (today + timedelta(days=365)).isoformat()},
        follow_redirects=False,
    )
    assert drafted.status_code == 303, drafted.text
    page = client.get(url(harbour)).text
    assert 'data-status="draft"' in page
    assert 'data-testid="form-jit-sign"' in page  # the lead is a party too

    csrf = log_in(client, OBSERVER)
    assert 'data-testid="form-jit-sign"' not in client.get(url(harbour)).text
    for who in (PARTICIPANT, LEAD):
        csrf = log_in(client, who)
        signed = client.post(
            url(harbour, "/jit/sign"),
            data={"signed_on": today.isoformat(), "csrf_token": csrf},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text
    page = client.get(url(harbour)).text
    assert re.findall(r'data-testid="party" data-agency="([\w-]+)" data-signed="(\w+)"', page) == [
        ("DE-BKA", "true"),
        ("NL-NP", "true"),
    ]
    assert 'data-status="in_force"' in page
    assert 'data-testid="form-jit-extend"' in page
    assert 'data-testid="form-jit-close"' in page
    assert 'data-testid="jit-lapsed"' not in page


def test_subjects_are_shown_as_each_member_may_see_them(
    client: TestClient, team: Team, harbour: Case
) -> None:
    secret = create_record(
        team.db,
        principal=team["nl"],
        settings=team.settings,
        entity=person("Jan de Vries"),
        envelope=envelope(),
        now=NOW,
    ).id
    team.db.commit()
    csrf = log_in(client, LEAD)
    unknown = client.post(
        url(harbour, "/subjects"), data={"record_id": "no-such-record", "csrf_token": csrf}
    )
    assert unknown.status_code == 404
    assert error(unknown.text, "subject") == (
        "record_id",
        "no record no-such-record you may see in full",
    )
    added = client.post(
        url(harbour, "/subjects"),
        data={"record_id": secret, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert added.status_code == 303
    page = client.get(url(harbour)).text
    assert f'data-testid="subject" data-record="{secret}" data-full="true"' in page
    assert f'href="/network?seed={secret}" role="button"' in page.replace("&amp;", "&")

    log_in(client, PARTICIPANT)  # the record is not shared with DE-BKA
    page = client.get(url(harbour)).text
    subjects = re.search(r'<section aria-labelledby="subjects-heading".*?</section>', page, re.S)
    assert subjects is not None
    assert "Jan de Vries" not in subjects.group(0)
    assert 'data-testid="withheld" data-agency="NL-NP">1 more subject added by NL-NP' in page
    assert 'data-testid="link-chart"' not in page


def test_the_evidence_of_the_case_is_listed_with_its_integrity(
    client: TestClient, team: Team, harbour: Case
) -> None:
    report = digital(team, harbour)
    phone = physical(team, harbour)
    team.db.commit()
    log_in(client, OBSERVER)
    page = client.get(url(harbour)).text
    rows = re.findall(
        r'data-testid="evidence-item" data-reference="([^"]+)" data-intact="(\w+)"', page
    )
    assert rows == [(report.reference, "true"), (phone.reference, "true")]
    link = url(harbour, f"/evidence/{report.id}/content")  # through the integrity check
    assert f'href="{link}" data-testid="evidence-download"' in page
    assert page.count('data-testid="evidence-download"') == 1  # an object has no file
    assert page.count('data-testid="evidence-link"') == 2  # each to its page
    assert 'data-testid="form-evidence-digital"' not in page  # an observer adds none
    assert 'data-testid="form-export"' in page  # but may export H0 items


# Authorisations ---------------------------------------------------------------------------
def test_an_authorisation_is_recorded_its_activity_refused_outside_it_and_its_expiry_warned(
    client: TestClient, db: Session, harbour: Case
) -> None:
    csrf = log_in(client, PARTICIPANT)
    today = utcnow().date()
    typed = {
        "technique": "controlled_delivery",
        "reference": "StA HH 4100 Js 77/26",
        "authority": "Staatsanwaltschaft Hamburg",
        "scope": "Container MSCU 1234567 from Rotterdam to Hamburg",
        "valid_from": (today - timedelta(days=10)).isoformat(),
        "valid_until": (today + timedelta(days=5)).isoformat(),
        "jurisdictions": "DE, NL",
        "csrf_token": csrf,
    }
    backwards = client.post(
        url(harbour, "/authorisations"), data={**typed, "valid_until": "2026-01-01"}
    )
    assert backwards.status_code == 422
    field, reason = error(backwards.text, "authorisation") or (None, "")
    assert field == "valid_until"
    assert "is before valid_from" in reason
    nowhere = client.post(url(harbour, "/authorisations"), data={**typed, "jurisdictions": "XX"})
    assert (error(nowhere.text, "authorisation") or ("", ""))[0] == "jurisdictions"
    recorded = client.post(url(harbour, "/authorisations"), data=typed, follow_redirects=False)
    assert recorded.status_code == 303, recorded.text
    page = client.get(url(harbour)).text
    assert 'data-reference="StA HH 4100 Js 77/26" data-expired="false" data-revoked="false"' in page
    assert 'data-testid="days-left">5 days left<' in page
    held = re.search(r'action="(/cases/[^"]+/activities)"', page)
    assert held is not None

    abroad = client.post(
        held.group(1),
        data={
            "on": today.isoformat(),
            "country": "BE",
            "description": "Followed the truck",
            "csrf_token": csrf,
        },
    )
    assert abroad.status_code == 403
    authorisation_id = held.group(1).split("/")[-2]
    assert error(abroad.text, f"activity-{authorisation_id}") == (
        "country",
        "no valid authorisation for this activity: StA HH 4100 Js 77/26 does not hold in BE "
        "(only in DE, NL)",
    )
    logged = client.post(
        held.group(1),
        data={
            "on": today.isoformat(),
            "country": "DE",
            "description": "Followed the truck",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert logged.status_code == 303
    assert 'data-testid="activity"' in client.get(url(harbour)).text

    expiring = client.get("/cases/authorisations/expiring").text
    assert re.findall(r'data-testid="expiring-row" data-reference="([^"]+)"', expiring) == [
        "StA HH 4100 Js 77/26"
    ]
    assert 'data-testid="days-left">5 days left<' in expiring
    assert "no-expiring" in client.get("/cases/authorisations/expiring?days=2").text

    log_in(client, LEAD)  # NL-NP acts under none of it: no form, no warning
    page = client.get(url(harbour)).text
    assert 'data-testid="form-activity"' not in page
    assert 'data-testid="form-revoke"' not in page
    assert 'data-testid="no-expiring"' in client.get("/cases/authorisations/expiring").text


# Action days -------------------------------------------------------------------------------
def _plan(client: TestClient, case: Case, csrf: str, **overrides: str) -> httpx.Response:
    return client.post(
        url(case, "/action-days/new"),
        data={
            "name": "Operation Harbour, day one",
            "acts": ["NL-NP", "DE-BKA"],
            "local_time-NL-NP": "2026-12-01T06:00",
            "timezone-NL-NP": "Europe/Amsterdam",
            "local_time-DE-BKA": "2026-12-01T06:00",
            "timezone-DE-BKA": "Europe/Berlin",
            "csrf_token": csrf,
            **overrides,
        },
        follow_redirects=False,
    )


def _result(client: TestClient, board: str, csrf: str, **fields: str) -> httpx.Response:
    return client.post(
        f"{board}/results",
        data={"quantity": "1", **fields, "csrf_token": csrf},
        follow_redirects=False,
    )


def _totals(html: str, country: str) -> dict[str, str]:
    row = re.search(rf'data-testid="totals-\w+" data-country="{country}">(.*?)</tr>', html, re.S)
    assert row is not None, country
    cells = dict(re.findall(r'data-kind="(\w+)">(.*?)</td>', row.group(1), re.S))
    return {k: re.sub(r"<[^>]+>", "", v).strip() for k, v in cells.items()}


def test_an_action_day_is_planned_started_reported_on_and_totalled(
    client: TestClient, db: Session, harbour: Case
) -> None:
    csrf = log_in(client, PARTICIPANT)
    assert 'data-testid="form-plan"' not in client.get(url(harbour, "/action-days/new")).text
    csrf = log_in(client, LEAD)
    plan = client.get(url(harbour, "/action-days/new")).text
    assert re.findall(r'data-testid="plan-row" data-agency="([\w-]+)"', plan) == [
        "NL-NP",
        "DE-BKA",
    ]  # the contributing members, not the observer
    nowhere = _plan(client, harbour, csrf, **{"timezone-DE-BKA": "Europe/Hamburg"})
    assert nowhere.status_code == 422
    assert error(nowhere.text, "plan") == (
        "countries",
        "unknown time zone &#39;Europe/Hamburg&#39;: use an IANA name such as Europe/Madrid",
    )
    assert 'value="Europe/Hamburg"' in nowhere.text
    planned = _plan(client, harbour, csrf)
    assert planned.status_code == 303, planned.text
    board = planned.headers["location"].split("?")[0]
    page = client.get(board).text
    assert 'data-testid="board" data-status="planned"' in page
    amsterdam = ZoneInfo("Europe/Amsterdam")
    local = format_datetime(datetime(2026, 12, 1, 5, tzinfo=UTC), "short", amsterdam, "en")
    assert f"{local} <small>Europe/Amsterdam</small>" in page  # the teams' clock, the reader's way
    utc = format_datetime(datetime(2026, 12, 1, 5, tzinfo=UTC), "short", tzinfo=UTC, locale="en")
    assert f">{utc} UTC</time>" in page  # the moment written the reader's way
    assert 'data-testid="form-start"' in page
    assert 'data-testid="form-result"' not in page
    assert 'hx-trigger="every 10s"' in page
    early = _result(client, board, csrf, country="NL", kind="arrest")
    assert early.status_code == 409

    started = client.post(f"{board}/start", data={"csrf_token": csrf}, follow_redirects=False)
    assert started.status_code == 303
    page = client.get(board).text
    assert 'data-testid="board" data-status="live"' in page
    assert 'data-testid="form-close"' in page
    countries = re.search(r'data-testid="result-country".*?</select>', page, re.S)
    assert countries is not None
    # The lead reports anywhere, its own country first.
    assert re.findall(r'value="(\w+)"', countries.group(0)) == ["NL", "DE"]
    no_unit = _result(client, board, csrf, country="NL", kind="seizure", item="cocaine")
    assert no_unit.status_code == 422
    assert error(no_unit.text, "result") == (
        "unit",
        "seizures need an item and a unit (kg, units, EUR…)",
    )
    assert 'value="cocaine"' in no_unit.text
    halves = _result(client, board, csrf, country="NL", kind="arrest", quantity="1.5")
    assert error(halves.text, "result") == (
        "quantity",
        "arrests are counted in whole numbers",
    )
    assert count(db, ActionResult) == 0
    for fields in (
        {"country": "NL", "kind": "seizure", "quantity": "1250.5", "unit": "kg", "item": "cocaine"},
        {"country": "NL", "kind": "arrest", "quantity": "2"},
        {"country": "NL", "kind": "seizure", "quantity": "80000", "unit": "EUR", "item": "cash"},
    ):
        assert _result(client, board, csrf, **fields).status_code == 303

    csrf = log_in(client, PARTICIPANT)
    page = client.get(board).text
    countries = re.search(r'data-testid="result-country".*?</select>', page, re.S)
    assert countries is not None
    assert re.findall(r'value="(\w+)"', countries.group(0)) == ["DE"]
    assert 'data-testid="form-start"' not in page
    assert 'data-testid="form-close"' not in page
    abroad = _result(client, board, csrf, country="NL", kind="arrest")
    assert abroad.status_code == 403
    assert error(abroad.text, "result") == (
        "country",
        "results in NL are reported by its agencies or the lead",
    )
    for fields in (
        {"country": "DE", "kind": "arrest", "quantity": "1"},
        {"country": "DE", "kind": "search", "quantity": "3"},
        {"country": "DE", "kind": "seizure", "quantity": "250", "unit": "kg", "item": "Cocaine"},
    ):
        assert _result(client, board, csrf, **fields).status_code == 303

    page = client.get(board).text
    assert _totals(page, "NL") == {
        "arrests": "2",
        "searches": "0",
        "victims": "0",
        "quantities": "80,000 EUR cash1,250.5 kg cocaine",
    }
    assert _totals(page, "DE")["quantities"] == "250 kg cocaine"  # items add up whatever their case
    assert _totals(page, "ALL") == {
        "arrests": "3",
        "searches": "3",
        "victims": "0",
        "quantities": "80,000 EUR cash1,500.5 kg cocaine",
    }
    kinds = re.findall(r'data-testid="result" data-country="(\w+)" data-kind="(\w+)"', page)
    assert kinds[0] == ("DE", "seizure")
    assert kinds[-1] == ("NL", "seizure")

    # The live part alone, as HTMX fetches it; the page again once the day moved on.
    live = client.get(f"{board}/live", params={"shown": "live"}, headers={"HX-Request": "true"})
    assert live.status_code == 200
    assert "<html" not in live.text
    assert 'id="board"' in live.text
    assert 'hx-trigger="every 10s"' in live.text
    assert _totals(live.text, "ALL")["arrests"] == "3"
    moved = client.get(f"{board}/live", params={"shown": "planned"})
    assert moved.headers["HX-Refresh"] == "true"

    csrf = log_in(client, LEAD)
    closed = client.post(f"{board}/close", data={"csrf_token": csrf}, follow_redirects=False)
    assert closed.status_code == 303
    page = client.get(board).text
    assert 'data-testid="board" data-status="closed"' in page
    assert "hx-trigger" not in page  # no more polling
    assert 'data-testid="form-result"' not in page

    report = client.get(f"{board}/report")
    assert report.status_code == 200
    parts = re.findall(r'data-testid="report-part" data-country="(\w+)"', report.text)
    assert parts == ["DE", "NL", "ALL"]
    csv = client.get(f"{board}/report.csv")
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert "attachment;" in csv.headers["content-disposition"]
    assert csv.text.splitlines() == [
        "country,kind,item,unit,quantity",
        "DE,arrest,,count,1",
        "DE,search,,count,3",
        "DE,victim_safeguarded,,count,0",
        "DE,seizure,cocaine,kg,250",
        "NL,arrest,,count,2",
        "NL,search,,count,0",
        "NL,victim_safeguarded,,count,0",
        "NL,seizure,cash,EUR,80000",
        "NL,seizure,cocaine,kg,1250.5",
        "ALL,arrest,,count,3",
        "ALL,search,,count,3",
        "ALL,victim_safeguarded,,count,0",
        "ALL,seizure,cash,EUR,80000",
        "ALL,seizure,cocaine,kg,1500.5",
    ]

    log_in(client, OUTSIDER)
    for path in ("", "/live", "/report", "/report.csv"):
        assert client.get(board + path).status_code == 404, path
