"""Judicial cooperation pages: the central authority's queue of requests (incoming and
outgoing; what it executes, for any other authority), the drafting wizard with its live
legal-basis and dual-criminality checks, a request's page with its timeline and the forms of
the steps the reader's side may take, and the response-time dashboard (with its CSV).

What is seen and what may be done are decided by `policy.judicial` and the services; a
refused form comes back as it was typed, with the reason beside its field."""

from palermo.routing import APIRouter
from palermo.web.judicial import bases, queue, request, statistics, steps, wizard

router = APIRouter(include_in_schema=False)
# The fixed paths (/judicial/new, /judicial/statistics…) before /judicial/{request_id}.
for part in (queue, wizard, bases, statistics, request, steps):
    router.include_router(part.router)

__all__ = ["router"]
