"""A notice's page: its subject and particulars, the automatic checks' findings, the review,
its history and hit reports, and the steps open to the user — the reviewer's checklist
among them. A refused step shows its reason beside the form it came from, as typed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from followthemoney import model
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from palermo.db import attempt
from palermo.deps import PrincipalDep, SessionDep, SettingsDep
from palermo.errors import PalermoError
from palermo.identity.principal import Principal
from palermo.models.base import utcnow
from palermo.notices import hits, service, views
from palermo.notices.kinds import FIELDS, FieldType, NoticeKind
from palermo.notices.schemas import ActionIn, HitDecisionIn, ReviewIn
from palermo.notices.workflow import ACTION_TITLES, TRANSITIONS, person_action
from palermo.offences import iccs
from palermo.policy import notices as policy
from palermo.policy.records import AccessContext
from palermo.routing import APIRouter
from palermo.web import i18n
from palermo.web.notices.common import (
    STATUS_TITLES,
    FormDep,
    Refusable,
    option_title,
    problems,
    require_reader,
    tabs,
)
from palermo.web.templating import page
from palermo.web.workspace import context_or_redirect

router = APIRouter(include_in_schema=False)
# The reviewer's three decisions, shown together beside the checklist.
REVIEW_ACTIONS = ("publish", "refuse", "return")
REVIEW_FIELDS = ("art3_compliant", "art3_reasoning", "art2_compliant", "art2_reasoning")
REVIEW_FLAGS = ("warnings_acknowledged", "exception_granted")
LABELS = {
    "reasons": "Reasons",
    "note": "Note for the querying agency",
    "confirmed": "Decision",
    "art3_compliant": "Article 3",
    "art3_reasoning": "Article 3 reasoning",
    "art2_compliant": "Article 2",
    "art2_reasoning": "Article 2 reasoning",
}


@dataclass
class Refusal:
    """A refused step: which form it came from, what was typed there, and why."""

    form: str  # an action, or "hit-<id>"
    values: dict[str, Any]
    message: str | i18n.Said | i18n.Listed = ""
    status_code: int = 422

    def because(self, error: PalermoError | ValidationError) -> Refusal:
        if isinstance(error, ValidationError):
            self.message = i18n.Listed([m for _, m in problems(error, LABELS)])
        else:
            self.message, self.status_code = i18n.said(error), error.status_code
        return self


# What the page shows ------------------------------------------------------------------------
def subject_rows(subject: dict[str, Any] | None) -> list[tuple[str, list[str]]]:
    """The subject's properties under their FtM labels, the name first."""
    if not subject:
        return []
    schema = model.get(subject.get("schema", ""))
    properties = subject.get("properties", {})
    rows = []
    for name in sorted(properties, key=lambda p: (p != "name", p)):
        prop = schema.get(name) if schema else None
        rows.append((prop.label if prop else name, [str(v) for v in properties[name]]))
    return rows


def _shown(kind_of_field: FieldType | None, value: Any) -> str:
    if kind_of_field is FieldType.choice:
        return option_title(str(value))
    if kind_of_field is FieldType.choices:
        return ", ".join(option_title(str(v)) for v in value)
    if kind_of_field is FieldType.iccs:
        offence = iccs().get(str(value))
        return f"{value} — {offence.label}" if offence else str(value)
    if kind_of_field is FieldType.flag:
        return "Yes" if value else "No"
    if kind_of_field is FieldType.months:
        return f"{value} months"
    if isinstance(value, list):  # countries, and the arrest warrants of imported notices
        return "; ".join(_plain(v) for v in value)
    return str(value)


def _plain(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in value.items() if v)
    return str(value)


def particular_rows(kind: NoticeKind, particulars: dict[str, Any]) -> list[tuple[str, str]]:
    """The type's fields under their labels, in the table's order; others (kept from an
    import) after them."""
    specs = {spec.name: spec for spec in FIELDS[kind]}
    rows = [
        (spec.label, _shown(spec.type, particulars[spec.name]))
        for spec in FIELDS[kind]
        if particulars.get(spec.name) not in (None, "", [])
    ]
    rows += [
        (name.replace("_", " ").capitalize(), _shown(None, value))
        for name, value in particulars.items()
        if name not in specs and value
    ]
    return rows


