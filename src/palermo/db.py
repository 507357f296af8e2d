"""Engines, sessions and the unit of work.

The caller that starts a piece of work (an HTTP request, a CLI command, a job) owns its
transaction through `unit_of_work`; services only flush.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from operator import itemgetter
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Engine, Table, create_engine, event, insert, update
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import Pool

from palermo.models.base import table_of
from palermo.models.counters import Counter

SessionFactory = sessionmaker[Session]

# Writes that must hold even when the unit of work that made them fails: failed log-in
# counters and the audit lines of refused actions. Each is replayed after the rollback.
_DURABLE_KEY = "palermo.durable_writes"
# Rows `defer_rows` holds on a connection until its next statement, savepoint or commit.
_DEFERRED_KEY = "palermo.deferred_rows"
_NOTES_KEY = "palermo.transaction_notes"
# Writes a reading unit of work holds for its end (`write_at_end`), and how many of them
# each open savepoint found (a savepoint rolled back drops those made since).
_AT_END_KEY = "palermo.writes_at_end"
_AT_END_MARKS_KEY = "palermo.writes_at_end_marks"
# An execution option: the unit of work reads first and takes SQLite's writer lock only at
# its first write, or for the writes held for its end (`run_unit`).
READING = "palermo_reading"
_WROTE_KEY = "palermo.wrote"  # on a reading transaction's connection once it wrote
# The statements a reading transaction runs without SQLite's writer lock.
_READS = ("BEGIN", "SELECT", "WITH", "PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK")
# How long an SQLite writer waits for its turn before giving up with "database is locked".
BUSY_TIMEOUT_SECONDS = 30
SQLITE_MMAP_BYTES = 2**31 - 2**16  # the largest mapping SQLite is built to allow
T = TypeVar("T")


def create_db_engine(url: str, *, readonly: bool = False, **kwargs: Any) -> Engine:
    """An engine for `url`. `readonly` engines (verifiers, reports) never take SQLite's
    write lock, so they can read while another process writes."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            from pathlib import Path

            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        if readonly:
            event.listen(engine, "connect", _sqlite_query_only)
            event.listen(engine, "begin", _sqlite_begin_deferred)
        else:
            turns = None
            if parsed.database and parsed.database != ":memory:":
                turns = _WriterTurns(f"{parsed.database}-writers", BUSY_TIMEOUT_SECONDS)
            _sqlite_writers(engine, turns)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # Let SQLAlchemy drive transactions (pysqlite's own handling defers BEGIN badly).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
    # 64 MiB of page cache (default 2 MiB): large imports touch many index pages.
    cursor.execute("PRAGMA cache_size=-65536")
    # Reads straight from the mapped file instead of a read() into the cache per page: a
    # search touching thousands of records' index pages takes a quarter less time.
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


