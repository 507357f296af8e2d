"""Evidence routes of a case (/api/cases/{case_id}/evidence…): items, their content and
custody log, checks, signed hand-overs and receipts, and the court's evidence package.

Files are uploaded as JSON, base64 in `content_base64` (as message attachments are), within
the node's request size limit; the content comes back as a plain download."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Annotated

from fastapi import Query, status
from fastapi.responses import Response

from palermo.cases import evidence, handovers, package
from palermo.cases.evidence_schemas import (
    EvidenceDetail,
    EvidenceIn,
    EvidenceOut,
    ExportIn,
    HandoverIn,
    HandoverOut,
    ReceiptIn,
    SignedHandoverIn,
    VerificationOut,
)
from palermo.deps import OffsetQuery, PrincipalDep, SessionDep
from palermo.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from palermo.exchange.deps import KeyringDep
from palermo.http import download_response, file_responses
from palermo.models.base import utcnow
from palermo.policy import cases as policy
from palermo.routing import APIRouter

evidence_router = APIRouter(prefix="/api/cases", tags=["cases"])
COMMON = error_responses(Unauthorized, Invalid, Forbidden, NotFound, Conflict)
CREATED = status.HTTP_201_CREATED


@evidence_router.post(
    "/{case_id}/evidence/export",
    response_class=Response,
    responses={**COMMON, 200: {"content": {"application/zip": {}}}},
)
def export_evidence(
    case_id: uuid.UUID,
    body: ExportIn,
    session: SessionDep,
    principal: PrincipalDep,
    keyring: KeyringDep,
) -> Response:
    """A ZIP for a court: the items' files, manifest, custody logs, signed hand-overs and the
    offline verifier, signed by your agency (`python verify.py PACKAGE.zip`). Refused for
    items whose integrity check failed and for others' items under H1 and above."""
    now = utcnow()
    case = policy.case_for(session, principal, case_id)
    data = package.export(
        session,
        principal=principal,
        sealer=keyring.sealer,
        case=case,
        item_ids=body.items,
        now=now,
    )
    return download_response(data, package.file_name(case, now), "application/zip")


@evidence_router.post(
    "/{case_id}/evidence/handovers/{handover_id}/receipt",
    response_model=HandoverOut,
    responses=COMMON,
)
def receive_handover(
    case_id: uuid.UUID,
    handover_id: uuid.UUID,
    body: ReceiptIn,
    session: SessionDep,
    principal: PrincipalDep,
    keyring: KeyringDep,
) -> HandoverOut:
    """Your agency receives an item handed over to it: the releasing agency's signature is
    checked (refused with the reason if it does not verify), your agency countersigns a
    receipt and holds the item."""
    case = policy.case_for(session, principal, case_id)
    handover = handovers.handover_for(session, case, handover_id)
    handovers.receive(
        session,
        principal=principal,
        sealer=keyring.sealer,
        handover=handover,
        now=utcnow(),
        place=body.place,
        note=body.note,
    )
    return evidence.handover_view(session, handover)


