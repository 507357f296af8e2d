"""Exchange pages (SIENA / I-24/7 style): inbox and sent folders, compose, threads with
their receipts and delivery outcomes, further use of what was received (forward, consent,
evidence, details of a hit), hit notifications and hit/no-hit queries to peer nodes.

Every page works without JavaScript; HTMX only filters lists as the officer types.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import quote

import pycountry
from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.deps import PrincipalDep, SessionDep, SettingsDep
from palermo.errors import Invalid, PalermoError
from palermo.exchange import dissemination, hits, messages, reading
from palermo.exchange.deps import keyring_of, peer_client_of
from palermo.exchange.messages import Attachment, Draft, MessageKind, Priority, ReceiptKind
from palermo.exchange.schemas import MessageOut
from palermo.http import download_response
from palermo.identity import repository as directory
from palermo.identity.principal import Principal
from palermo.models.base import utcnow
from palermo.models.exchange import MessageReceipt
from palermo.models.records import Notification, Record
from palermo.policy.records import AccessContext
from palermo.records import repository as records_repository
from palermo.records.envelope import HandlingCode, Purpose, Tlp
from palermo.web.templating import page, templates, working_context

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25
RECEIPT_KINDS = tuple(k.value for k in ReceiptKind)
CONSENT_SCOPES = dissemination.SCOPES
# FIRST TLP 2.0, in its own words.
TLP_MEANING = {
    Tlp.clear: "Recipients can spread this to the world; there is no limit on disclosure.",
    Tlp.green: "Limited disclosure: recipients can spread this within their community.",
    Tlp.amber: "Limited disclosure: recipients can spread this on a need-to-know basis within "
    "their organisation and its clients.",
    Tlp.amber_strict: "Limited disclosure: recipients can spread this on a need-to-know basis "
    "within their organisation only.",
    Tlp.red: "For the eyes and ears of individual recipients only; no further disclosure.",
}
# The 4×4 evaluation of SIENA / Europol: the source's reliability, the information's accuracy.
# Badges imported without context read these as globals, as `handling_meaning` is.
templates.env.globals.setdefault("tlp_meaning", TLP_MEANING)
SOURCES = {
    "A": "A: no doubt about the source's authenticity, trustworthiness and competence, or a "
    "history of complete reliability",
    "B": "B: information from this source has in most instances proved reliable",
    "C": "C: information from this source has in most instances proved unreliable",
    "X": "X: the reliability of the source cannot be assessed",
}
INFORMATION = {
    "1": "1: no doubt about its accuracy",
    "2": "2: known personally to the source but not to the official passing it on",
    "3": "3: not known personally to the source but corroborated by recorded information",
    "4": "4: not known personally to the source and cannot be corroborated",
}
KIND_TITLES = {
    MessageKind.message.value: "Message",
    MessageKind.details_request.value: "Request for details",
    MessageKind.consent_request.value: "Consent request",
}
NOTIFICATION_TITLES = {
    "record.hit": "Hit on a record of yours",
    "record.details_requested": "Details requested",
    "message.received": "Message received",
    "message.consent": "Consent received",
}
MESSAGE_REF = re.compile(
    r"\[([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
    r"[0-9a-fA-F]{12})\]"
)
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


def _today() -> date:
    return utcnow().date()


def _see_thread(thread_id: uuid.UUID, message_id: uuid.UUID | None = None) -> Response:
    anchor = f"#m-{message_id}" if message_id else ""
    return RedirectResponse(f"/messages/threads/{thread_id}{anchor}", status_code=303)


# The directory of recipients ---------------------------------------------------------
@dataclass(frozen=True)
class Recipient:
    code: str
    name: str
    kind: str
    country: str
    node: str | None  # the peer node hosting it; None when hosted here

    @property
    def searchable(self) -> str:
        return " ".join(
            [self.code, self.name, self.kind, self.country, _country_name(self.country)]
            + ([self.node] if self.node else [])
        ).casefold()


@dataclass(frozen=True)
class CountryGroup:
    country: str
    label: str
    agencies: list[Recipient]


@dataclass(frozen=True)
class Picker:
    selected: list[Recipient]
    groups: list[CountryGroup]
    q: str
    total: int


def _country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return str(getattr(country, "common_name", None) or country.name) if country else code


def recipients_directory(session: Session, principal: Principal) -> list[Recipient]:
    """Every active agency this node knows, its own and its peers', except the sender's."""
    return [
        Recipient(
            code=a.code,
            name=a.name,
            kind=a.kind.value,
            country=a.country,
            node=None if a.node.is_local else a.node.code,
        )
        for a in directory.list_agencies(session)
        if a.active and a.id != principal.agency_id
    ]


def picker(agencies: Sequence[Recipient], selected: Sequence[str], q: str) -> Picker:
    """The agencies grouped by country; chosen ones first, the others filtered by `q`."""
    chosen = {c.strip().upper() for c in selected}
    needle = q.strip().casefold()
    groups: dict[str, list[Recipient]] = {}
    for agency in agencies:
        if agency.code not in chosen and (not needle or needle in agency.searchable):
            groups.setdefault(agency.country, []).append(agency)
    return Picker(
        selected=[a for a in agencies if a.code in chosen],
        groups=sorted(
            (CountryGroup(c, f"{_country_name(c)} ({c})", found) for c, found in groups.items()),
            key=lambda g: g.label,
        ),
        q=q,
        total=len(agencies),
    )


@router.get("/messages/recipients", response_class=HTMLResponse)
def recipient_options(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    q: Annotated[str, Query(max_length=100)] = "",
    recipients: Annotated[list[str] | None, Query()] = None,
) -> Response:
    """The picker's options, filtered as the officer types (HTMX)."""
    messages.require_exchange(principal)
    options = picker(recipients_directory(session, principal), recipients or [], q)
    return page(request, "exchange/_picker_options.html", principal, picker=options)


