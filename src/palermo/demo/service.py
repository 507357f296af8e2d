"""Build the demo world into a database."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palermo.demo.builder import DEMO_PASSWORD, DemoWorld
from palermo.demo.chapters import CHAPTERS
from palermo.errors import Conflict
from palermo.identity import repository
from palermo.identity.credentials import Credentials
from palermo.identity.principal import operator_principal
from palermo.identity.service import ensure_local_node
from palermo.models.identity import Agency
from palermo.settings import Settings

LOGINS_FILE = "demo-logins.json"


def build_world(
    session: Session,
    *,
    settings: Settings,
    credentials: Credentials,
    seed: int,
    on_chapter: Callable[[str], None] = lambda _name: None,
) -> DemoWorld:
    """Generate every chapter of the world for `seed` into an empty database."""
    if session.scalar(select(func.count()).select_from(Agency)):
        raise Conflict("the database already holds agencies; the demo needs an empty database")
    ensure_local_node(session, settings)
    world = DemoWorld(
        session=session,
        settings=settings,
        credentials=credentials,
        operator=operator_principal(repository.hosted_agency_ids(session)),
        seed=seed,
        rng=random.Random(seed),
    )
    for name, chapter in CHAPTERS:
        on_chapter(name)
        # The operator acts for every agency hosted so far, those of earlier chapters too.
        world.operator = operator_principal(repository.hosted_agency_ids(session))
        chapter(world)
        session.flush()
    return world


def write_logins(world: DemoWorld, data_dir: Path) -> Path:
    """The demo's log-ins and TOTP seeds, for `palermo demo code` and for newcomers."""
    path = data_dir / LOGINS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "seed": world.seed,
        "password": DEMO_PASSWORD,
        "users": [asdict(login) for login in world.logins],
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False))
    path.chmod(0o600)
    return path


def read_logins(data_dir: Path) -> dict[str, dict[str, object]]:
    path = data_dir / LOGINS_FILE
    if not path.exists():
        return {}
    users = json.loads(path.read_text())["users"]
    return {u["username"]: u for u in users}
