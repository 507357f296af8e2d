"""Reading the log: for auditors only, and every read is itself logged (LED Art. 25(2))."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation, record
from palermo.errors import Forbidden
from palermo.identity.principal import Principal
from palermo.identity.roles import Role
from palermo.models.audit import AuditEvent


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
    if not (principal.is_operator or principal.has_role(Role.auditor)):
        raise Forbidden("only auditors read the audit log")
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
