"""The demo's judicial cooperation: requests between the demo countries' central authorities
in every state, two refusals on different coded grounds with reasons after consultation, an
extradition resting on a Red Notice and a recognition of the asset chapter's order that
resolve, requests that do not exist for authorities on neither side, response times per pair
of countries matching figures worked out here from the rows, and the sweep's tasks."""

from __future__ import annotations

from statistics import median

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.demo import chapters
from palermo.errors import NotFound
from palermo.exchange import reading
from palermo.exchange.keys import Keyring
from palermo.identity import repository
from palermo.identity.principal import Principal
from palermo.identity.service import principal_for
from palermo.judicial import deadlines, requests, statistics
from palermo.judicial.lifecycle import FINAL, Ground, RequestKind, Status
from palermo.judicial.treaties import packaged
from palermo.models.assets import AssetOrder
from palermo.models.base import utcnow
from palermo.models.cases import CaseMember
from palermo.models.identity import Agency
from palermo.models.judicial import JudicialRequest
from palermo.models.notices import Notice
from palermo.models.records import Notification
from palermo.models.tasks import Task
from palermo.policy import judicial as policy
from tests.demo.conftest import Built


def who(db: Session, username: str) -> Principal:
    user = repository.user_by_username(db, username)
    assert user is not None, username
    return principal_for(user, channel="session")


def request_of(db: Session, reference: str) -> JudicialRequest:
    return db.scalars(select(JudicialRequest).where(JudicialRequest.reference == reference)).one()


def code_of(db: Session, agency_id: object) -> str:
    code = db.scalar(select(Agency.code).where(Agency.id == agency_id))
    assert code is not None
    return code


def test_the_chapter_comes_after_cases() -> None:
    names = [name for name, _ in chapters.CHAPTERS]
    assert names.index("judicial cooperation") == names.index("cases and joint investigations") + 1


def test_every_status_every_kind_and_several_legal_bases(db: Session, demo: Built) -> None:
    found = db.scalars(select(JudicialRequest)).all()
    assert 12 <= len(found) <= 16
    assert len(found) == len(demo.facts["judicial"]["requests"])
    assert {r.status for r in found} == set(Status)
    assert {r.kind for r in found} == set(RequestKind)
    assert {r.treaty for r in found} >= {"UNTOC", "UN1988", "EIO", "EAW", "EU2018_1805", "IACMLA"}
    assert len({r.requesting_country for r in found} | {r.requested_country for r in found}) >= 8
    for request in found:
        if request.status is Status.in_execution:
            assert requests.parts(db, request)
        if request.status is Status.answered:
            assert request.conditions["speciality"]
        if request.status in FINAL:
            assert request.closed_at is not None
    assert any(r.conditions.get("confidentiality") for r in found)
    # EIOs go between the EU's member states, the Inter-American convention within the
    # Americas, a European arrest warrant is surrender between member states.
    eu = packaged().treaty("EIO").members or frozenset()
    for request in found:
        if request.treaty in ("EIO", "EAW", "EU2018_1805"):
            assert {request.requesting_country, request.requested_country} <= eu
        if request.treaty == "EAW":
            assert request.kind is RequestKind.extradition


def test_refusals_give_a_coded_ground_and_reasons_after_consultation(
    db: Session, demo: Built
) -> None:
    refused = [request_of(db, ref) for ref in demo.facts["judicial"]["refused"]]
    assert {r.status for r in refused} == {Status.refused}
    assert {r.ground for r in refused} == {Ground.nationality, Ground.domestic_prohibition}
    for request in refused:
        assert request.reasons is not None
        assert len(request.reasons) > 300
        assert request.consulted_on is not None
        steps = [e.step for e in requests.events(db, request)]
        assert steps[-2:] == ["consult", "refuse"]
        began = requests.events(db, request)[-2].at.date()
        assert began <= request.consulted_on <= request.status_since.date()
    nationality = next(r for r in refused if r.ground is Ground.nationality)
    assert nationality.kind is RequestKind.extradition
    assert nationality.persons[0]["nationality"] == nationality.requested_country
    privilege = next(r for r in refused if r.ground is Ground.domestic_prohibition)
    assert "art. 218 Sv" in (privilege.reasons or "")


