"""Financial intelligence pages: the reporting portal of a private partner (its reports, the
upload form, each report with the FIU's feedback and requests), and the FIU's desk — the
reports filed with it, the alert queue, an alert with its triage, an account's flows and
a trace of the money drawn as a Sankey diagram.

Who sees what is decided by the services (`finintel.reporting`, `finintel.service`,
`finintel.triage`) from the principal's agency kind and roles. The FIU's staff consult
under the declared working context (purpose and justification); a reporter reading its
own reports is not consulting intelligence and is not asked for one."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.db import attempt
from palermo.deps import PrincipalDep, SessionDep, SettingsDep
from palermo.errors import Forbidden, Invalid, PalermoError
from palermo.exchange.deps import keyring_of
from palermo.finintel import reporting, service, tracing, triage
from palermo.finintel.filing import REPORT_KINDS, Problem, ReportRejected
from palermo.finintel.typologies import TYPOLOGIES
from palermo.identity.principal import Principal
from palermo.models.base import utcnow
from palermo.models.finintel import ReportingEntity
from palermo.models.identity import Agency
from palermo.policy.records import AccessContext
from palermo.routing import APIRouter
from palermo.settings import Settings
from palermo.translatable import N_
from palermo.web import i18n
from palermo.web.templating import page
from palermo.web.workspace import context_or_redirect

router = APIRouter(include_in_schema=False)

REFUSED = "financial intelligence is the work of FIUs and their reporting entities"
FORMATS = {"goaml": "goAML XML", "csv": N_("CSV (one row per transaction)"), "json": "JSON"}
STATUS_TITLES = {
    # reports
    "received": N_("Received"),
    "under_analysis": N_("Under analysis"),
    "information_requested": N_("Information requested"),
    "closed": N_("Closed"),
    # alerts
    "new": N_("New"),
    "in_review": N_("In review"),
    "dismissed": N_("Dismissed"),
    "escalated": N_("Escalated"),
    # both
    "disseminated": N_("Disseminated"),
}
MESSAGE_TITLES = {
    "feedback": N_("Feedback"),
    "information_request": N_("Request for more information"),
    "reply": N_("Reply"),
}
ACTION_TITLES = {
    "review": N_("Take into review"),
    "dismiss": N_("Dismiss"),
    "escalate": N_("Escalate to a case"),
    "reopen": N_("Reopen"),
    "disseminate": N_("Disseminate"),
}
# The transactions of an alert shown on its page (an alert names a few dozen at most).
ALERT_TRANSACTIONS = 200
ACCOUNT_PAYMENTS = 100
TRACE_ROWS = 500
CHART_WIDTH, CHART_HEIGHT = 760.0, 220.0

Text = Annotated[str, Form(max_length=5_000)]


# Who is asking ---------------------------------------------------------------------------
def _side(session: Session, principal: Principal) -> str:
    """The side of the principal: `reporter` for a private partner's users, `fiu` for an
    FIU's staff; anyone else is refused before being asked why."""
    if principal.private_partner:
        return "reporter"
    try:
        reporting.fiu_of(session, principal)
    except Forbidden:
        raise Forbidden(REFUSED) from None
    return "fiu"


def _reader(
    request: Request, session: Session, principal: Principal
) -> tuple[str, AccessContext | None] | Response:
    """The side of the principal and, for the FIU's staff, the declared working context
    (or the redirect that asks for it)."""
    side = _side(session, principal)
    if side == "reporter":
        return side, None
    context = context_or_redirect(request)
    if isinstance(context, Response):
        return context
    return side, context


def _analyst(request: Request, session: Session, principal: Principal) -> AccessContext | Response:
    service.analyst_fiu(session, principal)  # refuse before asking why
    return context_or_redirect(request)


@router.get("/finintel", response_class=HTMLResponse)
def landing(session: SessionDep, principal: PrincipalDep) -> Response:
    """A reporter to its reports, the FIU's analysts to the alert queue, its other staff
    to the reports filed with it."""
    side = _side(session, principal)
    if side == "fiu" and principal.has_role(*service.ANALYSTS):
        return RedirectResponse("/finintel/alerts", status_code=303)
    return RedirectResponse("/finintel/reports", status_code=303)


