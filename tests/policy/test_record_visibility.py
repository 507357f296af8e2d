"""No principal ever receives a record, a field or a count that policy denies it.

An ORACLE below states the access rules in plain Python, from the specification and
independently of the SQL in `palermo.policy.records`. Hypothesis builds small random
worlds (agencies in a few countries, users with random roles, records with random
envelopes and shares, grants that may be filtered, revoked or expired) through the
services, then every observable answer is compared with the oracle:

- the HTTP API: GET /api/records/{id}, GET /api/records (items and totals) and
  GET /api/records/export;
- the CLI's code paths in-process (`records show`, `records search`, `export ftm` call
  `read_record`, `search_records` and `export_ftm` in a unit of work acting `--as` a user);
- the real `palermo --as USER export ftm|records search|records show` on a fixed world.

Each Hypothesis example builds its world inside a savepoint of the test's transaction and
rolls it back afterwards, so nothing of one example is visible to the next (checked).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from followthemoney import model
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import Connection, func, select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from palermo.cli import app as cli_app
from palermo.db import create_db_engine, session_factory, unit_of_work
from palermo.errors import NotFound
from palermo.identity import repository as directory
from palermo.identity import service as identity
from palermo.identity.credentials import Credentials
from palermo.identity.principal import Principal, operator_principal
from palermo.identity.roles import AgencyKind, Role
from palermo.models.base import utcnow
from palermo.models.identity import Agency
from palermo.models.records import Record
from palermo.policy.records import AccessContext
from palermo.records import grants as grant_service
from palermo.records import service as records
from palermo.records import transfer
from palermo.records.envelope import (
    AccessLevel,
    HandlingCode,
    Purpose,
    RecordStatus,
    ShareScope,
    SubjectCategory,
    Tlp,
)
from palermo.records.schemas import EnvelopeIn, ShareIn
from palermo.settings import Environment, Settings
from tests.databases import fresh_database, node_settings

# The world's vocabulary ------------------------------------------------------------------
P1 = Purpose.criminal_investigation
P2 = Purpose.crime_prevention
P3 = Purpose.financial_intelligence
QUERY_PURPOSES = (P1, P2, P3)
# Records may also permit a purpose nobody asks for.
RECORD_PURPOSES = (*QUERY_PURPOSES, Purpose.counter_terrorism)
COUNTRIES = ("FR", "NG", "BR")
SCHEMAS = ("Person", "Company", "Vehicle")
# Search filters: the concrete schemas, and an abstract parent of Person and Company.
SCHEMA_FILTERS = (*SCHEMAS, "LegalEntity")
# Every record's name holds TOKEN, so one name search returns candidates of every owner;
# its first word is unique to the record, so a leaked name can be spotted in any answer.
TOKEN = "Kovac"
FIRST_NAMES = (
    "Zdravko",
    "Ljubica",
    "Dragan",
    "Milena",
    "Vesna",
    "Branko",
    "Jelena",
    "Tomislav",
)
AGENCY_ROLES = (
    Role.officer,
    Role.analyst,
    Role.supervisor,
    Role.agency_admin,
    Role.auditor,
    Role.system_admin,
)
PARTNER_AGENCY_ROLES = (Role.partner, Role.agency_admin)
JUSTIFICATION = "property test of the access policy"
PASSWORD = "correct horse battery"

FULL = "full"
HIT = "hit_only"
Level = str | None  # FULL, HIT or None (nothing)


# The world, as plain data ----------------------------------------------------------------
@dataclass(frozen=True)
class AgencySpec:
    code: str
    country: str
    partner: bool = False  # a private partner (bank): its users are partners or admins


@dataclass(frozen=True)
class UserSpec:
    username: str
    agency: str
    roles: frozenset[Role]


@dataclass(frozen=True)
class ShareSpec:
    scope: ShareScope
    target: str | None  # agency code (scope agency), country (scope country), None (everyone)
    level: AccessLevel


@dataclass(frozen=True)
class RecordSpec:
    key: str
    owner: str
    schema: str
    name: str
    purposes: frozenset[Purpose]
    shares: tuple[ShareSpec, ...]
    tlp: Tlp = Tlp.green
    handling: HandlingCode = HandlingCode.H2
    subject: SubjectCategory | None = None
    status: RecordStatus = RecordStatus.active

    @property
    def id(self) -> str:
        return f"{self.owner.lower()}.{self.key}"

    @property
    def secret(self) -> str:
        """A word of the record's content that only full access may reveal."""
        return self.name.split()[0]


@dataclass(frozen=True)
class GrantSpec:
    owner: str
    grantee: str
    level: AccessLevel
    schema: str | None = None
    purpose: Purpose | None = None
    record: str | None = None  # a record id
    # "open" (no expiry), "until_later" (expires in 30 days), "revoked", "expired".
    state: str = "open"


@dataclass(frozen=True)
class World:
    agencies: tuple[AgencySpec, ...]
    users: tuple[UserSpec, ...]
    records: tuple[RecordSpec, ...]
    grants: tuple[GrantSpec, ...] = ()

    def agency(self, code: str) -> AgencySpec:
        return next(a for a in self.agencies if a.code == code)

    def user(self, username: str) -> UserSpec:
        return next(u for u in self.users if u.username == username)

    def record(self, record_id: str) -> RecordSpec:
        return next(r for r in self.records if r.id == record_id)

    def admin_of(self, code: str) -> UserSpec:
        return next(u for u in self.users if u.agency == code and Role.agency_admin in u.roles)


# The ORACLE: the specification in plain Python -------------------------------------------
READER_ROLES = frozenset({Role.officer, Role.analyst, Role.supervisor, Role.agency_admin})
# Private partners (banks) see what their own agency reported in full, and of everyone
# else's data only hits — whatever role their users hold (docs/architecture.md, Policy).


