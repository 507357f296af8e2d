"""Exports open in Gephi's formats: valid against the published GraphML and GEXF 1.2
schemas, and read back with every node, edge and attribute."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import xmlschema
from defusedxml import ElementTree

from palermo.errors import Invalid
from palermo.network import edgefile, export
from palermo.network.graph import Network, edges_of, timestamp

SCHEMAS = Path(__file__).parent / "schemas"


@pytest.fixture(scope="module")
def graphml_schema() -> xmlschema.XMLSchema:
    # allow="local": the schemas and their imports are vendored; nothing is fetched.
    return xmlschema.XMLSchema(str(SCHEMAS / "graphml" / "graphml.xsd"), allow="local")


@pytest.fixture(scope="module")
def gexf_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "gexf-1.2" / "gexf.xsd"), allow="local")


def _network() -> Network:
    return Network(
        ids=["rec-1", "rec-2", "phone:+31612345678", "rec-3"],
        edges=edges_of(
            [0, 0, 1, 3],
            [1, 1, 2, 0],
            weight=[1.0, 2.5, 1.0, 1.0],
            time=[timestamp("2024-03-01"), timestamp("2024-03-02T10:15:00"), np.nan, np.nan],
            directed=[True, True, False, False],
            kind=["Call", "Payment", "shared phone", "holder"],
            record=["call-1", "pay-1", None, "rec-3"],
        ),
        nodes={
            "label": ["Jan de Vries", "Pablo Restrepo & Co", "+31612345678", "hit: rec-3 (NCB-ES)"],
            "kind": ["Person", "Company", "phone", "Passport"],
            "country": ["NL", "CO", None, None],
            "access": ["full", "full", "full", "hit"],
            "owner": ["NCB-NL", "NCB-CO", None, "NCB-ES"],
            "records": [["rec-1"], ["rec-2", "rec-9"], [], ["rec-3"]],
        },
    )


EXTRA = {"community": [0, 1, 1, 0], "betweenness": [0.5, 0.25, 0.0, 0.0]}


def test_graphml_is_schema_valid_and_reads_back(
    tmp_path: Path, graphml_schema: xmlschema.XMLSchema
) -> None:
    path = tmp_path / "net.graphml"
    assert export.write(_network(), path, EXTRA) is export.Format.graphml
    graphml_schema.validate(str(path))
    back = nx.relabel_nodes(
        nx.read_graphml(path, force_multigraph=True),
        lambda n: nx.read_graphml(path).nodes[n]["ref"],
    )
    assert set(back.nodes) == {"rec-1", "rec-2", "phone:+31612345678", "rec-3"}
    assert back.number_of_edges() == 4
    assert back.nodes["rec-2"]["records"] == "rec-2;rec-9"
    assert back.nodes["rec-1"]["community"] == 0
    assert back.has_edge("rec-2", "phone:+31612345678")
    times = sorted(d["time"] for *_, d in back.edges(data=True) if "time" in d)
    assert times == ["2024-03-01", "2024-03-02T10:15:00Z"]
    assert {d["kind"] for *_, d in back.edges(data=True)} == {
        "Call",
        "Payment",
        "shared phone",
        "holder",
    }


def test_gexf_is_schema_valid_with_colours_sizes_and_directions(
    tmp_path: Path, gexf_schema: xmlschema.XMLSchema
) -> None:
    path = tmp_path / "net.gexf"
    export.write(_network(), path, EXTRA)
    gexf_schema.validate(str(path))
    root = ElementTree.parse(path).getroot()
    ns = {"g": export.GEXF}
    nodes = root.findall(".//g:node", ns)
    assert [n.get("label") for n in nodes][:2] == ["Jan de Vries", "Pablo Restrepo & Co"]
    assert all(n.find("g:color", ns) is not None for n in nodes)
    sizes = [float(n.find("g:size", ns).get("value")) for n in nodes]
    assert sizes[0] == 50.0  # sized by betweenness
    edges = root.findall(".//g:edge", ns)
    assert [e.get("type") for e in edges] == ["directed", "directed", "undirected", "undirected"]
    # Dated evidence plays on Gephi's timeline: the graph is dynamic, each dated edge starts.
    assert root.find("g:graph", ns).get("mode") == "dynamic"
    assert [e.get("start") for e in edges] == [
        "2024-03-01T00:00:00",
        "2024-03-02T10:15:00",
        None,
        None,
    ]
    assert edges[1].get("weight") == "2.5"
    declared = {a.get("title"): a.get("type") for a in root.findall(".//g:attribute", ns)}
    assert declared["community"] == "long"
    assert declared["betweenness"] == "double"
    assert declared["directed"] == "boolean"


def test_gexf_schema_refuses_what_it_should(
    tmp_path: Path, gexf_schema: xmlschema.XMLSchema
) -> None:
    """The check has teeth: an edge type the format does not know fails validation."""
    path = tmp_path / "net.gexf"
    export.write(_network(), path, EXTRA)
    broken = tmp_path / "broken.gexf"
    broken.write_text(path.read_text().replace('type="directed"', 'type="sideways"'))
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        gexf_schema.validate(str(broken))


def test_csv_export_reads_back_as_an_edge_file(tmp_path: Path) -> None:
    path = tmp_path / "edges.csv"
    export.write(_network(), path)
    back = edgefile.read(path)
    assert len(back.edges) == 4
    assert sorted(back.ids) == sorted(_network().ids)
    assert np.nansum(back.edges.weight) == 5.5
    assert int(np.isnan(back.edges.time).sum()) == 2


def test_unknown_export_format_is_named(tmp_path: Path) -> None:
    with pytest.raises(Invalid, match=r"net\.xlsx: unknown export format"):
        export.write(_network(), tmp_path / "net.xlsx")


def test_a_network_without_dates_is_a_static_gexf(
    tmp_path: Path, gexf_schema: xmlschema.XMLSchema
) -> None:
    path = tmp_path / "undated.gexf"
    export.write(Network(ids=["a", "b"], edges=edges_of([0], [1])), path)
    gexf_schema.validate(str(path))
    graph = ElementTree.parse(path).getroot().find(f"{{{export.GEXF}}}graph")
    assert graph.get("mode") == "static"
    assert graph.get("timeformat") is None
