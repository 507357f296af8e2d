"""`palermo agency|user|token …`: the directory and credentials from the command line."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer
from rich.table import Table

from palermo.console import emit_json, handles_errors, out, state
from palermo.identity import repository, service
from palermo.identity.api import agency_out, user_out
from palermo.identity.credentials import provisioning_uri
from palermo.identity.roles import AgencyKind, Role
from palermo.identity.schemas import TokenOut
from palermo.models.base import utcnow

agency_app = typer.Typer(help="Agencies of the directory.", no_args_is_help=True)
user_app = typer.Typer(help="Users, roles and MFA.", no_args_is_help=True)
token_app = typer.Typer(help="Personal API tokens.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


@agency_app.command("add")
@handles_errors
def agency_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Short unique code, e.g. NCB-FR.")],
    name: Annotated[str, typer.Option(help="Full name.")],
    kind: Annotated[str, typer.Option(help=f"One of: {', '.join(k.value for k in AgencyKind)}.")],
    country: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2 code.")],
    json_output: JsonFlag = False,
) -> None:
    """Register an agency hosted on this node."""
    cli = state(ctx)
    with cli.work() as (session, principal):
        created = service.create_agency(
            session,
            principal=principal,
            settings=cli.settings,
            code=code,
            name=name,
            kind=kind,
            country=country,
        )
        result = agency_out(service.get_agency(session, created.code))
    if json_output:
        emit_json(result.model_dump(mode="json"))
    else:
        out.print(
            f"Registered agency [bold]{result.code}[/] ({result.kind.value}, {result.country})"
        )


@agency_app.command("set")
@handles_errors
def agency_set(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The agency's code.")],
    link_four_eyes: Annotated[
        bool | None,
        typer.Option(
            "--link-four-eyes/--no-link-four-eyes",
            help="Linkage judgements count once a second analyst agrees.",
        ),
    ] = None,
    review_after_months: Annotated[
        int | None, typer.Option(help="Months until its records' review falls due.")
    ] = None,
) -> None:
    """Change an agency's own rules (its administrators or the system administrator)."""
    with state(ctx).work() as (session, principal):
        agency = service.configure_agency(
            session,
            principal=principal,
            code=code,
            link_four_eyes=link_four_eyes,
            review_after_months=review_after_months,
        )
        summary = (
            f"{agency.code}: four-eyes linkage {'on' if agency.link_four_eyes else 'off'}, "
            f"review after {agency.review_after_months or 'the node default'} months"
        )
    out.print(summary)


@agency_app.command("list")
@handles_errors
def agency_list(
    ctx: typer.Context,
    country: Annotated[str | None, typer.Option(help="Only this country.")] = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind.")] = None,
    json_output: JsonFlag = False,
) -> None:
    """List the agency directory."""
    with state(ctx).work() as (session, _principal):
        agencies = [
            agency_out(a)
            for a in repository.list_agencies(
                session,
                country=service.country_code(country) if country else None,
                kind=service.agency_kind(kind) if kind else None,
            )
        ]
    if json_output:
        emit_json([a.model_dump(mode="json") for a in agencies])
        return
    table = Table("Code", "Name", "Kind", "Country", "Node")
    for a in agencies:
        table.add_row(a.code, a.name, a.kind.value, a.country, a.node)
    out.print(table)


@user_app.command("add")
@handles_errors
def user_add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument()],
    agency: Annotated[str, typer.Option(help="Agency code.")],
    role: Annotated[
        list[str], typer.Option(help=f"Repeatable: {', '.join(r.value for r in Role)}.")
    ],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    email: Annotated[str | None, typer.Option()] = None,
    json_output: JsonFlag = False,
) -> None:
    """Add a user. Roles that require MFA print a TOTP seed to enrol, once."""
    cli = state(ctx)
    with cli.work() as (session, principal):
        created = service.create_user(
            session,
            principal=principal,
            settings=cli.settings,
            credentials=cli.credentials,
            username=username,
            display_name=name,
            agency_code=agency,
            roles=service.parse_roles(role),
            password=password,
            email=email,
        )
        user = repository.user_by_id(session, created.user.id)
        assert user is not None
        result = user_out(user)
    secret = created.totp_secret
    uri = (
        provisioning_uri(secret, username=result.username, issuer=cli.settings.node_name)
        if secret
        else None
    )
    if json_output:
        emit_json({"user": result.model_dump(mode="json"), "totp_secret": secret, "totp_uri": uri})
        return
    out.print(
        f"Added user [bold]{result.username}[/] to {result.agency}: {', '.join(result.roles)}"
    )
    if secret:
        out.print(f"TOTP seed (enrol it now; it is not shown again): [bold]{secret}[/]\n{uri}")


@user_app.command("list")
@handles_errors
def user_list(
    ctx: typer.Context,
    agency: Annotated[str | None, typer.Option(help="Only this agency.")] = None,
    json_output: JsonFlag = False,
) -> None:
    """List the users you administer."""
    with state(ctx).work() as (session, principal):
        users = [user_out(u) for u in repository.administrable_users(session, principal=principal)]
    if agency:
        users = [u for u in users if u.agency == agency.upper()]
    if json_output:
        emit_json([u.model_dump(mode="json") for u in users])
        return
    table = Table("Username", "Name", "Agency", "Roles", "MFA", "Locked until")
    for u in users:
        table.add_row(
            u.username,
            u.display_name,
            u.agency,
            ", ".join(u.roles),
            "yes" if u.mfa_enrolled else "no",
            str(u.locked_until or ""),
        )
    out.print(table)


@user_app.command("reset-mfa")
@handles_errors
def user_reset_mfa(
    ctx: typer.Context, username: Annotated[str, typer.Argument()], json_output: JsonFlag = False
) -> None:
    """Issue a new TOTP seed for a user (the old authenticator stops working)."""
    cli = state(ctx)
    with cli.work() as (session, principal):
        secret = service.reset_mfa(
            session, principal=principal, credentials=cli.credentials, username=username
        )
    uri = provisioning_uri(secret, username=username.lower(), issuer=cli.settings.node_name)
    if json_output:
        emit_json({"username": username.lower(), "totp_secret": secret, "totp_uri": uri})
    else:
        out.print(f"New TOTP seed for [bold]{username}[/]: [bold]{secret}[/]\n{uri}")


@token_app.command("create")
@handles_errors
def token_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option(help="What the token is for.")],
    days: Annotated[int, typer.Option(help="Lifetime in days.")] = 90,
    json_output: JsonFlag = False,
) -> None:
    """Create a personal API token for the user given with --as."""
    cli = state(ctx)
    with cli.work() as (session, principal):
        issued = service.create_token(
            session,
            principal=principal,
            settings=cli.settings,
            name=name,
            days=days,
            now=utcnow(),
        )
        token = TokenOut.model_validate(issued.token)
    if json_output:
        emit_json({"token": token.model_dump(mode="json"), "secret": issued.secret})
    else:
        out.print(f"Token {token.id} ({token.name}), valid until {token.expires_at:%Y-%m-%d}:")
        out.print(issued.secret, highlight=False)


@token_app.command("revoke")
@handles_errors
def token_revoke(
    ctx: typer.Context,
    token_id: Annotated[uuid.UUID, typer.Argument()],
    json_output: JsonFlag = False,
) -> None:
    """Revoke an API token at once."""
    with state(ctx).work() as (session, principal):
        token = TokenOut.model_validate(
            service.revoke_token(session, principal=principal, token_id=token_id, now=utcnow())
        )
    if json_output:
        emit_json(token.model_dump(mode="json"))
    else:
        out.print(f"Revoked token {token.id} ({token.name})")
