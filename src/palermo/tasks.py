"""Tasks: what an agency must act on (confirm the identity behind a hit, re-assess a notice
before it expires), opened by the capability that needs it and closed with an outcome."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from palermo.identity.principal import Principal
from palermo.models.tasks import Task


def open_task(
    session: Session,
    *,
    agency_id: uuid.UUID,
    kind: str,
    title: str,
    link: str,
    subject_id: str,
    due_at: datetime | None,
    now: datetime,
) -> Task:
    task = Task(
        agency_id=agency_id,
        kind=kind,
        title=title[:300],
        link=link,
        subject_id=subject_id,
        due_at=due_at,
        created_at=now,
    )
    session.add(task)
    return task


def close_tasks(
    session: Session, *, subject_id: str, kind: str, by: str, outcome: str, now: datetime
) -> None:
    """Close the open tasks of this kind about this subject: the work was done."""
    session.execute(
        update(Task)
        .where(Task.subject_id == subject_id, Task.kind == kind, Task.done_at.is_(None))
        .values(done_at=now, done_by=by, outcome=outcome[:2000])
    )


def open_tasks(session: Session, principal: Principal, *, limit: int = 100) -> list[Task]:
    """The principal's agencies' open tasks, soonest due first."""
    return list(
        session.scalars(
            select(Task)
            .where(Task.agency_id.in_(principal.acting_agency_ids), Task.done_at.is_(None))
            .order_by(Task.due_at.is_(None), Task.due_at, Task.created_at)
            .limit(limit)
        )
    )
