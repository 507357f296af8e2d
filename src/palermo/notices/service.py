"""The life of a notice: request, automatic checks, four-eyes compliance review,
publication (its subject enters screening), extension, suspension, ending and expiry.

Every transition goes through `act`: the state machine says whether it is legal (409 if
not), policy says who may take it (403), and it is written with its event, its audit line
and its notifications in the caller's transaction, or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.errors import Conflict, Forbidden, Invalid, NotFound
from palermo.identity import repository as directory
from palermo.identity.principal import Principal
from palermo.models.notices import Notice, NoticeEvent, NoticeRecipient
from palermo.models.records import Notification
from palermo.notices import checks, subjects
from palermo.notices.checks import Finding, Request
from palermo.notices.kinds import DIFFUSION_KINDS, KIND_TITLES, NoticeStatus
from palermo.notices.schemas import ActionIn, NoticeIn, ReviewIn
from palermo.notices.workflow import TRANSITIONS, Side, Transition, transition
from palermo.notifications import texts
from palermo.policy import notices as policy
from palermo.policy.records import AccessContext
from palermo.records.entities import parse_entity
from palermo.records.envelopes import add_months
from palermo.settings import Settings
from palermo.tasks import close_tasks, open_task
from palermo.translatable import N_, written

VALIDITY_MONTHS = 60  # RPD Art. 49: five years, then extended with reasons or ended
REVIEW_BEFORE_MONTHS = 6  # RPD Art. 50: the source re-assesses six months before expiry
REVIEW_TASK = "notice.review"


def request_of(payload: NoticeIn) -> Request:
    return Request(
        kind=payload.kind,
        diffusion=payload.diffusion,
        subject=payload.subject.as_ftm() if payload.subject else None,
        particulars=payload.particulars,
        countries=[c.upper() for c in payload.countries],
        agencies=[a.upper() for a in payload.agencies],
        public_extract=payload.public_extract,
        exception_requested=payload.exception_requested,
        exception_reasons=payload.exception_reasons,
    )


def stored_request(notice: Notice) -> Request:
    return Request(
        kind=notice.kind,
        diffusion=notice.diffusion,
        subject=notice.subject,
        particulars=notice.particulars,
        countries=[r.country for r in notice.recipients if r.country],
        agencies=[str(r.agency_id) for r in notice.recipients if r.agency_id],
        public_extract=notice.public_extract,
        exception_requested=notice.exception_requested,
        exception_reasons=notice.exception_reasons,
    )


def all_findings(
    session: Session, request: Request, *, now: datetime, notice_id: uuid.UUID | None = None
) -> list[Finding]:
    return checks.check(request, today=now.date()) + checks.duplicates(
        session, request, exclude=notice_id
    )


# Drafts ---------------------------------------------------------------------------------
def create(session: Session, *, principal: Principal, payload: NoticeIn, now: datetime) -> Notice:
    """A new request, in draft: nothing leaves the requesting agency before it is submitted."""
    policy.may_request(session, principal, payload.kind)
    if payload.diffusion and payload.kind not in DIFFUSION_KINDS:
        raise Invalid(
            N_("there are no %(kind_titles)s diffusions"), kind_titles=KIND_TITLES[payload.kind]
        )
    assert principal.agency_id is not None
    notice = Notice(
        kind=payload.kind,
        diffusion=payload.diffusion,
        status=NoticeStatus.draft,
        requesting_agency_id=principal.agency_id,
        requested_by=principal.username,
        created_at=now,
    )
    _fill(session, notice, payload, now)
    session.add(notice)
    session.flush()
    _event(session, notice, principal, "create", None, now=now)
    return notice


def update(
    session: Session,
    *,
    principal: Principal,
    notice_id: uuid.UUID,
    payload: NoticeIn,
    now: datetime,
) -> Notice:
    """Change a draft (a submitted request is changed only after the reviewer returns it)."""
    notice = notice_for(session, principal, notice_id, lock=True)
    if not policy.requests_for(principal, notice):
        raise Forbidden(N_("only the requesting agency changes its request"))
    if notice.status is not NoticeStatus.draft:
        raise Conflict(
            N_("a %(status)s request cannot be changed; only a draft can"),
            status=notice.status.value,
        )
    if payload.kind is not notice.kind or payload.diffusion != notice.diffusion:
        raise Invalid(N_("the type of a request cannot change: start a new request"))
    policy.may_request(session, principal, payload.kind)
    _fill(session, notice, payload, now)
    _event(session, notice, principal, "edit", notice.status, now=now)
    return notice


def _fill(session: Session, notice: Notice, payload: NoticeIn, now: datetime) -> None:
    request = request_of(payload)
    notice.title = payload.title.strip()
    notice.subject = _cleaned(request.subject)
    notice.particulars = dict(payload.particulars)
    notice.public_extract = payload.public_extract
    notice.exception_requested = payload.exception_requested
    notice.exception_reasons = (payload.exception_reasons or "").strip() or None
    notice.recipients = _recipients(session, request)
    notice.findings = [f.as_dict() for f in checks.check(request, today=now.date())]
    notice.updated_at = now


def _cleaned(subject: dict[str, Any] | None) -> dict[str, Any] | None:
    """The subject as FtM cleans it ("Germany" → "de"), so the extract and screening read
    codes; a subject FtM refuses is kept as typed for the checks to name what is wrong."""
    if subject is None:
        return None
    try:
        data = parse_entity(subject)
    except Invalid:
        return subject
    return {"schema": data.schema.name, "properties": data.properties}


def _recipients(session: Session, request: Request) -> list[NoticeRecipient]:
    found = [NoticeRecipient(country=c) for c in dict.fromkeys(request.countries)]
    for code in dict.fromkeys(request.agencies):
        agency = directory.agency_by_code(session, code)
        if agency is None:
            raise Invalid(N_("unknown recipient agency %(code)s"), code=repr(code))
        found.append(NoticeRecipient(agency_id=agency.id))
    return found


# Reading --------------------------------------------------------------------------------
def notice_for(
    session: Session, principal: Principal, notice_id: uuid.UUID, *, lock: bool = False
) -> Notice:
    """The notice if the principal may see it; NotFound otherwise (existence is not told)."""
    query = select(Notice).where(Notice.id == notice_id, policy.visible(session, principal))
    notice = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if notice is None:
        raise NotFound(N_("no notice %(notice_id)s"), notice_id=notice_id)
    return notice


@dataclass(frozen=True)
class Listing:
    total: int
    items: list[Notice]


def listing(
    session: Session,
    principal: Principal,
    *,
    kind: str | None = None,
    status: str | None = None,
    text: str | None = None,
    mine: bool = False,
    queue: bool = False,
    offset: int = 0,
    limit: int = 50,
    context: AccessContext,
) -> Listing:
    """Notices the principal may see, newest first; `queue`: those awaiting their review.
    Subjects are personal data: the consultation is audited with its purpose."""
    conditions = [policy.visible(session, principal)]
    if kind:
        conditions.append(Notice.kind == kind)
    if status:
        conditions.append(Notice.status == status)
    if text:
        like = f"%{text.strip().lower()}%"
        conditions.append(
            func.lower(Notice.title).like(like) | func.lower(Notice.entity_id).like(like)
        )
    if mine:
        conditions.append(Notice.requesting_agency_id.in_(principal.acting_agency_ids))
    if queue:
        conditions.append(Notice.status.in_([NoticeStatus.submitted, NoticeStatus.in_review]))
        conditions.append(Notice.requested_by != principal.username)
        if not policy.at_secretariat(session, principal):
            conditions.append(Notice.diffusion.is_(True))
    total = session.scalar(select(func.count()).select_from(Notice).where(*conditions)) or 0
    items = session.scalars(
        select(Notice)
        .where(*conditions)
        .order_by(Notice.updated_at.desc(), Notice.id)
        .offset(offset)
        .limit(limit)
    ).all()
    _consulted(session, principal, context, "notice.search", items, total=total)
    return Listing(total=total, items=list(items))


def read(
    session: Session, *, principal: Principal, notice_id: uuid.UUID, context: AccessContext
) -> Notice:
    """One notice, its consultation audited with its purpose."""
    notice = notice_for(session, principal, notice_id)
    _consulted(session, principal, context, "notice.read", [notice])
    return notice


def _consulted(
    session: Session,
    principal: Principal,
    context: AccessContext,
    action: str,
    notices: Sequence[Notice],
    **detail: Any,
) -> None:
    audit(
        session,
        action=action,
        operation=Operation.consultation,
        principal=principal,
        purpose=context.purpose,
        justification=context.justification,
        object_ids=[n.id for n in notices],
        detail=detail,
    )


# Transitions ----------------------------------------------------------------------------
def act(
    session: Session,
    *,
    principal: Principal,
    notice_id: uuid.UUID,
    action: str,
    body: ActionIn,
    settings: Settings,
    now: datetime,
) -> Notice:
    notice = notice_for(session, principal, notice_id, lock=True)
    step = transition(action, notice.status)
    _authorise(session, principal, notice, step, action)
    reasons = (body.reasons or "").strip() or None
    if step.needs_reasons and (reasons is None or len(reasons) < 3):
        raise Invalid(N_("to %(action)s a notice, give the reasons"), action=action)
    _apply(session, principal, notice, action, step, reasons, body.review, settings, now)
    return notice


def _authorise(
    session: Session, principal: Principal, notice: Notice, step: Transition, action: str
) -> None:
    requester = policy.acts_as_requester(principal, notice)
    if step.side is Side.requester and not requester:
        raise Forbidden(N_("only the requesting agency may %(action)s its request"), action=action)
    if step.side is Side.reviewer:
        policy.may_review(session, principal, notice)
        # While in review the request is the claimer's; afterwards any reviewer may act.
        if notice.status is NoticeStatus.in_review and notice.reviewer != principal.username:
            raise Forbidden(
                N_("the request is under review by %(reviewer)s; only they may %(action)s it"),
                reviewer=notice.reviewer,
                action=action,
            )
    if step.side is Side.either and not (
        requester or policy.secretariat_reviewer(session, principal)
    ):
        raise Forbidden(
            N_("only the requesting agency or the secretariat may %(action)s a notice"),
            action=action,
        )
    if step.side is Side.system and not principal.is_operator:
        raise Forbidden(N_("notices expire by themselves"))


def _apply(
    session: Session,
    principal: Principal,
    notice: Notice,
    action: str,
    step: Transition,
    reasons: str | None,
    review: ReviewIn | None,
    settings: Settings | None,
    now: datetime,
) -> None:
    before = notice.status
    if action == "submit":
        _submit(session, notice, now)
    elif action == "claim":
        notice.reviewer = principal.username
    elif action == "return":
        notice.reviewer, notice.reasons = None, reasons
    elif action == "publish":
        assert settings is not None
        _publish(session, principal, notice, review, settings, now)
    elif action == "refuse":
        notice.reasons = reasons
    elif action == "extend":
        assert notice.expires_at is not None
        notice.expires_at = months_after(max(notice.expires_at, now), VALIDITY_MONTHS)
        notice.review_task_at = None
        subjects.extend(session, principal, notice, now)
        _close_review_task(
            session, principal, notice, f"extended to {notice.expires_at:%Y-%m-%d}: {reasons}", now
        )
    elif action == "reinstate":
        subjects.reactivate(session, principal, notice, now)
    if step.target in (NoticeStatus.suspended, *_ENDINGS):
        notice.reasons = reasons or notice.reasons
        if before in (NoticeStatus.published, NoticeStatus.suspended):
            subjects.retire(session, principal, notice, action, now)
        outcome = f"{step.target.value}: {reasons or 'validity ran out'}"
        _close_review_task(session, principal, notice, outcome, now)
    notice.status = step.target
    notice.updated_at = now
    _event(session, notice, principal, action, before, now=now, reasons=reasons)
    _notify(session, principal, notice, action, reasons, now)


_ENDINGS = (NoticeStatus.cancelled, NoticeStatus.withdrawn, NoticeStatus.expired)


def _close_review_task(
    session: Session, principal: Principal, notice: Notice, outcome: str, now: datetime
) -> None:
    close_tasks(
        session,
        subject_id=str(notice.id),
        kind=REVIEW_TASK,
        by=principal.username,
        outcome=outcome,
        now=now,
    )


def _refuse_failed_checks(findings: list[Finding]) -> None:
    refused = checks.errors(findings)
    if refused:
        raise Invalid(
            "the request fails its automatic checks: "
            + "; ".join(f"{f.message} [{f.rule}]" for f in refused),
            details=[f.as_dict() for f in refused],
        )


def _submit(session: Session, notice: Notice, now: datetime) -> None:
    findings = all_findings(session, stored_request(notice), now=now, notice_id=notice.id)
    _refuse_failed_checks(findings)
    notice.findings = [f.as_dict() for f in findings]
    notice.submitted_at = now
    notice.reasons = None


def _publish(
    session: Session,
    principal: Principal,
    notice: Notice,
    review: ReviewIn | None,
    settings: Settings,
    now: datetime,
) -> None:
    """Nothing is published without a completed review that passes, and every automatic
    check passing (or an exception granted, or a warning considered)."""
    if review is None:
        raise Invalid(
            N_(
                "publication needs the completed review checklist: Article 3 "
                "(predominance test) and Article 2, each with its reasoning"
            )
        )
    failed = [
        name
        for name, ok in (("Article 3", review.art3_compliant), ("Article 2", review.art2_compliant))
        if not ok
    ]
    if failed:
        raise Invalid(
            N_("the review found the request contrary to %(failed)s: refuse it, with the reasons"),
            failed=" and ".join(failed),
        )
    findings = all_findings(session, stored_request(notice), now=now, notice_id=notice.id)
    _refuse_failed_checks(findings)
    warnings = [f for f in findings if f.severity == "warning"]
    if any(f.rule == "red.threshold" for f in warnings) and not review.exception_granted:
        raise Invalid(
            N_(
                "the offence is below the Red Notice threshold: publish only with the "
                "secretariat's exception granted, or refuse"
            )
        )
    if review.exception_granted and not notice.exception_requested:
        raise Invalid(N_("no exception was requested"))
    if warnings and not review.warnings_acknowledged:
        raise Invalid(
            "consider and acknowledge every warning before publishing: "
            + "; ".join(f.message for f in warnings)
        )
    notice.findings = [f.as_dict() for f in findings]
    notice.review = {**review.model_dump(), "reviewer": principal.username, "at": now.isoformat()}
    notice.entity_id = notice.entity_id or _next_entity_id(session, now.year)
    notice.published_at = now
    notice.expires_at = months_after(now, VALIDITY_MONTHS)
    notice.review_task_at = None
    notice.reasons = None
    subjects.publish(session, principal, notice, settings, now)


def _next_entity_id(session: Session, year: int) -> str:
    """The next "YYYY/NNNNN" of the year (the unique constraint refuses a concurrent twin)."""
    taken = session.scalars(select(Notice.entity_id).where(Notice.entity_id.like(f"{year}/%")))
    numbers = [int(e.split("/", 1)[1]) for e in taken if e and e.split("/", 1)[1].isdigit()]
    return f"{year}/{max(numbers, default=0) + 1:05d}"


def months_after(moment: datetime, months: int) -> datetime:
    day = add_months(moment.date(), months)
    return moment.replace(year=day.year, month=day.month, day=day.day)


def _event(
    session: Session,
    notice: Notice,
    principal: Principal,
    action: str,
    before: NoticeStatus | None,
    *,
    now: datetime,
    reasons: str | None = None,
) -> None:
    add_event(
        session, notice, principal.username, principal.agency_code, action, before, reasons, now
    )
    audit(
        session,
        action=f"notice.{action}",
        operation=Operation.collection if action in ("create", "edit") else Operation.alteration,
        principal=principal,
        object_ids=[notice.id],
        detail={
            "kind": notice.kind.value,
            "diffusion": notice.diffusion,
            "from": before.value if before else None,
            "to": notice.status.value,
            "entity_id": notice.entity_id,
            **({"reasons": reasons[:500]} if reasons else {}),
        },
    )


def add_event(
    session: Session,
    notice: Notice,
    actor: str,
    agency_code: str | None,
    action: str,
    before: NoticeStatus | None,
    reasons: str | None,
    now: datetime,
) -> None:
    """One row of the notice's status history."""
    session.add(
        NoticeEvent(
            notice_id=notice.id,
            at=now,
            actor=actor,
            agency_code=agency_code,
            action=action,
            from_status=before.value if before else None,
            to_status=notice.status.value,
            reasons=reasons,
        )
    )


