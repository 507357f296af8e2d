"""Other capabilities point at cases: an FIU escalates an alert to one, an asset is found in
one. A reference in the form of a Palermo case (`NL-NP/C/2026/0003`) must name a case the
acting agency contributes to, and the case's timeline records what came in; any other
reference (a national file number) is kept as written."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from palermo.cases.timeline import changed
from palermo.errors import NotFound
from palermo.identity.principal import Principal
from palermo.models.cases import Case
from palermo.policy import cases as policy
from palermo.translatable import N_

CASE_REFERENCE = re.compile(r"^[A-Z0-9][A-Z0-9-]*/C/\d{4}/\d{4,}$")


def case_named(session: Session, principal: Principal, reference: str) -> Case | None:
    """The Palermo case a reference names, if it is one; refused if the principal's agency
    is not a member of it."""
    key = reference.strip().upper()
    if not CASE_REFERENCE.match(key):
        return None
    case = session.scalars(
        policy.visible_cases(principal).where(Case.reference == key)
    ).one_or_none()
    if case is None:
        raise NotFound(N_("no case %(key)s your agency is a member of"), key=key)
    return case


def brought_in(
    session: Session,
    principal: Principal,
    reference: str,
    *,
    summary: str,
    now: datetime,
    object_ids: Iterable[str | uuid.UUID] = (),
) -> Case | None:
    """Record on the named case's timeline what another capability brought into it."""
    case = case_named(session, principal, reference)
    if case is None:
        return None
    member = policy.contributor(session, principal, case)
    changed(
        session,
        case,
        principal=principal,
        agency_id=member.agency_id,
        action="cases.brought_in",
        summary=summary,
        now=now,
        object_ids=object_ids,
    )
    return case
