"""The demo's cases: Operation Harbour open, its JIT in force, tasks in every status, an
authorisation about to expire, evidence handed over under signature and messages under the
case's reference; Operation Vizuina closed, with its action day's results in five
countries matching the figures the demo publishes."""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palermo.cases import actions, custody, evidence, handovers, jit, service, techniques
from palermo.cases import tasks as case_tasks
from palermo.cases.schemas import TallyOut
from palermo.cases.vocabulary import (
    ActionStatus,
    CaseStatus,
    HandoverStatus,
    JitStatus,
    MemberRole,
    ResultKind,
    TaskStatus,
    Technique,
)
from palermo.db import session_factory
from palermo.demo import chapters
from palermo.errors import Forbidden, NotFound
from palermo.exchange import crypto, keys, reading
from palermo.exchange.keys import Keyring, KeyUse
from palermo.identity import repository
from palermo.identity.principal import Principal
from palermo.identity.service import principal_for
from palermo.models.base import utcnow
from palermo.models.cases import ActionResult, Case, EvidenceHandover
from palermo.models.identity import Agency
from palermo.models.records import Record
from palermo.models.tasks import Task
from palermo.policy import cases as policy
from tests.demo.conftest import Built

# What the demo publishes of Vizuina's action day, country by country: people and places
# counted, and quantities by (kind, item, unit). The test adds them up itself.
A, S, Z = ResultKind.arrest, ResultKind.search, ResultKind.seizure
V, F = ResultKind.victim_safeguarded, ResultKind.asset_frozen
PUBLISHED: dict[str, dict[tuple[ResultKind, str, str], Decimal]] = {
    "RO": {
        (A, "", "count"): Decimal(5),
        (S, "", "count"): Decimal(7),
        (V, "", "count"): Decimal(2),
        (Z, "cash", "EUR"): Decimal("50550"),
        (Z, "cash", "RON"): Decimal("186000"),
        (Z, "mobile phones", "units"): Decimal(13),
        (Z, "vehicles", "units"): Decimal(2),
        (F, "bank balances", "EUR"): Decimal("96400.75"),
        (F, "real estate", "units"): Decimal(2),
    },
    "BG": {
        (A, "", "count"): Decimal(2),
        (S, "", "count"): Decimal(4),
        (V, "", "count"): Decimal(4),
        (Z, "cash", "EUR"): Decimal("18900"),
        (Z, "mobile phones", "units"): Decimal(6),
        (Z, "vehicles", "units"): Decimal(1),
    },
    "DE": {
        (A, "", "count"): Decimal(4),
        (S, "", "count"): Decimal(7),
        (V, "", "count"): Decimal(7),
        (Z, "cash", "EUR"): Decimal("63250"),
        (Z, "mobile phones", "units"): Decimal(11),
        (Z, "forged identity documents", "units"): Decimal(9),
        (Z, "cocaine", "kg"): Decimal("0.352"),
        (F, "bank balances", "EUR"): Decimal("214800.50"),
    },
    "FR": {
        (A, "", "count"): Decimal(2),
        (S, "", "count"): Decimal(3),
        (V, "", "count"): Decimal(3),
        (Z, "cash", "EUR"): Decimal("12300"),
        (Z, "mobile phones", "units"): Decimal(5),
    },
    "ES": {
        (A, "", "count"): Decimal(3),
        (S, "", "count"): Decimal(5),
        (V, "", "count"): Decimal(14),
        (Z, "cash", "EUR"): Decimal("27900"),
        (Z, "mobile phones", "units"): Decimal(4),
        (Z, "identity documents withheld from workers", "units"): Decimal(23),
        (F, "bank balances", "EUR"): Decimal("88000"),
    },
}
COUNTED = {A: "arrests", S: "searches", V: "victims_safeguarded"}


def who(db: Session, username: str) -> Principal:
    user = repository.user_by_username(db, username)
    assert user is not None, username
    return principal_for(user, channel="session")


def case_of(db: Session, demo: Built, which: str) -> Case:
    case = db.get(Case, uuid.UUID(demo.facts["cases"][which]["id"]))
    assert case is not None
    return case


def agency_id(db: Session, code: str) -> uuid.UUID:
    found = db.scalar(select(Agency.id).where(Agency.code == code))
    assert found is not None
    return found


