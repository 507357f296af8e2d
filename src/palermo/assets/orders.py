"""Orders — the legal instruments of asset recovery — and their recognition abroad.

An order is recorded by an agency of the jurisdiction that issued it. It covers named assets;
where an asset lies in another state, the order acts on it only once that state's central
authority has recognised it (Palermo Art. 13; EU Regulation 2018/1805 for freezing and
confiscation orders between member states)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.assets.expiry import EXPIRY_TASK
from palermo.assets.lifecycle import (
    EXECUTED_AS,
    TEMPORARY,
    DisposalType,
    OrderKind,
    RecognitionStatus,
)
from palermo.assets.money import to_minor
from palermo.assets.schemas import DecisionIn, OrderIn, RecognitionIn, ShareIn
from palermo.audit.service import Operation, refusals_logged
from palermo.audit.service import record as audit
from palermo.errors import Conflict, Invalid, NotFound
from palermo.identity.principal import Principal
from palermo.models.assets import Asset, AssetOrder, DisposalShare, OrderAsset, Recognition
from palermo.models.base import latest_date
from palermo.models.identity import Agency
from palermo.notifications import texts
from palermo.policy import assets as policy
from palermo.tasks import close_tasks, open_task
from palermo.translatable import N_, written

RECOGNITION_TASK = "assets.recognition"
FULL = 10_000  # basis points in 100 %


def record_order(
    session: Session, *, principal: Principal, payload: OrderIn, now: datetime
) -> AssetOrder:
    """Record an order after checking it is complete for its kind; Invalid names the gap."""
    agency = policy.recording_agency(session, principal, payload.country)
    _check_dates(payload, now)
    _check_kind(payload)
    assets = _covered(session, principal, payload.assets, now)
    renewed = _renewed(session, principal, payload, assets, now) if payload.renews else None
    duplicate = session.scalar(
        select(AssetOrder.id).where(
            AssetOrder.country == payload.country, AssetOrder.reference == payload.reference
        )
    )
    if duplicate is not None:
        raise Conflict(
            N_("order %(reference)s of %(country)s is recorded already"),
            reference=payload.reference,
            country=payload.country,
        )
    order = AssetOrder(
        reference=payload.reference,
        kind=payload.kind,
        authority=payload.authority,
        country=payload.country,
        legal_basis=payload.legal_basis,
        issued_on=payload.issued_on,
        expires_on=payload.expires_on,
        conditions=payload.conditions,
        renews_id=renewed.id if renewed else None,
        disposal=payload.disposal,
        judicial_reference=payload.judicial_reference,
        agency_id=agency.id,
        recorded_by=principal.username,
        created_at=now,
    )
    order.assets = [OrderAsset(asset_id=asset.id) for asset in assets]
    order.shares = [
        DisposalShare(position=n, recipient=s.recipient, country=s.country, basis_points=bp)
        for n, (s, bp) in enumerate(zip(payload.shares, _basis_points(payload), strict=True))
    ]
    session.add(order)
    session.flush()
    if renewed is not None:
        close_tasks(
            session,
            subject_id=str(renewed.id),
            kind=EXPIRY_TASK,
            by=principal.username,
            outcome=f"renewed by {order.reference} until {order.expires_on}",
            now=now,
        )
    audit(
        session,
        action="assets.order.record",
        operation=Operation.collection,
        principal=principal,
        purpose="asset_recovery",
        object_ids=[order.id, *(a.id for a in assets)],
        detail={"reference": order.reference, "kind": order.kind.value, "country": order.country},
    )
    return order


def _check_dates(payload: OrderIn, now: datetime) -> None:
    if payload.issued_on > latest_date(now):
        raise Invalid(N_("issued_on %(issued_on)s is in the future"), issued_on=payload.issued_on)
    if payload.expires_on is not None and payload.expires_on <= payload.issued_on:
        raise Invalid(
            N_("expires_on %(expires_on)s is not after issued_on"), expires_on=payload.expires_on
        )
    if payload.kind in TEMPORARY and payload.expires_on is None:
        raise Invalid(
            N_("a %(kind)s order is temporary: give its expiry date (expires_on)"),
            kind=payload.kind.value,
        )


def _check_kind(payload: OrderIn) -> None:
    if payload.kind is OrderKind.confiscation and payload.legal_basis is None:
        raise Invalid(
            N_(
                "a confiscation order needs its legal basis (conviction-based, "
                "non-conviction-based, value-based, third-party, extended, unexplained "
                "wealth)"
            )
        )
    if payload.kind is not OrderKind.disposal:
        if payload.disposal is not None or payload.shares:
            raise Invalid(N_("only a disposal order has a disposal type and shares"))
        return
    if payload.disposal is None:
        raise Invalid(N_("a disposal order needs its decision type (Palermo Art. 14)"))
    _basis_points(payload)


def _basis_points(payload: OrderIn) -> list[int]:
    """The shares in basis points, checked against the decision type: they sum to 100 %."""
    disposal, shares = payload.disposal, payload.shares
    if disposal is None:
        return []
    if disposal not in EXECUTED_AS:
        if shares:
            raise Invalid(
                N_("a %(disposal)s decision pays nothing out: give no shares"),
                disposal=disposal.value,
            )
        return []
    if not shares:
        raise Invalid(
            N_("a %(disposal)s decision names who receives what: give its shares"),
            disposal=disposal.value,
        )
    if disposal is DisposalType.sharing and (
        any(s.country is None for s in shares) or len({s.country for s in shares}) < 2
    ):
        raise Invalid(N_("sharing is between two states or more: give each state's share"))
    if disposal is DisposalType.return_to_requesting_state and (
        len(shares) != 1 or shares[0].country is None
    ):
        raise Invalid(N_("a return goes to one requesting state: give one share with its country"))
    points = [_points(share) for share in shares]
    if sum(points) != FULL:
        total = Decimal(sum(points)) / 100
        raise Invalid(N_("the shares sum to %(total)s %%, not 100 %%"), total=format(total, ".2f"))
    return points


def _points(share: ShareIn) -> int:
    if share.percent <= 0:
        raise Invalid(
            N_("the share of %(recipient)s is %(percent)s %%: it must be positive"),
            recipient=share.recipient,
            percent=share.percent,
        )
    return to_minor(share.percent, f"the share of {share.recipient}")


def _covered(
    session: Session, principal: Principal, references: list[str], now: datetime
) -> list[Asset]:
    found = {
        a.reference: a
        for a in session.scalars(
            policy.visible_assets(principal, now=now).where(Asset.reference.in_(references))
        )
    }
    missing = [r for r in references if r not in found]
    if missing:
        raise Invalid(N_("no such asset: %(missing)s"), missing=", ".join(missing))
    return [found[r] for r in dict.fromkeys(references)]


def _renewed(
    session: Session, principal: Principal, payload: OrderIn, assets: list[Asset], now: datetime
) -> AssetOrder:
    old = order_for(session, principal, payload.renews, now)
    if old.kind is not payload.kind or old.country != payload.country:
        raise Invalid(
            N_(
                "order %(reference)s is a %(kind)s order of %(country)s: a renewal is an "
                "order of the same kind and jurisdiction"
            ),
            reference=old.reference,
            kind=old.kind.value,
            country=old.country,
        )
    if payload.expires_on is None or (old.expires_on and payload.expires_on <= old.expires_on):
        raise Invalid(
            N_("a renewal must expire after %(reference)s (%(expires_on)s)"),
            reference=old.reference,
            expires_on=old.expires_on,
        )
    outside = {a.reference for a in assets} - {a.reference for a in _assets_of(session, old)}
    if outside:
        raise Invalid(
            N_("order %(reference)s did not cover %(outside)s"),
            reference=old.reference,
            outside=", ".join(sorted(outside)),
        )
    return old


def _assets_of(session: Session, order: AssetOrder) -> list[Asset]:
    ids = [link.asset_id for link in order.assets]
    return list(session.scalars(select(Asset).where(Asset.id.in_(ids)))) if ids else []


def order_for(
    session: Session, principal: Principal, order_id: uuid.UUID | None, now: datetime
) -> AssetOrder:
    order = session.scalars(
        select(AssetOrder).where(
            AssetOrder.id == order_id, policy.orders_visible(principal, now=now)
        )
    ).one_or_none()
    if order is None:
        raise NotFound(N_("no such order"))
    return order


# Recognition abroad --------------------------------------------------------------------


def request_recognition(
    session: Session,
    *,
    principal: Principal,
    order_id: uuid.UUID,
    payload: RecognitionIn,
    now: datetime,
) -> Recognition:
    """Send the order to the state where some of its assets lie: that state's agencies now
    see those assets (the policy says so), its central authorities get a task to decide."""
    order = order_for(session, principal, order_id, now)
    with refusals_logged(
        session,
        action="assets.recognition.request",
        operation=Operation.disclosure,
        principal=principal,
        purpose="asset_recovery",
        object_ids=[order.id],
        detail={"reference": order.reference, "country": payload.country},
    ):
        agency, there = _to_disclose(session, principal, order, payload.country)
    recognition = Recognition(
        order_id=order.id,
        country=payload.country,
        status=RecognitionStatus.requested,
        judicial_reference=payload.judicial_reference or order.judicial_reference,
        agency_id=agency.id,
        requested_by=principal.username,
        requested_at=now,
    )
    order.recognitions.append(recognition)
    session.flush()
    for authority in policy.central_authorities(session, payload.country):
        open_task(
            session,
            agency_id=authority.id,
            kind=RECOGNITION_TASK,
            title=written(
                texts.RECOGNISE_ORDER,
                kind=order.kind.value,
                reference=order.reference,
                country=order.country,
                agency=agency.code,
                count=len(there),
                where=payload.country,
            ),
            link=f"/assets/orders/{order.id}",
            subject_id=str(recognition.id),
            due_at=None,
            now=now,
        )
    audit(
        session,
        action="assets.recognition.request",
        operation=Operation.disclosure,
        principal=principal,
        purpose="asset_recovery",
        object_ids=[order.id, *(a.id for a in there)],
        recipients=[payload.country],
        detail={"reference": order.reference, "country": payload.country},
    )
    return recognition


def _to_disclose(
    session: Session, principal: Principal, order: AssetOrder, country: str
) -> tuple[Agency, list[Asset]]:
    """The requesting agency, and the assets it manages in `country` that the order covers:
    only the agency managing an asset discloses it to the state asked."""
    agency = policy.recording_agency(session, principal, order.country)
    if country == order.country:
        raise Invalid(
            N_("order %(reference)s is of %(country)s: it needs no recognition"),
            reference=order.reference,
            country=order.country,
        )
    there = [
        a for a in _assets_of(session, order) if a.country == country and a.agency_id == agency.id
    ]
    if not there:
        raise Invalid(
            N_("order %(reference)s covers no asset your agency manages in %(country)s"),
            reference=order.reference,
            country=country,
        )
    if any(r.country == country for r in order.recognitions):
        raise Conflict(
            N_("recognition of %(reference)s in %(country)s is asked already"),
            reference=order.reference,
            country=country,
        )
    return agency, there


def decide_recognition(
    session: Session,
    *,
    principal: Principal,
    recognition_id: uuid.UUID,
    payload: DecisionIn,
    now: datetime,
) -> Recognition:
    recognition = session.get(Recognition, recognition_id)
    if recognition is None:
        raise NotFound(N_("no such recognition request"))
    order = order_for(session, principal, recognition.order_id, now)  # not told otherwise
    with refusals_logged(
        session,
        action="assets.recognition.decide",
        operation=Operation.alteration,
        principal=principal,
        purpose="asset_recovery",
        object_ids=[order.id, recognition.id],
        detail={"reference": order.reference, "recognised": payload.recognised},
    ):
        policy.may_decide(session, principal, recognition)
        if recognition.status is not RecognitionStatus.requested:
            raise Conflict(
                N_("this recognition was %(status)s already"), status=recognition.status.value
            )
        if payload.on < order.issued_on or payload.on > latest_date(now):
            raise Invalid(
                N_("decided on %(on)s: not between the order's issue and today"), on=payload.on
            )
        if not payload.recognised and not payload.reasons:
            raise Invalid(N_("a refusal gives its reasons"))
    recognition.status = (
        RecognitionStatus.recognised if payload.recognised else RecognitionStatus.refused
    )
    recognition.authority = payload.authority
    recognition.decided_by = principal.username
    recognition.decided_on = payload.on
    recognition.reasons = payload.reasons
    close_tasks(
        session,
        subject_id=str(recognition.id),
        kind=RECOGNITION_TASK,
        by=principal.username,
        outcome=recognition.status.value,
        now=now,
    )
    audit(
        session,
        action="assets.recognition.decide",
        operation=Operation.alteration,
        principal=principal,
        purpose="asset_recovery",
        object_ids=[order.id, recognition.id],
        detail={"reference": order.reference, "status": recognition.status.value},
    )
    return recognition
