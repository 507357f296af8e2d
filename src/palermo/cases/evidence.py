"""Evidence items of a case: files stored once by their SHA-256, physical objects described,
each with its custody log (`custody.py`).

Every access to an item's bytes — reading its file, its content, a check, a hand-over, an
export — hashes the stored bytes again and compares them with the digest recorded when the
item was collected. A mismatch flags the item for good (`integrity_failed_at`), adds an
`integrity_failed` line to its custody log and a failed audit event, and the content is
refused; the flag and both lines are written durably, so they survive the refused request.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from palermo.audit.service import Operation, Outcome
from palermo.audit.service import record as audit
from palermo.cases import custody
from palermo.cases.evidence_schemas import (
    CustodyOut,
    EvidenceDetail,
    EvidenceOut,
    HandoverOut,
    VerificationOut,
)
from palermo.cases.timeline import EVIDENCE_ADDED, EVIDENCE_INTEGRITY_FAILED, changed
from palermo.cases.vocabulary import CustodyKind, EvidenceKind
from palermo.db import durable_write, next_number
from palermo.errors import Conflict, Invalid, NotFound
from palermo.exchange.crypto import b64, sha256_hex
from palermo.identity.principal import Principal
from palermo.models.cases import (
    Case,
    CaseEvent,
    CustodyEntry,
    EvidenceFile,
    EvidenceHandover,
    EvidenceItem,
)
from palermo.models.identity import Agency
from palermo.policy import cases as policy
from palermo.policy.cases import as_uuid
from palermo.records.envelope import HandlingCode
from palermo.records.repository import agency_codes
from palermo.translatable import N_, written

PAGE = 200


# Adding ----------------------------------------------------------------------------------
def add_item(
    session: Session,
    *,
    principal: Principal,
    case: Case,
    kind: EvidenceKind,
    title: str,
    description: str,
    handling: str,
    collected_at: datetime,
    collected_place: str,
    content: bytes | None,
    file_name: str | None,
    media_type: str | None,
    now: datetime,
) -> EvidenceItem:
    """A contributing member adds an item it collected: a file (stored once by its SHA-256)
    or a physical object (described). The agency holds it; its custody log opens with the
    collection."""
    member = policy.contributor(session, principal, case)
    agency = agency_of(session, member.agency_id)
    code = _handling(handling)
    if not title.strip():
        raise Invalid(N_("an evidence item needs a title"))
    if collected_at.tzinfo is None:
        raise Invalid(N_("collected_at needs a time zone"))
    if collected_at > now:
        raise Invalid(
            N_("collected_at %(collected_at)s is in the future"),
            collected_at=collected_at.isoformat(),
        )
    if not collected_place.strip():
        raise Invalid(N_("say where the item was collected (collected_place)"))
    digest: str | None = None
    if kind is EvidenceKind.digital:
        if not content:
            raise Invalid(N_("a digital item needs its file's content"))
        if not (file_name or "").strip():
            raise Invalid(N_("a digital item needs its file name"))
        digest = _store(session, content)
        media_type = media_type or "application/octet-stream"
    else:
        if content is not None or file_name or media_type:
            raise Invalid(
                N_(
                    "a physical item is described, not uploaded: it has no content, file "
                    "name or media type (add its photographs or scans as digital items)"
                )
            )
    number = next_number(session, f"evidence:{case.id}", numbered=lambda: 0)
    item = EvidenceItem(
        id=uuid.uuid4(),
        case_id=case.id,
        number=number,
        reference=f"{case.reference}/E/{number:04d}",
        kind=kind,
        title=title.strip(),
        description=description,
        agency_id=agency.id,
        handling=code.value,
        sha256=digest,
        file_name=file_name if digest else None,
        media_type=media_type if digest else None,
        size=len(content) if digest and content else None,
        collected_at=collected_at,
        collected_place=collected_place.strip(),
        holder_agency_id=agency.id,
        created_at=now,
    )
    session.add(item)
    session.flush()
    custody.append(
        session,
        item_id=item.id,
        reference=item.reference,
        kind=CustodyKind.collected,
        agency=agency.code,
        actor=principal.username,
        at=collected_at,
        place=item.collected_place,
        note=f"recorded {custody.iso(now)}",
        observed_sha256=digest,
    )
    changed(
        session,
        case,
        principal=principal,
        agency_id=agency.id,
        action="cases.evidence.add",
        operation=Operation.collection,
        summary=written(
            EVIDENCE_ADDED, agency=agency.code, reference=item.reference, title=item.title
        ),
        now=now,
        object_ids=[item.id],
        detail={"evidence": item.reference, "kind": kind.value, "sha256": digest},
    )
    return item


def _handling(value: str) -> HandlingCode:
    try:
        return HandlingCode(value)
    except ValueError:
        raise Invalid(
            N_("handling %(value)s is not a handling code: one of %(handlingcode)s"),
            value=repr(value),
            handlingcode=", ".join(HandlingCode),
        ) from None


def _store(session: Session, content: bytes) -> str:
    """Store the bytes once under their SHA-256 (the same file in two items is one row)."""
    digest = sha256_hex(content)
    if session.scalar(select(EvidenceFile.sha256).where(EvidenceFile.sha256 == digest)):
        return digest
    try:
        with session.begin_nested():
            session.add(EvidenceFile(sha256=digest, size=len(content), content=content))
    except IntegrityError:  # stored meanwhile by another transaction
        pass
    return digest


# Finding ---------------------------------------------------------------------------------
def agency_of(session: Session, agency_id: uuid.UUID) -> Agency:
    agency = session.get(Agency, agency_id)
    assert agency is not None
    return agency


def acting_member(session: Session, principal: Principal, case: Case) -> Agency:
    """The member agency the principal acts for in this case (any role)."""
    policy.may_work(principal)
    return agency_of(session, policy.membership(session, principal, case).agency_id)


def items(
    session: Session, case: Case, *, offset: int = 0, limit: int = PAGE
) -> list[EvidenceItem]:
    """The case's items by number (the case was found through `policy.case_for`)."""
    return list(
        session.scalars(
            select(EvidenceItem)
            .where(EvidenceItem.case_id == case.id)
            .order_by(EvidenceItem.number)
            .offset(offset)
            .limit(limit)
        )
    )


