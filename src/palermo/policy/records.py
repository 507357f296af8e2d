"""Who may see which record, how much of it, and for which purpose.

One definition, two uses: `visibility()` gives SQL predicates that lists and searches put in
their WHERE clause (so invisible rows never leave the database), and `decide()` evaluates
the very same predicates for one record. Nothing else in Palermo filters records by agency.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, false, not_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from palermo.errors import Invalid
from palermo.identity.principal import FEDERATION, Principal
from palermo.identity.roles import Role
from palermo.models.records import Grant, Record, RecordPurpose, RecordShare
from palermo.records.envelope import AccessLevel, Purpose, RecordStatus, ShareScope
from palermo.translatable import N_

# Roles that work with intelligence records. Auditors read the log, administrators run the
# directory, partners only screen (and only ever see hits).
READER_ROLES = frozenset({Role.officer, Role.analyst, Role.supervisor, Role.agency_admin})
WRITER_ROLES = READER_ROLES


class Effect(enum.StrEnum):
    allow = "allow"
    hit_only = "hit_only"
    deny = "deny"


@dataclass(frozen=True)
class Decision:
    effect: Effect
    reason: str


@dataclass(frozen=True, eq=False)  # compared by identity: prepared ones key prepared queries
class Visibility:
    full: ColumnElement[bool]
    hit_only: ColumnElement[bool]
    any: ColumnElement[bool]  # full or hit-only, written without repeating either


def reads_records(principal: Principal) -> bool:
    return principal.is_operator or principal.has_role(*READER_ROLES, Role.partner)


def hits_only(principal: Principal) -> bool:
    """Private partners (banks), and agencies asking from a peer node (Prüm), learn of
    others' records only that they exist."""
    return (
        principal.private_partner
        or principal.has_role(Role.partner)
        or principal.channel == FEDERATION
    )


def writes_records(principal: Principal) -> bool:
    return principal.is_operator or principal.has_role(*WRITER_ROLES)


@dataclass(frozen=True)
class _Reader:
    """What of a principal decides which records it sees: officers of one agency share it,
    and so the prepared predicates (see `prepared_visibility`)."""

    reads: bool
    agencies: frozenset[uuid.UUID]
    country: str | None
    hits_only: bool

    @classmethod
    def of(cls, principal: Principal) -> _Reader:
        return cls(
            reads=reads_records(principal),
            agencies=principal.acting_agency_ids,
            country=principal.country,
            hits_only=hits_only(principal),
        )


# A moment given as a datetime, or as a parameter bound at execution (prepared queries).
Moment = datetime | BindParameter[Any]


def _shared(reader: _Reader, level: AccessLevel | None) -> ColumnElement[bool]:
    targets = [
        and_(RecordShare.scope == ShareScope.agency, RecordShare.agency_id.in_(reader.agencies)),
        RecordShare.scope == ShareScope.everyone,
    ]
    if reader.country:
        targets.append(
            and_(RecordShare.scope == ShareScope.country, RecordShare.country == reader.country)
        )
    conditions = [RecordShare.record_id == Record.id, or_(*targets)]
    if level is not None:
        conditions.append(RecordShare.level == level)
    return exists(select(RecordShare.id).where(*conditions))


def _granted(
    reader: _Reader, level: AccessLevel | None, purpose: Purpose, now: Moment
) -> ColumnElement[bool]:
    conditions = [
        Grant.owner_agency_id == Record.owner_agency_id,
        Grant.grantee_agency_id.in_(reader.agencies),
        Grant.revoked_at.is_(None),
        or_(Grant.expires_at.is_(None), Grant.expires_at > now),
        or_(Grant.schema.is_(None), Grant.schema == Record.schema),
        or_(Grant.record_id.is_(None), Grant.record_id == Record.id),
        or_(Grant.purpose.is_(None), Grant.purpose == purpose),
    ]
    if level is not None:
        conditions.append(Grant.level == level)
    return exists(select(Grant.id).where(*conditions))


def _purpose_permitted(purpose: Purpose) -> ColumnElement[bool]:
    return exists(
        select(RecordPurpose.record_id).where(
            RecordPurpose.record_id == Record.id, RecordPurpose.purpose == purpose
        )
    )


