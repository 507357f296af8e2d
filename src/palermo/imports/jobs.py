"""Imports as background jobs (see `palermo.background` and `palermo.imports.service`)."""

from __future__ import annotations

import uuid

from fastapi import BackgroundTasks, Request
from sqlalchemy.orm import Session

from palermo.background import Progress, agency_job, run_job
from palermo.db import SessionFactory
from palermo.identity.principal import Principal
from palermo.imports import service
from palermo.models.base import utcnow
from palermo.models.imports import ImportJob
from palermo.settings import Settings


def page_of(job_id: uuid.UUID) -> str:
    """The job's page in the workspace (the jobs pages' own), which follows it live."""
    return f"/jobs/import/{job_id}"


def job_for(session: Session, principal: Principal, job_id: uuid.UUID) -> ImportJob:
    """An import is its agency's, read by those who may import."""
    service.may_import(principal)
    return agency_job(session, ImportJob, principal, job_id, "import")


def run(sessions: SessionFactory, settings: Settings, job_id: uuid.UUID) -> None:
    def work(session: Session, job: ImportJob, principal: Principal, progress: Progress) -> None:
        service.execute(
            session, settings, job=job, principal=principal, now=utcnow(), progress=progress
        )

    run_job(sessions, ImportJob, job_id, work, failed=service.released)


def run_after_response(background: BackgroundTasks, request: Request, job: ImportJob) -> None:
    """The job runs in this node once the request has answered (its row committed)."""
    background.add_task(run, request.app.state.session_factory, request.app.state.settings, job.id)