class _WriterTurns:
    """Writers of one SQLite file wait their turn in a queue instead of polling its lock.

    SQLite's busy handler retries the write lock with sleeps of up to 100 ms, so under
    concurrent requests a waiter sleeps on long after the lock is free: the node idles
    while its tail latency grows to seconds. Here a writer of this engine first waits on a
    thread lock (handed over at once when the last writer's connection goes back to the
    pool, after its commit or rollback), then takes an exclusive `flock` on a file beside
    the database, which orders it against other processes' writers (a second worker, a
    command); only that last wait polls, and only one thread per process does it. Both
    waits give up after SQLite's own busy timeout with SQLite's own error. Read-only
    engines never queue."""

    POLL = 0.0005

    def __init__(self, lock_path: str, timeout: float) -> None:
        self.lock_path, self.timeout = lock_path, timeout
        self.pid = -1

    def _for_this_process(self) -> None:
        # A forked child must not share the parent's lock file description or thread lock.
        if self.pid != os.getpid():
            self.pid = os.getpid()
            self.threads = threading.Lock()
            self.descriptor = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)

    def take(self) -> None:
        self._for_this_process()
        deadline = time.monotonic() + self.timeout
        if not self.threads.acquire(timeout=self.timeout):
            raise sqlite3.OperationalError("database is locked")
        while True:
            try:
                fcntl.flock(self.descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    self.threads.release()
                    raise sqlite3.OperationalError("database is locked") from None
                time.sleep(self.POLL)

    def give_back(self) -> None:
        fcntl.flock(self.descriptor, fcntl.LOCK_UN)
        self.threads.release()


def _sqlite_writers(engine: Engine, turns: _WriterTurns | None) -> None:
    """A writing transaction takes the writer lock at BEGIN: a deferred one that reads then
    writes fails with "database is locked" when another writer committed in between. A
    reading one (`READING`) begins deferred and takes it at its first write, which SQLite
    refuses if another writer committed since it began reading (`run_unit` runs it again)."""

    def take_turn(connection: Any) -> None:
        held = connection.connection.record_info
        if turns is not None and not held.get("writer_turn"):  # kept until it is returned
            turns.take()
            held["writer_turn"] = True

    @event.listens_for(engine, "begin")
    def begin(connection: Connection) -> None:
        if connection.get_execution_options().get(READING):
            connection.exec_driver_sql("BEGIN")
        else:
            take_turn(connection)
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine, "before_cursor_execute")
    def before_write(connection: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        if (
            connection.get_execution_options().get(READING)
            and _WROTE_KEY not in connection.info
            and not statement.lstrip()[:9].upper().startswith(_READS)
        ):
            take_turn(connection)
            connection.info[_WROTE_KEY] = True

    # Also when a connection breaks: the pool invalidates it and takes it back at once.
    if turns is not None:

        @event.listens_for(engine, "checkin")
        def end_turn(_dbapi: sqlite3.Connection | None, record: Any) -> None:
            if record.record_info.pop("writer_turn", False):
                turns.give_back()


def _sqlite_query_only(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    dbapi_connection.execute("PRAGMA query_only=ON")


def _sqlite_begin_deferred(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def session_factory(engine: Engine) -> SessionFactory:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


def durable_write(session: Session, write: Callable[[Session], None]) -> None:
    """Apply `write` now and again after a rollback, so the fact survives the failed work."""
    write(session)
    session.info.setdefault(_DURABLE_KEY, []).append(write)


def checkpoint(session: Session) -> None:
    """Commit the work so far inside a longer unit of work (a job's stage): the durable
    writes it queued are committed with it, so a later failure must not write them again."""
    session.commit()
    session.info.pop(_DURABLE_KEY, None)


def attempt(session: Session, step: Callable[[], T]) -> T:
    """Run `step` in a savepoint: refused half-way, it leaves nothing behind and the caller
    may go on (a page showing the refusal commits nothing of it); the writes the step made
    durable (the audit line of a refusal) are made again, as a failed unit of work would."""
    before = len(session.info.get(_DURABLE_KEY, []))
    try:
        with session.begin_nested():
            return step()
    except Exception:
        for write in session.info.get(_DURABLE_KEY, [])[before:]:
            write(session)
        raise


@contextmanager
def unit_of_work(factory: SessionFactory) -> Iterator[Session]:
    """One transaction: commit on success; on failure roll back, keep the durable writes."""
    session = factory()
    try:
        yield session
    except BaseException:
        conclude(session, failed=True)
        raise
    conclude(session, failed=False)


def conclude(session: Session, *, failed: bool) -> None:
    """End a unit of work: commit it, or (failed, or its commit failing) roll it back and
    commit its durable writes alone; then close the session."""
    try:
        if not failed:
            try:
                _commit(session)
                return
            except BaseException:
                _keep_durable_writes(session)
                raise
        _keep_durable_writes(session)
    finally:
        session.info.pop(_DURABLE_KEY, None)
        session.close()


def _keep_durable_writes(session: Session) -> None:
    session.rollback()
    writes = session.info.pop(_DURABLE_KEY, [])
    if writes:
        for write in writes:
            write(session)
        _commit(session)


def _commit(session: Session) -> None:
    """Commit, with the writes held for the end. A reading SQLite transaction that wrote
    nothing ends its reads first, and they are made in a writing one of their own."""
    held = session.info.pop(_AT_END_KEY, None)
    if held:
        connection = session.connection()
        if connection.dialect.name == "sqlite" and _WROTE_KEY not in connection.info:
            session.commit()
            session.connection(execution_options={READING: False})
        for write in held:
            write(session)
    session.commit()


def write_at_end(session: Session, write: Callable[[Session], None]) -> None:
    """Make a write that depends on nothing the unit of work read — an audit line, a
    disclosure count, a token's last use — now, or in a reading unit of work (`run_unit`)
    at its end, so that its reads never wait for SQLite's writer lock (nor hold it: another
    worker writes meanwhile). A rollback drops it with the rest."""
    if _reading(session):
        session.info.setdefault(_AT_END_KEY, []).append(write)
    else:
        write(session)


def _reading(session: Session) -> bool:
    return bool(session.execution_options.get(READING))


def run_unit(factory: SessionFactory, work: Callable[[Session], T], *, reading: bool) -> T:
    """Run `work` as one unit of work and conclude it. A reading one (a request that only
    looks) begins without SQLite's writer lock and makes its appends at the end; should it
    write after another writer committed since it began reading, SQLite refuses the write,
    and the work is run again from the start, writing, with nothing of the first try kept."""
    if reading:
        session = factory(execution_options={READING: True})
        try:
            result = work(session)
            session.flush()  # its pending changes, so that a refusal comes here
        except Exception as error:
            if not _stale(error):
                conclude(session, failed=True)
                raise
            session.info.pop(_DURABLE_KEY, None)
            conclude(session, failed=True)
        else:
            conclude(session, failed=False)
            return result
    with unit_of_work(factory) as session:
        return work(session)


def _stale(error: BaseException) -> bool:
    """Whether SQLite refused a reading transaction its first write: another writer
    committed since it began reading, so what it read may no longer hold."""
    cause = getattr(error, "orig", error)
    return (
        isinstance(cause, sqlite3.OperationalError)
        and cause.sqlite_errorcode == sqlite3.SQLITE_BUSY_SNAPSHOT
    )


@event.listens_for(Session, "after_transaction_create")
def _mark_writes_at_end(session: Session, transaction: Any) -> None:
    if transaction.nested and _reading(session):
        marks = session.info.setdefault(_AT_END_MARKS_KEY, {})
        marks[transaction] = len(session.info.get(_AT_END_KEY, ()))


@event.listens_for(Session, "after_soft_rollback")
def _drop_writes_at_end(session: Session, previous_transaction: Any) -> None:
    marks = session.info.get(_AT_END_MARKS_KEY, {})
    if previous_transaction.nested and previous_transaction in marks:
        del session.info.get(_AT_END_KEY, [])[marks.pop(previous_transaction) :]


@event.listens_for(Session, "before_commit")
def _make_writes_at_end(session: Session) -> None:
    # A commit other than the unit's own (`_commit` takes them first) makes them now, in
    # its transaction, rather than end it without them.
    for write in session.info.pop(_AT_END_KEY, None) or ():
        write(session)


@event.listens_for(Session, "after_transaction_end")
def _forget_writes_at_end(session: Session, transaction: Any) -> None:
    if not transaction.nested and transaction.parent is None:  # a rollback drops them too
        session.info.pop(_AT_END_KEY, None)
        session.info.pop(_AT_END_MARKS_KEY, None)


def insert_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Bulk-insert rows straight through the driver's executemany.

    For the hot paths — the records, statements, keys and links of imports. Values still
    pass through each column type's own bind processor (so enums, dates, UUIDs and JSON are
    stored exactly as SQLAlchemy would store them), but without SQLAlchemy's per-statement
    and per-row machinery, which costs more than SQLite's insert.
    """
    _executemany(session.connection(), table, tuple(columns), rows)


def defer_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert rows as `insert_rows` does, but just before the transaction's next statement,
    savepoint or commit, in one executemany per table with the rows deferred before them.

    For the audit log: its lines come one at a time (a bulk job writes thousands between two
    statements) and no one can read them before the transaction's next statement. A rollback
    discards them with the rest of the work."""
    connection = session.connection()
    pending = connection.info.setdefault(_DEFERRED_KEY, {})
    pending.setdefault((table, tuple(columns)), []).extend(rows)


def _write_deferred(connection: Connection, *_: Any) -> None:
    pending = connection.info.pop(_DEFERRED_KEY, None)
    for (table, columns), rows in (pending or {}).items():
        _executemany(connection, table, columns, rows)


def _drop_deferred(connection: Connection, *_: Any) -> None:
    if not connection.invalidated:  # an invalidated one has no rows left (see the checkin)
        connection.info.pop(_DEFERRED_KEY, None)


def _before_statement(connection: Connection, *_: Any) -> None:
    if _DEFERRED_KEY in connection.info:
        _write_deferred(connection)


for _name in ("commit", "savepoint", "release_savepoint", "rollback_savepoint"):
    event.listen(Engine, _name, _write_deferred)
event.listen(Engine, "before_cursor_execute", _before_statement)
event.listen(Engine, "rollback", _drop_deferred)


def transaction_notes(session: Session) -> dict[str, Any]:
    """What a unit of work notes of its own transaction, on its connection, until it ends:
    what it wrote and may answer with, or what other sessions of the process should know
    (rows that may yet roll back)."""
    notes: dict[str, Any] = session.connection().info.setdefault(_NOTES_KEY, {})
    return notes


def mark_transaction(session: Session, mark: str) -> None:
    transaction_notes(session)[mark] = True


def transaction_marked(session: Session, mark: str) -> bool:
    return mark in session.connection().info.get(_NOTES_KEY, ())


def _clear_notes(connection: Connection, *_: Any) -> None:
    if not connection.invalidated:  # an invalidated one keeps nothing (see the checkin)
        connection.info.pop(_NOTES_KEY, None)
        connection.info.pop(_WROTE_KEY, None)


event.listen(Engine, "commit", _clear_notes)
event.listen(Engine, "rollback", _clear_notes)


@event.listens_for(Pool, "checkin")
def _drop_deferred_at_checkin(_dbapi: Any, record: Any) -> None:
    # A connection returned without commit or rollback (the pool resets it) drops them too.
    record.info.pop(_DEFERRED_KEY, None)
    record.info.pop(_NOTES_KEY, None)
    record.info.pop(_WROTE_KEY, None)


def _executemany(
    connection: Connection, table: Table, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]
) -> None:
    if not rows:
        return
    dialect = connection.dialect
    sql = _insert_sql(dialect, table.name, columns)
    processors = _bind_processors(dialect, table, columns)
    if processors:
        if len(rows) > 1:
            processors = tuple((position, _memoized(p)) for position, p in processors)
        rows = [_convert(row, processors) for row in rows]
    cursor = connection.connection.cursor()  # the DBAPI connection of this transaction
    try:
        # Past SQLAlchemy's execution, but not past the statement events (the writer lock).
        connection.dispatch.before_cursor_execute(connection, cursor, sql, rows, None, True)
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


@lru_cache(maxsize=64)
def _bind_processors(
    dialect: Dialect, table: Table, columns: tuple[str, ...]
) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
    return tuple(
        (position, processor)
        for position, name in enumerate(columns)
        if (processor := table.c[name].type._cached_bind_processor(dialect)) is not None
    )


def _memoized(processor: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Bulk rows repeat their values (one owner, one time, a few enum members): convert each
    distinct value once."""
    seen: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            seen[value] = converted = processor(value)
            return converted
        except TypeError:  # unhashable (JSON documents)
            return processor(value)

    return convert


def _convert(
    row: tuple[Any, ...], processed: tuple[tuple[int, Callable[[Any], Any]], ...]
) -> tuple[Any, ...]:
    values = list(row)
    for position, processor in processed:
        values[position] = processor(values[position])
    return tuple(values)


@lru_cache(maxsize=64)
def _insert_sql(dialect: Dialect, table: str, columns: tuple[str, ...]) -> str:
    quote = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join(mark for _ in columns)
    return f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"  # noqa: S608


def fetch_rows(session: Session, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Run a read on the hot path through the driver; `sql` uses `?` placeholders and names
    quoted for both SQLite and PostgreSQL."""
    connection = session.connection()
    _before_statement(connection)
    if connection.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql, tuple(params))
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        cursor.close()


def stream_rows(
    session: Session, sql: str, batch: int, params: Sequence[Any] = ()
) -> Iterator[Sequence[Any]]:
    """Stream a large read through the driver, `batch` rows at a time (see `fetch_rows`)."""
    connection = session.connection()
    _before_statement(connection)
    if connection.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql, tuple(params))
        while rows := cursor.fetchmany(batch):
            yield from rows
    finally:
        cursor.close()


