"""What every CLI command shares: settings, the unit of work, the acting principal, output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time
from functools import cached_property, wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.markup import escape
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from palermo.db import SessionFactory, create_db_engine, session_factory, unit_of_work
from palermo.errors import Invalid, NotFound, PalermoError
from palermo.files import read_file
from palermo.identity import repository
from palermo.identity.credentials import Credentials
from palermo.identity.principal import Principal, operator_principal
from palermo.identity.service import principal_for
from palermo.settings import Settings

# Soft wrap: long messages stay on one line, so scripts and logs can match them.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class CliState:
    """Set by the root callback: which node's data, and as whom commands act."""

    settings: Settings
    acting_user: str | None = None

    @cached_property
    def engine(self) -> Engine:
        return create_db_engine(self.settings.resolved_database_url)

    @cached_property
    def sessions(self) -> SessionFactory:
        return session_factory(self.engine)

    @cached_property
    def credentials(self) -> Credentials:
        return Credentials(self.settings)

    def close(self) -> None:
        """Close the database connections. A process that outlives the command (a test
        runner, a notebook) must not keep them: SQLite maps each database's WAL index once
        per process, and a connection left open can keep that mapping on a file a node has
        since removed and recreated, so later connections would read a stale database."""
        if "engine" in self.__dict__:
            self.engine.dispose()

    @contextmanager
    def work(self) -> Iterator[tuple[Session, Principal]]:
        """One unit of work acting as `--as USER`, or as the node operator without one."""
        with unit_of_work(self.sessions) as session:
            yield session, self.principal(session)

    def principal(self, session: Session) -> Principal:
        if self.acting_user is None:
            return operator_principal(repository.hosted_agency_ids(session))
        user = repository.user_by_username(session, self.acting_user)
        if user is None or not user.active:
            raise NotFound(f"no active user {self.acting_user!r} to act as")
        return principal_for(user, channel="cli")


def state(ctx: typer.Context) -> CliState:
    root = ctx.find_root()
    assert isinstance(root.obj, CliState)
    return root.obj


def handles_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn Palermo errors into a clear message and a non-zero exit code."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except PalermoError as error:
            err.print(f"[bold red]error[/] {escape(f'[{error.code}] {error.message}')}")
            for detail in error.details:
                err.print(f"  {escape(str(detail))}", highlight=False)
            raise typer.Exit(code=1) from None
        except ValidationError as error:
            # An option that fails a shape's rule (a too-short legal basis, a depth of 9).
            for problem in error.errors():
                where = ".".join(str(part) for part in problem["loc"]) or "input"
                text = escape(f"[invalid] {where}: {problem['msg']}")
                err.print(f"[bold red]error[/] {text}")
            raise typer.Exit(code=1) from None
        except (OperationalError, ProgrammingError) as error:
            err.print(
                "[bold red]error[/] \\[database] the database is unreachable or not initialised "
                f"({type(error.orig).__name__}); run `palermo db upgrade` first",
                highlight=False,
            )
            raise typer.Exit(code=1) from None

    return wrapper


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")


Model = TypeVar("Model", bound=BaseModel)


def read_model(model: type[Model], file: Path) -> Model:
    """A JSON file as `model` (a wrong field is reported by `handles_errors`, by its path),
    no larger than the API accepts of a request body."""
    if not file.is_file():
        raise Invalid(f"no file {file}")
    # The limit is an environment setting (the root command's settings read the same).
    limit = Settings().max_request_bytes
    return model.model_validate_json(read_file(file, limit=limit, what="the file"))


def as_utc(moment: datetime | None, *, end_of_day: bool = False) -> datetime | None:
    """Options are read as UTC, as Palermo stores time; a bare date given as the end of a
    window includes that whole day."""
    if moment is None:
        return None
    if end_of_day and moment.time() == time.min:
        moment = datetime.combine(moment.date(), time.max)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
