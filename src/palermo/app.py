"""The FastAPI application factory."""

from __future__ import annotations

import logging
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from starlette.exceptions import HTTPException as StarletteHTTPException

from palermo import __version__
from palermo.assets.api import router as assets_router
from palermo.audit.api import router as audit_router
from palermo.cases.api import router as cases_router
from palermo.cases.evidence_api import evidence_router
from palermo.db import create_db_engine, session_factory
from palermo.deps import SessionDep
from palermo.errors import (
    BadRequest,
    Invalid,
    MalformedBody,
    MethodNotAllowed,
    NotFound,
    PalermoError,
)
from palermo.exchange.api import federation_router
from palermo.exchange.api import router as exchange_router
from palermo.exchange.crypto import sealer_for
from palermo.exchange.keys import Keyring
from palermo.finintel.api import router as finintel_router
from palermo.http import BodySizeLimit, ConcurrencyLimit, SecurityHeaders
from palermo.identity.api import router as identity_router
from palermo.identity.credentials import Credentials
from palermo.identity.keys import load_or_create_node_key
from palermo.imports.api import router as imports_router
from palermo.jobs.api import router as jobs_router
from palermo.judicial.api import router as treaties_router
from palermo.judicial.requests_api import requests_router
from palermo.linkage.api import router as linkage_router
from palermo.migrations import current_revision, head_revision
from palermo.network.api import router as network_router
from palermo.notices.api import public_router as public_notices_router
from palermo.notices.api import router as notices_router
from palermo.notifications.api import router as notifications_router
from palermo.ratelimit import RateLimitMiddleware
from palermo.records.api import router as records_router
from palermo.routing import authenticated_first
from palermo.screening.api import router as screening_router
from palermo.search.api import router as search_router
from palermo.settings import Settings, get_settings
from palermo.web import assets as asset_pages
from palermo.web import cases as case_pages
from palermo.web import dashboards as dashboard_pages
from palermo.web import exchange, finintel, linkage, network, notices, pages, screening, workspace
from palermo.web import imports as import_pages
from palermo.web import jobs as job_pages
from palermo.web import judicial as judicial_pages
from palermo.web import search as search_pages
from palermo.web import statistics as statistics_pages
from palermo.web.errors import wants_html, web_error_response

log = logging.getLogger(__name__)

# A peer that takes longer than this to answer a hit/no-hit query is reported unreachable.
PEER_TIMEOUT_SECONDS = 5.0


def create_app(settings: Settings | None = None, *, sessions: Any | None = None) -> FastAPI:
    """Build the app. Tests pass `sessions` (a sessionmaker bound to their transaction)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Palermo",
        version=__version__,
        description="Open platform for international police cooperation against organized crime.",
        openapi_url="/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    if sessions is None:
        engine = create_db_engine(settings.resolved_database_url)
        sessions = session_factory(engine)
    app.state.settings = settings
    app.state.session_factory = sessions
    app.state.credentials = Credentials(settings)
    app.state.node_key = load_or_create_node_key(settings)
    app.state.keyring = Keyring(app.state.node_key, sealer_for(settings.secret_key))
    app.state.peer_client = httpx.Client(timeout=PEER_TIMEOUT_SECONDS)

    app.include_router(identity_router)
    app.include_router(records_router)
    app.include_router(notifications_router)
    app.include_router(screening_router)
    app.include_router(audit_router)
    app.include_router(exchange_router)
    app.include_router(federation_router)
    app.include_router(notices_router)
    app.include_router(public_notices_router)
    app.include_router(linkage_router)
    app.include_router(network_router)
    app.include_router(finintel_router)
    app.include_router(jobs_router)
    app.include_router(imports_router)
    app.include_router(assets_router)
    app.include_router(cases_router)
    app.include_router(evidence_router)
    app.include_router(treaties_router)
    app.include_router(requests_router)
    app.include_router(search_router)
    app.include_router(pages.router)
    app.include_router(dashboard_pages.router)
    app.include_router(workspace.router)
    app.include_router(screening.router)
    app.include_router(exchange.router)
    app.include_router(notices.router)
    app.include_router(linkage.router)
    app.include_router(network.router)
    app.include_router(finintel.router)
    app.include_router(asset_pages.router)
    app.include_router(case_pages.router)
    app.include_router(judicial_pages.router)
    app.include_router(job_pages.router)
    app.include_router(import_pages.router)
    app.include_router(search_pages.router)
    app.include_router(statistics_pages.router)
    pages.mount_static(app)
    _health(app)
    _error_handlers(app)

    app.add_middleware(RateLimitMiddleware, settings=settings)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(ConcurrencyLimit, limit=settings.max_concurrent_requests)
    app.add_middleware(SecurityHeaders, hsts=settings.secure_cookies)
    _error_schema(app)
    return app


def _health(app: FastAPI) -> None:
    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], responses={503: {"description": "not ready"}})
    def readyz(session: SessionDep) -> Response:
        """Readiness: the database answers and its schema is at the code's migration head."""
        session.execute(text("SELECT 1"))
        current, head = current_revision(session.connection()), head_revision()
        ready = current == head
        return JSONResponse(
            {"status": "ready" if ready else "schema out of date", "schema": current, "head": head},
            status_code=200 if ready else 503,
        )


def _error_response(request: Request, error: PalermoError) -> Response:
    if wants_html(request):
        return web_error_response(request, error)
    headers = {"WWW-Authenticate": "Bearer"} if error.status_code == 401 else None
    return JSONResponse(error.to_dict(), status_code=error.status_code, headers=headers)


async def _refusal(request: Request, error: PalermoError) -> Response:
    first = await authenticated_first(request, error)
    assert isinstance(first, PalermoError)
    return _error_response(request, first)


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PalermoError)
    async def palermo_error(request: Request, error: PalermoError) -> Response:
        return await _refusal(request, error)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        first = await authenticated_first(request, error)
        if isinstance(first, PalermoError):
            return _error_response(request, first)
        details = [
            {"location": ".".join(str(p) for p in e["loc"]), "problem": e["msg"], "type": e["type"]}
            for e in error.errors()
        ]
        if any(e["type"] == "json_invalid" for e in error.errors()):
            return _error_response(
                request, MalformedBody("the body is not valid JSON", details=details)
            )
        return _error_response(request, Invalid("the request is not valid", details=details))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        mapped: PalermoError
        if error.status_code == 404:
            mapped = NotFound("no such page or endpoint")
        elif error.status_code == 405:
            mapped = MethodNotAllowed(f"{request.method} is not allowed here")
        else:
            mapped = BadRequest(str(error.detail))
        return await _refusal(request, mapped)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error_response(request, PalermoError("internal error; it has been logged"))


def _error_schema(app: FastAPI) -> None:
    """Publish the error envelope in OpenAPI so `responses=` entries can reference it."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Error"] = {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "details": {"type": "array", "items": {"type": "object"}},
                    },
                }
            },
        }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
