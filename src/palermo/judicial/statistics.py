"""Where cooperation is slow: response times per pair of countries. For the requests sent
from one state to another — how many, how many answered, refused, withdrawn, still open and
overdue — and the median days from sending to acknowledgement and to the final answer.
Figures only, never which requests: any worker of a central authority may see them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.identity.principal import Principal
from palermo.judicial import deadlines
from palermo.judicial.lifecycle import Status
from palermo.models.judicial import JudicialRequest
from palermo.policy import judicial as policy


@dataclass
class PairFigures:
    requesting: str
    requested: str
    sent: int = 0
    answered: int = 0
    refused: int = 0
    withdrawn: int = 0
    open: int = 0
    overdue: int = 0
    days_to_acknowledge: list[int] = field(default_factory=list)
    days_to_close: list[int] = field(default_factory=list)  # answered or refused

    @property
    def median_days_to_acknowledge(self) -> float | None:
        return float(median(self.days_to_acknowledge)) if self.days_to_acknowledge else None

    @property
    def median_days_to_close(self) -> float | None:
        return float(median(self.days_to_close)) if self.days_to_close else None


def response_times(session: Session, principal: Principal, *, today: date) -> list[PairFigures]:
    """Per (requesting, requested) pair of countries, the slowest first."""
    policy.may_work(principal)
    sent = list(
        session.scalars(select(JudicialRequest).where(JudicialRequest.sent_at.is_not(None)))
    )
    events = deadlines.events_of(session, [r.id for r in sent])
    kinds = deadlines.order_kinds(session, sent)
    pairs: dict[tuple[str, str], PairFigures] = {}
    for request in sent:
        key = (request.requesting_country, request.requested_country)
        figures = pairs.setdefault(key, PairFigures(*key))
        figures.sent += 1
        assert request.sent_at is not None
        start = request.sent_at.date()
        if request.acknowledged_at is not None:
            figures.days_to_acknowledge.append((request.acknowledged_at.date() - start).days)
        if request.status is Status.answered:
            figures.answered += 1
        elif request.status is Status.refused:
            figures.refused += 1
        elif request.status is Status.withdrawn:
            figures.withdrawn += 1
        else:
            figures.open += 1
            due = deadlines.deadlines(request, events[request.id], kinds.get(request.id))
            if any(d.overdue(today) for d in due):
                figures.overdue += 1
        if request.status in (Status.answered, Status.refused) and request.closed_at:
            figures.days_to_close.append((request.closed_at.date() - start).days)
    audit(
        session,
        action="judicial.statistics",
        operation=Operation.consultation,
        principal=principal,
        detail={"pairs": len(pairs)},
    )
    return sorted(
        pairs.values(),
        key=lambda f: (-(f.median_days_to_close or 0), f.requesting, f.requested),
    )
