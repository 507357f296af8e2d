"""What the case pages share: who the reader is in a case and what the policy lets it do
there, the words for stored values, and how quantities are written."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Concatenate, ParamSpec
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from palermo.cases import timeline
from palermo.cases.schemas import EventOut
from palermo.cases.vocabulary import (
    RESULT_TITLES,
    TECHNIQUE_TITLES,
    ActionStatus,
    CaseStatus,
    JitStatus,
    MemberRole,
    TaskStatus,
)
from palermo.errors import Forbidden
from palermo.identity.principal import Principal
from palermo.models.cases import ActionDay, Case
from palermo.models.identity import Agency
from palermo.offences import iccs
from palermo.policy import cases as policy
from palermo.translatable import N_
from palermo.web import i18n
from palermo.web.templating import page

Checked = ParamSpec("Checked")

TASK_TITLES = {
    TaskStatus.open: N_("Open"),
    TaskStatus.in_progress: N_("In progress"),
    TaskStatus.done: N_("Done"),
    TaskStatus.cancelled: N_("Cancelled"),
}
JIT_TITLES = {
    JitStatus.draft: N_("Draft"),
    JitStatus.in_force: N_("In force"),
    JitStatus.closed: N_("Closed"),
}
DAY_TITLES = {
    ActionStatus.planned: N_("Planned"),
    ActionStatus.live: N_("Live"),
    ActionStatus.closed: N_("Closed"),
}
ROLE_TITLES = {
    MemberRole.lead: N_("Lead"),
    MemberRole.participant: N_("Participant"),
    MemberRole.observer: N_("Observer"),
}
CASE_TITLES = {CaseStatus.open: N_("Open"), CaseStatus.closed: N_("Closed")}
# A member's role within a sentence of the timeline.
ROLE_WORDS = {
    MemberRole.lead: N_("lead"),
    MemberRole.participant: N_("participant"),
    MemberRole.observer: N_("observer"),
}
# How the values of a timeline line are shown: days the reader's way, titles and roles
# translated.
SUMMARY_VALUES: dict[str, Callable[[str], Any]] = {
    **dict.fromkeys(("on", "valid_from", "valid_until"), date.fromisoformat),
    "technique": i18n.Said,
    "during": lambda during: i18n.Said(timeline.INTEGRITY_CHECKS[during]),
    **dict.fromkeys(
        ("role", "before", "after"), lambda role: i18n.Said(ROLE_WORDS[MemberRole(role)])
    ),
}


def summary_of(event: EventOut) -> i18n.Said | str:
    """A line of the case's timeline in the reader's language, when its text is known."""
    return i18n.recognised(timeline.SUMMARIES.get(event.kind), event.summary, SUMMARY_VALUES)


def offence_title(code: str) -> str:
    found = iccs().get(code)
    return f"{code} {i18n.gettext(found.label)}" if found else code


def amount(value: Decimal) -> str:
    """A quantity as people read it: 1,250.5 — no trailing zeros, no exponent."""
    return f"{value.normalize():,f}"


def render(request: Request, template: str, principal: Principal, **context: Any) -> Response:
    """A case page, with the words every case template uses."""
    return page(
        request,
        template,
        principal,
        task_titles=TASK_TITLES,
        jit_titles=JIT_TITLES,
        day_titles=DAY_TITLES,
        member_role_titles=ROLE_TITLES,
        case_titles=CASE_TITLES,
        result_titles=RESULT_TITLES,
        technique_titles=TECHNIQUE_TITLES,
        offence_title=offence_title,
        summary_of=summary_of,
        amount=amount,
        **context,
    )


def permitted(
    check: Callable[Concatenate[Session, Checked], object],
    session: Session,
    *args: Checked.args,
    **kwargs: Checked.kwargs,
) -> bool:
    """Whether the policy's `check` lets the principal do it (it refuses with Forbidden)."""
    try:
        check(session, *args, **kwargs)
    except Forbidden:
        return False
    return True


@dataclass(frozen=True)
class Reader:
    """The reader's agency in a case and what the policy lets it do there: the pages offer
    only those forms; the services decide all the same."""

    agency: str
    country: str
    role: MemberRole
    contributing: bool  # lead or participant, the case open
    lead: bool  # the lead, the case open


def reader_of(session: Session, principal: Principal, case: Case) -> Reader:
    member = policy.membership(session, principal, case)
    agency = session.get(Agency, member.agency_id)
    assert agency is not None
    return Reader(
        agency=agency.code,
        country=agency.country,
        role=member.role,
        contributing=permitted(policy.contributor, session, principal, case),
        lead=permitted(policy.lead, session, principal, case),
    )


def case_at_work(session: Session, principal: Principal, case_id: uuid.UUID) -> Case:
    """The case, for a worker of a member agency; a 404 to everyone else."""
    policy.may_work(principal)
    return policy.case_for(session, principal, case_id)


def day_url(case: Case, day: ActionDay, done: str = "") -> str:
    """An action day's board (saying what was just done there)."""
    return f"/cases/{case.id}/action-days/{day.id}" + (
        f"?{urlencode({'done': done})}" if done else ""
    )
