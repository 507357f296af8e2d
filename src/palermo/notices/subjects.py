"""A published notice's subject as a record of the requesting agency, so that screening
finds it: shared with every member (or only the notice's recipients), for the purposes a
notice serves; blocked when the notice is suspended or ends, so it stops hitting, with its
history kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from palermo.identity.principal import Principal
from palermo.models.identity import Agency
from palermo.models.notices import Notice
from palermo.models.records import Record
from palermo.notices.kinds import KIND_TITLES, FieldType, NoticeKind, field_of
from palermo.records import envelopes, repository
from palermo.records.entities import parse_entity
from palermo.records.envelope import (
    HandlingCode,
    InformationAccuracy,
    Nature,
    Purpose,
    RecordStatus,
    ShareScope,
    SourceReliability,
    SubjectCategory,
    Tlp,
)
from palermo.records.schemas import EnvelopeIn, ShareIn
from palermo.records.service import Prepared, new_version, record_id_for, snapshot, store_new
from palermo.settings import Settings

CATEGORY = {
    NoticeKind.yellow: SubjectCategory.victim,
    NoticeKind.black: SubjectCategory.victim,
}
PURPOSES = [
    Purpose.criminal_investigation,
    Purpose.crime_prevention,
    Purpose.criminal_analysis,
    Purpose.locate_person,
    Purpose.identify_person,
    Purpose.border_management,
    Purpose.counter_terrorism,
    Purpose.asset_recovery,
    Purpose.judicial_cooperation,
]


def publish(
    session: Session, principal: Principal, notice: Notice, settings: Settings, now: datetime
) -> None:
    """Store the subject as a record (or reactivate it, for a notice published again)."""
    if notice.subject is None:
        return
    if notice.subject_record_id:
        reactivate(session, principal, notice, now)
        return
    owner = session.get(Agency, notice.requesting_agency_id)
    assert owner is not None
    assert notice.entity_id is not None
    # Named after the entity id, so that a world built again gives the same record ids.
    data = parse_entity({**notice.subject, "id": f"notice-{notice.entity_id.replace('/', '-')}"})
    envelope = envelopes.resolve(
        session,
        envelope=_envelope(session, notice, owner, is_person=data.is_person),
        entity=data,
        owner=owner,
        settings=settings,
        today=now.date(),
    )
    record_id = record_id_for(owner, data.source_id)
    store_new(
        session,
        [Prepared(record_id, data, envelope)],
        principal=principal,
        owner=owner,
        origin="notice",
        now=now,
    )
    notice.subject_record_id = record_id


def _envelope(session: Session, notice: Notice, owner: Agency, *, is_person: bool) -> EnvelopeIn:
    particulars = notice.particulars
    category = CATEGORY.get(notice.kind, SubjectCategory.suspect)
    if notice.kind is NoticeKind.red and particulars.get("sought_for") == "sentence":
        category = SubjectCategory.convicted
    offences = sorted(
        {
            value
            for name, value in particulars.items()
            if (spec := field_of(notice.kind, name)) and spec.type is FieldType.iccs and value
        }
    )
    assert notice.expires_at is not None
    return EnvelopeIn(
        subject_category=category if is_person else None,
        nature=Nature.fact,
        source_reliability=SourceReliability.A,
        information_accuracy=InformationAccuracy.known_to_source,
        handling_code=HandlingCode.H0,
        tlp=Tlp.amber if notice.recipients else Tlp.green,
        purposes=PURPOSES,
        shares=_shares(session, notice, owner),
        legal_basis=f"{KIND_TITLES[notice.kind]} {notice.entity_id} (Interpol Rules on the "
        "Processing of Data)",
        offences=offences,
        review_due=notice.expires_at.date(),
    )


def _shares(session: Session, notice: Notice, owner: Agency) -> list[ShareIn]:
    """Everyone, or only the countries and agencies a restricted notice names."""
    if not notice.recipients:
        return [ShareIn(scope=ShareScope.everyone)]
    codes = repository.agency_codes(
        session, [r.agency_id for r in notice.recipients if r.agency_id]
    )
    return [
        ShareIn(scope=ShareScope.country, country=r.country) for r in notice.recipients if r.country
    ] + [ShareIn(scope=ShareScope.agency, agency=c) for c in codes.values() if c != owner.code]


def extend(session: Session, principal: Principal, notice: Notice, now: datetime) -> None:
    """The subject record is kept as long as the notice runs."""
    record = _record(session, notice)
    if record is None:
        return
    assert notice.expires_at is not None
    day = notice.expires_at.date()
    new = replace(envelopes.stored(record), review_due=day, delete_by=day)
    codes = repository.agency_codes(
        session, [record.owner_agency_id, *(a for _, a, _, _ in new.shares if a)]
    )
    new_version(
        session,
        record,
        principal=principal,
        operation="notice.extend",
        change={"notice": str(notice.id), "review_due": day.isoformat()},
        now=now,
        envelope_digest=snapshot(session, new, codes[record.owner_agency_id], codes),
        review_due=day,
        delete_by=day,
    )


def retire(
    session: Session, principal: Principal, notice: Notice, action: str, now: datetime
) -> None:
    _set_status(session, principal, notice, f"notice.{action}", RecordStatus.blocked, now)


def reactivate(session: Session, principal: Principal, notice: Notice, now: datetime) -> None:
    _set_status(session, principal, notice, "notice.reinstate", RecordStatus.active, now)


def _set_status(
    session: Session,
    principal: Principal,
    notice: Notice,
    operation: str,
    status: RecordStatus,
    now: datetime,
) -> None:
    record = _record(session, notice)
    if record is None or record.status is status:
        return
    new_version(
        session,
        record,
        principal=principal,
        operation=operation,
        change={"notice": str(notice.id), "entity_id": notice.entity_id},
        now=now,
        status=status,
    )


def _record(session: Session, notice: Notice) -> Record | None:
    """The notice's live subject record (none for a subject-less type or an erased one)."""
    if notice.subject_record_id is None:
        return None
    record = repository.record_for_update(session, notice.subject_record_id)
    return None if record is None or record.status is RecordStatus.erased else record
