"""What members contribute from the workspace: subjects (records they see in full), tasks and
their results, and the authorisations of special investigative techniques they act under —
with the activity logged under each, refused outside its days and jurisdictions."""

from __future__ import annotations

import uuid

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from palermo.cases import subjects, tasks, techniques
from palermo.cases.schemas import (
    ActivityIn,
    AuthorisationIn,
    RevokeIn,
    SubjectIn,
    TaskIn,
    TaskUpdate,
)
from palermo.deps import PrincipalDep, SessionDep
from palermo.models.base import utcnow
from palermo.policy import cases as policy
from palermo.routing import APIRouter
from palermo.web.cases.forms import FormSpec, Posted, act, listed, shaped
from palermo.web.cases.workspace import again, back

router = APIRouter(include_in_schema=False)

SUBJECT = FormSpec(fields=("record_id",), places=(("record", "record_id"),))
TASK = FormSpec(
    fields=("title", "description", "agency", "assignee", "due_on"),
    places=(
        ("not a user", "assignee"),
        ("agency", "agency"),
        ("contributing member", "agency"),
        ("due_on", "due_on"),
    ),
)
TASK_UPDATE = FormSpec(
    fields=("status", "result", "result_records"),
    places=(("cannot become", "status"), ("result", "result"), ("record", "result_records")),
)
AUTHORISATION = FormSpec(
    fields=(
        "technique",
        "reference",
        "authority",
        "scope",
        "valid_from",
        "valid_until",
        "jurisdictions",
    ),
    places=(
        ("valid_until", "valid_until"),
        ("jurisdiction", "jurisdictions"),
        ("country", "jurisdictions"),
    ),
)
ACTIVITY = FormSpec(
    fields=("on", "country", "description"),
    places=(
        ("does not hold in", "country"),
        ("country", "country"),
        ("future", "on"),
        ("holds from", "on"),
        ("expired on", "on"),
        ("revoked on", "on"),
    ),
)
REVOKE = FormSpec(fields=("on",), places=(("future", "on"),))


@router.post("/cases/{case_id}/subjects", response_class=HTMLResponse)
def add_subject(
    request: Request,
    case_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    form: Posted,
) -> Response:
    """Add a record my agency sees in full as a subject of the case."""
    case = policy.case_for(session, principal, case_id)
    return act(
        session,
        lambda: subjects.add_subject(
            session,
            principal=principal,
            case=case,
            record_id=shaped(SubjectIn, form).record_id,
            now=utcnow(),
        ),
        form="subject",
        spec=SUBJECT,
        values=form,
        then=back(case, "subject", "subjects"),
        again=again(request, session, principal, case),
    )


@router.post("/cases/{case_id}/tasks", response_class=HTMLResponse)
def set_task(
    request: Request,
    case_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    form: Posted,
) -> Response:
    """Set a task for a contributing member agency, or one of its people."""
    case = policy.case_for(session, principal, case_id)

    def step() -> object:
        body = shaped(TaskIn, form)
        return tasks.set_task(
            session,
            principal=principal,
            case=case,
            title=body.title,
            description=body.description,
            agency_code=body.agency,
            assignee=body.assignee,
            due_on=body.due_on,
            now=utcnow(),
        )

    return act(
        session,
        step,
        form="task",
        spec=TASK,
        values=form,
        then=back(case, "task", "tasks"),
        again=again(request, session, principal, case),
    )


@router.post("/cases/{case_id}/tasks/{number}", response_class=HTMLResponse)
def update_task(
    request: Request,
    case_id: uuid.UUID,
    number: int,
    session: SessionDep,
    principal: PrincipalDep,
    form: Posted,
) -> Response:
    """The agency a task is assigned to moves it on and reports its result (or the agency
    that set it, or the lead, cancels it)."""
    case = policy.case_for(session, principal, case_id)
    tasks.task_of(session, case, number)  # a 404 before anything else

    def step() -> object:
        records = listed(form.get("result_records", ""))
        body = shaped(TaskUpdate, {**form, "result_records": records})
        return tasks.update_task(
            session,
            principal=principal,
            case=case,
            number=number,
            status=body.status,
            result=body.result,
            result_records=body.result_records,
            now=utcnow(),
        )

    return act(
        session,
        step,
        form=f"task-{number}",
        spec=TASK_UPDATE,
        values=form,
        then=back(case, "task-update", f"task-{number}"),
        again=again(request, session, principal, case),
    )


@router.post("/cases/{case_id}/authorisations", response_class=HTMLResponse)
def record_authorisation(
    request: Request,
    case_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    form: Posted,
) -> Response:
    """Record the authorisation of a special investigative technique my agency acts under."""
    case = policy.case_for(session, principal, case_id)

    def step() -> object:
        countries = [c.upper() for c in listed(form.get("jurisdictions", ""))]
        body = shaped(AuthorisationIn, {**form, "jurisdictions": countries})
        return techniques.record_authorisation(
            session,
            principal=principal,
            case=case,
            technique=body.technique,
            reference=body.reference,
            authority=body.authority,
            scope=body.scope,
            valid_from=body.valid_from,
            valid_until=body.valid_until,
            jurisdictions=body.jurisdictions,
            now=utcnow(),
        )

    return act(
        session,
        step,
        form="authorisation",
        spec=AUTHORISATION,
        values=form,
        then=back(case, "authorisation", "authorisations"),
        again=again(request, session, principal, case),
    )


@router.post(
    "/cases/{case_id}/authorisations/{authorisation_id}/activities", response_class=HTMLResponse
)
def log_activity(
    request: Request,
    case_id: uuid.UUID,
    authorisation_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    form: Posted,
) -> Response:
    """Log what was done under an authorisation; refused (and the refusal audited) outside
    its days, after its revocation or outside its jurisdictions."""
    case = policy.case_for(session, principal, case_id)
    held = techniques.authorisation_of(session, case, authorisation_id)

    def step() -> object:
        body = shaped(ActivityIn, {**form, "country": form.get("country", "").upper()})
        return techniques.log_activity(
            session,
            principal=principal,
            case=case,
            authorisation=held,
            on=body.on,
            country=body.country,
            description=body.description,
            now=utcnow(),
        )

    return act(
        session,
        step,
        form=f"activity-{held.id}",
        spec=ACTIVITY,
        values=form,
        then=back(case, "activity", f"authorisation-{held.id}"),
        again=again(request, session, principal, case),
    )


@router.post(
    "/cases/{case_id}/authorisations/{authorisation_id}/revoke", response_class=HTMLResponse
)
def revoke(
    request: Request,
    case_id: uuid.UUID,
    authorisation_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    form: Posted,
) -> Response:
    """The agency acting under an authorisation records its revocation."""
    case = policy.case_for(session, principal, case_id)
    held = techniques.authorisation_of(session, case, authorisation_id)
    return act(
        session,
        lambda: techniques.revoke(
            session,
            principal=principal,
            case=case,
            authorisation=held,
            on=shaped(RevokeIn, form).on,
            now=utcnow(),
        ),
        form=f"revoke-{held.id}",
        spec=REVOKE,
        values=form,
        then=back(case, "revoke", f"authorisation-{held.id}"),
        again=again(request, session, principal, case),
    )
