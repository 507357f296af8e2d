"""A screening hit on a published notice reaches the requesting agency as a hit report
and a task to confirm the identity; the answer goes back to the querying agency."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from palermo.errors import Conflict, NotFound
from palermo.models.base import utcnow
from palermo.models.notices import NoticeHit
from palermo.models.records import Notification
from palermo.models.tasks import Task
from palermo.notices import hits
from palermo.policy.records import AccessContext
from palermo.screening import service as screening
from palermo.screening.scoring import ScreeningQuery
from palermo.tasks import open_tasks
from tests.notices.conftest import Desk, red_request, unique_name

BORDER = AccessContext.of("border_management", "Passenger check, Lyon Saint-Exupéry, flight AF1523")


def screen(desk: Desk, who, name: str, birth_date: str = "1979-04-11"):
    found = screening.screen(
        desk.db,
        principal=who,
        context=BORDER,
        query=ScreeningQuery.of(name, birth_date=birth_date),
        now=utcnow(),
    )
    desk.db.commit()
    return found


def reports(desk: Desk, notice) -> list[NoticeHit]:
    return list(desk.db.scalars(select(NoticeHit).where(NoticeHit.notice_id == notice.id)))


def test_a_hit_reaches_the_requester_and_the_answer_goes_back(desk: Desk) -> None:
    name = unique_name()
    notice = desk.publish(red_request(name))
    found = screen(desk, desk.police, name)
    assert [h.record_id for h in found if h.alert] == [notice.subject_record_id]
    (report,) = reports(desk, notice)
    assert (report.querying_agency, report.country, report.username) == (
        "FR-POL",
        "FR",
        "fr.police",
    )
    assert (report.purpose, report.status) == ("border_management", "to_confirm")
    assert "Lyon Saint-Exupéry" in report.justification
    assert report.score >= 0.8
    told = desk.db.scalars(select(Notification).where(Notification.kind == "notice.hit")).all()
    assert len(told) == 1
    assert told[0].agency_id == notice.requesting_agency_id
    assert "fr.police of FR-POL (FR)" in told[0].message
    assert "border_management" in told[0].message
    (task,) = open_tasks(desk.db, desk.requester)
    assert task.title.startswith("Confirm identity: FR-POL (FR) hit Red Notice")
    assert task.link == f"/notices/{notice.id}#hits"

    with pytest.raises(NotFound):  # only the requesting agency decides
        hits.decide(
            desk.db,
            principal=desk.police,
            hit_id=report.id,
            confirmed=True,
            note="It is him",
            now=utcnow(),
        )
    hits.decide(
        desk.db,
        principal=desk.requester,
        hit_id=report.id,
        confirmed=True,
        note="Fingerprints match (AFIS DE-2026-4471)",
        now=utcnow(),
    )
    desk.db.commit()
    assert report.status == "confirmed"
    assert report.decided_by == "de.officer"
    assert open_tasks(desk.db, desk.requester) == []
    closed = desk.db.get(Task, task.id)
    assert closed.outcome.startswith("the person is the one sought")
    answer = desk.db.scalars(
        select(Notification).where(Notification.kind == "notice.hit_decided")
    ).one()
    assert "is the subject of Red Notice" in answer.message
    assert "AFIS" in answer.message
    with pytest.raises(Conflict, match="already decided"):
        hits.decide(
            desk.db,
            principal=desk.requester,
            hit_id=report.id,
            confirmed=False,
            note="changed my mind",
            now=utcnow(),
        )


def test_no_hit_report_for_the_requesters_own_screening(desk: Desk) -> None:
    name = unique_name()
    notice = desk.publish(red_request(name))
    assert [h.record_id for h in screen(desk, desk.requester, name)] == [notice.subject_record_id]
    assert reports(desk, notice) == []


def test_a_weak_resemblance_is_no_hit_on_a_notice(desk: Desk) -> None:
    name = unique_name()
    notice = desk.publish(red_request(name))
    screen(desk, desk.police, name.split(" ")[1], birth_date="1950-01-01")
    assert reports(desk, notice) == []


def test_suspended_and_restricted_notices(desk: Desk) -> None:
    name = unique_name()
    notice = desk.publish(red_request(name))
    desk.act(notice, "suspend", desk.reviewer, reasons="Art. 3 complaint under examination")
    assert screen(desk, desk.police, name) == []
    assert reports(desk, notice) == []
    name = unique_name()
    restricted = red_request(name)
    restricted.public_extract, restricted.countries = False, ["FR"]
    notice = desk.publish(restricted)
    assert screen(desk, desk.ke_officer, name) == []  # Kenya is not a recipient
    assert [h.record_id for h in screen(desk, desk.police, name)] == [notice.subject_record_id]
    assert [r.querying_agency for r in reports(desk, notice)] == ["FR-POL"]
