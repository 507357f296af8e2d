"""Reading the log: for auditors only, and every read is itself logged (LED Art. 25(2))."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation, iso, record
from palermo.errors import Forbidden
from palermo.identity.principal import Principal
from palermo.identity.roles import Role
from palermo.models.audit import AuditEvent
from palermo.models.identity import User

# At most this many events are read for one review of a period (the latest of them).
SCAN_LIMIT = 20_000


def _require_auditor(principal: Principal) -> None:
    if not (principal.is_operator or principal.has_role(Role.auditor)):
        raise Forbidden("only auditors read the audit log")


def read_events(
    session: Session,
    *,
    principal: Principal,
    action: str | None = None,
    object_id: str | None = None,
    actor: str | None = None,
    after: int | None = None,
    limit: int = 100,
) -> Sequence[AuditEvent]:
    """Events of the auditor's own agency (the node operator sees the whole node)."""
    _require_auditor(principal)
    query = select(AuditEvent).order_by(AuditEvent.leaf_index.desc()).limit(min(limit, 1000))
    if not principal.is_operator:
        query = query.where(AuditEvent.agency == principal.agency_code)
    if action:
        query = query.where(AuditEvent.action == action)
    if actor:
        query = query.where(AuditEvent.actor == actor)
    if after is not None:
        query = query.where(AuditEvent.leaf_index > after)
    events = session.scalars(query).all()
    if object_id:
        events = [e for e in events if object_id in e.object_ids]
    record(
        session,
        action="audit.read",
        operation=Operation.consultation,
        principal=principal,
        detail={
            "filters": {
                k: v
                for k, v in {"action": action, "object": object_id, "actor": actor}.items()
                if v
            },
            "returned": len(events),
        },
    )
    return events


def read_since(
    session: Session, *, principal: Principal, since: datetime, limit: int = SCAN_LIMIT
) -> Sequence[AuditEvent]:
    """The events since a moment, oldest first, for a review of the period as a whole
    (`audit.anomalies`): the agency's own and the refused log-ins under the names of its
    users — a refused log-in authenticates no one, so it carries no agency. At most
    `limit`, the latest; the node operator reads the whole node."""
    _require_auditor(principal)
    query = select(AuditEvent).where(AuditEvent.at >= iso(since))
    if not principal.is_operator:
        its_users = select(User.username).where(User.agency_id == principal.agency_id)
        query = query.where(
            or_(
                AuditEvent.agency == principal.agency_code,
                and_(AuditEvent.agency.is_(None), AuditEvent.actor.in_(its_users)),
            )
        )
    latest = session.scalars(query.order_by(AuditEvent.leaf_index.desc()).limit(limit)).all()
    record(
        session,
        action="audit.read",
        operation=Operation.consultation,
        principal=principal,
        detail={"since": iso(since), "returned": len(latest)},
    )
    return list(reversed(latest))
