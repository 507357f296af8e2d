"""Imports as background jobs: records, a watch list and bulk transactions each imported
whole; the file checked before anything is written, its progress read from elsewhere
meanwhile; a bad file fails the job naming its lines and leaves nothing written — nor does
a node killed while it writes; an import is its agency's only, on /jobs with the rest."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker, undefer

from palermo.background import Progress, run_job
from palermo.db import unit_of_work
from palermo.errors import NotFound
from palermo.identity.principal import Principal
from palermo.identity.roles import AgencyKind, Role
from palermo.imports import jobs, service
from palermo.jobs import service as overview
from palermo.jobs.views import JobView
from palermo.models import AuditEvent
from palermo.models.base import utcnow
from palermo.models.finintel import TransactionBatch
from palermo.models.identity import User
from palermo.models.imports import ImportJob
from palermo.models.records import Record, Statement
from palermo.models.screening import ListEntry
from palermo.policy.records import AccessContext
from palermo.records import transfer
from palermo.records.envelope import SubjectCategory
from palermo.records.schemas import EnvelopeIn
from palermo.settings import Settings
from tests.conftest import Factory
from tests.network.conftest import World
from tests.records.helpers import envelope, person, principal_of

OFAC = Path(__file__).parents[2] / "src" / "palermo" / "demo" / "lists" / "ofac"
FIU_WORK = AccessContext.of("financial_intelligence", "Return of Hanze Bank, order 2026/17")
MAPPING = {"tx_id": "id", "time": "when", "source": "from", "target": "to", "amount": "amount"}
TRANSACTIONS = (
    "id,when,from,to,amount\n"
    "t1,2026-01-02T10:00:00Z,NL01HANZ0001,NL02HANZ0002,1500.00\n"
    "t2,2026-01-03T11:00:00Z,NL02HANZ0002,NL03HANZ0003,900\n"
)


def ftm(*entities: dict[str, object]) -> bytes:
    return "\n".join(json.dumps(e) for e in entities).encode()


THREE_PEOPLE = ftm(
    person("Jan Smit", "p1"), person("Piet de Boer", "p2"), person("Klaas Visser", "p3")
)


@pytest.fixture
def analyst(db: Session, factory: Factory) -> Principal:
    """An FIU's analyst (the bulk transactions are theirs to import)."""
    fiu = factory.agency("LU-FIU", kind=AgencyKind.fiu, country="LU")
    return principal_of(db, factory.user("lu-fiu.analyst", Role.analyst, agency=fiu)[0])


def _principal(db: Session, username: str) -> Principal:
    principal = principal_of(db, db.scalars(select(User).where(User.username == username)).one())
    db.commit()  # end the read: on SQLite a transaction holds the write lock
    return principal


def _records_job(
    db: Session, analyst: Principal, content: bytes, envelope_in: EnvelopeIn | None = None
) -> ImportJob:
    job = service.submit_records(
        db,
        principal=analyst,
        filename="seized-phone.jsonl",
        content=content,
        envelope=envelope_in or envelope(),
        agency=None,
        now=utcnow(),
    )
    db.commit()
    return job


def _records(sessions: sessionmaker[Session]) -> int:
    """The records the import wrote, as another connection reads them."""
    with unit_of_work(sessions) as reader:
        imported = Record.origin == "import:seized-phone.jsonl"
        return reader.scalar(select(func.count()).where(imported)) or 0


def _view(sessions: sessionmaker[Session], principal: Principal, job: ImportJob) -> JobView:
    with unit_of_work(sessions) as reader:
        return overview.agency_job(reader, principal, "import", job.id)


def _stored(sessions: sessionmaker[Session], job: ImportJob) -> ImportJob:
    with unit_of_work(sessions) as reader:
        found = reader.get(ImportJob, job.id, options=[undefer(ImportJob.upload)])
        assert found is not None
        return found


