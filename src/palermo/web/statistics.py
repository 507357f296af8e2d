"""The statistics page: crime and cooperation figures, each as a chart (a Vega-Lite spec built
with Altair, drawn in the browser by the vendored vega-embed), the table of the same figures
and a CSV to take away — records and cases by ICCS section, country (a world map, drawn from
the vendored Natural Earth TopoJSON: no tile server, no internet) and year; notices by type
and status; screening volume and hit rate; the results of operations; and, computed by their
own capabilities, asset recovery (`palermo.assets.statistics`) and the response times between
countries (`palermo.judicial.statistics`).

What is counted for whom is `palermo.stats`' rule: counts only, of what the reader may see.
A section whose work the reader's roles do not do is left out."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

import altair as alt
import pycountry
from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from palermo.assets import statistics as asset_statistics
from palermo.assets.money import decimal
from palermo.assets.schemas import StageFigure
from palermo.cases.vocabulary import COUNTED, RESULT_TITLES, ResultKind
from palermo.deps import PrincipalDep, SessionDep, SettingsDep
from palermo.errors import Forbidden, NotFound
from palermo.http import download_response
from palermo.identity.principal import Principal
from palermo.judicial.request_schemas import PairOut
from palermo.models.base import utcnow
from palermo.notices.kinds import KIND_TITLES, NoticeKind, NoticeStatus
from palermo.policy import assets as asset_policy
from palermo.policy import judicial as judicial_policy

# The pages stay out of the OpenAPI description; the API beside them is in it.
from palermo.routing import APIRouter
from palermo.settings import Settings
from palermo.stats import api, service
from palermo.stats.schemas import (
    NO_OFFENCE,
    CountryCount,
    NoticeCount,
    OffenceCount,
    OperationResult,
    ScreeningMonth,
    Statistics,
)
from palermo.translatable import N_
from palermo.web import i18n
from palermo.web.assets import STAGE_TITLES, breakdown_chart, stages_chart
from palermo.web.judicial import statistics as response_times
from palermo.web.notices.common import STATUS_TITLES
from palermo.web.templating import page

pages = APIRouter(include_in_schema=False)
router = APIRouter()

WORLD = "/static/vendor/world-atlas-2.0.2-countries-110m.json"  # ids: ISO 3166-1 numeric
ROW_HEIGHT = 26  # px per bar of a chart with a bar per key
Year = Annotated[int | None, Query(ge=1900, le=2999)]


def _(message: str) -> str:
    return i18n.gettext(message)


@cache
def numeric(alpha_2: str) -> str | None:
    """The ISO 3166-1 numeric code the world map's countries carry; None for a code without
    one (Kosovo's XK is user-assigned)."""
    found = pycountry.countries.get(alpha_2=alpha_2)
    return found.numeric if found else None


def offence_name(row: OffenceCount) -> str:
    if row.iccs_section == NO_OFFENCE:
        return _("No offence recorded")
    return f"{row.iccs_section} {_(row.iccs_label)}"


def notice_kind(kind: str) -> str:
    return _(KIND_TITLES[NoticeKind(kind)])


def notice_status(status: str) -> str:
    return _(STATUS_TITLES[NoticeStatus(status)])


def result_kind(kind: str) -> str:
    return _(RESULT_TITLES[ResultKind(kind)])


def month_name(row: ScreeningMonth) -> str:
    return f"{row.year}-{row.month:02d}"


def percent(share: float) -> str:
    return f"{share * 100:.1f} %"


# Charts ---------------------------------------------------------------------------------
def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    spec: dict[str, Any] = chart.to_dict()  # validated against Vega-Lite's schema
    return spec


def _year_colour() -> alt.Color:
    return alt.Color("year:O", title=_("Year"), scale=alt.Scale(scheme="tableau10"))


def by_key_chart(
    rows: Sequence[OffenceCount | CountryCount],
    name: Callable[[Any], str],
    key_title: str,
    count_title: str,
) -> dict[str, Any]:
    """A bar per key (an offence section, a country), its years stacked."""
    values = [{"key": name(r), "year": r.year, "count": r.count} for r in rows]
    chart = (
        alt.Chart(alt.InlineData(values=values))
        .mark_bar()
        .encode(
            y=alt.Y("key:N", title=key_title, sort="-x", axis=alt.Axis(labelLimit=320)),
            x=alt.X("sum(count):Q", title=count_title, axis=alt.Axis(tickMinStep=1)),
            color=_year_colour(),
            tooltip=[
                alt.Tooltip("key:N", title=key_title),
                alt.Tooltip("year:O", title=_("Year")),
                alt.Tooltip("count:Q", title=count_title),
            ],
        )
        .properties(width="container", height=ROW_HEIGHT * max(len({v["key"] for v in values}), 1))
    )
    return _spec(chart)


def world_map(rows: Sequence[CountryCount]) -> dict[str, Any]:
    """A choropleth of the records by country over the years shown: the countries without
    any in grey."""
    totals: dict[str, int] = {}
    for row in rows:
        totals[row.country] = totals.get(row.country, 0) + row.count
    values = [
        {"id": numeric(country), "name": i18n.country_name(country), "records": n}
        for country, n in totals.items()
        if numeric(country)
    ]
    countries = alt.topo_feature(WORLD, "countries")
    # The land is background: hidden from assistive technology (the shaded layer and the
    # table beside the map carry the figures).
    land = alt.Chart(countries).mark_geoshape(
        fill="#e4e4e4", stroke="#ffffff", strokeWidth=0.5, aria=False
    )
    shaded = (
        alt.Chart(countries)
        .mark_geoshape(stroke="#ffffff", strokeWidth=0.5)
        .transform_lookup(
            lookup="id",
            from_=alt.LookupData(alt.InlineData(values=values), "id", ["name", "records"]),
        )
        .transform_filter("isValid(datum.records)")
        .encode(
            color=alt.Color("records:Q", title=_("Records"), scale=alt.Scale(scheme="blues")),
            tooltip=[
                alt.Tooltip("name:N", title=_("Country")),
                alt.Tooltip("records:Q", title=_("Records")),
            ],
        )
    )
    chart = (land + shaded).project("equalEarth").properties(width="container", height=380)
    return _spec(chart)


def notices_chart(rows: Sequence[NoticeCount]) -> dict[str, Any]:
    """A bar per type of notice, its statuses stacked."""
    kinds = [notice_kind(k) for k in NoticeKind]
    values = [
        {"kind": notice_kind(r.kind), "status": notice_status(r.status), "count": r.count}
        for r in rows
    ]
    chart = (
        alt.Chart(alt.InlineData(values=values))
        .mark_bar()
        .encode(
            y=alt.Y("kind:N", title=_("Type"), sort=kinds, axis=alt.Axis(labelLimit=320)),
            x=alt.X("sum(count):Q", title=_("Notices"), axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "status:N",
                title=_("Status"),
                sort=[notice_status(s) for s in NoticeStatus],
                scale=alt.Scale(scheme="tableau10"),
            ),
            tooltip=[
                alt.Tooltip("kind:N", title=_("Type")),
                alt.Tooltip("status:N", title=_("Status")),
                alt.Tooltip("sum(count):Q", title=_("Notices")),
            ],
        )
        .properties(width="container", height=ROW_HEIGHT * max(len({v["kind"] for v in values}), 1))
    )
    return _spec(chart)


def screening_chart(rows: Sequence[ScreeningMonth]) -> dict[str, Any]:
    """Names screened each month (bars) and the hit rate (a line, its own axis)."""
    values = [
        {
            "month": month_name(r),
            "names": r.names,
            "screenings": r.screenings,
            "rate": r.hit_rate,
        }
        for r in rows
    ]
    base = alt.Chart(alt.InlineData(values=values)).encode(
        x=alt.X("month:O", title=_("Month"), axis=alt.Axis(labelAngle=0)),
        tooltip=[
            alt.Tooltip("month:O", title=_("Month")),
            alt.Tooltip("screenings:Q", title=_("Screenings")),
            alt.Tooltip("names:Q", title=_("Names screened")),
            alt.Tooltip("rate:Q", title=_("Hit rate"), format=".1%"),
        ],
    )
    bars = base.mark_bar(color="#4c78a8").encode(
        y=alt.Y("names:Q", title=_("Names screened"), axis=alt.Axis(tickMinStep=1))
    )
    line = base.mark_line(color="#c0392b", point=True).encode(
        y=alt.Y(
            "rate:Q",
            title=_("Hit rate"),
            scale=alt.Scale(domain=[0, 1]),
            axis=alt.Axis(format="%"),
        )
    )
    chart = (bars + line).resolve_scale(y="independent").properties(width="container", height=260)
    return _spec(chart)


def results_chart(rows: Sequence[OperationResult]) -> dict[str, Any]:
    """People arrested and safeguarded and places searched, a group of bars per country
    (seizures and frozen assets, in their own units, are in the table)."""
    kinds = [result_kind(k) for k in ResultKind if k in COUNTED]
    values = [
        {
            "country": i18n.country_name(r.country),
            "kind": result_kind(r.kind),
            "count": float(r.quantity),
        }
        for r in rows
        if ResultKind(r.kind) in COUNTED
    ]
    countries = {v["country"] for v in values}
    chart = (
        alt.Chart(alt.InlineData(values=values))
        .mark_bar()
        .encode(
            y=alt.Y("country:N", title=_("Country"), sort="ascending"),
            yOffset=alt.YOffset("kind:N", sort=kinds),
            x=alt.X("sum(count):Q", title=_("Number"), axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("kind:N", title=_("Result"), sort=kinds),
            tooltip=[
                alt.Tooltip("country:N", title=_("Country")),
                alt.Tooltip("kind:N", title=_("Result")),
                alt.Tooltip("sum(count):Q", title=_("Number")),
            ],
        )
        .properties(width="container", height=ROW_HEIGHT * len(kinds) * max(len(countries), 1))
    )
    return _spec(chart)


# The page's figures -----------------------------------------------------------------------
def _allowed(check: Callable[[Principal], None], principal: Principal) -> bool:
    try:
        check(principal)
    except Forbidden:
        return False
    return True


@dataclass(frozen=True)
class Assets:
    """The asset recovery figures: by stage, and by country and stage."""

    totals: list[asset_statistics.Figure]
    by_country: list[asset_statistics.Figure]
    currency: str

    def in_year(self, year: int) -> Assets:
        return Assets(
            [f for f in self.totals if f.year == year],
            [f for f in self.by_country if f.year == year],
            self.currency,
        )

    def rows(self) -> list[StageFigure]:
        """By country, as the asset recovery API gives them."""
        return [
            StageFigure(
                stage=f.stage, year=f.year, key=f.key, assets=f.assets, value=decimal(f.minor)
            )
            for f in self.by_country
        ]


def asset_figures(session: Session, settings: Settings, principal: Principal) -> Assets | None:
    """None unless the reader works asset recovery."""
    if not _allowed(asset_policy.may_work, principal):
        return None
    found = asset_statistics.compute(session, principal, now=utcnow())  # audited
    return Assets(found.totals, found.by_country, settings.assets_reporting_currency)


def pairs(session: Session, principal: Principal) -> list[PairOut] | None:
    """None unless the reader works judicial cooperation (the figures have no year)."""
    if not _allowed(judicial_policy.may_work, principal):
        return None
    return response_times.pairs(session, principal)  # audited


def charts(found: Statistics, assets: Assets | None, pairs: list[PairOut] | None) -> dict[str, Any]:
    """A spec per figure with something to draw, in the current language."""
    specs: dict[str, Any] = {}
    if found.records_by_offence:
        specs["records-by-offence"] = by_key_chart(
            found.records_by_offence, offence_name, _("ICCS section"), _("Records")
        )
    if found.records_by_country:
        specs["records-map"] = world_map(found.records_by_country)
    if found.cases_by_offence:
        specs["cases-by-offence"] = by_key_chart(
            found.cases_by_offence, offence_name, _("ICCS section"), _("Cases")
        )
    if found.cases_by_country:
        specs["cases-by-country"] = by_key_chart(
            found.cases_by_country,
            lambda r: i18n.country_name(r.country),
            _("Country of the lead agency"),
            _("Cases"),
        )
    if found.notices:
        specs["notices"] = notices_chart(found.notices)
    if found.screening:
        specs["screening"] = screening_chart(found.screening)
    if found.operation_results:
        specs["operation-results"] = results_chart(found.operation_results)
    if assets and assets.totals:
        specs["assets-stages"] = stages_chart(assets.totals, assets.currency)
        specs["assets-countries"] = breakdown_chart(
            assets.by_country, assets.currency, _("Country"), i18n.country_name
        )
    if pairs and any(p.median_days_to_close or p.median_days_to_acknowledge for p in pairs):
        specs["response-times"] = response_times.medians_chart(pairs)
    return specs


@pages.get("/statistics", response_class=HTMLResponse)
def statistics_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    year: Year = None,
) -> Response:
    """Crime and cooperation figures, each as a chart, a table and a CSV; one year's, or
    every year's."""
    found = service.statistics(session, principal, now=utcnow())  # refuses partners; audited
    assets = asset_figures(session, settings, principal)
    pairs_found = pairs(session, principal)
    years = sorted({*found.years, *(f.year for f in assets.totals)} if assets else found.years)
    if year is not None:
        found = found.in_year(year)
        assets = assets.in_year(year) if assets else None
    with i18n.speaking(i18n.language_of(request)):
        specs = charts(found, assets, pairs_found)
    return page(
        request,
        "statistics/page.html",
        principal,
        figures=found,
        years=years[::-1],
        year=year,
        assets=assets,
        pairs=pairs_found,
        charts=specs,
        offence_name=offence_name,
        notice_kind=notice_kind,
        notice_status=notice_status,
        result_kind=result_kind,
        month_name=month_name,
        percent=percent,
        stage_titles=STAGE_TITLES,
        pair_name=response_times.pair_name,
        days=response_times.days,
    )


# CSV ----------------------------------------------------------------------------------------
def csv_text(model: type[BaseModel], rows: Sequence[BaseModel]) -> str:
    """A line per row, a column per field of `model` (computed ones too)."""
    columns = [*model.model_fields, *model.model_computed_fields]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        data = row.model_dump(mode="json")
        writer.writerow([data[c] for c in columns])
    return out.getvalue()


# Each download: the figure's rows and the shape of a row.
NATIVE: dict[str, tuple[str, type[BaseModel]]] = {
    "records-by-offence": ("records_by_offence", OffenceCount),
    "records-by-country": ("records_by_country", CountryCount),
    "cases-by-offence": ("cases_by_offence", OffenceCount),
    "cases-by-country": ("cases_by_country", CountryCount),
    "notices": ("notices", NoticeCount),
    "screening": ("screening", ScreeningMonth),
    "operation-results": ("operation_results", OperationResult),
}
DOWNLOADS = frozenset({*NATIVE, "assets", "response-times"})


@pages.get("/statistics/{name}.csv")
def statistics_csv(
    name: str,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    year: Year = None,
) -> Response:
    """One figure as CSV: the rows of its table (of one year, or of every year)."""
    if name not in DOWNLOADS:
        raise NotFound(
            N_("no figure %(name)s; there are %(figures)s"),
            name=repr(name),
            figures=", ".join(sorted(DOWNLOADS)),
        )
    if name == "response-times":
        found_pairs = pairs(session, principal)
        if found_pairs is None:
            raise NotFound(N_("no response times for your roles"))
        text = response_times.csv_text(found_pairs)
    elif name == "assets":
        assets = asset_figures(session, settings, principal)
        if assets is None:
            raise NotFound(N_("no asset recovery figures for your roles"))
        text = csv_text(StageFigure, (assets.in_year(year) if year else assets).rows())
    else:
        found = service.statistics(session, principal, now=utcnow())
        field, model = NATIVE[name]
        rows = getattr(found.in_year(year) if year else found, field)
        if rows is None:
            raise NotFound(N_("no %(what)s figures for your roles"), what=name.replace("-", " "))
        text = csv_text(model, rows)
    filename = f"{name}-{year}.csv" if year else f"{name}.csv"
    return download_response(text.encode(), filename, "text/csv")


router.include_router(pages)
router.include_router(api.router)
