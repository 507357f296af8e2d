"""Asset recovery pages: the register of the assets one may see, an asset's file — its
timeline, the orders that cover it and their recognition abroad, its ownership chain, values,
costs, transfers and reconciliation — with the forms of those who act on it, an order's page
where the state asked decides on its recognition and the issuing agency asks another state,
the measures about to lapse, and the recovery statistics with their charts (Vega-Lite specs
built with Altair, drawn in the browser by the vendored vega-embed; the tables hold the same
figures).

What is seen and what may be done are decided by `policy.assets` and the services; a refused
step shows its reason on the page and leaves nothing behind but its audit line."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, ParamSpec, TypeVar, get_args
from urllib.parse import urlencode

import altair as alt
from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.assets import expiry, management, orders, service, statistics, transitions
from palermo.assets.lifecycle import (
    ACCOUNTS_CLOSED,
    STATE_TITLES,
    STEPS,
    AssetState,
    RecognitionStatus,
)
from palermo.assets.money import decimal
from palermo.assets.schemas import (
    CostIn,
    DecisionIn,
    OwnerOut,
    RecognitionIn,
    TransitionIn,
    ValuationIn,
)
from palermo.db import attempt
from palermo.deps import PrincipalDep, SessionDep, SettingsDep
from palermo.errors import Forbidden, Invalid, NotFound, PalermoError
from palermo.identity.principal import Principal
from palermo.models.assets import AssetOrder
from palermo.models.base import utcnow
from palermo.offences import iccs
from palermo.policy import assets as policy
from palermo.routing import APIRouter
from palermo.settings import Settings
from palermo.translatable import N_
from palermo.web import i18n
from palermo.web.finintel import FormState
from palermo.web.notices.common import problems
from palermo.web.templating import page

router = APIRouter(include_in_schema=False)

Shape = TypeVar("Shape", bound=BaseModel)
Checked = ParamSpec("Checked")
Text = Annotated[str, Form(max_length=5_000)]
Short = Annotated[str, Form(max_length=64)]
Name = Annotated[str, Form(max_length=200)]  # an authority, a reference abroad

# The stages of the statistics, in the order of the lifecycle; "returned" counts what was
# paid out (returned, shared or transferred to victims).
STAGE_TITLES = {
    **{stage.value: STATE_TITLES[stage] for stage in statistics.STAGES},
    statistics.RETURNED: N_("Returned"),
}
STAGE_ORDER = list(STAGE_TITLES.values())
STAGE_COLOURS = ["#4c78a8", "#f58518", "#b279a2", "#54a24b"]
# Charts fill the page's width; those with bars by key grow in height with the keys (pixels
# per key: Vega-Lite's own step sizing would give up fitting the width).
ROW_HEIGHT = 36
NO_OFFENCE = "none"  # statistics' key for an asset whose record names no offence
# How the service's input fields are named on the forms, for the reasons of a refusal.
LABELS = {
    "to": "Next state",
    "order": "Order",
    "on": "Effective date",
    "amount": "Amount",
    "currency": "Currency",
    "valued_on": "Valued on",
    "incurred_on": "Incurred on",
    "method": "Method",
    "category": "Category",
    "note": "Note",
    "recognised": "Decision",
    "authority": "Authority",
    "reasons": "Reasons",
    "country": "Country",
    "judicial_reference": "Judicial reference",
}
DONE = {
    "transition": N_("Step recorded"),
    "valuation": N_("Value recorded"),
    "cost": N_("Cost recorded"),
}
ORDER_DONE = {"recognition": N_("Recognition asked"), "decision": N_("Decision recorded")}


# The register -------------------------------------------------------------------------------
@router.get("/assets", response_class=HTMLResponse)
def register_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    state: Annotated[str, Query(max_length=32)] = "",
    country: Annotated[str, Query(max_length=2)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    provenance_ref: Annotated[str, Query(max_length=128)] = "",
) -> Response:
    """The assets you may see, by reference, and the measures on them about to lapse."""
    policy.may_work(principal)
    now = utcnow()
    error = None
    if state and state not in AssetState.__members__:
        error, state = f"unknown state {state!r}", ""
    found = service.listing(
        session,
        principal,
        now=now,
        state=AssetState(state) if state else None,
        country=country.strip() or None,
        q=q.strip() or None,
        provenance_ref=provenance_ref.strip() or None,
    )
    due = expiry.expiring(
        session,
        principal,
        within_days=settings.assets_expiry_warning_days,
        today=now.date(),
        now=now,
    )
    return page(
        request,
        "assets/register.html",
        principal,
        assets=service.summaries(session, found, settings),
        limit=service.PAGE,
        filters={"state": state, "country": country, "q": q, "provenance_ref": provenance_ref},
        due=due,
        error=error,
        status_code=422 if error else 200,
        **_titles(settings),
    )


# Expiring measures ----------------------------------------------------------------------------
@router.get("/assets/expiring", response_class=HTMLResponse)
def expiring_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    days: Annotated[int | None, Query(ge=1, le=365)] = None,
) -> Response:
    """Freezing and seizure orders in force on your assets that lapse within `days`, or have
    lapsed: soonest first, to renew them in time or release the assets."""
    policy.may_work(principal)
    now = utcnow()
    window = days or settings.assets_expiry_warning_days
    due = expiry.expiring(session, principal, within_days=window, today=now.date(), now=now)
    summaries = service.summaries(session, [d.asset for d in due], settings)
    return page(
        request,
        "assets/expiring.html",
        principal,
        rows=list(zip(due, summaries, strict=True)),
        days=window,
        **_titles(settings),
    )


# Statistics ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class StageRow:
    """A country or offence in a year, with its figure in each stage."""

    key: str
    year: int
    stages: dict[str, statistics.Figure]


def by_stage(figures: list[statistics.Figure]) -> list[StageRow]:
    """The figures as a table: a row per key and year, a column per stage."""
    rows: dict[tuple[str, int], dict[str, statistics.Figure]] = {}
    for figure in figures:
        rows.setdefault((figure.key, figure.year), {})[figure.stage] = figure
    return [StageRow(key, year, stages) for (key, year), stages in sorted(rows.items())]


def offence_title(code: str) -> str:
    if code == NO_OFFENCE:
        return i18n.gettext("No offence recorded")
    found = iccs().get(code)
    return f"{code} {i18n.gettext(found.label)}" if found else code


def _(message: str) -> str:
    """A chart's words in the language of the page being built (see `i18n.speaking`)."""
    return i18n.gettext(message)


