"""Special investigative techniques (Palermo Art. 20): a controlled delivery, electronic
surveillance or an undercover operation runs under an authority's authorisation — its scope,
the days it holds and the jurisdictions where it holds. Palermo refuses to log activity
outside it and warns the agency acting under it before it expires."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation, refusals_logged
from palermo.audit.service import record as audit
from palermo.cases.timeline import ACTIVITY, AUTHORISATION_REVOKED, AUTHORISED, changed
from palermo.cases.vocabulary import TECHNIQUE_TITLES, CaseStatus, Technique
from palermo.errors import Conflict, Forbidden, Invalid, NotFound
from palermo.identity.principal import Principal
from palermo.identity.service import country_code
from palermo.models.base import latest_date
from palermo.models.cases import Authorisation, Case, CaseMember, TechniqueActivity
from palermo.models.records import Notification
from palermo.models.tasks import Task
from palermo.notifications import texts
from palermo.policy import cases as policy
from palermo.tasks import open_task
from palermo.translatable import N_, written

EXPIRY_TASK = "authorisation_expiry"


def record_authorisation(
    session: Session,
    *,
    principal: Principal,
    case: Case,
    technique: Technique,
    reference: str,
    authority: str,
    scope: str,
    valid_from: date,
    valid_until: date,
    jurisdictions: Sequence[str],
    now: datetime,
) -> Authorisation:
    """An agency records the authorisation it acts under, in a case it contributes to."""
    member = policy.contributor(session, principal, case)
    if valid_until < valid_from:
        raise Invalid(
            N_("valid_until %(valid_until)s is before valid_from %(valid_from)s"),
            valid_until=valid_until,
            valid_from=valid_from,
        )
    countries = sorted({country_code(c) for c in jurisdictions})
    if not countries:
        raise Invalid(N_("name the jurisdictions where the authorisation holds"))
    authorisation = Authorisation(
        case_id=case.id,
        reference=reference,
        technique=technique,
        authority=authority,
        agency_id=member.agency_id,
        scope=scope,
        valid_from=valid_from,
        valid_until=valid_until,
        jurisdictions=countries,
        created_at=now,
    )
    session.add(authorisation)
    session.flush()
    changed(
        session,
        case,
        principal=principal,
        agency_id=member.agency_id,
        action="cases.authorisation",
        summary=written(
            AUTHORISED,
            technique=TECHNIQUE_TITLES[technique],
            authority=authority,
            reference=reference,
            valid_from=valid_from,
            valid_until=valid_until,
            countries=", ".join(countries),
        ),
        now=now,
        object_ids=[authorisation.id],
    )
    return authorisation


def authorisation_of(session: Session, case: Case, authorisation_id: object) -> Authorisation:
    found = session.scalar(
        select(Authorisation).where(
            Authorisation.case_id == case.id, Authorisation.id == authorisation_id
        )
    )
    if found is None:
        raise NotFound(N_("no such authorisation in this case"))
    return found


def _holder(session: Session, principal: Principal, case: Case, held: Authorisation) -> None:
    member = policy.contributor(session, principal, case)
    if member.agency_id != held.agency_id:
        raise Forbidden(
            N_("authorisation %(reference)s is held by another agency"), reference=held.reference
        )


def revoke(
    session: Session,
    *,
    principal: Principal,
    case: Case,
    authorisation: Authorisation,
    on: date,
    now: datetime,
) -> Authorisation:
    _holder(session, principal, case, authorisation)
    if authorisation.revoked_on is not None:
        raise Conflict(
            N_("%(reference)s was revoked on %(revoked_on)s"),
            reference=authorisation.reference,
            revoked_on=authorisation.revoked_on,
        )
    if on > latest_date(now):
        raise Invalid(N_("revoked on %(on)s is in the future"), on=on)
    authorisation.revoked_on = on
    changed(
        session,
        case,
        principal=principal,
        agency_id=authorisation.agency_id,
        action="cases.authorisation_revoke",
        summary=written(AUTHORISATION_REVOKED, reference=authorisation.reference, on=on),
        now=now,
        object_ids=[authorisation.id],
    )
    session.flush()
    return authorisation


def why_not_covered(authorisation: Authorisation, on: date, country: str) -> str | None:
    """Why activity on `on` in `country` falls outside the authorisation, or None."""
    if on < authorisation.valid_from:
        return f"{authorisation.reference} holds from {authorisation.valid_from}, not on {on}"
    if on > authorisation.valid_until:
        return f"{authorisation.reference} expired on {authorisation.valid_until}"
    if authorisation.revoked_on is not None and on >= authorisation.revoked_on:
        return f"{authorisation.reference} was revoked on {authorisation.revoked_on}"
    if country not in authorisation.jurisdictions:
        return (
            f"{authorisation.reference} does not hold in {country} "
            f"(only in {', '.join(authorisation.jurisdictions)})"
        )
    return None


def log_activity(
    session: Session,
    *,
    principal: Principal,
    case: Case,
    authorisation: Authorisation,
    on: date,
    country: str,
    description: str,
    now: datetime,
) -> TechniqueActivity:
    """Log what was done under an authorisation; refused (and the refusal audited) outside
    its days, after its revocation, or outside its jurisdictions."""
    with refusals_logged(
        session,
        action="cases.activity",
        operation=Operation.collection,
        principal=principal,
        object_ids=[case.id, authorisation.id],
        detail={"case": case.reference, "authorisation": authorisation.reference},
    ):
        _holder(session, principal, case, authorisation)
        country = country_code(country)
        if on > latest_date(now):
            raise Invalid(N_("activity on %(on)s is in the future"), on=on)
        reason = why_not_covered(authorisation, on, country)
        if reason:
            raise Forbidden(
                N_("no valid authorisation for this activity: %(reason)s"), reason=reason
            )
    activity = TechniqueActivity(
        authorisation_id=authorisation.id,
        on=on,
        country=country,
        description=description,
        agency_id=authorisation.agency_id,
        actor=principal.username,
        logged_at=now,
    )
    session.add(activity)
    changed(
        session,
        case,
        principal=principal,
        agency_id=authorisation.agency_id,
        action="cases.activity",
        operation=Operation.collection,
        summary=written(ACTIVITY, reference=authorisation.reference, on=on, country=country),
        now=now,
        object_ids=[authorisation.id],
    )
    session.flush()
    return activity


def activities(session: Session, authorisation: Authorisation) -> list[TechniqueActivity]:
    return list(
        session.scalars(
            select(TechniqueActivity)
            .where(TechniqueActivity.authorisation_id == authorisation.id)
            .order_by(TechniqueActivity.on, TechniqueActivity.logged_at)
        )
    )


@dataclass(frozen=True)
class Expiring:
    authorisation: Authorisation
    case: Case
    days_left: int  # negative: expired that many days ago

    @property
    def expired(self) -> bool:
        return self.days_left < 0


def _due(
    session: Session, until: date, today: date, *, of: frozenset[uuid.UUID] | None = None
) -> list[tuple[Authorisation, Case]]:
    """Authorisations not revoked that end by `until`, held by agencies still members of
    open cases, and not long gone (a month after expiry the warning has done its work);
    only those held by the agencies `of`, if given."""
    query = (
        select(Authorisation, Case)
        .join(Case, Case.id == Authorisation.case_id)
        .join(
            CaseMember,
            (CaseMember.case_id == Case.id) & (CaseMember.agency_id == Authorisation.agency_id),
        )
        .where(
            Authorisation.revoked_on.is_(None),
            Authorisation.valid_until <= until,
            Authorisation.valid_until >= today - timedelta(days=30),
            Case.status == CaseStatus.open,
            CaseMember.left_at.is_(None),
        )
        .order_by(Authorisation.valid_until)
    )
    if of is not None:
        query = query.where(Authorisation.agency_id.in_(of))
    return [(a, c) for a, c in session.execute(query).all()]


def expiring(
    session: Session, principal: Principal, *, within_days: int, today: date
) -> list[Expiring]:
    """The authorisations the principal's agencies act under that expire soon (or did)."""
    policy.may_work(principal)
    found = [
        Expiring(a, c, (a.valid_until - today).days)
        for a, c in _due(
            session, today + timedelta(days=within_days), today, of=principal.acting_agency_ids
        )
    ]
    audit(
        session,
        action="cases.authorisations_expiring",
        operation=Operation.consultation,
        principal=principal,
        object_ids=[e.authorisation.id for e in found],
        detail={"within_days": within_days},
    )
    return found


