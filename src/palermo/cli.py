"""The `palermo` command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from palermo import __version__
from palermo.assets.cli import assets_app
from palermo.audit.cli import audit_app
from palermo.backup import cli as backup_cli
from palermo.cases.cli import cases_app
from palermo.console import CliState, handles_errors, out, state
from palermo.demo.cli import demo_app
from palermo.exchange.cli import messages_app, node_app
from palermo.finintel.cli import finintel_app
from palermo.identity.cli import agency_app, token_app, user_app
from palermo.identity.service import ensure_local_node
from palermo.judicial.cli import treaties_app
from palermo.judicial.requests_cli import requests_app
from palermo.linkage.cli import link_app
from palermo.migrations import upgrade
from palermo.network.cli import network_app
from palermo.notices.cli import notices_app
from palermo.notifications.cli import notifications_app
from palermo.records.cli import export_app, import_app, records_app
from palermo.screening.cli import lists_app, screen, screen_batch
from palermo.settings import Settings

app = typer.Typer(
    name="palermo",
    help="Palermo: international police cooperation against organized crime.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The node's database.", no_args_is_help=True)


@app.callback()
def root(
    ctx: typer.Context,
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as",
            envvar="PALERMO_USER",
            help="Act as this user; without it, act as the node operator (audited).",
        ),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(envvar="PALERMO_DATA_DIR", help="Where the node keeps its data."),
    ] = None,
) -> None:
    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    ctx.obj = CliState(settings=settings, acting_user=as_user)
    ctx.call_on_close(ctx.obj.close)


@app.command()
def version() -> None:
    """Print Palermo's version."""
    out.print(__version__)


@db_app.command("upgrade")
@handles_errors
def db_upgrade(ctx: typer.Context) -> None:
    """Create or migrate the schema to the code's head revision."""
    cli = state(ctx)
    upgrade(cli.engine)
    with cli.work() as (session, _principal):
        ensure_local_node(session, cli.settings)
    out.print(f"Database at head: {cli.settings.resolved_database_url.split('@')[-1]}")


@app.command()
@handles_errors
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port.")] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Worker processes answering requests (PostgreSQL scales with them; "
            "SQLite takes one writer at a time whatever their number).",
        ),
    ] = 1,
) -> None:
    """Serve the API and the web UI."""
    from palermo.serve import serve_node

    serve_node(state(ctx).settings, host=host, port=port, workers=workers)


app.add_typer(db_app, name="db")
app.add_typer(agency_app, name="agency")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(demo_app, name="demo")
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
app.add_typer(records_app, name="records")
app.add_typer(audit_app, name="audit")
app.add_typer(lists_app, name="lists")
app.add_typer(node_app, name="node")
app.add_typer(messages_app, name="messages")
app.add_typer(notices_app, name="notices")
app.add_typer(notifications_app, name="notifications")
app.add_typer(link_app, name="link")
app.add_typer(network_app, name="network")
app.add_typer(finintel_app, name="finintel")
app.add_typer(assets_app, name="assets")
app.add_typer(cases_app, name="cases")
app.add_typer(treaties_app, name="treaties")
app.add_typer(requests_app, name="requests")
app.command("screen")(screen)
app.command("backup")(backup_cli.backup)
app.command("restore")(backup_cli.restore)
app.command("screen-batch")(screen_batch)


def main() -> None:
    app()
