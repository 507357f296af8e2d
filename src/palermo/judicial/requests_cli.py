"""`palermo requests list|show|draft|send|acknowledge|assign|part|answer|consult|resume|
refuse|withdraw|revise|sweep|statistics`: requests for judicial cooperation between central
authorities. A request is named by its reference (NL-OM/R/2026/0001) or its id."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Column, Table
from sqlalchemy.orm import Session

from palermo.console import emit_json, handles_errors, out, read_model, state
from palermo.exchange.keys import Keyring
from palermo.identity.principal import Principal
from palermo.judicial import deadlines, requests, statistics, views
from palermo.judicial.lifecycle import (
    KIND_TITLES,
    MEASURE_TITLES,
    Ground,
    Measure,
    RequestKind,
    Status,
    Step,
)
from palermo.judicial.request_schemas import Direction, RequestOut
from palermo.judicial.schemas import RequestIn
from palermo.models.base import utcnow
from palermo.models.judicial import JudicialRequest
from palermo.policy import judicial as policy

requests_app = typer.Typer(
    help="Requests for judicial cooperation between central authorities.", no_args_is_help=True
)
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
RequestArg = Annotated[str, typer.Argument(help="Request reference or id.")]
DAY = "%Y-%m-%d"
NoteOption = Annotated[str, typer.Option("--note", help="A note for the timeline.")]


@contextmanager
def on_request(
    ctx: typer.Context, key: str
) -> Iterator[tuple[Session, Principal, JudicialRequest]]:
    """A unit of work on a request the acting principal's agency is on a side of."""
    with state(ctx).work() as (session, principal):
        yield session, principal, requests.find(session, principal, key)


def _moved(principal: Principal, request: JudicialRequest) -> str:
    """Where the request now stands, and what the actor may do next."""
    following = views.next_steps(request.status, policy.sides(principal, request))
    then = ", ".join(s.value for s in following) or "nothing: the other side acts"
    return f"{request.reference}: {request.status.value} (your next steps: {then})"


@requests_app.command("list")
@handles_errors
def list_requests(
    ctx: typer.Context,
    direction: Annotated[
        Direction | None, typer.Option(help="outgoing (you request) or incoming")
    ] = None,
    status: Annotated[Status | None, typer.Option(help="draft, sent, …")] = None,
    kind: Annotated[RequestKind | None, typer.Option(help="mla, extradition, recognition")] = None,
    q: Annotated[str | None, typer.Option(help="Words of the reference or proceedings.")] = None,
    json_output: JsonOption = False,
) -> None:
    """The requests your agency makes or that are made of it, the newest first."""
    with state(ctx).work() as (session, principal):
        rows = views.listing(session, principal, direction=direction, status=status, kind=kind, q=q)
    if json_output:
        emit_json([r.model_dump(mode="json") for r in rows])
        return
    # References are what every other command takes: never cut short.
    reference = Column("reference", no_wrap=True, min_width=17)
    table = Table(reference, "kind", "from → to", "executing", "status", "since", "you may")
    for row in rows:
        table.add_row(
            row.reference,
            row.kind.value + (" [bold red]urgent[/]" if row.urgent else ""),
            f"{row.requesting} → {row.requested}",
            row.executing or "",
            row.status.value,
            row.status_since.date().isoformat(),
            ", ".join(s.value for s in row.next_steps),
        )
    out.print(table)
    out.print(f"{len(rows)} requests")


