"""`palermo notices import|export|list|sweep`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from palermo.console import emit_json, handles_errors, out, state
from palermo.errors import Invalid
from palermo.models.base import utcnow
from palermo.notices import public, service, views
from palermo.notices.kinds import KIND_TITLES, NoticeKind
from palermo.policy.records import AccessContext

notices_app = typer.Typer(help="Notices and diffusions: import, public extract, expiry.")


@notices_app.command("import")
@handles_errors
def import_notices(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="Public web-service JSON: a list page, a notice, "
            "an array of notices or JSON lines."
        ),
    ],
    agency: Annotated[str, typer.Option(help="The agency that holds them, e.g. INTERPOL.")],
    kind: Annotated[
        NoticeKind | None, typer.Option(help="Their type, when their links do not say.")
    ] = None,
) -> None:
    """Load published notices (all or none); their subjects enter screening."""
    if not file.is_file():
        raise Invalid(f"no file {file}")
    cli = state(ctx)
    with cli.work() as (session, principal):
        report = public.import_file(
            session,
            principal=principal,
            settings=cli.settings,
            path=file,
            agency_code=agency,
            kind=kind,
            now=utcnow(),
        )
    out.print(f"{report.imported} notices imported, {report.skipped} already held")


@notices_app.command("export")
@handles_errors
def export_extract(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Where to write the public extract (JSON).")],
) -> None:
    """Write the public extract as an array of detail records, as the service serves them."""
    with state(ctx).work() as (session, _):
        records = public.extract(session)
    file.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    out.print(f"{len(records)} public notices → {file}")


@notices_app.command("list")
@handles_errors
def list_notices(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="draft, submitted, published…")] = None,
    kind: Annotated[NoticeKind | None, typer.Option(help="red, yellow, …")] = None,
    queue: Annotated[bool, typer.Option(help="Requests awaiting your review.")] = False,
    purpose: Annotated[str, typer.Option(help="Why you consult: a purpose code.")] = "",
    justification: Annotated[str, typer.Option(help="The case or reason (logged).")] = "",
    json_output: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Notices you may see, newest first."""
    context = AccessContext.of(purpose, justification)
    with state(ctx).work() as (session, principal):
        found = service.listing(
            session,
            principal,
            kind=kind.value if kind else None,
            status=status,
            queue=queue,
            context=context,
        )
        items = [views.view(session, principal, n) for n in found.items]
    if json_output:
        emit_json([i.model_dump(mode="json") for i in items])
        return
    table = Table("entity", "type", "status", "requester", "title")
    for item in items:
        kind_title = KIND_TITLES[item.kind] + (" diffusion" if item.diffusion else "")
        table.add_row(
            item.entity_id or "—",
            kind_title,
            item.status.value,
            item.requesting_agency,
            escape(item.title),
        )
    out.print(table)
    out.print(f"{found.total} notices")


@notices_app.command("sweep")
@handles_errors
def sweep(ctx: typer.Context) -> None:
    """Daily: set re-assessment tasks six months before expiry, expire overdue notices."""
    with state(ctx).work() as (session, principal):
        report = service.sweep(session, principal=principal, now=utcnow())
    out.print(f"{report.reminded} re-assessment tasks set, {report.expired} notices expired")
