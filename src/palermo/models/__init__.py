"""All tables, imported here so Alembic and `Base.metadata` see every one."""

from palermo.models.audit import AuditEvent, AuditNode, AuditTreeHead
from palermo.models.base import Base
from palermo.models.identity import Agency, ApiToken, Node, User, UserRole, WebSession
from palermo.models.records import (
    Disclosure,
    Grant,
    Notification,
    Record,
    RecordKey,
    RecordLink,
    RecordOffence,
    RecordPurpose,
    RecordShare,
    RecordVersion,
    Statement,
)
from palermo.models.screening import ListEntry, RecordChange, ScreeningJob

__all__ = [
    "Agency",
    "ApiToken",
    "AuditEvent",
    "AuditNode",
    "AuditTreeHead",
    "Base",
    "Disclosure",
    "Grant",
    "ListEntry",
    "Node",
    "Notification",
    "Record",
    "RecordChange",
    "RecordKey",
    "RecordLink",
    "RecordOffence",
    "RecordPurpose",
    "RecordShare",
    "RecordVersion",
    "ScreeningJob",
    "Statement",
    "User",
    "UserRole",
    "WebSession",
]
