"""Moving an asset through its lifecycle: each step checked against its legal instrument.

A step is refused, with the reason, when the state does not allow it, when it needs an order
and has none, or the order is of the wrong kind, does not name the asset, was not yet issued
or had expired on the step's date, or was issued in a jurisdiction other than the asset's
and not recognised there. A refusal is audited even though nothing else is written."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.assets import management
from palermo.assets.instruments import check_covers, current_order
from palermo.assets.lifecycle import (
    EXECUTED_AS,
    STATE_TITLES,
    STEPS,
    TEMPORARY,
    AssetState,
    Step,
    next_states,
)
from palermo.assets.orders import order_for
from palermo.assets.schemas import TransitionIn
from palermo.audit.service import Operation, refusals_logged
from palermo.audit.service import record as audit
from palermo.errors import Conflict, Invalid
from palermo.identity.principal import Principal
from palermo.models.assets import Asset, AssetEvent, AssetOrder
from palermo.models.base import latest_date
from palermo.policy import assets as policy
from palermo.translatable import N_


def transition(
    session: Session,
    *,
    principal: Principal,
    asset_id: uuid.UUID,
    payload: TransitionIn,
    now: datetime,
) -> AssetEvent:
    asset = policy.asset_for(session, principal, asset_id, now)
    with refusals_logged(
        session,
        action="assets.transition",
        operation=Operation.alteration,
        principal=principal,
        purpose="asset_recovery",
        object_ids=[asset.id],
        detail={"from": asset.state.value, "to": payload.to.value},
    ):
        policy.may_act_on(session, principal, asset)
        step = _step(asset, payload.to)
        _check_date(asset, payload.on, now)
        order = _instrument(session, principal, asset, step, payload, now)
    event = AssetEvent(
        asset_id=asset.id,
        on=payload.on,
        from_state=asset.state.value,
        to_state=payload.to.value,
        order_id=order.id if order else None,
        reporting_minor=asset.reporting_minor,
        actor=principal.username,
        agency_code=principal.agency_code,
        note=payload.note,
        recorded_at=now,
    )
    session.add(event)
    if order is not None and payload.to in EXECUTED_AS.values():
        management.pay_out(session, asset, order, payload.on)
    asset.state = payload.to
    asset.state_since = payload.on
    asset.updated_at = now
    session.flush()
    audit(
        session,
        action="assets.transition",
        operation=Operation.alteration,
        principal=principal,
        purpose="asset_recovery",
        object_ids=[asset.id, *([order.id] if order else [])],
        detail={
            "reference": asset.reference,
            "from": event.from_state,
            "to": event.to_state,
            "order": order.reference if order else None,
        },
    )
    return event


def _step(asset: Asset, target: AssetState) -> Step:
    step = STEPS.get(target)
    if step is None or asset.state not in step.sources:
        allowed = ", ".join(STATE_TITLES[s].lower() for s in next_states(asset.state))
        raise Conflict(
            f"a {STATE_TITLES[asset.state].lower()} asset cannot become "
            f"{STATE_TITLES[target].lower()}" + (f"; it may become {allowed}" if allowed else "")
        )
    return step


def _check_date(asset: Asset, on: date, now: datetime) -> None:
    if on > latest_date(now):
        raise Invalid(N_("the step is dated %(on)s, in the future"), on=on)
    if on < asset.state_since:
        raise Invalid(
            N_("the step is dated %(on)s, before the asset's last step (%(state_since)s)"),
            on=on,
            state_since=asset.state_since,
        )


def _instrument(
    session: Session,
    principal: Principal,
    asset: Asset,
    step: Step,
    payload: TransitionIn,
    now: datetime,
) -> AssetOrder | None:
    if step.instrument is None:
        if not payload.note:
            raise Invalid(N_("say what the tracing established (note)"))
        return None
    if payload.order is None:
        raise Invalid(
            N_("becoming %(state_titles)s needs a %(instrument)s order"),
            state_titles=STATE_TITLES[step.target].lower(),
            instrument=step.instrument.value,
        )
    order = order_for(session, principal, payload.order, now)
    if order.kind is not step.instrument:
        raise Invalid(
            N_(
                "order %(reference)s is a %(kind)s order; becoming %(state_titles)s "
                "needs a %(instrument)s order"
            ),
            reference=order.reference,
            kind=order.kind.value,
            state_titles=STATE_TITLES[step.target].lower(),
            instrument=step.instrument.value,
        )
    check_covers(order, asset, payload.on)
    if step.target in EXECUTED_AS.values():
        _check_execution(session, asset, order, step.target)
    elif asset.state is step.target and order.kind in TEMPORARY:
        _check_renewal(session, asset, order)
    return order


def _check_execution(session: Session, asset: Asset, order: AssetOrder, target: AssetState) -> None:
    """Returning, sharing or compensating executes the decision that disposed of the asset."""
    decided = current_order(session, asset)
    if decided is None or decided.id != order.id:
        raise Invalid(
            N_("order %(reference)s is not the decision that disposed of %(reference2)s"),
            reference=order.reference,
            reference2=asset.reference,
        )
    assert order.disposal is not None
    if EXECUTED_AS.get(order.disposal) is not target:
        raise Invalid(
            N_(
                "the decision %(reference)s is %(disposal)s: the asset cannot be "
                "%(state_titles)s under it"
            ),
            reference=order.reference,
            disposal=order.disposal.value.replace("_", " "),
            state_titles=STATE_TITLES[target].lower(),
        )


def _check_renewal(session: Session, asset: Asset, order: AssetOrder) -> None:
    current = current_order(session, asset)
    if current is not None and current.id == order.id:
        raise Invalid(
            N_("asset %(reference)s is %(state)s under %(reference2)s"),
            reference=asset.reference,
            state=asset.state.value,
            reference2=order.reference,
        )
    successor = session.scalar(select(AssetOrder.reference).where(AssetOrder.renews_id == order.id))
    if successor is not None:
        raise Invalid(
            N_("order %(reference)s was renewed by %(successor)s: apply that one"),
            reference=order.reference,
            successor=successor,
        )
