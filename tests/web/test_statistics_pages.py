"""The statistics page through the app (no browser): each figure as a chart holder, its spec,
its table and its CSV — the world map's spec reading the vendored TopoJSON by ISO numeric
code —, one year at a time, the sections of one's work only, none for private partners; and
the same figures from the API."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from typing import Any

import pyotp
from fastapi.testclient import TestClient

from palermo.identity.roles import Role
from palermo.records.envelope import ShareScope
from palermo.records.schemas import ShareIn
from tests.cases.conftest import Team
from tests.conftest import PASSWORD, Factory
from tests.stats.conftest import collect, team
from tests.web.test_linkage_pages import log_in

__all__ = ["team"]
LAST_YEAR = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def specs(html: str) -> dict[str, dict[str, Any]]:
    found = re.search(
        r'<script type="application/json" id="chart-specs">(.*?)</script>', html, re.S
    )
    assert found
    loaded: dict[str, dict[str, Any]] = json.loads(found.group(1))
    return loaded


def table(html: str, name: str) -> list[tuple[str, str]]:
    """The (year, key) of each row of a figure's table."""
    body = html.split(f'data-testid="table-{name}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'data-testid="row" data-year="(\d+)" data-key="([^"]+)"', body)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def world(team: Team) -> None:
    collect(team, "nl", ["0601"])
    collect(team, "nl", ["07031"], now=LAST_YEAR)
    collect(team, "de", ["0601"], shares=[ShareIn(scope=ShareScope.everyone)])
    collect(team, "de", ["0201"])  # not shared: the Dutch never count it
    team.case(members={"DE-BKA": "participant"}, offences=["0601"])


def test_every_figure_has_its_chart_table_and_csv(client: TestClient, team: Team) -> None:
    world(team)
    log_in(client, "nl.officer")
    page = client.get("/statistics")
    assert page.status_code == 200
    html = page.text
    charts = specs(html)
    for name in ("records-by-offence", "records-map", "cases-by-offence", "cases-by-country"):
        assert f'data-chart="{name}"' in html
        assert name in charts
    assert "<figcaption>" in html

    assert table(html, "records-by-offence") == [("2025", "07"), ("2026", "06")]
    assert table(html, "records-by-country") == [("2025", "NL"), ("2026", "DE"), ("2026", "NL")]
    assert table(html, "cases-by-country") == [("2026", "NL")]

    # The map: the vendored world, its countries joined to the figures by ISO numeric code.
    spec = charts["records-map"]
    assert spec["data"] == {
        "url": "/static/vendor/world-atlas-2.0.2-countries-110m.json",
        "format": {"type": "topojson", "feature": "countries"},
    }
    [lookup] = [t for layer in spec["layer"] for t in layer.get("transform", []) if "lookup" in t]
    joined = spec["datasets"][lookup["from"]["data"]["name"]]
    assert {v["id"]: v["records"] for v in joined} == {"528": 2, "276": 1}  # NL, DE
    world_map = client.get("/static/vendor/world-atlas-2.0.2-countries-110m.json")
    assert world_map.status_code == 200
    assert {"528", "276"} <= {
        g["id"] for g in world_map.json()["objects"]["countries"]["geometries"] if "id" in g
    }

    download = client.get("/statistics/records-by-offence.csv")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert 'filename="records-by-offence.csv"' in download.headers["content-disposition"]
    assert rows(download.text) == [
        {
            "year": "2025",
            "iccs_section": "07",
            "count": "1",
            "iccs_label": "Acts involving fraud, deception or corruption",
        },
        {
            "year": "2026",
            "iccs_section": "06",
            "count": "2",
            "iccs_label": "Acts involving controlled psychoactive substances or other drugs",
        },
    ]
    assert rows(client.get("/statistics/records-by-country.csv?year=2026").text) == [
        {"year": "2026", "country": "DE", "count": "1"},
        {"year": "2026", "country": "NL", "count": "1"},
    ]
    for name in (
        "cases-by-offence",
        "cases-by-country",
        "notices",
        "screening",
        "operation-results",
        "assets",
        "response-times",
    ):
        assert client.get(f"/statistics/{name}.csv").status_code == 200, name
    assert client.get("/statistics/people.csv").status_code == 404


def test_one_year_at_a_time(client: TestClient, team: Team) -> None:
    world(team)
    log_in(client, "nl.officer")
    html = client.get("/statistics?year=2025").text
    assert '<option value="2025" selected>' in html
    assert table(html, "records-by-offence") == [("2025", "07")]
    assert table(html, "records-by-country") == [("2025", "NL")]
    assert 'href="/statistics/records-by-offence.csv?year=2025"' in html
    assert "cases-by-country" not in specs(html)  # the case was opened in 2026
    assert client.get("/statistics?year=20255").status_code == 422


def test_sections_follow_the_readers_work_and_partners_read_none(
    client: TestClient, team: Team, factory: Factory
) -> None:
    world(team)
    _, secret = factory.user("nl.dpo", Role.auditor, agency=team.agencies["NL-NP"])
    assert secret is not None
    client.cookies.clear()
    login = {"username": "nl.dpo", "password": PASSWORD, "totp_code": pyotp.TOTP(secret).now()}
    assert client.post("/api/auth/login", json=login).status_code == 200
    html = client.get("/statistics").text
    assert 'id="screening"' in html
    for section in ("records", "cases", "notices", "operations", "assets", "response-times"):
        assert f'id="{section}"' not in html
    assert client.get("/statistics/records-by-offence.csv").status_code == 404
    assert client.get("/statistics/response-times.csv").status_code == 404

    log_in(client, "bank.mlro")
    assert client.get("/statistics").status_code == 403
    assert client.get("/statistics/screening.csv").status_code == 403


def test_the_api_gives_the_same_figures(client: TestClient, team: Team, factory: Factory) -> None:
    world(team)
    headers = factory.bearer(team.users["nl"])
    answer = client.get("/api/statistics", headers=headers, params={"year": 2025})
    assert answer.status_code == 200
    body = answer.json()
    assert body["records_by_offence"] == [
        {
            "year": 2025,
            "iccs_section": "07",
            "count": 1,
            "iccs_label": "Acts involving fraud, deception or corruption",
        }
    ]
    assert body["cases_by_country"] == []
    assert client.get("/api/statistics").status_code == 401
