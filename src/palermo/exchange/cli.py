"""`palermo node …` (identity, peers, outbox, keys) and `palermo messages …`."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.markup import escape
from rich.table import Table

from palermo.console import emit_json, err, handles_errors, out, state
from palermo.errors import Invalid
from palermo.exchange import directory, keys, messages, outbox, reading
from palermo.exchange.keys import Keyring
from palermo.files import read_file
from palermo.identity import repository
from palermo.models.base import utcnow
from palermo.policy.administration import require_system_admin

node_app = typer.Typer(help="This node, its peers and its outbox.", no_args_is_help=True)
peer_app = typer.Typer(help="Peer nodes this node federates with.", no_args_is_help=True)
messages_app = typer.Typer(help="Secure messages between agencies.", no_args_is_help=True)
node_app.add_typer(peer_app, name="peer")

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


@node_app.command("init")
@handles_errors
def init(
    ctx: typer.Context,
    url: Annotated[str | None, typer.Option(help="This node's URL as peers reach it.")] = None,
) -> None:
    """Record this node's URL and key, and give every hosted agency its key pairs."""
    cli = state(ctx)
    keyring = Keyring.of(cli.settings)
    with cli.work() as (session, principal):
        node = directory.init(
            session, keyring, principal=principal, base_url=url or cli.settings.node_url
        )
        code, base_url = node.code, node.base_url
    out.print(f"node {code} at {base_url or '(no URL)'}")
    out.print(f"public key {keyring.node.public_bytes.hex()}")


@node_app.command("show")
@handles_errors
def show(ctx: typer.Context, json_output: JsonOpt = False) -> None:
    """This node's code, URL and public key (what peers configure)."""
    cli = state(ctx)
    keyring = Keyring.of(cli.settings)
    with cli.work() as (session, _):
        node = directory.local(session)
        shown = {
            "code": node.code,
            "url": node.base_url,
            "public_key": keyring.node.public_bytes.hex(),
        }
    if json_output:
        emit_json(shown)
        return
    for name, value in shown.items():
        out.print(f"{name}: {value}")


@peer_app.command("add")
@handles_errors
def peer_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The peer's node code.")],
    url: Annotated[str, typer.Argument(help="The peer's base URL.")],
    public_key: Annotated[str, typer.Argument(help="The peer's node key, 64 hex digits.")],
    name: Annotated[str | None, typer.Option(help="A readable name.")] = None,
    max_tlp: Annotated[
        str | None, typer.Option(help="Highest TLP this peer may receive (rule).")
    ] = None,
    sync: Annotated[bool, typer.Option(help="Fetch its directory now.")] = True,
) -> None:
    """Trust a peer by its key; its agencies become recipients once its directory is read."""
    cli = state(ctx)
    with cli.work() as (session, principal):
        node = directory.add_peer(
            session,
            principal=principal,
            code=code,
            base_url=url,
            public_key=public_key,
            name=name,
            max_tlp=max_tlp,
        )
        out.print(f"peer {node.code} at {node.base_url}")
    if sync:
        _sync(ctx, code)


def _sync(ctx: typer.Context, code: str) -> None:
    cli = state(ctx)
    with httpx.Client(timeout=10) as client:
        count = directory.sync_peer(cli.sessions, client, code, cli.principal)
    out.print(f"{count} agencies of {code.upper()} known")


@peer_app.command("sync")
@handles_errors
def peer_sync(ctx: typer.Context, code: Annotated[str, typer.Argument()]) -> None:
    """Read a peer's signed directory: its agencies and their public keys."""
    _sync(ctx, code)


@peer_app.command("list")
@handles_errors
def peer_list(ctx: typer.Context, json_output: JsonOpt = False) -> None:
    """The configured peers."""
    with state(ctx).work() as (session, principal):
        require_system_admin(principal, act="list peers")
        rows = [
            {
                "code": p.code,
                "url": p.base_url,
                "key_id": p.public_key.hex()[:16] if p.public_key else None,
                "max_tlp": p.max_tlp,
                "directory_synced_at": p.directory_synced_at,
            }
            for p in directory.peers(session)
        ]
    if json_output:
        emit_json(rows)
        return
    table = Table("peer", "url", "key", "max TLP", "directory synced")
    for row in rows:
        table.add_row(*(escape(str(row[k] or "")) for k in row))
    out.print(table)


@node_app.command("outbox")
@handles_errors
def outbox_list(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option(help="pending, sending, delivered, refused, filtered.")
    ] = None,
    deliver: Annotated[bool, typer.Option(help="Attempt every due item now.")] = False,
    requeue: Annotated[
        list[str] | None, typer.Option(help="Send a refused item again (its id).")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    json_output: JsonOpt = False,
) -> None:
    """What this node sends to its peers, and what became of each item."""
    cli = state(ctx)
    if requeue:
        try:
            ids = [uuid.UUID(i) for i in requeue]
        except ValueError:
            raise Invalid("--requeue takes outbox item ids (UUIDs)") from None
        with cli.work() as (session, principal):
            require_system_admin(principal, act="requeue outbox items")
            queued = outbox.requeue(session, ids, utcnow())
        # With --json, stdout carries the JSON document only.
        (err if json_output else out).print(f"{queued} items queued again")
    if deliver:
        with cli.work() as (session, principal):
            require_system_admin(principal, act="deliver the outbox")
        courier = outbox.Courier(
            cli.sessions,
            base_backoff=cli.settings.outbox_base_backoff_seconds,
            max_backoff=cli.settings.outbox_max_backoff_seconds,
        )
        try:
            attempted = courier.deliver_due()
        finally:
            courier.client.close()
        (err if json_output else out).print(f"{attempted} items attempted")
    with cli.work() as (session, principal):
        require_system_admin(principal, act="read the outbox")
        peers = {p.id: p.code for p in directory.peers(session)}
        rows = [
            {
                "id": str(i.id),
                "peer": peers.get(i.peer_node_id),
                "kind": i.kind,
                "message": str(i.message_id) if i.message_id else None,
                "status": i.status,
                "attempts": i.attempts,
                "outcome": i.reason or i.last_error,
                "created_at": i.created_at,
            }
            for i in outbox.listing(session, status=status, limit=limit)
        ]
    if json_output:
        emit_json(rows)
        return
    table = Table("item", "peer", "kind", "status", "attempts", "outcome")
    for row in rows:
        table.add_row(
            str(row["id"])[:8],
            str(row["peer"]),
            str(row["kind"]),
            str(row["status"]),
            str(row["attempts"]),
            escape(str(row["outcome"] or "")),
        )
    out.print(table)


