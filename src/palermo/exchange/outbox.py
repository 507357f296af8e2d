"""The federation outbox: envelopes written in the transaction of what they carry, then
delivered to peers by a courier with retries, backoff and idempotency keys. Every item ends
with a recorded outcome the sender can read: delivered, refused by the peer (its reason), or
filtered by a rule here (which rule)."""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import bindparam, event, select, update
from sqlalchemy.orm import Session

from palermo.audit.service import Operation, Outcome
from palermo.audit.service import record as audit
from palermo.db import SessionFactory, insert_dicts, transaction_notes, unit_of_work
from palermo.exchange import envelopes, receipts
from palermo.exchange.doorbell import Doorbell
from palermo.exchange.keys import Keyring
from palermo.identity import repository as identities
from palermo.models.base import table_of, utcnow
from palermo.models.exchange import Message, MessageReceipt, OutboxItem
from palermo.models.identity import Agency, Node
from palermo.records.envelope import TLP_RANK, Tlp

log = logging.getLogger(__name__)

PENDING, SENDING, DELIVERED, REFUSED, FILTERED = (
    "pending",
    "sending",
    "delivered",
    "refused",
    "filtered",
)
BATCH = 200  # envelopes claimed per pass
# A pass that finds less than a batch starts the next one this long after itself at the
# earliest: under steady traffic envelopes then go in batches rather than one or two a round
# trip, since a pass costs three short transactions here and one at the peer whatever it
# carries. The first envelope after a quiet spell still goes at once.
LINGER = 0.05  # seconds
MAX_REQUEST_BYTES = 4 * 1024 * 1024  # per HTTP request (a peer's body limit is 10 MiB)
LEASE = timedelta(seconds=60)  # a claim a crashed courier left behind expires after this

# Rung after a commit that queued envelopes, so the courier sends at once instead of polling.
DOORBELL = Doorbell()
_QUEUED = "palermo.outbox.queued"
_QUEUED_HERE = "palermo.outbox.queued_here"  # message id -> outcomes, in transaction_notes


@event.listens_for(Session, "after_commit")
def _wake_courier(session: Session) -> None:
    if session.info.pop(_QUEUED, False):
        DOORBELL.ring()


@event.listens_for(Session, "after_rollback")
def _forget_queued(session: Session) -> None:
    session.info.pop(_QUEUED, None)


def _filtered_by(peer: Node, kind: str, body: dict[str, Any]) -> str | None:
    if kind == "message" and peer.max_tlp:
        tlp = body["header"]["tlp"]
        if TLP_RANK[Tlp(tlp)] > TLP_RANK[Tlp(peer.max_tlp)]:
            return (
                f"filtered by rule max_tlp of peer {peer.code}: TLP:{tlp} is above the "
                f"TLP:{peer.max_tlp} it may receive"
            )
    return None


def enqueue(
    session: Session,
    keyring: Keyring,
    *,
    peer_id: uuid.UUID,
    kind: str,
    body: dict[str, Any],
    message_id: uuid.UUID | None,
    now: datetime,
) -> None:
    peer = session.get(Node, peer_id)
    local = identities.local_node(session)
    assert peer is not None
    assert local is not None
    envelope = envelopes.build(
        keyring.node, kind=kind, sender=local.code, receiver=peer.code, body=body, now=now
    )
    item_id = uuid.UUID(envelope["id"])
    item: dict[str, Any] = {
        "id": item_id,
        "peer_node_id": peer.id,
        "kind": kind,
        "message_id": message_id,
        "envelope": envelope,
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "reason": None,
        "finished_at": None,
    }
    reason = _filtered_by(peer, kind, body)
    if reason:
        item.update(status=FILTERED, reason=reason, finished_at=now)
        audit(
            session,
            action="federation.filter",
            operation=Operation.disclosure,
            actor=local.code,
            outcome=Outcome.deny,
            object_ids=[item_id, *([message_id] if message_id else [])],
            recipients=[peer.code],
            detail={"kind": kind, "reason": reason},
        )
    else:
        session.info[_QUEUED] = True
    # Straight to the driver: every message to a peer writes one, and the ORM's flush of a
    # single object costs more than the insert.
    insert_dicts(session, table_of(OutboxItem), [item])
    if message_id is not None and kind == "message":
        queued = transaction_notes(session).setdefault(_QUEUED_HERE, {})
        queued.setdefault(message_id, []).append(
            {
                "peer": peer.code,
                "status": item["status"],
                "attempts": 0,
                "reason": item["reason"],
                "last_error": None,
            }
        )


