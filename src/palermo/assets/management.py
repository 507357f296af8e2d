"""Management of an asset and its money: valuations, costs, interlocutory sale, and the
reconciliation that ends every disposal — value less costs, divided by the decision's shares,
paid out to the cent (EU Directive 2024/1260 Arts. 19–21; Palermo Art. 14)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palermo.assets import rates
from palermo.assets.instruments import check_covers, current_order
from palermo.assets.lifecycle import ACCOUNTS_CLOSED, AssetState, OrderKind
from palermo.assets.money import split, to_minor
from palermo.assets.orders import order_for
from palermo.assets.schemas import CostIn, SaleIn, ValuationIn
from palermo.audit.service import Operation, refusals_logged
from palermo.audit.service import record as audit
from palermo.errors import Invalid
from palermo.identity.principal import Principal
from palermo.models.assets import (
    Asset,
    AssetCost,
    AssetOrder,
    AssetTransfer,
    AssetValuation,
    DisposalShare,
)
from palermo.models.base import latest_date
from palermo.policy import assets as policy
from palermo.settings import Settings
from palermo.translatable import N_

# An interlocutory sale is for what is held under a measure, before the final disposal.
SALEABLE = frozenset(
    {AssetState.frozen, AssetState.seized, AssetState.confiscated, AssetState.under_management}
)


def value(
    session: Session,
    *,
    principal: Principal,
    settings: Settings,
    asset_id: uuid.UUID,
    payload: ValuationIn,
    now: datetime,
) -> AssetValuation:
    """A new value of the asset; the latest by date becomes its current estimate."""
    with _working_on(session, principal, asset_id, now, "assets.value") as asset:
        if asset.sold_on is not None:
            raise Invalid(
                N_("asset %(reference)s was sold on %(sold_on)s: its value is fixed"),
                reference=asset.reference,
                sold_on=asset.sold_on,
            )
        valuation = _valuation(
            session, settings, asset, payload.amount, payload.currency, payload.valued_on, now
        )
        valuation.method, valuation.note = payload.method, payload.note
        valuation.recorded_by = principal.username
        session.add(valuation)
        _current(asset, valuation, now)
        _logged(session, principal, "assets.value", asset, valuation.reporting_minor)
        return valuation


def sell(
    session: Session,
    *,
    principal: Principal,
    settings: Settings,
    asset_id: uuid.UUID,
    payload: SaleIn,
    now: datetime,
) -> AssetValuation:
    """An interlocutory sale under its order: the proceeds stand for the asset from then on."""
    with _working_on(session, principal, asset_id, now, "assets.sell") as asset:
        if asset.state not in SALEABLE:
            raise Invalid(
                N_(
                    "asset %(reference)s is %(state)s: only an asset under a measure is sold "
                    "before its disposal"
                ),
                reference=asset.reference,
                state=asset.state.value,
            )
        if asset.sold_on is not None:
            raise Invalid(
                N_("asset %(reference)s was sold already, on %(sold_on)s"),
                reference=asset.reference,
                sold_on=asset.sold_on,
            )
        order = order_for(session, principal, payload.order, now)
        if order.kind is not OrderKind.interlocutory_sale:
            raise Invalid(
                N_("order %(reference)s is a %(kind)s order, not a sale order"),
                reference=order.reference,
                kind=order.kind.value,
            )
        check_covers(order, asset, payload.sold_on)
        valuation = _valuation(
            session, settings, asset, payload.amount, payload.currency, payload.sold_on, now
        )
        valuation.method, valuation.note, valuation.order_id = "sale", payload.note, order.id
        valuation.recorded_by = principal.username
        session.add(valuation)
        _current(asset, valuation, now, realised=True)
        asset.sold_on = payload.sold_on
        _logged(session, principal, "assets.sell", asset, valuation.reporting_minor)
        return valuation


def cost(
    session: Session,
    *,
    principal: Principal,
    settings: Settings,
    asset_id: uuid.UUID,
    payload: CostIn,
    now: datetime,
) -> AssetCost:
    with _working_on(session, principal, asset_id, now, "assets.cost") as asset:
        currency = rates.check_currency(payload.currency)
        minor = to_minor(payload.amount, "cost")
        if payload.incurred_on > latest_date(now):
            raise Invalid(
                N_("incurred_on %(incurred_on)s is in the future"), incurred_on=payload.incurred_on
            )
        converted = rates.convert(
            session, minor, currency, payload.incurred_on, settings.assets_reporting_currency
        )
        entry = AssetCost(
            asset_id=asset.id,
            incurred_on=payload.incurred_on,
            category=payload.category,
            amount_minor=minor,
            currency=currency,
            reporting_minor=converted.minor,
            note=payload.note,
            recorded_by=principal.username,
        )
        session.add(entry)
        _logged(session, principal, "assets.cost", asset, converted.minor)
        return entry


@contextmanager
def _working_on(
    session: Session, principal: Principal, asset_id: uuid.UUID, now: datetime, action: str
) -> Iterator[Asset]:
    """The asset to value, cost or sell, if the principal may and its accounts are open; a
    refusal inside is audited with its reason."""
    asset = policy.asset_for(session, principal, asset_id, now)
    with refusals_logged(
        session,
        action=action,
        operation=Operation.alteration,
        principal=principal,
        purpose="asset_recovery",
        object_ids=[asset.id],
        detail={"reference": asset.reference},
    ):
        policy.may_act_on(session, principal, asset)
        if asset.state in ACCOUNTS_CLOSED:
            raise Invalid(
                N_("asset %(reference)s is %(state)s: its accounts are closed"),
                reference=asset.reference,
                state=asset.state.value,
            )
        yield asset


def _valuation(
    session: Session,
    settings: Settings,
    asset: Asset,
    amount: Decimal,
    currency: str,
    on: date,
    now: datetime,
) -> AssetValuation:
    code = rates.check_currency(currency)
    minor = to_minor(amount, "amount")
    if on > latest_date(now):
        raise Invalid(N_("the value is dated %(on)s, in the future"), on=on)
    converted = rates.convert(session, minor, code, on, settings.assets_reporting_currency)
    return AssetValuation(
        asset_id=asset.id,
        valued_on=on,
        method="estimate",
        amount_minor=minor,
        currency=code,
        reporting_minor=converted.minor,
        rate=converted.rate,
        rate_on=converted.rate_on,
        rate_source=converted.source,
        recorded_by="",
    )


def _current(
    asset: Asset, valuation: AssetValuation, now: datetime, *, realised: bool = False
) -> None:
    """The latest value by date is the estimate; what a sale realised is the value, whatever
    estimates came before or after it."""
    if realised or valuation.valued_on >= asset.valued_on:
        asset.value_minor, asset.currency = valuation.amount_minor, valuation.currency
        asset.reporting_minor, asset.valued_on = valuation.reporting_minor, valuation.valued_on
    asset.updated_at = now


def _logged(
    session: Session, principal: Principal, action: str, asset: Asset, reporting_minor: int
) -> None:
    audit(
        session,
        action=action,
        operation=Operation.alteration,
        principal=principal,
        purpose="asset_recovery",
        object_ids=[asset.id],
        detail={"reference": asset.reference, "reporting_minor": reporting_minor},
    )


# Reconciliation ------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    recipient: str
    country: str | None
    basis_points: int
    minor: int


@dataclass(frozen=True)
class Reconciliation:
    """Value less costs, and where the net goes: planned by the decision, and paid."""

    gross: int
    costs: int
    planned: list[Part]
    transferred: int

    @property
    def net(self) -> int:
        return self.gross - self.costs

    @property
    def balanced(self) -> bool:
        """Planned parts sum to the net; what was paid, if anything, is the net."""
        planned = sum(p.minor for p in self.planned)
        return (not self.planned or planned == self.net) and self.transferred in (0, self.net)


def reconcile(session: Session, asset: Asset) -> Reconciliation:
    costs = session.scalar(
        select(func.coalesce(func.sum(AssetCost.reporting_minor), 0)).where(
            AssetCost.asset_id == asset.id
        )
    )
    paid = session.scalar(
        select(func.coalesce(func.sum(AssetTransfer.reporting_minor), 0)).where(
            AssetTransfer.asset_id == asset.id
        )
    )
    order = current_order(session, asset)
    shares = order.shares if order is not None and order.kind is OrderKind.disposal else []
    gross = asset.reporting_minor
    return Reconciliation(
        gross=gross,
        costs=int(costs or 0),
        planned=_parts(gross - int(costs or 0), shares),
        transferred=int(paid or 0),
    )


def _parts(net: int, shares: list[DisposalShare]) -> list[Part]:
    if not shares or net < 0:
        return []
    amounts = split(net, [s.basis_points for s in shares])
    return [
        Part(s.recipient, s.country, s.basis_points, minor)
        for s, minor in zip(shares, amounts, strict=True)
    ]


def pay_out(session: Session, asset: Asset, order: AssetOrder, on: date) -> list[AssetTransfer]:
    """Execute the disposal decision: each share of the net, to the cent."""
    statement = reconcile(session, asset)
    if statement.net < 0:
        raise Invalid(
            N_(
                "the costs of %(reference)s exceed its value by %(value)s: nothing is "
                "left to transfer"
            ),
            reference=asset.reference,
            value=format(-statement.net / 100, ",.2f"),
        )
    transfers = [
        AssetTransfer(
            asset_id=asset.id,
            order_id=order.id,
            recipient=part.recipient,
            country=part.country,
            basis_points=part.basis_points,
            reporting_minor=part.minor,
            on=on,
        )
        for part in statement.planned
    ]
    session.add_all(transfers)
    return transfers
