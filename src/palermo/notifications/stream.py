"""The live unread count: server-sent events, and who may keep listening.

A stream sends the unread count when it opens and whenever it changes. It checks every
`CHECK_SECONDS` in a fresh, short transaction that first authenticates the caller again —
a session that ended (log-out, idle or over age), a revoked token or a disabled user ends
the stream — and is then rolled back: listening is not activity, so it neither keeps a
browser session from going idle (CJIS 5.5.5) nor writes an audit line every few seconds.
Comment lines keep proxies from closing a quiet stream; the stream ends after
`STREAM_SECONDS` and the browser reconnects (`retry:`), so a server that stops is not held
open by its listeners."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from time import monotonic

import anyio
from fastapi import Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from palermo.db import SessionFactory, unit_of_work
from palermo.deps import SESSION_COOKIE
from palermo.errors import MfaRequired, PalermoError, TokenInvalid, Unauthorized
from palermo.identity import repository as identities
from palermo.identity import service as identity
from palermo.identity.credentials import digest
from palermo.identity.principal import Principal
from palermo.models.base import utcnow
from palermo.notifications import repository
from palermo.notifications.repository import Unread
from palermo.settings import Settings
from palermo.web import i18n

CHECK_SECONDS = 3.0
HEARTBEAT_SECONDS = 15.0
STREAM_SECONDS = 120.0
RETRY_MILLISECONDS = 3000


@dataclass(frozen=True)
class Credential:
    cookie: str | None = None
    bearer: str | None = None


def credential_of(request: Request) -> Credential:
    """The bearer token or the session cookie the request came with."""
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, secret = authorization.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise TokenInvalid("send the token as 'Authorization: Bearer <token>'")
        return Credential(bearer=secret.strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise Unauthorized("log in, or send an API token as 'Authorization: Bearer <token>'")
    return Credential(cookie=cookie)


def quiet_principal(session: Session, settings: Settings, credential: Credential) -> Principal:
    """Authenticate as every request does, except that asking for news does not count as the
    session's activity: a tab left open must not keep its session alive."""
    now = utcnow()
    if credential.bearer is not None:
        return identity.authenticate_token(session, secret=credential.bearer, now=now)
    assert credential.cookie is not None
    stored = identities.session_by_token_hash(session, digest(credential.cookie))
    seen = stored.last_seen_at if stored else None
    active = identity.resume_session(session, settings=settings, cookie=credential.cookie, now=now)
    if seen is not None:
        active.web_session.last_seen_at = seen
    if not active.web_session.mfa_passed:
        raise MfaRequired("enter the one-time code from your authenticator app")
    return identity.principal_for(active.user, channel="session")


def label(count: int) -> str:
    """What the badge says to a screen reader, in the current language."""
    return i18n.ngettext("%(num)d unread notification", "%(num)d unread notifications", count) % {
        "num": count
    }


def unread_document(unread: Unread) -> dict[str, object]:
    return {
        "count": unread.count,
        "latest_id": str(unread.latest_id) if unread.latest_id else None,
        "label": label(unread.count),
    }


def _check(sessions: SessionFactory, settings: Settings, credential: Credential) -> Unread:
    with unit_of_work(sessions) as session:
        principal = quiet_principal(session, settings, credential)
        found = repository.unread(session, principal)
        session.rollback()  # nothing of a check is kept (a token's use, its audit line)
        return found


async def _disconnected_within(request: Request, seconds: float) -> bool:
    """Wait up to `seconds` for the client to go away; True if it did."""
    with anyio.move_on_after(seconds):
        while True:
            message = await request.receive()
            if message["type"] == "http.disconnect":
                return True
    return False


async def events(
    request: Request, sessions: SessionFactory, settings: Settings, language: str
) -> AsyncIterator[str]:
    """`unread` events with the count, the newest unread id and the badge's label; an `end`
    event when the caller may no longer listen."""
    credential = credential_of(request)
    yield f"retry: {RETRY_MILLISECONDS}\n\n"
    started = last_sent = monotonic()
    sent: Unread | None = None
    while monotonic() - started < STREAM_SECONDS:
        try:
            unread = await run_in_threadpool(_check, sessions, settings, credential)
        except PalermoError:
            yield "event: end\ndata: {}\n\n"
            return
        if unread != sent:
            with i18n.speaking(language):
                document = unread_document(unread)
            yield f"event: unread\ndata: {json.dumps(document)}\n\n"
            sent, last_sent = unread, monotonic()
        elif monotonic() - last_sent >= HEARTBEAT_SECONDS:
            yield ": still here\n\n"
            last_sent = monotonic()
        if await _disconnected_within(request, CHECK_SECONDS):
            return
