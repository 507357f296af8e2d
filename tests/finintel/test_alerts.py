"""Monitoring an FIU's store: alerts kept across runs with their triage; triage moves are
explained and audited; dissemination is a message."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.orm import Session

from palermo.cases import membership, timeline
from palermo.cases.vocabulary import MemberRole
from palermo.errors import Conflict, Forbidden, Invalid, NotFound
from palermo.exchange import keys
from palermo.exchange.keys import Keyring
from palermo.finintel import service, triage
from palermo.finintel.engine import Backend
from palermo.models.base import utcnow
from palermo.models.exchange import Message
from palermo.policy.records import AccessContext
from palermo.settings import Settings
from tests.conftest import audit_actions
from tests.finintel.conftest import Fiu

CONTEXT = AccessContext.of("financial_intelligence", "operation test")


@pytest.fixture
def monitored(stored: Fiu) -> Fiu:
    return stored


def run(db: Session, settings: Settings, who) -> list:
    _, kept = service.monitor(
        db, who, settings, backend=Backend.duckdb, context=CONTEXT, now=utcnow()
    )
    db.commit()
    return kept


def test_alerts_are_kept_and_a_rerun_keeps_their_triage(
    db: Session, settings: Settings, monitored: Fiu
) -> None:
    first = run(db, settings, monitored["analyst"])
    assert {a.typology for a in first} >= {"structuring", "cycle", "fan_out", "dormant"}
    cycle = next(a for a in first if a.typology == "cycle")
    triage.move(db, monitored["analyst"], cycle.id, action="review", now=utcnow())
    db.commit()
    again = run(db, settings, monitored["analyst"])
    assert sorted(a.id for a in again) == sorted(a.id for a in first)
    assert next(a for a in again if a.id == cycle.id).status == "in_review"
    assert {"finintel.transactions.import", "finintel.monitor"} <= set(audit_actions(db))


def test_triage_needs_reasons_and_follows_its_states(
    db: Session, settings: Settings, monitored: Fiu
) -> None:
    alert = run(db, settings, monitored["analyst"])[0]
    analyst = monitored["analyst"]
    with pytest.raises(Invalid, match="say why"):
        triage.move(db, analyst, alert.id, action="dismiss", now=utcnow())
    with pytest.raises(Invalid, match="case"):
        triage.move(db, analyst, alert.id, action="escalate", note="strong", now=utcnow())
    triage.move(
        db, analyst, alert.id, action="escalate", note="strong", reference="CASE-7", now=utcnow()
    )
    with pytest.raises(Conflict, match="escalated"):
        triage.move(db, analyst, alert.id, action="dismiss", note="late", now=utcnow())
    triage.move(db, analyst, alert.id, action="reopen", now=utcnow())
    assert [e.action for e in triage.history(db, alert)] == ["escalate", "reopen"]
    assert "finintel.alert.escalate" in audit_actions(db)


def test_only_the_fius_analysts_see_its_alerts(
    db: Session, settings: Settings, monitored: Fiu
) -> None:
    run(db, settings, monitored["analyst"])
    for outsider in ("police", "bank1"):
        with pytest.raises(Forbidden):
            triage.list_alerts(db, monitored[outsider])
        with pytest.raises(Forbidden):
            run(db, settings, monitored[outsider])


def test_an_alert_is_disseminated_as_an_h2_message(
    db: Session, settings: Settings, monitored: Fiu
) -> None:
    keyring = Keyring.of(settings)
    keys.ensure_hosted_keys(db, keyring.sealer)
    alert = next(a for a in run(db, settings, monitored["analyst"]) if a.typology == "cycle")
    triage.disseminate(
        db,
        monitored["analyst"],
        keyring,
        alert.id,
        recipients=["AE-POL"],
        note="For your investigation",
        max_attachment_bytes=settings.max_attachment_bytes,
        now=utcnow(),
    )
    db.commit()
    assert alert.status == "disseminated"
    reference = triage.history(db, alert)[-1].reference
    message = db.get(Message, uuid.UUID(reference.removeprefix("message ")))
    assert message is not None
    assert message.handling_code == "H2"


def test_the_fiu_sets_its_own_thresholds(db: Session, settings: Settings, monitored: Fiu) -> None:
    with pytest.raises(Forbidden):
        service.set_thresholds(db, monitored["analyst"], {"structuring_min_deposits": 7}, utcnow())


def test_an_alert_escalated_to_a_palermo_case_is_on_its_timeline(
    db: Session, settings: Settings, monitored: Fiu
) -> None:
    alert = run(db, settings, monitored["analyst"])[0]
    police, analyst = monitored["police"], monitored["analyst"]
    case = membership.open_case(
        db,
        principal=police,
        title="Operation Dune",
        summary="",
        offences=["0701"],
        legal_basis="Federal Decree-Law 20/2018",
        opened_on=utcnow().date(),
        now=utcnow(),
    )
    with pytest.raises(NotFound, match=f"no case {case.reference} your agency is a member of"):
        triage.move(
            db,
            analyst,
            alert.id,
            action="escalate",
            note="x",
            reference=case.reference,
            now=utcnow(),
        )
    membership.admit(
        db,
        principal=police,
        case=case,
        agency_code="AE-FIU",
        role=MemberRole.participant,
        legal_basis="Federal Decree-Law 20/2018 art. 9",
        now=utcnow(),
    )
    triage.move(
        db,
        analyst,
        alert.id,
        action="escalate",
        note="Cash structured under the threshold",
        reference=case.reference.lower(),
        now=utcnow(),
    )
    brought = [e.summary for e in timeline.events(db, case) if e.kind == "brought_in"]
    assert brought == [
        f"alert {alert.alert_key} ({alert.typology}) escalated to the case: "
        "Cash structured under the threshold"
    ]
