"""The public extract: what enters it, its JSON shape (Interpol's public web service),
its filters and paging, and a round trip through the importer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from palermo.errors import Invalid
from palermo.identity.principal import operator_principal
from palermo.models.base import utcnow
from palermo.models.identity import Agency
from palermo.models.notices import Notice, NoticeEvent
from palermo.notices import public
from palermo.notices.kinds import NoticeKind, NoticeStatus
from palermo.notices.schemas import NoticeIn
from tests.notices.conftest import Desk, red_request, unique_name

LIST_KEYS = {"entity_id", "forename", "name", "date_of_birth", "nationalities", "_links"}
DETAIL_KEYS = LIST_KEYS | {
    "sex_id",
    "country_of_birth_id",
    "place_of_birth",
    "height",
    "weight",
    "eyes_colors_id",
    "hairs_id",
    "languages_spoken_ids",
    "distinguishing_marks",
    "arrest_warrants",
}


def described(name: str, **props: list[str]) -> NoticeIn:
    payload = red_request(name)
    assert payload.subject is not None
    payload.subject.properties.update(
        {
            "birthPlace": ["Hamburg"],
            "birthCountry": ["de"],
            "height": ["1.84"],
            "weight": ["82"],
            "eyeColor": ["BLU"],
            "hairColor": ["BRO"],
            "spokenLanguage": ["deu", "eng"],
            "appearance": ["Scar on the left cheek"],
            **props,
        }
    )
    return payload


def load(desk: Desk, path: Path, kind: NoticeKind | None = None) -> public.ImportReport:
    """Import as the operator of the node hosting the secretariat."""
    sg = desk.db.scalars(select(Agency).where(Agency.code == "SG")).one()
    return public.import_file(
        desk.db,
        principal=operator_principal(frozenset({sg.id})),
        settings=desk.settings,
        path=path,
        agency_code="SG",
        kind=kind,
        now=utcnow(),
    )


def test_what_enters_the_public_extract(desk: Desk) -> None:
    public_red = desk.publish(described(unique_name()))
    private_red = red_request()
    private_red.public_extract = False
    hidden = desk.publish(private_red)
    restricted = red_request()
    restricted.public_extract, restricted.countries = False, ["FR"]
    restricted_notice = desk.publish(restricted)
    ids = {r["entity_id"] for r in public.extract(desk.db)}
    assert public_red.entity_id in ids
    assert hidden.entity_id not in ids
    assert restricted_notice.entity_id not in ids
    desk.act(public_red, "cancel", desk.requester, reasons="Arrested in Rotterdam")
    assert public_red.entity_id not in {r["entity_id"] for r in public.extract(desk.db)}


def test_detail_and_list_shapes(desk: Desk, client: TestClient) -> None:
    name = unique_name()
    notice = desk.publish(described(name))
    slug = notice.entity_id.replace("/", "-")
    # No login: the public extract is public.
    answer = client.get(f"/notices/v1/red/{slug}")
    assert answer.status_code == 200, answer.text
    detail = answer.json()
    assert set(detail) == DETAIL_KEYS
    first, last = name.split(" ")
    assert detail["entity_id"] == notice.entity_id
    assert (detail["forename"], detail["name"]) == (first, last)
    assert detail["date_of_birth"] == "1979/04/11"
    assert detail["nationalities"] == ["DE"]
    assert detail["sex_id"] == "M"
    assert (detail["height"], detail["weight"]) == (1.84, 82)
    assert detail["languages_spoken_ids"] == ["DEU", "ENG"]
    assert detail["arrest_warrants"] == [
        {
            "charge": "Unerlaubtes Handeltreiben mit Betäubungsmitteln in nicht geringer Menge",
            "issuing_country_id": "DE",
            "charge_translation": "Trafficking in narcotics in significant quantities",
        }
    ]
    assert detail["_links"]["self"]["href"] == f"/notices/v1/red/{slug}"
    page = client.get("/notices/v1/red", params={"name": last, "resultPerPage": 5}).json()
    assert set(page) == {"total", "query", "_embedded", "_links"}
    assert page["total"] == 1
    assert page["query"] == {"name": last, "page": 1, "resultPerPage": 5}
    (item,) = page["_embedded"]["notices"]
    assert set(item) == LIST_KEYS
    assert item["entity_id"] == notice.entity_id
    assert client.get("/notices/v1/red/1999-99999").status_code == 404
    assert client.get("/notices/v1/silver").status_code == 404
    assert client.get("/notices/v1/red", params={"resultPerPage": 500}).status_code == 422


def test_filters_and_paging(desk: Desk) -> None:
    family = unique_name().split(" ")[1]
    for forename, born, sex in (
        ("Ilse", "1990-01-01", "female"),
        ("Otto", "1960-06-30", "male"),
        ("Karl", "1985-03-03", "male"),
    ):
        desk.publish(described(f"{forename} {family}", birthDate=[born], gender=[sex]))
    today = utcnow().date()

    def names(**filters) -> list[str]:
        found = public.page(desk.db, "red", public.Filters(name=family, **filters), today=today)
        return sorted(n["forename"] for n in found["_embedded"]["notices"])

    assert names() == ["Ilse", "Karl", "Otto"]
    assert names(forename="ils") == ["Ilse"]
    assert names(sex_id="M") == ["Karl", "Otto"]
    age_otto = today.year - 1960 - ((today.month, today.day) < (6, 30))
    assert names(age_min=age_otto) == ["Otto"]
    assert names(age_max=age_otto - 1) == ["Ilse", "Karl"]
    assert names(nationality="FR") == []
    assert names(arrest_warrant_country_id="DE") == ["Ilse", "Karl", "Otto"]
    first = public.page(desk.db, "red", public.Filters(name=family, per_page=2), today=today)
    second = public.page(
        desk.db, "red", public.Filters(name=family, per_page=2, page=2), today=today
    )
    assert first["total"] == second["total"] == 3
    assert len(first["_embedded"]["notices"]) == 2
    assert len(second["_embedded"]["notices"]) == 1
    assert "next" in first["_links"]
    assert "next" not in second["_links"]
    assert "page=2" in first["_links"]["next"]["href"]
    assert f"name={family}" in first["_links"]["next"]["href"]


def test_round_trip_through_the_importer(desk: Desk, tmp_path: Path) -> None:
    """Export the extract, import it on another node (here: after removing the originals),
    export again: the same records."""
    notices = [desk.publish(described(unique_name())) for _ in range(2)]
    exported = public.extract(desk.db)
    mine = [r for r in exported if r["entity_id"] in {n.entity_id for n in notices}]
    for record in mine:  # links as the service gives them
        record["_links"]["self"]["href"] = (
            "https://ws-public.example.org" + record["_links"]["self"]["href"]
        )
    path = tmp_path / "extract.json"
    path.write_text(json.dumps({"total": 2, "_embedded": {"notices": mine}}), encoding="utf-8")
    for notice in notices:  # the other node does not have them yet
        desk.db.delete(notice)
    desk.db.commit()
    report = load(desk, path)
    desk.db.commit()
    assert (report.imported, report.skipped) == (2, 0)
    again = {r["entity_id"]: r for r in public.extract(desk.db)}
    for record in mine:
        copy = dict(again[record["entity_id"]])
        assert copy.pop("_links")["self"]["href"] == record["_links"]["self"]["href"].removeprefix(
            "https://ws-public.example.org"
        )
        assert copy == {k: v for k, v in record.items() if k != "_links"}
    imported = desk.db.scalars(select(Notice).where(Notice.entity_id == mine[0]["entity_id"])).one()
    assert imported.status is NoticeStatus.published
    assert imported.subject_record_id
    event = desk.db.scalars(select(NoticeEvent).where(NoticeEvent.notice_id == imported.id)).one()
    assert event.action == "import"
    assert "imported from extract.json" in event.reasons
    # Importing the same file again adds nothing.
    report = load(desk, path)
    assert (report.imported, report.skipped) == (0, 2)


def test_import_refuses_bad_files_whole(desk: Desk, tmp_path: Path) -> None:
    good = {
        "entity_id": "2025/10001",
        "forename": "Ana",
        "name": "Lupu",
        "_links": {"self": {"href": "/notices/v1/yellow/2025-10001"}},
    }
    bad = {
        "entity_id": "2025/10002",
        "forename": "Ion",
        "name": "Lupu",
        "date_of_birth": "11 April 1979",
    }
    path = tmp_path / "notices.json"
    path.write_text(json.dumps([good, bad]), encoding="utf-8")
    with pytest.raises(Invalid, match="record 2: date_of_birth"):
        load(desk, path)
    desk.db.rollback()
    assert desk.db.scalars(select(Notice).where(Notice.entity_id == "2025/10001")).first() is None
    path.write_text(json.dumps([{**bad, "date_of_birth": "1979"}]), encoding="utf-8")
    with pytest.raises(Invalid, match="type is not in its self link"):
        load(desk, path)
    report = load(desk, path, NoticeKind.yellow)
    assert report.imported == 1


def test_cli_import_and_export(palermo, tmp_path: Path) -> None:
    palermo(
        "agency", "add", "SG", "--name", "Secretariat", "--kind", "secretariat", "--country", "FR"
    )
    source = Path(__file__).parent.parent / "screening" / "data"
    sample = next(p for p in sorted(source.glob("interpol*.json")))
    result = palermo("notices", "import", str(sample), "--agency", "SG", "--kind", "red")
    assert "notices imported" in result.stdout
    out = tmp_path / "extract.json"
    palermo("notices", "export", str(out))
    exported = json.loads(out.read_text())
    assert exported
    assert all(r["entity_id"] for r in exported)
    listed = palermo.json(
        "notices", "list", "--purpose", "locate_person", "--justification", "extract check"
    )
    assert {n["entity_id"] for n in listed} >= {r["entity_id"] for r in exported}
