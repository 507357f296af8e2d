"""Fixtures: a migrated database per session, a rolled-back transaction per test, factories."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from palermo.app import create_app
from palermo.cli import app as cli_app
from palermo.db import create_db_engine
from palermo.identity import repository, service
from palermo.identity.credentials import Credentials
from palermo.identity.principal import Principal, operator_principal
from palermo.identity.roles import AgencyKind, Role
from palermo.models import AuditEvent, Base
from palermo.models.base import utcnow
from palermo.models.identity import Agency, User
from palermo.settings import Environment, Settings
from tests.databases import backend, fresh_database

PASSWORD = "correct horse battery"


def pytest_report_header() -> str:
    return f"palermo database backend: {backend()}"


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        environment=Environment.test,
        data_dir=tmp_path_factory.mktemp("data"),
        argon2_time_cost=1,
        argon2_memory_kib=64,
    )


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with fresh_database(tmp_path_factory.mktemp("db"), migrated=True) as url:
        engine = create_db_engine(url)
        yield engine
        engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[object]:
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def sessions(connection: object) -> sessionmaker[Session]:
    """Sessions on the test's outer transaction: their commits are savepoints."""
    return sessionmaker(
        bind=connection,  # type: ignore[arg-type]
        expire_on_commit=False,
        join_transaction_mode="create_savepoint",
    )


@pytest.fixture
def db(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as session:
        yield session


@pytest.fixture
def credentials(settings: Settings) -> Credentials:
    return Credentials(settings)


@pytest.fixture
def client(settings: Settings, sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    with TestClient(create_app(settings, sessions=sessions)) as client:
        yield client


@pytest.fixture
def operator(db: Session, settings: Settings) -> Principal:
    service.ensure_local_node(db, settings)
    return operator_principal(frozenset())


@dataclass
class Factory:
    """Builds agencies and users the way the services do, committing as a request would."""

    db: Session
    settings: Settings
    credentials: Credentials
    operator: Principal
    _count: int = 0

    def agency(
        self, code: str | None = None, *, kind: AgencyKind = AgencyKind.police, country: str = "FR"
    ) -> Agency:
        self._count += 1
        code = code or f"AG-{self._count:03d}"
        agency = service.create_agency(
            self.db,
            principal=self.operator,
            settings=self.settings,
            code=code,
            name=f"Agency {code}",
            kind=kind.value,
            country=country,
        )
        self.db.commit()
        return agency

    def user(
        self, username: str, *roles: Role, agency: Agency | None = None
    ) -> tuple[User, str | None]:
        agency = agency or self.agency()
        created = service.create_user(
            self.db,
            principal=self.operator,
            settings=self.settings,
            credentials=self.credentials,
            username=username,
            display_name=username.title(),
            agency_code=agency.code,
            roles=roles or (Role.officer,),
            password=PASSWORD,
        )
        self.db.commit()
        return created.user, created.totp_secret

    def token(self, user: User) -> str:
        """A bearer token for `user`, issued as the CLI would."""
        loaded = repository.user_by_id(self.db, user.id)
        assert loaded is not None
        issued = service.create_token(
            self.db,
            principal=service.principal_for(loaded, channel="cli"),
            settings=self.settings,
            name="test",
            days=1,
            now=utcnow(),
        )
        self.db.commit()
        return issued.secret

    def bearer(self, user: User) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(user)}"}


@pytest.fixture
def factory(
    db: Session, settings: Settings, credentials: Credentials, operator: Principal
) -> Factory:
    return Factory(db=db, settings=settings, credentials=credentials, operator=operator)


def audit_actions(db: Session) -> list[str]:
    db.expire_all()
    return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.leaf_index)))


CLI_PASSWORD = "a long enough password"


class Palermo:
    def __init__(self, runner: CliRunner, env: dict[str, str]) -> None:
        self.runner = runner
        self.env = env

    def __call__(self, *args: str, ok: bool = True, **kwargs: object):
        result = self.runner.invoke(cli_app, list(args), env=self.env, **kwargs)  # type: ignore[arg-type]
        if ok:
            assert result.exit_code == 0, result.output
        return result

    def add_ncb(self, country: str) -> None:
        """Register the national central bureau of `country` (NCB-<country>)."""
        self(
            "agency",
            "add",
            f"NCB-{country}",
            "--name",
            f"NCB {country}",
            "--kind",
            "national_central_bureau",
            "--country",
            country,
        )

    def json(self, *args: str) -> object:
        return json.loads(self(*args, "--json").stdout)


@pytest.fixture
def palermo(tmp_path: Path) -> Iterator[Palermo]:
    with fresh_database(tmp_path, migrated=True) as url:
        env = {
            "PALERMO_DATABASE_URL": url,
            "PALERMO_DATA_DIR": str(tmp_path / "data"),
            "PALERMO_ARGON2_TIME_COST": "1",
            "PALERMO_ARGON2_MEMORY_KIB": "64",
            "PALERMO_USER": "",
        }
        yield Palermo(CliRunner(), env)


__all__ = ["CLI_PASSWORD", "PASSWORD", "Base", "Factory", "Palermo", "audit_actions"]
