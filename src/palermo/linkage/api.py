"""Linkage routes: runs as background jobs, proposed pairs, judgements, clusters, and
linking new records against the latest run (/api/link/…)."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Annotated

from fastapi import BackgroundTasks, Query, Request, status

from palermo.deps import ContextDep, PrincipalDep, SessionDep
from palermo.errors import Forbidden, Invalid, NotFound, Unauthorized, error_responses
from palermo.linkage import incremental, jobs, service
from palermo.linkage.schemas import (
    ClusterOut,
    JudgementIn,
    LinkedOut,
    PairOut,
    RecordsIn,
    RunIn,
    RunOut,
)
from palermo.models.base import utcnow
from palermo.policy.records import AccessContext
from palermo.routing import APIRouter

router = APIRouter(prefix="/api/link", tags=["linkage"])
COMMON = error_responses(Unauthorized, Invalid, Forbidden, NotFound)
SchemaQuery = Annotated[str, Query(alias="schema", max_length=64)]


def _run_out(linkage: object) -> RunOut:
    return RunOut.model_validate(linkage, from_attributes=True)


@router.post("/runs", response_model=RunOut, status_code=status.HTTP_202_ACCEPTED, responses=COMMON)
def submit_run(
    body: RunIn,
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    principal: PrincipalDep,
) -> RunOut:
    """Queue a linkage run over the records you may see; poll it at /api/link/runs/{id}."""
    linkage = service.submit(
        session,
        principal=principal,
        context=AccessContext.of(body.purpose, body.justification),
        schema=body.schema_,
        scope=body.scope,
        backend=body.backend,
        threshold=body.threshold,
        now=utcnow(),
    )
    # The run row is committed with this request; the linking runs after the response.
    background.add_task(jobs.execute, request.app.state.session_factory, linkage.id)
    return _run_out(linkage)


@router.get("/runs/{run_id}", response_model=RunOut, responses=COMMON)
def read_run(run_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> RunOut:
    return _run_out(jobs.run_for(session, principal, run_id))


@router.get("/pairs", response_model=list[PairOut], responses=COMMON)
def list_pairs(
    session: SessionDep,
    principal: PrincipalDep,
    context: ContextDep,
    schema: SchemaQuery = "Person",
    pair_status: Annotated[str | None, Query(alias="status")] = None,
) -> list[PairOut]:
    """The latest run's pairs and your agency's judgements, best first."""
    found = service.pairs(
        session,
        principal=principal,
        context=context,
        schema=schema,
        status=pair_status,
        now=utcnow(),
    )
    return [PairOut(**asdict(p)) for p in found]


@router.post("/judgements", response_model=PairOut, responses=COMMON)
def judge(
    body: JudgementIn, session: SessionDep, principal: PrincipalDep, context: ContextDep
) -> PairOut:
    """Confirm, reject or mark unsure a pair; kept across runs, above any score."""
    judgement = service.judge(
        session,
        principal=principal,
        context=context,
        left_id=body.left_id,
        right_id=body.right_id,
        verdict=body.verdict,
        note=body.note,
        now=utcnow(),
    )
    return PairOut(
        left_id=judgement.left_id,
        right_id=judgement.right_id,
        probability=None,
        match_weight=None,
        weights=None,
        status=judgement.verdict,
        hit_only=False,
    )


@router.get("/clusters", response_model=list[ClusterOut], responses=COMMON)
def list_clusters(
    session: SessionDep,
    principal: PrincipalDep,
    context: ContextDep,
    schema: SchemaQuery = "Person",
    threshold: Annotated[float, Query(gt=0, lt=1)] = service.CLUSTER_PROBABILITY,
) -> list[ClusterOut]:
    found = service.clusters_of(
        session,
        principal=principal,
        context=context,
        schema=schema,
        threshold=threshold,
        now=utcnow(),
    )
    return [ClusterOut(**asdict(c)) for c in found]


@router.post("/records", response_model=list[LinkedOut], responses=COMMON)
def link_records(body: RecordsIn, session: SessionDep, principal: PrincipalDep) -> list[LinkedOut]:
    """Link new records against your agency's latest run, without running again."""
    found = incremental.link_records(
        session,
        principal=principal,
        context=AccessContext.of(body.purpose, body.justification),
        record_ids=body.record_ids,
        schema=body.schema_,
        now=utcnow(),
    )
    return [
        LinkedOut(
            record_id=linked.record_id,
            pairs=[PairOut(**asdict(p), status="proposed", hit_only=False) for p in linked.pairs],
        )
        for linked in found
    ]
