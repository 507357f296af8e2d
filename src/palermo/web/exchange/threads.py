"""A thread: every message with its receipts, delivery outcomes and consents, and what may
be done with it (acknowledge, reply, forward, ask or grant consent, export as evidence,
send the records a details request asks for)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Form, Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.deps import PrincipalDep, SessionDep, SettingsDep
from palermo.errors import Invalid, PalermoError
from palermo.exchange import dissemination, messages, reading
from palermo.exchange.deps import keyring_of
from palermo.exchange.messages import MessageKind, ReceiptKind
from palermo.exchange.schemas import MessageOut
from palermo.http import download_response
from palermo.identity.principal import Principal
from palermo.models.base import utcnow
from palermo.models.records import Record
from palermo.routing import APIRouter
from palermo.translatable import N_
from palermo.web import i18n
from palermo.web.exchange.common import (
    INFORMATION,
    SOURCES,
    current_date,
    see_thread,
)
from palermo.web.exchange.recipients import Recipient, picker, recipients_directory
from palermo.web.templating import page

router = APIRouter(include_in_schema=False)
RECEIPT_KINDS = tuple(k.value for k in ReceiptKind)
CONSENT_SCOPES = dissemination.SCOPES
KIND_TITLES = {
    MessageKind.message.value: N_("Message"),
    MessageKind.details_request.value: N_("Request for details"),
    MessageKind.consent_request.value: N_("Consent request"),
}


# Threads -----------------------------------------------------------------------------
@dataclass
class ActionState:
    """What an officer typed in one of a message's action forms, and why it was refused."""

    action: str  # forward, consent_request, consent, approve
    values: dict[str, Any]
    error: i18n.Said | None = None


def _forward_block(m: MessageOut) -> str | None:
    if m.may_forward:
        return None
    return (
        f"{m.handling_code} / TLP:{m.tlp}: forwarding needs the recorded consent of the "
        f"provider, {m.sender}. Ask for it below."
    )


def _export_block(m: MessageOut) -> str | None:
    if m.may_export:
        return None
    return (
        f"{m.handling_code}: use in judicial proceedings needs the recorded consent of the "
        f"provider, {m.sender}. Ask for it below."
    )


def _owns_references(session: Session, agency_id: uuid.UUID, references: Sequence[str]) -> bool:
    if not references:
        return False
    owners = session.execute(
        select(Record.id, Record.owner_agency_id).where(Record.id.in_(list(references)))
    ).all()
    return bool(owners) and all(owner == agency_id for _, owner in owners)


def _message_view(
    session: Session,
    principal: Principal,
    m: MessageOut,
    agencies: Sequence[Recipient],
    state: ActionState | None,
    today: date,
) -> dict[str, Any]:
    assert principal.agency_id is not None
    mine = m.sender == principal.agency_code
    own = {r.kind: r.at for r in m.receipts if r.agency == principal.agency_code}
    matrix: dict[str, dict[str, datetime | None]] = {
        code: dict.fromkeys(RECEIPT_KINDS) for code in m.recipients
    }
    for r in m.receipts:
        matrix.setdefault(r.agency, dict.fromkeys(RECEIPT_KINDS))[r.kind] = r.at
    answered = any(cells["answered"] for cells in matrix.values()) if mine else "answered" in own
    missing = (
        []
        if mine
        else [
            scope
            for scope, allowed in (("forward", m.may_forward), ("evidence", m.may_export))
            if not allowed
        ]
    )
    values = state.values if state else {}
    forward_selected = values.get("recipients", []) if state and state.action == "forward" else []
    forward_q = values.get("q", "") if state and state.action == "forward" else ""
    consent_ref = None
    if m.kind == MessageKind.consent_request and not mine and len(m.references) == 2:
        consent_ref = {"message": m.references[0], "scope": m.references[1]}
    return {
        "m": m,
        "mine": mine,
        "kind_title": KIND_TITLES.get(m.kind, m.kind),
        "own": own,
        "matrix": matrix,
        "overdue": m.reply_by is not None and m.reply_by < today and not answered,
        "forward_block": _forward_block(m),
        "export_block": _export_block(m),
        "missing_scopes": missing,
        "may_approve": not mine
        and m.kind == MessageKind.details_request
        and _owns_references(session, principal.agency_id, m.references),
        "consent_ref": consent_ref,
        "forward_picker": picker(agencies, forward_selected, forward_q),
        "state": state,
        "values": values,
    }


def _thread_page(
    request: Request,
    session: Session,
    principal: Principal,
    thread_id: uuid.UUID,
    *,
    states: dict[uuid.UUID, ActionState] | None = None,
    status_code: int = 200,
) -> Response:
    found = reading.thread(
        session, keyring_of(request), principal=principal, thread_id=thread_id, now=utcnow()
    )
    agencies = recipients_directory(session, principal)
    today = current_date()
    states = states or {}
    views = [_message_view(session, principal, m, agencies, states.get(m.id), today) for m in found]
    return page(
        request,
        "exchange/thread.html",
        principal,
        thread_id=thread_id,
        views=views,
        subject=found[0].subject,
        case_ref=next((m.case_ref for m in found if m.case_ref), None),
        sources=SOURCES,
        information=INFORMATION,
        scopes=CONSENT_SCOPES,
        receipt_kinds=RECEIPT_KINDS,
        status_code=status_code,
    )


def _refused(
    request: Request,
    session: Session,
    principal: Principal,
    thread_id: uuid.UUID,
    message_id: uuid.UUID,
    state: ActionState,
    error: PalermoError,
) -> Response:
    """The thread again, the refused action's form open with what was typed and why."""
    state.error = i18n.said(error)
    return _thread_page(
        request,
        session,
        principal,
        thread_id,
        states={message_id: state},
        status_code=error.status_code,
    )


