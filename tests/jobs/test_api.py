"""/api/jobs: the agency's jobs of the kinds the caller may read, in one shape."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from palermo.identity.roles import Role
from palermo.models.identity import Agency, User
from tests.conftest import Factory
from tests.network.conftest import World

BODY = {"purpose": "criminal_analysis", "justification": "Operation Tulip"}


def _bearer(world: World, factory: Factory, username: str) -> dict[str, str]:
    return factory.bearer(world.db.scalars(select(User).where(User.username == username)).one())


def test_jobs_of_the_agency_with_progress_and_result(
    world: World, factory: Factory, client: TestClient
) -> None:
    analyst = _bearer(world, factory, "nl-pol.analyst")
    accepted = client.post("/api/network/jobs", json={**BODY, "kind": "build"}, headers=analyst)
    job_id = accepted.json()["id"]
    listed = client.get("/api/jobs", headers=analyst)
    assert listed.status_code == 200, listed.text
    [job] = listed.json()
    assert {k: job[k] for k in ("kind", "id", "title", "status", "progress", "page")} == {
        "kind": "network",
        "id": job_id,
        "title": "Network build",
        "status": "done",
        "progress": 1.0,
        "page": f"/jobs/network/{job_id}",
    }
    assert job["result"]["nodes"] == 8
    assert job["result_url"] == f"/api/network/jobs/{job_id}"
    assert client.get(f"/api/jobs/network/{job_id}", headers=analyst).json() == job

    other = _bearer(world, factory, "co-pol.analyst")
    assert client.get("/api/jobs", headers=other).json() == []
    assert client.get(f"/api/jobs/network/{job_id}", headers=other).status_code == 404
    agency = world.db.scalars(select(Agency).where(Agency.code == "NL-POL")).one()
    auditor, _ = factory.user("nl-pol.auditor", Role.auditor, agency=agency)
    # Network results are for those who analyse: an auditor of the agency is not shown them.
    auditing = factory.bearer(auditor)
    assert client.get("/api/jobs", headers=auditing).json() == []
    assert client.get(f"/api/jobs/network/{job_id}", headers=auditing).status_code == 403
    assert client.get(f"/api/jobs/nothing/{job_id}", headers=analyst).status_code == 404
