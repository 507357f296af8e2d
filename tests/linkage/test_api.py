"""Linkage over HTTP: a run as a background job, pairs, a judgement, clusters, a new record
linked; the job records its failure by name."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from palermo.models.identity import User
from tests.conftest import Factory
from tests.linkage.conftest import People

CONTEXT = {"X-Purpose": "criminal_analysis", "X-Justification": "Operation Tide: who is who"}
BODY = {"purpose": "criminal_analysis", "justification": "Operation Tide: who is who"}


def analyst_bearer(people: People, factory: Factory) -> dict[str, str]:
    user = people.db.scalars(select(User).where(User.username == "de-bka.analyst")).one()
    return factory.bearer(user)


def test_a_run_over_http(people: People, factory: Factory, client: TestClient) -> None:
    headers = analyst_bearer(people, factory)
    accepted = client.post("/api/link/runs", json=BODY, headers=headers)
    assert accepted.status_code == 202, accepted.text
    run_id = accepted.json()["id"]
    done = client.get(f"/api/link/runs/{run_id}", headers=headers).json()  # ran after the reply
    assert done["status"] == "done", done
    assert done["pairs"] > 0
    found = client.get("/api/link/pairs", params={"status": "proposed"}, headers=headers | CONTEXT)
    assert found.status_code == 200
    best = found.json()[0]
    assert set(best["weights"]) == {"name", "dob", "document", "country", "gender"}
    judged = client.post(
        "/api/link/judgements",
        json={"left_id": best["left_id"], "right_id": best["right_id"], "verdict": "confirmed"},
        headers=headers | CONTEXT,
    )
    assert judged.json()["status"] == "confirmed"
    confirmed = client.get(
        "/api/link/pairs", params={"status": "confirmed"}, headers=headers | CONTEXT
    ).json()
    assert [(p["left_id"], p["right_id"]) for p in confirmed] == [
        (best["left_id"], best["right_id"])
    ]
    clusters = client.get("/api/link/clusters", headers=headers | CONTEXT).json()
    assert any({best["left_id"], best["right_id"]} <= set(c["members"]) for c in clusters)
    linked = client.post(
        "/api/link/records", json={**BODY, "record_ids": [best["left_id"]]}, headers=headers
    )
    assert linked.status_code == 200
    assert linked.json()[0]["record_id"] == best["left_id"]


def test_a_failed_job_says_why(people: People, factory: Factory, client: TestClient) -> None:
    headers = analyst_bearer(people, factory)
    accepted = client.post("/api/link/runs", json={**BODY, "scope": ["FR-PJ"]}, headers=headers)
    failed = client.get(f"/api/link/runs/{accepted.json()['id']}", headers=headers).json()
    assert failed["status"] == "failed"
    assert "a model needs at least 50" in failed["error"]
    refused = client.post("/api/link/runs", json={**BODY, "schema": "Payment"}, headers=headers)
    assert refused.status_code == 422
    assert "cannot link 'Payment'" in refused.json()["error"]["message"]
