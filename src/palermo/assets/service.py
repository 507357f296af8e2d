"""Reading the asset register (lists, the asset file with its orders, values, owners and
accounts) and recording dated exchange rates; every consultation is audited."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from palermo.assets import management, orders, ownership
from palermo.assets.instruments import in_force
from palermo.assets.lifecycle import AssetState, next_states
from palermo.assets.money import decimal
from palermo.assets.rates import check_currency
from palermo.assets.schemas import (
    AssetDetail,
    AssetOut,
    CostOut,
    EventOut,
    OrderOut,
    OwnerOut,
    RateIn,
    RecognitionOut,
    ReconciliationOut,
    ShareOut,
    TransferOut,
    ValuationOut,
)
from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.errors import Forbidden, NotFound
from palermo.identity.principal import Principal
from palermo.identity.roles import Role
from palermo.models.assets import (
    Asset,
    AssetCost,
    AssetEvent,
    AssetOrder,
    AssetTransfer,
    AssetValuation,
    CurrencyRate,
    OrderAsset,
)
from palermo.policy import assets as policy
from palermo.records.repository import agency_codes
from palermo.settings import Settings
from palermo.translatable import N_

PAGE = 200


def listing(
    session: Session,
    principal: Principal,
    *,
    now: datetime,
    state: AssetState | None = None,
    country: str | None = None,
    q: str | None = None,
    provenance_ref: str | None = None,
    limit: int = PAGE,
    offset: int = 0,
) -> list[Asset]:
    query = policy.visible_assets(principal, now=now)
    if state is not None:
        query = query.where(Asset.state == state)
    if country:
        query = query.where(Asset.country == country.upper())
    if provenance_ref:
        query = query.where(Asset.provenance_ref == provenance_ref)
    if q:
        like = f"%{q.strip()}%"
        query = query.where(or_(Asset.reference.ilike(like), Asset.description.ilike(like)))
    assets = list(session.scalars(query.order_by(Asset.reference).offset(offset).limit(limit)))
    audit(
        session,
        action="assets.list",
        operation=Operation.consultation,
        principal=principal,
        purpose="asset_recovery",
        detail={"state": state, "country": country, "q": q, "shown": len(assets)},
    )
    return assets


def summaries(session: Session, assets: list[Asset], settings: Settings) -> list[AssetOut]:
    codes = agency_codes(session, {a.agency_id for a in assets})
    return [summary(a, codes[a.agency_id], settings) for a in assets]


def summary(asset: Asset, agency: str, settings: Settings) -> AssetOut:
    return AssetOut(
        id=asset.id,
        reference=asset.reference,
        record_id=asset.record_id,
        kind=asset.kind,
        description=asset.description,
        country=asset.country,
        state=asset.state,
        state_since=asset.state_since,
        value=decimal(asset.value_minor),
        currency=asset.currency,
        reporting_value=decimal(asset.reporting_minor),
        reporting_currency=settings.assets_reporting_currency,
        valued_on=asset.valued_on,
        sold_on=asset.sold_on,
        provenance=asset.provenance,
        provenance_ref=asset.provenance_ref,
        agency=agency,
    )


def detail(
    session: Session,
    principal: Principal,
    settings: Settings,
    asset_id: uuid.UUID,
    *,
    now: datetime,
) -> AssetDetail:
    """The asset file: timeline, orders, values, costs, payments, owners, reconciliation."""
    asset = policy.asset_for(session, principal, asset_id, now)
    audit(
        session,
        action="assets.read",
        operation=Operation.consultation,
        principal=principal,
        purpose="asset_recovery",
        object_ids=[asset.id],
    )
    events = list(
        session.scalars(
            select(AssetEvent)
            .where(AssetEvent.asset_id == asset.id)
            .order_by(AssetEvent.on, AssetEvent.id)
        )
    )
    orders = list(
        session.scalars(
            select(AssetOrder)
            .join(OrderAsset, OrderAsset.order_id == AssetOrder.id)
            .where(OrderAsset.asset_id == asset.id)
            .order_by(AssetOrder.issued_on, AssetOrder.created_at)
        )
    )
    references = {o.id: o.reference for o in orders}
    codes = agency_codes(session, [asset.agency_id])
    measure = in_force(session, [asset.id]).get(asset.id)
    statement = management.reconcile(session, asset)
    return AssetDetail(
        **summary(asset, codes[asset.agency_id], settings).model_dump(),
        events=[
            EventOut(
                on=e.on,
                from_state=e.from_state,
                to_state=e.to_state,
                order=references.get(e.order_id) if e.order_id else None,
                reporting_value=decimal(e.reporting_minor),
                actor=e.actor,
                agency=e.agency_code,
                note=e.note,
            )
            for e in events
        ],
        orders=[order_out(session, principal, o, now) for o in orders],
        valuations=[
            ValuationOut(
                valued_on=v.valued_on,
                method=v.method,
                amount=decimal(v.amount_minor),
                currency=v.currency,
                reporting_value=decimal(v.reporting_minor),
                rate=v.rate,
                rate_on=v.rate_on,
                rate_source=v.rate_source,
                note=v.note,
            )
            for v in session.scalars(
                select(AssetValuation)
                .where(AssetValuation.asset_id == asset.id)
                .order_by(AssetValuation.valued_on, AssetValuation.id)
            )
        ],
        costs=[
            CostOut(
                incurred_on=c.incurred_on,
                category=c.category,
                amount=decimal(c.amount_minor),
                currency=c.currency,
                reporting_value=decimal(c.reporting_minor),
                note=c.note,
            )
            for c in session.scalars(
                select(AssetCost)
                .where(AssetCost.asset_id == asset.id)
                .order_by(AssetCost.incurred_on, AssetCost.id)
            )
        ],
        transfers=[
            TransferOut(
                recipient=t.recipient,
                country=t.country,
                percent=decimal(t.basis_points),
                amount=decimal(t.reporting_minor),
                on=t.on,
            )
            for t in session.scalars(
                select(AssetTransfer)
                .where(AssetTransfer.asset_id == asset.id)
                .order_by(AssetTransfer.id)
            )
        ],
        owners=[
            OwnerOut(
                record_id=h.record_id,
                caption=h.caption,
                schema=h.schema,
                percentage=h.percentage,
                effective=h.effective,
                beneficial=h.beneficial,
                depth=h.depth,
                visible=h.visible,
            )
            for h in ownership.chain(session, principal, asset.record_id, now)
        ],
        reconciliation=ReconciliationOut(
            currency=settings.assets_reporting_currency,
            gross=decimal(statement.gross),
            costs=decimal(statement.costs),
            net=decimal(statement.net),
            planned=[
                TransferOut(
                    recipient=p.recipient,
                    country=p.country,
                    percent=decimal(p.basis_points),
                    amount=decimal(p.minor),
                    on=asset.state_since,
                )
                for p in statement.planned
            ],
            transferred=decimal(statement.transferred),
            balanced=statement.balanced,
        ),
        next_states=next_states(asset.state, measure.disposal if measure else None),
        measure_expires_on=measure.expires_on if measure else None,
    )


def read_order(
    session: Session, principal: Principal, order_id: uuid.UUID, now: datetime
) -> AssetOrder:
    """An order the principal may see, its consultation audited."""
    order = orders.order_for(session, principal, order_id, now)
    audit(
        session,
        action="assets.order.read",
        operation=Operation.consultation,
        principal=principal,
        purpose="asset_recovery",
        object_ids=[order.id],
    )
    return order


def covered(
    session: Session, principal: Principal, order: AssetOrder, now: datetime
) -> list[Asset]:
    """The assets the order covers that the principal sees (the others are not told)."""
    return list(
        session.scalars(
            policy.visible_assets(principal, now=now)
            .join(OrderAsset, OrderAsset.asset_id == Asset.id)
            .where(OrderAsset.order_id == order.id)
            .order_by(Asset.reference)
        )
    )


def order_out(session: Session, principal: Principal, order: AssetOrder, now: datetime) -> OrderOut:
    """The order as `principal` may read it: the covered assets it sees, and the
    recognitions abroad if its agency issued the order or its state was asked."""
    issuer = order.agency_id in principal.acting_agency_ids
    return OrderOut(
        id=order.id,
        reference=order.reference,
        kind=order.kind,
        authority=order.authority,
        country=order.country,
        legal_basis=order.legal_basis,
        issued_on=order.issued_on,
        expires_on=order.expires_on,
        conditions=order.conditions,
        renews=order.renews_id,
        disposal=order.disposal,
        shares=[
            ShareOut(recipient=s.recipient, country=s.country, percent=decimal(s.basis_points))
            for s in order.shares
        ],
        assets=[a.reference for a in covered(session, principal, order, now)],
        recognitions=[
            RecognitionOut.model_validate(r)
            for r in order.recognitions
            if issuer or r.country == principal.country
        ],
        judicial_reference=order.judicial_reference,
        agency=agency_codes(session, [order.agency_id]).get(order.agency_id) or "",
        recorded_by=order.recorded_by,
    )


def add_rate(session: Session, principal: Principal, payload: RateIn, now: datetime) -> None:
    """A supervisor records the rate of a day (e.g. the central bank's); it wins that day."""
    if not principal.has_role(Role.supervisor):
        raise Forbidden(N_("exchange rates are recorded by supervisors"))
    code = check_currency(payload.currency)
    rate = session.get(CurrencyRate, (code, payload.valid_on))
    if rate is None:
        rate = CurrencyRate(currency=code, valid_on=payload.valid_on)
        session.add(rate)
    rate.units_per_eur = payload.units_per_eur
    rate.source = payload.source
    rate.recorded_by = principal.username
    rate.recorded_at = now
    audit(
        session,
        action="assets.rate",
        operation=Operation.administration,
        principal=principal,
        detail={
            "currency": code,
            "on": payload.valid_on.isoformat(),
            "rate": payload.units_per_eur,
        },
    )


def find(session: Session, principal: Principal, key: str, now: datetime) -> Asset:
    """An asset by its id or its reference (NL-ARO/A/2026/0007), if the principal sees it."""
    try:
        return policy.asset_for(session, principal, uuid.UUID(key), now)
    except ValueError:
        pass
    found = session.scalar(
        policy.visible_assets(principal, now=now).where(Asset.reference == key.strip())
    )
    if found is None:
        raise NotFound(N_("no asset %(key)s"), key=key)
    return found


def find_order(session: Session, principal: Principal, key: str, now: datetime) -> AssetOrder:
    """An order by its id or as COUNTRY:reference (NL:RB-ROT-2025-114)."""
    try:
        return orders.order_for(session, principal, uuid.UUID(key), now)
    except ValueError:
        pass
    country, _, reference = key.partition(":")
    found = session.scalar(
        select(AssetOrder).where(
            AssetOrder.country == country.strip().upper(),
            AssetOrder.reference == reference.strip(),
            policy.orders_visible(principal, now=now),
        )
    )
    if found is None:
        raise NotFound(N_("no order %(key)s (give its id or COUNTRY:reference)"), key=key)
    return found
