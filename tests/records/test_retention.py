"""Retention: reminders before review, blocking past delete-by, review decisions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from palermo.errors import Forbidden, NotFound
from palermo.identity.principal import operator_principal
from palermo.identity.roles import Role
from palermo.models.base import utcnow
from palermo.models.records import Notification, Record
from palermo.records import service
from palermo.records.envelope import RecordStatus
from palermo.records.envelopes import add_months
from palermo.records.retention import review_record, run_retention
from tests.conftest import Factory
from tests.records.helpers import INVESTIGATION, envelope, person, principal_of


@pytest.fixture
def owner(factory: Factory, db: Session):
    agency = factory.agency("DE-BKA", country="DE")
    officer, _ = factory.user("anna", Role.officer, agency=agency)
    supervisor, _ = factory.user("sup", Role.supervisor, agency=agency)
    return agency, principal_of(db, officer), principal_of(db, supervisor)


def make(db: Session, factory: Factory, principal, source_id: str, **envelope_fields):
    record = service.create_record(
        db,
        principal=principal,
        settings=factory.settings,
        entity=person(f"Person {source_id}", source_id),
        envelope=envelope(**envelope_fields),
        now=utcnow(),
    )
    db.commit()
    return record


def test_default_review_is_five_years_and_per_agency_configurable(
    db: Session, factory: Factory, owner
) -> None:
    agency, officer, _ = owner
    today = utcnow().date()
    assert make(db, factory, officer, "p1").review_due == add_months(today, 60)
    agency.review_after_months = 24
    db.commit()
    record = make(db, factory, officer, "p2")
    assert record.review_due == add_months(today, 24)
    assert record.delete_by == record.review_due


def test_retention_reminds_then_blocks_and_the_owner_decides(
    db: Session, factory: Factory, owner
) -> None:
    agency, officer, supervisor = owner
    today = utcnow().date()
    soon = make(db, factory, officer, "soon")
    late = make(db, factory, officer, "late")
    make(db, factory, officer, "fresh")
    db.execute(
        update(Record)
        .where(Record.id == soon.id)
        .values(review_due=today + timedelta(days=90), delete_by=today + timedelta(days=90))
    )
    db.execute(
        update(Record)
        .where(Record.id == late.id)
        .values(review_due=today - timedelta(days=30), delete_by=today - timedelta(days=1))
    )
    db.commit()

    node = operator_principal(frozenset({agency.id}))
    report = run_retention(db, principal=node, settings=factory.settings, today=today, now=utcnow())
    db.commit()
    assert (report.reminded, report.blocked, report.erased) == (2, 1, 0)
    kinds = sorted(db.scalars(select(Notification.kind).where(Notification.agency_id == agency.id)))
    assert kinds == ["record.blocked", "record.review_due", "record.review_due"]
    db.expire_all()
    assert db.get(Record, late.id).status is RecordStatus.blocked
    # Reminders are sent once.
    again = run_retention(db, principal=node, settings=factory.settings, today=today, now=utcnow())
    assert again.reminded == 0

    # A blocked record is out of use for everyone but its owner, who must decide.
    with pytest.raises(Forbidden):
        review_record(
            db,
            principal=officer,
            record_id=late.id,
            decision="retain",
            reason="still needed",
            review_due=None,
            delete_by=None,
            settings=factory.settings,
            now=utcnow(),
        )
    review_record(
        db,
        principal=supervisor,
        record_id=late.id,
        decision="retain",
        reason="trial pending in case 44/26",
        review_due=today + timedelta(days=365),
        delete_by=None,
        settings=factory.settings,
        now=utcnow(),
    )
    db.commit()
    db.expire_all()
    retained = db.get(Record, late.id)
    assert retained.status is RecordStatus.active
    assert retained.review_due == today + timedelta(days=365)


def test_retention_can_erase_overdue_records(db: Session, factory: Factory, owner) -> None:
    agency, officer, _ = owner
    late = make(db, factory, officer, "late")
    db.execute(
        update(Record)
        .where(Record.id == late.id)
        .values(delete_by=date(2020, 1, 1), review_due=date(2020, 1, 1))
    )
    db.commit()
    report = run_retention(
        db,
        principal=operator_principal(frozenset({agency.id})),
        settings=factory.settings,
        today=utcnow().date(),
        now=utcnow(),
        erase_overdue=True,
    )
    db.commit()
    assert report.erased == 1
    with pytest.raises(NotFound):
        service.read_record(
            db, principal=officer, context=INVESTIGATION, record_id=late.id, now=utcnow()
        )


def test_review_erase_decision(db: Session, factory: Factory, owner) -> None:
    _, officer, supervisor = owner
    record = make(db, factory, officer, "p1")
    review_record(
        db,
        principal=supervisor,
        record_id=record.id,
        decision="erase",
        reason="no longer necessary",
        review_due=None,
        delete_by=None,
        settings=factory.settings,
        now=utcnow(),
    )
    db.commit()
    db.expire_all()
    assert db.get(Record, record.id).status is RecordStatus.erased