def test_the_extradition_rests_on_the_leaders_red_notice(db: Session, demo: Built) -> None:
    facts = demo.facts["judicial"]["red_notice_extradition"]
    request = request_of(db, facts["request"])
    assert request.kind is RequestKind.extradition
    assert request.status is Status.in_execution
    assert str(request.notice_id) == facts["notice"]
    notice = db.get(Notice, request.notice_id)
    assert notice is not None
    assert notice.kind.value == "red"
    assert notice.subject is not None
    assert notice.subject["properties"]["name"] == [facts["person"]]
    assert request.persons[0]["name"] == facts["person"]
    assert code_of(db, notice.requesting_agency_id) == f"NCB-{request.requesting_country}"
    assert notice.particulars["warrant_reference"] in request.proceedings
    assert request.dual_criminality is not None
    assert request.dual_criminality["holds"] is True
    assert code_of(db, request.executing_agency_id) == "NCB-ES"
    assert len(requests.parts(db, request)) == 2


def test_the_recognition_carries_the_dutch_order_on_the_dubai_apartment(
    db: Session, demo: Built
) -> None:
    facts = demo.facts["judicial"]["recognition"]
    request = request_of(db, facts["request"])
    assert (request.kind, request.status) == (RequestKind.recognition, Status.answered)
    order = db.get(AssetOrder, request.asset_order_id)
    assert order is not None
    assert str(order.id) == facts["order"]
    assert order.judicial_reference == facts["judicial_reference"]
    assert (order.country, request.requesting_country, request.requested_country) == (
        "NL",
        "NL",
        "AE",
    )
    [recognition] = order.recognitions
    assert recognition.country == "AE"
    assert recognition.decided_on is not None
    assert request.sent_at is not None
    assert request.closed_at is not None
    assert request.sent_at.date() <= recognition.decided_on <= request.closed_at.date()
    assert recognition.decided_on in {p.executed_on for p in requests.parts(db, request)}
    assert request.conditions["confidentiality"]
    # The Estepona flat's seizure waits for Spain, under its own recognition request.
    waiting = [
        r
        for r in db.scalars(
            select(JudicialRequest).where(JudicialRequest.asset_order_id.is_not(None))
        )
        if r is not request
    ]
    assert [(r.requested_country, r.status) for r in waiting] == [("ES", Status.acknowledged)]


def test_authorities_on_neither_side_get_a_404(db: Session, demo: Built) -> None:
    facts = demo.facts["judicial"]
    outsider = facts["outsider"]
    request = request_of(db, outsider["request"])
    stranger = who(db, outsider["username"])
    assert code_of(db, stranger.agency_id) not in {
        code_of(db, request.requesting_agency_id),
        code_of(db, request.requested_agency_id),
    }
    with pytest.raises(NotFound):
        policy.request_for(db, stranger, request.id)
    with pytest.raises(NotFound):
        requests.find(db, stranger, request.reference)
    # Each side sees it, the executing police too.
    for username in ("nl-airs.officer", "co-fgn.officer", "co-dijin.officer"):
        assert policy.request_for(db, who(db, username), request.id) is request
    # A draft is its requester's alone, even for the authority it will go to.
    draft = request_of(db, facts["unseen_draft"]["request"])
    assert draft.status is Status.draft
    with pytest.raises(NotFound):
        policy.request_for(db, who(db, facts["unseen_draft"]["username"]), draft.id)


def test_harbours_requests_are_filed_under_its_reference(db: Session, demo: Built) -> None:
    facts = demo.facts["judicial"]
    harbour = facts["harbour"]
    filed = [request_of(db, ref) for ref in facts["filed_under_harbour"]]
    assert len(filed) >= 4
    member = db.get(CaseMember, (filed[0].case_id, who(db, "nl-airs.officer").agency_id))
    assert member is not None
    assert member.role.value == "observer"
    keyring = Keyring.of(demo.settings)
    sent = reading.listing(
        db, keyring, principal=who(db, "nl-airs.officer"), folder="sent", case_ref=harbour
    )
    assert {m.id for m in sent} == {r.message_id for r in filed if r.sent_at is not None}
    assert all(m.case_ref == harbour for m in sent)
    received = reading.listing(
        db, keyring, principal=who(db, "co-fgn.officer"), folder="inbox", case_ref=harbour
    )
    assert {m.id for m in received} == {
        r.message_id for r in filed if r.requested_country == "CO" and r.sent_at is not None
    }


