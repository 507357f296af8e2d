"""Records routes: collect, consult, search, alter, erase, history, import/export, grants."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Annotated

from fastapi import Query, UploadFile, status
from fastapi.responses import StreamingResponse

from palermo.deps import ContextDep, OffsetQuery, PrincipalDep, SessionDep, SettingsDep
from palermo.errors import Forbidden, Invalid, NotFound, Unauthorized, error_responses
from palermo.http import file_responses
from palermo.models.base import utcnow
from palermo.records import grants, service, transfer
from palermo.records.retention import review_record
from palermo.records.schemas import (
    GrantIn,
    GrantOut,
    HitOut,
    RecordIn,
    RecordOut,
    RecordUpdate,
    ReviewIn,
    SearchOut,
    VersionOut,
    envelope_of,
)
from palermo.routing import APIRouter

router = APIRouter(prefix="/api", tags=["records"])
COMMON = error_responses(Unauthorized, Invalid, NotFound)


@router.post(
    "/records",
    response_model=RecordOut,
    status_code=status.HTTP_201_CREATED,
    responses=COMMON | error_responses(Forbidden),
)
def create_record(
    body: RecordIn,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    agency: str | None = None,
) -> RecordOut:
    """Collect a record for the caller's agency, its envelope set in the same transaction."""
    now = utcnow()
    record = service.create_record(
        session,
        principal=principal,
        settings=settings,
        entity=body.entity.as_ftm(),
        envelope=body.envelope,
        owner_code=agency,
        now=now,
    )
    return service.full_views(session, [record.id])[record.id]


