"""`palermo cases list|show|open|admit|role|leave|close|subject|task|task-update|jit|
jit-sign|jit-extend|jit-close|authorise|revoke|activity|expiring|sweep|plan|target|start|
result|board|end-action` (and `palermo cases evidence …`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from palermo.cases import actions, jit, membership, service, subjects, tasks, techniques
from palermo.cases.evidence_cli import evidence_app
from palermo.cases.schemas import ActionDayIn, ActionDayOut, AuthorisationIn, JitIn, TallyOut
from palermo.cases.vocabulary import (
    RESULT_TITLES,
    TECHNIQUE_TITLES,
    CaseStatus,
    MemberRole,
    ResultKind,
    TaskStatus,
)
from palermo.console import emit_json, handles_errors, out, read_model, state
from palermo.identity.principal import Principal
from palermo.models.base import utcnow
from palermo.models.cases import Case


@contextmanager
def on_case(ctx: typer.Context, case: str) -> Iterator[tuple[Session, Principal, Case]]:
    """A unit of work on a case the acting principal is a member of (by reference or id)."""
    with state(ctx).work() as (session, principal):
        yield session, principal, service.find(session, principal, case)


cases_app = typer.Typer(help="Cross-border investigations: cases, JITs, tasks, action days.")
cases_app.add_typer(evidence_app, name="evidence")
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
CaseArg = Annotated[str, typer.Argument(help="Case reference or id.")]
AgencyOption = Annotated[
    str | None, typer.Option("--agency", help="The agency acted for (node operator only).")
]


@cases_app.command("list")
@handles_errors
def list_cases(
    ctx: typer.Context,
    status: Annotated[CaseStatus | None, typer.Option(help="open or closed")] = None,
    q: Annotated[str | None, typer.Option(help="Words of the reference or title.")] = None,
    json_output: JsonOption = False,
) -> None:
    """The cases your agency is a member of."""
    cli = state(ctx)
    with cli.work() as (session, principal):
        rows = service.listing(session, principal, status=status, q=q)
    if json_output:
        emit_json([r.model_dump(mode="json") for r in rows])
        return
    table = Table("reference", "title", "lead", "status", "opened", "your role")
    for row in rows:
        table.add_row(
            row.reference,
            escape(row.title),
            row.lead,
            row.status.value,
            str(row.opened_on),
            row.my_role.value,
        )
    out.print(table)
    out.print(f"{len(rows)} cases")


@cases_app.command("show")
@handles_errors
def show_case(ctx: typer.Context, case: CaseArg, json_output: JsonOption = False) -> None:
    """The case file: members, subjects, tasks, JIT, authorisations, timeline."""
    with on_case(ctx, case) as (session, principal, found):
        detail = service.detail(session, principal, found, now=utcnow())
    if json_output:
        emit_json(detail.model_dump(mode="json", by_alias=True))
        return
    out.print(f"[bold]{detail.reference}[/] {escape(detail.title)} — {detail.status.value}")
    out.print(f"Led by {detail.lead}; offences {', '.join(detail.offences)}; you: {detail.my_role}")
    members = Table("agency", "country", "role", "legal basis", "joined", "left", title="Members")
    for m in detail.members:
        members.add_row(
            m.agency,
            m.country,
            m.role.value,
            escape(m.legal_basis),
            m.joined_at.date().isoformat(),
            m.left_at.date().isoformat() if m.left_at else "",
        )
    out.print(members)
    if detail.subjects or detail.withheld_subjects:
        seen = Table("record", "schema", "caption", "owner", "added by", title="Subjects")
        for s in detail.subjects:
            seen.add_row(
                s.record_id, s.schema_, escape(s.caption or "(hit only)"), s.owner, s.added_by
            )
        out.print(seen)
        for agency, count in detail.withheld_subjects.items():
            out.print(f"{count} more subjects added by {agency} that you may not see: ask {agency}")
    if detail.tasks:
        table = Table("#", "task", "for", "due", "status", "result", title="Tasks")
        for t in detail.tasks:
            table.add_row(
                str(t.number),
                escape(t.title),
                t.agency + (f" ({t.assignee})" if t.assignee else ""),
                f"{t.due_on or ''}{' overdue' if t.overdue else ''}",
                t.status.value,
                escape(t.result or ""),
            )
        out.print(table)
    if detail.jit:
        j = detail.jit
        lapsed = " — LAPSED: extend or close it" if j.lapsed else ""
        out.print(f"JIT {j.reference}: {j.status.value}, {j.starts_on} – {j.ends_on}{lapsed}")
    for a in detail.authorisations:
        out.print(
            f"{TECHNIQUE_TITLES[a.technique]} {a.reference} ({a.agency}): {a.valid_from} – "
            f"{a.valid_until} in {', '.join(a.jurisdictions)}"
            + (f", revoked {a.revoked_on}" if a.revoked_on else "")
        )
    timeline = Table("at", "agency", "who", "what", title="Timeline")
    for e in detail.timeline:
        timeline.add_row(
            e.at.strftime("%Y-%m-%d %H:%M"), e.agency or "", e.actor, escape(e.summary)
        )
    out.print(timeline)


@cases_app.command("open")
@handles_errors
def open_case(
    ctx: typer.Context,
    title: Annotated[str, typer.Option(help="The operation's name.")],
    offence: Annotated[list[str], typer.Option(help="ICCS code (repeatable).")],
    legal_basis: Annotated[str, typer.Option(help="Your agency's legal basis.")],
    summary: Annotated[str, typer.Option(help="What the case is about.")] = "",
    opened_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today)")] = None,
    agency: AgencyOption = None,
) -> None:
    """Open a case led by your agency."""
    cli = state(ctx)
    now = utcnow()
    with cli.work() as (session, principal):
        case = membership.open_case(
            session,
            principal=principal,
            title=title,
            summary=summary,
            offences=offence,
            legal_basis=legal_basis,
            opened_on=date.fromisoformat(opened_on) if opened_on else now.date(),
            now=now,
            agency_code=agency,
        )
        reference = case.reference
    out.print(f"Opened {reference}")


@cases_app.command("admit")
@handles_errors
def admit(
    ctx: typer.Context,
    case: CaseArg,
    agency: Annotated[str, typer.Argument(help="The agency admitted.")],
    legal_basis: Annotated[str, typer.Option(help="Its legal basis for taking part.")],
    role: Annotated[MemberRole, typer.Option(help="participant or observer")] = (
        MemberRole.participant
    ),
) -> None:
    """Admit an agency to the case (lead only)."""
    with on_case(ctx, case) as (session, principal, found):
        membership.admit(
            session,
            principal=principal,
            case=found,
            agency_code=agency,
            role=role,
            legal_basis=legal_basis,
            now=utcnow(),
        )
    out.print(f"{agency.upper()} joined {case} as {role.value}")


@cases_app.command("role")
@handles_errors
def change_role(
    ctx: typer.Context,
    case: CaseArg,
    agency: Annotated[str, typer.Argument(help="The member.")],
    role: Annotated[MemberRole, typer.Argument(help="lead (hands the lead over), participant…")],
) -> None:
    """Change a member's role (lead only)."""
    with on_case(ctx, case) as (session, principal, found):
        membership.change_role(
            session, principal=principal, case=found, agency_code=agency, role=role, now=utcnow()
        )
    out.print(f"{agency.upper()} is now {role.value} of {case}")


