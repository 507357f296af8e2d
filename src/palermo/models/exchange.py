"""Tables of the exchange: agency keys, messages and their copies, receipts, consents,
attachments, and the federation outbox and inbox."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from palermo.models.base import Base, CreatedMixin, IdMixin


class AgencyKey(CreatedMixin, Base):
    """An agency's X25519 (HPKE) or Ed25519 key. The private half exists only for agencies
    hosted here, sealed under the node secret; retired keys stay so old messages still open
    and old signatures still verify."""

    __tablename__ = "agency_keys"

    kid: Mapped[str] = mapped_column(String(16), primary_key=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    use: Mapped[str] = mapped_column(String(16))  # encryption, signing
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    sealed_private: Mapped[bytes | None] = mapped_column(LargeBinary)
    retired_at: Mapped[datetime | None]


class Message(Base):
    """A message's clear metadata and its sender's signed header. Subject, body, payload and
    attachment keys exist only as ciphertext in `message_copies`."""

    __tablename__ = "messages"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    thread_id: Mapped[uuid.UUID] = mapped_column(index=True)
    in_reply_to: Mapped[uuid.UUID | None]
    kind: Mapped[str] = mapped_column(String(32))  # message, details_request, consent_request
    sender_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    case_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    priority: Mapped[str] = mapped_column(String(16))
    handling_code: Mapped[str] = mapped_column(String(2))
    handling_note: Mapped[str | None] = mapped_column(Text)
    tlp: Mapped[str] = mapped_column(String(16))
    evaluation: Mapped[str | None] = mapped_column(String(2))
    reply_by: Mapped[date | None]
    forwarded_from: Mapped[uuid.UUID | None]
    # The first message of a chain of forwards, and its provider (an agency code): consents
    # to further use are the provider's, given on the origin, whoever forwarded it since.
    origin_id: Mapped[uuid.UUID] = mapped_column(index=True)
    provider: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime] = mapped_column(index=True)
    received_at: Mapped[datetime]
    header: Mapped[dict[str, Any]] = mapped_column(JSON)  # exactly what the sender signed
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))


class MessageCopy(Base):
    """The content sealed (HPKE) for one agency: each recipient, and the sender itself."""

    __tablename__ = "message_copies"
    # A folder is one agency's copies, newest first: read from this index, a page costs the
    # same whatever the number of messages (the key leads with the message).
    __table_args__ = (Index("ix_message_copies_folder", "agency_id", "sent_at", "message_id"),)

    message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    kid: Mapped[str] = mapped_column(String(16))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    sent_at: Mapped[datetime]  # the message's, kept here for the folder index


class MessageReceipt(Base):
    """delivered / opened / acknowledged / answered, first occurrence per recipient."""

    __tablename__ = "message_receipts"

    message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(128))


class Blob(CreatedMixin, Base):
    """An encrypted attachment, addressed by the SHA-256 of its ciphertext."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class MessageAttachment(Base):
    __tablename__ = "message_attachments"

    message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), primary_key=True)


class Consent(IdMixin, CreatedMixin, Base):
    """The provider's recorded permission to forward (H2) or use as evidence (H1) a message
    and its forwards. Keyed by the origin message, which the grantee's node may not hold (it
    may have received a forward only)."""

    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("origin_id", "grantee_agency_id", "scope"),)

    origin_id: Mapped[uuid.UUID] = mapped_column(index=True)
    provider_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    grantee_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    scope: Mapped[str] = mapped_column(String(16))  # forward, evidence
    granted_by: Mapped[str] = mapped_column(String(128))
    note: Mapped[str | None] = mapped_column(Text)


class OutboxItem(CreatedMixin, Base):
    """A signed envelope waiting for, or done with, delivery to one peer. Written in the
    transaction of what it carries; its id is the idempotency key the peer remembers."""

    __tablename__ = "outbox_items"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    peer_node_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("nodes.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    message_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    envelope: Mapped[dict[str, Any]] = mapped_column(JSON)
    # pending → delivered | refused | filtered; "sending" while a courier holds the lease.
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None]


class InboxEntry(Base):
    """Every envelope a peer sent us, with what we did with it: the replay guard and the
    receiving side's record of refusals."""

    __tablename__ = "federation_inbox"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    from_node: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    digest: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))  # accepted, refused
    reason: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime]
