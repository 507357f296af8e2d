"""Routes on the request's session run their unit of work in one thread hop: authentication,
the endpoint and the commit (or the rollback that keeps durable writes) together."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from typing import Any

import anyio.to_thread
import pytest
from fastapi import APIRouter as FastAPIRouter
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


def test_a_router_turns_away_paths_none_of_its_routes_can_match(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parts = APIRouter()

    @parts.get("/{thing}/parts")
    def parts_of(thing: str) -> list[str]:
        return []

    things = APIRouter(prefix="/api/things")

    @things.get("/{thing}")
    def thing(thing: str) -> str:
        return thing

    @things.get("")
    def all_things() -> list[str]:
        return []

    things.include_router(parts)
    outer = APIRouter()
    outer.include_router(things, prefix="/v2")
    assert things.heads() == ("/api/things", "/api/things/")
    assert outer.heads() == ("/v2/api/things", "/v2/api/things/")
    assert parts.heads() == ("/",)
    app = create_app()
    app.include_router(outer)
    with TestClient(app) as client:
        assert client.get("/v2/api/things/7/parts").json() == []
        assert client.get("/v2/api/things/7").json() == "7"
        tried: list[FastAPIRouter] = []
        real = FastAPIRouter.matches

        def spied(self: FastAPIRouter, scope: Any) -> Any:
            tried.append(self)
            return real(self, scope)

        monkeypatch.setattr(FastAPIRouter, "matches", spied)
        assert client.get("/healthz").status_code == 200
        assert outer not in tried  # its routes were not tried one by one
        assert client.get("/v2/api/things").json() == []
        assert outer in tried

        # A route added to an included router later is reached too.
        assert client.get("/api/late").status_code == 404
        late = APIRouter()
        app.include_router(late_outer := APIRouter())
        late_outer.include_router(late)
        assert late_outer.heads() == ()  # no route yet: every path is turned away

        @late.get("/api/late")
        def late_route() -> str:
            return "here"

        assert client.get("/api/late").json() == "here"
        assert late_outer.heads() == ("/api/late",)


def test_every_route_of_the_application_is_still_reached(app_client: TestClient) -> None:
    """With the routers' heads, each operation of the schema still finds its route: the
    application's answer to a path it has no route for would mean a head turned it away."""
    nowhere = app_client.get("/api/no/route/here")
    assert nowhere.status_code == 404
    operations = app_client.get("/openapi.json").json()["paths"]
    assert len(operations) > 100
    for template, methods in operations.items():
        path = re.sub(r"{[^}]+}", "00000000-0000-0000-0000-000000000000", template)
        for method in methods:
            answer = app_client.request(method, path)
            assert answer.text != nowhere.text, (method, path)