@node_app.command("rotate-keys")
@handles_errors
def rotate_keys(ctx: typer.Context, agency: Annotated[str, typer.Argument()]) -> None:
    """New key pairs for a hosted agency; old messages stay readable with the retired keys."""
    cli = state(ctx)
    with cli.work() as (session, principal):
        require_system_admin(principal, act="rotate agency keys")
        found = repository.agency_by_code(session, agency)
        if found is None:
            raise Invalid(f"unknown agency {agency!r}")
        keys.rotate(session, Keyring.of(cli.settings).sealer, found.id, utcnow())
    out.print(f"keys of {agency.upper()} rotated; peers learn them at their next directory sync")


# Messages ----------------------------------------------------------------------------------
@messages_app.command("send")
@handles_errors
def send(
    ctx: typer.Context,
    to: Annotated[list[str], typer.Option(help="Recipient agency code (repeat).")],
    subject: Annotated[str, typer.Option()],
    body: Annotated[str, typer.Option()] = "",
    priority: Annotated[str, typer.Option(help="routine, urgent, immediate.")] = "routine",
    handling: Annotated[str, typer.Option(help="H0, H1, H2, H3.")] = "H0",
    handling_note: Annotated[str | None, typer.Option(help="The H3 restriction.")] = None,
    tlp: Annotated[str, typer.Option(help="CLEAR, GREEN, AMBER, AMBER+STRICT, RED.")] = "AMBER",
    evaluation: Annotated[str | None, typer.Option(help="e.g. B2.")] = None,
    case: Annotated[str | None, typer.Option(help="Case reference.")] = None,
    attach: Annotated[list[Path] | None, typer.Option(help="A file to attach (repeat).")] = None,
) -> None:
    """Send a sealed, signed message as the `--as` user's agency."""
    cli = state(ctx)
    now = utcnow()
    # Each file within what a message may carry; `Draft.of` checks them together.
    limit = cli.settings.max_attachment_bytes
    files = [
        messages.Attachment(
            p.name, "application/octet-stream", read_file(p, limit=limit, what="the attachment")
        )
        for p in attach or []
    ]
    draft = messages.Draft.of(
        recipients=to,
        subject=subject,
        body=body,
        attachments=files,
        priority=priority,
        handling_code=handling,
        handling_note=handling_note,
        tlp=tlp,
        evaluation=evaluation,
        case_ref=case,
        max_attachment_bytes=cli.settings.max_attachment_bytes,
        today=now.date(),
    )
    with cli.work() as (session, principal):
        message = messages.send(
            session, Keyring.of(cli.settings), principal=principal, draft=draft, now=now
        )
        message_id = message.id
    out.print(f"message {message_id} sent")


@messages_app.command("list")
@handles_errors
def list_messages(
    ctx: typer.Context,
    folder: Annotated[str, typer.Option(help="inbox, sent or all.")] = "inbox",
    search: Annotated[str | None, typer.Option(help="Words of subject or body.")] = None,
    unread: Annotated[bool, typer.Option()] = False,
    json_output: JsonOpt = False,
) -> None:
    """The `--as` user's agency's messages, newest first."""
    cli = state(ctx)
    with cli.work() as (session, principal):
        rows = reading.listing(
            session,
            Keyring.of(cli.settings),
            principal=principal,
            folder=folder,
            text=search,
            unread=unread,
        )
    if json_output:
        emit_json([r.model_dump(mode="json") for r in rows])
        return
    table = Table("id", "from", "to", "subject", "priority", "handling", "TLP", "sent")
    for r in rows:
        table.add_row(
            str(r.id)[:8],
            r.sender,
            ", ".join(r.recipients),
            escape(r.subject),
            r.priority,
            r.handling_code,
            r.tlp,
            r.sent_at.strftime("%Y-%m-%d %H:%M"),
        )
    out.print(table)


@messages_app.command("read")
@handles_errors
def read(
    ctx: typer.Context,
    message_id: Annotated[uuid.UUID, typer.Argument()],
    json_output: JsonOpt = False,
) -> None:
    """Open a message (receipted as opened)."""
    cli = state(ctx)
    with cli.work() as (session, principal):
        message = reading.view(
            session,
            Keyring.of(cli.settings),
            principal=principal,
            message_id=message_id,
            now=utcnow(),
        )
    if json_output:
        emit_json(message.model_dump(mode="json"))
        return
    if message.handling_note:
        out.print(f"[bold red]H3 — {escape(message.handling_note)}[/]")
    labels = f"{message.handling_code} · TLP:{message.tlp} · {message.priority}"
    out.print(f"[bold]{escape(message.subject)}[/]  {labels}")
    to = ", ".join(message.recipients)
    out.print(f"from {message.sender} to {to} at {message.sent_at:%Y-%m-%d %H:%M}")
    out.print(f"signature {'verified' if message.signature_verified else 'NOT VERIFIED'}")
    out.print(escape(message.body))
