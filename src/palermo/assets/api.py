"""Asset recovery routes (/api/assets/…): the register, orders and their recognition abroad,
lifecycle steps, values and costs, expiring measures, statistics, Silver-Notice answers."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, status

from palermo.assets import expiry, management, orders, service, silver, statistics, transitions
from palermo.assets.lifecycle import AssetState
from palermo.assets.money import decimal
from palermo.assets.register import register
from palermo.assets.schemas import (
    AnswerIn,
    AssetDetail,
    AssetIn,
    AssetOut,
    CostIn,
    DecisionIn,
    ExpiringOut,
    OrderIn,
    OrderOut,
    RateIn,
    RecognitionIn,
    RecognitionOut,
    SaleIn,
    StageFigure,
    StatisticsOut,
    StayFigure,
    TransitionIn,
    ValuationIn,
)
from palermo.deps import OffsetQuery, PrincipalDep, SessionDep, SettingsDep
from palermo.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from palermo.models.base import utcnow
from palermo.records.repository import agency_codes
from palermo.routing import APIRouter

router = APIRouter(prefix="/api/assets", tags=["asset recovery"])
COMMON = error_responses(Unauthorized, Invalid, Forbidden, NotFound, Conflict)
CREATED = status.HTTP_201_CREATED


@router.get("", response_model=list[AssetOut], responses=COMMON)
def list_assets(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    state: AssetState | None = None,
    country: str | None = None,
    q: str | None = None,
    provenance_ref: str | None = None,
    offset: OffsetQuery = 0,
    limit: Annotated[int, Query(ge=1, le=service.PAGE)] = service.PAGE,
) -> list[AssetOut]:
    """The assets you may see, by reference, a page at a time."""
    found = service.listing(
        session,
        principal,
        now=utcnow(),
        state=state,
        country=country,
        q=q,
        provenance_ref=provenance_ref,
        offset=offset,
        limit=limit,
    )
    return service.summaries(session, found, settings)


@router.post("", response_model=AssetDetail, status_code=CREATED, responses=COMMON)
def register_asset(
    body: AssetIn, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> AssetDetail:
    """Register an asset (its FtM record, owners and first value); it starts identified."""
    now = utcnow()
    asset = register(session, principal=principal, settings=settings, payload=body, now=now)
    return service.detail(session, principal, settings, asset.id, now=now)


@router.get("/expiring", response_model=list[ExpiringOut], responses=COMMON)
def expiring_measures(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    days: Annotated[int | None, Query(ge=1, le=3650)] = None,
) -> list[ExpiringOut]:
    """Freezing and seizure orders in force on your assets that expire soon, or lapsed."""
    now = utcnow()
    due = expiry.expiring(
        session,
        principal,
        within_days=days or settings.assets_expiry_warning_days,
        today=now.date(),
        now=now,
    )
    codes = agency_codes(session, {d.asset.agency_id for d in due})
    return [
        ExpiringOut(
            asset=service.summary(d.asset, codes[d.asset.agency_id], settings),
            order=d.order.reference,
            order_id=d.order.id,
            expires_on=d.expires_on,
            days_left=d.days_left,
            lapsed=d.lapsed,
        )
        for d in due
    ]


@router.get("/statistics", response_model=StatisticsOut, responses=COMMON)
def recovery_statistics(
    session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> StatisticsOut:
    """Value frozen, seized, confiscated and returned by country, offence and year; days
    spent in each stage."""
    figures = statistics.compute(session, principal, now=utcnow())

    def rows(found: list[statistics.Figure]) -> list[StageFigure]:
        return [
            StageFigure(
                stage=f.stage, year=f.year, key=f.key, assets=f.assets, value=decimal(f.minor)
            )
            for f in found
        ]

    return StatisticsOut(
        currency=settings.assets_reporting_currency,
        by_country=rows(figures.by_country),
        by_offence=rows(figures.by_offence),
        totals=rows(figures.totals),
        stays=[StayFigure.model_validate(s, from_attributes=True) for s in figures.stays],
    )


@router.post("/rates", status_code=status.HTTP_204_NO_CONTENT, responses=COMMON)
def add_rate(body: RateIn, session: SessionDep, principal: PrincipalDep) -> None:
    """Record a dated rate (your central bank's); it wins over the packaged ones that day."""
    service.add_rate(session, principal, body, utcnow())


@router.post("/orders", response_model=OrderOut, status_code=CREATED, responses=COMMON)
def record_order(body: OrderIn, session: SessionDep, principal: PrincipalDep) -> OrderOut:
    """Record an order of your jurisdiction: freezing, seizure, confiscation, management,
    interlocutory sale, disposal (with its shares) or release."""
    now = utcnow()
    order = orders.record_order(session, principal=principal, payload=body, now=now)
    return service.order_out(session, principal, order, now)


@router.get("/orders/{order_id}", response_model=OrderOut, responses=COMMON)
def read_order(order_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> OrderOut:
    now = utcnow()
    order = service.read_order(session, principal, order_id, now)
    return service.order_out(session, principal, order, now)


@router.post(
    "/orders/{order_id}/recognitions",
    response_model=RecognitionOut,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Unauthorized, Invalid, Forbidden, NotFound, Conflict),
)
def request_recognition(
    order_id: uuid.UUID, body: RecognitionIn, session: SessionDep, principal: PrincipalDep
) -> RecognitionOut:
    """Send the order to the state where assets it covers lie, for recognition there."""
    recognition = orders.request_recognition(
        session, principal=principal, order_id=order_id, payload=body, now=utcnow()
    )
    return RecognitionOut.model_validate(recognition)


@router.post(
    "/recognitions/{recognition_id}/decision",
    response_model=RecognitionOut,
    responses=error_responses(Unauthorized, Invalid, Forbidden, NotFound, Conflict),
)
def decide_recognition(
    recognition_id: uuid.UUID, body: DecisionIn, session: SessionDep, principal: PrincipalDep
) -> RecognitionOut:
    """The central authority of the state asked recognises the order, or refuses with
    reasons."""
    recognition = orders.decide_recognition(
        session, principal=principal, recognition_id=recognition_id, payload=body, now=utcnow()
    )
    return RecognitionOut.model_validate(recognition)


@router.post(
    "/silver/{notice_id}/answers",
    response_model=list[AssetOut],
    status_code=CREATED,
    responses=COMMON,
)
def answer_silver_notice(
    notice_id: uuid.UUID,
    body: AnswerIn,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> list[AssetOut]:
    """Assets your country located for a Silver Notice: registered, shared with the
    requesting agency, which is told."""
    found = silver.answer(
        session,
        principal=principal,
        settings=settings,
        notice_id=notice_id,
        payload=body,
        now=utcnow(),
    )
    return service.summaries(session, found, settings)


@router.get("/{asset_id}", response_model=AssetDetail, responses=COMMON)
def read_asset(
    asset_id: uuid.UUID, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> AssetDetail:
    return service.detail(session, principal, settings, asset_id, now=utcnow())


@router.post(
    "/{asset_id}/transitions", response_model=AssetDetail, status_code=CREATED, responses=COMMON
)
def move_asset(
    asset_id: uuid.UUID,
    body: TransitionIn,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> AssetDetail:
    """One step of the lifecycle, under its order; refused (422) with the reason."""
    now = utcnow()
    transitions.transition(session, principal=principal, asset_id=asset_id, payload=body, now=now)
    return service.detail(session, principal, settings, asset_id, now=now)


@router.post(
    "/{asset_id}/valuations", response_model=AssetDetail, status_code=CREATED, responses=COMMON
)
def value_asset(
    asset_id: uuid.UUID,
    body: ValuationIn,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> AssetDetail:
    now = utcnow()
    management.value(
        session, principal=principal, settings=settings, asset_id=asset_id, payload=body, now=now
    )
    return service.detail(session, principal, settings, asset_id, now=now)


@router.post("/{asset_id}/costs", response_model=AssetDetail, status_code=CREATED, responses=COMMON)
def add_cost(
    asset_id: uuid.UUID,
    body: CostIn,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> AssetDetail:
    now = utcnow()
    management.cost(
        session, principal=principal, settings=settings, asset_id=asset_id, payload=body, now=now
    )
    return service.detail(session, principal, settings, asset_id, now=now)


@router.post("/{asset_id}/sale", response_model=AssetDetail, status_code=CREATED, responses=COMMON)
def sell_asset(
    asset_id: uuid.UUID,
    body: SaleIn,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> AssetDetail:
    """An interlocutory sale under its order: the proceeds stand for the asset."""
    now = utcnow()
    management.sell(
        session, principal=principal, settings=settings, asset_id=asset_id, payload=body, now=now
    )
    return service.detail(session, principal, settings, asset_id, now=now)
