"""Hits: the agency's notifications (linked to the thread or record they are about) and
hit/no-hit queries to peer nodes, with a request for details to the owner of a hit."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from palermo.deps import PrincipalDep, SessionDep, SettingsDep
from palermo.errors import Invalid, PalermoError
from palermo.exchange import dissemination, hits
from palermo.exchange.deps import keyring_of, peer_client_of
from palermo.identity.principal import Principal
from palermo.models.base import utcnow
from palermo.notifications import repository as notifications
from palermo.notifications.kinds import link_of, said, title_of
from palermo.policy.records import AccessContext
from palermo.records.envelope import Purpose
from palermo.routing import APIRouter
from palermo.web import i18n
from palermo.web.exchange.common import (
    see_thread,
)
from palermo.web.templating import page, working_context

router = APIRouter(include_in_schema=False)


# Hits: notifications, and hit/no-hit queries to peer nodes ---------------------------
def notification_rows(
    session: Session,
    principal: Principal,
    filters: notifications.Filters | None = None,
    *,
    offset: int = 0,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """The agency's notifications, each with its kind's title and where it leads."""
    found = notifications.listing(
        session, principal, filters or notifications.Filters(), offset=offset, limit=limit
    )
    rows = []
    for n in found:
        href, target = link_of(n)
        rows.append(
            {"n": n, "title": title_of(n.kind), "said": said(n), "href": href, "target": target}
        )
    return rows


def _hits_page(
    request: Request,
    session: Session,
    principal: Principal,
    form: dict[str, str],
    *,
    answers: list[hits.PeerAnswer] | None = None,
    error: i18n.Said | None = None,
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
            request, session, principal, form, error=i18n.said(error), status_code=error.status_code
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
    return see_thread(asked.thread_id, asked.id)
