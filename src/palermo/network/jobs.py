"""Network analyses as background jobs (see `palermo.background`)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from palermo.background import Progress, agency_job, run_job
from palermo.db import SessionFactory
from palermo.identity.principal import Principal
from palermo.models.base import utcnow
from palermo.models.network import NetworkJob
from palermo.network import service


def job_for(session: Session, principal: Principal, job_id: uuid.UUID) -> NetworkJob:
    return agency_job(session, NetworkJob, principal, job_id, "network job")


def _analyse(session: Session, job: NetworkJob, principal: Principal, progress: Progress) -> None:
    service.execute(session, job=job, principal=principal, now=utcnow(), progress=progress)


def execute(sessions: SessionFactory, job_id: uuid.UUID) -> None:
    run_job(sessions, NetworkJob, job_id, _analyse)