def share_matches(share: ShareSpec, agency: AgencySpec) -> bool:
    if share.scope is ShareScope.agency:
        return share.target == agency.code
    if share.scope is ShareScope.country:
        return share.target == agency.country
    return True  # everyone


def grant_matches(
    grant: GrantSpec, record: RecordSpec, agency: AgencySpec, purpose: Purpose
) -> bool:
    return (
        grant.owner == record.owner
        and grant.grantee == agency.code
        and grant.state in ("open", "until_later")
        and grant.schema in (None, record.schema)
        and grant.purpose in (None, purpose)
        and grant.record in (None, record.id)
    )


def oracle(world: World, user: UserSpec, record: RecordSpec, purpose: Purpose) -> Level:
    """What `user` may see of `record` when consulting it for `purpose`."""
    partner = Role.partner in user.roles
    if not (user.roles & READER_ROLES) and not partner:
        return None  # auditors and system administrators read no records
    if record.status is RecordStatus.erased:
        return None
    agency = world.agency(user.agency)
    if record.owner == agency.code:
        level: Level = FULL  # the owner sees its own, active or blocked, whatever the purpose
    else:
        if record.status is not RecordStatus.active or purpose not in record.purposes:
            return None
        levels = {s.level for s in record.shares if share_matches(s, agency)} | {
            g.level for g in world.grants if grant_matches(g, record, agency, purpose)
        }
        level = FULL if AccessLevel.full in levels else HIT if levels else None
    # A private partner only screens others' data, whatever its users' roles.
    if level is not None and (partner or agency.partner) and record.owner != agency.code:
        return HIT
    return level


def expected_search(
    world: World,
    user: UserSpec,
    purpose: Purpose,
    *,
    schema: str | None = None,
    owner: str | None = None,
) -> dict[str, str]:
    """{record id: access} of a name search for TOKEN (every record's name holds it)."""
    found = {}
    for record in world.records:
        if schema and not model.get(record.schema).is_a(schema):
            continue
        if owner and record.owner != owner:
            continue
        level = oracle(world, user, record, purpose)
        if level is not None:
            found[record.id] = level
    return found


def expected_export(
    world: World, user: UserSpec, purpose: Purpose, *, schema: str | None = None
) -> list[str]:
    """Exports hold exactly the records the user may fully see, in id order."""
    return sorted(
        record_id
        for record_id, level in expected_search(world, user, purpose, schema=schema).items()
        if level == FULL
    )


# Checking answers against the oracle ---------------------------------------------------
HIT_KEYS = {"access", "id", "schema", "owner_agency"}


def share_key(scope: str, target: str | None, level: str) -> tuple[str, str, str]:
    return (scope, target or "", level)


def check_full(body: dict[str, Any], record: RecordSpec) -> None:
    assert body["access"] == FULL
    assert body["id"] == record.id
    assert body["schema"] == record.schema
    assert body["status"] == record.status.value
    assert body["properties"]["name"] == [record.name]
    envelope = body["envelope"]
    assert envelope["owner_agency"] == record.owner
    assert set(envelope["purposes"]) == {p.value for p in record.purposes}
    assert envelope["tlp"] == record.tlp.value
    assert envelope["handling_code"] == record.handling.value
    assert sorted(
        share_key(s["scope"], s["agency"] or s["country"], s["level"]) for s in envelope["shares"]
    ) == sorted({share_key(s.scope.value, s.target, s.level.value) for s in record.shares})


def check_hit(body: dict[str, Any], record: RecordSpec) -> None:
    """A hit is the reference and who to ask: exactly these keys, no caption, no content."""
    assert set(body) == HIT_KEYS, body
    assert body == {
        "access": HIT,
        "id": record.id,
        "schema": record.schema,
        "owner_agency": record.owner,
    }


def check_item(world: World, body: dict[str, Any], level: str) -> None:
    record = world.record(body["id"])
    if level == FULL:
        check_full(body, record)
    else:
        check_hit(body, record)


def check_no_leak(world: World, text: str, shown: set[str], where: str) -> None:
    """No content of a record outside `shown` (the fully visible ones) appears in `text`."""
    for record in world.records:
        if record.id not in shown:
            assert record.secret not in text, f"{where}: content of {record.id} leaked"


def check_search(
    world: World, answer: dict[str, Any], expected: dict[str, str], where: str
) -> None:
    items = answer["items"]
    got = {item["id"]: item["access"] for item in items}
    assert len(got) == len(items), f"{where}: duplicate items"
    assert got == expected, where
    assert answer["total"] == len(expected), f"{where}: total leaks a count"
    for item in items:
        check_item(world, item, expected[item["id"]])
    accesses = [item["access"] for item in items]
    assert accesses == sorted(accesses, key=lambda a: a != FULL), (
        f"{where}: a hit sorted before a full record"
    )
    check_no_leak(
        world, json.dumps(answer), {i for i, level in expected.items() if level == FULL}, where
    )


def check_export(
    world: World, lines: list[dict[str, Any]], expected: list[str], where: str
) -> None:
    assert [line["id"] for line in lines] == expected, where
    for line in lines:
        record = world.record(line["id"])
        assert set(line) == {"id", "schema", "properties", "envelope"}
        assert line["schema"] == record.schema
        assert line["properties"]["name"] == [record.name]
        assert line["envelope"]["owner_agency"] == record.owner
        assert set(line["envelope"]["purposes"]) == {p.value for p in record.purposes}
    check_no_leak(world, json.dumps(lines), set(expected), where)


def check_read(
    world: World, record: RecordSpec, level: Level, status: int, body: Any, where: str
) -> None:
    if level is None:
        assert status == 404, f"{where}: expected 404, got {status} {body}"
        check_no_leak(world, json.dumps(body), set(), where)
        return
    assert status == 200, f"{where}: expected {level}, got {status} {body}"
    assert body["access"] == level, where
    check_item(world, body, level)
    check_no_leak(world, json.dumps(body), {record.id} if level == FULL else set(), where)


