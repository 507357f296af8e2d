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
from palermo.judicial.deadlines import Milestone
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
from palermo.translatable import N_
from palermo.web.cases.views import offence_title
from palermo.web.templating import page

# Short names for the queue's rows and filters.
KIND_NAMES = {
    RequestKind.mla: N_("MLA"),
    RequestKind.extradition: N_("Extradition"),
    RequestKind.recognition: N_("Recognition"),
}
STATUS_TITLES = {
    Status.draft: N_("Draft"),
    Status.sent: N_("Sent"),
    Status.acknowledged: N_("Acknowledged"),
    Status.assigned: N_("Assigned"),
    Status.in_execution: N_("In execution"),
    Status.consultation: N_("In consultation"),
    Status.answered: N_("Answered"),
    Status.refused: N_("Refused"),
    Status.withdrawn: N_("Withdrawn"),
}
SIDE_TITLES = {
    Side.requesting: N_("requesting"),
    Side.requested: N_("requested"),
    Side.executing: N_("executing"),
}
STEP_TITLES = {
    Step.send: N_("Send the request"),
    Step.acknowledge: N_("Acknowledge receipt"),
    Step.assign: N_("Assign for execution"),
    Step.execute: N_("Record a part executed"),
    Step.answer: N_("Answer"),
    Step.consult: N_("Consult the requesting state"),
    Step.resume: N_("Resume after consultation"),
    Step.refuse: N_("Refuse"),
    Step.withdraw: N_("Withdraw the request"),
}
# What each line of a request's timeline says was done.
EVENT_TITLES = {
    "draft": N_("drafted it"),
    Step.send: N_("sent it"),
    Step.acknowledge: N_("acknowledged receipt"),
    Step.assign: N_("assigned it"),
    Step.execute: N_("recorded a part executed"),
    Step.answer: N_("answered"),
    Step.consult: N_("opened a consultation"),
    Step.resume: N_("resumed it"),
    Step.refuse: N_("refused it"),
    Step.withdraw: N_("withdrew it"),
}
DUAL_CRIMINALITY_TITLES = {
    DualCriminality.required: N_("dual criminality required"),
    DualCriminality.optional: N_("dual criminality optional (the requested state may ask for it)"),
    DualCriminality.not_required: N_("no dual criminality required"),
}
TREATY_KIND_TITLES = {
    TreatyKind.bilateral: N_("bilateral"),
    TreatyKind.union_law: N_("union law"),
    TreatyKind.regional: N_("regional"),
    TreatyKind.multilateral: N_("worldwide"),
}
DEADLINE_TITLES = {
    Milestone.acknowledge: N_("Time to acknowledge it"),
    Milestone.decide: N_("Time to decide on it"),
    Milestone.execute: N_("Time to execute it"),
    Milestone.requested: N_("Answer by the date asked"),
}
# The next deadline, in a row of the queue: "acknowledge by 2026-12-05".
DUE_TITLES = {
    Milestone.acknowledge: N_("acknowledge by"),
    Milestone.decide: N_("decide by"),
    Milestone.execute: N_("execute by"),
    Milestone.requested: N_("answer, as asked, by"),
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
