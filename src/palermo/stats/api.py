"""Statistics routes (/api/statistics): the crime and cooperation figures the caller may see,
counts only. The asset recovery figures and the response times between countries have their
own routes (/api/assets/statistics, /api/requests/statistics)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from palermo.deps import PrincipalDep, SessionDep
from palermo.errors import Forbidden, Invalid, Unauthorized, error_responses
from palermo.models.base import utcnow
from palermo.routing import APIRouter
from palermo.stats import service
from palermo.stats.schemas import Statistics

router = APIRouter(prefix="/api/statistics", tags=["statistics"])
Year = Annotated[int | None, Query(ge=1900, le=2999, description="only this year's figures")]


@router.get(
    "", response_model=Statistics, responses=error_responses(Unauthorized, Invalid, Forbidden)
)
def statistics(session: SessionDep, principal: PrincipalDep, year: Year = None) -> Statistics:
    """Records and cases by ICCS section, country and year; notices by type and status;
    screening volume and hit rate by month; operation results. A figure is null when your
    roles do not do that work."""
    found = service.statistics(session, principal, now=utcnow())
    return found if year is None else found.in_year(year)
