"""Hand-overs of evidence between member agencies: the agency holding an item signs a
statement (Ed25519, its current key) naming the item, its digest, both agencies, the time,
the place and the custody line it follows; the agency taking it verifies that signature and
countersigns a receipt. Only then does it hold the item.

A statement signed elsewhere — by a peer node's agency whose public keys this node learnt
from its directory — is received the same way (`receive_signed`). Whatever is refused (a
signature that does not verify, a statement that does not match the item) is refused with
its reason and leaves a durable audit line.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation, refusals_logged
from palermo.cases import custody
from palermo.cases.evidence import agency_of, checked_bytes
from palermo.cases.membership import agency_named, current_member
from palermo.cases.timeline import EVIDENCE_HANDED, EVIDENCE_RECEIVED, changed
from palermo.cases.vocabulary import CONTRIBUTING, CustodyKind, HandoverStatus
from palermo.errors import Conflict, Forbidden, Invalid, NotFound
from palermo.exchange import crypto, keys
from palermo.exchange.keys import KeyUse
from palermo.identity.principal import Principal
from palermo.models.cases import Case, CustodyEntry, EvidenceHandover, EvidenceItem
from palermo.models.identity import Agency
from palermo.policy import cases as policy
from palermo.translatable import N_, written

STATEMENT = "palermo-evidence-handover-v1"
RECEIPT = "palermo-evidence-receipt-v1"
# What a statement must say; `by` (the officer who released it) is optional.
STATEMENT_FIELDS = (
    "type",
    "handover",
    "case",
    "item",
    "sha256",
    "from",
    "to",
    "at",
    "place",
    "note",
    "previous_hash",
)


def hand_over(
    session: Session,
    *,
    principal: Principal,
    sealer: crypto.KeySealer,
    item: EvidenceItem,
    to_agency_code: str,
    place: str,
    note: str,
    now: datetime,
) -> EvidenceHandover:
    """The holder agency releases the item to another contributing member with a signed
    statement; the item stays the holder's until the recipient receives it."""
    case = case_of(session, item)
    with refusals_logged(
        session,
        action="cases.evidence.hand_over",
        operation=Operation.disclosure,
        principal=principal,
        object_ids=[case.id, item.id],
        detail={"case": case.reference, "evidence": item.reference, "to": to_agency_code},
    ):
        policy.contributor(session, principal, case)
        holder = agency_of(session, item.holder_agency_id)
        if holder.id not in principal.acting_agency_ids:
            raise Forbidden(
                N_("%(code)s holds %(reference)s: only the holder hands it over"),
                code=holder.code,
                reference=item.reference,
            )
        _contributing(session, case, holder)
        recipient = agency_named(session, to_agency_code)
        if recipient.id == holder.id:
            raise Invalid(
                N_("%(code)s already holds %(reference)s"),
                code=holder.code,
                reference=item.reference,
            )
        _contributing(session, case, recipient)
        _no_pending(session, item)
        if not place.strip():
            raise Invalid(N_("say where the item is handed over (place)"))
        checked_bytes(
            session,
            principal=principal,
            case=case,
            item=item,
            agency=holder,
            during="hand-over",
            now=now,
        )
        last = custody.head(session, item.id)
        assert last is not None
        handover_id = uuid.uuid4()
        statement: dict[str, Any] = {
            "type": STATEMENT,
            "handover": str(handover_id),
            "case": case.reference,
            "item": item.reference,
            "sha256": item.sha256,
            "from": holder.code,
            "to": recipient.code,
            "by": principal.username,
            "at": custody.iso(now),
            "place": place.strip(),
            "note": note,
            "previous_hash": last.entry_hash,
        }
        kid, private = keys.signing_private(session, sealer, holder.id)
        handover = EvidenceHandover(
            id=handover_id,
            evidence_id=item.id,
            from_agency_id=holder.id,
            to_agency_id=recipient.id,
            statement=statement,
            kid=kid,
            signature=crypto.sign(private, crypto.canonical(statement)),
            status=HandoverStatus.pending,
        )
        session.add(handover)
        session.flush()
    custody.append(
        session,
        item_id=item.id,
        reference=item.reference,
        kind=CustodyKind.handed_over,
        agency=holder.code,
        actor=principal.username,
        at=now,
        place=place.strip(),
        note=note or f"to {recipient.code}, signed with key {kid}",
        observed_sha256=item.sha256,
        handover_id=handover.id,
    )
    changed(
        session,
        case,
        principal=principal,
        agency_id=holder.id,
        action="cases.evidence.hand_over",
        operation=Operation.disclosure,
        summary=written(
            EVIDENCE_HANDED, agency=holder.code, reference=item.reference, recipient=recipient.code
        ),
        now=now,
        object_ids=[item.id, handover.id],
        detail={"evidence": item.reference, "to": recipient.code, "kid": kid},
    )
    return handover


