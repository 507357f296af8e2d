"""Audit anomalies: what in an agency's recent audit log an auditor (or data-protection
officer) should look at first, and whether the log itself still verifies.

Each rule looks at one actor at a time over the review period (`LOOKBACK`):

- a **burst of refusals**: at least `DENIAL_BURST` access decisions denied within
  `DENIAL_WINDOW` — someone probing for records they may not see;
- **repeated failed log-ins**: at least `LOGIN_FAILURES` refused log-ins (password or
  one-time code, or tried while locked) within `LOGIN_WINDOW`, below or up to the lock-out;
- a **bulk consultation**: at least `BULK_OBJECTS` distinct objects (records, messages,
  cases…) consulted within `BULK_WINDOW` — far more than one person reads in that time;
- **consultations outside working hours**: at least `OFF_HOURS_CONSULTATIONS`
  consultations outside `WORKING_HOURS`, local time of the agency's country. A country that
  spans several time zones counts a moment as outside only when it is outside in each of
  them, so the choice of zone never raises a false alarm.

The log's own state is reported beside them: the latest signed tree head must verify under
the node's key and match the stored tree, and must not be older than `HEAD_STALE_AFTER`
while the log has grown since (nothing has vouched for the newer entries).

Reading the log for a review is itself logged (`audit.reading.read_since`).
"""

from __future__ import annotations

import enum
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from babel.core import get_global
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.orm import Session

from palermo.audit import tree
from palermo.audit.reading import read_since
from palermo.audit.service import Operation, Outcome
from palermo.identity.principal import Principal
from palermo.models.audit import AuditEvent
from palermo.translatable import N_

LOOKBACK = timedelta(days=7)
DENIAL_BURST = 5
DENIAL_WINDOW = timedelta(minutes=10)
LOGIN_FAILURES = 3
LOGIN_WINDOW = timedelta(minutes=15)
BULK_OBJECTS = 100
BULK_WINDOW = timedelta(minutes=10)
OFF_HOURS_CONSULTATIONS = 3
WORKING_HOURS = (7, 20)  # local hours: from 07:00 to 20:00
HEAD_STALE_AFTER = timedelta(hours=24)

FAILED_LOGINS = frozenset({"auth.login_failed", "auth.login_refused_locked"})


class Rule(enum.StrEnum):
    denial_burst = "denial_burst"
    login_failures = "login_failures"
    bulk_consultation = "bulk_consultation"
    off_hours = "off_hours"


RULE_TITLES = {
    Rule.denial_burst: N_("Burst of refused accesses"),
    Rule.login_failures: N_("Repeated failed log-ins"),
    Rule.bulk_consultation: N_("Bulk consultation"),
    Rule.off_hours: N_("Consultations outside working hours"),
}


@dataclass(frozen=True)
class Anomaly:
    rule: Rule
    actor: str
    count: int  # refusals, failures, distinct objects or consultations
    first: datetime  # the span of the events counted
    last: datetime


@dataclass(frozen=True)
class LogState:
    size: int
    head_size: int | None  # None: no head signed yet
    head_signed_at: datetime | None
    signature_valid: bool | None  # None: no head to check
    root_matches: bool | None
    stale: bool

    @property
    def sound(self) -> bool:
        return (
            self.signature_valid is not False
            and self.root_matches is not False
            and not (self.stale)
        )


@dataclass(frozen=True)
class Review:
    since: datetime
    scanned: int  # events read
    anomalies: list[Anomaly]
    log: LogState


def review(
    session: Session,
    *,
    principal: Principal,
    node_key: Ed25519PublicKey,
    now: datetime,
    working_hours: tuple[int, int] = WORKING_HOURS,
) -> Review:
    """The anomalies of the auditor's agency over the last `LOOKBACK`, the most frequent
    first, and the state of the log."""
    since = now - LOOKBACK
    events = read_since(session, principal=principal, since=since)
    zones = country_zones(principal.country)
    found = [
        *bursts(events, Rule.denial_burst, DENIAL_BURST, DENIAL_WINDOW, denied),
        *bursts(events, Rule.login_failures, LOGIN_FAILURES, LOGIN_WINDOW, failed_login),
        *bulk_consultations(events),
        *off_hours(events, zones, working_hours),
    ]
    found.sort(key=lambda a: (-a.count, a.rule, a.actor))
    return Review(since, len(events), found, log_state(session, node_key, now=now))