def sweep(session: Session, *, principal: Principal, warning_days: int, now: datetime) -> int:
    """One task and notification for the agency acting under each authorisation that
    expires within `warning_days` (or has expired), once; returns how many were set."""
    today = now.date()
    due = _due(session, today + timedelta(days=warning_days), today)
    warned = set(
        session.scalars(
            select(Task.subject_id).where(
                Task.kind == EXPIRY_TASK,
                Task.subject_id.in_([str(a.id) for a, _ in due]),
            )
        )
    )
    set_now = 0
    for authorisation, case in due:
        if str(authorisation.id) in warned:
            continue
        message = written(
            texts.AUTHORISATION_EXPIRES[authorisation.valid_until < today],
            technique=TECHNIQUE_TITLES[authorisation.technique],
            reference=authorisation.reference,
            case=case.reference,
            on=authorisation.valid_until,
        )
        open_task(
            session,
            agency_id=authorisation.agency_id,
            kind=EXPIRY_TASK,
            title=message,
            link=f"/cases/{case.id}#authorisations",
            subject_id=str(authorisation.id),
            due_at=datetime.combine(authorisation.valid_until, time.max, tzinfo=UTC),
            now=now,
        )
        session.add(
            Notification(
                agency_id=authorisation.agency_id, kind=EXPIRY_TASK, message=message, created_at=now
            )
        )
        set_now += 1
    audit(
        session,
        action="cases.sweep",
        operation=Operation.administration,
        principal=principal,
        object_ids=[a.id for a, _ in due],
        detail={"warning_days": warning_days, "warnings": set_now},
    )
    return set_now
