"""Injection: SQL metacharacters in search terms and ids, template syntax in what users
write, CR/LF in values that end up in headers, and paths in attachment names.

Elsewhere: a stored media type cannot smuggle a header (tests/exchange/test_api), `next`
never redirects off-site (tests/web/test_i18n), DTDs and external entities are refused by
every XML reader of uploads (tests/finintel/test_goaml, tests/screening/test_list_parsers),
oversized bodies get 413 announced or streamed (tests/test_errors).
"""

from __future__ import annotations

import base64
from urllib.parse import quote

from fastapi.testclient import TestClient

from palermo.deps import MAX_OFFSET
from palermo.identity.roles import Role
from tests.conftest import PASSWORD, Factory
from tests.security.conftest import PURPOSE, World
from tests.security.oracle import leaks, principal_now

SQL = ["' OR '1'='1", "x'; DROP TABLE records; --", '" OR 1=1 --', "%' OR owner LIKE '%", "\\'"]


def test_sql_metacharacters_are_data_not_sql(world: World) -> None:
    fr = world.as_("fr.officer")
    principal = principal_now(world.db, "fr.officer")
    for term in SQL:
        for url, params in [
            ("/api/records", {"q": term}),
            ("/api/search", {"q": term}),
            ("/api/cases", {"q": term}),
            ("/api/notices", {"q": term}),
        ]:
            answer = world.client.get(url, params=params, headers=fr)
            assert answer.status_code in (200, 422), (url, term, answer.text)
            assert leaks(world.db, principal, answer.json()) == [], (url, term)
        restricted = f"{world.ids['restricted_record']}{term}"
        by_id = world.client.get(f"/api/records/{quote(restricted, safe='')}", headers=fr)
        assert by_id.status_code == 404, term
    owner = world.as_("de.officer")
    restricted = world.client.get(f"/api/records/{world.ids['restricted_record']}", headers=owner)
    assert restricted.status_code == 200  # nothing was dropped


def test_template_syntax_in_a_record_is_shown_as_typed(world: World) -> None:
    typed = "{{ 7*7 }} {% for x in range(3) %}x{% endfor %} <script>alert(1)</script>"
    body = {
        "entity": {"schema": "Person", "properties": {"name": [typed]}},
        "envelope": {"legal_basis": "CPP art. 230-6", "subject_category": "suspect"},
    }
    record_id = world.post("/api/records", "fr.officer", json=body)["id"]
    csrf = world.client.post(
        "/api/auth/login", json={"username": "fr.officer", "password": PASSWORD}
    ).json()["csrf_token"]
    context = {**{k[2:].lower(): v for k, v in PURPOSE.items()}, "csrf_token": csrf}
    assert world.client.post("/context", data=context, follow_redirects=False).status_code == 303

    html = world.client.get(f"/records/{record_id}").text
    assert "{{ 7*7 }} {% for x in range(3) %}x{% endfor %}" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_cr_and_lf_never_split_a_header(world: World) -> None:
    name = "report.txt\r\nSet-Cookie: palermo_session=stolen\r\nX-Injected: 1"
    sent = world.post(
        "/api/messages",
        "de.officer",
        json={
            "recipients": ["NCB-FR"],
            "subject": "Kehl",
            "attachments": [
                {
                    "name": name,
                    "media_type": "text/plain",
                    "content_base64": base64.b64encode(b"ledger").decode(),
                }
            ],
        },
    )
    fr = world.as_("fr.officer")
    read = world.client.get(f"/api/messages/{sent['id']}", headers=fr).json()
    blob = read["attachment_files"][0]["blob"]
    download = world.client.get(f"/api/messages/{sent['id']}/attachments/{blob}", headers=fr)
    assert download.content == b"ledger"
    assert "x-injected" not in download.headers
    assert "set-cookie" not in download.headers
    assert "\r" not in download.headers["content-disposition"]
    assert "\n" not in download.headers["content-disposition"]

    away = world.client.get(
        "/language/fr",
        params={"next": "/records\r\nSet-Cookie: palermo_session=stolen"},
        follow_redirects=False,
    )
    assert away.status_code == 303
    assert "\r" not in away.headers["location"]
    assert "\n" not in away.headers["location"]
    assert "stolen" not in away.headers.get("set-cookie", "")


def test_a_path_in_an_attachment_reaches_no_file(world: World) -> None:
    fr = world.as_("de.officer")
    message = world.ids["message"]
    for blob in ("../../palermo.sqlite3", "..%2F..%2Fpalermo.sqlite3", "/etc/passwd"):
        answer = world.client.get(f"/api/messages/{message}/attachments/{blob}", headers=fr)
        assert answer.status_code in (404, 422), (blob, answer.text)  # a JSON refusal
        assert answer.json()["error"]["code"] in ("not_found", "invalid")
    for name in ("../../../etc/passwd", "..\\..\\boot.ini"):
        sent = world.post(
            "/api/messages",
            "de.officer",
            json={
                "recipients": ["NCB-FR"],
                "subject": "Kehl",
                "attachments": [
                    {
                        "name": name,
                        "media_type": "text/plain",
                        "content_base64": base64.b64encode(b"ledger").decode(),
                    }
                ],
            },
        )
        read = world.client.get(f"/api/messages/{sent['id']}", headers=fr).json()
        (attached,) = read["attachment_files"]
        answer = world.client.get(
            f"/api/messages/{sent['id']}/attachments/{attached['blob']}", headers=fr
        )
        assert answer.content == b"ledger"  # the bytes stored, read by digest, not by name
        disposition = answer.headers["content-disposition"]
        assert "\\" not in disposition.split(";")[1]


def test_an_offset_past_any_table_is_refused_not_a_server_error(
    client: TestClient, factory: Factory
) -> None:
    """Found by schemathesis: an offset past 2**63 did not fit SQLite's integers (500)."""
    headers = {**factory.bearer(factory.user("fr.officer", Role.officer)[0]), **PURPOSE}
    case = client.post(
        "/api/cases",
        json={"title": "Operation Rhin", "offences": ["0601"], "legal_basis": "CPP art. 75"},
        headers=headers,
    ).json()
    for url in (
        "/api/records",
        "/api/cases",
        f"/api/cases/{case['id']}/evidence",
        "/api/assets",
        "/api/requests",
        "/api/notices",
    ):
        assert client.get(url, params={"offset": MAX_OFFSET}, headers=headers).status_code == 200
        refused = client.get(url, params={"offset": 2**63}, headers=headers)
        assert (refused.status_code, refused.json()["error"]["code"]) == (422, "invalid"), url
