"""Hits on notices (RPD Arts. 104–106): a screening hit on a published notice's subject
becomes a hit report to the requesting agency — where, when, by whom, for which purpose —
and a task to confirm the identity; the requester's answer goes back to the querying agency.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.errors import Conflict, Forbidden, NotFound
from palermo.identity.principal import Principal
from palermo.models.identity import Agency
from palermo.models.notices import Notice, NoticeHit
from palermo.models.records import Notification
from palermo.notices.kinds import KIND_TITLES, NoticeStatus
from palermo.notifications import texts
from palermo.policy import notices as policy
from palermo.policy.records import AccessContext
from palermo.tasks import close_tasks, open_task
from palermo.translatable import N_, written

HIT_TASK = "notice.hit"


def report(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    scores: Mapping[str, float],
    now: datetime,
) -> list[NoticeHit]:
    """Hit reports for the published notices among the hit records (not the requester's own
    consultations of its own notices)."""
    if not scores:
        return []
    notices = session.scalars(
        select(Notice).where(
            Notice.subject_record_id.in_(sorted(scores)),
            Notice.status == NoticeStatus.published,
            Notice.requesting_agency_id.not_in(principal.acting_agency_ids),
        )
    ).all()
    if not notices:
        return []
    agency = session.get(Agency, principal.agency_id) if principal.agency_id else None
    who = agency.code if agency else principal.agency_code or principal.username
    country = agency.country if agency else principal.country
    reports = []
    for notice in notices:
        assert notice.subject_record_id is not None
        hit = NoticeHit(
            id=uuid.uuid4(),
            notice_id=notice.id,
            at=now,
            querying_agency_id=agency.id if agency else None,
            querying_agency=who,
            country=country,
            username=principal.username,
            channel=principal.channel,
            purpose=context.purpose.value,
            justification=context.justification,
            score=scores[notice.subject_record_id],
            status="to_confirm",
        )
        session.add(hit)
        where = f"{who} ({country})" if country else who
        open_task(
            session,
            agency_id=notice.requesting_agency_id,
            kind=HIT_TASK,
            title=written(
                texts.CONFIRM_IDENTITY,
                who=where,
                kind=KIND_TITLES[notice.kind],
                entity=notice.entity_id,
                title=notice.title,
            ),
            link=f"/notices/{notice.id}#hits",
            subject_id=str(hit.id),
            due_at=None,
            now=now,
        )
        session.add(
            Notification(
                agency_id=notice.requesting_agency_id,
                kind="notice.hit",
                record_id=notice.subject_record_id,
                message=written(
                    texts.NOTICE_HIT,
                    kind=KIND_TITLES[notice.kind],
                    entity=notice.entity_id,
                    title=notice.title,
                    user=principal.username,
                    agency=where,
                    at=format(now, "%Y-%m-%d %H:%M"),
                    purpose=context.purpose.value,
                    justification=context.justification,
                ),
                created_at=now,
            )
        )
        reports.append(hit)
    audit(
        session,
        action="notice.hit",
        operation=Operation.disclosure,
        principal=principal,
        purpose=context.purpose,
        justification=context.justification,
        object_ids=[n.id for n in notices],
        recipients=sorted({str(n.requesting_agency_id) for n in notices}),
        detail={"entity_ids": [n.entity_id for n in notices]},
    )
    return reports


def decide(
    session: Session,
    *,
    principal: Principal,
    hit_id: uuid.UUID,
    confirmed: bool,
    note: str,
    now: datetime,
) -> NoticeHit:
    """The requesting agency says whether the person hit is the one sought."""
    hit = session.get(NoticeHit, hit_id, with_for_update=True)
    notice = session.get(Notice, hit.notice_id) if hit else None
    if hit is None or notice is None or not policy.requests_for(principal, notice):
        raise NotFound(N_("no hit report %(hit_id)s"), hit_id=hit_id)
    if not policy.acts_as_requester(principal, notice):
        raise Forbidden(N_("officers and supervisors of the requesting agency confirm identities"))
    if hit.status != "to_confirm":
        raise Conflict(
            N_("this hit was already decided (%(status)s) by %(decided_by)s"),
            status=hit.status,
            decided_by=hit.decided_by,
        )
    hit.status = "confirmed" if confirmed else "not_confirmed"
    hit.decided_by, hit.decided_at, hit.note = principal.username, now, note.strip()
    verdict = "is" if confirmed else "is not"
    close_tasks(
        session,
        subject_id=str(hit.id),
        kind=HIT_TASK,
        by=principal.username,
        outcome=f"the person {verdict} the one sought: {hit.note}",
        now=now,
    )
    if hit.querying_agency_id:
        session.add(
            Notification(
                agency_id=hit.querying_agency_id,
                kind="notice.hit_decided",
                record_id=notice.subject_record_id,
                message=written(
                    texts.HIT_DECIDED[confirmed],
                    agency=principal.agency_code,
                    at=format(hit.at, "%Y-%m-%d %H:%M"),
                    kind=KIND_TITLES[notice.kind],
                    entity=notice.entity_id,
                    note=hit.note,
                ),
                created_at=now,
            )
        )
    audit(
        session,
        action="notice.hit_decision",
        operation=Operation.alteration,
        principal=principal,
        object_ids=[notice.id, hit.id],
        detail={"status": hit.status},
    )
    return hit


def hits_of(session: Session, notice: Notice) -> list[NoticeHit]:
    return list(
        session.scalars(
            select(NoticeHit).where(NoticeHit.notice_id == notice.id).order_by(NoticeHit.at.desc())
        )
    )
