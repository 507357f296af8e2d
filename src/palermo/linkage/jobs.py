"""Linkage runs as background jobs (see `palermo.background`)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from palermo.background import Progress, agency_job, run_job
from palermo.db import SessionFactory
from palermo.identity.principal import Principal
from palermo.linkage import service
from palermo.models.base import utcnow
from palermo.models.linkage import LinkRun


def run_for(session: Session, principal: Principal, run_id: uuid.UUID) -> LinkRun:
    return agency_job(session, LinkRun, principal, run_id, "linkage run")


def _link(session: Session, linkage: LinkRun, principal: Principal, progress: Progress) -> None:
    service.execute(session, linkage=linkage, principal=principal, now=utcnow(), progress=progress)


def execute(sessions: SessionFactory, run_id: uuid.UUID) -> None:
    run_job(sessions, LinkRun, run_id, _link)
