"""Who sees and works a request for judicial cooperation.

- A request is seen by the requesting central authority, the requested central authority
  once it is sent (a draft, even withdrawn, is the requester's alone) and, once assigned,
  the authority executing it — their officers, analysts and supervisors.
  To anyone else it does not exist (404): MLA requests are confidential (Palermo Art. 18(20)).
- Each step belongs to one side: the requesting authority sends and withdraws; the requested
  one acknowledges, assigns, consults, refuses, resumes and answers; the executing authority
  (or the requested one) records the parts executed.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from palermo.errors import Forbidden, NotFound
from palermo.identity.principal import Principal
from palermo.judicial.lifecycle import Side
from palermo.models.judicial import JudicialRequest
from palermo.policy.cases import WORKER_ROLES, as_uuid
from palermo.policy.records import hits_only
from palermo.translatable import N_


def may_work(principal: Principal) -> None:
    if hits_only(principal) or not principal.has_role(*WORKER_ROLES):
        raise Forbidden(N_("judicial cooperation is worked by officers, analysts and supervisors"))


def visible(principal: Principal) -> ColumnElement[bool]:
    """A predicate on `JudicialRequest`: the principal's agency is on one of its sides (the
    requested and executing sides only once it is sent: a draft, even withdrawn, is the
    requester's alone)."""
    agencies = principal.acting_agency_ids
    if hits_only(principal) or not principal.has_role(*WORKER_ROLES) or not agencies:
        return false()
    return or_(
        JudicialRequest.requesting_agency_id.in_(agencies),
        and_(
            JudicialRequest.sent_at.is_not(None),
            or_(
                JudicialRequest.requested_agency_id.in_(agencies),
                JudicialRequest.executing_agency_id.in_(agencies),
            ),
        ),
    )


def request_for(
    session: Session, principal: Principal, request_id: uuid.UUID | str
) -> JudicialRequest:
    key = as_uuid(request_id) if isinstance(request_id, str) else request_id
    found = (
        session.scalars(
            select(JudicialRequest).where(JudicialRequest.id == key, visible(principal))
        ).one_or_none()
        if key
        else None
    )
    if found is None:
        raise NotFound(N_("no such request"))
    return found


def sides(principal: Principal, request: JudicialRequest) -> frozenset[Side]:
    agencies = principal.acting_agency_ids
    found = set()
    if request.requesting_agency_id in agencies:
        found.add(Side.requesting)
    if request.requested_agency_id in agencies:
        found.add(Side.requested)
    if request.executing_agency_id in agencies:
        found.add(Side.executing)
    return frozenset(found)
