"""The directory: who may register agencies and users, and with which roles."""

from __future__ import annotations

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from palermo.errors import Forbidden, Invalid
from palermo.identity import service
from palermo.identity.roles import AgencyKind, Role
from tests.conftest import PASSWORD, Factory, audit_actions


def test_roles_requiring_mfa_get_a_seed_at_creation(factory: Factory) -> None:
    for role in (Role.supervisor, Role.agency_admin, Role.auditor, Role.system_admin):
        user, secret = factory.user(f"u-{role.value.replace('_', '-')}", role)
        assert secret is not None
        assert user.totp_secret is not None
        assert secret.encode() not in user.totp_secret  # sealed at rest
    officer, secret = factory.user("plain", Role.officer)
    assert secret is None
    assert officer.totp_secret is None


def test_agency_admin_manages_only_their_agency(
    client: TestClient, factory: Factory, db: Session
) -> None:
    home = factory.agency("NCB-FR", country="FR")
    other = factory.agency("NCB-DE", country="DE")
    admin, _ = factory.user("chef", Role.agency_admin, agency=home)
    factory.user("bert", Role.officer, agency=other)
    headers = factory.bearer(admin)

    created = client.post(
        "/api/users",
        json={
            "username": "new.officer",
            "agency": "NCB-FR",
            "roles": ["officer", "analyst"],
            "password": "a long enough password",
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    assert created.json()["user"]["roles"] == ["analyst", "officer"]
    assert created.json()["totp_secret"] is None
    assert "user.create" in audit_actions(db)

    elsewhere = client.post(
        "/api/users",
        json={
            "username": "spy",
            "agency": "NCB-DE",
            "roles": ["officer"],
            "password": "a long enough password",
        },
        headers=headers,
    )
    assert elsewhere.status_code == 403
    escalate = client.post(
        "/api/users",
        json={
            "username": "root2",
            "agency": "NCB-FR",
            "roles": ["system_admin"],
            "password": "a long enough password",
        },
        headers=headers,
    )
    assert escalate.status_code == 403
    listed = {u["username"] for u in client.get("/api/users", headers=headers).json()}
    assert listed == {"chef", "new.officer"}


def test_officers_administer_nobody(client: TestClient, factory: Factory) -> None:
    officer, _ = factory.user("anna", Role.officer)
    headers = factory.bearer(officer)
    assert client.get("/api/users", headers=headers).json() == []
    assert client.post("/api/users/anna/reset-mfa", headers=headers).status_code == 403


def test_partner_role_is_for_private_partners_only(factory: Factory) -> None:
    bank = factory.agency("NL-BANK", kind=AgencyKind.private_partner, country="NL")
    police = factory.agency("NL-NP", kind=AgencyKind.police, country="NL")
    factory.user("compliance", Role.partner, agency=bank)
    with pytest.raises(Invalid, match="private partner hold only"):
        factory.user("banker", Role.analyst, agency=bank)
    with pytest.raises(Invalid, match="partner role belongs"):
        factory.user("cop", Role.partner, agency=police)


def test_weak_password_and_bad_username_are_refused(factory: Factory) -> None:
    agency = factory.agency()
    with pytest.raises(Invalid, match="at least 12 characters"):
        service.create_user(
            factory.db,
            principal=factory.operator,
            settings=factory.settings,
            credentials=factory.credentials,
            username="anna",
            display_name="",
            agency_code=agency.code,
            roles=[Role.officer],
            password="short",
        )
    with pytest.raises(Invalid, match="username"):
        factory.user("Anna Smith!", Role.officer, agency=agency)
    with pytest.raises(Invalid, match="unknown role 'boss'"):
        service.parse_roles(["boss"])


def test_reset_mfa_replaces_the_seed(client: TestClient, factory: Factory) -> None:
    agency = factory.agency()
    admin, _ = factory.user("chef", Role.agency_admin, agency=agency)
    _, old_secret = factory.user("sup", Role.supervisor, agency=agency)
    reset = client.post("/api/users/sup/reset-mfa", headers=factory.bearer(admin))
    assert reset.status_code == 200
    new_secret = reset.json()["totp_secret"]
    assert new_secret != old_secret
    assert reset.json()["totp_uri"].startswith("otpauth://totp/")

    def log_in(secret: str) -> int:
        return client.post(
            "/api/auth/login",
            json={"username": "sup", "password": PASSWORD, "totp_code": pyotp.TOTP(secret).now()},
        ).status_code

    if pyotp.TOTP(old_secret).now() != pyotp.TOTP(new_secret).now():
        assert log_in(old_secret) == 401
    assert log_in(new_secret) == 200


def test_agency_directory_filters(client: TestClient, factory: Factory) -> None:
    factory.agency("NCB-FR", kind=AgencyKind.national_central_bureau, country="FR")
    factory.agency("FR-FIU", kind=AgencyKind.fiu, country="FR")
    factory.agency("NCB-KE", kind=AgencyKind.national_central_bureau, country="KE")
    user, _ = factory.user("anna", Role.officer)
    headers = factory.bearer(user)
    french = client.get("/api/agencies?country=FR", headers=headers).json()
    assert {a["code"] for a in french} >= {"NCB-FR", "FR-FIU"}
    assert all(a["country"] == "FR" for a in french)
    ncbs = client.get("/api/agencies?kind=national_central_bureau", headers=headers).json()
    assert {a["code"] for a in ncbs} == {"NCB-FR", "NCB-KE"}
    assert client.get("/api/agencies/NCB-KE", headers=headers).json()["country"] == "KE"
    assert client.get("/api/agencies/NOPE", headers=headers).status_code == 404
    assert client.get("/api/agencies?kind=cartel", headers=headers).status_code == 422


def test_forbidden_is_for_roles_not_records(factory: Factory) -> None:
    officer, _ = factory.user("anna", Role.officer)
    principal = service.principal_for(
        service.repository.user_by_id(factory.db, officer.id),
        channel="cli",  # type: ignore[arg-type]
    )
    with pytest.raises(Forbidden):
        service.create_agency(
            factory.db,
            principal=principal,
            settings=factory.settings,
            code="ZZ-1",
            name="x",
            kind="police",
            country="FR",
        )