def test_response_times_for_one_pair_match_the_rows(db: Session, demo: Built) -> None:
    """Netherlands → Colombia, worked out from the rows: the JIT set-up acknowledged after
    4 days and answered after 30; the bank records acknowledged after 12, in execution and
    past the date asked. Their treaty sets no time limits, so only that date is owed."""
    requesting, requested = demo.facts["judicial"]["pair"]
    today = utcnow().date()
    rows = db.execute(
        select(
            JudicialRequest.sent_at,
            JudicialRequest.acknowledged_at,
            JudicialRequest.closed_at,
            JudicialRequest.status,
            JudicialRequest.requested_by,
            JudicialRequest.treaty,
        ).where(
            JudicialRequest.requesting_country == requesting,
            JudicialRequest.requested_country == requested,
            JudicialRequest.sent_at.is_not(None),
        )
    ).all()
    assert all(not packaged().treaty(row.treaty).deadlines for row in rows)
    final = (Status.answered, Status.refused, Status.withdrawn)

    def days(later: object, sent: object) -> int:
        assert later is not None
        return (later.date() - sent.date()).days  # type: ignore[attr-defined]

    acknowledged = [days(r.acknowledged_at, r.sent_at) for r in rows if r.acknowledged_at]
    closed = [
        days(r.closed_at, r.sent_at) for r in rows if r.status in (Status.answered, Status.refused)
    ]
    still_open = [r for r in rows if r.status not in final]
    expected = (
        len(rows),
        sum(r.status is Status.answered for r in rows),
        sum(r.status is Status.refused for r in rows),
        sum(r.status is Status.withdrawn for r in rows),
        len(still_open),
        sum(r.requested_by is not None and r.requested_by < today for r in still_open),
        float(median(acknowledged)),
        float(median(closed)),
    )
    assert expected == (2, 1, 0, 0, 1, 1, 8.0, 30.0)

    figures = statistics.response_times(db, who(db, "nl-airs.officer"), today=today)
    pair = next(f for f in figures if (f.requesting, f.requested) == (requesting, requested))
    assert (
        pair.sent,
        pair.answered,
        pair.refused,
        pair.withdrawn,
        pair.open,
        pair.overdue,
        pair.median_days_to_acknowledge,
        pair.median_days_to_close,
    ) == expected
    # Several pairs, at different speeds, the slowest first.
    closing = [f.median_days_to_close for f in figures if f.median_days_to_close is not None]
    assert len(closing) >= 5
    assert len(set(closing)) == len(closing)
    assert closing == sorted(closing, reverse=True)
    assert sum(f.overdue for f in figures) >= 3


def test_the_sweep_reminded_and_escalated(db: Session, demo: Built) -> None:
    facts = demo.facts["judicial"]
    tasks = db.scalars(
        select(Task).where(Task.kind.in_([deadlines.REMINDER, deadlines.OVERDUE]))
    ).all()
    assert len(tasks) == facts["sweep_warnings"] >= 4
    by_request: dict[str, set[str]] = {}
    for task in tasks:
        by_request.setdefault(task.subject_id.split("/")[0], set()).add(task.kind)
    for key, kind in (("overdue", deadlines.OVERDUE), ("reminded", deadlines.REMINDER)):
        for reference in facts[key]:
            request = request_of(db, reference)
            assert by_request[str(request.id)] == {kind}
            assert all(
                t.agency_id == request.requested_agency_id
                for t in tasks
                if t.subject_id.startswith(str(request.id))
            )
    # An escalation reaches both central authorities.
    late = request_of(db, facts["overdue"][0])
    told = set(
        db.scalars(
            select(Notification.agency_id).where(
                Notification.kind == deadlines.OVERDUE,
                Notification.message.contains(late.reference),
            )
        )
    )
    assert {late.requesting_agency_id, late.requested_agency_id} <= told


def test_nothing_is_dated_after_the_day_the_world_was_built(db: Session) -> None:
    """Dates are counted back from the build: what waits, waits; nothing lies ahead."""
    today = utcnow().date()
    for request in db.scalars(select(JudicialRequest)):
        for moment in (request.created_at, request.sent_at, request.acknowledged_at):
            assert moment is None or moment.date() <= today
        for part in requests.parts(db, request):
            assert part.executed_on <= today
