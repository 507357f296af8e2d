"""Exchange routes for agencies (/api/messages, /api/peers/hits) and for peer nodes
(/federation/*: no user, every envelope is signed by a configured peer's node key)."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import Response

from palermo.deps import PrincipalDep, SessionDep, SettingsDep
from palermo.errors import Forbidden, Invalid, NotFound, Unauthorized, error_responses
from palermo.exchange import directory, dissemination, federation, hits, messages, reading
from palermo.exchange.deps import KeyringDep, PeerClientDep
from palermo.exchange.schemas import (
    ConsentIn,
    ConsentRequestIn,
    DetailsRequestIn,
    ForwardIn,
    MessageIn,
    MessageOut,
    MessageSent,
    MessageSummary,
    PeerAnswerOut,
    PeerHitsIn,
)
from palermo.http import download_response, file_responses
from palermo.models.base import utcnow
from palermo.policy.records import AccessContext
from palermo.routing import APIRouter

router = APIRouter(prefix="/api", tags=["exchange"])
federation_router = APIRouter(prefix="/federation", tags=["federation"])
COMMON = error_responses(Unauthorized, Invalid, Forbidden, NotFound)


def _attachments(body: MessageIn) -> list[messages.Attachment]:
    files = []
    for a in body.attachments:
        try:
            content = base64.b64decode(a.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise Invalid(f"attachment {a.name!r}: content_base64 is not valid base64") from None
        files.append(messages.Attachment(a.name, a.media_type, content))
    return files


@router.post("/messages", response_model=MessageSent, status_code=201, responses=COMMON)
def send_message(
    body: MessageIn,
    session: SessionDep,
    principal: PrincipalDep,
    keyring: KeyringDep,
    settings: SettingsDep,
) -> MessageSent:
    """Seal a message for each recipient agency (HPKE), sign it as your agency (Ed25519),
    deliver it here or queue it for the recipients' nodes."""
    now = utcnow()
    draft = messages.Draft.of(
        recipients=body.recipients,
        subject=body.subject,
        body=body.body,
        payload=body.payload,
        attachments=_attachments(body),
        priority=body.priority,
        handling_code=body.handling_code,
        handling_note=body.handling_note,
        tlp=body.tlp,
        evaluation=body.evaluation,
        reply_by=body.reply_by,
        case_ref=body.case_ref,
        in_reply_to=body.in_reply_to,
        max_attachment_bytes=settings.max_attachment_bytes,
        today=now.date(),
    )
    message = messages.send(session, keyring, principal=principal, draft=draft, now=now)
    return reading.sent(session, message)


