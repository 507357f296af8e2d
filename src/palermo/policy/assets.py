"""Who may see and move criminal assets.

- An asset is seen by whoever may see its record in full for asset recovery: the records
  policy decides (its owner, the agencies and countries it is shared with, grants). Hit-only
  access shows no asset; private partners see none.
- An order sent abroad for recognition by the agency managing assets it covers discloses
  those assets to the agencies of the state asked (they must see what they are to freeze,
  seize or confiscate), until that state refuses it.
- An asset is moved, valued and costed by its managing agency, or by an agency of the state
  where it lies that executes an order recognised there; by officers, analysts and
  supervisors.
- An agency records the orders of its own jurisdiction and asks other states to recognise
  them; a central authority of the state asked decides on the recognition.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Select, exists, false, or_, select
from sqlalchemy.orm import Session

from palermo.assets.lifecycle import RecognitionStatus
from palermo.errors import Forbidden, NotFound
from palermo.identity.principal import Principal
from palermo.identity.roles import AgencyKind, Role
from palermo.models.assets import Asset, AssetOrder, OrderAsset, Recognition
from palermo.models.identity import Agency
from palermo.models.records import Record
from palermo.policy.records import hits_only, visibility
from palermo.records.envelope import Purpose
from palermo.translatable import N_

WORKER_ROLES = (Role.officer, Role.analyst, Role.supervisor)


def visible(principal: Principal, *, now: datetime) -> ColumnElement[bool]:
    """A predicate on `Asset`: its record is visible in full for asset recovery."""
    if hits_only(principal):
        return false()
    full = visibility(principal, Purpose.asset_recovery, now=now).full
    readable = exists(select(Record.id).where(Record.id == Asset.record_id, full))
    if principal.country is None:
        return readable
    asked = exists(
        select(Recognition.id)
        .join(OrderAsset, OrderAsset.order_id == Recognition.order_id)
        .where(
            OrderAsset.asset_id == Asset.id,
            Recognition.country == principal.country,
            Recognition.status != RecognitionStatus.refused,
            Recognition.agency_id == Asset.agency_id,
            Asset.country == principal.country,
        )
    )
    return or_(readable, asked)


def visible_assets(principal: Principal, *, now: datetime) -> Select[Asset]:
    return select(Asset).where(visible(principal, now=now))


def asset_for(session: Session, principal: Principal, asset_id: object, now: datetime) -> Asset:
    """The asset, if the principal sees it; a 404 otherwise (its existence is not told)."""
    asset = session.scalars(
        visible_assets(principal, now=now).where(Asset.id == asset_id)
    ).one_or_none()
    if asset is None:
        raise NotFound(N_("no such asset"))
    return asset


def _agencies(session: Session, principal: Principal) -> list[Agency]:
    ids = principal.acting_agency_ids
    return list(session.scalars(select(Agency).where(Agency.id.in_(ids)))) if ids else []


def may_work(principal: Principal) -> None:
    if hits_only(principal) or not principal.has_role(*WORKER_ROLES):
        raise Forbidden(N_("asset recovery is worked by officers, analysts and supervisors"))


def may_act_on(session: Session, principal: Principal, asset: Asset) -> None:
    """Refuse (403) unless the principal's agency manages the asset, or is of the state where
    it lies and executes an order recognised there (seeing an asset is not moving it)."""
    may_work(principal)
    if asset.agency_id in principal.acting_agency_ids:
        return
    here = any(a.country == asset.country for a in _agencies(session, principal))
    if here and _recognised_in(session, asset, asset.country):
        return
    raise Forbidden(
        N_(
            "only the managing agency, or an agency of %(country)s executing an "
            "order recognised there, acts on asset %(reference)s"
        ),
        country=asset.country,
        reference=asset.reference,
    )


def _recognised_in(session: Session, asset: Asset, country: str) -> bool:
    return bool(
        session.scalar(
            select(
                exists(
                    select(Recognition.id)
                    .join(OrderAsset, OrderAsset.order_id == Recognition.order_id)
                    .where(
                        OrderAsset.asset_id == asset.id,
                        Recognition.country == country,
                        Recognition.status == RecognitionStatus.recognised,
                        Recognition.agency_id == asset.agency_id,
                    )
                )
            )
        )
    )


def recording_agency(session: Session, principal: Principal, country: str) -> Agency:
    """The principal's agency of `country`, which records that jurisdiction's orders."""
    may_work(principal)
    for agency in _agencies(session, principal):
        if agency.country == country:
            return agency
    raise Forbidden(
        N_("an order of %(country)s is recorded by an agency of %(country)s"), country=country
    )


def central_authorities(session: Session, country: str) -> list[Agency]:
    return list(
        session.scalars(
            select(Agency).where(
                Agency.country == country, Agency.kind == AgencyKind.central_authority
            )
        )
    )


def may_decide(session: Session, principal: Principal, recognition: Recognition) -> Agency:
    """The central authority of the state asked, deciding on the recognition."""
    may_work(principal)
    for agency in _agencies(session, principal):
        if agency.country == recognition.country and agency.kind == AgencyKind.central_authority:
            return agency
    raise Forbidden(
        N_("recognition in %(country)s is decided by a central authority of %(country)s"),
        country=recognition.country,
    )


def orders_visible(principal: Principal, *, now: datetime) -> ColumnElement[bool]:
    """A predicate on `AssetOrder`: its agency is the principal's, it covers an asset the
    principal sees, or the principal's state was asked to recognise it (and keeps seeing
    the order it decided on, though not the assets once it refused)."""
    covers_visible = exists(
        select(OrderAsset.asset_id)
        .join(Asset, Asset.id == OrderAsset.asset_id)
        .where(OrderAsset.order_id == AssetOrder.id, visible(principal, now=now))
    )
    mine = [AssetOrder.agency_id.in_(principal.acting_agency_ids), covers_visible]
    if principal.country is not None and not hits_only(principal):
        mine.append(
            exists(
                select(Recognition.id).where(
                    Recognition.order_id == AssetOrder.id,
                    Recognition.country == principal.country,
                )
            )
        )
    return or_(*mine)
