"""Request dependencies: the unit of work, settings, and who is asking."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from functools import partial
from typing import Annotated

import anyio
import anyio.to_thread
from fastapi import Depends, Header, Query, Request
from sqlalchemy.orm import Session

from palermo.audit.service import Operation, Outcome, record
from palermo.db import conclude
from palermo.errors import CsrfFailed, MfaRequired, RateLimited, TokenInvalid, Unauthorized
from palermo.identity import service as identity
from palermo.identity.credentials import Credentials
from palermo.identity.principal import Principal
from palermo.models.base import utcnow
from palermo.policy.records import AccessContext
from palermo.ratelimit import RETRY_AFTER_KEY, STATE_KEY, RateLimits
from palermo.settings import Settings
from palermo.translatable import N_

SESSION_COOKIE = "palermo_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def _session(request: Request) -> AsyncIterator[Session]:
    # The request owns the transaction; it ends before the response is sent (scope=function),
    # so a client never sees a success that was not committed. A session is made without
    # I/O, so here and not in a thread hop; its end does I/O, so in a thread — shielded from
    # a client's disconnect and outside the pool's limit, as FastAPI ends sync dependencies
    # (waiting for a free thread while holding a connection could deadlock).
    session = request.app.state.session_factory()
    failed = False
    try:
        yield session
    except BaseException:
        failed = True
        raise
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(
                partial(conclude, session, failed=failed), limiter=anyio.CapacityLimiter(1)
            )


# Dependencies that do no I/O are async: a sync one costs a thread hop.
async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _credentials(request: Request) -> Credentials:
    credentials: Credentials = request.app.state.credentials
    return credentials


SessionDep = Annotated[Session, Depends(_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(_settings)]
CredentialsDep = Annotated[Credentials, Depends(_credentials)]


def authenticated(request: Request, session: Session, settings: Settings) -> Principal:
    """A bearer token, or a browser session that has passed MFA; within its rate limits."""
    principal = _identified(request, session, settings)
    _within_rate_limits(request, session, principal)
    return principal


def _authenticated(request: Request, session: SessionDep, settings: SettingsDep) -> Principal:
    return authenticated(request, session, settings)


def _identified(request: Request, session: Session, settings: Settings) -> Principal:
    now = utcnow()
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, secret = authorization.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise TokenInvalid("send the token as 'Authorization: Bearer <token>'")
        return identity.authenticate_token(session, secret=secret.strip(), now=now)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise Unauthorized(N_("log in, or send an API token as 'Authorization: Bearer <token>'"))
    active = identity.resume_session(session, settings=settings, cookie=cookie, now=now)
    if not active.web_session.mfa_passed:
        raise MfaRequired(N_("enter the one-time code from your authenticator app"))
    request.state.web_session = active.web_session
    return identity.principal_for(active.user, channel="session")


def _within_rate_limits(request: Request, session: Session, principal: Principal) -> None:
    """One token of the user's bucket and one of the agency's, or 429 (the first refusal of
    a run audited durably; `ratelimit.RateLimitMiddleware` adds `Retry-After`)."""
    limits: RateLimits | None = request.scope.get("state", {}).get(STATE_KEY)
    if limits is None:  # an app built without the middleware has no limits
        return
    refusal = limits.admit(user=principal.user_id, agency=principal.agency_id)
    if refusal is None:
        return
    request.scope["state"][RETRY_AFTER_KEY] = refusal.retry_after
    if refusal.first:
        record(
            session,
            action="auth.rate_limited",
            operation=Operation.authorization,
            outcome=Outcome.deny,
            principal=principal,
            detail={"limit": refusal.scope, "retry_after": refusal.retry_after},
            durable=True,
        )
    raise RateLimited(
        f"too many requests from this {refusal.scope}; try again in {refusal.retry_after} s"
    )


async def supplied_csrf_token(request: Request) -> str | None:
    """The CSRF token an unsafe request riding on the session cookie echoes: in its header,
    or in the posted form."""
    if request.method in SAFE_METHODS or not request.cookies.get(SESSION_COOKIE):
        return None
    supplied = request.headers.get(CSRF_HEADER)
    if supplied is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        supplied = value if isinstance(value, str) else None
    return supplied


def check_csrf(request: Request, supplied: str | None) -> None:
    """Unsafe requests riding on the session cookie must echo the session's CSRF token."""
    web_session = getattr(request.state, "web_session", None)
    if (
        web_session is not None
        and request.method not in SAFE_METHODS
        and not (supplied and secrets.compare_digest(supplied, web_session.csrf_token))
    ):
        raise CsrfFailed(N_("missing or wrong CSRF token; reload the page and try again"))


async def _csrf_checked(
    request: Request, principal: Annotated[Principal, Depends(_authenticated)]
) -> Principal:
    check_csrf(request, await supplied_csrf_token(request))
    return principal


PrincipalDep = Annotated[Principal, Depends(_csrf_checked)]


async def access_context(
    request: Request,
    x_purpose: Annotated[str | None, Header(description="why: a purpose code")] = None,
    x_justification: Annotated[
        str | None, Header(description="the case or reason; logged with the consultation")
    ] = None,
) -> AccessContext:
    """Purpose and justification come as headers (or query parameters of the same name).
    Async, like every dependency that does no I/O: a sync one costs a thread hop."""
    return AccessContext.of(
        x_purpose or request.query_params.get("purpose"),
        x_justification or request.query_params.get("justification"),
    )


ContextDep = Annotated[AccessContext, Depends(access_context)]

# Paging: an offset past any table is refused (422) before it reaches the database, where
# one past 2**63 does not fit SQLite's integers and failed as a 500.
MAX_OFFSET = 1_000_000_000
OffsetQuery = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip")]
