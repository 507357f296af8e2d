"""The cases API over HTTP: a case opened, joined, worked and its action day reported; a
non-member gets a 404 for everything in it; refusals name the rule."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient

from tests.cases.conftest import Team
from tests.conftest import Factory


def test_a_case_over_http(client: TestClient, team: Team, factory: Factory) -> None:
    nl, de, fr = (factory.bearer(team.users[n]) for n in ("nl", "de", "fr"))
    today = date.today()
    opened = client.post(
        "/api/cases",
        json={
            "title": "Operation Harbour",
            "offences": ["0601"],
            "legal_basis": "Wetboek van Strafvordering art. 126",
        },
        headers=nl,
    )
    assert opened.status_code == 201, opened.text
    case = opened.json()
    assert case["reference"].startswith("NL-NP/C/")
    assert case["my_role"] == "lead"
    base = f"/api/cases/{case['id']}"
    assert client.get(base, headers=de).status_code == 404
    joined = client.post(
        f"{base}/members",
        json={"agency": "DE-BKA", "legal_basis": "IRG § 93"},
        headers=nl,
    )
    assert joined.status_code == 201, joined.text
    assert client.get(base, headers=de).json()["my_role"] == "participant"
    assert [c["reference"] for c in client.get("/api/cases", headers=de).json()] == [
        case["reference"]
    ]

    task = client.post(
        f"{base}/tasks",
        json={"title": "Trace the consignee", "agency": "DE-BKA", "due_on": str(today)},
        headers=nl,
    )
    assert task.status_code == 201, task.text
    done = client.patch(
        f"{base}/tasks/1",
        json={"status": "done", "result": "Nordlicht Handels GmbH, Hamburg"},
        headers=de,
    )
    assert done.json()["status"] == "done"

    refused = client.post(
        f"{base}/tasks", json={"title": "Something", "agency": "FR-OFAST"}, headers=nl
    )
    assert refused.status_code == 422
    assert "FR-OFAST is not a contributing member" in refused.json()["error"]["message"]

    authorised = client.post(
        f"{base}/authorisations",
        json={
            "technique": "electronic_surveillance",
            "reference": "RC-2026/77",
            "authority": "Rechter-commissaris Rotterdam",
            "scope": "Lines of the importer's director",
            "valid_from": str(today - timedelta(days=10)),
            "valid_until": str(today + timedelta(days=5)),
            "jurisdictions": ["NL"],
        },
        headers=nl,
    )
    assert authorised.status_code == 201, authorised.text
    outside = client.post(
        f"{base}/authorisations/{authorised.json()['id']}/activities",
        json={"on": str(today), "country": "DE", "description": "Interception"},
        headers=nl,
    )
    assert outside.status_code == 403
    assert "does not hold in DE" in outside.json()["error"]["message"]
    expiring = client.get("/api/cases/authorisations/expiring", headers=nl).json()
    assert [a["reference"] for a in expiring] == ["RC-2026/77"]

    day = client.post(
        f"{base}/action-days",
        json={
            "name": "Action day",
            "countries": [
                {
                    "country": "NL",
                    "agency": "NL-NP",
                    "local_time": f"{today}T06:00:00",
                    "timezone": "Europe/Amsterdam",
                },
                {
                    "country": "DE",
                    "agency": "DE-BKA",
                    "local_time": f"{today}T06:00:00",
                    "timezone": "Europe/Berlin",
                },
            ],
        },
        headers=nl,
    )
    assert day.status_code == 201, day.text
    board = f"{base}/action-days/{day.json()['id']}"
    assert client.post(f"{board}/start", headers=nl).json()["status"] == "live"
    client.post(
        f"{board}/results", json={"country": "DE", "kind": "arrest", "quantity": 2}, headers=de
    )
    reported = client.post(
        f"{board}/results",
        json={
            "country": "NL",
            "kind": "seizure",
            "quantity": "412.5",
            "unit": "kg",
            "item": "cocaine",
        },
        headers=nl,
    )
    assert reported.status_code == 201, reported.text
    totals = reported.json()["total"]
    assert totals["arrests"] == 2
    assert totals["quantities"] == [
        {"kind": "seizure", "item": "cocaine", "unit": "kg", "quantity": "412.5"}
    ]

    # A non-member sees nothing of it, whatever the door.
    for path in (base, board):
        assert client.get(path, headers=fr).status_code == 404
    assert (
        client.post(
            f"{base}/tasks", json={"title": "x y z", "agency": "FR-OFAST"}, headers=fr
        ).status_code
        == 404
    )

    left = client.delete(f"{base}/members/DE-BKA", headers=de)
    assert left.status_code == 204
    assert client.get(base, headers=de).status_code == 404
    timeline = [e["kind"] for e in client.get(base, headers=nl).json()["timeline"]]
    assert timeline[:3] == ["open", "admit", "task"]
    assert timeline[-1] == "leave"