# Building a world through the services ---------------------------------------------------
def envelope_for(record: RecordSpec) -> EnvelopeIn:
    return EnvelopeIn(
        subject_category=record.subject,
        handling_code=record.handling,
        handling_note="ask the owner before any use"
        if record.handling is HandlingCode.H3
        else None,
        tlp=record.tlp,
        purposes=sorted(record.purposes),
        shares=[
            ShareIn(
                scope=s.scope,
                agency=s.target if s.scope is ShareScope.agency else None,
                country=s.target if s.scope is ShareScope.country else None,
                level=s.level,
            )
            for s in record.shares
        ],
        legal_basis="Code of criminal procedure, art. 230-6",
    )


@dataclass
class Built:
    user_ids: dict[str, uuid.UUID]
    grant_ids: list[uuid.UUID]


def acting(session: Session, user_id: uuid.UUID) -> Principal:
    """The principal of a user acting on the command line (`--as`)."""
    user = directory.user_by_id(session, user_id)
    assert user is not None
    return identity.principal_for(user, channel="cli")


def build(
    session: Session,
    settings: Settings,
    credentials: Credentials,
    world: World,
    *,
    now: datetime,
    password_hash: str | None = None,
) -> Built:
    """Agencies and users by the node operator, records through `create_record`, grants by
    the owner's agency administrator; blocked, erased, revoked and expired as specified."""
    identity.ensure_local_node(session, settings)
    root = operator_principal(frozenset())
    for agency in world.agencies:
        identity.create_agency(
            session,
            principal=root,
            settings=settings,
            code=agency.code,
            name=f"Agency {agency.code}",
            kind=(AgencyKind.private_partner if agency.partner else AgencyKind.police).value,
            country=agency.country,
        )
    user_ids = {}
    for user in world.users:
        created = identity.create_user(
            session,
            principal=root,
            settings=settings,
            credentials=credentials,
            username=user.username,
            display_name=user.username,
            agency_code=user.agency,
            roles=user.roles,
            password=PASSWORD,
            password_hash=password_hash,
        )
        user_ids[user.username] = created.user.id
    operator = operator_principal(directory.hosted_agency_ids(session))
    for record in world.records:
        created_record = records.create_record(
            session,
            principal=operator,
            settings=settings,
            entity={
                "id": record.key,
                "schema": record.schema,
                "properties": {"name": [record.name]},
            },
            envelope=envelope_for(record),
            owner_code=record.owner,
            now=now,
        )
        assert created_record.id == record.id
    for record in world.records:
        if record.status is RecordStatus.blocked:
            session.execute(
                update(Record).where(Record.id == record.id).values(status=RecordStatus.blocked)
            )
        elif record.status is RecordStatus.erased:
            records.erase_record(
                session, principal=operator, record_id=record.id, reason="test", now=now
            )
    grant_ids = []
    for spec in world.grants:
        admin = acting(session, user_ids[world.admin_of(spec.owner).username])
        grant = grant_service.grant_access(
            session,
            principal=admin,
            grantee=spec.grantee,
            level=spec.level,
            reason="joint investigation",
            schema=spec.schema,
            purpose=spec.purpose,
            record_id=spec.record,
            expires_at=now + timedelta(days=30) if spec.state == "until_later" else None,
            now=now,
        )
        if spec.state == "revoked":
            grant_service.revoke_grant(session, principal=admin, grant_id=grant.id, now=now)
        elif spec.state == "expired":
            # The service refuses a past expiry; age the grant instead.
            grant.expires_at = now - timedelta(days=1)
        grant_ids.append(grant.id)
    session.commit()
    return Built(user_ids=user_ids, grant_ids=grant_ids)


@contextmanager
def example_world(
    connection: Connection,
    sessions: sessionmaker[Session],
    settings: Settings,
    credentials: Credentials,
    world: World,
    password_hash: str,
) -> Iterator[tuple[Session, Built]]:
    """Build `world` inside a savepoint of the test's transaction; roll it all back after."""
    savepoint = connection.begin_nested()
    try:
        with sessions() as session:
            # Nothing of a previous example may survive into this one.
            assert session.scalar(select(func.count()).select_from(Record)) == 0
            assert session.scalar(select(func.count()).select_from(Agency)) == 0
            built = build(
                session, settings, credentials, world, now=utcnow(), password_hash=password_hash
            )
            yield session, built
    finally:
        savepoint.rollback()


@pytest.fixture(scope="module")
def password_hash() -> str:
    settings = Settings(environment=Environment.test, argon2_time_cost=1, argon2_memory_kib=64)
    return Credentials(settings).hash_password(PASSWORD)


# Random worlds ---------------------------------------------------------------------------
def allowed_tlps(shares: tuple[ShareSpec, ...]) -> list[Tlp]:
    """RED goes to named agencies only; AMBER and AMBER+STRICT never to everyone."""
    scopes = {s.scope for s in shares}
    allowed = [Tlp.clear, Tlp.green]
    if ShareScope.everyone not in scopes:
        allowed += [Tlp.amber, Tlp.amber_strict]
        if ShareScope.country not in scopes:
            allowed.append(Tlp.red)
    return allowed


@st.composite
def share_specs(draw: st.DrawFn, others: list[str], countries: tuple[str, ...]) -> ShareSpec:
    level = draw(st.sampled_from(AccessLevel))
    scope = draw(st.sampled_from(ShareScope))
    if scope is ShareScope.agency:
        return ShareSpec(scope, draw(st.sampled_from(others)), level)
    if scope is ShareScope.country:
        return ShareSpec(scope, draw(st.sampled_from(countries)), level)
    return ShareSpec(scope, None, level)