def _stage_order() -> list[str]:
    return [_(title) for title in STAGE_ORDER]


def _chart_rows(
    figures: list[statistics.Figure], name: Callable[[str], str] = str
) -> list[dict[str, Any]]:
    return [
        {
            "stage": _(STAGE_TITLES[f.stage]),
            "year": str(f.year),
            "key": name(f.key),
            "assets": f.assets,
            "value": float(decimal(f.minor)),
        }
        for f in figures
    ]


def _stage_colour() -> alt.Color:
    return alt.Color(
        "stage:N",
        title=_("Stage"),
        sort=_stage_order(),
        scale=alt.Scale(domain=_stage_order(), range=STAGE_COLOURS),
    )


def _spec(chart: alt.Chart | alt.LayerChart) -> dict[str, Any]:
    spec: dict[str, Any] = chart.to_dict()  # validated against Vega-Lite's schema
    return spec


def stages_chart(totals: list[statistics.Figure], currency: str) -> dict[str, Any]:
    """Value entering each stage, year by year: a group of bars per year."""
    chart = (
        alt.Chart(alt.InlineData(values=_chart_rows(totals)))
        .mark_bar()
        .encode(
            x=alt.X("year:O", title=_("Year"), axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("stage:N", sort=_stage_order()),
            y=alt.Y(
                "value:Q",
                title=_("Value (%(currency)s)") % {"currency": currency},
                axis=alt.Axis(format="~s"),
            ),
            color=_stage_colour(),
            tooltip=[
                alt.Tooltip("year:O", title=_("Year")),
                alt.Tooltip("stage:N", title=_("Stage")),
                alt.Tooltip("assets:Q", title=_("Assets")),
                alt.Tooltip("value:Q", title=currency, format=",.2f"),
            ],
        )
        .properties(width="container", height=260)
    )
    return _spec(chart)


def breakdown_chart(
    figures: list[statistics.Figure], currency: str, title: str, name: Callable[[str], str]
) -> dict[str, Any]:
    """Value by country or offence over all years: a bar per stage for each."""
    rows = _chart_rows(figures, name)
    chart = (
        alt.Chart(alt.InlineData(values=rows))
        .mark_bar()
        .encode(
            y=alt.Y("key:N", title=title, sort="ascending", axis=alt.Axis(labelLimit=260)),
            yOffset=alt.YOffset("stage:N", sort=_stage_order()),
            x=alt.X(
                "sum(value):Q",
                title=_("Value (%(currency)s), all years") % {"currency": currency},
                axis=alt.Axis(format="~s"),
            ),
            color=_stage_colour(),
            tooltip=[
                alt.Tooltip("key:N", title=title),
                alt.Tooltip("stage:N", title=_("Stage")),
                alt.Tooltip("sum(assets):Q", title=_("Assets")),
                alt.Tooltip("sum(value):Q", title=currency, format=",.2f"),
            ],
        )
        .properties(width="container", height=ROW_HEIGHT * len({r["key"] for r in rows}))
    )
    return _spec(chart)


def stays_chart(stays: list[statistics.Stay]) -> dict[str, Any]:
    """Days spent in each stage by the assets that left it: the median as a bar, the mean as
    a tick."""
    rows = [
        {
            "state": _(STATE_TITLES[s.state]),
            "median": s.median_days,
            "mean": s.mean_days,
            "completed": s.completed,
            "ongoing": s.ongoing,
        }
        for s in stays
        if s.completed
    ]
    order = [_(STATE_TITLES[s.state]) for s in stays]
    base = alt.Chart(alt.InlineData(values=rows)).encode(
        y=alt.Y("state:N", title=_("Stage"), sort=order),
        tooltip=[
            alt.Tooltip("state:N", title=_("Stage")),
            alt.Tooltip("median:Q", title=_("Median days"), format=",.1f"),
            alt.Tooltip("mean:Q", title=_("Mean days"), format=",.1f"),
            alt.Tooltip("completed:Q", title=_("Stays completed")),
            alt.Tooltip("ongoing:Q", title=_("Assets still there")),
        ],
    )
    bars = base.mark_bar(color="#4c78a8").encode(x=alt.X("median:Q", title=_("Days")))
    means = base.mark_tick(color="#e45756", thickness=3).encode(x="mean:Q")
    return _spec((bars + means).properties(width="container", height=ROW_HEIGHT * len(rows)))


@router.get("/assets/statistics", response_class=HTMLResponse)
def statistics_page(
    request: Request, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> Response:
    """Value frozen, seized, confiscated and returned by country, offence and year, and the
    days assets spend in each stage (EU Directive 2024/1260 Art. 28), over the assets you
    see."""
    policy.may_work(principal)
    figures = statistics.compute(session, principal, now=utcnow())
    currency = settings.assets_reporting_currency
    with i18n.speaking(i18n.language_of(request)):  # the charts' titles in the page's language
        charts = {
            "stages": stages_chart(figures.totals, currency),
            "countries": breakdown_chart(
                figures.by_country, currency, _("Country"), i18n.country_name
            ),
            "offences": breakdown_chart(figures.by_offence, currency, _("Offence"), offence_title),
            "stays": stays_chart(figures.stays),
        }
    return page(
        request,
        "assets/statistics.html",
        principal,
        figures=figures,
        totals=by_stage(figures.totals),
        countries=by_stage(figures.by_country),
        offences=by_stage(figures.by_offence),
        charts=charts,
        offence_title=offence_title,
        country_name=i18n.country_name,
        decimal=decimal,
        **_titles(settings),
    )


# The asset's file ---------------------------------------------------------------------------
@dataclass
class Holding:
    """A holder in the ownership chain, with those who hold it in turn."""

    holder: OwnerOut
    holders: list[Holding] = field(default_factory=list)


def ownership_tree(owners: list[OwnerOut]) -> list[Holding]:
    """The chain the service lists depth-first, nested: each holder under what it holds."""
    top: list[Holding] = []
    path: list[Holding] = []  # the holdings above the current one, by depth
    for owner in owners:
        holding = Holding(owner)
        del path[owner.depth - 1 :]
        (path[-1].holders if path else top).append(holding)
        path.append(holding)
    return top


def _allowed(check: Callable[Checked, object], *args: Checked.args, **kw: Checked.kwargs) -> bool:
    """Whether the policy's `check` lets the principal do it (it refuses with Forbidden)."""
    try:
        check(*args, **kw)
    except Forbidden:
        return False
    return True


def _may_act(session: Session, principal: Principal, asset_id: uuid.UUID) -> bool:
    asset = policy.asset_for(session, principal, asset_id, utcnow())
    return _allowed(policy.may_act_on, session, principal, asset)


def _asset_page(
    request: Request,
    session: Session,
    settings: Settings,
    principal: Principal,
    asset_id: uuid.UUID,
    *,
    forms: dict[str, FormState] | None = None,
    done: str = "",
    status_code: int = 200,
) -> Response:
    now = utcnow()
    detail = service.detail(session, principal, settings, asset_id, now=now)  # audited
    # The orders offered for a step: those of the kinds its next states need.
    kinds = {STEPS[s].instrument for s in detail.next_states}
    return page(
        request,
        "assets/asset.html",
        principal,
        asset=detail,
        holdings=ownership_tree(detail.owners),
        may_act=_may_act(session, principal, asset_id),
        accounts_open=detail.state not in ACCOUNTS_CLOSED,
        steps=[(s, STEPS[s].instrument) for s in detail.next_states],
        instruments=[o for o in detail.orders if o.kind in kinds],
        methods=get_args(ValuationIn.model_fields["method"].annotation),
        categories=get_args(CostIn.model_fields["category"].annotation),
        today=now.date(),
        forms=forms or {},
        done=DONE.get(done, ""),
        status_code=status_code,
        **_titles(settings),
    )


@router.get("/assets/{asset_id}", response_class=HTMLResponse)
def asset_page(
    request: Request,
    asset_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    done: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    policy.may_work(principal)
    return _asset_page(request, session, settings, principal, asset_id, done=done)


def _shaped(
    model: type[Shape], form: dict[str, str], labels: dict[str, str] | None = None
) -> Shape:
    """The form as the service's input (blank fields left out); a field of the wrong shape is
    refused under its label (`labels` name the fields where the form names them otherwise)."""
    named = {**LABELS, **(labels or {})}
    try:
        return model.model_validate({k: v.strip() for k, v in form.items() if v.strip()})
    except ValidationError as error:
        reasons = i18n.Listed([reason for _, reason in problems(error, named)])
        raise Invalid("%(reasons)s", reasons=reasons) from None


def _attempted(
    session: Session,
    principal: Principal,
    step: Callable[[], object],
    *,
    refused: Callable[[PalermoError], Response],
    then: str,
) -> Response:
    """Run `step`: done, on to `then`; refused, the page `refused` draws with the reason."""
    policy.may_work(principal)
    try:
        attempt(session, step)
    except PalermoError as error:
        return refused(error)
    return RedirectResponse(then, status_code=303)


def _act(
    request: Request,
    session: Session,
    settings: Settings,
    principal: Principal,
    asset_id: uuid.UUID,
    action: str,
    form: dict[str, str],
    step: Callable[[], object],
) -> Response:
    """Run `step`; refused, the asset's page again with what was typed and why."""
    anchor = "#timeline" if action == "transition" else f"#{action}s"
    return _attempted(
        session,
        principal,
        step,
        refused=lambda error: _asset_page(
            request,
            session,
            settings,
            principal,
            asset_id,
            forms={action: FormState(form, i18n.said(error))},
            status_code=error.status_code,
        ),
        then=f"/assets/{asset_id}?{urlencode({'done': action})}{anchor}",
    )


@router.post("/assets/{asset_id}/transitions", response_class=HTMLResponse)
def move_asset(
    request: Request,
    asset_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    to: Short = "",
    order: Short = "",
    on: Short = "",
    note: Text = "",
) -> Response:
    """One step of the asset's lifecycle, under the order that allows it."""
    form = {"to": to, "order": order, "on": on, "note": note}
    return _act(
        request,
        session,
        settings,
        principal,
        asset_id,
        "transition",
        form,
        lambda: transitions.transition(
            session,
            principal=principal,
            asset_id=asset_id,
            payload=_shaped(TransitionIn, form),
            now=utcnow(),
        ),
    )


@router.post("/assets/{asset_id}/valuations", response_class=HTMLResponse)
def value_asset(
    request: Request,
    asset_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    amount: Short = "",
    currency: Short = "",
    valued_on: Short = "",
    method: Short = "",
    note: Text = "",
) -> Response:
    """A new value of the asset; the latest by date becomes its current estimate."""
    form = {
        "amount": amount,
        "currency": currency,
        "valued_on": valued_on,
        "method": method,
        "note": note,
    }
    return _act(
        request,
        session,
        settings,
        principal,
        asset_id,
        "valuation",
        form,
        lambda: management.value(
            session,
            principal=principal,
            settings=settings,
            asset_id=asset_id,
            payload=_shaped(ValuationIn, form),
            now=utcnow(),
        ),
    )


@router.post("/assets/{asset_id}/costs", response_class=HTMLResponse)
def add_cost(
    request: Request,
    asset_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    amount: Short = "",
    currency: Short = "",
    incurred_on: Short = "",
    category: Short = "",
    note: Text = "",
) -> Response:
    """A cost of keeping the asset: storage, maintenance, insurance, fees."""
    form = {
        "amount": amount,
        "currency": currency,
        "incurred_on": incurred_on,
        "category": category,
        "note": note,
    }
    return _act(
        request,
        session,
        settings,
        principal,
        asset_id,
        "cost",
        form,
        lambda: management.cost(
            session,
            principal=principal,
            settings=settings,
            asset_id=asset_id,
            payload=_shaped(CostIn, form),
            now=utcnow(),
        ),
    )


# An order ------------------------------------------------------------------------------------
def _visible_order(
    session: Session, principal: Principal, order_id: uuid.UUID | None, now: datetime
) -> AssetOrder | None:
    try:
        return orders.order_for(session, principal, order_id, now)
    except NotFound:
        return None


def _order_page(
    request: Request,
    session: Session,
    settings: Settings,
    principal: Principal,
    order_id: uuid.UUID,
    *,
    forms: dict[str, FormState] | None = None,
    done: str = "",
    status_code: int = 200,
) -> Response:
    now = utcnow()
    order = service.read_order(session, principal, order_id, now)  # 404 unless it is shown
    covered = service.covered(session, principal, order, now)
    # The central authority of a state asked decides on what is still awaiting it; the
    # issuing agency asks the states where the covered assets it sees lie, each once.
    decidable = {
        r.id
        for r in order.recognitions
        if r.status is RecognitionStatus.requested
        and _allowed(policy.may_decide, session, principal, r)
    }
    issuing = _allowed(policy.recording_agency, session, principal, order.country)
    asked = {r.country for r in order.recognitions}
    countries = sorted({a.country for a in covered} - asked - {order.country}) if issuing else []
    renewals = session.scalars(
        select(AssetOrder)
        .where(AssetOrder.renews_id == order.id, policy.orders_visible(principal, now=now))
        .order_by(AssetOrder.issued_on, AssetOrder.created_at)
    )
    offered = {f"decision-{r}" for r in decidable} | ({"recognition"} if countries else set())
    return page(
        request,
        "assets/order.html",
        principal,
        order=service.order_out(session, principal, order, now),
        assets=service.summaries(session, covered, settings),
        renews=_visible_order(session, principal, order.renews_id, now)
        if order.renews_id
        else None,
        renewals=list(renewals),
        decidable=decidable,
        countries=countries,
        offered=offered,
        today=now.date(),
        forms=forms or {},
        done=ORDER_DONE.get(done, ""),
        status_code=status_code,
        **_titles(settings),
    )


@router.get("/assets/orders/{order_id}", response_class=HTMLResponse)
def order_page(
    request: Request,
    order_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    done: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """An order: what it is, the assets it covers that you see, and its recognition abroad —
    with the decision for the central authority of a state asked, and the request to another
    state for the issuing agency."""
    policy.may_work(principal)
    return _order_page(request, session, settings, principal, order_id, done=done)


def _act_on_order(
    request: Request,
    session: Session,
    settings: Settings,
    principal: Principal,
    order_id: uuid.UUID,
    action: str,
    form: dict[str, str],
    step: Callable[[], object],
    *,
    form_key: str | None = None,
) -> Response:
    """Run `step`; refused, the order's page again with what was typed and why."""
    return _attempted(
        session,
        principal,
        step,
        refused=lambda error: _order_page(
            request,
            session,
            settings,
            principal,
            order_id,
            forms={form_key or action: FormState(form, i18n.said(error))},
            status_code=error.status_code,
        ),
        then=f"/assets/orders/{order_id}?{urlencode({'done': action})}#recognitions",
    )


@router.post("/assets/orders/{order_id}/recognitions", response_class=HTMLResponse)
def ask_recognition(
    request: Request,
    order_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    country: Short = "",
    judicial_reference: Name = "",
) -> Response:
    """Send the order to a state where assets it covers lie, for recognition there: that
    state's central authorities get a task to decide."""
    policy.may_work(principal)
    orders.order_for(session, principal, order_id, utcnow())  # 404 before anything else
    form = {"country": country.upper(), "judicial_reference": judicial_reference}
    return _act_on_order(
        request,
        session,
        settings,
        principal,
        order_id,
        "recognition",
        form,
        lambda: orders.request_recognition(
            session,
            principal=principal,
            order_id=order_id,
            payload=_shaped(RecognitionIn, form),
            now=utcnow(),
        ),
    )


@router.post(
    "/assets/orders/{order_id}/recognitions/{recognition_id}/decision",
    response_class=HTMLResponse,
)
def decide_recognition(
    request: Request,
    order_id: uuid.UUID,
    recognition_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    recognised: Short = "",
    authority: Name = "",
    on: Short = "",
    reasons: Text = "",
) -> Response:
    """The central authority of the state asked recognises the order there, or refuses it
    with its reasons."""
    policy.may_work(principal)
    order = orders.order_for(session, principal, order_id, utcnow())
    if recognition_id not in {r.id for r in order.recognitions}:
        raise NotFound(N_("no such recognition request"))
    form = {"recognised": recognised, "authority": authority, "on": on, "reasons": reasons}
    return _act_on_order(
        request,
        session,
        settings,
        principal,
        order_id,
        "decision",
        form,
        lambda: orders.decide_recognition(
            session,
            principal=principal,
            recognition_id=recognition_id,
            payload=_shaped(DecisionIn, form, {"on": "Date of decision"}),
            now=utcnow(),
        ),
        form_key=f"decision-{recognition_id}",
    )


def _titles(settings: Settings) -> dict[str, Any]:
    """What every asset template uses to name things."""
    return {
        "state_titles": STATE_TITLES,
        "stage_titles": STAGE_TITLES,
        "states": list(AssetState),
        "currency": settings.assets_reporting_currency,
        "warning_days": settings.assets_expiry_warning_days,
    }
