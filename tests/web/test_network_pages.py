"""The link chart's page and data routes through the app (no browser): the chart around a
seed, paths, a GEXF download, the working context asked first, partners refused."""

from __future__ import annotations

from pathlib import Path

import xmlschema
from fastapi.testclient import TestClient

from palermo.identity.roles import AgencyKind, Role
from tests.conftest import Factory
from tests.network import conftest as network_world
from tests.network.conftest import ANALYSIS, World
from tests.web.test_linkage_pages import log_in, sign_in

world = network_world.world  # the small intelligence world of the network tests

SCHEMAS = Path(__file__).parents[1] / "network" / "schemas"


def test_the_chart_page_and_its_data(client: TestClient, world: World) -> None:
    log_in(client, "nl-pol.analyst")
    asked = client.get(f"/network?seed={world.ids['piet']}", follow_redirects=False)
    assert asked.status_code == 303
    assert asked.headers["location"].startswith("/context?next=/network")
    sign_in(client, "nl-pol.analyst", ANALYSIS)
    page = client.get(f"/network?seed={world.ids['piet']}")
    assert page.status_code == 200
    assert f'data-url="/network/chart.json?seed={world.ids["piet"]}&amp;depth=1"' in page.text
    assert '<script src="/static/vendor/cytoscape-3.35.0.min.js" defer>' in page.text
    assert 'href="/network"' in page.text  # the navigation item, now available
    chart = client.get("/network/chart.json", params={"seed": world.ids["piet"]}).json()
    assert {n["label"] for n in chart["nodes"]} == {
        "Piet Bakker",
        "Jan de Vries",
        "Tulip Trading BV",
        "+4915112345678",
    }
    everything = client.get("/network/chart.json").json()
    assert everything["left_out"] == {"edges_to_records_not_shown": 1}
    path = client.get(
        "/network/paths.json",
        params={"from": world.ids["tulip"], "to": world.ids["pablo"], "mode": "shortest"},
    ).json()
    assert path["paths"] == [
        [world.ids["tulip"], world.ids["piet"], world.ids["jan"], world.ids["pablo"]]
    ]
    download = client.get("/network/export", params={"format": "gexf", "seed": world.ids["piet"]})
    assert download.headers["content-disposition"] == 'attachment; filename="network.gexf"'
    xmlschema.XMLSchema(str(SCHEMAS / "gexf-1.2" / "gexf.xsd"), allow="local").validate(
        download.text
    )


def test_partners_are_refused(client: TestClient, world: World, factory: Factory) -> None:
    bank = factory.agency("NL-BANK", kind=AgencyKind.private_partner, country="NL")
    factory.user("nl-bank.compliance", Role.partner, agency=bank)
    log_in(client, "nl-bank.compliance")
    assert client.get("/network", follow_redirects=False).status_code == 403
    assert client.get("/network/chart.json").status_code == 403
