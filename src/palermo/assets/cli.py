"""`palermo assets list|show|register|order|recognise|decide|transition|value|cost|sell|
expiring|sweep|report|answer|rate`."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from palermo.assets import expiry, management, orders, service, silver, statistics, transitions
from palermo.assets.lifecycle import STATE_TITLES, AssetState
from palermo.assets.money import decimal, shown
from palermo.assets.register import register
from palermo.assets.schemas import (
    AnswerIn,
    AssetIn,
    CostIn,
    DecisionIn,
    OrderIn,
    RateIn,
    RecognitionIn,
    SaleIn,
    TransitionIn,
    ValuationIn,
)
from palermo.console import emit_json, handles_errors, out, read_model, state
from palermo.errors import Invalid
from palermo.models.base import utcnow

assets_app = typer.Typer(help="Asset recovery: register, orders, lifecycle, statistics.")
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


@assets_app.command("list")
@handles_errors
def list_assets(
    ctx: typer.Context,
    state_: Annotated[AssetState | None, typer.Option("--state", help="frozen, seized…")] = None,
    country: Annotated[str | None, typer.Option(help="Where they lie (ISO alpha-2).")] = None,
    q: Annotated[str | None, typer.Option(help="Words of the reference or description.")] = None,
    json_output: JsonOption = False,
) -> None:
    """Assets you may see, by reference."""
    cli = state(ctx)
    with cli.work() as (session, principal):
        found = service.listing(
            session, principal, now=utcnow(), state=state_, country=country, q=q
        )
        rows = service.summaries(session, found, cli.settings)
    if json_output:
        emit_json([r.model_dump(mode="json") for r in rows])
        return
    table = Table("reference", "kind", "country", "state", "since", "value", "description")
    for row in rows:
        table.add_row(
            row.reference,
            row.kind.value,
            row.country,
            STATE_TITLES[row.state],
            str(row.state_since),
            f"{row.reporting_value:,.2f} {row.reporting_currency}",
            escape(row.description),
        )
    out.print(table)
    out.print(f"{len(rows)} assets")


@assets_app.command("show")
@handles_errors
def show_asset(
    ctx: typer.Context,
    asset: Annotated[str, typer.Argument(help="Reference or id.")],
    json_output: JsonOption = False,
) -> None:
    """The asset file: timeline, orders, owners, values, costs and reconciliation."""
    cli = state(ctx)
    now = utcnow()
    with cli.work() as (session, principal):
        found = service.find(session, principal, asset, now)
        detail = service.detail(session, principal, cli.settings, found.id, now=now)
    if json_output:
        emit_json(detail.model_dump(mode="json", by_alias=True))
        return
    out.print(
        f"[bold]{detail.reference}[/] {escape(detail.description)} — {detail.kind.value} in "
        f"{detail.country}, managed by {detail.agency}"
    )
    out.print(
        f"{STATE_TITLES[detail.state]} since {detail.state_since}; worth "
        f"{detail.value:,.2f} {detail.currency} ({detail.reporting_value:,.2f} "
        f"{detail.reporting_currency}) on {detail.valued_on}"
    )
    if detail.measure_expires_on:
        out.print(f"The measure in force expires on {detail.measure_expires_on}")
    timeline = Table("on", "step", "order", "by", "note", title="Timeline")
    for event in detail.events:
        timeline.add_row(
            str(event.on),
            f"{event.from_state or '—'} → {event.to_state}",
            event.order or "",
            event.actor,
            escape(event.note or ""),
        )
    out.print(timeline)
    if detail.owners:
        owners = Table("holder", "stake", "through the chain", title="Owners")
        for owner in detail.owners:
            owners.add_row(
                "  " * (owner.depth - 1) + escape(owner.caption),
                f"{owner.percentage} %" if owner.percentage is not None else "",
                f"{owner.effective:.2f} %" if owner.effective is not None else "",
            )
        out.print(owners)
    money = detail.reconciliation
    out.print(
        f"Value {money.gross:,.2f} − costs {money.costs:,.2f} = net {money.net:,.2f} "
        f"{money.currency}; transferred {money.transferred:,.2f}"
        + ("" if money.balanced else " [red](does not reconcile)[/]")
    )


@assets_app.command("register")
@handles_errors
def register_asset(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The asset as JSON (see the API's AssetIn).")],
) -> None:
    """Register an asset: its record, owners and first value."""
    cli = state(ctx)
    payload = read_model(AssetIn, file)
    with cli.work() as (session, principal):
        asset = register(
            session, principal=principal, settings=cli.settings, payload=payload, now=utcnow()
        )
        reference = asset.reference
    out.print(f"registered {reference}")


@assets_app.command("order")
@handles_errors
def record_order(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The order as JSON (see the API's OrderIn).")],
) -> None:
    """Record an order of your jurisdiction."""
    payload = read_model(OrderIn, file)
    with state(ctx).work() as (session, principal):
        order = orders.record_order(session, principal=principal, payload=payload, now=utcnow())
        out.print(
            f"recorded {order.kind.value} order {order.country}:{order.reference} ({order.id})"
        )


@assets_app.command("recognise")
@handles_errors
def request_recognition(
    ctx: typer.Context,
    order: Annotated[str, typer.Argument(help="Order id or COUNTRY:reference.")],
    country: Annotated[str, typer.Option(help="The state asked to recognise it.")],
    judicial_reference: Annotated[
        str | None, typer.Option(help="The request for legal assistance it travels with.")
    ] = None,
) -> None:
    """Send an order for recognition and execution where its assets lie."""
    now = utcnow()
    with state(ctx).work() as (session, principal):
        found = service.find_order(session, principal, order, now)
        recognition = orders.request_recognition(
            session,
            principal=principal,
            order_id=found.id,
            payload=RecognitionIn(country=country.upper(), judicial_reference=judicial_reference),
            now=now,
        )
        out.print(f"recognition asked of {recognition.country} ({recognition.id})")


@assets_app.command("decide")
@handles_errors
def decide_recognition(
    ctx: typer.Context,
    order: Annotated[str, typer.Argument(help="Order id or COUNTRY:reference.")],
    authority: Annotated[str, typer.Option(help="The court or authority that decided.")],
    on: Annotated[str, typer.Option(help="Date of the decision, YYYY-MM-DD.")],
    refuse: Annotated[bool, typer.Option(help="Refuse instead of recognising.")] = False,
    reasons: Annotated[str | None, typer.Option(help="Required for a refusal.")] = None,
) -> None:
    """As a central authority: recognise (or refuse) an order sent to your country."""
    now = utcnow()
    with state(ctx).work() as (session, principal):
        found = service.find_order(session, principal, order, now)
        asked = next((r for r in found.recognitions if r.country == principal.country), None)
        if asked is None:
            raise Invalid(f"{found.reference} was not sent to {principal.country}")
        decided = orders.decide_recognition(
            session,
            principal=principal,
            recognition_id=asked.id,
            payload=DecisionIn(
                recognised=not refuse, authority=authority, on=_date(on), reasons=reasons
            ),
            now=now,
        )
        out.print(f"{found.reference}: {decided.status.value} in {decided.country}")


@assets_app.command("transition")
@handles_errors
def move_asset(
    ctx: typer.Context,
    asset: Annotated[str, typer.Argument(help="Reference or id.")],
    to: Annotated[AssetState, typer.Option(help="The new state.")],
    on: Annotated[str, typer.Option(help="When it took effect, YYYY-MM-DD.")],
    order: Annotated[
        str | None, typer.Option(help="The instrument: order id or COUNTRY:reference.")
    ] = None,
    note: Annotated[str | None, typer.Option(help="What happened (required to trace).")] = None,
) -> None:
    """Move an asset one step, under its order."""
    cli = state(ctx)
    now = utcnow()
    with cli.work() as (session, principal):
        found = service.find(session, principal, asset, now)
        instrument = service.find_order(session, principal, order, now) if order else None
        transitions.transition(
            session,
            principal=principal,
            asset_id=found.id,
            payload=TransitionIn(
                to=to, order=instrument.id if instrument else None, on=_date(on), note=note
            ),
            now=now,
        )
        out.print(f"{found.reference} is {STATE_TITLES[to].lower()} since {on}")


@assets_app.command("value")
@handles_errors
def value_asset(
    ctx: typer.Context,
    asset: Annotated[str, typer.Argument(help="Reference or id.")],
    amount: Annotated[str, typer.Option(help="The value, e.g. 1250000.00.")],
    currency: Annotated[str, typer.Option(help="ISO 4217 code.")],
    on: Annotated[str, typer.Option(help="Date of the valuation, YYYY-MM-DD.")],
    method: Annotated[str, typer.Option(help="estimate, expert or market.")] = "estimate",
    note: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Record a new value of the asset."""
    cli = state(ctx)
    now = utcnow()
    payload = ValuationIn.model_validate(
        {"amount": amount, "currency": currency, "valued_on": on, "method": method, "note": note}
    )
    with cli.work() as (session, principal):
        found = service.find(session, principal, asset, now)
        valuation = management.value(
            session,
            principal=principal,
            settings=cli.settings,
            asset_id=found.id,
            payload=payload,
            now=now,
        )
        out.print(
            f"{found.reference}: {shown(valuation.amount_minor, valuation.currency)} = "
            f"{shown(valuation.reporting_minor, cli.settings.assets_reporting_currency)} "
            f"(rate of {valuation.rate_on}, {valuation.rate_source})"
        )