def _print(shown: RequestOut) -> None:
    urgent = " [bold red]URGENT[/]" if shown.urgent else ""
    title = KIND_TITLES[shown.kind]
    out.print(f"[bold]{shown.reference}[/] {title}{urgent} — {shown.status.value}")
    out.print(
        f"{shown.requesting} ({shown.requesting_country}) → {shown.requested} "
        f"({shown.requested_country})"
        + (f", executed by {shown.executing}" if shown.executing else "")
        + f"; legal basis {shown.treaty}; handling {shown.handling}"
    )
    if shown.measures:
        out.print("Measures: " + ", ".join(MEASURE_TITLES[m] for m in shown.measures))
    if shown.offences:
        out.print("Offences (ICCS): " + ", ".join(shown.offences))
    for label, text in (
        ("Requesting authority", shown.requesting_authority),
        ("Proceedings", shown.proceedings),
        ("Facts", shown.facts),
        ("Assistance", shown.assistance),
        ("Purpose", shown.purpose),
    ):
        if text:
            out.print(f"{label}: {escape(text)}")
    for person in shown.persons:
        where = ", ".join(v for v in (person.nationality, person.location) if v)
        out.print(f"Person: {escape(person.name)}" + (f" ({escape(where)})" if where else ""))
    if shown.requested_by:
        out.print(f"Answer requested by {shown.requested_by}")
    if shown.dual_criminality:
        check = shown.dual_criminality
        verdict = "holds" if check.holds else "fails: " + "; ".join(check.failing)
        out.print(f"Dual criminality when sent {verdict}")
    if shown.ground:
        out.print(f"Refused: {escape(shown.ground_title or shown.ground.value)}")
        out.print(f"  consulted on {shown.consulted_on}; {escape(shown.reasons or '')}")
    for name, condition in shown.conditions.items():
        if condition:
            out.print(f"Condition ({name}): {escape(condition)}")
    for missing in shown.missing:
        out.print(f"[yellow]missing[/] {escape(missing)}")
    if shown.parts:
        parts = Table("executed", "measure", "by", "summary", title="Parts executed")
        for p in shown.parts:
            parts.add_row(
                str(p.executed_on),
                p.measure.value if p.measure else "",
                f"{p.agency} ({p.recorded_by})",
                escape(p.summary),
            )
        out.print(parts)
    timeline = Table("at", "agency", "who", "step", "status", "note", title="Timeline")
    for e in shown.events:
        moved = f"{e.from_status.value} → " if e.from_status else ""
        timeline.add_row(
            e.at.strftime("%Y-%m-%d %H:%M"),
            e.agency,
            e.actor,
            e.step,
            moved + e.to_status.value,
            escape(e.note),
        )
    out.print(timeline)
    sides = ", ".join(s.value for s in shown.my_sides)
    steps = ", ".join(s.value for s in shown.next_steps) or "none"
    out.print(f"You are the {sides} side; your next steps: {steps}")


@requests_app.command("show")
@handles_errors
def show_request(ctx: typer.Context, request: RequestArg, json_output: JsonOption = False) -> None:
    """The request as your side sees it: contents, timeline, parts and your next steps."""
    with on_request(ctx, request) as (session, principal, found):
        shown = views.read(session, principal, found)
    if json_output:
        emit_json(shown.model_dump(mode="json"))
        return
    _print(shown)


