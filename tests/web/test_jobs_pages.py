"""The jobs pages through the app (no browser): the agency's jobs polled while one is
queued, a job's page polling its own progress and then showing its result, the screening
batch page on the same progress partial, and another agency's job as unknown as none."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from palermo.models.base import utcnow
from palermo.network import jobs as network_jobs
from palermo.network import service as network
from palermo.network.schemas import JobIn
from palermo.screening import jobs as screening_jobs
from palermo.screening.batch import BatchRow
from tests.network import conftest as network_world
from tests.network.conftest import ANALYSIS, World
from tests.web.test_linkage_pages import log_in

world = network_world.world
WORK = {"purpose": ANALYSIS.purpose.value, "justification": ANALYSIS.justification}


def test_a_job_followed_from_the_jobs_page_to_its_result(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    log_in(client, "nl-pol.analyst")
    empty = client.get("/jobs")
    assert empty.status_code == 200
    assert "Your agency has started no job yet." in empty.text
    assert 'hx-get="/jobs"' not in empty.text  # nothing to follow

    job = network.submit(
        world.db,
        principal=world.analyst,
        context=ANALYSIS,
        body=JobIn(kind="analyze", **WORK),
        now=utcnow(),
    )
    world.db.commit()
    queued = client.get("/jobs")
    assert 'hx-get="/jobs" hx-trigger="every 2s"' in queued.text  # followed while it waits
    assert 'data-kind="network" data-status="queued"' in queued.text
    assert '<progress class="job-bar" aria-label="Progress of Network analysis">' in queued.text
    assert "1 job is queued or running." in queued.text
    fragment = client.get("/jobs", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text
    assert 'id="jobs-announcement" role="status" hx-swap-oob="innerHTML"' in fragment.text
    page = client.get(f"/jobs/network/{job.id}")
    assert f'hx-get="/jobs/network/{job.id}" hx-trigger="every 1s"' in page.text

    network_jobs.execute(sessions, job.id)
    finished = client.get("/jobs")
    assert "hx-get" not in finished.text.split('id="jobs"')[1].split(">")[0]  # polling stops
    assert "Every job has finished." in finished.text
    assert 'data-status="done"' in finished.text
    progress = client.get(f"/jobs/network/{job.id}", headers={"HX-Request": "true"})
    assert "<html" not in progress.text
    assert 'data-status="done"' in progress.text
    assert 'value="1.000" max="1"' in progress.text
    assert "<dt>Nodes</dt><dd>8</dd>" in progress.text
    assert f'href="/api/network/jobs/{job.id}"' in progress.text
    assert "hx-trigger" not in progress.text

    log_in(client, "co-pol.analyst")
    assert client.get(f"/jobs/network/{job.id}").status_code == 404
    assert 'data-testid="job"' not in client.get("/jobs").text


def test_the_screening_batch_page_shows_the_same_progress(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    job = screening_jobs.submit(
        world.db,
        principal=world.analyst,
        context=ANALYSIS,
        filename="manifest.csv",
        rows=[BatchRow.of(1, {"name": "Jan de Vries"}), BatchRow.of(2, {"name": "Nobody"})],
    )
    world.db.commit()
    log_in(client, "nl-pol.analyst")
    waiting = client.get(f"/screening/batch/{job.id}")
    assert f'hx-get="/screening/batch/{job.id}" hx-trigger="every 1s"' in waiting.text
    assert "0 of 2 lines screened" in waiting.text
    screening_jobs.run(sessions, job.id)
    done = client.get(f"/screening/batch/{job.id}", headers={"HX-Request": "true"})
    assert "2 of 2 lines screened" in done.text
    assert "<dt>Hits</dt><dd>1</dd>" in done.text
    assert f'href="/api/screen/batch/{job.id}/hits.csv" download role="button"' in done.text
    listed = client.get("/jobs")
    assert f'href="/screening/batch/{job.id}">Batch screening of manifest.csv</a>' in listed.text