@st.composite
def worlds(draw: st.DrawFn, *, partner_owners: bool = True) -> World:
    countries = COUNTRIES[: draw(st.integers(2, 3))]
    count = draw(st.integers(3, 5))
    partner_at = draw(st.none() | st.integers(0, count - 1))
    agencies = tuple(
        AgencySpec(f"AG{i}", draw(st.sampled_from(countries)), partner=i == partner_at)
        for i in range(count)
    )
    users = []
    for agency in agencies:
        pool = PARTNER_AGENCY_ROLES if agency.partner else AGENCY_ROLES
        for j in range(draw(st.integers(1, 3))):
            roles = draw(st.frozensets(st.sampled_from(pool), min_size=1, max_size=2))
            users.append(UserSpec(f"{agency.code.lower()}.u{j}", agency.code, roles))
    owners = [a.code for a in agencies if partner_owners or not a.partner]
    record_specs = []
    for k in range(draw(st.integers(3, 8))):
        owner = draw(st.sampled_from(owners))
        schema = draw(st.sampled_from(SCHEMAS))
        others = [a.code for a in agencies if a.code != owner]
        shares = tuple(draw(st.lists(share_specs(others, countries), max_size=3)))
        record_specs.append(
            RecordSpec(
                key=f"r{k}",
                owner=owner,
                schema=schema,
                name=f"{FIRST_NAMES[k]} {TOKEN}",
                purposes=draw(st.frozensets(st.sampled_from(RECORD_PURPOSES), min_size=1)),
                shares=shares,
                tlp=draw(st.sampled_from(allowed_tlps(shares))),
                handling=draw(st.sampled_from(HandlingCode)),
                subject=draw(st.sampled_from(SubjectCategory)) if schema == "Person" else None,
                status=draw(
                    st.sampled_from(
                        [RecordStatus.active] * 4 + [RecordStatus.blocked, RecordStatus.erased]
                    )
                ),
            )
        )
    grant_specs = []
    for _ in range(draw(st.integers(0, 4))):
        # Grants come from agencies holding records (so they can matter).
        owner = draw(st.sampled_from(sorted({r.owner for r in record_specs})))
        own_records = [r.id for r in record_specs if r.owner == owner]
        grant_specs.append(
            GrantSpec(
                owner=owner,
                grantee=draw(st.sampled_from([a.code for a in agencies if a.code != owner])),
                level=draw(st.sampled_from(AccessLevel)),
                schema=draw(st.none() | st.sampled_from(SCHEMAS)),
                purpose=draw(st.none() | st.sampled_from(QUERY_PURPOSES)),
                # Mostly one of the owner's records; sometimes another's (it never matches).
                record=draw(
                    st.one_of(
                        st.none(),
                        st.none(),
                        st.sampled_from(own_records),
                        st.sampled_from([r.id for r in record_specs]),
                    )
                ),
                state=draw(st.sampled_from(["open", "open", "until_later", "revoked", "expired"])),
            )
        )
        # The grant is given by one of the owner's agency administrators.
        if not any(u.agency == owner and Role.agency_admin in u.roles for u in users):
            users.append(UserSpec(f"{owner.lower()}.admin", owner, frozenset({Role.agency_admin})))
    return World(tuple(agencies), tuple(users), tuple(record_specs), tuple(grant_specs))


PROPERTY_SETTINGS = hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# The API ---------------------------------------------------------------------------------
def api_headers(bearer: str, purpose: Purpose) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {bearer}",
        "X-Purpose": purpose.value,
        "X-Justification": JUSTIFICATION,
    }


def issue_token(sessions: sessionmaker[Session], settings: Settings, user_id: uuid.UUID) -> str:
    with unit_of_work(sessions) as session:
        issued = identity.create_token(
            session,
            principal=acting(session, user_id),
            settings=settings,
            name="property test",
            days=1,
            now=utcnow(),
        )
        return issued.secret


@PROPERTY_SETTINGS
@given(world=worlds(), data=st.data())
def test_api_answers_match_the_oracle(
    world: World,
    data: st.DataObject,
    connection: Connection,
    sessions: sessionmaker[Session],
    settings: Settings,
    credentials: Credentials,
    client: TestClient,
    password_hash: str,
) -> None:
    queries = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(world.users),
                st.sampled_from(QUERY_PURPOSES),
                st.none() | st.sampled_from(SCHEMA_FILTERS),
                st.none() | st.sampled_from([a.code for a in world.agencies]),
            ),
            min_size=2,
            max_size=3,
        ),
        label="queries",
    )
    with example_world(connection, sessions, settings, credentials, world, password_hash) as (
        _,
        built,
    ):
        tokens: dict[str, str] = {}
        for user, purpose, schema, owner in queries:
            if user.username not in tokens:
                tokens[user.username] = issue_token(
                    sessions, settings, built.user_ids[user.username]
                )
            headers = api_headers(tokens[user.username], purpose)
            who = f"{user.username} {sorted(user.roles)} for {purpose.value}"

            params = {"q": TOKEN, "limit": "200"}
            if schema:
                params["schema"] = schema
            if owner:
                params["owner"] = owner
            response = client.get("/api/records", params=params, headers=headers)
            assert response.status_code == 200, response.text
            expected = expected_search(world, user, purpose, schema=schema, owner=owner)
            check_search(world, response.json(), expected, f"API search {params} by {who}")

            response = client.get(
                "/api/records/export", params={"schema": schema} if schema else {}, headers=headers
            )
            assert response.status_code == 200, response.text
            lines = [json.loads(line) for line in response.text.splitlines() if line.strip()]
            check_export(
                world,
                lines,
                expected_export(world, user, purpose, schema=schema),
                f"API export (schema {schema}) by {who}",
            )

            for record in world.records:
                response = client.get(f"/api/records/{record.id}", headers=headers)
                check_read(
                    world,
                    record,
                    oracle(world, user, record, purpose),
                    response.status_code,
                    response.json(),
                    f"API read {record.id} by {who}",
                )
            response = client.get("/api/records/ag0.nothing-here", headers=headers)
            assert response.status_code == 404


