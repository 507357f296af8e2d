"""The exchange's HTTP routes, through the app with bearer tokens."""

from __future__ import annotations

import base64

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.exchange import crypto
from palermo.identity import repository
from palermo.identity.keys import load_or_create_node_key
from palermo.models.audit import AuditEvent
from palermo.settings import Settings
from tests.conftest import Factory
from tests.exchange.conftest import Desk


def bearer(factory: Factory, db: Session, username: str) -> dict[str, str]:
    user = repository.user_by_username(db, username)
    assert user is not None
    return factory.bearer(user)


def test_send_list_read_acknowledge_and_download(
    client: TestClient, db: Session, factory: Factory, desks: dict[str, Desk]
) -> None:
    de, fr = bearer(factory, db, "ncb-de.officer"), bearer(factory, db, "ncb-fr.officer")
    sent = client.post(
        "/api/messages",
        json={
            "recipients": ["ncb-fr"],
            "subject": "Stolen excavator, VIN WCAT0329HMSR01225",
            "body": "Seen on a low-loader at the Kehl crossing.",
            "priority": "immediate",
            "handling_code": "H3",
            "handling_note": "Do not contact the haulier.",
            "tlp": "AMBER",
            "evaluation": "A2",
            "attachments": [
                {
                    "name": "photo.jpg",
                    "media_type": "image/jpeg",
                    "content_base64": base64.b64encode(b"\xff\xd8\xff\xe0jpeg").decode(),
                },
                {
                    "name": "отчёт.txt",
                    "media_type": "text/plain\r\nX-Injected: 1",
                    "content_base64": base64.b64encode("протокол".encode()).decode(),
                },
            ],
        },
        headers=de,
    )
    assert sent.status_code == 201, sent.text
    message = sent.json()
    assert message["handling_note"] == "Do not contact the haulier."
    assert (message["recipients"], message["deliveries"]) == (["NCB-FR"], [])  # no peer
    inbox = client.get("/api/messages", headers=fr).json()
    assert [(m["subject"], m["opened"], m["attachments"]) for m in inbox] == [
        ("Stolen excavator, VIN WCAT0329HMSR01225", False, 2)
    ]
    read = client.get(f"/api/messages/{message['id']}", headers=fr).json()
    assert read["body"] == "Seen on a low-loader at the Kehl crossing."
    assert read["signature_verified"] is True
    blob = read["attachment_files"][0]["blob"]
    download = client.get(f"/api/messages/{message['id']}/attachments/{blob}", headers=fr)
    assert download.content == b"\xff\xd8\xff\xe0jpeg"
    assert 'filename="photo.jpg"' in download.headers["content-disposition"]
    report = read["attachment_files"][1]["blob"]
    cyrillic = client.get(f"/api/messages/{message['id']}/attachments/{report}", headers=fr)
    assert cyrillic.content.decode() == "протокол"
    assert (
        "filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.txt"
        in cyrillic.headers["content-disposition"]
    )
    assert cyrillic.headers["content-type"] == "application/octet-stream"  # not injected
    assert client.post(f"/api/messages/{message['id']}/acknowledge", headers=fr).status_code == 204
    receipts = client.get(f"/api/messages/{message['id']}", headers=de).json()["receipts"]
    assert [r["kind"] for r in receipts] == ["delivered", "opened", "acknowledged"]
    thread = client.get(f"/api/threads/{message['thread_id']}", headers=fr).json()
    assert [m["id"] for m in thread] == [message["id"]]


def test_refusals_name_what_was_wrong(
    client: TestClient, db: Session, factory: Factory, desks: dict[str, Desk]
) -> None:
    de, fr = bearer(factory, db, "ncb-de.officer"), bearer(factory, db, "ncb-fr.officer")
    bad = client.post(
        "/api/messages",
        json={
            "recipients": ["NCB-FR"],
            "subject": "x",
            "attachments": [{"name": "a", "content_base64": "%%%"}],
        },
        headers=de,
    )
    assert bad.status_code == 422
    assert "not valid base64" in bad.json()["error"]["message"]
    h2 = client.post(
        "/api/messages",
        json={"recipients": ["NCB-FR"], "subject": "Lead", "handling_code": "H2"},
        headers=de,
    ).json()
    refused = client.post(
        f"/api/messages/{h2['id']}/forward", json={"recipients": ["NCB-IT"]}, headers=fr
    )
    assert refused.status_code == 403
    assert "consent" in refused.json()["error"]["message"]
    granted = client.post(
        f"/api/messages/{h2['id']}/consents",
        json={"agency": "NCB-FR", "scope": "forward"},
        headers=de,
    )
    assert granted.status_code == 201, granted.text
    forwarded = client.post(
        f"/api/messages/{h2['id']}/forward", json={"recipients": ["NCB-IT"]}, headers=fr
    )
    assert forwarded.status_code == 201, forwarded.text
    assert client.get("/api/messages?folder=trash", headers=fr).status_code == 422
    assert client.get("/api/messages").status_code == 401


def test_the_directory_is_signed_by_the_node_key(
    client: TestClient, desks: dict[str, Desk], settings: Settings
) -> None:
    document = client.get("/federation/directory").json()
    signature = document.pop("signature")
    public = load_or_create_node_key(settings).public_bytes
    crypto.verify(public, crypto.unb64(signature, "signature"), crypto.canonical(document))
    agencies = {a["code"]: a for a in document["agencies"]}
    assert {"NCB-DE", "NCB-FR", "NCB-IT"} <= set(agencies)
    assert {k["use"] for k in agencies["NCB-DE"]["keys"]} == {"encryption", "signing"}
    assert all("private" not in k and "sealed" not in str(k) for k in agencies["NCB-DE"]["keys"])


def test_envelopes_from_nobody_are_refused(client: TestClient, desks: dict[str, Desk]) -> None:
    empty = client.post("/federation/envelopes", json={"envelopes": []})
    assert empty.status_code == 422
    answer = client.post(
        "/federation/envelopes",
        json={"envelopes": [{"id": "x"}, "not an envelope"]},
    ).json()["results"]
    assert [a["outcome"] for a in answer] == ["refused", "refused"]
    assert "malformed envelope" in answer[0]["reason"]


def test_a_flood_of_unsigned_envelopes_costs_one_audit_line(
    client: TestClient, db: Session, desks: dict[str, Desk]
) -> None:
    forged = [
        {
            "id": str(n),
            "kind": "message",
            "from": f"NODE-{n}",
            "to": "x",
            "created_at": "",
            "body": {},
            "signature": "",
        }
        for n in range(500)
    ]
    answer = client.post("/federation/envelopes", json={"envelopes": forged}).json()["results"]
    assert {a["outcome"] for a in answer} == {"refused"}
    events = list(db.scalars(select(AuditEvent).where(AuditEvent.action.like("federation.%"))))
    assert len(events) == 1
    [event] = events
    assert (event.action, event.outcome) == ("federation.receive.message", "deny")
    assert '"envelopes":500' in event.entry
