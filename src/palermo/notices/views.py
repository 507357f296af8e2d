"""A notice as one principal may see it: its findings told without naming notices the
principal may not see, its history, its hit reports (for the requester and secretariat),
and the actions open to them."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.errors import PalermoError
from palermo.identity.principal import Principal
from palermo.models.identity import Agency
from palermo.models.notices import Notice, NoticeEvent
from palermo.notices import hits
from palermo.notices.kinds import KIND_TITLES, NoticeStatus
from palermo.notices.schemas import EventOut, FindingOut, HitReportOut, NoticeOut
from palermo.notices.workflow import TRANSITIONS, Side, actions_from
from palermo.policy import notices as policy


def findings_for(
    session: Session, principal: Principal, findings: list[dict[str, object]]
) -> list[FindingOut]:
    """Duplicate findings name other notices: a principal who may not see one of them is
    told that a match exists, not which notice it is."""
    shown = []
    for f in findings:
        named = [uuid.UUID(str(i)) for i in f.get("notices") or []]  # type: ignore[attr-defined]
        if named:
            seen = set(
                session.scalars(
                    select(Notice.id).where(
                        Notice.id.in_(named), policy.visible(session, principal)
                    )
                )
            )
            if len(seen) < len(named):
                f = {
                    **f,
                    "message": "the subject matches published notices; the secretariat's "
                    "reviewer sees which",
                }
        shown.append(
            FindingOut(
                rule=str(f["rule"]),
                severity=str(f["severity"]),
                message=str(f["message"]),
                field=str(f["field"]) if f.get("field") else None,
            )
        )
    return shown


def allowed_actions(session: Session, principal: Principal, notice: Notice) -> list[str]:
    """What this principal may do next: the state machine's actions whose side they are on."""
    requester = policy.acts_as_requester(principal, notice)
    reviewer = _may_review(session, principal, notice)
    secretariat = policy.secretariat_reviewer(session, principal)
    found = []
    for action in actions_from(notice.status):
        side = TRANSITIONS[action].side
        if side is Side.requester and requester:
            found.append(action)
        elif side is Side.reviewer and reviewer:
            if notice.status is not NoticeStatus.in_review or notice.reviewer == principal.username:
                found.append(action)
        elif side is Side.either and (requester or secretariat):
            found.append(action)
    return found


def _may_review(session: Session, principal: Principal, notice: Notice) -> bool:
    try:
        policy.may_review(session, principal, notice)
    except PalermoError:
        return False
    return True


def view(session: Session, principal: Principal, notice: Notice) -> NoticeOut:
    agency = session.get(Agency, notice.requesting_agency_id)
    assert agency is not None
    codes = dict(
        session.execute(
            select(Agency.id, Agency.code).where(
                Agency.id.in_([r.agency_id for r in notice.recipients if r.agency_id])
            )
        ).all()
    )
    events = session.scalars(
        select(NoticeEvent).where(NoticeEvent.notice_id == notice.id).order_by(NoticeEvent.id)
    )
    insider = policy.requests_for(principal, notice) or policy.at_secretariat(session, principal)
    return NoticeOut(
        id=notice.id,
        kind=notice.kind,
        kind_title=KIND_TITLES[notice.kind],
        diffusion=notice.diffusion,
        status=notice.status,
        entity_id=notice.entity_id,
        requesting_agency=agency.code,
        requesting_country=agency.country,
        requested_by=notice.requested_by,
        title=notice.title,
        subject=notice.subject,
        particulars=notice.particulars,
        countries=[r.country for r in notice.recipients if r.country],
        agencies=[codes[r.agency_id] for r in notice.recipients if r.agency_id],
        public_extract=notice.public_extract,
        exception_requested=notice.exception_requested,
        exception_reasons=notice.exception_reasons,
        findings=findings_for(session, principal, notice.findings) if insider else [],
        reviewer=notice.reviewer,
        review=notice.review if insider else None,
        reasons=notice.reasons,
        subject_record_id=notice.subject_record_id,
        created_at=notice.created_at,
        submitted_at=notice.submitted_at,
        published_at=notice.published_at,
        expires_at=notice.expires_at,
        actions=allowed_actions(session, principal, notice),
        events=[
            EventOut(
                at=e.at,
                actor=e.actor,
                agency=e.agency_code,
                action=e.action,
                from_status=NoticeStatus(e.from_status) if e.from_status else None,
                to_status=NoticeStatus(e.to_status),
                reasons=e.reasons,
            )
            for e in events
        ]
        if insider
        else [],
        hits=[
            HitReportOut.model_validate(h, from_attributes=True)
            for h in hits.hits_of(session, notice)
        ]
        if insider
        else [],
    )