# The CLI's code paths, in-process --------------------------------------------------------
def cli_search(
    sessions: sessionmaker[Session],
    user_id: uuid.UUID,
    purpose: Purpose,
    *,
    limit: int,
    offset: int = 0,
    schema: str | None = None,
) -> dict[str, Any]:
    """What `palermo --as USER records search TOKEN --json` computes and prints."""
    with unit_of_work(sessions) as session:
        result = records.search_records(
            session,
            principal=acting(session, user_id),
            context=AccessContext.of(purpose.value, JUSTIFICATION),
            text=TOKEN,
            schema=schema,
            limit=limit,
            offset=offset,
            now=utcnow(),
        )
        return {
            "total": result.total,
            "items": [i.model_dump(mode="json", by_alias=True) for i in result.items],
        }


def cli_export(
    sessions: sessionmaker[Session], user_id: uuid.UUID, purpose: Purpose, schema: str | None
) -> list[dict[str, Any]]:
    """What `palermo --as USER export ftm` computes and writes, line by line."""
    with unit_of_work(sessions) as session:
        return [
            json.loads(json.dumps(entity, ensure_ascii=False))
            for entity in transfer.export_ftm(
                session,
                principal=acting(session, user_id),
                context=AccessContext.of(purpose.value, JUSTIFICATION),
                schema=schema,
                now=utcnow(),
            )
        ]


def cli_show(
    sessions: sessionmaker[Session], user_id: uuid.UUID, purpose: Purpose, record_id: str
) -> tuple[int, Any]:
    """What `palermo --as USER records show ID --json` computes: the view, or not found."""
    try:
        with unit_of_work(sessions) as session:
            view = records.read_record(
                session,
                principal=acting(session, user_id),
                context=AccessContext.of(purpose.value, JUSTIFICATION),
                record_id=record_id,
                now=utcnow(),
            )
            return 200, view.model_dump(mode="json", by_alias=True)
    except NotFound as error:
        return 404, {"error": error.message}


@PROPERTY_SETTINGS
@given(world=worlds(), data=st.data())
def test_cli_paths_match_the_oracle(
    world: World,
    data: st.DataObject,
    connection: Connection,
    sessions: sessionmaker[Session],
    settings: Settings,
    credentials: Credentials,
    password_hash: str,
) -> None:
    # Every user searches once (so every principal's count is checked); a sample of
    # (user, purpose) pairs also pages, filters, exports and shows every record.
    purposes = {
        user.username: data.draw(st.sampled_from(QUERY_PURPOSES), label=user.username)
        for user in world.users
    }
    pairs = data.draw(
        st.lists(
            st.tuples(st.sampled_from(world.users), st.sampled_from(QUERY_PURPOSES)),
            min_size=2,
            max_size=3,
            unique=True,
        ),
        label="pairs",
    )
    page = data.draw(st.integers(1, 3), label="page size")
    schema = data.draw(st.none() | st.sampled_from(SCHEMA_FILTERS), label="schema filter")
    with example_world(connection, sessions, settings, credentials, world, password_hash) as (
        _,
        built,
    ):
        for user in world.users:
            purpose = purposes[user.username]
            check_search(
                world,
                cli_search(sessions, built.user_ids[user.username], purpose, limit=200),
                expected_search(world, user, purpose),
                f"CLI search by {user.username} {sorted(user.roles)} for {purpose.value}",
            )

        for user, purpose in pairs:
            user_id = built.user_ids[user.username]
            who = f"{user.username} {sorted(user.roles)} for {purpose.value}"
            expected = expected_search(world, user, purpose)

            # Page by page: every page tells the same total, pages add up to the answer.
            items: list[dict[str, Any]] = []
            offset = 0
            while True:
                paged = cli_search(sessions, user_id, purpose, limit=page, offset=offset)
                assert paged["total"] == len(expected), f"CLI page total by {who}"
                assert len(paged["items"]) <= page
                items += paged["items"]
                offset += page
                if offset >= paged["total"]:
                    break
            beyond = cli_search(sessions, user_id, purpose, limit=page, offset=offset)
            assert beyond == {"total": len(expected), "items": []}, f"CLI past the end by {who}"
            check_search(
                world,
                {"total": len(expected), "items": items},
                expected,
                f"CLI search in pages of {page} by {who}",
            )

            if schema:
                check_search(
                    world,
                    cli_search(sessions, user_id, purpose, limit=200, schema=schema),
                    expected_search(world, user, purpose, schema=schema),
                    f"CLI search (schema {schema}) by {who}",
                )

            check_export(
                world,
                cli_export(sessions, user_id, purpose, schema),
                expected_export(world, user, purpose, schema=schema),
                f"CLI export (schema {schema}) by {who}",
            )

            for record in world.records:
                status, body = cli_show(sessions, user_id, purpose, record.id)
                check_read(
                    world,
                    record,
                    oracle(world, user, record, purpose),
                    status,
                    body,
                    f"CLI show {record.id} by {who}",
                )


# Revocation takes effect on the very next request ----------------------------------------
REVOCATION_WORLD = World(
    agencies=(AgencySpec("FR-OWN", "FR"), AgencySpec("NG-GET", "NG")),
    users=(
        UserSpec("owner.admin", "FR-OWN", frozenset({Role.agency_admin})),
        UserSpec("getter.officer", "NG-GET", frozenset({Role.officer})),
    ),
    records=(
        RecordSpec(
            key="p1",
            owner="FR-OWN",
            schema="Person",
            name=f"Zdravko {TOKEN}",
            purposes=frozenset({P1}),
            shares=(),
            subject=SubjectCategory.suspect,
        ),
    ),
    grants=(
        GrantSpec("FR-OWN", "NG-GET", AccessLevel.full),
        GrantSpec("FR-OWN", "NG-GET", AccessLevel.hit_only, schema="Person", purpose=P1),
    ),
)


