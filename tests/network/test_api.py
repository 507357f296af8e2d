"""Network analysis over HTTP: jobs in the background, the link chart's data, paths, and
exports that Gephi's schemas accept."""

from __future__ import annotations

from pathlib import Path

import xmlschema
from fastapi.testclient import TestClient
from sqlalchemy import select

from palermo.identity.roles import Role
from palermo.models.identity import Agency, User
from tests.conftest import Factory
from tests.network.conftest import World

CONTEXT = {"X-Purpose": "criminal_analysis", "X-Justification": "Operation Tulip"}
BODY = {"purpose": "criminal_analysis", "justification": "Operation Tulip"}
SCHEMAS = Path(__file__).parent / "schemas"


def _bearer(world: World, factory: Factory) -> dict[str, str]:
    user = world.db.scalars(select(User).where(User.username == "nl-pol.analyst")).one()
    return factory.bearer(user)


def test_analysis_and_disruption_jobs(world: World, factory: Factory, client: TestClient) -> None:
    headers = _bearer(world, factory)
    accepted = client.post(
        "/api/network/jobs",
        json={**BODY, "kind": "analyze", "analysis": {"top": 3, "robustness_missing": 0.2}},
        headers=headers,
    )
    assert accepted.status_code == 202, accepted.text
    done = client.get(f"/api/network/jobs/{accepted.json()['id']}", headers=headers).json()
    assert done["status"] == "done", done
    result = done["result"]
    assert result["summary"]["nodes"] == 8  # 6 records (one a hit) and 2 phone numbers
    assert result["top"]["betweenness"][0]["node"] == world.ids["jan"]
    assert result["robustness"]["top"] == 3
    assert result["left_out"] == {"edges_to_records_not_shown": 1}
    disrupted = client.post(
        "/api/network/jobs",
        json={**BODY, "kind": "disrupt", "disruption": {"strategy": "degree", "steps": 2}},
        headers=headers,
    )
    steps = client.get(f"/api/network/jobs/{disrupted.json()['id']}", headers=headers).json()
    first = steps["result"]["steps"][0]["removed"]
    # Jan and Piet have three ties each: the tie goes to the smaller node id.
    assert first == [min(world.ids["jan"], world.ids["piet"])]


def test_job_results_are_for_those_who_analyse(
    world: World, factory: Factory, client: TestClient
) -> None:
    headers = _bearer(world, factory)
    job = client.post("/api/network/jobs", json={**BODY, "kind": "build"}, headers=headers).json()
    agency = world.db.scalars(select(Agency).where(Agency.code == "NL-POL")).one()
    auditor, _ = factory.user("nl-pol.auditor", Role.auditor, agency=agency)
    refused = client.get(f"/api/network/jobs/{job['id']}", headers=factory.bearer(auditor))
    assert refused.status_code == 403
    other = world.db.scalars(select(User).where(User.username == "co-pol.analyst")).one()
    hidden = client.get(f"/api/network/jobs/{job['id']}", headers=factory.bearer(other))
    assert hidden.status_code == 404  # another agency's job does not exist for it


def test_a_job_refuses_bad_parameters_at_once(
    world: World, factory: Factory, client: TestClient
) -> None:
    headers = _bearer(world, factory)
    refused = client.post(
        "/api/network/jobs",
        json={**BODY, "analysis": {"measures": ["fame"]}},
        headers=headers,
    )
    assert refused.status_code == 422
    assert "unknown measure(s) fame" in refused.json()["error"]["message"]
    unknown = client.post(
        "/api/network/jobs", json={**BODY, "scope": {"owners": ["XX-NOPE"]}}, headers=headers
    )
    assert "unknown agency 'XX-NOPE'" in unknown.json()["error"]["message"]


def test_the_chart_around_a_seed(world: World, factory: Factory, client: TestClient) -> None:
    headers = _bearer(world, factory) | CONTEXT
    chart = client.get(
        "/api/network/chart", params={"seed": world.ids["piet"], "depth": 1}, headers=headers
    )
    assert chart.status_code == 200, chart.text
    nodes = {n["id"]: n for n in chart.json()["nodes"]}
    assert set(nodes) == {
        world.ids["piet"],
        world.ids["jan"],
        world.ids["tulip"],
        "phone:+4915112345678",
    }
    assert nodes[world.ids["piet"]]["label"] == "Piet Bakker"
    assert nodes[world.ids["jan"]]["betweenness"] == 0
    edges = chart.json()["edges"]
    assert {e["kind"] for e in edges} == {"Associate", "Directorship", "Call"}
    missing = client.get("/api/network/chart", params={"seed": world.ids["piet"]})
    assert missing.status_code == 401


def test_paths_and_exports(world: World, factory: Factory, client: TestClient) -> None:
    headers = _bearer(world, factory) | CONTEXT
    found = client.get(
        "/api/network/paths",
        params={"from": world.ids["piet"], "to": world.ids["pablo"], "mode": "time"},
        headers=headers,
    ).json()
    assert found["paths"] == [[world.ids["piet"], world.ids["jan"], world.ids["pablo"]]]
    gexf = client.get("/api/network/export", params={"format": "gexf"}, headers=headers)
    assert gexf.headers["content-type"].startswith("application/gexf+xml")
    schema = xmlschema.XMLSchema(str(SCHEMAS / "gexf-1.2" / "gexf.xsd"), allow="local")
    schema.validate(gexf.text)
    lines = client.get("/api/network/export", params={"format": "ftm.jsonl"}, headers=headers)
    exported = lines.text.splitlines()
    assert len(exported) == 10  # 5 records seen in full as nodes, 5 as edges
    assert "Secreto" not in lines.text