def test_the_chapter_comes_after_asset_recovery() -> None:
    names = [name for name, _ in chapters.CHAPTERS]
    assert names.index("cases and joint investigations") == names.index("asset recovery") + 1


def test_harbour_is_open_with_its_jit_in_force_and_extended(db: Session, demo: Built) -> None:
    case = case_of(db, demo, "open")
    today = utcnow().date()
    detail = service.detail(db, who(db, "nl-np.officer"), case, now=utcnow())
    assert (detail.status, detail.lead, detail.reference) == (
        CaseStatus.open,
        "NL-NP",
        demo.facts["cases"]["open"]["reference"],
    )
    roles = {m.agency: m.role for m in detail.members}
    assert roles == {
        "NL-NP": MemberRole.lead,
        "CO-DIJIN": MemberRole.participant,
        "ES-UDYCO": MemberRole.participant,
        "EUROPOL": MemberRole.participant,
        "NL-FIU": MemberRole.participant,
        "US-DEA": MemberRole.observer,
        "NL-AIRS": MemberRole.observer,  # joins in the judicial-cooperation chapter
    }
    team = detail.jit
    assert team is not None
    assert team.reference == demo.facts["cases"]["open"]["jit"]
    assert (team.status, team.lapsed) == (JitStatus.in_force, False)
    assert {p.agency for p in team.parties} == {"NL-NP", "CO-DIJIN", "ES-UDYCO"}
    signed = [p.signed_on for p in team.parties]
    assert all(signed)
    assert team.in_force_on == max(d for d in signed if d)
    assert len({p.applicable_law for p in team.parties}) == 3
    [extension] = team.extensions
    assert extension.reason
    assert extension.new_end == team.ends_on > today
    assert extension.previous_end < extension.new_end
    assert team.in_force_on <= extension.agreed_on <= today


def test_harbours_tasks_stand_in_every_status_one_overdue(db: Session, demo: Built) -> None:
    case = case_of(db, demo, "open")
    found = service.tasks_out(db, case_tasks.tasks(db, case), utcnow().date())
    assert {t.status for t in found} == set(TaskStatus)
    numbers = demo.facts["cases"]["open"]["tasks"]
    assert [(t.number, t.agency) for t in found if t.overdue] == [(numbers["overdue"], "NL-FIU")]
    done = [t for t in found if t.status is TaskStatus.done]
    assert all(t.result for t in done)
    with_records = [t for t in done if t.result_records]
    assert with_records
    for record_id in with_records[0].result_records:
        assert db.get(Record, record_id) is not None
    # A task still to do also sits in its agency's own task list, until it is closed.
    listed = set(
        db.scalars(
            select(Task.subject_id).where(Task.kind == case_tasks.TASK_KIND, Task.done_at.is_(None))
        )
    )
    pending = {str(t.id) for t in found if t.status in (TaskStatus.open, TaskStatus.in_progress)}
    assert len(pending) == 3
    assert pending <= listed
    assert not ({str(t.id) for t in found} - pending) & listed


def test_the_controlled_delivery_is_about_to_expire(db: Session, demo: Built) -> None:
    today = utcnow().date()
    window = demo.settings.cases_authorisation_warning_days
    held = demo.facts["cases"]["open"]["authorisations"]
    due = techniques.expiring(db, who(db, "nl-np.officer"), within_days=window, today=today)
    assert [d.authorisation.reference for d in due] == [held["controlled_delivery"]]
    [delivery] = due
    assert delivery.authorisation.technique is Technique.controlled_delivery
    assert delivery.authorisation.jurisdictions == ["ES", "NL"]
    assert 0 < delivery.days_left <= window
    # Spain's interception holds beyond the window and Colombia's undercover operation ended
    # more than a month ago: no warning for either.
    for username in ("es-udyco.officer", "co-dijin.officer"):
        assert techniques.expiring(db, who(db, username), within_days=window, today=today) == []
    listed = service.authorisations_out(db, case_of(db, demo, "open"), today)
    by_reference = {a.reference: a for a in listed}
    taps = by_reference[held["electronic_surveillance"]]
    assert taps.days_left > window
    assert taps.activities
    cover = by_reference[held["undercover_operation"]]
    assert cover.days_left < -30
    assert cover.activities


