"""Resolving an envelope for storage, reading it back, and comparing two of them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from palermo.errors import Invalid
from palermo.identity import repository as directory
from palermo.identity.service import country_code
from palermo.models.identity import Agency
from palermo.models.records import Record
from palermo.offences import offence
from palermo.records.entities import EntityData
from palermo.records.envelope import (
    HANDLING_RANK,
    TLP_RANK,
    AccessLevel,
    HandlingCode,
    InformationAccuracy,
    Nature,
    Purpose,
    ShareScope,
    SourceReliability,
    SubjectCategory,
    Tlp,
)
from palermo.records.schemas import EnvelopeIn, EnvelopeOut, ShareOut
from palermo.settings import Settings
from palermo.translatable import N_

Share = tuple[ShareScope, uuid.UUID | None, str | None, AccessLevel]


@dataclass(frozen=True)
class Envelope:
    subject_category: SubjectCategory | None
    nature: Nature
    source_reliability: SourceReliability
    information_accuracy: InformationAccuracy
    handling_code: HandlingCode
    handling_note: str | None
    tlp: Tlp
    purposes: frozenset[Purpose]
    shares: frozenset[Share]
    legal_basis: str
    offences: frozenset[str]
    review_due: date
    delete_by: date | None


def resolve(
    session: Session,
    *,
    envelope: EnvelopeIn,
    entity: EntityData,
    owner: Agency,
    settings: Settings,
    today: date,
) -> Envelope:
    """Check an envelope against the rules and turn codes into stored references."""
    if entity.is_person and envelope.subject_category is None:
        raise Invalid(
            N_(
                "a person needs a data-subject category (suspect, convicted, victim, "
                "witness, contact, informant): LED Art. 6"
            )
        )
    if not entity.is_person and envelope.subject_category is not None:
        raise Invalid(
            N_("a data-subject category applies to persons, not to %(schema)s"),
            schema=entity.schema.name,
        )
    note = (envelope.handling_note or "").strip() or None
    if envelope.handling_code is HandlingCode.H3 and note is None:
        raise Invalid(N_("handling code H3 needs a note stating the restriction"))
    shares = frozenset(_share(session, s, owner) for s in envelope.shares)
    if envelope.tlp is Tlp.red and any(s[0] is not ShareScope.agency for s in shares):
        raise Invalid(N_("TLP:RED records go to named agencies only, not countries or everyone"))
    if envelope.tlp in (Tlp.amber, Tlp.amber_strict) and any(
        s[0] is ShareScope.everyone for s in shares
    ):
        raise Invalid(
            N_("TLP:%(tlp)s records cannot be shared with everyone"), tlp=envelope.tlp.value
        )
    months = owner.review_after_months or settings.review_after_months
    review_due = envelope.review_due or add_months(today, months)
    if review_due < today:
        raise Invalid(N_("review_due lies in the past"))
    delete_by = envelope.delete_by or review_due
    if delete_by < review_due:
        raise Invalid(N_("delete_by must not come before review_due"))
    return Envelope(
        subject_category=envelope.subject_category,
        nature=envelope.nature,
        source_reliability=envelope.source_reliability,
        information_accuracy=envelope.information_accuracy,
        handling_code=envelope.handling_code,
        handling_note=note,
        tlp=envelope.tlp,
        purposes=frozenset(envelope.purposes),
        shares=shares,
        legal_basis=envelope.legal_basis.strip(),
        offences=frozenset(offence(code).code for code in envelope.offences),
        review_due=review_due,
        delete_by=delete_by,
    )


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _share(session: Session, share: Any, owner: Agency) -> Share:
    if share.scope is ShareScope.agency:
        if not share.agency or share.country:
            raise Invalid(N_("an agency share names an agency code and no country"))
        agency = directory.agency_by_code(session, share.agency)
        if agency is None:
            raise Invalid(N_("share with unknown agency %(agency)s"), agency=repr(share.agency))
        if agency.id == owner.id:
            raise Invalid(N_("a record need not be shared with its own owner"))
        return (ShareScope.agency, agency.id, None, share.level)
    if share.scope is ShareScope.country:
        if not share.country or share.agency:
            raise Invalid(N_("a country share names a country and no agency"))
        return (ShareScope.country, None, country_code(share.country), share.level)
    if share.agency or share.country:
        raise Invalid(N_("a share with everyone names neither agency nor country"))
    return (ShareScope.everyone, None, None, share.level)


def stored(record: Record) -> Envelope:
    """The envelope of a record whose purposes, shares and offences are loaded."""
    return of_columns(
        record,
        purposes=(p.purpose for p in record.purposes),
        shares=((s.scope, s.agency_id, s.country, s.level) for s in record.shares),
        offences=(o.iccs_code for o in record.offences),
    )


def of_columns(
    columns: Any, *, purposes: Iterable[Purpose], shares: Iterable[Share], offences: Iterable[str]
) -> Envelope:
    """An envelope from a record's columns (a record, or a row of its columns) and its rows
    of purposes, shares and offences."""
    return Envelope(
        subject_category=columns.subject_category,
        nature=columns.nature,
        source_reliability=columns.source_reliability,
        information_accuracy=columns.information_accuracy,
        handling_code=columns.handling_code,
        handling_note=columns.handling_note,
        tlp=columns.tlp,
        purposes=frozenset(purposes),
        shares=frozenset(shares),
        legal_basis=columns.legal_basis,
        offences=frozenset(offences),
        review_due=columns.review_due,
        delete_by=columns.delete_by,
    )


def loosenings(old: Envelope, new: Envelope) -> list[str]:
    """Every way `new` would restrict less than `old`: these need the owner's decision."""
    problems = []
    if HANDLING_RANK[new.handling_code] < HANDLING_RANK[old.handling_code]:
        problems.append(f"handling code {old.handling_code} → {new.handling_code}")
    if TLP_RANK[new.tlp] < TLP_RANK[old.tlp]:
        problems.append(f"TLP:{old.tlp.value} → TLP:{new.tlp.value}")
    if added := new.purposes - old.purposes:
        problems.append("new purposes " + ", ".join(sorted(added)))
    old_targets = {s[:3]: s[3] for s in old.shares}
    for share in new.shares:
        before = old_targets.get(share[:3])
        if before is None:
            problems.append(f"new recipient ({share[0].value})")
        elif before is AccessLevel.hit_only and share[3] is AccessLevel.full:
            problems.append(f"hit-only share widened to full ({share[0].value})")
    if old.handling_code is HandlingCode.H3 and new.handling_note != old.handling_note:
        problems.append("H3 restriction note changed")
    return problems


def describe(envelope: Envelope, owner_code: str, codes: Mapping[uuid.UUID, str]) -> EnvelopeOut:
    return EnvelopeOut(
        owner_agency=owner_code,
        subject_category=envelope.subject_category,
        nature=envelope.nature,
        evaluation=f"{envelope.source_reliability.value}{envelope.information_accuracy.value}",
        handling_code=envelope.handling_code,
        handling_note=envelope.handling_note,
        tlp=envelope.tlp,
        purposes=sorted(envelope.purposes),
        shares=[
            ShareOut(
                scope=scope,
                agency=codes.get(agency_id) if agency_id else None,
                country=country,
                level=level,
            )
            for scope, agency_id, country, level in sorted(envelope.shares, key=str)
        ],
        legal_basis=envelope.legal_basis,
        offences=sorted(envelope.offences),
        review_due=envelope.review_due,
        delete_by=envelope.delete_by,
    )
