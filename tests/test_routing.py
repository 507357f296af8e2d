"""Routes on the request's session run their unit of work in one thread hop: authentication,
the endpoint and the commit (or the rollback that keeps durable writes) together."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from palermo.app import create_app
from palermo.audit.service import Operation, record
from palermo.deps import PrincipalDep, SessionDep
from palermo.errors import Forbidden
from palermo.notifications.api import unread
from palermo.routing import APIRouter, one_hop
from palermo.settings import Settings
from tests.conftest import Factory, audit_actions

router = APIRouter(prefix="/api/test")


@router.post("/work")
def work(session: SessionDep, principal: PrincipalDep, refuse: bool = False) -> dict[str, str]:
    """Audits one line; when refused, a durable line too, then fails."""
    record(session, action="test.work", operation=Operation.consultation, principal=principal)
    if refuse:
        record(
            session,
            action="test.refused",
            operation=Operation.consultation,
            principal=principal,
            durable=True,
        )
        raise Forbidden("refused")
    return {"by": principal.username}


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every function sent to a worker thread."""
    sent: list[str] = []
    real = anyio.to_thread.run_sync

    async def counted(function: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(getattr(function, "__name__", None) or function.func.__name__)
        return await real(function, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    return sent


@pytest.fixture
def app_client(settings: Settings, sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    app = create_app(settings, sessions=sessions)
    app.include_router(router)
    with TestClient(app) as client:
        yield client


def test_a_unit_of_work_takes_one_thread_hop(
    app_client: TestClient, factory: Factory, db: Session, hops: list[str]
) -> None:
    user, _ = factory.user("hopper")
    headers = factory.bearer(user)
    answer = app_client.post("/api/test/work", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"by": "hopper"}
    # FastAPI alone would hop four times: authentication, endpoint, answer, commit.
    assert hops == ["_unit_of_work"]
    assert audit_actions(db)[-2:] == ["auth.token_used", "test.work"]


def test_a_failed_unit_keeps_only_its_durable_writes(
    app_client: TestClient, factory: Factory, db: Session
) -> None:
    user, _ = factory.user("refused")
    answer = app_client.post("/api/test/work?refuse=true", headers=factory.bearer(user))
    assert answer.status_code == 403
    assert answer.json()["error"]["message"] == "refused"
    actions = audit_actions(db)
    assert actions[-1] == "test.refused"
    assert "test.work" not in actions


def test_an_unknown_token_is_refused_in_the_hop(app_client: TestClient, db: Session) -> None:
    answer = app_client.post("/api/test/work", headers={"Authorization": "Bearer plm_nothing"})
    assert answer.status_code == 401
    assert audit_actions(db)[-1] == "auth.token_refused"


def test_routes_keep_their_operation_and_what_is_left_as_is() -> None:
    converted = one_hop(work)
    assert inspect.iscoroutinefunction(converted)
    assert converted.__name__ == "work"
    assert converted.__doc__ == work.__doc__
    # The route's own parameters stay; the session and principal are the hop's to make.
    names = list(inspect.signature(converted).parameters)
    assert names == ["refuse", "palermo_request"]
    # A route taking another dependency built on the session is FastAPI's to run.
    assert one_hop(unread) is unread


def test_an_unknown_caller_is_told_so_before_what_is_wrong_with_the_request(
    app_client: TestClient, factory: Factory, db: Session
) -> None:
    """The route's parameters are checked before its hop, but a caller who is not
    authenticated hears that first, as when authentication was the first dependency."""
    bad = {"refuse": "not a yes or no"}
    anonymous = app_client.post("/api/test/work", params=bad)
    assert anonymous.status_code == 401
    stranger = app_client.post(
        "/api/test/work", params=bad, headers={"Authorization": "Bearer plm_nothing"}
    )
    assert stranger.status_code == 401
    assert audit_actions(db)[-1] == "auth.token_refused"
    user, _ = factory.user("careless")
    known = app_client.post("/api/test/work", params=bad, headers=factory.bearer(user))
    assert known.status_code == 422
    assert known.json()["error"]["details"][0]["location"] == "query.refuse"
    # The request failed: its token's use is not kept, as no line of a failed unit is.
    assert audit_actions(db)[-1] == "token.create"
