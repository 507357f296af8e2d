"""Demo chapter: the agencies of the world and their staff, a user for each role."""

from __future__ import annotations

from palermo.demo.builder import DEMO_PASSWORD, DemoLogin, DemoWorld
from palermo.demo.world import AGENCIES, AUDITED, CONTINENT_OF, NAME_POOLS, SYSTEM_ADMIN_AGENCY
from palermo.identity import service
from palermo.identity.roles import AgencyKind, Role


def staff_roles(code: str, kind: AgencyKind) -> list[tuple[str, list[Role]]]:
    """(username suffix, roles) for the staff of one agency."""
    if kind is AgencyKind.private_partner:
        return [("compliance", [Role.partner]), ("admin", [Role.agency_admin])]
    staff = [
        ("officer", [Role.officer]),
        ("analyst", [Role.analyst]),
        ("supervisor", [Role.supervisor]),
        ("admin", [Role.agency_admin]),
    ]
    if kind is AgencyKind.sanctions_authority:
        staff = staff[:1] + staff[3:]
    if code in AUDITED:
        staff.append(("auditor", [Role.auditor]))
    if code == SYSTEM_ADMIN_AGENCY:
        staff.append(("sysadmin", [Role.system_admin]))
    return staff


def populate(world: DemoWorld) -> None:
    # All demo users share the published demo password: hash it once, not 400 times.
    password_hash = world.credentials.hash_password(DEMO_PASSWORD)
    for spec in AGENCIES:
        agency = service.create_agency(
            world.session,
            principal=world.operator,
            settings=world.settings,
            code=spec.code,
            name=spec.name,
            kind=spec.kind.value,
            country=spec.country,
        )
        world.agencies[agency.code] = agency
        given, family = NAME_POOLS[CONTINENT_OF.get(spec.country, "Europe")]
        for suffix, roles in staff_roles(spec.code, spec.kind):
            username = f"{spec.code.lower()}.{suffix}"
            needs_mfa = bool(world.settings.mfa_required_roles.intersection(roles))
            secret = world.totp_secret_for(username) if needs_mfa else None
            display = f"{world.rng.choice(given)} {world.rng.choice(family)}"
            created = service.create_user(
                world.session,
                principal=world.operator,
                settings=world.settings,
                credentials=world.credentials,
                username=username,
                display_name=display,
                agency_code=spec.code,
                roles=roles,
                password=DEMO_PASSWORD,
                password_hash=password_hash,
                totp_secret=secret,
            )
            world.users[username] = created.user
            world.logins.append(
                DemoLogin(
                    username=username,
                    display_name=display,
                    agency=spec.code,
                    roles=[r.value for r in roles],
                    totp_secret=secret,
                )
            )