def test_revoked_grant_stops_working_on_the_next_request(
    db: Session,
    sessions: sessionmaker[Session],
    settings: Settings,
    credentials: Credentials,
    client: TestClient,
) -> None:
    world = REVOCATION_WORLD
    built = build(db, settings, credentials, world, now=utcnow())
    full_grant, hit_grant = built.grant_ids
    getter = world.user("getter.officer")
    getter_id = built.user_ids[getter.username]
    record = world.records[0]
    reader = api_headers(issue_token(sessions, settings, getter_id), P1)
    admin = {
        "Authorization": f"Bearer {issue_token(sessions, settings, built.user_ids['owner.admin'])}"
    }

    def observe(level: Level) -> None:
        response = client.get(f"/api/records/{record.id}", headers=reader)
        check_read(world, record, level, response.status_code, response.json(), "API read")
        found = client.get("/api/records", params={"q": TOKEN}, headers=reader)
        check_search(world, found.json(), {record.id: level} if level else {}, "API search")
        exported = client.get("/api/records/export", headers=reader)
        lines = [json.loads(line) for line in exported.text.splitlines() if line.strip()]
        check_export(world, lines, [record.id] if level == FULL else [], "API export")
        status, body = cli_show(sessions, getter_id, P1, record.id)
        check_read(world, record, level, status, body, "CLI show")

    observe(FULL)
    revoked = client.delete(f"/api/grants/{full_grant}", headers=admin)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None
    # The full grant is gone; the hit-only grant still answers.
    observe(HIT)
    revoked = client.delete(f"/api/grants/{hit_grant}", headers=admin)
    assert revoked.status_code == 200, revoked.text
    observe(None)
    # The oracle agrees once the grants are marked revoked.
    revoked_world = World(
        world.agencies,
        world.users,
        world.records,
        tuple(
            GrantSpec(g.owner, g.grantee, g.level, g.schema, g.purpose, g.record, "revoked")
            for g in world.grants
        ),
    )
    assert oracle(revoked_world, getter, record, P1) is None


# Private partners owning records ---------------------------------------------------------
PARTNER_WORLD = World(
    agencies=(
        AgencySpec("BANK", "FR", partner=True),
        AgencySpec("BANK-TWO", "FR", partner=True),
        AgencySpec("FR-POL", "FR"),
        AgencySpec("NG-POL", "NG"),
    ),
    users=(
        UserSpec("bank.partner", "BANK", frozenset({Role.partner})),
        UserSpec("bank.admin", "BANK", frozenset({Role.agency_admin})),
        UserSpec("bank.both", "BANK", frozenset({Role.partner, Role.agency_admin})),
        UserSpec("other.partner", "BANK-TWO", frozenset({Role.partner})),
        UserSpec("other.admin", "BANK-TWO", frozenset({Role.agency_admin})),
        UserSpec("fr.officer", "FR-POL", frozenset({Role.officer})),
        UserSpec("ng.officer", "NG-POL", frozenset({Role.officer})),
    ),
    records=(
        # A suspicious-activity subject the bank recorded and shared with French police.
        RecordSpec(
            key="sar1",
            owner="BANK",
            schema="Person",
            name=f"Vesna {TOKEN}",
            purposes=frozenset({P3}),
            shares=(ShareSpec(ShareScope.country, "FR", AccessLevel.full),),
            subject=SubjectCategory.suspect,
        ),
        RecordSpec(
            key="co1",
            owner="BANK",
            schema="Company",
            name=f"Branko {TOKEN}",
            purposes=frozenset({P3}),
            shares=(ShareSpec(ShareScope.everyone, None, AccessLevel.hit_only),),
        ),
    ),
)


def test_oracle_for_a_private_partners_own_records() -> None:
    """Partners screen others' data (hits); their own bank's records follow
    in full; the bank's admin reads its own in full; another bank's admin gets hits only."""
    world = PARTNER_WORLD
    sar, company = world.records
    own = FULL
    assert oracle(world, world.user("bank.admin"), sar, P1) == FULL
    assert oracle(world, world.user("bank.partner"), sar, P1) == own  # any purpose
    assert oracle(world, world.user("bank.both"), company, P2) == own
    assert oracle(world, world.user("other.partner"), sar, P3) == HIT  # full share, capped
    assert oracle(world, world.user("other.partner"), sar, P1) is None  # purpose
    assert oracle(world, world.user("other.admin"), sar, P3) == HIT  # another bank: hits only
    assert oracle(world, world.user("other.admin"), company, P3) == HIT
    assert oracle(world, world.user("fr.officer"), sar, P3) == FULL
    assert oracle(world, world.user("fr.officer"), sar, P1) is None
    assert oracle(world, world.user("ng.officer"), sar, P3) is None
    assert oracle(world, world.user("ng.officer"), company, P3) == HIT


def test_private_partner_records_match_the_oracle(
    db: Session,
    sessions: sessionmaker[Session],
    settings: Settings,
    credentials: Credentials,
) -> None:
    """Records a private partner owns, seen by its partners and admins, by another bank's,
    and by police: through show, search and export."""
    world = PARTNER_WORLD
    built = build(db, settings, credentials, world, now=utcnow())
    for user in world.users:
        user_id = built.user_ids[user.username]
        for purpose in QUERY_PURPOSES:
            who = f"{user.username} for {purpose.value}"
            for record in world.records:
                status, body = cli_show(sessions, user_id, purpose, record.id)
                check_read(
                    world,
                    record,
                    oracle(world, user, record, purpose),
                    status,
                    body,
                    f"show {record.id} by {who}",
                )
            check_search(
                world,
                cli_search(sessions, user_id, purpose, limit=200),
                expected_search(world, user, purpose),
                f"search by {who}",
            )
            check_export(
                world,
                cli_export(sessions, user_id, purpose, None),
                expected_export(world, user, purpose),
                f"export by {who}",
            )


