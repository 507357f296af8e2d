"""POST /api/screen and the batch job routes, through the app with bearer tokens."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.identity.roles import Role
from palermo.models.base import utcnow
from palermo.models.records import Notification
from palermo.records import service
from tests.conftest import Factory
from tests.records.helpers import envelope, principal_of

WHY = {"purpose": "border_management", "justification": "flight AF1234 manifest"}


def _listed(db: Session, factory: Factory, name: str, born: str, *, share: str = "full"):
    owner = factory.agency(country="DE")
    user, _ = factory.user(f"owner-{owner.code.lower()}", Role.officer, agency=owner)
    record = service.create_record(
        db,
        principal=principal_of(db, user),
        settings=factory.settings,
        entity={
            "schema": "Person",
            "properties": {"name": [name], "birthDate": [born], "nationality": ["ua"]},
        },
        envelope=envelope(
            shares=[{"scope": "everyone", "level": share}],
            tlp="GREEN",
            purposes=["criminal_investigation", "border_management"],
        ),
        now=utcnow(),
    )
    db.commit()
    return owner, record


def test_screen_answers_with_scored_explained_hits(
    client: TestClient, db: Session, factory: Factory
) -> None:
    owner, record = _listed(db, factory, "Oleksandr Vasylchenko", "1979-02-11")
    officer, _ = factory.user("border-officer", Role.officer)
    response = client.post(
        "/api/screen",
        json={"name": "Александр Васильченко", "birth_date": "1979-02-11", **WHY},
        headers=factory.bearer(officer),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["threshold"] == 0.8
    [hit] = [h for h in body["hits"] if h["record_id"] == record.id]
    assert hit["access"] == "full"
    assert hit["alert"] is True
    assert hit["algorithm"] == "palermo-name-v1"
    assert hit["owner_agency"] == owner.code
    assert hit["birth_dates"] == ["1979-02-11"]
    assert any("birth date 1979-02-11 matches" in line for line in hit["explanation"])
    notified = db.scalars(
        select(Notification).where(
            Notification.record_id == record.id, Notification.kind == "record.hit"
        )
    ).all()
    assert [n.agency_id for n in notified] == [owner.id]


def test_screen_refuses_bad_input_with_the_reason(client: TestClient, factory: Factory) -> None:
    officer, _ = factory.user("border-officer", Role.officer)
    headers = factory.bearer(officer)
    cases = {
        "": "give a name",
        "A": "too short",
    }
    for name, reason in cases.items():
        response = client.post("/api/screen", json={"name": name, **WHY}, headers=headers)
        assert response.status_code == 422
        assert reason in response.json()["error"]["message"]
    response = client.post(
        "/api/screen",
        json={"name": "Ivan Petrov", "birth_date": "1990-13-01", **WHY},
        headers=headers,
    )
    assert response.status_code == 422
    assert "no month 13" in response.json()["error"]["message"]
    response = client.post(
        "/api/screen",
        json={"name": "Ivan Petrov", "purpose": "border_management"},
        headers=headers,
    )
    assert response.status_code == 422  # the justification is a required field
    assert "justification" in response.text


def test_batch_job_screens_a_manifest_and_serves_hits_to_its_agency_only(
    client: TestClient, db: Session, factory: Factory
) -> None:
    _, record = _listed(db, factory, "Hryhoriy Tkachenko", "1968-07-30")
    officer, _ = factory.user("border-officer", Role.officer)
    headers = factory.bearer(officer)
    manifest = (
        "Passenger,DOB,Citizenship,Passport\n"
        "TKACHENKO HRYHORIY,1968-07-30,UA,FA123456\n"
        "Marie Dupont,1990-01-01,FR,\n"
    )
    response = client.post(
        "/api/screen/batch",
        data={**WHY, "mapping": '{"name": "Passenger"}'},
        files={"file": ("manifest.csv", manifest.encode(), "text/csv")},
        headers=headers,
    )
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["total"] == 2
    status = client.get(f"/api/screen/batch/{job['id']}", headers=headers).json()
    assert status["status"] == "done", status
    assert status["done"] == 2
    hits = client.get(f"/api/screen/batch/{job['id']}/hits.csv", headers=headers)
    assert hits.status_code == 200
    lines = list(csv.DictReader(io.StringIO(hits.text)))
    assert [(row["line"], row["record_id"]) for row in lines if row["alert"] == "yes"] == [
        ("2", record.id)
    ]
    stranger, _ = factory.user("elsewhere", Role.officer)
    response = client.get(f"/api/screen/batch/{job['id']}", headers=factory.bearer(stranger))
    assert response.status_code == 404


def test_batch_refuses_a_file_with_bad_lines_and_names_them(
    client: TestClient, factory: Factory
) -> None:
    officer, _ = factory.user("border-officer", Role.officer)
    response = client.post(
        "/api/screen/batch",
        data=WHY,
        files={"file": ("m.csv", b"name,birth_date\nIvan Petrov,1970\nOlga K,19x0\n", "text/csv")},
        headers=factory.bearer(officer),
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert "1 bad line(s); nothing was screened" in error["message"]
    assert error["details"][0]["line"] == 3
    assert "YYYY" in error["details"][0]["reason"]


def test_batch_refuses_a_file_that_is_not_utf8(client: TestClient, factory: Factory) -> None:
    officer, _ = factory.user("border-officer", Role.officer)
    response = client.post(
        "/api/screen/batch",
        data=WHY,
        files={"file": ("m.csv", "name\nJosé Müller\n".encode("latin-1"), "text/csv")},
        headers=factory.bearer(officer),
    )
    assert response.status_code == 422
    assert "not UTF-8" in response.json()["error"]["message"]