def item_for(session: Session, case: Case, item: uuid.UUID | str) -> EvidenceItem:
    """An item of the case by id, reference or number (`7`, `E/0007`)."""
    query = select(EvidenceItem).where(EvidenceItem.case_id == case.id)
    text = str(item).strip()
    key = as_uuid(text)
    found: EvidenceItem | None = None
    if key is not None:
        found = session.scalar(query.where(EvidenceItem.id == key))
    else:
        number = text.removeprefix(case.reference).removeprefix("/").removeprefix("E/")
        if number.isdigit():
            found = session.scalar(query.where(EvidenceItem.number == int(number)))
    if found is None:
        raise NotFound(
            N_("no evidence item %(text)s in %(reference)s"), text=text, reference=case.reference
        )
    return found


def handovers_of(session: Session, item: EvidenceItem) -> list[EvidenceHandover]:
    found = session.scalars(select(EvidenceHandover).where(EvidenceHandover.evidence_id == item.id))
    return sorted(found, key=lambda h: str(h.statement.get("at", "")))


# Integrity -------------------------------------------------------------------------------
def stored_bytes(session: Session, item: EvidenceItem) -> tuple[bytes | None, str | None]:
    """The item's stored bytes and their SHA-256 now (None, None for a missing file)."""
    data = session.scalar(select(EvidenceFile.content).where(EvidenceFile.sha256 == item.sha256))
    return data, (sha256_hex(data) if data is not None else None)


def integrity_refusal(item: EvidenceItem, observed: str | None) -> Conflict:
    found = f"hash to {observed}" if observed else "are missing"
    return Conflict(
        N_(
            "evidence %(reference)s failed its integrity check: the digest recorded "
            "at collection is %(sha256)s, the stored bytes %(found)s; the failure is "
            "logged"
        ),
        reference=item.reference,
        sha256=item.sha256,
        found=found,
    )


def checked_bytes(
    session: Session,
    *,
    principal: Principal,
    case: Case,
    item: EvidenceItem,
    agency: Agency,
    during: str,
    now: datetime,
) -> bytes | None:
    """The item's bytes after checking them against its recorded digest (None for a
    physical item). A mismatch is flagged durably and refused."""
    if item.kind is not EvidenceKind.digital:
        return None
    data, observed = stored_bytes(session, item)
    if data is None or observed != item.sha256:
        flag(
            session,
            principal=principal,
            case=case,
            item=item,
            agency=agency,
            observed=observed,
            during=during,
            now=now,
        )
        raise integrity_refusal(item, observed)
    return data


