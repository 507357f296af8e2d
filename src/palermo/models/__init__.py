"""All tables, imported here so Alembic and `Base.metadata` see every one."""

from palermo.models.audit import AuditEvent, AuditNode, AuditTreeHead
from palermo.models.base import Base
from palermo.models.exchange import (
    AgencyKey,
    Blob,
    Consent,
    InboxEntry,
    Message,
    MessageAttachment,
    MessageCopy,
    MessageReceipt,
    OutboxItem,
)
from palermo.models.finintel import (
    AlertEvent,
    FinancialReport,
    FinintelJob,
    FinintelSettings,
    MonitoringAlert,
    ReportingEntity,
    ReportMessage,
    TransactionBatch,
)
from palermo.models.identity import Agency, ApiToken, Node, User, UserRole, WebSession
from palermo.models.linkage import LinkJudgement, LinkPair, LinkRun
from palermo.models.network import NetworkJob
from palermo.models.notices import Notice, NoticeEvent, NoticeHit, NoticeRecipient
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
from palermo.models.tasks import Task

__all__ = [
    "Agency",
    "AgencyKey",
    "AlertEvent",
    "ApiToken",
    "AuditEvent",
    "AuditNode",
    "AuditTreeHead",
    "Base",
    "Blob",
    "Consent",
    "Disclosure",
    "FinancialReport",
    "FinintelJob",
    "FinintelSettings",
    "Grant",
    "InboxEntry",
    "LinkJudgement",
    "LinkPair",
    "LinkRun",
    "ListEntry",
    "Message",
    "MessageAttachment",
    "MessageCopy",
    "MessageReceipt",
    "MonitoringAlert",
    "NetworkJob",
    "Node",
    "Notice",
    "NoticeEvent",
    "NoticeHit",
    "NoticeRecipient",
    "Notification",
    "OutboxItem",
    "Record",
    "RecordChange",
    "RecordKey",
    "RecordLink",
    "RecordOffence",
    "RecordPurpose",
    "RecordShare",
    "RecordVersion",
    "ReportMessage",
    "ReportingEntity",
    "ScreeningJob",
    "Statement",
    "Task",
    "TransactionBatch",
    "User",
    "UserRole",
    "WebSession",
]