# The real command line, on a fixed world -------------------------------------------------
CLI_WORLD = World(
    agencies=(
        AgencySpec("FR-ONE", "FR"),
        AgencySpec("FR-TWO", "FR"),
        AgencySpec("NG-ONE", "NG"),
        AgencySpec("BANK", "FR", partner=True),
    ),
    users=(
        UserSpec("fr1.officer", "FR-ONE", frozenset({Role.officer})),
        UserSpec("fr1.admin", "FR-ONE", frozenset({Role.agency_admin})),
        UserSpec("fr2.analyst", "FR-TWO", frozenset({Role.analyst})),
        UserSpec("fr2.auditor", "FR-TWO", frozenset({Role.auditor})),
        UserSpec("ng1.supervisor", "NG-ONE", frozenset({Role.supervisor})),
        UserSpec("ng1.admin", "NG-ONE", frozenset({Role.agency_admin, Role.auditor})),
        UserSpec("ng1.sysadmin", "NG-ONE", frozenset({Role.system_admin})),
        UserSpec("bank.partner", "BANK", frozenset({Role.partner})),
        UserSpec("bank.admin", "BANK", frozenset({Role.agency_admin})),
    ),
    records=(
        # French agencies (the bank too) may use it for investigations.
        RecordSpec(
            key="p1",
            owner="FR-ONE",
            schema="Person",
            name=f"Zdravko {TOKEN}",
            purposes=frozenset({P1}),
            shares=(ShareSpec(ShareScope.country, "FR", AccessLevel.full),),
            tlp=Tlp.amber,
            subject=SubjectCategory.suspect,
        ),
        # Everyone knows it exists; NG-ONE reads it in full.
        RecordSpec(
            key="c1",
            owner="FR-ONE",
            schema="Company",
            name=f"Ljubica {TOKEN}",
            purposes=frozenset({P1, P3}),
            shares=(
                ShareSpec(ShareScope.everyone, None, AccessLevel.hit_only),
                ShareSpec(ShareScope.agency, "NG-ONE", AccessLevel.full),
            ),
        ),
        # Blocked: its owner only.
        RecordSpec(
            key="v1",
            owner="FR-ONE",
            schema="Vehicle",
            name=f"Dragan {TOKEN}",
            purposes=frozenset({P1, P2, P3}),
            shares=(ShareSpec(ShareScope.everyone, None, AccessLevel.full),),
            status=RecordStatus.blocked,
        ),
        # Erased: nobody.
        RecordSpec(
            key="p2",
            owner="FR-ONE",
            schema="Person",
            name=f"Milena {TOKEN}",
            purposes=frozenset({P1}),
            shares=(ShareSpec(ShareScope.everyone, None, AccessLevel.full),),
            subject=SubjectCategory.witness,
            status=RecordStatus.erased,
        ),
        # No shares: only grants reach it.
        RecordSpec(
            key="p3",
            owner="NG-ONE",
            schema="Person",
            name=f"Vesna {TOKEN}",
            purposes=frozenset({P1, P2}),
            shares=(),
            tlp=Tlp.red,
            handling=HandlingCode.H3,
            subject=SubjectCategory.victim,
        ),
        RecordSpec(
            key="c2",
            owner="NG-ONE",
            schema="Company",
            name=f"Branko {TOKEN}",
            purposes=frozenset({P1, P2}),
            shares=(ShareSpec(ShareScope.agency, "FR-TWO", AccessLevel.hit_only),),
            tlp=Tlp.amber_strict,
        ),
        RecordSpec(
            key="v2",
            owner="FR-ONE",
            schema="Vehicle",
            name=f"Jelena {TOKEN}",
            purposes=frozenset({P1, P2, P3}),
            shares=(),
        ),
    ),
    grants=(
        GrantSpec("NG-ONE", "FR-ONE", AccessLevel.full, schema="Person", purpose=P2),
        GrantSpec("NG-ONE", "FR-TWO", AccessLevel.full, state="revoked"),
        GrantSpec("NG-ONE", "BANK", AccessLevel.full, state="expired"),
        GrantSpec(
            "NG-ONE",
            "FR-TWO",
            AccessLevel.full,
            record="ng-one.c2",
            purpose=P1,
            state="until_later",
        ),
        GrantSpec("FR-ONE", "NG-ONE", AccessLevel.hit_only, schema="Vehicle"),
    ),
)


# (user, record, purpose) for `records show`: every kind of answer, every reason.
CLI_SHOWS = (
    ("fr1.officer", "fr-one.v1", P2),  # full: its own, blocked
    ("fr1.officer", "fr-one.p2", P1),  # nothing: erased
    ("fr1.officer", "ng-one.p3", P2),  # full: Person grant for P2
    ("fr2.analyst", "fr-one.p1", P1),  # full: country share
    ("fr2.analyst", "fr-one.c1", P1),  # hit: everyone, hit-only
    ("fr2.analyst", "ng-one.c2", P1),  # full: record grant
    ("fr2.analyst", "ng-one.c2", P2),  # hit: agency share, hit-only
    ("fr2.analyst", "ng-one.p3", P2),  # nothing: revoked grant
    ("fr2.analyst", "ng-one.p3", P1),  # nothing: the record grant is for c2
    ("fr2.auditor", "fr-one.p1", P1),  # nothing: auditors read no records
    ("ng1.supervisor", "fr-one.v2", P3),  # hit: Vehicle grant, hit-only
    ("ng1.sysadmin", "ng-one.p3", P2),  # nothing: system admins read no records
    ("bank.partner", "fr-one.p1", P1),  # hit: partners only screen
    ("bank.partner", "ng-one.p3", P2),  # nothing: expired grant
)


