"""The inbox and sent folders: unread in bold, H3 restrictions on the row, priorities and
overdue reply-by dates flagged; search, filters and paging."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.deps import PrincipalDep, SessionDep
from palermo.exchange import messages, reading
from palermo.exchange.deps import keyring_of
from palermo.exchange.messages import Priority, ReceiptKind
from palermo.identity.principal import Principal
from palermo.models.exchange import MessageReceipt
from palermo.routing import APIRouter
from palermo.web.exchange.common import (
    current_date,
)
from palermo.web.templating import page

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25


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
    today = current_date()
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
