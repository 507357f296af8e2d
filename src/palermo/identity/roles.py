"""Roles a user holds within an agency, and kinds of agency.

Kept free of imports from the rest of Palermo so settings and models can both use it.
"""

from __future__ import annotations

import enum

from palermo.translatable import N_


class Role(enum.StrEnum):
    officer = "officer"
    analyst = "analyst"
    supervisor = "supervisor"
    agency_admin = "agency_admin"
    auditor = "auditor"
    partner = "partner"
    system_admin = "system_admin"


ROLE_TITLES = {
    Role.officer: N_("Officer"),
    Role.analyst: N_("Analyst"),
    Role.supervisor: N_("Supervisor"),
    Role.agency_admin: N_("Agency administrator"),
    Role.auditor: N_("Auditor / DPO"),
    Role.partner: N_("Private-partner user"),
    Role.system_admin: N_("System administrator"),
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
    AgencyKind.national_central_bureau: N_("National central bureau"),
    AgencyKind.police: N_("Police"),
    AgencyKind.secretariat: N_("International secretariat"),
    AgencyKind.analysis_hub: N_("Analysis hub"),
    AgencyKind.fiu: N_("Financial intelligence unit"),
    AgencyKind.central_authority: N_("Prosecutor / central authority"),
    AgencyKind.customs: N_("Customs / border"),
    AgencyKind.private_partner: N_("Private partner"),
    AgencyKind.sanctions_authority: N_("Sanctions-list authority"),
}

# Private partners (banks, money-service businesses) only ever act through partner accounts.
PARTNER_ONLY_KINDS = frozenset({AgencyKind.private_partner})