@router.get("/records", response_model=SearchOut, responses=COMMON)
def search_records(
    session: SessionDep,
    principal: PrincipalDep,
    context: ContextDep,
    q: Annotated[str | None, Query(max_length=200, description="name or part of one")] = None,
    schema: Annotated[str | None, Query(max_length=64)] = None,
    prop: Annotated[str | None, Query(max_length=64, description="property to match")] = None,
    value: Annotated[str | None, Query(max_length=500)] = None,
    owner: Annotated[str | None, Query(max_length=32, description="owner agency code")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: OffsetQuery = 0,
) -> SearchOut:
    """Search records by name and/or property. Hit-only results carry reference and owner."""
    result = service.search_records(
        session,
        principal=principal,
        context=context,
        text=q,
        prop=prop,
        value=value,
        schema=schema,
        owner=owner,
        limit=limit,
        offset=offset,
        now=utcnow(),
    )
    return SearchOut(total=result.total, items=result.items)


@router.get(
    "/records/export",
    response_class=StreamingResponse,
    responses=COMMON | file_responses("application/x-ndjson"),
)
def export_records(
    session: SessionDep,
    principal: PrincipalDep,
    context: ContextDep,
    schema: str | None = None,
) -> StreamingResponse:
    """Export, as FtM JSON lines, every record the caller may fully see."""
    lines = [
        json.dumps(entity, ensure_ascii=False) + "\n"
        for entity in transfer.export_ftm(
            session, principal=principal, context=context, schema=schema, now=utcnow()
        )
    ]

    def body() -> Iterator[str]:
        yield from lines

    return StreamingResponse(body(), media_type="application/x-ndjson")


@router.get("/records/{record_id}", response_model=RecordOut | HitOut, responses=COMMON)
def read_record(
    record_id: str, session: SessionDep, principal: PrincipalDep, context: ContextDep
) -> RecordOut | HitOut:
    """One record: in full, as a hit-only reference, or 404 if the caller may not know it."""
    return service.read_record(
        session, principal=principal, context=context, record_id=record_id, now=utcnow()
    )


@router.patch(
    "/records/{record_id}", response_model=RecordOut, responses=COMMON | error_responses(Forbidden)
)
def update_record(
    record_id: str,
    body: RecordUpdate,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> RecordOut:
    """Alter a record (new version). Restrictions never loosen unless `widen` is set by a
    supervisor of the owner agency."""
    service.update_record(
        session,
        principal=principal,
        settings=settings,
        record_id=record_id,
        properties=body.properties,
        envelope=body.envelope,
        widen=body.widen,
        now=utcnow(),
    )
    return service.full_views(session, [record_id])[record_id]


@router.delete(
    "/records/{record_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=COMMON | error_responses(Forbidden),
)
def erase_record(
    record_id: str,
    session: SessionDep,
    principal: PrincipalDep,
    reason: Annotated[str, Query(min_length=3, max_length=500)],
) -> None:
    """Erase a record's content (owner's supervisor); recipients are told to erase copies."""
    service.erase_record(
        session, principal=principal, record_id=record_id, reason=reason, now=utcnow()
    )


@router.get(
    "/records/{record_id}/history",
    response_model=list[VersionOut],
    responses=COMMON | error_responses(Forbidden),
)
def record_history(
    record_id: str, session: SessionDep, principal: PrincipalDep, context: ContextDep
) -> list[VersionOut]:
    """Every version of a record, with what each changed (owner agency only)."""
    return service.record_history(
        session, principal=principal, context=context, record_id=record_id, now=utcnow()
    )


@router.post(
    "/records/{record_id}/review",
    response_model=RecordOut | None,
    responses=COMMON | error_responses(Forbidden),
)
def review(
    record_id: str,
    body: ReviewIn,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> RecordOut | None:
    """Record a review decision: retain until a new date (with reasons) or erase (then the
    answer is null)."""
    record = review_record(
        session,
        principal=principal,
        record_id=record_id,
        decision=body.decision,
        reason=body.reason,
        review_due=body.review_due,
        delete_by=body.delete_by,
        settings=settings,
        now=utcnow(),
    )
    return service.full_views(session, [record.id]).get(record.id)


@router.post("/records/import", responses=COMMON | error_responses(Forbidden))
async def import_records(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    file: UploadFile,
    envelope: Annotated[str, Query(description="the EnvelopeIn for every entity, as JSON")],
    agency: str | None = None,
) -> dict[str, int]:
    """Import FtM JSON lines, all or nothing; errors name each bad line. (Large files: as a
    job, `POST /api/imports/records`.)"""
    envelope_in = envelope_of(envelope)
    lines = transfer.lines_of(await file.read())
    report = transfer.import_ftm(
        session,
        principal=principal,
        settings=settings,
        lines=lambda: lines,
        envelope=envelope_in,
        owner_code=agency,
        origin=f"import:{file.filename or 'upload'}"[:100],
        now=utcnow(),
    )
    return {
        "lines": report.lines,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
    }


@router.get("/grants", response_model=list[GrantOut], responses=COMMON)
def list_grants(session: SessionDep, principal: PrincipalDep) -> list[GrantOut]:
    """Grants the caller's agency gave or received."""
    return [grants.grant_out(g) for g in grants.grants_of(session, principal)]


@router.post(
    "/grants",
    response_model=GrantOut,
    status_code=status.HTTP_201_CREATED,
    responses=COMMON | error_responses(Forbidden),
)
def create_grant(body: GrantIn, session: SessionDep, principal: PrincipalDep) -> GrantOut:
    """Grant another agency access to this agency's records (agency administrators)."""
    grant = grants.grant_access(
        session,
        principal=principal,
        grantee=body.grantee,
        level=body.level,
        reason=body.reason,
        schema=body.schema_,
        purpose=body.purpose,
        record_id=body.record_id,
        expires_at=body.expires_at,
        now=utcnow(),
    )
    return grants.grant_out(grants.grant_by_id(session, grant.id))


@router.delete("/grants/{grant_id}", response_model=GrantOut, responses=COMMON)
def revoke_grant(grant_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> GrantOut:
    """Revoke a grant; it stops working on the next request."""
    grant = grants.revoke_grant(session, principal=principal, grant_id=grant_id, now=utcnow())
    return grants.grant_out(grants.grant_by_id(session, grant.id))
