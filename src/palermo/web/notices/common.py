"""What the notice pages share: who may use them, the words they show for stored values,
and how a refused step leaves nothing behind."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from palermo.errors import Forbidden, PalermoError
from palermo.identity.principal import Principal
from palermo.notices import checks
from palermo.notices.kinds import MATTER_TITLES, NoticeKind, NoticeStatus
from palermo.policy import notices as policy
from palermo.translatable import N_
from palermo.web import i18n
from palermo.web.templating import templates

STATUS_TITLES = {
    NoticeStatus.draft: N_("Draft"),
    NoticeStatus.submitted: N_("Submitted"),
    NoticeStatus.in_review: N_("In review"),
    NoticeStatus.published: N_("Published"),
    NoticeStatus.refused: N_("Refused"),
    NoticeStatus.suspended: N_("Suspended"),
    NoticeStatus.cancelled: N_("Cancelled"),
    NoticeStatus.withdrawn: N_("Withdrawn"),
    NoticeStatus.expired: N_("Expired"),
}
# How the values of a check's finding are shown: titles and labels translated, the field's
# problem recognised in turn, a day the reader's way.
FINDING_VALUES: dict[str, Callable[[str], Any]] = {
    "kind": i18n.Said,
    "label": i18n.Said,
    "problem": lambda problem: i18n.recognised(checks.PROBLEMS, problem),
    "date": date.fromisoformat,
}


def finding(message: str) -> i18n.Said | str:
    """A check's finding in the reader's language, when its text is known."""
    return i18n.recognised(checks.FINDINGS, message, FINDING_VALUES)


templates.env.filters.setdefault("finding", finding)

# Short names for badges and filters ("UN Special" rather than the full title).
KIND_NAMES = {kind: kind.value.replace("_", " ").title() for kind in NoticeKind} | {
    NoticeKind.un_special: "UN Special"
}


async def _form(request: Request) -> FormData:
    # The notice form's fields depend on the type: read them all (Starlette caches the form).
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


def require_reader(principal: Principal) -> None:
    if not policy.uses_notices(principal):
        raise Forbidden("notices are shown to officers, analysts, supervisors and administrators")


def requestable(session: Session, principal: Principal) -> list[NoticeKind]:
    """The types this principal may request."""
    kinds = []
    for kind in NoticeKind:
        try:
            policy.may_request(session, principal, kind)
        except PalermoError:
            continue
        kinds.append(kind)
    return kinds


def tabs(session: Session, principal: Principal, tab: str) -> dict[str, Any]:
    """What the tabs of the notice pages offer this principal."""
    return {
        "tab": tab,
        "show_queue": principal.has_role(*policy.REVIEWER_ROLES),
        "may_request": bool(requestable(session, principal)),
    }


def option_title(value: str) -> str:
    return MATTER_TITLES.get(value) or value.replace("_", " ").capitalize()


# Pydantic's reasons for a form of the wrong shape, by its error type, to be translated; a
# type not named here (a validator's own words) is told as pydantic wrote it.
VALIDATION = {
    "missing": N_("is required"),
    "string_type": N_("must be text"),
    "string_too_short": N_("must have at least %(min_length)s characters"),
    "string_too_long": N_("must have at most %(max_length)s characters"),
    "too_short": N_("must have at least %(min_length)s items"),
    "too_long": N_("must have at most %(max_length)s items"),
    "greater_than": N_("must be greater than %(gt)s"),
    "greater_than_equal": N_("must be at least %(ge)s"),
    "less_than": N_("must be less than %(lt)s"),
    "less_than_equal": N_("must be at most %(le)s"),
    "int_parsing": N_("must be a whole number"),
    "int_from_float": N_("must be a whole number"),
    "float_parsing": N_("must be a number"),
    "decimal_parsing": N_("must be a number"),
    "bool_parsing": N_("must be true or false"),
    "date_parsing": N_("must be a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": N_("must be a date (YYYY-MM-DD)"),
    "datetime_parsing": N_("must be a date and time"),
    "datetime_from_date_parsing": N_("must be a date and time"),
    "enum": N_("must be one of %(expected)s"),
    "literal_error": N_("must be one of %(expected)s"),
    "uuid_parsing": N_("must be an identifier (UUID)"),
    "list_type": N_("must be a list"),
}


def problems(error: ValidationError, labels: Mapping[str, str]) -> list[tuple[str, i18n.Said]]:
    """(field, reason) of each validation error of a form, told under the field's label, in
    the reader's language when the page is rendered."""
    found = []
    for e in error.errors():
        name = str(e["loc"][0]) if e["loc"] else ""
        known = VALIDATION.get(e["type"])
        reason = i18n.Said(known, e.get("ctx") or {}) if known else i18n.Said(e["msg"])
        label = i18n.Said(labels.get(name, name))
        told = i18n.Said(checks.MALFORMED, {"label": label, "problem": reason})
        found.append((name, told if name else reason))
    return found


Refusable = (PalermoError, ValidationError)
