"""Storage: migrations from empty on each backend, SQLite settings, the unit of work."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.orm import Session

from palermo.audit import merkle, tree
from palermo.audit.service import Operation, record
from palermo.db import (
    READING,
    attempt,
    create_db_engine,
    fetch_rows,
    next_number,
    remembered,
    run_unit,
    session_factory,
    unit_of_work,
)
from palermo.errors import Invalid
from palermo.identity import repository as identities
from palermo.identity import service
from palermo.identity.principal import operator_principal
from palermo.migrations import current_revision, head_revision, modelled, upgrade
from palermo.models import AuditEvent, Base
from palermo.models.identity import Agency, Node
from palermo.settings import Settings
from tests.databases import backend, fresh_database


@pytest.fixture
def empty_engine(tmp_path: Path):
    with fresh_database(tmp_path) as url:
        engine = create_db_engine(url)
        yield engine
        engine.dispose()


def test_migrations_build_the_schema_from_empty(empty_engine: Engine) -> None:
    assert inspect(empty_engine).get_table_names() == []
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        assert current_revision(connection) == head_revision()
        # The migrated schema is exactly what the models declare.
        context = MigrationContext.configure(connection, opts={"include_name": modelled})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
    upgrade(empty_engine)  # idempotent at head


def test_migrations_run_down_to_empty_and_back(empty_engine: Engine) -> None:
    from alembic import command

    from palermo.migrations import alembic_config

    upgrade(empty_engine)
    config = alembic_config()
    with empty_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    upgrade(empty_engine)
    assert "agencies" in inspect(empty_engine).get_table_names()


@pytest.mark.skipif(backend() != "sqlite", reason="SQLite connection settings")
def test_sqlite_runs_in_wal_mode_with_foreign_keys(engine: Engine) -> None:
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


@pytest.mark.skipif(backend() != "sqlite", reason="SQLite connection settings")
def test_sqlite_writers_take_turns_and_a_broken_one_gives_its_turn_back(tmp_path: Path) -> None:
    """A second writer waits for the first to commit (in the queue, not in SQLite's busy
    handler); a writer whose connection breaks mid-transaction does not keep the others
    waiting."""
    writers = create_db_engine(f"sqlite:///{tmp_path / 'turns.sqlite3'}")
    with writers.begin() as connection:
        connection.execute(text("CREATE TABLE ledger (entry TEXT)"))
    events: list[str] = []

    def second() -> None:
        with writers.begin() as connection:
            events.append("second writes")
            connection.execute(text("INSERT INTO ledger VALUES ('second')"))

    with writers.connect() as first:
        first.execute(text("INSERT INTO ledger VALUES ('first')"))
        waiting = threading.Thread(target=second)
        waiting.start()
        waiting.join(timeout=0.5)
        assert waiting.is_alive()  # its turn has not come
        assert events == []
        events.append("first commits")
        first.commit()
    waiting.join(timeout=10)
    assert events == ["first commits", "second writes"]

    broken = writers.connect()
    broken.execute(text("INSERT INTO ledger VALUES ('lost')"))
    broken.invalidate()
    after = threading.Thread(target=second)
    after.start()
    after.join(timeout=10)
    assert not after.is_alive(), "a broken connection kept the turn"
    broken.close()
    with writers.connect() as reader:
        entries = reader.execute(text("SELECT entry FROM ledger ORDER BY rowid")).scalars().all()
    assert entries == ["first", "second", "second"]
    writers.dispose()


@pytest.fixture
def sqlite_node(tmp_path: Path):
    engine = create_db_engine(f"sqlite:///{tmp_path / 'node.sqlite3'}")
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE ledger (entry TEXT)"))
    yield engine
    engine.dispose()


def _line(session: Session, action: str, *, durable: bool = False) -> None:
    record(session, action=action, operation=Operation.consultation, actor="x", durable=durable)


def _actions(engine: Engine) -> list[str]:
    with unit_of_work(session_factory(engine)) as session:
        size = tree.tree_size(session)
        leaves = session.scalars(select(AuditEvent.leaf_hash).order_by(AuditEvent.leaf_index))
        assert tree.root_at(session, size) == merkle.root_from_leaf_hashes(leaves)
        query = select(AuditEvent.action).order_by(AuditEvent.leaf_index)
        return [a for a in session.scalars(query) if a.startswith("test.")]


def test_a_reading_unit_of_work_leaves_the_writer_lock_to_others_until_its_end(
    sqlite_node: Engine,
) -> None:
    """A request that only looks reads without SQLite's writer lock, so a writer of another
    thread or process commits meanwhile; its audit lines are made at its end, in a writing
    transaction of their own, after the writer's — less those of a rolled-back savepoint."""
    sessions = session_factory(sqlite_node)

    def writer() -> None:
        with unit_of_work(sessions) as session:
            session.execute(text("INSERT INTO ledger VALUES ('written meanwhile')"))
            _line(session, "test.written")

    def refused(session: Session) -> None:
        _line(session, "test.undone")
        raise Invalid("refused after its line")

    def look(session: Session) -> list[str]:
        _line(session, "test.looked")
        with pytest.raises(Invalid):
            attempt(session, lambda: refused(session))
        entries = session.scalars(text("SELECT entry FROM ledger")).all()
        meanwhile = threading.Thread(target=writer)
        meanwhile.start()
        meanwhile.join(timeout=10)
        assert not meanwhile.is_alive(), "the writer waited for a unit of work that only reads"
        return list(entries)

    assert run_unit(sessions, look, reading=True) == []
    assert _actions(sqlite_node) == ["test.written", "test.looked"]