@cases_app.command("leave")
@handles_errors
def leave(
    ctx: typer.Context,
    case: CaseArg,
    agency: Annotated[str | None, typer.Option(help="Remove this member (lead only).")] = None,
) -> None:
    """Leave the case (or, as the lead, remove a member)."""
    with on_case(ctx, case) as (session, principal, found):
        membership.leave(session, principal=principal, case=found, agency_code=agency, now=utcnow())
    out.print(f"{(agency or 'your agency').upper()} left {case}")


@cases_app.command("close")
@handles_errors
def close_case(
    ctx: typer.Context,
    case: CaseArg,
    closure: Annotated[str, typer.Option(help="How the case ended.")],
    closed_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today)")] = None,
) -> None:
    """Close the case (lead only)."""
    now = utcnow()
    with on_case(ctx, case) as (session, principal, found):
        membership.close(
            session,
            principal=principal,
            case=found,
            closure=closure,
            closed_on=date.fromisoformat(closed_on) if closed_on else now.date(),
            now=now,
        )
    out.print(f"Closed {case}")


@cases_app.command("subject")
@handles_errors
def add_subject(
    ctx: typer.Context,
    case: CaseArg,
    record: Annotated[str, typer.Argument(help="A record id you see in full.")],
) -> None:
    """Add a record as a subject of the case."""
    with on_case(ctx, case) as (session, principal, found):
        subjects.add_subject(
            session, principal=principal, case=found, record_id=record, now=utcnow()
        )
    out.print(f"{record} is a subject of {case}")


