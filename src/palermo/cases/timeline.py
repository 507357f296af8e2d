"""Every change to a case leaves two traces: a line in its timeline, which members read, and
an event in the audit log, which auditors verify."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.identity.principal import Principal
from palermo.models.cases import Case, CaseEvent


def changed(
    session: Session,
    case: Case,
    *,
    principal: Principal,
    agency_id: uuid.UUID | None,
    action: str,
    summary: str,
    now: datetime,
    object_ids: Iterable[str | uuid.UUID] = (),
    detail: Mapping[str, Any] | None = None,
    operation: Operation = Operation.alteration,
) -> None:
    session.add(
        CaseEvent(
            case_id=case.id,
            at=now,
            agency_id=agency_id,
            actor=principal.username,
            kind=action.removeprefix("cases."),
            summary=summary[:500],
        )
    )
    audit(
        session,
        action=action,
        operation=operation,
        principal=principal,
        object_ids=[case.id, *object_ids],
        detail={"case": case.reference, **(detail or {})},
    )


def events(session: Session, case: Case) -> list[CaseEvent]:
    return list(
        session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case.id)
            .order_by(CaseEvent.at, CaseEvent.id)
        )
    )
