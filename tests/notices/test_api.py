"""The notices API: live checks, the request's life over HTTP, status codes of refusals,
and who sees what."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from palermo.models.audit import AuditEvent
from tests.notices.conftest import REVIEW, Desk, red_request

CONTEXT = {"X-Purpose": "locate_person", "X-Justification": "Fugitive search desk, case 26/311"}


def test_request_life_over_http(desk: Desk, client: TestClient) -> None:
    officer, reviewer = desk.bearer("de.officer"), desk.bearer("sg.reviewer")
    body = red_request().model_dump(mode="json", by_alias=True)
    low = {**body, "particulars": {**body["particulars"], "max_penalty_months": 12}}
    checked = client.post("/api/notices/check", json=low, headers=officer)
    assert checked.status_code == 200
    assert [(f["rule"], f["field"]) for f in checked.json()] == [
        ("red.threshold", "max_penalty_months")
    ]
    created = client.post("/api/notices", json=low, headers=officer)
    assert created.status_code == 201, created.text
    notice = created.json()
    assert notice["status"] == "draft"
    assert notice["actions"] == ["submit", "withdraw"]
    url = f"/api/notices/{notice['id']}"
    refused = client.post(f"{url}/submit", json={}, headers=officer)
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["rule"] == "red.threshold"
    assert client.put(url, json=body, headers=officer).status_code == 200
    assert client.post(f"{url}/submit", json={}, headers=officer).json()["status"] == "submitted"
    queue = client.get("/api/notices", params={"queue": True}, headers=reviewer | CONTEXT).json()
    assert notice["id"] in {n["id"] for n in queue["items"]}
    taken = client.post(f"{url}/claim", json={}, headers=reviewer).json()
    assert taken["actions"] == ["return", "publish", "refuse"]
    published = client.post(
        f"{url}/publish", json={"review": REVIEW.model_dump()}, headers=reviewer
    )
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    assert published.json()["entity_id"]
    again = client.post(f"{url}/publish", json={"review": REVIEW.model_dump()}, headers=reviewer)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"
    events = client.get(url, headers=officer | CONTEXT).json()["events"]
    assert [e["action"] for e in events] == ["create", "edit", "submit", "claim", "publish"]
    assert client.post(f"{url}/expire", json={}, headers=reviewer).status_code == 404


def test_who_sees_what(desk: Desk, client: TestClient) -> None:
    draft = desk.create(red_request())
    published = desk.publish(red_request())
    restricted_request = red_request()
    restricted_request.public_extract, restricted_request.countries = False, ["FR"]
    restricted = desk.publish(restricted_request)

    def seen(username: str) -> set[str]:
        answer = client.get("/api/notices", headers=desk.bearer(username) | CONTEXT)
        assert answer.status_code == 200
        return {n["id"] for n in answer.json()["items"]}

    ids = {str(n.id) for n in (draft, published, restricted)}
    assert seen("de.officer") >= ids
    assert seen("sg.officer") >= ids
    assert seen("fr.police") & ids == {str(published.id), str(restricted.id)}
    assert seen("ke.officer") & ids == {str(published.id)}
    assert seen("fr.banker") == set()
    hidden = client.get(f"/api/notices/{draft.id}", headers=desk.bearer("fr.police") | CONTEXT)
    assert hidden.status_code == 404
    outsider = client.get(
        f"/api/notices/{published.id}", headers=desk.bearer("ke.officer") | CONTEXT
    ).json()
    # Others see the notice, not the requester's internal review and history.
    assert outsider["events"] == []
    assert outsider["review"] is None
    assert outsider["actions"] == []


def test_consulting_notices_needs_a_purpose_and_is_audited(desk: Desk, client: TestClient) -> None:
    notice = desk.publish(red_request())
    headers = desk.bearer("fr.police")
    assert client.get(f"/api/notices/{notice.id}", headers=headers).status_code == 422
    assert client.get(f"/api/notices/{notice.id}", headers=headers | CONTEXT).status_code == 200
    desk.db.expire_all()
    read = desk.db.scalars(select(AuditEvent).where(AuditEvent.action == "notice.read")).one()
    assert (read.actor, read.purpose) == ("fr.police", "locate_person")
    assert str(notice.id) in read.object_ids


def test_four_eyes_over_http(desk: Desk, client: TestClient) -> None:
    notice = desk.create(red_request(), by=desk.reviewer)
    url = f"/api/notices/{notice.id}"
    reviewer = desk.bearer("sg.reviewer")
    assert client.post(f"{url}/submit", json={}, headers=reviewer).status_code == 200
    refused = client.post(f"{url}/claim", json={}, headers=reviewer)
    assert refused.status_code == 403
    assert "cannot review their own" in refused.json()["error"]["message"]
