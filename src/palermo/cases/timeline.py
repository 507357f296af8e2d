"""Every change to a case leaves two traces: a line in its timeline, which members read, and
an event in the audit log, which auditors verify. A line's summary is stored in English,
written from one of the texts below, and shown in the reader's language in the workspace
(see `palermo.translatable.Texts`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.cases.vocabulary import ResultKind
from palermo.identity.principal import Principal
from palermo.models.cases import Case, CaseEvent
from palermo.translatable import N_, Texts

ACTION_PLANNED = N_("action day %(name)s planned in %(countries)s")
ACTION_TARGET = N_("target in %(country)s for %(name)s: %(label)s")
ACTION_STARTED = N_("action day %(name)s started")
ACTION_CLOSED = N_("action day %(name)s closed")
# People and places are counted; seizures and frozen assets are a quantity in a unit.
ACTION_RESULTS = {
    ResultKind.arrest: N_("%(country)s: arrests %(quantity)s %(item)s"),
    ResultKind.search: N_("%(country)s: searches %(quantity)s %(item)s"),
    ResultKind.victim_safeguarded: N_("%(country)s: victims safeguarded %(quantity)s %(item)s"),
    ResultKind.seizure: N_("%(country)s: seizures %(quantity)s %(unit)s %(item)s"),
    ResultKind.asset_frozen: N_("%(country)s: assets frozen %(quantity)s %(unit)s %(item)s"),
}
EVIDENCE_ADDED = N_("%(agency)s added evidence %(reference)s: %(title)s")
EVIDENCE_HANDED = N_("%(agency)s handed %(reference)s over to %(recipient)s (signed)")
EVIDENCE_RECEIVED = N_("%(agency)s received %(reference)s from %(releasing)s")
EVIDENCE_EXPORTED = N_("%(agency)s exported %(references)s as a signed evidence package")
EVIDENCE_INTEGRITY_FAILED = N_("%(reference)s failed its integrity check (%(during)s)")
# When an integrity check ran: the `during` of a failure.
INTEGRITY_CHECKS = {
    "consultation": N_("consultation"),
    "access": N_("access"),
    "verification": N_("verification"),
}
JIT_DRAFTED = N_("JIT agreement %(reference)s drafted between %(agencies)s")
JIT_SIGNED = N_("JIT %(reference)s signed")
JIT_IN_FORCE = N_("JIT %(reference)s signed; in force from %(on)s")
JIT_EXTENDED = N_("JIT %(reference)s extended to %(on)s: %(reason)s")
JIT_CLOSED = N_("JIT %(reference)s closed")
CASE_OPENED = N_("%(agency)s opened the case as lead (%(basis)s)")
MEMBER_JOINED = N_("%(agency)s joined as %(role)s (%(basis)s)")
MEMBER_ROLE = N_("%(agency)s: %(before)s → %(after)s")
MEMBER_LEFT = N_("%(agency)s left the case")
CASE_CLOSED = N_("case closed: %(closure)s")
SUBJECT_ADDED = N_("subject added: %(schema)s %(record)s")
TASK_SET = N_("task #%(number)s for %(agency)s: %(title)s")
TASK_STATUS = N_("task #%(number)s %(status)s")
TASK_STATUS_RESULT = N_("task #%(number)s %(status)s: %(result)s")
AUTHORISED = N_(
    "%(technique)s authorised by %(authority)s (%(reference)s), %(valid_from)s – "
    "%(valid_until)s in %(countries)s"
)
AUTHORISATION_REVOKED = N_("authorisation %(reference)s revoked on %(on)s")
ACTIVITY = N_("activity under %(reference)s on %(on)s in %(country)s")
# What another capability brought into a case (`palermo.cases.links.brought_in`).
ASSET_FOUND = N_("asset %(reference)s found: %(description)s")
ALERT_ESCALATED = N_("alert %(alert)s (%(typology)s) escalated to the case: %(note)s")

# The texts of each kind of line (its action without "cases.").
SUMMARIES = {
    "action_plan": Texts(ACTION_PLANNED),
    "action_target": Texts(ACTION_TARGET),
    "action_start": Texts(ACTION_STARTED),
    "action_close": Texts(ACTION_CLOSED),
    "action_result": Texts(
        *ACTION_RESULTS.values(), words=frozenset({"country", "quantity", "unit"})
    ),
    "evidence.add": Texts(EVIDENCE_ADDED),
    "evidence.hand_over": Texts(EVIDENCE_HANDED),
    "evidence.receive": Texts(EVIDENCE_RECEIVED),
    "evidence.export": Texts(EVIDENCE_EXPORTED),
    "evidence.integrity_failed": Texts(EVIDENCE_INTEGRITY_FAILED),
    "jit_draft": Texts(JIT_DRAFTED),
    "jit_sign": Texts(JIT_SIGNED, JIT_IN_FORCE),
    "jit_extend": Texts(JIT_EXTENDED),
    "jit_close": Texts(JIT_CLOSED),
    "open": Texts(CASE_OPENED),
    "admit": Texts(MEMBER_JOINED),
    "role": Texts(MEMBER_ROLE),
    "leave": Texts(MEMBER_LEFT),
    "close": Texts(CASE_CLOSED),
    "subject": Texts(SUBJECT_ADDED),
    "task": Texts(TASK_SET, words=frozenset({"number"})),
    "task_status": Texts(TASK_STATUS, TASK_STATUS_RESULT, words=frozenset({"number"})),
    "authorisation": Texts(AUTHORISED),
    "authorisation_revoke": Texts(AUTHORISATION_REVOKED),
    "activity": Texts(ACTIVITY),
    "brought_in": Texts(ASSET_FOUND, ALERT_ESCALATED, words=frozenset({"reference", "alert"})),
}


def changed(
    session: Session,
    case: Case,
    *,
    principal: Principal,
    agency_id: uuid.UUID | None,
    action: str,
    summary: str,
    now: datetime,
    object_ids: Iterable[str | uuid.UUID] = (),
    detail: Mapping[str, Any] | None = None,
    operation: Operation = Operation.alteration,
) -> None:
    session.add(
        CaseEvent(
            case_id=case.id,
            at=now,
            agency_id=agency_id,
            actor=principal.username,
            kind=action.removeprefix("cases."),
            summary=summary[:500],
        )
    )
    audit(
        session,
        action=action,
        operation=operation,
        principal=principal,
        object_ids=[case.id, *object_ids],
        detail={"case": case.reference, **(detail or {})},
    )


def events(session: Session, case: Case) -> list[CaseEvent]:
    return list(
        session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case.id)
            .order_by(CaseEvent.at, CaseEvent.id)
        )
    )