def receive(
    session: Session,
    *,
    principal: Principal,
    sealer: crypto.KeySealer,
    handover: EvidenceHandover,
    now: datetime,
    place: str = "",
    note: str = "",
) -> EvidenceHandover:
    """The recipient agency checks the releasing agency's signature and the item's bytes,
    countersigns a receipt and becomes the holder."""
    item = _item(session, handover.evidence_id)
    case = case_of(session, item)
    releasing = agency_of(session, handover.from_agency_id)
    with refusals_logged(
        session,
        action="cases.evidence.receive",
        operation=Operation.collection,
        principal=principal,
        object_ids=[case.id, item.id, handover.id],
        detail={"case": case.reference, "evidence": item.reference, "from": releasing.code},
    ):
        policy.contributor(session, principal, case)
        recipient = agency_of(session, handover.to_agency_id)
        if recipient.id not in principal.acting_agency_ids:
            raise Forbidden(
                N_("%(reference)s is handed over to %(code)s: only it receives it"),
                reference=item.reference,
                code=recipient.code,
            )
        if handover.status is not HandoverStatus.pending:
            raise Conflict(
                N_("this hand-over of %(reference)s was already received"), reference=item.reference
            )
        _contributing(session, case, recipient)
        check_statement(
            session,
            item=item,
            statement=handover.statement,
            kid=handover.kid,
            signature=handover.signature,
            releasing=releasing,
            recipient=recipient,
        )
        checked_bytes(
            session,
            principal=principal,
            case=case,
            item=item,
            agency=recipient,
            during="receipt",
            now=now,
        )
        _countersign(session, sealer, handover, item, recipient, place, note, now)
    _received(session, principal, case, item, handover, releasing, recipient, place, note, now)
    return handover


def receive_signed(
    session: Session,
    *,
    principal: Principal,
    sealer: crypto.KeySealer,
    item: EvidenceItem,
    statement: dict[str, Any],
    kid: str,
    signature_b64: str,
    now: datetime,
    place: str = "",
    note: str = "",
) -> EvidenceHandover:
    """Receive an item on a hand-over statement signed elsewhere (a peer node's agency).
    The statement has the fields of `STATEMENT_FIELDS`; its `previous_hash` is a line of the
    item's custody log here (the releasing agency reads it from the case), its `from` the
    item's holder, its `to` the principal's agency. Refused without a valid signature by a
    signing key of the releasing agency this node knows."""
    case = case_of(session, item)
    with refusals_logged(
        session,
        action="cases.evidence.receive",
        operation=Operation.collection,
        principal=principal,
        object_ids=[case.id, item.id],
        detail={"case": case.reference, "evidence": item.reference, "signed": "elsewhere"},
    ):
        policy.contributor(session, principal, case)
        if not isinstance(statement, dict):
            raise Invalid(N_("the hand-over statement must be a JSON object"))
        missing = [f for f in STATEMENT_FIELDS if f not in statement]
        if missing:
            raise Invalid(
                N_("the hand-over statement lacks %(missing)s"), missing=", ".join(missing)
            )
        recipient = agency_named(session, str(statement["to"]))
        if recipient.id not in principal.acting_agency_ids:
            raise Forbidden(
                N_("the statement hands %(reference)s to %(code)s: only it receives it"),
                reference=item.reference,
                code=recipient.code,
            )
        releasing = agency_named(session, str(statement["from"]))
        if releasing.id != item.holder_agency_id:
            holder = agency_of(session, item.holder_agency_id)
            raise Conflict(
                N_(
                    "%(reference)s is held by %(code)s, not %(code2)s: only its holder hands "
                    "it over"
                ),
                reference=item.reference,
                code=holder.code,
                code2=releasing.code,
            )
        _contributing(session, case, recipient)
        _no_pending(session, item)
        try:
            signature = crypto.unb64(signature_b64, "the signature")
        except ValueError as wrong:
            raise Invalid(N_("%(wrong)s: the hand-over is refused"), wrong=wrong) from None
        check_statement(
            session,
            item=item,
            statement=statement,
            kid=kid,
            signature=signature,
            releasing=releasing,
            recipient=recipient,
        )
        handover_id = _fresh_id(session, statement["handover"])
        signed_at = _signed_at(statement["at"], now)
        checked_bytes(
            session,
            principal=principal,
            case=case,
            item=item,
            agency=recipient,
            during="receipt",
            now=now,
        )
        handover = EvidenceHandover(
            id=handover_id,
            evidence_id=item.id,
            from_agency_id=releasing.id,
            to_agency_id=recipient.id,
            statement=statement,
            kid=kid,
            signature=signature,
            status=HandoverStatus.pending,
        )
        session.add(handover)
        session.flush()
        custody.append(
            session,
            item_id=item.id,
            reference=item.reference,
            kind=CustodyKind.handed_over,
            agency=releasing.code,
            actor=str(statement.get("by") or releasing.code),
            at=signed_at,
            place=str(statement["place"]),
            note=str(statement["note"]) or f"to {recipient.code}, signed with key {kid}",
            observed_sha256=item.sha256,
            handover_id=handover.id,
        )
        _countersign(session, sealer, handover, item, recipient, place, note, now)
    _received(session, principal, case, item, handover, releasing, recipient, place, note, now)
    return handover