@cases_app.command("task")
@handles_errors
def set_task(
    ctx: typer.Context,
    case: CaseArg,
    agency: Annotated[str, typer.Argument(help="The member agency the task is for.")],
    title: Annotated[str, typer.Argument(help="What is to be done.")],
    description: Annotated[str, typer.Option(help="Details.")] = "",
    assignee: Annotated[str | None, typer.Option(help="A username of that agency.")] = None,
    due: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
) -> None:
    """Set a task for a member agency."""
    with on_case(ctx, case) as (session, principal, found):
        task = tasks.set_task(
            session,
            principal=principal,
            case=found,
            title=title,
            description=description,
            agency_code=agency,
            assignee=assignee,
            due_on=date.fromisoformat(due) if due else None,
            now=utcnow(),
        )
        number = task.number
    out.print(f"Task #{number} set for {agency.upper()}")


@cases_app.command("task-update")
@handles_errors
def update_task(
    ctx: typer.Context,
    case: CaseArg,
    number: Annotated[int, typer.Argument(help="The task's number.")],
    status: Annotated[TaskStatus, typer.Argument(help="in_progress, done or cancelled")],
    result: Annotated[str | None, typer.Option(help="What came of it.")] = None,
    record: Annotated[list[str] | None, typer.Option(help="A record it produced.")] = None,
) -> None:
    """Move a task on, with its result."""
    with on_case(ctx, case) as (session, principal, found):
        tasks.update_task(
            session,
            principal=principal,
            case=found,
            number=number,
            status=status,
            result=result,
            result_records=record or [],
            now=utcnow(),
        )
    out.print(f"Task #{number} is {status.value}")


@cases_app.command("jit")
@handles_errors
def draft_jit(
    ctx: typer.Context,
    case: CaseArg,
    file: Annotated[Path, typer.Argument(help="The agreement as JSON (see the API's JitIn).")],
) -> None:
    """Draft the JIT agreement (lead only)."""
    body = read_model(JitIn, file)
    with on_case(ctx, case) as (session, principal, found):
        jit.draft(
            session,
            principal=principal,
            case=found,
            reference=body.reference,
            purpose=body.purpose,
            starts_on=body.starts_on,
            ends_on=body.ends_on,
            evidence_rules=body.evidence_rules,
            terms=[jit.PartyTerms(p.agency, p.applicable_law) for p in body.parties],
            now=utcnow(),
        )
    out.print(f"JIT {body.reference} drafted: each party signs it")


@cases_app.command("jit-sign")
@handles_errors
def sign_jit(
    ctx: typer.Context,
    case: CaseArg,
    signed_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today)")] = None,
) -> None:
    """Sign the JIT agreement for your agency."""
    now = utcnow()
    with on_case(ctx, case) as (session, principal, found):
        agreement = jit.sign(
            session,
            principal=principal,
            case=found,
            signed_on=date.fromisoformat(signed_on) if signed_on else now.date(),
            now=now,
        )
        status = agreement.status.value
    out.print(f"Signed; the agreement is {status}")


@cases_app.command("jit-extend")
@handles_errors
def extend_jit(
    ctx: typer.Context,
    case: CaseArg,
    new_end: Annotated[str, typer.Argument(help="YYYY-MM-DD")],
    reason: Annotated[str, typer.Option(help="Why the parties extend it.")],
    agreed_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today)")] = None,
) -> None:
    """Record the parties' extension of the JIT (lead only)."""
    now = utcnow()
    with on_case(ctx, case) as (session, principal, found):
        jit.extend(
            session,
            principal=principal,
            case=found,
            new_end=date.fromisoformat(new_end),
            reason=reason,
            agreed_on=date.fromisoformat(agreed_on) if agreed_on else now.date(),
            now=now,
        )
    out.print(f"JIT extended to {new_end}")


@cases_app.command("jit-close")
@handles_errors
def close_jit(
    ctx: typer.Context,
    case: CaseArg,
    evaluation: Annotated[str, typer.Option(help="What worked and what did not.")],
    closed_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today)")] = None,
) -> None:
    """Close the JIT with its evaluation (lead only)."""
    now = utcnow()
    with on_case(ctx, case) as (session, principal, found):
        jit.close(
            session,
            principal=principal,
            case=found,
            closed_on=date.fromisoformat(closed_on) if closed_on else now.date(),
            evaluation=evaluation,
            now=now,
        )
    out.print("JIT closed")


