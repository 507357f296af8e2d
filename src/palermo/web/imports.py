"""The import page: records (FtM JSON lines under one envelope), a watch list, an FIU's bulk
transactions — each started as a job, followed live on its page and on the jobs page."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import BackgroundTasks, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from palermo.deps import PrincipalDep, SessionDep, SettingsDep
from palermo.errors import PalermoError
from palermo.finintel.transactions import parse_mapping
from palermo.identity.principal import Principal
from palermo.imports import jobs, service
from palermo.models.base import utcnow
from palermo.models.imports import ImportJob
from palermo.records.envelope import (
    HandlingCode,
    InformationAccuracy,
    Nature,
    Purpose,
    SourceReliability,
    SubjectCategory,
    Tlp,
)
from palermo.records.schemas import envelope_of
from palermo.routing import APIRouter
from palermo.screening.lists import PARSERS
from palermo.translatable import N_
from palermo.web import i18n
from palermo.web.exchange.common import INFORMATION, SOURCES
from palermo.web.templating import page, working_context

router = APIRouter(include_in_schema=False)

LIST_TITLES = {
    "un": N_("UN Security Council consolidated list (XML)"),
    "eu": N_("EU financial sanctions list (XML)"),
    "ofac": N_("OFAC SDN list (sdn.csv)"),
    "interpol": N_("Interpol red notices (JSON)"),
    "ftm": N_("FollowTheMoney entities (JSON lines)"),
}
NATURE_TITLES = {Nature.fact: N_("A fact"), Nature.assessment: N_("An assessment")}
SUBJECT_TITLES = {
    SubjectCategory.suspect: N_("Suspect"),
    SubjectCategory.convicted: N_("Convicted"),
    SubjectCategory.victim: N_("Victim"),
    SubjectCategory.witness: N_("Witness"),
    SubjectCategory.contact: N_("Contact or associate"),
    SubjectCategory.informant: N_("Informant"),
}
# What the forms show first (and keep, shown again with why they were refused).
FORM = {
    "legal_basis": "",
    "subject_category": "",
    "purposes": [Purpose.criminal_investigation.value],
    "nature": Nature.fact.value,
    "source_reliability": SourceReliability.X.value,
    "information_accuracy": InformationAccuracy.not_assessed.value,
    "handling_code": HandlingCode.H2.value,
    "handling_note": "",
    "tlp": Tlp.amber.value,
    "source": "un",
    "list_subject_category": SubjectCategory.suspect.value,
    "mapping": "",
    "currency": "EUR",
}


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    refused: str | None = None,  # the kind whose form is shown again with why
    failure: PalermoError | None = None,
    form: dict[str, Any] | None = None,
) -> Response:
    service.may_import(principal)
    return page(
        request,
        "imports/index.html",
        principal,
        kinds=service.importable(session, principal),
        refused=refused,
        error=i18n.said(failure) if failure else None,
        status_code=failure.status_code if failure else 200,
        form={**FORM, **(form or {})},
        subject_titles=SUBJECT_TITLES,
        nature_titles=NATURE_TITLES,
        list_titles={source: LIST_TITLES[source] for source in PARSERS},
        sources=SOURCES,
        information=INFORMATION,
        handling_codes=list(HandlingCode),
        tlps=list(Tlp),
        purposes=list(Purpose),
    )


def _started(request: Request, background: BackgroundTasks, job: ImportJob) -> Response:
    jobs.run_after_response(background, request, job)
    return RedirectResponse(jobs.page_of(job.id), status_code=303)


@router.get("/imports", response_class=HTMLResponse)
def imports_page(request: Request, session: SessionDep, principal: PrincipalDep) -> Response:
    return _page(request, session, principal)


@router.post("/imports/records", response_class=HTMLResponse)
async def import_records(
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File()],
    legal_basis: Annotated[str, Form(max_length=2000)],
    subject_category: Annotated[str, Form(max_length=32)] = "",
    purposes: Annotated[list[str] | None, Form()] = None,
    nature: Annotated[str, Form(max_length=32)] = Nature.fact.value,
    source_reliability: Annotated[str, Form(max_length=1)] = SourceReliability.X.value,
    information_accuracy: Annotated[str, Form(max_length=1)] = "4",
    handling_code: Annotated[str, Form(max_length=2)] = HandlingCode.H2.value,
    handling_note: Annotated[str, Form(max_length=2000)] = "",
    tlp: Annotated[str, Form(max_length=16)] = Tlp.amber.value,
) -> Response:
    """FtM JSON lines under the envelope of the form, as a job."""
    form: dict[str, Any] = {
        "legal_basis": legal_basis.strip(),
        "subject_category": subject_category or None,
        "purposes": purposes or [],
        "nature": nature,
        "source_reliability": source_reliability,
        "information_accuracy": information_accuracy,
        "handling_code": handling_code,
        "handling_note": handling_note.strip() or None,
        "tlp": tlp,
    }
    try:
        job = service.submit_records(
            session,
            principal=principal,
            filename=file.filename,
            content=await file.read(),
            envelope=envelope_of(form),
            agency=None,
            now=utcnow(),
        )
    except PalermoError as failure:
        typed = {key: value or "" for key, value in form.items()}
        return _page(request, session, principal, refused="records", failure=failure, form=typed)
    return _started(request, background, job)


@router.post("/imports/watchlist", response_class=HTMLResponse)
async def import_watchlist(
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File()],
    source: Annotated[str, Form(max_length=16)],
    subject_category: Annotated[SubjectCategory, Form()] = SubjectCategory.suspect,
    aliases: Annotated[UploadFile | None, File()] = None,
    addresses: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """A published list loaded as the principal's agency's, as a job."""
    try:
        # A browser sends an empty part for a file input left empty.
        companions = {
            name: await sent.read()
            for name, sent in zip(service.OFAC_COMPANIONS, (aliases, addresses), strict=True)
            if sent is not None and sent.filename
        }
        job = service.submit_watchlist(
            session,
            principal=principal,
            source=source,
            filename=file.filename,
            content=await file.read(),
            companions=companions,
            agency=None,
            category=subject_category,
            now=utcnow(),
        )
    except PalermoError as failure:
        form = {"source": source, "list_subject_category": subject_category.value}
        return _page(request, session, principal, refused="watchlist", failure=failure, form=form)
    return _started(request, background, job)


@router.post("/imports/transactions", response_class=HTMLResponse)
async def import_transactions(
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File()],
    mapping: Annotated[str, Form(max_length=2000)],
    currency: Annotated[str, Form(max_length=3)] = "EUR",
) -> Response:
    """Bulk transactions into the FIU's store, as a job, for the declared purpose."""
    context = working_context(request)
    if context is None:
        return RedirectResponse("/context?" + urlencode({"next": "/imports"}), status_code=303)
    try:
        job = service.submit_transactions(
            session,
            principal=principal,
            settings=settings,
            filename=file.filename,
            content=await file.read(),
            mapping=parse_mapping(mapping),
            currency=currency,
            context=context,
            now=utcnow(),
        )
    except PalermoError as failure:
        form = {"mapping": mapping, "currency": currency}
        return _page(
            request, session, principal, refused="transactions", failure=failure, form=form
        )
    return _started(request, background, job)
