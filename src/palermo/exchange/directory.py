"""Peers and their directories. A peer is trusted by the node key its operator configures
(never by what the network says); its directory — agencies and their public keys — is
fetched and accepted only when signed by that key."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.db import SessionFactory, unit_of_work
from palermo.errors import Conflict, Invalid, NotFound, PalermoError
from palermo.exchange import crypto, envelopes, keys
from palermo.exchange.keys import Keyring
from palermo.identity import repository
from palermo.identity.keys import key_id
from palermo.identity.principal import Principal, operator_principal
from palermo.identity.roles import AgencyKind
from palermo.identity.service import AGENCY_CODE, country_code
from palermo.models.base import utcnow
from palermo.models.identity import Agency, Node
from palermo.policy.administration import require_system_admin
from palermo.records.envelope import Tlp
from palermo.translatable import N_

log = logging.getLogger(__name__)

NODE_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,63}$")


def local(session: Session) -> Node:
    node = repository.local_node(session)
    if node is None:
        raise NotFound(N_("this node is not initialised: run `palermo node init`"))
    return node


def init(session: Session, keyring: Keyring, *, principal: Principal, base_url: str | None) -> Node:
    """Name this node's URL and give every hosted agency its key pairs."""
    require_system_admin(principal, act="initialise the node")
    node = local(session)
    if base_url:
        node.base_url = _url(base_url)
    node.public_key = keyring.node.public_bytes
    made = keys.ensure_hosted_keys(session, keyring.sealer)
    audit(
        session,
        action="node.init",
        operation=Operation.administration,
        principal=principal,
        object_ids=[node.code],
        detail={"base_url": node.base_url, "agency_keys_created": made},
    )
    return node


def _url(value: str) -> str:
    value = value.strip().rstrip("/")
    if not re.match(r"^https?://[^\s/]+(/\S*)?$", value):
        raise Invalid(N_("peer URL %(url)s must be an http(s) URL"), url=repr(value))
    return value


def add_peer(
    session: Session,
    *,
    principal: Principal,
    code: str,
    base_url: str,
    public_key: str,
    name: str | None = None,
    max_tlp: str | None = None,
) -> Node:
    require_system_admin(principal, act="configure peers")
    code = code.strip().upper()
    if not NODE_CODE.match(code):
        raise Invalid(
            N_("node code %(code)s must be 2-64 letters, digits, '-' or '_'"), code=repr(code)
        )
    try:
        key = bytes.fromhex(public_key.strip())
    except ValueError:
        key = b""
    if len(key) != 32:
        raise Invalid(N_("the peer's public key must be its 64 hex digits (`palermo node show`)"))
    if max_tlp is not None:
        max_tlp = Tlp(max_tlp.upper()).value if max_tlp.upper() in set(Tlp) else _bad_tlp(max_tlp)
    node = session.scalar(select(Node).where(Node.code == code))
    if node is not None and node.is_local:
        raise Conflict(N_("%(code)s is this node itself"), code=code)
    if node is None:
        node = Node(code=code, name=name or code, is_local=False)
        session.add(node)
    node.base_url, node.public_key, node.max_tlp = _url(base_url), key, max_tlp
    if name:
        node.name = name
    session.flush()
    audit(
        session,
        action="node.peer.add",
        operation=Operation.administration,
        principal=principal,
        object_ids=[code],
        detail={"base_url": node.base_url, "key_id": key_id(key), "max_tlp": max_tlp},
    )
    return node


def _bad_tlp(value: str) -> str:
    raise Invalid(
        N_("unknown TLP label %(label)s; use one of %(labels)s"),
        label=repr(value),
        labels=", ".join(Tlp),
    )


def peers(session: Session) -> Sequence[Node]:
    return session.scalars(select(Node).where(Node.is_local.is_(False)).order_by(Node.code)).all()


def peer(session: Session, code: str) -> Node:
    node = session.scalar(select(Node).where(Node.code == code.upper(), Node.is_local.is_(False)))
    if node is None:
        raise NotFound(N_("no peer %(code)s"), code=code.upper())
    return node


# Publishing and learning directories -----------------------------------------------------
def publish(session: Session, keyring: Keyring, now: datetime) -> dict[str, Any]:
    """This node's agencies and their public keys, signed by the node key."""
    node = local(session)
    keys.ensure_hosted_keys(session, keyring.sealer)
    hosted = session.scalars(
        select(Agency)
        .where(Agency.node_id == node.id, Agency.active.is_(True))
        .order_by(Agency.code)
    ).all()
    published = keys.published(session, [a.id for a in hosted])
    document = {
        "node": node.code,
        "name": node.name,
        "issued_at": now.isoformat(),
        "agencies": [
            {
                "code": a.code,
                "name": a.name,
                "kind": a.kind.value,
                "country": a.country,
                "keys": published.get(a.id, []),
            }
            for a in hosted
        ],
    }
    return {**document, "signature": crypto.b64(keyring.node.sign(crypto.canonical(document)))}


