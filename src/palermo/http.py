"""ASGI middleware every response passes through (body-size limit, security headers), and
file downloads."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any
from urllib.parse import quote

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from palermo.errors import PayloadTooLarge

# The web UI loads only its own vendored assets; nothing is fetched from elsewhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


class BodySizeLimit:
    """Refuse request bodies over `max_bytes`, whether or not Content-Length is announced."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._refuse(send)
                return
        received = 0
        overflowed = False

        async def limited_receive() -> Message:
            nonlocal received, overflowed
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    overflowed = True
                    raise PayloadTooLarge(self._message())
            return message

        async def answer(message: Message) -> None:
            # Whatever the app made of the aborted body read, the client is told 413.
            if not overflowed:
                await send(message)
            elif message["type"] == "http.response.start":
                await self._refuse(send)

        await self.app(scope, limited_receive, answer)

    def _message(self) -> str:
        return f"request body larger than {self.max_bytes} bytes"

    async def _refuse(self, send: Send) -> None:
        body = PayloadTooLarge(self._message()).to_dict()
        payload = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": PayloadTooLarge.status_code,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


class ConcurrencyLimit:
    """At most `limit` requests inside the app at once; the others wait here, in the event
    loop, holding no thread and no database lock.

    Most routes run their unit of work in one thread hop (`palermo.routing`), but those left
    to FastAPI (an async route on the session, a dependency built on it) authenticate, work
    and commit in separate trips to the thread pool while their transaction (SQLite's write
    lock, or the audit log's append lock) stays held. With more requests in the app than
    threads, the holder can wait for a thread that every other request is using to wait for
    its lock. Admitting fewer requests than there are threads and pooled connections makes
    that impossible.

    A server-sent event stream gives its slot back once its response starts: it lives as
    long as the browser tab, and each of its checks is a short transaction of its own."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.slots = asyncio.Semaphore(limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.slots.acquire()
        held = True

        def release() -> None:
            nonlocal held
            if held:
                held = False
                self.slots.release()

        async def streams_released(message: Message) -> None:
            if message["type"] == "http.response.start" and _is_event_stream(message):
                release()
            await send(message)

        try:
            await self.app(scope, receive, streams_released)
        finally:
            release()


def _is_event_stream(start: Message) -> bool:
    return any(
        name.lower() == b"content-type" and value.startswith(b"text/event-stream")
        for name, value in start.get("headers", [])
    )


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"cache-control", b"no-store"),
        ]
        if hsts:
            self.headers.append((b"strict-transport-security", b"max-age=63072000"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [
                    (n, v)
                    for n, v in self.headers
                    if n not in present and not (static and n == b"cache-control")
                ]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


SAFE_MEDIA_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+$")


def download_response(content: bytes, filename: str, media_type: str) -> Response:
    """A file download: the name in ASCII and in UTF-8 (RFC 6266/5987), and a media type
    that cannot smuggle header syntax (a stored one came from an uploader)."""
    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename)
    utf8_name = quote(filename, safe="")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{utf8_name}"
    safe_type = media_type if SAFE_MEDIA_TYPE.match(media_type) else "application/octet-stream"
    return Response(content, media_type=safe_type, headers={"content-disposition": disposition})


def file_responses(*media_types: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entry of a route answering a file rather than JSON (with
    `response_class=Response`): its media types, the body as bytes. Uploaded files are
    served as their uploader typed them, hence `*/*`."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {200: {"description": "the file", "content": dict.fromkeys(media_types, binary)}}
