"""API shapes of the exchange."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class AttachmentIn(BaseModel):
    name: str
    media_type: str = "application/octet-stream"
    content_base64: str


class MessageIn(BaseModel):
    recipients: list[str] = Field(description="Agency codes (this node's or its peers')")
    subject: str
    body: str = ""
    payload: list[dict[str, Any]] = Field(default=[], description="FtM entities")
    attachments: list[AttachmentIn] = []
    priority: str = "routine"
    handling_code: str = "H0"
    handling_note: str | None = None
    tlp: str = "AMBER"
    evaluation: str | None = Field(default=None, description="e.g. B2 (source A-X, info 1-4)")
    reply_by: date | None = None
    case_ref: str | None = None
    in_reply_to: uuid.UUID | None = None


class ForwardIn(BaseModel):
    recipients: list[str]
    note: str = ""


class ConsentIn(BaseModel):
    agency: str = Field(description="The agency allowed to forward or use as evidence")
    scope: str = Field(description="forward or evidence")
    note: str | None = None


class ConsentRequestIn(BaseModel):
    scope: str
    reason: str


class AttachmentOut(BaseModel):
    name: str
    media_type: str
    size: int
    sha256: str
    blob: str


class ReceiptOut(BaseModel):
    agency: str
    kind: str
    at: datetime


class DeliveryOut(BaseModel):
    peer: str
    status: str
    attempts: int
    reason: str | None
    last_error: str | None


class ConsentOut(BaseModel):
    agency: str
    scope: str
    granted_by: str
    at: datetime


class MessageSent(BaseModel):
    id: uuid.UUID
    thread_id: uuid.UUID
    in_reply_to: uuid.UUID | None
    forwarded_from: uuid.UUID | None
    kind: str
    sender: str
    recipients: list[str]
    sent_at: datetime
    priority: str
    handling_code: str
    handling_note: str | None
    tlp: str
    deliveries: list[DeliveryOut] = Field(description="one per peer node the message goes to")


class MessageSummary(BaseModel):
    id: uuid.UUID
    thread_id: uuid.UUID
    kind: str
    sender: str
    recipients: list[str]
    subject: str
    priority: str
    handling_code: str
    handling_note: str | None
    tlp: str
    sent_at: datetime
    reply_by: date | None
    case_ref: str | None
    attachments: int
    opened: bool


class MessageOut(MessageSummary):
    in_reply_to: uuid.UUID | None
    sender_node: str
    handling_meaning: str
    evaluation: str | None
    forwarded_from: uuid.UUID | None
    body: str
    payload: list[dict[str, Any]]
    references: list[str]
    attachment_files: list[AttachmentOut]
    signature_verified: bool
    receipts: list[ReceiptOut]
    deliveries: list[DeliveryOut]
    consents: list[ConsentOut]
    may_forward: bool
    may_export: bool


class PeerHitsIn(BaseModel):
    name: str | None = None
    schema_: str = Field(default="Person", alias="schema")
    birth_date: str | None = None
    nationality: str | None = None
    gender: str | None = None
    document: str | None = None
    purpose: str
    justification: str


class PeerReference(BaseModel):
    reference: str
    owner_agency: str


class PeerAnswerOut(BaseModel):
    node: str
    outcome: str
    references: list[PeerReference]
    reason: str | None


class DetailsRequestIn(BaseModel):
    reference: str
    owner_agency: str
    purpose: str
    justification: str
