"""Notifications over HTTP: the list, the unread count (and its live stream), marking read,
and the agency's webhook."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, Request, status
from fastapi.responses import Response, StreamingResponse

from palermo.deps import OffsetQuery, PrincipalDep, SessionDep, SettingsDep
from palermo.errors import Forbidden, Invalid, NotFound, Unauthorized, error_responses
from palermo.identity.principal import Principal
from palermo.models.base import utcnow
from palermo.notifications import repository, service, stream
from palermo.notifications.schemas import (
    DeliveryOut,
    MarkedOut,
    NotificationOut,
    UnreadOut,
    WebhookIn,
    WebhookIssued,
    WebhookOut,
)
from palermo.routing import APIRouter
from palermo.web import i18n

router = APIRouter(prefix="/api/notifications", tags=["notifications"])
COMMON = error_responses(Unauthorized, Invalid)
ADMIN = COMMON | error_responses(Forbidden, NotFound)


def _quiet_principal(request: Request, session: SessionDep, settings: SettingsDep) -> Principal:
    return stream.quiet_principal(session, settings, stream.credential_of(request))


# Asking for news is not the session's activity (see `stream.quiet_principal`).
QuietPrincipalDep = Annotated[Principal, Depends(_quiet_principal)]
AgencyQuery = Annotated[
    str | None, Query(max_length=32, description="the agency; yours if not given")
]


def _agency(principal: Principal, agency: str | None) -> str:
    code = agency or principal.agency_code
    if not code:
        raise Invalid("name the agency (?agency=CODE)")
    return code


@router.get("", response_model=list[NotificationOut], responses=COMMON)
def notifications(
    session: SessionDep,
    principal: PrincipalDep,
    kind: Annotated[str | None, Query(max_length=64)] = None,
    unread: bool = False,
    offset: OffsetQuery = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[NotificationOut]:
    """What the caller's agency must know, newest first: hits on its records and notices,
    receipts of its messages, expiring orders and authorisations, reviews due, corrections
    and erasures of records it received…"""
    filters = repository.Filters(kind=kind, unread_only=unread)
    found = repository.listing(session, principal, filters, offset=offset, limit=limit)
    return [NotificationOut.model_validate(n) for n in found]


@router.get("/unread", response_model=UnreadOut, responses=COMMON)
def unread(request: Request, session: SessionDep, principal: QuietPrincipalDep) -> UnreadOut:
    """How many notifications of the caller's agency are unread, and the newest one's id.
    Polling this does not keep a browser session from going idle."""
    with i18n.speaking(i18n.language_of(request)):
        document = stream.unread_document(repository.unread(session, principal))
    return UnreadOut.model_validate(document)


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses=COMMON | {200: {"content": {"text/event-stream": {}}}},
)
def unread_stream(
    request: Request, settings: SettingsDep, principal: QuietPrincipalDep
) -> StreamingResponse:
    """Server-sent events: `unread` (the same document as `/unread`) when the stream opens
    and whenever it changes; `end` when the caller's session or token is no longer valid.
    The stream ends after a while and the client reconnects (`retry:`)."""
    events = stream.events(
        request, request.app.state.session_factory, settings, i18n.language_of(request)
    )
    return StreamingResponse(
        events, media_type="text/event-stream", headers={"X-Accel-Buffering": "no"}
    )


@router.post("/read-all", response_model=MarkedOut, responses=COMMON)
def read_all(
    session: SessionDep,
    principal: PrincipalDep,
    kind: Annotated[str | None, Query(max_length=64)] = None,
) -> MarkedOut:
    """Mark every unread notification of the caller's agency read (of one kind, if given):
    for everyone of the agency, as notifications are the agency's."""
    marked = service.mark_all_read(session, principal=principal, now=utcnow(), kind=kind)
    return MarkedOut(marked=marked, unread=repository.unread(session, principal).count)


@router.post(
    "/{notification_id}/read",
    response_model=MarkedOut,
    responses=COMMON | error_responses(NotFound),
)
def read_one(notification_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> MarkedOut:
    """Mark one notification of the caller's agency read; another agency's is not found."""
    marked = service.mark_read(
        session, principal=principal, notification_id=notification_id, now=utcnow()
    )
    return MarkedOut(marked=int(marked), unread=repository.unread(session, principal).count)


@router.get("/webhook", response_model=WebhookOut, responses=ADMIN)
def webhook(session: SessionDep, principal: PrincipalDep, agency: AgencyQuery = None) -> WebhookOut:
    """The agency's webhook (its administrator only)."""
    hook = service.webhook_of(session, principal=principal, agency_code=_agency(principal, agency))
    return WebhookOut.model_validate(hook)


@router.put("/webhook", response_model=WebhookIssued, responses=ADMIN)
def set_webhook(
    body: WebhookIn,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    agency: AgencyQuery = None,
) -> WebhookIssued:
    """Register or replace the agency's webhook. The answer carries the new shared secret,
    once: every delivery is signed `Palermo-Signature: sha256=<HMAC-SHA256 of the body>`."""
    issued = service.set_webhook(
        session,
        principal=principal,
        settings=settings,
        agency_code=_agency(principal, agency),
        url=body.url,
        now=utcnow(),
    )
    return WebhookIssued(
        url=issued.webhook.url,
        created_by=issued.webhook.created_by,
        created_at=issued.webhook.created_at,
        secret=issued.secret,
    )


@router.delete("/webhook", status_code=status.HTTP_204_NO_CONTENT, responses=ADMIN)
def remove_webhook(
    session: SessionDep, principal: PrincipalDep, agency: AgencyQuery = None
) -> Response:
    """Stop pushing the agency's notifications."""
    service.remove_webhook(session, principal=principal, agency_code=_agency(principal, agency))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/webhook/deliveries", response_model=list[DeliveryOut], responses=ADMIN)
def deliveries(
    session: SessionDep,
    principal: PrincipalDep,
    agency: AgencyQuery = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> list[DeliveryOut]:
    """The agency's latest webhook deliveries and their outcome: delivered, pending (with
    the last error) or failed (why)."""
    found = service.deliveries(
        session, principal=principal, agency_code=_agency(principal, agency), limit=limit
    )
    return [
        DeliveryOut(
            notification_id=d.notification_id,
            kind=kind,
            status=d.status,
            attempts=d.attempts,
            last_error=d.last_error,
            created_at=d.created_at,
            finished_at=d.finished_at,
        )
        for d, kind in found
    ]
