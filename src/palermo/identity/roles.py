"""Roles a user holds within an agency, and kinds of agency.

Kept free of imports from the rest of Palermo so settings and models can both use it.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    officer = "officer"
    analyst = "analyst"
    supervisor = "supervisor"
    agency_admin = "agency_admin"
    auditor = "auditor"
    partner = "partner"
    system_admin = "system_admin"


ROLE_TITLES = {
    Role.officer: "Officer",
    Role.analyst: "Analyst",
    Role.supervisor: "Supervisor",
    Role.agency_admin: "Agency administrator",
    Role.auditor: "Auditor / DPO",
    Role.partner: "Private-partner user",
    Role.system_admin: "System administrator",
}


class AgencyKind(enum.StrEnum):
    national_central_bureau = "national_central_bureau"
    police = "police"
    secretariat = "secretariat"
    analysis_hub = "analysis_hub"
    fiu = "fiu"
    central_authority = "central_authority"
    customs = "customs"
    private_partner = "private_partner"
    sanctions_authority = "sanctions_authority"


AGENCY_KIND_TITLES = {
    AgencyKind.national_central_bureau: "National central bureau",
    AgencyKind.police: "Police",
    AgencyKind.secretariat: "International secretariat",
    AgencyKind.analysis_hub: "Analysis hub",
    AgencyKind.fiu: "Financial intelligence unit",
    AgencyKind.central_authority: "Prosecutor / central authority",
    AgencyKind.customs: "Customs / border",
    AgencyKind.private_partner: "Private partner",
    AgencyKind.sanctions_authority: "Sanctions-list authority",
}

# Private partners (banks, money-service businesses) only ever act through partner accounts.
PARTNER_ONLY_KINDS = frozenset({AgencyKind.private_partner})
