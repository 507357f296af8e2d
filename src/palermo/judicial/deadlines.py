"""The time a request has: what the requesting state asked for (`requested_by`) and the time
limits its legal basis gives the requested state — to acknowledge, to decide, to execute —
counted from the day it was sent. The daily sweep reminds the authority that must act as a
limit nears, and escalates once it has passed, each once."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.identity.principal import Principal
from palermo.judicial.lifecycle import OPEN, Status
from palermo.judicial.treaties import RequestType, packaged
from palermo.models.assets import AssetOrder
from palermo.models.judicial import JudicialRequest, RequestEvent
from palermo.models.records import Notification
from palermo.models.tasks import Task
from palermo.notifications import texts
from palermo.tasks import open_task
from palermo.translatable import N_, written

REMINDER = "request_reminder"
OVERDUE = "request_overdue"
DECIDED = frozenset({Status.assigned, Status.in_execution, Status.answered, Status.refused})


class Milestone(enum.StrEnum):
    acknowledge = "acknowledge"
    decide = "decide"
    execute = "execute"
    requested = "requested"  # the date the requesting state asked the answer by


MILESTONE_TITLES = {
    Milestone.acknowledge: N_("acknowledge it"),
    Milestone.decide: N_("decide on it"),
    Milestone.execute: N_("execute it"),
    Milestone.requested: N_("answer it by the date asked"),
}


@dataclass(frozen=True)
class Deadline:
    milestone: Milestone
    due_on: date
    met_on: date | None
    basis: str  # where the limit comes from

    def overdue(self, today: date) -> bool:
        return self.met_on is None and self.due_on < today


def deadlines(
    request: JudicialRequest, events: Sequence[RequestEvent], order_kind: str | None = None
) -> list[Deadline]:
    """The request's deadlines, soonest first, each with the day it was met (a request
    withdrawn or closed meets them all: nothing more is owed). `order_kind` is the kind of
    the order a recognition request is about: some limits are for some kinds only."""
    if request.sent_at is None:
        return []
    sent = request.sent_at.date()
    closed = request.closed_at.date() if request.closed_at else None
    decided = next(
        (e.at.date() for e in events if e.to_status in DECIDED and e.from_status != e.to_status),
        None,
    )
    acknowledged = request.acknowledged_at.date() if request.acknowledged_at else None
    found: list[Deadline] = []
    treaty = packaged().treaties.get(request.treaty)
    limits = treaty.deadlines.get(RequestType(request.kind.value)) if treaty else None
    if limits is not None and limits.orders is not None and order_kind not in limits.orders:
        limits = None
    if limits is not None:
        basis = f"{request.treaty} {limits.articles}".strip()
        for milestone, days, met in (
            (Milestone.acknowledge, limits.acknowledge_days, acknowledged),
            (Milestone.decide, limits.decide_days, decided),
            (Milestone.execute, limits.execute_days, closed),
        ):
            if days is not None:
                found.append(Deadline(milestone, sent + timedelta(days=days), met or closed, basis))
    if request.requested_by is not None:
        found.append(
            Deadline(Milestone.requested, request.requested_by, closed, "asked by the requester")
        )
    return sorted(found, key=lambda d: (d.due_on, d.milestone.value))


def next_due(found: Sequence[Deadline]) -> Deadline | None:
    return next((d for d in found if d.met_on is None), None)


def order_kinds(session: Session, found: Sequence[JudicialRequest]) -> dict[object, str]:
    """The kind of the order each recognition request is about, by request id."""
    wanted = {r.asset_order_id: r.id for r in found if r.asset_order_id is not None}
    if not wanted:
        return {}
    rows = session.execute(
        select(AssetOrder.id, AssetOrder.kind).where(AssetOrder.id.in_(list(wanted)))
    )
    return {wanted[order_id]: str(kind) for order_id, kind in rows}


def events_of(session: Session, ids: list[object]) -> dict[object, list[RequestEvent]]:
    """The timelines of several requests at once (what their deadlines are met by)."""
    grouped: dict[object, list[RequestEvent]] = {i: [] for i in ids}
    for event in session.scalars(
        select(RequestEvent)
        .where(RequestEvent.request_id.in_(ids))
        .order_by(RequestEvent.at, RequestEvent.id)
    ):
        grouped[event.request_id].append(event)
    return grouped


def sweep(session: Session, *, principal: Principal, reminder_days: int, now: datetime) -> int:
    """For every open request: a reminder to the authority that must act when a deadline is
    within `reminder_days`, an escalation to both central authorities once it has passed;
    each once per request and deadline. Returns how many were set."""
    today = now.date()
    open_requests = list(
        session.scalars(select(JudicialRequest).where(JudicialRequest.status.in_(OPEN)))
    )
    events = events_of(session, [r.id for r in open_requests])
    kinds = order_kinds(session, open_requests)
    set_before = {
        (kind, subject)
        for kind, subject in session.execute(
            select(Task.kind, Task.subject_id).where(Task.kind.in_([REMINDER, OVERDUE]))
        )
    }
    count = 0
    for request in open_requests:
        for deadline in deadlines(request, events[request.id], kinds.get(request.id)):
            if deadline.met_on is not None:
                continue
            overdue = deadline.due_on < today
            if not overdue and (deadline.due_on - today).days > reminder_days:
                continue
            kind = OVERDUE if overdue else REMINDER
            subject = f"{request.id}/{deadline.milestone.value}"
            if (kind, subject) in set_before:
                continue
            _warn(session, request, deadline, kind, subject, now)
            count += 1
    audit(
        session,
        action="judicial.sweep",
        operation=Operation.administration,
        principal=principal,
        object_ids=[r.id for r in open_requests],
        detail={"reminder_days": reminder_days, "warnings": count},
    )
    return count


def _warn(
    session: Session,
    request: JudicialRequest,
    deadline: Deadline,
    kind: str,
    subject: str,
    now: datetime,
) -> None:
    overdue = kind == OVERDUE
    message = written(
        texts.REQUEST_OVERDUE if overdue else texts.REQUEST_DUE,
        reference=request.reference,
        milestone=MILESTONE_TITLES[deadline.milestone],
        due_on=deadline.due_on,
        basis=deadline.basis,
    )
    # An overdue step concerns the requesting agency too: it may chase or withdraw.
    told = [request.requested_agency_id]
    if overdue:
        told.append(request.requesting_agency_id)
    if request.executing_agency_id and deadline.milestone in (
        Milestone.execute,
        Milestone.requested,
    ):
        told.append(request.executing_agency_id)
    open_task(
        session,
        agency_id=request.requested_agency_id,
        kind=kind,
        title=message,
        link=f"/judicial/{request.id}",
        subject_id=subject,
        due_at=datetime.combine(deadline.due_on, time.max, tzinfo=UTC),
        now=now,
    )
    for agency_id in dict.fromkeys(told):
        session.add(Notification(agency_id=agency_id, kind=kind, message=message, created_at=now))