# Reports -----------------------------------------------------------------------------------
def _agency_names(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, Agency]:
    if not ids:
        return {}
    return {a.id: a for a in session.scalars(select(Agency).where(Agency.id.in_(ids)))}


@router.get("/finintel/reports", response_class=HTMLResponse)
def reports_page(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    status: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    reader = _reader(request, session, principal)
    if isinstance(reader, Response):
        return reader
    side, _ = reader
    error = None
    if status and status not in reporting.STATUSES:
        error, status = f"unknown status {status!r}", ""
    rows = reporting.list_reports(session, principal, status=status or None, limit=500)
    agencies = _agency_names(
        session, {r.reporter_agency_id for r in rows} | {r.fiu_agency_id for r in rows}
    )
    return page(
        request,
        "finintel/reports.html",
        principal,
        side=side,
        reports=rows,
        agencies=agencies,
        status=status,
        statuses=reporting.STATUSES,
        error=error,
        **_titles(),
    )


def _filing_choices(session: Session, principal: Principal, side: str) -> dict[str, Any]:
    """A reporter registered with several FIUs names the FIU; an FIU's staff entering a
    report sent otherwise name the reporter."""
    if side == "fiu":
        return {
            "reporters": [
                (agency.code, agency.name, entity.registration)
                for entity, agency in reporting.reporters(session, principal)
            ],
            "fius": [],
        }
    fius = session.execute(
        select(Agency.code, Agency.name)
        .join(ReportingEntity, ReportingEntity.fiu_agency_id == Agency.id)
        .where(ReportingEntity.agency_id == principal.agency_id)
        .order_by(Agency.code)
    ).all()
    return {"reporters": [], "fius": [(code, name) for code, name in fius]}


def _upload_page(
    request: Request,
    session: Session,
    principal: Principal,
    side: str,
    *,
    form: dict[str, str] | None = None,
    problems: list[Problem] | None = None,
    error: i18n.Said | None = None,
    status_code: int = 200,
) -> Response:
    return page(
        request,
        "finintel/upload.html",
        principal,
        side=side,
        formats=FORMATS,
        form=form or {"format": "goaml", "fiu": "", "reporter": ""},
        problems=problems,
        error=error,
        status_code=status_code,
        **_filing_choices(session, principal, side),
    )


@router.get("/finintel/reports/new", response_class=HTMLResponse)
def upload_form(request: Request, session: SessionDep, principal: PrincipalDep) -> Response:
    reader = _reader(request, session, principal)
    if isinstance(reader, Response):
        return reader
    return _upload_page(request, session, principal, reader[0])


@router.post("/finintel/reports/new", response_class=HTMLResponse)
def file_report(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File(description="goAML XML, CSV or JSON")],
    format: Annotated[str, Form(max_length=8)] = "goaml",
    fiu: Annotated[str, Form(max_length=32)] = "",
    reporter: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """File a report, all or nothing: a refused file shows every problem and leaves nothing
    behind but the audit line of the refusal."""
    reader = _reader(request, session, principal)
    if isinstance(reader, Response):
        return reader
    side = reader[0]
    form = {"format": format, "fiu": fiu, "reporter": reporter}
    try:
        content = file.file.read(settings.max_request_bytes + 1)
        report = attempt(
            session,
            lambda: reporting.submit(
                session,
                principal,
                settings,
                content=content,
                format=format,
                now=utcnow(),
                reporter_code=reporter or None,
                fiu_code=fiu or None,
            ),
        )
    except ReportRejected as refused:
        return _upload_page(
            request,
            session,
            principal,
            side,
            form=form,
            problems=refused.problems,
            error=i18n.said(refused),
            status_code=refused.status_code,
        )
    except PalermoError as failure:
        return _upload_page(
            request,
            session,
            principal,
            side,
            form=form,
            error=i18n.said(failure),
            status_code=failure.status_code,
        )
    return RedirectResponse(_report_url(report.fiu_reference, filed="1"), status_code=303)


def _report_url(fiu_reference: str, **query: str) -> str:
    suffix = "?" + urlencode(query) if query else ""
    return f"/finintel/reports/{quote(fiu_reference, safe='')}{suffix}"


@dataclass
class FormState:
    """A refused form, shown again with what was typed and why."""

    values: dict[str, Any] = field(default_factory=dict)
    error: str | i18n.Said | None = None


def _report_page(
    request: Request,
    session: Session,
    principal: Principal,
    side: str,
    fiu_reference: str,
    *,
    states: dict[str, FormState] | None = None,
    filed: bool = False,
    done: str = "",
    status_code: int = 200,
) -> Response:
    report = reporting.get_report(session, principal, fiu_reference)  # audited
    thread = reporting.messages(session, report)
    agencies = _agency_names(
        session,
        {report.reporter_agency_id, report.fiu_agency_id} | {m.agency_id for m in thread},
    )
    return page(
        request,
        "finintel/report.html",
        principal,
        side=side,
        report=report,
        thread=thread,
        agencies=agencies,
        kind_title=REPORT_KINDS.get(report.kind, report.kind),
        statuses=reporting.STATUSES,
        message_kinds=("reply",) if side == "reporter" else ("feedback", "information_request"),
        states=states or {},
        filed=filed,
        done=done,
        status_code=status_code,
        **_titles(),
    )


@router.get("/finintel/reports/{fiu_reference}", response_class=HTMLResponse)
def report_page(
    request: Request,
    fiu_reference: str,
    session: SessionDep,
    principal: PrincipalDep,
    filed: Annotated[str, Query(max_length=1)] = "",
    done: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    reader = _reader(request, session, principal)
    if isinstance(reader, Response):
        return reader
    return _report_page(
        request, session, principal, reader[0], fiu_reference, filed=bool(filed), done=done
    )


@router.post("/finintel/reports/{fiu_reference}/messages", response_class=HTMLResponse)
def send_message(
    request: Request,
    fiu_reference: str,
    session: SessionDep,
    principal: PrincipalDep,
    kind: Annotated[str, Form(max_length=32)] = "reply",
    body: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """The FIU's feedback or request for more information; the reporter's reply."""
    reader = _reader(request, session, principal)
    if isinstance(reader, Response):
        return reader
    try:
        attempt(
            session,
            lambda: reporting.add_message(
                session, principal, fiu_reference, kind=kind, body=body, now=utcnow()
            ),
        )
    except PalermoError as failure:
        state = FormState({"kind": kind, "body": body}, i18n.said(failure))
        return _report_page(
            request,
            session,
            principal,
            reader[0],
            fiu_reference,
            states={"message": state},
            status_code=failure.status_code,
        )
    return RedirectResponse(_report_url(fiu_reference, done=kind) + "#thread", status_code=303)


@router.post("/finintel/reports/{fiu_reference}/status", response_class=HTMLResponse)
def change_status(
    request: Request,
    fiu_reference: str,
    session: SessionDep,
    principal: PrincipalDep,
    status: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    reader = _reader(request, session, principal)
    if isinstance(reader, Response):
        return reader
    try:
        attempt(session, lambda: reporting.set_status(session, principal, fiu_reference, status))
    except PalermoError as failure:
        state = FormState({"status": status}, i18n.said(failure))
        return _report_page(
            request,
            session,
            principal,
            reader[0],
            fiu_reference,
            states={"status": state},
            status_code=failure.status_code,
        )
    return RedirectResponse(_report_url(fiu_reference, done="status"), status_code=303)


# Alerts ------------------------------------------------------------------------------------
@router.get("/finintel/alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    status: Annotated[str, Query(max_length=32)] = "",
    typology: Annotated[str, Query(max_length=32)] = "",
    account: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    context = _analyst(request, session, principal)
    if isinstance(context, Response):
        return context
    error, alerts = None, []
    try:
        alerts = triage.list_alerts(
            session,
            principal,
            status=status or None,
            typology=typology or None,
            account=account.strip() or None,
        )
    except PalermoError as failure:
        error = i18n.said(failure)
    return page(
        request,
        "finintel/alerts.html",
        principal,
        side="fiu",
        alerts=alerts,
        filters={"status": status, "typology": typology, "account": account},
        statuses=triage.STATUSES,
        error=error,
        status_code=422 if error else 200,
        **_titles(),
    )


def _alert_url(alert_id: uuid.UUID, **query: str) -> str:
    suffix = "?" + urlencode(query) if query else ""
    return f"/finintel/alerts/{alert_id}{suffix}"


def _alert_page(
    request: Request,
    session: Session,
    principal: Principal,
    settings: Settings,
    context: AccessContext,
    alert_id: uuid.UUID,
    *,
    states: dict[str, FormState] | None = None,
    done: str = "",
    status_code: int = 200,
) -> Response:
    alert = triage.get_alert(session, principal, alert_id)
    states = states or {}
    possible = [a for a, (sources, _) in triage.MOVES.items() if alert.status in sources]
    return page(
        request,
        "finintel/alert.html",
        principal,
        side="fiu",
        alert=alert,
        transactions=service.alert_transactions(
            session, principal, settings, alert, context, limit=ALERT_TRANSACTIONS
        ),
        history=triage.history(session, alert),
        actions=[a for a in triage.MOVES if a in possible or a in states],
        states=states,
        done=ACTION_TITLES.get(done),
        status_code=status_code,
        **_titles(),
    )


@router.get("/finintel/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(
    request: Request,
    alert_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    done: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    context = _analyst(request, session, principal)
    if isinstance(context, Response):
        return context
    return _alert_page(request, session, principal, settings, context, alert_id, done=done)


@router.post("/finintel/alerts/{alert_id}/triage", response_class=HTMLResponse)
def move_alert(
    request: Request,
    alert_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    action: Annotated[str, Form(max_length=16)],
    note: Text = "",
    reference: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Review, dismiss (say why), escalate to a case (name it) or reopen."""
    context = _analyst(request, session, principal)
    if isinstance(context, Response):
        return context
    try:
        attempt(
            session,
            lambda: triage.move(
                session,
                principal,
                alert_id,
                action=action,
                now=utcnow(),
                note=note or None,
                reference=reference.strip() or None,
            ),
        )
    except PalermoError as failure:
        state = FormState({"note": note, "reference": reference}, i18n.said(failure))
        return _alert_page(
            request,
            session,
            principal,
            settings,
            context,
            alert_id,
            states={action if action in triage.MOVES else "review": state},
            status_code=failure.status_code,
        )
    return RedirectResponse(_alert_url(alert_id, done=action), status_code=303)


@router.post("/finintel/alerts/{alert_id}/disseminate", response_class=HTMLResponse)
def disseminate_alert(
    request: Request,
    alert_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    recipients: Annotated[str, Form(max_length=2_000)] = "",
    note: Text = "",
) -> Response:
    """Send the alert to partner FIUs or police agencies as an H2 message."""
    context = _analyst(request, session, principal)
    if isinstance(context, Response):
        return context
    codes = [c.upper() for c in re.split(r"[\s,;]+", recipients) if c]
    try:
        if len(codes) > 50:
            raise Invalid("at most 50 recipient agencies")
        attempt(
            session,
            lambda: triage.disseminate(
                session,
                principal,
                keyring_of(request),
                alert_id,
                recipients=codes,
                note=note,
                max_attachment_bytes=settings.max_attachment_bytes,
                now=utcnow(),
            ),
        )
    except PalermoError as failure:
        state = FormState({"recipients": recipients, "note": note}, i18n.said(failure))
        return _alert_page(
            request,
            session,
            principal,
            settings,
            context,
            alert_id,
            states={"disseminate": state},
            status_code=failure.status_code,
        )
    return RedirectResponse(_alert_url(alert_id, done="disseminate"), status_code=303)


# Accounts ----------------------------------------------------------------------------------
def daily_chart(daily: list[dict[str, Any]]) -> dict[str, Any]:
    """Bars of what went in (up) and out (down) each day, on a time axis from the first day
    to the last (days without payments are gaps), as SVG coordinates."""
    if not daily:
        return {"bars": []}
    first: date = daily[0]["day"]
    last: date = daily[-1]["day"]
    span = (last - first).days + 1
    top = max(max(float(d["in_eur"]), float(d["out_eur"])) for d in daily) or 1.0
    middle = CHART_HEIGHT / 2
    room = middle - 8
    width = CHART_WIDTH / span
    bars = []
    for d in daily:
        x = (d["day"] - first).days * width
        money_in, money_out = float(d["in_eur"]), float(d["out_eur"])
        bars.append(
            {
                "day": d["day"],
                "x": round(x, 2),
                "width": round(max(width * 0.8, 1.0), 2),
                "in_eur": money_in,
                "out_eur": money_out,
                "payments": d["payments"],
                "in_height": round(money_in / top * room, 2),
                "out_height": round(money_out / top * room, 2),
            }
        )
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "middle": middle,
        "top": top,
        "first": first,
        "last": last,
        "bars": bars,
    }


def account_url(key: str | None) -> str:
    return f"/finintel/accounts/{quote(key or '', safe='')}"


@router.get("/finintel/accounts/{key:path}", response_class=HTMLResponse)
def account_page(
    request: Request,
    key: str,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> Response:
    context = _analyst(request, session, principal)
    if isinstance(context, Response):
        return context
    found = service.account(
        session, principal, settings, key=key, context=context, limit=ACCOUNT_PAYMENTS
    )
    daily = found["daily"]
    return page(
        request,
        "finintel/account.html",
        principal,
        side="fiu",
        account=found,
        chart=daily_chart(daily),
        totals={
            "in_eur": sum(float(d["in_eur"]) for d in daily),
            "out_eur": sum(float(d["out_eur"]) for d in daily),
            "payments": sum(int(d["payments"]) for d in daily),
        },
        **_titles(),
    )


# Tracing -----------------------------------------------------------------------------------
def _day_start(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, UTC) if day else None


def _day_end(day: date | None) -> datetime | None:
    return datetime.combine(day, time.max, UTC) if day else None


@router.get("/finintel/trace", response_class=HTMLResponse)
def trace_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    origin: Annotated[str, Query(max_length=200)] = "",
    direction: tracing.Direction = tracing.Direction.forward,
    hops: Annotated[int, Query(ge=1, le=tracing.MAX_HOPS)] = 4,
    method: tracing.Method = tracing.Method.fifo,
    since: date | None = None,
    until: date | None = None,
    min_amount: Annotated[float, Query(ge=0)] = tracing.DEFAULT_MIN_AMOUNT,
) -> Response:
    """Forward (where did it go?) or backward (where did it come from?) from an account or
    a transaction: the flows with the traced amounts they carried, and their diagram."""
    context = _analyst(request, session, principal)
    if isinstance(context, Response):
        return context
    form = {
        "origin": origin.strip(),
        "direction": direction.value,
        "hops": hops,
        "method": method.value,
        "since": since.isoformat() if since else "",
        "until": until.isoformat() if until else "",
        "min_amount": min_amount,
    }
    result = error = None
    status_code = 200
    if form["origin"]:
        try:
            result = service.trace(
                session,
                principal,
                settings,
                origin=origin.strip(),
                direction=direction,
                hops=hops,
                method=method,
                since=_day_start(since),
                until=_day_end(until),
                min_amount=min_amount,
                context=context,
            ).as_dict()
        except PalermoError as failure:
            error, status_code = i18n.said(failure), failure.status_code
    diagram = None
    if result is not None:
        diagram = {
            "direction": result["direction"],
            "origin": result["origin"],
            "flows": [
                {
                    "hop": f["hop"],
                    "source": f["source"],
                    "target": f["target"],
                    "attributed_eur": f["attributed_eur"],
                }
                for f in result["flows"]
            ],
        }
    return page(
        request,
        "finintel/trace.html",
        principal,
        side="fiu",
        form=form,
        result=result,
        diagram=diagram,
        shown=TRACE_ROWS,
        error=error,
        status_code=status_code,
        **_titles(),
    )


def _titles() -> dict[str, Any]:
    """What every financial-intelligence template uses to name things."""
    return {
        "status_titles": STATUS_TITLES,
        "message_titles": MESSAGE_TITLES,
        "action_titles": ACTION_TITLES,
        "typologies": TYPOLOGIES,
        "report_kinds": REPORT_KINDS,
        "account_url": account_url,
    }
