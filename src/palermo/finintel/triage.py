"""Alert triage: new → in review → dismissed, escalated to a case, or disseminated to a
partner FIU or police agency as an exchange message. Every move is kept on the alert and
audited; a dismissal or escalation says why."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.cases.links import brought_in
from palermo.cases.timeline import ALERT_ESCALATED
from palermo.errors import Conflict, Invalid, NotFound
from palermo.exchange import messages
from palermo.exchange.keys import Keyring
from palermo.finintel.service import analyst_fiu, on_account
from palermo.finintel.typologies import TYPOLOGIES
from palermo.identity.principal import Principal
from palermo.models.finintel import AlertEvent, MonitoringAlert
from palermo.records.envelope import HandlingCode, Tlp
from palermo.translatable import N_, written

# action: (statuses it moves from, status it moves to)
MOVES = {
    "review": ({"new"}, "in_review"),
    "dismiss": ({"new", "in_review"}, "dismissed"),
    "escalate": ({"new", "in_review"}, "escalated"),
    "disseminate": ({"new", "in_review", "escalated"}, "disseminated"),
    "reopen": ({"dismissed", "escalated", "disseminated"}, "in_review"),
}
STATUSES = ("new", "in_review", "dismissed", "escalated", "disseminated")


def list_alerts(
    session: Session,
    principal: Principal,
    *,
    status: str | None = None,
    typology: str | None = None,
    account: str | None = None,
    limit: int = 200,
) -> list[MonitoringAlert]:
    fiu = analyst_fiu(session, principal)
    query = select(MonitoringAlert).where(MonitoringAlert.agency_id == fiu.id)
    if status:
        if status not in STATUSES:
            raise Invalid(
                N_("unknown status %(status)s: one of %(statuses)s"),
                status=repr(status),
                statuses=", ".join(STATUSES),
            )
        query = query.where(MonitoringAlert.status == status)
    if typology:
        if typology not in TYPOLOGIES:
            raise Invalid(N_("unknown typology %(typology)s"), typology=repr(typology))
        query = query.where(MonitoringAlert.typology == typology)
    if account:
        query = query.where(on_account(account))
    return list(
        session.scalars(
            query.order_by(
                MonitoringAlert.rank_score.desc().nulls_last(), MonitoringAlert.score.desc()
            ).limit(limit)
        )
    )


def get_alert(session: Session, principal: Principal, alert_id: uuid.UUID) -> MonitoringAlert:
    fiu = analyst_fiu(session, principal)
    alert = session.get(MonitoringAlert, alert_id)
    if alert is None or alert.agency_id != fiu.id:
        raise NotFound(N_("no alert %(alert_id)s"), alert_id=alert_id)
    return alert


def history(session: Session, alert: MonitoringAlert) -> list[AlertEvent]:
    return list(
        session.scalars(
            select(AlertEvent)
            .where(AlertEvent.alert_id == alert.id)
            .order_by(AlertEvent.created_at)
        )
    )


def move(
    session: Session,
    principal: Principal,
    alert_id: uuid.UUID,
    *,
    action: str,
    now: datetime,
    note: str | None = None,
    reference: str | None = None,
) -> MonitoringAlert:
    alert = get_alert(session, principal, alert_id)
    if action not in MOVES or action == "disseminate":
        raise Invalid(
            N_("unknown action %(action)s: one of review, dismiss, escalate, reopen"),
            action=repr(action),
        )
    if action in {"dismiss", "escalate"} and not (note or "").strip():
        raise Invalid(N_("to %(action)s an alert, say why (note)"), action=action)
    if action == "escalate" and not (reference or "").strip():
        raise Invalid(N_("name the case the alert is escalated to (reference)"))
    if action == "escalate" and reference:
        brought_in(
            session,
            principal,
            reference,
            summary=written(
                ALERT_ESCALATED, alert=alert.alert_key, typology=alert.typology, note=note
            ),
            now=now,
            object_ids=[alert.alert_key],
        )
    _apply(session, principal, alert, action, now, note=note, reference=reference)
    return alert


def _apply(
    session: Session,
    principal: Principal,
    alert: MonitoringAlert,
    action: str,
    now: datetime,
    *,
    note: str | None,
    reference: str | None,
    recipients: list[str] | None = None,
) -> None:
    sources, target = MOVES[action]
    if alert.status not in sources:
        raise Conflict(
            N_("an alert that is %(status)s cannot be %(action)sed (only from %(sources)s)"),
            status=alert.status,
            action=action,
            sources=", ".join(sorted(sources)),
        )
    alert.status, alert.updated_at = target, now
    if action == "review":
        alert.assignee = principal.username
    session.add(
        AlertEvent(
            alert_id=alert.id,
            username=principal.username,
            action=action,
            note=(note or "").strip() or None,
            reference=reference,
            created_at=now,
        )
    )
    audit(
        session,
        action=f"finintel.alert.{action}",
        operation=Operation.disclosure if action == "disseminate" else Operation.alteration,
        principal=principal,
        object_ids=[alert.alert_key],
        recipients=recipients or [],
        detail={"typology": alert.typology, "status": target, "reference": reference},
    )


def disseminate(
    session: Session,
    principal: Principal,
    keyring: Keyring,
    alert_id: uuid.UUID,
    *,
    recipients: list[str],
    note: str,
    max_attachment_bytes: int,
    now: datetime,
) -> MonitoringAlert:
    """Send the alert's finding to partner FIUs or police agencies as a message under H2
    (an FIU's information is passed on only with its consent)."""
    alert = get_alert(session, principal, alert_id)
    if not recipients:
        raise Invalid(N_("name at least one recipient agency"))
    lines = [
        f"{TYPOLOGIES[alert.typology]} — alert {alert.alert_key}, rule {alert.rule_version}.",
        f"Window: {alert.window_start:%Y-%m-%d %H:%M} – {alert.window_end:%Y-%m-%d %H:%M} UTC.",
        f"Accounts ({len(alert.accounts)}): {', '.join(alert.accounts[:50])}",
        f"Transactions: {len(alert.transactions)}.",
        *(f"{k}: {v}" for k, v in sorted(alert.facts.items())),
    ]
    if note.strip():
        lines = [note.strip(), "", *lines]
    sent = messages.send(
        session,
        keyring,
        principal=principal,
        draft=messages.Draft.of(
            recipients=recipients,
            subject=f"Financial intelligence: {alert.typology.replace('_', ' ')} alert",
            body="\n".join(lines),
            handling_code=HandlingCode.H2.value,
            tlp=Tlp.amber.value,
            max_attachment_bytes=max_attachment_bytes,
            today=now.date(),
        ),
        now=now,
    )
    _apply(
        session,
        principal,
        alert,
        "disseminate",
        now,
        note=note,
        reference=f"message {sent.id}",
        recipients=recipients,
    )
    return alert
