"""Benchmarks of the kernel (issue: records, policy, audit) on SQLite.

    .venv/bin/python bench/kernel.py import --entities 1000000
    .venv/bin/python bench/kernel.py audit --events 1000000
    .venv/bin/python bench/kernel.py search --queries 1000      # after `import`

Each prints its figures; docs/benchmarks.md records them with the command.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from sqlalchemy import select
from synthetic import FAMILY, GIVEN, entities

from palermo.audit import merkle, tree
from palermo.audit.service import Operation, record
from palermo.audit.verify import verify_log
from palermo.db import create_db_engine, session_factory, unit_of_work
from palermo.identity import repository
from palermo.identity import service as identity
from palermo.identity.credentials import Credentials
from palermo.identity.keys import load_or_create_node_key
from palermo.identity.principal import operator_principal
from palermo.identity.roles import Role
from palermo.migrations import upgrade
from palermo.models.audit import AuditEvent
from palermo.models.base import utcnow
from palermo.models.identity import Agency
from palermo.policy.records import AccessContext
from palermo.records import service, transfer
from palermo.records.schemas import EnvelopeIn, ShareIn
from palermo.settings import Settings

WORK = Path(os.environ.get("PALERMO_BENCH_DIR", Path(tempfile.gettempdir()) / "palermo-bench"))


def fresh(name: str) -> tuple[Settings, object]:
    WORK.mkdir(parents=True, exist_ok=True)
    database = WORK / f"{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    settings = Settings(
        data_dir=WORK / name,
        database_url=f"sqlite:///{database}",
        argon2_time_cost=1,
        argon2_memory_kib=64,
    )
    engine = create_db_engine(settings.resolved_database_url)
    upgrade(engine)
    return settings, session_factory(engine)


def entity_file(count: int) -> Path:
    path = WORK / f"entities-{count}.jsonl"
    if not path.exists():
        import json

        with path.open("w", encoding="utf-8") as handle:
            for entity in entities(count):
                handle.write(json.dumps(entity, ensure_ascii=False) + "\n")
    return path


def bench_import(args: argparse.Namespace) -> None:
    path = entity_file(args.entities)
    settings, sessions = fresh("import")
    operator = operator_principal(frozenset())
    with unit_of_work(sessions) as session:
        for code, country in (("NCB-XX", "FR"), ("NCB-YY", "DE"), ("NCB-ZZ", "NG")):
            identity.create_agency(
                session,
                principal=operator,
                settings=settings,
                code=code,
                name=code,
                kind="national_central_bureau",
                country=country,
            )
        identity.create_user(
            session,
            principal=operator,
            settings=settings,
            credentials=Credentials(settings),
            username="reader",
            display_name="Reader",
            agency_code="NCB-YY",
            roles=[Role.analyst],
            password="benchmark-password",
        )
    envelope = EnvelopeIn(
        subject_category="suspect",
        legal_basis="benchmark",
        offences=["0601"],
        shares=[ShareIn(scope="country", country="DE")],
    )
    with unit_of_work(sessions) as session:
        hosted = operator_principal(frozenset(session.scalars(select(Agency.id))))
    started, cpu = time.perf_counter(), time.process_time()
    with unit_of_work(sessions) as session:
        report = transfer.import_ftm(
            session,
            principal=hosted,
            settings=settings,
            lines=lambda: path.open(encoding="utf-8"),
            envelope=envelope,
            owner_code="NCB-XX",
            origin="bench",
            now=utcnow(),
        )
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"import: {report.created} entities in {elapsed:.1f} s ({cpu:.1f} s CPU) = "
        f"{report.created / elapsed:,.0f} entities/s (SQLite, envelopes and audit lines)"
    )


def bench_search(args: argparse.Namespace) -> None:
    settings = Settings(
        data_dir=WORK / "import", database_url=f"sqlite:///{WORK / 'import.sqlite3'}"
    )
    sessions = session_factory(create_db_engine(settings.resolved_database_url))
    context = AccessContext.of("criminal_investigation", "benchmark")
    rng = random.Random(7)
    with unit_of_work(sessions) as session:
        user = repository.user_by_username(session, "reader")
        assert user is not None
        principal = identity.principal_for(user, channel="cli")
    latencies = []
    totals = []
    for _ in range(args.queries):
        query = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
        with unit_of_work(sessions) as session:
            started = time.perf_counter()
            result = service.search_records(
                session, principal=principal, context=context, text=query, limit=20, now=utcnow()
            )
            latencies.append(time.perf_counter() - started)
            totals.append(result.total)
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p95 = latencies[int(len(latencies) * 0.95)] * 1000
    print(
        f"search: {len(latencies)} policy-filtered name queries by another agency's analyst, "
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, median hits {statistics.median(totals):.0f}"
    )


def bench_audit(args: argparse.Namespace) -> None:
    settings, sessions = fresh("audit")
    operator = operator_principal(frozenset())
    batch = 10_000
    started = time.perf_counter()
    done = 0
    while done < args.events:
        with unit_of_work(sessions) as session:
            for n in range(min(batch, args.events - done)):
                record(
                    session,
                    action="bench.read",
                    operation=Operation.consultation,
                    principal=operator,
                    purpose="criminal_investigation",
                    justification="benchmark",
                    object_ids=[f"rec-{done + n}"],
                )
        done += batch
    elapsed = time.perf_counter() - started
    print(
        f"audit append: {args.events} events in {elapsed:.1f} s = "
        f"{args.events / elapsed:,.0f} events/s"
    )
    # A request's audit line comes in a transaction of its own: what each such transaction
    # costs (mostly reading the log's tail) is CPU, measured over 5 rounds of 2,000.
    rounds = []
    for _ in range(5):
        started = time.process_time()
        for _ in range(2000):
            with unit_of_work(sessions) as session:
                record(session, action="bench.read", operation=Operation.consultation, actor="x")
        rounds.append((time.process_time() - started) / 2000)
    print(
        f"one-line transactions: median {statistics.median(rounds) * 1e6:.0f} µs of CPU each "
        f"(5 rounds of 2,000: {', '.join(f'{r * 1e6:.0f}' for r in rounds)})"
    )
    key = load_or_create_node_key(settings)
    with unit_of_work(sessions) as session:
        tree.sign_head(session, key, now=utcnow())
    with unit_of_work(sessions) as session:
        started = time.perf_counter()
        report = verify_log(session, key.public)
        elapsed = time.perf_counter() - started
    print(f"audit verify: {report.entries} events in {elapsed:.1f} s, ok={report.ok}")
    rng = random.Random(3)
    timings = []
    with unit_of_work(sessions) as session:
        size = tree.tree_size(session)
        root = tree.root_at(session, size)
        for _ in range(1000):
            index = rng.randrange(size)
            started = time.perf_counter()
            proof = tree.inclusion(session, index, size)
            timings.append(time.perf_counter() - started)
            leaf = session.scalar(
                select(AuditEvent.leaf_hash).where(AuditEvent.leaf_index == index)
            )
            assert merkle.verify_inclusion(leaf, index, size, proof, root)
    timings.sort()
    print(
        f"inclusion proof at size {size}: median {statistics.median(timings) * 1000:.2f} ms, "
        f"p95 {timings[950] * 1000:.2f} ms (1000 proofs, all verified)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("import")
    p.add_argument("--entities", type=int, default=100_000)
    p = sub.add_parser("search")
    p.add_argument("--queries", type=int, default=1000)
    p = sub.add_parser("audit")
    p.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args()
    {"import": bench_import, "search": bench_search, "audit": bench_audit}[args.command](args)


if __name__ == "__main__":
    main()
