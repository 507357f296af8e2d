"""The home page: a dashboard of what each role needs on arrival, one panel per role held.

- officer: the agency's open tasks, hits on its records and notices, unread urgent messages;
- analyst: financial alerts awaiting triage, proposed links to review, recent cases;
- supervisor (the reviewer): notices and judicial requests awaiting them, measures and
  authorisations about to lapse;
- auditor: anomalies of the agency's audit log and the log's own state;
- agency or system administrator: users, access grants, API tokens about to expire;
- private partner: its reports to the FIU and the FIU's word on them.

Every list comes from the capability's own service, so it shows what policy lets the user
see and its consultation is audited as on the full page it links to. What the full page
asks a working context for (personal data: notices, linkage, alerts) the panel asks for
too. Panels are short (`PANEL_ITEMS`), with the count and a link to the full page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypeVar
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from palermo.assets import expiry
from palermo.audit import anomalies
from palermo.cases import service as cases
from palermo.cases import techniques
from palermo.cases.vocabulary import CaseStatus
from palermo.deps import PrincipalDep, SessionDep, SettingsDep
from palermo.errors import Forbidden, NotFound
from palermo.exchange import reading
from palermo.exchange.deps import keyring_of
from palermo.exchange.messages import Priority
from palermo.finintel import reporting, triage
from palermo.finintel import service as finintel
from palermo.finintel.typologies import TYPOLOGIES
from palermo.identity import repository as identities
from palermo.identity.principal import Principal
from palermo.identity.roles import Role
from palermo.judicial import views as judicial
from palermo.judicial.lifecycle import OPEN
from palermo.judicial.request_schemas import Direction
from palermo.linkage import review
from palermo.linkage import service as linkage
from palermo.models.base import utcnow
from palermo.models.identity import User
from palermo.models.records import Notification
from palermo.notices import service as notices
from palermo.notices.kinds import NoticeStatus
from palermo.notifications import repository as notifications
from palermo.notifications.kinds import link_of, said, task_title
from palermo.policy.records import AccessContext
from palermo.records import grants
from palermo.routing import APIRouter
from palermo.settings import Settings
from palermo.tasks import open_tasks
from palermo.translatable import N_
from palermo.web import i18n
from palermo.web.judicial.queue import due
from palermo.web.linkage.common import SCHEMA
from palermo.web.templating import page, working_context

router = APIRouter(include_in_schema=False)

PANEL_ITEMS = 8  # rows shown in one section of a panel
COUNTED = 100  # rows counted at most; beyond, the count reads "100+"
TASKS_PAGE = 100
HIT_KINDS = ("record.hit", "notice.hit")
FIU_KINDS = ("finintel.information_request", "finintel.feedback")
URGENT = (Priority.immediate, Priority.urgent)
AWAITING_TRIAGE = ("new", "in_review")

T = TypeVar("T")


@dataclass(frozen=True)
class Item:
    """One row of a section: what it is (data, shown as recorded), where it leads, when."""

    label: str | i18n.Said
    href: str | None = None
    note: str = ""  # a code, a reference or a figure, shown as is
    on: date | None = None  # a day (a due date, an expiry)
    at: datetime | None = None  # a moment (received, sent)
    flag: str | None = None  # an N_ label: "Overdue", "Unread"…
    key: str = ""  # what identifies it (data-key), for scripts and tests


@dataclass(frozen=True)
class Section:
    items: list[Item]
    total: int
    capped: bool = False  # more than `total` exist
    href: str | None = None  # the full page
    needs_context: bool = False  # shown once the purpose of the work is declared


# A section whose full page asks for the working context, before one is declared.
NEEDS_CONTEXT = Section(items=[], total=0, needs_context=True)


@dataclass(frozen=True)
class Panel:
    name: str  # the template under dashboards/: officer, analyst, reviewer…
    sections: dict[str, Section | None] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)


def section(rows: list[Item], *, href: str | None) -> Section:
    """The first `PANEL_ITEMS` of `rows` (each source fetched up to `COUNTED`), their count."""
    return Section(rows[:PANEL_ITEMS], len(rows), len(rows) >= COUNTED, href)


def permitted(build: Callable[[], T]) -> T | None:
    """The section if the user's agency and roles allow it; None where the service refuses
    (an analyst outside an FIU has no financial alerts, an agency without a linkage run no
    proposed links)."""
    try:
        return build()
    except (Forbidden, NotFound):
        return None


# Officer ----------------------------------------------------------------------------------
def tasks_section(session: Session, principal: Principal, now: datetime) -> Section:
    """The agency's open tasks, the soonest due first."""
    rows = [
        Item(
            label=task_title(task),
            href=task.link,
            on=task.due_at.date() if task.due_at else None,
            flag=N_("Overdue") if task.due_at and task.due_at < now else None,
            key=str(task.id),
        )
        for task in open_tasks(session, principal, limit=COUNTED)
    ]
    return section(rows, href="/tasks")


