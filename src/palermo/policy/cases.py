"""Who sees and works a case.

- A case is need-to-know: only the officers, analysts and supervisors of its current member
  agencies see it, or anything in it. To everyone else it does not exist (404); an agency
  that leaves loses sight of it on its next request. Private partners are never members.
- The lead agency admits agencies, changes their roles, drafts the JIT agreement, plans the
  action days and closes the case. Participants contribute (subjects, tasks, evidence,
  authorisations, results); observers read.
- What members contribute keeps its own envelope: a subject is shown to each member as the
  records policy lets it see that record.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, Select, exists, false, select
from sqlalchemy.orm import Session

from palermo.cases.vocabulary import CONTRIBUTING, CaseStatus, MemberRole
from palermo.errors import Forbidden, NotFound
from palermo.identity.principal import Principal
from palermo.identity.roles import Role
from palermo.models.cases import Case, CaseMember
from palermo.policy.records import Effect, decide, hits_only
from palermo.records.envelope import Purpose
from palermo.translatable import N_

WORKER_ROLES = (Role.officer, Role.analyst, Role.supervisor)


def may_work(principal: Principal) -> None:
    if hits_only(principal) or not principal.has_role(*WORKER_ROLES):
        raise Forbidden(N_("cases are worked by officers, analysts and supervisors"))


def _may_see_any(principal: Principal) -> bool:
    return not hits_only(principal) and principal.has_role(*WORKER_ROLES)


def member_of(principal: Principal) -> ColumnElement[bool]:
    """A predicate on `Case`: one of the principal's agencies is a current member."""
    if not _may_see_any(principal) or not principal.acting_agency_ids:
        return false()
    return exists(
        select(CaseMember.case_id).where(
            CaseMember.case_id == Case.id,
            CaseMember.agency_id.in_(principal.acting_agency_ids),
            CaseMember.left_at.is_(None),
        )
    )


def visible_cases(principal: Principal) -> Select[Case]:
    return select(Case).where(member_of(principal))


def case_for(session: Session, principal: Principal, case_id: uuid.UUID | str) -> Case:
    """The case if the principal is a member; a 404 otherwise (its existence is not told)."""
    key = as_uuid(case_id)
    case = (
        session.scalars(visible_cases(principal).where(Case.id == key)).one_or_none()
        if key
        else None
    )
    if case is None:
        raise NotFound(N_("no such case"))
    return case


def as_uuid(value: uuid.UUID | str) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def require_record(session: Session, principal: Principal, record_id: str, now: datetime) -> None:
    """What a member puts into a case (a subject, a target, a task's result) is a record it
    sees in full for the investigation: what it cannot read, it cannot vouch for."""
    seen = decide(session, principal, record_id, Purpose.criminal_investigation, now=now)
    if seen.effect is not Effect.allow:
        raise NotFound(N_("no record %(record_id)s you may see in full"), record_id=record_id)


def membership(session: Session, principal: Principal, case: Case) -> CaseMember:
    """The principal's agency's current membership (the lead's first, when acting for
    several hosted agencies)."""
    rows = session.scalars(
        select(CaseMember).where(
            CaseMember.case_id == case.id,
            CaseMember.agency_id.in_(principal.acting_agency_ids),
            CaseMember.left_at.is_(None),
        )
    ).all()
    if not rows:
        raise NotFound(N_("no such case"))
    return min(rows, key=lambda m: list(MemberRole).index(m.role))


def contributor(session: Session, principal: Principal, case: Case) -> CaseMember:
    """The membership the principal contributes through: lead or participant, case open."""
    may_work(principal)
    member = membership(session, principal, case)
    if member.role not in CONTRIBUTING:
        raise Forbidden(N_("observers read a case; they do not contribute to it"))
    if case.status is CaseStatus.closed:
        raise Forbidden(N_("case %(reference)s is closed"), reference=case.reference)
    return member


def lead(session: Session, principal: Principal, case: Case) -> CaseMember:
    """The lead agency's membership: only the lead manages the case."""
    member = contributor(session, principal, case)
    if member.role is not MemberRole.lead:
        raise Forbidden(
            N_("only the lead agency of %(reference)s does this"), reference=case.reference
        )
    return member
