"""Answering a peer's hit/no-hit query (Prüm): references and owners, nothing else."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.exchange import crypto, envelopes, hits
from palermo.exchange.keys import Keyring
from palermo.identity import repository
from palermo.models.audit import AuditEvent
from palermo.models.base import utcnow
from palermo.models.records import Notification
from palermo.records import service as records
from palermo.settings import Settings
from tests.exchange.conftest import Desk, Peer
from tests.records.helpers import envelope, person

WHY = {"purpose": "criminal_investigation", "justification": "Barbate landing, case 88/2026"}


@pytest.fixture
def held(db: Session, desks: dict[str, Desk], settings: Settings) -> dict[str, str]:
    """Records of NCB-DE: one shared with everyone in full, one hit-only, one not shared."""
    made = {}
    for key, name, shares in (
        ("full", "Dragan Petrović", [{"scope": "everyone", "level": "full"}]),
        ("hit", "Ilir Hoxha", [{"scope": "everyone", "level": "hit_only"}]),
        ("private", "Marko Kovačević", []),
    ):
        record = records.create_record(
            db,
            principal=desks["NCB-DE"].principal,
            settings=settings,
            entity=person(name, birthDate=["1979-02-11"], nationality=["rs"]),
            envelope=envelope(shares=shares, tlp="GREEN"),
            now=utcnow(),
        )
        made[key] = record.id
    db.commit()
    return made


def ask(
    db: Session, keyring: Keyring, peer: Peer, query: dict[str, Any], **body: Any
) -> dict[str, Any]:
    env = envelopes.build(
        peer.key,
        kind="hit_query",
        sender="NODE-X",
        receiver="NODE-LOCAL",
        body={"agency": "AG-X", **WHY, "query": query} | body,
        now=utcnow(),
    )
    local = repository.local_node(db)
    assert local is not None
    answer = hits.answer(db, keyring, env, local=local, now=utcnow())
    db.commit()
    signature = answer.pop("signature")
    crypto.verify(keyring.node.public_bytes, crypto.unb64(signature, "s"), crypto.canonical(answer))
    return answer


def test_a_peer_learns_references_and_owners_only(
    db: Session, keyring: Keyring, peer: Peer, held: dict[str, str], desks: dict[str, Desk]
) -> None:
    answer = ask(db, keyring, peer, {"name": "Dragan Petrovic", "birth_date": "1979-02-11"})
    assert answer["outcome"] == "hit"
    assert answer["references"] == [{"reference": held["full"], "owner_agency": "NCB-DE"}]
    assert set(answer) == {"id", "outcome", "references"}
    told = db.scalars(
        select(Notification.message).where(Notification.agency_id == desks["NCB-DE"].agency.id)
    ).all()
    assert any("AG-X" in t and held["full"] in t for t in told)
    events = {e.action for e in db.scalars(select(AuditEvent))}
    assert {"federation.hit_answer", "screening.search"} <= events


def test_hit_only_shares_answer_and_unshared_records_stay_silent(
    db: Session, keyring: Keyring, peer: Peer, held: dict[str, str]
) -> None:
    assert ask(db, keyring, peer, {"name": "Ilir Hoxha"})["references"] == [
        {"reference": held["hit"], "owner_agency": "NCB-DE"}
    ]
    silent = ask(db, keyring, peer, {"name": "Marko Kovacevic"})
    assert (silent["outcome"], silent["references"]) == ("no_hit", [])


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ({"agency": "AG-NOPE"}, "agency 'AG-NOPE' is not known here"),
        ({"purpose": "curiosity"}, "malformed query"),
        ({"query": {"name": "X"}}, "malformed query"),
        ({"query": "Dragan"}, "malformed query"),
    ],
)
def test_bad_queries_are_refused_with_the_reason(
    db: Session,
    keyring: Keyring,
    peer: Peer,
    held: dict[str, str],
    body: dict[str, Any],
    complaint: str,
) -> None:
    query = body.pop("query", {"name": "Dragan Petrovic"})
    answer = ask(db, keyring, peer, query, **body)
    assert answer["outcome"] == "refused"
    assert complaint in answer["reason"]


def test_a_replayed_query_is_refused(
    db: Session, keyring: Keyring, peer: Peer, held: dict[str, str]
) -> None:
    env = envelopes.build(
        peer.key,
        kind="hit_query",
        sender="NODE-X",
        receiver="NODE-LOCAL",
        body={"agency": "AG-X", **WHY, "query": {"name": "Ilir Hoxha"}},
        now=utcnow(),
    )
    local = repository.local_node(db)
    assert local is not None
    assert hits.answer(db, keyring, env, local=local, now=utcnow())["outcome"] == "hit"
    again = hits.answer(db, keyring, env, local=local, now=utcnow())
    assert again["outcome"] == "refused"
    assert "replay" in again["reason"]


def test_vehicles_and_accounts_are_asked_by_their_numbers(
    db: Session, keyring: Keyring, peer: Peer, desks: dict[str, Desk], settings: Settings
) -> None:
    made = {}
    for schema, properties in (
        ("Vehicle", {"name": ["Audi Q7"], "registrationNumber": ["B-KL 4471"]}),
        ("BankAccount", {"iban": ["DE89370400440532013000"], "bankName": ["Kreissparkasse"]}),
    ):
        record = records.create_record(
            db,
            principal=desks["NCB-DE"].principal,
            settings=settings,
            entity={"schema": schema, "properties": properties},
            envelope=envelope(
                subject_category=None,
                shares=[{"scope": "everyone", "level": "hit_only"}],
                tlp="GREEN",
            ),
            now=utcnow(),
        )
        made[schema] = record.id
    db.commit()
    car = ask(db, keyring, peer, {"schema": "Vehicle", "document": "BKL4471"})
    account = ask(
        db, keyring, peer, {"schema": "BankAccount", "document": "DE89 3704 0044 0532 0130 00"}
    )
    assert car["references"] == [{"reference": made["Vehicle"], "owner_agency": "NCB-DE"}]
    assert account["references"] == [{"reference": made["BankAccount"], "owner_agency": "NCB-DE"}]