def test_the_sweep_warns_the_dutch_police_once(demo: Built) -> None:
    session = session_factory(demo.engine)()
    try:
        now = utcnow()
        operator = who(session, "interpol.sysadmin")
        window = demo.settings.cases_authorisation_warning_days
        assert techniques.sweep(session, principal=operator, warning_days=window, now=now) == 1
        [warning] = session.scalars(select(Task).where(Task.kind == techniques.EXPIRY_TASK))
        assert warning.agency_id == agency_id(session, "NL-NP")
        held = demo.facts["cases"]["open"]["authorisations"]["controlled_delivery"]
        assert held in warning.title
        assert techniques.sweep(session, principal=operator, warning_days=window, now=now) == 0
    finally:
        session.rollback()
        session.close()


def test_cases_are_need_to_know(db: Session, demo: Built) -> None:
    harbour, vizuina = case_of(db, demo, "open"), case_of(db, demo, "closed")
    outsider = who(db, demo.facts["cases"]["open"]["outsider"])
    with pytest.raises(NotFound):
        policy.case_for(db, outsider, harbour.id)
    assert policy.case_for(db, outsider, vizuina.id) == vizuina
    with pytest.raises(NotFound):
        policy.case_for(db, who(db, "nl-np.officer"), vizuina.id)
    assert [c.reference for c in service.listing(db, outsider)] == [vizuina.reference]
    observer = who(db, "us-dea.officer")
    assert policy.case_for(db, observer, harbour.id) == harbour
    with pytest.raises(Forbidden, match="observers"):
        policy.contributor(db, observer, harbour)


def test_subjects_keep_their_owners_envelopes(db: Session, demo: Built) -> None:
    case = case_of(db, demo, "open")
    dutch = service.detail(db, who(db, "nl-np.officer"), case, now=utcnow())
    assert dutch.withheld_subjects == {"CO-DIJIN": 1}
    assert all(s.caption for s in dutch.subjects)
    spanish = service.detail(db, who(db, "es-udyco.officer"), case, now=utcnow())
    hits = [s for s in spanish.subjects if s.caption is None]
    assert hits
    assert {s.owner for s in hits} == {"CO-DIJIN"}
    assert len(spanish.subjects) == len(dutch.subjects) + 1


def test_members_write_under_the_case_reference(db: Session, demo: Built) -> None:
    reference = demo.facts["cases"]["open"]["reference"]
    found = reading.listing(
        db,
        Keyring.of(demo.settings),
        principal=who(db, "co-dijin.officer"),
        folder="all",
        case_ref=reference,
    )
    assert {m.sender for m in found} == {"NL-NP", "ES-UDYCO"}
    assert all(m.case_ref == reference for m in found)


def test_the_phone_is_handed_over_under_signature_and_received(db: Session, demo: Built) -> None:
    case = case_of(db, demo, "open")
    items = demo.facts["cases"]["open"]["evidence"]
    manifests = evidence.item_for(db, case, items["manifests"])
    phone = evidence.item_for(db, case, items["phone"])
    data, digest = evidence.stored_bytes(db, manifests)
    assert data is not None
    assert digest == manifests.sha256
    assert data.startswith(b"container,seal,vessel")
    assert b"MSCU 512345 6" in data
    assert phone.sha256 is None
    spain, netherlands = agency_id(db, "ES-UDYCO"), agency_id(db, "NL-NP")
    assert (phone.holder_agency_id, manifests.holder_agency_id) == (spain, netherlands)
    handover = db.get(EvidenceHandover, uuid.UUID(items["handover"]))
    assert handover is not None
    assert handover.status is HandoverStatus.received
    releasing, recipient = db.get(Agency, netherlands), db.get(Agency, spain)
    assert releasing is not None
    assert recipient is not None
    handovers.check_statement(
        db,
        item=phone,
        statement=handover.statement,
        kid=handover.kid,
        signature=handover.signature,
        releasing=releasing,
        recipient=recipient,
    )
    assert handover.receipt is not None
    assert handover.receipt_signature is not None
    assert handover.receipt_kid is not None
    countersigning = keys.public_of(db, handover.receipt_kid, spain, KeyUse.signing)
    assert countersigning is not None
    crypto.verify(countersigning, handover.receipt_signature, crypto.canonical(handover.receipt))
    for item in (manifests, phone):
        assert custody.check_chain(item.reference, custody.log(db, item)) == []
    assert [e.kind.value for e in custody.log(db, phone)] == [
        "collected",
        "handed_over",
        "received",
    ]


