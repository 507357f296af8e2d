"""Demo chapter: what the Spanish bureau's administrator and auditor find on their dashboards
(dated from the day the world is built, so that they always do).

- The bureau lets Europol use its records for the cocaine network's analysis project until
  the project's review in ten days; its analyst's API token for the case-management
  connector expires in five.
- Someone tries the analyst's password three times in a row (the lock-out comes at five).
- The bureau's officer opens six records of other agencies one after another, none of which
  are shared with Spain: six refusals within a minute, which the auditor should ask about.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta

from sqlalchemy import select

from palermo.demo.builder import DemoWorld
from palermo.errors import InvalidCredentials, NotFound
from palermo.identity import service as identity
from palermo.models.base import utcnow
from palermo.models.identity import Agency
from palermo.models.records import Record
from palermo.policy.records import AccessContext, Effect, decide
from palermo.records import grants
from palermo.records import service as records
from palermo.records.envelope import AccessLevel, Purpose

BUREAU = "NCB-ES"
ADMIN, ANALYST, OFFICER = "ncb-es.admin", "ncb-es.analyst", "ncb-es.officer"
PROBED = 6


def populate(world: DemoWorld) -> None:
    now = utcnow()
    grants.grant_access(
        world.session,
        principal=world.principal(ADMIN),
        grantee="EUROPOL",
        level=AccessLevel.full,
        reason="Analysis project on the Mar Abierto cocaine network, until its review.",
        purpose=Purpose.criminal_analysis,
        expires_at=now + timedelta(days=10),
        now=now,
    )
    identity.create_token(
        world.session,
        principal=world.principal(ANALYST),
        settings=world.settings,
        name="Case-management connector",
        days=5,
        now=now,
    )
    for _ in range(3):
        with suppress(InvalidCredentials):
            identity.check_password(
                world.session,
                settings=world.settings,
                credentials=world.credentials,
                username=ANALYST,
                password="guessed-password-2026",  # noqa: S106 - a wrong password, on purpose
                now=now,
            )
    _probe(world)


def _probe(world: DemoWorld) -> None:
    officer = world.principal(OFFICER)
    context = AccessContext.of("criminal_investigation", "Checking a list of references")
    now = utcnow()
    others = world.session.scalars(
        select(Record.id)
        .join(Agency, Agency.id == Record.owner_agency_id)
        .where(Agency.country != "ES")
        .order_by(Record.id)
    )
    hidden = (
        r
        for r in others
        if decide(world.session, officer, r, context.purpose, now=now).effect is Effect.deny
    )
    for record_id, _ in zip(hidden, range(PROBED), strict=False):
        with suppress(NotFound):
            records.read_record(
                world.session, principal=officer, context=context, record_id=record_id, now=now
            )
