"""Entity resolution for an agency: runs over the records its policy lets it see, the pairs
they propose, analysts' judgements (kept across runs, above any score) and the clusters
they make.

Linking never copies data across envelopes: a run stores record ids, probabilities and
weights; what a record says is read, when shown, under that record's own policy. A pair
with a record the viewer may see only as a hit shows no per-field weights (they would tell
what the record holds).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.background import Progress, unobserved
from palermo.db import insert_dicts
from palermo.errors import Forbidden, Invalid, NotFound
from palermo.identity import repository as directory
from palermo.identity.principal import Principal
from palermo.identity.roles import Role
from palermo.linkage import clusters, engine, features
from palermo.linkage.engine import Backend
from palermo.models.base import table_of
from palermo.models.identity import Agency
from palermo.models.linkage import LinkJudgement, LinkPair, LinkRun
from palermo.models.records import Record
from palermo.policy.records import AccessContext, visibility
from palermo.records import repository
from palermo.screening.entries import screenable
from palermo.translatable import N_

LINKERS = (Role.analyst, Role.supervisor)
VERDICTS = ("confirmed", "rejected", "unsure")
# Pairs this likely join a cluster without a judgement; below, an analyst confirms them.
CLUSTER_PROBABILITY = 0.95
STATUSES = ("proposed", *VERDICTS)


def may_link(principal: Principal) -> None:
    if principal.private_partner or not (principal.is_operator or principal.has_role(*LINKERS)):
        raise Forbidden(N_("entity resolution is done by analysts and supervisors"))
    if principal.agency_id is None:
        raise Forbidden(N_("a linkage run belongs to an agency: act as one of its analysts"))


def submit(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    schema: str,
    scope: Sequence[str] | None,
    backend: Backend,
    threshold: float,
    now: datetime,
) -> LinkRun:
    """A queued run: what to link, for whom and why (checked now, run by `execute`)."""
    may_link(principal)
    if not 0 < threshold < 1:
        raise Invalid(N_("the threshold is a match probability between 0 and 1"))
    if not screenable(schema):
        raise Invalid(
            N_("cannot link %(schema)s records: link Person, Organization, Company…"),
            schema=repr(schema),
        )
    directory.scope_agencies(session, scope)  # refuses unknown agencies now, not later
    assert principal.agency_id is not None
    linkage = LinkRun(
        agency_id=principal.agency_id,
        username=principal.username,
        schema=schema,
        scope=sorted(scope) if scope else None,
        backend=backend.value,
        threshold=threshold,
        purpose=context.purpose.value,
        justification=context.justification,
        status="queued",
        created_at=now,
    )
    session.add(linkage)
    session.flush()
    return linkage


def execute(
    session: Session,
    *,
    linkage: LinkRun,
    principal: Principal,
    now: datetime,
    progress: Progress = unobserved,
) -> LinkRun:
    """Link the run's records that the principal may see (of its scope agencies only, if
    given) and keep the proposed pairs at or above its threshold."""
    progress("reading", 0, 3)
    context = AccessContext.of(linkage.purpose, linkage.justification)
    seen = features.visible_records(
        session,
        principal,
        context,
        schema=linkage.schema,
        owners=directory.scope_agencies(session, linkage.scope),
        now=now,
    )
    codes = repository.agency_codes(session, {s.owner_agency_id for s in seen})
    rows = list(features.rows(session, seen, codes))
    progress("linking", 1, 3)
    result = engine.link(rows, backend=Backend(linkage.backend), threshold=linkage.threshold)
    progress("storing", 2, 3)
    linkage.status, linkage.finished_at = "done", now
    linkage.records, linkage.pairs = len(rows), len(result.pairs)
    linkage.model, linkage.frequencies = result.model, result.frequencies
    store_pairs(session, linkage, result.pairs)
    audit(
        session,
        action="link.run",
        operation=Operation.combination,
        principal=principal,
        purpose=context.purpose,
        justification=context.justification,
        object_ids=[linkage.id],
        detail={
            "schema": linkage.schema,
            "scope": linkage.scope,
            "backend": linkage.backend,
            "records": linkage.records,
            "pairs": linkage.pairs,
        },
    )
    return linkage


def run(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    schema: str,
    scope: Sequence[str] | None,
    backend: Backend,
    threshold: float,
    now: datetime,
) -> LinkRun:
    """Submit and execute at once (the command line waits for its run)."""
    linkage = submit(
        session,
        principal=principal,
        context=context,
        schema=schema,
        scope=scope,
        backend=backend,
        threshold=threshold,
        now=now,
    )
    return execute(session, linkage=linkage, principal=principal, now=now)


def store_pairs(session: Session, linkage: LinkRun, found: Sequence[engine.Pair]) -> None:
    insert_dicts(
        session,
        table_of(LinkPair),
        [
            {
                "run_id": linkage.id,
                "left_id": p.left_id,
                "right_id": p.right_id,
                "probability": p.probability,
                "match_weight": p.match_weight,
                "weights": p.weights,
            }
            for p in found
        ],
    )


def latest_run(session: Session, principal: Principal, schema: str) -> LinkRun:
    may_link(principal)
    found = session.scalars(
        select(LinkRun)
        .where(
            LinkRun.agency_id == principal.agency_id,
            LinkRun.schema == schema,
            LinkRun.status == "done",
        )
        .order_by(LinkRun.created_at.desc())
        .limit(1)
    ).first()
    if found is None:
        raise NotFound(
            N_("your agency has no linkage run of %(schema)s records yet"), schema=schema
        )
    return found


# Reading pairs, under today's policy ----------------------------------------------------
@dataclass(frozen=True)
class PairView:
    left_id: str
    right_id: str
    probability: float | None  # None: judged, not proposed by the latest run
    match_weight: float | None
    weights: dict[str, float] | None  # None where a side is a hit only for the viewer
    status: str
    hit_only: bool
    pending: str | None = None  # a verdict waiting for a second analyst (four eyes)…
    pending_by: str | None = None  # …and who gave it (they cannot second it themselves)


def access_of(
    session: Session, principal: Principal, context: AccessContext, ids: set[str], now: datetime
) -> dict[str, bool]:
    """Record id → full access (True) or hit only (False); records not known are absent."""
    rules = visibility(principal, context.purpose, now=now)
    found: dict[str, bool] = {}
    wanted = sorted(ids)
    for start in range(0, len(wanted), 500):
        rows = session.execute(
            select(Record.id, rules.full).where(
                Record.id.in_(wanted[start : start + 500]), rules.any
            )
        )
        found.update((rid, bool(full)) for rid, full in rows)
    return found


def _judgements(session: Session, principal: Principal) -> dict[tuple[str, str], LinkJudgement]:
    found = session.scalars(
        select(LinkJudgement).where(LinkJudgement.agency_id == principal.agency_id)
    )
    return {(j.left_id, j.right_id): j for j in found}


def counts(session: Session, judgement: LinkJudgement) -> bool:
    """Whether a judgement counts: always, or under four eyes once seconded."""
    agency = session.get(Agency, judgement.agency_id)
    return agency is None or not agency.link_four_eyes or judgement.seconded_by is not None


def _split(
    session: Session, principal: Principal
) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], LinkJudgement]]:
    """(the verdicts that count, the judgements waiting for a second analyst)."""
    counting: dict[tuple[str, str], str] = {}
    waiting: dict[tuple[str, str], LinkJudgement] = {}
    for key, j in _judgements(session, principal).items():
        if counts(session, j):
            counting[key] = j.verdict
        else:
            waiting[key] = j
    return counting, waiting


def _verdicts(session: Session, principal: Principal) -> dict[tuple[str, str], str]:
    return _split(session, principal)[0]


def pairs(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    schema: str,
    status: str | None,
    now: datetime,
) -> list[PairView]:
    """The latest run's proposals and the agency's judgements, best first."""
    if status is not None and status not in STATUSES:
        raise Invalid(
            N_("unknown status %(status)s; statuses: %(statuses)s"),
            status=repr(status),
            statuses=", ".join(STATUSES),
        )
    linkage = latest_run(session, principal, schema)
    verdicts, waiting = _split(session, principal)
    proposed = {
        (p.left_id, p.right_id): p
        for p in session.scalars(select(LinkPair).where(LinkPair.run_id == linkage.id))
    }
    keys = set(proposed) | set(verdicts) | set(waiting)
    access = access_of(session, principal, context, {r for k in keys for r in k}, now)
    views = []
    for key in keys:
        if key[0] not in access or key[1] not in access:
            continue  # a record the viewer may no longer know of
        found, verdict = proposed.get(key), verdicts.get(key, "proposed")
        if status is not None and verdict != status:
            continue
        hit_only = not (access[key[0]] and access[key[1]])
        views.append(
            PairView(
                left_id=key[0],
                right_id=key[1],
                probability=found.probability if found else None,
                match_weight=found.match_weight if found else None,
                weights=None if hit_only or found is None else found.weights,
                status=verdict,
                hit_only=hit_only,
                pending=waiting[key].verdict if key in waiting else None,
                pending_by=waiting[key].username if key in waiting else None,
            )
        )
    views.sort(key=lambda v: (-(v.probability or 0.0), v.left_id, v.right_id))
    audit(
        session,
        action="link.pairs",
        operation=Operation.consultation,
        principal=principal,
        purpose=context.purpose,
        justification=context.justification,
        object_ids=[linkage.id],
        detail={"status": status, "pairs": len(views)},
    )
    return views


def judge(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    left_id: str,
    right_id: str,
    verdict: str,
    note: str | None,
    now: datetime,
) -> LinkJudgement:
    """Record the agency's decision on a pair (a combination of two records: audited)."""
    may_link(principal)
    if verdict not in VERDICTS:
        raise Invalid(
            N_("a judgement is one of %(verdicts)s, not %(verdict)s"),
            verdicts=", ".join(VERDICTS),
            verdict=repr(verdict),
        )
    left, right = sorted((left_id, right_id))
    if left == right:
        raise Invalid(N_("a record is not judged against itself"))
    access = access_of(session, principal, context, {left, right}, now)
    for rid in (left, right):
        if rid not in access:
            raise NotFound(N_("no record %(rid)s"), rid=rid)
    assert principal.agency_id is not None
    agency = session.get(Agency, principal.agency_id)
    assert agency is not None
    judgement = session.get(LinkJudgement, (principal.agency_id, left, right))
    if judgement is None:
        judgement = LinkJudgement(agency_id=principal.agency_id, left_id=left, right_id=right)
        session.add(judgement)
    seconds = (
        agency.link_four_eyes
        and judgement.verdict == verdict
        and judgement.username not in (None, principal.username)
        and judgement.seconded_by is None
    )
    if seconds:  # a second analyst agrees: the judgement now counts
        judgement.seconded_by, judgement.seconded_at = principal.username, now
    else:  # a (new) first decision; under four eyes it waits for a second analyst
        judgement.verdict, judgement.username, judgement.at = verdict, principal.username, now
        judgement.note = (note or "").strip() or None
        judgement.seconded_by = judgement.seconded_at = None
    audit(
        session,
        action="link.judge",
        operation=Operation.combination,
        principal=principal,
        purpose=context.purpose,
        justification=context.justification,
        object_ids=[left, right],
        detail={"verdict": verdict},
    )
    return judgement


def clusters_of(
    session: Session,
    *,
    principal: Principal,
    context: AccessContext,
    schema: str,
    threshold: float = CLUSTER_PROBABILITY,
    now: datetime,
) -> list[clusters.Cluster]:
    """The agency's clusters: the latest run's pairs from `threshold` on and the judgements,
    over the records the principal may still know of."""
    linkage = latest_run(session, principal, schema)
    verdicts = _verdicts(session, principal)
    rows = session.execute(
        select(LinkPair.left_id, LinkPair.right_id, LinkPair.probability).where(
            LinkPair.run_id == linkage.id
        )
    ).all()
    ids = {r for row in rows for r in row[:2]} | {r for k in verdicts for r in k}
    access = access_of(session, principal, context, ids, now)
    found = clusters.form(
        ((a, b, p) for a, b, p in rows if a in access and b in access),
        {k: v for k, v in verdicts.items() if k[0] in access and k[1] in access},
        threshold,
    )
    audit(
        session,
        action="link.clusters",
        operation=Operation.combination,
        principal=principal,
        purpose=context.purpose,
        justification=context.justification,
        object_ids=[linkage.id],
        detail={"clusters": len(found), "conflicts": sum(bool(c.conflicts) for c in found)},
    )
    return found
