"""Evidence and its chain of custody: files stored once by SHA-256, every access checked
against the recorded digest (a mismatch flagged for good, even though the access fails), the
custody log as a hash chain, and hand-overs signed by the releasing agency and countersigned
by the receiving one — refused, with the reason, when a signature does not hold."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from palermo.cases import custody, evidence, handovers
from palermo.cases.vocabulary import CustodyKind, EvidenceKind, HandoverStatus
from palermo.db import unit_of_work
from palermo.errors import Conflict, Forbidden, Invalid, NotFound
from palermo.exchange import crypto, keys
from palermo.exchange.keys import KeyUse
from palermo.identity.keys import key_id
from palermo.models import AuditEvent
from palermo.models.cases import (
    CaseEvent,
    CustodyEntry,
    EvidenceFile,
    EvidenceHandover,
    EvidenceItem,
)
from palermo.policy import cases as policy
from tests.cases.conftest import NOW, Team
from tests.cases.evidence_helpers import (
    COLLECTED,
    REPORT,
    digital,
    physical,
    sealer,
    tamper_file,
    with_keys,
)

K = CustodyKind


def kinds(db: Session, item: EvidenceItem) -> list[CustodyKind]:
    db.expire_all()
    return [e.kind for e in custody.log(db, item)]


def audit_lines(db: Session, action: str) -> list[tuple[str, str]]:
    db.expire_all()
    rows = db.execute(
        select(AuditEvent.outcome, AuditEvent.entry)
        .where(AuditEvent.action == action)
        .order_by(AuditEvent.leaf_index)
    )
    return [(outcome, entry) for outcome, entry in rows]


# Adding ----------------------------------------------------------------------------------
def test_items_are_numbered_per_case_and_files_stored_once_by_digest(team: Team) -> None:
    case = team.case(members={"DE-BKA": "participant"})
    first = digital(team, case)
    same_bytes = digital(team, case, by="de", title="The same report, as BKA received it")
    bag = physical(team, case)
    assert [i.reference for i in (first, same_bytes, bag)] == [
        f"{case.reference}/E/0001",
        f"{case.reference}/E/0002",
        f"{case.reference}/E/0003",
    ]
    other = team.case("Operation Reef")
    assert digital(team, other).reference == f"{other.reference}/E/0001"
    digest = crypto.sha256_hex(REPORT)
    assert first.sha256 == same_bytes.sha256 == digest
    assert team.db.scalar(select(func.count()).select_from(EvidenceFile)) == 1
    assert (bag.sha256, bag.size, bag.file_name) == (None, None, None)
    # Each contributor holds what it collected; the log opens with the collection.
    assert (first.holder_agency_id, same_bytes.holder_agency_id) == (
        team.agencies["NL-NP"].id,
        team.agencies["DE-BKA"].id,
    )
    opening = custody.log(team.db, first)
    assert [(e.kind, e.agency, e.at, e.observed_sha256) for e in opening] == [
        (K.collected, "NL-NP", COLLECTED, digest)
    ]
    assert opening[0].previous_hash == custody.GENESIS
    timeline = team.db.scalars(select(CaseEvent.summary).where(CaseEvent.case_id == case.id))
    assert f"NL-NP added evidence {first.reference}: {first.title}" in list(timeline)


def test_bad_items_are_refused_with_the_reason(team: Team) -> None:
    case = team.case(members={"EUROPOL": "observer"})
    fields: dict[str, Any] = {
        "principal": team["nl"],
        "case": case,
        "kind": EvidenceKind.physical,
        "title": "Ledger",
        "description": "",
        "handling": "H0",
        "collected_at": COLLECTED,
        "collected_place": "Rotterdam",
        "content": None,
        "file_name": None,
        "media_type": None,
        "now": NOW,
    }

    def add(**changes: Any) -> None:
        evidence.add_item(team.db, **(fields | changes))

    with pytest.raises(Invalid, match="needs its file's content"):
        add(kind=EvidenceKind.digital)
    with pytest.raises(Invalid, match="needs its file name"):
        add(kind=EvidenceKind.digital, content=b"x")
    with pytest.raises(Invalid, match="physical item is described, not uploaded"):
        add(content=b"x")
    with pytest.raises(Invalid, match="'H7' is not a handling code"):
        add(handling="H7")
    with pytest.raises(Invalid, match="in the future"):
        add(collected_at=NOW + timedelta(hours=1))
    with pytest.raises(Forbidden, match="observers read"):
        add(principal=team["europol"])
    assert evidence.items(team.db, case) == []


def test_only_members_reach_evidence(team: Team) -> None:
    case = team.case(members={"EUROPOL": "observer"})
    item = digital(team, case)
    for outsider in ("fr", "de", "bank", "nl_auditor"):
        with pytest.raises(NotFound):
            policy.case_for(team.db, team[outsider], case.id)
    # An item of another case is not reachable through this one.
    other = team.case("Operation Reef")
    with pytest.raises(NotFound, match="no evidence item"):
        evidence.item_for(team.db, other, item.id)
    # An observer reads the item and its content.
    _, data = evidence.content(
        team.db, principal=team["europol"], case=case, item_id=item.id, now=NOW
    )
    assert data == REPORT


# Access and integrity --------------------------------------------------------------------
def test_a_good_access_is_checked_logged_in_custody_and_audited(team: Team) -> None:
    case = team.case(members={"DE-BKA": "participant"})
    item = digital(team, case)
    found, data = evidence.content(
        team.db, principal=team["de"], case=case, item_id="E/0001", now=NOW
    )
    assert (found.id, data) == (item.id, REPORT)
    entries = custody.log(team.db, item)
    assert [(e.kind, e.agency, e.actor) for e in entries] == [
        (K.collected, "NL-NP", "nl.officer"),
        (K.accessed, "DE-BKA", "de.officer"),
    ]
    assert entries[1].previous_hash == entries[0].entry_hash
    assert [outcome for outcome, _ in audit_lines(team.db, "cases.evidence.content")] == ["success"]
    checked = evidence.verify(team.db, principal=team["de"], case=case, item_id=item.id, now=NOW)
    assert (checked.intact, checked.chain_problems) == (True, [])
    assert kinds(team.db, item)[-1] is K.verified


def test_altered_bytes_are_flagged_refused_and_the_flag_outlives_the_request(
    team: Team, sessions: sessionmaker[Session]
) -> None:
    case = team.case(members={"DE-BKA": "participant"})
    item = digital(team, case)
    team.db.commit()
    tamper_file(team, item)

    def access() -> None:
        with unit_of_work(sessions) as session:  # as a request: refused, rolled back
            found = policy.case_for(session, team["de"], case.id)
            evidence.content(session, principal=team["de"], case=found, item_id=item.id, now=NOW)

    with pytest.raises(Conflict) as refused:
        access()
    message = refused.value.message
    assert item.sha256 is not None
    assert item.sha256 in message
    assert crypto.sha256_hex(b"forged") in message
    # The request failed, yet the flag, the custody line and the audit event are kept.
    team.db.expire_all()
    stored = team.db.get(EvidenceItem, item.id)
    assert stored is not None
    assert stored.integrity_failed_at == NOW
    assert kinds(team.db, item) == [K.collected, K.integrity_failed]
    failed = custody.log(team.db, item)[-1]
    assert (failed.agency, failed.observed_sha256) == ("DE-BKA", crypto.sha256_hex(b"forged"))
    assert custody.check_chain(item.reference, custody.log(team.db, item)) == []
    assert [o for o, _ in audit_lines(team.db, "cases.evidence.integrity_failed")] == ["failure"]
    assert audit_lines(team.db, "cases.evidence.content") == []
    # Reading the item shows the failure; a second failure keeps the first date.
    later = NOW + timedelta(hours=2)
    shown = evidence.read_item(team.db, principal=team["nl"], case=case, item_id=item.id, now=later)
    assert (shown.intact, shown.item.integrity_failed_at) == (False, NOW)
    assert kinds(team.db, item) == [K.collected, K.integrity_failed, K.integrity_failed]
    summaries = team.db.scalars(select(CaseEvent.summary).where(CaseEvent.case_id == case.id))
    assert [s for s in summaries if "failed its integrity check" in s] == [
        f"{item.reference} failed its integrity check (access)"
    ]


def test_a_missing_file_fails_the_check_too(team: Team) -> None:
    case = team.case()
    item = digital(team, case)
    team.db.execute(delete(EvidenceFile).where(EvidenceFile.sha256 == item.sha256))
    checked = evidence.verify(team.db, principal=team["nl"], case=case, item_id=item.id, now=NOW)
    assert (checked.intact, checked.observed_sha256) == (False, None)
    with pytest.raises(Conflict, match="the stored bytes are missing"):
        evidence.content(team.db, principal=team["nl"], case=case, item_id=item.id, now=NOW)


def test_the_custody_chain_shows_an_altered_or_removed_line(team: Team) -> None:
    case = team.case()
    item = digital(team, case)
    for _ in range(2):
        evidence.content(team.db, principal=team["nl"], case=case, item_id=item.id, now=NOW)
    entries = custody.log(team.db, item)
    assert custody.check_chain(item.reference, entries) == []
    team.db.execute(
        update(CustodyEntry).where(CustodyEntry.id == entries[0].id).values(place="Antwerp")
    )
    team.db.execute(delete(CustodyEntry).where(CustodyEntry.id == entries[1].id))
    team.db.expire_all()
    problems = custody.check_chain(item.reference, custody.log(team.db, item))
    assert problems == [
        f"custody line 1 of {item.reference}: its content does not match its hash (altered)",
        f"custody line 3 of {item.reference}: expected line 2 (a line is missing)",
        f"custody line 3 of {item.reference}: does not follow the line before it",
    ]
    shown = evidence.read_item(team.db, principal=team["nl"], case=case, item_id=item.id, now=NOW)
    assert shown.chain_problems == problems


# Hand-overs ------------------------------------------------------------------------------
def test_a_signed_hand_over_and_its_countersigned_receipt(team: Team) -> None:
    case = team.case(members={"DE-BKA": "participant"})
    item = digital(team, case)
    seal = with_keys(team)
    handover = handovers.hand_over(
        team.db,
        principal=team["nl"],
        sealer=seal,
        item=item,
        to_agency_code="DE-BKA",
        place="Schiphol, KLM cargo desk",
        note="seal 0042 intact",
        now=NOW,
    )
    statement = handover.statement
    assert (statement["from"], statement["to"], statement["sha256"]) == (
        "NL-NP",
        "DE-BKA",
        item.sha256,
    )
    assert statement["previous_hash"] == custody.log(team.db, item)[0].entry_hash
    public = keys.public_of(team.db, handover.kid, team.agencies["NL-NP"].id, KeyUse.signing)
    assert public is not None
    crypto.verify(public, handover.signature, crypto.canonical(statement))
    # Until received, the releasing agency still holds the item and it cannot go twice.
    assert item.holder_agency_id == team.agencies["NL-NP"].id
    with pytest.raises(Conflict, match="awaiting its receipt"):
        handovers.hand_over(
            team.db,
            principal=team["nl"],
            sealer=seal,
            item=item,
            to_agency_code="DE-BKA",
            place="Schiphol",
            note="",
            now=NOW,
        )
    with pytest.raises(Forbidden, match="only it receives it"):
        handovers.receive(team.db, principal=team["nl"], sealer=seal, handover=handover, now=NOW)
    later = NOW + timedelta(hours=5)
    handovers.receive(
        team.db, principal=team["de"], sealer=seal, handover=handover, now=later, place="Wiesbaden"
    )
    assert (handover.status, item.holder_agency_id) == (
        HandoverStatus.received,
        team.agencies["DE-BKA"].id,
    )
    receipt_key = keys.public_of(
        team.db, str(handover.receipt_kid), team.agencies["DE-BKA"].id, KeyUse.signing
    )
    assert receipt_key is not None
    assert handover.receipt is not None
    assert handover.receipt_signature is not None
    crypto.verify(receipt_key, handover.receipt_signature, crypto.canonical(handover.receipt))
    assert handover.receipt["statement_sha256"] == crypto.sha256_hex(crypto.canonical(statement))
    log = custody.log(team.db, item)
    assert [(e.kind, e.agency, e.handover_id) for e in log] == [
        (K.collected, "NL-NP", None),
        (K.handed_over, "NL-NP", handover.id),
        (K.received, "DE-BKA", handover.id),
    ]
    assert custody.check_chain(item.reference, log) == []
    with pytest.raises(Conflict, match="already received"):
        handovers.receive(team.db, principal=team["de"], sealer=seal, handover=handover, now=later)
    # Now only DE-BKA hands it on.
    with pytest.raises(Forbidden, match="DE-BKA holds"):
        handovers.hand_over(
            team.db,
            principal=team["nl"],
            sealer=seal,
            item=item,
            to_agency_code="DE-BKA",
            place="Den Haag",
            note="",
            now=later,
        )


@pytest.mark.parametrize(
    ("to", "reason"),
    [
        ("EUROPOL", "EUROPOL is not a contributing member"),
        ("FR-OFAST", "FR-OFAST is not a contributing member"),
        ("NL-NP", "NL-NP already holds"),
        ("XX-NONE", "unknown agency 'XX-NONE'"),
    ],
)
def test_hand_overs_go_to_contributing_members_only(team: Team, to: str, reason: str) -> None:
    case = team.case(members={"DE-BKA": "participant", "EUROPOL": "observer"})
    item = physical(team, case)
    with pytest.raises(Invalid, match=reason):
        handovers.hand_over(
            team.db,
            principal=team["nl"],
            sealer=with_keys(team),
            item=item,
            to_agency_code=to,
            place="Den Haag",
            note="",
            now=NOW,
        )
    assert [o for o, _ in audit_lines(team.db, "cases.evidence.hand_over")] == ["failure"]
    assert kinds(team.db, item) == [K.collected]


@pytest.mark.parametrize("tampered", ["statement", "signature"])
def test_a_tampered_hand_over_is_refused_with_the_reason_and_logged(
    team: Team, sessions: sessionmaker[Session], tampered: str
) -> None:
    case = team.case(members={"DE-BKA": "participant"})
    item = digital(team, case)
    seal = with_keys(team)
    handover = handovers.hand_over(
        team.db,
        principal=team["nl"],
        sealer=seal,
        item=item,
        to_agency_code="DE-BKA",
        place="Schiphol",
        note="",
        now=NOW,
    )
    changes = (
        {"statement": {**handover.statement, "to": "CO-DIJIN"}}
        if tampered == "statement"
        else {"signature": bytes([handover.signature[0] ^ 1]) + handover.signature[1:]}
    )
    team.db.execute(
        update(EvidenceHandover).where(EvidenceHandover.id == handover.id).values(**changes)
    )
    team.db.commit()

    def receive() -> None:
        with unit_of_work(sessions) as session:
            stored = session.get(EvidenceHandover, handover.id)
            assert stored is not None
            handovers.receive(session, principal=team["de"], sealer=seal, handover=stored, now=NOW)

    with pytest.raises(Invalid) as refused:
        receive()
    assert "does not verify with NL-NP's key" in refused.value.message
    assert "altered" in refused.value.message
    lines = audit_lines(team.db, "cases.evidence.receive")
    assert [outcome for outcome, _ in lines] == ["failure"]
    assert "does not verify" in lines[0][1]
    team.db.expire_all()
    stored_item = team.db.get(EvidenceItem, item.id)
    assert stored_item is not None
    assert stored_item.holder_agency_id == team.agencies["NL-NP"].id
    assert kinds(team.db, item) == [K.collected, K.handed_over]


def test_a_hand_over_of_altered_bytes_is_refused(team: Team) -> None:
    case = team.case(members={"DE-BKA": "participant"})
    item = digital(team, case)
    tamper_file(team, item)
    with pytest.raises(Conflict, match="failed its integrity check"):
        handovers.hand_over(
            team.db,
            principal=team["nl"],
            sealer=with_keys(team),
            item=item,
            to_agency_code="DE-BKA",
            place="Schiphol",
            note="",
            now=NOW,
        )


# A statement signed elsewhere --------------------------------------------------------------
def learnt_key(team: Team, code: str) -> tuple[str, Ed25519PrivateKey]:
    """A signing key of `code` that this node only learnt (the agency signs on its node)."""
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(*crypto.RAW)
    entry = {
        "use": "signing",
        "public": crypto.b64(public),
        "kid": key_id(public),
        "created_at": NOW.isoformat(),
    }
    keys.learn(team.db, team.agencies[code].id, [entry])
    return key_id(public), private


def signed_elsewhere(
    team: Team, item: EvidenceItem, *, by: str, to: str, private: Ed25519PrivateKey
) -> tuple[dict[str, object], str]:
    head = custody.head(team.db, item.id)
    assert head is not None
    statement: dict[str, object] = {
        "type": handovers.STATEMENT,
        "handover": str(uuid.uuid4()),
        "case": item.reference.rsplit("/E/", 1)[0],
        "item": item.reference,
        "sha256": item.sha256,
        "from": by,
        "to": to,
        "by": "co.field-officer",
        "at": custody.iso(NOW - timedelta(hours=1)),
        "place": "Bogotá, El Dorado airport",
        "note": "bag 0042, seal intact",
        "previous_hash": head.entry_hash,
    }
    return statement, crypto.b64(private.sign(crypto.canonical(statement)))


def test_a_statement_signed_by_another_node_is_received_with_a_learnt_key(team: Team) -> None:
    case = team.case(members={"DE-BKA": "participant", "CO-DIJIN": "participant"})
    item = physical(team, case, by="co")
    seal = with_keys(team)
    kid, private = learnt_key(team, "CO-DIJIN")
    statement, signature = signed_elsewhere(team, item, by="CO-DIJIN", to="DE-BKA", private=private)
    received = handovers.receive_signed(
        team.db,
        principal=team["de"],
        sealer=seal,
        item=item,
        statement=statement,
        kid=kid,
        signature_b64=signature,
        now=NOW,
        place="Frankfurt",
    )
    assert (received.status, item.holder_agency_id) == (
        HandoverStatus.received,
        team.agencies["DE-BKA"].id,
    )
    log = custody.log(team.db, item)
    assert [(e.kind, e.agency, e.actor) for e in log] == [
        (K.collected, "CO-DIJIN", "co.officer"),
        (K.handed_over, "CO-DIJIN", "co.field-officer"),
        (K.received, "DE-BKA", "de.officer"),
    ]
    assert custody.check_chain(item.reference, log) == []
    # The same statement again: CO-DIJIN no longer holds the item.
    with pytest.raises(Conflict, match="held by DE-BKA, not CO-DIJIN"):
        handovers.receive_signed(
            team.db,
            principal=team["de"],
            sealer=seal,
            item=item,
            statement=statement,
            kid=kid,
            signature_b64=signature,
            now=NOW,
        )


def test_a_statement_signed_elsewhere_without_a_valid_signature_is_refused(team: Team) -> None:
    case = team.case(members={"DE-BKA": "participant", "CO-DIJIN": "participant"})
    item = physical(team, case, by="co")
    seal = with_keys(team)
    kid, private = learnt_key(team, "CO-DIJIN")
    statement, signature = signed_elsewhere(team, item, by="CO-DIJIN", to="DE-BKA", private=private)
    forger = Ed25519PrivateKey.generate()
    attempts = {
        "does not verify": ({**statement, "place": "Madrid"}, kid, signature),
        "not a signing key of CO-DIJIN": (statement, "0123456789abcdef", signature),
        "not valid base64": (statement, kid, "***"),
        "does not verify with CO-DIJIN's key": (
            statement,
            kid,
            crypto.b64(forger.sign(crypto.canonical(statement))),
        ),
        "lacks previous_hash": (
            {k: v for k, v in statement.items() if k != "previous_hash"},
            kid,
            signature,
        ),
    }
    for reason, (document, key, sig) in attempts.items():
        with pytest.raises(Invalid, match=reason):
            handovers.receive_signed(
                team.db,
                principal=team["de"],
                sealer=seal,
                item=item,
                statement=document,
                kid=key,
                signature_b64=sig,
                now=NOW,
            )
    refusals = audit_lines(team.db, "cases.evidence.receive")
    assert [o for o, _ in refusals] == ["failure"] * len(attempts)
    assert item.holder_agency_id == team.agencies["CO-DIJIN"].id
    assert kinds(team.db, item) == [K.collected]
    # A statement that follows no line of this item's log does not pass either.
    other = physical(team, case, by="co", title="Second phone")
    moved, _ = signed_elsewhere(team, other, by="CO-DIJIN", to="DE-BKA", private=private)
    moved = {**moved, "previous_hash": statement["previous_hash"]}
    with pytest.raises(Invalid, match="not in the custody log"):
        handovers.receive_signed(
            team.db,
            principal=team["de"],
            sealer=seal,
            item=other,
            statement=moved,
            kid=kid,
            signature_b64=crypto.b64(private.sign(crypto.canonical(moved))),
            now=NOW,
        )


def test_nothing_is_handed_over_without_a_signing_key(team: Team) -> None:
    case = team.case(members={"DE-BKA": "participant"})
    item = physical(team, case)
    with pytest.raises(Invalid, match="no signing key"):
        handovers.hand_over(
            team.db,
            principal=team["nl"],
            sealer=sealer(team),
            item=item,
            to_agency_code="DE-BKA",
            place="Den Haag",
            note="",
            now=NOW,
        )
