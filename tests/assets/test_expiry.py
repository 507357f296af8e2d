"""Freezing and seizure orders lapse unless renewed: Palermo lists those about to, and the
daily sweep warns the managing agency once per order, in time."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from palermo.assets import expiry
from palermo.assets.lifecycle import AssetState
from palermo.identity.principal import operator_principal
from palermo.models.records import Notification
from palermo.models.tasks import Task
from tests.assets.conftest import NOW, Desk

S = AssetState
SWEEPER = operator_principal(frozenset())  # the daily job runs as the node operator


def test_measures_about_to_expire_or_lapsed_are_listed_soonest_first(desk: Desk) -> None:
    villa, car, boat = (
        desk.asset("Villa"),
        desk.asset("Car", kind="vehicle", value="80000"),
        desk.asset("Boat", kind="vessel", value="300000"),
    )
    soon = desk.order("freezing", villa, expires_on=date(2026, 6, 20))
    desk.move(villa, S.frozen, soon)
    desk.move(car, S.seized, desk.order("seizure", car, expires_on=date(2026, 12, 31)))
    lapsed = desk.order("freezing", boat, expires_on=date(2026, 5, 20))
    desk.move(boat, S.frozen, lapsed)
    due = expiry.expiring(desk.db, desk["nl"], within_days=30, today=NOW.date(), now=NOW)
    assert [(d.asset.reference, d.order.reference, d.days_left, d.lapsed) for d in due] == [
        (boat.reference, lapsed.reference, -12, True),
        (villa.reference, soon.reference, 19, False),
    ]
    assert expiry.expiring(desk.db, desk["fr"], within_days=30, today=NOW.date(), now=NOW) == []
    # Renewed, the villa's freezing runs on.
    renewal = desk.order(
        "freezing",
        villa,
        expires_on=date(2027, 6, 20),
        renews=str(soon.id),
        issued_on=date(2026, 5, 25),
    )
    desk.move(villa, S.frozen, renewal, on=date(2026, 5, 26))
    due = expiry.expiring(desk.db, desk["nl"], within_days=30, today=NOW.date(), now=NOW)
    assert [d.asset.reference for d in due] == [boat.reference]


def test_the_sweep_warns_once_per_order_and_a_renewal_closes_the_warning(desk: Desk) -> None:
    villa, flat = desk.asset("Villa"), desk.asset("Flat", value="400000")
    order = desk.order("freezing", villa, flat, expires_on=date(2026, 6, 20))
    desk.move(villa, S.frozen, order)
    desk.move(flat, S.frozen, order)
    assert expiry.sweep(desk.db, principal=SWEEPER, warning_days=30, now=NOW) == 1
    assert expiry.sweep(desk.db, principal=SWEEPER, warning_days=30, now=NOW) == 0
    task = desk.db.scalars(select(Task).where(Task.kind == expiry.EXPIRY_TASK)).one()
    assert task.title == (
        f"Freezing order {order.reference} of NL expires on 2026-06-20: renew it or release "
        f"{', '.join(sorted([villa.reference, flat.reference]))}"
    )
    assert task.due_at is not None
    assert task.due_at.date() == date(2026, 6, 20)
    notice = desk.db.scalars(
        select(Notification).where(Notification.kind == expiry.EXPIRY_TASK)
    ).one()
    assert notice.message == task.title
    desk.order(
        "freezing",
        villa,
        flat,
        expires_on=date(2027, 6, 20),
        renews=str(order.id),
        issued_on=date(2026, 5, 25),
    )
    assert task.done_at is not None
    assert task.outcome.startswith("renewed by ")


def test_a_warning_window_is_the_agencys_choice(desk: Desk) -> None:
    villa = desk.asset()
    desk.move(villa, S.frozen, desk.order("freezing", villa, expires_on=date(2026, 8, 1)))
    assert expiry.sweep(desk.db, principal=SWEEPER, warning_days=30, now=NOW) == 0
    assert expiry.sweep(desk.db, principal=SWEEPER, warning_days=90, now=NOW) == 1