def test_records_are_checked_then_written_at_once_the_progress_read_from_elsewhere(
    world: World,
    sessions: sessionmaker[Session],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(transfer, "CHUNK", 1)  # a progress report a line
    job = _records_job(world.db, world.analyst, THREE_PEOPLE)
    seen: list[tuple[str | None, str | None, int, int, int]] = []

    def watched(session: Session, row: ImportJob, principal: Principal, progress: Progress) -> None:
        def stage(name: str, done: int, total: int) -> None:
            progress(name, done, total)
            view = _view(sessions, world.analyst, row)  # another connection
            counted = view.counted.message if view.counted else None
            seen.append((view.stage, counted, view.done, view.total, _records(sessions)))

        service.execute(
            session, settings, job=row, principal=principal, now=utcnow(), progress=stage
        )

    run_job(sessions, ImportJob, job.id, watched, failed=service.released)
    checked = "%(done)s of %(total)s lines checked"
    assert seen == [
        ("Checking the file", checked, 0, 3, 0),
        ("Checking the file", checked, 1, 3, 0),
        ("Checking the file", checked, 2, 3, 0),
        ("Checking the file", checked, 3, 3, 0),
        ("Writing it all at once", None, 0, 0, 0),  # committed, nothing written yet
    ]
    assert _records(sessions) == 3
    done = _view(sessions, world.analyst, job)
    assert (done.status, done.fraction, done.error) == ("done", 1.0, None)
    assert {f.key: f.value for f in done.facts} == {
        "lines": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
    }
    assert done.result is not None
    assert done.result.url == "/records/nl-pol.p1"
    assert str(done.title) == "Records from seized-phone.jsonl"
    assert _stored(sessions, job).upload is None  # released when it ends
    with unit_of_work(sessions) as reader:
        created = [
            (event.actor, *event.object_ids)
            for event in reader.scalars(
                select(AuditEvent).where(AuditEvent.action == "record.create")
            )
            if event.detail["origin"] == "import:seized-phone.jsonl"
        ]
    # Audited as the synchronous import is: as the officer, the records it created.
    assert created == [("nl-pol.analyst", f"nl-pol.p{n}") for n in (1, 2, 3)]


def test_a_watch_list_with_its_companion_files(
    world: World, sessions: sessionmaker[Session], settings: Settings
) -> None:
    job = service.submit_watchlist(
        world.db,
        principal=world.analyst,
        source="ofac",
        filename="sdn_2026-11.csv",
        content=(OFAC / "sdn.csv").read_bytes(),
        companions={name: (OFAC / name).read_bytes() for name in service.OFAC_COMPANIONS},
        agency=None,
        category=SubjectCategory.suspect,
        now=utcnow(),
    )
    world.db.commit()
    jobs.run(sessions, settings, job.id)
    done = _stored(sessions, job)
    assert (done.status, done.error) == ("done", None)
    assert done.result is not None
    assert done.result["source"] == "ofac"
    assert done.result["entries"] == done.result["added"] > 0
    assert done.result["first_record"].startswith("nl-pol.")  # the officer's agency's list
    with unit_of_work(sessions) as reader:
        listed = set(reader.scalars(select(ListEntry.record_id).where(ListEntry.source == "ofac")))
        aliases = reader.scalars(
            select(Statement.value).where(
                Statement.record_id.in_(listed), Statement.prop == "alias"
            )
        ).all()
    assert done.result["first_record"] in listed
    assert aliases  # read from alt.csv, beside the list
    view = _view(sessions, world.analyst, job)
    assert view.result is not None
    assert view.result.label == "Open the list's first entry"


def test_an_fius_bulk_transactions(
    db: Session, analyst: Principal, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    job = service.submit_transactions(
        db,
        principal=analyst,
        settings=settings,
        filename="hanze return.csv",
        content=TRANSACTIONS.encode(),
        mapping=MAPPING,
        currency="eur",
        context=FIU_WORK,
        now=utcnow(),
    )
    db.commit()
    jobs.run(sessions, settings, job.id)
    done = _stored(sessions, job)
    assert (done.status, done.error) == ("done", None)
    assert done.result is not None
    assert (done.result["transactions"], done.result["total_eur"]) == (2, 2400.0)
    assert done.result["first_account"] == "NL01HANZ0001"
    with unit_of_work(sessions) as reader:
        batch = reader.get(TransactionBatch, uuid.UUID(done.result["batch"]))
        assert batch is not None
        assert (batch.source, batch.rows, batch.imported_by) == (
            "hanze return.csv",
            2,
            "lu-fiu.analyst",
        )
        logged = reader.scalars(
            select(AuditEvent).where(AuditEvent.action == "finintel.transactions.import")
        ).all()
    assert [(e.actor, e.justification) for e in logged] == [
        ("lu-fiu.analyst", FIU_WORK.justification)
    ]
    view = _view(sessions, analyst, job)
    assert view.result is not None
    assert view.result.url == "/finintel/accounts/NL01HANZ0001"
    assert {f.key: f.value for f in view.facts} == {"transactions": 2, "total_eur": 2400.0}


def test_a_refused_return_names_the_line_and_column_of_each_problem(
    db: Session, analyst: Principal, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    job = service.submit_transactions(
        db,
        principal=analyst,
        settings=settings,
        filename="return.csv",
        # A thousands separator alone: 1234 or 1.234? Refused rather than guessed.
        content=(TRANSACTIONS + 't3,2026-01-04T09:00:00Z,NL01HANZ0001,NL02,"1,234"\n').encode(),
        mapping=MAPPING,
        currency="EUR",
        context=FIU_WORK,
        now=utcnow(),
    )
    db.commit()
    jobs.run(sessions, settings, job.id)
    failed = _stored(sessions, job)
    assert (failed.status, failed.stage, failed.upload) == ("failed", "checking", None)
    assert failed.problems is not None
    assert [p["path"] for p in failed.problems] == ["line 4, column amount"]
    [problem] = _view(sessions, analyst, job).problems
    assert str(problem).startswith("line 4, column amount: ")
    with unit_of_work(sessions) as reader:
        assert reader.scalar(select(func.count()).select_from(TransactionBatch)) == 0


def test_a_bad_file_fails_the_job_naming_its_lines_and_writes_nothing(
    world: World, sessions: sessionmaker[Session], settings: Settings
) -> None:
    bad = b"\n".join(
        [
            json.dumps(person("Jan Smit", "p1")).encode(),
            b'{"schema": "Person", "properties": {"name": ["Piet"]',
            json.dumps(person("Klaas Visser", "p1")).encode(),
        ]
    )
    job = _records_job(world.db, world.analyst, bad)
    jobs.run(sessions, settings, job.id)
    failed = _stored(sessions, job)
    assert (failed.status, failed.error) == ("failed", "2 bad line(s); nothing was imported")
    assert failed.problems is not None
    assert [p["line"] for p in failed.problems] == [2, 3]
    assert "appears again (first on line 1)" in failed.problems[1]["problem"]
    assert (failed.stage, failed.upload) == ("checking", None)  # refused before any write
    assert _records(sessions) == 0
    view = _view(sessions, world.analyst, job)
    assert [str(p) for p in view.problems][1].startswith("line 3: id 'p1' appears again")


def test_a_refusal_while_writing_rolls_back_what_was_written(
    world: World,
    sessions: sessionmaker[Session],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The lines are valid entities, but persons need a data-subject category: found only
    when the records are written — after the first line was — and nothing of it is kept."""
    monkeypatch.setattr(transfer, "CHUNK", 1)
    mixed = ftm(
        {"id": "v1", "schema": "Vehicle", "properties": {"registrationNumber": ["AB-12-CD"]}},
        person("Jan Smit", "p1"),
    )
    job = _records_job(world.db, world.analyst, mixed, envelope(subject_category=None))
    jobs.run(sessions, settings, job.id)
    failed = _stored(sessions, job)
    assert (failed.status, failed.stage) == ("failed", "writing")
    assert failed.problems is not None
    assert [p["line"] for p in failed.problems] == [2]
    assert _records(sessions) == 0


class Killed(BaseException):
    """The server killed in the middle of the import (SIGKILL runs no handler)."""


def test_a_node_killed_while_writing_leaves_nothing_and_fails_the_job_at_restart(
    world: World,
    sessions: sessionmaker[Session],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(transfer, "CHUNK", 1)
    stored = transfer.store_new
    written: list[int] = []

    def dies_after_the_first(*args: object, **kwargs: object) -> None:
        if written:
            raise Killed
        stored(*args, **kwargs)  # type: ignore[arg-type]
        written.append(1)

    monkeypatch.setattr(transfer, "store_new", dies_after_the_first)
    job = _records_job(world.db, world.analyst, THREE_PEOPLE)
    with pytest.raises(Killed):
        jobs.run(sessions, settings, job.id)
    assert written == [1]
    left = _stored(sessions, job)
    assert (left.status, left.stage) == ("running", "writing")  # as the dead node left it
    assert _records(sessions) == 0  # the first record died with its transaction
    with unit_of_work(sessions) as session:
        assert overview.fail_interrupted(session, started_at=utcnow()) == 1
    restarted = _stored(sessions, job)
    assert (restarted.status, restarted.error) == ("failed", overview.INTERRUPTED)
    assert restarted.upload is None
    assert _records(sessions) == 0


def test_an_import_is_its_agencys_alone_and_on_its_jobs_page(
    world: World, sessions: sessionmaker[Session], settings: Settings
) -> None:
    job = _records_job(world.db, world.analyst, THREE_PEOPLE)
    jobs.run(sessions, settings, job.id)
    with unit_of_work(sessions) as reader:
        listed = overview.agency_jobs(reader, world.analyst)
    assert [(v.kind, v.id, v.status) for v in listed] == [("import", job.id, "done")]
    assert listed[0].page == f"/jobs/import/{job.id}"
    other = _principal(world.db, "co-pol.analyst")
    with unit_of_work(sessions) as reader:
        assert overview.agency_jobs(reader, other) == []
        with pytest.raises(NotFound):
            jobs.job_for(reader, other, job.id)


def test_through_the_api(
    world: World, factory: Factory, client: TestClient, sessions: sessionmaker[Session]
) -> None:
    user = world.db.scalars(select(User).where(User.username == "nl-pol.analyst")).one()
    analyst = factory.bearer(user)
    accepted = client.post(
        "/api/imports/records",
        files={"file": ("seized-phone.jsonl", THREE_PEOPLE)},
        data={"envelope": envelope().model_dump_json()},
        headers=analyst,
    )
    assert accepted.status_code == 202, accepted.text
    assert (accepted.json()["kind"], accepted.json()["status"]) == ("records", "queued")
    job_id = accepted.json()["id"]
    done = client.get(f"/api/imports/{job_id}", headers=analyst).json()  # ran after the answer
    assert (done["status"], done["errors"]) == ("done", [])
    assert {k: done["result"][k] for k in ("lines", "created", "updated", "unchanged")} == {
        "lines": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
    }
    assert done["page"] == f"/jobs/import/{job_id}"
    [listed] = client.get("/api/jobs", headers=analyst).json()
    assert (listed["kind"], listed["id"], listed["result"]["created"]) == ("import", job_id, 3)

    refused = client.post(
        "/api/imports/records",
        files={"file": ("bad.jsonl", b'{"schema": "Person"}\nnot json')},
        data={"envelope": envelope().model_dump_json()},
        headers=analyst,
    ).json()
    failed = client.get(f"/api/imports/{refused['id']}", headers=analyst).json()
    assert failed["status"] == "failed"
    assert [e["line"] for e in failed["errors"]] == [1, 2]

    bad_envelope = client.post(
        "/api/imports/records",
        files={"file": ("seized-phone.jsonl", THREE_PEOPLE)},
        data={"envelope": '{"tlp": "PURPLE"}'},
        headers=analyst,
    )
    assert bad_envelope.status_code == 422  # refused at once, no job
    assert "the envelope is not valid" in bad_envelope.json()["error"]["message"]

    other = factory.bearer(
        world.db.scalars(select(User).where(User.username == "co-pol.analyst")).one()
    )
    assert client.get(f"/api/imports/{job_id}", headers=other).status_code == 404
    with unit_of_work(sessions) as reader:
        assert reader.scalar(select(func.count()).select_from(ImportJob)) == 2


def test_only_an_fius_analysts_import_transactions(
    world: World, factory: Factory, client: TestClient
) -> None:
    user = world.db.scalars(select(User).where(User.username == "nl-pol.analyst")).one()
    refused = client.post(
        "/api/imports/transactions",
        files={"file": ("return.csv", TRANSACTIONS.encode())},
        data={"mapping": "source=from,target=to,amount=amount,time=when"},
        headers={
            **factory.bearer(user),
            "X-Purpose": "financial_intelligence",
            "X-Justification": FIU_WORK.justification,
        },
    )
    assert refused.status_code == 403, refused.text
    assert "financial intelligence unit" in refused.json()["error"]["message"]