@router.get("/messages/threads/{thread_id}", response_class=HTMLResponse)
def thread(
    request: Request, thread_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Response:
    """Every message of the thread this agency holds, opened (and so receipted)."""
    return _thread_page(request, session, principal, thread_id)


def _held(session: Session, principal: Principal, message_id: uuid.UUID) -> uuid.UUID:
    """The thread of a message this agency holds (404 otherwise)."""
    agency_id = messages.require_exchange(principal)
    return messages.held(session, agency_id, message_id).thread_id


@router.get("/messages/m/{message_id}")
def message_link(message_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> Response:
    """A message by its id (as notifications quote it): its place in its thread."""
    return see_thread(_held(session, principal, message_id), message_id)


@router.post("/messages/{message_id}/acknowledge")
def acknowledge(
    request: Request, message_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Response:
    thread_id = _held(session, principal, message_id)
    reading.acknowledge(
        session, keyring_of(request), principal=principal, message_id=message_id, now=utcnow()
    )
    return see_thread(thread_id, message_id)


@router.get("/messages/{message_id}/attachments/{blob}")
def download(
    request: Request,
    message_id: uuid.UUID,
    blob: Annotated[str, Path(max_length=64)],
    session: SessionDep,
    principal: PrincipalDep,
) -> Response:
    name, media_type, data = reading.attachment(
        session, keyring_of(request), principal=principal, message_id=message_id, blob=blob
    )
    return download_response(data, name, media_type)


@router.post("/messages/{message_id}/forward", response_class=HTMLResponse)
def forward(
    request: Request,
    message_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    op: Annotated[str, Form(max_length=16)] = "forward",
    recipients: Annotated[list[str] | None, Form()] = None,
    note: Annotated[str, Form(max_length=20_000)] = "",
    q: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Forward under the same handling code and TLP; H2/H3, AMBER+STRICT and RED only with
    the provider's consent (the refusal is shown beside the form)."""
    thread_id = _held(session, principal, message_id)
    state = ActionState("forward", {"recipients": recipients or [], "note": note, "q": q})
    if op == "filter":
        return _thread_page(request, session, principal, thread_id, states={message_id: state})
    try:
        sent_message = dissemination.forward(
            session,
            keyring_of(request),
            principal=principal,
            message_id=message_id,
            recipients=recipients or [],
            note=note,
            max_attachment_bytes=settings.max_attachment_bytes,
            now=utcnow(),
        )
    except PalermoError as error:
        return _refused(request, session, principal, thread_id, message_id, state, error)
    return see_thread(sent_message.thread_id, sent_message.id)


@router.post("/messages/{message_id}/consent-requests", response_class=HTMLResponse)
def request_consent(
    request: Request,
    message_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    scope: Annotated[str, Form(max_length=16)] = "forward",
    reason: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Ask the provider, in the thread, to allow forwarding or use as evidence."""
    thread_id = _held(session, principal, message_id)
    try:
        asked = dissemination.request_consent(
            session,
            keyring_of(request),
            principal=principal,
            message_id=message_id,
            scope=scope,
            reason=reason,
            max_attachment_bytes=settings.max_attachment_bytes,
            now=utcnow(),
        )
    except PalermoError as error:
        state = ActionState("consent_request", {"scope": scope, "reason": reason})
        return _refused(request, session, principal, thread_id, message_id, state, error)
    return see_thread(asked.thread_id, asked.id)


@router.post("/messages/{message_id}/consents", response_class=HTMLResponse)
def grant_consent(
    request: Request,
    message_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    grantee: Annotated[str, Form(max_length=32)] = "",
    scope: Annotated[str, Form(max_length=16)] = "forward",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """As the provider: allow one recipient to forward the message, or to use it as
    evidence."""
    thread_id = _held(session, principal, message_id)
    try:
        if not grantee.strip():
            raise Invalid("choose the recipient agency the consent is for")
        dissemination.grant_consent(
            session,
            keyring_of(request),
            principal=principal,
            message_id=message_id,
            grantee=grantee,
            scope=scope,
            note=note,
            now=utcnow(),
        )
    except PalermoError as error:
        state = ActionState("consent", {"grantee": grantee, "scope": scope, "note": note})
        return _refused(request, session, principal, thread_id, message_id, state, error)
    return see_thread(thread_id, message_id)


@router.get("/messages/{message_id}/evidence")
def evidence(
    request: Request, message_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Response:
    """The signed message as a JSON evidence bundle (H1 and up: with the provider's
    consent)."""
    bundle = dissemination.evidence(
        session, keyring_of(request), principal=principal, message_id=message_id, now=utcnow()
    )
    return download_response(
        json.dumps(bundle, indent=2, ensure_ascii=False, sort_keys=True).encode(),
        f"evidence-{message_id}.json",
        "application/json",
    )


@router.post("/messages/{message_id}/approve-details", response_class=HTMLResponse)
def approve_details(
    request: Request,
    message_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    note: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """As the owner: answer a request for details with the records themselves."""
    thread_id = _held(session, principal, message_id)
    try:
        answer = dissemination.approve_details(
            session,
            keyring_of(request),
            principal=principal,
            message_id=message_id,
            note=note,
            max_attachment_bytes=settings.max_attachment_bytes,
            now=utcnow(),
        )
    except PalermoError as error:
        state = ActionState("approve", {"note": note})
        return _refused(request, session, principal, thread_id, message_id, state, error)
    return see_thread(answer.thread_id, answer.id)
