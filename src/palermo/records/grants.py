"""Scoped access that an owner agency's administrator grants another agency (and revokes)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.errors import Invalid, NotFound
from palermo.identity import repository as directory
from palermo.identity.principal import Principal
from palermo.models.records import Grant
from palermo.policy.administration import may_administer_agency, require_agency_admin
from palermo.records.entities import schema_named
from palermo.records.envelope import AccessLevel, Purpose
from palermo.records.schemas import GrantOut
from palermo.translatable import N_


def grant_access(
    session: Session,
    *,
    principal: Principal,
    grantee: str,
    level: AccessLevel,
    reason: str,
    schema: str | None = None,
    purpose: Purpose | None = None,
    record_id: str | None = None,
    expires_at: datetime | None = None,
    now: datetime,
) -> Grant:
    """Let `grantee` use the principal's agency's records (optionally only some of them)."""
    if principal.agency_id is None:
        raise Invalid(N_("grants are given by an agency; act with --as an agency administrator"))
    require_agency_admin(principal, principal.agency_id, act="grant access to its records")
    target = directory.agency_by_code(session, grantee)
    if target is None:
        raise Invalid(N_("unknown agency %(grantee)s"), grantee=repr(grantee))
    if target.id == principal.agency_id:
        raise Invalid(N_("an agency needs no grant to its own records"))
    if schema:
        schema_named(schema)
    if expires_at is not None and expires_at <= now:
        raise Invalid(N_("the grant would expire before it starts"))
    grant = Grant(
        owner_agency_id=principal.agency_id,
        grantee_agency_id=target.id,
        level=level,
        schema=schema,
        purpose=purpose,
        record_id=record_id,
        reason=reason.strip(),
        granted_by=principal.username,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(grant)
    session.flush()
    audit(
        session,
        action="grant.create",
        operation=Operation.authorization,
        principal=principal,
        object_ids=[grant.id],
        recipients=[target.code],
        detail={"level": level.value, "schema": schema, "purpose": purpose, "record": record_id},
    )
    return grant


def revoke_grant(
    session: Session, *, principal: Principal, grant_id: uuid.UUID, now: datetime
) -> Grant:
    """Revoke at once: policy reads grants on every request, so nothing stale survives."""
    grant = session.get(Grant, grant_id)
    if grant is None or not may_administer_agency(principal, grant.owner_agency_id):
        raise NotFound(N_("no such grant"))
    if grant.revoked_at is None:
        grant.revoked_at = now
        audit(
            session,
            action="grant.revoke",
            operation=Operation.authorization,
            principal=principal,
            object_ids=[grant.id],
        )
    return grant


def grant_by_id(session: Session, grant_id: uuid.UUID) -> Grant:
    grant = session.scalar(
        select(Grant)
        .options(joinedload(Grant.owner), joinedload(Grant.grantee))
        .where(Grant.id == grant_id)
    )
    if grant is None:
        raise NotFound(N_("no such grant"))
    return grant


def grants_of(session: Session, principal: Principal) -> Sequence[Grant]:
    """Grants given or received by the principal's agencies."""
    mine = principal.acting_agency_ids
    return session.scalars(
        select(Grant)
        .options(joinedload(Grant.owner), joinedload(Grant.grantee))
        .where(or_(Grant.owner_agency_id.in_(mine), Grant.grantee_agency_id.in_(mine)))
        .order_by(Grant.created_at.desc())
    ).all()


def grant_out(grant: Grant) -> GrantOut:
    return GrantOut(
        id=str(grant.id),
        owner=grant.owner.code,
        grantee=grant.grantee.code,
        level=grant.level,
        schema=grant.schema,
        purpose=grant.purpose,
        record_id=grant.record_id,
        reason=grant.reason,
        granted_by=grant.granted_by,
        created_at=grant.created_at,
        expires_at=grant.expires_at,
        revoked_at=grant.revoked_at,
    )
