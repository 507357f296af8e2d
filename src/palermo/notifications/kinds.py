"""What each kind of notification is called, where a notification leads, and what it says
in the reader's language."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from palermo.models.records import Notification
from palermo.models.tasks import Task
from palermo.notifications import texts
from palermo.records.envelope import PURPOSE_TITLES, Purpose
from palermo.translatable import N_
from palermo.web import i18n

# Kinds are written by the capability that notifies; titles are translated where shown.
KIND_TITLES = {
    "record.hit": N_("Hit on a record of yours"),
    "record.details_requested": N_("Details requested"),
    "record.review_due": N_("Record due for review"),
    "record.blocked": N_("Record blocked"),
    "record.corrected": N_("Record corrected"),
    "record.erased": N_("Record erased"),
    "message.received": N_("Message received"),
    "message.consent": N_("Consent received"),
    "message.delivered": N_("Message delivered"),
    "message.opened": N_("Message opened"),
    "message.acknowledged": N_("Message acknowledged"),
    "message.answered": N_("Message answered"),
    "notice.hit": N_("Hit on a notice of yours"),
    "notice.hit_decided": N_("Identity of a hit decided"),
    "assets.order_expiry": N_("Order expiring"),
    "assets.silver_answer": N_("Silver Notice answered"),
    "authorisation_expiry": N_("Authorisation expiring"),
    "judicial_request": N_("Judicial request update"),
    "request_reminder": N_("Judicial request due"),
    "request_overdue": N_("Judicial request overdue"),
    "finintel.report": N_("Report received"),
    "finintel.feedback": N_("Feedback on a report"),
    "finintel.information_request": N_("Information requested on a report"),
    "finintel.reply": N_("Reply on a report"),
}
# How the values of the texts are shown: days and moments ("2026-11-29 14:05") the reader's
# way, titles and purposes translated.
SHOWN: dict[str, Callable[[str], Any]] = {
    **dict.fromkeys(("review_due", "delete_by", "due_on", "on"), date.fromisoformat),
    "at": datetime.fromisoformat,
    **dict.fromkeys(texts.TITLES, i18n.Said),
    "purpose": lambda purpose: i18n.Said(PURPOSE_TITLES[Purpose(purpose)]),
}
# A task's title may quote a notification's words whole.
SHOWN["answer"] = lambda words: i18n.recognised(texts.TEXTS, words, SHOWN)
# Kinds named after a workflow's action ("notice.publish", "notice.refuse"…).
FAMILY_TITLES = {"notice": N_("Notice request update")}

MESSAGE_REF = re.compile(
    r"\[([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\]"
)


def title_of(kind: str) -> str:
    """The kind's title (untranslated: the web layer translates it as it renders)."""
    return KIND_TITLES.get(kind) or FAMILY_TITLES.get(kind.partition(".")[0], kind)


def link_of(notification: Notification) -> tuple[str | None, str | None]:
    """Where a notification leads, and what that is: the thread of the message it quotes,
    or the record it is about."""
    found = MESSAGE_REF.search(notification.message)
    if found:
        return f"/messages/m/{found.group(1).lower()}", "thread"
    if notification.record_id:
        return f"/records/{notification.record_id}", "record"
    return None, None


def said(notification: Notification) -> i18n.Said | str:
    """What the notification says, in the reader's language when its text is known."""
    return i18n.recognised(texts.TEXTS, notification.message, SHOWN)


def task_title(task: Task) -> i18n.Said | str:
    """A task's title, in the reader's language when its text is known: a task's own, or
    the words of the notification it was opened with."""
    title = i18n.recognised(texts.TASK_TITLES, task.title, SHOWN)
    return title if isinstance(title, i18n.Said) else i18n.recognised(texts.TEXTS, title, SHOWN)