def test_vizuina_is_closed_with_its_jit_and_action_day(db: Session, demo: Built) -> None:
    case = case_of(db, demo, "closed")
    lead = who(db, "ro-diicot.officer")
    detail = service.detail(db, lead, case, now=utcnow())
    assert (detail.status, detail.lead) == (CaseStatus.closed, "RO-DIICOT")
    assert detail.closure
    assert detail.closed_on
    assert len({m.country for m in detail.members}) >= 3
    team = detail.jit
    assert team is not None
    assert team.status is JitStatus.closed
    assert team.evaluation
    assert team.closed_on
    assert team.closed_on <= detail.closed_on
    assert jit.agreement_of(db, case).reference == demo.facts["cases"]["closed"]["jit"]
    [day_id] = detail.action_days
    board = service.action_day_out(db, actions.action_day_of(db, case, day_id))
    assert board.status is ActionStatus.closed
    assert {c.country for c in board.countries} == set(PUBLISHED)
    # One instant everywhere, at each country's own local time.
    assert len({c.planned_at for c in board.countries}) == 1
    hours = {c.country: c.local_time[11:16] for c in board.countries}
    assert hours == {"RO": "07:00", "BG": "07:00", "DE": "06:00", "FR": "06:00", "ES": "06:00"}
    zones = {c.planned_at.astimezone(actions.zone(c.timezone)).utcoffset() for c in board.countries}
    assert len(zones) == 2
    assert {t.country for t in board.targets} == set(PUBLISHED)
    assert all(t.record_id for t in board.targets)
    assert board.started_at
    assert board.closed_at
    assert board.started_at < board.closed_at


def published_tally(figures: dict[tuple[ResultKind, str, str], Decimal]) -> dict[str, object]:
    """The board's shape (`TallyOut`) of published figures."""
    counts = {name: int(figures.get((kind, "", "count"), 0)) for kind, name in COUNTED.items()}
    quantities = sorted(
        (kind.value, item, unit, quantity)
        for (kind, item, unit), quantity in figures.items()
        if kind not in COUNTED
    )
    return {**counts, "quantities": quantities}


def board_tally(tally: TallyOut) -> dict[str, object]:
    counts = {name: getattr(tally, name) for name in COUNTED.values()}
    quantities = sorted((q.kind.value, q.item, q.unit, q.quantity) for q in tally.quantities)
    return {**counts, "quantities": quantities}


def test_vizuinas_results_match_the_published_figures(db: Session, demo: Built) -> None:
    case = case_of(db, demo, "closed")
    day = actions.action_day_of(db, case, uuid.UUID(demo.facts["cases"]["closed"]["action_day"]))
    board = service.action_day_out(db, day)
    for country, figures in PUBLISHED.items():
        assert board_tally(board.by_country[country]) == published_tally(figures), country
    total: dict[tuple[ResultKind, str, str], Decimal] = defaultdict(Decimal)
    for figures in PUBLISHED.values():
        for key, quantity in figures.items():
            total[key] += quantity
    assert board_tally(board.total) == published_tally(total)
    assert (board.total.arrests, board.total.searches, board.total.victims_safeguarded) == (
        16,
        26,
        30,
    )
    # The rows on the board, added up in the database, say the same.
    rows = db.execute(
        select(
            ActionResult.country,
            ActionResult.kind,
            ActionResult.item,
            ActionResult.unit,
            func.sum(ActionResult.quantity_milli),
        )
        .where(ActionResult.action_day_id == day.id)
        .group_by(ActionResult.country, ActionResult.kind, ActionResult.item, ActionResult.unit)
    ).all()
    summed = {
        (country, (kind, item, unit)): Decimal(milli) / actions.MILLI
        for country, kind, item, unit, milli in rows
    }
    assert summed == {
        (country, key): quantity
        for country, figures in PUBLISHED.items()
        for key, quantity in figures.items()
    }
    # Every result was reported by an agency of its country, during the day.
    reporters = db.execute(
        select(ActionResult.country, Agency.country)
        .join(Agency, Agency.id == ActionResult.agency_id)
        .where(ActionResult.action_day_id == day.id)
    ).all()
    assert all(country == home for country, home in reporters)
    assert board.started_at is not None
    assert board.closed_at is not None
    assert all(board.started_at <= r.reported_at <= board.closed_at for r in board.board)