def flag(
    session: Session,
    *,
    principal: Principal,
    case: Case,
    item: EvidenceItem,
    agency: Agency,
    observed: str | None,
    during: str,
    now: datetime,
) -> None:
    """Record an integrity failure so that it outlives the request it fails: the item's
    flag (first failure), an `integrity_failed` custody line and a failed audit event."""
    item_id, reference, recorded = item.id, item.reference, item.sha256
    case_id, agency_id, agency_code, actor = case.id, agency.id, agency.code, principal.username
    note = f"{during}: stored bytes {observed or 'missing'}, recorded {recorded}"

    def write(s: Session) -> None:
        first = cast(
            "CursorResult[Any]",
            s.execute(
                update(EvidenceItem)
                .where(EvidenceItem.id == item_id, EvidenceItem.integrity_failed_at.is_(None))
                .values(integrity_failed_at=now)
            ),
        ).rowcount
        custody.append(
            s,
            item_id=item_id,
            reference=reference,
            kind=CustodyKind.integrity_failed,
            agency=agency_code,
            actor=actor,
            at=now,
            note=note,
            observed_sha256=observed,
        )
        if first:
            s.add(
                CaseEvent(
                    case_id=case_id,
                    at=now,
                    agency_id=agency_id,
                    actor=actor,
                    kind="evidence.integrity_failed",
                    summary=written(EVIDENCE_INTEGRITY_FAILED, reference=reference, during=during),
                )
            )
            s.flush()

    durable_write(session, write)
    audit(
        session,
        action="cases.evidence.integrity_failed",
        operation=Operation.consultation,
        principal=principal,
        outcome=Outcome.failure,
        object_ids=[case_id, item_id],
        detail={
            "case": case.reference,
            "evidence": reference,
            "during": during,
            "recorded_sha256": recorded,
            "observed_sha256": observed,
        },
        durable=True,
    )


# Reading ---------------------------------------------------------------------------------
@dataclass
class ItemFile:
    """An item with its custody log, the state of the chain and of its bytes."""

    item: EvidenceItem
    custody: list[CustodyEntry]
    chain_problems: list[str]
    handovers: list[EvidenceHandover]
    intact: bool | None  # None: a physical item, nothing stored to check
    observed_sha256: str | None = None  # what the stored bytes hash to now


def read_item(
    session: Session, *, principal: Principal, case: Case, item_id: uuid.UUID | str, now: datetime
) -> ItemFile:
    """The item, its custody log and hand-overs. Its bytes are checked on the way: a
    mismatch is flagged and shown (the file itself stays readable, its content does not)."""
    agency = acting_member(session, principal, case)
    item = item_for(session, case, item_id)
    intact: bool | None = None
    observed: str | None = None
    if item.kind is EvidenceKind.digital:
        data, observed = stored_bytes(session, item)
        intact = data is not None and observed == item.sha256
        if not intact:
            flag(
                session,
                principal=principal,
                case=case,
                item=item,
                agency=agency,
                observed=observed,
                during="consultation",
                now=now,
            )
            session.refresh(item)
    audit(
        session,
        action="cases.evidence.read",
        operation=Operation.consultation,
        principal=principal,
        object_ids=[case.id, item.id],
        detail={"case": case.reference, "evidence": item.reference},
    )
    entries = custody.log(session, item)
    return ItemFile(
        item=item,
        custody=entries,
        chain_problems=custody.check_chain(item.reference, entries),
        handovers=handovers_of(session, item),
        intact=intact,
        observed_sha256=observed,
    )


def content(
    session: Session, *, principal: Principal, case: Case, item_id: uuid.UUID | str, now: datetime
) -> tuple[EvidenceItem, bytes]:
    """A digital item's bytes, checked against the recorded digest; the access is logged in
    its custody and audited. A mismatch refuses the content (409) naming both digests."""
    agency = acting_member(session, principal, case)
    item = item_for(session, case, item_id)
    if item.kind is not EvidenceKind.digital:
        raise Invalid(
            N_("%(reference)s is a physical item: it has no stored content"),
            reference=item.reference,
        )
    data = checked_bytes(
        session,
        principal=principal,
        case=case,
        item=item,
        agency=agency,
        during="access",
        now=now,
    )
    assert data is not None
    custody.append(
        session,
        item_id=item.id,
        reference=item.reference,
        kind=CustodyKind.accessed,
        agency=agency.code,
        actor=principal.username,
        at=now,
        observed_sha256=item.sha256,
    )
    audit(
        session,
        action="cases.evidence.content",
        operation=Operation.consultation,
        principal=principal,
        object_ids=[case.id, item.id],
        detail={"case": case.reference, "evidence": item.reference, "sha256": item.sha256},
    )
    return item, data


@dataclass
class Verification:
    item: EvidenceItem
    intact: bool | None  # None: a physical item
    observed_sha256: str | None
    chain_problems: list[str]


