"""Small graphs with known structure (as Palermo networks and as their networkx twins), and
a small intelligence world of four agencies for building networks through policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pytest
from sqlalchemy.orm import Session

from palermo.identity.principal import Principal
from palermo.identity.roles import AgencyKind, Role
from palermo.models.base import utcnow
from palermo.network import service
from palermo.network.graph import Duplicates, Network, Projection, edges_of, project
from palermo.network.schemas import ScopeIn
from palermo.policy.records import AccessContext
from palermo.records import service as records
from palermo.settings import Settings
from tests.conftest import Factory
from tests.records.helpers import envelope, principal_of


def network_of(graph: nx.Graph, *, weight: str | None = None) -> Network:
    """A Palermo network with the same nodes (in sorted order) and edges as `graph`."""
    ids = sorted(str(n) for n in graph.nodes)
    index = {node: i for i, node in enumerate(ids)}
    pairs = list(graph.edges(data=True))
    return Network(
        ids=ids,
        edges=edges_of(
            [index[str(u)] for u, _, _ in pairs],
            [index[str(v)] for _, v, _ in pairs],
            weight=[d.get(weight, 1.0) for *_, d in pairs] if weight else None,
        ),
    )


def projection_of(graph: nx.Graph, *, weight: str | None = None) -> Projection:
    return project(network_of(graph, weight=weight), Duplicates.sum)


def by_label(values: np.ndarray, network: Network) -> dict[str, float]:
    return {network.ids[i]: float(v) for i, v in enumerate(values)}


@pytest.fixture(params=["karate", "weighted-lesmis", "two-components"])
def graphs(request: pytest.FixtureRequest) -> tuple[nx.Graph, bool]:
    """(graph, weighted): a classic social network, a weighted one, a disconnected one."""
    if request.param == "karate":
        return nx.relabel_nodes(nx.karate_club_graph(), str), False
    if request.param == "weighted-lesmis":
        return nx.les_miserables_graph(), True
    twin = nx.disjoint_union(nx.barbell_graph(5, 2), nx.path_graph(6))
    return nx.relabel_nodes(twin, lambda n: f"n{n:02d}"), False


ANALYSIS = AccessContext.of("criminal_analysis", "Operation Tulip: the Rotterdam cell")
BOTH = ["criminal_investigation", "criminal_analysis"]
EVERYONE = {"tlp": "GREEN", "shares": [{"scope": "everyone"}], "purposes": BOTH}


@dataclass
class World:
    db: Session
    analyst: Principal  # NL-POL
    ids: dict[str, str]  # short name → record id

    def build(self, **scope: Any) -> tuple[Network, dict[str, int]]:
        built = service.build(
            self.db,
            principal=self.analyst,
            context=ANALYSIS,
            scope=ScopeIn(**scope),
            now=utcnow(),
        )
        return built.network, built.left_out


HIT_ONLY = {
    "tlp": "GREEN",
    "shares": [{"scope": "everyone", "level": "hit_only"}],
    "purposes": BOTH,
}
TO_CO_ONLY = {
    "shares": [{"scope": "agency", "agency": "CO-POL"}],
    "purposes": BOTH,
}


@pytest.fixture
def world(db: Session, factory: Factory, settings: Settings) -> World:
    people = {}
    for code in ("NL-POL", "CO-POL", "ES-POL", "BE-POL"):
        agency = factory.agency(code, kind=AgencyKind.police, country=code[:2])
        user = factory.user(f"{code.lower()}.analyst", Role.analyst, agency=agency)[0]
        people[code] = principal_of(db, user)
    nl, co, es, be = (people[c] for c in ("NL-POL", "CO-POL", "ES-POL", "BE-POL"))
    ids: dict[str, str] = {}

    def add(
        who: Principal,
        name: str,
        schema: str,
        properties: dict[str, list[str]],
        shares: dict[str, Any] | None = None,
    ) -> None:
        subject = "suspect" if schema == "Person" else None
        ids[name] = records.create_record(
            db,
            principal=who,
            settings=settings,
            entity={"schema": schema, "properties": properties},
            envelope=envelope(subject_category=subject, **(shares or {})),
            now=utcnow(),
        ).id

    add(es, "hit", "Person", {"name": ["Secreto Informante"], "nationality": ["es"]}, HIT_ONLY)
    add(be, "ghost", "Person", {"name": ["Ghost Person"]}, TO_CO_ONLY)
    add(
        co,
        "pablo",
        "Person",
        {"name": ["Pablo Restrepo"], "nationality": ["co"], "phone": ["+57 300 123 4567"]},
        EVERYONE,
    )
    add(nl, "jan", "Person", {"name": ["Jan de Vries"], "nationality": ["nl"]})
    add(
        nl,
        "piet",
        "Person",
        {"name": ["Piet Bakker"], "nationality": ["nl"], "phone": ["+31612345678"]},
    )
    add(nl, "kees", "Person", {"name": ["Kees Jansen"], "phone": ["+573001234567"]})
    add(nl, "tulip", "Company", {"name": ["Tulip Trading BV"], "jurisdiction": ["nl"]})
    add(
        nl,
        "associate",
        "Associate",
        {"person": [ids["jan"]], "associate": [ids["piet"]], "startDate": ["2023-01-05"]},
    )
    add(nl, "director", "Directorship", {"director": [ids["piet"]], "organization": [ids["tulip"]]})
    add(nl, "unknown", "UnknownLink", {"subject": [ids["jan"]], "object": [ids["hit"]]})
    add(
        nl,
        "call",
        "Call",
        {"caller": [ids["pablo"]], "receiver": [ids["jan"]], "date": ["2023-02-01T21:14"]},
        EVERYONE,
    )
    add(
        co,
        "ghost-link",
        "Associate",
        {"person": [ids["pablo"]], "associate": [ids["ghost"]]},
        EVERYONE,
    )
    add(
        nl,
        "cdr",
        "Call",
        {
            "callerNumber": ["+31612345678"],
            "receiverNumber": ["+4915112345678"],
            "date": ["2023-03-01T08:00"],
        },
    )
    db.commit()
    return World(db, nl, ids)
