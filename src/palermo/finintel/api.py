"""Financial intelligence routes (/api/finintel/…): the reporting portal (file, follow,
answer), the FIU's work on reports, monitoring and trace jobs, and alert triage."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import BackgroundTasks, File, Form, Request, UploadFile, status

from palermo.background import JobOut
from palermo.deps import ContextDep, PrincipalDep, SessionDep, SettingsDep
from palermo.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from palermo.exchange.deps import KeyringDep
from palermo.finintel import jobs, reporting, service, triage
from palermo.finintel.schemas import (
    Acknowledgement,
    AlertOut,
    DisseminationIn,
    MonitorJobIn,
    ReporterIn,
    ReportMessageIn,
    ReportMessageOut,
    ReportOut,
    StatusIn,
    TraceJobIn,
    TriageIn,
)
from palermo.finintel.thresholds import Thresholds
from palermo.models.base import utcnow
from palermo.routing import APIRouter

router = APIRouter(prefix="/api/finintel", tags=["financial intelligence"])
COMMON = error_responses(Unauthorized, Invalid, Forbidden, NotFound)


@router.post("/reporters", status_code=status.HTTP_201_CREATED, responses=COMMON)
def register_reporter(
    body: ReporterIn, session: SessionDep, principal: PrincipalDep
) -> dict[str, str]:
    """Register a private partner as a reporting entity of your FIU."""
    reporting.register(
        session,
        principal,
        partner_code=body.partner,
        registration=body.registration,
        sector=body.sector,
    )
    return {"partner": body.partner.upper(), "registration": body.registration}


@router.post(
    "/reports",
    response_model=Acknowledgement,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Unauthorized, Invalid, Forbidden),
)
def submit_report(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File(description="goAML XML, CSV or JSON")],
    format: Annotated[str, Form()] = "goaml",
    fiu: Annotated[str | None, Form()] = None,
    reporter: Annotated[str | None, Form(description="for an FIU entering a report")] = None,
) -> Acknowledgement:
    """File a report. Accepted: an acknowledgement with the FIU reference. Refused (422):
    every problem with its element path, rule and value; nothing is stored."""
    report = reporting.submit(
        session,
        principal,
        settings,
        content=file.file.read(),
        format=format,
        now=utcnow(),
        reporter_code=reporter,
        fiu_code=fiu,
    )
    return Acknowledgement.model_validate(report)


@router.get("/reports", response_model=list[Acknowledgement], responses=COMMON)
def list_reports(
    session: SessionDep, principal: PrincipalDep, status: str | None = None
) -> list[Acknowledgement]:
    """A reporter's own reports; an FIU's, those filed with it."""
    return [
        Acknowledgement.model_validate(r)
        for r in reporting.list_reports(session, principal, status=status)
    ]


@router.get("/reports/{fiu_reference}", response_model=ReportOut, responses=COMMON)
def read_report(fiu_reference: str, session: SessionDep, principal: PrincipalDep) -> ReportOut:
    report = reporting.get_report(session, principal, fiu_reference)
    out = ReportOut.model_validate(report)
    out.messages = [ReportMessageOut.model_validate(m) for m in reporting.messages(session, report)]
    return out


@router.post(
    "/reports/{fiu_reference}/messages",
    response_model=ReportMessageOut,
    status_code=status.HTTP_201_CREATED,
    responses=COMMON,
)
def add_report_message(
    fiu_reference: str, body: ReportMessageIn, session: SessionDep, principal: PrincipalDep
) -> ReportMessageOut:
    """The FIU's feedback or request for more information; the reporter's reply."""
    message = reporting.add_message(
        session, principal, fiu_reference, kind=body.kind, body=body.body, now=utcnow()
    )
    return ReportMessageOut.model_validate(message)


@router.post("/reports/{fiu_reference}/status", response_model=Acknowledgement, responses=COMMON)
def set_report_status(
    fiu_reference: str, body: StatusIn, session: SessionDep, principal: PrincipalDep
) -> Acknowledgement:
    return Acknowledgement.model_validate(
        reporting.set_status(session, principal, fiu_reference, body.status)
    )


@router.get("/thresholds", responses=COMMON)
def read_thresholds(session: SessionDep, principal: PrincipalDep) -> Thresholds:
    return service.thresholds(session, service.analyst_fiu(session, principal))


@router.put("/thresholds", responses=COMMON)
def set_thresholds(
    body: dict[str, object], session: SessionDep, principal: PrincipalDep
) -> Thresholds:
    """Change some of your FIU's thresholds (supervisors); the others keep their values."""
    return service.set_thresholds(session, principal, dict(body), utcnow())


@router.post("/jobs", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED, responses=COMMON)
def submit_job(
    body: MonitorJobIn | TraceJobIn,
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    context: ContextDep,
) -> JobOut:
    """Queue a monitoring run or a trace; poll the job for its result."""
    job = service.submit(
        session,
        principal,
        kind=body.kind,
        parameters=body.model_dump(mode="json", exclude={"kind"}),
        context=context,
        now=utcnow(),
    )
    background.add_task(jobs.execute, request.app.state.session_factory, settings, job.id)
    return JobOut.model_validate(job)


@router.get("/jobs/{job_id}", response_model=JobOut, responses=COMMON)
def read_job(job_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> JobOut:
    service.analyst_fiu(session, principal)
    return JobOut.model_validate(jobs.job_for(session, principal, job_id))


@router.get("/alerts", response_model=list[AlertOut], responses=COMMON)
def list_alerts(
    session: SessionDep,
    principal: PrincipalDep,
    status: str | None = None,
    typology: str | None = None,
    account: str | None = None,
) -> list[AlertOut]:
    """Your FIU's alerts, strongest first."""
    return [
        AlertOut.model_validate(a)
        for a in triage.list_alerts(
            session, principal, status=status, typology=typology, account=account
        )
    ]


@router.get("/alerts/{alert_id}", response_model=AlertOut, responses=COMMON)
def read_alert(alert_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> AlertOut:
    return AlertOut.model_validate(triage.get_alert(session, principal, alert_id))


@router.post(
    "/alerts/{alert_id}/triage",
    response_model=AlertOut,
    responses=error_responses(Unauthorized, Invalid, Forbidden, NotFound, Conflict),
)
def triage_alert(
    alert_id: uuid.UUID, body: TriageIn, session: SessionDep, principal: PrincipalDep
) -> AlertOut:
    """Review, dismiss (say why), escalate to a case (name it) or reopen."""
    moved = triage.move(
        session,
        principal,
        alert_id,
        action=body.action,
        now=utcnow(),
        note=body.note,
        reference=body.reference,
    )
    return AlertOut.model_validate(moved)


@router.post(
    "/alerts/{alert_id}/disseminate",
    response_model=AlertOut,
    responses=error_responses(Unauthorized, Invalid, Forbidden, NotFound, Conflict),
)
def disseminate_alert(
    alert_id: uuid.UUID,
    body: DisseminationIn,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    keyring: KeyringDep,
) -> AlertOut:
    """Send the alert to partner FIUs or police agencies as an H2 message."""
    sent = triage.disseminate(
        session,
        principal,
        keyring,
        alert_id,
        recipients=body.recipients,
        note=body.note,
        max_attachment_bytes=settings.max_attachment_bytes,
        now=utcnow(),
    )
    return AlertOut.model_validate(sent)
