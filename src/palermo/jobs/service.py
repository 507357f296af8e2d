"""The jobs of the principal's agencies, of every kind the principal may read, read alike."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from palermo.errors import NotFound, PalermoError
from palermo.identity.principal import Principal
from palermo.jobs import repository
from palermo.jobs.kinds import KINDS, Kind
from palermo.jobs.views import JobView

LISTED = 50
INTERRUPTED = "the node stopped while this job was queued or running; submit it again"


def readable_kinds(session: Session, principal: Principal) -> list[Kind]:
    """The kinds whose results the principal may read (as each capability decides)."""
    readable = []
    for kind in KINDS.values():
        try:
            kind.may_read(session, principal)
        except PalermoError:
            continue
        readable.append(kind)
    return readable


def agency_jobs(session: Session, principal: Principal, *, limit: int = LISTED) -> list[JobView]:
    """The newest jobs of the principal's agencies across kinds, newest first."""
    views = [
        kind.view(row)
        for kind in readable_kinds(session, principal)
        for row in repository.recent(session, kind.table, principal.acting_agency_ids, limit=limit)
    ]
    return sorted(views, key=lambda v: v.created_at, reverse=True)[:limit]


def agency_job(session: Session, principal: Principal, kind: str, job_id: uuid.UUID) -> JobView:
    """One job of the principal's agencies; another agency's is as unknown as none."""
    found = KINDS.get(kind)
    if found is None:
        raise NotFound(f"no kind of job {kind!r}")
    found.may_read(session, principal)
    return found.view(found.find(session, principal, job_id))


def fail_interrupted(session: Session, *, started_at: datetime) -> int:
    """At a node's start: jobs run inside the server process, so those a stopped (or
    killed) node left queued or running will never finish — each fails with the reason,
    which its agency reads on /jobs, rather than showing "running" for ever, and what was
    uploaded for it is released. (An import wrote nothing: its writes commit with its end.)"""
    return sum(
        repository.fail_unfinished(
            session,
            kind.table,
            started_before=started_at,
            reason=INTERRUPTED,
            released=kind.released,
        )
        for kind in KINDS.values()
    )