def verify(
    session: Session, *, principal: Principal, case: Case, item_id: uuid.UUID | str, now: datetime
) -> Verification:
    """An explicit check of the item's bytes and custody chain, logged as `verified` (or
    `integrity_failed`, durably) in its custody log. A failure is the answer, not an error."""
    agency = acting_member(session, principal, case)
    item = item_for(session, case, item_id)
    intact: bool | None = None
    observed: str | None = None
    if item.kind is EvidenceKind.digital:
        data, observed = stored_bytes(session, item)
        intact = data is not None and observed == item.sha256
    problems = custody.check_chain(item.reference, custody.log(session, item))
    if intact is False:
        flag(
            session,
            principal=principal,
            case=case,
            item=item,
            agency=agency,
            observed=observed,
            during="verification",
            now=now,
        )
        session.refresh(item)
    else:
        custody.append(
            session,
            item_id=item.id,
            reference=item.reference,
            kind=CustodyKind.verified,
            agency=agency.code,
            actor=principal.username,
            at=now,
            note="custody chain holds" if not problems else f"{len(problems)} chain problems",
            observed_sha256=observed,
        )
        audit(
            session,
            action="cases.evidence.verify",
            operation=Operation.consultation,
            principal=principal,
            outcome=Outcome.success if not problems else Outcome.failure,
            object_ids=[case.id, item.id],
            detail={"case": case.reference, "evidence": item.reference, "problems": problems},
        )
    return Verification(item=item, intact=intact, observed_sha256=observed, chain_problems=problems)


# Views -----------------------------------------------------------------------------------
def summaries(session: Session, found: list[EvidenceItem]) -> list[EvidenceOut]:
    codes = agency_codes(
        session, {i.agency_id for i in found} | {i.holder_agency_id for i in found}
    )
    return [_summary(item, codes) for item in found]


def _summary(item: EvidenceItem, codes: dict[uuid.UUID, str]) -> EvidenceOut:
    return EvidenceOut(
        id=item.id,
        reference=item.reference,
        kind=item.kind,
        title=item.title,
        description=item.description,
        handling=item.handling,
        contributed_by=codes[item.agency_id],
        holder=codes[item.holder_agency_id],
        sha256=item.sha256,
        file_name=item.file_name,
        media_type=item.media_type,
        size=item.size,
        collected_at=item.collected_at,
        collected_place=item.collected_place,
        integrity_failed_at=item.integrity_failed_at,
    )


def detail(session: Session, found: ItemFile) -> EvidenceDetail:
    item = found.item
    codes = agency_codes(
        session,
        {item.agency_id, item.holder_agency_id}
        | {h.from_agency_id for h in found.handovers}
        | {h.to_agency_id for h in found.handovers},
    )
    return EvidenceDetail(
        **_summary(item, codes).model_dump(),
        intact=found.intact,
        observed_sha256=found.observed_sha256,
        chain_ok=not found.chain_problems,
        chain_problems=found.chain_problems,
        custody=[
            CustodyOut(
                seq=e.seq,
                at=e.at,
                kind=e.kind,
                agency=e.agency,
                actor=e.actor,
                place=e.place,
                note=e.note,
                observed_sha256=e.observed_sha256,
                handover=e.handover_id,
                previous_hash=e.previous_hash,
                entry_hash=e.entry_hash,
            )
            for e in found.custody
        ],
        handovers=[handover_out(h, item.reference, codes) for h in found.handovers],
    )


def handover_out(
    handover: EvidenceHandover, reference: str, codes: dict[uuid.UUID, str]
) -> HandoverOut:
    return HandoverOut(
        id=handover.id,
        item=reference,
        from_agency=codes[handover.from_agency_id],
        to_agency=codes[handover.to_agency_id],
        status=handover.status,
        statement=handover.statement,
        kid=handover.kid,
        signature=b64(handover.signature),
        receipt=handover.receipt,
        receipt_kid=handover.receipt_kid,
        receipt_signature=b64(handover.receipt_signature) if handover.receipt_signature else None,
    )


def handover_view(session: Session, handover: EvidenceHandover) -> HandoverOut:
    item = session.get(EvidenceItem, handover.evidence_id)
    assert item is not None
    codes = agency_codes(session, {handover.from_agency_id, handover.to_agency_id})
    return handover_out(handover, item.reference, codes)


def verification_out(found: Verification) -> VerificationOut:
    return VerificationOut(
        reference=found.item.reference,
        intact=found.intact,
        recorded_sha256=found.item.sha256,
        observed_sha256=found.observed_sha256,
        chain_ok=not found.chain_problems,
        chain_problems=found.chain_problems,
    )
