"""Who may request, review and see notices (RPD: notices are requested by national central
bureaus or international entities and issued by the secretariat after review).

- A notice is requested by an officer or supervisor of a national central bureau, the
  secretariat or an analysis hub; a UN Special Notice by the secretariat only.
- A notice is reviewed by a supervisor of the secretariat; a diffusion by a supervisor of
  the requesting agency or of the secretariat. Never by the person who requested it.
- The requesting agency sees its notices in every status; the secretariat sees all.
  Other member agencies see published notices, unless the requester restricted a notice
  to some countries or agencies (then only those). Private partners see none.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, not_, or_, select, true
from sqlalchemy.orm import Session

from palermo.errors import Forbidden
from palermo.identity.principal import Principal
from palermo.identity.roles import AgencyKind, Role
from palermo.models.identity import Agency
from palermo.models.notices import Notice, NoticeRecipient
from palermo.notices.kinds import NoticeKind, NoticeStatus
from palermo.policy.records import hits_only, reads_records
from palermo.translatable import N_

REQUESTING_AGENCIES = frozenset(
    {AgencyKind.national_central_bureau, AgencyKind.secretariat, AgencyKind.analysis_hub}
)
REQUESTER_ROLES = (Role.officer, Role.supervisor)
REVIEWER_ROLES = (Role.supervisor,)


def _kinds(session: Session, principal: Principal) -> set[AgencyKind]:
    ids = principal.acting_agency_ids
    if not ids:
        return set()
    return set(session.scalars(select(Agency.kind).where(Agency.id.in_(ids))))


def at_secretariat(session: Session, principal: Principal) -> bool:
    return AgencyKind.secretariat in _kinds(session, principal)


def may_request(session: Session, principal: Principal, kind: NoticeKind) -> None:
    """Refuse (403) a principal who may not request this type of notice."""
    if not principal.has_role(*REQUESTER_ROLES) or hits_only(principal):
        raise Forbidden(N_("notices are requested by officers and supervisors"))
    kinds = _kinds(session, principal)
    if not kinds & REQUESTING_AGENCIES:
        raise Forbidden(
            N_(
                "notices are requested by national central bureaus, the secretariat or "
                "an analysis hub; ask your national central bureau"
            )
        )
    if kind is NoticeKind.un_special and AgencyKind.secretariat not in kinds:
        raise Forbidden(N_("UN Special Notices are issued by the secretariat only"))


def requests_for(principal: Principal, notice: Notice) -> bool:
    """Whether the principal acts for the notice's requesting agency."""
    return notice.requesting_agency_id in principal.acting_agency_ids


def acts_as_requester(principal: Principal, notice: Notice) -> bool:
    """An officer or supervisor of the requesting agency: submits, extends, withdraws,
    confirms the identity behind a hit."""
    return requests_for(principal, notice) and principal.has_role(*REQUESTER_ROLES)


def secretariat_reviewer(session: Session, principal: Principal) -> bool:
    return at_secretariat(session, principal) and principal.has_role(*REVIEWER_ROLES)


def may_review(session: Session, principal: Principal, notice: Notice) -> None:
    """Refuse (403) a reviewer who is not entitled, and the requester reviewing their own
    request (four eyes: RPD / Constitution Art. 3 review by a second person)."""
    if principal.username == notice.requested_by:
        raise Forbidden(N_("the requester cannot review their own request: a second person must"))
    if not principal.has_role(*REVIEWER_ROLES):
        raise Forbidden(N_("compliance review is done by supervisors"))
    if at_secretariat(session, principal):
        return
    if notice.diffusion and requests_for(principal, notice):
        return
    raise Forbidden(
        N_("notices are reviewed by the secretariat (diffusions also by the requesting agency)")
    )


def uses_notices(principal: Principal) -> bool:
    """Notices are for those who read records in full: not private partners, nor auditors."""
    return reads_records(principal) and not hits_only(principal)


def visible(session: Session, principal: Principal) -> ColumnElement[bool]:
    """A predicate on `Notice` for the notices this principal may see."""
    if not uses_notices(principal):
        return false()
    if at_secretariat(session, principal):
        return true()
    return or_(
        Notice.requesting_agency_id.in_(principal.acting_agency_ids),
        and_(Notice.status == NoticeStatus.published, addressed_to(principal)),
    )


def addressed_to(principal: Principal) -> ColumnElement[bool]:
    """Unrestricted notices, and restricted ones naming the principal's country or agency."""
    restricted = exists(select(NoticeRecipient.id).where(NoticeRecipient.notice_id == Notice.id))
    targets: list[ColumnElement[bool]] = [
        NoticeRecipient.agency_id.in_(principal.acting_agency_ids)
    ]
    if principal.country:
        targets.append(NoticeRecipient.country == principal.country)
    named = exists(
        select(NoticeRecipient.id).where(NoticeRecipient.notice_id == Notice.id, or_(*targets))
    )
    return or_(not_(restricted), named)


def public() -> ColumnElement[bool]:
    """What the public extract holds: published UN Special Notices, and published Red and
    Yellow Notices whose requester allowed it and did not restrict them. Never Silver."""
    unrestricted = not_(
        exists(select(NoticeRecipient.id).where(NoticeRecipient.notice_id == Notice.id))
    )
    return and_(
        Notice.status == NoticeStatus.published,
        Notice.diffusion.is_(False),
        Notice.entity_id.is_not(None),
        unrestricted,
        or_(
            Notice.kind == NoticeKind.un_special,
            and_(
                Notice.kind.in_([NoticeKind.red, NoticeKind.yellow]),
                Notice.public_extract.is_(True),
            ),
        ),
    )