def _notify(
    session: Session,
    principal: Principal,
    notice: Notice,
    action: str,
    reasons: str | None,
    now: datetime,
) -> None:
    """The requesting agency hears of what others did to its request."""
    if policy.requests_for(principal, notice):
        return
    if notice.diffusion:
        text = texts.DIFFUSION_STEP_WHY if reasons else texts.DIFFUSION_STEP
    else:
        text = texts.NOTICE_STEP_WHY if reasons else texts.NOTICE_STEP
    session.add(
        Notification(
            agency_id=notice.requesting_agency_id,
            kind=f"notice.{action}",
            record_id=None,
            message=written(
                text,
                kind=KIND_TITLES[notice.kind],
                title=notice.title,
                status=notice.status.value.replace("_", " "),
                agency=principal.agency_code or principal.username,
                reasons=reasons,
            ),
            created_at=now,
        )
    )


# Expiry (RPD Arts. 49–50) ---------------------------------------------------------------
@dataclass(frozen=True)
class SweepReport:
    reminded: int
    expired: int


def sweep(session: Session, *, principal: Principal, now: datetime) -> SweepReport:
    """Set the re-assessment task six months before expiry; expire notices past their date
    (their subjects stop hitting). Run daily, like records retention."""
    reminded = 0
    due = session.scalars(
        select(Notice).where(
            Notice.status == NoticeStatus.published,
            Notice.review_task_at.is_(None),
            Notice.expires_at <= months_after(now, REVIEW_BEFORE_MONTHS),
        )
    ).all()
    for notice in due:
        assert notice.expires_at is not None
        open_task(
            session,
            agency_id=notice.requesting_agency_id,
            kind=REVIEW_TASK,
            title=written(
                texts.REASSESS_NOTICE,
                kind=KIND_TITLES[notice.kind],
                entity=notice.entity_id,
                title=notice.title,
                on=format(notice.expires_at, "%Y-%m-%d"),
            ),
            link=f"/notices/{notice.id}",
            subject_id=str(notice.id),
            due_at=notice.expires_at,
            now=now,
        )
        notice.review_task_at = now
        reminded += 1
    expired = session.scalars(
        select(Notice).where(
            Notice.status.in_([NoticeStatus.published, NoticeStatus.suspended]),
            Notice.expires_at <= now,
        )
    ).all()
    for notice in expired:
        _apply(session, principal, notice, "expire", TRANSITIONS["expire"], None, None, None, now)
    return SweepReport(reminded=reminded, expired=len(expired))
