"""Horizontal and vertical privilege escalation through the API, and the account changes
that must take effect on the very next request.

Covered elsewhere, not repeated here: another user's API token (tests/identity/test_tokens:
404 to revoke), revocation at once (test_tokens), lock-out after five failures and CSRF on
cookie requests (tests/identity/test_login), jobs of other agencies — network, linkage and
financial intelligence jobs all go through `background.agency_job` — (tests/jobs,
tests/network/test_api, tests/screening/test_screening_api), notifications
(tests/notifications/test_service), revoked grants (tests/policy/test_record_visibility),
partners and auditors on assets (tests/assets/test_bad_input), system administration
(tests/test_errors).
"""

from __future__ import annotations

import uuid

import pyotp
from sqlalchemy import update

from palermo.identity.roles import Role
from palermo.models.identity import User, UserRole
from tests.conftest import PASSWORD
from tests.security.conftest import PURPOSE, World

# Germany's objects, as URLs France might guess or be handed: method, URL template, body.
FOREIGN = [
    ("GET", "/api/records/{restricted_record}", None),
    ("PATCH", "/api/records/{restricted_record}", {"properties": {"name": ["X"]}}),
    ("DELETE", "/api/records/{restricted_record}?reason=wrongly+recorded", None),
    ("GET", "/api/records/{restricted_record}/history", None),
    ("GET", "/api/cases/{case}", None),
    ("PATCH", "/api/cases/{case}/tasks/1", {"status": "done", "result": "found"}),
    ("POST", "/api/cases/{case}/members", {"agency": "NCB-FR", "legal_basis": "CPP"}),
    ("GET", "/api/cases/{case}/evidence", None),
    ("GET", "/api/cases/{case}/evidence/{evidence}", None),
    ("GET", "/api/cases/{case}/evidence/{evidence}/content", None),
    ("GET", "/api/notices/{notice}", None),
    ("POST", "/api/notices/{notice}/withdraw", {}),
    ("GET", "/api/messages/{message}", None),
    ("GET", "/api/threads/{thread}", None),
    ("GET", "/api/messages/{message}/attachments/{blob}", None),
    ("POST", "/api/messages/{message}/acknowledge", None),
    ("GET", "/api/assets/{asset}", None),
    (
        "POST",
        "/api/assets/{asset}/valuations",
        {"amount": "1", "currency": "EUR", "valued_on": "2026-01-02"},
    ),
    ("GET", "/api/requests/{request}", None),
    ("POST", "/api/requests/{request}/withdraw", {"reasons": "no longer needed"}),
]


def _call(world: World, method: str, url: str, by: str, body: object) -> tuple[int, dict]:
    answer = world.client.request(method, url, json=body, headers=world.as_(by))
    return answer.status_code, answer.json()


def test_another_agencys_objects_are_not_found(world: World) -> None:
    """404 whoever asks from France, or 403 for a role that never does this whatever the
    object (a made-up id gets the same) — never anything that confirms that it exists."""
    made_up = {
        k: f"ncb-de.{uuid.uuid4().hex}" if k.endswith("record") else str(uuid.uuid4())
        for k in world.ids
    }
    wrong = []
    for method, template, body in FOREIGN:
        url = template.format(**world.ids)
        if method == "GET":  # the URL is right: its owner reads it
            owner = "de.prosecutor" if "requests" in template else "de.officer"
            assert world.client.get(url, headers=world.as_(owner)).status_code == 200, url
        for username in ("fr.officer", "fr.supervisor", "fr.prosecutor", "bank.mlro"):
            status, answer = _call(world, method, url, username, body)
            guessed, other = _call(world, method, template.format(**made_up), username, body)
            code = answer["error"]["code"]
            if status not in (403, 404) or (status, code) != (guessed, other["error"]["code"]):
                wrong.append(f"{method} {template} as {username}: {status} {answer}")
    assert not wrong, "\n".join(wrong)


def test_what_the_envelope_shares_is_shown_as_it_says(world: World) -> None:
    fr = world.as_("fr.officer")
    shared = world.client.get(f"/api/records/{world.ids['shared_record']}", headers=fr).json()
    assert (shared["access"], shared["properties"]["name"]) == ("full", ["Dieter Kramm"])
    hit = world.client.get(f"/api/records/{world.ids['hit_only_record']}", headers=fr).json()
    assert hit == {
        "access": "hit_only",
        "id": world.ids["hit_only_record"],
        "schema": "Person",
        "owner_agency": "NCB-DE",
    }
    listed = world.client.get("/api/records", headers=fr).json()["items"]
    assert {r["id"]: r["access"] for r in listed} == {
        world.ids["fr_record"]: "full",
        world.ids["shared_record"]: "full",
        world.ids["hit_only_record"]: "hit_only",
    }


