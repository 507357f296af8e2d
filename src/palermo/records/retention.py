"""Storage limits (LED Art. 5, Interpol RPD Art. 50): reminders, reviews, blocking, erasure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.errors import Conflict, Forbidden, Invalid
from palermo.identity.principal import Principal
from palermo.identity.roles import Role
from palermo.models.records import Notification, Record
from palermo.notifications import texts
from palermo.policy.records import owned
from palermo.records.envelope import RecordStatus
from palermo.records.envelopes import add_months
from palermo.records.service import erase, new_version, owned_record
from palermo.settings import Settings
from palermo.translatable import N_, written


@dataclass
class RetentionReport:
    reminded: int = 0
    blocked: int = 0
    erased: int = 0


def run_retention(
    session: Session,
    *,
    principal: Principal,
    settings: Settings,
    today: date,
    now: datetime,
    erase_overdue: bool = False,
) -> RetentionReport:
    """Remind owners of reviews falling due; block (or erase) records past delete-by.

    Works on the records of the agencies the principal acts for (the node operator: all
    hosted agencies). Blocking is the default: the record leaves use but nothing is lost
    until its owner decides; `erase_overdue` erases instead.
    """
    report = RetentionReport()
    due_by = add_months(today, settings.review_reminder_months)
    reminders = session.scalars(
        select(Record).where(
            owned(principal),
            Record.status == RecordStatus.active,
            Record.review_due <= due_by,
            Record.review_notified_on.is_(None),
        )
    ).all()
    for record in reminders:
        session.add(
            Notification(
                agency_id=record.owner_agency_id,
                kind="record.review_due",
                record_id=record.id,
                message=written(
                    texts.REVIEW_DUE_ERASE if erase_overdue else texts.REVIEW_DUE_BLOCK,
                    record=record.id,
                    caption=record.caption,
                    review_due=format(record.review_due, "%Y-%m-%d"),
                    delete_by=format(record.delete_by, "%Y-%m-%d"),
                ),
            )
        )
        record.review_notified_on = today
        report.reminded += 1
    if reminders:
        audit(
            session,
            action="retention.remind",
            operation=Operation.administration,
            principal=principal,
            object_ids=[r.id for r in reminders],
        )
    overdue = session.scalars(
        select(Record).where(
            owned(principal),
            Record.status == RecordStatus.active,
            Record.delete_by < today,
        )
    ).all()
    for record in overdue:
        if erase_overdue:
            erase(
                session,
                record=record,
                principal=principal,
                reason=f"delete-by date {record.delete_by} passed without a review decision",
                now=now,
            )
            report.erased += 1
            continue
        session.execute(
            update(Record).where(Record.id == record.id).values(status=RecordStatus.blocked)
        )
        session.add(
            Notification(
                agency_id=record.owner_agency_id,
                kind="record.blocked",
                record_id=record.id,
                message=written(
                    texts.RECORD_BLOCKED,
                    record=record.id,
                    delete_by=format(record.delete_by, "%Y-%m-%d"),
                ),
            )
        )
        report.blocked += 1
    if overdue and not erase_overdue:
        audit(
            session,
            action="retention.block",
            operation=Operation.administration,
            principal=principal,
            object_ids=[r.id for r in overdue],
        )
    return report


def review_record(
    session: Session,
    *,
    principal: Principal,
    record_id: str,
    decision: str,
    reason: str,
    review_due: date | None,
    delete_by: date | None,
    settings: Settings,
    now: datetime,
) -> Record:
    """The owner's review decision: retain (with reasons, until a new date) or erase."""
    record = owned_record(session, principal, record_id)
    if not (principal.is_operator or principal.has_role(Role.supervisor, Role.agency_admin)):
        raise Forbidden(N_("review decisions are taken by a supervisor of the owner agency"))
    if not reason.strip():
        raise Invalid(N_("a review decision needs its reasons"))
    if decision == "erase":
        erase(session, record=record, principal=principal, reason=reason, now=now)
        return record
    if decision != "retain":
        raise Invalid(N_("a review decides to retain or to erase"))
    today = now.date()
    next_review = review_due or add_months(today, settings.review_after_months)
    if next_review <= today:
        raise Conflict(N_("the next review must lie in the future"))
    next_delete = delete_by or next_review
    if next_delete < next_review:
        raise Invalid(N_("delete_by must not come before review_due"))
    new_version(
        session,
        record,
        principal=principal,
        operation="review",
        change={
            "decision": "retain",
            "reason": reason.strip(),
            "review_due": next_review.isoformat(),
            "delete_by": next_delete.isoformat(),
        },
        now=now,
        status=RecordStatus.active,
        review_due=next_review,
        delete_by=next_delete,
        review_notified_on=None,
    )
    audit(
        session,
        action="record.review",
        operation=Operation.alteration,
        principal=principal,
        object_ids=[record.id],
        detail={"decision": "retain", "review_due": next_review.isoformat()},
    )
    session.expire(record)
    return record
