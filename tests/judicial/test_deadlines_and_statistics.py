"""Deadlines from the legal basis and the requester, reminders and escalation by the daily
sweep, and response times per pair of countries against figures worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from palermo.judicial import deadlines, requests, statistics
from palermo.judicial.deadlines import Milestone
from palermo.judicial.lifecycle import Ground, RequestKind, Status, Step
from palermo.models.judicial import JudicialRequest
from palermo.models.records import Notification
from palermo.models.tasks import Task
from tests.judicial.conftest import Desk, request_in


def at(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def sent(desk: Desk, on: str, **fields: object) -> JudicialRequest:
    request = requests.draft(
        desk.db, principal=desk["nl"], payload=request_in(**fields), now=at(on)
    )
    return requests.send(
        desk.db,
        principal=desk["nl"],
        keyring=desk.keyring,
        request=request,
        max_attachment_bytes=desk.settings.max_attachment_bytes,
        now=at(on),
    )


def step(desk: Desk, request: JudicialRequest, what: Step, on: str, by: str = "co") -> None:
    requests.take_step(
        desk.db, principal=desk[by], request=request, step=what, now=at(on), note="as agreed"
    )


def test_deadlines_come_from_the_basis_and_the_requester(desk: Desk) -> None:
    """An EIO from the Netherlands to Spain: a week to acknowledge, 30 days to decide, 90 to
    execute (Directive 2014/41/EU), and the date the Dutch asked for."""
    request = sent(
        desk,
        "2026-06-01",
        requested="ES-MJ",
        treaty="EIO",
        requested_by="2026-09-30",
        persons=[],
    )
    found = deadlines.deadlines(request, requests.events(desk.db, request))
    assert [(d.milestone, d.due_on) for d in found] == [
        (Milestone.acknowledge, date(2026, 6, 8)),
        (Milestone.decide, date(2026, 7, 1)),
        (Milestone.execute, date(2026, 8, 30)),
        (Milestone.requested, date(2026, 9, 30)),
    ]
    assert found[0].basis == "EIO Arts. 16(1), 12(3), 12(4)"
    step(desk, request, Step.acknowledge, "2026-06-04", by="es")
    found = deadlines.deadlines(request, requests.events(desk.db, request))
    assert found[0].met_on == date(2026, 6, 4)
    assert deadlines.next_due(found) == found[1]
    # Under a convention without time limits only the requester's date counts.
    plain = sent(desk, "2026-06-01", requested_by="2026-07-15")
    assert [d.milestone for d in deadlines.deadlines(plain, [])] == [Milestone.requested]


def test_the_sweep_reminds_then_escalates_once_each(desk: Desk) -> None:
    request = sent(desk, "2026-06-01", requested="ES-MJ", treaty="EIO", persons=[])
    sweep = deadlines.sweep
    assert sweep(desk.db, principal=desk["nl"], reminder_days=7, now=at("2026-06-03")) == 1
    assert sweep(desk.db, principal=desk["nl"], reminder_days=7, now=at("2026-06-04")) == 0
    # 9 June: not acknowledged within the week — escalated to both central authorities.
    assert sweep(desk.db, principal=desk["nl"], reminder_days=7, now=at("2026-06-09")) == 1
    assert sweep(desk.db, principal=desk["nl"], reminder_days=7, now=at("2026-06-10")) == 0
    kinds = desk.db.scalars(
        select(Task.kind).where(Task.subject_id.startswith(str(request.id))).order_by(Task.kind)
    ).all()
    assert kinds == [deadlines.OVERDUE, deadlines.REMINDER]
    told = desk.db.execute(
        select(Notification.kind, Notification.agency_id).where(
            Notification.kind.in_([deadlines.OVERDUE, deadlines.REMINDER])
        )
    ).all()
    nl, es = desk["nl"].agency_id, desk["es"].agency_id
    assert sorted(told, key=str) == sorted(
        [(deadlines.REMINDER, es), (deadlines.OVERDUE, es), (deadlines.OVERDUE, nl)], key=str
    )
    # Once acknowledged and answered, nothing more is owed.
    step(desk, request, Step.acknowledge, "2026-06-10", by="es")
    requests.assign(
        desk.db, principal=desk["es"], request=request, agency_code="ES-MJ", now=at("2026-06-11")
    )
    requests.answer(
        desk.db,
        principal=desk["es"],
        request=request,
        summary="Done",
        speciality="",
        confidentiality="",
        now=at("2026-06-12"),
    )
    assert sweep(desk.db, principal=desk["nl"], reminder_days=30, now=at("2026-08-29")) == 0


def test_response_times_per_pair_of_countries(desk: Desk) -> None:
    """By hand. Netherlands → Colombia: three sent; the first acknowledged after 2 days and
    answered after 40, the second acknowledged after 10 and refused after 30, the third never
    acknowledged and past its requested date: medians (2, 10) → 6 and (40, 30) → 35.
    Netherlands → Spain: one, acknowledged after a day, withdrawn: no closing time."""
    first = sent(desk, "2026-03-01")
    step(desk, first, Step.acknowledge, "2026-03-03")
    requests.assign(
        desk.db, principal=desk["co"], request=first, agency_code="CO-DIJIN", now=at("2026-03-05")
    )
    requests.answer(
        desk.db,
        principal=desk["co"],
        request=first,
        summary="Statements produced",
        speciality="",
        confidentiality="",
        now=at("2026-04-10"),
    )
    second = sent(desk, "2026-03-01")
    step(desk, second, Step.acknowledge, "2026-03-11")
    step(desk, second, Step.consult, "2026-03-20")
    requests.refuse(
        desk.db,
        principal=desk["co"],
        request=second,
        ground=Ground.domestic_prohibition,
        reasons="The bank records need a judge's order, which was refused.",
        consulted_on=date(2026, 3, 25),
        now=at("2026-03-31"),
    )
    sent(desk, "2026-04-01", requested_by="2026-05-01")
    spain = sent(desk, "2026-05-01", requested="ES-MJ", treaty="EIO", persons=[])
    step(desk, spain, Step.acknowledge, "2026-05-02", by="es")
    step(desk, spain, Step.withdraw, "2026-05-06", by="nl")

    figures = statistics.response_times(desk.db, desk["fr"], today=date(2026, 6, 1))
    assert [(f.requesting, f.requested) for f in figures] == [("NL", "CO"), ("NL", "ES")]
    colombia, spain_figures = figures
    assert (
        colombia.sent,
        colombia.answered,
        colombia.refused,
        colombia.withdrawn,
        colombia.open,
        colombia.overdue,
    ) == (3, 1, 1, 0, 1, 1)
    assert colombia.median_days_to_acknowledge == 6.0
    assert colombia.median_days_to_close == 35.0
    assert (spain_figures.sent, spain_figures.withdrawn, spain_figures.open) == (1, 1, 0)
    assert spain_figures.median_days_to_acknowledge == 1.0
    assert spain_figures.median_days_to_close is None


def test_the_recognition_limit_is_for_confiscation_orders_only() -> None:
    """Regulation 2018/1805's 45 days (Art. 20(1)) are for confiscation orders; a freezing
    order is not held to them."""
    request = JudicialRequest(
        reference="NL-AIRS/R/2026/0009",
        kind=RequestKind.recognition,
        treaty="EU2018_1805",
        status=Status.sent,
        sent_at=at("2026-06-01"),
        closed_at=None,
        acknowledged_at=None,
        requested_by=None,
    )
    confiscation = deadlines.deadlines(request, [], order_kind="confiscation")
    assert [(d.milestone, d.due_on) for d in confiscation] == [
        (Milestone.decide, date(2026, 7, 16))
    ]
    assert deadlines.deadlines(request, [], order_kind="freezing") == []
