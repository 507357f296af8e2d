"""The asset recovery API over HTTP: register, record orders, move, value, report; a refusal
is a 422 naming the reason; an asset one may not see is a 404."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from tests.assets.conftest import Desk, asset_in
from tests.conftest import Factory


def as_json(model: Any) -> dict[str, Any]:
    return model.model_dump(mode="json")


def test_an_asset_from_register_to_release_over_http(
    client: TestClient, desk: Desk, factory: Factory
) -> None:
    nl = factory.bearer(desk.users["nl"])
    today = date.today()
    created = client.post(
        "/api/assets",
        json=as_json(asset_in(valued_on=date(2025, 1, 10))),
        headers=nl,
    )
    assert created.status_code == 201, created.text
    asset = created.json()
    assert (asset["state"], asset["reporting_value"], asset["next_states"]) == (
        "identified",
        "1250000.00",
        ["traced", "frozen", "seized"],
    )
    order = client.post(
        "/api/assets/orders",
        json={
            "reference": "RB-ROT-2025-114",
            "kind": "freezing",
            "authority": "Rechtbank Rotterdam",
            "country": "NL",
            "issued_on": "2025-02-01",
            "expires_on": str(date(today.year + 1, 12, 31)),
            "assets": [asset["reference"]],
        },
        headers=nl,
    )
    assert order.status_code == 201, order.text
    refused = client.post(
        f"/api/assets/{asset['id']}/transitions",
        json={"to": "confiscated", "on": "2025-03-01", "order": order.json()["id"]},
        headers=nl,
    )
    assert refused.status_code == 409
    assert "cannot become confiscated" in refused.json()["error"]["message"]
    frozen = client.post(
        f"/api/assets/{asset['id']}/transitions",
        json={"to": "frozen", "on": "2025-03-01", "order": order.json()["id"]},
        headers=nl,
    )
    assert frozen.status_code == 201, frozen.text
    detail = frozen.json()
    assert detail["state"] == "frozen"
    assert detail["measure_expires_on"] == str(date(today.year + 1, 12, 31))
    assert [(e["to_state"], e["order"]) for e in detail["events"]] == [
        ("identified", None),
        ("frozen", "RB-ROT-2025-114"),
    ]
    costed = client.post(
        f"/api/assets/{asset['id']}/costs",
        json={
            "amount": "950.00",
            "currency": "EUR",
            "incurred_on": "2025-03-15",
            "category": "insurance",
        },
        headers=nl,
    )
    assert costed.json()["reconciliation"]["costs"] == "950.00"
    report = client.get("/api/assets/statistics", headers=nl).json()
    assert report["totals"] == [
        {"stage": "frozen", "year": 2025, "key": "", "assets": 1, "value": "1250000.00"}
    ]


def test_what_one_may_not_see_or_do_is_refused(
    client: TestClient, desk: Desk, factory: Factory
) -> None:
    asset = desk.asset()
    desk.db.commit()
    fr = factory.bearer(desk.users["fr"])
    assert client.get(f"/api/assets/{asset.id}", headers=fr).status_code == 404
    assert client.get("/api/assets", headers=fr).json() == []
    bank = factory.bearer(desk.users["bank"])
    assert client.post("/api/assets", json=as_json(asset_in()), headers=bank).status_code == 403
    negative = as_json(asset_in()) | {"value": "-1"}
    nl = factory.bearer(desk.users["nl"])
    answer = client.post("/api/assets", json=negative, headers=nl)
    assert answer.status_code == 422
    assert "negative" in answer.json()["error"]["message"]
    listed = client.get("/api/assets", params={"state": "identified"}, headers=nl).json()
    assert [a["reference"] for a in listed] == [asset.reference]
