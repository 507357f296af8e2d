"""Messages between agencies of one node: sealing, signatures, receipts, folders, keys."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from palermo.errors import Forbidden, Invalid, NotFound
from palermo.exchange import keys, messages, reading
from palermo.exchange.keys import Keyring
from palermo.exchange.messages import Attachment, Draft
from palermo.identity import repository
from palermo.identity.principal import operator_principal
from palermo.identity.roles import Role
from palermo.identity.service import principal_for
from palermo.models.base import utcnow
from palermo.models.exchange import Blob, Message, MessageCopy
from palermo.models.records import Notification
from tests.conftest import Factory, audit_actions
from tests.exchange.conftest import Desk

SECRET = "Container MSCU 512345 6 arrives at Maasvlakte on Tuesday"


def draft(**fields: object) -> Draft:
    defaults: dict[str, object] = {
        "recipients": ["NCB-FR"],
        "subject": "Consignment via Rotterdam",
        "body": SECRET,
        "max_attachment_bytes": 1024 * 1024,
        "today": utcnow().date(),
    }
    return Draft.of(**(defaults | fields))  # type: ignore[arg-type]


def send(db: Session, keyring: Keyring, desk: Desk, **fields: object) -> Message:
    message = messages.send(
        db, keyring, principal=desk.principal, draft=draft(**fields), now=utcnow()
    )
    db.commit()
    return message


def test_the_database_holds_no_plaintext(
    db: Session, keyring: Keyring, desks: dict[str, Desk]
) -> None:
    attachment = Attachment("surveillance.txt", "text/plain", b"Observed at the terminal gate 7")
    message = send(db, keyring, desks["NCB-DE"], attachments=[attachment])
    stored = [*db.scalars(select(MessageCopy.ciphertext)), *db.scalars(select(Blob.content))]
    assert len(stored) == 3  # sender's copy, recipient's copy, one blob
    for blob in stored:
        assert SECRET.encode() not in blob
        assert b"Consignment" not in blob
        assert b"terminal gate" not in blob
    header = db.get(Message, message.id)
    assert header is not None
    assert "Consignment" not in str(header.header)
    assert SECRET not in str(header.header)


def test_recipient_reads_a_signed_message_and_its_attachment(
    db: Session, keyring: Keyring, desks: dict[str, Desk]
) -> None:
    attachment = Attachment("manifest.csv", "text/csv", b"container,seal\nMSCU5123456,EC-44120\n")
    message = send(
        db,
        keyring,
        desks["NCB-DE"],
        attachments=[attachment],
        payload=[{"schema": "Person", "properties": {"name": ["Jan de Vries"]}}],
        evaluation="b2",
        priority="urgent",
    )
    view = reading.view(
        db, keyring, principal=desks["NCB-FR"].principal, message_id=message.id, now=utcnow()
    )
    assert (view.subject, view.body, view.sender) == ("Consignment via Rotterdam", SECRET, "NCB-DE")
    assert view.evaluation == "B2"
    assert view.priority == "urgent"
    assert view.signature_verified
    assert view.payload[0]["properties"]["name"] == ["Jan de Vries"]
    file = view.attachment_files[0]
    name, media_type, data = reading.attachment(
        db, keyring, principal=desks["NCB-FR"].principal, message_id=message.id, blob=file.blob
    )
    assert (name, media_type, data) == ("manifest.csv", "text/csv", attachment.content)
    assert {"message.send", "message.read", "message.attachment.read"} <= set(audit_actions(db))
    notices = db.scalars(
        select(Notification.message).where(Notification.agency_id == desks["NCB-FR"].agency.id)
    ).all()
    assert any("URGENT message from NCB-DE" in n for n in notices)


def test_a_tampered_header_fails_verification(
    db: Session, keyring: Keyring, desks: dict[str, Desk]
) -> None:
    message = send(db, keyring, desks["NCB-DE"])
    header = dict(message.header) | {"handling_code": "H0", "tlp": "CLEAR"}
    db.execute(update(Message).where(Message.id == message.id).values(header=header))
    db.commit()
    db.expire_all()
    view = reading.view(
        db, keyring, principal=desks["NCB-FR"].principal, message_id=message.id, now=utcnow()
    )
    assert not view.signature_verified


def test_only_the_parties_read_a_message(
    db: Session, keyring: Keyring, desks: dict[str, Desk], factory: Factory
) -> None:
    message = send(db, keyring, desks["NCB-DE"])
    with pytest.raises(NotFound):
        reading.view(
            db, keyring, principal=desks["NCB-IT"].principal, message_id=message.id, now=utcnow()
        )
    factory.user("fr.auditor", Role.auditor, agency=desks["NCB-FR"].agency)
    auditor = repository.user_by_username(db, "fr.auditor")
    assert auditor is not None
    with pytest.raises(Forbidden):
        reading.view(
            db,
            keyring,
            principal=principal_for(auditor, channel="session"),
            message_id=message.id,
            now=utcnow(),
        )
    with pytest.raises(Forbidden):
        reading.listing(db, keyring, principal=operator_principal(frozenset()))


@pytest.mark.parametrize(
    ("fields", "complaint"),
    [
        ({"recipients": []}, "at least one recipient"),
        ({"recipients": ["NCB-XX"]}, "unknown recipient agencies: NCB-XX"),
        ({"recipients": ["NCB-DE"]}, "cannot be one of its own recipients"),
        ({"subject": "  "}, "subject must not be empty"),
        ({"handling_code": "H3"}, "H3 needs the restriction written out"),
        ({"handling_code": "H9"}, "unknown handling code 'H9'"),
        ({"tlp": "PURPLE"}, "unknown TLP label 'PURPLE'"),
        ({"priority": "asap"}, "unknown priority 'asap'"),
        ({"evaluation": "D7"}, "evaluation code 'D7'"),
        ({"reply_by": utcnow().date() - timedelta(days=1)}, "is in the past"),
        ({"payload": [{"schema": "Person", "properties": {"shoeSize": ["44"]}}]}, "shoeSize"),
        ({"attachments": [Attachment("big.bin", "x", b"0" * (1024 * 1024 + 1))]}, "big.bin"),
        (
            {"attachments": [Attachment(f"{n}.bin", "x", b"0" * 600_000) for n in "ab"]},
            "the attachments total 1200000 bytes",
        ),
    ],
)
def test_bad_messages_are_refused_with_the_reason(
    db: Session, keyring: Keyring, desks: dict[str, Desk], fields: dict[str, object], complaint: str
) -> None:
    with pytest.raises(Invalid) as refused:
        messages.send(
            db, keyring, principal=desks["NCB-DE"].principal, draft=draft(**fields), now=utcnow()
        )
    assert complaint in refused.value.message
    assert db.scalar(select(Message.id)) is None


def test_receipts_follow_the_recipient(
    db: Session, keyring: Keyring, desks: dict[str, Desk]
) -> None:
    de, fr, it = desks["NCB-DE"], desks["NCB-FR"], desks["NCB-IT"]
    message = send(db, keyring, de, recipients=["NCB-FR", "NCB-IT"])
    now = utcnow()
    reading.view(db, keyring, principal=fr.principal, message_id=message.id, now=now)
    reading.acknowledge(db, keyring, principal=fr.principal, message_id=message.id, now=now)
    reply = messages.send(
        db,
        keyring,
        principal=fr.principal,
        draft=draft(recipients=["NCB-DE"], subject="Re: consignment", in_reply_to=message.id),
        now=now,
    )
    assert reply.thread_id == message.thread_id
    seen = reading.view(db, keyring, principal=de.principal, message_id=message.id, now=now)
    assert {(r.agency, r.kind) for r in seen.receipts} == {
        ("NCB-FR", "delivered"),
        ("NCB-FR", "opened"),
        ("NCB-FR", "acknowledged"),
        ("NCB-FR", "answered"),
        ("NCB-IT", "delivered"),
    }
    # A recipient sees its own receipts, not the other recipients'.
    mine = reading.view(db, keyring, principal=it.principal, message_id=message.id, now=now)
    assert {r.agency for r in mine.receipts} == {"NCB-IT"}
    thread = reading.thread(
        db, keyring, principal=de.principal, thread_id=message.thread_id, now=now
    )
    assert [m.subject for m in thread] == ["Consignment via Rotterdam", "Re: consignment"]


def test_folders_search_and_unread(db: Session, keyring: Keyring, desks: dict[str, Desk]) -> None:
    de, fr = desks["NCB-DE"], desks["NCB-FR"]
    first = send(db, keyring, de, subject="Stolen Audi Q7 heading to Tirana")
    send(db, keyring, de, subject="Cocaine in reefer", body="bananas from Guayaquil")
    send(db, keyring, fr, recipients=["NCB-DE"], subject="Question from Paris")
    inbox = reading.listing(db, keyring, principal=fr.principal)
    assert [m.subject for m in inbox] == ["Cocaine in reefer", "Stolen Audi Q7 heading to Tirana"]
    assert [
        m.subject for m in reading.listing(db, keyring, principal=fr.principal, folder="sent")
    ] == ["Question from Paris"]
    found = reading.listing(db, keyring, principal=fr.principal, text="GUAYAQUIL")
    assert [m.subject for m in found] == ["Cocaine in reefer"]
    reading.view(db, keyring, principal=fr.principal, message_id=first.id, now=utcnow())
    unread = reading.listing(db, keyring, principal=fr.principal, unread=True)
    assert [m.subject for m in unread] == ["Cocaine in reefer"]
    assert [m.opened for m in reading.listing(db, keyring, principal=fr.principal)] == [False, True]
    with pytest.raises(Invalid, match="unknown folder"):
        reading.listing(db, keyring, principal=fr.principal, folder="trash")


def test_a_folder_page_reads_the_agencys_copies_from_their_index(
    db: Session, keyring: Keyring, desks: dict[str, Desk]
) -> None:
    de, fr = desks["NCB-DE"], desks["NCB-FR"]
    sent = [send(db, keyring, de, subject=f"Report {n}") for n in range(3)]
    copies = db.execute(select(MessageCopy.message_id, MessageCopy.sent_at)).all()
    assert {(m.id, m.sent_at) for m in sent} == set(copies)  # each copy keeps its message's time
    page = reading.listing(db, keyring, principal=fr.principal, limit=2)
    assert [m.subject for m in page] == ["Report 2", "Report 1"]
    if db.get_bind().dialect.name != "sqlite":
        return  # the plan below is SQLite's; PostgreSQL's planner weighs table sizes
    query = reading._folder_query(fr.principal.agency_id, "inbox").limit(20)  # type: ignore[arg-type]
    compiled = query.compile(db.get_bind(), compile_kwargs={"literal_binds": True})
    plan = " ".join(
        row[-1] for row in db.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
    )
    # The agency's newest copies straight from the index: no scan of every copy, no sort.
    assert "ix_message_copies_folder" in plan
    assert "TEMP B-TREE" not in plan


def test_rotated_keys_keep_old_messages_readable(
    db: Session, keyring: Keyring, desks: dict[str, Desk]
) -> None:
    de, fr = desks["NCB-DE"], desks["NCB-FR"]
    before = send(db, keyring, de)
    old_kid = db.scalar(
        select(MessageCopy.kid).where(
            MessageCopy.message_id == before.id, MessageCopy.agency_id == fr.agency.id
        )
    )
    keys.rotate(db, keyring.sealer, fr.agency.id, utcnow())
    keys.rotate(db, keyring.sealer, de.agency.id, utcnow())
    db.commit()
    after = send(db, keyring, de, subject="After rotation")
    new_kid = db.scalar(
        select(MessageCopy.kid).where(
            MessageCopy.message_id == after.id, MessageCopy.agency_id == fr.agency.id
        )
    )
    assert new_kid != old_kid
    for message in (before, after):
        view = reading.view(
            db, keyring, principal=fr.principal, message_id=message.id, now=utcnow()
        )
        assert view.signature_verified  # the old signing key still verifies the old message
        assert view.body == SECRET


def test_another_node_secret_opens_nothing(
    db: Session, keyring: Keyring, desks: dict[str, Desk]
) -> None:
    message = send(db, keyring, desks["NCB-DE"])
    stranger = Keyring(keyring.node, keys.crypto.KeySealer("another node's secret key, 32+ chars"))
    with pytest.raises(reading.Unreadable, match="PALERMO_SECRET_KEY"):
        reading.view(
            db, stranger, principal=desks["NCB-FR"].principal, message_id=message.id, now=utcnow()
        )
    # The inbox still lists it, saying why it does not open.
    [listed] = reading.listing(db, stranger, principal=desks["NCB-FR"].principal)
    assert "does not open" in listed.subject


def test_unknown_message_is_not_found(
    db: Session, keyring: Keyring, desks: dict[str, Desk]
) -> None:
    with pytest.raises(NotFound):
        reading.view(
            db, keyring, principal=desks["NCB-FR"].principal, message_id=uuid.uuid4(), now=utcnow()
        )
