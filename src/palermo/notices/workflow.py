"""The life of a notice as an explicit state machine: which action moves it from which
statuses to which, and which side may take it.

    draft ─submit→ submitted ─claim→ in_review ─publish→ published ─suspend→ suspended
      ↑                                  │ └─refuse→ refused      │  ↑─reinstate─┘
      └──────────return──────────────────┘                        ├─extend→ published
    cancel: published/suspended → cancelled; expire: → expired; withdraw: any open → withdrawn
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from palermo.errors import Conflict, NotFound
from palermo.notices.kinds import NoticeStatus
from palermo.translatable import N_

S = NoticeStatus


class Side(enum.StrEnum):
    requester = "requester"  # the requesting agency
    reviewer = "reviewer"  # a compliance reviewer (secretariat; for diffusions, a second person)
    either = "either"  # the requesting agency or the secretariat
    system = "system"  # the expiry sweep


@dataclass(frozen=True)
class Transition:
    sources: frozenset[NoticeStatus]
    target: NoticeStatus
    side: Side
    needs_reasons: bool


def _t(sources: set[NoticeStatus], target: NoticeStatus, side: Side, reasons: bool) -> Transition:
    return Transition(frozenset(sources), target, side, reasons)


OPEN = {S.draft, S.submitted, S.in_review, S.published, S.suspended}

TRANSITIONS: dict[str, Transition] = {
    "submit": _t({S.draft}, S.submitted, Side.requester, False),
    "claim": _t({S.submitted}, S.in_review, Side.reviewer, False),
    "return": _t({S.in_review}, S.draft, Side.reviewer, True),
    "publish": _t({S.in_review}, S.published, Side.reviewer, False),
    "refuse": _t({S.in_review}, S.refused, Side.reviewer, True),
    "extend": _t({S.published}, S.published, Side.requester, True),
    "suspend": _t({S.published}, S.suspended, Side.reviewer, True),
    "reinstate": _t({S.suspended}, S.published, Side.reviewer, True),
    "cancel": _t({S.published, S.suspended}, S.cancelled, Side.either, True),
    "withdraw": _t(OPEN, S.withdrawn, Side.requester, True),
    "expire": _t({S.published, S.suspended}, S.expired, Side.system, False),
}

ACTION_TITLES = {
    "submit": N_("Submit for review"),
    "claim": N_("Take for review"),
    "return": N_("Return to the requester"),
    "publish": N_("Publish"),
    "refuse": N_("Refuse"),
    "extend": N_("Extend by five years"),
    "suspend": N_("Suspend"),
    "reinstate": N_("Reinstate"),
    "cancel": N_("Cancel"),
    "withdraw": N_("Withdraw"),
    "expire": N_("Expire"),
}


def transition(action: str, status: NoticeStatus) -> Transition:
    """The transition, or Conflict (409) when the notice's status does not allow it."""
    found = TRANSITIONS.get(action)
    if found is None:
        known = ", ".join(TRANSITIONS)
        raise Conflict(
            N_("unknown action %(action)s; actions are: %(known)s"),
            action=repr(action),
            known=known,
        )
    if status not in found.sources:
        allowed = ", ".join(sorted(s.value for s in found.sources))
        raise Conflict(
            N_("cannot %(action)s a %(status)s notice (only from: %(allowed)s)"),
            details=[{"type": "illegal_transition", "action": action, "status": status.value}],
            action=action,
            status=status.value,
            allowed=allowed,
        )
    return found


def person_action(action: str) -> str:
    """An action a person may ask for by name (routes): NotFound for anything else."""
    found = TRANSITIONS.get(action)
    if found is None or found.side is Side.system:
        raise NotFound(N_("no action %(action)s"), action=repr(action))
    return action


def actions_from(status: NoticeStatus) -> list[str]:
    """Actions a person may take from this status (the sweep's expiry is not one)."""
    return [a for a, t in TRANSITIONS.items() if status in t.sources and t.side is not Side.system]
