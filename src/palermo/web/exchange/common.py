"""What the exchange pages share: the vocabularies they explain, and where they lead."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi.responses import RedirectResponse, Response

from palermo.models.base import utcnow
from palermo.records.envelope import Tlp
from palermo.translatable import N_
from palermo.web.templating import templates

# FIRST TLP 2.0, in its own words.
TLP_MEANING = {
    Tlp.clear: N_("Recipients can spread this to the world; there is no limit on disclosure."),
    Tlp.green: N_("Limited disclosure: recipients can spread this within their community."),
    Tlp.amber: N_(
        "Limited disclosure: recipients can spread this on a need-to-know basis within "
        "their organisation and its clients."
    ),
    Tlp.amber_strict: N_(
        "Limited disclosure: recipients can spread this on a need-to-know basis "
        "within their organisation only."
    ),
    Tlp.red: N_("For the eyes and ears of individual recipients only; no further disclosure."),
}
# The 4×4 evaluation of SIENA / Europol: the source's reliability, the information's accuracy.
# Badges imported without context read these as globals, as `handling_meaning` is.
templates.env.globals.setdefault("tlp_meaning", TLP_MEANING)
SOURCES = {
    "A": N_(
        "A: no doubt about the source's authenticity, trustworthiness and competence, or a "
        "history of complete reliability"
    ),
    "B": N_("B: information from this source has in most instances proved reliable"),
    "C": N_("C: information from this source has in most instances proved unreliable"),
    "X": N_("X: the reliability of the source cannot be assessed"),
}
INFORMATION = {
    "1": N_("1: no doubt about its accuracy"),
    "2": N_("2: known personally to the source but not to the official passing it on"),
    "3": N_("3: not known personally to the source but corroborated by recorded information"),
    "4": N_("4: not known personally to the source and cannot be corroborated"),
}


def current_date() -> date:
    return utcnow().date()


def see_thread(thread_id: uuid.UUID, message_id: uuid.UUID | None = None) -> Response:
    anchor = f"#m-{message_id}" if message_id else ""
    return RedirectResponse(f"/messages/threads/{thread_id}{anchor}", status_code=303)
