"""Opening a case, admitting agencies under their legal basis, changing roles, leaving, and
closing: the need-to-know membership every other part of a case checks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation
from palermo.cases.timeline import (
    CASE_CLOSED,
    CASE_OPENED,
    MEMBER_JOINED,
    MEMBER_LEFT,
    MEMBER_ROLE,
    changed,
)
from palermo.cases.vocabulary import CaseStatus, MemberRole
from palermo.db import next_number
from palermo.errors import Conflict, Forbidden, Invalid
from palermo.identity import repository as directory
from palermo.identity.principal import Principal
from palermo.identity.roles import PARTNER_ONLY_KINDS
from palermo.models.cases import Case, CaseMember
from palermo.models.identity import Agency
from palermo.offences import offence
from palermo.policy import cases as policy
from palermo.records.repository import agency_codes
from palermo.translatable import N_, written


def acting_agency(session: Session, principal: Principal, agency_code: str | None) -> Agency:
    """The agency a principal acts for: their own, or (node operator) a hosted one by code."""
    if principal.is_operator:
        if not agency_code:
            raise Invalid(N_("the node operator must name the agency it acts for (--agency CODE)"))
        agency = directory.agency_by_code(session, agency_code)
        if agency is None or agency.id not in principal.acting_agency_ids:
            raise Invalid(
                N_("%(agency_code)s is not an agency hosted on this node"),
                agency_code=repr(agency_code),
            )
        return agency
    if agency_code and agency_code.upper() != principal.agency_code:
        raise Forbidden(N_("you act for your own agency only"))
    agency = directory.agency_by_code(session, principal.agency_code or "")
    if agency is None:
        raise Forbidden(N_("you act for no agency"))
    return agency


def check_offences(codes: Sequence[str]) -> list[str]:
    """ICCS codes, each known (refused naming the unknown one), in the order given."""
    for code in codes:
        offence(code)
    return list(dict.fromkeys(codes))


def agency_named(session: Session, code: str) -> Agency:
    agency = directory.agency_by_code(session, code)
    if agency is None:
        raise Invalid(N_("unknown agency %(code)s"), code=repr(code))
    return agency


def open_case(
    session: Session,
    *,
    principal: Principal,
    title: str,
    summary: str,
    offences: Sequence[str],
    legal_basis: str,
    opened_on: date,
    now: datetime,
    agency_code: str | None = None,
) -> Case:
    """A case led by the principal's agency, which becomes its first member."""
    policy.may_work(principal)
    agency = acting_agency(session, principal, agency_code)
    prefix = f"{agency.code}/C/{opened_on.year}/"
    number = next_number(session, f"case:{prefix}", numbered=lambda: 0)
    case = Case(
        reference=f"{prefix}{number:04d}",
        title=title,
        summary=summary,
        lead_agency_id=agency.id,
        status=CaseStatus.open,
        offences=check_offences(offences),
        opened_on=opened_on,
        opened_by=principal.username,
        created_at=now,
    )
    session.add(case)
    session.flush()
    session.add(
        CaseMember(
            case_id=case.id,
            agency_id=agency.id,
            role=MemberRole.lead,
            legal_basis=legal_basis,
            joined_at=now,
        )
    )
    changed(
        session,
        case,
        principal=principal,
        agency_id=agency.id,
        action="cases.open",
        operation=Operation.collection,
        summary=written(CASE_OPENED, agency=agency.code, basis=legal_basis),
        now=now,
    )
    session.flush()
    return case


def members(session: Session, case: Case, *, current: bool = True) -> list[CaseMember]:
    query = select(CaseMember).where(CaseMember.case_id == case.id)
    if current:
        query = query.where(CaseMember.left_at.is_(None))
    return list(session.scalars(query.order_by(CaseMember.joined_at)))


def current_member(session: Session, case: Case, agency: Agency) -> CaseMember | None:
    member = session.get(CaseMember, (case.id, agency.id))
    return member if member is not None and member.left_at is None else None


