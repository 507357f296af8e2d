"""Agency key pairs: created for every agency this node hosts, rotated on demand, published
to peers (public halves only) and learnt from them."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.orm import Session

from palermo.db import remembered
from palermo.errors import Invalid, NotFound
from palermo.exchange import crypto
from palermo.identity import repository as identities
from palermo.identity.keys import NodeKey, key_id, load_or_create_node_key
from palermo.models.exchange import AgencyKey
from palermo.models.identity import Agency
from palermo.settings import Settings
from palermo.translatable import N_

KEY_BYTES = 32
_KeyRow = Row[uuid.UUID, str, str, bytes, bytes | None]


class KeyUse(enum.StrEnum):
    encryption = "encryption"  # X25519, HPKE recipient key
    signing = "signing"  # Ed25519


_GENERATE = {KeyUse.encryption: crypto.new_encryption_key, KeyUse.signing: crypto.new_signing_key}


@dataclass(frozen=True)
class PublicKey:
    kid: str
    public: bytes


def _new_key(
    session: Session, sealer: crypto.KeySealer, agency_id: uuid.UUID, use: KeyUse
) -> AgencyKey:
    public, private = _GENERATE[use]()
    kid = key_id(public)
    key = AgencyKey(
        kid=kid,
        agency_id=agency_id,
        use=use.value,
        public_key=public,
        sealed_private=sealer.seal(kid, private),
    )
    session.add(key)
    return key


def ensure_hosted_keys(session: Session, sealer: crypto.KeySealer) -> int:
    """Give every hosted agency an encryption and a signing key; returns how many were made."""
    have = set(
        session.execute(
            select(AgencyKey.agency_id, AgencyKey.use).where(AgencyKey.retired_at.is_(None))
        ).all()
    )
    made = 0
    for agency_id in identities.hosted_agency_ids(session):
        for use in KeyUse:
            if (agency_id, use.value) not in have:
                _new_key(session, sealer, agency_id, use)
                made += 1
    session.flush()
    return made


def rotate(session: Session, sealer: crypto.KeySealer, agency_id: uuid.UUID, now: datetime) -> None:
    """New keys for a hosted agency; the old ones are retired, not deleted: messages sealed
    to them stay readable and signatures made with them stay verifiable."""
    if agency_id not in identities.hosted_agency_ids(session):
        raise Invalid(N_("only an agency hosted on this node can have its keys rotated here"))
    session.execute(
        update(AgencyKey)
        .where(AgencyKey.agency_id == agency_id, AgencyKey.retired_at.is_(None))
        .values(retired_at=now)
    )
    for use in KeyUse:
        _new_key(session, sealer, agency_id, use)
    session.flush()


_CURRENT = (  # built once: every message sent asks it
    select(
        AgencyKey.agency_id,
        AgencyKey.use,
        AgencyKey.kid,
        AgencyKey.public_key,
        AgencyKey.sealed_private,
    )
    .where(
        AgencyKey.agency_id.in_(bindparam("agencies", expanding=True)),
        AgencyKey.retired_at.is_(None),
    )
    .order_by(AgencyKey.created_at)
)


def _current_rows(
    session: Session, agency_ids: Collection[uuid.UUID]
) -> dict[tuple[uuid.UUID, str], _KeyRow]:
    """The current keys of the agencies by (agency, use), in one query: columns, not
    entities, as every message sent asks this."""
    session.flush()  # a key made in this unit of work counts, as through the ORM
    rows = session.connection().execute(_CURRENT, {"agencies": list(agency_ids)})
    return {(row.agency_id, row.use): row for row in rows}  # the newest wins


def _encryption_of(
    current: dict[tuple[uuid.UUID, str], _KeyRow], agencies: Sequence[Agency]
) -> dict[str, PublicKey]:
    missing = [a.code for a in agencies if (a.id, KeyUse.encryption.value) not in current]
    if missing:
        raise Invalid(
            N_(
                "no encryption key yet for %(missing)s: their node must publish one (`palermo "
                "node init`, then `palermo node peer sync` on this node)"
            ),
            missing=", ".join(missing),
        )
    found = {a.code: current[(a.id, KeyUse.encryption.value)] for a in agencies}
    return {code: PublicKey(row.kid, row.public_key) for code, row in found.items()}


def _signing_of(
    current: dict[tuple[uuid.UUID, str], _KeyRow], sealer: crypto.KeySealer, agency_id: uuid.UUID
) -> tuple[str, bytes]:
    row = current.get((agency_id, KeyUse.signing.value))
    if row is None or row.sealed_private is None:
        raise Invalid(N_("this agency has no signing key on this node: run `palermo node init`"))
    return row.kid, sealer.open(row.kid, row.sealed_private)


def signing_private(
    session: Session, sealer: crypto.KeySealer, agency_id: uuid.UUID
) -> tuple[str, bytes]:
    return _signing_of(_current_rows(session, [agency_id]), sealer, agency_id)


def sealing_keys(
    session: Session, sealer: crypto.KeySealer, sender: Agency, recipients: Sequence[Agency]
) -> tuple[dict[str, PublicKey], tuple[str, bytes]]:
    """What sealing a message needs, in one query: the current HPKE key of the sender and
    of each recipient (by code; refused if one has none), and the sender's signing key."""
    everyone = [sender, *recipients]
    current = _current_rows(session, {a.id for a in everyone})
    return _encryption_of(current, everyone), _signing_of(current, sealer, sender.id)


