"""Composing a message: the recipients picker (this node's agencies and its peers'),
handling code, TLP, evaluation, attachments; a refused draft comes back as it was typed."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from palermo.deps import PrincipalDep, SessionDep, SettingsDep
from palermo.errors import Invalid, PalermoError
from palermo.exchange import messages, reading
from palermo.exchange.deps import keyring_of
from palermo.exchange.messages import Attachment, Draft, Priority
from palermo.exchange.schemas import MessageOut
from palermo.identity.principal import Principal
from palermo.models.base import utcnow
from palermo.records.envelope import HandlingCode, Tlp
from palermo.routing import APIRouter
from palermo.translatable import N_
from palermo.web import i18n
from palermo.web.exchange.common import (
    INFORMATION,
    SOURCES,
    current_date,
    see_thread,
)
from palermo.web.exchange.recipients import picker, recipients_directory
from palermo.web.templating import page

router = APIRouter(include_in_schema=False)
# Which field an error of the service is about (first keyword found wins).
ERROR_FIELDS = (
    ("H3", "handling_note"),
    ("handling_note", "handling_note"),
    ("handling code", "handling_code"),
    ("recipient", "recipients"),
    ("agenc", "recipients"),
    ("subject", "subject"),
    ("body", "body"),
    ("attachment", "attachments"),
    ("evaluation", "evaluation"),
    ("reliability", "evaluation"),
    ("reply-by", "reply_by"),
    ("case reference", "case_ref"),
    ("TLP", "tlp"),
    ("priority", "priority"),
)


# Compose -----------------------------------------------------------------------------
def _blank_form() -> dict[str, Any]:
    return {
        "recipients": [],
        "subject": "",
        "body": "",
        "priority": Priority.routine.value,
        "handling_code": HandlingCode.H0.value,
        "handling_note": "",
        "tlp": Tlp.amber.value,
        "source": "",
        "information": "",
        "reply_by": "",
        "case_ref": "",
        "in_reply_to": "",
        "q": "",
    }


def _error_field(error: PalermoError) -> str | None:
    return next((field for word, field in ERROR_FIELDS if word in error.message), None)


def _compose_page(
    request: Request,
    session: Session,
    principal: Principal,
    form: dict[str, Any],
    *,
    parent: MessageOut | None = None,
    error: PalermoError | None = None,
    files_dropped: bool = False,
    status_code: int = 200,
) -> Response:
    settings = request.app.state.settings
    return page(
        request,
        "exchange/compose.html",
        principal,
        form=form,
        parent=parent,
        picker=picker(recipients_directory(session, principal), form["recipients"], form["q"]),
        priorities=list(Priority),
        handling_codes=list(HandlingCode),
        tlps=list(Tlp),
        sources=SOURCES,
        information=INFORMATION,
        max_attachment_bytes=settings.max_attachment_bytes,
        max_attachments=messages.MAX_ATTACHMENTS,
        today=current_date().isoformat(),
        error=i18n.said(error) if error else None,
        error_details=error.details if error else None,
        error_field=_error_field(error) if error else None,
        files_dropped=files_dropped,
        status_code=status_code,
    )


@router.get("/messages/new", response_class=HTMLResponse)
def compose(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    reply_to: uuid.UUID | None = None,
    to: Annotated[list[str] | None, Query(max_length=32)] = None,
) -> Response:
    """A blank message, or a reply prefilled from the message it answers."""
    messages.require_exchange(principal)
    form = _blank_form()
    form["recipients"] = [c.upper() for c in to or []]
    parent = None
    if reply_to is not None:
        parent = reading.view(
            session, keyring_of(request), principal=principal, message_id=reply_to, now=utcnow()
        )
        mine = parent.sender == principal.agency_code
        form.update(
            recipients=parent.recipients if mine else [parent.sender],
            subject=parent.subject
            if parent.subject.lower().startswith("re:")
            else f"Re: {parent.subject}"[: messages.MAX_SUBJECT],
            handling_code=parent.handling_code,
            handling_note=parent.handling_note or "",
            tlp=parent.tlp,
            case_ref=parent.case_ref or "",
            in_reply_to=str(parent.id),
        )
    return _compose_page(request, session, principal, form, parent=parent)


def _read_uploads(uploads: Sequence[UploadFile], limit: int) -> list[Attachment]:
    files = []
    for upload in uploads:
        if not upload.filename:
            continue  # the empty file field of a form sent without attachments
        content = upload.file.read(limit + 1)
        if len(content) > limit:
            raise Invalid(
                N_("attachment %(filename)s is larger than the %(limit)s bytes accepted"),
                filename=repr(upload.filename),
                limit=limit,
            )
        media_type = upload.content_type or "application/octet-stream"
        files.append(Attachment(upload.filename, media_type, content))
    return files


def _evaluation(source: str, information: str) -> str | None:
    if not source and not information:
        return None
    if not source or not information:
        raise Invalid(
            N_(
                "the evaluation needs both the source's reliability (A, B, C, X) and the "
                "information's accuracy (1-4), or neither"
            )
        )
    return source + information


def _date(value: str, what: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(
            N_("the %(what)s %(value)s is not a date (YYYY-MM-DD)"), what=what, value=repr(value)
        ) from None


def _uuid(value: str) -> uuid.UUID | None:
    if not value.strip():
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise Invalid(N_("%(value)s is not a message id"), value=repr(value)) from None


@router.post("/messages/new", response_class=HTMLResponse)
def send_message(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    op: Annotated[str, Form(max_length=16)] = "send",
    recipients: Annotated[list[str] | None, Form()] = None,
    subject: Annotated[str, Form(max_length=messages.MAX_SUBJECT + 100)] = "",
    body: Annotated[str, Form(max_length=messages.MAX_BODY + 1000)] = "",
    priority: Annotated[str, Form(max_length=16)] = Priority.routine.value,
    handling_code: Annotated[str, Form(max_length=4)] = HandlingCode.H0.value,
    handling_note: Annotated[str, Form(max_length=2000)] = "",
    tlp: Annotated[str, Form(max_length=16)] = Tlp.amber.value,
    source: Annotated[str, Form(max_length=1)] = "",
    information: Annotated[str, Form(max_length=1)] = "",
    reply_by: Annotated[str, Form(max_length=10)] = "",
    case_ref: Annotated[str, Form(max_length=100)] = "",
    in_reply_to: Annotated[str, Form(max_length=36)] = "",
    q: Annotated[str, Form(max_length=100)] = "",
    attachments: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    """Send; or, for `op=filter` (the picker's search without JavaScript), show the form
    again with what was typed. A refused draft comes back with the error beside it."""
    messages.require_exchange(principal)
    form = {
        "recipients": [c for c in recipients or [] if c.strip()],
        "subject": subject,
        "body": body,
        "priority": priority,
        "handling_code": handling_code,
        "handling_note": handling_note,
        "tlp": tlp,
        "source": source,
        "information": information,
        "reply_by": reply_by,
        "case_ref": case_ref,
        "in_reply_to": in_reply_to,
        "q": q,
    }
    had_files = any(f.filename for f in attachments or [])
    if op == "filter":
        return _compose_page(request, session, principal, form, files_dropped=had_files)
    now = utcnow()
    try:
        draft = Draft.of(
            recipients=form["recipients"],
            subject=subject,
            body=body,
            attachments=_read_uploads(attachments or [], settings.max_attachment_bytes),
            priority=priority,
            handling_code=handling_code,
            handling_note=handling_note,
            tlp=tlp,
            evaluation=_evaluation(source, information),
            reply_by=_date(reply_by, "reply-by date"),
            case_ref=case_ref.strip() or None,
            in_reply_to=_uuid(in_reply_to),
            max_attachment_bytes=settings.max_attachment_bytes,
            today=now.date(),
        )
        message = messages.send(
            session, keyring_of(request), principal=principal, draft=draft, now=now
        )
    except PalermoError as error:
        # Validation and routing refuse before anything is written: the draft comes back.
        return _compose_page(
            request,
            session,
            principal,
            form,
            error=error,
            files_dropped=had_files,
            status_code=error.status_code,
        )
    return see_thread(message.thread_id, message.id)
