"""Whether an order may act on an asset: issued, in force, naming it, of its jurisdiction or
recognised there — and which order is in force on an asset now."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from palermo.assets.lifecycle import RecognitionStatus
from palermo.errors import Invalid
from palermo.models.assets import Asset, AssetEvent, AssetOrder
from palermo.translatable import N_


def check_covers(order: AssetOrder, asset: Asset, on: date) -> None:
    """Refuse, with the reason, an order that cannot act on `asset` on `on`."""
    if asset.id not in {link.asset_id for link in order.assets}:
        raise Invalid(
            N_("order %(reference)s does not cover asset %(reference2)s"),
            reference=order.reference,
            reference2=asset.reference,
        )
    check_in_force(order, on)
    check_jurisdiction(order, asset)


def check_in_force(order: AssetOrder, on: date) -> None:
    if on < order.issued_on:
        raise Invalid(
            N_("order %(reference)s was issued on %(issued_on)s, after %(on)s"),
            reference=order.reference,
            issued_on=order.issued_on,
            on=on,
        )
    if order.expires_on is not None and on > order.expires_on:
        raise Invalid(
            N_("order %(reference)s expired on %(expires_on)s"),
            reference=order.reference,
            expires_on=order.expires_on,
        )


def check_jurisdiction(order: AssetOrder, asset: Asset) -> None:
    """An order acts in its own state, and in another only once recognised there."""
    if order.country == asset.country:
        return
    asked = next((r for r in order.recognitions if r.country == asset.country), None)
    if asked is not None and asked.status is RecognitionStatus.recognised:
        return
    where = (
        f"its recognition there is {asked.status.value}"
        if asked is not None
        else f"ask {asset.country} to recognise it"
    )
    raise Invalid(
        N_(
            "order %(reference)s of %(country)s does not cover %(country2)s, where "
            "asset %(reference2)s lies: %(where)s"
        ),
        reference=order.reference,
        country=order.country,
        country2=asset.country,
        reference2=asset.reference,
        where=where,
    )


def in_force(
    session: Session, ids: Sequence[uuid.UUID] | Select[uuid.UUID]
) -> dict[uuid.UUID, AssetOrder]:
    """The order of each asset's latest step (the measure in force on it), where it has one;
    `ids` may be a subquery, so a whole register needs no list of ids in the SQL."""
    latest = (
        select(
            AssetEvent.asset_id,
            AssetEvent.order_id,
            func.row_number()
            .over(
                partition_by=AssetEvent.asset_id,
                order_by=(AssetEvent.on.desc(), AssetEvent.id.desc()),
            )
            .label("n"),
        )
        .where(AssetEvent.asset_id.in_(ids))
        .subquery()
    )
    rows = session.execute(
        select(latest.c.asset_id, AssetOrder)
        .join(AssetOrder, AssetOrder.id == latest.c.order_id)
        .where(latest.c.n == 1)
    ).all()
    return {asset_id: order for asset_id, order in rows}  # noqa: C416 - rows are Row objects


def current_order(session: Session, asset: Asset) -> AssetOrder | None:
    """The instrument of the asset's latest step (the measure now in force on it)."""
    return in_force(session, [asset.id]).get(asset.id)
