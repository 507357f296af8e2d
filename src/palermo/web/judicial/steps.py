"""The steps of a request taken through its page — send, acknowledge, assign, record a part,
answer, consult, resume, refuse, withdraw — each with the form it is posted from; the
services decide who may take which, and a refusal brings the page back with the form as
typed and why beside its field."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from palermo.deps import PrincipalDep, SessionDep, SettingsDep
from palermo.exchange.deps import KeyringDep
from palermo.exchange.keys import Keyring
from palermo.identity.principal import Principal
from palermo.judicial import requests
from palermo.judicial.lifecycle import Step
from palermo.judicial.request_schemas import AnswerIn, AssignIn, PartIn, RefusalIn, StepIn
from palermo.models.base import utcnow
from palermo.models.judicial import JudicialRequest
from palermo.policy import judicial as policy
from palermo.routing import APIRouter
from palermo.web.forms import FormSpec, Posted, act, shaped
from palermo.web.judicial.request import request_page

router = APIRouter(include_in_schema=False)

NOTE = FormSpec(fields=("note",), places=(("consultation", "note"),))
FORMS = {
    Step.send: FormSpec(fields=(), places=()),
    Step.acknowledge: NOTE,
    Step.consult: NOTE,
    Step.resume: NOTE,
    Step.withdraw: NOTE,
    Step.assign: FormSpec(
        fields=("agency",), places=(("agency", "agency"), ("no authority of", "agency"))
    ),
    Step.execute: FormSpec(
        fields=("measure", "executed_on", "summary"),
        places=(("measures", "measure"), ("executed_on", "executed_on"), ("summary", "summary")),
    ),
    Step.answer: FormSpec(
        fields=("summary", "speciality", "confidentiality"), places=(("summary", "summary"),)
    ),
    Step.refuse: FormSpec(
        fields=("ground", "reasons", "consulted_on"),
        places=(
            ("reasons", "reasons"),
            ("consulted_on", "consulted_on"),
            ("extradition only", "ground"),
            ("dual criminality", "ground"),
        ),
        labels={"consulted_on": "Consulted on"},
    ),
}


@dataclass(frozen=True)
class At:
    """A step about to be taken: by whom, on which request, when (and how a sent request
    travels)."""

    session: Session
    principal: Principal
    request: JudicialRequest
    now: datetime
    keyring: Keyring
    max_attachment_bytes: int


def _send(at: At, form: Mapping[str, str]) -> object:
    return requests.send(
        at.session,
        principal=at.principal,
        keyring=at.keyring,
        request=at.request,
        max_attachment_bytes=at.max_attachment_bytes,
        now=at.now,
    )


def _noted(step: Step) -> Callable[[At, Mapping[str, str]], object]:
    def take(at: At, form: Mapping[str, str]) -> object:
        return requests.take_step(
            at.session,
            principal=at.principal,
            request=at.request,
            step=step,
            now=at.now,
            note=shaped(StepIn, form).note,
        )

    return take


def _assign(at: At, form: Mapping[str, str]) -> object:
    body = shaped(AssignIn, {**form, "agency": form.get("agency", "").upper()})
    return requests.assign(
        at.session, principal=at.principal, request=at.request, agency_code=body.agency, now=at.now
    )


def _execute(at: At, form: Mapping[str, str]) -> object:
    body = shaped(PartIn, form)
    return requests.execute_part(
        at.session,
        principal=at.principal,
        request=at.request,
        measure=body.measure,
        executed_on=body.executed_on,
        summary=body.summary,
        now=at.now,
    )


def _answer(at: At, form: Mapping[str, str]) -> object:
    body = shaped(AnswerIn, form)
    return requests.answer(
        at.session,
        principal=at.principal,
        request=at.request,
        summary=body.summary,
        speciality=body.speciality,
        confidentiality=body.confidentiality,
        now=at.now,
    )


def _refuse(at: At, form: Mapping[str, str]) -> object:
    body = shaped(RefusalIn, form)
    return requests.refuse(
        at.session,
        principal=at.principal,
        request=at.request,
        ground=body.ground,
        reasons=body.reasons,
        consulted_on=body.consulted_on,
        now=at.now,
    )


TAKE: dict[Step, Callable[[At, Mapping[str, str]], object]] = {
    Step.send: _send,
    Step.acknowledge: _noted(Step.acknowledge),
    Step.consult: _noted(Step.consult),
    Step.resume: _noted(Step.resume),
    Step.withdraw: _noted(Step.withdraw),
    Step.assign: _assign,
    Step.execute: _execute,
    Step.answer: _answer,
    Step.refuse: _refuse,
}


@router.post("/judicial/{request_id}/{step}", response_class=HTMLResponse)
def take_step(
    request: Request,
    request_id: uuid.UUID,
    step: Step,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    keyring: KeyringDep,
    form: Posted,
) -> Response:
    """Take a step of the request's lifecycle; refused, the page comes back with the form as
    typed and why beside the field."""
    policy.may_work(principal)
    found = policy.request_for(session, principal, request_id)
    at = At(session, principal, found, utcnow(), keyring, settings.max_attachment_bytes)
    return act(
        session,
        lambda: TAKE[step](at, form),
        form=step.value,
        spec=FORMS[step],
        values=form,
        then=f"/judicial/{found.id}?done={step.value}",
        again=lambda forms, code: request_page(
            request, session, principal, found, forms=forms, status_code=code
        ),
    )
