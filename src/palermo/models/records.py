"""Records: an envelope row per entity, its statements, search keys, links and versions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from palermo.models.base import Base, CreatedMixin, IdMixin, str_enum, utcnow
from palermo.models.identity import Agency
from palermo.records.envelope import (
    AccessLevel,
    HandlingCode,
    InformationAccuracy,
    Nature,
    Purpose,
    RecordStatus,
    ShareScope,
    SourceReliability,
    SubjectCategory,
    Tlp,
)

# SQLite only auto-increments an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer, "sqlite")


class Record(Base):
    """One FtM entity and its envelope. The envelope lives on the row so policy filters are
    plain column predicates; its list-valued parts are the child tables below."""

    __tablename__ = "records"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    schema: Mapped[str] = mapped_column(String(64))
    caption: Mapped[str] = mapped_column(String(500))
    owner_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    # Not indexed: too unselective, and an index on it would tempt the planner to scan
    # every active record instead of starting from the few that match a search.
    status: Mapped[RecordStatus] = mapped_column(
        str_enum(RecordStatus, "record_status"), default=RecordStatus.active
    )
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    origin: Mapped[str] = mapped_column(String(100))  # how it was collected: api, import:…

    subject_category: Mapped[SubjectCategory | None] = mapped_column(
        str_enum(SubjectCategory, "subject_category")
    )
    nature: Mapped[Nature] = mapped_column(str_enum(Nature, "nature"))
    source_reliability: Mapped[SourceReliability] = mapped_column(
        str_enum(SourceReliability, "source_reliability")
    )
    information_accuracy: Mapped[InformationAccuracy] = mapped_column(
        str_enum(InformationAccuracy, "information_accuracy")
    )
    handling_code: Mapped[HandlingCode] = mapped_column(str_enum(HandlingCode, "handling_code"))
    handling_note: Mapped[str | None] = mapped_column(Text)
    tlp: Mapped[Tlp] = mapped_column(str_enum(Tlp, "tlp"))
    legal_basis: Mapped[str] = mapped_column(Text)
    # Not indexed either: only the daily retention job looks records up by these.
    review_due: Mapped[date]
    delete_by: Mapped[date | None]
    review_notified_on: Mapped[date | None]

    owner: Mapped[Agency] = relationship(lazy="raise")
    purposes: Mapped[list[RecordPurpose]] = relationship(lazy="raise", cascade="all, delete-orphan")
    shares: Mapped[list[RecordShare]] = relationship(lazy="raise", cascade="all, delete-orphan")
    offences: Mapped[list[RecordOffence]] = relationship(lazy="raise", cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("handling_code != 'H3' OR handling_note IS NOT NULL", name="h3_note"),
    )


class RecordPurpose(Base):
    __tablename__ = "record_purposes"

    record_id: Mapped[str] = mapped_column(
        ForeignKey("records.id", ondelete="CASCADE"), primary_key=True
    )
    purpose: Mapped[Purpose] = mapped_column(str_enum(Purpose, "purpose"), primary_key=True)

    # Tables that are nothing but their key are stored as that key alone on SQLite.
    __table_args__ = {"sqlite_with_rowid": False}


class RecordShare(Base):
    """Who besides the owner may use the record, and how far: full, or hit/no-hit only."""

    __tablename__ = "record_shares"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    scope: Mapped[ShareScope] = mapped_column(str_enum(ShareScope, "share_scope"))
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    country: Mapped[str | None] = mapped_column(String(2))
    level: Mapped[AccessLevel] = mapped_column(str_enum(AccessLevel, "access_level"))

    __table_args__ = (
        CheckConstraint(
            "(scope = 'agency' AND agency_id IS NOT NULL AND country IS NULL) OR "
            "(scope = 'country' AND country IS NOT NULL AND agency_id IS NULL) OR "
            "(scope = 'everyone' AND agency_id IS NULL AND country IS NULL)",
            name="scope_target",
        ),
    )


class RecordOffence(Base):
    __tablename__ = "record_offences"

    record_id: Mapped[str] = mapped_column(
        ForeignKey("records.id", ondelete="CASCADE"), primary_key=True
    )
    iccs_code: Mapped[str] = mapped_column(String(8), primary_key=True, index=True)

    __table_args__ = {"sqlite_with_rowid": False}


class Statement(Base):
    """One property value of one record, with its source and the versions it was valid in."""

    __tablename__ = "statements"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    prop: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(100))
    added_version: Mapped[int] = mapped_column(Integer)
    removed_version: Mapped[int | None] = mapped_column(Integer)


class RecordKey(Base):
    """Search keys of the current version: name tokens and normalised identifiers."""

    __tablename__ = "record_keys"

    field: Mapped[str] = mapped_column(String(64), primary_key=True)
    term: Mapped[str] = mapped_column(String(200), primary_key=True)
    record_id: Mapped[str] = mapped_column(
        ForeignKey("records.id", ondelete="CASCADE"), primary_key=True
    )

    __table_args__ = (
        Index("ix_record_keys_record_id", "record_id"),
        {"sqlite_with_rowid": False},
    )


class RecordLink(Base):
    """An entity-typed property of the current version: edges of the intelligence graph."""

    __tablename__ = "record_links"

    source_id: Mapped[str] = mapped_column(
        ForeignKey("records.id", ondelete="CASCADE"), primary_key=True
    )
    prop: Mapped[str] = mapped_column(String(64), primary_key=True)
    target_id: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)

    __table_args__ = {"sqlite_with_rowid": False}


class RecordVersion(Base):
    """What each alteration changed, who made it, and the envelope it left."""

    __tablename__ = "record_versions"

    record_id: Mapped[str] = mapped_column(
        ForeignKey("records.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    agency: Mapped[str | None] = mapped_column(String(32))
    operation: Mapped[str] = mapped_column(String(32))
    change: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The envelope this version left; None when the operation did not touch it.
    envelope_digest: Mapped[str | None] = mapped_column(ForeignKey("envelope_snapshots.digest"))


class EnvelopeSnapshot(Base):
    """An envelope as it stood at some version, stored once however many versions share
    it (an import of a million records under one envelope stores it once)."""

    __tablename__ = "envelope_snapshots"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)


class Grant(IdMixin, CreatedMixin, Base):
    """Scoped access an owner agency's admin gives another agency to its records."""

    __tablename__ = "grants"

    owner_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    grantee_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    level: Mapped[AccessLevel] = mapped_column(str_enum(AccessLevel, "access_level"))
    schema: Mapped[str | None] = mapped_column(String(64))
    purpose: Mapped[Purpose | None] = mapped_column(str_enum(Purpose, "purpose"))
    record_id: Mapped[str | None] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    granted_by: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    owner: Mapped[Agency] = relationship(lazy="raise", foreign_keys=[owner_agency_id])
    grantee: Mapped[Agency] = relationship(lazy="raise", foreign_keys=[grantee_agency_id])


class Disclosure(Base):
    """Which agency received a record (LED Art. 25 disclosure log): told of corrections."""

    __tablename__ = "disclosures"

    record_id: Mapped[str] = mapped_column(
        ForeignKey("records.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    first_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_at: Mapped[datetime] = mapped_column(default=utcnow)
    count: Mapped[int] = mapped_column(default=1)


class Notification(IdMixin, CreatedMixin, Base):
    """Something an agency must know: a review falls due, a record it received changed…"""

    __tablename__ = "notifications"

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str | None] = mapped_column(String(128))
    message: Mapped[str] = mapped_column(Text)
    read_at: Mapped[datetime | None]