# Folders -----------------------------------------------------------------------------
@router.get("/messages", response_class=HTMLResponse)
def inbox(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    q: Annotated[str, Query(max_length=200)] = "",
    priority: Annotated[str, Query(max_length=16)] = "",
    unread: bool = False,
    case: Annotated[str, Query(max_length=64)] = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1,
) -> Response:
    return _folder(request, session, principal, "inbox", q, priority, unread, case, page_number)


@router.get("/messages/sent", response_class=HTMLResponse)
def sent(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    q: Annotated[str, Query(max_length=200)] = "",
    priority: Annotated[str, Query(max_length=16)] = "",
    case: Annotated[str, Query(max_length=64)] = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1,
) -> Response:
    return _folder(request, session, principal, "sent", q, priority, False, case, page_number)


def _folder(
    request: Request,
    session: Session,
    principal: Principal,
    folder: str,
    q: str,
    priority: str,
    unread: bool,
    case: str,
    page_number: int,
) -> Response:
    agency_id = messages.require_exchange(principal)
    priority = priority if priority in set(Priority) else ""
    found = reading.listing(
        session,
        keyring_of(request),
        principal=principal,
        folder=folder,
        text=q or None,
        priority=priority or None,
        case_ref=case.strip() or None,
        unread=unread,
        limit=PAGE_SIZE + 1,
        offset=(page_number - 1) * PAGE_SIZE,
    )
    items = found[:PAGE_SIZE]
    answered = _answered(session, [m.id for m in items], agency_id if folder == "inbox" else None)
    today = _today()
    rows = [
        {
            "m": m,
            "overdue": m.reply_by is not None and m.reply_by < today and m.id not in answered,
            "answered": m.id in answered,
        }
        for m in items
    ]
    filters = {"q": q, "priority": priority, "unread": unread, "case": case}
    template = (
        "exchange/_folder_results.html"
        if request.headers.get("hx-request")
        else "exchange/folder.html"
    )
    return page(
        request,
        template,
        principal,
        folder=folder,
        rows=rows,
        filters=filters,
        priorities=list(Priority),
        page_number=page_number,
        has_next=len(found) > PAGE_SIZE,
        query_of=lambda number: _folder_query(filters, number),
    )


def _folder_query(filters: dict[str, Any], number: int) -> str:
    parts = [f"{k}={quote(str(v))}" for k, v in filters.items() if v and k != "unread"]
    if filters.get("unread"):
        parts.append("unread=1")
    parts.append(f"page={number}")
    return "?" + "&".join(parts)


def _answered(
    session: Session, ids: Sequence[uuid.UUID], agency_id: uuid.UUID | None
) -> set[uuid.UUID]:
    """Messages answered (by this agency; or, for the sender, by any recipient)."""
    if not ids:
        return set()
    query = select(MessageReceipt.message_id).where(
        MessageReceipt.message_id.in_(list(ids)), MessageReceipt.kind == ReceiptKind.answered
    )
    if agency_id is not None:
        query = query.where(MessageReceipt.agency_id == agency_id)
    return set(session.scalars(query))


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
        today=_today().isoformat(),
        error=error.message if error else None,
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
                f"attachment {upload.filename!r} is larger than the {limit} bytes accepted"
            )
        media_type = upload.content_type or "application/octet-stream"
        files.append(Attachment(upload.filename, media_type, content))
    return files


def _evaluation(source: str, information: str) -> str | None:
    if not source and not information:
        return None
    if not source or not information:
        raise Invalid(
            "the evaluation needs both the source's reliability (A, B, C, X) and the "
            "information's accuracy (1-4), or neither"
        )
    return source + information


