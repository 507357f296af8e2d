"""Reading cases: the list a member sees, and a case's whole file as its members see it —
members, subjects under their own envelopes, tasks, the JIT agreement, authorisations,
action days and the timeline. Every read is audited."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.cases import actions, jit, membership, subjects, tasks, techniques, timeline
from palermo.cases.schemas import (
    ActionDayOut,
    ActivityOut,
    AuthorisationOut,
    CaseDetail,
    CaseOut,
    CountryOut,
    EventOut,
    ExtensionOut,
    JitOut,
    MemberOut,
    PartyOut,
    QuantityOut,
    ResultOut,
    SubjectOut,
    TallyOut,
    TargetOut,
    TaskOut,
)
from palermo.cases.vocabulary import CaseStatus, ResultKind, TaskStatus
from palermo.errors import NotFound
from palermo.identity.principal import Principal
from palermo.models.cases import ActionDay, Authorisation, Case, CaseMember, CaseTask
from palermo.models.identity import Agency, User
from palermo.policy import cases as policy
from palermo.records.repository import agency_codes

PAGE = 100


def listing(
    session: Session,
    principal: Principal,
    *,
    status: CaseStatus | None = None,
    q: str | None = None,
    offset: int = 0,
    limit: int = PAGE,
) -> list[CaseOut]:
    """The cases the principal's agencies are members of, the latest opened first."""
    policy.may_work(principal)
    query = policy.visible_cases(principal)
    if status is not None:
        query = query.where(Case.status == status)
    if q:
        like = f"%{q.strip()}%"
        query = query.where(or_(Case.reference.ilike(like), Case.title.ilike(like)))
    found = list(
        session.scalars(
            query.order_by(Case.opened_on.desc(), Case.reference).offset(offset).limit(limit)
        )
    )
    audit(
        session,
        action="cases.list",
        operation=Operation.consultation,
        principal=principal,
        object_ids=[c.id for c in found],
    )
    return summaries(session, principal, found)


def summaries(session: Session, principal: Principal, found: list[Case]) -> list[CaseOut]:
    roles = {
        (m.case_id): m.role
        for m in session.scalars(
            select(CaseMember).where(
                CaseMember.case_id.in_([c.id for c in found]),
                CaseMember.agency_id.in_(principal.acting_agency_ids),
                CaseMember.left_at.is_(None),
            )
        )
    }
    codes = agency_codes(session, [c.lead_agency_id for c in found])
    return [
        CaseOut(
            id=c.id,
            reference=c.reference,
            title=c.title,
            lead=codes[c.lead_agency_id],
            status=c.status,
            offences=c.offences,
            opened_on=c.opened_on,
            closed_on=c.closed_on,
            my_role=roles[c.id],
        )
        for c in found
    ]


def find(session: Session, principal: Principal, key: str) -> Case:
    """A case by id or reference, if the principal is a member."""
    policy.may_work(principal)
    case = session.scalars(
        policy.visible_cases(principal).where(Case.reference == key.upper())
    ).one_or_none()
    return case or policy.case_for(session, principal, key)


def members_out(session: Session, case: Case, *, current: bool = True) -> list[MemberOut]:
    rows = membership.members(session, case, current=current)
    agencies = {
        a.id: a
        for a in session.scalars(select(Agency).where(Agency.id.in_([m.agency_id for m in rows])))
    }
    return [
        MemberOut(
            agency=agencies[m.agency_id].code,
            country=agencies[m.agency_id].country,
            role=m.role,
            legal_basis=m.legal_basis,
            joined_at=m.joined_at,
            left_at=m.left_at,
        )
        for m in rows
    ]


def tasks_out(session: Session, found: list[CaseTask], today: date) -> list[TaskOut]:
    codes = agency_codes(
        session, [t.agency_id for t in found] + [t.set_by_agency_id for t in found]
    )
    people = dict(
        session.execute(
            select(User.id, User.username).where(
                User.id.in_([t.assignee_id for t in found if t.assignee_id])
            )
        ).all()
    )
    return [
        TaskOut(
            id=t.id,
            number=t.number,
            title=t.title,
            description=t.description,
            agency=codes[t.agency_id],
            assignee=people.get(t.assignee_id) if t.assignee_id else None,
            due_on=t.due_on,
            status=t.status,
            result=t.result,
            result_records=t.result_record_ids,
            set_by=codes[t.set_by_agency_id],
            overdue=bool(
                t.due_on
                and t.due_on < today
                and t.status in (TaskStatus.open, TaskStatus.in_progress)
            ),
        )
        for t in found
    ]


def jit_out(session: Session, case: Case, today: date) -> JitOut | None:
    try:
        agreement = jit.agreement_of(session, case)
    except NotFound:
        return None
    parties = jit.parties(session, agreement)
    codes = agency_codes(session, [p.agency_id for p in parties])
    return JitOut(
        reference=agreement.reference,
        purpose=agreement.purpose,
        starts_on=agreement.starts_on,
        ends_on=agreement.ends_on,
        evidence_rules=agreement.evidence_rules,
        status=agreement.status,
        lapsed=jit.lapsed(agreement, today),
        in_force_on=agreement.in_force_on,
        closed_on=agreement.closed_on,
        evaluation=agreement.evaluation,
        parties=[
            PartyOut(
                agency=codes[p.agency_id], applicable_law=p.applicable_law, signed_on=p.signed_on
            )
            for p in sorted(parties, key=lambda p: codes[p.agency_id])
        ],
        extensions=[
            ExtensionOut(
                previous_end=e.previous_end,
                new_end=e.new_end,
                reason=e.reason,
                agreed_on=e.agreed_on,
            )
            for e in jit.extensions(session, agreement)
        ],
    )


