"""The jobs overview: an agency's jobs of every kind read alike, newest first, its own only;
each stage readable from elsewhere while a job runs; a failure kept with its reason."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from palermo.background import Progress, run_job
from palermo.db import unit_of_work
from palermo.errors import NotFound
from palermo.finintel import jobs as finintel_jobs
from palermo.finintel import service as finintel
from palermo.identity.principal import Principal
from palermo.identity.roles import AgencyKind, Role
from palermo.jobs import service
from palermo.jobs.views import JobView
from palermo.linkage import jobs as linkage_jobs
from palermo.linkage import service as linkage
from palermo.linkage.engine import Backend
from palermo.models.base import utcnow
from palermo.models.identity import User
from palermo.models.network import NetworkJob
from palermo.network import jobs as network_jobs
from palermo.network import service as network
from palermo.network.schemas import JobIn
from palermo.screening import jobs as screening_jobs
from palermo.screening.batch import BatchRow
from palermo.settings import Settings
from tests.conftest import Factory
from tests.network.conftest import ANALYSIS, World
from tests.records.helpers import principal_of

WORK = {"purpose": ANALYSIS.purpose.value, "justification": ANALYSIS.justification}


def _principal(db: Session, username: str) -> Principal:
    principal = principal_of(db, db.scalars(select(User).where(User.username == username)).one())
    db.commit()  # end the read: on SQLite a transaction holds the write lock
    return principal


def _network_job(db: Session, analyst: Principal, kind: str = "analyze") -> NetworkJob:
    job = network.submit(
        db, principal=analyst, context=ANALYSIS, body=JobIn(kind=kind, **WORK), now=utcnow()
    )
    db.commit()
    return job


def _listed(sessions: sessionmaker[Session], principal: Principal) -> list[JobView]:
    with unit_of_work(sessions) as reader:
        return service.agency_jobs(reader, principal)


def test_an_agency_sees_its_jobs_of_every_kind_newest_first_failures_with_why(
    world: World, sessions: sessionmaker[Session]
) -> None:
    db, analyst = world.db, world.analyst
    screening = screening_jobs.submit(
        db,
        principal=analyst,
        context=ANALYSIS,
        filename="manifest.csv",
        rows=[BatchRow.of(1, {"name": "Jan de Vries"}), BatchRow.of(2, {"name": "Nobody"})],
    )
    db.commit()
    screening_jobs.run(sessions, screening.id)
    run = linkage.submit(
        db,
        principal=analyst,
        context=ANALYSIS,
        schema="Person",
        scope=None,
        backend=Backend.duckdb,
        threshold=0.5,
        now=utcnow(),
    )
    db.commit()
    linkage_jobs.execute(sessions, run.id)
    analysis = _network_job(db, analyst)
    network_jobs.execute(sessions, analysis.id)

    views = _listed(sessions, analyst)
    assert [(v.kind, v.id) for v in views] == [
        ("network", analysis.id),
        ("linkage", run.id),
        ("screening", screening.id),
    ]
    assert [(v.status, v.error) for v in views] == [
        ("done", None),
        ("failed", "only 5 records to link: a model needs at least 50"),  # kept with its reason
        ("done", None),
    ]
    by_kind = {v.kind: v for v in views}
    assert {f.key: f.value for f in by_kind["screening"].facts} == {"lines": 2, "hits": 1}
    assert by_kind["screening"].result is not None
    assert by_kind["screening"].result.url.endswith(f"/{screening.id}/hits.csv")
    assert by_kind["screening"].fraction == by_kind["network"].fraction == 1.0
    # The failed run stopped comparing the records, its second stage of three.
    assert (by_kind["linkage"].done, by_kind["linkage"].total) == (1, 3)
    assert (by_kind["linkage"].result, by_kind["linkage"].facts) == (None, ())
    figures = {f.key: f.value for f in by_kind["network"].facts}
    assert figures["nodes"] == 8  # as the network tests count them
    assert str(by_kind["screening"].title) == "Batch screening of manifest.csv"


def test_another_agency_never_sees_them(world: World, sessions: sessionmaker[Session]) -> None:
    job = _network_job(world.db, world.analyst, "build")
    network_jobs.execute(sessions, job.id)
    other = _principal(world.db, "co-pol.analyst")
    assert _listed(sessions, other) == []
    with unit_of_work(sessions) as reader, pytest.raises(NotFound):
        service.agency_job(reader, other, "network", job.id)
    assert [v.id for v in _listed(sessions, world.analyst)] == [job.id]


def test_each_stage_is_read_from_elsewhere_while_the_job_runs(
    world: World, sessions: sessionmaker[Session]
) -> None:
    job = _network_job(world.db, world.analyst)
    seen: list[tuple[str, str | None, int, int, float | None]] = []

    def watched(
        session: Session, row: NetworkJob, principal: Principal, progress: Progress
    ) -> None:
        def stage(name: str, done: int, total: int) -> None:
            progress(name, done, total)
            with unit_of_work(sessions) as reader:  # another connection, another transaction
                view = service.agency_job(reader, world.analyst, "network", row.id)
            seen.append((view.status, view.stage, view.done, view.total, view.fraction))

        network.execute(session, job=row, principal=principal, now=utcnow(), progress=stage)

    run_job(sessions, NetworkJob, job.id, watched)
    assert seen == [
        ("running", "Building the network", 0, 2, 0.0),
        ("running", "Analysing the network", 1, 2, 0.5),
    ]
    with unit_of_work(sessions) as reader:
        done = service.agency_job(reader, world.analyst, "network", job.id)
    assert (done.status, done.stage, done.fraction) == ("done", None, 1.0)


def test_a_failed_job_keeps_its_reason(
    db: Session, factory: Factory, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    fiu = factory.agency("LU-FIU", kind=AgencyKind.fiu, country="LU")
    analyst = principal_of(db, factory.user("lu-fiu.analyst", Role.analyst, agency=fiu)[0])
    job = finintel.submit(
        db, analyst, kind="monitor", parameters={}, context=ANALYSIS, now=utcnow()
    )
    db.commit()
    finintel_jobs.execute(sessions, settings, job.id)  # the FIU has no transactions yet
    [failed] = _listed(sessions, analyst)
    assert (failed.kind, failed.status, failed.result) == ("finintel", "failed", None)
    assert failed.error == "no transactions have been imported: nothing to monitor"
    assert not failed.active


def test_jobs_a_stopped_node_left_unfinished_fail_with_why_at_its_start(
    world: World, sessions: sessionmaker[Session]
) -> None:
    """A killed server never finishes its jobs: at the next start they fail, with why —
    those queued or running before the start; a finished one and a newer one keep theirs."""
    db, analyst = world.db, world.analyst
    queued, running, finished = (_network_job(db, analyst) for _ in range(3))
    with unit_of_work(sessions) as session:
        session.get(NetworkJob, running.id).status = "running"  # type: ignore[union-attr]
        session.get(NetworkJob, finished.id).status = "done"  # type: ignore[union-attr]
    started = utcnow()
    newer = _network_job(db, analyst)
    with unit_of_work(sessions) as session:
        assert service.fail_interrupted(session, started_at=started) == 2
    with unit_of_work(sessions) as reader:
        seen = {j.id: j for j in service.agency_jobs(reader, analyst)}
    for stopped in (queued, running):
        assert (seen[stopped.id].status, seen[stopped.id].error) == ("failed", service.INTERRUPTED)
        assert seen[stopped.id].finished_at == started
    assert seen[finished.id].status == "done"
    assert seen[newer.id].status == "queued"
