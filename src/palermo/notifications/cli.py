"""`palermo notifications`: an agency's webhook, and the sweep that delivers to webhooks."""

from __future__ import annotations

import threading
from typing import Annotated

import httpx
import typer
from rich.table import Table

from palermo.console import emit_json, handles_errors, out, state
from palermo.models.base import utcnow
from palermo.notifications import service, webhooks
from palermo.policy.administration import require_system_admin

notifications_app = typer.Typer(
    help="Notifications pushed to agencies' webhooks.", no_args_is_help=True
)
webhook_app = typer.Typer(help="An agency's webhook (its administrator).", no_args_is_help=True)
notifications_app.add_typer(webhook_app, name="webhook")

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
AgencyOption = Annotated[str, typer.Option("--agency", help="The agency's code.")]


@notifications_app.command("deliver")
@handles_errors
def deliver(
    ctx: typer.Context,
    every: Annotated[
        float | None,
        typer.Option(min=1.0, help="Keep sweeping, every this many seconds (until Ctrl+C)."),
    ] = None,
) -> None:
    """Push due notifications to their agencies' webhooks, with retries and backoff."""
    cli = state(ctx)
    with cli.work() as (_session, principal):
        require_system_admin(principal, act="deliver notifications to webhooks")
    if every is None:
        with httpx.Client(timeout=webhooks.TIMEOUT_SECONDS) as client:
            attempted = webhooks.deliver_due(cli.sessions, cli.settings, client)
        out.print(f"{attempted} deliveries attempted")
        return
    stop = threading.Event()
    try:
        webhooks.keep_delivering(cli.sessions, cli.settings, every=every, stop=stop)
    except KeyboardInterrupt:
        stop.set()


@webhook_app.command("set")
@handles_errors
def webhook_set(
    ctx: typer.Context,
    agency: AgencyOption,
    url: Annotated[str, typer.Option(help="https://…, or http:// to 127.0.0.1 or localhost.")],
    json_output: JsonOption = False,
) -> None:
    """Register or replace the agency's webhook; prints the new shared secret, once."""
    with state(ctx).work() as (session, principal):
        issued = service.set_webhook(
            session,
            principal=principal,
            settings=state(ctx).settings,
            agency_code=agency,
            url=url,
            now=utcnow(),
        )
        url = issued.webhook.url
    if json_output:
        emit_json({"agency": agency.upper(), "url": url, "secret": issued.secret})
        return
    out.print(f"Webhook of {agency.upper()}: {url}")
    out.print(f"Shared secret (shown once): {issued.secret}", highlight=False)


@webhook_app.command("show")
@handles_errors
def webhook_show(ctx: typer.Context, agency: AgencyOption, json_output: JsonOption = False) -> None:
    """The agency's webhook and its latest deliveries, with their outcome."""
    with state(ctx).work() as (session, principal):
        hook = service.webhook_of(session, principal=principal, agency_code=agency)
        found = service.deliveries(session, principal=principal, agency_code=agency)
        shown = {"url": hook.url, "created_by": hook.created_by, "created_at": hook.created_at}
        rows = [
            (str(d.notification_id), kind, d.status, str(d.attempts), d.last_error or "")
            for d, kind in found
        ]
    if json_output:
        fields = ("notification_id", "kind", "status", "attempts", "last_error")
        emit_json({**shown, "deliveries": [dict(zip(fields, row, strict=True)) for row in rows]})
        return
    out.print(
        f"Webhook: {hook.url} (set by {hook.created_by}, {hook.created_at:%Y-%m-%d %H:%M} UTC)"
    )
    table = Table("notification", "kind", "status", "attempts", "last error")
    for row in rows:
        table.add_row(*row)
    out.print(table)


@webhook_app.command("remove")
@handles_errors
def webhook_remove(ctx: typer.Context, agency: AgencyOption) -> None:
    """Stop pushing the agency's notifications."""
    with state(ctx).work() as (session, principal):
        service.remove_webhook(session, principal=principal, agency_code=agency)
    out.print(f"Webhook of {agency.upper()} removed")