def notified(session: Session, principal: Principal, kinds: Iterable[str]) -> list[Notification]:
    """The agency's notifications of these kinds, newest first (at most `COUNTED` each)."""
    found = [
        n
        for kind in kinds
        for n in notifications.listing(
            session, principal, notifications.Filters(kind=kind), limit=COUNTED
        )
    ]
    return sorted(found, key=lambda n: n.created_at, reverse=True)


def hits_section(session: Session, principal: Principal) -> Section:
    """Hits on the agency's records and on the subjects of its notices."""
    found = notified(session, principal, HIT_KINDS)
    rows = [
        Item(
            label=said(n),
            href=link_of(n)[0],
            at=n.created_at,
            flag=N_("Unread") if n.read_at is None else None,
            key=str(n.id),
        )
        for n in found
    ]
    return section(rows, href="/notifications")


def urgent_messages_section(session: Session, request: Request, principal: Principal) -> Section:
    """Urgent and immediate messages to the agency that nobody there has opened yet."""
    found = [
        message
        for priority in URGENT
        for message in reading.listing(
            session,
            keyring_of(request),
            principal=principal,
            priority=priority,
            unread=True,
            limit=COUNTED,
        )
    ]
    found.sort(key=lambda m: m.sent_at, reverse=True)
    rows = [
        Item(
            label=m.subject,
            href=f"/messages/m/{m.id}",
            note=m.sender,
            at=m.sent_at,
            flag=N_("Immediate") if m.priority == Priority.immediate else N_("Urgent"),
            key=str(m.id),
        )
        for m in found
    ]
    return section(rows, href="/messages?unread=1")


# Analyst ----------------------------------------------------------------------------------
def alerts_section(
    session: Session, principal: Principal, context: AccessContext | None
) -> Section:
    finintel.analyst_fiu(session, principal)  # refuses whoever is no FIU analyst
    if context is None:
        return NEEDS_CONTEXT
    found = [
        alert
        for status in AWAITING_TRIAGE
        for alert in triage.list_alerts(session, principal, status=status, limit=COUNTED)
    ]
    rows = [
        Item(
            label=TYPOLOGIES.get(a.typology, a.typology),
            href=f"/finintel/alerts/{a.id}",
            note=f"{a.score:.2f}",
            at=a.window_end,
            flag=N_("New") if a.status == "new" else N_("In review"),
            key=str(a.id),
        )
        for a in found
    ]
    return section(rows, href="/finintel/alerts")


def links_section(
    session: Session, principal: Principal, context: AccessContext | None, now: datetime
) -> Section:
    linkage.latest_run(session, principal, SCHEMA)  # refuses non-linkers; NotFound: no run
    if context is None:
        return NEEDS_CONTEXT
    queued = review.queue(
        session, principal=principal, context=context, schema=SCHEMA, limit=COUNTED, now=now
    )
    rows = [
        Item(
            label=f"{q.pair.left_id} ↔ {q.pair.right_id}",
            href="/linkage/compare?"
            + urlencode({"left": q.pair.left_id, "right": q.pair.right_id}),
            note=f"{q.pair.probability:.2f}" if q.pair.probability is not None else "",
            key=f"{q.pair.left_id}|{q.pair.right_id}",
        )
        for q in queued
    ]
    return section(rows, href="/linkage")


def cases_section(session: Session, principal: Principal) -> Section:
    """The open cases of the agency, the latest opened first."""
    rows = [
        Item(
            label=f"{c.reference} — {c.title}",
            href=f"/cases/{c.id}",
            note=c.lead,
            on=c.opened_on,
            key=c.reference,
        )
        for c in cases.listing(session, principal, status=CaseStatus.open, limit=COUNTED)
    ]
    return section(rows, href="/cases")


# Reviewer ---------------------------------------------------------------------------------
def notices_section(
    session: Session, principal: Principal, context: AccessContext | None
) -> Section:
    if context is None:
        return NEEDS_CONTEXT
    found = notices.listing(session, principal, queue=True, limit=PANEL_ITEMS, context=context)
    rows = [
        Item(
            label=n.title,
            href=f"/notices/{n.id}",
            note=n.kind.value,
            at=n.updated_at,
            flag=N_("In review") if n.status == NoticeStatus.in_review else N_("Submitted"),
            key=str(n.id),
        )
        for n in found.items
    ]
    return Section(rows, found.total, href="/notices?tab=queue")


