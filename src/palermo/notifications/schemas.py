"""The API's shapes for notifications and webhooks."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    record_id: str | None
    message: str
    created_at: datetime
    read_at: datetime | None = Field(description="when someone of the agency read it")


class UnreadOut(BaseModel):
    count: int
    latest_id: uuid.UUID | None = Field(description="the newest unread notification")
    label: str = Field(description="the count in words, in the caller's language")


class MarkedOut(BaseModel):
    marked: int = Field(description="how many notifications this marked read")
    unread: int = Field(description="how many remain unread")


class WebhookIn(BaseModel):
    url: str = Field(max_length=2000, description="https://…, or http:// to 127.0.0.1 or localhost")


class WebhookOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    url: str
    created_by: str
    created_at: datetime


class WebhookIssued(WebhookOut):
    secret: str = Field(description="the shared secret of the signatures; shown once")


class DeliveryOut(BaseModel):
    notification_id: uuid.UUID
    kind: str
    status: str = Field(description="pending, delivered or failed")
    attempts: int
    last_error: str | None = Field(description="why the last attempt failed")
    created_at: datetime
    finished_at: datetime | None
