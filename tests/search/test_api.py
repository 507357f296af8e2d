"""GET /api/search: typed results and each type's tally as JSON; records and notices only
with X-Purpose and X-Justification; bad input refused."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Factory
from tests.records.helpers import HEADERS
from tests.search.conftest import World

HIT_ONLY = [{"scope": "agency", "agency": "NCB-NL", "level": "hit_only"}]


def test_the_api_answers_typed_results_and_counts(
    client: TestClient, factory: Factory, world: World
) -> None:
    own = world.person("Ilya Kestrel")
    hit = world.person("Otto Kestrel", by="de", shares=HIT_ONLY)
    case = world.case("Operation Kestrel")
    world.db.commit()
    token = factory.bearer(world.users["nl"])
    answer = client.get("/api/search", params={"q": "Kestrel"}, headers=token | HEADERS)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    counts = {t["kind"]: t["count"] for t in body["tallies"]}
    assert counts == {"record": 2, "case": 1, "notice": 0, "message": 0, "request": 0, "asset": 0}
    records = {r["reference"]: r for r in body["results"] if r["kind"] == "record"}
    assert records[own]["title"] == "Ilya Kestrel"
    assert records[hit] == {
        "kind": "record",
        "access": "hit_only",
        "reference": hit,
        "title": None,
        "snippet": None,
        "schema": "Person",
        "agency": "NCB-DE",
        "link": f"/records/{hit}",
        "date": None,
    }
    (found,) = [r for r in body["results"] if r["kind"] == "case"]
    assert (found["reference"], found["date"]) == (case.reference, "2026-01-15")

    cases = client.get("/api/search", params={"q": "Kestrel", "type": "case"}, headers=token)
    assert [r["kind"] for r in cases.json()["results"]] == ["case"]

    # Without a purpose, records and notices are not searched and say why.
    bare = client.get("/api/search", params={"q": "Kestrel"}, headers=token).json()
    waiting = [t["kind"] for t in bare["tallies"] if t["needs_context"]]
    assert waiting == ["record", "notice"]
    assert {r["kind"] for r in bare["results"]} == {"case"}


def test_the_api_refuses_bad_input(client: TestClient, factory: Factory, world: World) -> None:
    token = factory.bearer(world.users["nl"])
    for params, headers in (
        ({"q": ""}, {}),
        ({"q": "x" * 201}, {}),
        ({"q": "Kestrel", "type": "planet"}, {}),
        ({"q": "Kestrel"}, {"X-Purpose": "curiosity", "X-Justification": "because"}),
        ({"q": "Kestrel"}, {"X-Purpose": "criminal_investigation"}),
    ):
        answer = client.get("/api/search", params=params, headers=token | headers)
        assert answer.status_code == 422, (params, headers, answer.text)
    assert client.get("/api/search", params={"q": "Kestrel"}).status_code == 401
