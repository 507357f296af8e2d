"""Freezing and seizure orders lapse on their expiry date unless renewed: Palermo shows which
are about to, and the daily sweep gives the managing agencies a task in time to renew."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from palermo.assets.instruments import in_force
from palermo.assets.lifecycle import TEMPORARY, AssetState
from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.identity.principal import Principal
from palermo.models.assets import Asset, AssetOrder
from palermo.models.records import Notification
from palermo.models.tasks import Task
from palermo.notifications import texts
from palermo.policy import assets as policy
from palermo.tasks import open_task
from palermo.translatable import written

EXPIRY_TASK = "assets.order_expiry"
UNDER_MEASURE = (AssetState.frozen, AssetState.seized)


@dataclass(frozen=True)
class Expiring:
    asset: Asset
    order: AssetOrder
    expires_on: date
    days_left: int  # negative: lapsed that many days ago

    @property
    def lapsed(self) -> bool:
        return self.days_left < 0


def expiring(
    session: Session, principal: Principal, *, within_days: int, today: date, now: datetime
) -> list[Expiring]:
    """Assets the principal sees whose freezing or seizure expires within `within_days`, or
    has lapsed: soonest first."""
    under_measure = policy.visible_assets(principal, now=now).where(Asset.state.in_(UNDER_MEASURE))
    due = _due(session, under_measure, today + timedelta(days=within_days), today)
    audit(
        session,
        action="assets.expiring",
        operation=Operation.consultation,
        principal=principal,
        purpose="asset_recovery",
        object_ids=[d.asset.id for d in due],
        detail={"within_days": within_days},
    )
    return due


def _due(session: Session, assets: Select[Asset], until: date, today: date) -> list[Expiring]:
    """Of `assets` (a query), those whose measure in force expires by `until`."""
    due = {
        asset_id: (order, order.expires_on)
        for asset_id, order in in_force(session, assets.with_only_columns(Asset.id)).items()
        if order.kind in TEMPORARY and order.expires_on is not None and order.expires_on <= until
    }
    if not due:
        return []
    found = [
        Expiring(asset, order, expires, (expires - today).days)
        for asset in session.scalars(select(Asset).where(Asset.id.in_(list(due))))
        for order, expires in [due[asset.id]]
    ]
    return sorted(found, key=lambda e: (e.days_left, e.asset.reference))


def sweep(session: Session, *, principal: Principal, warning_days: int, now: datetime) -> int:
    """A task (and a notification) for each managing agency whose measure expires within
    `warning_days` or has lapsed, once per order; returns how many were set."""
    today = now.date()
    under_measure = select(Asset).where(Asset.state.in_(UNDER_MEASURE))
    by_order: dict[AssetOrder, list[Asset]] = {}
    for due in _due(session, under_measure, today + timedelta(days=warning_days), today):
        by_order.setdefault(due.order, []).append(due.asset)
    warned = set(
        session.scalars(
            select(Task.subject_id).where(
                Task.kind == EXPIRY_TASK,
                Task.subject_id.in_([str(o.id) for o in by_order]),
                Task.done_at.is_(None),
            )
        )
    )
    set_now = 0
    for order, covered in by_order.items():
        if str(order.id) in warned:
            continue
        assert order.expires_on is not None
        for agency_id in {a.agency_id for a in covered}:
            mine = sorted(a.reference for a in covered if a.agency_id == agency_id)
            message = written(
                texts.ORDER_EXPIRES[order.expires_on < today],
                kind=order.kind.value.capitalize(),
                reference=order.reference,
                country=order.country,
                on=order.expires_on,
                assets=", ".join(mine),
            )
            open_task(
                session,
                agency_id=agency_id,
                kind=EXPIRY_TASK,
                title=message,
                link="/assets/expiring",
                subject_id=str(order.id),
                due_at=datetime.combine(order.expires_on, time.max, tzinfo=UTC),  # in force all day
                now=now,
            )
            session.add(
                Notification(agency_id=agency_id, kind=EXPIRY_TASK, message=message, created_at=now)
            )
            set_now += 1
    audit(
        session,
        action="assets.sweep",
        operation=Operation.administration,
        principal=principal,
        object_ids=[o.id for o in by_order],
        detail={"warning_days": warning_days, "warnings": set_now},
    )
    return set_now
