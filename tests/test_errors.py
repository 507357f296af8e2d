"""Bad input gets a clear 4xx with a stable error code, and nothing is written."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palermo.identity.roles import Role
from palermo.models.identity import Agency
from tests.conftest import PASSWORD, Factory


def sysadmin_headers(factory: Factory) -> dict[str, str]:
    user, _ = factory.user("root", Role.system_admin)
    return factory.bearer(user)


def count_agencies(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Agency)) or 0


def test_malformed_json_is_a_400_naming_the_problem(client: TestClient) -> None:
    response = client.post(
        "/api/auth/login",
        content=b'{"username": "x",',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "malformed_body"
    assert body["details"][0]["type"] == "json_invalid"


def test_missing_fields_are_a_422_listing_each(client: TestClient) -> None:
    response = client.post("/api/auth/login", json={"username": "x"})
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "invalid"
    assert [d["location"] for d in body["details"]] == ["body.password"]


def test_oversized_bodies_are_refused_before_reading(client: TestClient, settings) -> None:
    too_big = b"x" * (settings.max_request_bytes + 1)
    announced = client.post(
        "/api/auth/login", content=too_big, headers={"content-type": "application/json"}
    )
    assert announced.status_code == 413
    assert announced.json()["error"]["code"] == "payload_too_large"

    def chunks():
        for _ in range(settings.max_request_bytes // 65536 + 2):
            yield b"x" * 65536

    streamed = client.post(
        "/api/auth/login", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413


def test_unknown_routes_and_methods(client: TestClient) -> None:
    missing = client.get("/api/no-such-thing")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    wrong_method = client.put("/api/auth/login")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"


def test_unauthenticated_api_calls_are_401(client: TestClient) -> None:
    response = client.get("/api/agencies")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_unknown_country_or_kind_is_refused_and_nothing_written(
    client: TestClient, factory: Factory, db: Session
) -> None:
    headers = sysadmin_headers(factory)
    before = count_agencies(db)
    bad_country = client.post(
        "/api/agencies",
        json={"code": "NCB-QQ", "name": "Nowhere", "kind": "police", "country": "QQ"},
        headers=headers,
    )
    assert bad_country.status_code == 422
    assert "unknown country code 'QQ'" in bad_country.json()["error"]["message"]
    bad_kind = client.post(
        "/api/agencies",
        json={"code": "NCB-FR2", "name": "France", "kind": "militia", "country": "FR"},
        headers=headers,
    )
    assert bad_kind.status_code == 422
    assert "unknown agency kind 'militia'" in bad_kind.json()["error"]["message"]
    assert count_agencies(db) == before

    created = client.post(
        "/api/agencies",
        json={
            "code": "ncb-br",
            "name": "NCB Brasília",
            "kind": "national_central_bureau",
            "country": "bra",
        },
        headers=headers,
    )
    assert created.status_code == 201
    assert created.json()["code"] == "NCB-BR"
    assert created.json()["country"] == "BR"
    duplicate = client.post(
        "/api/agencies",
        json={"code": "NCB-BR", "name": "again", "kind": "police", "country": "BR"},
        headers=headers,
    )
    assert duplicate.status_code == 409
    assert count_agencies(db) == before + 1


def test_only_system_admins_register_agencies(client: TestClient, factory: Factory) -> None:
    factory.user("anna", Role.officer)
    csrf = client.post("/api/auth/login", json={"username": "anna", "password": PASSWORD}).json()[
        "csrf_token"
    ]
    response = client.post(
        "/api/agencies",
        json={"code": "X-1", "name": "X", "kind": "police", "country": "FR"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_security_headers_on_every_response(client: TestClient) -> None:
    for path in ("/healthz", "/login", "/api/me"):
        headers = client.get(path).headers
        assert "default-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


def test_openapi_declares_the_error_envelope(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "Error" in schema["components"]["schemas"]
    login = schema["paths"]["/api/auth/login"]["post"]["responses"]
    assert {"401", "423"} <= set(login)
    assert "invalid_credentials" in login["401"]["description"]