def test_a_reading_unit_that_writes_after_another_commit_runs_again_writing(
    sqlite_node: Engine,
) -> None:
    """SQLite refuses a reading transaction its first write when another writer committed
    since it began reading (what it read may no longer hold): the work runs again from the
    start, writing, and nothing of the first try stays — not even its durable lines."""
    sessions = session_factory(sqlite_node)
    tries: list[bool] = []

    def other_writer() -> None:
        with unit_of_work(sessions) as session:
            session.execute(text("INSERT INTO ledger VALUES ('other')"))

    def read_then_write(session: Session) -> int:
        tries.append(bool(session.execution_options.get(READING)))
        _line(session, f"test.try {len(tries)}", durable=True)
        seen = session.scalar(text("SELECT count(*) FROM ledger"))
        if len(tries) == 1:
            other_writer()
        session.execute(text("INSERT INTO ledger VALUES ('ours')"))
        return int(seen or 0)

    assert run_unit(sessions, read_then_write, reading=True) == 1  # saw the other's entry
    assert tries == [True, False]
    with sqlite_node.connect() as connection:
        entries = connection.execute(text("SELECT entry FROM ledger ORDER BY rowid")).scalars()
        assert list(entries) == ["other", "ours"]
    assert _actions(sqlite_node) == ["test.try 2"]


def test_a_reading_unit_that_commits_on_its_way_keeps_the_lines_it_held(
    sqlite_node: Engine,
) -> None:
    sessions = session_factory(sqlite_node)

    def look_then_wait(session: Session) -> None:
        _line(session, "test.before the commit")
        session.commit()  # as before asking a peer, which may take seconds
        _line(session, "test.after the commit")

    run_unit(sessions, look_then_wait, reading=True)
    assert _actions(sqlite_node) == ["test.before the commit", "test.after the commit"]


def test_failed_work_leaves_the_database_as_it_was_but_keeps_durable_lines(
    tmp_path: Path, settings: Settings
) -> None:
    with fresh_database(tmp_path) as url:
        engine = create_db_engine(url)
        upgrade(engine)
        sessions = session_factory(engine)
        operator = operator_principal(frozenset())

        def crashing_command() -> None:
            with unit_of_work(sessions) as session:
                service.create_agency(
                    session,
                    principal=operator,
                    settings=settings,
                    code="NCB-IT",
                    name="NCB Rome",
                    kind="national_central_bureau",
                    country="IT",
                )
                record(
                    session,
                    action="test.refused",
                    operation=Operation.authorization,
                    principal=operator,
                    durable=True,
                )
                raise RuntimeError("crash in the middle of the command")

        with pytest.raises(RuntimeError, match="crash in the middle"):
            crashing_command()
        with unit_of_work(sessions) as session:
            assert session.scalar(select(func.count()).select_from(Agency)) == 0
            actions = list(session.scalars(select(AuditEvent.action)))
            # The agency's creation line went with it; the durable refusal stayed.
            assert actions == ["test.refused"]
        engine.dispose()


