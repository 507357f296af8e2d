"""Requests per user and per agency: token buckets, so one account or one agency cannot
monopolise a node (a runaway script, a stolen token replayed at speed, a scraper).

Each authenticated request takes one token from its user's bucket and one from its
agency's; a bucket holds a minute's allowance and refills continuously. A request is
admitted only if both buckets have a token (neither is charged otherwise), else refused
with 429, `Retry-After` saying when the emptier bucket has one again. The first refusal of a
run is audited durably; the rest of the run is not, so a flood costs one audit line.

The buckets live in this process's memory: a node served by several worker processes gives
each its own buckets, so the effective limit is the configured one times the workers. An
exact limit across workers or nodes needs a shared store (PostgreSQL, Redis) instead.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Hashable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from palermo.settings import Settings

# Where the middleware leaves the buckets for the authentication dependency, and where the
# dependency leaves the wait for the middleware to announce.
STATE_KEY = "palermo_rate_limits"
RETRY_AFTER_KEY = "palermo_retry_after"


@dataclass
class _Bucket:
    tokens: float
    at: float
    refusing: bool = False


@dataclass(frozen=True)
class Refusal:
    """A refused request: which bucket was empty, how long until it is not, and whether
    this is the first refusal since that bucket last admitted a request."""

    scope: str
    retry_after: int
    first: bool


class TokenBuckets:
    """One bucket per key; `per_minute` tokens at most, refilled at `per_minute` a minute.
    `per_minute == 0` turns the limit off."""

    def __init__(self, *, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.buckets: dict[Hashable, _Bucket] = {}

    def refilled(self, key: Hashable, now: float) -> _Bucket:
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        return bucket


class RateLimits:
    """The node's buckets per user and per agency, shared by the requests of this process."""

    def __init__(self, settings: Settings) -> None:
        self.users = TokenBuckets(per_minute=settings.rate_limit_user_per_minute)
        self.agencies = TokenBuckets(per_minute=settings.rate_limit_agency_per_minute)
        self.lock = threading.Lock()

    def admit(self, *, user: Hashable, agency: Hashable | None) -> Refusal | None:
        """Take a token from both buckets, or from neither and say why."""
        now = time.monotonic()
        wanted = [("user", self.users, user)]
        if agency is not None:
            wanted.append(("agency", self.agencies, agency))
        with self.lock:
            buckets = [
                (scope, limits, limits.refilled(key, now))
                for scope, limits, key in wanted
                if limits.capacity > 0
            ]
            empty = [(scope, limits, b) for scope, limits, b in buckets if b.tokens < 1]
            if not empty:
                for _, _, bucket in buckets:
                    bucket.tokens -= 1
                    bucket.refusing = False
                return None
            scope, limits, bucket = max(empty, key=lambda e: (1 - e[2].tokens) / e[1].rate)
            first = not any(b.refusing for _, _, b in empty)
            for _, _, refused in empty:
                refused.refusing = True
            return Refusal(scope, math.ceil((1 - bucket.tokens) / limits.rate), first)


class RateLimitMiddleware:
    """Owns the app's `RateLimits` (the authentication dependency, which knows who is
    asking, takes the tokens) and puts `Retry-After` on the refusals it reports."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.limits = RateLimits(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state[STATE_KEY] = self.limits

        async def with_retry_after(message: Message) -> None:
            wait = state.get(RETRY_AFTER_KEY)
            if message["type"] == "http.response.start" and message["status"] == 429 and wait:
                headers = [(n, v) for n, v in message.get("headers", []) if n != b"retry-after"]
                message["headers"] = [*headers, (b"retry-after", str(wait).encode())]
            await send(message)

        await self.app(scope, receive, with_retry_after)
