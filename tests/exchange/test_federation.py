"""Receiving a peer's envelopes, in process: what is accepted, what is refused and why.

A peer node NODE-X is simulated in the test database: its agency AG-X gets its keys made
here, then moves to NODE-X, so the test can seal and sign as that agency and that node.
(Real nodes over HTTP are exercised in test_nodes.py.)"""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from palermo.exchange import crypto, envelopes, federation, messages, reading
from palermo.exchange.keys import Keyring
from palermo.identity import repository
from palermo.identity.keys import NodeKey
from palermo.models.base import utcnow
from palermo.models.exchange import InboxEntry, Message, MessageReceipt
from palermo.models.identity import Agency
from tests.conftest import audit_actions
from tests.exchange.conftest import Desk, Peer

MAX_ATTACHMENT = 64 * 1024


def sealed_from_peer(db: Session, keyring: Keyring, peer: Peer, **fields: Any) -> messages.Sealed:
    draft = messages.Draft.of(
        **(
            {
                "recipients": ["NCB-FR"],
                "subject": "Lead from Spain",
                "body": "Go-fast boat landed at Barbate",
                "max_attachment_bytes": MAX_ATTACHMENT,
                "today": utcnow().date(),
            }
            | fields
        )
    )
    recipients = list(db.scalars(select(Agency).where(Agency.code.in_(draft.recipients))))
    return messages.seal(
        db,
        keyring,
        sender=peer.agency,
        recipients=recipients,
        draft=draft,
        thread_id=uuid.uuid4(),
        forwarded=None,
        local_node="NODE-X",
        now=utcnow(),
    )


def envelope(peer: Peer, body: dict[str, Any], *, kind: str = "message") -> dict[str, Any]:
    return envelopes.build(
        peer.key, kind=kind, sender="NODE-X", receiver="NODE-LOCAL", body=body, now=utcnow()
    )


def receive(db: Session, env: Any) -> dict[str, Any]:
    local = repository.local_node(db)
    assert local is not None
    answer = federation.receive(
        db,
        env,
        federation.Receiving(local=local, now=utcnow(), max_attachment_bytes=MAX_ATTACHMENT),
    )
    db.commit()
    return answer


def messages_held(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Message)) or 0


def test_a_peer_message_is_verified_stored_and_readable(
    db: Session, keyring: Keyring, peer: Peer, desks: dict[str, Desk]
) -> None:
    sealed = sealed_from_peer(
        db, keyring, peer, attachments=[messages.Attachment("photo.jpg", "image/jpeg", b"\xff\xd8")]
    )
    env = envelope(peer, messages.message_body(sealed, {"NCB-FR"}))
    assert receive(db, env) == {"id": env["id"], "outcome": "accepted", "reason": None}
    view = reading.view(
        db,
        keyring,
        principal=desks["NCB-FR"].principal,
        message_id=uuid.UUID(sealed.header["id"]),
        now=utcnow(),
    )
    assert (view.sender, view.sender_node, view.body) == (
        "AG-X",
        "NODE-X",
        "Go-fast boat landed at Barbate",
    )
    assert view.signature_verified
    receipts = db.scalars(select(MessageReceipt.kind)).all()
    assert "delivered" in receipts
    assert {"federation.receive.message", "message.receive"} <= set(audit_actions(db))
    # The same envelope again (a retry after a lost answer) is not applied twice.
    again = receive(db, env)
    assert again["outcome"] == "duplicate"
    assert messages_held(db) == 1


def refusal(db: Session, env: Any) -> str:
    answer = receive(db, env)
    assert answer["outcome"] == "refused"
    assert messages_held(db) == 0
    return str(answer["reason"])


def test_tampered_copies_and_attachments_are_refused(
    db: Session, keyring: Keyring, peer: Peer
) -> None:
    sealed = sealed_from_peer(
        db, keyring, peer, attachments=[messages.Attachment("a.txt", "text/plain", b"evidence")]
    )
    body = messages.message_body(sealed, {"NCB-FR"})
    altered = copy.deepcopy(body)
    ciphertext = bytearray(crypto.unb64(altered["copies"]["NCB-FR"], "copy"))
    ciphertext[-1] ^= 1
    altered["copies"]["NCB-FR"] = crypto.b64(bytes(ciphertext))
    assert "the copy for NCB-FR is not the one signed" in refusal(db, envelope(peer, altered))
    swapped = copy.deepcopy(body)
    swapped["blobs"] = {next(iter(body["blobs"])): crypto.b64(b"another file")}
    assert "does not match" in refusal(db, envelope(peer, swapped))
    relabelled = copy.deepcopy(body)
    relabelled["header"]["tlp"] = "CLEAR"
    assert "is not signed by agency AG-X" in refusal(db, envelope(peer, relabelled))
    rows = db.scalars(select(InboxEntry.outcome)).all()
    assert rows == ["refused"] * 3  # recorded on the receiving side too
    assert "federation.receive.message" in audit_actions(db)


