"""Financial intelligence over HTTP: monitoring and tracing as background jobs, the alert
queue, triage, and who may use them."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import Factory
from tests.finintel.conftest import Fiu

CONTEXT = {"X-Purpose": "financial_intelligence", "X-Justification": "case 88"}


def test_monitor_and_trace_jobs_then_triage(
    stored: Fiu, factory: Factory, client: TestClient
) -> None:
    fiu = stored
    analyst = {**factory.bearer(fiu.users["analyst"]), **CONTEXT}
    accepted = client.post("/api/finintel/jobs", json={"kind": "monitor"}, headers=analyst)
    assert accepted.status_code == 202, accepted.text
    job = client.get(f"/api/finintel/jobs/{accepted.json()['id']}", headers=analyst).json()
    assert job["status"] == "done", job
    assert {a["typology"] for a in job["result"]["alerts"]} >= {"cycle", "structuring"}
    traced = client.post(
        "/api/finintel/jobs",
        json={"kind": "trace", "origin": "sg-origin", "hops": 2},
        headers=analyst,
    ).json()
    flows = client.get(f"/api/finintel/jobs/{traced['id']}", headers=analyst).json()["result"]
    assert {link["target"] for link in flows["links"]} >= {"sg-mid-0", "sg-dest"}
    queue = client.get("/api/finintel/alerts?typology=cycle", headers=analyst).json()
    assert len(queue) == 1
    moved = client.post(
        f"/api/finintel/alerts/{queue[0]['id']}/triage",
        json={"action": "escalate", "note": "ring confirmed", "reference": "CASE-9"},
        headers=analyst,
    )
    assert moved.json()["status"] == "escalated"
    again = client.post(
        f"/api/finintel/alerts/{queue[0]['id']}/triage",
        json={"action": "review"},
        headers=analyst,
    )
    assert again.status_code == 409


def test_jobs_and_alerts_are_the_fius_analysts(
    db: Session, fiu: Fiu, factory: Factory, client: TestClient
) -> None:
    for outsider in ("bank1", "police"):
        headers = {**factory.bearer(fiu.users[outsider]), **CONTEXT}
        assert (
            client.post("/api/finintel/jobs", json={"kind": "monitor"}, headers=headers).status_code
            == 403
        )
        assert client.get("/api/finintel/alerts", headers=headers).status_code == 403
    analyst = {**factory.bearer(fiu.users["analyst"]), **CONTEXT}
    missing = client.post(
        "/api/finintel/jobs", json={"kind": "trace", "origin": ""}, headers=analyst
    )
    assert missing.status_code == 422
