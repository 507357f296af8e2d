"""Linkage runs as jobs: accepted at once, linked in the background with the submitter's
rights as they are when the job runs; a failure is recorded on the run, never lost."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.orm import Session

from palermo.db import SessionFactory, unit_of_work
from palermo.errors import NotFound, PalermoError
from palermo.identity.principal import Principal
from palermo.identity.service import job_principal
from palermo.linkage import service
from palermo.models.base import utcnow
from palermo.models.linkage import LinkRun

log = logging.getLogger(__name__)


def run_for(session: Session, principal: Principal, run_id: uuid.UUID) -> LinkRun:
    """A run is its agency's: it saw what that agency's analyst could see."""
    found = session.get(LinkRun, run_id)
    if found is None or found.agency_id not in principal.acting_agency_ids:
        raise NotFound(f"no linkage run {run_id}")
    return found


def execute(sessions: SessionFactory, run_id: uuid.UUID) -> None:
    with unit_of_work(sessions) as session:
        queued = session.get(LinkRun, run_id)
        if queued is None or queued.status != "queued":
            return
        queued.status = "running"
    try:
        with unit_of_work(sessions) as session:
            linkage = session.get(LinkRun, run_id)
            assert linkage is not None
            principal = job_principal(session, linkage.username)
            service.execute(session, linkage=linkage, principal=principal, now=utcnow())
    except PalermoError as error:
        _failed(sessions, run_id, error.message)
    except Exception:
        log.exception("linkage run %s failed", run_id)
        _failed(sessions, run_id, "internal error; the operators have the details")


def _failed(sessions: SessionFactory, run_id: uuid.UUID, reason: str) -> None:
    with unit_of_work(sessions) as session:
        linkage = session.get(LinkRun, run_id)
        if linkage is not None:
            linkage.status, linkage.error, linkage.finished_at = "failed", reason, utcnow()