def learn(
    session: Session, *, principal: Principal, node: Node, document: dict[str, Any], now: datetime
) -> int:
    """Accept a peer's signed directory: its agencies become recipients here."""
    require_system_admin(principal, act="synchronise peer directories")
    unsigned = {k: v for k, v in document.items() if k != "signature"}
    assert node.public_key is not None
    try:
        crypto.verify(
            node.public_key,
            crypto.unb64(document.get("signature"), "signature"),
            crypto.canonical(unsigned),
        )
    except (ValueError, crypto.CryptoFailure):
        raise Invalid(
            N_("the directory of %(code)s is not signed by its configured key"), code=node.code
        ) from None
    if document.get("node") != node.code:
        raise Invalid(
            N_("the directory is of node %(other)s, not %(code)s"),
            other=repr(document.get("node")),
            code=node.code,
        )
    listed = document.get("agencies", [])
    if not isinstance(listed, list) or not all(isinstance(entry, dict) for entry in listed):
        raise Invalid(
            N_("the directory of %(code)s: 'agencies' is not a list of objects"), code=node.code
        )
    # One learner of a peer's directory at a time (the node's keeper and an operator's
    # command may read it together): on PostgreSQL the second waits for the first to commit,
    # then finds its agencies and keys instead of inserting them again. SQLite serialises
    # writers anyway. FOR NO KEY UPDATE, not FOR UPDATE: the foreign-key checks of messages
    # queued for this peer meanwhile (KEY SHARE) must not wait on it, or a sender holding
    # the audit log's lock and the learner waiting for that lock deadlock.
    session.execute(select(Node.id).where(Node.id == node.id).with_for_update(key_share=True))
    count = 0
    for entry in listed:
        code = str(entry.get("code", "")).upper()
        if not AGENCY_CODE.fullmatch(code):
            raise Invalid(
                N_("the directory of %(code)s names a bad agency code %(agency)s"),
                code=node.code,
                agency=repr(code),
            )
        agency = repository.agency_by_code(session, code)
        if agency is not None and agency.node_id != node.id:
            raise Conflict(
                N_("agency %(code)s already exists on another node; codes must be unique"),
                code=code,
            )
        try:
            if agency is None:
                agency = Agency(
                    code=code,
                    name=str(entry.get("name") or code)[:200],
                    kind=AgencyKind(entry.get("kind")),
                    country=country_code(str(entry.get("country"))),
                    node_id=node.id,
                )
                session.add(agency)
                session.flush()
            keys.learn(session, agency.id, entry.get("keys", []))
        except (ValueError, KeyError, TypeError) as exc:
            raise Invalid(
                N_("the directory of %(code)s describes agency %(agency)s badly: %(exc)s"),
                code=node.code,
                agency=code,
                exc=exc,
            ) from None
        count += 1
    node.directory_synced_at = now
    audit(
        session,
        action="node.peer.sync",
        operation=Operation.administration,
        principal=principal,
        object_ids=[node.code],
        detail={"agencies": count},
    )
    return count


def fetch(client: httpx.Client, node: Node) -> dict[str, Any]:
    try:
        response = envelopes.ask_peer(
            client, "GET", f"{(node.base_url or '').rstrip('/')}/federation/directory"
        )
    except httpx.HTTPError as exc:
        raise Invalid(
            N_("cannot read the directory of %(code)s: %(exc)s"), code=node.code, exc=exc
        ) from None
    if response.status_code >= 400:
        raise Invalid(
            N_("the node %(code)s refused its directory (%(status_code)s): %(error)s"),
            code=node.code,
            status_code=response.status_code,
            error=envelopes.peer_error(response),
        )
    try:
        document = response.json()
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the decoder goes
        raise Invalid(N_("the directory of %(code)s is not JSON"), code=node.code) from None
    if not isinstance(document, dict):
        raise Invalid(N_("the directory of %(code)s is not a JSON object"), code=node.code)
    return document


# Keeping peers' directories fresh ---------------------------------------------------------
def sync_peer(
    sessions: SessionFactory,
    client: httpx.Client,
    code: str,
    principal_of: Callable[[Session], Principal],
) -> int:
    """Read one peer's signed directory again, as the principal `principal_of` gives; no
    transaction is open while the peer answers. Returns how many agencies it lists."""
    with unit_of_work(sessions) as session:
        node = peer(session, code)
    document = fetch(client, node)
    with unit_of_work(sessions) as session:
        return learn(
            session,
            principal=principal_of(session),
            node=peer(session, code),
            document=document,
            now=utcnow(),
        )


def _operator(session: Session) -> Principal:
    return operator_principal(repository.hosted_agency_ids(session))


def sync_peers(sessions: SessionFactory, client: httpx.Client) -> dict[str, str]:
    """Read every peer's signed directory again — new agencies, rotated keys — and say what
    came of each. A peer that cannot be read keeps what was known of it."""
    with unit_of_work(sessions) as session:
        codes = [p.code for p in peers(session) if p.base_url and p.public_key]
    outcomes = {}
    for code in codes:
        try:
            outcomes[code] = f"{sync_peer(sessions, client, code, _operator)} agencies"
        except PalermoError as error:
            log.warning("directory of peer %s not read: %s", code, error.message)
            outcomes[code] = error.message
    return outcomes


class DirectoryKeeper:
    """Re-reads the peers' directories every `every` seconds, so a peer's rotated keys and
    new agencies are known without an operator's `palermo node peer sync`."""

    def __init__(self, sessions: SessionFactory, *, every: float, timeout: float = 10.0) -> None:
        self.sessions, self.every = sessions, every
        self.client = httpx.Client(timeout=timeout)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                sync_peers(self.sessions, self.client)
            except Exception:
                log.exception("reading the peers' directories failed; trying again later")

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="directory-keeper", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=15)
        self.client.close()
