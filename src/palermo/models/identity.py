"""Nodes, agencies, users and their credentials."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from palermo.identity.roles import AgencyKind, Role
from palermo.models.base import Base, CreatedMixin, IdMixin, str_enum


class Node(IdMixin, CreatedMixin, Base):
    """A Palermo installation; agencies have a home node, federation connects nodes."""

    __tablename__ = "nodes"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    base_url: Mapped[str | None] = mapped_column(String(500))
    is_local: Mapped[bool] = mapped_column(default=False)
    # A peer is trusted by its Ed25519 public key, configured by the operator (never fetched).
    public_key: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    # Federation rule: the highest TLP label this peer may receive (None: any).
    max_tlp: Mapped[str | None] = mapped_column(String(16))
    directory_synced_at: Mapped[datetime | None]


class Agency(IdMixin, CreatedMixin, Base):
    __tablename__ = "agencies"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[AgencyKind] = mapped_column(str_enum(AgencyKind, "agency_kind"))
    country: Mapped[str] = mapped_column(String(2), index=True)  # ISO 3166-1 alpha-2
    node_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("nodes.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Retention (LED Art. 5): months until a record's review falls due; None = node default.
    review_after_months: Mapped[int | None]
    # Entity resolution: a judgement takes effect once a second analyst agrees.
    link_four_eyes: Mapped[bool] = mapped_column(default=False)

    node: Mapped[Node] = relationship(lazy="raise")


class User(IdMixin, CreatedMixin, Base):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    password_hash: Mapped[str] = mapped_column(Text)
    # TOTP seed, AES-GCM encrypted with a key derived from the node secret.
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)  # refuses code replay
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)

    agency: Mapped[Agency] = relationship(lazy="raise")
    roles: Mapped[list[UserRole]] = relationship(
        lazy="raise", cascade="all, delete-orphan", back_populates="user"
    )

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(r.role for r in self.roles)


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), primary_key=True)

    user: Mapped[User] = relationship(lazy="raise", back_populates="roles")


class ApiToken(IdMixin, CreatedMixin, Base):
    """A personal API token; only its SHA-256 is stored, the prefix identifies it to people."""

    __tablename__ = "api_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="raise")


class WebSession(IdMixin, CreatedMixin, Base):
    """A browser session; the cookie holds a random token whose SHA-256 is stored here."""

    __tablename__ = "web_sessions"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    mfa_passed: Mapped[bool] = mapped_column(default=False)
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    # The working context the officer declared for consultations (LED Art. 25 justification).
    purpose: Mapped[str | None] = mapped_column(String(64))
    justification: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(lazy="raise")
