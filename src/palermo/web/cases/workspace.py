"""A case's workspace: overview (summary, offences, the JIT agreement), members, subjects and
their link chart, tasks, the messages about the case, evidence, authorisations of special
investigative techniques, action days and the timeline — each with the forms the reader's
agency may use there."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from palermo.cases import evidence, service, tasks
from palermo.cases.schemas import CaseDetail
from palermo.cases.vocabulary import CONTRIBUTING, JitStatus, MemberRole, TaskStatus
from palermo.deps import PrincipalDep, SessionDep
from palermo.errors import Forbidden
from palermo.exchange import reading
from palermo.exchange.deps import keyring_of
from palermo.exchange.schemas import MessageSummary
from palermo.identity import repository as directory
from palermo.identity.principal import Principal
from palermo.identity.roles import PARTNER_ONLY_KINDS
from palermo.models.base import utcnow
from palermo.models.cases import Case
from palermo.records.envelope import HandlingCode
from palermo.routing import APIRouter
from palermo.translatable import N_
from palermo.web.cases.forms import Again, Refused
from palermo.web.cases.views import Reader, case_at_work, reader_of, render

router = APIRouter(include_in_schema=False)

MESSAGES = 50  # the latest messages about the case shown in its workspace
SEEDS = 50  # subjects a link chart starts from (the network page's limit)
DONE = {
    "opened": N_("Case opened"),
    "member": N_("Agency admitted"),
    "role": N_("Role changed"),
    "left": N_("Member removed"),
    "subject": N_("Subject added"),
    "task": N_("Task set"),
    "task-update": N_("Task updated"),
    "jit": N_("JIT agreement drafted"),
    "jit-sign": N_("Signature recorded"),
    "jit-extend": N_("Extension recorded"),
    "jit-close": N_("JIT agreement closed"),
    "close": N_("Case closed"),
    "authorisation": N_("Authorisation recorded"),
    "activity": N_("Activity logged"),
    "revoke": N_("Authorisation revoked"),
    "evidence": N_("Evidence item added"),
}


def back(case: Case, done: str, section: str) -> str:
    """Where a form that worked leads: the workspace, at its section, saying what was done."""
    return f"/cases/{case.id}?{urlencode({'done': done})}#{section}"


def offered(detail: CaseDetail, reader: Reader) -> dict[str, list[TaskStatus] | None]:
    """The forms the page offers the reader (a task's form with the steps it may take)."""
    forms: dict[str, list[TaskStatus] | None] = {"export": None}  # any member exports
    current = [m for m in detail.members if m.left_at is None]
    if reader.role is not MemberRole.lead:
        forms[f"leave-{reader.agency}"] = None
    if reader.lead:
        forms |= dict.fromkeys(["member", "close"])
        for member in current:
            if member.role is not MemberRole.lead:
                forms |= dict.fromkeys([f"role-{member.agency}", f"leave-{member.agency}"])
    if reader.contributing:
        forms |= dict.fromkeys(
            ["subject", "task", "authorisation", "evidence-digital", "evidence-physical"]
        )
        for held in detail.authorisations:
            if held.agency == reader.agency and held.revoked_on is None:
                forms |= dict.fromkeys([f"activity-{held.id}", f"revoke-{held.id}"])
        for task in detail.tasks:
            steps = tasks.steps_open_to(
                task.status,
                assignee=task.agency,
                setter=task.set_by,
                lead=detail.lead,
                reader=reader.agency,
            )
            if steps:
                forms[f"task-{task.number}"] = steps
    forms |= dict.fromkeys(_jit_forms(detail, reader))
    return forms


def _jit_forms(detail: CaseDetail, reader: Reader) -> list[str]:
    jit = detail.jit
    if jit is None:
        return ["jit"] if reader.lead else []
    if jit.status is JitStatus.draft and reader.contributing:
        unsigned = {p.agency for p in jit.parties if p.signed_on is None}
        return ["jit-sign"] if reader.agency in unsigned else []
    if jit.status is JitStatus.in_force and reader.lead:
        return ["jit-extend", "jit-close"]
    return []


def case_messages(
    request: Request, session: Session, principal: Principal, case: Case
) -> list[MessageSummary] | None:
    """The messages of the reader's agency about the case (its reference on them), newest
    first; None for those who do not exchange messages."""
    try:
        return reading.listing(
            session,
            keyring_of(request),
            principal=principal,
            folder="all",
            case_ref=case.reference,
            limit=MESSAGES,
        )
    except Forbidden:
        return None


def _candidates(session: Session, detail: CaseDetail) -> list[str]:
    """Agencies the lead may admit: this node's directory, less partners and members."""
    members = {m.agency for m in detail.members if m.left_at is None}
    return [
        a.code
        for a in directory.list_agencies(session)
        if a.kind not in PARTNER_ONLY_KINDS and a.code not in members
    ]


def link_chart(detail: CaseDetail) -> str | None:
    """The network page around the case's subjects the reader sees."""
    seeds = [s.record_id for s in detail.subjects][:SEEDS]
    return "/network?" + urlencode([("seed", s) for s in seeds]) if seeds else None


def workspace(
    request: Request,
    session: Session,
    principal: Principal,
    case: Case,
    *,
    forms: dict[str, Refused] | None = None,
    done: str = "",
    status_code: int = 200,
) -> Response:
    now = utcnow()
    detail = service.detail(session, principal, case, now=now)  # audited
    reader = reader_of(session, principal, case)
    return render(
        request,
        "cases/case.html",
        principal,
        case=detail,
        reader=reader,
        offered=offered(detail, reader),
        contributors=[
            m.agency for m in detail.members if m.left_at is None and m.role in CONTRIBUTING
        ],
        candidates=_candidates(session, detail) if reader.lead else [],
        admissible=[MemberRole.participant, MemberRole.observer],
        roles=list(MemberRole),
        messages=case_messages(request, session, principal, case),
        evidence=evidence.summaries(session, evidence.items(session, case)),
        handling_codes=list(HandlingCode),
        days=service.action_days(session, case),
        link_chart=link_chart(detail),
        today=now.date(),
        forms=forms or {},
        done=DONE.get(done, ""),
        status_code=status_code,
    )


def again(request: Request, session: Session, principal: Principal, case: Case) -> Again:
    """The workspace drawn again around a refused form."""
    return lambda forms, code: workspace(
        request, session, principal, case, forms=forms, status_code=code
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    case_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    done: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """The case as my agency sees it (a 404 to non-members)."""
    case = case_at_work(session, principal, case_id)
    return workspace(request, session, principal, case, done=done)
