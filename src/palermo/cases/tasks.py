"""A case's tasks: set by a member for a member agency (or one of its people), due on a day,
and closed with a result that may point at the records it produced. Each task also sits in
the assignee agency's own task list until it is closed."""

from __future__ import annotations

import uuid
from collections.abc import Hashable, Sequence
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.cases.membership import agency_named, current_member
from palermo.cases.timeline import TASK_SET, TASK_STATUS, TASK_STATUS_RESULT, changed
from palermo.cases.vocabulary import CONTRIBUTING, TASK_STEPS, TaskStatus
from palermo.db import next_number
from palermo.errors import Forbidden, Invalid, NotFound
from palermo.identity.principal import Principal
from palermo.models.cases import Case, CaseTask
from palermo.models.identity import User
from palermo.policy import cases as policy
from palermo.tasks import close_tasks, open_task
from palermo.translatable import N_, written

TASK_KIND = "case_task"


def set_task(
    session: Session,
    *,
    principal: Principal,
    case: Case,
    title: str,
    description: str,
    agency_code: str,
    assignee: str | None,
    due_on: date | None,
    now: datetime,
) -> CaseTask:
    """A task for a contributing member agency, optionally for one of its people."""
    member = policy.contributor(session, principal, case)
    agency = agency_named(session, agency_code)
    target = current_member(session, case, agency)
    if target is None or target.role not in CONTRIBUTING:
        raise Invalid(
            N_(
                "%(code)s is not a contributing member of %(reference)s: tasks go to the "
                "lead or a participant"
            ),
            code=agency.code,
            reference=case.reference,
        )
    person = _assignee(session, assignee, agency.id)
    if due_on is not None and due_on < case.opened_on:
        raise Invalid(
            N_("due_on %(due_on)s is before the case was opened (%(opened_on)s)"),
            due_on=due_on,
            opened_on=case.opened_on,
        )
    number = next_number(session, f"task:{case.id}", numbered=lambda: 0)
    task = CaseTask(
        case_id=case.id,
        number=number,
        title=title,
        description=description,
        agency_id=agency.id,
        assignee_id=person.id if person else None,
        due_on=due_on,
        status=TaskStatus.open,
        result_record_ids=[],
        set_by_agency_id=member.agency_id,
        created_at=now,
    )
    session.add(task)
    session.flush()
    open_task(
        session,
        agency_id=agency.id,
        kind=TASK_KIND,
        title=f"{case.reference} #{number}: {title}",
        link=f"/cases/{case.id}#task-{number}",
        subject_id=str(task.id),
        due_at=datetime.combine(due_on, time.max, tzinfo=UTC) if due_on else None,
        now=now,
    )
    changed(
        session,
        case,
        principal=principal,
        agency_id=member.agency_id,
        action="cases.task",
        summary=written(TASK_SET, number=number, agency=agency.code, title=title),
        now=now,
        object_ids=[task.id],
    )
    return task


def _assignee(session: Session, username: str | None, agency_id: uuid.UUID) -> User | None:
    if not username:
        return None
    user = session.scalar(select(User).where(User.username == username))
    if user is None or user.agency_id != agency_id:
        raise Invalid(
            N_("%(username)s is not a user of the agency the task is for"), username=repr(username)
        )
    return user


def task_of(session: Session, case: Case, number: int) -> CaseTask:
    task = session.scalar(
        select(CaseTask).where(CaseTask.case_id == case.id, CaseTask.number == number)
    )
    if task is None:
        raise NotFound(
            N_("no task #%(number)s in %(reference)s"), number=number, reference=case.reference
        )
    return task


def update_task(
    session: Session,
    *,
    principal: Principal,
    case: Case,
    number: int,
    status: TaskStatus,
    result: str | None,
    result_records: Sequence[str],
    now: datetime,
) -> CaseTask:
    """The assignee agency moves its task on and reports its result; the agency that set a
    task (or the lead) may cancel it."""
    member = policy.contributor(session, principal, case)
    task = task_of(session, case, number)
    if status not in TASK_STEPS[task.status]:
        raise Invalid(
            N_("task #%(number)s is %(status)s: it cannot become %(status2)s"),
            number=number,
            status=task.status.value,
            status2=status.value,
        )
    open_to = steps_open_to(
        task.status,
        assignee=task.agency_id,
        setter=task.set_by_agency_id,
        lead=case.lead_agency_id,
        reader=member.agency_id,
    )
    if status not in open_to:
        raise Forbidden(
            f"task #{number} is "
            + (
                "cancelled by the agency that set it or the lead"
                if status is TaskStatus.cancelled
                else "worked by the agency it is assigned to"
            )
        )
    if status is TaskStatus.done and not (result or "").strip():
        raise Invalid(N_("a task is done with its result: say what came of it"))
    for record_id in result_records:
        policy.require_record(session, principal, record_id, now)
    task.status = status
    if result is not None:
        task.result = result
    task.result_record_ids = list(dict.fromkeys([*task.result_record_ids, *result_records]))
    if status in (TaskStatus.done, TaskStatus.cancelled):
        task.closed_at = now
        close_tasks(
            session,
            subject_id=str(task.id),
            kind=TASK_KIND,
            by=principal.username,
            outcome=f"{status.value}: {result or ''}",
            now=now,
        )
    changed(
        session,
        case,
        principal=principal,
        agency_id=member.agency_id,
        action="cases.task_status",
        summary=written(
            TASK_STATUS_RESULT if result else TASK_STATUS,
            number=number,
            status=status.value,
            result=result,
        ),
        now=now,
        object_ids=[task.id, *result_records],
    )
    session.flush()
    return task


def steps_open_to(
    status: TaskStatus, *, assignee: Hashable, setter: Hashable, lead: Hashable, reader: Hashable
) -> list[TaskStatus]:
    """The steps a member agency may take a task through: the agency it is assigned to
    moves it on; the agency that set it, or the lead, may cancel it."""
    steps = [s for s in TaskStatus if s in TASK_STEPS[status]]
    if reader == assignee:
        return steps
    if reader in (setter, lead):
        return [s for s in steps if s is TaskStatus.cancelled]
    return []


def tasks(session: Session, case: Case) -> list[CaseTask]:
    return list(
        session.scalars(
            select(CaseTask).where(CaseTask.case_id == case.id).order_by(CaseTask.number)
        )
    )
