"""The outbox: written with the message, filtered by rules, retried with backoff."""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from palermo.exchange import envelopes, messages, outbox
from palermo.exchange.keys import Keyring
from palermo.models.base import utcnow
from palermo.models.exchange import Message, OutboxItem
from palermo.models.identity import Node
from tests.conftest import audit_actions
from tests.exchange.conftest import Desk, Peer


def send_to_peer(db: Session, keyring: Keyring, desk: Desk, **fields: object) -> Message:
    defaults: dict[str, object] = {
        "recipients": ["AG-X"],
        "subject": "To Spain",
        "body": "Go-fast boat",
        "max_attachment_bytes": 1024,
        "today": utcnow().date(),
    }
    draft = messages.Draft.of(**(defaults | fields))  # type: ignore[arg-type]
    message = messages.send(db, keyring, principal=desk.principal, draft=draft, now=utcnow())
    db.commit()
    return message


def test_the_outbox_item_is_written_with_the_message(
    db: Session, keyring: Keyring, desks: dict[str, Desk], peer: Peer
) -> None:
    message = send_to_peer(db, keyring, desks["NCB-FR"])
    [item] = db.scalars(select(OutboxItem)).all()
    assert (item.status, item.kind, item.message_id) == ("pending", "message", message.id)
    assert item.envelope["to"] == "NODE-X"
    assert set(item.envelope["body"]["copies"]) == {"AG-X"}  # not the sender's own copy


def test_a_tlp_rule_filters_and_says_which(
    db: Session, keyring: Keyring, desks: dict[str, Desk], peer: Peer
) -> None:
    db.execute(update(Node).where(Node.id == peer.node.id).values(max_tlp="GREEN"))
    db.commit()
    send_to_peer(db, keyring, desks["NCB-FR"], tlp="AMBER")
    send_to_peer(db, keyring, desks["NCB-FR"], tlp="GREEN")
    items = db.scalars(select(OutboxItem).order_by(OutboxItem.created_at)).all()
    assert [i.status for i in items] == ["filtered", "pending"]
    assert "rule max_tlp of peer NODE-X: TLP:AMBER is above the TLP:GREEN" in str(items[0].reason)
    assert "federation.filter" in audit_actions(db)


def test_a_send_answers_with_the_outcomes_the_outbox_will_show(
    db: Session, keyring: Keyring, desks: dict[str, Desk], peer: Peer
) -> None:
    """The sending transaction answers from what it queued, without reading the outbox:
    the same peer, status, attempts and reason the table gives once it is committed."""
    db.execute(update(Node).where(Node.id == peer.node.id).values(max_tlp="GREEN"))
    db.commit()
    statuses = []
    for tlp in ("AMBER", "GREEN"):
        draft = messages.Draft.of(
            recipients=["AG-X"],
            subject="To Spain",
            body="Go-fast boat",
            tlp=tlp,
            max_attachment_bytes=1024,
            today=utcnow().date(),
        )
        message = messages.send(
            db, keyring, principal=desks["NCB-FR"].principal, draft=draft, now=utcnow()
        )
        answered = list(outbox.outcomes_of(db, message.id))
        db.commit()
        assert list(outbox.outcomes_of(db, message.id)) == answered
        statuses.append([(o["peer"], o["status"]) for o in answered])
    assert statuses == [[("NODE-X", "filtered")], [("NODE-X", "pending")]]


def test_an_unreachable_peer_keeps_the_item_with_the_error_and_a_backoff(
    db: Session,
    sessions: sessionmaker[Session],
    keyring: Keyring,
    desks: dict[str, Desk],
    peer: Peer,
) -> None:
    send_to_peer(db, keyring, desks["NCB-FR"])
    courier = outbox.Courier(sessions, base_backoff=30, max_backoff=60, timeout=2)
    try:
        assert courier.deliver_due() == 1
        assert courier.deliver_due() == 0  # not due again before its backoff
    finally:
        courier.client.close()
    db.expire_all()
    [item] = db.scalars(select(OutboxItem)).all()
    assert (item.status, item.attempts) == ("pending", 1)
    assert "peer unreachable" in str(item.last_error)
    assert item.next_attempt_at > utcnow() + timedelta(seconds=20)


