"""Networks out to the tools analysts already use: GraphML (yEd, Gephi, Cytoscape, i2
import) and GEXF 1.2 (Gephi), both checked in the tests against the formats' published XML
Schemas; and CSV edge lists in the format `palermo network disrupt` reads.

Every piece of evidence is an edge (GraphML and GEXF take parallel edges), with its kind,
record, date, weight and direction; nodes carry what policy let the analyst see, plus any
analysis columns (community, centralities) so Gephi can colour and size by them at once.

GraphML is written by networkx. GEXF is written here, with the standard library: networkx
writes the 1.2draft namespace, for which no schema was ever published, and a `name`
attribute on `graph` that the 1.2 schema refuses.
"""

from __future__ import annotations

import colorsys
import enum
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import networkx as nx
import numpy as np

from palermo.errors import Invalid
from palermo.network import edgefile
from palermo.network.graph import NODE_ATTRIBUTES, Network, time_text

GEXF = "http://www.gexf.net/1.2"

Columns = Mapping[str, Sequence[Any]]


class Format(enum.StrEnum):
    graphml = "graphml"
    gexf = "gexf"
    csv = "csv"
    ftm = "ftm.jsonl"

    @classmethod
    def of(cls, path: Path) -> Format:
        name = path.name.lower()
        for member in sorted(cls, key=lambda f: -len(f.value)):
            if name.endswith("." + member.value):
                return member
        known = ", ".join(f".{f.value}" for f in cls)
        raise Invalid(f"{path.name}: unknown export format; use one of {known}")


def _node_values(network: Network, extra: Columns, i: int) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in NODE_ATTRIBUTES:
        value = network.attribute(name, i)
        if isinstance(value, list | tuple):
            value = ";".join(value)
        if value is not None:
            values[name] = value
    for name, column in extra.items():
        value = column[i]
        values[name] = value.item() if isinstance(value, np.generic) else value
    return values


def _edge_values(network: Network, e: int) -> dict[str, Any]:
    edges = network.edges
    values: dict[str, Any] = {"weight": float(edges.weight[e]), "directed": bool(edges.directed[e])}
    if edges.kind is not None:
        values["kind"] = edges.kind[e]
    if edges.record is not None and edges.record[e] is not None:
        values["record"] = edges.record[e]
    when = time_text(edges.time[e])
    if when:
        values["time"] = when
    return values


def to_networkx(network: Network, extra: Columns | None = None) -> nx.MultiGraph:
    """Nodes are `n0`, `n1`…, the Palermo id in `ref`: GraphML ids must be XML name tokens,
    and a phone number (+31…) or a name with spaces is not one."""
    graph = nx.MultiGraph()
    for i, node in enumerate(network.ids):
        graph.add_node(f"n{i}", ref=node, **_node_values(network, extra or {}, i))
    edges = network.edges
    for e in range(len(edges)):
        graph.add_edge(
            f"n{edges.source[e]}", f"n{edges.target[e]}", key=e, **_edge_values(network, e)
        )
    return graph


def write_graphml(network: Network, path: Path, extra: Columns | None = None) -> None:
    # Key ids stay d0, d1…: named ids would clash where nodes and edges share a name (kind).
    nx.write_graphml(to_networkx(network, extra), path)


def _type(values: list[Any]) -> str:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return "boolean"
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "long"
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "double"
    return "string"


def _declare(graph: ET.Element, kind: str, rows: list[dict[str, Any]]) -> dict[str, str]:
    names = sorted({name for row in rows for name in row} - {"label", "weight"})
    declared = ET.SubElement(graph, f"{{{GEXF}}}attributes", {"class": kind})
    for name in names:
        ET.SubElement(
            declared,
            f"{{{GEXF}}}attribute",
            {"id": name, "title": name, "type": _type([row.get(name) for row in rows])},
        )
    return {name: name for name in names}


def _attvalues(element: ET.Element, row: dict[str, Any], declared: dict[str, str]) -> None:
    present = [(name, row[name]) for name in declared if row.get(name) is not None]
    if present:
        holder = ET.SubElement(element, f"{{{GEXF}}}attvalues")
        for name, value in present:
            text = str(value).lower() if isinstance(value, bool) else str(value)
            ET.SubElement(holder, f"{{{GEXF}}}attvalue", {"for": name, "value": text})


