"""API shapes of notices: the request in, the review checklist, the notice out."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from palermo.notices.kinds import NoticeKind, NoticeStatus
from palermo.records.schemas import EntityIn


class NoticeIn(BaseModel):
    """A notice or diffusion request; `particulars` holds the type's own fields."""

    kind: NoticeKind
    diffusion: bool = False
    title: str = Field(min_length=3, max_length=300)
    subject: EntityIn | None = None
    particulars: dict[str, Any] = Field(default={})
    countries: list[str] = Field(default=[], max_length=250, description="ISO alpha-2")
    agencies: list[str] = Field(default=[], max_length=250, description="agency codes")
    public_extract: bool = False
    exception_requested: bool = Field(
        default=False, description="ask the secretariat for an exception to the penalty threshold"
    )
    exception_reasons: str | None = Field(default=None, max_length=5000)


class ReviewIn(BaseModel):
    """The compliance reviewer's checklist, completed before publication (I1, I2)."""

    art3_compliant: bool = Field(
        description="no predominantly political, military, religious or racial character"
    )
    art3_reasoning: str = Field(
        min_length=20, max_length=10000, description="the predominance test, reasoned"
    )
    art2_compliant: bool = Field(description="in the spirit of the UDHR")
    art2_reasoning: str = Field(min_length=20, max_length=10000)
    warnings_acknowledged: bool = Field(
        default=False, description="every warning of the automatic checks was considered"
    )
    exception_granted: bool = Field(
        default=False, description="the secretariat grants the requested threshold exception"
    )


class ActionIn(BaseModel):
    reasons: str | None = Field(default=None, max_length=10000)
    review: ReviewIn | None = None


class FindingOut(BaseModel):
    rule: str
    severity: str
    message: str
    field: str | None = None


class EventOut(BaseModel):
    at: datetime
    actor: str
    agency: str | None
    action: str
    from_status: NoticeStatus | None
    to_status: NoticeStatus
    reasons: str | None


class HitReportOut(BaseModel):
    id: uuid.UUID
    at: datetime
    querying_agency: str
    country: str | None
    username: str
    channel: str
    purpose: str
    justification: str
    score: float | None
    status: str
    decided_by: str | None
    note: str | None


class NoticeOut(BaseModel):
    id: uuid.UUID
    kind: NoticeKind
    kind_title: str
    diffusion: bool
    status: NoticeStatus
    entity_id: str | None
    requesting_agency: str
    requesting_country: str
    requested_by: str
    title: str
    subject: dict[str, Any] | None
    particulars: dict[str, Any]
    countries: list[str]
    agencies: list[str]
    public_extract: bool
    exception_requested: bool
    exception_reasons: str | None
    findings: list[FindingOut]
    reviewer: str | None
    review: dict[str, Any] | None
    reasons: str | None
    subject_record_id: str | None
    created_at: datetime
    submitted_at: datetime | None
    published_at: datetime | None
    expires_at: datetime | None
    actions: list[str] = Field(description="what the caller may do next")
    events: list[EventOut] = []
    hits: list[HitReportOut] = []


class HitDecisionIn(BaseModel):
    confirmed: bool
    note: str = Field(min_length=3, max_length=5000)