@evidence_router.post(
    "/{case_id}/evidence", response_model=EvidenceOut, status_code=CREATED, responses=COMMON
)
def add_evidence(
    case_id: uuid.UUID, body: EvidenceIn, session: SessionDep, principal: PrincipalDep
) -> EvidenceOut:
    """Add an item your agency collected: a file (JSON, base64 in `content_base64`), stored
    once by its SHA-256, or a physical object, described. Your agency holds it."""
    case = policy.case_for(session, principal, case_id)
    content = None
    if body.content_base64 is not None:
        try:
            content = base64.b64decode(body.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise Invalid("content_base64 is not valid base64") from None
    item = evidence.add_item(
        session,
        principal=principal,
        case=case,
        kind=body.kind,
        title=body.title,
        description=body.description,
        handling=body.handling.value,
        collected_at=body.collected_at,
        collected_place=body.collected_place,
        content=content,
        file_name=body.file_name,
        media_type=body.media_type,
        now=utcnow(),
    )
    return evidence.summaries(session, [item])[0]


@evidence_router.get("/{case_id}/evidence", response_model=list[EvidenceOut], responses=COMMON)
def list_evidence(
    case_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    offset: OffsetQuery = 0,
    limit: Annotated[int, Query(ge=1, le=evidence.PAGE)] = evidence.PAGE,
) -> list[EvidenceOut]:
    """The case's evidence items by number, a page at a time."""
    case = policy.case_for(session, principal, case_id)
    return evidence.summaries(session, evidence.items(session, case, offset=offset, limit=limit))


@evidence_router.get(
    "/{case_id}/evidence/{item_id}", response_model=EvidenceDetail, responses=COMMON
)
def read_evidence(
    case_id: uuid.UUID, item_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> EvidenceDetail:
    """The item, its custody log (with the state of its hash chain) and hand-overs; its
    bytes are checked against the recorded digest on the way (`intact`)."""
    case = policy.case_for(session, principal, case_id)
    found = evidence.read_item(
        session, principal=principal, case=case, item_id=item_id, now=utcnow()
    )
    return evidence.detail(session, found)


@evidence_router.get(
    "/{case_id}/evidence/{item_id}/content",
    response_class=Response,
    responses=COMMON | file_responses("*/*"),
)
def evidence_content(
    case_id: uuid.UUID, item_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Response:
    """The item's file, after checking its bytes against the recorded digest; a mismatch
    is refused (409) naming both digests, and flagged for good."""
    case = policy.case_for(session, principal, case_id)
    item, data = evidence.content(
        session, principal=principal, case=case, item_id=item_id, now=utcnow()
    )
    return download_response(
        data, item.file_name or item.reference, item.media_type or "application/octet-stream"
    )


@evidence_router.post(
    "/{case_id}/evidence/{item_id}/verify", response_model=VerificationOut, responses=COMMON
)
def verify_evidence(
    case_id: uuid.UUID, item_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> VerificationOut:
    """Check the item's bytes and custody chain now; the check is logged in its custody."""
    case = policy.case_for(session, principal, case_id)
    found = evidence.verify(session, principal=principal, case=case, item_id=item_id, now=utcnow())
    return evidence.verification_out(found)


@evidence_router.post(
    "/{case_id}/evidence/{item_id}/handovers",
    response_model=HandoverOut,
    status_code=CREATED,
    responses=COMMON,
)
def hand_over_evidence(
    case_id: uuid.UUID,
    item_id: uuid.UUID,
    body: HandoverIn,
    session: SessionDep,
    principal: PrincipalDep,
    keyring: KeyringDep,
) -> HandoverOut:
    """Your agency, holding the item, hands it over to another contributing member with a
    statement it signs (Ed25519); the recipient holds it once it has received it."""
    case = policy.case_for(session, principal, case_id)
    item = evidence.item_for(session, case, item_id)
    handover = handovers.hand_over(
        session,
        principal=principal,
        sealer=keyring.sealer,
        item=item,
        to_agency_code=body.to,
        place=body.place,
        note=body.note,
        now=utcnow(),
    )
    return evidence.handover_view(session, handover)


@evidence_router.post(
    "/{case_id}/evidence/{item_id}/signed-handovers",
    response_model=HandoverOut,
    status_code=CREATED,
    responses=COMMON,
)
def receive_signed_handover(
    case_id: uuid.UUID,
    item_id: uuid.UUID,
    body: SignedHandoverIn,
    session: SessionDep,
    principal: PrincipalDep,
    keyring: KeyringDep,
) -> HandoverOut:
    """Receive the item on a hand-over statement signed elsewhere (by a peer node's agency
    whose keys this node knows); refused without a valid signature."""
    case = policy.case_for(session, principal, case_id)
    item = evidence.item_for(session, case, item_id)
    handover = handovers.receive_signed(
        session,
        principal=principal,
        sealer=keyring.sealer,
        item=item,
        statement=body.statement,
        kid=body.kid,
        signature_b64=body.signature,
        now=utcnow(),
        place=body.place,
        note=body.note,
    )
    return evidence.handover_view(session, handover)
