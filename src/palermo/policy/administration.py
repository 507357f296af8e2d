"""Who may administer the directory: agencies, users, roles and credentials (ASVS 8.4.2)."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import InstrumentedAttribute

from palermo.errors import Forbidden
from palermo.identity.principal import Principal
from palermo.identity.roles import Role
from palermo.translatable import N_


def require_system_admin(principal: Principal, *, act: str) -> None:
    if not principal.has_role(Role.system_admin):
        raise Forbidden(N_("only a system administrator may %(act)s"), act=act)


def may_administer_agency(principal: Principal, agency_id: uuid.UUID) -> bool:
    if principal.has_role(Role.system_admin):
        return True
    return principal.has_role(Role.agency_admin) and agency_id in principal.acting_agency_ids


def require_agency_admin(principal: Principal, agency_id: uuid.UUID, *, act: str) -> None:
    if not may_administer_agency(principal, agency_id):
        raise Forbidden(N_("only an administrator of that agency may %(act)s"), act=act)


def may_grant(principal: Principal, role: Role) -> bool:
    """Agency admins hand out their agency's roles; only system admins make system admins."""
    return role is not Role.system_admin or principal.has_role(Role.system_admin)


def administrable_agency_filter(
    principal: Principal, agency_column: InstrumentedAttribute[uuid.UUID]
) -> ColumnElement[bool]:
    """SQL condition on an agency id column: the rows this principal administers."""
    if principal.has_role(Role.system_admin):
        return true()
    if not principal.has_role(Role.agency_admin):
        return agency_column.in_([])
    return agency_column.in_(principal.acting_agency_ids)
