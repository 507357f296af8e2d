"""Routes whose unit of work runs in one thread hop.

A synchronous route that takes the request's session (and its principal) is run by FastAPI
in three or four trips to the thread pool: the authentication dependency, the endpoint,
the validation of its answer, and the commit. Each trip costs ~0.13 ms of CPU here, and
between them the request waits for the event loop while its transaction — SQLite's write
lock, or the audit log's append lock — stays held, so a second worker process can only
wait for it. `APIRouter` below wraps such an endpoint in an async one that does the whole
unit of work in a single trip: open the session, authenticate, check the CSRF token, run
the endpoint, commit (or roll back, keeping the durable writes), close. The route's
parameters, answer, documentation and OpenAPI operation are the endpoint's own.

Routes that need something else from the session — another dependency built on it — are
left as FastAPI runs them.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from functools import partial
from typing import Any

import anyio.to_thread
from fastapi import APIRouter as FastAPIRouter
from fastapi import Request
from fastapi.params import Depends
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.routing import Match
from starlette.types import Scope

from palermo import deps
from palermo.db import conclude, run_unit
from palermo.errors import PalermoError

_REQUEST = "palermo_request"
_AUTHENTICATES = "palermo_authenticates"  # set on a route that authenticates in its hop
_STARTED = "palermo.unit_started"  # in a request's scope once its route began


def _dependency(annotation: Any) -> Callable[..., Any] | None:
    """What an `Annotated[..., Depends(f)]` parameter depends on."""
    if typing.get_origin(annotation) is not typing.Annotated:
        return None
    for extra in typing.get_args(annotation)[1:]:
        if isinstance(extra, Depends):
            return extra.dependency
    return None


_SESSION = _dependency(deps.SessionDep)
_PRINCIPAL = _dependency(deps.PrincipalDep)


def _needs_session(call: Callable[..., Any]) -> bool:
    """Whether a dependency (or one it depends on) takes the request's session."""
    for parameter in inspect.signature(call, eval_str=True).parameters.values():
        found = _dependency(parameter.annotation)
        if found is _SESSION or (found is not None and _needs_session(found)):
            return True
    return False


