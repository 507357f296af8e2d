"""Joint investigation teams (Palermo Art. 19): the written agreement between the parties —
purpose, duration, the law each party applies, how shared information may be used as
evidence — in force once every party signed, extended by agreement, closed with an
evaluation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.cases.membership import agency_named, current_member
from palermo.cases.timeline import (
    JIT_CLOSED,
    JIT_DRAFTED,
    JIT_EXTENDED,
    JIT_IN_FORCE,
    JIT_SIGNED,
    changed,
)
from palermo.cases.vocabulary import CONTRIBUTING, JitStatus
from palermo.errors import Conflict, Forbidden, Invalid, NotFound
from palermo.identity.principal import Principal
from palermo.models.base import latest_date
from palermo.models.cases import Case, JitAgreement, JitExtension, JitParty
from palermo.policy import cases as policy
from palermo.translatable import N_, written


@dataclass(frozen=True)
class PartyTerms:
    agency_code: str
    applicable_law: str


def agreement_of(session: Session, case: Case) -> JitAgreement:
    jit = session.scalar(select(JitAgreement).where(JitAgreement.case_id == case.id))
    if jit is None:
        raise NotFound(N_("%(reference)s has no JIT agreement"), reference=case.reference)
    return jit


def parties(session: Session, jit: JitAgreement) -> list[JitParty]:
    return list(session.scalars(select(JitParty).where(JitParty.jit_id == jit.id)))


def extensions(session: Session, jit: JitAgreement) -> list[JitExtension]:
    return list(
        session.scalars(
            select(JitExtension).where(JitExtension.jit_id == jit.id).order_by(JitExtension.new_end)
        )
    )


def lapsed(jit: JitAgreement, today: date) -> bool:
    """In force on paper but past its end: the team must extend or close it."""
    return jit.status is JitStatus.in_force and today > jit.ends_on


def draft(
    session: Session,
    *,
    principal: Principal,
    case: Case,
    reference: str,
    purpose: str,
    starts_on: date,
    ends_on: date,
    evidence_rules: str,
    terms: Sequence[PartyTerms],
    now: datetime,
) -> JitAgreement:
    """The lead drafts the agreement between contributing members, itself among them."""
    lead = policy.lead(session, principal, case)
    if session.scalar(select(JitAgreement.id).where(JitAgreement.case_id == case.id)):
        raise Conflict(N_("%(reference)s already has a JIT agreement"), reference=case.reference)
    if session.scalar(select(JitAgreement.id).where(JitAgreement.reference == reference)):
        raise Conflict(N_("JIT reference %(reference)s is already in use"), reference=reference)
    if ends_on <= starts_on:
        raise Invalid(
            N_("ends_on %(ends_on)s must be after starts_on %(starts_on)s"),
            ends_on=ends_on,
            starts_on=starts_on,
        )
    agencies = [agency_named(session, t.agency_code) for t in terms]
    if len({a.id for a in agencies}) != len(agencies) or len(agencies) < 2:
        raise Invalid(N_("a JIT is agreed between two parties or more, each named once"))
    if lead.agency_id not in {a.id for a in agencies}:
        raise Invalid(N_("the lead agency is a party to the JIT it drafts"))
    for agency in agencies:
        member = current_member(session, case, agency)
        if member is None or member.role not in CONTRIBUTING:
            raise Invalid(
                N_("%(code)s is not a contributing member of %(reference)s"),
                code=agency.code,
                reference=case.reference,
            )
    jit = JitAgreement(
        case_id=case.id,
        reference=reference,
        purpose=purpose,
        starts_on=starts_on,
        ends_on=ends_on,
        evidence_rules=evidence_rules,
        status=JitStatus.draft,
        created_at=now,
    )
    session.add(jit)
    session.flush()
    session.add_all(
        JitParty(jit_id=jit.id, agency_id=a.id, applicable_law=t.applicable_law)
        for a, t in zip(agencies, terms, strict=True)
    )
    changed(
        session,
        case,
        principal=principal,
        agency_id=lead.agency_id,
        action="cases.jit_draft",
        summary=written(
            JIT_DRAFTED, reference=reference, agencies=", ".join(a.code for a in agencies)
        ),
        now=now,
        object_ids=[jit.id],
    )
    session.flush()
    return jit


def sign(
    session: Session, *, principal: Principal, case: Case, signed_on: date, now: datetime
) -> JitAgreement:
    """A party signs; the agreement is in force from the day the last party signed."""
    member = policy.contributor(session, principal, case)
    jit = agreement_of(session, case)
    if jit.status is not JitStatus.draft:
        raise Conflict(
            N_("JIT %(reference)s is %(status)s: it is signed while a draft"),
            reference=jit.reference,
            status=jit.status.value,
        )
    party = session.get(JitParty, (jit.id, member.agency_id))
    if party is None:
        raise Forbidden(
            N_("your agency is not a party to JIT %(reference)s"), reference=jit.reference
        )
    if party.signed_on is not None:
        raise Conflict(
            N_("your agency signed JIT %(reference)s on %(signed_on)s"),
            reference=jit.reference,
            signed_on=party.signed_on,
        )
    if signed_on > latest_date(now) or signed_on < case.opened_on:
        raise Invalid(
            N_("signed_on %(signed_on)s is outside the case's life (%(opened_on)s–today)"),
            signed_on=signed_on,
            opened_on=case.opened_on,
        )
    party.signed_on = signed_on
    session.flush()
    everyone = parties(session, jit)
    if all(p.signed_on for p in everyone):
        jit.status = JitStatus.in_force
        jit.in_force_on = max(p.signed_on for p in everyone if p.signed_on)
    changed(
        session,
        case,
        principal=principal,
        agency_id=member.agency_id,
        action="cases.jit_sign",
        summary=written(JIT_IN_FORCE, reference=jit.reference, on=jit.in_force_on)
        if jit.status is JitStatus.in_force
        else written(JIT_SIGNED, reference=jit.reference),
        now=now,
        object_ids=[jit.id],
    )
    session.flush()
    return jit


def extend(
    session: Session,
    *,
    principal: Principal,
    case: Case,
    new_end: date,
    reason: str,
    agreed_on: date,
    now: datetime,
) -> JitExtension:
    """The parties agree a later end; the lead records it, with the reason."""
    lead = policy.lead(session, principal, case)
    jit = agreement_of(session, case)
    if jit.status is not JitStatus.in_force:
        raise Conflict(
            N_("JIT %(reference)s is %(status)s: only one in force is extended"),
            reference=jit.reference,
            status=jit.status.value,
        )
    if new_end <= jit.ends_on:
        raise Invalid(
            N_("new_end %(new_end)s must be after the current end %(ends_on)s"),
            new_end=new_end,
            ends_on=jit.ends_on,
        )
    if agreed_on > latest_date(now) or (jit.in_force_on and agreed_on < jit.in_force_on):
        raise Invalid(
            N_("agreed_on %(agreed_on)s is outside the agreement's life"), agreed_on=agreed_on
        )
    extension = JitExtension(
        jit_id=jit.id, previous_end=jit.ends_on, new_end=new_end, reason=reason, agreed_on=agreed_on
    )
    session.add(extension)
    jit.ends_on = new_end
    changed(
        session,
        case,
        principal=principal,
        agency_id=lead.agency_id,
        action="cases.jit_extend",
        summary=written(JIT_EXTENDED, reference=jit.reference, on=new_end, reason=reason),
        now=now,
        object_ids=[jit.id],
    )
    session.flush()
    return extension


def close(
    session: Session,
    *,
    principal: Principal,
    case: Case,
    closed_on: date,
    evaluation: str,
    now: datetime,
) -> JitAgreement:
    """The lead closes the team with its evaluation (what worked, what did not)."""
    lead = policy.lead(session, principal, case)
    jit = agreement_of(session, case)
    if jit.status is not JitStatus.in_force:
        raise Conflict(
            N_("JIT %(reference)s is %(status)s: only one in force is closed"),
            reference=jit.reference,
            status=jit.status.value,
        )
    if len(evaluation.strip()) < 20:
        raise Invalid(N_("a JIT closes with its evaluation: at least a few sentences"))
    assert jit.in_force_on is not None
    if closed_on < jit.in_force_on or closed_on > latest_date(now):
        raise Invalid(
            N_("closed_on %(closed_on)s is outside the agreement's life"), closed_on=closed_on
        )
    jit.status, jit.closed_on, jit.evaluation = JitStatus.closed, closed_on, evaluation
    changed(
        session,
        case,
        principal=principal,
        agency_id=lead.agency_id,
        action="cases.jit_close",
        summary=written(JIT_CLOSED, reference=jit.reference),
        now=now,
        object_ids=[jit.id],
    )
    session.flush()
    return jit
