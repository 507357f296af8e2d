"""Sessions cannot be fixed by an attacker, and lock-out is per account.

Elsewhere: lock-out after five failures (tests/identity/test_login), CSRF on cookie
requests, idle and absolute expiry, revocation of tokens at once (tests/identity)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from palermo.deps import SESSION_COOKIE
from palermo.identity.roles import Role
from tests.conftest import PASSWORD, Factory


def log_in(client: TestClient, username: str, password: str = PASSWORD) -> int:
    answer = client.post("/api/auth/login", json={"username": username, "password": password})
    return answer.status_code


def holding(client: TestClient, cookie: str) -> TestClient:
    """The client with `cookie` as its only session cookie."""
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, cookie)
    return client


def test_a_cookie_set_before_log_in_is_never_adopted(client: TestClient, factory: Factory) -> None:
    factory.user("anna", Role.officer)
    planted = "attacker-chosen-session-value"
    answer = holding(client, planted).post(
        "/api/auth/login", json={"username": "anna", "password": PASSWORD}
    )
    issued = answer.cookies[SESSION_COOKIE]
    assert issued != planted
    assert holding(client, issued).get("/api/me").status_code == 200
    assert holding(client, planted).get("/api/me").status_code == 401  # it opens nothing

    again = holding(client, issued).post(
        "/api/auth/login", json={"username": "anna", "password": PASSWORD}
    )
    assert again.cookies[SESSION_COOKIE] not in (issued, planted)  # each log-in, a new one


def test_lock_out_is_per_account(client: TestClient, factory: Factory) -> None:
    factory.user("anna", Role.officer)
    factory.user("bert", Role.officer)
    for _ in range(5):
        assert log_in(client, "anna", "wrong password!") == 401
    assert log_in(client, "anna") == 423
    assert log_in(client, "bert") == 200  # one account's attacker locks no one else