@cases_app.command("authorise")
@handles_errors
def record_authorisation(
    ctx: typer.Context,
    case: CaseArg,
    file: Annotated[Path, typer.Argument(help="The authorisation as JSON (AuthorisationIn).")],
) -> None:
    """Record the authorisation of a special investigative technique your agency holds."""
    body = read_model(AuthorisationIn, file)
    with on_case(ctx, case) as (session, principal, found):
        held = techniques.record_authorisation(
            session,
            principal=principal,
            case=found,
            technique=body.technique,
            reference=body.reference,
            authority=body.authority,
            scope=body.scope,
            valid_from=body.valid_from,
            valid_until=body.valid_until,
            jurisdictions=body.jurisdictions,
            now=utcnow(),
        )
        held_id = held.id
    out.print(f"Authorisation {body.reference} recorded ({held_id})")


@cases_app.command("revoke")
@handles_errors
def revoke(
    ctx: typer.Context,
    case: CaseArg,
    authorisation: Annotated[uuid.UUID, typer.Argument(help="The authorisation's id.")],
    on: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today)")] = None,
) -> None:
    """Record an authorisation's revocation."""
    now = utcnow()
    with on_case(ctx, case) as (session, principal, found):
        held = techniques.authorisation_of(session, found, authorisation)
        techniques.revoke(
            session,
            principal=principal,
            case=found,
            authorisation=held,
            on=date.fromisoformat(on) if on else now.date(),
            now=now,
        )
    out.print("Revoked")


@cases_app.command("activity")
@handles_errors
def log_activity(
    ctx: typer.Context,
    case: CaseArg,
    authorisation: Annotated[uuid.UUID, typer.Argument(help="The authorisation's id.")],
    country: Annotated[str, typer.Argument(help="Where it was done (ISO alpha-2).")],
    description: Annotated[str, typer.Argument(help="What was done.")],
    on: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today)")] = None,
) -> None:
    """Log activity under an authorisation (refused outside its days and jurisdictions)."""
    now = utcnow()
    with on_case(ctx, case) as (session, principal, found):
        held = techniques.authorisation_of(session, found, authorisation)
        techniques.log_activity(
            session,
            principal=principal,
            case=found,
            authorisation=held,
            on=date.fromisoformat(on) if on else now.date(),
            country=country,
            description=description,
            now=now,
        )
    out.print("Activity logged")


@cases_app.command("expiring")
@handles_errors
def expiring(
    ctx: typer.Context,
    days: Annotated[int | None, typer.Option(min=1, max=3650)] = None,
    json_output: JsonOption = False,
) -> None:
    """Authorisations your agency acts under that expire soon (or just did)."""
    cli = state(ctx)
    now = utcnow()
    with cli.work() as (session, principal):
        due = techniques.expiring(
            session,
            principal,
            within_days=days or cli.settings.cases_authorisation_warning_days,
            today=now.date(),
        )
        rows = [
            (d.case.reference, d.authorisation.reference, d.authorisation.technique, d) for d in due
        ]
    if json_output:
        emit_json(
            [
                {
                    "case": c,
                    "authorisation": a,
                    "technique": t.value,
                    "valid_until": d.authorisation.valid_until.isoformat(),
                    "days_left": d.days_left,
                }
                for c, a, t, d in rows
            ]
        )
        return
    table = Table("case", "authorisation", "technique", "valid until", "days left")
    for c, a, t, d in rows:
        table.add_row(c, a, TECHNIQUE_TITLES[t], str(d.authorisation.valid_until), str(d.days_left))
    out.print(table)


@cases_app.command("sweep")
@handles_errors
def sweep(ctx: typer.Context) -> None:
    """Daily: a task for each authorisation about to expire (or expired), once."""
    cli = state(ctx)
    with cli.work() as (session, principal):
        count = techniques.sweep(
            session,
            principal=principal,
            warning_days=cli.settings.cases_authorisation_warning_days,
            now=utcnow(),
        )
    out.print(f"{count} expiry warnings set")


@cases_app.command("plan")
@handles_errors
def plan_action_day(
    ctx: typer.Context,
    case: CaseArg,
    file: Annotated[Path, typer.Argument(help="The plan as JSON (ActionDayIn).")],
) -> None:
    """Plan an action day (lead only); prints its id."""
    body = read_model(ActionDayIn, file)
    with on_case(ctx, case) as (session, principal, found):
        day = actions.plan(
            session,
            principal=principal,
            case=found,
            name=body.name,
            countries=[
                actions.CountryPlan(c.country, c.agency, c.local_time, c.timezone)
                for c in body.countries
            ],
            now=utcnow(),
        )
        day_id = day.id
    out.print(f"Action day {body.name!r} planned: {day_id}")