def test_a_reference_series_never_gives_a_number_twice(engine: Engine) -> None:
    """Eight writers at once take the next numbers of a series that had 41 before it had a
    counter: 42 to 49, each once."""
    scope = f"test:{uuid.uuid4().hex}"
    factory = session_factory(engine)
    taken: list[int] = []
    start = threading.Barrier(8)

    def take() -> None:
        start.wait()
        with unit_of_work(factory) as session:
            taken.append(next_number(session, scope, numbered=lambda: 41))

    writers = [threading.Thread(target=take) for _ in range(8)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert sorted(taken) == list(range(42, 50))


def test_a_unit_of_work_remembers_what_it_found_and_looks_again_for_what_it_did_not(
    engine: Engine,
) -> None:
    """A peer's batch names its node once per envelope: found once, it is not read again;
    a node not found yet is read again, as the same work may yet create it."""
    code = f"peer-{uuid.uuid4().hex[:8]}"
    loads: list[str] = []

    def load(session: Session) -> Node | None:
        loads.append(code)
        return session.scalar(select(Node).where(Node.code == code))

    with unit_of_work(session_factory(engine)) as session:
        assert remembered(session, ("peer", code), lambda: load(session)) is None
        session.add(Node(code=code, name="A peer"))
        session.flush()
        found = remembered(session, ("peer", code), lambda: load(session))
        assert found is not None
        assert found.code == code
        assert remembered(session, ("peer", code), lambda: load(session)) is found
        assert identities.peer_node(session, code) is found
        assert len(loads) == 2
        session.rollback()
    with unit_of_work(session_factory(engine)) as session:  # another unit of work reads anew
        assert remembered(session, ("peer", code), lambda: load(session)) is None
        assert len(loads) == 3


def test_audit_lines_are_written_before_the_next_statement_and_go_with_a_rollback(
    engine: Engine,
) -> None:
    """Audit lines wait on their connection for the transaction's next statement (ORM or
    driver-level), savepoint or commit; a rolled-back savepoint or transaction takes its
    lines with it (and the log's tail goes back to where the savepoint began), and the
    stored Merkle nodes still give the log's root."""
    sessions = session_factory(engine)
    operator = operator_principal(frozenset())
    tag = uuid.uuid4().hex[:8]

    def line(session: Session, name: str) -> None:
        record(
            session, action=f"{tag}.{name}", operation=Operation.administration, principal=operator
        )

    def ours(session: Session) -> list[str]:
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.leaf_index))
        return [a.split(".", 1)[1] for a in actions if a.startswith(f"{tag}.")]

    def refused(session: Session) -> None:
        line(session, "undone")
        raise Invalid("refused after its line")

    with unit_of_work(sessions) as session:
        line(session, "first")
        assert ours(session) == ["first"]
        line(session, "raw")
        sql = "SELECT action FROM audit_events WHERE action = ?"
        assert fetch_rows(session, sql, [f"{tag}.raw"]) == [(f"{tag}.raw",)]
        with pytest.raises(Invalid):
            attempt(session, lambda: refused(session))
        attempt(session, lambda: line(session, "kept"))
        line(session, "last")
    with unit_of_work(sessions) as session:  # the savepoint holds the transaction's first line
        with pytest.raises(Invalid):
            attempt(session, lambda: refused(session))
        line(session, "after")

    def failing_work() -> None:
        with unit_of_work(sessions) as session:
            line(session, "rolled back")
            raise RuntimeError("the work fails")

    with pytest.raises(RuntimeError):
        failing_work()
    with unit_of_work(sessions) as session:
        assert ours(session) == ["first", "raw", "kept", "last", "after"]
        size = tree.tree_size(session)
        leaves = session.scalars(select(AuditEvent.leaf_hash).order_by(AuditEvent.leaf_index))
        assert tree.root_at(session, size) == merkle.root_from_leaf_hashes(leaves)
