"""What notifications say: a notification's message is stored in English (the API's and the
webhooks' language), written from one of these texts, and shown in the reader's language
in the workspace (see `palermo.translatable.Texts`)."""

from __future__ import annotations

from palermo.translatable import N_, Texts

RECORD_HIT = N_("%(agency)s hit record %(record)s for %(purpose)s")
RECORD_CORRECTED = N_("Record %(record)s was corrected (version %(version)s).")
RECORD_ERASED = N_("Record %(record)s was erased by its owner; erase your copies.")
REVIEW_DUE_ERASE = N_(
    "Record %(record)s (%(caption)s) is due for review on %(review_due)s; without a decision "
    "it is erased after %(delete_by)s."
)
REVIEW_DUE_BLOCK = N_(
    "Record %(record)s (%(caption)s) is due for review on %(review_due)s; without a decision "
    "it is blocked after %(delete_by)s."
)
RECORD_BLOCKED = N_(
    "Record %(record)s was blocked: its delete-by date %(delete_by)s passed without a review "
    "decision."
)
# Written by the screening service.
DETAILS_REQUESTED = N_(
    "%(agency)s asks for the details of %(record)s for %(purpose)s: %(justification)s"
)

MESSAGE_RECEIVED = {
    "routine": N_(
        "message from %(sender)s (%(handling)s, TLP:%(tlp)s) — open it in the inbox [%(id)s]"
    ),
    "urgent": N_(
        "URGENT message from %(sender)s (%(handling)s, TLP:%(tlp)s) — open it in the inbox [%(id)s]"
    ),
    "immediate": N_(
        "IMMEDIATE message from %(sender)s (%(handling)s, TLP:%(tlp)s) — open it in the inbox "
        "[%(id)s]"
    ),
}
RECEIPT = {
    "delivered": N_("Your message [%(id)s] was delivered to %(recipient)s"),
    "opened": N_("Your message [%(id)s] was opened by %(recipient)s"),
    "acknowledged": N_("Your message [%(id)s] was acknowledged by %(recipient)s"),
    "answered": N_("Your message [%(id)s] was answered by %(recipient)s"),
}
CONSENT = N_("%(agency)s consents to %(scope)s of message [%(id)s]")

REPORT_RECEIVED = N_("%(kind)s %(reference)s received from %(agency)s")
REPORT_EXCHANGE = {
    "feedback": N_("feedback on %(reference)s"),
    "information_request": N_("information request on %(reference)s"),
    "reply": N_("reply on %(reference)s"),
}

REQUEST_STEP = N_("Request %(reference)s: %(before)s → %(after)s")
REQUEST_DUE = N_("Request %(reference)s: %(milestone)s by %(due_on)s (%(basis)s)")
REQUEST_OVERDUE = N_(
    "Request %(reference)s is overdue: the time to %(milestone)s ended on %(due_on)s (%(basis)s)"
)

NOTICE_HIT = N_(
    "Hit on your %(kind)s %(entity)s “%(title)s”: %(user)s of %(agency)s at %(at)s UTC, for "
    "%(purpose)s: %(justification)s. Confirm the identity."
)
HIT_DECIDED = {
    True: N_(
        "%(agency)s: the person you screened on %(at)s UTC is the subject of %(kind)s "
        "%(entity)s. %(note)s"
    ),
    False: N_(
        "%(agency)s: the person you screened on %(at)s UTC is not the subject of %(kind)s "
        "%(entity)s. %(note)s"
    ),
}
NOTICE_STEP = N_("%(kind)s “%(title)s” %(status)s by %(agency)s")
NOTICE_STEP_WHY = N_("%(kind)s “%(title)s” %(status)s by %(agency)s: %(reasons)s")
DIFFUSION_STEP = N_("%(kind)s diffusion “%(title)s” %(status)s by %(agency)s")
DIFFUSION_STEP_WHY = N_("%(kind)s diffusion “%(title)s” %(status)s by %(agency)s: %(reasons)s")

AUTHORISATION_EXPIRES = {
    False: N_("%(technique)s %(reference)s (%(case)s) expires on %(on)s: renew it or stop"),
    True: N_("%(technique)s %(reference)s (%(case)s) expired on %(on)s: renew it or stop"),
}
ORDER_EXPIRES = {
    False: N_(
        "%(kind)s order %(reference)s of %(country)s expires on %(on)s: renew it or release "
        "%(assets)s"
    ),
    True: N_(
        "%(kind)s order %(reference)s of %(country)s lapsed on %(on)s: renew it or release "
        "%(assets)s"
    ),
}
SILVER_ANSWER = N_(
    "%(agency)s located %(count)s asset(s) for Silver Notice %(reference)s “%(title)s”: %(assets)s"
)

# Task titles (palermo.tasks), stored in English alike; a task opened with a notification's
# words is recognised by `TEXTS`.
CONFIRM_IDENTITY = N_("Confirm identity: %(who)s hit %(kind)s %(entity)s “%(title)s”")
REASSESS_NOTICE = N_(
    "Re-assess %(kind)s %(entity)s “%(title)s”: extend it with reasons or let it expire on %(on)s"
)
RECOGNISE_ORDER = N_(
    "Recognise %(kind)s order %(reference)s of %(country)s (%(agency)s) for %(count)s asset(s) "
    "in %(where)s"
)
ASSETS_LOCATED = N_("Assets located: %(answer)s")

TEXTS = Texts(
    RECORD_HIT,
    RECORD_CORRECTED,
    RECORD_ERASED,
    REVIEW_DUE_ERASE,
    REVIEW_DUE_BLOCK,
    RECORD_BLOCKED,
    DETAILS_REQUESTED,
    *MESSAGE_RECEIVED.values(),
    *RECEIPT.values(),
    CONSENT,
    REPORT_RECEIVED,
    *REPORT_EXCHANGE.values(),
    REQUEST_STEP,
    REQUEST_DUE,
    REQUEST_OVERDUE,
    NOTICE_HIT,
    *HIT_DECIDED.values(),
    NOTICE_STEP,
    NOTICE_STEP_WHY,
    DIFFUSION_STEP,
    DIFFUSION_STEP_WHY,
    *AUTHORISATION_EXPIRES.values(),
    *ORDER_EXPIRES.values(),
    SILVER_ANSWER,
    words=frozenset({"record", "entity", "reference", "id", "version", "count", "tlp"}),
)
# Apart from `TEXTS`: "Assets located: …" quotes a notification, which would match it first.
TASK_TITLES = Texts(
    CONFIRM_IDENTITY,
    REASSESS_NOTICE,
    RECOGNISE_ORDER,
    ASSETS_LOCATED,
    words=frozenset({"entity", "reference", "count"}),
)
# Values that are themselves marked titles, translated with the text.
TITLES = frozenset({"technique", "milestone", "kind", "status"})