def check_statement(
    session: Session,
    *,
    item: EvidenceItem,
    statement: dict[str, Any],
    kid: str,
    signature: bytes,
    releasing: Agency,
    recipient: Agency,
) -> None:
    """The signature first (with a signing key of the releasing agency, retired or not),
    then what the statement says against the item and its custody log."""
    public = keys.public_of(session, kid, releasing.id, KeyUse.signing)
    if public is None:
        raise Invalid(
            N_(
                "key %(kid)s is not a signing key of %(code)s known to this node: the "
                "hand-over is refused"
            ),
            kid=kid,
            code=releasing.code,
        )
    try:
        crypto.verify(public, signature, crypto.canonical(statement))
    except crypto.CryptoFailure:
        raise Invalid(
            N_(
                "the hand-over statement of %(reference)s does not verify with "
                "%(code)s's key %(kid)s: the statement or its signature was altered; the "
                "hand-over is refused"
            ),
            reference=item.reference,
            code=releasing.code,
            kid=kid,
        ) from None
    expected = {
        "type": STATEMENT,
        "case": item.reference.rsplit("/E/", 1)[0],
        "item": item.reference,
        "sha256": item.sha256,
        "from": releasing.code,
        "to": recipient.code,
    }
    for field, value in expected.items():
        if statement.get(field) != value:
            raise Invalid(
                N_(
                    "the signed statement gives %(field)s %(statement)s, not %(value)s: the "
                    "hand-over is refused"
                ),
                field=field,
                statement=repr(statement.get(field)),
                value=repr(value),
            )
    previous = statement.get("previous_hash")
    known = session.scalar(
        select(CustodyEntry.id).where(
            CustodyEntry.evidence_id == item.id, CustodyEntry.entry_hash == previous
        )
    )
    if known is None:
        raise Invalid(
            N_(
                "the signed statement follows custody line %(previous)s, which is not in "
                "the custody log of %(reference)s: the hand-over is refused"
            ),
            previous=repr(previous),
            reference=item.reference,
        )


def handover_for(session: Session, case: Case, handover_id: uuid.UUID) -> EvidenceHandover:
    """A hand-over of one of the case's items (the case found through `policy.case_for`)."""
    found = session.scalar(
        select(EvidenceHandover)
        .join(EvidenceItem, EvidenceItem.id == EvidenceHandover.evidence_id)
        .where(EvidenceHandover.id == handover_id, EvidenceItem.case_id == case.id)
    )
    if found is None:
        raise NotFound(
            N_("no hand-over %(handover_id)s in %(reference)s"),
            handover_id=handover_id,
            reference=case.reference,
        )
    return found