def visibility(principal: Principal, purpose: Purpose, *, now: datetime) -> Visibility:
    """Predicates on `Record` for full access and for hit/no-hit access (never both).

    - The owner agency sees its own records, active or blocked (to decide on them).
    - Others see active records shared with them (agency, country or everyone) or granted
      by the owner, and only for a purpose the record permits (Europol Reg. Art. 19).
    - A share or grant at hit-only level gives reference and owner, nothing more.
    - Private partners see their own agency's records, and only ever hits of others'.
      Roles without record work get nothing.
    """
    return _visibility(_Reader.of(principal), purpose, now)


def _visibility(reader: _Reader, purpose: Purpose, now: Moment) -> Visibility:
    if not reader.reads:
        return Visibility(full=false(), hit_only=false(), any=false())
    owned_ = Record.owner_agency_id.in_(reader.agencies)
    own = and_(owned_, Record.status != RecordStatus.erased)
    others = and_(
        Record.status == RecordStatus.active,
        not_(owned_),
        _purpose_permitted(purpose),
    )
    full_for_others = and_(
        others,
        or_(
            _shared(reader, AccessLevel.full),
            _granted(reader, AccessLevel.full, purpose, now),
        ),
    )
    any_for_others = and_(others, or_(_shared(reader, None), _granted(reader, None, purpose, now)))
    # Full access to others' records implies some access: either way, own or any_for_others.
    visible = or_(own, any_for_others)
    if reader.hits_only:
        # A bank sees what it reported in full, and of everyone else's data only hits.
        return Visibility(full=own, hit_only=any_for_others, any=visible)
    full = or_(own, full_for_others)
    return Visibility(full=full, hit_only=and_(any_for_others, not_(full_for_others)), any=visible)


def prepared_visibility(principal: Principal, purpose: Purpose) -> Visibility:
    """`visibility` with its moment left as the parameter `now` (bind it when running): built
    once per kind of reader and purpose, so the queries every request asks are built and
    keyed once — building and keying the predicates costs more than running them."""
    return _prepared(_Reader.of(principal), purpose)


@lru_cache(maxsize=512)
def _prepared(reader: _Reader, purpose: Purpose) -> Visibility:
    return _visibility(reader, purpose, bindparam("now"))


@lru_cache(maxsize=512)
def _decision(rules: Visibility) -> Select[bool, bool]:
    return select(rules.full, rules.hit_only).where(Record.id == bindparam("record_id"))


def decide(
    session: Session, principal: Principal, record_id: str, purpose: Purpose, *, now: datetime
) -> Decision:
    """The decision for one record, from the same predicates the lists use."""
    session.flush()  # the session's pending work, which a Core query would not see
    row = (
        session.connection()
        .execute(
            _decision(prepared_visibility(principal, purpose)),
            {"now": now, "record_id": record_id},
        )
        .one_or_none()
    )
    if row is None:
        return Decision(Effect.deny, "no such record")
    full, hit_only = bool(row[0]), bool(row[1])
    if full:
        return Decision(Effect.allow, "owner, share or grant gives full access")
    if hit_only:
        return Decision(Effect.hit_only, "the owner allows hit/no-hit only")
    return Decision(Effect.deny, "not shared with the caller for this purpose")


def owned(principal: Principal) -> ColumnElement[bool]:
    """Records the principal's agencies own (what retention and owner duties work on)."""
    return Record.owner_agency_id.in_(principal.acting_agency_ids)


def owns(principal: Principal, record: Record) -> bool:
    return record.owner_agency_id in principal.acting_agency_ids


@dataclass(frozen=True)
class AccessContext:
    """Why a principal consults or discloses records: mandatory, and logged (LED Art. 25)."""

    purpose: Purpose
    justification: str

    @classmethod
    def of(cls, purpose: str | None, justification: str | None) -> AccessContext:
        if not purpose:
            raise Invalid(
                N_("a purpose is required to consult records (e.g. criminal_investigation)")
            )
        try:
            chosen = Purpose(purpose)
        except ValueError:
            known = ", ".join(p.value for p in Purpose)
            raise Invalid(
                N_("unknown purpose %(purpose)s; known purposes: %(known)s"),
                purpose=repr(purpose),
                known=known,
            ) from None
        text = (justification or "").strip()
        if len(text) < 3:
            raise Invalid(N_("a justification is required to consult records (a case or reason)"))
        if len(text) > 500:
            raise Invalid(N_("the justification must be at most 500 characters"))
        return cls(purpose=chosen, justification=text)