def _date(value: str, what: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(f"the {what} {value!r} is not a date (YYYY-MM-DD)") from None


def _uuid(value: str) -> uuid.UUID | None:
    if not value.strip():
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise Invalid(f"{value!r} is not a message id") from None


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
    return _see_thread(message.thread_id, message.id)


# Threads -----------------------------------------------------------------------------
@dataclass
class ActionState:
    """What an officer typed in one of a message's action forms, and why it was refused."""

    action: str  # forward, consent_request, consent, approve
    values: dict[str, Any]
    error: str | None = None


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
    today = _today()
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
    state.error = error.message
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
    return reading.held(session, agency_id, message_id).thread_id


@router.get("/messages/m/{message_id}")
def message_link(message_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> Response:
    """A message by its id (as notifications quote it): its place in its thread."""
    return _see_thread(_held(session, principal, message_id), message_id)


@router.post("/messages/{message_id}/acknowledge")
def acknowledge(
    request: Request, message_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Response:
    thread_id = _held(session, principal, message_id)
    reading.acknowledge(
        session, keyring_of(request), principal=principal, message_id=message_id, now=utcnow()
    )
    return _see_thread(thread_id, message_id)


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
    return _see_thread(sent_message.thread_id, sent_message.id)


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
    return _see_thread(asked.thread_id, asked.id)


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
    return _see_thread(thread_id, message_id)


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
    return _see_thread(answer.thread_id, answer.id)


# Hits: notifications, and hit/no-hit queries to peer nodes ---------------------------
def notification_rows(session: Session, principal: Principal) -> list[dict[str, Any]]:
    rows = []
    for n in records_repository.notifications_for(session, principal=principal):
        rows.append({"n": n, "title": NOTIFICATION_TITLES.get(n.kind, n.kind), **_link_of(n)})
    return rows


def _link_of(notification: Notification) -> dict[str, str | None]:
    """Where a notification leads: the thread of the message it quotes, or the record."""
    found = MESSAGE_REF.search(notification.message)
    if found:
        return {"href": f"/messages/m/{found.group(1).lower()}", "target": "thread"}
    if notification.record_id:
        return {"href": f"/records/{notification.record_id}", "target": "record"}
    return {"href": None, "target": None}


def _hits_page(
    request: Request,
    session: Session,
    principal: Principal,
    form: dict[str, str],
    *,
    answers: list[hits.PeerAnswer] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return page(
        request,
        "exchange/hits.html",
        principal,
        form=form,
        answers=answers,
        error=error,
        purposes=list(Purpose),
        notifications=notification_rows(session, principal),
        status_code=status_code,
    )


@router.get("/messages/hits", response_class=HTMLResponse)
def hits_page(request: Request, session: SessionDep, principal: PrincipalDep) -> Response:
    context = working_context(request)
    form = {
        "name": "",
        "birth_date": "",
        "document": "",
        "nationality": "",
        "purpose": context.purpose.value if context else "",
        "justification": context.justification if context else "",
    }
    return _hits_page(request, session, principal, form)


@router.post("/messages/hits", response_class=HTMLResponse)
def ask_peers(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    name: Annotated[str, Form(max_length=300)] = "",
    birth_date: Annotated[str, Form(max_length=10)] = "",
    document: Annotated[str, Form(max_length=64)] = "",
    nationality: Annotated[str, Form(max_length=64)] = "",
    purpose: Annotated[str, Form(max_length=64)] = "",
    justification: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Ask every peer node at once whether it holds the person or document: hit (its
    references and owner agencies), no hit, unreachable, or refused with the peer's reason."""
    form = {
        "name": name,
        "birth_date": birth_date,
        "document": document,
        "nationality": nationality,
        "purpose": purpose,
        "justification": justification,
    }
    try:
        if not name.strip() and not document.strip():
            raise Invalid("give a name or a document number to ask about")
        context = AccessContext.of(purpose, justification)
        answers = hits.ask_peers(
            session,
            keyring_of(request),
            peer_client_of(request),
            principal=principal,
            context=context,
            query={
                "name": name.strip(),
                "schema": "Person",
                "birth_date": birth_date.strip(),
                "nationality": nationality.strip(),
                "document": document.strip(),
            },
            now=utcnow(),
        )
    except PalermoError as error:
        return _hits_page(
            request, session, principal, form, error=error.message, status_code=error.status_code
        )
    return _hits_page(request, session, principal, form, answers=answers)


@router.post("/messages/hits/request-details")
def request_details(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    reference: Annotated[str, Form(max_length=128)],
    owner_agency: Annotated[str, Form(max_length=32)],
    purpose: Annotated[str, Form(max_length=64)],
    justification: Annotated[str, Form(max_length=500)],
) -> Response:
    """Ask a hit's owner agency for the record (a details request message); it decides."""
    asked = dissemination.request_details(
        session,
        keyring_of(request),
        principal=principal,
        reference=reference,
        owner_agency=owner_agency,
        context=AccessContext.of(purpose, justification),
        max_attachment_bytes=settings.max_attachment_bytes,
        now=utcnow(),
    )
    return _see_thread(asked.thread_id, asked.id)