def denied(event: AuditEvent) -> bool:
    return event.outcome == Outcome.deny


def failed_login(event: AuditEvent) -> bool:
    return event.action in FAILED_LOGINS


def consultation(event: AuditEvent) -> bool:
    return event.operation == Operation.consultation


def _by_actor(events: Iterable[AuditEvent]) -> dict[str, list[AuditEvent]]:
    grouped: dict[str, list[AuditEvent]] = {}
    for event in events:
        grouped.setdefault(event.actor, []).append(event)
    return grouped


def _peak(
    marks: Sequence[tuple[datetime, str]], window: timedelta
) -> tuple[int, datetime, datetime]:
    """The most distinct keys seen within any `window` of time-ordered (moment, key) marks,
    and the span of the marks that reached it."""
    held: deque[tuple[datetime, str]] = deque()
    seen: Counter[str] = Counter()
    best = (0, marks[0][0], marks[0][0])
    for moment, key in marks:
        held.append((moment, key))
        seen[key] += 1
        while moment - held[0][0] > window:
            _, gone = held.popleft()
            seen[gone] -= 1
            if not seen[gone]:
                del seen[gone]
        if len(seen) > best[0]:
            best = (len(seen), held[0][0], moment)
    return best


def bursts(
    events: Iterable[AuditEvent],
    rule: Rule,
    threshold: int,
    window: timedelta,
    counts: Callable[[AuditEvent], bool],
) -> list[Anomaly]:
    """Actors with at least `threshold` events that `counts` within `window`."""
    found = []
    for actor, own in _by_actor(e for e in events if counts(e)).items():
        count, first, last = _peak([(e.moment, str(e.leaf_index)) for e in own], window)
        if count >= threshold:
            found.append(Anomaly(rule, actor, count, first, last))
    return found


def bulk_consultations(events: Iterable[AuditEvent]) -> list[Anomaly]:
    """Actors who consulted at least `BULK_OBJECTS` distinct objects within `BULK_WINDOW`."""
    found = []
    for actor, own in _by_actor(e for e in events if consultation(e)).items():
        marks = [(e.moment, object_id) for e in own for object_id in e.object_ids]
        if not marks:
            continue
        count, first, last = _peak(marks, BULK_WINDOW)
        if count >= BULK_OBJECTS:
            found.append(Anomaly(Rule.bulk_consultation, actor, count, first, last))
    return found


@cache
def country_zones(country: str | None) -> tuple[ZoneInfo, ...]:
    """The time zones of a country (CLDR); UTC for none (the node operator's review)."""
    names = get_global("territory_zones").get(country or "", ()) or ("UTC",)
    return tuple(ZoneInfo(name) for name in sorted(names))


def outside_hours(moment: datetime, zones: Sequence[ZoneInfo], hours: tuple[int, int]) -> bool:
    start, end = hours
    return all(not start <= moment.astimezone(zone).hour < end for zone in zones)


def off_hours(
    events: Iterable[AuditEvent], zones: Sequence[ZoneInfo], hours: tuple[int, int]
) -> list[Anomaly]:
    """Actors with at least `OFF_HOURS_CONSULTATIONS` consultations outside `hours`."""
    late = (e for e in events if consultation(e) and outside_hours(e.moment, zones, hours))
    found = []
    for actor, own in _by_actor(late).items():
        if len(own) >= OFF_HOURS_CONSULTATIONS:
            found.append(Anomaly(Rule.off_hours, actor, len(own), own[0].moment, own[-1].moment))
    return found


def log_state(session: Session, node_key: Ed25519PublicKey, *, now: datetime) -> LogState:
    """Does the latest signed head verify under the node's key, match the stored tree, and
    vouch for the log recently enough? A cheap check (one signature, O(log n) hashes); the
    whole log is recomputed by `palermo audit verify`."""
    size = tree.tree_size(session)
    head = tree.latest_head(session)
    if head is None:
        return LogState(size, None, None, None, None, stale=size > 0)
    try:
        message = tree.head_message(head.tree_size, head.root_hash, head.signed_at)
        node_key.verify(head.signature, message)
        signature_valid = True
    except InvalidSignature:
        signature_valid = False
    root_matches = tree.root_at(session, head.tree_size) == head.root_hash
    stale = head.tree_size < size and now - head.signed_at > HEAD_STALE_AFTER
    return LogState(size, head.tree_size, head.signed_at, signature_valid, root_matches, stale)