CASE = {"title": "Operation Mole", "offences": ["0601"], "legal_basis": "CPP art. 75"}
AGENCY = {"code": "FR-MOLE", "name": "Mole", "kind": "police", "country": "FR"}
ADMIN = {
    "username": "mole",
    "display_name": "Mole",
    "agency": "NCB-FR",
    "roles": ["agency_admin"],
    "password": "a long enough password",
}
MESSAGE = {"recipients": ["NCB-DE"], "subject": "Kehl", "body": "Call me."}
# Acts of one role attempted by another: (who, method, URL, body).
ABOVE_ONES_ROLE = [
    # an officer does not administer users or agencies, nor read the audit log
    ("fr.officer", "POST", "/api/users", ADMIN),
    ("fr.analyst", "POST", "/api/users/fr.officer/reset-mfa", None),
    ("fr.officer", "GET", "/api/audit/events", None),
    ("fr.officer", "POST", "/api/agencies", AGENCY),
    # an agency administrator does not register agencies (system administration)
    ("fr.admin", "POST", "/api/agencies", AGENCY),
    # an auditor reads the log, not the intelligence
    ("fr.auditor", "POST", "/api/cases", CASE),
    ("fr.auditor", "POST", "/api/messages", MESSAGE),
    # a bank screens and reports; it works no case, notice, request or asset
    ("bank.mlro", "POST", "/api/cases", CASE),
    ("bank.mlro", "GET", "/api/requests", None),
    ("bank.mlro", "GET", "/api/notices", None),
]


def test_a_role_cannot_do_what_another_role_does(world: World) -> None:
    wrong = []
    for username, method, url, body in ABOVE_ONES_ROLE:
        answer = world.client.request(method, url, json=body, headers=world.as_(username))
        refused = answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden"
        nothing = answer.json() in ([], {"total": 0, "items": []})
        if not refused and not (method == "GET" and nothing):
            wrong.append(f"{method} {url} as {username}: {answer.status_code} {answer.text}")
    assert not wrong, "\n".join(wrong)


def test_officers_cannot_widen_restrictions_only_supervisors_can(world: World) -> None:
    url = f"/api/records/{world.ids['fr_record']}"
    everyone = {
        "envelope": {
            "legal_basis": "CPP art. 230-6",
            "subject_category": "suspect",
            "purposes": ["criminal_investigation"],
            "shares": [{"scope": "country", "country": "DE"}],
        },
        "widen": True,
    }
    status, answer = _call(world, "PATCH", url, "fr.officer", everyone)
    assert status == 403, answer
    assert _call(world, "PATCH", url, "fr.supervisor", everyone)[0] == 200


def test_a_partner_reaches_no_police_data(world: World) -> None:
    bank = world.as_("bank.mlro")
    listed = world.client.get("/api/records", headers=bank).json()["items"]
    assert [(r["id"], r["access"]) for r in listed] == [(world.ids["hit_only_record"], "hit_only")]
    shared = world.client.get(f"/api/records/{world.ids['shared_record']}", headers=bank)
    assert shared.status_code == 404  # shared with the French bureau, not with French banks
    for url in ("/api/cases", "/api/messages", "/api/jobs"):
        answer = world.client.get(url, headers=bank)
        assert answer.status_code == 403 or answer.json() == [], (url, answer.text)
    assert world.client.get("/api/records/export", headers=bank).content == b""


def test_a_role_removed_takes_effect_on_the_next_request(world: World) -> None:
    token = world.as_("fr.supervisor")
    url = f"/api/records/{world.ids['fr_record']}"
    assert world.client.get(url, headers=token).status_code == 200
    _log_in(world, "fr.supervisor")
    assert world.client.get(url, headers=PURPOSE).status_code == 200

    user = world.users["fr.supervisor"]
    world.db.execute(update(UserRole).where(UserRole.user_id == user.id).values(role=Role.auditor))
    world.db.commit()
    assert world.client.get(url, headers=token).status_code == 404  # auditors read no records
    assert world.client.get(url, headers=PURPOSE).status_code == 404
    assert world.client.get("/api/audit/events", headers=token).status_code == 200


def test_a_deactivated_user_is_refused_on_the_next_request(world: World) -> None:
    token = world.as_("fr.officer")
    _log_in(world, "fr.officer")
    assert world.client.get("/api/me").status_code == 200
    world.db.execute(update(User).where(User.username == "fr.officer").values(active=False))
    world.db.commit()
    refused = world.client.get("/api/me", headers=token)
    assert (refused.status_code, refused.json()["error"]["code"]) == (401, "token_invalid")
    assert world.client.get("/api/me").status_code == 401


def _log_in(world: World, username: str) -> str:
    """Log in through the API as a browser does (the TOTP if the role needs one)."""
    body = {"username": username, "password": PASSWORD}
    if world.totp[username]:
        body["totp_code"] = pyotp.TOTP(world.totp[username]).now()
    answer = world.client.post("/api/auth/login", json=body)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["csrf_token"])
