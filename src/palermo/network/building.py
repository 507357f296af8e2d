"""The intelligence graph of what a principal may see, built through policy.

Nodes are the records policy lets the principal know of (persons, companies, accounts,
vehicles, phones…): in full, with caption and country, or — for records shared as hit/no-hit
only — as a reference and an owner, nothing more. Edges are the evidence, read only from
records the principal sees in full:

- relationship records (FtM edge schemata — Associate, Family, Membership, Ownership,
  Directorship, Payment, UnknownLink… — and Call): source → target, directed where FtM says
  the relation is, dated by the record's start date or date;
- events (Trip, Event): everyone involved (organiser, participants, vehicle) with everyone
  else, dated;
- references of a record to another (a passport's holder, a vehicle's owner, an address);
- shared identifiers: a phone, e-mail, account number, document number or address held by
  two or more records becomes an identifier node tied to each (a number held by one record
  is that record: calls from it attach there). Values held by more than `MAX_HOLDERS`
  records (a switchboard, a registered-office address) are left out and counted.

An edge whose end is not shown — a record the principal may not know of, or outside the
owner agencies asked for — is dropped and counted: the graph never reveals a record that
policy hides. With `canonical`, records that the agency's entity resolution
says are one person become one node.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from followthemoney import model
from followthemoney.types import registry
from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.errors import NotFound
from palermo.identity.principal import Principal
from palermo.models.records import Record, RecordLink, Statement
from palermo.network import paths
from palermo.network.calls import dialled
from palermo.network.graph import (
    NODE_ATTRIBUTES,
    Network,
    edges_of,
    epoch,
    project,
    timestamp,
)
from palermo.policy.records import AccessContext, visibility
from palermo.records import repository

CHUNK = 500
MAX_HOLDERS = 50
EVENTS = ("Event",)  # and its descendants (Trip)
EVENT_PARTIES = ("organizer", "involved", "vehicle")
CALL_ENDS = (("caller", "callerNumber"), ("receiver", "receiverNumber"))
DATES = ("startDate", "date")
COUNTRIES = ("country", "nationality", "jurisdiction")
SHARED_TYPES = {
    registry.phone.name: "phone",
    registry.email.name: "email",
    registry.identifier.name: "identifier",
    registry.address.name: "address",
}
# References that say nothing of who works with whom.
IGNORED_REFERENCES = frozenset({"proof", "riskSource"})


@dataclass(frozen=True)
class Scope:
    """What to build: records of these owner agencies (None = all the principal may see),
    seeds with a depth (an ego network), a time window for dated evidence."""

    owners: Sequence[uuid.UUID] | None = None
    seeds: Sequence[str] = ()
    depth: int = 2
    since: datetime | None = None
    until: datetime | None = None
    identifiers: bool = True
    canonical: Sequence[Sequence[str]] = ()  # groups of record ids that are one entity


@dataclass
class _Builder:
    full: dict[str, tuple[str, str, str]]  # id -> (schema, caption, owner code)
    hits: dict[str, tuple[str, str]]  # id -> (schema, owner code)
    node_of: dict[str, str] = field(default_factory=dict)  # record id -> node id
    ids: list[str] = field(default_factory=list)
    nodes: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))
    edges: list[tuple[str, str, float, bool, str, str | None]] = field(default_factory=list)
    left_out: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    known: set[str] = field(default_factory=set)

    def node(self, key: str, **attributes: Any) -> None:
        self.ids.append(key)
        self.known.add(key)
        for name in NODE_ATTRIBUTES:
            self.nodes[name].append(attributes.get(name))

    def edge(
        self, a: str, b: str, when: float, directed: bool, kind: str, record: str | None
    ) -> None:
        left, right = self.node_of.get(a, a), self.node_of.get(b, b)
        if left not in self.known or right not in self.known:
            self.left_out["edges_to_records_not_shown"] += 1
            return
        self.edges.append((left, right, when, directed, kind, record))


def build(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    scope: Scope,
    now: datetime,
) -> tuple[Network, dict[str, int]]:
    """The network and what was left out of it (counts by reason)."""
    builder = _visible(session, principal, context, scope, now)
    statements = _statements(session, list(builder.full))
    links = _links(session, list(builder.full))
    _nodes(builder, statements, scope.canonical, scope.identifiers)
    for record_id, (schema_name, _, _) in builder.full.items():
        schema = model.get(schema_name)
        if schema is None:
            continue
        when = _when(statements[record_id])
        refs = links[record_id]
        if schema.edge and schema.edge_source and schema.edge_target:
            for a, b in itertools.product(refs[schema.edge_source], refs[schema.edge_target]):
                builder.edge(a, b, when, schema.edge_directed, schema.name, record_id)
        elif schema.is_a("Call"):
            ends = [
                refs[entity] or [_phone_node(v) for v in statements[record_id].get(number, [])]
                for entity, number in CALL_ENDS
            ]
            for a, b in itertools.product(*ends):
                builder.edge(a, b, when, True, "Call", record_id)
        elif any(schema.is_a(e) for e in EVENTS):
            parties = sorted({r for p in EVENT_PARTIES for r in refs[p]})
            for a, b in itertools.combinations(parties, 2):
                builder.edge(a, b, when, False, schema.name, record_id)
        else:
            for prop, targets in refs.items():
                if prop not in IGNORED_REFERENCES:
                    for target in targets:
                        builder.edge(record_id, target, np.nan, False, prop, record_id)
    network = _network(builder)
    network = _window(network, scope.since, scope.until)
    if scope.seeds:
        network = _ego(network, builder, scope.seeds, scope.depth)
    return network, dict(builder.left_out)


def _visible(
    session: Session, principal: Principal, context: AccessContext, scope: Scope, now: datetime
) -> _Builder:
    rules = visibility(principal, context.purpose, now=now)
    query = select(Record.id, Record.schema, Record.caption, Record.owner_agency_id, rules.full)
    query = query.where(rules.any)
    if scope.owners is not None:
        query = query.where(Record.owner_agency_id.in_(scope.owners))
    rows = session.execute(query).all()
    codes = repository.agency_codes(session, {r[3] for r in rows})
    full = {r[0]: (r[1], r[2], codes[r[3]]) for r in rows if r[4]}
    hits = {r[0]: (r[1], codes[r[3]]) for r in rows if not r[4]}
    return _Builder(full=full, hits=hits)


def _statements(session: Session, ids: list[str]) -> dict[str, dict[str, list[str]]]:
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(Statement.record_id, Statement.prop, Statement.value)
            .where(
                Statement.record_id.in_(ids[start : start + CHUNK]),
                Statement.removed_version.is_(None),
            )
            .order_by(Statement.id)
        )
        for record_id, prop, value in rows:
            found[record_id][prop].append(value)
    return found


def _links(session: Session, ids: list[str]) -> dict[str, dict[str, list[str]]]:
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(RecordLink.source_id, RecordLink.prop, RecordLink.target_id)
            .where(RecordLink.source_id.in_(ids[start : start + CHUNK]))
            .order_by(RecordLink.source_id, RecordLink.prop, RecordLink.target_id)
        )
        for source, prop, target in rows:
            found[source][prop].append(target)
    return found


def _is_relation(schema_name: str) -> bool:
    schema = model.get(schema_name)
    return schema is not None and (
        bool(schema.edge) or schema.is_a("Call") or any(schema.is_a(e) for e in EVENTS)
    )


def _nodes(
    builder: _Builder,
    statements: dict[str, dict[str, list[str]]],
    canonical: Sequence[Sequence[str]],
    identifiers: bool,
) -> None:
    merged = _canonical(builder, canonical)
    for record_id, (schema, caption, owner) in sorted(builder.full.items()):
        if _is_relation(schema) or record_id in builder.node_of:
            continue
        members = merged.get(record_id, [record_id])
        for member in members:
            builder.node_of[member] = record_id
        builder.node(
            record_id,
            label=caption,
            kind=schema,
            country=_country(statements[record_id]),
            access="full",
            owner=owner,
            records=members,
        )
    for record_id, (schema, owner) in sorted(builder.hits.items()):
        # A relationship known only as a hit has no ends to show: it is no node either.
        if record_id in builder.node_of or _is_relation(schema):
            continue
        builder.node_of[record_id] = record_id
        builder.node(
            record_id,
            label=f"hit: {record_id} ({owner})",
            kind=schema,
            access="hit",
            owner=owner,
            records=[record_id],
        )
    _shared(builder, statements, identifiers)


def _canonical(builder: _Builder, groups: Sequence[Sequence[str]]) -> dict[str, list[str]]:
    """Each entity's first record the principal sees in full stands for it. Groups that
    share a record (runs over Person and over LegalEntity both hold persons) are one
    entity."""
    forest: dict[str, str] = {}

    def root(record: str) -> str:
        while forest.setdefault(record, record) != record:
            record = forest[record]
        return record

    for group in groups:
        members = [r for r in group if r in builder.full]
        for member in members[1:]:
            forest[root(member)] = root(members[0])
    entities: dict[str, list[str]] = defaultdict(list)
    for record in sorted(forest):
        entities[root(record)].append(record)
    merged: dict[str, list[str]] = {}
    for members in entities.values():
        if len(members) > 1:
            merged[members[0]] = members
            for member in members[1:]:
                builder.node_of[member] = members[0]
    return merged


def _country(values: dict[str, list[str]]) -> str | None:
    for prop in COUNTRIES:
        if values.get(prop):
            return values[prop][0].upper()
    return None


def _normal(kind: str, value: str) -> str:
    if kind == "phone":
        return dialled(value)
    if kind == "email":
        return value.strip().lower()
    if kind == "address":
        return " ".join(value.casefold().split())
    return re.sub(r"[\s\-./]", "", value).upper()


def _phone_node(number: str) -> str:
    return f"phone:{_normal('phone', number)}"


def _shared(
    builder: _Builder, statements: dict[str, dict[str, list[str]]], identifiers: bool
) -> None:
    """Identifier nodes for values two or more records hold (unless `identifiers` is off);
    a value held by one record stands for that record (so a call from a subscriber's
    number reaches the subscriber)."""
    holders: dict[str, set[str]] = defaultdict(set)
    for record_id, props in statements.items():
        node = builder.node_of.get(record_id)
        if node is None:  # relationship records hold no identifiers of their own
            continue
        schema = model.get(builder.full[record_id][0])
        for prop_name, values in props.items():
            prop = schema.get(prop_name) if schema else None
            kind = SHARED_TYPES.get(prop.type.name) if prop else None
            if kind:
                for value in values:
                    holders[f"{kind}:{_normal(kind, value)}"].add(node)
    for key, nodes in sorted(holders.items()):
        if len(nodes) == 1:
            builder.node_of[key] = next(iter(nodes))
        elif len(nodes) > MAX_HOLDERS:
            builder.left_out["identifiers_held_by_too_many_records"] += 1
        elif identifiers:
            kind, value = key.split(":", 1)
            builder.node(key, label=value, kind=kind, access="full", records=[])
            builder.node_of[key] = key
            for node in sorted(nodes):
                builder.edges.append((node, key, np.nan, False, f"shared {kind}", None))
    # Numbers in calls that no visible record holds are nodes of their own.
    for record_id, props in statements.items():
        if builder.full[record_id][0] == "Call":
            for _, number_prop in CALL_ENDS:
                for number in props.get(number_prop, []):
                    key = _phone_node(number)
                    if key not in builder.node_of:
                        builder.node(
                            key,
                            label=_normal("phone", number),
                            kind="phone",
                            access="full",
                            records=[],
                        )
                        builder.node_of[key] = key


def _when(values: dict[str, list[str]]) -> float:
    """The evidence's date: its start date or date; a year or a month counts from its first
    day (FtM dates may be that coarse)."""
    for prop in DATES:
        for value in values.get(prop, []):
            padded = value + "-01-01"[len(value) - 4 :] if len(value) in (4, 7) else value
            try:
                return timestamp(padded)
            except ValueError:
                continue
    return np.nan


def _network(builder: _Builder) -> Network:
    index = {node: i for i, node in enumerate(builder.ids)}
    edges = builder.edges
    return Network(
        ids=list(builder.ids),
        edges=edges_of(
            [index[e[0]] for e in edges],
            [index[e[1]] for e in edges],
            time=[e[2] for e in edges],
            directed=[e[3] for e in edges],
            kind=[e[4] for e in edges],
            record=[e[5] for e in edges],
        ),
        nodes={k: list(v) for k, v in builder.nodes.items()},
    )


def _window(network: Network, since: datetime | None, until: datetime | None) -> Network:
    """Dated evidence outside the window goes; undated ties (a holder, a membership without
    dates) stay, since nothing says they were not true then."""
    if since is None and until is None:
        return network
    time = network.edges.time
    keep = np.ones(len(time), dtype=bool)
    if since is not None:
        keep &= np.isnan(time) | (time >= epoch(since))
    if until is not None:
        keep &= np.isnan(time) | (time <= epoch(until))
    return subnetwork(network, np.arange(len(network.ids)), keep)


def subnetwork(
    network: Network, nodes: Iterable[int], keep_edges: np.ndarray | None = None
) -> Network:
    """The network cut to `nodes` (and to the edges where `keep_edges`, if given)."""
    chosen = sorted(set(nodes))
    renumber = np.full(len(network.ids), -1)
    renumber[chosen] = np.arange(len(chosen))
    edges = network.edges
    keep = (renumber[edges.source] >= 0) & (renumber[edges.target] >= 0)
    if keep_edges is not None:
        keep &= keep_edges
    picked = np.flatnonzero(keep).tolist()
    return Network(
        ids=[network.ids[i] for i in chosen],
        edges=edges_of(
            renumber[edges.source[keep]],
            renumber[edges.target[keep]],
            weight=edges.weight[keep],
            time=edges.time[keep],
            directed=edges.directed[keep],
            kind=[edges.kind[i] for i in picked] if edges.kind is not None else None,
            record=[edges.record[i] for i in picked] if edges.record is not None else None,
        ),
        nodes={name: [values[i] for i in chosen] for name, values in network.nodes.items()},
    )


def _ego(network: Network, builder: _Builder, seeds: Sequence[str], depth: int) -> Network:
    """The network within `depth` of the seeds; a relationship record (a call, a payment)
    as a seed starts from both its ends."""
    index = network.index
    records = network.edges.record or []
    starts: set[int] = set()
    for seed in seeds:
        node = builder.node_of.get(seed)
        ends = [i for i, r in enumerate(records) if r == seed] if node not in index else []
        if node in index:
            starts.add(index[node])
        elif ends:
            starts.update(int(network.edges.source[e]) for e in ends)
            starts.update(int(network.edges.target[e]) for e in ends)
        else:
            raise NotFound(f"no record {seed} in the network you may see")
    return subnetwork(network, paths.ego(project(network).graph, sorted(starts), depth))
