"""What the judicial pages share: the words for stored values, who the reader's agency is
(a central authority drafts and sends; any authority of the requested state may execute),
and how a page is drawn."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from palermo.errors import Forbidden
from palermo.identity import repository as directory
from palermo.identity.principal import Principal
from palermo.identity.roles import AgencyKind
from palermo.judicial.deadlines import MILESTONE_TITLES, Milestone
from palermo.judicial.lifecycle import (
    GROUND_TITLES,
    KIND_TITLES,
    MEASURE_TITLES,
    RequestKind,
    Side,
    Status,
    Step,
)
from palermo.judicial.treaties import DualCriminality, TreatyKind
from palermo.models.identity import Agency
from palermo.policy import judicial as policy
from palermo.web.cases.views import offence_title
from palermo.web.templating import page

# Short names for the queue's rows and filters.
KIND_NAMES = {
    RequestKind.mla: "MLA",
    RequestKind.extradition: "Extradition",
    RequestKind.recognition: "Recognition",
}
STATUS_TITLES = {
    Status.draft: "Draft",
    Status.sent: "Sent",
    Status.acknowledged: "Acknowledged",
    Status.assigned: "Assigned",
    Status.in_execution: "In execution",
    Status.consultation: "In consultation",
    Status.answered: "Answered",
    Status.refused: "Refused",
    Status.withdrawn: "Withdrawn",
}
SIDE_TITLES = {
    Side.requesting: "requesting",
    Side.requested: "requested",
    Side.executing: "executing",
}
STEP_TITLES = {
    Step.send: "Send the request",
    Step.acknowledge: "Acknowledge receipt",
    Step.assign: "Assign for execution",
    Step.execute: "Record a part executed",
    Step.answer: "Answer",
    Step.consult: "Consult the requesting state",
    Step.resume: "Resume after consultation",
    Step.refuse: "Refuse",
    Step.withdraw: "Withdraw the request",
}
# What each line of a request's timeline says was done.
EVENT_TITLES = {
    "draft": "drafted it",
    Step.send: "sent it",
    Step.acknowledge: "acknowledged receipt",
    Step.assign: "assigned it",
    Step.execute: "recorded a part executed",
    Step.answer: "answered",
    Step.consult: "opened a consultation",
    Step.resume: "resumed it",
    Step.refuse: "refused it",
    Step.withdraw: "withdrew it",
}
DUAL_CRIMINALITY_TITLES = {
    DualCriminality.required: "dual criminality required",
    DualCriminality.optional: "dual criminality optional (the requested state may ask for it)",
    DualCriminality.not_required: "no dual criminality required",
}
TREATY_KIND_TITLES = {
    TreatyKind.bilateral: "bilateral",
    TreatyKind.union_law: "union law",
    TreatyKind.regional: "regional",
    TreatyKind.multilateral: "worldwide",
}
DEADLINE_TITLES = {m: f"Time to {MILESTONE_TITLES[m]}" for m in Milestone} | {
    Milestone.requested: "Answer by the date asked"
}
# The next deadline, in a row of the queue: "acknowledge by 2026-12-05".
DUE_TITLES = {
    Milestone.acknowledge: "acknowledge by",
    Milestone.decide: "decide by",
    Milestone.execute: "execute by",
    Milestone.requested: "answer, as asked, by",
}


def central_authority(session: Session, principal: Principal) -> Agency | None:
    """The reader's agency when it is a central authority (which drafts and sends)."""
    agency = directory.agency_by_code(session, principal.agency_code or "")
    return agency if agency is not None and agency.kind == AgencyKind.central_authority else None


def drafting_authority(session: Session, principal: Principal) -> Agency:
    """The reader's central authority, which drafts; Forbidden to anyone else."""
    policy.may_work(principal)
    agency = central_authority(session, principal)
    if agency is None:
        raise Forbidden("requests are drafted and sent by central authorities (Art. 18(13))")
    return agency


def years(value: object) -> str:
    """A maximum penalty in years as the registry gives it (None: life)."""
    return "life" if value is None else f"{value} years"


def render(
    request: Request, session: Session, template: str, principal: Principal, **context: Any
) -> Response:
    """A judicial page, with the words every judicial template uses (and whether the reader
    works for a central authority, which drafts)."""
    return page(
        request,
        template,
        principal,
        central=central_authority(session, principal) is not None,
        request_kinds=KIND_TITLES,
        kind_names=KIND_NAMES,
        measure_titles=MEASURE_TITLES,
        status_titles=STATUS_TITLES,
        side_titles=SIDE_TITLES,
        step_titles=STEP_TITLES,
        event_titles=EVENT_TITLES,
        ground_titles=GROUND_TITLES,
        deadline_titles=DEADLINE_TITLES,
        due_titles=DUE_TITLES,
        dual_criminality_titles=DUAL_CRIMINALITY_TITLES,
        treaty_kind_titles=TREATY_KIND_TITLES,
        offence_title=offence_title,
        years=years,
        **context,
    )
