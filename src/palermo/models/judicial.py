"""Judicial cooperation: requests between central authorities (mutual legal assistance,
extradition, recognition of freezing and confiscation orders), their timeline and the parts
of them executed."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from palermo.judicial.lifecycle import Ground, RequestKind, Status
from palermo.models.base import Base, CreatedMixin, IdMixin, str_enum


class JudicialRequest(IdMixin, CreatedMixin, Base):
    __tablename__ = "judicial_requests"

    reference: Mapped[str] = mapped_column(String(64), unique=True)  # "NL-OM/R/2026/0004"
    kind: Mapped[RequestKind] = mapped_column(str_enum(RequestKind, "request_kind"))
    measures: Mapped[list[str]] = mapped_column(JSON)  # what an MLA request asks for
    requesting_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    requested_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    executing_agency_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agencies.id"), index=True
    )
    requesting_country: Mapped[str] = mapped_column(String(2))
    requested_country: Mapped[str] = mapped_column(String(2))
    treaty: Mapped[str] = mapped_column(String(32))  # the legal basis, in the registry
    offences: Mapped[list[str]] = mapped_column(JSON)  # ICCS codes of the conduct
    # Dual criminality as checked when the request was sent (what the sender relied on).
    dual_criminality: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The contents Palermo Art. 18(15) requires.
    requesting_authority: Mapped[str] = mapped_column(String(300))
    proceedings: Mapped[str] = mapped_column(Text)
    facts: Mapped[str] = mapped_column(Text)
    assistance: Mapped[str] = mapped_column(Text)
    persons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    purpose: Mapped[str] = mapped_column(Text)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    handling: Mapped[str] = mapped_column(String(2))  # of the message that carries it
    requested_by: Mapped[date | None]  # when the requesting state needs the answer
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"), index=True)
    notice_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("notices.id"))
    asset_order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("asset_orders.id"))
    message_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("messages.id"))
    status: Mapped[Status] = mapped_column(str_enum(Status, "request_status"), index=True)
    status_since: Mapped[datetime]
    resumes_to: Mapped[Status | None] = mapped_column(str_enum(Status, "request_resumes_to"))
    sent_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]  # answered, refused or withdrawn
    ground: Mapped[Ground | None] = mapped_column(str_enum(Ground, "refusal_ground"))
    reasons: Mapped[str | None] = mapped_column(Text)
    consulted_on: Mapped[date | None]
    # Conditions the evidence returned carries: speciality and confidentiality.
    conditions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    drafted_by: Mapped[str] = mapped_column(String(128))


class RequestEvent(Base):
    __tablename__ = "judicial_request_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # in the order written
    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("judicial_requests.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    actor: Mapped[str] = mapped_column(String(128))
    step: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, default="")


class RequestPart(IdMixin, Base):
    """A part of a request executed: a witness heard, records produced, a search made."""

    __tablename__ = "judicial_request_parts"

    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("judicial_requests.id", ondelete="CASCADE"), index=True
    )
    measure: Mapped[str | None] = mapped_column(String(32))
    executed_on: Mapped[date]
    summary: Mapped[str] = mapped_column(Text)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    recorded_by: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime]