def test_oracle_on_the_cli_world() -> None:
    """A few answers worked out by hand, so the oracle itself is checked."""
    w = CLI_WORLD
    p1, c1, v1, p2, p3, c2, v2 = w.records
    u = w.user
    assert oracle(w, u("fr1.officer"), v1, P2) == FULL  # blocked, but its own
    assert oracle(w, u("fr1.officer"), p2, P1) is None  # erased
    assert oracle(w, u("fr2.analyst"), p1, P1) == FULL  # country share
    assert oracle(w, u("fr2.analyst"), p1, P2) is None  # purpose not permitted
    assert oracle(w, u("fr2.analyst"), v1, P1) is None  # blocked
    assert oracle(w, u("fr2.analyst"), c1, P1) == HIT  # everyone, hit-only
    assert oracle(w, u("fr2.analyst"), c2, P1) == FULL  # record grant beats hit-only share
    assert oracle(w, u("fr2.analyst"), c2, P2) == HIT  # grant is for P1 only
    assert oracle(w, u("fr2.analyst"), p3, P2) is None  # revoked grant
    assert oracle(w, u("fr2.auditor"), p1, P1) is None  # auditors read no records
    assert oracle(w, u("ng1.supervisor"), c1, P3) == FULL  # agency share
    assert oracle(w, u("ng1.supervisor"), p1, P1) is None  # other country
    assert oracle(w, u("ng1.supervisor"), v2, P3) == HIT  # Vehicle grant, hit-only
    assert oracle(w, u("ng1.admin"), p3, P1) == FULL  # its own, any purpose
    assert oracle(w, u("ng1.sysadmin"), p3, P2) is None  # system admins read no records
    assert oracle(w, u("fr1.officer"), p3, P2) == FULL  # Person/P2 grant
    assert oracle(w, u("fr1.officer"), c2, P2) is None  # grant is for persons only
    assert oracle(w, u("fr1.officer"), p3, P1) is None  # grant is for P2 only
    assert oracle(w, u("fr2.analyst"), p3, P1) is None  # record grant is for c2 only
    assert oracle(w, u("bank.admin"), p1, P1) == HIT  # a bank, whatever the role: hits only
    assert oracle(w, u("bank.partner"), p1, P1) == HIT  # partners only screen
    assert oracle(w, u("bank.partner"), p3, P2) is None  # expired grant


def test_api_search_and_export_on_the_cli_world(
    db: Session,
    sessions: sessionmaker[Session],
    settings: Settings,
    credentials: Credentials,
    client: TestClient,
) -> None:
    """Every user of the fixed world, every purpose: auditors and system administrators
    find nothing (total 0), partners find hits only, nobody exports a hit."""
    world = CLI_WORLD
    built = build(db, settings, credentials, world, now=utcnow())
    for user in world.users:
        bearer = issue_token(sessions, settings, built.user_ids[user.username])
        for purpose in QUERY_PURPOSES:
            who = f"{user.username} {sorted(user.roles)} for {purpose.value}"
            headers = api_headers(bearer, purpose)
            found = client.get("/api/records", params={"q": TOKEN}, headers=headers)
            assert found.status_code == 200, f"API search by {who}: {found.text[:300]}"
            check_search(
                world, found.json(), expected_search(world, user, purpose), f"API search by {who}"
            )
            exported = client.get("/api/records/export", headers=headers)
            assert exported.status_code == 200, f"API export by {who}: {exported.text[:300]}"
            lines = [json.loads(line) for line in exported.text.splitlines() if line.strip()]
            check_export(
                world, lines, expected_export(world, user, purpose), f"API export by {who}"
            )


class Palermo:
    """The `palermo` command through typer's runner, as tests/test_cli.py drives it."""

    def __init__(self, env: dict[str, str]) -> None:
        self.runner = CliRunner()
        self.env = env

    def __call__(self, *args: str, ok: bool = True) -> Any:
        result = self.runner.invoke(cli_app, list(args), env=self.env)
        if ok:
            assert result.exit_code == 0, result.output
        return result


def test_real_cli_export_search_and_show_match_the_oracle(tmp_path: Path) -> None:
    world = CLI_WORLD
    with fresh_database(tmp_path, migrated=True) as url:
        palermo = Palermo(
            {
                "PALERMO_DATABASE_URL": url,
                "PALERMO_DATA_DIR": str(tmp_path / "data"),
                "PALERMO_ARGON2_TIME_COST": "1",
                "PALERMO_ARGON2_MEMORY_KIB": "64",
                "PALERMO_USER": "",
            }
        )
        settings = node_settings(tmp_path / "data", url)
        engine = create_db_engine(url)
        try:
            with unit_of_work(session_factory(engine)) as session:
                build(session, settings, Credentials(settings), world, now=utcnow())
        finally:
            engine.dispose()

        for user in world.users:
            for purpose in QUERY_PURPOSES:
                who = f"palermo --as {user.username} … --purpose {purpose.value}"
                common = ("--purpose", purpose.value, "--justification", JUSTIFICATION)
                out = tmp_path / f"{user.username}-{purpose.value}.jsonl"
                palermo("--as", user.username, "export", "ftm", *common, "--out", str(out))
                lines = [json.loads(line) for line in out.read_text().splitlines() if line]
                check_export(world, lines, expected_export(world, user, purpose), f"{who} export")

                found = palermo(
                    "--as", user.username, "records", "search", TOKEN, *common, "--json"
                )
                check_search(
                    world,
                    json.loads(found.stdout),
                    expected_search(world, user, purpose),
                    f"{who} search",
                )

        # `records show` on a selection covering full, hit-only and nothing (each CLI run
        # costs a fresh engine, so not every triple).
        for username, record_id, purpose in CLI_SHOWS:
            user, record = world.user(username), world.record(record_id)
            common = ("--purpose", purpose.value, "--justification", JUSTIFICATION)
            shown = palermo(
                "--as", username, "records", "show", record_id, *common, "--json", ok=False
            )
            level = oracle(world, user, record, purpose)
            where = f"palermo --as {username} records show {record_id} --purpose {purpose.value}"
            if level is None:
                assert shown.exit_code == 1, f"{where}: {shown.output}"
                assert "[not_found]" in shown.output, where
                check_no_leak(world, shown.output, set(), where)
            else:
                assert shown.exit_code == 0, f"{where}: {shown.output}"
                check_read(world, record, level, 200, json.loads(shown.stdout), where)
