"""Audit anomalies: each rule fires on real audit entries at its threshold and not below it,
the review sees its own agency only (and the refused log-ins under its users' names), its
reading is logged, and the log's own state is told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.audit import anomalies, tree
from palermo.audit.anomalies import Rule
from palermo.audit.service import Operation, Outcome, record
from palermo.errors import Forbidden, InvalidCredentials
from palermo.identity import service
from palermo.identity.keys import NodeKey
from palermo.identity.principal import Principal
from palermo.identity.roles import Role
from palermo.models.audit import AuditEvent
from palermo.models.base import utcnow
from tests.conftest import PASSWORD, Factory
from tests.records.helpers import principal_of


@pytest.fixture
def people(factory: Factory, db: Session) -> dict[str, Principal]:
    bureau = factory.agency("NCB-FR", country="FR")
    elsewhere = factory.agency("NCB-DE", country="DE")
    users = {
        "officer": factory.user("fr.officer", Role.officer, agency=bureau)[0],
        "analyst": factory.user("fr.analyst", Role.analyst, agency=bureau)[0],
        "auditor": factory.user("fr.auditor", Role.auditor, agency=bureau)[0],
        "german": factory.user("de.officer", Role.officer, agency=elsewhere)[0],
    }
    return {name: principal_of(db, user) for name, user in users.items()}


ALL_DAY = (0, 24)


@pytest.fixture
def node_key() -> NodeKey:
    return NodeKey(Ed25519PrivateKey.generate())


def review(db: Session, people: dict[str, Principal], node_key: NodeKey, **options: object):
    return anomalies.review(
        db, principal=people["auditor"], node_key=node_key.public, now=utcnow(), **options
    )


def found(db: Session, people: dict[str, Principal], node_key: NodeKey, **options: object):
    return {(a.rule, a.actor): a.count for a in review(db, people, node_key, **options).anomalies}


def refusals(db: Session, principal: Principal, n: int) -> None:
    for i in range(n):
        record(
            db,
            action="record.read",
            operation=Operation.authorization,
            principal=principal,
            outcome=Outcome.deny,
            object_ids=[f"ncb-de.p{i}"],
        )


def consultations(db: Session, principal: Principal, objects: list[list[str]]) -> None:
    for ids in objects:
        record(
            db,
            action="record.search",
            operation=Operation.consultation,
            principal=principal,
            object_ids=ids,
        )


def failed_logins(db: Session, factory: Factory, username: str, n: int) -> None:
    for _ in range(n):
        with pytest.raises(InvalidCredentials):
            service.check_password(
                db,
                settings=factory.settings,
                credentials=factory.credentials,
                username=username,
                password="not " + PASSWORD,
                now=utcnow(),
            )


def test_a_burst_of_refusals_is_found_and_fewer_are_not(
    db: Session, people: dict[str, Principal], node_key: NodeKey
) -> None:
    refusals(db, people["officer"], anomalies.DENIAL_BURST - 1)
    refusals(db, people["german"], anomalies.DENIAL_BURST)  # another agency's: not ours
    assert found(db, people, node_key) == {}

    refusals(db, people["officer"], 1)
    assert found(db, people, node_key) == {
        (Rule.denial_burst, "fr.officer"): anomalies.DENIAL_BURST
    }


def test_failed_log_ins_under_our_users_names_are_found(
    db: Session, factory: Factory, people: dict[str, Principal], node_key: NodeKey
) -> None:
    failed_logins(db, factory, "fr.analyst", anomalies.LOGIN_FAILURES - 1)
    failed_logins(db, factory, "de.officer", anomalies.LOGIN_FAILURES)  # not our user
    assert found(db, people, node_key) == {}

    failed_logins(db, factory, "fr.analyst", 1)
    assert found(db, people, node_key) == {
        (Rule.login_failures, "fr.analyst"): anomalies.LOGIN_FAILURES
    }


def test_a_bulk_consultation_counts_distinct_objects(
    db: Session, people: dict[str, Principal], node_key: NodeKey
) -> None:
    half = anomalies.BULK_OBJECTS // 2
    first = [f"ncb-fr.p{i}" for i in range(half)]
    # The same records again are no more records read.
    consultations(db, people["analyst"], [first, first, [f"ncb-fr.q{i}" for i in range(half - 1)]])
    # The day is all working hours: the consultations are not late, whenever the test runs.
    assert found(db, people, node_key, working_hours=ALL_DAY) == {}

    consultations(db, people["analyst"], [["ncb-fr.last"]])
    assert found(db, people, node_key, working_hours=ALL_DAY) == {
        (Rule.bulk_consultation, "fr.analyst"): anomalies.BULK_OBJECTS
    }


def test_consultations_outside_working_hours_in_the_agencys_time(
    db: Session, people: dict[str, Principal], node_key: NodeKey
) -> None:
    n = anomalies.OFF_HOURS_CONSULTATIONS
    consultations(db, people["analyst"], [["ncb-fr.p1"]] * n)
    moments = db.scalars(
        select(AuditEvent.at).where(AuditEvent.actor == "fr.analyst").order_by(AuditEvent.at)
    ).all()
    [paris] = anomalies.country_zones("FR")
    hours = {datetime.fromisoformat(at).astimezone(paris).hour for at in moments}
    first, last = min(hours), max(hours)
    # A working day that ends before the consultations began, or that covers them (Paris).
    before = ((first - 2) % 24, (first - 1) % 24 or 24)
    covering = (first, last + 1)

    assert found(db, people, node_key, working_hours=covering) == {}
    assert found(db, people, node_key, working_hours=before) == {(Rule.off_hours, "fr.analyst"): n}


def test_a_country_over_several_time_zones_counts_the_hours_of_each() -> None:
    """A moment is outside working hours only where it is outside in every zone."""
    night_in_new_york = datetime(2026, 1, 15, 4, tzinfo=UTC)  # 18:00 in Honolulu
    small_hours_everywhere = datetime(2026, 1, 15, 10, tzinfo=UTC)  # 05:00 in New York
    hours = anomalies.WORKING_HOURS
    assert anomalies.outside_hours(night_in_new_york, anomalies.country_zones("FR"), hours)
    assert not anomalies.outside_hours(night_in_new_york, anomalies.country_zones("US"), hours)
    assert anomalies.outside_hours(small_hours_everywhere, anomalies.country_zones("US"), hours)


def test_reading_for_a_review_is_itself_logged_and_for_auditors_only(
    db: Session, people: dict[str, Principal], node_key: NodeKey
) -> None:
    result = review(db, people, node_key)
    reads = db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "audit.read", AuditEvent.actor == "fr.auditor"
        )
    ).all()
    assert [e.detail["returned"] for e in reads] == [result.scanned]
    with pytest.raises(Forbidden):
        anomalies.review(db, principal=people["officer"], node_key=node_key.public, now=utcnow())


def test_the_log_state_tells_a_fresh_a_stale_and_a_forged_head(
    db: Session, people: dict[str, Principal], node_key: NodeKey
) -> None:
    refusals(db, people["german"], 1)  # the log holds something
    now = utcnow()
    unsigned = anomalies.log_state(db, node_key.public, now=now)
    assert (unsigned.head_size, unsigned.stale, unsigned.sound) == (None, True, False)

    head = tree.sign_head(db, node_key, now=now - timedelta(days=2))
    signed = anomalies.log_state(db, node_key.public, now=now)
    assert (signed.head_size, signed.signature_valid, signed.root_matches) == (
        head.tree_size,
        True,
        True,
    )
    assert signed.sound  # old, but nothing was written since

    refusals(db, people["german"], 1)
    grown = anomalies.log_state(db, node_key.public, now=now)
    assert grown.stale
    assert not grown.sound
    assert not anomalies.log_state(
        db, node_key.public, now=head.signed_at + timedelta(hours=1)
    ).stale

    other_key = Ed25519PrivateKey.generate().public_key()
    forged = anomalies.log_state(db, other_key, now=now)
    assert forged.signature_valid is False
    assert not forged.sound