@router.get("/messages", response_model=list[MessageSummary], responses=COMMON)
def list_messages(
    session: SessionDep,
    principal: PrincipalDep,
    keyring: KeyringDep,
    folder: str = "inbox",
    q: Annotated[str | None, Query(description="words of subject, body or payload")] = None,
    priority: str | None = None,
    sender: str | None = None,
    case_ref: str | None = None,
    unread: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> list[MessageSummary]:
    return reading.listing(
        session,
        keyring,
        principal=principal,
        folder=folder,
        text=q,
        priority=priority,
        sender=sender,
        case_ref=case_ref,
        unread=unread,
        limit=limit,
        offset=offset,
    )


@router.get("/messages/{message_id}", response_model=MessageOut, responses=COMMON)
def read_message(
    message_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, keyring: KeyringDep
) -> MessageOut:
    """Open a message (receipted to the sender as 'opened')."""
    return reading.view(session, keyring, principal=principal, message_id=message_id, now=utcnow())


@router.get("/threads/{thread_id}", response_model=list[MessageOut], responses=COMMON)
def read_thread(
    thread_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, keyring: KeyringDep
) -> list[MessageOut]:
    return reading.thread(session, keyring, principal=principal, thread_id=thread_id, now=utcnow())


@router.post("/messages/{message_id}/acknowledge", status_code=204, responses=COMMON)
def acknowledge(
    message_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, keyring: KeyringDep
) -> None:
    reading.acknowledge(session, keyring, principal=principal, message_id=message_id, now=utcnow())


@router.get(
    "/messages/{message_id}/attachments/{blob}",
    response_class=Response,
    responses=COMMON | file_responses("*/*"),
)
def download(
    message_id: uuid.UUID,
    blob: str,
    session: SessionDep,
    principal: PrincipalDep,
    keyring: KeyringDep,
) -> Response:
    name, media_type, data = reading.attachment(
        session, keyring, principal=principal, message_id=message_id, blob=blob
    )
    return download_response(data, name, media_type)


@router.post(
    "/messages/{message_id}/forward", response_model=MessageSent, status_code=201, responses=COMMON
)
def forward(
    message_id: uuid.UUID,
    body: ForwardIn,
    session: SessionDep,
    principal: PrincipalDep,
    keyring: KeyringDep,
    settings: SettingsDep,
) -> MessageSent:
    """Forward under the same handling code; H2/H3, AMBER+STRICT and RED need the provider's
    recorded consent."""
    now = utcnow()
    sent = dissemination.forward(
        session,
        keyring,
        principal=principal,
        message_id=message_id,
        recipients=body.recipients,
        note=body.note,
        max_attachment_bytes=settings.max_attachment_bytes,
        now=now,
    )
    return reading.sent(session, sent)


@router.post("/messages/{message_id}/consents", status_code=201, responses=COMMON)
def grant_consent(
    message_id: uuid.UUID,
    body: ConsentIn,
    session: SessionDep,
    principal: PrincipalDep,
    keyring: KeyringDep,
) -> dict[str, str]:
    """As the provider: allow a recipient to forward it, or to use it as evidence."""
    consent = dissemination.grant_consent(
        session,
        keyring,
        principal=principal,
        message_id=message_id,
        grantee=body.agency,
        scope=body.scope,
        note=body.note,
        now=utcnow(),
    )
    return {"id": str(consent.id), "scope": consent.scope}


@router.post(
    "/messages/{message_id}/consent-requests",
    response_model=MessageSent,
    status_code=201,
    responses=COMMON,
)
def request_consent(
    message_id: uuid.UUID,
    body: ConsentRequestIn,
    session: SessionDep,
    principal: PrincipalDep,
    keyring: KeyringDep,
    settings: SettingsDep,
) -> MessageSent:
    now = utcnow()
    sent = dissemination.request_consent(
        session,
        keyring,
        principal=principal,
        message_id=message_id,
        scope=body.scope,
        reason=body.reason,
        max_attachment_bytes=settings.max_attachment_bytes,
        now=now,
    )
    return reading.sent(session, sent)


@router.get("/messages/{message_id}/evidence", responses=COMMON)
def evidence(
    message_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, keyring: KeyringDep
) -> dict[str, Any]:
    """The signed message as an evidence bundle; H1 and above need the provider's consent."""
    return dissemination.evidence(
        session, keyring, principal=principal, message_id=message_id, now=utcnow()
    )


@router.post(
    "/messages/{message_id}/approve-details",
    response_model=MessageSent,
    status_code=201,
    responses=COMMON,
)
def approve_details(
    message_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    keyring: KeyringDep,
    settings: SettingsDep,
    note: str = "",
) -> MessageSent:
    """As the owner: answer a details request with the records asked for."""
    now = utcnow()
    sent = dissemination.approve_details(
        session,
        keyring,
        principal=principal,
        message_id=message_id,
        note=note,
        max_attachment_bytes=settings.max_attachment_bytes,
        now=now,
    )
    return reading.sent(session, sent)


@router.post("/peers/hits", response_model=list[PeerAnswerOut], responses=COMMON)
def peer_hits(
    body: PeerHitsIn,
    session: SessionDep,
    principal: PrincipalDep,
    keyring: KeyringDep,
    client: PeerClientDep,
) -> list[PeerAnswerOut]:
    """Ask every peer node: hit (references and owner agencies) or no-hit."""
    context = AccessContext.of(body.purpose, body.justification)
    query = {
        "name": body.name or "",
        "schema": body.schema_,
        "birth_date": body.birth_date or "",
        "nationality": body.nationality or "",
        "gender": body.gender or "",
        "document": body.document or "",
    }
    answers = hits.ask_peers(
        session, keyring, client, principal=principal, context=context, query=query, now=utcnow()
    )
    return [
        PeerAnswerOut(node=a.node, outcome=a.outcome, references=a.references, reason=a.reason)
        for a in answers
    ]


@router.post(
    "/peers/details-requests", response_model=MessageSent, status_code=201, responses=COMMON
)
def details_request(
    body: DetailsRequestIn,
    session: SessionDep,
    principal: PrincipalDep,
    keyring: KeyringDep,
    settings: SettingsDep,
) -> MessageSent:
    """Ask a hit's owner agency for the record; it decides."""
    now = utcnow()
    sent = dissemination.request_details(
        session,
        keyring,
        principal=principal,
        reference=body.reference,
        owner_agency=body.owner_agency,
        context=AccessContext.of(body.purpose, body.justification),
        max_attachment_bytes=settings.max_attachment_bytes,
        now=now,
    )
    return reading.sent(session, sent)


# Between nodes ---------------------------------------------------------------------------
@federation_router.get("/directory")
def node_directory(session: SessionDep, keyring: KeyringDep) -> dict[str, Any]:
    """This node's agencies and their public keys, signed by the node key."""
    return directory.publish(session, keyring, utcnow())


@federation_router.post("/envelopes")
def receive_envelopes(
    body: dict[str, Any], session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """A batch of signed envelopes from a peer; each gets its own outcome."""
    batch = body.get("envelopes")
    if not isinstance(batch, list) or not batch:
        raise Invalid("send {'envelopes': [...]} with at least one envelope")
    receiving = federation.Receiving(
        local=directory.local(session),
        now=utcnow(),
        max_attachment_bytes=settings.max_attachment_bytes,
    )
    return {"results": federation.receive_batch(session, batch, receiving)}


@federation_router.post("/hits")
def answer_hits(
    envelope: dict[str, Any], session: SessionDep, keyring: KeyringDep
) -> dict[str, Any]:
    """A peer's signed hit/no-hit query, answered under this node's policy and signed."""
    return hits.answer(session, keyring, envelope, local=directory.local(session), now=utcnow())