def authorisations_out(session: Session, case: Case, today: date) -> list[AuthorisationOut]:
    found = list(
        session.scalars(
            select(Authorisation)
            .where(Authorisation.case_id == case.id)
            .order_by(Authorisation.valid_until)
        )
    )
    codes = agency_codes(session, [a.agency_id for a in found])
    out = []
    for a in found:
        done = techniques.activities(session, a)
        out.append(
            AuthorisationOut(
                id=a.id,
                reference=a.reference,
                technique=a.technique,
                authority=a.authority,
                agency=codes[a.agency_id],
                scope=a.scope,
                valid_from=a.valid_from,
                valid_until=a.valid_until,
                jurisdictions=a.jurisdictions,
                revoked_on=a.revoked_on,
                days_left=(a.valid_until - today).days,
                activities=[
                    ActivityOut(
                        on=x.on,
                        country=x.country,
                        description=x.description,
                        agency=codes[x.agency_id],
                        actor=x.actor,
                    )
                    for x in done
                ],
            )
        )
    return out


def _tally(tally: actions.Tally) -> TallyOut:
    return TallyOut(
        arrests=tally.counts.get(ResultKind.arrest, 0),
        searches=tally.counts.get(ResultKind.search, 0),
        victims_safeguarded=tally.counts.get(ResultKind.victim_safeguarded, 0),
        quantities=[
            QuantityOut(kind=kind, item=item, unit=unit, quantity=Decimal(milli) / actions.MILLI)
            for (kind, item, unit), milli in sorted(tally.quantities.items())
        ],
    )


def action_day_out(session: Session, day: ActionDay) -> ActionDayOut:
    countries = actions.countries_of(session, day)
    board = actions.board(session, day)
    codes = agency_codes(session, [c.agency_id for c in countries] + [r.agency_id for r in board])
    results = actions.results(session, day)
    return ActionDayOut(
        id=day.id,
        name=day.name,
        status=day.status,
        started_at=day.started_at,
        closed_at=day.closed_at,
        countries=[
            CountryOut(
                country=c.country,
                agency=codes[c.agency_id],
                planned_at=c.planned_at,
                timezone=c.timezone,
                local_time=c.planned_at.astimezone(actions.zone(c.timezone)).strftime(
                    "%Y-%m-%d %H:%M %Z"
                ),
            )
            for c in countries
        ],
        targets=[
            TargetOut(id=t.id, country=t.country, label=t.label, record_id=t.record_id)
            for t in actions.targets(session, day)
        ],
        board=[
            ResultOut(
                country=r.country,
                kind=r.kind,
                item=r.item,
                quantity=Decimal(r.quantity_milli) / actions.MILLI,
                unit=r.unit,
                note=r.note,
                agency=codes[r.agency_id],
                reported_by=r.reported_by,
                reported_at=r.reported_at,
            )
            for r in board
        ],
        by_country={c: _tally(t) for c, t in results.by_country.items()},
        total=_tally(results.total),
    )


def action_days(session: Session, case: Case) -> list[ActionDay]:
    return list(
        session.scalars(
            select(ActionDay).where(ActionDay.case_id == case.id).order_by(ActionDay.created_at)
        )
    )


def detail(session: Session, principal: Principal, case: Case, *, now: datetime) -> CaseDetail:
    """The case file as this member sees it."""
    today = now.date()
    mine = policy.membership(session, principal, case)
    seen = subjects.subjects(session, principal, case, now=now)
    events = timeline.events(session, case)
    codes = agency_codes(
        session, [case.lead_agency_id] + [e.agency_id for e in events if e.agency_id]
    )
    audit(
        session,
        action="cases.read",
        operation=Operation.consultation,
        principal=principal,
        object_ids=[case.id],
        detail={"case": case.reference},
    )
    return CaseDetail(
        id=case.id,
        reference=case.reference,
        title=case.title,
        lead=codes[case.lead_agency_id],
        status=case.status,
        offences=case.offences,
        opened_on=case.opened_on,
        closed_on=case.closed_on,
        my_role=mine.role,
        summary=case.summary,
        closure=case.closure,
        members=members_out(session, case, current=False),
        subjects=[
            SubjectOut(
                record_id=s.record_id,
                schema=s.schema,
                caption=s.caption,
                owner=s.owner,
                added_by=s.added_by,
            )
            for s in seen.seen
        ],
        withheld_subjects=seen.withheld,
        tasks=tasks_out(session, tasks.tasks(session, case), today),
        jit=jit_out(session, case, today),
        authorisations=authorisations_out(session, case, today),
        action_days=[d.id for d in action_days(session, case)],
        timeline=[
            EventOut(
                at=e.at,
                agency=codes[e.agency_id] if e.agency_id else None,
                actor=e.actor,
                kind=e.kind,
                summary=e.summary,
            )
            for e in events
        ],
    )
