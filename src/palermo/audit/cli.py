"""`palermo audit …`: verify the log, show signed heads, prove inclusion and consistency."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import Progress

from palermo.audit import merkle, tree
from palermo.audit.api import event_out, head_out
from palermo.audit.reading import read_events
from palermo.audit.verify import verify_log
from palermo.console import emit_json, err, handles_errors, out, state
from palermo.identity.keys import load_or_create_node_key
from palermo.models.audit import AuditEvent
from palermo.models.base import utcnow

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


@audit_app.command("verify")
@handles_errors
def verify(ctx: typer.Context, json_output: JsonFlag = False) -> None:
    """Recompute every entry, stored node and signed head; name the first bad entry."""
    cli = state(ctx)
    key = load_or_create_node_key(cli.settings)
    with cli.work() as (session, _principal), Progress(console=err, disable=json_output) as bar:
        task = bar.add_task("Verifying the audit log", total=tree.tree_size(session))
        report = verify_log(
            session, key.public, on_progress=lambda n: bar.update(task, completed=n)
        )
    summary = {
        "ok": report.ok,
        "entries": report.entries,
        "signed_heads": report.heads,
        "first_bad_entry": report.first_bad_entry,
        "problems": report.problems,
    }
    if json_output:
        emit_json(summary)
    elif report.ok:
        out.print(f"Audit log verified: {report.entries} entries, {report.heads} signed heads")
    else:
        err.print(
            f"[bold red]Audit log verification FAILED[/]: first bad entry {report.first_bad_entry}"
        )
        for problem in report.problems[:50]:
            err.print(f"  - {problem}", highlight=False)
    if not report.ok:
        raise typer.Exit(code=2)


@audit_app.command("head")
@handles_errors
def head(ctx: typer.Context, json_output: JsonFlag = False) -> None:
    """Sign and print the current tree head (partners keep these)."""
    cli = state(ctx)
    key = load_or_create_node_key(cli.settings)
    with cli.work() as (session, _principal):
        signed = head_out(tree.sign_head(session, key, now=utcnow()), key)
    if json_output:
        emit_json(signed.model_dump(mode="json"))
    else:
        out.print(
            f"size {signed.tree_size}  root {signed.root_hash}\n"
            f"signed {signed.signed_at:%Y-%m-%d %H:%M:%S} UTC by key {signed.key_id}"
        )


@audit_app.command("prove")
@handles_errors
def prove(
    ctx: typer.Context,
    entry: Annotated[int | None, typer.Option(help="Inclusion proof of this entry.")] = None,
    first: Annotated[int | None, typer.Option(help="Consistency proof from this size.")] = None,
    size: Annotated[int | None, typer.Option(help="Tree size (default: current).")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Inclusion proof of an entry, or consistency proof between two tree sizes; verified."""
    with state(ctx).work() as (session, _principal):
        size = tree.tree_size(session) if size is None else size
        root = tree.root_at(session, size)
        if entry is not None:
            proof = tree.inclusion(session, entry, size)
            leaf = session.get(AuditEvent, entry)
            assert leaf is not None
            ok = merkle.verify_inclusion(leaf.leaf_hash, entry, size, proof, root)
            result = {"kind": "inclusion", "entry": entry, "tree_size": size, "ok": ok}
        elif first is not None:
            proof = tree.consistency(session, first, size)
            ok = merkle.verify_consistency(first, size, tree.root_at(session, first), root, proof)
            result = {"kind": "consistency", "first": first, "tree_size": size, "ok": ok}
        else:
            raise typer.BadParameter("give --entry N or --first N")
    result.update(root_hash=root.hex(), proof=[p.hex() for p in proof])
    if json_output:
        emit_json(result)
    else:
        out.print(f"{result['kind']} proof ({len(proof)} hashes) verified: {ok}")


@audit_app.command("events")
@handles_errors
def events(
    ctx: typer.Context,
    action: Annotated[str | None, typer.Option()] = None,
    object_id: Annotated[str | None, typer.Option("--object")] = None,
    limit: Annotated[int, typer.Option()] = 50,
    json_output: JsonFlag = False,
) -> None:
    """Read audit events (auditors; the read is logged)."""
    with state(ctx).work() as (session, principal):
        rows = [
            event_out(e)
            for e in read_events(
                session, principal=principal, action=action, object_id=object_id, limit=limit
            )
        ]
    if json_output:
        emit_json([r.model_dump(mode="json") for r in rows])
        return
    for r in rows:
        out.print(
            f"{r.leaf_index:>7} {r.at:%Y-%m-%d %H:%M:%S} {r.operation:<14} {r.action:<24} "
            f"{r.outcome:<8} {r.actor} {r.agency or ''} {len(r.object_ids)} objects",
            highlight=False,
        )
