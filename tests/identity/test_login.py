"""Log-in over the API: passwords, MFA, lock-out, idle expiry, CSRF and audit lines."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from palermo.deps import SESSION_COOKIE
from palermo.identity.roles import Role
from palermo.models.base import utcnow
from palermo.models.identity import User, WebSession
from tests.conftest import PASSWORD, Factory, audit_actions


def login(client: TestClient, username: str, password: str = PASSWORD, code: str | None = None):
    body = {"username": username, "password": password}
    if code is not None:
        body["totp_code"] = code
    return client.post("/api/auth/login", json=body)


def test_officer_logs_in_with_password_and_is_audited(
    client: TestClient, factory: Factory, db: Session
) -> None:
    factory.user("anna", Role.officer)
    response = login(client, "anna")
    assert response.status_code == 200, response.text
    assert response.json()["roles"] == ["officer"]
    me = client.get("/api/me")
    assert me.status_code == 200
    assert me.json()["username"] == "anna"
    assert "auth.login" in audit_actions(db)


@pytest.mark.parametrize("username", ["anna", "nobody"])
def test_wrong_password_and_unknown_user_look_alike_and_are_audited(
    client: TestClient, factory: Factory, db: Session, username: str
) -> None:
    factory.user("anna", Role.officer)
    response = login(client, username, "not the password")
    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "invalid_credentials",
        "message": "wrong username or password",
    }
    assert audit_actions(db)[-1] == "auth.login_failed"
    assert client.get("/api/me").status_code == 401


def test_five_failures_lock_the_account_for_ten_minutes(
    client: TestClient, factory: Factory, db: Session
) -> None:
    user, _ = factory.user("anna", Role.officer)
    for _ in range(5):
        assert login(client, "anna", "wrong password!").status_code == 401
    locked = login(client, "anna")  # the right password no longer helps
    assert locked.status_code == 423
    assert locked.json()["error"]["code"] == "account_locked"
    db.refresh(user)
    assert user.locked_until is not None
    remaining = user.locked_until - utcnow()
    assert timedelta(minutes=9) < remaining <= timedelta(minutes=10)
    assert audit_actions(db).count("auth.lockout") == 1
    assert audit_actions(db)[-1] == "auth.login_refused_locked"

    # Ten minutes later the account opens again.
    db.execute(update(User).where(User.id == user.id).values(locked_until=utcnow()))
    db.commit()
    assert login(client, "anna").status_code == 200


def test_a_success_resets_the_failure_count(client: TestClient, factory: Factory) -> None:
    factory.user("anna", Role.officer)
    for _ in range(4):
        login(client, "anna", "wrong password!")
    assert login(client, "anna").status_code == 200
    for _ in range(4):
        login(client, "anna", "wrong password!")
    assert login(client, "anna").status_code == 200


def test_supervisor_needs_a_valid_unused_totp_code(
    client: TestClient, factory: Factory, db: Session
) -> None:
    _, secret = factory.user("sam", Role.supervisor)
    assert secret is not None
    missing = login(client, "sam")
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "mfa_required"

    wrong = login(
        client, "sam", code="000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"]["message"] == "wrong one-time code"

    code = pyotp.TOTP(secret).now()
    assert login(client, "sam", code=code).status_code == 200
    replay = login(client, "sam", code=code)
    assert replay.status_code == 401
    assert replay.json()["error"]["message"] == "one-time code already used"
    assert audit_actions(db)[-1] == "auth.login_failed"


def test_wrong_totp_codes_count_towards_lockout(client: TestClient, factory: Factory) -> None:
    _, secret = factory.user("sam", Role.supervisor)
    totp = pyotp.TOTP(secret)
    bad = "123456" if totp.now() != "123456" else "654321"
    for _ in range(5):
        login(client, "sam", code=bad)
    assert login(client, "sam", code=totp.now()).status_code == 423


def test_idle_session_expires_after_thirty_minutes(
    client: TestClient, factory: Factory, db: Session
) -> None:
    factory.user("anna", Role.officer)
    assert login(client, "anna").status_code == 200
    assert client.get("/api/me").status_code == 200

    db.execute(update(WebSession).values(last_seen_at=utcnow() - timedelta(minutes=29)))
    db.commit()
    assert client.get("/api/me").status_code == 200  # activity refreshes the session

    db.execute(update(WebSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    db.commit()
    expired = client.get("/api/me")
    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == "session_expired"
    assert audit_actions(db)[-1] == "auth.session_expired"
    # Once ended, the session stays ended even if it is touched again.
    db.execute(update(WebSession).values(last_seen_at=utcnow()))
    db.commit()
    assert client.get("/api/me").status_code == 401


def test_logout_ends_the_session(client: TestClient, factory: Factory, db: Session) -> None:
    factory.user("anna", Role.officer)
    csrf = login(client, "anna").json()["csrf_token"]
    assert client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.get("/api/me").status_code == 401
    assert "auth.logout" in audit_actions(db)


def test_cookie_requests_that_change_state_need_the_csrf_token(
    client: TestClient, factory: Factory
) -> None:
    factory.user("anna", Role.officer)
    csrf = login(client, "anna").json()["csrf_token"]
    refused = client.post("/api/tokens", json={"name": "script"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    forged = client.post("/api/tokens", json={"name": "script"}, headers={"X-CSRF-Token": "x"})
    assert forged.status_code == 403
    accepted = client.post("/api/tokens", json={"name": "script"}, headers={"X-CSRF-Token": csrf})
    assert accepted.status_code == 201


def test_a_stale_cookie_with_a_malformed_form_is_told_to_log_in_first(
    client: TestClient, factory: Factory
) -> None:
    """The form is read (for its CSRF token) before the unit of work begins; a form that
    cannot be parsed must not tell an unknown caller more than that they are unknown."""
    malformed = {
        "content": b"--x\r\nnot a part",
        "headers": {"content-type": "multipart/form-data"},
    }
    client.cookies.set(SESSION_COOKIE, "stale")
    stale = client.post("/api/auth/logout", **malformed)
    assert stale.status_code == 401, stale.text
    factory.user("anna", Role.officer)
    login(client, "anna")
    known = client.post("/api/auth/logout", **malformed)
    assert known.status_code == 400, known.text


def test_disabled_user_cannot_log_in(client: TestClient, factory: Factory, db: Session) -> None:
    user, _ = factory.user("anna", Role.officer)
    user.active = False
    db.commit()
    assert login(client, "anna").status_code == 401


def test_an_expired_session_sends_htmx_requests_to_the_log_in_page(
    client: TestClient, factory: Factory, db: Session
) -> None:
    """A polling fragment must not get the log-in page swapped into it: HTMX is told to
    leave for the log-in page; a plain request is redirected as before."""
    factory.user("anna", Role.officer)
    login(client, "anna")
    db.execute(update(WebSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    db.commit()
    fragment = client.get("/agency", headers={"HX-Request": "true"}, follow_redirects=False)
    assert fragment.status_code == 204
    assert fragment.headers["HX-Redirect"] == "/login?next=/agency&expired=1"
    page = client.get("/agency", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login?next=/agency")