@requests_app.command("draft")
@handles_errors
def draft_request(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The request as JSON (the API's RequestIn).")],
    json_output: JsonOption = False,
) -> None:
    """Draft a request of your central authority to another state's."""
    payload = read_model(RequestIn, file)
    with state(ctx).work() as (session, principal):
        request = requests.draft(session, principal=principal, payload=payload, now=utcnow())
        shown = views.detail(session, principal, request)
    if json_output:
        emit_json(shown.model_dump(mode="json"))
        return
    out.print(f"Drafted {shown.reference} (id {shown.id})")
    for missing in shown.missing:
        out.print(f"[yellow]missing[/] {escape(missing)}")


@requests_app.command("revise")
@handles_errors
def revise_request(
    ctx: typer.Context,
    request: RequestArg,
    file: Annotated[Path, typer.Argument(help="The request as JSON (the API's RequestIn).")],
) -> None:
    """Rewrite your draft."""
    payload = read_model(RequestIn, file)
    with on_request(ctx, request) as (session, principal, found):
        requests.revise(session, principal=principal, request=found, payload=payload, now=utcnow())
        missing = requests.missing_contents(found)
        reference = found.reference
    out.print(f"Revised {reference}")
    for what in missing:
        out.print(f"[yellow]missing[/] {escape(what)}")


@requests_app.command("send")
@handles_errors
def send_request(ctx: typer.Context, request: RequestArg) -> None:
    """Send the draft to the requested central authority as a secure message; refused,
    naming the rule, if a content is missing, the legal basis does not apply or dual
    criminality fails where it is required."""
    cli = state(ctx)
    keyring = Keyring.of(cli.settings)
    with on_request(ctx, request) as (session, principal, found):
        requests.send(
            session,
            principal=principal,
            keyring=keyring,
            request=found,
            max_attachment_bytes=cli.settings.max_attachment_bytes,
            now=utcnow(),
        )
        done = _moved(principal, found)
    out.print(f"Sent {done}")


def _take(ctx: typer.Context, key: str, step: Step, note: str) -> None:
    with on_request(ctx, key) as (session, principal, found):
        requests.take_step(
            session, principal=principal, request=found, step=step, now=utcnow(), note=note
        )
        done = _moved(principal, found)
    out.print(done)


@requests_app.command("acknowledge")
@handles_errors
def acknowledge(ctx: typer.Context, request: RequestArg, note: NoteOption = "") -> None:
    """Acknowledge receipt (requested central authority)."""
    _take(ctx, request, Step.acknowledge, note)


@requests_app.command("assign")
@handles_errors
def assign(
    ctx: typer.Context,
    request: RequestArg,
    agency: Annotated[str, typer.Argument(help="The executing authority of your state.")],
) -> None:
    """Give the request to an authority of your state to execute (requested side)."""
    with on_request(ctx, request) as (session, principal, found):
        requests.assign(
            session, principal=principal, request=found, agency_code=agency, now=utcnow()
        )
        done = _moved(principal, found)
    out.print(done)


@requests_app.command("part")
@handles_errors
def execute_part(
    ctx: typer.Context,
    request: RequestArg,
    summary: Annotated[str, typer.Option(help="What was done.")],
    measure: Annotated[Measure | None, typer.Option(help="Which measure requested.")] = None,
    on: Annotated[
        datetime | None, typer.Option(formats=[DAY], help="Executed on (default today).")
    ] = None,
) -> None:
    """Record a part executed: a witness heard, records produced, a search made."""
    now = utcnow()
    with on_request(ctx, request) as (session, principal, found):
        requests.execute_part(
            session,
            principal=principal,
            request=found,
            measure=measure,
            executed_on=on.date() if on else now.date(),
            summary=summary,
            now=now,
        )
        done = _moved(principal, found)
    out.print(done)


@requests_app.command("answer")
@handles_errors
def answer(
    ctx: typer.Context,
    request: RequestArg,
    summary: Annotated[str, typer.Option(help="What is returned.")],
    speciality: Annotated[
        str, typer.Option(help="Use allowed (default: only the proceedings named).")
    ] = "",
    confidentiality: Annotated[str, typer.Option(help="Confidentiality asked for.")] = "",
) -> None:
    """Answer the request, with the conditions of what it returns (requested side)."""
    with on_request(ctx, request) as (session, principal, found):
        requests.answer(
            session,
            principal=principal,
            request=found,
            summary=summary,
            speciality=speciality,
            confidentiality=confidentiality,
            now=utcnow(),
        )
        done = _moved(principal, found)
    out.print(done)


@requests_app.command("consult")
@handles_errors
def consult(
    ctx: typer.Context,
    request: RequestArg,
    note: Annotated[str, typer.Option("--note", help="What about (the ground considered).")],
) -> None:
    """Consult the requesting state before refusing (requested side)."""
    _take(ctx, request, Step.consult, note)


@requests_app.command("resume")
@handles_errors
def resume(ctx: typer.Context, request: RequestArg, note: NoteOption = "") -> None:
    """The consultation is settled: the request goes on where it stood (requested side)."""
    _take(ctx, request, Step.resume, note)


@requests_app.command("refuse")
@handles_errors
def refuse(
    ctx: typer.Context,
    request: RequestArg,
    ground: Annotated[Ground, typer.Option(help="The coded ground (fiscal matters are none).")],
    reasons: Annotated[str, typer.Option(help="Why, in a few sentences.")],
    consulted_on: Annotated[
        datetime | None,
        typer.Option(formats=[DAY], help="When the requesting state was consulted (default today)"),
    ] = None,
) -> None:
    """Refuse after consultation, on a coded ground with reasons (requested side)."""
    now = utcnow()
    with on_request(ctx, request) as (session, principal, found):
        requests.refuse(
            session,
            principal=principal,
            request=found,
            ground=ground,
            reasons=reasons,
            consulted_on=consulted_on.date() if consulted_on else now.date(),
            now=now,
        )
        done = _moved(principal, found)
    out.print(done)


@requests_app.command("withdraw")
@handles_errors
def withdraw(ctx: typer.Context, request: RequestArg, note: NoteOption = "") -> None:
    """Withdraw the request before it ends (requesting side)."""
    _take(ctx, request, Step.withdraw, note)


@requests_app.command("sweep")
@handles_errors
def sweep(ctx: typer.Context) -> None:
    """Daily: remind the authority that must act as a deadline nears, escalate once past."""
    cli = state(ctx)
    with cli.work() as (session, principal):
        count = deadlines.sweep(
            session,
            principal=principal,
            reminder_days=cli.settings.judicial_reminder_days,
            now=utcnow(),
        )
    out.print(f"{count} reminders and escalations set")


@requests_app.command("statistics")
@handles_errors
def response_times(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """Response times per pair of countries, the slowest first."""
    with state(ctx).work() as (session, principal):
        figures = statistics.response_times(session, principal, today=utcnow().date())
    rows = [views.pair_out(f) for f in figures]
    if json_output:
        emit_json([r.model_dump(mode="json") for r in rows])
        return
    table = Table(
        "from",
        "to",
        "sent",
        "answered",
        "refused",
        "withdrawn",
        "open",
        "overdue",
        "median days to acknowledge",
        "median days to answer",
    )
    for row in rows:
        table.add_row(
            row.requesting,
            row.requested,
            *(
                str(n)
                for n in (row.sent, row.answered, row.refused, row.withdrawn, row.open, row.overdue)
            ),
            _days(row.median_days_to_acknowledge),
            _days(row.median_days_to_close),
        )
    out.print(table)


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"