def remembered(session: Session, key: tuple[Any, ...], load: Callable[[], T | None]) -> T | None:
    """`load()`, once per session for what it finds: what one unit of work looks up again
    and again (this node's row; the node and agencies a peer's batch names per envelope).
    What is not found is looked up again, as the same work may yet create it."""
    known: dict[tuple[Any, ...], Any] = session.info.setdefault("palermo.remembered", {})
    found = known.get(key)
    if found is None:
        found = known[key] = load()
    return cast(T | None, found)


def insert_dicts(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """`insert_rows` for rows given as dicts that all have the same keys.

    Column defaults are not applied: every row names every column it sets."""
    if rows:
        columns = tuple(rows[0])
        values = itemgetter(*columns)
        if len(columns) == 1:  # itemgetter of one key gives the value, not a 1-tuple
            insert_rows(session, table, columns, [(values(row),) for row in rows])
        else:
            insert_rows(session, table, columns, [values(row) for row in rows])


def next_number(session: Session, scope: str, *, numbered: Callable[[], int]) -> int:
    """The next number of a reference series. The increment takes the counter row's lock, so
    two transactions never get the same number (a count of what exists would). `numbered`
    counts what the series numbered before it had a counter."""
    counters = table_of(Counter)
    bump = (
        update(counters)
        .where(counters.c.scope == scope)
        .values(value=counters.c.value + 1)
        .returning(counters.c.value)
    )
    value = session.execute(bump).scalar_one_or_none()
    if value is not None:
        return int(value)
    first = numbered() + 1
    try:
        with session.begin_nested():
            session.execute(insert(counters).values(scope=scope, value=first))
    except IntegrityError:  # another transaction started the series meanwhile
        return int(session.execute(bump).scalar_one())
    return first
