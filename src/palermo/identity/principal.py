"""Who is acting: the principal every service, policy decision and audit line is about."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from palermo.identity.roles import Role

OPERATOR = "operator"
# The channel of an agency of a peer node, asking through federation.
FEDERATION = "federation"


@dataclass(frozen=True)
class Principal:
    username: str
    roles: frozenset[Role]
    user_id: uuid.UUID | None = None
    agency_id: uuid.UUID | None = None
    agency_code: str | None = None
    country: str | None = None
    # How the principal authenticated: "session", "token", "cli", "system" or FEDERATION.
    channel: str = "session"
    # Acting for a private partner (a bank…): whatever its role, it only ever gets hits of
    # the authorities' data.
    private_partner: bool = False
    # The node operator acts for every agency hosted on this node (CLI without --as).
    is_operator: bool = False
    hosted_agency_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def acting_agency_ids(self) -> frozenset[uuid.UUID]:
        """The agencies on whose behalf this principal reads and writes."""
        if self.is_operator:
            return self.hosted_agency_ids
        return frozenset({self.agency_id}) if self.agency_id else frozenset()


def operator_principal(hosted_agency_ids: frozenset[uuid.UUID]) -> Principal:
    return Principal(
        username=OPERATOR,
        roles=frozenset({Role.system_admin}),
        channel="cli",
        is_operator=True,
        hosted_agency_ids=hosted_agency_ids,
    )
