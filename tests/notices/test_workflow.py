"""Every transition of the notice state machine, who may take it, and what it leaves
behind: history, audit, the subject record's status, notifications."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from palermo.errors import Conflict, Forbidden, Invalid, NotFound
from palermo.models.base import utcnow
from palermo.models.notices import NoticeEvent
from palermo.models.records import Notification, Record
from palermo.models.tasks import Task
from palermo.notices import service
from palermo.notices.kinds import NoticeStatus
from palermo.notices.schemas import ReviewIn
from palermo.records.envelope import RecordStatus
from tests.conftest import audit_actions
from tests.notices.conftest import REVIEW, Desk, red_request


def history(desk: Desk, notice) -> list[tuple[str, str | None, str]]:
    return [
        (e.action, e.from_status, e.to_status)
        for e in desk.db.scalars(
            select(NoticeEvent).where(NoticeEvent.notice_id == notice.id).order_by(NoticeEvent.id)
        )
    ]


def record_status(desk: Desk, notice) -> RecordStatus:
    desk.db.expire_all()
    record = desk.db.get(Record, notice.subject_record_id)
    assert record is not None
    return record.status


def test_request_review_and_publication(desk: Desk) -> None:
    notice = desk.create(red_request())
    assert notice.status is NoticeStatus.draft
    desk.act(notice, "submit", desk.requester)
    assert notice.status is NoticeStatus.submitted
    assert notice.submitted_at
    desk.act(notice, "claim", desk.reviewer)
    assert notice.status is NoticeStatus.in_review
    assert notice.reviewer == "sg.reviewer"
    desk.act(notice, "publish", desk.reviewer, review=REVIEW)
    assert notice.status is NoticeStatus.published
    assert notice.entity_id
    assert notice.entity_id.startswith(f"{utcnow().year}/")
    assert notice.expires_at
    assert notice.published_at
    assert (notice.expires_at - notice.published_at).days in range(1825, 1828)
    assert notice.review["art3_reasoning"].startswith("Ordinary-law")
    assert notice.review["reviewer"] == "sg.reviewer"
    assert record_status(desk, notice) is RecordStatus.active
    assert history(desk, notice) == [
        ("create", None, "draft"),
        ("submit", "draft", "submitted"),
        ("claim", "submitted", "in_review"),
        ("publish", "in_review", "published"),
    ]
    actions = audit_actions(desk.db)
    for action in ("notice.create", "notice.submit", "notice.claim", "notice.publish"):
        assert action in actions
    told = desk.db.scalars(
        select(Notification.message).where(Notification.kind == "notice.publish")
    ).all()
    assert any("published by SG" in m for m in told)


def test_entity_ids_count_up_within_the_year(desk: Desk) -> None:
    first = desk.publish(red_request())
    second = desk.publish(red_request())
    year, number = first.entity_id.split("/")
    assert second.entity_id == f"{year}/{int(number) + 1:05d}"


def test_refusal_needs_reasons_and_ends_the_request(desk: Desk) -> None:
    notice = desk.create(red_request())
    desk.act(notice, "submit", desk.requester)
    desk.act(notice, "claim", desk.reviewer)
    with pytest.raises(Invalid, match="give the reasons"):
        desk.act(notice, "refuse", desk.reviewer)
    desk.act(
        notice, "refuse", desk.reviewer, reasons="Art. 3: the facts are predominantly political"
    )
    assert notice.status is NoticeStatus.refused
    assert notice.reasons == "Art. 3: the facts are predominantly political"
    assert notice.subject_record_id is None
    with pytest.raises(Conflict):
        desk.act(notice, "publish", desk.reviewer, review=REVIEW)


def test_returned_request_can_be_corrected_and_resubmitted(desk: Desk) -> None:
    notice = desk.create(red_request())
    desk.act(notice, "submit", desk.requester)
    desk.act(notice, "claim", desk.reviewer)
    desk.act(notice, "return", desk.reviewer, reasons="Give the judgment's date of finality")
    assert notice.status is NoticeStatus.draft
    assert notice.reviewer is None
    service.update(
        desk.db,
        principal=desk.requester,
        notice_id=notice.id,
        payload=red_request(title_name := "Korvalda Brenzo"),
        now=utcnow(),
    )
    assert title_name in notice.title
    desk.act(notice, "submit", desk.requester)
    assert notice.status is NoticeStatus.submitted


def test_four_eyes(desk: Desk) -> None:
    """The requester never reviews their own request, even at the secretariat."""
    own = desk.create(red_request(), by=desk.reviewer)
    desk.act(own, "submit", desk.reviewer)
    with pytest.raises(Forbidden, match="cannot review their own"):
        desk.act(own, "claim", desk.reviewer)
    desk.act(own, "claim", desk.reviewer2)
    assert own.reviewer == "sg.reviewer2"
    notice = desk.create(red_request())
    desk.act(notice, "submit", desk.requester)
    # Neither an officer of the secretariat nor a supervisor of another agency reviews.
    with pytest.raises(Forbidden):
        desk.act(notice, "claim", desk.sg_officer)
    with pytest.raises(Forbidden):
        desk.act(notice, "claim", desk.de_supervisor)
    desk.act(notice, "claim", desk.reviewer)
    with pytest.raises(Forbidden, match=r"under review by sg\.reviewer"):
        desk.act(notice, "publish", desk.reviewer2, review=REVIEW)


def test_nothing_is_published_without_a_completed_review(desk: Desk) -> None:
    notice = desk.create(red_request())
    desk.act(notice, "submit", desk.requester)
    desk.act(notice, "claim", desk.reviewer)
    with pytest.raises(Invalid, match="completed review checklist"):
        desk.act(notice, "publish", desk.reviewer)
    failing = REVIEW.model_copy(update={"art3_compliant": False})
    with pytest.raises(Invalid, match="contrary to Article 3"):
        desk.act(notice, "publish", desk.reviewer, review=failing)
    with pytest.raises(ValueError, match="at least 20 characters"):
        ReviewIn(
            art3_compliant=True,
            art3_reasoning="fine",
            art2_compliant=True,
            art2_reasoning="also fine, no concern at all",
        )
    assert notice.status is NoticeStatus.in_review
    assert notice.entity_id is None


def test_only_the_requesting_agency_submits_extends_and_withdraws(desk: Desk) -> None:
    notice = desk.create(red_request())
    with pytest.raises(NotFound):  # a draft is not shown outside its agency
        desk.act(notice, "submit", desk.fr_officer)
    with pytest.raises(Forbidden):  # the secretariat sees it, but does not submit it
        desk.act(notice, "submit", desk.reviewer)
    desk.act(notice, "submit", desk.de_supervisor)  # a colleague of the requester may
    desk.act(notice, "claim", desk.reviewer)
    desk.act(notice, "publish", desk.reviewer, review=REVIEW)
    with pytest.raises(Forbidden):
        desk.act(notice, "extend", desk.fr_officer, reasons="we want it")
    with pytest.raises(Forbidden):
        desk.act(notice, "withdraw", desk.reviewer, reasons="no")


def test_illegal_transitions_answer_conflict(desk: Desk) -> None:
    notice = desk.create(red_request())
    for action in ("claim", "publish", "extend", "suspend", "reinstate", "cancel"):
        with pytest.raises(Conflict, match=f"cannot {action} a draft notice"):
            desk.act(notice, action, desk.reviewer, reasons="because", review=REVIEW)
    desk.act(notice, "submit", desk.requester)
    desk.act(notice, "claim", desk.reviewer)
    desk.act(notice, "publish", desk.reviewer, review=REVIEW)
    desk.act(notice, "cancel", desk.requester, reasons="The subject was arrested in Lyon")
    with pytest.raises(Conflict, match="cannot publish a cancelled notice"):
        desk.act(notice, "publish", desk.reviewer, review=REVIEW)
    with pytest.raises(Conflict):
        desk.act(notice, "reinstate", desk.reviewer, reasons="oops")
    with pytest.raises(Conflict):
        service.update(
            desk.db,
            principal=desk.requester,
            notice_id=notice.id,
            payload=red_request(),
            now=utcnow(),
        )


def test_suspension_and_reinstatement_switch_the_subject_off_and_on(desk: Desk) -> None:
    notice = desk.publish(red_request())
    with pytest.raises(Forbidden):  # the requester does not suspend; the secretariat does
        desk.act(notice, "suspend", desk.requester, reasons="Art. 3 complaint received")
    # Once published, any reviewer of the secretariat may act, not only the one who published.
    desk.act(notice, "suspend", desk.reviewer2, reasons="Art. 3 complaint under examination")
    assert notice.status is NoticeStatus.suspended
    assert record_status(desk, notice) is RecordStatus.blocked
    desk.act(notice, "reinstate", desk.reviewer, reasons="Complaint examined and rejected")
    assert notice.status is NoticeStatus.published
    assert record_status(desk, notice) is RecordStatus.active


@pytest.mark.parametrize("action", ["cancel", "withdraw"])
def test_ending_a_notice_blocks_its_subject(desk: Desk, action: str) -> None:
    notice = desk.publish(red_request())
    desk.act(notice, action, desk.requester, reasons="The subject was extradited")
    assert notice.status.value == {"cancel": "cancelled", "withdraw": "withdrawn"}[action]
    assert record_status(desk, notice) is RecordStatus.blocked
    assert history(desk, notice)[-1] == (action, "published", notice.status.value)


def test_the_secretariat_may_cancel_too(desk: Desk) -> None:
    notice = desk.publish(red_request())
    desk.act(notice, "cancel", desk.reviewer, reasons="Warrant withdrawn by the issuing court")
    assert notice.status is NoticeStatus.cancelled
    other = desk.publish(red_request())
    with pytest.raises(Forbidden):
        desk.act(other, "cancel", desk.fr_officer, reasons="not ours")


def test_withdrawal_before_publication(desk: Desk) -> None:
    notice = desk.create(red_request())
    desk.act(notice, "submit", desk.requester)
    desk.act(notice, "withdraw", desk.requester, reasons="Subject arrested at home")
    assert notice.status is NoticeStatus.withdrawn
    assert notice.subject_record_id is None


def test_expiry_review_task_and_extension(desk: Desk, operator) -> None:
    notice = desk.publish(red_request())
    assert notice.expires_at is not None

    def sweep(now):
        report = service.sweep(desk.db, principal=operator, now=now)
        desk.db.commit()
        return report

    assert sweep(utcnow()).reminded == 0
    # Six months before expiry, the requester must re-assess (RPD Art. 50).
    soon = notice.expires_at - timedelta(days=150)
    report = sweep(soon)
    assert report.reminded == 1
    assert report.expired == 0
    task = desk.db.scalars(select(Task).where(Task.subject_id == str(notice.id))).one()
    assert "extend it with reasons or let it expire" in task.title
    assert task.done_at is None
    assert sweep(soon).reminded == 0  # once
    with pytest.raises(Invalid, match="give the reasons"):
        desk.act(notice, "extend", desk.requester, now=soon)
    old_expiry = notice.expires_at
    desk.act(
        notice, "extend", desk.requester, reasons="Subject still at large; warrant valid", now=soon
    )
    assert notice.status is NoticeStatus.published
    assert (notice.expires_at - old_expiry).days in range(1825, 1828)
    desk.db.refresh(task)
    assert task.done_at is not None
    assert "extended" in task.outcome
    record = desk.db.get(Record, notice.subject_record_id)
    desk.db.refresh(record)
    assert record.review_due == notice.expires_at.date()
    # Without a decision, the notice expires by itself and its subject stops hitting.
    report = sweep(notice.expires_at + timedelta(minutes=1))
    assert report.expired == 1
    assert report.reminded == 1
    desk.db.refresh(notice)
    assert notice.status is NoticeStatus.expired
    assert record_status(desk, notice) is RecordStatus.blocked
    assert history(desk, notice)[-1] == ("expire", "published", "expired")
