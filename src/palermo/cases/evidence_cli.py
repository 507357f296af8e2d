"""`palermo cases evidence add|list|show|get|check|hand-over|receive|receive-signed|export|
verify`: a case's evidence, its custody and the court's package (`verify` needs no database)."""

from __future__ import annotations

import json
import mimetypes
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from palermo.cases import evidence, handovers, package, service
from palermo.cases import verify as offline
from palermo.cases.vocabulary import EvidenceKind
from palermo.console import as_utc, emit_json, handles_errors, out, state
from palermo.errors import Invalid
from palermo.exchange.crypto import sealer_for
from palermo.files import read_file
from palermo.models.base import utcnow
from palermo.policy.cases import as_uuid
from palermo.records.envelope import HandlingCode

evidence_app = typer.Typer(help="Evidence of a case: items, custody, hand-overs, court packages.")
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
CaseArg = Annotated[str, typer.Argument(help="Case reference or id.")]
ItemArg = Annotated[str, typer.Argument(help="Item reference, number (7, E/0007) or id.")]


@evidence_app.command("add")
@handles_errors
def add(
    ctx: typer.Context,
    case: CaseArg,
    title: Annotated[str, typer.Option(help="What the item is.")],
    place: Annotated[str, typer.Option(help="Where it was collected.")],
    file: Annotated[
        Path | None, typer.Option(help="The file (a digital item); without it, physical.")
    ] = None,
    description: Annotated[str, typer.Option(help="Its description.")] = "",
    handling: Annotated[HandlingCode, typer.Option(help="H0–H3.")] = HandlingCode.H0,
    collected_at: Annotated[
        datetime | None, typer.Option(help="When it was collected (UTC); now if not given.")
    ] = None,
    media_type: Annotated[
        str | None, typer.Option(help="Guessed from the name if not given.")
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Add an item your agency collected: a file (`--file`) or a physical object."""
    if file is not None and not file.is_file():
        raise Invalid(f"no file {file}")
    cli = state(ctx)
    now = utcnow()
    # The API takes a file within a request body.
    limit = cli.settings.max_request_bytes
    content = read_file(file, limit=limit, what="the evidence file") if file else None
    with cli.work() as (session, principal):
        found = service.find(session, principal, case)
        item = evidence.add_item(
            session,
            principal=principal,
            case=found,
            kind=EvidenceKind.digital if file else EvidenceKind.physical,
            title=title,
            description=description,
            handling=handling.value,
            collected_at=as_utc(collected_at) or now,
            collected_place=place,
            content=content,
            file_name=file.name if file else None,
            media_type=(media_type or mimetypes.guess_type(file.name)[0]) if file else None,
            now=now,
        )
        row = evidence.summaries(session, [item])[0]
    if json_output:
        emit_json(row.model_dump(mode="json"))
        return
    digest = f", SHA-256 {row.sha256}" if row.sha256 else ""
    out.print(f"Added {row.reference} ({row.kind.value}{digest}), held by {row.holder}")


@evidence_app.command("list")
@handles_errors
def list_items(ctx: typer.Context, case: CaseArg, json_output: JsonOption = False) -> None:
    """The case's evidence items."""
    cli = state(ctx)
    with cli.work() as (session, principal):
        found = service.find(session, principal, case)
        rows = evidence.summaries(session, evidence.items(session, found))
    if json_output:
        emit_json([r.model_dump(mode="json") for r in rows])
        return
    table = Table("reference", "kind", "title", "handling", "held by", "SHA-256", "integrity")
    for row in rows:
        table.add_row(
            row.reference,
            row.kind.value,
            escape(row.title),
            row.handling,
            row.holder,
            (row.sha256 or "")[:16],
            "[red]FAILED[/]" if row.integrity_failed_at else "",
        )
    out.print(table)
    out.print(f"{len(rows)} items")


@evidence_app.command("show")
@handles_errors
def show(ctx: typer.Context, case: CaseArg, item: ItemArg, json_output: JsonOption = False) -> None:
    """The item, its custody log (and whether its chain holds) and hand-overs."""
    cli = state(ctx)
    with cli.work() as (session, principal):
        found = service.find(session, principal, case)
        detail = evidence.detail(
            session,
            evidence.read_item(
                session, principal=principal, case=found, item_id=item, now=utcnow()
            ),
        )
    if json_output:
        emit_json(detail.model_dump(mode="json"))
        return
    out.print(f"[bold]{detail.reference}[/] {escape(detail.title)} — {detail.kind.value}")
    out.print(
        f"Contributed by {detail.contributed_by} ({detail.handling}), held by {detail.holder}; "
        f"collected {detail.collected_at:%Y-%m-%d %H:%M} UTC at {escape(detail.collected_place)}"
    )
    if detail.sha256:
        state_ = "[green]intact[/]" if detail.intact else "[red]INTEGRITY FAILED[/]"
        out.print(f"{escape(detail.file_name or '')} SHA-256 {detail.sha256}: {state_}")
    table = Table("#", "at", "what", "agency", "by", "place", "note", "hash", title="Custody")
    for e in detail.custody:
        table.add_row(
            str(e.seq),
            f"{e.at:%Y-%m-%d %H:%M}",
            e.kind.value,
            e.agency,
            e.actor,
            escape(e.place),
            escape(e.note),
            e.entry_hash[:12],
        )
    out.print(table)
    if detail.chain_ok:
        out.print("[green]The custody chain holds.[/]")
    for problem in detail.chain_problems:
        out.print(f"[red]{escape(problem)}[/]")
    for h in detail.handovers:
        out.print(f"Hand-over {h.id}: {h.from_agency} → {h.to_agency}, {h.status.value}")


@evidence_app.command("get")
@handles_errors
def get(
    ctx: typer.Context,
    case: CaseArg,
    item: ItemArg,
    output: Annotated[Path, typer.Option("--out", help="Where to write the file.")],
) -> None:
    """Write the item's file, after checking it against its recorded SHA-256."""
    cli = state(ctx)
    with cli.work() as (session, principal):
        found = service.find(session, principal, case)
        row, data = evidence.content(
            session, principal=principal, case=found, item_id=item, now=utcnow()
        )
        reference, digest = row.reference, row.sha256
    output.write_bytes(data)
    out.print(f"Wrote {reference} to {output} ({len(data)} bytes, SHA-256 {digest})")


@evidence_app.command("check")
@handles_errors
def check(
    ctx: typer.Context, case: CaseArg, item: ItemArg, json_output: JsonOption = False
) -> None:
    """Check the item's bytes and custody chain now (logged in its custody)."""
    cli = state(ctx)
    with cli.work() as (session, principal):
        found = service.find(session, principal, case)
        result = evidence.verification_out(
            evidence.verify(session, principal=principal, case=found, item_id=item, now=utcnow())
        )
    if json_output:
        emit_json(result.model_dump(mode="json"))
    else:
        bytes_ = {None: "physical item", True: "bytes intact", False: "BYTES ALTERED"}
        chain = "chain holds" if result.chain_ok else "; ".join(result.chain_problems)
        out.print(f"{result.reference}: {bytes_[result.intact]}; {chain}")
    if result.intact is False or not result.chain_ok:
        raise typer.Exit(code=1)


@evidence_app.command("hand-over")
@handles_errors
def hand_over(
    ctx: typer.Context,
    case: CaseArg,
    item: ItemArg,
    to: Annotated[str, typer.Option(help="The recipient agency's code.")],
    place: Annotated[str, typer.Option(help="Where it is handed over.")],
    note: Annotated[str, typer.Option(help="Seals, condition, courier…")] = "",
) -> None:
    """Hand the item your agency holds over to another member, with a signed statement."""
    cli = state(ctx)
    with cli.work() as (session, principal):
        found = service.find(session, principal, case)
        handover = handovers.hand_over(
            session,
            principal=principal,
            sealer=sealer_for(cli.settings.secret_key),
            item=evidence.item_for(session, found, item),
            to_agency_code=to,
            place=place,
            note=note,
            now=utcnow(),
        )
        handover_id, kid = handover.id, handover.kid
    out.print(f"Handed over to {to.upper()} (hand-over {handover_id}, signed with key {kid})")


@evidence_app.command("receive")
@handles_errors
def receive(
    ctx: typer.Context,
    case: CaseArg,
    handover: Annotated[str, typer.Argument(help="The hand-over id.")],
    place: Annotated[str, typer.Option(help="Where it is received.")] = "",
    note: Annotated[str, typer.Option(help="Condition on receipt…")] = "",
) -> None:
    """Receive an item handed over to your agency: its signature is checked, your agency
    countersigns the receipt and holds the item."""
    cli = state(ctx)
    with cli.work() as (session, principal):
        found = service.find(session, principal, case)
        key = as_uuid(handover)
        if key is None:
            raise Invalid(f"{handover!r} is not a hand-over id")
        received = handovers.receive(
            session,
            principal=principal,
            sealer=sealer_for(cli.settings.secret_key),
            handover=handovers.handover_for(session, found, key),
            now=utcnow(),
            place=place,
            note=note,
        )
        view = evidence.handover_view(session, received)
    out.print(f"Received {view.item} from {view.from_agency} (receipt key {view.receipt_kid})")


@evidence_app.command("receive-signed")
@handles_errors
def receive_signed(
    ctx: typer.Context,
    case: CaseArg,
    item: ItemArg,
    signed: Annotated[
        Path, typer.Argument(help='JSON file: {"statement": {…}, "kid": …, "signature": …}')
    ],
    place: Annotated[str, typer.Option(help="Where it is received.")] = "",
    note: Annotated[str, typer.Option(help="Condition on receipt…")] = "",
) -> None:
    """Receive an item on a hand-over statement signed elsewhere (a peer node's agency)."""
    if not signed.is_file():
        raise Invalid(f"no file {signed}")
    cli = state(ctx)
    data = read_file(signed, limit=cli.settings.max_request_bytes, what="the statement")
    try:
        document = json.loads(data)
        statement, kid, signature = document["statement"], document["kid"], document["signature"]
    except (ValueError, KeyError, TypeError):
        raise Invalid(f"{signed} is not a JSON object with statement, kid and signature") from None
    with cli.work() as (session, principal):
        found = service.find(session, principal, case)
        received = handovers.receive_signed(
            session,
            principal=principal,
            sealer=sealer_for(cli.settings.secret_key),
            item=evidence.item_for(session, found, item),
            statement=statement,
            kid=str(kid),
            signature_b64=str(signature),
            now=utcnow(),
            place=place,
            note=note,
        )
        view = evidence.handover_view(session, received)
    out.print(f"Received {view.item} from {view.from_agency} (statement key {view.kid})")


@evidence_app.command("export")
@handles_errors
def export(
    ctx: typer.Context,
    case: CaseArg,
    items: Annotated[list[str], typer.Argument(help="The items to export.")],
    output: Annotated[Path, typer.Option("--out", help="Where to write the ZIP.")],
) -> None:
    """Write the court's evidence package: files, manifest, custody logs, hand-overs and
    the offline verifier, signed by your agency."""
    cli = state(ctx)
    with cli.work() as (session, principal):
        found = service.find(session, principal, case)
        data = package.export(
            session,
            principal=principal,
            sealer=sealer_for(cli.settings.secret_key),
            case=found,
            item_ids=items,
            now=utcnow(),
        )
    output.write_bytes(data)
    out.print(f"Wrote {output} ({len(items)} items); verify it with `python verify.py {output}`")


@evidence_app.command("verify")
def verify(
    package_file: Annotated[Path, typer.Argument(metavar="PACKAGE", help="The package ZIP.")],
) -> None:
    """Verify an evidence package offline (no database): files, custody chains, hand-over
    signatures and the manifest signature. Exits 1 naming every problem."""
    raise typer.Exit(code=offline.main([str(package_file)]))
