"""Every step of an asset's life needs its legal instrument, in force, of the right kind,
naming the asset, of its jurisdiction; anything else is refused with the reason and audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from palermo.assets import service, statistics
from palermo.assets.lifecycle import STEPS, AssetState, OrderKind
from palermo.errors import Conflict, Invalid
from palermo.models.assets import Asset, AssetEvent, AssetOrder
from palermo.models.audit import AuditEvent
from tests.assets.conftest import NOW, Desk

S = AssetState
EDGES = sorted((source, target) for target, step in STEPS.items() for source in step.sources)
DISPOSAL_FOR = {
    S.returned: {
        "disposal": "return_to_requesting_state",
        "shares": [{"recipient": "Republic of Colombia", "country": "CO", "percent": "100"}],
    },
    S.shared: {
        "disposal": "sharing",
        "shares": [
            {"recipient": "Kingdom of the Netherlands", "country": "NL", "percent": "60"},
            {"recipient": "United Arab Emirates", "country": "AE", "percent": "40"},
        ],
    },
    S.transferred_to_victims: {
        "disposal": "compensation_of_victims",
        "shares": [{"recipient": "Schadefonds Geweldsmisdrijven", "percent": "100"}],
    },
}
DESTRUCTION = {"disposal": "destruction"}


def reach(desk: Desk, asset: Asset, state: AssetState, target: AssetState) -> AssetOrder | None:
    """Bring `asset` to `state` through real orders; the disposal decision used, if any."""
    day = iter(date(2025, 3, 1) + timedelta(days=n) for n in range(10))
    path = {
        S.identified: [],
        S.traced: [S.traced],
        S.frozen: [S.frozen],
        S.seized: [S.seized],
        S.confiscated: [S.frozen, S.confiscated],
        S.under_management: [S.frozen, S.confiscated, S.under_management],
        S.disposed: [S.frozen, S.confiscated, S.disposed],
    }[state]
    decision = None
    for step in path:
        instrument = STEPS[step].instrument
        if instrument is None:
            desk.move(asset, step, on=next(day), note="land registry extract")
            continue
        extra = DISPOSAL_FOR.get(target, DESTRUCTION) if instrument is OrderKind.disposal else {}
        order = desk.order(instrument, asset, **extra)
        desk.move(asset, step, order, on=next(day))
        decision = order if instrument is OrderKind.disposal else decision
    return decision


@pytest.mark.parametrize(("source", "target"), EDGES, ids=[f"{s}->{t}" for s, t in EDGES])
def test_every_step_needs_its_instrument(desk: Desk, source: S, target: S) -> None:
    asset = desk.asset()
    decision = reach(desk, asset, source, target)
    on = date(2025, 4, 1)
    instrument = STEPS[target].instrument
    if instrument is None:
        with pytest.raises(Invalid, match="say what the tracing established"):
            desk.move(asset, target, on=on)
        desk.move(asset, target, on=on, note="Kadaster: owned through Harbour Holding BV")
        assert asset.state is target
        return
    with pytest.raises(Invalid, match=f"needs a {instrument.value} order"):
        desk.move(asset, target, on=on)
    wrong = OrderKind.management if instrument is OrderKind.release else OrderKind.release
    with pytest.raises(Invalid, match=f"is a {wrong.value} order; .* needs a {instrument.value}"):
        desk.move(asset, target, desk.order(wrong, asset), on=on)
    if decision is not None and target in DISPOSAL_FOR:
        order = decision  # returning, sharing, compensating execute the disposal decision
    else:
        order = desk.order(instrument, asset, **(DESTRUCTION if target is S.disposed else {}))
    event = desk.move(asset, target, order, on=on)
    assert (asset.state, asset.state_since) == (target, on)
    assert (event.from_state, event.to_state, event.order_id) == (source, target, order.id)


@pytest.mark.parametrize(
    ("state", "target", "allowed"),
    [
        (S.identified, S.confiscated, "traced, frozen, seized"),
        (S.traced, S.disposed, "frozen, seized"),
        (S.frozen, S.under_management, "frozen, seized, confiscated, released"),
    ],
)
def test_a_step_the_state_does_not_allow_is_refused(
    desk: Desk, state: S, target: S, allowed: str
) -> None:
    asset = desk.asset()
    reach(desk, asset, state, target)
    kind = STEPS[target].instrument or OrderKind.release
    order = desk.order(kind, asset, **(DESTRUCTION if kind is OrderKind.disposal else {}))
    with pytest.raises(Conflict, match=f"cannot become .*; it may become {allowed}$"):
        desk.move(asset, target, order, on=date(2025, 4, 1))
    assert asset.state is state


def test_a_released_asset_moves_no_more(desk: Desk) -> None:
    asset = desk.asset()
    desk.move(asset, S.frozen, desk.order("freezing", asset))
    desk.move(asset, S.released, desk.order("release", asset), on=date(2025, 5, 1))
    with pytest.raises(Conflict, match=r"a released asset cannot become frozen$"):
        desk.move(asset, S.frozen, desk.order("freezing", asset), on=date(2025, 6, 1))


def test_an_expired_or_not_yet_issued_order_is_refused(desk: Desk) -> None:
    asset = desk.asset()
    order = desk.order("freezing", asset, issued_on=date(2025, 2, 1), expires_on=date(2025, 3, 1))
    with pytest.raises(Invalid, match=f"order {order.reference} expired on 2025-03-01"):
        desk.move(asset, S.frozen, order, on=date(2025, 3, 2))
    with pytest.raises(Invalid, match="was issued on 2025-02-01, after 2025-01-31"):
        desk.move(asset, S.frozen, order, on=date(2025, 1, 31))
    desk.move(asset, S.frozen, order, on=date(2025, 3, 1))  # its last day
    assert asset.state is S.frozen


def test_an_order_that_does_not_name_the_asset_is_refused(desk: Desk) -> None:
    villa, yacht = desk.asset(), desk.asset("Yacht Sea Breeze", kind="vessel")
    order = desk.order("seizure", yacht)
    with pytest.raises(Invalid, match=f"does not cover asset {villa.reference}"):
        desk.move(villa, S.seized, order)


def test_steps_are_dated_in_order_and_not_in_the_future(desk: Desk) -> None:
    asset = desk.asset()
    desk.move(asset, S.frozen, desk.order("freezing", asset), on=date(2025, 3, 10))
    order = desk.order("seizure", asset)
    with pytest.raises(Invalid, match=r"before the asset's last step \(2025-03-10\)"):
        desk.move(asset, S.seized, order, on=date(2025, 3, 9))
    with pytest.raises(Invalid, match="in the future"):
        desk.move(asset, S.seized, order, on=date(2026, 6, 3))


def test_a_freezing_is_renewed_by_another_order_not_the_same(desk: Desk) -> None:
    asset = desk.asset()
    first = desk.order("freezing", asset, expires_on=date(2025, 9, 1))
    desk.move(asset, S.frozen, first)
    with pytest.raises(Invalid, match=f"is frozen under {first.reference}"):
        desk.move(asset, S.frozen, first, on=date(2025, 8, 1))
    renewal = desk.order("freezing", asset, expires_on=date(2026, 3, 1), renews=str(first.id))
    desk.move(asset, S.frozen, renewal, on=date(2025, 8, 1))
    assert renewal.renews_id == first.id
    steps = desk.db.scalars(select(AssetEvent).where(AssetEvent.asset_id == asset.id)).all()
    assert [(e.from_state, e.to_state) for e in steps] == [
        (None, "identified"),
        ("identified", "frozen"),
        ("frozen", "frozen"),
    ]


def test_executing_a_decision_follows_its_type(desk: Desk) -> None:
    asset = desk.asset()
    decision = reach(desk, asset, S.disposed, S.shared)
    assert decision is not None
    with pytest.raises(Invalid, match="is sharing: the asset cannot be returned under it"):
        desk.move(asset, S.returned, decision, on=date(2025, 4, 1))
    other = desk.order("disposal", asset, **DISPOSAL_FOR[S.returned])
    with pytest.raises(Invalid, match=f"{other.reference} is not the decision that disposed"):
        desk.move(asset, S.returned, other, on=date(2025, 4, 1))


def test_refusals_are_audited_with_their_reason(desk: Desk) -> None:
    asset = desk.asset()
    with pytest.raises(Invalid):
        desk.move(asset, S.frozen)
    refused = desk.db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "assets.transition", AuditEvent.outcome == "failure"
        )
    ).one()
    assert refused.actor == "nl.officer"
    assert refused.detail["reason"] == "becoming frozen needs a freezing order"
    desk.move(asset, S.frozen, desk.order("freezing", asset))
    done = desk.db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "assets.transition", AuditEvent.outcome == "success"
        )
    ).one()
    assert done.detail["to"] == "frozen"


def test_a_renewed_order_does_not_come_back(desk: Desk) -> None:
    asset = desk.asset()
    first = desk.order("freezing", asset, expires_on=date(2025, 9, 1))
    desk.move(asset, S.frozen, first)
    renewal = desk.order("freezing", asset, expires_on=date(2026, 9, 1), renews=str(first.id))
    desk.move(asset, S.frozen, renewal, on=date(2025, 8, 1))
    with pytest.raises(Invalid, match=f"renewed by {renewal.reference}: apply that one"):
        desk.move(asset, S.frozen, first, on=date(2025, 8, 2))


def test_a_destroyed_asset_goes_nowhere_and_stays_nowhere(desk: Desk) -> None:
    asset = desk.asset("Counterfeit watches", kind="valuables", value="0")
    reach(desk, asset, S.disposed, S.disposed)  # under a destruction decision
    detail = service.detail(desk.db, desk["nl"], desk.settings, asset.id, now=NOW)
    assert detail.next_states == []
    stays = {s.state: s for s in statistics.compute(desk.db, desk["nl"], now=NOW).stays}
    assert stays[S.disposed].ongoing == 0
    shared = desk.asset()
    reach(desk, shared, S.disposed, S.shared)
    detail = service.detail(desk.db, desk["nl"], desk.settings, shared.id, now=NOW)
    assert detail.next_states == [S.shared]
    stays = {s.state: s for s in statistics.compute(desk.db, desk["nl"], now=NOW).stays}
    assert stays[S.disposed].ongoing == 1