def test_node_signature_peer_and_address_are_checked_first(
    db: Session, keyring: Keyring, peer: Peer
) -> None:
    body = messages.message_body(sealed_from_peer(db, keyring, peer), {"NCB-FR"})
    forged = envelope(peer, body)
    forged["body"]["header"]["priority"] = "immediate"  # after signing
    assert "bad signature" in refusal(db, forged)
    stranger = Peer(NodeKey(Ed25519PrivateKey.generate()), peer.node, peer.agency)
    unknown = envelopes.build(
        stranger.key,
        kind="message",
        sender="NODE-Z",
        receiver="NODE-LOCAL",
        body=body,
        now=utcnow(),
    )
    assert "unknown peer 'NODE-Z'" in refusal(db, unknown)
    elsewhere = envelopes.build(
        peer.key, kind="message", sender="NODE-X", receiver="NODE-Y", body=body, now=utcnow()
    )
    assert "addressed to node 'NODE-Y'" in refusal(db, elsewhere)
    # None of these was signed by a known peer: none may claim an id in the inbox.
    assert db.scalar(select(func.count()).select_from(InboxEntry)) == 0


def test_a_replayed_id_with_other_content_is_refused(
    db: Session, keyring: Keyring, peer: Peer
) -> None:
    first = envelope(peer, messages.message_body(sealed_from_peer(db, keyring, peer), {"NCB-FR"}))
    assert receive(db, first)["outcome"] == "accepted"
    other = sealed_from_peer(db, keyring, peer, subject="Another")
    replay = envelopes.build(
        peer.key,
        kind="message",
        sender="NODE-X",
        receiver="NODE-LOCAL",
        body=messages.message_body(other, {"NCB-FR"}),
        now=utcnow(),
        envelope_id=uuid.UUID(first["id"]),
    )
    answer = receive(db, replay)
    assert answer["outcome"] == "refused"
    assert "replay" in str(answer["reason"])
    assert messages_held(db) == 1


@pytest.mark.parametrize(
    ("spoil", "complaint"),
    [
        (lambda b: b.pop("header"), "not a version 1 header"),
        (lambda b: b["header"].update(priority="whenever"), "priority 'whenever'"),
        (lambda b: b["header"].update(sent_at="yesterday"), "not ISO 8601"),
        (lambda b: b.update(copies="nope"), "copies must be an object"),
        (lambda b: b["copies"].update({"NCB-FR": "***"}), "not valid base64"),
        (lambda b: b.update(copies={}), "no copy for an agency hosted"),
    ],
)
def test_malformed_messages_are_refused(
    db: Session, keyring: Keyring, peer: Peer, spoil: Any, complaint: str
) -> None:
    body = messages.message_body(sealed_from_peer(db, keyring, peer), {"NCB-FR"})
    spoil(body)
    assert complaint in refusal(db, envelope(peer, body))


def test_an_oversized_attachment_is_refused(db: Session, keyring: Keyring, peer: Peer) -> None:
    """Signed and intact, but larger than this node accepts (the sender's node allowed it)."""
    big = messages.Attachment("dump.bin", "application/octet-stream", b"x" * (MAX_ATTACHMENT + 1))
    sealed = sealed_from_peer(db, keyring, peer, attachments=[big], max_attachment_bytes=10**7)
    complaint = refusal(db, envelope(peer, messages.message_body(sealed, {"NCB-FR"})))
    assert f"NODE-LOCAL accepts at most {MAX_ATTACHMENT + 28}" in complaint


def test_a_sender_must_be_hosted_by_the_sending_peer(
    db: Session, keyring: Keyring, peer: Peer, desks: dict[str, Desk]
) -> None:
    sealed = sealed_from_peer(db, keyring, peer)
    db.execute(
        update(Agency)
        .where(Agency.id == peer.agency.id)
        .values(node_id=desks["NCB-FR"].agency.node_id)
    )
    db.commit()
    complaint = refusal(db, envelope(peer, messages.message_body(sealed, {"NCB-FR"})))
    assert "is not known here as hosted by NODE-X" in complaint


def test_receipts_and_consents_from_a_peer(
    db: Session, keyring: Keyring, peer: Peer, desks: dict[str, Desk]
) -> None:
    sent = messages.send(
        db,
        keyring,
        principal=desks["NCB-FR"].principal,
        draft=messages.Draft.of(
            recipients=["AG-X"],
            subject="To Spain",
            body="…",
            handling_code="H2",
            max_attachment_bytes=MAX_ATTACHMENT,
            today=utcnow().date(),
        ),
        now=utcnow(),
    )
    db.commit()
    opened = {
        "message": str(sent.id),
        "agency": "AG-X",
        "receipt": "opened",
        "at": utcnow().isoformat(),
    }
    assert receive(db, envelope(peer, opened, kind="receipt"))["outcome"] == "accepted"
    view = reading.view(
        db, keyring, principal=desks["NCB-FR"].principal, message_id=sent.id, now=utcnow()
    )
    assert ("AG-X", "opened") in {(r.agency, r.kind) for r in view.receipts}
    forged = opened | {"agency": "NCB-IT"}
    assert "is not known here as hosted by NODE-X" in str(
        receive(db, envelope(peer, forged, kind="receipt"))["reason"]
    )
