"""Rate limits per user and per agency: the request past a limit gets 429 with Retry-After in
the error envelope, others are still served, and a run of refusals costs one audit line."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from palermo.app import create_app
from palermo.identity.roles import Role
from palermo.models.audit import AuditEvent
from palermo.ratelimit import TokenBuckets
from palermo.settings import Settings
from tests.conftest import Factory, audit_actions


@pytest.fixture
def limited(settings: Settings, sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    """The app with 3 requests a minute per user and 5 per agency."""
    tight = settings.model_copy(
        update={"rate_limit_user_per_minute": 3, "rate_limit_agency_per_minute": 5}
    )
    with TestClient(create_app(tight, sessions=sessions)) as client:
        yield client


def test_a_user_past_the_limit_is_refused_and_others_are_not(
    limited: TestClient, factory: Factory, db: Session
) -> None:
    fr = factory.agency("NCB-FR", country="FR")
    busy, _ = factory.user("fr.busy", Role.officer, agency=fr)
    other, _ = factory.user("de.other", Role.officer, agency=factory.agency("NCB-DE"))
    busy_headers, other_headers = factory.bearer(busy), factory.bearer(other)
    assert [limited.get("/api/me", headers=busy_headers).status_code for _ in range(3)] == [200] * 3

    refused = limited.get("/api/me", headers=busy_headers)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert "user" in refused.json()["error"]["message"]
    assert 1 <= int(refused.headers["retry-after"]) <= 20  # a token every 20 s
    assert limited.get("/api/me", headers=other_headers).status_code == 200

    for _ in range(5):
        assert limited.get("/api/me", headers=busy_headers).status_code == 429
    assert audit_actions(db).count("auth.rate_limited") == 1  # a flood costs one line
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "auth.rate_limited")).one()
    assert (event.actor, event.outcome) == ("fr.busy", "deny")
    assert '"limit":"user"' in event.entry


def test_the_users_of_one_agency_share_its_limit(limited: TestClient, factory: Factory) -> None:
    fr = factory.agency("NCB-FR", country="FR")
    first, second = (factory.user(n, Role.officer, agency=fr)[0] for n in ("fr.one", "fr.two"))
    outsider, _ = factory.user("de.officer", Role.officer, agency=factory.agency("NCB-DE"))
    one, two = factory.bearer(first), factory.bearer(second)
    for headers in (one, one, one, two, two):
        assert limited.get("/api/me", headers=headers).status_code == 200

    refused = limited.get("/api/me", headers=two)  # two has used 2 of its 3, the agency 5 of 5
    assert refused.status_code == 429
    assert "agency" in refused.json()["error"]["message"]
    assert "retry-after" in refused.headers
    assert limited.get("/api/me", headers=factory.bearer(outsider)).status_code == 200


def test_unauthenticated_and_refused_requests_take_no_token(
    limited: TestClient, factory: Factory
) -> None:
    user, _ = factory.user("fr.officer", Role.officer)
    headers = factory.bearer(user)
    for _ in range(5):
        assert limited.get("/api/me").status_code == 401
        assert limited.get("/api/me", headers={"Authorization": "Bearer plm_x"}).status_code == 401
    assert [limited.get("/api/me", headers=headers).status_code for _ in range(4)] == [
        200,
        200,
        200,
        429,
    ]


def test_a_bucket_refills_at_its_rate_up_to_its_capacity() -> None:
    buckets = TokenBuckets(per_minute=60)
    bucket = buckets.refilled("fr.officer", now=100.0)
    bucket.tokens = 0
    assert buckets.refilled("fr.officer", now=130.0).tokens == 30
    assert buckets.refilled("fr.officer", now=1000.0).tokens == 60
