"""The concurrency limit in front of the app: a request holds its slot until it ends, but a
server-sent event stream (open as long as a browser tab) gives it back once it starts."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from starlette.types import Message, Receive, Scope, Send

from palermo.http import ConcurrencyLimit


async def _nothing() -> Message:
    return {"type": "http.disconnect"}


def test_a_request_holds_its_slot_but_an_event_stream_gives_it_back() -> None:
    async def scenario() -> None:
        answering, finish = asyncio.Event(), asyncio.Event()

        async def app(scope: Scope, _receive: Receive, send: Send) -> None:
            kind = b"text/event-stream" if scope["path"] == "/stream" else b"application/json"
            await send(
                {"type": "http.response.start", "status": 200, "headers": [(b"content-type", kind)]}
            )
            answering.set()
            await finish.wait()
            await send({"type": "http.response.body", "body": b""})

        limited = ConcurrencyLimit(app, limit=1)
        sent: list[Message] = []

        async def collect(message: Message) -> None:
            sent.append(message)

        for path, holds in (("/api/records", True), ("/stream", False)):
            answering.clear()
            finish.clear()
            request = asyncio.create_task(
                limited({"type": "http", "path": path}, _nothing, collect)
            )
            await answering.wait()
            assert limited.slots.locked() is holds, path
            finish.set()
            await request
            assert not limited.slots.locked()  # every slot back once the response ends

    # In a thread of its own: a browser test earlier in the run may leave this thread's
    # event loop running (Playwright's sync API), where asyncio.run refuses to start.
    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(asyncio.run, scenario()).result()
