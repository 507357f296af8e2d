"""Tables of notices and diffusions: the request, its recipients, its history, its hits."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from palermo.models.base import Base, CreatedMixin, IdMixin, str_enum
from palermo.notices.kinds import NoticeKind, NoticeStatus


class Notice(IdMixin, CreatedMixin, Base):
    """A notice (issued by the secretariat after review) or a diffusion (circulated by its
    requester to chosen countries or agencies after a second person's review)."""

    __tablename__ = "notices"

    kind: Mapped[NoticeKind] = mapped_column(str_enum(NoticeKind, "notice_kind"), index=True)
    diffusion: Mapped[bool] = mapped_column(default=False)
    status: Mapped[NoticeStatus] = mapped_column(
        str_enum(NoticeStatus, "notice_status"), index=True
    )
    # The public web service's "YYYY/NNNNN", given on publication (or kept from an import).
    entity_id: Mapped[str | None] = mapped_column(String(16), unique=True)
    requesting_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    requested_by: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    subject: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # FtM entity
    particulars: Mapped[dict[str, Any]] = mapped_column(JSON)  # the kind's own fields
    public_extract: Mapped[bool] = mapped_column(default=False)  # requester allows it
    exception_requested: Mapped[bool] = mapped_column(default=False)
    exception_reasons: Mapped[str | None] = mapped_column(Text)
    # The automatic checks as last run: [{"rule", "severity", "field", "message", ...}].
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    reviewer: Mapped[str | None] = mapped_column(String(64))
    review: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the completed checklist
    reasons: Mapped[str | None] = mapped_column(Text)  # of the last refusal or ending
    subject_record_id: Mapped[str | None] = mapped_column(
        ForeignKey("records.id"), index=True, unique=True
    )
    submitted_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    review_task_at: Mapped[datetime | None]  # when the pre-expiry review task was set
    updated_at: Mapped[datetime]

    recipients: Mapped[list[NoticeRecipient]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="NoticeRecipient.country"
    )


class NoticeRecipient(Base):
    """Who may see a restricted notice or a diffusion: a whole country or one agency."""

    __tablename__ = "notice_recipients"
    __table_args__ = (UniqueConstraint("notice_id", "country", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    notice_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("notices.id", ondelete="CASCADE"), index=True
    )
    country: Mapped[str | None] = mapped_column(String(2))
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))


class NoticeEvent(Base):
    """One transition of a notice: who moved it, from which status to which, and why."""

    __tablename__ = "notice_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    notice_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("notices.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    agency_code: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    reasons: Mapped[str | None] = mapped_column(Text)


class NoticeHit(IdMixin, Base):
    """A screening hit on a notice's subject: reported to the requester, who confirms (or
    not) that it is the person sought (RPD Arts. 104–106)."""

    __tablename__ = "notice_hits"

    notice_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("notices.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    querying_agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    querying_agency: Mapped[str] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(2))
    username: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(32))
    justification: Mapped[str] = mapped_column(Text)
    score: Mapped[float | None]
    status: Mapped[str] = mapped_column(
        String(16), default="to_confirm"
    )  # confirmed, not_confirmed
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
