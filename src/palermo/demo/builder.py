"""Building the demo world: a seeded generator run chapter by chapter in one transaction."""

from __future__ import annotations

import hashlib
import random
from base64 import b32encode
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from palermo.identity import repository
from palermo.identity.credentials import Credentials
from palermo.identity.principal import Principal
from palermo.identity.service import principal_for
from palermo.models.identity import Agency, User
from palermo.settings import Settings

DEMO_PASSWORD = "palermo-demo-2026"  # noqa: S105 - published with the demo world


@dataclass
class DemoLogin:
    username: str
    display_name: str
    agency: str
    roles: list[str]
    totp_secret: str | None


@dataclass
class DemoWorld:
    """What chapters share: the seed's random stream and what earlier chapters made."""

    session: Session
    settings: Settings
    credentials: Credentials
    operator: Principal
    seed: int
    rng: random.Random
    agencies: dict[str, Agency] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def principal(self, username: str) -> Principal:
        """A demo user acting in the workspace (chapters play the agencies' work)."""
        user = repository.user_by_username(self.session, username)
        assert user is not None, f"no demo user {username}"
        return principal_for(user, channel="web")

    def totp_secret_for(self, username: str) -> str:
        """Deterministic per seed, so the same seed gives the same world."""
        raw = hashlib.sha256(f"palermo-demo/{self.seed}/{username}".encode()).digest()[:20]
        return b32encode(raw).decode()


Chapter = Callable[[DemoWorld], None]
