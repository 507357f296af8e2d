"""`palermo demo`: build the synthetic world and serve it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import pyotp
import typer
from rich.table import Table
from sqlalchemy.engine import make_url

from palermo.console import err, handles_errors, out, state
from palermo.db import unit_of_work
from palermo.demo.builder import DEMO_PASSWORD, DemoLogin
from palermo.demo.service import build_world, read_logins, write_logins
from palermo.errors import NotFound
from palermo.migrations import upgrade

demo_app = typer.Typer(
    help="Build the synthetic multi-country demo world and serve it.",
    invoke_without_command=True,
)

# One log-in per role to show newcomers; all others are in demo-logins.json.
FEATURED = [
    "ncb-fr.officer",
    "de-bka.analyst",
    "interpol.supervisor",
    "ncb-nl.admin",
    "europol.auditor",
    "nl-hanze.compliance",
    "interpol.sysadmin",
]


@demo_app.callback()
@handles_errors
def demo(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option(help="Seed of the generator: same seed, same world.")] = 7,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve it afterwards.")] = True,
) -> None:
    """Build the demo world (replacing an earlier demo database) and serve it."""
    if ctx.invoked_subcommand is not None:
        return
    cli = state(ctx)
    settings = cli.settings
    if settings.database_url is None:
        _remove_sqlite_files(settings.resolved_database_url)
    upgrade(cli.engine)
    started = time.monotonic()
    with out.status("Building the demo world…") as status, unit_of_work(cli.sessions) as session:
        world = build_world(
            session,
            settings=settings,
            credentials=cli.credentials,
            seed=seed,
            on_chapter=lambda name: status.update(f"Building the demo world: {name}…"),
        )
    logins_path = write_logins(world, settings.data_dir)
    out.print(
        f"Demo world (seed {seed}) built in {time.monotonic() - started:.1f} s: "
        f"{len(world.agencies)} agencies in "
        f"{len({a.country for a in world.agencies.values()})} countries, "
        f"{len(world.users)} users, {world.facts.get('messages', 0)} messages."
    )
    _print_logins(world.logins, logins_path)
    if serve:
        from palermo.serve import serve_node

        out.print(f"\nServing on [bold]http://{settings.host}:{settings.port}[/] (Ctrl-C stops)")
        serve_node(settings)


def _remove_sqlite_files(url: str) -> None:
    database = make_url(url).database
    if not database:
        return
    for suffix in ("", "-wal", "-shm"):
        Path(database + suffix).unlink(missing_ok=True)


def _print_logins(logins: list[DemoLogin], path: Path) -> None:
    by_name = {login.username: login for login in logins}
    table = Table("Username", "Role", "Agency", "One-time code", title=f"Password: {DEMO_PASSWORD}")
    for username in FEATURED:
        login = by_name[username]
        table.add_row(
            username, ", ".join(login.roles), login.agency, "yes" if login.totp_secret else "—"
        )
    out.print(table)
    out.print(
        "One-time codes: [bold].venv/bin/palermo demo code USERNAME[/] "
        f"(all {len(logins)} log-ins and TOTP seeds: {path})"
    )


@demo_app.command("code")
@handles_errors
def code(ctx: typer.Context, username: Annotated[str, typer.Argument()]) -> None:
    """Print the current one-time code of a demo user (from the demo's published seeds)."""
    login = read_logins(state(ctx).settings.data_dir).get(username.lower())
    if login is None:
        raise NotFound(f"{username!r} is not a demo user of this data directory")
    secret = login.get("totp_secret")
    if not isinstance(secret, str):
        err.print(f"{username} logs in without a one-time code")
        raise typer.Exit(code=1)
    out.print(pyotp.TOTP(secret).now(), highlight=False)
