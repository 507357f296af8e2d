"""Monitoring runs and traces as background jobs (see `palermo.background`)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from palermo.background import Progress, agency_job, run_job
from palermo.db import SessionFactory
from palermo.finintel import service
from palermo.identity.principal import Principal
from palermo.models.base import utcnow
from palermo.models.finintel import FinintelJob
from palermo.settings import Settings


def job_for(session: Session, principal: Principal, job_id: uuid.UUID) -> FinintelJob:
    return agency_job(session, FinintelJob, principal, job_id, "financial intelligence job")


def execute(sessions: SessionFactory, settings: Settings, job_id: uuid.UUID) -> None:
    def work(session: Session, job: FinintelJob, principal: Principal, progress: Progress) -> None:
        service.execute(
            session, settings, job=job, principal=principal, now=utcnow(), progress=progress
        )

    run_job(sessions, FinintelJob, job_id, work)
