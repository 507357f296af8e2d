"""Reviewing a linkage run: which pair to decide next, two records side by side, and the
entity a cluster makes.

Every record is read as a consultation of its own (`records.service.read_record`): shown in
full under its own envelope where policy allows, otherwise as no more than "also known to
agency X". Nothing a hit-only record holds reaches a comparison or a dossier.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from followthemoney import model
from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.errors import Invalid, NotFound
from palermo.identity.principal import Principal
from palermo.linkage import service
from palermo.linkage.clusters import Cluster
from palermo.linkage.model import FIELDS as COMPARISONS
from palermo.linkage.service import PairView
from palermo.models.linkage import LinkJudgement, LinkPair
from palermo.policy.records import AccessContext
from palermo.records.schemas import HitOut, RecordOut
from palermo.records.service import read_record
from palermo.translatable import N_

# The fields a pair's weights are given for, in the order a comparison shows them.
FIELDS = tuple(f.name for f in COMPARISONS)


# The review queue ------------------------------------------------------------------------
@dataclass(frozen=True)
class QueuedPair:
    pair: PairView
    joins: int  # records the decision would join or separate
    value: float  # the expected value of deciding it (see `expected_value`)


def expected_value(probability: float, joins: int) -> float:
    """What deciding a pair is worth: min(p, 1 − p) × (1 + ln n).

    min(p, 1 − p) is the chance that the automatic outcome (joined from 0.5, apart below) is
    wrong; n is the number of records the decision joins or separates — the two records'
    clusters together, or their one cluster if they are joined already — so a mistake that
    merges or splits a large entity weighs more, though less than proportionally.
    """
    return min(probability, 1 - probability) * (1 + math.log(joins))


def _joins(pair: PairView, home: Mapping[str, Cluster]) -> int:
    """`home`: each clustered record's cluster."""
    left, right = home.get(pair.left_id), home.get(pair.right_id)
    if left is not None and left is right:
        return len(left.members)
    return (len(left.members) if left else 1) + (len(right.members) if right else 1)


def queue(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    schema: str,
    limit: int,
    now: datetime,
    clusters: Sequence[Cluster] | None = None,
) -> list[QueuedPair]:
    """The latest run's proposed (not yet judged) pairs, the decision worth most first
    (`expected_value`); under four eyes, not those waiting for a second analyst on the
    principal's own verdict. `clusters`: the agency's clusters, if the caller has them."""
    if limit < 1:
        raise Invalid(N_("the queue's length is at least 1"))
    proposed = service.pairs(
        session, principal=principal, context=context, schema=schema, status="proposed", now=now
    )
    if clusters is None:
        clusters = service.clusters_of(
            session, principal=principal, context=context, schema=schema, now=now
        )
    home = {record: cluster for cluster in clusters for record in cluster.members}
    queued = []
    for pair in proposed:
        if pair.pending_by == principal.username:
            continue  # the principal cannot second their own verdict
        assert pair.probability is not None  # a proposal comes from the run, with its score
        joins = _joins(pair, home)
        queued.append(QueuedPair(pair, joins, expected_value(pair.probability, joins)))
    queued.sort(key=lambda q: (-q.value, q.pair.left_id, q.pair.right_id))
    return queued[:limit]


# Two records side by side ------------------------------------------------------------------
@dataclass(frozen=True)
class Comparison:
    left: RecordOut | HitOut
    right: RecordOut | HitOut
    probability: float | None  # None: not proposed by the latest run
    match_weight: float | None
    weights: dict[str, float] | None  # per field; None unless proposed and both seen in full
    judgement: LinkJudgement | None  # the agency's, if it has decided
    waiting: bool  # the judgement waits for a second analyst's (four eyes)


def comparison(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    schema: str,
    left_id: str,
    right_id: str,
    now: datetime,
) -> Comparison:
    """Both records as the principal may see them (each read is a consultation: audited, and
    a disclosure or a hit told to the owner as `read_record` does), the latest run's score
    of the pair and the agency's judgement. A record the principal may not know of: 404."""
    linkage = service.latest_run(session, principal, schema)  # linkers only, before any read
    left_id, right_id = sorted((left_id, right_id))
    left, right = (
        read_record(session, principal=principal, context=context, record_id=rid, now=now)
        for rid in (left_id, right_id)
    )
    proposed = session.scalars(
        select(LinkPair).where(
            LinkPair.run_id == linkage.id,
            LinkPair.left_id == left_id,
            LinkPair.right_id == right_id,
        )
    ).first()
    seen_in_full = isinstance(left, RecordOut) and isinstance(right, RecordOut)
    judgement = session.get(LinkJudgement, (principal.agency_id, left_id, right_id))
    return Comparison(
        left=left,
        right=right,
        probability=proposed.probability if proposed else None,
        match_weight=proposed.match_weight if proposed else None,
        # A hit's weights would tell what it holds (that its date of birth agrees…).
        weights=proposed.weights if proposed and seen_in_full else None,
        judgement=judgement,
        waiting=judgement is not None and not service.counts(session, judgement),
    )


# The entity a cluster makes ----------------------------------------------------------------
@dataclass(frozen=True)
class Fact:
    value: str
    sources: list[str]  # the records (seen in full) that hold it


@dataclass(frozen=True)
class Dossier:
    cluster: Cluster
    members: list[RecordOut | HitOut]  # in the cluster's order
    summary: dict[str, list[Fact]]  # facet → values, only from members seen in full

    @property
    def hits(self) -> list[HitOut]:
        return [m for m in self.members if isinstance(m, HitOut)]


FACETS = (N_("Names"), N_("Birth dates"), N_("Nationalities"), N_("Documents"))


def _facet(schema_name: str, prop_name: str) -> str | None:
    schema = model.get(schema_name)
    prop = schema.get(prop_name) if schema else None
    if prop is None:
        return None
    if prop.type.name == "name":
        return "Names"
    if prop_name == "birthDate":
        return "Birth dates"
    if prop_name in ("nationality", "citizenship"):
        return "Nationalities"
    if prop.type.name == "identifier":
        return "Documents"
    return None


def summary(records: Iterable[RecordOut]) -> dict[str, list[Fact]]:
    """Names, birth dates, nationalities and documents of the records, each value with the
    records that hold it; the most widely held first."""
    held: dict[str, dict[str, list[str]]] = {facet: {} for facet in FACETS}
    for record in records:
        for prop, values in record.properties.items():
            facet = _facet(record.schema_, prop)
            if facet is None:
                continue
            for value in values:
                sources = held[facet].setdefault(value, [])
                if record.id not in sources:
                    sources.append(record.id)
    return {
        facet: sorted(
            (Fact(value, sources) for value, sources in values.items()),
            key=lambda f: (-len(f.sources), f.value),
        )
        for facet, values in held.items()
    }


def dossier(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    cluster_id: str,
    schema: str,
    now: datetime,
) -> Dossier:
    """The entity of the agency's cluster `cluster_id`: each member under its own envelope,
    or as a hit only; a summary merged from the members seen in full (never from hits); the
    cluster's conflicts."""
    found = service.clusters_of(
        session, principal=principal, context=context, schema=schema, now=now
    )
    cluster = next((c for c in found if c.id == cluster_id), None)
    if cluster is None:
        raise NotFound(N_("no entity %(cluster_id)s"), cluster_id=cluster_id)
    members = [
        read_record(session, principal=principal, context=context, record_id=rid, now=now)
        for rid in cluster.members
    ]
    return Dossier(
        cluster=cluster,
        members=members,
        summary=summary(m for m in members if isinstance(m, RecordOut)),
    )
