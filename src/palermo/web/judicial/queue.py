"""The queue: the requests made of the reader's agency (as the requested central authority,
or given it to execute) and, for a central authority, those it makes — filtered by status
and kind, searched, the newest first, each with the deadline it must meet next."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.deps import PrincipalDep, SessionDep
from palermo.identity.principal import Principal
from palermo.judicial import deadlines, views
from palermo.judicial.deadlines import Deadline
from palermo.judicial.lifecycle import OPEN, RequestKind, Status
from palermo.judicial.request_schemas import Direction, RequestSummaryOut
from palermo.models.base import utcnow
from palermo.models.judicial import JudicialRequest
from palermo.policy import judicial as policy
from palermo.routing import APIRouter
from palermo.translatable import N_
from palermo.web.judicial.views import central_authority, render

router = APIRouter(include_in_schema=False)

BOXES = {"incoming": N_("Incoming"), "outgoing": N_("Outgoing"), "all": N_("All")}


def due(
    session: Session, principal: Principal, rows: Sequence[RequestSummaryOut], today: date
) -> dict[uuid.UUID, tuple[Deadline, bool]]:
    """The next deadline of each open request listed, and whether it has passed."""
    ids: list[object] = [r.id for r in rows if r.status in OPEN]
    if not ids:
        return {}
    found = list(
        session.scalars(
            select(JudicialRequest).where(JudicialRequest.id.in_(ids), policy.visible(principal))
        )
    )
    timelines = deadlines.events_of(session, ids)
    kinds = deadlines.order_kinds(session, found)
    flagged = {}
    for request in found:
        owed = deadlines.deadlines(request, timelines[request.id], kinds.get(request.id))
        upcoming = deadlines.next_due(owed)
        if upcoming is not None:
            flagged[request.id] = (upcoming, any(d.overdue(today) for d in owed))
    return flagged


@router.get("/judicial", response_class=HTMLResponse)
def queue_page(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    box: Annotated[str, Query(max_length=16)] = "incoming",
    status: Annotated[str, Query(max_length=16)] = "",
    kind: Annotated[str, Query(max_length=16)] = "",
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """The requests of my agency, incoming or outgoing, the newest first; an authority that
    is no central authority sees those it executes."""
    policy.may_work(principal)
    central = central_authority(session, principal) is not None
    box = box if central and box in BOXES else "incoming"
    chosen_status = Status(status) if status in Status.__members__ else None
    chosen_kind = RequestKind(kind) if kind in RequestKind.__members__ else None
    rows = views.listing(
        session,
        principal,
        direction=None if box == "all" else Direction(box),
        status=chosen_status,
        kind=chosen_kind,
        q=q.strip() or None,
    )
    hx = request.headers.get("hx-request") and not request.headers.get("hx-history-restore-request")
    return render(
        request,
        session,
        "judicial/_queue.html" if hx else "judicial/queue.html",
        principal,
        rows=rows,
        due=due(session, principal, rows, utcnow().date()),
        boxes=BOXES if central else {},
        filters={
            "box": box,
            "status": chosen_status.value if chosen_status else "",
            "kind": chosen_kind.value if chosen_kind else "",
            "q": q,
        },
        statuses=list(Status),
        kinds=list(RequestKind),
        limit=views.PAGE,
    )