def case_of(session: Session, item: EvidenceItem) -> Case:
    case = session.get(Case, item.case_id)
    assert case is not None
    return case


def _item(session: Session, item_id: uuid.UUID) -> EvidenceItem:
    item = session.get(EvidenceItem, item_id)
    assert item is not None
    return item


def _contributing(session: Session, case: Case, agency: Agency) -> None:
    member = current_member(session, case, agency)
    if member is None or member.role not in CONTRIBUTING:
        raise Invalid(
            N_(
                "%(code)s is not a contributing member of %(reference)s: evidence is "
                "held by the lead or a participant"
            ),
            code=agency.code,
            reference=case.reference,
        )


def _no_pending(session: Session, item: EvidenceItem) -> None:
    pending = session.scalar(
        select(EvidenceHandover).where(
            EvidenceHandover.evidence_id == item.id,
            EvidenceHandover.status == HandoverStatus.pending,
        )
    )
    if pending is not None:
        to = agency_of(session, pending.to_agency_id)
        raise Conflict(
            N_("%(reference)s is being handed over to %(code)s: awaiting its receipt"),
            reference=item.reference,
            code=to.code,
        )


def _fresh_id(session: Session, value: object) -> uuid.UUID:
    try:
        handover_id = uuid.UUID(str(value))
    except ValueError:
        raise Invalid(
            N_("the statement's handover %(value)s is not a UUID"), value=repr(value)
        ) from None
    if session.get(EvidenceHandover, handover_id) is not None:
        raise Conflict(N_("hand-over %(handover_id)s is already recorded"), handover_id=handover_id)
    return handover_id


def _signed_at(value: object, now: datetime) -> datetime:
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError:
        raise Invalid(
            N_("the statement's time %(value)s is not an ISO 8601 time"), value=repr(value)
        ) from None
    if at.tzinfo is None:
        raise Invalid(N_("the statement's time %(value)s has no time zone"), value=repr(value))
    if at > now:
        raise Invalid(N_("the statement is dated %(value)s, in the future"), value=value)
    return at


def _countersign(
    session: Session,
    sealer: crypto.KeySealer,
    handover: EvidenceHandover,
    item: EvidenceItem,
    recipient: Agency,
    place: str,
    note: str,
    now: datetime,
) -> None:
    receipt = {
        "type": RECEIPT,
        "handover": str(handover.id),
        "item": item.reference,
        "sha256": item.sha256,
        "statement_sha256": crypto.sha256_hex(crypto.canonical(handover.statement)),
        "by": recipient.code,
        "at": custody.iso(now),
        "place": place,
        "note": note,
    }
    kid, private = keys.signing_private(session, sealer, recipient.id)
    handover.receipt = receipt
    handover.receipt_kid = kid
    handover.receipt_signature = crypto.sign(private, crypto.canonical(receipt))
    handover.status = HandoverStatus.received
    item.holder_agency_id = recipient.id
    session.flush()


def _received(
    session: Session,
    principal: Principal,
    case: Case,
    item: EvidenceItem,
    handover: EvidenceHandover,
    releasing: Agency,
    recipient: Agency,
    place: str,
    note: str,
    now: datetime,
) -> None:
    custody.append(
        session,
        item_id=item.id,
        reference=item.reference,
        kind=CustodyKind.received,
        agency=recipient.code,
        actor=principal.username,
        at=now,
        place=place,
        note=note or f"from {releasing.code}, countersigned with key {handover.receipt_kid}",
        observed_sha256=item.sha256,
        handover_id=handover.id,
    )
    changed(
        session,
        case,
        principal=principal,
        agency_id=recipient.id,
        action="cases.evidence.receive",
        operation=Operation.collection,
        summary=written(
            EVIDENCE_RECEIVED,
            agency=recipient.code,
            reference=item.reference,
            releasing=releasing.code,
        ),
        now=now,
        object_ids=[item.id, handover.id],
        detail={"evidence": item.reference, "from": releasing.code, "kid": handover.kid},
    )