# Delivery --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Claimed:
    id: uuid.UUID
    peer_id: uuid.UUID
    kind: str
    message_id: uuid.UUID | None
    envelope: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class Result:
    status: str  # delivered, refused, or pending (retry)
    reason: str | None = None


def claim(session: Session, now: datetime, *, peer_id: uuid.UUID | None = None) -> list[Claimed]:
    """Take due items under a lease (PostgreSQL: rows other couriers hold are skipped).
    Columns and one update, not entities: the courier claims a batch many times a second."""
    query = (
        select(
            OutboxItem.id,
            OutboxItem.peer_node_id,
            OutboxItem.kind,
            OutboxItem.message_id,
            OutboxItem.envelope,
            OutboxItem.attempts,
        )
        .where(OutboxItem.status.in_([PENDING, SENDING]), OutboxItem.next_attempt_at <= now)
        .order_by(OutboxItem.created_at)
        .limit(BATCH)
    )
    if peer_id is not None:
        query = query.where(OutboxItem.peer_node_id == peer_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claimed = [
        Claimed(row.id, row.peer_node_id, row.kind, row.message_id, row.envelope, row.attempts + 1)
        for row in session.execute(query)
    ]
    if claimed:
        session.execute(
            update(OutboxItem)
            .where(OutboxItem.id.in_([c.id for c in claimed]))
            .values(status=SENDING, next_attempt_at=now + LEASE, attempts=OutboxItem.attempts + 1)
        )
    return claimed


def _chunks(items: Sequence[Claimed]) -> list[list[Claimed]]:
    chunks: list[list[Claimed]] = [[]]
    size = 0
    for item in items:
        weight = len(str(item.envelope))
        if chunks[-1] and size + weight > MAX_REQUEST_BYTES:
            chunks.append([])
            size = 0
        chunks[-1].append(item)
        size += weight
    return chunks


def post(client: httpx.Client, base_url: str, items: Sequence[Claimed]) -> dict[uuid.UUID, Result]:
    """Send one batch to a peer; every item gets a result, whatever happens."""
    try:
        response = envelopes.ask_peer(
            client,
            "POST",
            f"{base_url.rstrip('/')}/federation/envelopes",
            json={"envelopes": [i.envelope for i in items]},
        )
    except httpx.HTTPError as exc:
        reason = f"peer unreachable: {type(exc).__name__}: {exc}"
        return {i.id: Result(PENDING, reason) for i in items}
    if response.status_code == 413 and len(items) > 1:
        # The batch is over the peer's body limit, not necessarily any one envelope: send
        # halves, down to single envelopes, so only an envelope too large itself is refused.
        half = len(items) // 2
        return {**post(client, base_url, items[:half]), **post(client, base_url, items[half:])}
    if response.status_code >= 500 or response.status_code == 429:
        reason = f"peer answered {response.status_code}: {envelopes.peer_error(response)}"
        return {i.id: Result(PENDING, reason) for i in items}
    if response.status_code >= 400:
        reason = f"refused by peer: {envelopes.peer_error(response)}"
        return {i.id: Result(REFUSED, reason) for i in items}
    try:
        listed = response.json().get("results")
    except (ValueError, AttributeError, RecursionError):  # not JSON, not an object, too deep
        listed = None
    if not isinstance(listed, list):
        reason = f"peer answered {response.status_code} without results"
        return {i.id: Result(PENDING, reason) for i in items}
    answers = {a.get("id"): a for a in listed if isinstance(a, dict)}
    results = {}
    for item in items:
        answer = answers.get(str(item.id))
        if answer is None:
            results[item.id] = Result(PENDING, "peer gave no answer for this envelope")
        elif answer.get("outcome") in ("accepted", "duplicate"):
            results[item.id] = Result(DELIVERED, answer.get("reason"))
        else:
            results[item.id] = Result(REFUSED, f"refused by peer: {answer.get('reason')}")
    return results


def backoff(attempts: int, *, base: float, ceiling: float) -> timedelta:
    """Exponential backoff with ±20% jitter, so a returning peer is not stampeded."""
    delay = min(base * 2 ** max(attempts - 1, 0), ceiling)
    return timedelta(seconds=delay * random.uniform(0.8, 1.2))  # noqa: S311 - not secret


def record_results(
    session: Session,
    claimed: Sequence[Claimed],
    results: dict[uuid.UUID, Result],
    *,
    now: datetime,
    base: float,
    ceiling: float,
) -> None:
    """Write each item's outcome; one audit line per peer and outcome names every item."""
    sending = set(
        session.scalars(
            select(OutboxItem.id).where(
                OutboxItem.id.in_([c.id for c in claimed]), OutboxItem.status == SENDING
            )
        )
    )
    nodes = session.execute(select(Node.id, Node.code, Node.is_local)).all()
    peers = {node.id: node.code for node in nodes}
    local = next(node.code for node in nodes if node.is_local)
    retried = []
    finished: dict[tuple[uuid.UUID, str, str, str | None], list[Claimed]] = defaultdict(list)
    for item in claimed:
        result = results[item.id]
        if item.id not in sending:  # released or requeued meanwhile: not this pass's to write
            continue
        if result.status == PENDING:
            due = now + backoff(item.attempts, base=base, ceiling=ceiling)
            retried.append({"item": item.id, "error": result.reason, "due": due})
        else:
            finished[(item.peer_id, item.kind, result.status, result.reason)].append(item)
    if retried:
        table = table_of(OutboxItem)
        session.execute(
            update(table)
            .where(table.c.id == bindparam("item"))
            .values(
                status=PENDING, last_error=bindparam("error"), next_attempt_at=bindparam("due")
            ),
            retried,
        )
    for (_, _, status, reason), done in finished.items():
        session.execute(
            update(OutboxItem)
            .where(OutboxItem.id.in_([i.id for i in done]))
            .values(status=status, reason=reason, finished_at=now)
        )
    delivered = [
        i
        for (_, kind, status, _), items in finished.items()
        if kind == "message" and status == DELIVERED
        for i in items
    ]
    _delivered_receipts(session, delivered, peers, now)
    for (peer_id, kind, status, reason), items in finished.items():
        audit(
            session,
            action=f"federation.{kind}.{status}",
            operation=Operation.disclosure,
            actor=local,
            outcome=Outcome.success if status == DELIVERED else Outcome.failure,
            object_ids=[x for i in items for x in (i.id, i.message_id) if x],
            recipients=[peers[peer_id]],
            detail={
                "items": len(items),
                "attempts": max(i.attempts for i in items),
                **({"reason": reason} if reason else {}),
            },
        )


def _delivered_receipts(
    session: Session, items: Sequence[Claimed], peers: dict[uuid.UUID, str], now: datetime
) -> None:
    """The delivered receipts of the recipients each delivered message had on its peer."""
    wanted = {
        (i.message_id, code, peers[i.peer_id])
        for i in items
        if i.message_id
        for code in i.envelope["body"]["copies"]
    }
    if not wanted:
        return
    agencies = dict(
        session.execute(
            select(Agency.code, Agency.id).where(Agency.code.in_({c for _, c, _ in wanted}))
        ).all()
    )
    known = set(
        session.execute(
            select(MessageReceipt.message_id, MessageReceipt.agency_id).where(
                MessageReceipt.message_id.in_({m for m, _, _ in wanted}),
                MessageReceipt.kind == "delivered",
            )
        ).all()
    )
    senders = dict(
        session.execute(
            select(Message.id, Message.sender_agency_id).where(
                Message.id.in_({m for m, _, _ in wanted})
            )
        ).all()
    )
    fresh = []
    for message_id, code, peer in sorted(wanted, key=str):
        agency_id = agencies.get(code)
        if agency_id is not None and (message_id, agency_id) not in known:
            fresh.append((message_id, agency_id, peer))
            receipts.notify_sender(
                session,
                message_id=message_id,
                sender_id=senders[message_id],
                recipient=code,
                kind="delivered",
            )
    receipts.insert_first(session, fresh, "delivered", now)


class Courier:
    """Delivers due outbox items: woken by commits that queue envelopes, else by the clock."""

    def __init__(
        self,
        sessions: SessionFactory,
        *,
        base_backoff: float = 1.0,
        max_backoff: float = 300.0,
        timeout: float = 10.0,
        linger: float = LINGER,
    ) -> None:
        self.sessions = sessions
        self.linger = linger
        self.base_backoff, self.max_backoff = base_backoff, max_backoff
        self.client = httpx.Client(timeout=timeout)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def deliver_due(self, *, peer_id: uuid.UUID | None = None) -> int:
        """One pass: claim, send, record. Returns how many items were attempted."""
        with unit_of_work(self.sessions) as session:
            claimed = claim(session, utcnow(), peer_id=peer_id)
            urls = {
                n.id: n.base_url
                for n in session.scalars(
                    select(Node).where(Node.id.in_({c.peer_id for c in claimed}))
                )
            }
        if not claimed:
            return 0
        results: dict[uuid.UUID, Result] = {}
        for node_id in {c.peer_id for c in claimed}:
            items = [c for c in claimed if c.peer_id == node_id]
            base_url = urls.get(node_id)
            for chunk in _chunks(items):
                if not base_url:
                    results.update({c.id: Result(PENDING, "peer has no URL") for c in chunk})
                else:
                    results.update(post(self.client, base_url, chunk))
        with unit_of_work(self.sessions) as session:
            record_results(
                session,
                claimed,
                results,
                now=utcnow(),
                base=self.base_backoff,
                ceiling=self.max_backoff,
            )
        return len(claimed)

    def _next_due(self) -> float:
        with unit_of_work(self.sessions) as session:
            due = session.scalar(
                select(OutboxItem.next_attempt_at)
                .where(OutboxItem.status.in_([PENDING, SENDING]))
                .order_by(OutboxItem.next_attempt_at)
                .limit(1)
            )
        if due is None:
            return 5.0
        return min(max((due - utcnow()).total_seconds(), 0.0), 5.0)

    def run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                if self.deliver_due() >= BATCH:
                    continue
                # Not the doorbell: the commits queuing envelopes meanwhile would cut it short.
                self._stop.wait(started + self.linger - time.monotonic())
                # Envelopes queued meanwhile are due now; else ask when the next one is.
                wait = 0.0 if DOORBELL.is_rung() else self._next_due()
            except Exception:
                log.exception("outbox delivery pass failed; retrying shortly")
                wait = 1.0
            if wait > 0:
                DOORBELL.wait(wait)
            DOORBELL.clear()

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="outbox-courier", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        DOORBELL.ring()
        if self._thread is not None:
            self._thread.join(timeout=15)
        self.client.close()


def release_claims(session: Session, now: datetime) -> int:
    """At a node's start: envelopes its last run was sending when it stopped (or was
    killed) are due at once rather than when their lease would have expired. The peer may
    have received some of them; it applies each envelope once, whatever it is sent again."""
    items = session.scalars(select(OutboxItem).where(OutboxItem.status == SENDING)).all()
    for item in items:
        item.status, item.next_attempt_at = PENDING, now
    return len(items)


def requeue(session: Session, item_ids: Sequence[uuid.UUID], now: datetime) -> int:
    """Send refused items again (e.g. the peer has since configured us); delivered stay."""
    items = session.scalars(
        select(OutboxItem).where(OutboxItem.id.in_(list(item_ids)), OutboxItem.status == REFUSED)
    ).all()
    for item in items:
        item.status, item.next_attempt_at, item.finished_at = PENDING, now, None
    if items:
        session.info[_QUEUED] = True
    return len(items)


def listing(
    session: Session, *, status: str | None = None, limit: int = 50
) -> Sequence[OutboxItem]:
    query = select(OutboxItem).order_by(OutboxItem.created_at.desc()).limit(limit)
    if status:
        query = query.where(OutboxItem.status == status)
    return session.scalars(query).all()


# Every send answers with it: built once (a statement's construction costs as much as its run).
_OUTCOMES = (
    select(
        Node.code.label("peer"),
        OutboxItem.status,
        OutboxItem.attempts,
        OutboxItem.reason,
        OutboxItem.last_error,
    )
    .join(Node, Node.id == OutboxItem.peer_node_id)
    .where(OutboxItem.message_id == bindparam("message_id"), OutboxItem.kind == "message")
    .order_by(OutboxItem.created_at)
)


def outcomes_of(session: Session, message_id: uuid.UUID) -> Sequence[Mapping[str, Any]]:
    """Where a message stands with each peer it goes to (peer, status, attempts, reason,
    last_error), for its sender: columns only, as every send answers with them. A message
    this transaction queued stands as queued: the courier cannot see it before the commit."""
    queued: list[dict[str, Any]] | None = (
        transaction_notes(session).get(_QUEUED_HERE, {}).get(message_id)
    )
    if queued is not None:
        return queued
    return [dict(row) for row in session.execute(_OUTCOMES, {"message_id": message_id}).mappings()]
