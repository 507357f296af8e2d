"""Requests over HTTP as the three sides: the Netherlands' central authority drafts and
sends, Colombia's acknowledges, assigns to its police, which executes a part, and answers;
each side is told the steps it may take now; an outsider gets a 404, a step out of turn a
409 naming the possible ones, and a refusal on fiscal grounds a 422 naming the allowed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from palermo.judicial.lifecycle import Ground
from palermo.models.identity import User
from tests.conftest import Factory, audit_actions
from tests.judicial.conftest import Desk, request_in

Headers = dict[str, str]


@pytest.fixture
def http(desk: Desk, factory: Factory) -> dict[str, Headers]:
    desk.db.commit()  # the agencies' keys, for the API's sessions to see
    headers = {}
    for name in ("nl", "co", "dijin", "es", "fr"):
        user = desk.db.get(User, desk[name].user_id)
        assert user is not None
        headers[name] = factory.bearer(user)
    return headers


def draft(client: TestClient, headers: Headers, **fields: Any) -> dict[str, Any]:
    due = date.today() + timedelta(days=90)
    body = request_in(requested_by=str(due), **fields).model_dump(mode="json")
    drafted = client.post("/api/requests", json=body, headers=headers)
    assert drafted.status_code == 201, drafted.text
    return drafted.json()


def post(
    client: TestClient, url: str, headers: Headers, expect: int = 200, **body: Any
) -> dict[str, Any]:
    done = client.post(url, json=body or None, headers=headers)
    assert done.status_code == expect, done.text
    return done.json()


def test_a_request_over_http_as_the_three_sides(
    client: TestClient, http: dict[str, Headers], desk: Desk
) -> None:
    nl, co, dijin, fr = http["nl"], http["co"], http["dijin"], http["fr"]
    request = draft(client, nl)
    assert (request["status"], request["missing"]) == ("draft", [])
    assert (request["my_sides"], request["next_steps"]) == (["requesting"], ["send", "withdraw"])
    assert (request["requesting"], request["requested"]) == ("NL-OM", "CO-FGN")
    base = f"/api/requests/{request['id']}"
    assert client.get(base, headers=co).status_code == 404  # a draft is the requester's alone

    sent = post(client, f"{base}/send", nl)
    assert sent["status"] == "sent"
    assert sent["message_id"] is not None
    assert sent["dual_criminality"]["holds"] is True
    assert sent["next_steps"] == ["withdraw"]
    seen = client.get(base, headers=co).json()
    assert (seen["my_sides"], seen["next_steps"]) == (["requested"], ["acknowledge", "consult"])
    assert seen["facts"].startswith("Between 2024 and 2026")
    assert seen["persons"][0]["name"] == "Julián Restrepo Ochoa"
    # Under the Palermo Convention only the date the Netherlands asked for is a deadline.
    due = str(date.today() + timedelta(days=90))
    assert [(d["milestone"], d["due_on"], d["met_on"]) for d in seen["deadlines"]] == [
        ("requested", due, None)
    ]

    early = client.post(f"{base}/assign", json={"agency": "CO-DIJIN"}, headers=co)
    assert early.status_code == 409
    assert (
        "is sent: no assign from there (possible steps: acknowledge, consult, withdraw)"
        in (early.json()["error"]["message"])
    )
    acknowledged = post(client, f"{base}/acknowledge", co)
    assert acknowledged["acknowledged_at"] is not None
    assert client.get(base, headers=dijin).status_code == 404  # not yet assigned to it
    assigned = post(client, f"{base}/assign", co, agency="CO-DIJIN")
    assert (assigned["executing"], assigned["next_steps"]) == (
        "CO-DIJIN",
        ["execute", "answer", "consult"],
    )
    executing = client.get(base, headers=dijin).json()
    assert (executing["my_sides"], executing["next_steps"]) == (["executing"], ["execute"])

    part = post(
        client,
        f"{base}/parts",
        dijin,
        201,
        measure="bank_records",
        executed_on=str(date.today()),
        summary="Statements 2024–2026 produced by Banco Andino",
    )
    assert part["status"] == "in_execution"
    assert [(p["measure"], p["agency"], p["recorded_by"]) for p in part["parts"]] == [
        ("bank_records", "CO-DIJIN", "co.dijin")
    ]
    refused = client.post(f"{base}/answer", json={"summary": "All of it"}, headers=dijin)
    assert refused.status_code == 403
    assert "the requested authority takes this step" in refused.json()["error"]["message"]
    answered = post(
        client,
        f"{base}/answer",
        co,
        summary="Statements and the witness's hearing record",
        confidentiality="Not to be disclosed to the account holder",
    )
    assert answered["status"] == "answered"
    assert answered["closed_at"] is not None
    assert answered["conditions"]["speciality"].startswith("Only for the proceedings named")
    assert answered["next_steps"] == []

    final = client.get(base, headers=nl).json()
    assert [
        (e["step"], e["agency"], e["from_status"], e["to_status"]) for e in final["events"]
    ] == [
        ("draft", "NL-OM", None, "draft"),
        ("send", "NL-OM", "draft", "sent"),
        ("acknowledge", "CO-FGN", "sent", "acknowledged"),
        ("assign", "CO-FGN", "acknowledged", "assigned"),
        ("execute", "CO-DIJIN", "assigned", "in_execution"),
        ("answer", "CO-FGN", "in_execution", "answered"),
    ]
    assert final["next_steps"] == []

    for outsider in ("fr", "es"):
        assert client.get(base, headers=http[outsider]).status_code == 404
        assert client.post(f"{base}/withdraw", headers=http[outsider]).status_code == 404
    assert client.get("/api/requests", headers=fr).json() == []
    assert "judicial.read" in audit_actions(desk.db)
    # Figures, not requests: an outsider sees how fast the Netherlands–Colombia pair is.
    (pair,) = client.get("/api/requests/statistics", headers=fr).json()
    assert (pair["requesting"], pair["requested"], pair["sent"], pair["answered"]) == (
        "NL",
        "CO",
        1,
        1,
    )


def test_the_list_by_direction_status_and_words(
    client: TestClient, http: dict[str, Headers], desk: Desk
) -> None:
    nl, co, dijin = http["nl"], http["co"], http["dijin"]
    first = draft(client, nl)
    post(client, f"/api/requests/{first['id']}/send", nl)
    second = draft(client, nl, proceedings="Investigation 'Lighthouse' into money laundering")

    def references(headers: Headers, **params: Any) -> list[str]:
        listed = client.get("/api/requests", params=params, headers=headers)
        assert listed.status_code == 200, listed.text
        return [r["reference"] for r in listed.json()]

    both = [second["reference"], first["reference"]]  # the newest first
    assert references(nl) == both
    assert references(nl, direction="outgoing") == both
    assert references(nl, direction="incoming") == []
    assert references(nl, status="draft") == [second["reference"]]
    assert references(nl, q="lighthouse") == [second["reference"]]
    assert references(nl, q=first["reference"]) == [first["reference"]]
    assert references(nl, limit=1, offset=1) == [first["reference"]]
    assert references(nl, kind="extradition") == []
    assert references(co, direction="incoming") == [first["reference"]]
    assert references(dijin) == []
    (row,) = client.get("/api/requests", params={"direction": "incoming"}, headers=co).json()
    assert (row["my_sides"], row["next_steps"]) == (["requested"], ["acknowledge", "consult"])
    assert "judicial.list" in audit_actions(desk.db)


def test_refusal_over_http(client: TestClient, http: dict[str, Headers]) -> None:
    nl, co = http["nl"], http["co"]
    base = f"/api/requests/{draft(client, nl)['id']}"
    post(client, f"{base}/send", nl)
    post(client, f"{base}/acknowledge", co)
    today = str(date.today())
    refusal = {"reasons": "Colombian law forbids producing these records.", "consulted_on": today}
    early = client.post(
        f"{base}/refuse", json={**refusal, "ground": "no_dual_criminality"}, headers=co
    )
    assert early.status_code == 409
    assert "possible steps: assign, consult, withdraw" in early.json()["error"]["message"]
    unsaid = client.post(f"{base}/consult", json={"note": " "}, headers=co)
    assert unsaid.status_code == 422
    assert "what the consultation is about" in unsaid.json()["error"]["message"]
    consulting = post(client, f"{base}/consult", co, note="Records need a judge's order here")
    assert consulting["next_steps"] == ["resume", "refuse"]

    fiscal = client.post(f"{base}/refuse", json={**refusal, "ground": "fiscal"}, headers=co)
    assert fiscal.status_code == 422
    (detail,) = fiscal.json()["error"]["details"]
    assert detail["location"] == "body.ground"
    assert all(f"'{g.value}'" in detail["problem"] for g in Ground)
    national = client.post(f"{base}/refuse", json={**refusal, "ground": "nationality"}, headers=co)
    assert national.status_code == 422
    assert "extradition only" in national.json()["error"]["message"]

    refused = post(client, f"{base}/refuse", co, ground="domestic_prohibition", **refusal)
    assert (refused["status"], refused["ground"], refused["consulted_on"]) == (
        "refused",
        "domestic_prohibition",
        today,
    )
    assert refused["ground_title"].startswith("Domestic law prohibits")
    assert client.get(base, headers=nl).json()["reasons"] == refusal["reasons"]


def test_a_draft_lacking_contents_and_withdrawn(
    client: TestClient, http: dict[str, Headers]
) -> None:
    nl, co = http["nl"], http["co"]
    request = draft(client, nl, facts="", purpose="")
    assert [m.split(":")[0] for m in request["missing"]] == ["facts", "purpose"]
    base = f"/api/requests/{request['id']}"
    refused = client.post(f"{base}/send", headers=nl)
    assert refused.status_code == 422
    assert "facts: a summary of the relevant facts" in refused.json()["error"]["message"]
    whole = request_in(requested_by=str(date.today() + timedelta(days=90))).model_dump(mode="json")
    revised = client.put(base, json={**whole, "purpose": ""}, headers=nl)
    assert revised.status_code == 200, revised.text
    assert [m.split(":")[0] for m in revised.json()["missing"]] == ["purpose"]
    assert client.put(base, json=whole, headers=co).status_code == 404
    withdrawn = post(client, f"{base}/withdraw", nl, note="Drafted in error")
    assert (withdrawn["status"], withdrawn["next_steps"], withdrawn["missing"]) == (
        "withdrawn",
        [],
        [],
    )
    assert withdrawn["events"][-1]["note"] == "Drafted in error"
    assert client.get(base, headers=co).status_code == 404  # never sent: still the requester's
