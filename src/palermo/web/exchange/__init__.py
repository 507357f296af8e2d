"""Exchange pages (SIENA / I-24/7 style): inbox and sent folders, compose, threads with
their receipts and delivery outcomes, further use of what was received (forward, consent,
evidence, details of a hit), hit notifications and hit/no-hit queries to peer nodes.

Every page works without JavaScript; HTMX only filters lists as the officer types.
"""

from palermo.routing import APIRouter
from palermo.web.exchange import compose, folders, peers, recipients, threads
from palermo.web.exchange.peers import notification_rows

router = APIRouter(include_in_schema=False)
for part in (folders, recipients, compose, threads, peers):
    router.include_router(part.router)

__all__ = ["notification_rows", "router"]
