"""Answers to Silver Notices: a member country that located assets of the notice's subject
registers them, shared in full with the requesting agency, which is told and gets a task."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from palermo.assets.register import register
from palermo.assets.schemas import AnswerIn
from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.errors import Invalid
from palermo.identity.principal import Principal
from palermo.models.assets import Asset
from palermo.models.identity import Agency
from palermo.models.records import Notification
from palermo.notices.kinds import NoticeKind, NoticeStatus
from palermo.notices.service import notice_for
from palermo.notifications import texts
from palermo.records.envelope import AccessLevel, ShareScope
from palermo.records.schemas import ShareIn
from palermo.settings import Settings
from palermo.tasks import open_task
from palermo.translatable import N_, written

ANSWER_TASK = "assets.silver_answer"


def answer(
    session: Session,
    *,
    principal: Principal,
    settings: Settings,
    notice_id: uuid.UUID,
    payload: AnswerIn,
    now: datetime,
) -> list[Asset]:
    notice = notice_for(session, principal, notice_id)
    if notice.kind is not NoticeKind.silver:
        raise Invalid(N_("only a Silver Notice asks to locate assets"))
    if notice.status is not NoticeStatus.published:
        raise Invalid(
            N_("the notice is %(status)s: it takes no answers"), status=notice.status.value
        )
    if notice.requesting_agency_id in principal.acting_agency_ids:
        raise Invalid(N_("the requesting agency does not answer its own notice"))
    requester = session.get(Agency, notice.requesting_agency_id)
    assert requester is not None
    reference = notice.entity_id or str(notice.id)
    share = ShareIn(scope=ShareScope.agency, agency=requester.code, level=AccessLevel.full)
    found = []
    for item in payload.assets:
        envelope = item.envelope.model_copy(update={"shares": [*item.envelope.shares, share]})
        answered = item.model_copy(
            update={
                "provenance": "silver_notice",
                "provenance_ref": reference,
                "envelope": envelope,
            }
        )
        found.append(
            register(session, principal=principal, settings=settings, payload=answered, now=now)
        )
    where = principal.agency_code or principal.username
    message = written(
        texts.SILVER_ANSWER,
        agency=where,
        count=len(found),
        reference=reference,
        title=notice.title,
        assets=", ".join(a.reference for a in found),
    )
    session.add(
        Notification(
            agency_id=requester.id,
            kind=ANSWER_TASK,
            record_id=notice.subject_record_id,
            message=message,
            created_at=now,
        )
    )
    open_task(
        session,
        agency_id=requester.id,
        kind=ANSWER_TASK,
        title=written(texts.ASSETS_LOCATED, answer=message),
        link=f"/assets?provenance_ref={reference}",
        subject_id=str(notice.id),
        due_at=None,
        now=now,
    )
    audit(
        session,
        action="assets.silver.answer",
        operation=Operation.disclosure,
        principal=principal,
        purpose="asset_recovery",
        object_ids=[notice.id, *(a.id for a in found)],
        recipients=[requester.code],
    )
    return found
