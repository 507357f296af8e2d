"""`palermo screen`, `palermo screen-batch` and `palermo lists import`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from palermo.console import emit_json, err, handles_errors, out, state
from palermo.errors import Invalid
from palermo.files import read_file
from palermo.models.base import utcnow
from palermo.policy.records import AccessContext
from palermo.records.envelope import SubjectCategory
from palermo.screening import batch, service
from palermo.screening.lists import PARSERS
from palermo.screening.scoring import THRESHOLD, ScreeningQuery
from palermo.screening.watchlists import load_list

PurposeOpt = Annotated[
    str, typer.Option(help="Why you screen: a purpose code, e.g. border_management.")
]
JustificationOpt = Annotated[str, typer.Option(help="The case or reason (logged).")]


@handles_errors
def screen(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The name to screen, in any script.")],
    purpose: PurposeOpt,
    justification: JustificationOpt,
    dob: Annotated[
        str | None, typer.Option(help="Birth date: YYYY, YYYY-MM or YYYY-MM-DD.")
    ] = None,
    nationality: Annotated[str | None, typer.Option(help="ISO country code.")] = None,
    document: Annotated[str | None, typer.Option(help="Passport or document number.")] = None,
    gender: Annotated[str | None, typer.Option(help="male, female or other.")] = None,
    schema: Annotated[str, typer.Option(help="Person, Organization, Company, Vessel…")] = "Person",
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
    json_output: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Is this person (or company, vessel, document) known? Hits through your policy."""
    context = AccessContext.of(purpose, justification)
    query = ScreeningQuery.of(
        name,
        schema=schema,
        birth_date=dob,
        nationality=nationality,
        gender=gender,
        document=document,
    )
    with state(ctx).work() as (session, principal):
        hits = service.screen(
            session, principal=principal, context=context, query=query, limit=limit, now=utcnow()
        )
    if json_output:
        emit_json([h.model_dump(mode="json", by_alias=True) for h in hits])
        return
    if not hits:
        out.print(f"No hit for {escape(name)!r}.")
        return
    # One block per hit, so that nothing (least of all the reference an officer quotes to
    # the owner) is cut on a narrow terminal.
    for hit in hits:
        score = "—" if hit.score is None else f"{hit.score:.2f}"
        flag = " [bold red]ALERT[/]" if hit.alert else ""
        source = " ".join(x for x in (hit.source, hit.source_ref) if x)
        out.print(
            f"[bold]{score}[/]{flag}  {escape(hit.record_id)}  "
            f"({escape(hit.owner_agency)}{' · ' + escape(source) if source else ''})"
        )
        caption = hit.caption or "(hit only: ask the owner for details)"
        born = f" · born {', '.join(hit.birth_dates)}" if hit.birth_dates else ""
        out.print(f"  {escape(caption)} · {hit.schema_}{born}", highlight=False)
        for line in hit.explanation:
            out.print(f"  · {escape(line)}", highlight=False)
    out.print(f"alert threshold {THRESHOLD:.2f}; algorithm {hits[0].algorithm}")


def _mapping(pairs: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        field, sep, header = pair.partition("=")
        if not sep or not field or not header:
            raise Invalid(f"--map {pair!r}: write FIELD=HEADER, e.g. name=Passenger")
        mapping[field.strip()] = header.strip()
    return mapping


@handles_errors
def screen_batch(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV with name, birth_date, nationality, …")],
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the hits CSV.")],
    purpose: PurposeOpt,
    justification: JustificationOpt,
    map_: Annotated[
        list[str] | None, typer.Option("--map", help="FIELD=HEADER for other headers.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=20, help="Hits kept per line.")] = 3,
) -> None:
    """Screen a passenger manifest or customer list; one output line per hit."""
    context = AccessContext.of(purpose, justification)
    if not file.is_file():
        raise Invalid(f"no file {file}")
    # As much as the API's batch upload takes.
    data = read_file(file, limit=batch.MAX_BYTES, what="the file")
    rows = batch.read_rows(data, mapping=_mapping(map_ or []))
    with (
        Progress(
            TextColumn("screening"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
        ) as bar,
        state(ctx).work() as (session, principal),
    ):
        task = bar.add_task("screen", total=len(rows))
        lines = batch.screen_rows(
            session,
            principal=principal,
            context=context,
            rows=rows,
            limit=limit,
            now=utcnow(),
            progress=lambda n: bar.advance(task, n),
        )
    out_file.write_text(batch.hits_csv(lines), encoding="utf-8")
    alerts = sum(1 for line in lines if line["alert"] == "yes")
    out.print(f"{len(rows)} lines screened: {len(lines)} hits, {alerts} alerts → {out_file}")


lists_app = typer.Typer(help="Published watch lists (UN, EU, OFAC, Interpol, FtM).")


@lists_app.command("import")
@handles_errors
def import_list(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="un, eu, ofac, interpol or ftm")],
    file: Annotated[Path, typer.Argument(help="The list file (OFAC: sdn.csv beside alt/add).")],
    agency: Annotated[str, typer.Option(help="The issuing authority's agency code, e.g. UNSC.")],
    subject_category: Annotated[
        SubjectCategory, typer.Option(help="Data-subject category of listed persons.")
    ] = SubjectCategory.suspect,
) -> None:
    """Load a list, or a newer version of it: adds, updates and retires entries."""
    parser = PARSERS.get(source)
    if parser is None:
        raise Invalid(f"unknown list {source!r}; known: {', '.join(sorted(PARSERS))}")
    if not file.is_file():
        raise Invalid(f"no file {file}")
    with err.status(f"reading {file.name}"):
        listing = parser(file)
    cli = state(ctx)
    with err.status(f"loading {len(listing.entries)} entries"), cli.work() as (session, principal):
        report = load_list(
            session,
            principal=principal,
            settings=cli.settings,
            listing=listing,
            agency=agency,
            category=subject_category,
            now=utcnow(),
        )
    out.print(
        f"{report.source} list of {report.agency}: {report.added} added, {report.updated} "
        f"updated, {report.unchanged} unchanged, {report.retired} retired"
        + (f", {report.relisted} listed again" if report.relisted else "")
    )
