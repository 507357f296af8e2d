"""What the linkage pages share: the schema they review, who may open them, and the words
they show for stored values."""

from __future__ import annotations

from sqlalchemy.orm import Session

from palermo.errors import NotFound
from palermo.identity.principal import Principal
from palermo.linkage import service
from palermo.models.linkage import LinkRun

# The pages review the agency's runs over people (`palermo link run` links Person by default).
SCHEMA = "Person"
FIELD_TITLES = {
    "name": "Name",
    "dob": "Date of birth",
    "document": "Document",
    "country": "Country",
    "gender": "Gender",
}
STATUS_TITLES = {
    "proposed": "To review",
    "confirmed": "Confirmed",
    "rejected": "Rejected",
    "unsure": "Unsure",
}
# The buttons of a judgement: the verdict each stores.
VERDICT_BUTTONS = {"confirmed": "Confirm", "rejected": "Reject", "unsure": "Unsure"}


def latest_run(session: Session, principal: Principal) -> LinkRun | None:
    """The agency's latest run, None before its first. Asked first on every page: it refuses
    (403) whoever does not link records before a working context is asked of them."""
    try:
        return service.latest_run(session, principal, SCHEMA)
    except NotFound:
        return None


def weight_label(weight: float) -> str:
    """How a field's match weight reads: for the two records being one, or against."""
    if weight > 0:
        return "agrees"
    if weight < 0:
        return "disagrees"
    return "no evidence"