def _colour(community: int) -> dict[str, str]:
    """A distinct colour per community (golden-angle hues), so Gephi shows cells at once."""
    red, green, blue = colorsys.hsv_to_rgb((community * 0.618033988749895) % 1, 0.65, 0.9)
    return {"r": str(round(red * 255)), "g": str(round(green * 255)), "b": str(round(blue * 255))}


def write_gexf(
    network: Network,
    path: Path,
    extra: Columns | None = None,
    *,
    size_by: str | None = None,
    colour_by: str | None = "community",
) -> None:
    ET.register_namespace("", GEXF)
    root = ET.Element(f"{{{GEXF}}}gexf", {"version": "1.2"})
    meta = ET.SubElement(
        root, f"{{{GEXF}}}meta", {"lastmodifieddate": datetime.now(UTC).date().isoformat()}
    )
    ET.SubElement(meta, f"{{{GEXF}}}creator").text = "Palermo"
    # Dated evidence makes a dynamic graph: each edge starts at its date, so Gephi's
    # timeline plays the network as it grew (times in UTC).
    dynamic = bool(np.any(~np.isnan(network.edges.time)))
    kind = {"mode": "dynamic", "timeformat": "dateTime"} if dynamic else {"mode": "static"}
    graph = ET.SubElement(root, f"{{{GEXF}}}graph", {"defaultedgetype": "undirected", **kind})
    columns = dict(extra or {})
    nodes = [_node_values(network, columns, i) for i in range(len(network.ids))]
    edges = [_edge_values(network, e) for e in range(len(network.edges))]
    node_attributes = _declare(graph, "node", nodes)
    edge_attributes = _declare(graph, "edge", edges)
    sizes = _sizes(columns.get(size_by)) if size_by else None
    holder = ET.SubElement(graph, f"{{{GEXF}}}nodes", {"count": str(len(nodes))})
    for i, row in enumerate(nodes):
        node = ET.SubElement(
            holder, f"{{{GEXF}}}node", {"id": network.ids[i], "label": network.label(i)}
        )
        _attvalues(node, row, node_attributes)
        if colour_by and isinstance(row.get(colour_by), int):
            # GEXF 1.2 declares colour and size in its own namespace (types from viz.xsd);
            # Gephi reads them by local name.
            ET.SubElement(node, f"{{{GEXF}}}color", _colour(row[colour_by]))
        if sizes is not None:
            ET.SubElement(node, f"{{{GEXF}}}size", {"value": f"{sizes[i]:.3f}"})
    holder = ET.SubElement(graph, f"{{{GEXF}}}edges", {"count": str(len(edges))})
    for e, row in enumerate(edges):
        attributes = {
            "id": str(e),
            "source": network.ids[network.edges.source[e]],
            "target": network.ids[network.edges.target[e]],
            "type": "directed" if row["directed"] else "undirected",
            "weight": repr(row["weight"]),
        }
        if "kind" in row:
            attributes["label"] = row["kind"]
        when = network.edges.time[e]
        if not np.isnan(when):
            attributes["start"] = datetime.fromtimestamp(float(when), UTC).strftime(
                "%Y-%m-%dT%H:%M:%S"
            )
        edge = ET.SubElement(holder, f"{{{GEXF}}}edge", attributes)
        _attvalues(edge, row, edge_attributes)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def _sizes(column: Sequence[Any] | None) -> np.ndarray | None:
    """Node sizes 5–50 from a measure, so key players stand out in Gephi's first view."""
    if column is None:
        return None
    values = np.asarray(column, dtype=float)
    span = values.max() - values.min() if len(values) else 0
    return 5 + 45 * ((values - values.min()) / span if span else np.zeros(len(values)))


def write(network: Network, path: Path, extra: Columns | None = None) -> Format:
    """Write GraphML, GEXF or CSV by the file's extension (FtM needs the records: see
    `service.export`)."""
    chosen = Format.of(path)
    if chosen is Format.graphml:
        write_graphml(network, path, extra)
    elif chosen is Format.gexf:
        write_gexf(network, path, extra, size_by=_first_measure(extra))
    elif chosen is Format.csv:
        edgefile.write(network, path)
    else:
        raise ValueError("FtM export needs the records: use `palermo network build`")
    return chosen


def _first_measure(extra: Columns | None) -> str | None:
    for name in ("betweenness", "pagerank", "degree"):
        if extra and name in extra:
            return name
    return None