@cases_app.command("target")
@handles_errors
def add_target(
    ctx: typer.Context,
    case: CaseArg,
    day: Annotated[uuid.UUID, typer.Argument(help="The action day's id.")],
    country: Annotated[str, typer.Argument(help="ISO alpha-2")],
    label: Annotated[str, typer.Argument(help="A person, premises, a vehicle…")],
    record: Annotated[str | None, typer.Option(help="The target's record id.")] = None,
) -> None:
    """Add a target to an action day."""
    with on_case(ctx, case) as (session, principal, found):
        actions.add_target(
            session,
            principal=principal,
            case=found,
            day=actions.action_day_of(session, found, day),
            country=country,
            label=label,
            record_id=record,
            now=utcnow(),
        )
    out.print("Target added")


@cases_app.command("start")
@handles_errors
def start_action_day(
    ctx: typer.Context,
    case: CaseArg,
    day: Annotated[uuid.UUID, typer.Argument(help="The action day's id.")],
) -> None:
    """Start the action day: the board takes results (lead only)."""
    with on_case(ctx, case) as (session, principal, found):
        actions.start(
            session,
            principal=principal,
            case=found,
            day=actions.action_day_of(session, found, day),
            now=utcnow(),
        )
    out.print("The action day is live")


@cases_app.command("result")
@handles_errors
def report_result(
    ctx: typer.Context,
    case: CaseArg,
    day: Annotated[uuid.UUID, typer.Argument(help="The action day's id.")],
    country: Annotated[str, typer.Argument(help="ISO alpha-2")],
    kind: Annotated[ResultKind, typer.Argument(help="arrest, search, seizure…")],
    quantity: Annotated[str, typer.Option(help="How many / how much.")] = "1",
    unit: Annotated[str | None, typer.Option(help="kg, units, EUR… (seizures, assets)")] = None,
    item: Annotated[str, typer.Option(help="cocaine, cash, firearm…")] = "",
    note: Annotated[str, typer.Option(help="A word on it.")] = "",
) -> None:
    """Report a result on the live board."""
    with on_case(ctx, case) as (session, principal, found):
        actions.report(
            session,
            principal=principal,
            case=found,
            day=actions.action_day_of(session, found, day),
            country=country,
            kind=kind,
            quantity=quantity,
            unit=unit,
            item=item,
            target_id=None,
            note=note,
            now=utcnow(),
        )
    out.print("Reported")


@cases_app.command("end-action")
@handles_errors
def close_action_day(
    ctx: typer.Context,
    case: CaseArg,
    day: Annotated[uuid.UUID, typer.Argument(help="The action day's id.")],
) -> None:
    """Close the action day: its results are final (lead only)."""
    with on_case(ctx, case) as (session, principal, found):
        actions.close(
            session,
            principal=principal,
            case=found,
            day=actions.action_day_of(session, found, day),
            now=utcnow(),
        )
    out.print("The action day is closed")


def _tally_row(name: str, tally: TallyOut) -> list[str]:
    goods = "; ".join(
        f"{q.quantity.normalize():f} {q.unit} {q.item}".strip() for q in tally.quantities
    )
    return [name, str(tally.arrests), str(tally.searches), str(tally.victims_safeguarded), goods]


@cases_app.command("board")
@handles_errors
def board(
    ctx: typer.Context,
    case: CaseArg,
    day: Annotated[uuid.UUID, typer.Argument(help="The action day's id.")],
    json_output: JsonOption = False,
) -> None:
    """The action day's board and its results per country and in total."""
    with on_case(ctx, case) as (session, _principal, found):
        shown: ActionDayOut = service.action_day_out(
            session, actions.action_day_of(session, found, day)
        )
    if json_output:
        emit_json(shown.model_dump(mode="json"))
        return
    out.print(f"[bold]{escape(shown.name)}[/] — {shown.status.value}")
    plan = Table("country", "led by", "local time", title="Plan")
    for c in shown.countries:
        plan.add_row(c.country, c.agency, c.local_time)
    out.print(plan)
    results = Table("country", "arrests", "searches", "victims", "seized / frozen", title="Results")
    for country, tally in shown.by_country.items():
        results.add_row(*_tally_row(country, tally))
    results.add_row(*_tally_row("[bold]total[/]", shown.total))
    out.print(results)
    for r in shown.board[:20]:
        out.print(
            f"{r.reported_at:%H:%M} {r.country} {RESULT_TITLES[r.kind]}: "
            f"{r.quantity.normalize():f} {'' if r.unit == actions.PEOPLE_AND_PLACES else r.unit} "
            f"{escape(r.item)} {escape(r.note)}".rstrip()
        )