def test_backoff_grows_and_is_capped() -> None:
    delays = [outbox.backoff(n, base=1, ceiling=60).total_seconds() for n in range(1, 10)]
    assert 0.8 <= delays[0] <= 1.2
    assert 6.4 <= delays[3] <= 9.6
    assert all(d <= 72 for d in delays)  # the cap, plus jitter


def test_refused_items_can_be_sent_again(
    db: Session, keyring: Keyring, desks: dict[str, Desk], peer: Peer
) -> None:
    send_to_peer(db, keyring, desks["NCB-FR"])
    item = db.scalars(select(OutboxItem)).one()
    item.status, item.reason = "refused", "refused by peer: unknown peer 'NODE-LOCAL'"
    db.commit()
    assert outbox.requeue(db, [item.id], utcnow()) == 1
    db.commit()
    assert item.status == "pending"


def test_a_peer_answering_nonsense_leaves_the_batch_pending_with_the_reason() -> None:
    """Not JSON, not an object, JSON nested deeper than the decoder goes, or an answer
    longer than a node reads: the items wait for the next attempt, and the reason says what
    the peer answered."""
    endless = b" " * (envelopes.PEER_ANSWER_MAX_BYTES + 1)
    answers = [b"<html>", b"[1, 2]", b"[" * 100_000 + b"]" * 100_000, endless]

    class Peer(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            body = answers.pop(0)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    item = outbox.Claimed(uuid.uuid4(), uuid.uuid4(), "message", None, {"id": "x"}, 1)
    with ThreadingHTTPServer(("127.0.0.1", 0), Peer) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}"
        with httpx.Client(trust_env=False) as client:
            for _ in range(3):
                [result] = outbox.post(client, url, [item]).values()
                assert result == outbox.Result("pending", "peer answered 200 without results")
            # Read no further than the limit, however much the peer sends.
            [result] = outbox.post(client, url, [item]).values()
            assert result.status == "pending"
            assert "longer than the 16777216 bytes accepted" in str(result.reason)
        server.shutdown()


def test_under_steady_traffic_a_pass_lingers_so_that_the_next_carries_a_batch(
    sessions: sessionmaker[Session],
) -> None:
    """A pass that found less than a full batch starts the next one a linger after itself
    at the earliest, then goes without asking the table when the next envelope is due if a
    commit queued one meanwhile; a full batch is followed at once. (The passes' own work is
    scripted here: the other tests exercise it.)"""
    linger = 0.5
    script = [1, outbox.BATCH, 1, outbox.BATCH]  # envelopes each pass finds
    passes: list[float] = []

    class Scripted(outbox.Courier):
        def deliver_due(self, *, peer_id: uuid.UUID | None = None) -> int:
            passes.append(time.monotonic())
            outbox.DOORBELL.ring()  # the senders' commits keep coming
            if len(passes) == len(script):
                self._stop.set()
            return script[len(passes) - 1]

        def _next_due(self) -> float:
            raise AssertionError("the table was asked while envelopes were waiting")

    courier = Scripted(sessions, linger=linger)
    try:
        courier.run()
    finally:
        courier.client.close()
        outbox.DOORBELL.clear()
    gaps = [later - earlier for earlier, later in itertools.pairwise(passes)]
    assert gaps[0] >= linger
    assert gaps[2] >= linger
    assert gaps[1] < linger  # after a full batch


def test_a_node_that_starts_again_sends_what_its_last_run_was_sending(
    db: Session, keyring: Keyring, desks: dict[str, Desk], peer: Peer
) -> None:
    send_to_peer(db, keyring, desks["NCB-FR"])
    [claimed] = outbox.claim(db, utcnow())
    db.commit()
    assert outbox.claim(db, utcnow()) == []  # under its lease
    assert outbox.release_claims(db, utcnow()) == 1
    [again] = outbox.claim(db, utcnow())
    assert (again.id, again.attempts) == (claimed.id, 2)