def one_hop(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """The endpoint as an async route running its unit of work in one thread hop, or the
    endpoint itself when it is async already or does not take the session."""
    if inspect.iscoroutinefunction(endpoint) or inspect.isgeneratorfunction(endpoint):
        return endpoint
    signature = inspect.signature(endpoint, eval_str=True)
    session_name = principal_name = request_name = None
    kept = []
    for name, parameter in signature.parameters.items():
        found = _dependency(parameter.annotation)
        if found is _SESSION:
            session_name = name
        elif found is _PRINCIPAL:
            principal_name = name
        else:
            if found is not None and _needs_session(found):
                return endpoint
            if parameter.annotation is Request:
                request_name = name
            kept.append(parameter)
    if session_name is None and principal_name is None:
        return endpoint
    if request_name is None:
        kept.append(inspect.Parameter(_REQUEST, inspect.Parameter.KEYWORD_ONLY, annotation=Request))

    async def route(**arguments: Any) -> Any:
        request: Request = arguments[request_name] if request_name else arguments.pop(_REQUEST)
        supplied = await deps.supplied_csrf_token(request) if principal_name else None
        request.scope[_STARTED] = True
        return await anyio.to_thread.run_sync(
            partial(
                _unit_of_work,
                request,
                endpoint,
                arguments,
                session_name=session_name,
                principal_name=principal_name,
                supplied_csrf=supplied,
            )
        )

    route.__signature__ = signature.replace(parameters=kept)  # type: ignore[attr-defined]
    setattr(route, _AUTHENTICATES, principal_name is not None)
    for attribute in ("__name__", "__qualname__", "__doc__", "__module__"):
        setattr(route, attribute, getattr(endpoint, attribute))
    return route


def _unit_of_work(
    request: Request,
    endpoint: Callable[..., Any],
    arguments: dict[str, Any],
    *,
    session_name: str | None,
    principal_name: str | None,
    supplied_csrf: str | None,
) -> Any:
    def work(session: Session) -> Any:
        if principal_name is not None:
            principal = deps.authenticated(request, session, request.app.state.settings)
            deps.check_csrf(request, supplied_csrf)
            arguments[principal_name] = principal
        if session_name is not None:
            arguments[session_name] = session
        return endpoint(**arguments)

    # A request that only looks (GET, HEAD) reads without SQLite's writer lock: its audit
    # lines are made at its end, while another worker may write meanwhile.
    reading = request.method in deps.SAFE_METHODS
    return run_unit(request.app.state.session_factory, work, reading=reading)


async def authenticated_first(request: Request, error: Exception) -> Exception:
    """What to answer a request refused before its unit of work began (a parameter or body
    that is not valid, a form that cannot be parsed, a missing purpose): the refusal —
    unless the caller is not authenticated, who is told that first, as when authentication
    was the route's first dependency. Whoever asks comes before what they ask, and an
    unknown caller learns nothing of what the route expects."""
    endpoint = getattr(request.scope.get("route"), "endpoint", None)
    if request.scope.get(_STARTED) or not getattr(endpoint, _AUTHENTICATES, False):
        return error
    try:
        await anyio.to_thread.run_sync(_authenticate_only, request)
    except PalermoError as refusal:
        return refusal
    return error


def _authenticate_only(request: Request) -> None:
    session = request.app.state.session_factory()
    try:
        deps.authenticated(request, session, request.app.state.settings)
    finally:
        # The request fails either way: only the durable writes (a refusal's line) stay.
        conclude(session, failed=True)


class OneHopRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, one_hop(endpoint), **kwargs)


class APIRouter(FastAPIRouter):
    """FastAPI's router, with sync routes on the request's session run in one thread hop,
    and a path that none of its routes can match turned away before any route is tried.

    The application tries its routers one after the other, and FastAPI tries every route
    of a router (with its regular expression) before moving on to the next router: a
    request for a route of the last routers went through some 300 others, 1.1 ms of CPU for
    `/healthz`. Every path a route matches holds the literal text of the route's path
    before its first parameter: after the prefixes the router was included under, which
    only its inclusion knows, so the test is "holds", not "begins with"."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("route_class", OneHopRoute)
        super().__init__(**kwargs)
        self._includes: list[tuple[str, FastAPIRouter]] = []
        self._heads: tuple[str, ...] = ("",)
        self._heads_of = -1  # `_size()` when the heads were taken

    def include_router(self, router: FastAPIRouter, *, prefix: str = "", **kwargs: Any) -> None:
        super().include_router(router, prefix=prefix, **kwargs)
        self._includes.append((prefix, router))

    def heads(self) -> tuple[str, ...]:
        """The literal beginnings of the paths of this router's routes ("" when a route of
        it is of a kind whose paths are not known here: then any path may match)."""
        if self._heads_of != self._size():
            own = [p for r in self.routes if isinstance(p := getattr(r, "path", None), str)]
            heads = {path.split("{", 1)[0] for path in own}
            for prefix, router in self._includes:
                included = router.heads() if isinstance(router, APIRouter) else ("",)
                heads.update(self.prefix + prefix + head for head in included)
            if len(own) + len(self._includes) != len(self.routes):
                heads.add("")  # something neither added nor included here
            self._heads = ("",) if "" in heads else tuple(sorted(heads))
            self._heads_of = self._size()
        return self._heads

    def _size(self) -> int:
        """How many routes the router holds, with those of the routers it included."""
        return len(self.routes) + sum(
            router._size() for _, router in self._includes if isinstance(router, APIRouter)
        )

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = scope.get("path", "")
        if not any(head in path for head in self.heads()):
            return Match.NONE, {}
        return super().matches(scope)