@assets_app.command("cost")
@handles_errors
def add_cost(
    ctx: typer.Context,
    asset: Annotated[str, typer.Argument(help="Reference or id.")],
    amount: Annotated[str, typer.Option()],
    currency: Annotated[str, typer.Option()],
    on: Annotated[str, typer.Option(help="When incurred, YYYY-MM-DD.")],
    category: Annotated[str, typer.Option(help="storage, maintenance, insurance, fees, other.")],
    note: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Record a management cost of the asset."""
    cli = state(ctx)
    now = utcnow()
    payload = CostIn.model_validate(
        {"amount": amount, "currency": currency, "incurred_on": on, "category": category}
        | {"note": note}
    )
    with cli.work() as (session, principal):
        found = service.find(session, principal, asset, now)
        management.cost(
            session,
            principal=principal,
            settings=cli.settings,
            asset_id=found.id,
            payload=payload,
            now=now,
        )
        out.print(f"{found.reference}: cost of {amount} {currency.upper()} recorded")


@assets_app.command("sell")
@handles_errors
def sell_asset(
    ctx: typer.Context,
    asset: Annotated[str, typer.Argument(help="Reference or id.")],
    order: Annotated[str, typer.Option(help="The sale order: id or COUNTRY:reference.")],
    amount: Annotated[str, typer.Option(help="What the sale realised.")],
    currency: Annotated[str, typer.Option()],
    on: Annotated[str, typer.Option(help="Date of the sale, YYYY-MM-DD.")],
) -> None:
    """An interlocutory sale: the proceeds stand for the asset."""
    cli = state(ctx)
    now = utcnow()
    with cli.work() as (session, principal):
        found = service.find(session, principal, asset, now)
        instrument = service.find_order(session, principal, order, now)
        payload = SaleIn.model_validate(
            {"order": instrument.id, "amount": amount, "currency": currency, "sold_on": on}
        )
        management.sell(
            session,
            principal=principal,
            settings=cli.settings,
            asset_id=found.id,
            payload=payload,
            now=now,
        )
        out.print(f"{found.reference} sold for {amount} {currency.upper()}")


@assets_app.command("expiring")
@handles_errors
def expiring_measures(
    ctx: typer.Context,
    days: Annotated[int | None, typer.Option(help="Look this many days ahead.")] = None,
    json_output: JsonOption = False,
) -> None:
    """Freezing and seizure orders about to expire, or lapsed, on the assets you see."""
    cli = state(ctx)
    now = utcnow()
    with cli.work() as (session, principal):
        due = expiry.expiring(
            session,
            principal,
            within_days=days or cli.settings.assets_expiry_warning_days,
            today=now.date(),
            now=now,
        )
        rows = [
            {
                "asset": d.asset.reference,
                "state": d.asset.state.value,
                "order": f"{d.order.country}:{d.order.reference}",
                "expires_on": str(d.order.expires_on),
                "days_left": d.days_left,
                "lapsed": d.lapsed,
            }
            for d in due
        ]
    if json_output:
        emit_json(rows)
        return
    table = Table("asset", "state", "order", "expires", "days left")
    for row in rows:
        days = int(row["days_left"])
        left = f"[red]lapsed {-days} d ago[/]" if row["lapsed"] else str(days)
        table.add_row(*(str(row[k]) for k in ("asset", "state", "order", "expires_on")), left)
    out.print(table)


@assets_app.command("sweep")
@handles_errors
def sweep(ctx: typer.Context) -> None:
    """Daily: a task for each measure about to expire or lapsed, once per order."""
    cli = state(ctx)
    with cli.work() as (session, principal):
        count = expiry.sweep(
            session,
            principal=principal,
            warning_days=cli.settings.assets_expiry_warning_days,
            now=utcnow(),
        )
    out.print(f"{count} expiry warnings set")


@assets_app.command("report")
@handles_errors
def report(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """Recovery statistics: value frozen, seized, confiscated and returned by country and
    year, and the days assets spend in each stage."""
    cli = state(ctx)
    with cli.work() as (session, principal):
        figures = statistics.compute(session, principal, now=utcnow())
    currency = cli.settings.assets_reporting_currency
    if json_output:
        emit_json(
            {
                "currency": currency,
                "by_country": [_figure(f) for f in figures.by_country],
                "by_offence": [_figure(f) for f in figures.by_offence],
                "totals": [_figure(f) for f in figures.totals],
                "stays": [s.__dict__ | {"state": s.state.value} for s in figures.stays],
            }
        )
        return
    table = Table("stage", "year", "country", "assets", f"value ({currency})")
    for f in figures.by_country:
        table.add_row(f.stage, str(f.year), f.key, str(f.assets), shown(f.minor, currency))
    out.print(table)
    stays = Table("stage", "left", "median days", "mean days", "still in it")
    for s in figures.stays:
        stays.add_row(
            STATE_TITLES[s.state],
            str(s.completed),
            f"{s.median_days:.0f}" if s.median_days is not None else "",
            f"{s.mean_days:.0f}" if s.mean_days is not None else "",
            str(s.ongoing),
        )
    out.print(stays)


def _figure(f: statistics.Figure) -> dict[str, Any]:
    return {
        "stage": f.stage,
        "year": f.year,
        "key": f.key,
        "assets": f.assets,
        "value": str(decimal(f.minor)),
    }


@assets_app.command("answer")
@handles_errors
def answer_silver_notice(
    ctx: typer.Context,
    notice: Annotated[str, typer.Argument(help="The Silver Notice's id.")],
    file: Annotated[Path, typer.Argument(help="The assets located, as JSON (AnswerIn).")],
) -> None:
    """Answer a Silver Notice with the assets your country located."""
    cli = state(ctx)
    payload = read_model(AnswerIn, file)
    with cli.work() as (session, principal):
        found = silver.answer(
            session,
            principal=principal,
            settings=cli.settings,
            notice_id=uuid.UUID(notice),
            payload=payload,
            now=utcnow(),
        )
        references = [a.reference for a in found]
    out.print(f"{len(references)} assets registered: {', '.join(references)}")


@assets_app.command("rate")
@handles_errors
def add_rate(
    ctx: typer.Context,
    currency: Annotated[str, typer.Argument()],
    on: Annotated[str, typer.Argument(help="The day, YYYY-MM-DD.")],
    units_per_eur: Annotated[float, typer.Argument(help="Units one euro buys.")],
    source: Annotated[str, typer.Option(help="Whose rate it is.")],
) -> None:
    """Record a dated rate (e.g. your central bank's); it wins that day."""
    payload = RateIn(
        currency=currency, valid_on=_date(on), units_per_eur=units_per_eur, source=source
    )
    with state(ctx).work() as (session, principal):
        service.add_rate(session, principal, payload, utcnow())
    out.print(f"{payload.currency.upper()} {units_per_eur} per EUR on {on} recorded")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"{text!r} is not a date (YYYY-MM-DD)") from None
