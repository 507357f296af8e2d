"""All tables, imported here so Alembic and `Base.metadata` see every one."""

from palermo.models.audit import AuditEvent
from palermo.models.base import Base
from palermo.models.identity import Agency, ApiToken, Node, User, UserRole, WebSession

__all__ = ["Agency", "ApiToken", "AuditEvent", "Base", "Node", "User", "UserRole", "WebSession"]
