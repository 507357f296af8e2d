"""Personal API tokens: hashed at rest, audited on use, revocable, expiring."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from palermo.errors import TokenInvalid
from palermo.identity.credentials import digest
from palermo.identity.roles import Role
from palermo.identity.service import authenticate_token
from palermo.models.base import utcnow
from palermo.models.identity import ApiToken, User, UserRole
from tests.conftest import PASSWORD, Factory, audit_actions


def issue_token(client: TestClient, username: str, **body: object) -> dict:
    response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    csrf = response.json()["csrf_token"]
    created = client.post(
        "/api/tokens", json={"name": "batch screening", **body}, headers={"X-CSRF-Token": csrf}
    )
    assert created.status_code == 201, created.text
    client.cookies.clear()
    return created.json()


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_token_authenticates_and_each_use_is_audited(
    client: TestClient, factory: Factory, db: Session
) -> None:
    factory.user("anna", Role.analyst)
    issued = issue_token(client, "anna")
    secret = issued["secret"]
    stored = db.get(ApiToken, uuid.UUID(issued["token"]["id"]))
    assert stored is not None
    assert stored.token_hash == digest(secret)
    assert secret not in repr(stored.__dict__)  # only the digest is kept

    me = client.get("/api/me", headers=bearer(secret))
    assert me.status_code == 200
    assert me.json()["channel"] == "token"
    assert audit_actions(db)[-1] == "auth.token_used"
    # Bearer requests carry no cookie, so they need no CSRF token.
    assert client.post("/api/tokens", json={"name": "x"}, headers=bearer(secret)).status_code == 201


def test_revoked_token_is_refused_at_once(
    client: TestClient, factory: Factory, db: Session
) -> None:
    factory.user("anna", Role.analyst)
    issued = issue_token(client, "anna")
    headers = bearer(issued["secret"])
    assert client.get("/api/me", headers=headers).status_code == 200
    revoked = client.delete(f"/api/tokens/{issued['token']['id']}", headers=headers)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    refused = client.get("/api/me", headers=headers)
    assert refused.status_code == 401
    assert refused.json()["error"] == {"code": "token_invalid", "message": "token revoked"}
    assert audit_actions(db)[-1] == "auth.token_refused"


def test_expired_token_is_refused(client: TestClient, factory: Factory, db: Session) -> None:
    factory.user("anna", Role.analyst)
    issued = issue_token(client, "anna", days=1)
    db.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.commit()
    refused = client.get("/api/me", headers=bearer(issued["secret"]))
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "token expired"


def test_unknown_and_malformed_tokens_are_refused(client: TestClient) -> None:
    assert client.get("/api/me", headers=bearer("plm_forged")).json()["error"]["code"] == (
        "token_invalid"
    )
    basic = client.get("/api/me", headers={"Authorization": "Basic YTpi"})
    assert basic.status_code == 401
    assert basic.headers["www-authenticate"] == "Bearer"


def test_token_lifetime_is_bounded(client: TestClient, factory: Factory) -> None:
    factory.user("anna", Role.analyst)
    csrf = client.post("/api/auth/login", json={"username": "anna", "password": PASSWORD}).json()[
        "csrf_token"
    ]
    too_long = client.post(
        "/api/tokens", json={"name": "forever", "days": 5000}, headers={"X-CSRF-Token": csrf}
    )
    assert too_long.status_code == 422
    assert "1-365 days" in too_long.json()["error"]["message"]


def test_users_cannot_revoke_each_others_tokens_but_their_admin_can(
    client: TestClient, factory: Factory
) -> None:
    agency = factory.agency("NCB-FR", country="FR")
    other = factory.agency("NCB-DE", country="DE")
    factory.user("anna", Role.analyst, agency=agency)
    factory.user("bert", Role.analyst, agency=other)
    _, chef_secret = factory.user("chef", Role.agency_admin, agency=agency)
    anna_token = issue_token(client, "anna")
    bert_token = issue_token(client, "bert")
    token_id = anna_token["token"]["id"]
    stranger = client.delete(f"/api/tokens/{token_id}", headers=bearer(bert_token["secret"]))
    assert stranger.status_code == 404  # not even its existence is confirmed
    assert client.get("/api/me", headers=bearer(anna_token["secret"])).status_code == 200

    login = client.post(
        "/api/auth/login",
        json={"username": "chef", "password": PASSWORD, "totp_code": pyotp.TOTP(chef_secret).now()},
    )
    assert login.status_code == 200
    by_admin = client.delete(
        f"/api/tokens/{token_id}", headers={"X-CSRF-Token": login.json()["csrf_token"]}
    )
    assert by_admin.status_code == 200
    assert client.get("/api/me", headers=bearer(anna_token["secret"])).status_code == 401


def test_a_tokens_rights_are_read_at_each_use_and_its_last_use_kept_to_the_minute(
    client: TestClient, factory: Factory, db: Session
) -> None:
    user, _ = factory.user("anna", Role.analyst, Role.officer)
    issued = issue_token(client, "anna")
    secret, token_id = issued["secret"], uuid.UUID(issued["token"]["id"])

    def last_use() -> datetime | None:
        return db.scalar(select(ApiToken.last_used_at).where(ApiToken.id == token_id))

    principal = authenticate_token(db, secret=secret, now=utcnow())
    db.commit()
    assert principal.roles == {Role.analyst, Role.officer}
    assert (principal.username, principal.channel) == ("anna", "token")
    first = last_use()
    assert first is not None
    authenticate_token(db, secret=secret, now=first + timedelta(seconds=59))
    db.commit()
    assert last_use() == first  # within the minute: the audit line says it, the row is kept
    authenticate_token(db, secret=secret, now=first + timedelta(seconds=61))
    db.commit()
    assert last_use() == first + timedelta(seconds=61)

    db.execute(delete(UserRole).where(UserRole.user_id == user.id, UserRole.role == Role.officer))
    db.commit()
    assert authenticate_token(db, secret=secret, now=utcnow()).roles == {Role.analyst}
    db.execute(update(User).where(User.id == user.id).values(active=False))
    db.commit()
    with pytest.raises(TokenInvalid, match="token owner disabled"):
        authenticate_token(db, secret=secret, now=utcnow())