def _notice_page(
    request: Request,
    session: Session,
    principal: Principal,
    notice_id: uuid.UUID,
    *,
    refusal: Refusal | None = None,
    context: AccessContext | None = None,
) -> Response:
    """The notice page; opened (not re-shown after a step) its consultation is audited."""
    notice = (
        service.read(session, principal=principal, notice_id=notice_id, context=context)
        if context
        else service.notice_for(session, principal, notice_id)
    )
    out = views.view(session, principal, notice)
    reviewing = "publish" in out.actions
    # Officers and supervisors of the requesting agency confirm identities (hits.decide).
    may_confirm = policy.acts_as_requester(principal, notice)
    forms = {*out.actions} | {
        f"hit-{h.id}" for h in out.hits if may_confirm and h.status == "to_confirm"
    }
    return page(
        request,
        "notices/notice.html",
        principal,
        n=out,
        statuses=STATUS_TITLES,
        subject=subject_rows(out.subject),
        particulars=particular_rows(out.kind, out.particulars),
        reviewing=reviewing,
        actions=[a for a in out.actions if not (reviewing and a in REVIEW_ACTIONS)],
        action_titles=ACTION_TITLES,
        transitions=TRANSITIONS,
        warnings=[f for f in out.findings if f.severity == "warning"],
        may_confirm=may_confirm,
        editable="submit" in out.actions,
        refusal=refusal,
        # A step refused from a form the page no longer offers is told at the top.
        stray=refusal if refusal and refusal.form not in forms else None,
        status_code=refusal.status_code if refusal else 200,
        **tabs(session, principal, "notice"),
    )


@router.get("/notices/{notice_id}", response_class=HTMLResponse)
def notice_page(
    request: Request, notice_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Response:
    """The subject is personal data: consulted under the declared working context."""
    require_reader(principal)
    context = context_or_redirect(request)
    if isinstance(context, Response):
        return context
    return _notice_page(request, session, principal, notice_id, context=context)


def _see(notice_id: uuid.UUID, anchor: str = "") -> Response:
    return RedirectResponse(f"/notices/{notice_id}{anchor}", status_code=303)


def _review(data: FormData) -> ReviewIn:
    """The checklist as ticked: unanswered questions stay unanswered (and are refused)."""
    answers: dict[str, Any] = {
        name: data.get(name) for name in REVIEW_FIELDS if data.get(name) not in (None, "")
    }
    for name in ("art3_compliant", "art2_compliant"):
        if name in answers:
            answers[name] = answers[name] == "yes"
    answers.update({name: bool(data.get(name)) for name in REVIEW_FLAGS})
    return ReviewIn.model_validate(answers)


@router.post("/notices/{notice_id}/actions/{action}", response_class=HTMLResponse)
def act(
    request: Request,
    notice_id: uuid.UUID,
    action: str,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    data: FormDep,
) -> Response:
    """Take a step of the notice's workflow; publishing takes the completed checklist."""
    person_action(action)
    typed = {
        name: value
        for name in ("reasons", *REVIEW_FIELDS, *REVIEW_FLAGS)
        if isinstance(value := data.get(name), str)
    }

    def step() -> None:
        body = ActionIn(
            reasons=typed.get("reasons"), review=_review(data) if action == "publish" else None
        )
        service.act(
            session,
            principal=principal,
            notice_id=notice_id,
            action=action,
            body=body,
            settings=settings,
            now=utcnow(),
        )

    try:
        attempt(session, step)
    except Refusable as error:
        refusal = Refusal(action, typed).because(error)
        return _notice_page(request, session, principal, notice_id, refusal=refusal)
    return _see(notice_id)


@router.post("/notices/{notice_id}/hits/{hit_id}", response_class=HTMLResponse)
def decide_hit(
    request: Request,
    notice_id: uuid.UUID,
    hit_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    data: FormDep,
) -> Response:
    """The requesting agency says whether the person hit is the one sought; the querying
    agency is told, with the note."""
    note = str(data.get("note") or "")

    def decide() -> None:
        decision = HitDecisionIn(confirmed=data.get("verdict") == "confirmed", note=note)
        hits.decide(
            session,
            principal=principal,
            hit_id=hit_id,
            confirmed=decision.confirmed,
            note=decision.note,
            now=utcnow(),
        )

    try:
        attempt(session, decide)
    except Refusable as error:
        refusal = Refusal(f"hit-{hit_id}", {"note": note}).because(error)
        return _notice_page(request, session, principal, notice_id, refusal=refusal)
    return _see(notice_id, f"#hit-{hit_id}")