def opening_key_for(
    session: Session, sealer: crypto.KeySealer, kid: str, agency_id: uuid.UUID
) -> X25519PrivateKey:
    """The private key that opens an agency's copies, unsealed once per unit of work: a
    folder opens a copy per message, most of them under the same key."""

    def unsealed() -> X25519PrivateKey:
        key = session.get(AgencyKey, kid)
        if key is None or key.agency_id != agency_id or key.sealed_private is None:
            raise NotFound(N_("no private key %(kid)s of this agency on this node"), kid=kid)
        return crypto.opening_key(sealer.open(kid, key.sealed_private))

    private = remembered(session, ("opening key", kid, agency_id), unsealed)
    assert private is not None  # unsealed() finds it or raises
    return private


def public_of(session: Session, kid: str, agency_id: uuid.UUID, use: KeyUse) -> bytes | None:
    """A key of this agency, retired or not (old signatures verify with old keys)."""
    key = session.get(AgencyKey, kid)
    if key is None or key.agency_id != agency_id or key.use != use.value:
        return None
    return key.public_key


def published(
    session: Session, agency_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[dict[str, str | None]]]:
    """Public halves of the agencies' keys, retired ones included, for the directory."""
    keys: dict[uuid.UUID, list[dict[str, str | None]]] = {}
    rows = session.scalars(
        select(AgencyKey)
        .where(AgencyKey.agency_id.in_(list(agency_ids)))
        .order_by(AgencyKey.created_at)
    )
    for key in rows:
        keys.setdefault(key.agency_id, []).append(
            {
                "kid": key.kid,
                "use": key.use,
                "public": crypto.b64(key.public_key),
                "created_at": key.created_at.isoformat(),
                "retired_at": key.retired_at.isoformat() if key.retired_at else None,
            }
        )
    return keys


def learn(session: Session, agency_id: uuid.UUID, entries: Iterable[dict[str, object]]) -> None:
    """Store a remote agency's published public keys (new ones added, retirements applied)."""
    for entry in entries:
        use = KeyUse(str(entry["use"]))
        public = crypto.unb64(entry["public"], "public key")
        if len(public) != KEY_BYTES:  # X25519 and Ed25519 alike
            raise ValueError(f"a public key of {len(public)} bytes, not {KEY_BYTES}")
        kid = key_id(public)
        if kid != entry.get("kid"):
            raise Invalid(
                N_("published key id %(value)s does not match its key"),
                value=repr(entry.get("kid")),
            )
        retired = entry.get("retired_at")
        retired_at = _moment(retired, "retired_at") if retired else None
        known = session.get(AgencyKey, kid)
        if known is None:
            session.add(
                AgencyKey(
                    kid=kid,
                    agency_id=agency_id,
                    use=use.value,
                    public_key=public,
                    retired_at=retired_at,
                    created_at=_moment(entry["created_at"], "created_at"),
                )
            )
        elif known.agency_id != agency_id:
            raise Invalid(N_("key %(kid)s is already known for another agency"), kid=kid)
        elif retired_at and known.retired_at is None:
            known.retired_at = retired_at
    session.flush()


def _moment(value: object, name: str) -> datetime:
    """A published time: ISO 8601 with its zone, as UTC (the only times Palermo stores)."""
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError(f"{name} {value!r} has no time zone")
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{name} {value!r} is out of range") from None


@dataclass(frozen=True)
class Keyring:
    """What exchanging needs of the node's secrets: its Ed25519 key (signs envelopes) and
    the sealer of its agencies' private keys."""

    node: NodeKey
    sealer: crypto.KeySealer

    @classmethod
    def of(cls, settings: Settings) -> Keyring:
        return cls(load_or_create_node_key(settings), crypto.sealer_for(settings.secret_key))
