"""Audit routes: events for auditors; signed heads and proofs for anyone who keeps heads."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request

from palermo.audit import tree
from palermo.audit.reading import read_events
from palermo.audit.schemas import ConsistencyOut, EventOut, InclusionOut, TreeHeadOut
from palermo.deps import PrincipalDep, SessionDep
from palermo.errors import Forbidden, Invalid, Unauthorized, error_responses
from palermo.identity.keys import NodeKey
from palermo.models.audit import AuditEvent
from palermo.models.base import utcnow
from palermo.routing import APIRouter

router = APIRouter(prefix="/api/audit", tags=["audit"])


def event_out(event: AuditEvent) -> EventOut:
    return EventOut(
        leaf_index=event.leaf_index,
        at=event.moment,
        action=event.action,
        operation=event.operation,
        outcome=event.outcome,
        actor=event.actor,
        actor_user_id=event.actor_user_id,
        agency=event.agency,
        purpose=event.purpose,
        justification=event.justification,
        object_ids=event.object_ids,
        recipients=event.recipients,
        detail=event.detail,
        leaf_hash=event.leaf_hash.hex(),
    )


def head_out(head: tree.SignedHead, key: NodeKey) -> TreeHeadOut:
    return TreeHeadOut(
        tree_size=head.tree_size,
        root_hash=head.root_hash.hex(),
        signed_at=head.signed_at,
        key_id=head.key_id,
        signature=head.signature.hex(),
        public_key=key.public_bytes.hex(),
        message=tree.head_message(head.tree_size, head.root_hash, head.signed_at).decode(),
    )


@router.get(
    "/events",
    response_model=list[EventOut],
    responses=error_responses(Unauthorized, Forbidden),
)
def events(
    session: SessionDep,
    principal: PrincipalDep,
    action: str | None = None,
    object_id: str | None = None,
    actor: str | None = None,
    after: int | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[EventOut]:
    """Audit events of the auditor's agency, newest first. This read is logged too."""
    return [
        event_out(e)
        for e in read_events(
            session,
            principal=principal,
            action=action,
            object_id=object_id,
            actor=actor,
            after=after,
            limit=limit,
        )
    ]


@router.get("/head", response_model=TreeHeadOut, responses=error_responses(Unauthorized))
def head(request: Request, session: SessionDep, principal: PrincipalDep) -> TreeHeadOut:
    """The current signed tree head (Ed25519 over size, root and time)."""
    key: NodeKey = request.app.state.node_key
    return head_out(tree.sign_head(session, key, now=utcnow()), key)


@router.get(
    "/proofs/inclusion",
    response_model=InclusionOut,
    responses=error_responses(Unauthorized, Invalid),
)
def inclusion(
    session: SessionDep, principal: PrincipalDep, leaf_index: int, tree_size: int
) -> InclusionOut:
    """RFC 9162 inclusion proof of one entry in the tree of a given size."""
    proof = tree.inclusion(session, leaf_index, tree_size)
    leaf = session.get(AuditEvent, leaf_index)
    assert leaf is not None
    return InclusionOut(
        leaf_index=leaf_index,
        tree_size=tree_size,
        leaf_hash=leaf.leaf_hash.hex(),
        root_hash=tree.root_at(session, tree_size).hex(),
        proof=[p.hex() for p in proof],
    )


@router.get(
    "/proofs/consistency",
    response_model=ConsistencyOut,
    responses=error_responses(Unauthorized, Invalid),
)
def consistency(
    session: SessionDep, principal: PrincipalDep, first: int, second: int
) -> ConsistencyOut:
    """RFC 9162 consistency proof that the tree of size `second` extends that of `first`."""
    proof = tree.consistency(session, first, second)
    return ConsistencyOut(
        first=first,
        second=second,
        first_root=tree.root_at(session, first).hex(),
        second_root=tree.root_at(session, second).hex(),
        proof=[p.hex() for p in proof],
    )
