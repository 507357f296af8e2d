"""Hit/no-hit across nodes (the Prüm model): a node asks its peers whether they hold a
person, document, vehicle or account; each peer answers under its own policy with
references and owner agencies only, and tells the owners who asked and why. Details follow
only by a request the owner approves (a `details_request` message)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation, Outcome
from palermo.audit.service import record as audit
from palermo.db import insert_dicts
from palermo.errors import Forbidden, Invalid
from palermo.exchange import crypto, envelopes
from palermo.exchange.envelopes import Refusal, Verified, claim
from palermo.exchange.keys import Keyring
from palermo.identity import repository as identities
from palermo.identity.principal import FEDERATION, Principal
from palermo.identity.roles import PARTNER_ONLY_KINDS, Role
from palermo.models.base import table_of
from palermo.models.exchange import InboxEntry
from palermo.models.identity import Node
from palermo.policy.records import AccessContext, reads_records
from palermo.screening import service as screening
from palermo.screening.scoring import ScreeningQuery
from palermo.translatable import N_

QUERY_FIELDS = ("name", "schema", "birth_date", "nationality", "gender", "document")
MAX_REFERENCES = 10


@dataclass(frozen=True)
class PeerAnswer:
    node: str
    outcome: str  # hit, no_hit, refused, unreachable
    references: list[dict[str, str]] = field(default_factory=list)
    reason: str | None = None


def screening_query(fields: dict[str, Any]) -> ScreeningQuery:
    """A query from its fields; a name is optional when a document number is given."""
    given = {k: str(v) for k, v in fields.items() if k in QUERY_FIELDS and v}
    return ScreeningQuery.of(given.pop("name", ""), **given)


def query_body(
    principal: Principal, context: AccessContext, query: dict[str, str]
) -> dict[str, Any]:
    return {
        "agency": principal.agency_code,
        "purpose": context.purpose.value,
        "justification": context.justification,
        "query": {k: v for k, v in query.items() if k in QUERY_FIELDS and v},
    }


def _ask(client: httpx.Client, peer: Node, envelope: dict[str, Any]) -> PeerAnswer:
    try:
        response = envelopes.ask_peer(
            client, "POST", f"{(peer.base_url or '').rstrip('/')}/federation/hits", json=envelope
        )
    except httpx.HTTPError as exc:
        return PeerAnswer(peer.code, "unreachable", reason=f"{type(exc).__name__}: {exc}")
    try:
        answer = response.json()
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the decoder goes
        answer = None
    if not isinstance(answer, dict):
        return PeerAnswer(peer.code, "refused", reason=f"peer answered {response.status_code}")
    if response.status_code >= 400:
        reason = f"peer answered {response.status_code}: {envelopes.peer_error(response)}"
        return PeerAnswer(peer.code, "refused", reason=reason)
    signature = answer.pop("signature", None)
    assert peer.public_key is not None
    try:
        crypto.verify(
            peer.public_key, crypto.unb64(signature, "signature"), crypto.canonical(answer)
        )
    except (ValueError, crypto.CryptoFailure):
        return PeerAnswer(peer.code, "refused", reason="the answer is not signed by the peer")
    if answer.get("id") != envelope["id"]:
        return PeerAnswer(peer.code, "refused", reason="the answer is for another query")
    if answer.get("outcome") == "refused":
        return PeerAnswer(peer.code, "refused", reason=answer.get("reason"))
    listed = answer.get("references") or []
    if not isinstance(listed, list) or not all(
        isinstance(r, dict) and isinstance(r.get("reference"), str) and r.get("owner_agency")
        for r in listed
    ):
        return PeerAnswer(peer.code, "refused", reason="the answer's references are malformed")
    references = [
        {"reference": r["reference"], "owner_agency": str(r["owner_agency"])}
        for r in listed[:MAX_REFERENCES]
    ]
    return PeerAnswer(peer.code, "hit" if references else "no_hit", references)


def ask_peers(
    session: Session,
    keyring: Keyring,
    client: httpx.Client,
    *,
    principal: Principal,
    context: AccessContext,
    query: dict[str, str],
    now: datetime,
) -> list[PeerAnswer]:
    """Ask every configured peer at once; one slow or absent peer does not hide the others.

    The work so far is committed before waiting on the network: on SQLite an open write
    transaction would hold the node's write lock for as long as the slowest peer takes."""
    if principal.agency_id is None or not reads_records(principal):
        raise Forbidden(N_("your roles do not include screening"))
    screening_query(query)  # refuse a bad query here, before asking anyone
    local = identities.local_node(session)
    assert local is not None
    peers = session.scalars(
        select(Node).where(
            Node.is_local.is_(False), Node.public_key.is_not(None), Node.base_url.is_not(None)
        )
    ).all()
    if not peers:
        raise Invalid(N_("this node has no peers to ask: add one with `palermo node peer add`"))
    body = query_body(principal, context, query)
    requests = [
        (
            p,
            envelopes.build(
                keyring.node,
                kind="hit_query",
                sender=local.code,
                receiver=p.code,
                body=body,
                now=now,
            ),
        )
        for p in peers
    ]
    session.commit()
    with ThreadPoolExecutor(max_workers=min(8, len(requests))) as pool:
        answers = list(pool.map(lambda r: _ask(client, *r), requests))
    audit(
        session,
        action="federation.hit_query",
        operation=Operation.consultation,
        principal=principal,
        purpose=context.purpose,
        justification=context.justification,
        object_ids=[r["reference"] for a in answers for r in a.references],
        recipients=[p.code for p in peers],
        detail={a.node: a.outcome for a in answers},
    )
    return answers


