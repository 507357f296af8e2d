"""Request dependencies: the unit of work, settings, and who is asking."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from palermo.db import unit_of_work
from palermo.errors import CsrfFailed, MfaRequired, TokenInvalid, Unauthorized
from palermo.identity import service as identity
from palermo.identity.credentials import Credentials
from palermo.identity.principal import Principal
from palermo.models.base import utcnow
from palermo.policy.records import AccessContext
from palermo.settings import Settings

SESSION_COOKIE = "palermo_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _session(request: Request) -> Iterator[Session]:
    # The request owns the transaction; it ends before the response is sent (scope=function),
    # so a client never sees a success that was not committed.
    with unit_of_work(request.app.state.session_factory) as session:
        yield session


# Dependencies that only read the app's state are async: a sync one costs a thread hop.
async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _credentials(request: Request) -> Credentials:
    credentials: Credentials = request.app.state.credentials
    return credentials


SessionDep = Annotated[Session, Depends(_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(_settings)]
CredentialsDep = Annotated[Credentials, Depends(_credentials)]


def _authenticated(request: Request, session: SessionDep, settings: SettingsDep) -> Principal:
    """A bearer token, or a browser session that has passed MFA."""
    now = utcnow()
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, secret = authorization.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise TokenInvalid("send the token as 'Authorization: Bearer <token>'")
        return identity.authenticate_token(session, secret=secret.strip(), now=now)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise Unauthorized("log in, or send an API token as 'Authorization: Bearer <token>'")
    active = identity.resume_session(session, settings=settings, cookie=cookie, now=now)
    if not active.web_session.mfa_passed:
        raise MfaRequired("enter the one-time code from your authenticator app")
    request.state.web_session = active.web_session
    return identity.principal_for(active.user, channel="session")


async def _csrf_checked(
    request: Request, principal: Annotated[Principal, Depends(_authenticated)]
) -> Principal:
    """Unsafe requests riding on the session cookie must echo the session's CSRF token."""
    web_session = getattr(request.state, "web_session", None)
    if web_session is not None and request.method not in SAFE_METHODS:
        supplied = request.headers.get(CSRF_HEADER)
        if supplied is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            value = (await request.form()).get(CSRF_FIELD)
            supplied = value if isinstance(value, str) else None
        if not supplied or not secrets.compare_digest(supplied, web_session.csrf_token):
            raise CsrfFailed("missing or wrong CSRF token; reload the page and try again")
    return principal


PrincipalDep = Annotated[Principal, Depends(_csrf_checked)]


def access_context(
    request: Request,
    x_purpose: Annotated[str | None, Header(description="why: a purpose code")] = None,
    x_justification: Annotated[
        str | None, Header(description="the case or reason; logged with the consultation")
    ] = None,
) -> AccessContext:
    """Purpose and justification come as headers (or query parameters of the same name)."""
    return AccessContext.of(
        x_purpose or request.query_params.get("purpose"),
        x_justification or request.query_params.get("justification"),
    )


ContextDep = Annotated[AccessContext, Depends(access_context)]
