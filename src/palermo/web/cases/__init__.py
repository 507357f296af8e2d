"""Case pages: my cases and the form that opens one, the authorisations about to expire, a
case's workspace with the forms of what its members do there, an evidence item's page (its
integrity, custody log and hand-overs) and the package of items for a court, the action-day
board that refreshes itself while the teams act, and the results report (to print, or as CSV).

What is seen and what may be done are decided by `policy.cases` and the services; a refused
form comes back as it was typed, with the reason beside its field."""

from palermo.routing import APIRouter
from palermo.web.cases import (
    board,
    contributions,
    evidence,
    evidence_item,
    jit,
    listing,
    members,
    planning,
    report,
    workspace,
)

router = APIRouter(include_in_schema=False)
# The fixed paths (/cases/new, /cases/authorisations/expiring, …/action-days/new,
# …/evidence/export) come before the paths that take an id in their place.
for part in (
    listing,
    planning,
    board,
    report,
    workspace,
    members,
    jit,
    contributions,
    evidence,
    evidence_item,
):
    router.include_router(part.router)

__all__ = ["router"]
