"""The demo's notices: every type and every stage of a notice's life, with hits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.identity import repository
from palermo.identity.service import principal_for
from palermo.models.notices import Notice, NoticeEvent, NoticeHit
from palermo.models.records import Notification
from palermo.models.tasks import Task
from palermo.notices import public, service
from palermo.notices.hits import HIT_TASK
from palermo.notices.kinds import NoticeKind, NoticeStatus
from palermo.policy.records import AccessContext

REVIEWING = AccessContext.of("criminal_investigation", "Compliance review of notice requests")


def test_every_type_and_every_stage_appears(db: Session) -> None:
    notices = db.scalars(select(Notice)).all()
    assert {n.kind for n in notices} == set(NoticeKind)
    assert sum(n.diffusion for n in notices) >= 2
    assert {n.status for n in notices} >= set(NoticeStatus) - {
        NoticeStatus.withdrawn,
        NoticeStatus.expired,
    }
    actions = set(db.scalars(select(NoticeEvent.action)))
    assert {"return", "edit", "extend", "cancel", "suspend"} <= actions


def test_refusals_give_their_reasons(db: Session) -> None:
    refused = db.scalars(select(Notice).where(Notice.status == NoticeStatus.refused)).all()
    reasons = " ".join(n.reasons or "" for n in refused)
    assert len(refused) >= 2
    assert all(n.reasons for n in refused)
    assert "Art. 83" in reasons
    assert "Art. 3" in reasons


def test_a_published_red_notice_is_in_the_public_extract(db: Session) -> None:
    extract = public.extract(db)
    red = db.scalars(
        select(Notice).where(
            Notice.kind == NoticeKind.red,
            Notice.status == NoticeStatus.published,
            Notice.public_extract.is_(True),
        )
    ).first()
    assert red is not None
    assert red.entity_id in {n["entity_id"] for n in extract if "arrest_warrants" in n}


def test_hits_reach_the_requesting_bureau(db: Session) -> None:
    hits = db.scalars(select(NoticeHit)).all()
    assert {h.status for h in hits} == {"confirmed", "to_confirm"}
    for hit in hits:
        notice = db.get(Notice, hit.notice_id)
        assert notice is not None
        told = db.scalars(
            select(Notification.message).where(
                Notification.agency_id == notice.requesting_agency_id,
                Notification.kind == "notice.hit",
                Notification.record_id == notice.subject_record_id,
            )
        ).all()
        assert told
    open_tasks = db.scalars(select(Task).where(Task.kind == HIT_TASK, Task.done_at.is_(None)))
    assert open_tasks.first() is not None


def test_the_secretariat_has_requests_to_review(db: Session) -> None:
    user = repository.user_by_username(db, "interpol.supervisor")
    assert user is not None
    queue = service.listing(
        db, principal_for(user, channel="session"), queue=True, context=REVIEWING
    )
    assert {n.status for n in queue.items} == {NoticeStatus.submitted, NoticeStatus.in_review}
