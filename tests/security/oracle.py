"""The policy modules as an oracle: which objects named in a response the caller may not see.

Every string in a JSON document is a candidate id or reference. Those that name a record,
case, evidence item, notice, message, asset or judicial request are looked up and judged by
the same predicates the repositories filter with (`palermo.policy.*`), never by a second
implementation of the rules. A record seen hit-only may appear only inside a hit-only
projection (an object marked as one: `HIT_ACCESS`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from palermo.identity import repository
from palermo.identity.principal import Principal
from palermo.identity.service import principal_for
from palermo.models.assets import Asset
from palermo.models.base import utcnow
from palermo.models.cases import Case, EvidenceItem
from palermo.models.exchange import Message, MessageCopy
from palermo.models.judicial import JudicialRequest
from palermo.models.notices import Notice
from palermo.models.records import Record
from palermo.policy import assets, cases, judicial, notices
from palermo.policy.records import Effect, decide
from palermo.records.envelope import Purpose

# How projections mark a hit: records, screening and search say "hit_only", the link
# chart's nodes "hit", linkage pairs `hit_only: true`.
HIT_ACCESS = ("hit_only", "hit")


@dataclass(frozen=True)
class Mention:
    value: str
    in_hit_projection: bool


def mentions(document: Any, in_hit_projection: bool = False) -> Iterator[Mention]:
    """Every string in `document`, with whether it sits in a hit-only projection."""
    if isinstance(document, dict):
        hit = document.get("access") in HIT_ACCESS or document.get("hit_only") is True
        for value in document.values():
            yield from mentions(value, hit)
    elif isinstance(document, list):
        for value in document:
            yield from mentions(value, in_hit_projection)
    elif isinstance(document, str):
        yield Mention(document, in_hit_projection)


def principal_now(db: Session, username: str) -> Principal:
    """The principal as a request would see it now (roles and agency read afresh)."""
    db.expire_all()
    user = repository.user_by_username(db, username)
    assert user is not None
    return principal_for(user, channel="token")


def _message_visible(principal: Principal) -> ColumnElement[bool]:
    return exists(
        select(MessageCopy.message_id).where(
            MessageCopy.message_id == Message.id,
            MessageCopy.agency_id.in_(principal.acting_agency_ids),
        )
    )


def _evidence_visible(principal: Principal) -> ColumnElement[bool]:
    return exists(
        select(Case.id).where(Case.id == EvidenceItem.case_id, cases.member_of(principal))
    )


def leaks(db: Session, principal: Principal, document: Any) -> list[str]:
    """What `document` names that `principal` may not see, each with the rule it breaks."""
    found = list(mentions(document))
    strings = {m.value for m in found}
    keys = {key for key in map(_as_uuid, strings) if key is not None}
    now = utcnow()
    problems = []

    full_places = {m.value for m in found if not m.in_hit_projection}
    for record_id in db.scalars(select(Record.id).where(Record.id.in_(strings))):
        best = _widest(db, principal, record_id, now)
        if best is Effect.deny:
            problems.append(f"record {record_id}: denied to {principal.username}")
        elif best is Effect.hit_only and record_id in full_places:
            problems.append(f"record {record_id}: hit-only for {principal.username}, shown more")

    checks: list[tuple[str, Any, list[InstrumentedAttribute[Any]], ColumnElement[bool]]] = [
        ("case", Case, [Case.id, Case.reference], cases.member_of(principal)),
        (
            "evidence",
            EvidenceItem,
            [EvidenceItem.id, EvidenceItem.reference],
            _evidence_visible(principal),
        ),
        ("notice", Notice, [Notice.id], notices.visible(db, principal)),
        ("message", Message, [Message.id], _message_visible(principal)),
        ("asset", Asset, [Asset.id, Asset.reference], assets.visible(principal, now=now)),
        (
            "request",
            JudicialRequest,
            [JudicialRequest.id, JudicialRequest.reference],
            judicial.visible(principal),
        ),
    ]
    for kind, _model, columns, visible in checks:
        named = [
            column.in_(keys if column.key == "id" else strings)
            for column in columns
            if column.key != "id" or keys
        ]
        if not named:
            continue
        hidden = db.scalars(select(columns[0]).where(or_(*named), ~visible))
        problems.extend(f"{kind} {key}: hidden from {principal.username}" for key in hidden)
    return problems


def _widest(db: Session, principal: Principal, record_id: str, now: Any) -> Effect:
    """The most a principal may see of a record, under any purpose it might declare."""
    effects = {decide(db, principal, record_id, purpose, now=now).effect for purpose in Purpose}
    for effect in (Effect.allow, Effect.hit_only):
        if effect in effects:
            return effect
    return Effect.deny


def _as_uuid(value: str) -> uuid.UUID | None:
    if len(value) != 36:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
