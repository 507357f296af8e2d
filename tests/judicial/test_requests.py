"""Requests between central authorities: every transition of the state machine, who takes
each step, the contents Palermo Art. 18(15) requires, the legal basis and dual criminality
checked when sent, and refusals only on a coded ground with reasons after consultation."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from palermo.errors import Conflict, Forbidden, Invalid, NotFound
from palermo.judicial import requests
from palermo.judicial.lifecycle import STEPS, Ground, Measure, Status, Step
from palermo.models.audit import AuditEvent
from palermo.models.exchange import Message
from palermo.models.judicial import JudicialRequest
from palermo.policy import judicial as policy
from tests.judicial.conftest import NOW, Desk, request_in

SIDE_OF = {Step.send: "nl", Step.withdraw: "nl", Step.execute: "dijin"}


def take(desk: Desk, request: JudicialRequest, step: Step) -> None:
    """Take `step` as the side it belongs to, with what it needs."""
    by = desk[SIDE_OF.get(step, "co")]
    db = desk.db
    if step is Step.send:
        desk.send(request)
    elif step is Step.assign:
        requests.assign(db, principal=by, request=request, agency_code="CO-DIJIN", now=NOW)
    elif step is Step.execute:
        if request.executing_agency_id is None:
            by = desk["co"]
        requests.execute_part(
            db,
            principal=by,
            request=request,
            measure=Measure.bank_records,
            executed_on=NOW.date(),
            summary="Statements 2024–2026 produced by Banco Andino",
            now=NOW,
        )
    elif step is Step.answer:
        requests.answer(
            db,
            principal=by,
            request=request,
            summary="Statements and the witness's hearing record",
            speciality="",
            confidentiality="Not to be disclosed to the account holder",
            now=NOW,
        )
    elif step is Step.refuse:
        requests.refuse(
            db,
            principal=by,
            request=request,
            ground=Ground.domestic_prohibition,
            reasons="Colombian law forbids producing these records without a judge's order.",
            consulted_on=NOW.date(),
            now=NOW,
        )
    else:
        requests.take_step(db, principal=by, request=request, step=step, now=NOW, note="why")


def test_a_request_from_draft_to_answer(desk: Desk) -> None:
    request = desk.draft()
    assert request.reference == "NL-OM/R/2026/0001"
    for step in (Step.send, Step.acknowledge, Step.assign, Step.execute, Step.execute):
        take(desk, request, step)
    assert request.status is Status.in_execution
    assert len(requests.parts(desk.db, request)) == 2
    take(desk, request, Step.answer)
    assert request.status is Status.answered
    assert request.closed_at == NOW
    assert request.conditions["speciality"].startswith("Only for the proceedings named")
    steps = [(e.step, e.from_status, e.to_status) for e in requests.events(desk.db, request)]
    assert steps == [
        ("draft", None, "draft"),
        ("send", "draft", "sent"),
        ("acknowledge", "sent", "acknowledged"),
        ("assign", "acknowledged", "assigned"),
        ("execute", "assigned", "in_execution"),
        ("execute", "in_execution", "in_execution"),
        ("answer", "in_execution", "answered"),
    ]


def test_the_request_travels_as_a_message_under_its_handling_code(desk: Desk) -> None:
    request = desk.send(desk.draft(urgent=True))
    message = desk.db.get(Message, request.message_id)
    assert message is not None
    header = message.header
    assert (header["recipients"], header["handling_code"], header["priority"]) == (
        ["CO-FGN"],
        "H1",
        "urgent",
    )
    assert (header["case"], header["reply_by"]) == (request.reference, "2026-09-30")
    assert request.dual_criminality is not None
    assert request.dual_criminality["holds"] is True


@pytest.mark.parametrize("step", [s for s in Step if s is not Step.resume])
@pytest.mark.parametrize("status", list(Status))
def test_every_transition_of_the_state_machine(desk: Desk, step: Step, status: Status) -> None:
    """From every status, each step either leads where the machine says or is a conflict
    naming the steps possible from there."""
    request = desk.draft()
    if status is not Status.draft:
        desk.send(request)
        # As if assigned to the Colombian police (any status past acknowledgement may be).
        request.executing_agency_id = desk["dijin"].agency_id
    request.status, request.status_since = status, NOW
    sources, target, _ = STEPS[step]
    if status in sources:
        take(desk, request, step)
        assert request.status is target
    else:
        with pytest.raises(Conflict, match=f"is {status.value}: no {step.value}"):
            take(desk, request, step)


def test_a_consultation_resumes_where_the_request_stood(desk: Desk) -> None:
    request = desk.send(desk.draft())
    for step in (Step.acknowledge, Step.assign, Step.consult, Step.resume):
        take(desk, request, step)
    assert request.status is Status.assigned
    with pytest.raises(Invalid, match="what the consultation is about"):
        requests.take_step(
            desk.db, principal=desk["co"], request=request, step=Step.consult, now=NOW
        )


def test_each_step_belongs_to_its_side(desk: Desk) -> None:
    request = desk.draft()
    with pytest.raises(Forbidden, match="requesting authority"):
        desk.send(request, by="co")
    desk.send(request)
    with pytest.raises(Forbidden, match="requested authority"):
        requests.take_step(
            desk.db, principal=desk["nl"], request=request, step=Step.acknowledge, now=NOW
        )
    for outsider in ("fr", "police", "es", "dijin"):  # DIJIN before it is assigned
        with pytest.raises(NotFound):
            policy.request_for(desk.db, desk[outsider], request.id)
    take(desk, request, Step.acknowledge)
    take(desk, request, Step.assign)
    assert policy.request_for(desk.db, desk["dijin"], request.id) is request


def test_only_central_authorities_send_and_receive(desk: Desk) -> None:
    with pytest.raises(Forbidden, match="central authorities"):
        desk.draft(by="police")
    with pytest.raises(Invalid, match="CO-DIJIN is not a central authority"):
        desk.draft(requested="CO-DIJIN")


def test_missing_contents_are_named(desk: Desk) -> None:
    request = desk.draft(facts="", purpose=" ", measures=[])
    with pytest.raises(Invalid) as refused:
        desk.send(request)
    message = refused.value.message
    assert "facts: a summary of the relevant facts (18(15)(c))" in message
    assert "purpose: the purpose for which" in message
    assert "measures: what the assistance is" in message
    assert request.status is Status.draft
    failure = desk.db.scalars(select(AuditEvent).where(AuditEvent.action == "judicial.send")).one()
    assert failure.outcome == "failure"
    # Service of documents alone needs no facts.
    served = desk.draft(facts="", measures=["service_of_documents"])
    desk.send(served)
    assert served.status is Status.sent


def test_no_applicable_legal_basis_is_refused_with_its_reasons(desk: Desk) -> None:
    request = desk.draft(treaty="ETS030")
    with pytest.raises(
        Invalid, match="ETS030 is no legal basis for this request: CO is not a party"
    ):
        desk.send(request)
    with pytest.raises(Invalid, match="unknown legal basis 'NOPE'"):
        desk.send(desk.draft(treaty="NOPE"))


def test_dual_criminality_is_required_for_extradition(desk: Desk) -> None:
    wanted = [{"name": "Julián Restrepo Ochoa", "nationality": "CO"}]
    laundering = desk.draft(kind="extradition", measures=[], persons=wanted, offences=["07"])
    with pytest.raises(Invalid, match=r"dual criminality fails: 07 .*no offence of CO"):
        desk.send(laundering)
    unnamed = desk.draft(kind="extradition", measures=[], persons=wanted, offences=[])
    with pytest.raises(Invalid, match="requires dual criminality"):
        desk.send(unnamed)
    drugs = desk.draft(kind="extradition", measures=[], persons=wanted, offences=["0601"])
    assert desk.send(drugs).status is Status.sent


def test_refusal_needs_consultation_a_coded_ground_and_reasons(desk: Desk) -> None:
    request = desk.send(desk.draft())
    take(desk, request, Step.acknowledge)
    with pytest.raises(Conflict, match="no refuse from there"):
        take(desk, request, Step.refuse)
    take(desk, request, Step.consult)
    with pytest.raises(ValueError, match="'fiscal'"):
        Ground("fiscal")  # fiscal matters are no ground (Arts. 16(15), 18(22))
    cases = [
        (Ground.domestic_prohibition, "No.", NOW.date(), "gives its reasons"),
        (
            Ground.nationality,
            "A national of ours: we prosecute at home.",
            NOW.date(),
            "extradition only",
        ),
        (
            Ground.domestic_prohibition,
            "Records need a judge's order here.",
            date(2026, 5, 1),
            "not within the consultation",
        ),
    ]
    for ground, reasons, consulted_on, why in cases:
        with pytest.raises(Invalid, match=why):
            requests.refuse(
                desk.db,
                principal=desk["co"],
                request=request,
                ground=ground,
                reasons=reasons,
                consulted_on=consulted_on,
                now=NOW,
            )
    take(desk, request, Step.refuse)
    assert (request.status, request.ground) == (Status.refused, Ground.domestic_prohibition)
    refusals = desk.db.scalars(
        select(AuditEvent.outcome).where(AuditEvent.action == "judicial.refuse")
    ).all()
    assert refusals.count("failure") == 4  # before the consultation, and the three above


def test_a_draft_is_revised_until_it_is_sent(desk: Desk) -> None:
    request = desk.draft(facts="", treaty="ETS030")
    revised = requests.revise(
        desk.db,
        principal=desk["nl"],
        request=request,
        payload=request_in(requested="ES-MJ", treaty="EIO", persons=[]),
        now=NOW,
    )
    assert (revised.requested_country, revised.treaty) == ("ES", "EIO")
    assert requests.missing_contents(revised) == []
    assert [e.step for e in requests.events(desk.db, request)] == ["draft", "revise"]
    with pytest.raises(Forbidden, match="central authorities"):
        requests.revise(
            desk.db, principal=desk["police"], request=request, payload=request_in(), now=NOW
        )
    desk.send(request)
    with pytest.raises(Conflict, match="only a draft is revised"):
        requests.revise(
            desk.db, principal=desk["nl"], request=request, payload=request_in(), now=NOW
        )
