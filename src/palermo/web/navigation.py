"""The workspace's navigation. Capabilities join it as their packages land."""

from __future__ import annotations

from dataclasses import dataclass

from palermo.identity.principal import Principal
from palermo.identity.roles import Role
from palermo.policy.assets import WORKER_ROLES
from palermo.policy.cases import WORKER_ROLES as CASE_WORKERS
from palermo.policy.records import READER_ROLES, WRITER_ROLES
from palermo.translatable import N_


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str
    # False until the capability's package is on this node: shown, but not a link.
    available: bool = True
    # Shown only to principals holding one of these roles (empty: everyone).
    roles: frozenset[Role] = frozenset()

    def shown_to(self, principal: Principal) -> bool:
        return not self.roles or principal.is_operator or principal.has_role(*self.roles)


NAVIGATION: tuple[NavItem, ...] = (
    NavItem(N_("Home"), "/"),
    NavItem(N_("Records"), "/records"),
    NavItem(N_("Screening"), "/screening"),
    NavItem(N_("Messages"), "/messages", roles=frozenset(Role) - {Role.auditor, Role.system_admin}),
    NavItem(N_("Notices"), "/notices", roles=READER_ROLES),  # not private partners nor auditors
    # Those who link records (linkage.service.LINKERS): not partners, auditors nor admins.
    NavItem(N_("Linkage"), "/linkage", roles=frozenset({Role.analyst, Role.supervisor})),
    # Those who analyse networks (network.service.ANALYSTS).
    NavItem(
        N_("Networks"), "/network", roles=frozenset({Role.officer, Role.analyst, Role.supervisor})
    ),
    # Reporting entities' partner users and FIU staff (the pages decide by agency kind).
    NavItem(
        N_("Financial intelligence"),
        "/finintel",
        roles=frozenset(
            {Role.partner, Role.officer, Role.analyst, Role.supervisor, Role.agency_admin}
        ),
    ),
    # Those who work asset recovery (policy.assets.WORKER_ROLES).
    NavItem(N_("Assets"), "/assets", roles=frozenset(WORKER_ROLES)),
    # Those who work cases (policy.cases.WORKER_ROLES).
    NavItem(N_("Cases"), "/cases", roles=frozenset(CASE_WORKERS)),
    # Those who work requests (policy.judicial: the case workers' roles).
    NavItem(N_("Judicial requests"), "/judicial", roles=frozenset(CASE_WORKERS)),
    # Figures only (never which records); not private partners (stats.READERS).
    NavItem(N_("Statistics"), "/statistics", roles=frozenset(Role) - {Role.partner}),
    # Those who collect records (imports.service.may_import).
    NavItem(N_("Import"), "/imports", roles=WRITER_ROLES),
    NavItem(N_("Jobs"), "/jobs", roles=frozenset(Role) - {Role.auditor, Role.system_admin}),
    NavItem(N_("Notifications"), "/notifications"),
    NavItem(N_("My agency"), "/agency"),
    NavItem(N_("Audit log"), "/audit", roles=frozenset({Role.auditor})),
)
