"""What the linkage pages share: the schema they review, who may open them, and the words
they show for stored values."""

from __future__ import annotations

from sqlalchemy.orm import Session

from palermo.errors import NotFound
from palermo.identity.principal import Principal
from palermo.linkage import service
from palermo.models.linkage import LinkRun
from palermo.translatable import N_

# The pages review the agency's runs over people (`palermo link run` links Person by default).
SCHEMA = "Person"
FIELD_TITLES = {
    "name": N_("Name"),
    "dob": N_("Date of birth"),
    "document": N_("Document"),
    "country": N_("Country"),
    "gender": N_("Gender"),
}
STATUS_TITLES = {
    "proposed": N_("To review"),
    "confirmed": N_("Confirmed"),
    "rejected": N_("Rejected"),
    "unsure": N_("Unsure"),
}
# The buttons of a judgement: the verdict each stores.
VERDICT_BUTTONS = {"confirmed": N_("Confirm"), "rejected": N_("Reject"), "unsure": N_("Unsure")}


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
        return N_("agrees")
    if weight < 0:
        return N_("disagrees")
    return N_("no evidence")
