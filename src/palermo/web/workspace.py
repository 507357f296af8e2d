"""Workspace pages for intelligence: the working context, records, notifications, audit."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from palermo.audit import tree
from palermo.audit.reading import read_events
from palermo.deps import PrincipalDep, SessionDep
from palermo.errors import NotFound, PalermoError
from palermo.identity.principal import Principal
from palermo.models.base import utcnow
from palermo.models.records import Record, RecordLink
from palermo.notifications import repository as notification_reading
from palermo.notifications import service as notification_service
from palermo.notifications.kinds import title_of
from palermo.policy.administration import may_administer_agency
from palermo.policy.records import AccessContext, Effect, decide
from palermo.records import service
from palermo.records.envelope import Purpose
from palermo.records.schemas import HitOut
from palermo.routing import APIRouter
from palermo.web import i18n
from palermo.web.exchange import notification_rows
from palermo.web.pages import safe_next
from palermo.web.templating import page, working_context

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25


def context_or_redirect(request: Request) -> AccessContext | Response:
    """The declared working context, or a redirect to declare it first."""
    context = working_context(request)
    if context is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/context?" + urlencode({"next": target}, safe="/"), 303)
    return context


@router.get("/context", response_class=HTMLResponse)
def context_form(request: Request, principal: PrincipalDep, next: str = "/records") -> Response:
    return page(request, "context.html", principal, purposes=list(Purpose), next=safe_next(next))


@router.post("/context", response_class=HTMLResponse)
def set_context(
    request: Request,
    principal: PrincipalDep,
    purpose: Annotated[str, Form(max_length=64)],
    justification: Annotated[str, Form(max_length=500)],
    next: Annotated[str, Form(max_length=500)] = "/records",
) -> Response:
    try:
        chosen = AccessContext.of(purpose, justification)
    except PalermoError as error:
        return page(
            request,
            "context.html",
            principal,
            purposes=list(Purpose),
            next=safe_next(next),
            error=i18n.said(error),
            status_code=error.status_code,
        )
    web_session = request.state.web_session
    web_session.purpose = chosen.purpose.value
    web_session.justification = chosen.justification
    return RedirectResponse(safe_next(next), status_code=303)


@router.get("/records", response_class=HTMLResponse)
def records(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    schema: Annotated[str | None, Query(max_length=64)] = None,
    prop: Annotated[str | None, Query(max_length=64)] = None,
    value: Annotated[str | None, Query(max_length=500)] = None,
    page_number: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1,
) -> Response:
    """Search: nothing is consulted until the officer asks, under the declared context."""
    context = context_or_redirect(request)
    if isinstance(context, Response):
        return context
    result = error = None
    if q or (prop and value):
        try:
            result = service.search_records(
                session,
                principal=principal,
                context=context,
                text=q or None,
                prop=prop or None,
                value=value or None,
                schema=schema or None,
                limit=PAGE_SIZE,
                offset=(page_number - 1) * PAGE_SIZE,
                now=utcnow(),
            )
        except PalermoError as failure:
            error = i18n.said(failure)
    template = "records_results.html" if request.headers.get("hx-request") else "records.html"
    return page(
        request,
        template,
        principal,
        result=result,
        error=error,
        q=q or "",
        schema=schema or "",
        prop=prop or "",
        value=value or "",
        page_number=page_number,
        page_size=PAGE_SIZE,
    )


@router.get("/records/{record_id}", response_class=HTMLResponse)
def record_page(
    request: Request, record_id: str, session: SessionDep, principal: PrincipalDep
) -> Response:
    context = context_or_redirect(request)
    if isinstance(context, Response):
        return context
    view = service.read_record(
        session, principal=principal, context=context, record_id=record_id, now=utcnow()
    )
    if isinstance(view, HitOut):
        return page(request, "record_hit.html", principal, hit=view)
    return page(
        request,
        "record.html",
        principal,
        record=view,
        links=_links(session, principal, context, record_id),
        owner=view.envelope.owner_agency == principal.agency_code,
    )


def _links(
    session: SessionDep, principal: Principal, context: AccessContext, record_id: str
) -> list[dict[str, str]]:
    """Neighbours of the record that the principal may know of, with their access level."""
    rows = session.execute(
        select(RecordLink.prop, RecordLink.target_id).where(RecordLink.source_id == record_id)
    ).all()
    incoming = session.execute(
        select(RecordLink.prop, RecordLink.source_id).where(RecordLink.target_id == record_id)
    ).all()
    links = []
    now = utcnow()
    for direction, found in (("out", rows), ("in", incoming)):
        for prop, other in found:
            decision = decide(session, principal, other, context.purpose, now=now)
            if decision.effect is Effect.deny:
                continue
            caption = other
            if decision.effect is Effect.allow:
                caption = session.scalar(select(Record.caption).where(Record.id == other)) or other
            links.append(
                {
                    "direction": direction,
                    "prop": prop,
                    "id": other,
                    "caption": caption,
                    "access": decision.effect.value,
                }
            )
    return links


@router.get("/records/{record_id}/history", response_class=HTMLResponse)
def history_page(
    request: Request, record_id: str, session: SessionDep, principal: PrincipalDep
) -> Response:
    context = context_or_redirect(request)
    if isinstance(context, Response):
        return context
    versions = service.record_history(
        session, principal=principal, context=context, record_id=record_id, now=utcnow()
    )
    return page(request, "record_history.html", principal, record_id=record_id, versions=versions)


def _notification_filters(
    kind: str | None, unread: str | None, notification_id: str | None
) -> notification_reading.Filters:
    try:
        wanted = uuid.UUID(notification_id) if notification_id else None
    except ValueError:
        wanted = None
    return notification_reading.Filters(
        kind=kind or None, unread_only=unread == "1", notification_id=wanted
    )


@router.get("/notifications", response_class=HTMLResponse)
def notifications(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    kind: Annotated[str | None, Query(max_length=64)] = None,
    unread: Annotated[str | None, Query(max_length=1)] = None,
    notification_id: Annotated[str | None, Query(alias="id", max_length=36)] = None,
    page_number: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1,
) -> Response:
    """The agency's notifications: unread first marked, filtered by kind, paged; the
    webhook's latest deliveries for the agency's administrator."""
    filters = _notification_filters(kind, unread, notification_id)
    rows = notification_rows(
        session, principal, filters, offset=(page_number - 1) * PAGE_SIZE, limit=PAGE_SIZE + 1
    )
    administers = principal.agency_id is not None and may_administer_agency(
        principal, principal.agency_id
    )
    webhook = deliveries = None
    if administers and principal.agency_id and principal.agency_code:
        webhook = notification_reading.webhook(session, principal.agency_id)
        deliveries = [
            (delivery, title_of(kind))
            for delivery, kind in notification_service.deliveries(
                session, principal=principal, agency_code=principal.agency_code, limit=10
            )
        ]
    return page(
        request,
        "notifications.html",
        principal,
        notifications=rows[:PAGE_SIZE],
        has_next=len(rows) > PAGE_SIZE,
        page_number=page_number,
        filters=filters,
        kinds=[(k, title_of(k)) for k in notification_reading.kinds(session, principal)],
        unread=notification_reading.unread(session, principal),
        administers=administers,
        webhook=webhook,
        deliveries=deliveries,
    )


@router.post("/notifications")
def mark_notifications_read(
    session: SessionDep,
    principal: PrincipalDep,
    read: Annotated[str | None, Form(max_length=36)] = None,
    everything: Annotated[str | None, Form(alias="all", max_length=1)] = None,
    kind: Annotated[str | None, Form(max_length=64)] = None,
    unread: Annotated[str | None, Form(max_length=1)] = None,
    page_number: Annotated[int, Form(alias="page", ge=1, le=10_000)] = 1,
) -> Response:
    """Mark one notification (`read`=its id) or all (`all`=1, of the filtered kind) read,
    then show the list again as it was filtered."""
    now = utcnow()
    if everything == "1":
        notification_service.mark_all_read(session, principal=principal, now=now, kind=kind)
    elif read:
        try:
            wanted = uuid.UUID(read)
        except ValueError:
            raise NotFound(f"no notification {read}") from None
        notification_service.mark_read(
            session, principal=principal, notification_id=wanted, now=now
        )
    query = {"kind": kind or "", "unread": unread or "", "page": str(page_number)}
    shown = urlencode({k: v for k, v in query.items() if v})
    return RedirectResponse(f"/notifications?{shown}", status_code=303)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    action: Annotated[str | None, Query(max_length=64)] = None,
    actor: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    events = read_events(
        session, principal=principal, action=action or None, actor=actor or None, limit=200
    )
    head = tree.sign_head(session, request.app.state.node_key, now=utcnow())
    return page(
        request,
        "audit.html",
        principal,
        events=events,
        head=head,
        action=action or "",
        actor=actor or "",
    )