# Answering -------------------------------------------------------------------------------
def _remote_principal(session: Session, verified: Verified, body: dict[str, Any]) -> Principal:
    code = body.get("agency")
    agency = identities.agency_by_code(session, code) if isinstance(code, str) else None
    if agency is None or agency.node_id != verified.peer.id:
        raise Refusal(f"agency {code!r} is not known here as hosted by {verified.peer.code}")
    return Principal(
        username=f"{agency.code}@{verified.peer.code}",
        roles=frozenset({Role.officer}),
        agency_id=agency.id,
        agency_code=agency.code,
        country=agency.country,
        channel=FEDERATION,
        private_partner=agency.kind in PARTNER_ONLY_KINDS,
    )


def answer(
    session: Session, keyring: Keyring, envelope: Any, *, local: Node, now: datetime
) -> dict[str, Any]:
    """A peer's query, answered hit (references and owners only) or no-hit, and signed."""
    try:
        verified = envelopes.verify(session, envelope, local_code=local.code)
        if verified.kind != "hit_query":
            raise Refusal("only hit_query envelopes are answered here")
        if verified.seen is not None:
            raise Refusal(f"replay: query {verified.id} was already answered")
        body = verified.body
        principal = _remote_principal(session, verified, body)
        try:
            context = AccessContext.of(str(body.get("purpose")), str(body.get("justification")))
            fields = body.get("query")
            if not isinstance(fields, dict):
                raise Invalid(N_("the query must be an object"))
            query = screening_query(fields)
        except (Invalid, TypeError) as exc:
            detail = exc.message if isinstance(exc, Invalid) else str(exc)
            raise Refusal(f"malformed query: {detail}") from None
    except Refusal as refusal:
        claimed = envelope.get("id") if isinstance(envelope, dict) else None
        result = {
            "id": None if claimed is None else claim(claimed),
            "outcome": "refused",
            "reason": refusal.reason,
        }
        audit(
            session,
            action="federation.hit_answer",
            operation=Operation.consultation,
            actor=claim(envelope.get("from") if isinstance(envelope, dict) else None),
            outcome=Outcome.deny,
            detail={"reason": refusal.reason},
        )
        return _signed(keyring, result)
    hits = screening.screen(
        session, principal=principal, context=context, query=query, limit=MAX_REFERENCES, now=now
    )
    references = [{"reference": h.record_id, "owner_agency": h.owner_agency} for h in hits]
    insert_dicts(  # straight to the driver, where `envelopes.verify` looks for replays
        session,
        table_of(InboxEntry),
        [
            {
                "id": verified.id,
                "from_node": verified.peer.code,
                "kind": "hit_query",
                "digest": verified.digest,
                "outcome": "accepted",
                "reason": None,
                "received_at": now,
            }
        ],
    )
    audit(
        session,
        action="federation.hit_answer",
        operation=Operation.consultation,
        actor=principal.username,
        purpose=context.purpose,
        justification=context.justification,
        object_ids=[r["reference"] for r in references],
        recipients=[principal.agency_code or ""],
        detail={"outcome": "hit" if references else "no_hit", "node": verified.peer.code},
    )
    return _signed(
        keyring,
        {
            "id": str(verified.id),
            "outcome": "hit" if references else "no_hit",
            "references": references,
        },
    )


def _signed(keyring: Keyring, document: dict[str, Any]) -> dict[str, Any]:
    return {**document, "signature": crypto.b64(keyring.node.sign(crypto.canonical(document)))}
