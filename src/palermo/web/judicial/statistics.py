"""Where cooperation is slow: response times per pair of countries — requests sent,
answered, refused, withdrawn, open and overdue, the median days to acknowledgement and to
the final answer — as a table, a chart of the medians (Vega-Lite, built with Altair) and a
CSV to take away. Figures only, never which requests."""

from __future__ import annotations

import csv
import io
from typing import Any

import altair as alt
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from palermo.deps import PrincipalDep, SessionDep
from palermo.http import download_response
from palermo.identity.principal import Principal
from palermo.judicial import statistics, views
from palermo.judicial.request_schemas import PairOut
from palermo.models.base import utcnow
from palermo.routing import APIRouter
from palermo.translatable import N_
from palermo.web import i18n
from palermo.web.judicial.views import render

router = APIRouter(include_in_schema=False)

COLUMNS = list(PairOut.model_fields)
ROW_HEIGHT = 22  # px per pair and measure in the chart
MEDIANS = {
    "median_days_to_acknowledge": N_("to acknowledge"),
    "median_days_to_close": N_("to close (answer or refusal)"),
}


def _(message: str) -> str:
    """A chart's words in the language of the page being built (see `i18n.speaking`)."""
    return i18n.gettext(message)


def pairs(session: Session, principal: Principal) -> list[PairOut]:
    """The figures, the slowest pair first."""
    found = statistics.response_times(session, principal, today=utcnow().date())  # audited
    return [views.pair_out(f) for f in found]


def pair_name(row: PairOut) -> str:
    return f"{row.requesting} → {row.requested}"


def days(value: float | None) -> str:
    """A median as written in the table and the CSV: 12, 12.5 or nothing."""
    return "" if value is None else f"{value:g}"


def medians_chart(rows: list[PairOut]) -> dict[str, Any]:
    """The median days to acknowledge and to close, a pair of bars per pair of countries,
    in the table's order (the slowest first)."""
    measures = [_(title) for title in MEDIANS.values()]
    values = [
        {"pair": pair_name(row), "measure": _(title), "days": getattr(row, name), "sent": row.sent}
        for row in rows
        for name, title in MEDIANS.items()
        if getattr(row, name) is not None
    ]
    chart = (
        alt.Chart(alt.InlineData(values=values))
        .mark_bar()
        .encode(
            y=alt.Y("pair:N", title=_("Requesting → requested"), sort=[pair_name(r) for r in rows]),
            yOffset=alt.YOffset("measure:N", sort=measures),
            x=alt.X("days:Q", title=_("Median days from sending")),
            color=alt.Color("measure:N", title=_("Median days"), sort=measures),
            tooltip=[
                alt.Tooltip("pair:N", title=_("Pair")),
                alt.Tooltip("measure:N", title=_("Median days")),
                alt.Tooltip("days:Q", title=_("Days"), format=",.1f"),
                alt.Tooltip("sent:Q", title=_("Requests sent")),
            ],
        )
        .properties(width="container", height=ROW_HEIGHT * max(len(values), 1))
    )
    spec: dict[str, Any] = chart.to_dict()  # validated against Vega-Lite's schema
    return spec


def csv_text(rows: list[PairOut]) -> str:
    """One line per pair of countries, the columns of `PairOut`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        figures = row.model_dump()
        writer.writerow(
            [days(figures[c]) if c in MEDIANS else figures[c] for c in COLUMNS],
        )
    return out.getvalue()


@router.get("/judicial/statistics", response_class=HTMLResponse)
def statistics_page(request: Request, session: SessionDep, principal: PrincipalDep) -> Response:
    """Response times per pair of countries, the slowest first."""
    rows = pairs(session, principal)
    with i18n.speaking(i18n.language_of(request)):  # the chart's titles in the page's language
        medians = medians_chart(rows)
    return render(
        request,
        session,
        "judicial/statistics.html",
        principal,
        rows=rows,
        charts={"medians": medians},
        has_medians=any(name for r in rows for name in MEDIANS if getattr(r, name) is not None),
        pair_name=pair_name,
        days=days,
    )


@router.get("/judicial/statistics.csv")
def statistics_csv(session: SessionDep, principal: PrincipalDep) -> Response:
    """The same figures as CSV."""
    text = csv_text(pairs(session, principal))
    return download_response(text.encode(), "request-response-times.csv", "text/csv")
