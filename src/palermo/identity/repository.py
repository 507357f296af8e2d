"""Queries on nodes, agencies, users, sessions and tokens.

Identity data is directory data, not intelligence: any authenticated user may read the agency
directory (it is how recipients are chosen); user lists are scoped to who may administer them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from palermo.db import remembered, write_at_end
from palermo.errors import Invalid
from palermo.identity.principal import Principal
from palermo.identity.roles import AgencyKind, Role
from palermo.models.identity import Agency, ApiToken, Node, User, UserRole, WebSession
from palermo.policy.administration import administrable_agency_filter

TOKEN_USE_RESOLUTION = timedelta(minutes=1)


def local_node(session: Session, seen: Node | None = None) -> Node | None:
    """This node's row, read once per session (every exchange operation asks for it); `seen`,
    a node row already loaded (a sending agency's), spares the read when it is this one."""
    return remembered(
        session,
        ("local node",),
        lambda: (
            seen
            if seen is not None and seen.is_local
            else session.scalar(select(Node).where(Node.is_local.is_(True)))
        ),
    )


def peer_node(session: Session, code: str) -> Node | None:
    """A peer by code, read once per session (each envelope of a batch names its sender)."""
    return remembered(
        session,
        ("peer", code),
        lambda: session.scalar(select(Node).where(Node.code == code, Node.is_local.is_(False))),
    )


def hosted_agency_ids(session: Session) -> frozenset[uuid.UUID]:
    rows = session.scalars(
        select(Agency.id).join(Node, Agency.node_id == Node.id).where(Node.is_local.is_(True))
    )
    return frozenset(rows)


def agency_by_code(session: Session, code: str) -> Agency | None:
    return session.scalar(
        select(Agency).options(joinedload(Agency.node)).where(Agency.code == code.upper())
    )


def scope_agencies(session: Session, codes: Sequence[str] | None) -> list[uuid.UUID] | None:
    """The agencies a scope of work names by code (None: no restriction); refuses unknowns."""
    if not codes:
        return None
    found = []
    for code in codes:
        agency = agency_by_code(session, code)
        if agency is None:
            raise Invalid(f"unknown agency {code!r} in the scope")
        found.append(agency.id)
    return found


def list_agencies(
    session: Session, *, country: str | None = None, kind: AgencyKind | None = None
) -> Sequence[Agency]:
    query = select(Agency).options(joinedload(Agency.node)).order_by(Agency.country, Agency.code)
    if country:
        query = query.where(Agency.country == country.upper())
    if kind:
        query = query.where(Agency.kind == kind)
    return session.scalars(query).all()


def _user_query() -> Select[User]:
    return select(User).options(selectinload(User.roles), joinedload(User.agency))


def user_by_username(session: Session, username: str) -> User | None:
    return session.scalar(_user_query().where(User.username == username.lower()))


def user_by_id(session: Session, user_id: uuid.UUID) -> User | None:
    return session.scalar(_user_query().where(User.id == user_id))


def administrable_users(session: Session, *, principal: Principal) -> Sequence[User]:
    """Users the principal administers (see `policy.administration`)."""
    query = _user_query().where(administrable_agency_filter(principal, User.agency_id))
    return session.scalars(query.order_by(User.username)).all()


def session_by_token_hash(session: Session, token_hash: bytes) -> WebSession | None:
    return session.scalar(select(WebSession).where(WebSession.token_hash == token_hash))


def token_by_hash(session: Session, token_hash: bytes) -> ApiToken | None:
    return session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash))


@dataclass(frozen=True)
class TokenHolder:
    """A bearer token's state and its holder's rights, as authentication needs them."""

    token_id: uuid.UUID
    revoked_at: datetime | None
    expires_at: datetime
    last_used_at: datetime | None
    user_id: uuid.UUID
    username: str
    active: bool
    agency_id: uuid.UUID
    agency_code: str
    country: str
    kind: AgencyKind
    roles: frozenset[Role]


_TOKEN_HOLDER = (
    select(
        ApiToken.id.label("token_id"),
        ApiToken.revoked_at,
        ApiToken.expires_at,
        ApiToken.last_used_at,
        User.id.label("user_id"),
        User.username,
        User.active,
        Agency.id.label("agency_id"),
        Agency.code.label("agency_code"),
        Agency.country,
        Agency.kind,
        UserRole.role,
    )
    .join(User, User.id == ApiToken.user_id)
    .join(Agency, Agency.id == User.agency_id)
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def token_holder(session: Session, token_hash: bytes) -> TokenHolder | None:
    """Every request with a token asks this: one Core query (a row per role) instead of
    ORM objects. Nothing is cached: a revoked token or role fails on the very next request."""
    rows = session.connection().execute(_TOKEN_HOLDER, {"token_hash": token_hash}).all()
    if not rows:
        return None
    holder: dict[str, Any] = dict(rows[0]._mapping)
    del holder["role"]
    return TokenHolder(**holder, roles=frozenset(Role(r.role) for r in rows if r.role))


def note_token_use(session: Session, holder: TokenHolder, now: datetime) -> None:
    """Keep a token's last use to the minute: each use is in the audit log already, and a
    row written on every request would serialise one token's concurrent requests."""
    if holder.last_used_at is None or now - holder.last_used_at >= TOKEN_USE_RESOLUTION:
        used = update(ApiToken).where(ApiToken.id == holder.token_id).values(last_used_at=now)

        def note(s: Session) -> None:
            s.connection().execute(used)

        write_at_end(session, note)


def token_by_id(session: Session, token_id: uuid.UUID) -> ApiToken | None:
    return session.scalar(
        select(ApiToken).options(joinedload(ApiToken.user)).where(ApiToken.id == token_id)
    )


def tokens_of(session: Session, user_id: uuid.UUID) -> Sequence[ApiToken]:
    return session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at.desc())
    ).all()


def tokens_expiring(
    session: Session, *, principal: Principal, by: datetime, now: datetime
) -> Sequence[ApiToken]:
    """Unrevoked API tokens of the users the principal administers that are still valid
    but expire by `by`, the soonest first."""
    return session.scalars(
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .join(User, User.id == ApiToken.user_id)
        .where(
            administrable_agency_filter(principal, User.agency_id),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
            ApiToken.expires_at <= by,
        )
        .order_by(ApiToken.expires_at)
    ).all()