def admit(
    session: Session,
    *,
    principal: Principal,
    case: Case,
    agency_code: str,
    role: MemberRole,
    legal_basis: str,
    now: datetime,
) -> CaseMember:
    """The lead admits an agency (or re-admits one that left) under its legal basis."""
    lead = policy.lead(session, principal, case)
    agency = agency_named(session, agency_code)
    if agency.kind in PARTNER_ONLY_KINDS:
        raise Invalid(
            N_("%(code)s is a private partner: it gets hits, never a case"), code=agency.code
        )
    if role is MemberRole.lead:
        raise Invalid(N_("a case has one lead: hand the lead over instead"))
    member = session.get(CaseMember, (case.id, agency.id))
    if member is not None and member.left_at is None:
        raise Conflict(
            N_("%(code)s is already a member of %(reference)s"),
            code=agency.code,
            reference=case.reference,
        )
    if member is None:
        member = CaseMember(case_id=case.id, agency_id=agency.id)
        session.add(member)
    member.role, member.legal_basis, member.joined_at, member.left_at = role, legal_basis, now, None
    changed(
        session,
        case,
        principal=principal,
        agency_id=lead.agency_id,
        action="cases.admit",
        operation=Operation.disclosure,
        summary=written(MEMBER_JOINED, agency=agency.code, role=role.value, basis=legal_basis),
        now=now,
        detail={"agency": agency.code, "role": role.value},
    )
    session.flush()
    return member


def change_role(
    session: Session,
    *,
    principal: Principal,
    case: Case,
    agency_code: str,
    role: MemberRole,
    now: datetime,
) -> CaseMember:
    """The lead changes a member's role; naming another member lead hands the lead over."""
    lead = policy.lead(session, principal, case)
    agency = agency_named(session, agency_code)
    member = current_member(session, case, agency)
    if member is None:
        raise Invalid(
            N_("%(code)s is not a member of %(reference)s"),
            code=agency.code,
            reference=case.reference,
        )
    if member.agency_id == lead.agency_id:
        raise Invalid(N_("the lead hands the lead over by naming another member lead"))
    before = member.role
    member.role = role
    if role is MemberRole.lead:
        lead.role = MemberRole.participant
        case.lead_agency_id = agency.id
    changed(
        session,
        case,
        principal=principal,
        agency_id=lead.agency_id,
        action="cases.role",
        summary=written(MEMBER_ROLE, agency=agency.code, before=before.value, after=role.value),
        now=now,
        detail={"agency": agency.code, "from": before.value, "to": role.value},
    )
    session.flush()
    return member


def leave(
    session: Session,
    *,
    principal: Principal,
    case: Case,
    now: datetime,
    agency_code: str | None = None,
) -> None:
    """A member leaves (the lead may also remove one); the lead cannot leave its own case."""
    policy.may_work(principal)
    mine = policy.membership(session, principal, case)
    member = mine
    if agency_code and agency_code.upper() != _code(session, mine):
        policy.lead(session, principal, case)  # removing another member
        agency = agency_named(session, agency_code)
        found = current_member(session, case, agency)
        if found is None:
            raise Invalid(
                N_("%(code)s is not a member of %(reference)s"),
                code=agency.code,
                reference=case.reference,
            )
        member = found
    if member.role is MemberRole.lead:
        raise Invalid(N_("the lead cannot leave: hand the lead over first"))
    member.left_at = now
    code = _code(session, member)
    changed(
        session,
        case,
        principal=principal,
        agency_id=mine.agency_id,
        action="cases.leave",
        summary=written(MEMBER_LEFT, agency=code),
        now=now,
        detail={"agency": code},
    )
    session.flush()


def _code(session: Session, member: CaseMember) -> str:
    return agency_codes(session, [member.agency_id])[member.agency_id]


def close(
    session: Session,
    *,
    principal: Principal,
    case: Case,
    closure: str,
    closed_on: date,
    now: datetime,
) -> Case:
    lead = policy.lead(session, principal, case)
    if closed_on < case.opened_on:
        raise Invalid(
            N_("closed_on %(closed_on)s is before the case was opened (%(opened_on)s)"),
            closed_on=closed_on,
            opened_on=case.opened_on,
        )
    case.status, case.closed_on, case.closure = CaseStatus.closed, closed_on, closure
    changed(
        session,
        case,
        principal=principal,
        agency_id=lead.agency_id,
        action="cases.close",
        summary=written(CASE_CLOSED, closure=closure),
        now=now,
    )
    session.flush()
    return case