def requests_section(session: Session, principal: Principal, today: date) -> Section:
    """Open requests made of the agency or given it to execute, the next deadline first."""
    listed = judicial.listing(session, principal, direction=Direction.incoming, limit=COUNTED)
    waiting = [r for r in listed if r.status in OPEN]
    deadlines = due(session, principal, waiting, today)
    waiting.sort(key=lambda r: deadlines[r.id][0].due_on if r.id in deadlines else date.max)
    rows = [
        Item(
            label=r.reference,
            href=f"/judicial/{r.id}",
            note=r.requesting,
            on=deadlines[r.id][0].due_on if r.id in deadlines else None,
            flag=N_("Overdue") if r.id in deadlines and deadlines[r.id][1] else None,
            key=r.reference,
        )
        for r in waiting
    ]
    return Section(rows[:PANEL_ITEMS], len(rows), len(listed) >= COUNTED, "/judicial")


def measures_section(
    session: Session, principal: Principal, settings: Settings, now: datetime
) -> Section:
    """Freezing and seizure orders about to lapse (or lapsed): renew them or release."""
    due_soon = expiry.expiring(
        session,
        principal,
        within_days=settings.assets_expiry_warning_days,
        today=now.date(),
        now=now,
    )
    rows = [
        Item(
            label=m.asset.reference,
            href=f"/assets/{m.asset.id}",
            note=m.order.kind.value,
            on=m.expires_on,
            flag=N_("Lapsed") if m.lapsed else None,
            key=m.asset.reference,
        )
        for m in due_soon
    ]
    return section(rows, href="/assets/expiring")


def authorisations_section(
    session: Session, principal: Principal, settings: Settings, today: date
) -> Section:
    """Special-technique authorisations the agency acts under that are about to expire."""
    due_soon = techniques.expiring(
        session, principal, within_days=settings.cases_authorisation_warning_days, today=today
    )
    rows = [
        Item(
            label=f"{e.case.reference} — {e.authorisation.reference}",
            href=f"/cases/{e.case.id}",
            note=e.authorisation.technique.value,
            on=e.authorisation.valid_until,
            flag=N_("Expired") if e.expired else None,
            key=e.authorisation.reference,
        )
        for e in due_soon
    ]
    return section(rows, href="/cases/authorisations/expiring")


# Administrator ----------------------------------------------------------------------------
def users_section(session: Session, principal: Principal, now: datetime) -> Section:
    """The users the administrator manages, those disabled or locked out first."""
    users = identities.administrable_users(session, principal=principal)

    def flag(user: User) -> str | None:
        if not user.active:
            return N_("Disabled")
        if user.locked_until is not None and user.locked_until > now:
            return N_("Locked out")
        return None

    rows = [
        Item(label=u.username, href="/agency", note=u.agency.code, flag=flag(u), key=u.username)
        for u in users
    ]
    rows.sort(key=lambda item: item.flag is None)
    return Section(rows[:PANEL_ITEMS], len(rows), href="/agency")


def grants_section(session: Session, principal: Principal, now: datetime, by: datetime) -> Section:
    """Access grants in force, given or received by the agency, the soonest to expire first."""
    in_force = [
        g
        for g in grants.grants_of(session, principal)
        if g.revoked_at is None and (g.expires_at is None or g.expires_at > now)
    ]
    in_force.sort(key=lambda g: g.expires_at or datetime.max.replace(tzinfo=now.tzinfo))
    rows = [
        Item(
            label=f"{g.owner.code} → {g.grantee.code}",
            note=" · ".join(
                str(part) for part in (g.level.value, g.schema, g.purpose, g.record_id) if part
            ),
            at=g.expires_at,
            flag=N_("Expires soon") if g.expires_at is not None and g.expires_at <= by else None,
            key=str(g.id),
        )
        for g in in_force
    ]
    return Section(rows[:PANEL_ITEMS], len(rows))


def tokens_section(session: Session, principal: Principal, now: datetime, by: datetime) -> Section:
    """API tokens of the administered users that expire within the warning window."""
    expiring = identities.tokens_expiring(session, principal=principal, by=by, now=now)
    rows = [
        Item(
            label=f"{t.user.username} · {t.name}",
            note=f"{t.prefix}…",
            at=t.expires_at,
            key=str(t.id),
        )
        for t in expiring
    ]
    return Section(rows[:PANEL_ITEMS], len(rows))


# Private partner --------------------------------------------------------------------------
def reports_section(session: Session, principal: Principal) -> Section:
    """The partner's reports to its FIU and where each stands."""
    rows = [
        Item(
            label=r.reference,
            href=f"/finintel/reports/{r.fiu_reference}",
            note=r.fiu_reference,
            at=r.received_at,
            flag=REPORT_STATUS_TITLES.get(r.status),
            key=r.fiu_reference,
        )
        for r in reporting.list_reports(session, principal, limit=COUNTED)
    ]
    return section(rows, href="/finintel/reports")


