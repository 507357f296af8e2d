"""Loading a published watch list into records owned by its issuing authority.

A list is public: its entries are facts from an authority (A1), handling H0, TLP:CLEAR,
shared in full with everyone for every purpose. Loading a newer version of the same list
adds new entries, updates changed ones (a new version of the record) and retires those no
longer listed: retired records are blocked, so they no longer hit, and keep their history
("was this person listed on the day of the payment?"). All of it in one transaction.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.errors import Invalid
from palermo.identity.principal import Principal
from palermo.models.identity import Agency
from palermo.models.records import Record
from palermo.models.screening import ListEntry as ListedRecord
from palermo.records import envelopes, repository
from palermo.records.entities import EntityData, parse_entity
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
from palermo.records.service import (
    Prepared,
    apply_change,
    new_version,
    owner_for,
    record_id_for,
    store_new,
)
from palermo.screening.lists import ListFile
from palermo.settings import Settings
from palermo.translatable import N_

LEGAL_BASIS = {
    "un": "UN Security Council sanctions list (UN Charter, Chapter VII resolutions)",
    "eu": "EU financial sanctions (Council regulations under TEU Art. 29 / TFEU Art. 215)",
    "ofac": "US Treasury OFAC Specially Designated Nationals list",
    "interpol": "Interpol public notice (Rules on the Processing of Data)",
    "ftm": "Published watch list in FollowTheMoney format",
}


@dataclass(frozen=True)
class LoadReport:
    source: str
    agency: str
    added: int
    updated: int
    unchanged: int
    retired: int
    relisted: int


def _envelope(source: str, entity: EntityData, category: SubjectCategory) -> EnvelopeIn:
    return EnvelopeIn(
        subject_category=category if entity.is_person else None,
        nature=Nature.fact,
        source_reliability=SourceReliability.A,
        information_accuracy=InformationAccuracy.known_true,
        handling_code=HandlingCode.H0,
        tlp=Tlp.clear,
        purposes=list(Purpose),
        shares=[ShareIn(scope=ShareScope.everyone)],
        legal_basis=LEGAL_BASIS[source],
    )


def load_list(
    session: Session,
    *,
    principal: Principal,
    settings: Settings,
    listing: ListFile,
    agency: str,
    category: SubjectCategory = SubjectCategory.suspect,
    now: datetime,
) -> LoadReport:
    """Bring the records of `agency`'s list `listing.source` in line with the file."""
    owner = owner_for(session, principal, agency)
    origin = f"list:{listing.source}"
    wanted: dict[str, tuple[str, EntityData, date | None]] = {}
    for entry in listing.entries:
        try:
            data = parse_entity(entry.entity)
        except Invalid as error:
            raise Invalid(
                N_("list entry %(reference)s: %(error)s"),
                reference=entry.reference,
                error=error.message,
            ) from None
        rid = record_id_for(owner, data.source_id)
        if rid in wanted:
            raise Invalid(
                N_("list entry %(reference)s: id %(source_id)s appears twice"),
                reference=entry.reference,
                source_id=repr(data.source_id),
            )
        wanted[rid] = (entry.reference, data, entry.listed_on)

    known = {
        row.record_id: row
        for row in session.scalars(
            select(ListedRecord)
            .join(Record, Record.id == ListedRecord.record_id)
            .where(ListedRecord.source == listing.source, Record.owner_agency_id == owner.id)
        )
    }
    taken = repository.existing_ids(session, [r for r in wanted if r not in known])
    if taken:
        raise Invalid(
            N_(
                "%(count)s id(s) of the list are records not loaded from it, e.g. %(example)s: use "
                "another agency or remove them first"
            ),
            count=len(taken),
            example=sorted(taken)[0],
        )
    counts: Counter[str] = Counter()
    fresh = [
        Prepared(rid, data, _resolved(session, settings, owner, listing, data, category, now))
        for rid, (_, data, _) in wanted.items()
        if rid not in known
    ]
    store_new(session, fresh, principal=principal, owner=owner, origin=origin, now=now)
    counts["added"] = len(fresh)
    records = repository.records_with_envelopes(session, [r for r in wanted if r in known])
    for rid, (reference, data, listed_on) in wanted.items():
        row = known.get(rid)
        if row is None:
            session.add(
                ListedRecord(
                    record_id=rid,
                    source=listing.source,
                    reference=reference[:128],
                    listed_on=listed_on,
                    imported_at=now,
                    retired_at=None,
                )
            )
            continue
        record = records[rid]
        stored = envelopes.stored(record)
        if row.retired_at is not None:
            new_version(
                session,
                record,
                principal=principal,
                operation="relisting",
                change={"list": listing.source},
                now=now,
                status=RecordStatus.active,
            )
            counts["relisted"] += 1
            session.refresh(record)
        changed = apply_change(
            session,
            record=record,
            principal=principal,
            owner=owner,
            entity=data,
            old=stored,
            new=stored,
            origin=origin,
            now=now,
        )
        counts["updated" if changed else "unchanged"] += 1
        row.reference, row.listed_on = reference[:128], listed_on
        row.imported_at, row.retired_at = now, None
    counts["retired"] = _retire(
        session, principal, [r for r in known.values() if r.record_id not in wanted], now
    )
    audit(
        session,
        action="watchlist.load",
        operation=Operation.collection,
        principal=principal,
        object_ids=[],
        detail={"list": listing.source, "agency": owner.code, **counts},
    )
    return LoadReport(
        source=listing.source,
        agency=owner.code,
        added=counts["added"],
        updated=counts["updated"],
        unchanged=counts["unchanged"],
        retired=counts["retired"],
        relisted=counts["relisted"],
    )


def _resolved(
    session: Session,
    settings: Settings,
    owner: Agency,
    listing: ListFile,
    data: EntityData,
    category: SubjectCategory,
    now: datetime,
) -> envelopes.Envelope:
    return envelopes.resolve(
        session,
        envelope=_envelope(listing.source, data, category),
        entity=data,
        owner=owner,
        settings=settings,
        today=now.date(),
    )


def _retire(session: Session, principal: Principal, gone: list[ListedRecord], now: datetime) -> int:
    """Entries no longer on the list stop hitting; their records stay, blocked."""
    retired = 0
    records = repository.records_with_envelopes(session, [r.record_id for r in gone])
    for row in gone:
        if row.retired_at is not None:
            continue
        record = records[row.record_id]
        new_version(
            session,
            record,
            principal=principal,
            operation="retirement",
            change={"list": row.source, "reference": row.reference},
            now=now,
            status=RecordStatus.blocked,
        )
        row.retired_at = now
        retired += 1
    return retired