def fiu_word_section(session: Session, principal: Principal) -> Section:
    """What the FIU told the partner: requests for more information, feedback."""
    rows = [
        Item(
            label=said(n),
            at=n.created_at,
            flag=N_("Unread") if n.read_at is None else None,
            key=str(n.id),
        )
        for n in notified(session, principal, FIU_KINDS)
    ]
    return section(rows, href="/notifications")


REPORT_STATUS_TITLES = {
    "received": N_("Received"),
    "under_analysis": N_("Under analysis"),
    "information_requested": N_("Information requested"),
    "closed": N_("Closed"),
    "disseminated": N_("Disseminated"),
}


# Panels -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Arrival:
    """What the panels are built from: the request, its user, the moment."""

    request: Request
    session: Session
    settings: Settings
    principal: Principal
    now: datetime

    @property
    def context(self) -> AccessContext | None:
        return working_context(self.request)


def officer_panel(a: Arrival) -> Panel:
    return Panel(
        "officer",
        {
            "tasks": tasks_section(a.session, a.principal, a.now),
            "hits": hits_section(a.session, a.principal),
            "messages": permitted(
                lambda: urgent_messages_section(a.session, a.request, a.principal)
            ),
        },
    )


def analyst_panel(a: Arrival) -> Panel:
    return Panel(
        "analyst",
        {
            "alerts": permitted(lambda: alerts_section(a.session, a.principal, a.context)),
            "links": permitted(lambda: links_section(a.session, a.principal, a.context, a.now)),
            "cases": permitted(lambda: cases_section(a.session, a.principal)),
        },
    )


def reviewer_panel(a: Arrival) -> Panel:
    return Panel(
        "reviewer",
        {
            "notices": permitted(lambda: notices_section(a.session, a.principal, a.context)),
            "requests": permitted(lambda: requests_section(a.session, a.principal, a.now.date())),
            "measures": permitted(
                lambda: measures_section(a.session, a.principal, a.settings, a.now)
            ),
            "authorisations": permitted(
                lambda: authorisations_section(a.session, a.principal, a.settings, a.now.date())
            ),
        },
    )


def auditor_panel(a: Arrival) -> Panel:
    found = anomalies.review(
        a.session, principal=a.principal, node_key=a.request.app.state.node_key.public, now=a.now
    )
    return Panel(
        "auditor",
        extra={
            "review": found,
            "rule_titles": anomalies.RULE_TITLES,
            "lookback_days": anomalies.LOOKBACK.days,
        },
    )


def administrator_panel(a: Arrival) -> Panel:
    by = a.now + timedelta(days=a.settings.credentials_expiry_warning_days)
    return Panel(
        "administrator",
        {
            "users": users_section(a.session, a.principal, a.now),
            "grants": grants_section(a.session, a.principal, a.now, by),
            "tokens": tokens_section(a.session, a.principal, a.now, by),
        },
        extra={"warning_days": a.settings.credentials_expiry_warning_days},
    )


def partner_panel(a: Arrival) -> Panel:
    return Panel(
        "partner",
        {
            "reports": reports_section(a.session, a.principal),
            "fiu": fiu_word_section(a.session, a.principal),
        },
    )


# Most relevant first: the queues others wait on, then one's own work, then oversight.
PANELS: tuple[tuple[frozenset[Role], Callable[[Arrival], Panel]], ...] = (
    (frozenset({Role.supervisor}), reviewer_panel),
    (frozenset({Role.officer}), officer_panel),
    (frozenset({Role.analyst}), analyst_panel),
    (frozenset({Role.partner}), partner_panel),
    (frozenset({Role.auditor}), auditor_panel),
    (frozenset({Role.agency_admin, Role.system_admin}), administrator_panel),
)


def panels(arrival: Arrival) -> list[Panel]:
    """One panel for each role the user holds (administrators of both kinds share one)."""
    return [build(arrival) for roles, build in PANELS if arrival.principal.has_role(*roles)]


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> Response:
    """What needs the user's attention, one panel per role."""
    arrival = Arrival(request, session, settings, principal, utcnow())
    return page(
        request,
        "dashboards/home.html",
        principal,
        agency=identities.agency_by_code(session, principal.agency_code or ""),
        panels=panels(arrival),
        context_url="/context?" + urlencode({"next": "/"}),
    )


@router.get("/tasks", response_class=HTMLResponse)
def tasks_page(request: Request, session: SessionDep, principal: PrincipalDep) -> Response:
    """The agency's open tasks, the soonest due first."""
    tasks = open_tasks(session, principal, limit=TASKS_PAGE)
    titles = {task.id: task_title(task) for task in tasks}
    return page(
        request, "dashboards/tasks.html", principal, tasks=tasks, titles=titles, now=utcnow()
    )
